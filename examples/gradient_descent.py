"""Section 4: gradient descent ``x <- x - lr * grad f(x)`` on ``f(x0, x1) = x0^2 + x1^2``.

From (-3, 4), 100 steps: lr=0.1 reaches about (-6.1e-10, 8.1e-10), lr=10
diverges, lr=1e-10 barely moves. Writes the path on the contours (figure 4-10)
and the distance to the minimum per step for several learning rates. (The
diverging run stops growing near 1e13 because the numerical gradient itself
breaks down there: once |x| is that large, x + 1e-4 rounds to nearly x.)

    python examples/gradient_descent.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
INIT_X = (-3.0, 4.0)


def function_2(x):
    """The book's ``function_2``: ``x[0]**2 + x[1]**2``."""
    return x[0] ** 2 + x[1] ** 2


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--steps", type=int, default=100,
                        help="steps for the learning-rate table (default: the book's 100)")
    parser.add_argument("--quick", action="store_true", help="fewer steps in the figures")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from minigrad import plotting

    print(f"gradient_descent(function_2, init_x={list(INIT_X)}, step_num={args.steps})")
    for lr, note in ((0.1, "converges"), (10.0, "too large: diverges"),
                     (1e-10, "too small: barely moves")):
        x = mg.gradient_descent(function_2, np.array(INIT_X), lr=lr, step_num=args.steps)
        print(f"lr={lr:<6g} -> {x}  ({note})")

    fig_steps = 10 if args.quick else 20
    _, history = mg.gradient_descent(function_2, np.array(INIT_X), lr=0.1,
                                     step_num=fig_steps, return_history=True)
    written = [plotting.save_descent_path(
        history, args.out / "fig4-10_gradient_descent.png",
        f=lambda a, b: function_2((a, b)), levels=[1, 2, 4, 6.5, 9, 12.5, 16, 20.5, 25],
        title=f"lr=0.1, {fig_steps} steps from (-3, 4)")]

    lrs = (1e-10, 0.01, 0.1, 0.9, 1.05, 10.0)
    steps = np.arange(args.steps + 1)
    curves = {}
    for lr in lrs:
        _, hist = mg.gradient_descent(function_2, np.array(INIT_X), lr=lr,
                                      step_num=args.steps, return_history=True)
        # An exact 0 cannot be drawn on a log axis; 1e-300 stands in for it.
        curves[f"lr={lr:g}"] = np.maximum(np.linalg.norm(hist, axis=1), 1e-300)
    written.append(plotting.save_curves(
        steps, curves, args.out / "learning_rates.png", xlabel="step",
        ylabel="distance to the minimum", logy=True,
        title="gradient descent on x0² + x1² from (-3, 4)"))
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
