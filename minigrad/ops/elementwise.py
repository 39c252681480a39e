"""Elementwise math: arithmetic, exponentials and logarithms, trigonometry, rounding.

Also remainders, clipping and the elementwise maximum and minimum, tests of values, and
logical and bitwise operators: every op whose output element ``i`` depends only on
input element ``i`` (after broadcasting), except the activation functions
(:mod:`minigrad.ops.activation`).

Each differentiable op is one :class:`~minigrad.Function` with its backward written in
tensor ops (so it can be differentiated again); where an input was broadcast, backward
sums its gradient back with :func:`~minigrad.ops.shape.sum_to`. Ops whose result is
integer or boolean (``isnan``, ``&``, ``//`` ...) record nothing: their result has
``requires_grad=False``, as in PyTorch.

Non-differentiable points follow PyTorch's convention, stated in each docstring.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import Function, OpError, OpTypeError
from minigrad.ops.catalogue import REFLECTED, op
from minigrad.ops.indexing import Where, _array, _broadcast_shape
from minigrad.ops.shape import pick_alias
from minigrad.tensor import Tensor, _float_operand, _make, as_tensor

__all__ = [
    "add", "sub", "mul", "neg", "pow",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "astype",
    "log2", "log10", "exp2", "log1p", "expm1", "rsqrt", "reciprocal", "square",
    "sign", "floor", "ceil", "round", "trunc",
    "tan", "asin", "acos", "atan", "atan2", "sinh", "cosh", "asinh", "acosh", "atanh",
    "erf", "lerp", "hypot", "logaddexp", "copysign", "mod", "remainder", "fmod", "floor_divide",
    "divide", "isnan", "isinf", "isfinite", "isposinf", "isneginf", "isclose",
    "logical_and", "logical_or", "logical_xor", "logical_not",
    "bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "invert",
    "left_shift", "right_shift",
    "clip", "clamp", "maximum", "minimum",
]


# -- arithmetic (the operators + - * / and **)

class Add(Function):
    """``a + b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a + b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (gy if na else None, gy if nb else None)


class Sub(Function):
    """``a - b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a - b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (gy if na else None, -gy if nb else None)


class Mul(Function):
    """``a * b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a * b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (gy * b if na else None, gy * a if nb else None)


class Div(Function):
    """``a / b``."""

    elementwise = True
    broadcasting = True

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return a / b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        ga = gy / b if na else None
        gb = -gy * a / (b * b) if nb else None
        return ga, gb


class Neg(Function):
    """``-x``."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return -x

    def backward(self, gy: Tensor) -> Tensor:
        return -gy


class Pow(Function):
    """``x ** c`` for a constant exponent ``c``."""

    elementwise = True

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
            ga = gy * b * a ** e
        if nb:
            # and d/db a**b is 0 where a == 0 and b >= 0 (log(0) is replaced by log(1))
            with np.errstate(invalid="ignore"):
                a0 = (a.data == 0) & (b.data >= 0)
            safe_a = a + a0.astype(a.dtype) if a0.any() else a
            gb = gy * self.output() * safe_a.log()
        return ga, gb


# The operators ``+ - * /`` of Tensor: a Python float beside a tensor becomes the tensor's
# shared constant at once (the fast path of the most common ops; see _float_operand).
def _add(self: Tensor, other: Any) -> Tensor:
    return Add()(self, _float_operand(self, other))


def _radd(self: Tensor, other: Any) -> Tensor:
    return Add()(_float_operand(self, other), self)


def _sub(self: Tensor, other: Any) -> Tensor:
    return Sub()(self, _float_operand(self, other))


def _rsub(self: Tensor, other: Any) -> Tensor:
    return Sub()(_float_operand(self, other), self)


def _mul(self: Tensor, other: Any) -> Tensor:
    return Mul()(self, _float_operand(self, other))


def _rmul(self: Tensor, other: Any) -> Tensor:
    return Mul()(_float_operand(self, other), self)


def _truediv(self: Tensor, other: Any) -> Tensor:
    return Div()(self, _float_operand(self, other))


def _rtruediv(self: Tensor, other: Any) -> Tensor:
    return Div()(_float_operand(self, other), self)


@op("add", torch="add", method={"add": True, "__add__": _add, "__radd__": _radd})
def add(a: Any, b: Any) -> Tensor:
    """Elementwise ``a + b`` with broadcasting."""
    return Add()(a, b)


@op("subtract", torch=("sub", "subtract"),
    method={"sub": True, "subtract": True, "__sub__": _sub, "__rsub__": _rsub})
def sub(a: Any, b: Any) -> Tensor:
    """Elementwise ``a - b`` with broadcasting."""
    return Sub()(a, b)


@op("multiply", torch=("mul", "multiply"),
    method={"mul": True, "multiply": True, "__mul__": _mul, "__rmul__": _rmul})
def mul(a: Any, b: Any) -> Tensor:
    """Elementwise ``a * b`` with broadcasting."""
    return Mul()(a, b)


def div(a: Any, b: Any) -> Tensor:
    """Elementwise ``a / b`` with broadcasting (the plain op; ``mg.divide`` also rounds)."""
    return Div()(a, b)


@op("negative", torch=("neg", "negative"), method={"neg": True, "negative": True, "__neg__": True})
def neg(x: Any) -> Tensor:
    """Elementwise ``-x``."""
    return Neg()(x)


@op("power", "pow", torch="pow", method={"pow": True, "__pow__": True, "__rpow__": REFLECTED})
def pow(a: Any, b: Any) -> Tensor:  # noqa: A001 - mirrors the operator's name
    """Elementwise ``a ** b``; a Python number as exponent is a constant."""
    if isinstance(b, (int, float)) and not isinstance(b, bool) and isinstance(a, Tensor):
        return Pow(b)(a)
    return PowTensor()(a, b)



# -- exponentials, logarithms, roots, trigonometry, absolute value, casts

class Exp(Function):
    """``e ** x``."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.exp(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * self.output()


