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
    return (f"unknown BLAS (threadpoolctl not installed); env {env or 'unset'}; "
            f"{os.cpu_count()} CPUs")


def interleaved(fns: dict[str, Callable[[], object]], repeats: int) -> dict[str, float]:
    """Time each function ``repeats`` times, alternating between them; return medians (s)."""
    samples: dict[str, list[float]] = {k: [] for k in fns}
    for _ in range(repeats):
        for name, fn in fns.items():
            t0 = time.perf_counter()
            fn()
            samples[name].append(time.perf_counter() - t0)
    return {k: statistics.median(v) for k, v in samples.items()}
