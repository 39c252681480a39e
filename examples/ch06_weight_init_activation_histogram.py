"""Section 6.2.2-6.2.3: activation histograms of a 5-layer network for several initial weights.

Item 6.11 (the book's ``weight_init_activation_histogram.py``): 1,000 samples of
100 standard-normal features through five 100-unit layers without biases,
``W = randn(100, 100) * scale``. Six configurations: sigmoid with scale 1
(figure 6-10), 0.01 (6-11) and Xavier ``sqrt(1/100)`` (6-13); ReLU with 0.01,
Xavier and He ``sqrt(2/100)`` (the three sets of figure 6-14). Each figure has
five histograms (30 bins over (0, 1)), titled ``1-layer`` ... ``5-layer``. Prints
the standard deviation of each layer's activations (and, for sigmoid with scale
1, the share of values below 0.1 and above 0.9).

    python examples/ch06_weight_init_activation_histogram.py [--out DIR] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

import minigrad.functional as F  # noqa: E402
from minigrad.autograd import no_grad  # noqa: E402

CONFIGS = [
    ("sigmoid", "1", 1.0, "fig6-10_sigmoid_std1.png"),
    ("sigmoid", "0.01", 0.01, "fig6-11_sigmoid_std0.01.png"),
    ("sigmoid", "Xavier", np.sqrt(1.0 / 100), "fig6-13_sigmoid_xavier.png"),
    ("relu", "0.01", 0.01, "fig6-14_relu_std0.01.png"),
    ("relu", "Xavier", np.sqrt(1.0 / 100), "fig6-14_relu_xavier.png"),
    ("relu", "He", np.sqrt(2.0 / 100), "fig6-14_relu_he.png"),
]


def activations(x, scale, activation, hidden_layer_size=5, node_num=100):
    """Each layer's activation for weights ``randn(node_num, node_num) * scale``."""
    act = {"sigmoid": F.sigmoid, "relu": F.relu, "tanh": F.tanh}[activation]
    result = {}
    with no_grad():
        for i in range(hidden_layer_size):
            if i != 0:
                x = result[i - 1]
            w = np.random.randn(node_num, node_num) * scale
            a = np.dot(x, w)
            result[i] = act(a).data
    return result


def main(argv=None) -> int:
    args = _book.parser(__doc__).parse_args(argv)
    np.random.seed(args.seed)
    n = 200 if args.quick else 1000
    input_data = np.random.randn(n, 100)
    for activation, label, scale, fname in CONFIGS:
        result = activations(input_data, scale, activation)
        stds = ", ".join(f"{result[i].std():.4g}" for i in range(5))
        print(f"{activation} {label}: std per layer {stds}")
        if activation == "sigmoid" and label == "1":
            a = np.concatenate([v.ravel() for v in result.values()])
            print(f"  below 0.1: {np.mean(a < 0.1):.2f}, above 0.9: {np.mean(a > 0.9):.2f}")
        if activation == "relu":
            a = np.concatenate([v.ravel() for v in result.values()])
            print(f"  share of exact zeros: {np.mean(a == 0):.2f}")
        fig = _book.figure((12, 3))
        for i, a in result.items():
            ax = fig.add_subplot(1, len(result), i + 1)
            ax.set_title(str(i + 1) + "-layer")
            if i != 0:
                ax.set_yticks([], [])
            ax.hist(a.flatten(), 30, range=(0, 1))
        fig.suptitle(f"{activation}, weight scale {label}")
        _book.save(fig, args.out / fname)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