class Log(Function):
    """Natural logarithm."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / self.inputs[0]


class Sqrt(Function):
    """Square root."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sqrt(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / (2 * self.output())


class Sin(Function):
    """Sine."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sin(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * cos(self.inputs[0])


class Cos(Function):
    """Cosine."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cos(x)

    def backward(self, gy: Tensor) -> Tensor:
        return -gy * sin(self.inputs[0])


class Tanh(Function):
    """Hyperbolic tangent."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tanh(x)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * (1 - y * y)


class Abs(Function):
    """Absolute value; the gradient at 0 is taken as 0."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.abs(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * np.sign(self.inputs[0].data)


class Cast(Function):
    """Convert to another floating-point dtype; the gradient is cast back."""

    elementwise = True

    def __init__(self, dtype: np.dtype) -> None:
        self.dtype = dtype

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.astype(self.dtype)

    def backward(self, gy: Tensor) -> Tensor:
        return Cast(self.inputs[0].dtype)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"dtype": str(self.dtype)}


@op("astype", method=True, functional=False)
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


@op("exp", torch="exp", method=True)
def exp(x: Tensor) -> Tensor:
    """Elementwise ``e ** x``."""
    return Exp()(x)


@op("log", torch="log", method=True)
def log(x: Tensor) -> Tensor:
    """Elementwise natural logarithm."""
    return Log()(x)


@op("sqrt", torch="sqrt", method=True)
def sqrt(x: Tensor) -> Tensor:
    """Elementwise square root."""
    return Sqrt()(x)


@op("sin", torch="sin", method=True)
def sin(x: Tensor) -> Tensor:
    """Elementwise sine."""
    return Sin()(x)


@op("cos", torch="cos", method=True)
def cos(x: Tensor) -> Tensor:
    """Elementwise cosine."""
    return Cos()(x)


@op("tanh", torch="tanh", method=True)
def tanh(x: Tensor) -> Tensor:
    """Elementwise hyperbolic tangent."""
    return Tanh()(x)


@op("abs", "absolute", torch=("abs", "absolute"),
    method={"abs": True, "absolute": True, "__abs__": True})
def abs(x: Tensor) -> Tensor:  # noqa: A001 - mirrors NumPy's name
    """Elementwise absolute value."""
    return Abs()(x)



_LN2 = math.log(2.0)
_LN10 = math.log(10.0)
_TWO_OVER_SQRT_PI = 2.0 / math.sqrt(math.pi)


class _Unary(Function):
    """Base of the one-input elementwise ops (metadata only)."""

    elementwise: ClassVar[bool] = True


class _Binary(Function):
    """Base of the two-input elementwise ops with broadcasting (metadata only)."""

    elementwise: ClassVar[bool] = True
    broadcasting: ClassVar[bool | tuple[int, ...]] = True


def _zeros_like(x: Tensor) -> Tensor:
    """A constant tensor of zeros (the gradient of a piecewise-constant op)."""
    return _make(np.zeros(x.shape, dtype=x.dtype if x.dtype.kind == "f" else np.float64))


# -- logarithms and exponentials ------------------------------------------------------------

