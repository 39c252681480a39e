"""Draw the computational graphs of the chapter with Graphviz.

Writes three pictures:

* ``expression.svg``: ``f(x0, x1) = x0**2 + x1**2`` at (3, 4), with values and gradients;
* ``simple_net_loss.svg``: the loss of ``simpleNet`` (x = [0.6, 0.9], t = [0, 0, 1]);
* ``two_layer_net_loss.svg``: the loss of a 784-50-10 ``TwoLayerNet`` on a small
  random batch, with the gradient norms of its parameters.

Gradients are drawn after ``backward(retain_graph=True)``: a plain ``backward()``
frees the graph as it goes, and the picture would stop at the loss.

Needs Graphviz's ``dot`` program (``apt-get install graphviz``, ``brew install
graphviz`` or ``conda install graphviz``).

    python examples/render_graphs.py [--out DIR] [--format svg|png|pdf]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad import viz  # noqa: E402
from minigrad.models import SimpleNet, TwoLayerNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def expression_graph():
    """f(x0, x1) = x0**2 + x1**2 at (3, 4), the chapter's function_2."""
    x0 = mg.tensor(3.0, requires_grad=True, name="x0")
    x1 = mg.tensor(4.0, requires_grad=True, name="x1")
    y = x0**2 + x1**2
    y.backward(retain_graph=True)
    return y


def simple_net_loss(seed=0):
    """The loss of the chapter's simpleNet on x = [0.6, 0.9], t = [0, 0, 1]."""
    net = SimpleNet(seed=seed)
    x = mg.Tensor([0.6, 0.9], name="x")
    t = mg.Tensor([0.0, 0.0, 1.0], name="t")
    loss = net.loss(x, t)
    loss.backward(retain_graph=True)
    return loss


def two_layer_net_loss(batch_size=3, seed=0):
    """The loss of a 784-50-10 TwoLayerNet on a random batch (stands in for MNIST)."""
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, seed=seed)
    x = mg.Tensor(rng.random((batch_size, 784)), name="x")
    t = mg.Tensor(rng.integers(0, 10, size=batch_size), name="t")
    loss = net.loss(x, t)
    loss.backward(retain_graph=True)
    return loss


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help=f"directory for the pictures (default: {DEFAULT_OUT})")
    parser.add_argument("--format", choices=viz.FORMATS, default="svg",
                        help="picture format (default: svg)")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)

    pictures = [
        ("expression", expression_graph(), {"show_values": True, "show_grads": True}),
        ("simple_net_loss", simple_net_loss(), {"show_grads": True}),
        ("two_layer_net_loss", two_layer_net_loss(), {"show_grads": True}),
    ]
    for name, output, options in pictures:
        try:
            path = viz.draw_graph(output, path=args.out / f"{name}.{args.format}", **options)
        except viz.GraphvizNotFoundError as e:
            print(e, file=sys.stderr)
            return 1
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
