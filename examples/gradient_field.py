"""Section 4: the gradient of ``f(x0, x1) = x0^2 + x1^2``, numerically and by autodiff.

Prints ``numerical_gradient`` at (3, 4), (0, 2) and (3, 0) (the book's
[6, 8], [0, 4], [6, 0]) next to minigrad's reverse-mode gradient, then draws
the negative gradient on a grid (figure 4-9): every arrow points toward the
minimum at the origin and grows with the distance from it.

    python examples/gradient_field.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def function_2(x):
    """The book's ``function_2``: ``x[0]**2 + x[1]**2`` (arrays or tensors)."""
    return x[0] ** 2 + x[1] ** 2


def autodiff_gradient(f, x: np.ndarray) -> np.ndarray:
    t = mg.Tensor(np.array(x, dtype=np.float64), requires_grad=True)
    f(t).sum().backward()
    return t.grad.data


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--quick", action="store_true", help="a coarser grid")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from minigrad import plotting

    print("gradient of f(x0, x1) = x0^2 + x1^2")
    for point in ([3.0, 4.0], [0.0, 2.0], [3.0, 0.0]):
        x = np.array(point)
        num = mg.numerical_gradient(function_2, x)
        auto = autodiff_gradient(function_2, x)
        print(f"({x[0]:g}, {x[1]:g}): numerical_gradient = {np.round(num, 6)}  "
              f"autodiff = {auto}  max |diff| = {np.abs(num - auto).max():.2e}")

    step = 0.5 if args.quick else 0.25
    x0, x1 = np.meshgrid(np.arange(-2, 2.5, step), np.arange(-2, 2.5, step))
    grid = np.stack([x0, x1])  # shape (2, rows, cols): one point per column pair
    numeric = np.empty_like(grid)
    for i, j in np.ndindex(x0.shape):
        numeric[:, i, j] = mg.numerical_gradient(function_2, grid[:, i, j].copy())
    # Points do not interact, so one backward pass gives the gradient at every point.
    auto = autodiff_gradient(function_2, grid)
    print(f"grid of {x0.size} points: max |numerical - autodiff| = "
          f"{np.abs(numeric - auto).max():.2e}")
    path = plotting.save_gradient_field(x0, x1, numeric[0], numeric[1],
                                        args.out / "fig4-9_gradient_field.png",
                                        title="-grad f: arrows point to the minimum")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
