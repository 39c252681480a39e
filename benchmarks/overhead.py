"""Per-op overhead of the engine: a long chain of tiny ops, forward + backward.

Builds ``y = y * 1.0001`` N times on a 1-element array, then backpropagates, and
compares the time per op with the same arithmetic in bare NumPy (a forward
multiply and a backward multiply per op), run in the same process, interleaved.

    python benchmarks/overhead.py              # 10,000-op chain, ratio to NumPy
    python benchmarks/overhead.py --long       # also a 1,000,000-op chain
    python benchmarks/overhead.py --anchors    # also DeZero, micrograd and PyTorch, if installed

The anchors are optional (``pip install dezero micrograd torch``); each runs the same chain
in the same process, interleaved with the others.
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
from collections.abc import Callable
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


def anchors() -> dict[str, Callable[[int], float]]:
    """The same chain in the other frameworks that are installed."""
    found: dict[str, Callable[[int], float]] = {}
    try:
        if not hasattr(np, "int"):
            np.int = int  # type: ignore[attr-defined]  # DeZero 0.0.13 predates NumPy 1.24
        import dezero

        def dezero_chain(n: int) -> float:
            x = dezero.Variable(np.array([1.0]))
            y = x
            for _ in range(n):
                y = y * 1.0001
            y.backward()
            return float(x.grad.data[0])

        found["DeZero"] = dezero_chain
    except ImportError:
        pass
    try:
        from micrograd.engine import Value

        def micrograd_chain(n: int) -> float:
            x = Value(1.0)
            y = x
            for _ in range(n):
                y = y * 1.0001
            y.backward()  # recursive topological sort: needs a high recursion limit
            return float(x.grad)

        found["micrograd"] = micrograd_chain
    except ImportError:
        pass
    try:
        import torch

        torch.set_num_threads(1)

        def torch_chain(n: int) -> float:
            x = torch.tensor([1.0], dtype=torch.float64, requires_grad=True)
            y = x
            for _ in range(n):
                y = y * 1.0001
            y.backward(torch.ones(1, dtype=torch.float64))
            return float(x.grad[0])

        found[f"PyTorch {torch.__version__}"] = torch_chain
    except ImportError:
        pass
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="chain length (default 10000)")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved repeats")
    parser.add_argument("--long", action="store_true", help="also time a 1,000,000-op chain")
    parser.add_argument("--anchors", action="store_true",
                        help="also time DeZero, micrograd and PyTorch where installed")
    args = parser.parse_args()

    n = args.ops
    assert abs(minigrad_chain(100) - numpy_chain(100)) < 1e-12
    chains: dict[str, Callable[[int], float]] = {"bare NumPy": numpy_chain,
                                                 "minigrad": minigrad_chain}
    if args.anchors:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * n + 1000))
        chains.update(anchors())
    gc.collect()
    med = interleaved({k: (lambda f=f: f(n)) for k, f in chains.items()}, args.repeats)
    base = med["bare NumPy"]
    print(f"BLAS: {blas_threads()}")
    print(f"chain of {n:,} ops (y = y * 1.0001 on a 1-element array), forward+backward, "
          f"median of {args.repeats} interleaved runs")
    for name, t in med.items():
        print(f"  {name:<22}{t / n * 1e6:8.2f} us per op   ratio to NumPy {t / base:6.1f}x")
    if args.long:
        for name, f in chains.items():
            if name == "micrograd" or name == "bare NumPy":
                continue  # micrograd's recursive sort cannot take a million nodes
            gc.collect()
            t0 = time.perf_counter()
            f(1_000_000)
            print(f"1,000,000-op chain, {name}: {time.perf_counter() - t0:.2f} s")


if __name__ == "__main__":
    main()
