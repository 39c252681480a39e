"""Section 6.1.8: SGD, Momentum, AdaGrad and Adam training on MNIST (figure 6-9).

Item 6.10 (the book's ``optimizer_compare_mnist.py``): four
``MultiLayerNet(784, [100, 100, 100, 100], 10)`` (ReLU, He init), one per
optimizer with the book's defaults (SGD lr 0.01, Momentum lr 0.01, AdaGrad lr
0.01, Adam lr 0.001); 2,000 iterations, each network updated on the same
mini-batch of 128 drawn with replacement from the 60,000 training images, its
loss on that batch recorded after the update. Prints
``===========iteration:i===========`` and ``name:loss`` every 100 iterations and
writes the smoothed loss curves (figure 6-9).

    python examples/ch06_optimizer_compare_mnist.py [--data-dir DIR] [--out DIR] [--quick]
"""

from __future__ import annotations

import sys
import time
from collections import OrderedDict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.autograd import no_grad  # noqa: E402
from minigrad.book.multi_layer_net import MultiLayerNet  # noqa: E402
from minigrad.book.optimizer import SGD, AdaGrad, Adam, Momentum  # noqa: E402
from minigrad.book.util import smooth_curve  # noqa: E402

MARKERS = {"SGD": "o", "Momentum": "x", "AdaGrad": "s", "Adam": "D"}


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

    optimizers = OrderedDict()
    optimizers["SGD"] = SGD()
    optimizers["Momentum"] = Momentum()
    optimizers["AdaGrad"] = AdaGrad()
    optimizers["Adam"] = Adam()

    networks = {}
    train_loss = {}
    for key in optimizers.keys():
        networks[key] = MultiLayerNet(input_size=784, hidden_size_list=hidden, output_size=10)
        train_loss[key] = []

    start = time.perf_counter()
    for i in range(max_iterations):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        for key in optimizers.keys():
            grads = networks[key].gradient(x_batch, t_batch)
            optimizers[key].update(networks[key].params, grads)
            with no_grad():
                loss = float(networks[key].loss(x_batch, t_batch))
            train_loss[key].append(loss)

        if i % 100 == 0 or (args.quick and i == max_iterations - 1):
            print("===========" + "iteration:" + str(i) + "===========")
            for key in optimizers.keys():
                print(key + ":" + str(train_loss[key][-1]))
    elapsed = time.perf_counter() - start
    print(f"({max_iterations} iterations x 4 networks in {elapsed:.1f} s)")
    for key in optimizers.keys():
        last = train_loss[key][-min(100, max_iterations):]
        print(f"mean loss over the last {len(last)} iterations, {key}: {np.mean(last):.4f}")

    fig = _book.figure()
    ax = fig.add_subplot(1, 1, 1)
    x = np.arange(max_iterations)
    for key in optimizers.keys():
        curve = smooth_curve(train_loss[key]) if max_iterations >= 11 else train_loss[key]
        ax.plot(x, curve, marker=MARKERS[key], markevery=100, label=key)
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss")
    ax.set_ylim(0, 1)
    ax.legend()
    _book.save(fig, args.out / "fig6-9_optimizer_compare_mnist.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
