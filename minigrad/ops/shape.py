"""Shape operations: reshape, transpose, broadcast_to, sum_to, indexing, and the shape library.

Also home of :class:`AxisError` and :func:`normalize_axis`, the axis checks that every
op with an ``axis`` argument shares.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad._moved import forward_names
from minigrad.autograd import Function, OpError, OpTypeError, broadcast_axes
from minigrad.ops.catalogue import op
from minigrad.tensor import Tensor, _alias, zeros

__all__ = ["reshape", "transpose", "broadcast_to", "sum_to", "getitem", "sum_to_array",
           "AxisError", "normalize_axis", "normalize_one_axis",
           "concatenate", "cat", "stack", "split", "chunk", "squeeze", "expand_dims",
           "unsqueeze", "flatten", "unflatten", "permute", "swapaxes", "moveaxis", "expand",
           "tile", "repeat", "repeat_interleave", "flip", "roll", "diagonal",
           "diag", "view", "unbind"]

Axis = int | Sequence[int] | None


class AxisError(IndexError, ValueError):
    """An axis argument is out of range for the tensor's number of dimensions.

    Both an :class:`IndexError` and a :class:`ValueError`, like NumPy's
    ``numpy.exceptions.AxisError``, so code written for either catches it.
    """


def normalize_axis(axis: Axis, ndim: int, where: str) -> tuple[int, ...] | None:
    """Return ``axis`` as a sorted tuple of non-negative ints (None means every axis).

    A 0-d tensor accepts axis 0 and -1 (meaning the tensor itself, as in PyTorch).
    Raises :class:`AxisError` naming ``where``, the axis and ``ndim``.
    """
    if axis is None:
        return None
    if isinstance(axis, (int, np.integer)):
        axes: tuple[Any, ...] = (axis,)
    elif isinstance(axis, (tuple, list)):
        axes = tuple(axis)
    else:
        raise OpTypeError(f"{where}: axis must be None, an int or a tuple of ints, got "
                          f"{type(axis).__name__} {axis!r}")
    out = []
    n = max(ndim, 1)
    for a in axes:
        if not isinstance(a, (int, np.integer)) or isinstance(a, bool):
            raise OpTypeError(f"{where}: axis must be None, an int or a tuple of ints, got "
                              f"{type(axis).__name__} {axis!r}")
        if not -n <= a < n:
            raise AxisError(f"{where}: axis {a} is out of range for a tensor with {ndim} "
                            "dimensions")
        out.append(int(a) % n)
    if len(set(out)) != len(out):
        raise OpError(f"{where}: repeated axis in {axis}")
    if ndim == 0:
        return None  # the tensor itself: reduce over "all" (no) axes
    return tuple(sorted(out))


def check_reduced_axes_not_empty(shape: tuple[int, ...], axes: tuple[int, ...] | None,
                                 where: str) -> None:
    """Refuse to reduce over an empty axis for a reduction with no identity (max, argmax, ...).

    ``axes`` as :func:`normalize_axis` returns them (None: every axis). Reducing over the
    live axes of an empty tensor is fine (the result is empty too, as in NumPy and
    PyTorch); only the maximum (or minimum, ...) of no element is undefined.
    """
    for a in range(len(shape)) if axes is None else axes:
        if shape[a] == 0:
            which = "axis" if axes is None or len(axes) == 1 else "axes"
            raise OpError(
                f"{where}: cannot reduce over the empty axis {a} of a tensor of shape {shape} "
                f"(the {where} of no element is undefined); reduce over a non-empty "
                f"{which} instead")


def normalize_one_axis(axis: int, ndim: int, where: str) -> int:
    """Return a single ``axis`` as a non-negative int; :class:`AxisError` if out of range."""
    if not isinstance(axis, (int, np.integer)) or isinstance(axis, bool):
        raise OpTypeError(f"{where}: axis must be an int, got {axis!r}")
    if not -ndim <= axis < ndim:
        raise AxisError(f"{where}: axis {axis} is out of range for a tensor with {ndim} "
                        "dimensions")
    return int(axis) % ndim


def pick_alias(value: Any, alias: Any, name: str, alias_name: str, where: str,
               default: Any = None) -> Any:
    """Return ``value`` or its PyTorch spelling ``alias`` (``dim`` for ``axis``), not both."""
    if alias is not None:
        if value is not None and value is not default:
            raise OpTypeError(f"{where}: got both {name}= and its alias {alias_name}=")
        return alias
    return default if value is None else value


def sum_to_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0:
        raise OpError(f"sum_to: cannot sum shape {x.shape} to the larger shape {shape}")
    for i, n in enumerate(shape):
        if n != 1 and x.shape[i + lead] != n:
            raise OpError(f"sum_to: shape {x.shape} cannot be summed to shape {shape}")
    y = x.sum(axis=broadcast_axes(shape, x.shape), keepdims=True)
    return y.reshape(shape) if lead else y


class Reshape(Function):
    """``x.reshape(shape)``."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.shape)

    def backward(self, gy: Tensor) -> Tensor:
        return reshape(gy, self.inputs[0].shape)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


