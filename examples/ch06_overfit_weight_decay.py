"""Sections 6.4.1-6.4.2: overfitting and weight decay (figures 6-20, 6-21).

Items 6.17 and 6.18 (the book's ``overfit_weight_decay.py``, run with
``weight_decay_lambda = 0`` and ``0.1``): the first 300 MNIST training images, a
7-layer ``MultiLayerNet(784, [100]*6, 10)`` (ReLU, He), ``SGD(lr=0.01)``,
batches of 100 drawn with replacement; every 3 iterations (one "epoch") the
accuracy on the 300 training images and the 10,000 test images, 201 records.
Prints ``epoch:k, train acc:a, test acc:b`` every epoch (every 10th with
``--quiet``) and writes one figure per lambda.

    python examples/ch06_overfit_weight_decay.py [--lambdas 0,0.1] [--data-dir DIR] [--out DIR]
        [--quick]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.book.multi_layer_net import MultiLayerNet  # noqa: E402
from minigrad.book.optimizer import SGD  # noqa: E402

FIGURES = {0.0: "fig6-20_overfit.png", 0.1: "fig6-21_weight_decay.png"}


def run(x_train, t_train, x_test, t_test, weight_decay_lambda, hidden, max_epochs, quiet):
    network = MultiLayerNet(input_size=784, hidden_size_list=hidden, output_size=10,
                            weight_decay_lambda=weight_decay_lambda)
    optimizer = SGD(lr=0.01)
    train_size = x_train.shape[0]
    batch_size = 100
    train_acc_list = []
    test_acc_list = []
    iter_per_epoch = max(train_size / batch_size, 1)
    epoch_cnt = 0
    for i in range(1000000000):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        grads = network.gradient(x_batch, t_batch)
        optimizer.update(network.params, grads)

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            test_acc = network.accuracy(x_test, t_test)
            train_acc_list.append(train_acc)
            test_acc_list.append(test_acc)
            if not quiet or epoch_cnt % 10 == 0:
                print("epoch:" + str(epoch_cnt) + ", train acc:" + str(train_acc)
                      + ", test acc:" + str(test_acc))
            epoch_cnt += 1
            if epoch_cnt >= max_epochs:
                break
    return train_acc_list, test_acc_list


def main(argv=None) -> int:
    p = _book.parser(__doc__)
    p.add_argument("--lambdas", default="0,0.1",
                   help="comma-separated weight decay lambdas (default: 0,0.1)")
    p.add_argument("--quiet", action="store_true", help="print every 10th epoch only")
    args = p.parse_args(argv)
    lambdas = [float(v) for v in args.lambdas.split(",")]
    (x_train, t_train), (x_test, t_test) = _book.mnist(args)
    x_train, t_train = x_train[:300], t_train[:300]
    if args.quick:
        x_test, t_test = x_test[:1000], t_test[:1000]
    hidden = [100] * 3 if args.quick else [100] * 6
    max_epochs = 101 if args.quick else 201
    for lam in lambdas:
        np.random.seed(args.seed)
        print(f"== weight decay lambda = {lam} ==")
        start = time.perf_counter()
        train_acc, test_acc = run(x_train, t_train, x_test, t_test, lam, hidden, max_epochs,
                                  args.quiet)
        gap = np.array(train_acc) - np.array(test_acc)
        print(f"lambda {lam}: final train acc {train_acc[-1]:.4f}, test acc {test_acc[-1]:.4f}, "
              f"gap {gap[-1]:.4f}; first epoch with train acc >= 0.99: "
              f"{next((k for k, a in enumerate(train_acc) if a >= 0.99), None)} "
              f"({time.perf_counter() - start:.1f} s)")
        fig = _book.figure()
        ax = fig.add_subplot(1, 1, 1)
        x = np.arange(max_epochs)
        ax.plot(x, train_acc, marker="o", label="train", markevery=10)
        ax.plot(x, test_acc, marker="s", label="test", markevery=10)
        ax.set_xlabel("epochs")
        ax.set_ylabel("accuracy")
        ax.set_ylim(0, 1.0)
        ax.set_title(f"weight decay lambda = {lam:g}")
        ax.legend(loc="lower right")
        _book.save(fig, args.out / FIGURES.get(lam, f"overfit_lambda{lam:g}.png"))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
