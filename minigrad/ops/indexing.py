"""Indexing and selection: where, masked_fill, gather/scatter, sort, topk, one_hot, tril.

(Basic and advanced indexing, ``x[...]``, is :func:`minigrad.ops.shape.getitem`: a
basic slice is a view.)

Indices, masks and conditions are never differentiated (integer and bool
results have ``requires_grad`` False); the gradient flows to the values.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import Function, OpError, OpTypeError
from minigrad.ops.catalogue import op
from minigrad.ops.shape import (
    broadcast_to,
    check_reduced_axes_not_empty,
    getitem,
    normalize_axis,
    normalize_one_axis,
    pick_alias,
    reshape,
)
from minigrad.tensor import Tensor, _make, zeros

__all__ = [
    "where", "masked_fill", "gather", "take_along_axis", "scatter_add", "scatter",
    "scatter_reduce", "index_add", "masked_select", "nonzero", "argwhere",
    "sort", "argsort", "topk", "one_hot", "argmax", "argmin", "tril", "triu", "embedding",
]


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _mask(mask: Any, where: str) -> np.ndarray:
    m = _array(mask)
    if m.dtype != np.bool_:
        raise OpTypeError(f"{where}: the mask/condition must be a bool tensor, got dtype {m.dtype}")
    return m


def _broadcast_shape(where: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise OpError(f"{where}: shapes {', '.join(map(str, shapes))} cannot be broadcast "
                      "together") from None


class Where(Function):
    """``where(cond, a, b)``: ``a`` where ``cond`` holds, else ``b`` (cond is not an input)."""

    elementwise: ClassVar[bool] = True
    broadcasting: ClassVar[bool | tuple[int, ...]] = True

    def __init__(self, cond: np.ndarray) -> None:
        self.cond = cond

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.where(self.cond, a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        zero = np.zeros((), dtype=gy.dtype)
        ga = Where(self.cond)(gy, zero) if na else None
        gb = Where(self.cond)(zero, gy) if nb else None
        return ga, gb

    def attrs(self) -> dict[str, Any]:
        return {"cond": f"bool{self.cond.shape}"}


def _where_method(self: Tensor, condition: Any, other: Any) -> Tensor:
    """PyTorch's ``x.where(cond, y)``: ``x`` where ``cond`` holds, else ``y``."""
    return where(condition, self, other)


@op("where", torch="where", method=_where_method)
def where(condition: Any, a: Any, b: Any) -> Tensor:
    """``a`` where ``condition`` is True, else ``b``, with NumPy broadcasting.

    Differentiable in ``a`` and ``b`` (each gets the gradient where it was chosen).
    Two Python numbers give NumPy's dtype (``where(c, 1, 0)`` is int64, as ``np.where``);
    a number beside a tensor takes the tensor's dtype.
    """
    cond = _mask(condition, "where")
    if isinstance(a, (bool, int, float)) and isinstance(b, (bool, int, float)):
        a, b = np.asarray(a), np.asarray(b)
    sa, sb = np.shape(_array(a)), np.shape(_array(b))
    _broadcast_shape("where", cond.shape, sa, sb)
    return Where(cond)(a, b)


@op(torch="masked_fill", method=True)
def masked_fill(x: Tensor, mask: Any, value: Any) -> Tensor:
    """``x`` with ``value`` where ``mask`` is True (PyTorch's ``masked_fill``; not in place).

    ``mask`` must broadcast to ``x``'s shape; the result keeps ``x``'s shape and dtype.
    The gradient of ``x`` is zero where it was filled; a 0-d tensor ``value`` gets
    the sum of the gradient there.
    """
    m = _mask(mask, "masked_fill")
    if _broadcast_shape("masked_fill", x.shape, m.shape) != x.shape:
        raise OpError(f"masked_fill: mask of shape {m.shape} does not broadcast to the "
                      f"tensor's shape {x.shape}")
    v = value if isinstance(value, Tensor) else np.asarray(value, dtype=x.dtype)
    if np.ndim(_array(v)) != 0:
        raise OpError(f"masked_fill: value must be 0-d, got shape {np.shape(_array(v))}")
    return Where(m)(v, x)


# -- gather / scatter -------------------------------------------------------------------------

def _out_of_range(idx: np.ndarray, n: int) -> int | None:
    """Return an index of ``idx`` outside ``[0, n)``, or None when all are inside.

    The smallest when one is negative, else the largest.
    """
    if idx.size == 0:
        return None
    low, high = int(idx.min()), int(idx.max())
    if low < 0:
        return low
    return high if high >= n else None