def _reshape_method(self: Tensor, *shape: Any) -> Tensor:
    """Return the same values with a new shape (``reshape(2, 3)`` or ``reshape((2, 3))``)."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return reshape(self, shape)


@op("reshape", torch="reshape", method=_reshape_method, functional=True)
def reshape(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Return ``x`` with a new shape (one dimension may be -1)."""
    shape = tuple(shape)
    if isinstance(x, Tensor) and x.shape == shape:
        return x
    return _view_of(Reshape(shape)(x), x)


def _view_of(y: Tensor, x: Any) -> Tensor:
    """Mark ``y`` as an alias of ``x`` when its data is a view of ``x``'s (shared versions)."""
    if isinstance(x, Tensor):
        base = y.data.base
        if base is not None and (base is x.data or base is x.data.base):
            _alias(y, x)
    return y


class Transpose(Function):
    """Permute axes; ``axes=None`` reverses them."""

    def __init__(self, axes: tuple[int, ...] | None) -> None:
        self.axes = axes

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.transpose(self.axes)

    def backward(self, gy: Tensor) -> Tensor:
        if self.axes is None:
            return transpose(gy, None)
        inverse = tuple(np.argsort([a % gy.ndim for a in self.axes]))
        return transpose(gy, inverse)

    def attrs(self) -> dict[str, Any]:
        return {"axes": self.axes}


def _transpose_method(self: Tensor, *axes: Any) -> Tensor:
    """Permute the axes (reverse them when none are given), with NumPy's meaning.

    ``transpose(a, b, ...)`` lists every axis in its new order, as
    ``ndarray.transpose``: on a 2-D tensor ``transpose(0, 1)`` returns it
    unchanged and ``transpose(1, 0)`` swaps the axes. PyTorch's
    ``transpose(a, b)`` (swap two axes) is :meth:`swapaxes` here; ``mT``
    swaps the last two.
    """
    if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
        axes = tuple(axes[0])
    return transpose(self, axes or None)


def _t_property(self: Tensor) -> Tensor:
    """The tensor with its axes reversed."""
    return transpose(self, None)


def _mt_property(self: Tensor) -> Tensor:
    """The tensor with its last two axes swapped (a batch of matrix transposes)."""
    if self.ndim < 2:
        raise OpError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
    return swapaxes(self, -2, -1)


@op("transpose", "permute_dims",
    method={"transpose": _transpose_method, "T": property(_t_property),
        "mT": property(_mt_property)},
    functional=True)
def transpose(x: Tensor, axes: Sequence[int] | None = None) -> Tensor:
    """Permute the axes of ``x`` (reverse them when ``axes`` is None), as NumPy.

    ``axes`` lists every axis in its new order, so ``transpose(x, (0, 1))`` of a
    2-D tensor is ``x`` itself; PyTorch's ``transpose(a, b)`` is :func:`swapaxes`.
    """
    if axes is None:
        return _view_of(Transpose(None)(x), x)
    axes = tuple(axes)
    if isinstance(x, Tensor):
        if len(axes) != x.ndim:
            raise OpError(f"transpose: axes {axes} do not list the {x.ndim} axes of shape "
                          f"{x.shape} (to swap two axes use swapaxes)")
        normalize_axis(axes, x.ndim, "transpose")
    return _view_of(Transpose(axes)(x), x)


class BroadcastTo(Function):
    """Broadcast to a shape; backward sums the gradient back (``sum_to``)."""

    broadcasting = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, self.shape)

    def backward(self, gy: Tensor) -> Tensor:
        return sum_to(gy, self.inputs[0].shape)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


@op("broadcast_to", torch="broadcast_to", method=True, functional=True)
def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Broadcast ``x`` to ``shape`` as NumPy does."""
    shape = tuple(shape)
    if isinstance(x, Tensor) and x.shape == shape:
        return x
    return BroadcastTo(shape)(x)


class SumTo(Function):
    """Sum over broadcast axes to reach a shape; backward broadcasts the gradient."""

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return sum_to_array(x, self.shape)

    def backward(self, gy: Tensor) -> Tensor:
        return broadcast_to(gy, self.inputs[0].shape)

    def summed_axes(self, in_shapes: Sequence[Sequence[int]],
                    out_shape: Sequence[int] | None) -> tuple[tuple[int, ...], ...]:
        """Forward summed the input over these axes (its backward broadcasts along them)."""
        return (broadcast_axes(self.shape, in_shapes[0]),)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


@op(method=True, functional=True, mg=False)
def sum_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Sum ``x`` so that it has ``shape`` (the reverse of broadcasting); no-op if it already has."""
    shape = tuple(shape)
    if isinstance(x, Tensor) and x.shape == shape:
        return x
    return SumTo(shape)(x)


