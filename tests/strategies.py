"""Hypothesis strategies shared by the core's tests.

Values are float64 and bounded, so that central differences are accurate;
helpers keep inputs away from the points where an op is not differentiable
(0 for relu/abs, ties for max/min, non-positive numbers for log/sqrt).
"""

from __future__ import annotations

import numpy as np
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

#: Settings of the gradient checks (each example runs 2 forwards per input element).
GRADCHECK = settings(max_examples=40, deadline=None)
#: Settings of the second-order checks (each forward is itself a backward).
GRADGRADCHECK = settings(max_examples=20, deadline=None)
#: Settings of cheap value tests.
VALUES = settings(max_examples=40, deadline=None)


def shapes(min_dims: int = 0, max_dims: int = 3, min_side: int = 1,
           max_side: int = 3) -> st.SearchStrategy[tuple[int, ...]]:
    """Array shapes (0-d included by default)."""
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def broadcastable_pairs(min_dims: int = 0, max_dims: int = 3,
                        max_side: int = 3) -> st.SearchStrategy[tuple[tuple[int, ...], ...]]:
    """Pairs of shapes that broadcast together (either side may broadcast, or both)."""
    return hnp.mutually_broadcastable_shapes(
        num_shapes=2, min_dims=min_dims, max_dims=max_dims, min_side=1, max_side=max_side,
    ).map(lambda bs: bs.input_shapes)


def float_arrays(shape: tuple[int, ...], low: float = -2.0,
                 high: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays of ``shape`` with values in [low, high]."""
    return hnp.arrays(np.float64, shape, elements=st.floats(
        low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False))


def away_from_zero(shape: tuple[int, ...], low: float = 0.2,
                   high: float = 2.0) -> st.SearchStrategy[np.ndarray]:
    """float64 arrays whose values have magnitude in [low, high], of either sign."""
    return st.tuples(
        float_arrays(shape, low, high),
        hnp.arrays(np.bool_, shape),
    ).map(lambda ms: np.where(ms[1], -ms[0], ms[0]))


@st.composite
def distinct_arrays(draw: st.DrawFn, shape: tuple[int, ...],
                    gap: float = 0.1) -> np.ndarray:
    """float64 arrays whose values are pairwise at least ``gap`` apart (no ties)."""
    size = int(np.prod(shape, dtype=np.int64))
    perm = draw(st.permutations(list(range(size))))
    offset = draw(st.floats(-1.0, 1.0))
    return (np.array(perm, dtype=np.float64) * gap + offset).reshape(shape)


@st.composite
def axes_keepdims(draw: st.DrawFn, ndim: int) -> tuple[int | tuple[int, ...] | None, bool]:
    """An ``axis`` argument for a reduction of an ``ndim``-D array, and ``keepdims``."""
    keepdims = draw(st.booleans())
    if ndim == 0:
        return None, keepdims
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None, keepdims
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1)), keepdims
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    # spell some axes negatively
    signed = tuple(a - ndim if draw(st.booleans()) else a for a in axes)
    return signed, keepdims


def index_arrays(size: int, min_len: int = 1, max_len: int = 6,
                 repeats: bool = False) -> st.SearchStrategy[np.ndarray]:
    """int64 index arrays into an axis of ``size``; with ``repeats`` some index occurs twice."""
    base = st.lists(st.integers(0, size - 1), min_size=min_len, max_size=max_len)
    if repeats:
        base = base.flatmap(lambda xs: st.permutations(xs + [xs[0]]))
    return base.map(lambda xs: np.array(xs, dtype=np.int64))
