"""Section 4: the gradient of a network, on the chapter's ``simpleNet``.

One 2x3 weight matrix W, ``loss = cross_entropy_error(softmax(x @ W), t)``,
``x = [0.6, 0.9]``, ``t = [0, 0, 1]``. By default W is the book's printed
matrix, so every number matches the book; ``--random`` draws it instead.
``dW`` is computed the book's way, ``numerical_gradient(lambda w: net.loss(x, t),
net.W)``, and by minigrad's reverse-mode autodiff, side by side.

    python examples/simple_net.py [--out DIR] [--quick] [--random [--seed N]]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402
from minigrad.models import SimpleNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"

#: The weights the book prints for its simpleNet (drawn by np.random.randn there).
BOOK_W = np.array([[0.47355232, 0.9977393, 0.84668094],
                   [0.85557411, 0.03563661, 0.69422093]])


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--quick", action="store_true", help="(no effect; accepted for symmetry)")
    parser.add_argument("--random", action="store_true",
                        help="draw W from a standard normal instead of using the book's W")
    parser.add_argument("--seed", type=int, default=None, help="seed for --random")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    net = SimpleNet(seed=args.seed)
    if not args.random:
        net.W.data[...] = BOOK_W
    print(f"W =\n{net.W.data}")

    x = np.array([0.6, 0.9])
    t = np.array([0, 0, 1])
    p = net.predict(x)
    print(f"p = net.predict(x) = {p.data}")
    print(f"np.argmax(p) = {int(np.argmax(p.data))}")
    print(f"net.loss(x, t) = {net.loss(x, t).item()!r}")
    # The book prints 0.92806853663411326 and a dW that match the loss *without* the
    # 1e-7 inside the logarithm; the fused softmax_cross_entropy computes exactly that.
    exact = F.softmax_cross_entropy(net.predict(x), t.argmax(keepdims=True))
    print(f"without the 1e-7 (F.softmax_cross_entropy on the scores) = {exact.item()!r}")
    print()

    def f(w):
        return net.loss(x, t)

    dw_numerical = mg.numerical_gradient(f, net.W)
    dw_autodiff = net.gradient(x, t)
    print(f"dW (numerical_gradient) =\n{dw_numerical}")
    print(f"dW (autodiff) =\n{dw_autodiff}")
    print(f"max |numerical - autodiff| = {np.abs(dw_numerical - dw_autodiff).max():.3e}")
    (dw_exact,) = mg.grad(exact, [net.W])
    print(f"dW without the 1e-7 (autodiff; the book's printed dW) =\n{dw_exact.data}")
    print()
    print("dW[1, 2] < 0: increasing W[1, 2] lowers the loss (it feeds the true class);")
    print("dW[0, 0] > 0: increasing W[0, 0] raises it.")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