def _plain_index(index: Any) -> Any:
    """Replace tensors inside an index by their data."""
    if isinstance(index, Tensor):
        return index.data
    if isinstance(index, tuple):
        return tuple(i.data if isinstance(i, Tensor) else i for i in index)
    return index


def _is_basic(index: Any) -> bool:
    items = index if isinstance(index, tuple) else (index,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, slice, np.integer))
               for i in items)


class GetItem(Function):
    """``x[index]``: basic slicing and integer-array indexing."""

    def __init__(self, index: Any) -> None:
        self.index = index

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x[self.index]

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return GetItemGrad(self.index, x.shape)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"index": _describe_index(self.index)}


class GetItemGrad(Function):
    """Scatter-add a gradient back into the indexed positions (repeats accumulate)."""

    def __init__(self, index: Any, shape: tuple[int, ...]) -> None:
        self.index = index
        self.shape = shape

    def forward(self, gy: np.ndarray) -> np.ndarray:
        gx = np.zeros(self.shape, dtype=gy.dtype)
        if _is_basic(self.index):
            gx[self.index] = gy
        else:
            np.add.at(gx, self.index, gy)
        return gx

    def backward(self, ggx: Tensor) -> Tensor:
        return getitem(ggx, self.index)

    def attrs(self) -> dict[str, Any]:
        return {"index": _describe_index(self.index), "shape": self.shape}


def _describe_index(index: Any) -> str:
    items = index if isinstance(index, tuple) else (index,)
    parts = []
    for i in items:
        if isinstance(i, np.ndarray):
            parts.append(f"array{i.shape}")
        elif isinstance(i, slice):
            parts.append(":".join("" if v is None else str(v) for v in (i.start, i.stop, i.step))
                         .rstrip(":") or ":")
        else:
            parts.append(repr(i))
    return "[" + ", ".join(parts) + "]"


@op(method={"__getitem__": True}, functional=True, mg=False)
def getitem(x: Tensor, index: Any) -> Tensor:
    """Index ``x`` like an ndarray; out-of-range indices raise IndexError naming the shape."""
    index = _plain_index(index)
    if isinstance(index, list):
        index = np.asarray(index)
    return _view_of(GetItem(index)(x), x)


# ---------------------------------------------------------------------------
# The shape library: joining, splitting, adding and removing axes, reordering.
# Most are compositions of reshape / transpose / getitem, so their gradients
# (of any order) come from those ops; the rest are one Function each.

def _shape_arg(shape: Any) -> tuple[int, ...]:
    """``f(2, 3)`` or ``f((2, 3))`` -> ``(2, 3)``."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        return tuple(shape[0])
    return tuple(shape)


class Concatenate(Function):
    """Join tensors along an existing axis; backward slices the gradient apart."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return np.concatenate(xs, axis=self.axis)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        grads: list[Tensor | None] = []
        start = 0
        lead = (slice(None),) * self.axis
        for x, need in zip(self.inputs, self.needs_input_grad):
            stop = start + x.shape[self.axis]
            grads.append(getitem(gy, lead + (slice(start, stop),)) if need else None)
            start = stop
        return tuple(grads)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


