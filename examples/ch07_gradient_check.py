"""Item 7.7 (``ch07/gradient_check.py``): SimpleConvNet's backprop against numerical gradients.

A SimpleConvNet on a (1, 10, 10) input (10 filters of 3x3, hidden 10, output 10,
weight_init_std 0.01), one uniform random image with label 1; prints
``key mean|numerical - backprop|`` for W1 ... b3 (book: all about 1e-6 or smaller).

    python examples/ch07_gradient_check.py [--seed N] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad.book.simple_convnet import SimpleConvNet  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--seed", type=int, default=0, help="seed of np.random")
    p.add_argument("--quick", action="store_true", help="accepted for uniformity (already quick)")
    p.add_argument("--out", type=Path, default=None,
                   help="also draw the graph of the loss to <out>/simple_convnet_loss.svg")
    args = p.parse_args(argv)
    np.random.seed(args.seed)
    network = SimpleConvNet(input_dim=(1, 10, 10),
                            conv_param={"filter_num": 10, "filter_size": 3, "pad": 0,
                                        "stride": 1},
                            hidden_size=10, output_size=10, weight_init_std=0.01)
    X = np.random.rand(100).reshape((1, 1, 10, 10))
    T = np.array([1]).reshape((1, 1))
    grad_num = network.numerical_gradient(X, T)
    grad = network.gradient(X, T)
    worst = 0.0
    for key, val in grad_num.items():
        diff = float(np.abs(grad[key] - val).mean())
        worst = max(worst, diff)
        print(key, diff)
    print(f"largest mean difference: {worst:.3e} ({'OK' if worst < 1e-5 else 'TOO LARGE'})")
    if args.out is not None:
        from minigrad.viz import dot_available, draw_graph
        if dot_available():
            path = draw_graph(network.loss_tensor(X, T), path=args.out / "simple_convnet_loss.svg")
            print(f"wrote {path}")
        else:
            print("graph not drawn: Graphviz's dot is not installed")
    return 0 if worst < 1e-5 else 1


if __name__ == "__main__":
    sys.exit(main())
