"""Shape operations: reshape, transpose, broadcast_to, sum_to and indexing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd import Function, broadcast_axes
from minigrad.tensor import Tensor, _alias

__all__ = ["reshape", "transpose", "broadcast_to", "sum_to", "getitem", "sum_to_array"]


def sum_to_array(x: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Sum ``x`` over the axes that broadcasting added or stretched, giving ``shape``."""
    if x.shape == shape:
        return x
    lead = x.ndim - len(shape)
    if lead < 0:
        raise ValueError(f"sum_to: cannot sum shape {x.shape} to the larger shape {shape}")
    for i, n in enumerate(shape):
        if n != 1 and x.shape[i + lead] != n:
            raise ValueError(f"sum_to: shape {x.shape} cannot be summed to shape {shape}")
    y = x.sum(axis=broadcast_axes(shape, x.shape), keepdims=True)
    return y.reshape(shape) if lead else y


class Reshape(Function):
    """``x.reshape(shape)``."""

    elementwise = False
    broadcasting = False

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(self.shape)

    def backward(self, gy: Tensor) -> Tensor:
        return reshape(gy, self.inputs[0].shape)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


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

    elementwise = False
    broadcasting = False

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


def transpose(x: Tensor, axes: Sequence[int] | None = None) -> Tensor:
    """Permute the axes of ``x`` (reverse them when ``axes`` is None)."""
    return _view_of(Transpose(None if axes is None else tuple(axes))(x), x)


class BroadcastTo(Function):
    """Broadcast to a shape; backward sums the gradient back (``sum_to``)."""

    elementwise = False
    broadcasting = True

    def __init__(self, shape: tuple[int, ...]) -> None:
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.broadcast_to(x, self.shape)

    def backward(self, gy: Tensor) -> Tensor:
        return sum_to(gy, self.inputs[0].shape)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


def broadcast_to(x: Tensor, shape: Sequence[int]) -> Tensor:
    """Broadcast ``x`` to ``shape`` as NumPy does."""
    shape = tuple(shape)
    if isinstance(x, Tensor) and x.shape == shape:
        return x
    return BroadcastTo(shape)(x)


class SumTo(Function):
    """Sum over broadcast axes to reach a shape; backward broadcasts the gradient."""

    elementwise = False
    broadcasting = False

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

    elementwise = False
    broadcasting = False

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

    elementwise = False
    broadcasting = False

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


def getitem(x: Tensor, index: Any) -> Tensor:
    """Index ``x`` like an ndarray; out-of-range indices raise IndexError naming the shape."""
    index = _plain_index(index)
    if isinstance(index, list):
        index = np.asarray(index)
    return _view_of(GetItem(index)(x), x)