class Stack(Function):
    """Join same-shaped tensors along a new axis, as one op; backward unbinds the gradient."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        return np.stack(xs, axis=self.axis)

    def backward(self, gy: Tensor) -> tuple[Tensor, ...]:
        return unbind(gy, self.axis)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


def _tensors(xs: Any, where: str) -> list[Tensor]:
    if isinstance(xs, Tensor) or not isinstance(xs, (list, tuple)):
        raise OpTypeError(f"{where}: expected a sequence of tensors, got {type(xs).__name__}")
    if not xs:
        raise OpError(f"{where}: need at least one tensor")
    return [x if isinstance(x, Tensor) else Tensor(x) for x in xs]


@op("concatenate", "concat", torch=("concatenate", "concat"))
def concatenate(tensors: Sequence[Any], axis: int | None = 0, *,
                dim: int | None = None) -> Tensor:
    """Join tensors along an existing ``axis`` (``axis=None`` flattens them first).

    ``dim=`` is accepted for ``axis=`` (PyTorch's ``cat``). Shapes must agree except
    along ``axis``; dtypes follow NumPy's promotion.
    """
    xs = _tensors(tensors, "concatenate")
    if dim is not None:  # axis=None is meaningful here, so resolve the alias by hand
        if axis != 0:
            raise OpTypeError("concatenate: got both axis= and its alias dim=")
        axis = dim
    if axis is None:
        xs = [reshape(x, (-1,)) for x in xs]
        axis = 0
    ndim = xs[0].ndim
    if ndim == 0:
        raise OpError("concatenate: zero-dimensional tensors cannot be concatenated")
    shapes = [x.shape for x in xs]
    if any(x.ndim != ndim for x in xs):
        raise OpError(f"concatenate: all tensors must have the same number of dimensions, "
                      f"got shapes {shapes}")
    ax = normalize_one_axis(axis, ndim, "concatenate")
    for s in shapes:
        if s[:ax] + s[ax + 1:] != shapes[0][:ax] + shapes[0][ax + 1:]:
            raise OpError(f"concatenate: shapes {shapes} differ outside axis {axis}")
    return Concatenate(ax)(*xs)


@op(torch="cat")
def cat(tensors: Sequence[Any], dim: int = 0) -> Tensor:
    """PyTorch's name for :func:`concatenate` (``dim`` is ``axis``)."""
    return concatenate(tensors, dim)


@op("stack", torch="stack")
def stack(tensors: Sequence[Any], axis: int = 0, *, dim: int | None = None) -> Tensor:
    """Join same-shaped tensors along a new ``axis`` (``dim=`` accepted)."""
    xs = _tensors(tensors, "stack")
    axis = pick_alias(axis, dim, "axis", "dim", "stack", default=0)
    shapes = [x.shape for x in xs]
    if any(s != shapes[0] for s in shapes):
        raise OpError(f"stack: all tensors must have the same shape, got shapes {shapes}")
    ax = normalize_one_axis(axis, xs[0].ndim + 1, "stack")
    return Stack(ax)(*xs)  # type: ignore[no-any-return]


@op("split")
def split(x: Tensor, indices_or_sections: int | Sequence[int], axis: int = 0, *,
          dim: int | None = None) -> list[Tensor]:
    """Split ``x`` along ``axis`` (NumPy's ``split``).

    An int ``n`` gives ``n`` equal pieces (ValueError if the axis does not divide);
    a sequence gives the split points. Note: PyTorch's ``split(x, size)`` takes the
    size of each piece, not their number; that is :func:`chunk`-like, see
    ``docs/comparison.md``.
    """
    axis = pick_alias(axis, dim, "axis", "dim", "split", default=0)
    if x.ndim == 0:
        raise OpError("split: a 0-d tensor cannot be split")
    ax = normalize_one_axis(axis, x.ndim, "split")
    n = x.shape[ax]
    if isinstance(indices_or_sections, (int, np.integer)):
        k = int(indices_or_sections)
        if k <= 0 or n % k:
            raise OpError(f"split: axis {axis} of shape {x.shape} (length {n}) cannot be "
                          f"split into {k} equal sections")
        points = [n // k * i for i in range(1, k)]
    else:
        points = [int(p) for p in indices_or_sections]
    bounds = [0, *points, n]
    lead = (slice(None),) * ax
    return [getitem(x, lead + (slice(a, max(a, b)),)) for a, b in zip(bounds[:-1], bounds[1:])]


@op(torch="chunk", method=True)
def chunk(x: Tensor, chunks: int, axis: int = 0, *, dim: int | None = None) -> list[Tensor]:
    """Split into ``chunks`` pieces of ``ceil(n / chunks)`` (the last may be smaller), as PyTorch.

    May return fewer than ``chunks`` pieces, like ``torch.chunk``.
    """
    axis = pick_alias(axis, dim, "axis", "dim", "chunk", default=0)
    if chunks <= 0:
        raise OpError(f"chunk: chunks must be positive, got {chunks}")
    if x.ndim == 0:
        raise OpError("chunk: a 0-d tensor cannot be split")
    ax = normalize_one_axis(axis, x.ndim, "chunk")
    n = x.shape[ax]
    size = -(-n // chunks) if n else 0
    if size == 0:
        return [x]
    return split(x, list(range(size, n, size)), ax)


@op("squeeze", torch="squeeze", method=True)
def squeeze(x: Tensor, axis: Axis = None, *, dim: Axis = None) -> Tensor:
    """Remove axes of length 1 (all of them when ``axis`` is None).

    NumPy's rule: naming an axis whose length is not 1 raises ValueError
    (PyTorch leaves such an axis alone).
    """
    axis = pick_alias(axis, dim, "axis", "dim", "squeeze")
    axes = normalize_axis(axis, x.ndim, "squeeze")
    if x.ndim == 0:
        return x if axes is None else reshape(x, ())
    if axes is None:
        axes = tuple(i for i, n in enumerate(x.shape) if n == 1)
    for a in axes:
        if x.shape[a] != 1:
            raise OpError(f"squeeze: axis {a} of shape {x.shape} has length {x.shape[a]}, "
                          "not 1")
    return reshape(x, tuple(n for i, n in enumerate(x.shape) if i not in axes))


@op("expand_dims")
def expand_dims(x: Tensor, axis: int | Sequence[int], *, dim: Any = None) -> Tensor:
    """Insert axes of length 1 at ``axis`` (positions in the result, as NumPy)."""
    axis = pick_alias(axis, dim, "axis", "dim", "expand_dims")
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out_ndim = x.ndim + len(axes)
    pos = normalize_axis(axes, out_ndim, "expand_dims") or ()
    it = iter(x.shape)
    return reshape(x, tuple(1 if i in pos else next(it) for i in range(out_ndim)))


@op(torch="unsqueeze", method=True)
def unsqueeze(x: Tensor, dim: int) -> Tensor:
    """PyTorch's name for :func:`expand_dims` with one axis."""
    return expand_dims(x, dim)


@op(torch="flatten", method=True)
def flatten(x: Tensor, start_dim: int = 0, end_dim: int = -1) -> Tensor:
    """Merge axes ``start_dim`` to ``end_dim`` (inclusive) into one; a 0-d tensor becomes 1-D."""
    if x.ndim == 0:
        return reshape(x, (1,))
    s = normalize_one_axis(start_dim, x.ndim, "flatten")
    e = normalize_one_axis(end_dim, x.ndim, "flatten")
    if s > e:
        raise OpError(f"flatten: start_dim {start_dim} comes after end_dim {end_dim} for "
                      f"shape {x.shape}")
    n = int(np.prod(x.shape[s:e + 1], dtype=np.int64))
    return reshape(x, x.shape[:s] + (n,) + x.shape[e + 1:])


@op(torch="unflatten", method=True)
def unflatten(x: Tensor, axis: int, sizes: Sequence[int]) -> Tensor:
    """Split axis ``axis`` into axes of ``sizes`` (one may be -1)."""
    ax = normalize_one_axis(axis, x.ndim, "unflatten")
    sizes = tuple(int(n) for n in sizes)
    known = int(np.prod([n for n in sizes if n != -1], dtype=np.int64))
    n = x.shape[ax]
    if sizes.count(-1) > 1 or (sizes.count(-1) == 0 and known != n) or (
            sizes.count(-1) == 1 and (known == 0 or n % known)):
        raise OpError(f"unflatten: sizes {sizes} do not fit axis {axis} of length {n} "
                      f"(shape {x.shape})")
    sizes = tuple(n // known if s == -1 else s for s in sizes)
    return reshape(x, x.shape[:ax] + sizes + x.shape[ax + 1:])


@op(torch="permute", method=True)
def permute(x: Tensor, *dims: Any) -> Tensor:
    """Reorder the axes (PyTorch's ``permute``; NumPy's ``transpose(axes)``)."""
    dims = _shape_arg(dims)
    if len(dims) != x.ndim or sorted(d % max(x.ndim, 1) for d in dims) != list(range(x.ndim)):
        raise OpError(f"permute: {dims} is not a permutation of the {x.ndim} axes of shape "
                      f"{x.shape}")
    normalize_axis(dims, x.ndim, "permute")
    return transpose(x, tuple(d % x.ndim for d in dims))


@op("swapaxes", torch=("swapaxes", "transpose"), method=True)
def swapaxes(x: Tensor, axis1: int, axis2: int) -> Tensor:
    """Exchange two axes (PyTorch's ``transpose(a, b)``)."""
    a = normalize_one_axis(axis1, x.ndim, "swapaxes")
    b = normalize_one_axis(axis2, x.ndim, "swapaxes")
    order = list(range(x.ndim))
    order[a], order[b] = order[b], order[a]
    return x if a == b else transpose(x, order)


@op("moveaxis", torch=("moveaxis", "movedim"), method=True)
def moveaxis(x: Tensor, source: int | Sequence[int],
             destination: int | Sequence[int]) -> Tensor:
    """Move axes to new positions, keeping the order of the others (NumPy's ``moveaxis``)."""
    src = [source] if isinstance(source, (int, np.integer)) else list(source)
    dst = [destination] if isinstance(destination, (int, np.integer)) else list(destination)
    if len(src) != len(dst):
        raise OpError(f"moveaxis: source {source} and destination {destination} differ in "
                      "length")
    src = [normalize_one_axis(a, x.ndim, "moveaxis") for a in src]
    dst = [normalize_one_axis(a, x.ndim, "moveaxis") for a in dst]
    if len(set(src)) != len(src) or len(set(dst)) != len(dst):
        raise OpError(f"moveaxis: repeated axis in {source} or {destination}")
    order = [a for a in range(x.ndim) if a not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return transpose(x, order) if order != list(range(x.ndim)) else x


@op(torch="expand", method=True)
def expand(x: Tensor, *sizes: Any) -> Tensor:
    """Broadcast to ``sizes``, where -1 keeps that axis (PyTorch's ``expand``)."""
    sizes = _shape_arg(sizes)
    lead = len(sizes) - x.ndim
    if lead < 0:
        raise OpError(f"expand: cannot expand shape {x.shape} to fewer dimensions {sizes}")
    shape = tuple(x.shape[i - lead] if n == -1 and i >= lead else n for i, n in enumerate(sizes))
    try:
        np.broadcast_shapes(x.shape, shape)
    except ValueError:
        raise OpError(f"expand: shape {x.shape} cannot be expanded to {sizes}") from None
    if any(n < 0 for n in shape) or np.broadcast_shapes(x.shape, shape) != shape:
        raise OpError(f"expand: shape {x.shape} cannot be expanded to {sizes}")
    return broadcast_to(x, shape)


class Tile(Function):
    """``np.tile``; backward sums the copies back onto the input."""

    def __init__(self, reps: tuple[int, ...]) -> None:
        self.reps = reps

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tile(x, self.reps)

    def backward(self, gy: Tensor) -> Tensor:
        shape = self.inputs[0].shape
        full = (1,) * (gy.ndim - len(shape)) + shape
        reps = gy.shape[:gy.ndim - len(full)] + tuple(
            g // n if n else 0 for g, n in zip(gy.shape[gy.ndim - len(full):], full))
        # gy viewed as (r0, n0, r1, n1, ...): sum over the r axes
        split_shape = tuple(v for r, n in zip(reps, full) for v in (r, n))
        if 0 in gy.shape:
            return zeros(shape, dtype=gy.dtype)
        g = reshape(gy, split_shape)
        g = g.sum(axis=tuple(range(0, len(split_shape), 2)))
        return reshape(g, shape)

    def attrs(self) -> dict[str, Any]:
        return {"reps": self.reps}


@op("tile", torch="tile", method=True)
def tile(x: Tensor, reps: int | Sequence[int]) -> Tensor:
    """Repeat the whole tensor ``reps`` times along each axis (NumPy's ``tile``)."""
    reps = (int(reps),) if isinstance(reps, (int, np.integer)) else tuple(int(r) for r in reps)
    if any(r < 0 for r in reps):
        raise OpError(f"tile: repetitions must be non-negative, got {reps}")
    return Tile(reps)(x)


@op(torch="repeat", method=True)
def repeat(x: Tensor, *sizes: Any) -> Tensor:
    """PyTorch's ``repeat``: :func:`tile` with one count per axis (at least ``x.ndim`` of them).

    Not NumPy's ``repeat``, which is :func:`repeat_interleave` here.
    """
    sizes = _shape_arg(sizes)
    if len(sizes) < x.ndim:
        raise OpError(f"repeat: got {len(sizes)} repeat counts {sizes} for a tensor of shape "
                      f"{x.shape}; need at least {x.ndim}")
    return tile(x, sizes)


@op(torch="repeat_interleave", method=True)
def repeat_interleave(x: Tensor, repeats: int | Sequence[int], axis: int | None = None, *,
                      dim: int | None = None) -> Tensor:
    """Repeat each element ``repeats`` times along ``axis`` (NumPy's ``repeat``).

    ``axis=None`` flattens first. ``repeats`` is an int or one count per element.
    """
    axis = pick_alias(axis, dim, "axis", "dim", "repeat_interleave")
    if axis is None:
        x = reshape(x, (-1,))
        axis = 0
    ax = normalize_one_axis(axis, x.ndim, "repeat_interleave")
    n = x.shape[ax]
    reps = np.asarray(repeats.data if isinstance(repeats, Tensor) else repeats)
    if reps.dtype.kind not in "iu" or reps.ndim > 1 or (reps.ndim == 1 and reps.size != n) \
            or (reps < 0).any():
        raise OpError(f"repeat_interleave: repeats must be a non-negative int or {n} of them "
                      f"for axis {axis} of shape {x.shape}, got {repeats!r}")
    idx = np.repeat(np.arange(n), reps)
    return getitem(x, (slice(None),) * ax + (idx,))


@op("flip", torch="flip", method=True)
def flip(x: Tensor, axis: Axis = None, *, dims: Axis = None) -> Tensor:
    """Reverse the order of elements along ``axis`` (all axes when None); ``dims=`` accepted."""
    axis = pick_alias(axis, dims, "axis", "dims", "flip")
    axes = normalize_axis(axis, x.ndim, "flip")
    if x.ndim == 0:
        return x
    axes = tuple(range(x.ndim)) if axes is None else axes
    return getitem(x, tuple(slice(None, None, -1) if i in axes else slice(None)
                            for i in range(x.ndim)))


class Roll(Function):
    """``np.roll``; backward rolls the gradient back."""

    def __init__(self, shift: Any, axis: Any) -> None:
        self.shift = shift
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.roll(x, self.shift, self.axis)

    def backward(self, gy: Tensor) -> Tensor:
        neg = (tuple(-s for s in self.shift) if isinstance(self.shift, tuple)
               else -self.shift)
        return Roll(neg, self.axis)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"shift": self.shift, "axis": self.axis}


@op("roll", torch="roll", method=True)
def roll(x: Tensor, shift: int | Sequence[int], axis: int | Sequence[int] | None = None, *,
         dims: Any = None) -> Tensor:
    """Shift elements along ``axis`` cyclically (``axis=None``: over the flattened tensor).

    ``shift`` is an int or a sequence of ints, one per axis (or one for all of them).
    With ``axis=None`` a sequence rolls the flattened tensor by its sum, as NumPy does
    (a one-element sequence is the same as its element, as in PyTorch).
    """
    axis = pick_alias(axis, dims, "axis", "dims", "roll")
    shifts = _roll_shifts(shift)
    if axis is not None:
        axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
        for a in axes:
            normalize_one_axis(a, x.ndim, "roll")
        if len(shifts) != len(axes) and len(shifts) != 1 and len(axes) != 1:
            raise OpError(f"roll: {len(shifts)} shifts for {len(axes)} axes")
        if not shifts:
            raise OpError("roll: shift is an empty sequence; give one shift per axis")
        axis = axes if len(axes) > 1 else axes[0]
        return Roll(shifts if len(shifts) > 1 else shifts[0], axis)(x)
    return Roll(sum(shifts), None)(x)


def _roll_shifts(shift: Any) -> tuple[int, ...]:
    """``roll``'s shift as a tuple of ints (an int, a sequence or a 0-d/1-d integer array)."""
    arr = np.asarray(shift)
    if arr.ndim > 1 or (arr.dtype.kind not in "iu" and arr.size) or isinstance(shift, bool):
        raise OpTypeError(f"roll: shift must be an int or a sequence of ints, got {shift!r}")
    return tuple(int(s) for s in arr.reshape(-1))


@op("diagonal", torch="diagonal", method=True)
def diagonal(x: Tensor, offset: int = 0, axis1: int = 0, axis2: int = 1, *,
             dim1: int | None = None, dim2: int | None = None) -> Tensor:
    """The diagonal of the (axis1, axis2) planes, as a new last axis (NumPy's ``diagonal``).

    ``dim1``/``dim2`` are accepted for ``axis1``/``axis2``; a copy, not a view.
    """
    axis1 = pick_alias(axis1, dim1, "axis1", "dim1", "diagonal", default=0)
    axis2 = pick_alias(axis2, dim2, "axis2", "dim2", "diagonal", default=1)
    if x.ndim < 2:
        raise OpError(f"diagonal: needs at least 2 dimensions, got shape {x.shape}")
    a = normalize_one_axis(axis1, x.ndim, "diagonal")
    b = normalize_one_axis(axis2, x.ndim, "diagonal")
    if a == b:
        raise OpError(f"diagonal: axis1 and axis2 are the same axis {a}")
    y = moveaxis(x, (a, b), (-2, -1))
    n, m = y.shape[-2:]
    rows = np.arange(max(0, -offset), max(0, min(n, m - offset)))
    return getitem(y, (Ellipsis, rows, rows + offset))


_diagonal = diagonal


class Diag(Function):
    """``np.diag`` of a 1-D tensor: the square matrix with it on diagonal ``k``."""

    def __init__(self, k: int) -> None:
        self.k = k

    def forward(self, v: np.ndarray) -> np.ndarray:
        return np.diag(v, self.k)

    def backward(self, gy: Tensor) -> Tensor:
        return diagonal(gy, self.k)

    def attrs(self) -> dict[str, Any]:
        return {"k": self.k}


@op("diag", torch="diag", method=True)
def diag(x: Tensor, k: int = 0, *, diagonal: int | None = None) -> Tensor:
    """1-D: a matrix with ``x`` on diagonal ``k``; 2-D: its diagonal ``k`` (NumPy's ``diag``)."""
    k = pick_alias(k, diagonal, "k", "diagonal", "diag", default=0)
    if x.ndim == 1:
        return Diag(int(k))(x)
    if x.ndim == 2:
        return _diagonal(x, k)
    raise OpError(f"diag: needs a 1-D or 2-D tensor, got shape {x.shape}")


def _dtype_arg(shape: tuple[Any, ...]) -> np.dtype | None:
    """The dtype of ``view(dtype)`` (one argument that is a dtype, not a size), else None."""
    if len(shape) != 1 or isinstance(shape[0], (bool, int, np.integer, tuple, list, Tensor)):
        return None
    try:
        return np.dtype(shape[0])
    except TypeError:
        return None


@op(torch="view", method=True)
def view(x: Tensor, *shape: Any) -> Tensor:
    """PyTorch's name for :func:`reshape` (a copy may be made; values are what matter).

    ``view(dtype)`` reinterprets the bits instead, as NumPy's ``ndarray.view(dtype)``
    and PyTorch's ``Tensor.view(dtype)``: the last axis shrinks or grows by the ratio of
    the item sizes. The result is a new tensor with no gradient.
    """
    dt = _dtype_arg(shape)
    if dt is not None:
        x = x if isinstance(x, Tensor) else Tensor(x)
        try:
            data = x.data if x.data.flags.c_contiguous else x.data.copy(order="C")
            bits = data.view(dt)
        except ValueError as e:
            raise OpError(f"view: cannot view a tensor of shape {x.shape} and dtype {x.dtype} "
                          f"as {dt}: {e}") from None
        return Tensor(bits.copy())
    return reshape(x, _shape_arg(shape))


class Unbind(Function):
    """The slices of ``x`` along ``axis``, that axis removed: one op with one output per slice.

    Backward stacks the slices' gradients (zeros for a slice that got none), so
    taking every step of a sequence costs one gradient array, not one per step.
    """

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> tuple[np.ndarray, ...]:
        return tuple(np.array(s) for s in np.moveaxis(x, self.axis, 0))

    def backward(self, *gys: Tensor) -> Tensor:
        return stack(list(gys), self.axis)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


@op(torch="unbind", method=True)
def unbind(x: Tensor, dim: int = 0, *, axis: int | None = None) -> tuple[Tensor, ...]:
    """The slices of ``x`` along ``dim``, each without that axis (PyTorch's ``unbind``).

    One op however many slices there are: its backward stacks their gradients,
    where indexing each slice (``x[t]``) would make one full-size gradient per
    slice. ``axis=`` is accepted for ``dim=``.

    Examples
    --------
    >>> import minigrad as mg
    >>> a, b = mg.unbind(mg.tensor([[1.0, 2.0], [3.0, 4.0]]), 1)
    >>> a.data, b.data
    (array([1., 3.]), array([2., 4.]))
    """
    dim = pick_alias(dim, axis, "dim", "axis", "unbind", default=0)
    if not isinstance(x, Tensor):
        x = Tensor(x)
    if x.ndim == 0:
        raise OpError("unbind: a 0-d tensor has no axis to unbind")
    ax = normalize_one_axis(dim, x.ndim, "unbind")
    if x.shape[ax] == 0:
        return ()
    out = Unbind(ax)(x)
    return out if isinstance(out, tuple) else (out,)


# ``tril`` and ``triu`` lived here; they are in minigrad.ops.indexing now.
__getattr__ = forward_names(__name__, dict.fromkeys(["tril", "triu"], "minigrad.ops.indexing"))


# -- sliding windows (PyTorch's Tensor.unfold) -------------------------------------------------

__all__ += ["unfold_windows"]


@op(torch="unfold", method={"unfold": True})
def unfold_windows(x: Tensor, dimension: int, size: int, step: int) -> Tensor:
    """Every window of ``size`` along ``dimension``, ``step`` apart (``Tensor.unfold``).

    ``x.unfold(dim, size, step)`` replaces axis ``dim`` (length ``n``) by the
    ``(n - size) // step + 1`` windows and appends an axis of length ``size`` holding
    each window, as PyTorch's ``Tensor.unfold``. (``F.unfold`` is the im2col of
    convolutions, another op.) Differentiable: overlapping windows add their
    gradients.
    """
    if not isinstance(x, Tensor):
        x = Tensor(x)
    for name, v in (("size", size), ("step", step)):
        if isinstance(v, bool) or not isinstance(v, (int, np.integer)):
            raise OpTypeError(f"unfold: {name} must be an int, got {type(v).__name__}")
    if step <= 0:
        raise OpError(f"unfold: step must be positive, got {step}")
    if size < 0:
        raise OpError(f"unfold: size must be non-negative, got {size}")
    if x.ndim == 0:
        normalize_axis(dimension, 0, "unfold")
        if size > 1:
            raise OpError(f"unfold: size {size} is larger than the 0-d tensor (at most 1)")
        return getitem(reshape(x, (1,)), slice(0, size))
    ax = normalize_one_axis(dimension, x.ndim, "unfold")
    n = x.shape[ax]
    if size > n:
        raise OpError(f"unfold: size {size} is larger than axis {dimension} of length {n} "
                      f"(shape {x.shape})")
    starts = np.arange(0, n - size + 1, step)
    windows = starts[:, None] + np.arange(size)[None, :]  # (L, size)
    picked = getitem(x, (slice(None),) * ax + (windows,))  # (..., L, size, ...)
    return moveaxis(picked, ax + 1, -1)
