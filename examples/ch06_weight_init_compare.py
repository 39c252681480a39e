"""Section 6.2.4: weight initialisation compared on MNIST (figure 6-15).

Item 6.12 (the book's ``weight_init_compare.py``): three
``MultiLayerNet(784, [100, 100, 100, 100], 10)`` with ReLU that differ only in
their initial weights (``std=0.01``, Xavier ``sqrt(1/n)``, He ``sqrt(2/n)``),
one shared ``SGD(lr=0.01)``; 2,000 iterations on mini-batches of 128 drawn with
replacement. Prints ``===========iteration:i===========`` and the three losses
every 100 iterations and writes the smoothed loss curves (figure 6-15).

    python examples/ch06_weight_init_compare.py [--data-dir DIR] [--out DIR] [--quick]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.autograd import no_grad  # noqa: E402
from minigrad.book.multi_layer_net import MultiLayerNet  # noqa: E402
from minigrad.book.optimizer import SGD  # noqa: E402
from minigrad.book.util import smooth_curve  # noqa: E402

MARKERS = {"std=0.01": "o", "Xavier": "s", "He": "D"}


def main(argv=None) -> int:
    p = _book.parser(__doc__)
    p.add_argument("--iters", type=int, default=None,
                   help="iterations (the book's 2000; 60 with --quick)")
    args = p.parse_args(argv)
    max_iterations = args.iters or (60 if args.quick else 2000)

    (x_train, t_train), _ = _book.mnist(args)
    if args.quick:
        x_train, t_train = x_train[:2000], t_train[:2000]
    train_size = x_train.shape[0]
    batch_size = 128
    hidden = [30, 30] if args.quick else [100, 100, 100, 100]
    np.random.seed(args.seed)

    weight_init_types = {"std=0.01": 0.01, "Xavier": "sigmoid", "He": "relu"}
    optimizer = SGD(lr=0.01)

    networks = {}
    train_loss = {}
    for key, weight_type in weight_init_types.items():
        networks[key] = MultiLayerNet(input_size=784, hidden_size_list=hidden, output_size=10,
                                      weight_init_std=weight_type)
        train_loss[key] = []

    start = time.perf_counter()
    for i in range(max_iterations):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        for key in weight_init_types.keys():
            grads = networks[key].gradient(x_batch, t_batch)
            optimizer.update(networks[key].params, grads)
            with no_grad():
                loss = float(networks[key].loss(x_batch, t_batch))
            train_loss[key].append(loss)

        if i % 100 == 0 or (args.quick and i == max_iterations - 1):
            print("===========" + "iteration:" + str(i) + "===========")
            for key in weight_init_types.keys():
                print(key + ":" + str(train_loss[key][-1]))
    print(f"({max_iterations} iterations x 3 networks in {time.perf_counter() - start:.1f} s)")
    for key in weight_init_types.keys():
        last = train_loss[key][-min(100, max_iterations):]
        print(f"mean loss over the last {len(last)} iterations, {key}: {np.mean(last):.4f}")

    fig = _book.figure()
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(max_iterations)
    for key in weight_init_types.keys():
        curve = smooth_curve(train_loss[key]) if max_iterations >= 11 else train_loss[key]
        ax.plot(x, curve, marker=MARKERS[key], markevery=100, label=key)
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 2.5)
    ax.legend()
    _book.save(fig, args.out / "fig6-15_weight_init_compare.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