def _index(index: Any, where: str) -> np.ndarray:
    idx = _array(index)
    if idx.dtype.kind not in "iu":
        raise OpTypeError(f"{where}: index must be an integer tensor, got dtype {idx.dtype}")
    return idx


def _full_index(idx: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """Turn ``index`` along ``axis`` into a NumPy fancy index of idx's shape."""
    grid: list[np.ndarray] = list(np.indices(idx.shape, sparse=True))
    grid[axis] = idx
    return tuple(grid)


def _check_gather(x_shape: tuple[int, ...], idx: np.ndarray, axis: int, where: str) -> None:
    if idx.ndim != len(x_shape):
        raise OpError(f"{where}: index of shape {idx.shape} must have as many dimensions as "
                      f"the tensor of shape {x_shape}")
    for d, (i, n) in enumerate(zip(idx.shape, x_shape)):
        if d != axis and i > n:
            raise OpError(f"{where}: index of shape {idx.shape} is larger than the tensor's "
                          f"shape {x_shape} outside axis {axis}")
    n = x_shape[axis]
    if idx.size and (idx.min() < -n or idx.max() >= n):
        raise IndexError(f"{where}: index values must lie in [{-n}, {n}) for axis {axis} of "
                         f"shape {x_shape}, got [{idx.min()}, {idx.max()}]")


class Gather(Function):
    """``out[i][j] = x[index[i][j]][j]`` along ``axis`` (PyTorch's ``gather``)."""

    def __init__(self, axis: int, index: np.ndarray) -> None:
        self.axis = axis
        self.index = index

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x[_full_index(self.index, self.axis)]

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return ScatterAdd(self.axis, self.index)(zeros(x.shape, dtype=gy.dtype), gy)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis, "index": f"int{self.index.shape}"}


class ScatterAdd(Function):
    """``out = x; out[index[i][j]][j] += src[i][j]`` along ``axis`` (repeats accumulate)."""

    def __init__(self, axis: int, index: np.ndarray) -> None:
        self.axis = axis
        self.index = index

    def forward(self, x: np.ndarray, src: np.ndarray) -> np.ndarray:
        out = x.astype(np.result_type(x, src), copy=True)
        np.add.at(out, _full_index(self.index, self.axis), src)
        return out

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        nx, ns = self.needs_input_grad
        return (gy if nx else None, Gather(self.axis, self.index)(gy) if ns else None)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis, "index": f"int{self.index.shape}"}


@op(torch="gather", method=True)
def gather(x: Tensor, axis: int | None = None, index: Any = None, *,
           dim: int | None = None) -> Tensor:
    """Pick ``x`` values along ``axis`` at ``index`` (PyTorch's ``gather(input, dim, index)``).

    ``index`` has ``x``'s number of dimensions and may be smaller than ``x`` on the
    other axes. Backward scatter-adds the gradient (repeated indices accumulate).
    The axis may be given as ``dim``, and both by keyword (``x.gather(dim=1, index=i)``).
    """
    axis = _required(axis, dim, index, "gather")
    if not isinstance(x, Tensor):
        x = Tensor(x)
    idx = _index(index, "gather")
    ax = normalize_one_axis(axis, max(x.ndim, 1), "gather")
    if x.ndim == 0:
        x = reshape(x, (1,))
        idx = idx.reshape(-1) if idx.ndim == 0 else idx
        _check_gather(x.shape, idx, ax, "gather")
        return reshape(Gather(ax, idx)(x), _array(index).shape)
    _check_gather(x.shape, idx, ax, "gather")
    return Gather(ax, idx)(x)


@op("take_along_axis", torch="take_along_dim", method=True)
def take_along_axis(x: Tensor, indices: Any, axis: int) -> Tensor:
    """NumPy's ``take_along_axis``: ``indices`` broadcast against ``x`` outside ``axis``."""
    idx = _index(indices, "take_along_axis")
    ax = normalize_one_axis(axis, x.ndim, "take_along_axis")
    if idx.ndim != x.ndim:
        raise OpError(f"take_along_axis: indices of shape {idx.shape} must have as many "
                      f"dimensions as the tensor of shape {x.shape}")
    shape = list(_broadcast_shape("take_along_axis",
                                  x.shape[:ax] + (1,) + x.shape[ax + 1:],
                                  idx.shape[:ax] + (1,) + idx.shape[ax + 1:]))
    xb = broadcast_to(x, tuple(shape[:ax] + [x.shape[ax]] + shape[ax + 1:]))
    idx = np.broadcast_to(idx, tuple(shape[:ax] + [idx.shape[ax]] + shape[ax + 1:]))
    return gather(xb, ax, idx)


