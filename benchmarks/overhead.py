"""Per-op overhead of the engine: a long chain of tiny ops, forward + backward.

Builds ``y = y * 1.0001`` N times on a 1-element array, then backpropagates, and
compares the time per op with the same arithmetic in bare NumPy (a forward
multiply and a backward multiply per op), run in the same process, interleaved.

    python benchmarks/overhead.py              # 10,000-op chain, ratio to NumPy
    python benchmarks/overhead.py --long       # also a 1,000,000-op chain
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import blas_threads, interleaved  # noqa: E402

import minigrad as mg  # noqa: E402


def minigrad_chain(n: int) -> float:
    x = mg.Tensor(np.array([1.0]), requires_grad=True)
    y = x
    for _ in range(n):
        y = y * 1.0001
    y.backward(np.ones(1))
    return float(x.grad.data[0])


def numpy_chain(n: int) -> float:
    """The same arithmetic by hand: n forward multiplies, n backward multiplies."""
    x = np.array([1.0])
    c = np.array(1.0001)
    y = x
    for _ in range(n):
        y = y * c
    g = np.ones(1)
    for _ in range(n):
        g = g * c
    return float(g[0])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="chain length (default 10000)")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved repeats")
    parser.add_argument("--long", action="store_true", help="also time a 1,000,000-op chain")
    args = parser.parse_args()

    n = args.ops
    assert abs(minigrad_chain(100) - numpy_chain(100)) < 1e-12
    gc.collect()
    med = interleaved({"minigrad": lambda: minigrad_chain(n), "numpy": lambda: numpy_chain(n)},
                      args.repeats)
    per_mg = med["minigrad"] / n * 1e6
    per_np = med["numpy"] / n * 1e6
    print(f"BLAS: {blas_threads()}")
    print(f"chain of {n:,} ops, forward+backward, median of {args.repeats} interleaved runs")
    print(f"  bare NumPy : {per_np:7.2f} us per op")
    print(f"  minigrad   : {per_mg:7.2f} us per op")
    print(f"  ratio      : {per_mg / per_np:7.1f}x")
    if args.long:
        t0 = time.perf_counter()
        g = minigrad_chain(1_000_000)
        dt = time.perf_counter() - t0
        print(f"1,000,000-op chain forward+backward: {dt:.2f} s (gradient {g:.6g})")


if __name__ == "__main__":
    main()
