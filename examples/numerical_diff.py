"""Section 3: numerical differentiation.

Central differences on the chapter's ``y = 0.01 x^2 + 0.1 x`` at x = 5 and 10,
compared with the exact derivative, the forward difference and minigrad's
reverse-mode autodiff; why ``h = 1e-50`` fails; the partial derivatives of
``f(x0, x1) = x0^2 + x1^2`` at (3, 4). Writes figure 4-5 (the tangent at x = 5)
and a plot of the error against the step h.

    python examples/numerical_diff.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def function_1(x):
    return 0.01 * x**2 + 0.1 * x


def function_1_exact_diff(x):
    return 0.02 * x + 0.1


def forward_diff(f, x, h=1e-4):
    return (f(x + h) - f(x)) / h


def autodiff(f, x: float) -> float:
    t = mg.Tensor(np.float64(x), requires_grad=True)
    f(t).backward()
    return t.grad.item()


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--quick", action="store_true", help="fewer sample points")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    from minigrad import plotting

    print("y = 0.01 x^2 + 0.1 x")
    for x in (5.0, 10.0):
        central = mg.numerical_diff(function_1, x)
        print(f"numerical_diff at x={x:g}: {central!r}")
    print()
    print(f"{'x':>4} {'exact':>8} {'central (h=1e-4)':>22} {'forward (h=1e-4)':>22} "
          f"{'autodiff':>10}")
    for x in (5.0, 10.0):
        exact = function_1_exact_diff(x)
        central = mg.numerical_diff(function_1, x)
        forward = forward_diff(function_1, x)
        auto = autodiff(function_1, x)
        print(f"{x:4g} {exact:8.4g} {central:22.16g} {forward:22.16g} {auto:10.6g}")
        print(f"{'':4} {'error':>8} {abs(central - exact):22.3e} {abs(forward - exact):22.3e} "
              f"{abs(auto - exact):10.3e}")
    print()

    bad = mg.numerical_diff(function_1, 5.0, h=1e-50)
    print(f"h=1e-50: numerical_diff at x=5 = {bad!r}  (5.0 + 1e-50 == 5.0 is "
          f"{5.0 + 1e-50 == 5.0}; np.float32(1e-50) = {float(np.float32(1e-50))!r})")
    print()

    print("f(x0, x1) = x0^2 + x1^2 at (3, 4)")
    dx0 = mg.numerical_diff(lambda x0: x0 * x0 + 4.0**2.0, 3.0)
    dx1 = mg.numerical_diff(lambda x1: 3.0**2.0 + x1 * x1, 4.0)
    print(f"df/dx0 = {dx0!r}")
    print(f"df/dx1 = {dx1!r}")
    x = mg.Tensor(np.array([3.0, 4.0]), requires_grad=True)
    (x[0] ** 2 + x[1] ** 2).backward()
    print(f"autodiff: df/dx0 = {float(x.grad.data[0])!r}, df/dx1 = {float(x.grad.data[1])!r}")
    print()

    num = 60 if args.quick else 200
    written = [plotting.save_tangent_plot(
        function_1, 5.0, args.out / "fig4-5_tangent.png", num=num,
        title="y = 0.01x² + 0.1x and its tangent at x=5")]
    hs = np.logspace(-16, -1, 16 if args.quick else 61)
    exact = function_1_exact_diff(5.0)
    central_err = [abs(mg.numerical_diff(function_1, 5.0, h=h) - exact) for h in hs]
    forward_err = [abs(forward_diff(function_1, 5.0, h=h) - exact) for h in hs]
    floor = 1e-18  # an error of exactly 0 cannot be drawn on a log axis
    written.append(plotting.save_curves(
        hs, {"central difference": np.maximum(central_err, floor),
             "forward difference": np.maximum(forward_err, floor)},
        args.out / "numerical_diff_error.png", xlabel="h", ylabel="|error| at x=5",
        logx=True, logy=True, linestyles={"forward difference": "--"},
        title="small h: rounding error; forward difference: O(h) error"))
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
