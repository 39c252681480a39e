"""Creation: ranges, constant and random tensors, ``*_like`` and ``meshgrid``.

dtypes follow NumPy (``arange(3)`` is int64, ``full((2,), 1.0)`` float64);
random tensors are float64 and drawn from ``rng`` (None: NumPy's global
state, as the book's ``np.random``; an int seeds a new Generator; a
Generator or RandomState is used and advanced).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._rng import make_rng
from minigrad.autograd import OpError
from minigrad.ops.catalogue import op
from minigrad.ops.shape import broadcast_to, reshape
from minigrad.tensor import Tensor

__all__ = [
    "arange", "linspace", "eye", "full", "zeros_like", "ones_like", "full_like", "empty",
    "rand", "randint", "normal", "uniform", "meshgrid",
]


def _shape(shape: Sequence[Any], where: str) -> tuple[int, ...]:
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    out = []
    for n in shape:
        if isinstance(n, bool) or not isinstance(n, (int, np.integer)) or n < 0:
            raise OpError(f"{where}: the shape must be non-negative ints, got {tuple(shape)}")
        out.append(int(n))
    return tuple(out)


def _new(data: np.ndarray, requires_grad: bool) -> Tensor:
    return Tensor(data, requires_grad=requires_grad)


@op("arange", torch="arange")
def arange(start: float, stop: float | None = None, step: float = 1, *, dtype: Any = None,
           requires_grad: bool = False) -> Tensor:
    """Evenly spaced values in ``[start, stop)`` (NumPy's ``arange``: ints give int64)."""
    if step == 0:
        raise OpError("arange: step must not be zero")
    data = np.arange(start, stop, step, dtype=dtype) if stop is not None else np.arange(
        start, dtype=dtype)
    return _new(data, requires_grad)


@op("linspace", torch="linspace")
def linspace(start: float, stop: float, num: int = 50, *, endpoint: bool = True,
             dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """``num`` evenly spaced values from ``start`` to ``stop`` (float64 by default).

    Into an integer ``dtype`` the values are PyTorch's: ``start`` and ``stop`` are
    first cast to the dtype, the points between are computed in float64 from either
    end and rounded toward zero (NumPy instead rounds its float values down).
    """
    if num < 0:
        raise OpError(f"linspace: num must be non-negative, got {num}")
    if dtype is not None and np.dtype(dtype).kind in "iu":
        return _new(_int_linspace(start, stop, num, endpoint, np.dtype(dtype)), requires_grad)
    return _new(np.linspace(start, stop, num, endpoint=endpoint, dtype=dtype), requires_grad)


def _fused_multiply_add(a: np.ndarray, b: np.ndarray, c: float) -> np.ndarray:
    """``a * b + c`` rounded once, as a fused multiply-add (Dekker's exact product)."""
    p = a * b
    split = 134217729.0  # 2**27 + 1
    ta, tb = split * a, split * b
    ah, bh = ta - (ta - a), tb - (tb - b)
    al, bl = a - ah, b - bh
    e = ((ah * bh - p) + ah * bl + al * bh) + al * bl  # a * b == p + e exactly
    total = p + c
    bv = total - p
    t = (p - (total - bv)) + (c - bv)  # p + c == total + t exactly
    return total + (t + e)  # type: ignore[no-any-return]


def _int_linspace(start: float, stop: float, num: int, endpoint: bool,
                  dtype: np.dtype) -> np.ndarray:
    """PyTorch's integer ``linspace``: the ends cast first, the steps rounded toward zero.

    PyTorch computes ``start + step * i`` for the first half and ``stop - step * (n-1-i)``
    for the second in float64 with a fused multiply-add; so does this.
    """
    points = num if endpoint else num + 1
    first, last = float(np.trunc(start)), float(np.trunc(stop))
    if points <= 1:
        values = np.full(points, first)
    else:
        step = (last - first) / (points - 1)
        i = np.arange(points, dtype=np.float64)
        half = points // 2
        values = np.where(i < half, _fused_multiply_add(np.full(points, step), i, first),
                          _fused_multiply_add(np.full(points, -step), points - 1 - i, last))
    return np.trunc(values[:num]).astype(dtype)


@op("eye", torch="eye")
def eye(n: int, m: int | None = None, k: int = 0, *, dtype: Any = np.float64,
        requires_grad: bool = False) -> Tensor:
    """The ``n x m`` matrix with ones on diagonal ``k``."""
    if n < 0 or (m is not None and m < 0):
        raise OpError(f"eye: sizes must be non-negative, got n={n}, m={m}")
    return _new(np.eye(n, m, k, dtype=dtype), requires_grad)


@op("full", torch="full")
def full(shape: int | Sequence[int], fill_value: Any, *, dtype: Any = None,
         requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` filled with ``fill_value`` (dtype from the value, as NumPy)."""
    shp = _shape((shape,) if isinstance(shape, (int, np.integer)) else (tuple(shape),), "full")
    value = fill_value.data if isinstance(fill_value, Tensor) else fill_value
    return _new(np.full(shp, value, dtype=dtype), requires_grad)


def _like(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


@op("zeros_like", torch="zeros_like")
def zeros_like(x: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Zeros of ``x``'s shape and dtype."""
    return _new(np.zeros_like(_like(x), dtype=dtype), requires_grad)


@op("ones_like", torch="ones_like")
def ones_like(x: Any, *, dtype: Any = None, requires_grad: bool = False) -> Tensor:
    """Ones of ``x``'s shape and dtype."""
    return _new(np.ones_like(_like(x), dtype=dtype), requires_grad)


@op("full_like", torch="full_like")
def full_like(x: Any, fill_value: Any, *, dtype: Any = None,
              requires_grad: bool = False) -> Tensor:
    """``fill_value`` in ``x``'s shape and dtype."""
    return _new(np.full_like(_like(x), fill_value, dtype=dtype), requires_grad)


@op("empty", torch="empty")
def empty(*shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of ``shape`` whose values are not set (zeros here, for reproducibility)."""
    return _new(np.zeros(_shape(shape, "empty"), dtype=dtype), requires_grad)


@op(torch="rand")
def rand(*shape: Any, rng: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in ``[0, 1)`` (float64)."""
    shp = _shape(shape, "rand")
    gen = make_rng(rng)
    data = gen.random(shp) if hasattr(gen, "random") else gen.random_sample(shp)
    return _new(np.asarray(data, dtype=np.float64), requires_grad)


@op(torch="randint")
def randint(low: int, high: int | None = None, size: int | Sequence[int] = (), *,
            rng: Any = None, dtype: Any = np.int64) -> Tensor:
    """Random ints in ``[low, high)`` (``[0, low)`` when ``high`` is None), int64."""
    if high is None:
        low, high = 0, low
    if high <= low:
        raise OpError(f"randint: need low < high, got low={low}, high={high}")
    shp = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), "randint")
    gen = make_rng(rng)
    if isinstance(gen, np.random.Generator):
        data = gen.integers(low, high, shp)
    else:
        data = gen.randint(low, high, shp)
    return Tensor(np.asarray(data, dtype=dtype))


@op(torch="normal")
def normal(mean: float = 0.0, std: float = 1.0, size: int | Sequence[int] = (), *,
           rng: Any = None, requires_grad: bool = False) -> Tensor:
    """Normal samples with ``mean`` and standard deviation ``std`` (float64)."""
    if std < 0:
        raise OpError(f"normal: std must be >= 0, got {std}")
    shp = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), "normal")
    return _new(np.asarray(make_rng(rng).normal(mean, std, shp), dtype=np.float64), requires_grad)


@op()
def uniform(low: float = 0.0, high: float = 1.0, size: int | Sequence[int] = (), *,
            rng: Any = None, requires_grad: bool = False) -> Tensor:
    """Uniform samples in ``[low, high)`` (float64)."""
    if high < low:
        raise OpError(f"uniform: need low <= high, got low={low}, high={high}")
    shp = _shape((size,) if isinstance(size, (int, np.integer)) else (tuple(size),), "uniform")
    return _new(np.asarray(make_rng(rng).uniform(low, high, shp), dtype=np.float64), requires_grad)


@op("meshgrid", torch="meshgrid")
def meshgrid(*xs: Any, indexing: str = "xy") -> list[Tensor]:
    """Coordinate grids from 1-D tensors (NumPy's default ``indexing="xy"``).

    PyTorch's default is ``indexing="ij"``. Differentiable: each grid is its
    input broadcast, so the gradient sums back.
    """
    if indexing not in ("xy", "ij"):
        raise OpError(f"meshgrid: indexing must be 'xy' or 'ij', got {indexing!r}")
    ts = [x if isinstance(x, Tensor) else Tensor(x) for x in xs]
    for t in ts:
        if t.ndim > 1:
            raise OpError(f"meshgrid: inputs must be 0-d or 1-D, got shape {t.shape}")
    ts = [reshape(t, (-1,)) for t in ts]
    sizes = [t.shape[0] for t in ts]
    n = len(ts)
    if indexing == "xy" and n >= 2:
        sizes[0], sizes[1] = sizes[1], sizes[0]
    out = []
    for i, t in enumerate(ts):
        pos = i
        if indexing == "xy" and n >= 2 and i < 2:
            pos = 1 - i
        shape = [1] * n
        shape[pos] = t.shape[0]
        out.append(broadcast_to(reshape(t, tuple(shape)), tuple(sizes)))
    return out