@op(torch="scatter_add", method=True)
def scatter_add(x: Tensor, axis: int | None = None, index: Any = None, src: Any = None, *,
                dim: int | None = None) -> Tensor:
    """``x`` with ``src`` added at ``index`` along ``axis`` (``scatter_add``, not in place).

    ``src`` may be larger than ``index`` on any axis, as in PyTorch: only its leading
    block of ``index``'s shape is used (the rest gets a zero gradient).
    Differentiable in ``x`` and ``src``. The axis may be given as ``dim``.
    """
    axis = _required(axis, dim, index, "scatter_add", src=src)
    x, idx, ax, src_t, shape = _scatter_args(x, axis, index, src, "scatter_add")
    return _scatter_result(ScatterAdd(ax, idx)(x, src_t), shape)


@op(torch="index_add", method=True)
def index_add(x: Tensor, axis: int, index: Any, source: Any, *, alpha: float = 1.0,
              dim: int | None = None) -> Tensor:
    """``x`` with slice ``source[i]`` added at ``x[index[i]]`` along ``axis`` (not in place)."""
    if dim is not None:
        axis = dim
    idx = _index(index, "index_add")
    ax = normalize_one_axis(axis, x.ndim, "index_add")
    src = source if isinstance(source, Tensor) else Tensor(source)
    expected = x.shape[:ax] + (idx.size,) + x.shape[ax + 1:]
    if idx.ndim != 1 or src.shape != expected:
        raise OpError(f"index_add: index must be 1-D and source of shape {expected}, got "
                      f"index {idx.shape} and source {src.shape} for x {x.shape}")
    full = idx.reshape((1,) * ax + (-1,) + (1,) * (x.ndim - ax - 1))
    full = np.broadcast_to(full, expected)
    _check_gather(x.shape, full, ax, "index_add")
    return ScatterAdd(ax, np.ascontiguousarray(full))(x, src * alpha if alpha != 1 else src)


@op(torch="masked_select", method=True)
def masked_select(x: Tensor, mask: Any) -> Tensor:
    """The 1-D tensor of the ``x`` values where ``mask`` is True (both broadcast first)."""
    m = _mask(mask, "masked_select")
    shape = _broadcast_shape("masked_select", x.shape, m.shape)
    return getitem(broadcast_to(x, shape), np.broadcast_to(m, shape))


@op("nonzero", method=True)
def nonzero(x: Any) -> tuple[Tensor, ...]:
    """Indices of the non-zero elements, one int64 tensor per axis (NumPy's ``nonzero``).

    PyTorch's ``nonzero`` (an (N, ndim) tensor) is :func:`argwhere` here.
    """
    return tuple(_make(i.astype(np.int64)) for i in np.nonzero(np.atleast_1d(_array(x))))


@op("argwhere", torch="argwhere", method=True)
def argwhere(x: Any) -> Tensor:
    """The (N, ndim) int64 tensor of indices of non-zero elements (PyTorch's ``nonzero``)."""
    return _make(np.argwhere(_array(x)).astype(np.int64))


def _sort_axis(x: Tensor, axis: int | None, where: str) -> tuple[Tensor, int]:
    if axis is None:
        return reshape(x, (-1,)), 0
    if x.ndim == 0:
        normalize_axis(axis, 0, where)
        return x, 0
    return x, normalize_one_axis(axis, x.ndim, where)


@op("argsort", torch="argsort", method=True)
def argsort(x: Tensor, axis: int | None = -1, descending: bool = False, *,
            dim: int | None = None, stable: bool = True) -> Tensor:
    """Indices that sort ``x`` along ``axis`` (int64, not differentiable; stable sort)."""
    axis = pick_alias(axis, dim, "axis", "dim", "argsort", default=-1)
    x, ax = _sort_axis(x, axis, "argsort")
    if x.ndim == 0:
        return _make(np.zeros((), dtype=np.int64))
    data = x.data
    if descending:
        # stable descending order: reverse, stable-sort ascending, reverse back
        idx = np.flip(np.argsort(np.flip(data, ax), axis=ax, kind="stable"), ax)
        idx = data.shape[ax] - 1 - idx
    else:
        idx = np.argsort(data, axis=ax, kind="stable")
    return _make(idx.astype(np.int64))


