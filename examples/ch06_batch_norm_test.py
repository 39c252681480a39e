"""Section 6.3.2: training with and without Batch Normalization for 16 weight scales.

Item 6.16 (the book's ``batch_norm_test.py``): the first 1,000 MNIST training
images; for each weight scale ``w`` in ``logspace(0, -4, 16)``, two fresh
``MultiLayerNetExtend(784, [100]*5, 10, weight_init_std=w)``, one with
BatchNorm, trained by one ``SGD(lr=0.01)`` on the same batches of 100 (drawn
with replacement); every 10 iterations the training accuracy of both on all
1,000 images (BatchNorm in inference mode) is recorded, 20 records per scale.
Prints the book's ``============== i/16 ==============`` headers and
``epoch:k | acc_without - acc_with`` lines, then a summary of the final records;
writes figure 6-19 (4x4 grid) and the single panel at ``w ~ 0.0858`` of the
Korean edition (figure 6-18).

    python examples/ch06_batch_norm_test.py [--data-dir DIR] [--out DIR] [--quick]
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend  # noqa: E402
from minigrad.book.optimizer import SGD  # noqa: E402


def __train(x_train, t_train, weight_init_std, hidden, max_epochs=20):
    bn_network = MultiLayerNetExtend(input_size=784, hidden_size_list=hidden, output_size=10,
                                     weight_init_std=weight_init_std, use_batchnorm=True)
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=hidden, output_size=10,
                                  weight_init_std=weight_init_std)
    optimizer = SGD(lr=0.01)
    train_size = x_train.shape[0]
    batch_size = 100
    train_acc_list = []
    bn_train_acc_list = []
    iter_per_epoch = max(train_size / batch_size, 1)
    epoch_cnt = 0

    for i in range(1000000000):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        for _network in (bn_network, network):
            grads = _network.gradient(x_batch, t_batch)
            optimizer.update(_network.params, grads)

        if i % iter_per_epoch == 0:
            train_acc = network.accuracy(x_train, t_train)
            bn_train_acc = bn_network.accuracy(x_train, t_train)
            train_acc_list.append(train_acc)
            bn_train_acc_list.append(bn_train_acc)

            print("epoch:" + str(epoch_cnt) + " | " + str(train_acc) + " - " + str(bn_train_acc))

            epoch_cnt += 1
            if epoch_cnt >= max_epochs:
                break

    return train_acc_list, bn_train_acc_list


def main(argv=None) -> int:
    args = _book.parser(__doc__).parse_args(argv)
    (x_train, t_train), _ = _book.mnist(args)
    n_train = 300 if args.quick else 1000
    x_train, t_train = x_train[:n_train], t_train[:n_train]
    hidden = [20] * 3 if args.quick else [100] * 5
    max_epochs = 5 if args.quick else 20
    np.random.seed(args.seed)

    weight_scale_list = np.logspace(0, -4, num=16)
    if args.quick:
        weight_scale_list = weight_scale_list[[0, 4, 8, 12]]
    x = np.arange(max_epochs)
    fig = _book.figure((12, 12))
    finals = []
    start = time.perf_counter()
    for i, w in enumerate(weight_scale_list):
        print("============== " + str(i + 1) + "/16" + " ==============")
        train_acc_list, bn_train_acc_list = __train(x_train, t_train, w, hidden, max_epochs)
        finals.append((w, train_acc_list[-1], bn_train_acc_list[-1]))

        for target, idx in ((fig, i), (None, i)):
            if target is None:
                if not np.isclose(w, np.logspace(0, -4, num=16)[4]):
                    continue
                single = _book.figure((6, 4.5))
                ax = single.add_subplot(1, 1, 1)
                ax.set_title("Training Accuracy")
            else:
                ax = target.add_subplot(4, 4, idx + 1)
                ax.set_title("W:" + str(w))
            if target is None or i == 15:
                ax.plot(x, bn_train_acc_list, label="Batch Normalization", markevery=2)
                ax.plot(x, train_acc_list, linestyle="--", label="Normal(without BatchNorm)",
                        markevery=2)
                ax.legend(loc="lower right")
            else:
                ax.plot(x, bn_train_acc_list, markevery=2)
                ax.plot(x, train_acc_list, linestyle="--", markevery=2)
            ax.set_ylim(0, 1.0)
            if target is None or i % 4 == 0:
                ax.set_ylabel("accuracy")
            else:
                ax.set_yticks([])
            if target is None or i >= 12:
                ax.set_xlabel("epochs")
            else:
                ax.set_xticks([])
            if target is None:
                _book.save(single, args.out / "fig6-18_batch_norm_single.png")
    elapsed = time.perf_counter() - start
    print(f"== final records (without BN - with BN), {elapsed:.1f} s ==")
    for w, acc, bn_acc in finals:
        print(f"w={w:.4g}: {acc:.3f} - {bn_acc:.3f}")
    fig.tight_layout()
    _book.save(fig, args.out / "fig6-19_batch_norm_test.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
