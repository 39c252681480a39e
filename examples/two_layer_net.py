"""Section 5: mini-batch training of ``TwoLayerNet`` on MNIST, with the book's loop.

784-50-10 sigmoid network, ``iters_num = 10000``, ``batch_size = 100``,
``learning_rate = 0.1``, mini-batches drawn with ``np.random.choice`` (with
replacement), one "epoch" per ``train_size / batch_size`` iterations. The
training loss is recorded every iteration (figure 4-11) and the accuracy on
the full training and test sets every epoch (figure 4-12), printed as the book
does: ``train acc, test acc | <a>, <b>``.

    python examples/two_layer_net.py [--data-dir DIR] [--iters N] [--out DIR] [--quick]

MNIST is read from ``--data-dir``, else ``$MINIGRAD_DATA``, else the user cache
(downloaded on first use).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad.datasets import load_mnist  # noqa: E402
from minigrad.models import TwoLayerNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="MNIST directory (default: $MINIGRAD_DATA, then the user cache)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--iters", type=int, default=None,
                        help="iterations (the book's 10000; 100 with --quick)")
    parser.add_argument("--batch-size", type=int, default=100)
    parser.add_argument("--lr", type=float, default=0.1, help="learning rate")
    parser.add_argument("--hidden", type=int, default=50, help="hidden units")
    parser.add_argument("--train-size", type=int, default=None,
                        help="use only the first N training images (an epoch gets shorter); "
                             "1000 with --quick")
    parser.add_argument("--seed", type=int, default=0,
                        help="seed of np.random (initial weights and mini-batches)")
    parser.add_argument("--check-grad", action="store_true",
                        help="first compare backprop with numerical_gradient on W2, b1, b2")
    parser.add_argument("--quick", action="store_true",
                        help="a short run for testing: 100 iterations on 1000 images")
    args = parser.parse_args(argv)
    if args.iters is None:
        args.iters = 100 if args.quick else 10000
    if args.train_size is None and args.quick:
        args.train_size = 1000
    for name in ("iters", "batch_size", "hidden"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be >= 1")
    if args.train_size is not None and args.train_size < 1:
        parser.error("--train-size must be >= 1")
    return args


def check_gradient(network: TwoLayerNet, x: np.ndarray, t: np.ndarray) -> float:
    """Max |backprop - numerical| over W2, b1, b2 (W1 is skipped: 39,200 entries)."""
    backprop = network.gradient(x, t)
    worst = 0.0
    for key in ("W2", "b1", "b2"):
        numeric = mg.numerical_gradient(lambda _: network.loss(x, t), network.params[key])
        diff = float(np.abs(backprop[key] - numeric).max())
        print(f"gradient check {key}: max |backprop - numerical| = {diff:.3e}")
        worst = max(worst, diff)
    return worst


def main(argv=None) -> int:
    args = parse_args(argv)
    from minigrad import plotting

    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=True, one_hot_label=True, data_dir=args.data_dir)
    if args.train_size is not None:
        x_train, t_train = x_train[:args.train_size], t_train[:args.train_size]

    np.random.seed(args.seed)
    network = TwoLayerNet(input_size=784, hidden_size=args.hidden, output_size=10)
    if args.check_grad:
        check_gradient(network, x_train[:3], t_train[:3])

    iters_num = args.iters
    train_size = x_train.shape[0]
    batch_size = args.batch_size
    learning_rate = args.lr

    train_loss_list: list[float] = []
    train_acc_list: list[float] = []
    test_acc_list: list[float] = []
    iter_per_epoch = max(train_size / batch_size, 1)
    print(f"train {x_train.shape}, test {x_test.shape}; {iters_num} iterations, "
          f"batch {batch_size}, lr {learning_rate}, {iter_per_epoch:g} iterations per epoch")

    start = time.perf_counter()
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grad = network.gradient(x_batch, t_batch)
        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= learning_rate * grad[key]

        with mg.no_grad():
            loss = network.loss(x_batch, t_batch).item()
        train_loss_list.append(loss)

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))
    elapsed = time.perf_counter() - start

    print(f"loss: first {train_loss_list[0]:.4f}, last {train_loss_list[-1]:.4f}, "
          f"mean of the last 100 {np.mean(train_loss_list[-100:]):.4f}")
    print(f"final: train acc {network.accuracy(x_train, t_train):.4f}, "
          f"test acc {network.accuracy(x_test, t_test):.4f}")
    print(f"time: {elapsed:.1f} s ({1000 * elapsed / iters_num:.2f} ms per iteration, "
          "accuracy evaluations included)")

    written = [
        plotting.save_loss_curve(train_loss_list, args.out / "fig4-11_loss.png",
                                 title=f"training loss, batch {batch_size}, lr {learning_rate}"),
        plotting.save_accuracy_curves(train_acc_list, test_acc_list,
                                      args.out / "fig4-12_accuracy.png",
                                      title="accuracy per epoch"),
    ]
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
