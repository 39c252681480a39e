"""Second book, items 6.1-6.2: exploding and vanishing gradients, and gradient clipping.

Item 6.1 (``ch06/rnn_gradient_graph.py``): the gradient flowing back through T = 20
steps of an RNN is multiplied by ``Wh.T`` at every step (tanh left out). With
``np.random.seed(3)`` and ``Wh`` standard normal (3, 3) its norm explodes; with ``Wh``
scaled by 0.5 it vanishes. Here the backward pass is minigrad's: the 20 products are
recorded as a graph and each step's gradient is read from it.

Item 6.2 (``ch06/clip_grads.py``): ``clip_grads`` rescales every gradient by one global
norm.

    python examples/book2_ch06_gradients.py [--plot FILE] [--quick]

Book (its code): norms 2.468, 3.336, ..., 249.5 after 20 steps (scale 1); 1.234, 0.834,
..., 0.00024 (scale 0.5); clipping all-3 and all-4 gradients to norm 5 gives 1.49999985
and 1.9999998.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad.book2.util import clip_grads  # noqa: E402


def gradient_norms(scale: float, steps: int = 20) -> list[float]:
    """``||dh|| / N`` after each of ``steps`` steps back, ``Wh`` drawn after seed 3.

    Forward: h_t = h_{t-1} @ Wh (N = 2, H = 3). The gradient of sum(h_T) with respect to
    h_{T-k} is ones @ (Wh.T)^k, the book's dh after k steps.
    """
    N, H = 2, 3  # noqa: N806
    np.random.seed(3)
    Wh = mg.tensor(np.random.randn(H, H) * scale)  # noqa: N806
    hs = [mg.tensor(np.zeros((N, H)), requires_grad=True)]
    for _ in range(steps):
        hs.append(hs[-1] @ Wh)
    for h in hs:
        h.retain_grad()
    hs[-1].sum().backward()
    # step k back from the end is hs[steps - k]
    return [float(np.sqrt(np.sum(hs[steps - k].grad ** 2)) / N) for k in range(1, steps + 1)]


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--plot", type=Path, default=None, help="draw both curves into this PNG")
    p.add_argument("--quick", action="store_true", help="the same (the run is instant)")
    args = p.parse_args(argv)
    curves = {}
    for scale in (1.0, 0.5):
        norms = gradient_norms(scale)
        curves[scale] = norms
        print(f"Wh scale {scale}: " + " ".join(f"{v:.4g}" for v in norms))
    dW1, dW2 = np.full((2, 2), 3.0), np.full((2, 2), 4.0)  # noqa: N806
    clip_grads([dW1, dW2], 5.0)
    print(f"clip_grads to 5.0: {dW1[0, 0]:.8f} {dW2[0, 0]:.8f}")
    if args.plot is not None:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(5, 3.5))
        for scale, norms in curves.items():
            ax.plot(np.arange(1, len(norms) + 1), norms, label=f"Wh x {scale}")
        ax.set_yscale("log")
        ax.set_xticks([1, 5, 10, 15, 20])
        ax.set_xlabel("time step")
        ax.set_ylabel("norm")
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.plot)
        plt.close(fig)
        print(f"wrote {args.plot}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