@op("sort")
def sort(x: Tensor, axis: int | None = -1, descending: bool = False, *,
         dim: int | None = None, stable: bool = True) -> Tensor:
    """The values of ``x`` sorted along ``axis`` (NumPy's ``sort``: values only).

    PyTorch's ``sort`` also returns the indices; use :func:`argsort` for them.
    Differentiable: the gradient goes back to where each value came from. The sort
    is stable, so tied values keep their order and each gets its own gradient
    (``torch.sort(stable=True)``'s choice).
    """
    axis = pick_alias(axis, dim, "axis", "dim", "sort", default=-1)
    x, ax = _sort_axis(x, axis, "sort")
    if x.ndim == 0:
        return x
    return gather(x, ax, argsort(x, ax, descending).data)


@op(torch="topk", method=True)
def topk(x: Tensor, k: int, axis: int = -1, largest: bool = True, sorted: bool = True,  # noqa: A002
         *, dim: int | None = None) -> tuple[Tensor, Tensor]:
    """The ``k`` largest (or smallest) values along ``axis`` and their indices, as PyTorch.

    The values are differentiable (their gradient goes back to the chosen
    positions); ties keep the earlier index first.
    """
    axis = pick_alias(axis, dim, "axis", "dim", "topk", default=-1)
    xx, ax = _sort_axis(x, axis, "topk")
    if xx.ndim == 0:
        xx = reshape(xx, (1,))
    n = xx.shape[ax]
    if not 0 <= k <= n:
        raise OpError(f"topk: k={k} is out of range for axis {axis} of length {n} "
                      f"(shape {x.shape})")
    idx = argsort(xx, ax, descending=largest).data
    idx = np.take(idx, np.arange(k), axis=ax)
    values = gather(xx, ax, idx)
    if x.ndim == 0:
        return reshape(values, ()), _make(idx.reshape(()))
    return values, _make(idx)


@op(torch="one_hot", functional=True)
def one_hot(labels: Any, num_classes: int = -1) -> Tensor:
    """int64 one-hot encoding with a new last axis of ``num_classes`` (-1: max label + 1)."""
    lab = _index(labels, "one_hot")
    if lab.size and lab.min() < 0:
        raise OpError(f"one_hot: labels must be non-negative, got {lab.min()}")
    if num_classes == -1 and not lab.size:
        raise OpError("one_hot: cannot infer num_classes=-1 from empty labels; give "
                      "num_classes")
    if num_classes < -1:
        raise OpError(f"one_hot: num_classes must be -1 or non-negative, got {num_classes}")
    n = int(lab.max()) + 1 if num_classes == -1 and lab.size else num_classes
    if n < 0 or (lab.size and lab.max() >= n):
        raise OpError(f"one_hot: num_classes {num_classes} is too small for labels up to "
                      f"{lab.max() if lab.size else None}")
    return _make((lab[..., None] == np.arange(n)).astype(np.int64))


def _arg_extreme(op: Any, x: Any, axis: int | None, keepdims: bool, dim: int | None,
                 keepdim: bool | None, where: str) -> Tensor:
    x = x if isinstance(x, Tensor) else Tensor(x)
    axis = pick_alias(axis, dim, "axis", "dim", where)
    keepdims = bool(pick_alias(keepdims, keepdim, "keepdims", "keepdim", where, default=False))
    if axis is not None:
        if x.ndim == 0:  # axis 0 or -1 of a 0-d tensor: the tensor itself
            normalize_axis(axis, 0, where)
            axis = None
        else:
            axis = normalize_one_axis(axis, x.ndim, where)
    check_reduced_axes_not_empty(x.shape, None if axis is None else (axis,), where)
    return _make(np.asarray(op(x.data, axis=axis, keepdims=keepdims)).astype(np.int64))


