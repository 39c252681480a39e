"""A model of your own: a small classifier on a synthetic three-arm spiral.

The data is :func:`minigrad.datasets.make_spiral` (also a dataset, ``Spiral``).

Nothing here comes from the book's layers: the model is three weight matrices applied
with ``mg.einsum``, ``F.leaky_relu`` between them, and ``F.cross_entropy`` (with label
smoothing) as the loss, trained with Adam on the whole set. The input features are the
point and a few fixed functions of it, put side by side (concatenated) per sample.

    python examples/spiral_classifier.py [--quick] [--epochs N] [--seed N] [--out DIR]

With ``--out`` the decision regions are drawn to ``DIR/spiral_decision.png``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402
from minigrad.datasets import make_spiral  # noqa: E402
from minigrad.optim import Adam  # noqa: E402


def features(points: np.ndarray) -> mg.Tensor:
    """The point, its radius and the sine of each coordinate, side by side (N, 5)."""
    p = mg.tensor(points)
    radius = (p * p).sum(axis=1, keepdims=True).sqrt()
    pieces = [p, radius, (p * 3.0).sin()]
    return mg.tensor(np.concatenate([piece.data for piece in pieces], axis=1))


class SpiralNet:
    """Three einsum layers with leaky ReLU between them; the weights are plain tensors."""

    def __init__(self, n_in: int = 5, hidden: int = 32, n_classes: int = 3,
                 seed: int = 0) -> None:
        rng = np.random.default_rng(seed)

        def weight(*shape: int) -> mg.Tensor:
            return mg.tensor(rng.standard_normal(shape) * np.sqrt(2.0 / shape[0]),
                             requires_grad=True)

        self.params = [weight(n_in, hidden), mg.zeros(hidden, requires_grad=True),
                       weight(hidden, hidden), mg.zeros(hidden, requires_grad=True),
                       weight(hidden, n_classes), mg.zeros(n_classes, requires_grad=True)]

    def logits(self, x: mg.Tensor, *params: mg.Tensor) -> mg.Tensor:
        """Scores of shape (N, classes); ``params`` replace the model's own when given."""
        w1, b1, w2, b2, w3, b3 = params or self.params
        h = F.leaky_relu(mg.einsum("nd,dh->nh", x, w1) + b1, 0.1)
        h = F.leaky_relu(mg.einsum("nd,dh->nh", h, w2) + b2, 0.1)
        return mg.einsum("nd,dc->nc", h, w3) + b3

    def loss(self, x: mg.Tensor, t: np.ndarray, *params: mg.Tensor) -> mg.Tensor:
        """Mean cross-entropy with a little label smoothing."""
        return F.cross_entropy(self.logits(x, *params), t, label_smoothing=0.05)


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=None,
                        help="directory for the figure (none is drawn without it)")
    parser.add_argument("--quick", action="store_true", help="a short run (60 epochs)")
    parser.add_argument("--epochs", type=int, default=None, help="epochs (default 600)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the data and weights")
    return parser.parse_args(argv)


def main(argv=None) -> int:
    args = parse_args(argv)
    epochs = args.epochs or (60 if args.quick else 600)
    points, labels = make_spiral(seed=args.seed)
    x = features(points)
    net = SpiralNet(seed=args.seed)
    opt = Adam(net.params, lr=0.02)
    print(f"spiral: {len(points)} points, 3 classes; {epochs} epochs of Adam on the full set")
    first = None
    for epoch in range(1, epochs + 1):
        loss = net.loss(x, labels)
        opt.zero_grad()
        loss.backward()
        opt.step()
        first = loss.item() if first is None else first
        if epoch == 1 or epoch % max(epochs // 6, 1) == 0 or epoch == epochs:
            with mg.no_grad():
                acc = F.accuracy(net.logits(x), labels)
            print(f"epoch {epoch:4d}  loss {loss.item():.4f}  accuracy {acc:.3f}")
    with mg.no_grad():
        final_loss = net.loss(x, labels).item()
        final_acc = F.accuracy(net.logits(x), labels)
    print(f"final: loss {final_loss:.4f} (from {first:.4f}), accuracy {final_acc:.3f}")
    if args.out is not None:
        path = draw(net, points, labels, args.out / "spiral_decision.png")
        print(f"wrote {path}")
    return 0


def draw(net: SpiralNet, points: np.ndarray, labels: np.ndarray, path: Path) -> Path:
    """Colour the plane by the predicted class and put the points on top."""
    from minigrad import plotting

    g = np.linspace(-1.2, 1.2, 150)
    gx, gy = np.meshgrid(g, g)
    grid = np.stack([gx.ravel(), gy.ravel()], axis=1)
    with mg.no_grad():
        pred = net.logits(features(grid)).data.argmax(axis=1).reshape(gx.shape)
    fig = plotting.new_figure((5.0, 5.0))
    ax = fig.add_subplot()
    ax.contourf(gx, gy, pred, levels=[-0.5, 0.5, 1.5, 2.5], alpha=0.3, cmap="brg")
    ax.scatter(points[:, 0], points[:, 1], c=labels, s=8, cmap="brg")
    ax.set_title("spiral classifier: decision regions")
    ax.set_aspect("equal")
    path.parent.mkdir(parents=True, exist_ok=True)
    return plotting.save_figure(fig, path)


if __name__ == "__main__":
    raise SystemExit(main())
