"""Elementwise functions: exp, log, sqrt, sin, cos, tanh, sigmoid, relu, abs."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.tensor import Tensor, _make

__all__ = ["exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs", "astype"]


class Exp(Function):
    """``e ** x``."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * self.output()


class Log(Function):
    """Natural logarithm."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / self.inputs[0]


class Sqrt(Function):
    """Square root."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sqrt(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / (2 * self.output())


class Sin(Function):
    """Sine."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sin(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * cos(self.inputs[0])


class Cos(Function):
    """Cosine."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cos(x)

    def backward(self, gy: Tensor) -> Tensor:
        return -gy * sin(self.inputs[0])


class Tanh(Function):
    """Hyperbolic tangent."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * (1 - y * y)


class Sigmoid(Function):
    """Logistic sigmoid ``1 / (1 + e**-x)``.

    For very negative x, ``e**-x`` overflows to inf and the result is the
    correct limit 0; that overflow is expected, so its warning is silenced.
    """

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-x))

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * y * (1 - y)


class ReLU(Function):
    """``max(x, 0)``; the gradient at 0 is taken as 0."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * (self.inputs[0].data > 0).astype(gy.dtype)


class Abs(Function):
    """Absolute value; the gradient at 0 is taken as 0."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * np.sign(self.inputs[0].data)


class Cast(Function):
    """Convert to another floating-point dtype; the gradient is cast back."""

    elementwise = True
    broadcasting = False

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.astype(self.dtype)

    def backward(self, gy: Tensor) -> Tensor:
        return Cast(self.inputs[0].dtype)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"dtype": str(self.dtype)}


def astype(x: Tensor, dtype: Any) -> Tensor:
    """Return ``x`` converted to ``dtype`` (a copy).

    Differentiable from a floating-point dtype to a floating-point dtype (the
    gradient comes back in ``x``'s dtype, as with PyTorch's ``.to``); any
    other cast gives a tensor outside the graph.
    """
    dt = np.dtype(dtype)
    if x.dtype.kind == "f" and dt.kind == "f":
        return Cast(dt)(x)
    return _make(x.data.astype(dt))


def exp(x: Tensor) -> Tensor:
    """Elementwise ``e ** x``."""
    return Exp()(x)


def log(x: Tensor) -> Tensor:
    """Elementwise natural logarithm."""
    return Log()(x)


def sqrt(x: Tensor) -> Tensor:
    """Elementwise square root."""
    return Sqrt()(x)


def sin(x: Tensor) -> Tensor:
    """Elementwise sine."""
    return Sin()(x)


def cos(x: Tensor) -> Tensor:
    """Elementwise cosine."""
    return Cos()(x)


def tanh(x: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return Tanh()(x)


def sigmoid(x: Tensor) -> Tensor:
    """Elementwise logistic sigmoid."""
    return Sigmoid()(x)


def relu(x: Tensor) -> Tensor:
    """Elementwise ``max(x, 0)``."""
    return ReLU()(x)


def abs(x: Tensor) -> Tensor:  # noqa: A001 - mirrors NumPy's name
    """Elementwise absolute value."""
    return Abs()(x)
