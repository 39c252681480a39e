"""Indexing and selection: where, masked_fill, gather/scatter, sort, topk, one_hot, tril.

(Basic and advanced indexing, ``x[...]``, is :func:`minigrad.ops.shape.getitem`: a
basic slice is a view.)

Indices, masks and conditions are never differentiated (integer and bool
results have ``requires_grad`` False); the gradient flows to the values.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.catalogue import op
from minigrad.ops.shape import (
    broadcast_to,
    getitem,
    normalize_axis,
    normalize_one_axis,
    pick_alias,
    reshape,
)
from minigrad.tensor import Tensor, _make, zeros

__all__ = [
    "where", "masked_fill", "gather",
    "take_along_axis", "scatter_add", "index_add", "masked_select", "nonzero", "argwhere",
    "sort", "argsort", "topk", "one_hot", "argmax", "argmin", "tril", "triu",
]


def _array(x: Any) -> np.ndarray:
    return x.data if isinstance(x, Tensor) else np.asarray(x)


def _mask(mask: Any, where: str) -> np.ndarray:
    m = _array(mask)
    if m.dtype != np.bool_:
        raise TypeError(f"{where}: the mask/condition must be a bool tensor, got dtype {m.dtype}")
    return m


def _broadcast_shape(where: str, *shapes: tuple[int, ...]) -> tuple[int, ...]:
    try:
        return tuple(np.broadcast_shapes(*shapes))
    except ValueError:
        raise ValueError(f"{where}: shapes {', '.join(map(str, shapes))} cannot be broadcast "
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
    """
    cond = _mask(condition, "where")
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
        raise ValueError(f"masked_fill: mask of shape {m.shape} does not broadcast to the "
                         f"tensor's shape {x.shape}")
    v = value if isinstance(value, Tensor) else np.asarray(value, dtype=x.dtype)
    if np.ndim(_array(v)) != 0:
        raise ValueError(f"masked_fill: value must be 0-d, got shape {np.shape(_array(v))}")
    return Where(m)(v, x)


# -- gather / scatter -------------------------------------------------------------------------

def _index(index: Any, where: str) -> np.ndarray:
    idx = _array(index)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"{where}: index must be an integer tensor, got dtype {idx.dtype}")
    return idx


def _full_index(idx: np.ndarray, axis: int) -> tuple[np.ndarray, ...]:
    """Turn ``index`` along ``axis`` into a NumPy fancy index of idx's shape."""
    grid: list[np.ndarray] = list(np.indices(idx.shape, sparse=True))
    grid[axis] = idx
    return tuple(grid)


def _check_gather(x_shape: tuple[int, ...], idx: np.ndarray, axis: int, where: str) -> None:
    if idx.ndim != len(x_shape):
        raise ValueError(f"{where}: index of shape {idx.shape} must have as many dimensions as "
                         f"the tensor of shape {x_shape}")
    for d, (i, n) in enumerate(zip(idx.shape, x_shape)):
        if d != axis and i > n:
            raise ValueError(f"{where}: index of shape {idx.shape} is larger than the tensor's "
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
def gather(x: Tensor, axis: int, index: Any, *, dim: int | None = None) -> Tensor:
    """Pick ``x`` values along ``axis`` at ``index`` (PyTorch's ``gather(input, dim, index)``).

    ``index`` has ``x``'s number of dimensions and may be smaller than ``x`` on the
    other axes. Backward scatter-adds the gradient (repeated indices accumulate).
    """
    if dim is not None:
        axis = dim
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
        raise ValueError(f"take_along_axis: indices of shape {idx.shape} must have as many "
                         f"dimensions as the tensor of shape {x.shape}")
    shape = list(_broadcast_shape("take_along_axis",
                                  x.shape[:ax] + (1,) + x.shape[ax + 1:],
                                  idx.shape[:ax] + (1,) + idx.shape[ax + 1:]))
    xb = broadcast_to(x, tuple(shape[:ax] + [x.shape[ax]] + shape[ax + 1:]))
    idx = np.broadcast_to(idx, tuple(shape[:ax] + [idx.shape[ax]] + shape[ax + 1:]))
    return gather(xb, ax, idx)


@op(torch="scatter_add", method=True)
def scatter_add(x: Tensor, axis: int, index: Any, src: Any, *, dim: int | None = None) -> Tensor:
    """``x`` with ``src`` added at ``index`` along ``axis`` (``scatter_add``, not in place).

    ``index`` and ``src`` must have the same shape here (PyTorch also allows a
    larger ``src``). Differentiable in ``x`` and ``src``.
    """
    if dim is not None:
        axis = dim
    idx = _index(index, "scatter_add")
    ax = normalize_one_axis(axis, x.ndim, "scatter_add")
    src_shape = np.shape(_array(src))
    if src_shape != idx.shape:
        raise ValueError(f"scatter_add: src of shape {src_shape} must have the index's shape "
                         f"{idx.shape}")
    _check_gather(x.shape, idx, ax, "scatter_add")
    return ScatterAdd(ax, idx)(x, src)


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
        raise ValueError(f"index_add: index must be 1-D and source of shape {expected}, got "
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
        raise ValueError(f"topk: k={k} is out of range for axis {axis} of length {n} "
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
        raise ValueError(f"one_hot: labels must be non-negative, got {lab.min()}")
    n = int(lab.max()) + 1 if num_classes == -1 and lab.size else num_classes
    if n < 0 or (lab.size and lab.max() >= n):
        raise ValueError(f"one_hot: num_classes {num_classes} is too small for labels up to "
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
    if x.size == 0:
        raise ValueError(f"{where}: cannot take the {where} of an empty tensor of shape "
                         f"{x.shape}")
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
        raise ValueError(f"{name}: needs at least 2 dimensions, got shape {x.shape}")
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
        raise ValueError(f"embedding: weight must be 2-D (num_embeddings, embedding_dim), got "
                         f"shape {w.shape}")
    if w.dtype.kind != "f":
        raise TypeError(f"embedding: weight must be floating point, got dtype {w.dtype}")
    idx = _array(input)
    if idx.dtype.kind not in "iu":
        raise TypeError(f"embedding: input must hold integer indices, got dtype {idx.dtype}")
    n = w.shape[0]
    if idx.size and (idx.min() < 0 or idx.max() >= n):
        bad = idx.min() if idx.min() < 0 else idx.max()
        raise IndexError(f"embedding: index {int(bad)} is out of range for a weight of "
                         f"{n} rows (shape {w.shape})")
    if padding_idx is not None:
        if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) \
                or not -n <= padding_idx < n:
            raise ValueError(f"embedding: padding_idx must be an int in [{-n}, {n}), got "
                             f"{padding_idx!r}")
        padding_idx = int(padding_idx) % n
    return Embedding(np.asarray(idx, dtype=np.intp), padding_idx)(w)


__all__ += ["embedding"]