class Log2(_Unary):
    """Base-2 logarithm; gradient ``1 / (x ln 2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log2(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / (self.inputs[0] * _LN2)


class Log10(_Unary):
    """Base-10 logarithm; gradient ``1 / (x ln 10)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log10(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / (self.inputs[0] * _LN10)


class Exp2(_Unary):
    """``2 ** x``; gradient ``2 ** x ln 2``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.exp2(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * self.output() * _LN2


class Log1p(_Unary):
    """``log(1 + x)``, accurate for small x; gradient ``1 / (1 + x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.log1p(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy / (self.inputs[0] + 1)


class Expm1(_Unary):
    """``exp(x) - 1``, accurate for small x; gradient ``exp(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.expm1(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * (self.output() + 1)


class Rsqrt(_Unary):
    """``1 / sqrt(x)``; gradient ``-0.5 * x ** -1.5``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return 1 / np.sqrt(x)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * (-0.5 * y * y * y)


class Reciprocal(_Unary):
    """``1 / x``; gradient ``-1 / x**2``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.reciprocal(x.astype(np.float64) if x.dtype.kind in "biu" else x)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return -gy * y * y


class Square(_Unary):
    """``x * x``; gradient ``2x``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.square(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * (2 * self.inputs[0])


# -- piecewise-constant ops: gradient zero everywhere (PyTorch's convention) -----------------

class _Stepwise(_Unary):
    """An op that is constant between its jumps: the gradient is zero everywhere.

    including at the jumps, as in PyTorch.
    """

    def backward(self, gy: Tensor) -> Tensor:
        return _zeros_like(self.inputs[0])


class Sign(_Stepwise):
    """``sign(x)`` (-1, 0 or 1); gradient 0 everywhere."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sign(x)


class Floor(_Stepwise):
    """Round down; gradient 0 everywhere."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.floor(x) if x.dtype.kind == "f" else x.copy()


class Ceil(_Stepwise):
    """Round up; gradient 0 everywhere."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.ceil(x) if x.dtype.kind == "f" else x.copy()


class Trunc(_Stepwise):
    """Round towards zero; gradient 0 everywhere."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.trunc(x) if x.dtype.kind == "f" else x.copy()


class Round(_Stepwise):
    """Round half to even to ``decimals`` places (NumPy's and PyTorch's rule); gradient 0."""

    def __init__(self, decimals: int = 0) -> None:
        self.decimals = decimals

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.round(x, self.decimals)

    def attrs(self) -> dict[str, Any]:
        return {"decimals": self.decimals}


# -- trigonometric and hyperbolic -----------------------------------------------------------

class Tan(_Unary):
    """Tangent; gradient ``1 + tan(x) ** 2``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.tan(x)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * (1 + y * y)


class Asin(_Unary):
    """Inverse sine; gradient ``1 / sqrt(1 - x**2)`` (infinite at +-1)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arcsin(x)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return gy / sqrt(1 - x * x)


class Acos(_Unary):
    """Inverse cosine; gradient ``-1 / sqrt(1 - x**2)`` (infinite at +-1)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arccos(x)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return -gy / sqrt(1 - x * x)


class Atan(_Unary):
    """Inverse tangent; gradient ``1 / (1 + x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arctan(x)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return gy / (x * x + 1)


class Atan2(_Binary):
    """``atan2(a, b)``, the angle of the point (b, a).

    Gradients ``b / r2`` and ``-a / r2`` with ``r2 = a**2 + b**2``; both are 0 at the
    origin, where atan2 is not differentiable (PyTorch's choice).
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.arctan2(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        r2 = a * a + b * b
        origin = r2.data == 0
        if origin.any():  # 0 there, as PyTorch; the division only sees r2 > 0
            one = np.ones((), dtype=r2.dtype)
            g = Where(origin)(np.zeros((), dtype=r2.dtype), gy / Where(origin)(one, r2))
        else:
            g = gy / r2
        return (g * b if na else None, -g * a if nb else None)


class Sinh(_Unary):
    """Hyperbolic sine; gradient ``cosh(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sinh(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * cosh(self.inputs[0])


class Cosh(_Unary):
    """Hyperbolic cosine; gradient ``sinh(x)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cosh(x)

    def backward(self, gy: Tensor) -> Tensor:
        return gy * sinh(self.inputs[0])


class Asinh(_Unary):
    """Inverse hyperbolic sine; gradient ``1 / sqrt(x**2 + 1)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arcsinh(x)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return gy / sqrt(x * x + 1)


class Acosh(_Unary):
    """Inverse hyperbolic cosine (x >= 1).

    Gradient ``1 / sqrt((x - 1)(x + 1))`` (infinite at 1).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arccosh(x)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return gy / sqrt((x - 1) * (x + 1))


class Atanh(_Unary):
    """Inverse hyperbolic tangent (-1 < x < 1); gradient ``1 / (1 - x**2)``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.arctanh(x)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return gy / (1 - x * x)


_erf_ufunc = np.frompyfunc(math.erf, 1, 1)


class Erf(_Unary):
    """The error function ``2/sqrt(pi) * integral_0^x exp(-t**2) dt``.

    Computed with ``math.erf`` per element (exact to double precision; NumPy has no erf).
    Gradient ``2/sqrt(pi) * exp(-x**2)``.
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        dtype = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
        return np.asarray(_erf_ufunc(x), dtype=np.float64).astype(dtype, copy=False)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return gy * (exp(-(x * x)) * _TWO_OVER_SQRT_PI)


# -- binary elementwise ---------------------------------------------------------------------

class Lerp(Function):
    """``start + weight * (end - start)``.

    Gradients ``1 - weight``, ``weight`` and ``end - start``. Like PyTorch, the value is computed as
    ``end - (end - start) * (1 - weight)`` where ``weight >= 0.5``, so that ``weight = 1`` gives
    ``end`` exactly.
    """

    elementwise: ClassVar[bool] = True
    broadcasting: ClassVar[bool | tuple[int, ...]] = True

    def forward(self, start: np.ndarray, end: np.ndarray, weight: np.ndarray) -> np.ndarray:
        d = end - start
        return np.where(np.abs(weight) < 0.5, start + weight * d, end - d * (1 - weight))

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        start, end, weight = self.inputs
        ns, ne, nw = self.needs_input_grad
        return (gy * (1 - weight) if ns else None,
                gy * weight if ne else None,
                gy * (end - start) if nw else None)


class LogAddExp(_Binary):
    """``log(exp(a) + exp(b))`` without overflow; gradients ``exp(a - y)``, ``exp(b - y)``."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.logaddexp(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        y = self.output()
        return (gy * exp(a - y) if na else None,
                gy * exp(b - y) if nb else None)


class Hypot(_Binary):
    """``sqrt(a**2 + b**2)`` without overflow; gradients ``a / y`` and ``b / y``.

    At ``a = b = 0`` the gradient is NaN, as PyTorch's (``0 / 0``).
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.hypot(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        g = gy / self.output()
        return (g * a if na else None, g * b if nb else None)


class CopySign(_Binary):
    """``|a|`` with the sign of ``b``.

    Gradient for ``a``: ``copysign(a, b) / a``, and 0 where ``a == 0``; for ``b``: 0
    everywhere (both as in PyTorch).
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.copysign(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        ga = gb = None
        if na:
            ad, y = a.data, np.copysign(a.data, b.data)
            with np.errstate(divide="ignore", invalid="ignore"):
                ratio = np.where(ad == 0, 0.0, y / np.where(ad == 0, 1.0, ad))
            ga = gy * ratio.astype(gy.dtype, copy=False)
        if nb:
            gb = _zeros_like(b)
        return ga, gb


class Mod(_Binary):
    """``a % b`` with the sign of ``b`` (NumPy's ``mod``, PyTorch's ``remainder``).

    Gradients ``1`` and ``-floor(a / b)``.
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.mod(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        gb = None
        if nb:
            q = np.floor_divide(a.data, b.data)
            gb = -gy * q.astype(gy.dtype, copy=False)
        return (gy if na else None, gb)


class Fmod(_Binary):
    """C's ``fmod``: the remainder with the sign of ``a``.

    Gradients ``1`` and ``-trunc(a / b)``.
    """

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return np.fmod(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        gb = None
        if nb:
            q = _trunc_divide_array(a.data, b.data)
            gb = -gy * q.astype(gy.dtype, copy=False)
        return (gy if na else None, gb)


class RoundedDivide(_Binary):
    """``a / b`` rounded towards zero (``"trunc"``) or down (``"floor"``).

    The gradient is 0 everywhere, as for PyTorch's ``div`` with a ``rounding_mode``.
    """

    def __init__(self, rounding_mode: str) -> None:
        self.rounding_mode = rounding_mode

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if self.rounding_mode == "floor":
            return np.floor_divide(a, b)
        return _trunc_divide_array(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        return (_zeros_like(a) if na else None, _zeros_like(b) if nb else None)

    def attrs(self) -> dict[str, Any]:
        return {"rounding_mode": self.rounding_mode}


def _trunc_divide_array(a: Any, b: Any) -> np.ndarray:
    """``a / b`` rounded towards zero; integer inputs stay integer."""
    a, b = np.asarray(a), np.asarray(b)
    if a.dtype.kind in "biu" and b.dtype.kind in "biu":
        q = np.floor_divide(a, b)
        r = np.mod(a, b)
        return q + ((r != 0) & ((a < 0) != (b < 0)))
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.trunc(np.true_divide(a, b))


# -- the public functions -------------------------------------------------------------------

@op("log2", torch="log2", method=True)
def log2(x: Any) -> Tensor:
    """Elementwise base-2 logarithm."""
    return Log2()(x)


@op("log10", torch="log10", method=True)
def log10(x: Any) -> Tensor:
    """Elementwise base-10 logarithm."""
    return Log10()(x)


@op("exp2", torch="exp2", method=True)
def exp2(x: Any) -> Tensor:
    """Elementwise ``2 ** x``."""
    return Exp2()(x)


@op("log1p", torch="log1p", method=True)
def log1p(x: Any) -> Tensor:
    """Elementwise ``log(1 + x)``, accurate near 0."""
    return Log1p()(x)


@op("expm1", torch="expm1", method=True)
def expm1(x: Any) -> Tensor:
    """Elementwise ``exp(x) - 1``, accurate near 0."""
    return Expm1()(x)


@op(torch="rsqrt", method=True)
def rsqrt(x: Any) -> Tensor:
    """Elementwise ``1 / sqrt(x)``."""
    return Rsqrt()(x)


@op("reciprocal", torch="reciprocal", method=True)
def reciprocal(x: Any) -> Tensor:
    """Elementwise ``1 / x`` (integers give float64, NumPy's true division)."""
    return Reciprocal()(x)


@op("square", torch="square", method=True)
def square(x: Any) -> Tensor:
    """Elementwise ``x * x``."""
    return Square()(x)


@op("sign", torch="sign", method=True)
def sign(x: Any) -> Tensor:
    """Elementwise sign (-1, 0 or 1); the gradient is 0 everywhere (PyTorch's convention)."""
    return Sign()(x)


@op("floor", torch="floor", method=True)
def floor(x: Any) -> Tensor:
    """Round down elementwise; the gradient is 0 everywhere (PyTorch's convention)."""
    return Floor()(x)


@op("ceil", torch="ceil", method=True)
def ceil(x: Any) -> Tensor:
    """Round up elementwise; the gradient is 0 everywhere (PyTorch's convention)."""
    return Ceil()(x)


@op("trunc", torch="trunc", method=True)
def trunc(x: Any) -> Tensor:
    """Round towards zero elementwise; the gradient is 0 everywhere (PyTorch's convention)."""
    return Trunc()(x)


@op("round", torch="round", method=True)
def round(x: Any, decimals: int = 0) -> Tensor:  # noqa: A001 - NumPy's name
    """Round half to even to ``decimals`` places; the gradient is 0 everywhere.

    Examples
    --------
    >>> import minigrad as mg
    >>> mg.round(mg.tensor([0.5, 1.5, 2.675]), decimals=0).data
    array([0., 2., 3.])
    """
    if isinstance(decimals, bool) or not isinstance(decimals, (int, np.integer)):
        raise OpTypeError(f"round: decimals must be an int, got {type(decimals).__name__}")
    return Round(int(decimals))(x)


@op("tan", torch="tan", method=True)
def tan(x: Any) -> Tensor:
    """Elementwise tangent."""
    return Tan()(x)


@op("asin", "arcsin", torch=("asin", "arcsin"), method=True)
def asin(x: Any) -> Tensor:
    """Elementwise inverse sine (NaN outside [-1, 1]; the gradient is infinite at +-1)."""
    return Asin()(x)


@op("acos", "arccos", torch=("acos", "arccos"), method=True)
def acos(x: Any) -> Tensor:
    """Elementwise inverse cosine (NaN outside [-1, 1]; the gradient is infinite at +-1)."""
    return Acos()(x)


@op("atan", "arctan", torch=("atan", "arctan"), method=True)
def atan(x: Any) -> Tensor:
    """Elementwise inverse tangent."""
    return Atan()(x)


@op("atan2", "arctan2", torch=("atan2", "arctan2"), method=True)
def atan2(a: Any, b: Any) -> Tensor:
    """Elementwise angle of the point ``(b, a)`` in (-pi, pi], with broadcasting.

    Both gradients are 0 at the origin, where atan2 is not differentiable (as PyTorch).
    """
    return Atan2()(a, b)


@op("sinh", torch="sinh", method=True)
def sinh(x: Any) -> Tensor:
    """Elementwise hyperbolic sine."""
    return Sinh()(x)


@op("cosh", torch="cosh", method=True)
def cosh(x: Any) -> Tensor:
    """Elementwise hyperbolic cosine."""
    return Cosh()(x)


@op("asinh", "arcsinh", torch=("asinh", "arcsinh"), method=True)
def asinh(x: Any) -> Tensor:
    """Elementwise inverse hyperbolic sine."""
    return Asinh()(x)


@op("acosh", "arccosh", torch=("acosh", "arccosh"), method=True)
def acosh(x: Any) -> Tensor:
    """Elementwise inverse hyperbolic cosine (NaN below 1; the gradient is infinite at 1)."""
    return Acosh()(x)


@op("atanh", "arctanh", torch=("atanh", "arctanh"), method=True)
def atanh(x: Any) -> Tensor:
    """Elementwise inverse hyperbolic tangent (infinite at +-1, NaN beyond)."""
    return Atanh()(x)


@op(torch="erf", method=True)
def erf(x: Any) -> Tensor:
    """Elementwise error function, differentiable any number of times.

    Examples
    --------
    >>> import minigrad as mg
    >>> print(f"{mg.erf(mg.tensor(1.0)).item():.6f}")
    0.842701
    """
    return Erf()(x)


@op(torch="lerp", method=True)
def lerp(start: Any, end: Any, weight: Any) -> Tensor:
    """Linear interpolation ``start + weight * (end - start)``, with broadcasting.

    Differentiable in all three arguments (``weight`` may be a number).
    """
    return Lerp()(start, end, weight)


@op("hypot", torch="hypot", method=True)
def hypot(a: Any, b: Any) -> Tensor:
    """Elementwise ``sqrt(a**2 + b**2)``, the hypotenuse, computed without overflow."""
    return Hypot()(a, b)


@op("logaddexp", torch="logaddexp", method=True)
def logaddexp(a: Any, b: Any) -> Tensor:
    """Elementwise ``log(exp(a) + exp(b))``, computed without overflow."""
    return LogAddExp()(a, b)


@op("copysign", torch="copysign", method=True)
def copysign(a: Any, b: Any) -> Tensor:
    """Elementwise ``|a|`` with the sign of ``b`` (``-0.0`` counts as negative).

    The gradient for ``a`` is ``sign(a) * sign(b)``-like and 0 where ``a == 0``; ``b`` gets
    a zero gradient (PyTorch's convention).
    """
    return CopySign()(a, b)


@op("mod", "remainder", torch="remainder",
    method={"remainder": True, "__mod__": True, "__rmod__": REFLECTED})
def mod(a: Any, b: Any) -> Tensor:
    """Elementwise remainder with the sign of the divisor (NumPy's ``%``, ``np.mod``).

    The same as PyTorch's ``remainder``; for C's ``fmod`` (the sign of the dividend) use
    :func:`fmod`. Gradients: ``1`` for ``a`` and ``-floor(a / b)`` for ``b``.

    Examples
    --------
    >>> import minigrad as mg
    >>> (mg.tensor([-3.0, 3.0]) % 2).data, mg.fmod(mg.tensor([-3.0, 3.0]), 2).data
    (array([1., 1.]), array([-1.,  1.]))
    """
    return Mod()(a, b)


#: PyTorch's name for :func:`mod`.
remainder = mod


@op("fmod", torch="fmod", method=True)
def fmod(a: Any, b: Any) -> Tensor:
    """Elementwise C ``fmod``: the remainder with the sign of the dividend ``a``.

    Gradients: ``1`` for ``a`` and ``-trunc(a / b)`` for ``b`` (PyTorch's).
    """
    return Fmod()(a, b)


@op("floor_divide", torch="floor_divide",
    method={"floor_divide": True, "__floordiv__": True, "__rfloordiv__": REFLECTED})
def floor_divide(a: Any, b: Any) -> Tensor:
    """Elementwise ``a // b`` (rounded down, NumPy's and Python's ``//``); not differentiable.

    Like PyTorch's ``floor_divide``, the result never requires grad. For a division that
    keeps the graph (with a zero gradient), use ``divide(a, b, rounding_mode="floor")``.
    """
    ad, bd = _operand_arrays("floor_divide", a, b)
    return _make(np.floor_divide(ad, bd))


@op("divide", "true_divide", torch=("div", "divide", "true_divide"),
    method={"div": True, "divide": True, "true_divide": True, "__truediv__": _truediv,
        "__rtruediv__": _rtruediv})
def divide(a: Any, b: Any, rounding_mode: str | None = None) -> Tensor:
    """Elementwise ``a / b``; ``rounding_mode`` ``"trunc"`` or ``"floor"`` rounds the quotient.

    Parameters
    ----------
    a, b : Tensor or array_like
        Dividend and divisor (broadcast together).
    rounding_mode : {None, "trunc", "floor"}
        None: true division (integers give float64, NumPy's rule), differentiable.
        ``"trunc"``: towards zero; ``"floor"``: down. Rounded results keep the inputs'
        dtype and have a zero gradient (PyTorch's ``div`` convention).

    Examples
    --------
    >>> import minigrad as mg
    >>> mg.div(mg.tensor([-7.0, 7.0]), 2, rounding_mode="trunc").data
    array([-3.,  3.])
    >>> mg.div(mg.tensor([-7.0, 7.0]), 2, rounding_mode="floor").data
    array([-4.,  3.])
    """
    if rounding_mode is None:
        return div(a, b)
    if rounding_mode not in ("trunc", "floor"):
        raise OpError(f"div: rounding_mode must be None, 'trunc' or 'floor', got "
                      f"{rounding_mode!r}")
    return RoundedDivide(rounding_mode)(a, b)


def _operand_arrays(op: str, *xs: Any) -> list[Any]:
    """The data of each operand, checked to broadcast together (for non-recorded ops)."""
    arrs = [x.data if isinstance(x, Tensor) else x for x in xs]
    shapes = [np.shape(a) for a in arrs]
    try:
        np.broadcast_shapes(*shapes)
    except ValueError:
        raise OpError(f"{op}: operands of shapes {', '.join(map(str, shapes))} do not "
                      "broadcast together") from None
    return arrs


@op("isnan", torch="isnan", method=True)
def isnan(x: Any) -> Tensor:
    """Elementwise test for NaN (a bool tensor, not differentiable)."""
    return _make(np.isnan(as_tensor(x).data))


@op("isinf", torch="isinf", method=True)
def isinf(x: Any) -> Tensor:
    """Elementwise test for +-infinity (a bool tensor, not differentiable)."""
    return _make(np.isinf(as_tensor(x).data))


@op("isfinite", torch="isfinite", method=True)
def isfinite(x: Any) -> Tensor:
    """Elementwise test for a finite value (a bool tensor, not differentiable)."""
    return _make(np.isfinite(as_tensor(x).data))


@op("isposinf", torch="isposinf", method=True)
def isposinf(x: Any) -> Tensor:
    """Elementwise test for +infinity (a bool tensor, not differentiable)."""
    return _make(np.isposinf(as_tensor(x).data))


@op("isneginf", torch="isneginf", method=True)
def isneginf(x: Any) -> Tensor:
    """Elementwise test for -infinity (a bool tensor, not differentiable)."""
    return _make(np.isneginf(as_tensor(x).data))


@op("isclose", torch="isclose", method=True)
def isclose(a: Any, b: Any, rtol: float = 1e-05, atol: float = 1e-08,
            equal_nan: bool = False) -> Tensor:
    """Elementwise ``|a - b| <= atol + rtol * |b|`` (NumPy's and PyTorch's test; bool tensor)."""
    ad, bd = _operand_arrays("isclose", a, b)
    return _make(np.isclose(ad, bd, rtol=rtol, atol=atol, equal_nan=equal_nan))


def _logical(op: str, ufunc: np.ufunc, *xs: Any) -> Tensor:
    return _make(ufunc(*_operand_arrays(op, *xs)))


@op("logical_and", torch="logical_and", method=True)
def logical_and(a: Any, b: Any) -> Tensor:
    """Elementwise logical AND of the truth values (a bool tensor)."""
    return _logical("logical_and", np.logical_and, a, b)


@op("logical_or", torch="logical_or", method=True)
def logical_or(a: Any, b: Any) -> Tensor:
    """Elementwise logical OR of the truth values (a bool tensor)."""
    return _logical("logical_or", np.logical_or, a, b)


@op("logical_xor", torch="logical_xor", method=True)
def logical_xor(a: Any, b: Any) -> Tensor:
    """Elementwise logical XOR of the truth values (a bool tensor)."""
    return _logical("logical_xor", np.logical_xor, a, b)


@op("logical_not", torch="logical_not", method=True)
def logical_not(x: Any) -> Tensor:
    """Elementwise logical NOT of the truth values (a bool tensor)."""
    return _logical("logical_not", np.logical_not, x)


def _bitwise(op: str, ufunc: np.ufunc, *xs: Any) -> Tensor:
    """A bitwise op on integer or bool operands (Python ints allowed); never differentiable."""
    arrs = _operand_arrays(op, *xs)
    for a in arrs:
        if isinstance(a, bool) or (isinstance(a, int) and not isinstance(a, bool)):
            continue
        kind = np.asarray(a).dtype.kind
        if kind not in "biu":
            raise OpTypeError(f"{op}: needs integer or bool operands, got dtype "
                              f"{np.asarray(a).dtype}")
    return _make(ufunc(*arrs))


@op("bitwise_and", torch="bitwise_and",
    method={"bitwise_and": True, "__and__": True, "__rand__": REFLECTED})
def bitwise_and(a: Any, b: Any) -> Tensor:
    """Elementwise ``a & b`` on integers or bools."""
    return _bitwise("bitwise_and", np.bitwise_and, a, b)


@op("bitwise_or", torch="bitwise_or",
    method={"bitwise_or": True, "__or__": True, "__ror__": REFLECTED})
def bitwise_or(a: Any, b: Any) -> Tensor:
    """Elementwise ``a | b`` on integers or bools."""
    return _bitwise("bitwise_or", np.bitwise_or, a, b)


@op("bitwise_xor", torch="bitwise_xor",
    method={"bitwise_xor": True, "__xor__": True, "__rxor__": REFLECTED})
def bitwise_xor(a: Any, b: Any) -> Tensor:
    """Elementwise ``a ^ b`` on integers or bools."""
    return _bitwise("bitwise_xor", np.bitwise_xor, a, b)


@op("bitwise_not", "invert", "bitwise_invert", torch="bitwise_not",
    method={"bitwise_not": True, "__invert__": True})
def bitwise_not(x: Any) -> Tensor:
    """Elementwise ``~x`` on integers or bools (logical NOT for bools)."""
    return _bitwise("bitwise_not", np.invert, x)


#: NumPy's name for :func:`bitwise_not`.
invert = bitwise_not


@op("left_shift", "bitwise_left_shift", torch="bitwise_left_shift",
    method={"bitwise_left_shift": True, "__lshift__": True, "__rlshift__": REFLECTED})
def left_shift(a: Any, b: Any) -> Tensor:
    """Elementwise ``a << b`` on integers."""
    return _bitwise("left_shift", np.left_shift, a, b)


@op("right_shift", "bitwise_right_shift", torch="bitwise_right_shift",
    method={"bitwise_right_shift": True, "__rshift__": True, "__rrshift__": REFLECTED})
def right_shift(a: Any, b: Any) -> Tensor:
    """Elementwise ``a >> b`` on integers (arithmetic shift for signed ones)."""
    return _bitwise("right_shift", np.right_shift, a, b)


# -- clipping, elementwise maximum and minimum

class Clip(Function):
    """Clamp into ``[lo, hi]``.

    PyTorch's convention: the gradient goes to ``x`` where ``lo <= x <= hi``
    (boundaries included), to ``lo`` where ``x < lo < hi`` and to ``hi`` where
    ``x > hi`` or ``hi < lo`` (when ``lo > hi`` the result is ``hi``). Missing
    bounds are simply absent from the inputs.
    """

    elementwise: ClassVar[bool] = True
    broadcasting: ClassVar[bool | tuple[int, ...]] = True

    def __init__(self, has_lo: bool, has_hi: bool) -> None:
        self.has_lo = has_lo
        self.has_hi = has_hi

    def _bounds(self, rest: Sequence[Any]) -> tuple[Any, Any]:
        it = iter(rest)
        lo = next(it) if self.has_lo else None
        hi = next(it) if self.has_hi else None
        return lo, hi

    def forward(self, x: np.ndarray, *rest: np.ndarray) -> np.ndarray:
        lo, hi = self._bounds(rest)
        y = x
        if lo is not None:
            y = np.maximum(y, lo)
        if hi is not None:
            y = np.minimum(y, hi)
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x = self.inputs[0]
        lo, hi = self._bounds(self.inputs[1:])
        shape = gy.shape
        inside = np.ones(shape, dtype=bool)
        if lo is not None:
            inside &= x.data >= lo.data
        if hi is not None:
            inside &= x.data <= hi.data
        zero = np.zeros((), dtype=gy.dtype)
        grads: list[Tensor | None] = [
            Where(inside)(gy, zero) if self.needs_input_grad[0] else None]
        for t, below in ((lo, True), (hi, False)):
            if t is None:
                continue
            mask = x.data < t.data if below else x.data > t.data
            if lo is not None and hi is not None:  # lo > hi: hi wins, lo gets nothing
                mask = mask & (lo.data < hi.data) if below else mask | (hi.data < lo.data)
            i = len(grads)
            grads.append(Where(np.broadcast_to(mask, shape))(gy, zero)
                         if self.needs_input_grad[i] else None)
        return tuple(grads)

    def attrs(self) -> dict[str, Any]:
        return {"lo": self.has_lo, "hi": self.has_hi}


@op("clip", torch="clip", method=True)
def clip(x: Tensor, a_min: Any = None, a_max: Any = None, *, min: Any = None,  # noqa: A002
         max: Any = None) -> Tensor:  # noqa: A002
    """Limit the values to ``[a_min, a_max]`` (either may be None; ``min=``/``max=`` accepted).

    The bounds may be numbers or tensors (broadcast with ``x``, and differentiable).
    Gradient (PyTorch's convention): 1 for ``x`` inside the interval, boundaries
    included, 0 outside; a bound gets the gradient where it was the result.
    """
    lo = pick_alias(a_min, min, "a_min", "min", "clip")
    hi = pick_alias(a_max, max, "a_max", "max", "clip")
    if lo is None and hi is None:
        raise OpError("clip: at least one of a_min and a_max must be given")
    bounds = [b for b in (lo, hi) if b is not None]
    _broadcast_shape("clip", x.shape, *(np.shape(_array(b)) for b in bounds))
    return Clip(lo is not None, hi is not None)(x, *bounds)


@op(torch="clamp", method=True)
def clamp(x: Tensor, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
    """PyTorch's name for :func:`clip`."""
    return clip(x, min, max)


class Maximum(Function):
    """Elementwise maximum; at ties each input gets half the gradient (PyTorch's rule)."""

    elementwise: ClassVar[bool] = True
    broadcasting: ClassVar[bool | tuple[int, ...]] = True
    op: Any = staticmethod(np.maximum)
    sign = 1

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        return self.op(a, b)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        ad, bd = a.data * self.sign, b.data * self.sign
        wa = (ad > bd) + 0.5 * (ad == bd)
        wa = wa.astype(gy.dtype)
        na, nb = self.needs_input_grad
        ga = gy * wa if na else None
        gb = gy * (1 - wa) if nb else None
        return ga, gb


class Minimum(Maximum):
    """Elementwise minimum; at ties each input gets half the gradient (PyTorch's rule)."""

    op: Any = staticmethod(np.minimum)
    sign = -1


@op("maximum", torch="maximum", method=True)
def maximum(a: Any, b: Any) -> Tensor:
    """Elementwise maximum with broadcasting; ties split the gradient evenly (as PyTorch)."""
    _broadcast_shape("maximum", np.shape(_array(a)), np.shape(_array(b)))
    return Maximum()(a, b)


@op("minimum", torch="minimum", method=True)
def minimum(a: Any, b: Any) -> Tensor:
    """Elementwise minimum with broadcasting; ties split the gradient evenly (as PyTorch)."""
    _broadcast_shape("minimum", np.shape(_array(a)), np.shape(_array(b)))
    return Minimum()(a, b)
