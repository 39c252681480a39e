"""Reductions: sum, mean, max and min over any axes, with or without keepdims."""

from __future__ import annotations

import builtins
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.shape import broadcast_to, reshape
from minigrad.tensor import Tensor

__all__ = ["sum", "mean", "max", "min", "normalize_axis"]

Axis = int | Sequence[int] | None


def normalize_axis(axis: Axis, ndim: int, where: str) -> tuple[int, ...] | None:
    """Return ``axis`` as a sorted tuple of non-negative ints (None means every axis)."""
    if axis is None:
        return None
    axes = (axis,) if isinstance(axis, (int, np.integer)) else tuple(axis)
    out = []
    for a in axes:
        if not -ndim <= a < builtins.max(ndim, 1):
            raise ValueError(f"{where}: axis {a} is out of range for a tensor with {ndim} "
                             "dimensions")
        out.append(int(a) % builtins.max(ndim, 1))
    if len(set(out)) != len(out):
        raise ValueError(f"{where}: repeated axis in {axis}")
    return tuple(sorted(out))


def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The result's shape with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class _Reduction(Function):
    """Shared set-up of a reduction over ``axes``."""

    elementwise = False
    broadcasting = False

    def __init__(self, axes: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axes = axes
        self.keepdims = keepdims

    def _grad_to_input(self, gy: Tensor) -> Tensor:
        """Reshape gy to keepdims form and broadcast it to the input's shape."""
        shape = self.inputs[0].shape
        return broadcast_to(reshape(gy, _kept_shape(shape, self.axes)), shape)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axes, "keepdims": self.keepdims}


class Sum(_Reduction):
    """Sum over axes."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.sum(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Tensor) -> Tensor:
        return self._grad_to_input(gy)


class Mean(_Reduction):
    """Mean over axes."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        n = x.size // builtins.max(self.output().size, 1) if x.size else 1
        return self._grad_to_input(gy) / n


class Max(_Reduction):
    """Maximum over axes; tied maxima share the gradient evenly."""

    op: Any = staticmethod(np.max)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.op(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0].data
        y = self.op(x, axis=self.axes, keepdims=True)
        mask = (x == y).astype(gy.dtype)
        mask /= mask.sum(axis=self.axes, keepdims=True)
        return self._grad_to_input(gy) * mask


class Min(Max):
    """Minimum over axes; tied minima share the gradient evenly."""

    op: Any = staticmethod(np.min)


def sum(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Sum of ``x`` over ``axis`` (all axes when None)."""
    return Sum(normalize_axis(axis, x.ndim, "sum"), keepdims)(x)


def mean(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:
    """Mean of ``x`` over ``axis`` (all axes when None)."""
    return Mean(normalize_axis(axis, x.ndim, "mean"), keepdims)(x)


def max(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Maximum of ``x`` over ``axis``; ties share the gradient evenly."""
    if x.size == 0:
        raise ValueError(f"max: cannot reduce an empty tensor of shape {x.shape}")
    return Max(normalize_axis(axis, x.ndim, "max"), keepdims)(x)


def min(x: Tensor, axis: Axis = None, keepdims: bool = False) -> Tensor:  # noqa: A001
    """Minimum of ``x`` over ``axis``; ties share the gradient evenly."""
    if x.size == 0:
        raise ValueError(f"min: cannot reduce an empty tensor of shape {x.shape}")
    return Min(normalize_axis(axis, x.ndim, "min"), keepdims)(x)
