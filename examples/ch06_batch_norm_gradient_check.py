"""Gradient check of MultiLayerNetExtend with BatchNorm (the book's batch_norm_gradient_check.py).

Item 6.15: ``MultiLayerNetExtend(784, [100, 100], 10, use_batchnorm=True)``.
First the book's check on the first training image only, a degenerate case: with
one sample BatchNorm outputs exactly 0, so most gradients are 0, and ``beta2``
sits on the ReLU kink where backprop uses derivative 0 and a central difference
sees 0.5 (the book's run printed 0.0563 for beta2). Then the meaningful check on
a batch of 3 images, where every difference is tiny. Prints ``key:diff``.

    python examples/ch06_batch_norm_gradient_check.py [--data-dir DIR] [--quick]
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
import _book  # noqa: E402

from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend  # noqa: E402


def check(network, x_batch, t_batch) -> dict:
    grad_backprop = network.gradient(x_batch, t_batch)
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    diffs = {}
    for key in grad_numerical.keys():
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        diffs[key] = diff
        print(key + ":" + str(diff))
    return diffs


def main(argv=None) -> int:
    args = _book.parser(__doc__).parse_args(argv)
    (x_train, t_train), _ = _book.mnist(args, one_hot_label=True, dtype=np.float64)
    hidden = [10, 10] if args.quick else [100, 100]
    np.random.seed(args.seed)
    network = MultiLayerNetExtend(input_size=784, hidden_size_list=hidden, output_size=10,
                                  use_batchnorm=True)
    print("== batch of one image (the book's script) ==")
    check(network, x_train[:1], t_train[:1])
    print("== batch of three images ==")
    diffs = check(network, x_train[:3], t_train[:3])
    print(f"largest mean difference with 3 images: {max(diffs.values()):.3e}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
