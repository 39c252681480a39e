"""Shared helpers for the benchmark scripts: BLAS thread count and interleaved timing."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable


def blas_threads() -> str:
    """Describe the BLAS library and its thread count (every figure is reported with it)."""
    try:
        from threadpoolctl import threadpool_info

        infos = [i for i in threadpool_info() if i.get("user_api") == "blas"]
        if infos:
            return ", ".join(f"{i['internal_api']} {i['num_threads']} thread(s)" for i in infos)
    except ImportError:
        pass
    env = {k: os.environ[k] for k in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS",
                                      "MKL_NUM_THREADS") if k in os.environ}
    return (f"{_numpy_blas()} (threadpoolctl not installed: thread count not read back); "
            f"env {env or 'unset'}; {os.cpu_count()} CPUs")


def _numpy_blas() -> str:
    """The BLAS NumPy was built with, from its build configuration."""
    try:
        import numpy as np

        blas = np.show_config(mode="dicts")["Build Dependencies"]["blas"]
        return f"{blas.get('name', 'unknown BLAS')} {blas.get('version', '')}".strip()
    except Exception:  # noqa: BLE001 - an older NumPy has no dict form
        return "unknown BLAS"


def interleaved_samples(fns: dict[str, Callable[[], object]],
                        repeats: int) -> dict[str, list[float]]:
    """Time each function ``repeats`` times, alternating between them; return every time (s).

    Round ``i`` of every function is ``samples[name][i]``, so per-round ratios can be taken.
    """
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return samples


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Time each function ``repeats`` times, alternating between them; return medians (s)."""
    return {k: statistics.median(v) for k, v in interleaved_samples(fns, repeats).items()}
