"""Section 5.7.4: training chapter 5's TwoLayerNet by backprop (the book's train_neuralnet.py).

Item 5.17: ``TwoLayerNet(784, 50, 10)`` (ReLU), 10,000 iterations of plain SGD
(lr 0.1) on mini-batches of 100 drawn with replacement; every epoch
(600 iterations) prints ``train_acc test_acc`` on the full training and test
sets (17 lines). The loop is the book's, with only the imports changed; the
gradient comes from autodiff. Writes the loss curve and the accuracy curves.

    python examples/ch05_train_neuralnet.py [--data-dir DIR] [--iters N] [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad import plotting  # noqa: E402
from minigrad.book.two_layer_net import TwoLayerNet  # noqa: E402
from minigrad.datasets import load_mnist  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="MNIST directory (default: $MINIGRAD_DATA, then the user cache)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--iters", type=int, default=None,
                        help="iterations (the book's 10000; 300 with --quick)")
    parser.add_argument("--seed", type=int, default=0, help="seed of np.random")
    parser.add_argument("--quick", action="store_true",
                        help="300 iterations on the first 1000 training / 1000 test images")
    args = parser.parse_args(argv)
    iters_num = args.iters or (300 if args.quick else 10000)

    (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True, one_hot_label=True,
                                                      data_dir=args.data_dir)
    if args.quick:
        x_train, t_train, x_test, t_test = x_train[:1000], t_train[:1000], x_test[:1000], \
            t_test[:1000]
    np.random.seed(args.seed)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

    train_size = x_train.shape[0]
    batch_size = 100
    learning_rate = 0.1

    train_loss_list = []
    train_acc_list = []
    test_acc_list = []

    iter_per_epoch = max(train_size / batch_size, 1)
    start = time.perf_counter()
    for i in range(iters_num):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grad = network.gradient(x_batch, t_batch)

        for key in ("W1", "b1", "W2", "b2"):
            network.params[key] -= learning_rate * grad[key]

        loss = network.loss(x_batch, t_batch)
        train_loss_list.append(float(loss))

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            print(train_acc, test_acc)
    print(f"({iters_num} iterations in {time.perf_counter() - start:.1f} s)")

    plotting.save_loss_curve(train_loss_list, args.out / "ch05_train_loss.png")
    plotting.save_accuracy_curves(train_acc_list, test_acc_list,
                                  args.out / "ch05_train_accuracy.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
