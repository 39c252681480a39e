"""Per-op overhead of the engine: a long chain of tiny ops, forward + backward.

Builds ``y = y * 1.0001`` N times on a 1-element array, then backpropagates, and
compares the time per op with the same arithmetic in bare NumPy (a forward
multiply and a backward multiply per op), run in the same process, interleaved.

    python benchmarks/overhead.py              # 10,000-op chain, ratio to NumPy
    python benchmarks/overhead.py --long       # also a 1,000,000-op chain
    python benchmarks/overhead.py --anchors    # also DeZero, micrograd and PyTorch, if installed
    python benchmarks/overhead.py --heap 500000   # with 500,000 long-lived objects alive

The anchors are optional (``pip install dezero micrograd torch``); each runs the same chain
in the same process, interleaved with the others, after one untimed round of every chain.

Python's cycle collector is part of the cost of a pure-Python graph: its full
collections scan every container object alive in the process (an imported PyTorch
alone holds about 150,000), and they come more often the more long-lived objects a
graph makes. They land in some runs and not in others, so the median of the runs can
miss them; the mean counts them. Both are printed, with the collector's share of each
chain's time and its full collections per run. ``--heap N`` keeps N more container
objects alive during the timing, as a long-running program's data would be.
"""

from __future__ import annotations

import argparse
import gc
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import blas_threads  # noqa: E402

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


class _Collector:
    """Time spent in Python's cycle collector, by generation, while it is switched on."""

    def __init__(self) -> None:
        self.seconds = 0.0
        self.counts = [0, 0, 0]
        self._t0 = 0.0
        gc.callbacks.append(self)

    def __call__(self, phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            self._t0 = time.perf_counter()
        else:
            self.seconds += time.perf_counter() - self._t0
            self.counts[info["generation"]] += 1

    def close(self) -> None:
        gc.callbacks.remove(self)


def timed(chains: dict[str, Callable[[], object]], repeats: int
          ) -> dict[str, tuple[list[float], float, int]]:
    """Run each chain ``repeats`` times, alternating; per chain: times (s), time in the
    cycle collector (s, all runs together) and its full collections (all runs)."""
    out: dict[str, tuple[list[float], float, int]] = {k: ([], 0.0, 0) for k in chains}
    collector = _Collector()
    try:
        for _ in range(repeats):
            for name, fn in chains.items():
                collector.seconds, collector.counts = 0.0, [0, 0, 0]
                t0 = time.perf_counter()
                fn()
                dt = time.perf_counter() - t0
                times, in_gc, full = out[name]
                times.append(dt)
                out[name] = (times, in_gc + collector.seconds, full + collector.counts[2])
    finally:
        collector.close()
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--ops", type=int, default=10_000, help="chain length (default 10000)")
    parser.add_argument("--repeats", type=int, default=15, help="interleaved repeats")
    parser.add_argument("--long", action="store_true", help="also time a 1,000,000-op chain")
    parser.add_argument("--anchors", action="store_true",
                        help="also time DeZero, micrograd and PyTorch where installed")
    parser.add_argument("--heap", type=int, default=0, metavar="N",
                        help="keep N more long-lived container objects alive while timing")
    args = parser.parse_args()

    n = args.ops
    assert abs(minigrad_chain(100) - numpy_chain(100)) < 1e-12
    chains: dict[str, Callable[[int], float]] = {"bare NumPy": numpy_chain,
                                                 "minigrad": minigrad_chain}
    if args.anchors:
        sys.setrecursionlimit(max(sys.getrecursionlimit(), 4 * n + 1000))
        chains.update(anchors())
    heap = [[i] for i in range(args.heap)]  # a long-running program's data
    for f in chains.values():  # one untimed round: first calls set things up
        f(n)
    gc.collect()
    tracked = len(gc.get_objects())
    runs = timed({k: (lambda f=f: f(n)) for k, f in chains.items()}, args.repeats)
    med = {k: statistics.median(v[0]) for k, v in runs.items()}
    mean = {k: statistics.fmean(v[0]) for k, v in runs.items()}
    base = med["bare NumPy"]
    print(f"BLAS: {blas_threads()}")
    print(f"Python {sys.version.split()[0]}, {tracked:,} container objects "
          f"tracked by the cycle collector ({len(heap):,} of them added by --heap)")
    print(f"chain of {n:,} ops (y = y * 1.0001 on a 1-element array), forward+backward, "
          f"{args.repeats} interleaved runs")
    print(f"  {'':<22}{'median':>8}{'mean':>9}  us per op   ratio to NumPy   "
          f"cycle collector: share of time, full collections per run")
    for name, (times, in_gc, full) in runs.items():
        print(f"  {name:<22}{med[name] / n * 1e6:8.2f}{mean[name] / n * 1e6:9.2f}"
              f"{'':13}{med[name] / base:6.1f}x"
              f"{'':20}{in_gc / sum(times):6.1%}   {full / len(times):4.2f}")
    for name in runs:
        if name.startswith("PyTorch"):
            print(f"minigrad / {name}: median {med['minigrad'] / med[name]:.2f}x, "
                  f"mean {mean['minigrad'] / mean[name]:.2f}x")
    if args.long:
        for name, f in chains.items():
            if name == "micrograd" or name == "bare NumPy":
                continue  # micrograd's recursive sort cannot take a million nodes
            gc.collect()
            t0 = time.perf_counter()
            f(1_000_000)
            print(f"1,000,000-op chain, {name}: {time.perf_counter() - t0:.2f} s")
    del heap


if __name__ == "__main__":
    main()
