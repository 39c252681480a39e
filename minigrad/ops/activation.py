"""Activation functions: sigmoid, ReLU and its family, softmax, GELU, SiLU, ...

Each is a :class:`~minigrad.Function` of its own where a fused backward pays (sigmoid,
ReLU, softmax, leaky ReLU, ...), else a composition of differentiable ops. PyTorch's
names and conventions (``torch.nn.functional``); the book's ``step_function`` and
``identity_function`` too.
"""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import Function
from minigrad.ops import indexing
from minigrad.ops.catalogue import op
from minigrad.ops.elementwise import (
    abs,
    clip,
    erf,
    exp,
    expm1,
    log1p,
    tanh,
)
from minigrad.ops.reduce import norm
from minigrad.ops.shape import pick_alias
from minigrad.tensor import Tensor, as_tensor

__all__ = [
    "sigmoid", "relu", "softmax", "log_softmax", "softmin",
    "leaky_relu", "elu", "celu", "selu", "gelu", "quick_gelu", "silu", "mish", "softplus",
    "softsign", "logsigmoid", "hardtanh", "relu6", "hardsigmoid", "hardswish",
    "step_function", "identity_function", "normalize",
]

#: SELU's constants (Klambauer et al., 2017), as in PyTorch.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Sigmoid(Function):
    """Logistic sigmoid ``1 / (1 + e**-x)``.

    For very negative x, ``e**-x`` overflows to inf and the result is the
    correct limit 0; that overflow is expected, so its warning is silenced.
    """

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-x))

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * y * (1 - y)


class ReLU(Function):
    """``max(x, 0)``; the gradient at 0 is taken as 0."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def backward(self, gy: Tensor) -> Tensor:
        # a bool mask: NumPy multiplies it in gy's dtype without a full-size converted copy
        return gy * (self.inputs[0].data > 0)


@op(torch="sigmoid", method=True)
def sigmoid(x: Tensor) -> Tensor:
    """Elementwise logistic sigmoid."""
    return Sigmoid()(x)


@op(torch="relu", method=True)
def relu(x: Tensor) -> Tensor:
    """Elementwise ``max(x, 0)``."""
    return ReLU()(x)


def _softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    if x.size == 0:  # an empty batch: nothing to normalise (and no maximum to subtract)
        return x.copy()
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


class Softmax(Function):
    """``exp(x) / sum(exp(x))`` along an axis, with the maximum subtracted first."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _softmax_array(x, self.axis)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        gx = y * gy
        return gx - y * gx.sum(axis=self.axis, keepdims=True)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


class LogSoftmax(Function):
    """``log(softmax(x))`` along an axis, computed stably."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:  # an empty batch
            return x.copy()
        z = x - x.max(axis=self.axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))

    def backward(self, gy: Tensor) -> Tensor:
        return gy - exp(self.output()) * gy.sum(axis=self.axis, keepdims=True)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


@op(torch="softmax")
def softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Softmax along ``axis`` (PyTorch's ``dim=``; the last axis by default).

    Finite for any finite input (no overflow at x = 1000).

    Examples
    --------
    >>> import minigrad as mg, minigrad.functional as F
    >>> F.softmax(mg.tensor([0.3, 2.9, 4.0])).data.round(3)
    array([0.018, 0.245, 0.737])
    """
    return Softmax(pick_alias(axis, dim, "axis", "dim", "softmax", default=-1))(x)


@op(torch="log_softmax")
def log_softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Logarithm of the softmax along ``axis`` (or ``dim=``), without overflow or log(0)."""
    return LogSoftmax(pick_alias(axis, dim, "axis", "dim", "log_softmax", default=-1))(x)


def _mask(cond: np.ndarray, like: Tensor) -> Tensor:
    """A constant 0/1 tensor of ``like``'s float dtype (a piece of a piecewise function)."""
    return Tensor(cond.astype(like.dtype if like.dtype.kind == "f" else np.float64))


def _zero(like: Tensor) -> np.ndarray:
    """A 0-d zero of ``like``'s dtype: the constant branch of a ``indexing.where``."""
    return np.zeros((), dtype=like.dtype)


def _float_input(x: Any) -> Tensor:
    """``x`` as a tensor; integers and bools become float64 (the activations are real-valued)."""
    t = as_tensor(x)
    if t.dtype.kind not in "f":
        t = Tensor(t.data.astype(np.float64))
    return t


