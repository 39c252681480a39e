"""Section 3: the function of two variables ``f(x0, x1) = x0^2 + x1^2`` as a 3-D surface.

Writes figure 4-8 and prints a few values of f and of its partial derivatives.

    python examples/gradient_surface.py [--out DIR] [--quick]
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
    """The book's ``function_2``: ``x[0]**2 + x[1]**2``."""
    return x[0] ** 2 + x[1] ** 2


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--quick", action="store_true", help="a coarser grid")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from minigrad import plotting

    print("f(x0, x1) = x0^2 + x1^2")
    for point in ([0.0, 0.0], [3.0, 4.0], [-3.0, 4.0], [1.0, -2.0]):
        x = np.array(point)
        grad = mg.numerical_gradient(function_2, x)
        print(f"f({x[0]:g}, {x[1]:g}) = {function_2(x):g}, "
              f"numerical gradient = [{grad[0]:.6f}, {grad[1]:.6f}]")
    path = plotting.save_surface(lambda a, b: function_2((a, b)),
                                 args.out / "fig4-8_surface.png",
                                 num=15 if args.quick else 41,
                                 title="f(x0, x1) = x0² + x1²")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
