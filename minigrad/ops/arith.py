"""Arithmetic with NumPy broadcasting: add, sub, mul, div, neg, pow.

Where an input was broadcast in forward, backward sums its gradient back
to the input's shape with :func:`~minigrad.ops.shape.sum_to`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.shape import sum_to
from minigrad.tensor import Tensor

__all__ = ["add", "sub", "mul", "div", "neg", "pow"]


class Add(Function):
    """``a + b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (sum_to(gy, a.shape) if na else None, sum_to(gy, b.shape) if nb else None)


class Sub(Function):
    """``a - b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (sum_to(gy, a.shape) if na else None, sum_to(-gy, b.shape) if nb else None)


class Mul(Function):
    """``a * b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (sum_to(gy * b, a.shape) if na else None, sum_to(gy * a, b.shape) if nb else None)


class Div(Function):
    """``a / b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a / b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        ga = sum_to(gy / b, a.shape) if na else None
        gb = sum_to(-gy * a / (b * b), b.shape) if nb else None
        return ga, gb


class Neg(Function):
    """``-x``."""

    elementwise = True
    broadcasting = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -x

    def backward(self, gy: Tensor) -> Tensor:
        return -gy


class Pow(Function):
    """``x ** c`` for a constant exponent ``c``."""

    elementwise = True
    broadcasting = False

    def __init__(self, c: float) -> None:
        self.c = c

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x ** self.c

    def backward(self, gy: Tensor) -> Tensor:
        (x,) = self.inputs
        c = self.c
        if c == 2:
            return gy * (2 * x)
        if c == 1:
            return gy
        if c == 0:  # d/dx x**0 = 0 everywhere (x**-1 would give nan at 0)
            return gy * 0
        return gy * (c * x ** (c - 1))

    def attrs(self) -> dict[str, Any]:
        return {"exponent": self.c}


class PowTensor(Function):
    """``a ** b`` where the exponent is a tensor too."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a ** b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            # PyTorch's convention: d/da a**b is 0 where b == 0, also at a == 0; there the
            # exponent b - 1 is raised to 0, so no 0 * inf appears (elsewhere b * ... is 0)
            b0 = (b.data == 0) & (a.data == 0)
            e = b - 1 + b0.astype(b.dtype) if b0.any() else b - 1
            ga = sum_to(gy * b * a ** e, a.shape)
        if nb:
            # and d/db a**b is 0 where a == 0 and b >= 0 (log(0) is replaced by log(1))
            with np.errstate(invalid="ignore"):
                a0 = (a.data == 0) & (b.data >= 0)
            safe_a = a + a0.astype(a.dtype) if a0.any() else a
            gb = sum_to(gy * self.output() * safe_a.log(), b.shape)
        return ga, gb


def add(a: Any, b: Any) -> Tensor:
    """Elementwise ``a + b`` with broadcasting."""
    return Add()(a, b)


def sub(a: Any, b: Any) -> Tensor:
    """Elementwise ``a - b`` with broadcasting."""
    return Sub()(a, b)


def mul(a: Any, b: Any) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    return Mul()(a, b)


def div(a: Any, b: Any) -> Tensor:
    """Elementwise ``a / b`` with broadcasting."""
    return Div()(a, b)


def neg(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    return Neg()(x)


def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - mirrors the operator's name
    """Elementwise ``a ** b``; a Python number as exponent is a constant."""
    if isinstance(b, (int, float)) and not isinstance(b, bool) and isinstance(a, Tensor):
        return Pow(b)(a)
    return PowTensor()(a, b)