class LeakyReLU(Function):
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    The gradient at 0 is ``negative_slope`` (PyTorch's convention).
    """

    elementwise: ClassVar[bool] = True

    def __init__(self, negative_slope: float) -> None:
        self.negative_slope = negative_slope

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0].data
        return gy * np.where(x > 0, 1.0, self.negative_slope).astype(gy.dtype)

    def attrs(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


class Hardtanh(Function):
    """``clip(x, min_val, max_val)``.

    The gradient is 1 strictly inside and 0 at and beyond the bounds (PyTorch's convention).
    """

    elementwise: ClassVar[bool] = True

    def __init__(self, min_val: float, max_val: float) -> None:
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x, self.min_val, self.max_val)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0].data
        return gy * ((x > self.min_val) & (x < self.max_val)).astype(gy.dtype)

    def attrs(self) -> dict[str, Any]:
        return {"min_val": self.min_val, "max_val": self.max_val}


class Hardswish(Function):
    """``x * relu6(x + 3) / 6``.

    The gradient is 0 up to -3, ``x / 3 + 0.5`` strictly between -3 and 3, and 1 from 3 on
    (PyTorch's convention at the two kinks).
    """

    elementwise: ClassVar[bool] = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x * np.clip(x + 3, 0, 6) / 6

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        mid = _mask((x.data > -3) & (x.data < 3), gy)
        high = _mask(x.data >= 3, gy)
        return gy * (mid * (x / 3 + 0.5) + high)


class LogSigmoid(Function):
    """``log(sigmoid(x))`` computed as ``min(x, 0) - log1p(exp(-|x|))``.

    Gradient ``sigmoid(-x)``.
    """

    elementwise: ClassVar[bool] = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, gy: Tensor) -> Tensor:
        return gy * sigmoid(-self.inputs[0])


@op(torch="leaky_relu")
def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU: ``x`` where ``x > 0``, else ``negative_slope * x``.

    The gradient at 0 is ``negative_slope`` (PyTorch's convention).

    Examples
    --------
    >>> import minigrad as mg, minigrad.functional as F
    >>> F.leaky_relu(mg.tensor([-2.0, 3.0]), 0.1).data
    array([-0.2,  3. ])
    """
    return LeakyReLU(float(negative_slope))(x)


def _elu(x: Any, alpha: float, scale: float, input_scale: float) -> Tensor:
    """``scale * x`` for ``x > 0``, else ``scale * alpha * expm1(input_scale * x)``."""
    xt = _float_input(x)
    pos = xt.data > 0
    # the exponential only sees the non-positive part, so it never overflows
    neg = indexing.where(pos, _zero(xt), xt)
    return indexing.where(pos, xt * scale, expm1(neg * input_scale) * (scale * alpha))


@op(torch="elu")
def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """ELU: ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    The gradient at 0 is ``alpha`` (PyTorch's convention).
    """
    return _elu(x, float(alpha), 1.0, 1.0)


@op(torch="celu")
def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """CELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; gradient 1 at 0."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    return _elu(x, float(alpha), 1.0, 1.0 / alpha)


@op(torch="selu")
def selu(x: Any) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with the self-normalising constants.

    The gradient at 0 is ``scale * alpha`` (PyTorch's convention).
    """
    return _elu(x, SELU_ALPHA, SELU_SCALE, 1.0)


@op(torch="gelu")
def gelu(x: Any, approximate: str = "none") -> Tensor:
    """GELU: ``x * Phi(x)`` with the standard normal CDF ``Phi``.

    Parameters
    ----------
    x : Tensor
        Input.
    approximate : {"none", "tanh"}
        ``"none"``: exact, ``0.5 * x * (1 + erf(x / sqrt(2)))``; ``"tanh"``:
        ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.
    """
    xt = _float_input(x)
    if approximate == "none":
        return xt * 0.5 * (1 + erf(xt * 0.7071067811865476))
    if approximate == "tanh":
        inner = (xt + xt * xt * xt * 0.044715) * 0.7978845608028654
        return xt * 0.5 * (1 + tanh(inner))
    raise ValueError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


@op()
def quick_gelu(x: Any) -> Tensor:
    """The sigmoid approximation of GELU, ``x * sigmoid(1.702 * x)`` (as in CLIP)."""
    xt = _float_input(x)
    return xt * sigmoid(xt * 1.702)


@op(torch="silu")
def silu(x: Any) -> Tensor:
    """SiLU (swish): ``x * sigmoid(x)``."""
    xt = _float_input(x)
    return xt * sigmoid(xt)


@op(torch="softplus")
def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus ``log(1 + exp(beta * x)) / beta``.

    ``x`` itself where ``beta * x > threshold`` (PyTorch's convention, for stability).
    """
    if beta == 0:
        raise ValueError("softplus: beta must not be 0")
    xt = _float_input(x)
    lin = xt.data * beta > threshold
    # the exponential only sees the part below the threshold, so it never overflows
    soft = indexing.where(lin, _zero(xt), xt)
    return indexing.where(lin, xt, log1p(exp(soft * beta)) / beta)


@op(torch="mish")
def mish(x: Any) -> Tensor:
    """Mish: ``x * tanh(softplus(x))``."""
    xt = _float_input(x)
    return xt * tanh(softplus(xt))


@op(torch="softsign")
def softsign(x: Any) -> Tensor:
    """Softsign: ``x / (1 + |x|)``."""
    xt = _float_input(x)
    return xt / (abs(xt) + 1)


@op(torch="logsigmoid")
def logsigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x))``, stable for large ``|x|``."""
    return LogSigmoid()(_float_input(x))


@op(torch="hardtanh")
def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``clip(x, min_val, max_val)``; the gradient is 0 at the bounds (PyTorch's convention)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} is larger than max_val {max_val}")
    return Hardtanh(float(min_val), float(max_val))(x)


@op(torch="relu6")
def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``; the gradient is 0 at 0 and at 6 (PyTorch's convention)."""
    return Hardtanh(0.0, 6.0)(x)


@op(torch="hardsigmoid")
def hardsigmoid(x: Any) -> Tensor:
    """``relu6(x + 3) / 6``; the gradient is 1/6 strictly inside (-3, 3), else 0."""
    return Hardtanh(0.0, 6.0)(_float_input(x) + 3) / 6


@op(torch="hardswish")
def hardswish(x: Any) -> Tensor:
    """``x * relu6(x + 3) / 6``; the gradient at -3 is 0 and at 3 is 1 (PyTorch's)."""
    return Hardswish()(_float_input(x))


@op(torch="softmin")
def softmin(x: Any, axis: int = -1, dim: int | None = None) -> Tensor:
    """``softmax(-x)`` along ``axis`` (``dim``: PyTorch's spelling)."""
    return softmax(-as_tensor(x), axis=axis if dim is None else dim)


def _axis_error(op: str, axis: int, ndim: int) -> Exception:
    """NumPy's AxisError (both an IndexError and a ValueError), naming the op."""
    return np.exceptions.AxisError(axis, ndim, op)


@op()
def step_function(x: Any) -> Tensor:
    """The book's step function: 1 where ``x > 0``, else 0 (an int64 tensor, no gradient).

    Examples
    --------
    >>> import minigrad.functional as F
    >>> F.step_function([-1.0, 0.0, 2.0]).data
    array([0, 0, 1])
    """
    return Tensor((as_tensor(x).data > 0).astype(np.int64))


@op()
def identity_function(x: Any) -> Tensor:
    """The book's identity (output-layer) function: returns ``x`` unchanged (as a Tensor)."""
    return as_tensor(x)


# -- the normalization of vectors (torch.nn.functional.normalize)


@op(torch="normalize")
def normalize(x: Any, p: float = 2.0, axis: int = 1, eps: float = 1e-12,
              dim: int | None = None) -> Tensor:
    """Divide by the ``p``-norm along ``axis`` (PyTorch's default axis 1), at least ``eps``.

    ``x / max(||x||_p, eps)``: a vector of norm below ``eps`` is divided by ``eps`` and
    gets no gradient through the norm (PyTorch's ``clamp_min`` convention); the norm of a
    zero vector has gradient 0.
    """
    xt = _float_input(x)
    ax = axis if dim is None else dim
    if p <= 0:
        raise ValueError(f"normalize: p must be positive, got {p}")
    if xt.ndim == 0 or not -xt.ndim <= ax < xt.ndim:
        raise _axis_error("normalize", ax, xt.ndim)
    return xt / clip(norm(xt, float(p), axis=ax, keepdims=True), min=eps)
