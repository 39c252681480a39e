"""Section 5.7.3: gradient check of chapter 5's TwoLayerNet (the book's ``gradient_check.py``).

Item 5.16: ``TwoLayerNet(784, 50, 10)`` (ReLU, layers in an ordered dict) on the
first 3 MNIST training images with one-hot labels; for each parameter prints the
mean of ``|backprop - numerical|`` as ``key:diff``. The loss is the book's, with
``1e-7`` inside the log, which backprop leaves out as the book's does, so with
float64 inputs (minigrad's default) the differences are those the book's code
gives: 1e-7 (``b2``) and below (the book's text printed 1e-13 to 1e-10). With
``--dtype float32`` (the book's loader) they stay below about 1e-4.

    python examples/ch05_gradient_check.py [--data-dir DIR] [--dtype float32] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad.book.two_layer_net import TwoLayerNet  # noqa: E402
from minigrad.datasets import load_mnist  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="MNIST directory (default: $MINIGRAD_DATA, then the user cache)")
    parser.add_argument("--dtype", choices=["float64", "float32"], default="float64",
                        help="dtype of the images (the book's loader gives float32)")
    parser.add_argument("--seed", type=int, default=0, help="seed of np.random")
    parser.add_argument("--out", type=Path, default=None, help="unused (no figure)")
    parser.add_argument("--quick", action="store_true", help="same run (it takes seconds)")
    args = parser.parse_args(argv)

    (x_train, t_train), _ = load_mnist(normalize=True, one_hot_label=True,
                                       data_dir=args.data_dir, dtype=args.dtype)
    np.random.seed(args.seed)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)

    x_batch = x_train[:3]
    t_batch = t_train[:3]

    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    grad_backprop = network.gradient(x_batch, t_batch)

    for key in grad_numerical.keys():
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        print(key + ":" + str(diff))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
