"""Section 6.5: random search of the learning rate and weight decay (figure 6-24).

Item 6.23 (the book's ``hyperparameter_optimization.py``): the first 500 MNIST
training images, shuffled with ``shuffle_dataset``; the first 20% (100) are the
validation set, the other 400 the training set (the test set is not used). 100
trials, each sampling ``weight decay = 10**U(-8, -4)`` and ``lr = 10**U(-6, -2)``
and training ``MultiLayerNet(784, [100]*6, 10, weight_decay_lambda=...)`` with the
book's ``Trainer`` (50 epochs, batch 100, SGD). Prints
``val acc:... | lr:..., weight decay:...`` per trial, then the best 20 as
``Best-k(val acc:...) | lr:..., weight decay:...``, and writes figure 6-24
(validation accuracy solid, training dashed, 4x5 grid).

    python examples/ch06_hyperparameter_optimization.py [--trials N] [--data-dir DIR] [--out DIR]
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
from minigrad.book.trainer import Trainer  # noqa: E402
from minigrad.book.util import shuffle_dataset  # noqa: E402


def __train(x_train, t_train, x_val, t_val, lr, weight_decay, hidden, epocs=50):
    network = MultiLayerNet(input_size=784, hidden_size_list=hidden, output_size=10,
                            weight_decay_lambda=weight_decay)
    trainer = Trainer(network, x_train, t_train, x_val, t_val, epochs=epocs,
                      mini_batch_size=100, optimizer="sgd", optimizer_param={"lr": lr},
                      verbose=False)
    trainer.train()
    return trainer.test_acc_list, trainer.train_acc_list


def main(argv=None) -> int:
    p = _book.parser(__doc__)
    p.add_argument("--trials", type=int, default=None,
                   help="number of random trials (the book's 100; 10 with --quick)")
    args = p.parse_args(argv)
    optimization_trial = args.trials or (10 if args.quick else 100)
    epochs = 20 if args.quick else 50
    hidden = [50] * 3 if args.quick else [100] * 6
    np.random.seed(args.seed)

    (x_train, t_train), _ = _book.mnist(args)
    x_train = x_train[:500]
    t_train = t_train[:500]

    validation_rate = 0.20
    validation_num = int(x_train.shape[0] * validation_rate)
    x_train, t_train = shuffle_dataset(x_train, t_train)
    x_val = x_train[:validation_num]
    t_val = t_train[:validation_num]
    x_train = x_train[validation_num:]
    t_train = t_train[validation_num:]

    results_val = {}
    results_train = {}
    start = time.perf_counter()
    for _ in range(optimization_trial):
        weight_decay = 10 ** np.random.uniform(-8, -4)
        lr = 10 ** np.random.uniform(-6, -2)

        val_acc_list, train_acc_list = __train(x_train, t_train, x_val, t_val, lr,
                                               weight_decay, hidden, epochs)
        print("val acc:" + str(val_acc_list[-1]) + " | lr:" + str(lr) + ", weight decay:"
              + str(weight_decay))
        key = "lr:" + str(lr) + ", weight decay:" + str(weight_decay)
        results_val[key] = val_acc_list
        results_train[key] = train_acc_list
    print(f"({optimization_trial} trials in {time.perf_counter() - start:.1f} s)")

    print("=========== " + "Hyper-Parameter Optimization Result" + " ===========")
    graph_draw_num = min(20, optimization_trial)
    col_num = 5
    row_num = int(np.ceil(graph_draw_num / col_num))
    fig = _book.figure((12, 2.4 * row_num))
    i = 0
    for key, val_acc_list in sorted(results_val.items(), key=lambda x: x[1][-1], reverse=True):
        print("Best-" + str(i + 1) + "(val acc:" + str(val_acc_list[-1]) + ") | " + key)

        ax = fig.add_subplot(row_num, col_num, i + 1)
        ax.set_title("Best-" + str(i + 1))
        ax.set_ylim(0.0, 1.0)
        if i % 5:
            ax.set_yticks([])
        ax.set_xticks([])
        x = np.arange(len(val_acc_list))
        ax.plot(x, val_acc_list)
        ax.plot(x, results_train[key], "--")
        i += 1

        if i >= graph_draw_num:
            break
    fig.tight_layout()
    _book.save(fig, args.out / "fig6-24_hyperparameter_optimization.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