@op("argmax", torch="argmax", method=True)
def argmax(x: Any, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the maximum along ``axis`` (of the flattened tensor when None); int64."""
    return _arg_extreme(np.argmax, x, axis, keepdims, dim, keepdim, "argmax")


@op("argmin", torch="argmin", method=True)
def argmin(x: Any, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
           keepdim: bool | None = None) -> Tensor:
    """Index of the minimum along ``axis`` (of the flattened tensor when None); int64."""
    return _arg_extreme(np.argmin, x, axis, keepdims, dim, keepdim, "argmin")


# -- triangles (a mask of the last two axes)

def _tri(x: Tensor, k: int, lower: bool, name: str) -> Tensor:
    if x.ndim < 2:
        raise OpError(f"{name}: needs at least 2 dimensions, got shape {x.shape}")
    n, m = x.shape[-2:]
    mask = np.tri(n, m, k, dtype=bool) if lower else ~np.tri(n, m, k - 1, dtype=bool)
    return where(mask, x, np.zeros((), dtype=x.dtype))


@op("tril", torch="tril", method=True)
def tril(x: Tensor, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """Keep the lower triangle (at and below diagonal ``k``) of the last two axes."""
    return _tri(x, pick_alias(k, diagonal, "k", "diagonal", "tril", default=0), True, "tril")


@op("triu", torch="triu", method=True)
def triu(x: Tensor, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """Keep the upper triangle (at and above diagonal ``k``) of the last two axes."""
    return _tri(x, pick_alias(k, diagonal, "k", "diagonal", "triu", default=0), False, "triu")


# -- scatter and scatter_reduce ----------------------------------------------------------------

def _scatter_args(x: Any, axis: int, index: Any, src: Any, where: str, *,
                  value_ok: bool = False) -> tuple[Tensor, np.ndarray, int, Any, tuple[int, ...]]:
    """Check a scatter's arguments as PyTorch does; returns them ready for the op.

    ``index`` has ``x``'s number of dimensions, is no larger than ``src`` on any axis
    and no larger than ``x`` outside ``axis``; only ``src``'s leading block of
    ``index``'s shape is used. A 0-d ``x`` is treated as 1-d (and the result given
    back 0-d: the returned shape). With ``value_ok``, ``src`` may be a number.
    """
    if not isinstance(x, Tensor):
        x = Tensor(x)
    shape = x.shape
    idx = _index(index, where)
    ax = normalize_one_axis(axis, max(x.ndim, 1), where)
    is_value = value_ok and not isinstance(src, (Tensor, np.ndarray)) and np.ndim(src) == 0
    if is_value:
        src_arr = np.asarray(src)
        if src_arr.dtype.kind not in "biuf":
            raise OpTypeError(f"{where}: value must be a number, got {type(src).__name__}")
    src_shape = np.shape(_array(src))
    if x.ndim == 0:
        x = reshape(x, (1,))
        if idx.ndim == 0:
            idx = idx.reshape(1)
        if not is_value and len(src_shape) == 0:
            src = reshape(src, (1,)) if isinstance(src, Tensor) else np.reshape(src, (1,))
            src_shape = (1,)
    if not is_value:
        if len(src_shape) != idx.ndim or any(i > n for i, n in zip(idx.shape, src_shape)):
            raise OpError(f"{where}: src of shape {src_shape} must have the index's number "
                          f"of dimensions and be at least as large as the index "
                          f"{idx.shape} on every axis")
        src_dtype = _array(src).dtype
        if src_dtype.kind not in "biuf":
            raise OpTypeError(f"{where}: src must be numeric, got dtype {src_dtype}")
        if tuple(src_shape) != idx.shape:  # PyTorch uses src's leading block
            src_t = src if isinstance(src, Tensor) else Tensor(src)
            src = getitem(src_t, tuple(slice(0, n) for n in idx.shape))
    else:
        src = _make(np.full(idx.shape, src, dtype=x.dtype))
    _check_gather(x.shape, idx, ax, where)
    return x, idx, ax, src, shape


def _required(axis: Any, dim: Any, index: Any, where: str, **more: Any) -> int:
    """Resolve ``axis``/``dim`` and check that every required argument was given.

    The axis may be passed as NumPy's ``axis`` or PyTorch's ``dim`` (keyword or not), so
    ``x.gather(dim=1, index=i)`` works as in PyTorch.
    """
    if dim is not None:
        axis = dim
    missing = [name for name, v in (("axis (or dim)", axis), ("index", index), *more.items())
               if v is None]
    if missing:
        raise OpTypeError(f"{where}: missing required argument{'s' if len(missing) > 1 else ''} "
                          f"{', '.join(missing)}")
    return axis


def _scatter_result(y: Tensor, shape: tuple[int, ...]) -> Tensor:
    return reshape(y, ()) if shape == () else y


def _same_kind(x: Tensor, src: Any, where: str) -> None:
    sd, xd = _array(src).dtype, x.dtype
    if not np.can_cast(sd, xd, "same_kind"):
        raise OpTypeError(f"{where}: src of dtype {sd} cannot be written into a tensor of dtype "
                          f"{xd}")


def _touched(shape: tuple[int, ...], axis: int, index: np.ndarray) -> np.ndarray:
    """A bool mask of ``shape``: True where ``index`` writes."""
    mask = np.zeros(shape, dtype=bool)
    mask[_full_index(index, axis)] = True
    return mask


class Scatter(Function):
    """``out = x; out[index[i][j]][j] = src[i][j]`` along ``axis`` (PyTorch's ``scatter``).

    Where ``index`` repeats a position, the last write wins (PyTorch leaves it
    unspecified). Gradients as PyTorch: ``x`` gets none where it was overwritten,
    ``src`` gets the gradient gathered at ``index``.
    """

    def __init__(self, axis: int, index: np.ndarray) -> None:
        self.axis = axis
        self.index = index

    def forward(self, x: np.ndarray, src: np.ndarray) -> np.ndarray:
        out = x.copy()
        out[_full_index(self.index, self.axis)] = src
        return out

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        nx, ns = self.needs_input_grad
        gx = Scatter(self.axis, self.index)(gy, zeros(self.index.shape, dtype=gy.dtype)) \
            if nx else None
        return gx, Gather(self.axis, self.index)(gy) if ns else None

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis, "index": f"int{self.index.shape}"}


@op(torch="scatter", method=True)
def scatter(x: Tensor, axis: int | None = None, index: Any = None, src: Any = None, *,
            reduce: str | None = None, dim: int | None = None, value: Any = None) -> Tensor:
    """``x`` with ``src`` written at ``index`` along ``axis`` (PyTorch's ``scatter``, not in place).

    ``out[index[i][j]][j] = src[i][j]`` for ``axis=0``, and so on. ``src`` is a tensor
    (it may be larger than ``index``; its leading block is used) or a number written
    at every indexed position. ``reduce="add"`` or ``"multiply"`` is PyTorch's older
    spelling of :func:`scatter_reduce` with ``"sum"`` or ``"prod"``. Where ``index``
    repeats a position, the last write wins. Differentiable in ``x`` and ``src``.
    As in PyTorch, the axis may be given as ``dim`` and a number as ``value``
    (``x.scatter(dim=1, index=i, value=0.5)``).
    """
    if value is not None:
        if src is not None:
            raise OpTypeError("scatter: pass src or value, not both")
        if isinstance(value, (Tensor, np.ndarray)) and np.ndim(_array(value)) != 0:
            raise OpTypeError(f"scatter: value must be a number, got a tensor of shape "
                              f"{np.shape(_array(value))} (pass a tensor as src)")
        src = value
    axis = _required(axis, dim, index, "scatter", **{"src (or value)": src})
    if reduce is not None:
        legacy = {"add": "sum", "multiply": "prod"}
        if reduce not in legacy:
            raise OpError(f"scatter: reduce must be 'add' or 'multiply' (or use "
                          f"scatter_reduce), got {reduce!r}")
        if not isinstance(src, (Tensor, np.ndarray)) and np.ndim(src) == 0:
            x_t = x if isinstance(x, Tensor) else Tensor(x)
            src = np.full(np.shape(_array(index)), src, dtype=x_t.dtype)
        return scatter_reduce(x, axis, index, src, legacy[reduce])
    x, idx, ax, src_t, shape = _scatter_args(x, axis, index, src, "scatter", value_ok=True)
    _same_kind(x, src_t, "scatter")
    return _scatter_result(Scatter(ax, idx)(x, src_t), shape)


_REDUCTIONS = ("sum", "prod", "mean", "amax", "amin")


class ScatterReduce(Function):
    """``x`` with ``src`` reduced into it at ``index`` along ``axis`` (``scatter_reduce``).

    Each output position reduces the ``src`` values sent to it, and its ``x`` value
    when ``include_self``; positions no index reaches keep ``x``. The gradients are
    PyTorch's: ``amax``/``amin`` share the gradient evenly among tied maxima, ``prod``
    is exact when values are zero, ``mean`` divides by the count.
    """

    def __init__(self, axis: int, index: np.ndarray, reduce: str, include_self: bool) -> None:
        self.axis = axis
        self.index = index
        self.reduce = reduce
        self.include_self = include_self

    def _count(self, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
        """How many values each output position averages (at least 1)."""
        n = np.ones(shape, dtype=dtype) if self.include_self else np.zeros(shape, dtype=dtype)
        np.add.at(n, _full_index(self.index, self.axis), 1)
        n[n == 0] = 1
        return n

    def forward(self, x: np.ndarray, src: np.ndarray) -> np.ndarray:
        fi = _full_index(self.index, self.axis)
        out = x.copy()
        src = src.astype(out.dtype, copy=False)
        r = self.reduce
        if not self.include_self:
            if r in ("sum", "mean"):
                start: Any = 0
            elif r == "prod":
                start = 1
            elif out.dtype.kind == "f":
                start = -np.inf if r == "amax" else np.inf
            else:
                info = np.iinfo(out.dtype) if out.dtype.kind in "iu" else None
                start = (info.min if r == "amax" else info.max) if info else r == "amin"
            out[fi] = start
        ufunc = {"sum": np.add, "mean": np.add, "prod": np.multiply, "amax": np.maximum,
                 "amin": np.minimum}[r]
        ufunc.at(out, fi, src)
        if r == "mean":
            n = self._count(out.shape, out.dtype)
            out = out / n if out.dtype.kind == "f" else out // n
        return out

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, src = self.inputs
        nx, ns = self.needs_input_grad
        ax, idx, r = self.axis, self.index, self.reduce
        zero = np.zeros((), dtype=gy.dtype)
        gx: Tensor | None
        gs: Tensor | None
        if r == "sum":
            gx, gs = gy, Gather(ax, idx)(gy) if ns else None
        elif r == "mean":
            g = gy / self._count(gy.shape, gy.dtype)
            gx, gs = g, Gather(ax, idx)(g) if ns else None
        elif r in ("amax", "amin"):
            y = self.output().data
            self_is = x.data == y
            src_is = src.data == y[_full_index(idx, ax)]
            n = self_is.astype(gy.dtype)
            np.add.at(n, _full_index(idx, ax), src_is)
            n[n == 0] = 1
            g = gy / n
            gx = Where(self_is)(g, zero)
            gs = Where(src_is)(Gather(ax, idx)(g), zero) if ns else None
        else:  # prod: the product of the others, exact where values are zero
            one = np.ones((), dtype=gy.dtype)
            # x's own factor's derivative: the product of the src values sent to it
            gx = gy * ScatterReduce(ax, idx, r, False)(np.ones(x.shape, dtype=gy.dtype), src) \
                if nx else None
            gs = None
            if ns:
                src_zero = src.data == 0
                zeros_there = np.zeros(x.shape, dtype=np.int64)
                np.add.at(zeros_there, _full_index(idx, ax), src_zero)
                single = src_zero & (zeros_there[_full_index(idx, ax)] == 1)
                masked_src = Where(single)(one, src)
                without = ScatterReduce(ax, idx, r, self.include_self)(x, masked_src)
                y_t = self.output()
                gs = Where(single)(Gather(ax, idx)(gy * without),
                                   Gather(ax, idx)(gy * y_t) / Where(src_zero)(one, src))
        if not nx:
            gx = None
        elif not self.include_self and gx is not None:
            gx = Scatter(ax, idx)(gx, zeros(idx.shape, dtype=gy.dtype))
        return gx, gs

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis, "index": f"int{self.index.shape}", "reduce": self.reduce,
                "include_self": self.include_self}


@op(torch="scatter_reduce", method=True)
def scatter_reduce(x: Tensor, axis: int | None = None, index: Any = None, src: Any = None,
                   reduce: str | None = None, *, include_self: bool = True,
                   dim: int | None = None) -> Tensor:
    """``x`` with ``src`` reduced in at ``index`` along ``axis`` (PyTorch's ``scatter_reduce``).

    ``reduce`` is ``"sum"``, ``"prod"``, ``"mean"``, ``"amax"`` or ``"amin"``; each
    position ``index`` reaches becomes that reduction of the ``src`` values sent there,
    and of its own ``x`` value when ``include_self`` (the default). Positions no index
    reaches keep ``x``. ``src`` may be larger than ``index`` (its leading block is
    used). An integer ``"mean"`` rounds down, as PyTorch's. Differentiable in ``x``
    and ``src``, with PyTorch's gradients (ties of ``amax``/``amin`` share evenly).
    The axis may be given as ``dim``.
    """
    axis = _required(axis, dim, index, "scatter_reduce", src=src, reduce=reduce)
    if reduce not in _REDUCTIONS:
        raise OpError(f"scatter_reduce: reduce must be one of {', '.join(_REDUCTIONS)}, got "
                      f"{reduce!r}")
    x, idx, ax, src_t, shape = _scatter_args(x, axis, index, src, "scatter_reduce")
    _same_kind(x, src_t, "scatter_reduce")
    y = ScatterReduce(ax, idx, reduce, bool(include_self))(x, src_t)
    return _scatter_result(y, shape)


# -- embedding lookup (a gather of rows whose backward scatter-adds repeats)

class Embedding(Function):
    """``weight[index]``, the rows at ``index``; row ``padding_idx`` gets no gradient."""

    def __init__(self, index: np.ndarray, padding_idx: int | None) -> None:
        self.index = index
        self.padding_idx = padding_idx

    def forward(self, weight: np.ndarray) -> np.ndarray:
        return weight[self.index]

    def backward(self, gy: Tensor) -> Tensor:
        (weight,) = self.inputs
        return EmbeddingGrad(self.index, weight.shape[0], self.padding_idx)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"index": f"int{self.index.shape}", "padding_idx": self.padding_idx}


class EmbeddingGrad(Function):
    """Scatter-add rows of ``gy`` into a ``(num_embeddings, dim)`` gradient; repeats accumulate."""

    def __init__(self, index: np.ndarray, num_embeddings: int, padding_idx: int | None) -> None:
        self.index = index
        self.num_embeddings = num_embeddings
        self.padding_idx = padding_idx

    def forward(self, gy: np.ndarray) -> np.ndarray:
        dim = gy.shape[-1]
        gw = np.zeros((self.num_embeddings, dim), dtype=gy.dtype)
        np.add.at(gw, self.index.reshape(-1), gy.reshape(-1, dim))
        if self.padding_idx is not None:
            gw[self.padding_idx] = 0
        return gw

    def backward(self, ggw: Tensor) -> Tensor:
        if self.padding_idx is not None:
            keep = np.ones((self.num_embeddings, 1), dtype=ggw.dtype)
            keep[self.padding_idx] = 0
            ggw = ggw * keep
        return Embedding(self.index, self.padding_idx)(ggw)

    def attrs(self) -> dict[str, Any]:
        return {"index": f"int{self.index.shape}", "num_embeddings": self.num_embeddings,
                "padding_idx": self.padding_idx}


@op(torch="embedding", functional=True, mg=False)
def embedding(input: Any, weight: Tensor, padding_idx: int | None = None,  # noqa: A002
              max_norm: float | None = None, norm_type: float = 2.0,
              scale_grad_by_freq: bool = False, sparse: bool = False) -> Tensor:
    """Look up rows of ``weight`` (``(num_embeddings, dim)``) at the integer ``input``.

    As ``torch.nn.functional.embedding``: the result has shape
    ``input.shape + (dim,)``; the gradient of ``weight`` adds up the rows of the
    output's gradient that came from the same index, and row ``padding_idx``
    (negative counts from the end) gets no gradient. ``max_norm``,
    ``scale_grad_by_freq`` and ``sparse`` are not supported.

    Raises
    ------
    TypeError
        If ``input`` is not integer or ``weight`` not a floating-point array.
    ValueError
        If ``weight`` is not 2-D, or ``padding_idx`` is outside ``[-num_embeddings,
        num_embeddings)``.
    IndexError
        If an index is outside ``[0, num_embeddings)``.
    NotImplementedError
        For ``max_norm``, ``scale_grad_by_freq=True`` or ``sparse=True``.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> F.embedding(np.array([[2, 0]]), np.arange(6.0).reshape(3, 2)).data
    array([[[4., 5.],
            [0., 1.]]])
    """
    for name, value, default in (("max_norm", max_norm, None),
                                 ("scale_grad_by_freq", scale_grad_by_freq, False),
                                 ("sparse", sparse, False)):
        if value is not default and value != default:
            raise NotImplementedError(f"embedding: {name}={value!r} is not supported")
    w = weight if isinstance(weight, Tensor) else Tensor(weight)
    if w.ndim != 2:
        raise OpError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                      f"shape {w.shape}")
    if w.dtype.kind != "f":
        raise OpTypeError(f"embedding: weight must be floating point, got dtype {w.dtype}")
    idx = _array(input)
    if idx.dtype.kind not in "iu":
        raise OpTypeError(f"embedding: input must hold integer indices, got dtype {idx.dtype}")
    n = w.shape[0]
    bad = _out_of_range(idx, n)
    if bad is not None:
        raise IndexError(f"embedding: index {bad} is out of range for a weight of "
                         f"{n} rows (shape {w.shape})")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) \
                or not -n <= padding_idx < n:
            raise OpError(f"embedding: padding_idx must be an int in [{-n}, {n}), got "
                          f"{padding_idx!r}")
        padding_idx = int(padding_idx) % n
    return Embedding(np.asarray(idx, dtype=np.intp), padding_idx)(w)
