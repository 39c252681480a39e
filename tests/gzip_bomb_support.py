"""Gzip bombs and peak memory, for the tests of hostile IDX data and mirrors."""

from __future__ import annotations

import tracemalloc
import zlib

import numpy as np

from minigrad.datasets.idx import encode_idx

BOMB_MIB = 64


def bomb(header: bytes, mib: int = BOMB_MIB) -> bytes:
    """Gzip of ``header`` followed by ``mib`` MiB of zeros, built without holding them."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [c.compress(header)]
    zeros = bytes(1 << 20)
    for _ in range(mib):
        out.append(c.compress(zeros))
    out.append(c.flush())
    return b"".join(out)


LABELS_HEADER = encode_idx(np.zeros(10, dtype=np.uint8))  # declares 10 bytes of labels


def peak(fn) -> int:
    """The peak of memory traced by tracemalloc while ``fn()`` runs, in bytes."""
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak
