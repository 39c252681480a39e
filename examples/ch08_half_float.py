"""Item 8.4 (``half_float_network.py``): DeepConvNet with 16-bit floats, two experiments.

1. The book's experiment: weights and test images **rounded** to float16 and stored back
   in float64, so the arithmetic stays float64 (what the book's code measures).
2. True float16 arithmetic: parameters and images cast to float16 and every op computed in
   float16 by minigrad (NumPy's float16 matmul does not use BLAS, so this runs on
   ``--f16-size`` images, 1,000 by default).

The two are reported separately against the float64 accuracy on the same images.

    python examples/ch08_half_float.py [--params FILE] [--quick]
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _convnets import mnist_images  # noqa: E402
from ch08_misclassified import DEFAULT_OUT, trained_deepnet  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.book.deep_convnet import DeepConvNet  # noqa: E402


def accuracy(network: DeepConvNet, x: np.ndarray, t: np.ndarray) -> float:
    with mg.no_grad():
        return network.accuracy(x, t)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--params", type=Path, default=DEFAULT_OUT / "deep_convnet_params.npz")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--test-size", type=int, default=None, help="10000 (200 with --quick)")
    p.add_argument("--f16-size", type=int, default=None, help="1000 (100 with --quick)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    network = trained_deepnet(args.params, args.data_dir, args.out, args.quick, args.seed)
    n = args.test_size if args.test_size is not None else (200 if args.quick else 10000)
    n16 = args.f16_size if args.f16_size is not None else (100 if args.quick else 1000)
    _, _, x_test, t_test = mnist_images(args.data_dir, 1, max(n, n16))
    x, t = x_test[:n], t_test[:n]
    saved = {k: v.data.copy() for k, v in network.params.items()}

    print("caluculate accuracy (float64) ... ")
    acc64 = accuracy(network, x, t)
    print(acc64)

    # 1. the book's experiment: values rounded to float16, arithmetic in float64
    for k, v in network.params.items():
        mg.nn.assign_(v, saved[k].astype(np.float16).astype(np.float64))
    x_rounded = x.astype(np.float16).astype(np.float64)
    print("caluculate accuracy (float16) ... ")
    acc_rounded = accuracy(network, x_rounded, t)
    print(acc_rounded)
    print(f"book's experiment (float16-rounded weights and inputs, float64 arithmetic): "
          f"{acc_rounded:.4f} vs float64 {acc64:.4f} (difference {acc_rounded - acc64:+.4f})")

    # 2. true float16 arithmetic, on the first n16 images
    half = DeepConvNet(seed=0)
    for k, v in half.params.items():
        v.data = saved[k].astype(np.float16)
    for k, v in network.params.items():
        mg.nn.assign_(v, saved[k])
    ref64 = accuracy(network, x_test[:n16], t_test[:n16])
    start = time.perf_counter()
    acc16 = accuracy(half, x_test[:n16].astype(np.float16), t_test[:n16])
    dtype = half.predict(x_test[:2].astype(np.float16)).dtype
    print(f"true float16 arithmetic (output dtype {dtype}) on {n16} images: {acc16:.4f} vs "
          f"float64 {ref64:.4f} (difference {acc16 - ref64:+.4f}; "
          f"{time.perf_counter() - start:.1f} s)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
