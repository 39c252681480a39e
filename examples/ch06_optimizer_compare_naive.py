"""Section 6.1.3-6.1.7: SGD, Momentum, AdaGrad and Adam on f(x, y) = x**2/20 + y**2.

Item 6.7 (the book's ``optimizer_compare_naive.py`` and the Korean
``show_optimizer_*.py``): from (-7, 2), 30 updates of each optimizer (SGD lr
0.95, Momentum lr 0.1, AdaGrad lr 1.5, Adam lr 0.3; the book's
``minigrad.book.optimizer`` classes). Prints the path points of the item's table
to 4 decimals and the 30th point of Nesterov (lr 0.1), and writes figure 6-8
(2x2 panels) and the single panels of figures 6-3, 6-5, 6-6, 6-7.

    python examples/ch06_optimizer_compare_naive.py [--out DIR] [--quick]
"""

from __future__ import annotations

import sys
from collections import OrderedDict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.book.optimizer import SGD, AdaGrad, Adam, Momentum, Nesterov  # noqa: E402

PANELS = {"SGD": "fig6-3_sgd.png", "Momentum": "fig6-5_momentum.png",
          "AdaGrad": "fig6-6_adagrad.png", "Adam": "fig6-7_adam.png"}


def f(x, y):
    return x ** 2 / 20.0 + y ** 2


def df(x, y):
    return x / 10.0, 2.0 * y


def run_path(optimizer, iters=30):
    """Record the point, take the gradient there, update: the book's loop."""
    params = {"x": np.array(-7.0), "y": np.array(2.0)}
    grads = {"x": np.array(0.0), "y": np.array(0.0)}
    x_history, y_history = [], []
    for _ in range(iters):
        x_history.append(float(params["x"]))
        y_history.append(float(params["y"]))
        grads["x"], grads["y"] = df(params["x"], params["y"])
        optimizer.update(params, grads)
    return x_history, y_history, (float(params["x"]), float(params["y"]))


def draw(ax, key, x_history, y_history):
    x = np.arange(-10, 10, 0.01)
    y = np.arange(-5, 5, 0.01)
    X, Y = np.meshgrid(x, y)
    Z = f(X, Y)
    Z[Z > 7] = 0  # the book's trick for simpler contours
    ax.plot(x_history, y_history, "o-", color="red")
    ax.contour(X, Y, Z)
    ax.set_ylim(-10, 10)
    ax.set_xlim(-10, 10)
    ax.plot(0, 0, "+")
    ax.set_title(key)
    ax.set_xlabel("x")
    ax.set_ylabel("y")


def main(argv=None) -> int:
    args = _book.parser(__doc__).parse_args(argv)
    optimizers = OrderedDict()
    optimizers["SGD"] = SGD(lr=0.95)
    optimizers["Momentum"] = Momentum(lr=0.1)
    optimizers["AdaGrad"] = AdaGrad(lr=1.5)
    optimizers["Adam"] = Adam(lr=0.3)

    fig = _book.figure((10, 8))
    print(f"{'optimizer':<10} {'2nd point':>20} {'3rd point':>20} {'30th point':>20} "
          f"{'after 30 updates':>20}")
    for idx, (key, opt) in enumerate(optimizers.items()):
        xs, ys, last = run_path(opt)
        pts = [(xs[1], ys[1]), (xs[2], ys[2]), (xs[29], ys[29]), last]
        cells = " ".join(f"({p[0]:.4f}, {p[1]:.4f})".rjust(20) for p in pts)
        print(f"{key:<10} {cells}")
        draw(fig.add_subplot(2, 2, idx + 1), key, xs, ys)
        single = _book.figure((5, 4))
        draw(single.add_subplot(1, 1, 1), key, xs, ys)
        _book.save(single, args.out / PANELS[key])
    xs, ys, _ = run_path(Nesterov(lr=0.1))
    print(f"Nesterov lr 0.1, 30th point: ({xs[29]:.4f}, {ys[29]:.4f})")
    fig.tight_layout()
    _book.save(fig, args.out / "fig6-8_optimizer_compare.png")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
