"""Section 6.4.3: overfitting with and without Dropout (figure 6-23).

Item 6.20 (the book's ``overfit_dropout.py``): the first 300 MNIST training
images, ``MultiLayerNetExtend(784, [100]*6, 10, use_dropout=..., dropout_ration=0.2)``
(ReLU, He; the book's non-inverted Dropout), trained by the book's ``Trainer``
for 301 epochs (batch 100, SGD lr 0.01), evaluated every epoch on the 300
training and 10,000 test images. Runs without and with Dropout, prints the
``Trainer``'s epoch lines (``--verbose`` for its per-iteration loss lines too)
and writes figure 6-23 (left: without, right: with Dropout).

    python examples/ch06_overfit_dropout.py [--ratio 0.2] [--data-dir DIR] [--out DIR] [--quick]
"""

from __future__ import annotations

import contextlib
import io
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend  # noqa: E402
from minigrad.book.trainer import Trainer  # noqa: E402


def run(x_train, t_train, x_test, t_test, use_dropout, ratio, hidden, epochs, verbose):
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=hidden, output_size=10,
                                  use_dropout=use_dropout, dropout_ration=ratio)
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs,
                      mini_batch_size=100, optimizer="sgd", optimizer_param={"lr": 0.01},
                      verbose=True)
    buf = io.StringIO()
    with contextlib.redirect_stdout(buf):
        trainer.train()
    for line in buf.getvalue().splitlines():
        if verbose or not line.startswith("train loss:"):
            print(line)
    return trainer.train_acc_list, trainer.test_acc_list


def main(argv=None) -> int:
    p = _book.parser(__doc__)
    p.add_argument("--ratio", type=float, default=0.2,
                   help="dropout ratio (0.2 in the current scripts, 0.15 in the first release)")
    p.add_argument("--verbose", action="store_true", help="also print every loss line")
    args = p.parse_args(argv)
    (x_train, t_train), (x_test, t_test) = _book.mnist(args)
    x_train, t_train = x_train[:300], t_train[:300]
    if args.quick:
        x_test, t_test = x_test[:1000], t_test[:1000]
    hidden = [100] * 3 if args.quick else [100] * 6
    epochs = 101 if args.quick else 301

    fig = _book.figure((11, 4.5))
    for col, use_dropout in enumerate((False, True)):
        np.random.seed(args.seed)
        print(f"== use_dropout={use_dropout} (ratio {args.ratio}) ==")
        start = time.perf_counter()
        train_acc, test_acc = run(x_train, t_train, x_test, t_test, use_dropout, args.ratio,
                                  hidden, epochs, args.verbose)
        print(f"use_dropout={use_dropout}: final train acc {train_acc[-1]:.4f}, test acc "
              f"{test_acc[-1]:.4f}, gap {train_acc[-1] - test_acc[-1]:.4f} "
              f"({time.perf_counter() - start:.1f} s)")
        ax = fig.add_subplot(1, 2, col + 1)
        x = np.arange(len(train_acc))
        ax.plot(x, train_acc, marker="o", label="train", markevery=10)
        ax.plot(x, test_acc, marker="s", label="test", markevery=10)
        ax.set_xlabel("epochs")
        ax.set_ylabel("accuracy")
        ax.set_ylim(0, 1.0)
        ax.set_title("with Dropout" if use_dropout else "without Dropout")
        ax.legend(loc="lower right")
    _book.save(fig, args.out / "fig6-23_dropout.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
