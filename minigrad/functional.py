"""Activations and losses built from differentiable ops (``import minigrad.functional as F``)."""

from __future__ import annotations

from typing import Any, ClassVar

import numpy as np

from minigrad._rng import make_generator
from minigrad.autograd import Function
from minigrad.ops import select
from minigrad.ops.arith import add, div, mul, neg, pow, sub
from minigrad.ops.conv import (
    adaptive_avg_pool2d,
    avg_pool2d,
    col2im,
    conv2d,
    conv_output_size,
    conv_transpose2d,
    fold,
    im2col,
    interpolate,
    max_pool2d,
    pad,
    unfold,
)
from minigrad.ops.elementwise import erf, expm1, log1p
from minigrad.ops.linalg import _swap_last, dot, einsum, linear, matmul, outer, tensordot
from minigrad.ops.normalization import dropout
from minigrad.ops.reduce import max, mean, min, norm, sum
from minigrad.ops.shape import broadcast_to, getitem, reshape, sum_to, transpose
from minigrad.ops.unary import abs, cos, exp, log, relu, sigmoid, sin, sqrt, tanh
from minigrad.tensor import Tensor, as_tensor

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "matmul", "linear",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs",
    "sum", "mean", "max", "min", "reshape", "transpose", "broadcast_to", "sum_to", "getitem",
    "softmax", "log_softmax", "softmax_cross_entropy",
    "sum_squares_error", "cross_entropy_error", "accuracy",
    "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "pad",
    "unfold", "fold", "im2col", "col2im", "interpolate", "conv_output_size",
    # -- op library: activations and losses
    "leaky_relu", "elu", "celu", "selu", "gelu", "quick_gelu", "silu", "mish", "softplus",
    "softsign", "logsigmoid", "hardtanh", "relu6", "hardsigmoid", "hardswish", "softmin",
    "normalize", "step_function", "identity_function",
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "sum_squared_error",
    "scaled_dot_product_attention", "einsum", "outer", "dot", "tensordot",
]


def _softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    e /= e.sum(axis=axis, keepdims=True)
    return e


class Softmax(Function):
    """``exp(x) / sum(exp(x))`` along an axis, with the maximum subtracted first."""

    elementwise = False
    broadcasting = False

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

    elementwise = False
    broadcasting = False

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        z = x - x.max(axis=self.axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))

    def backward(self, gy: Tensor) -> Tensor:
        return gy - exp(self.output()) * gy.sum(axis=self.axis, keepdims=True)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


def softmax(x: Any, axis: int = -1) -> Tensor:
    """Softmax along ``axis``; finite for any finite input (no overflow at x = 1000).

    Examples
    --------
    >>> import minigrad as mg, minigrad.functional as F
    >>> F.softmax(mg.tensor([0.3, 2.9, 4.0])).data.round(3)
    array([0.018, 0.245, 0.737])
    """
    return Softmax(axis)(x)


def log_softmax(x: Any, axis: int = -1) -> Tensor:
    """Logarithm of the softmax along ``axis``, computed without overflow or log(0)."""
    return LogSoftmax(axis)(x)


class SoftmaxCrossEntropy(Function):
    """Fused, stable softmax followed by the batch-mean cross-entropy.

    ``t`` holds integer labels of shape (N,) or one-hot (or soft) targets of
    the logits' shape. Backward is ``(softmax(x) - t_onehot) / N``.
    """

    elementwise = False
    broadcasting = False

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        logp = x - x.max(axis=1, keepdims=True)
        logp -= np.log(np.exp(logp).sum(axis=1, keepdims=True))
        if t.shape == x.shape:
            return -(t * logp).sum() / n
        return -logp[np.arange(n), t].sum() / n

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = self.inputs
        n = x.shape[0]
        gx = gt = None
        if self.needs_input_grad[0]:
            p = softmax(x, axis=1)
            if t.shape != x.shape:  # integer labels
                gx = (p - _one_hot(t.data, x.shape, x.dtype)) * (gy / n)
            elif not self.needs_input_grad[1]:  # constant targets: d/dx = p * sum(t) - t
                rows = t.data.sum(axis=1, keepdims=True)
                gx = ((p - t) if (rows == 1).all() else (p * rows - t)) * (gy / n)
            else:
                gx = (p * t.sum(axis=1, keepdims=True) - t) * (gy / n)
        if self.needs_input_grad[1]:
            gt = log_softmax(x, axis=1) * (-gy / n)
        return gx, gt


def _labels_if_one_hot(t: np.ndarray) -> np.ndarray | None:
    """Return the class index of each row if ``t`` is exactly one-hot (N, C), else None."""
    if t.ndim != 2 or t.size == 0:
        return None
    labels = t.argmax(axis=1)
    # N non-zeros in all, and each row's largest entry is 1: one 1 per row, zeros elsewhere
    if np.count_nonzero(t) == t.shape[0] and np.array_equal(
            t[np.arange(t.shape[0]), labels], np.ones(t.shape[0], t.dtype)):
        return labels
    return None


def _one_hot(labels: np.ndarray, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    out = np.zeros(shape, dtype=dtype)
    out[np.arange(shape[0]), labels] = 1
    return out


def softmax_cross_entropy(logits: Any, t: Any) -> Tensor:
    """Mean cross-entropy of ``softmax(logits)`` against targets ``t``, fused and stable.

    Parameters
    ----------
    logits : Tensor
        Scores of shape (N, C), or (C,) for a single sample.
    t : Tensor or ndarray
        Integer labels of shape (N,), or one-hot targets of shape (N, C).

    Returns
    -------
    Tensor
        A scalar: ``-(1/N) sum_n log softmax(logits)[n, t_n]``.
    """
    x = as_tensor(logits)
    # labels keep their integer dtype (Tensor() would make Python ints float64);
    # constant float targets take the logits' dtype, so float32 stays float32
    tt = t if isinstance(t, Tensor) else Tensor(np.asarray(t))
    if tt.dtype.kind == "f" and tt.dtype != x.dtype and not tt.requires_grad:
        tt = Tensor(tt.data.astype(x.dtype))
    if x.ndim == 1:
        x = reshape(x, (1, x.size))
        tt = reshape(tt, (1, tt.size)) if tt.size == x.size else reshape(tt, (1,))
    if x.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits must be 1-D or 2-D, got shape {x.shape}")
    if tt.shape == x.shape and not tt.requires_grad:
        labels = _labels_if_one_hot(tt.data)
        if labels is not None:  # the same targets, kept (and saved for backward) smaller
            return SoftmaxCrossEntropy()(x, labels)
    if tt.shape != x.shape:
        if tt.shape != (x.shape[0],) or tt.dtype.kind not in "iu":
            raise ValueError(
                f"softmax_cross_entropy: targets of shape {tt.shape} and dtype {tt.dtype} do not "
                f"match logits of shape {x.shape}; pass integer labels of shape ({x.shape[0]},) "
                f"or one-hot targets of shape {x.shape}"
            )
        if tt.size and (tt.data.min() < 0 or tt.data.max() >= x.shape[1]):
            raise IndexError(
                f"softmax_cross_entropy: labels must lie in [0, {x.shape[1]}), got values from "
                f"{tt.data.min()} to {tt.data.max()}"
            )
    return SoftmaxCrossEntropy()(x, tt)


# ---------------------------------------------------------------------------
# The chapter's loss functions and accuracy.

#: The small constant added inside the logarithm of :func:`cross_entropy_error`.
CROSS_ENTROPY_DELTA = 1e-7


def sum_squares_error(y: Any, t: Any) -> Tensor:
    """Sum of squared errors ``0.5 * sum((y - t) ** 2)`` (the chapter's equation 4.1).

    Parameters
    ----------
    y : Tensor or array_like
        The network's output.
    t : Tensor or array_like
        The target, of a shape that broadcasts with ``y`` (usually the same).

    Returns
    -------
    Tensor
        A scalar, differentiable with respect to both arguments.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> round(F.sum_squares_error(y, t).item(), 6)
    0.0975
    """
    yt, tt = as_tensor(y), as_tensor(t)
    try:
        np.broadcast_shapes(yt.shape, tt.shape)
    except ValueError:
        raise ValueError(
            f"sum_squares_error: y of shape {yt.shape} and t of shape {tt.shape} do not "
            "broadcast together"
        ) from None
    d = yt - tt
    return 0.5 * (d * d).sum()


def _labels_from_targets(t: np.ndarray, y_shape: tuple[int, ...], y_ndim: int,
                         where: str) -> np.ndarray:
    """Return integer labels of shape (N,) from one-hot targets or labels (validated)."""
    n, c = y_shape
    one_hot = t.size == n * c and t.ndim >= 1 and (
        t.dtype.kind in "fb" or t.ndim == 2 or (y_ndim == 1 and c > 1))
    if one_hot:
        t2 = t.reshape(n, c)
        if not np.all((t2 == 0) | (t2 == 1)) or not np.all(t2.sum(axis=1) == 1):
            raise ValueError(
                f"{where}: targets of y's shape {y_shape} must be one-hot (a single 1 per "
                "row, zeros elsewhere); pass integer labels of shape (N,) otherwise"
            )
        return t2.argmax(axis=1)
    if t.dtype.kind not in "iu":
        raise ValueError(
            f"{where}: targets of shape {t.shape} and dtype {t.dtype} do not match y of shape "
            f"{y_shape}; pass integer labels of shape ({n},) or one-hot targets of shape "
            f"{y_shape}"
        )
    labels = t.reshape(-1)
    if labels.shape != (n,):
        raise ValueError(
            f"{where}: {labels.size} labels for a batch of {n} (y has shape {y_shape})"
        )
    if n and (labels.min() < 0 or labels.max() >= c):
        raise IndexError(
            f"{where}: labels must lie in [0, {c}), got values from {labels.min()} to "
            f"{labels.max()}"
        )
    return labels


def cross_entropy_error(y: Any, t: Any) -> Tensor:
    """Batch-mean cross-entropy of probabilities ``y``, as in the chapter (section 2.4).

    ``E = -sum(log(y[arange(N), t] + 1e-7)) / N``: the ``1e-7`` keeps
    ``log(0)`` away, and a 1-D ``y`` is treated as a batch of one.

    Parameters
    ----------
    y : Tensor or array_like
        Probabilities (e.g. a softmax output) of shape (N, C), or (C,).
    t : Tensor or array_like
        One-hot targets of ``y``'s size (converted to labels with argmax),
        or integer labels of shape (N,) (a single label for a 1-D ``y``).

    Returns
    -------
    Tensor
        A scalar, differentiable with respect to ``y``.

    Raises
    ------
    ValueError
        If ``t`` is neither one-hot nor integer labels matching ``y``.
    IndexError
        If a label is out of range.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> round(F.cross_entropy_error(y, t).item(), 6)
    0.510825
    >>> round(F.cross_entropy_error(y, 2).item(), 6)
    0.510825
    """
    yt = as_tensor(y)
    tarr = np.asarray(t.data if isinstance(t, Tensor) else t)
    y_ndim = yt.ndim
    if y_ndim == 1:
        yt = reshape(yt, (1, yt.size))
    if yt.ndim != 2:
        raise ValueError(f"cross_entropy_error: y must be 1-D or 2-D, got shape {yt.shape}")
    labels = _labels_from_targets(tarr, yt.shape, y_ndim, "cross_entropy_error")
    n = yt.shape[0]
    picked = getitem(yt, (np.arange(n), labels))
    return -log(picked + CROSS_ENTROPY_DELTA).sum() / n


def accuracy(y: Any, t: Any) -> float:
    """Share of samples whose highest score is the right class (not differentiable).

    Parameters
    ----------
    y : Tensor or array_like
        Scores or probabilities of shape (N, C), or (C,) for one sample.
    t : Tensor or array_like
        Integer labels of shape (N,) or one-hot targets of ``y``'s shape.

    Returns
    -------
    float
        The accuracy in [0, 1] (0.0 for an empty batch).

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> F.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
    0.5
    """
    yarr = np.asarray(y.data if isinstance(y, Tensor) else y)
    tarr = np.asarray(t.data if isinstance(t, Tensor) else t)
    y_ndim = yarr.ndim
    if y_ndim == 1:
        yarr = yarr.reshape(1, yarr.size)
    if yarr.ndim != 2:
        raise ValueError(f"accuracy: y must be 1-D or 2-D, got shape {yarr.shape}")
    n, c = yarr.shape
    if tarr.size == n * c and tarr.ndim >= 1 and (
            tarr.dtype.kind in "fb" or tarr.ndim == 2 or (y_ndim == 1 and c > 1)):
        labels = tarr.reshape(n, c).argmax(axis=1)
    else:
        if tarr.dtype.kind not in "iu":
            raise ValueError(
                f"accuracy: targets of shape {tarr.shape} and dtype {tarr.dtype} do not match "
                f"y of shape {yarr.shape}; pass integer labels or one-hot targets"
            )
        labels = tarr.reshape(-1)
        if labels.shape != (n,):
            raise ValueError(
                f"accuracy: {labels.size} labels for a batch of {n} (y has shape {yarr.shape})"
            )
    if n == 0:
        return 0.0
    return float(np.sum(yarr.argmax(axis=1) == labels)) / n


# ---------------------------------------------------------------------------
# The op library: activations.

def _mask(cond: np.ndarray, like: Tensor) -> Tensor:
    """A constant 0/1 tensor of ``like``'s float dtype (a piece of a piecewise function)."""
    return Tensor(cond.astype(like.dtype if like.dtype.kind == "f" else np.float64))


def _zero(like: Tensor) -> np.ndarray:
    """A 0-d zero of ``like``'s dtype: the constant branch of a ``select.where``."""
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
    broadcasting: ClassVar[bool | tuple[int, ...]] = False

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
    broadcasting: ClassVar[bool | tuple[int, ...]] = False

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
    broadcasting: ClassVar[bool | tuple[int, ...]] = False

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
    broadcasting: ClassVar[bool | tuple[int, ...]] = False

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, gy: Tensor) -> Tensor:
        return gy * sigmoid(-self.inputs[0])


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
    neg = select.where(pos, _zero(xt), xt)
    return select.where(pos, xt * scale, expm1(neg * input_scale) * (scale * alpha))


def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """ELU: ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    The gradient at 0 is ``alpha`` (PyTorch's convention).
    """
    return _elu(x, float(alpha), 1.0, 1.0)


def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """CELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; gradient 1 at 0."""
    if alpha == 0:
        raise ValueError("celu: alpha must not be 0")
    return _elu(x, float(alpha), 1.0, 1.0 / alpha)


#: SELU's constants (Klambauer et al., 2017), as in PyTorch.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


def selu(x: Any) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with the self-normalising constants.

    The gradient at 0 is ``scale * alpha`` (PyTorch's convention).
    """
    return _elu(x, SELU_ALPHA, SELU_SCALE, 1.0)


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


def quick_gelu(x: Any) -> Tensor:
    """The sigmoid approximation of GELU, ``x * sigmoid(1.702 * x)`` (as in CLIP)."""
    xt = _float_input(x)
    return xt * sigmoid(xt * 1.702)


def silu(x: Any) -> Tensor:
    """SiLU (swish): ``x * sigmoid(x)``."""
    xt = _float_input(x)
    return xt * sigmoid(xt)


def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus ``log(1 + exp(beta * x)) / beta``.

    ``x`` itself where ``beta * x > threshold`` (PyTorch's convention, for stability).
    """
    if beta == 0:
        raise ValueError("softplus: beta must not be 0")
    xt = _float_input(x)
    lin = xt.data * beta > threshold
    # the exponential only sees the part below the threshold, so it never overflows
    soft = select.where(lin, _zero(xt), xt)
    return select.where(lin, xt, log1p(exp(soft * beta)) / beta)


def mish(x: Any) -> Tensor:
    """Mish: ``x * tanh(softplus(x))``."""
    xt = _float_input(x)
    return xt * tanh(softplus(xt))


def softsign(x: Any) -> Tensor:
    """Softsign: ``x / (1 + |x|)``."""
    xt = _float_input(x)
    return xt / (abs(xt) + 1)


def logsigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x))``, stable for large ``|x|``."""
    return LogSigmoid()(_float_input(x))


def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``clip(x, min_val, max_val)``; the gradient is 0 at the bounds (PyTorch's convention)."""
    if min_val > max_val:
        raise ValueError(f"hardtanh: min_val {min_val} is larger than max_val {max_val}")
    return Hardtanh(float(min_val), float(max_val))(x)


def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``; the gradient is 0 at 0 and at 6 (PyTorch's convention)."""
    return Hardtanh(0.0, 6.0)(x)


def hardsigmoid(x: Any) -> Tensor:
    """``relu6(x + 3) / 6``; the gradient is 1/6 strictly inside (-3, 3), else 0."""
    return Hardtanh(0.0, 6.0)(_float_input(x) + 3) / 6


def hardswish(x: Any) -> Tensor:
    """``x * relu6(x + 3) / 6``; the gradient at -3 is 0 and at 3 is 1 (PyTorch's)."""
    return Hardswish()(_float_input(x))


def softmin(x: Any, axis: int = -1, dim: int | None = None) -> Tensor:
    """``softmax(-x)`` along ``axis`` (``dim``: PyTorch's spelling)."""
    return softmax(-as_tensor(x), axis=axis if dim is None else dim)


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
    return xt / select.clip(norm(xt, float(p), axis=ax, keepdims=True), min=eps)


def _axis_error(op: str, axis: int, ndim: int) -> Exception:
    """NumPy's AxisError (both an IndexError and a ValueError), naming the op."""
    return np.exceptions.AxisError(axis, ndim, op)


def step_function(x: Any) -> Tensor:
    """The book's step function: 1 where ``x > 0``, else 0 (an int64 tensor, no gradient).

    Examples
    --------
    >>> import minigrad.functional as F
    >>> F.step_function([-1.0, 0.0, 2.0]).data
    array([0, 0, 1])
    """
    return Tensor((as_tensor(x).data > 0).astype(np.int64))


def identity_function(x: Any) -> Tensor:
    """The book's identity (output-layer) function: returns ``x`` unchanged (as a Tensor)."""
    return as_tensor(x)


# ---------------------------------------------------------------------------
# The op library: losses (PyTorch's semantics).

_REDUCTIONS = ("mean", "sum", "none")


def _check_reduction(reduction: str, where: str) -> None:
    if reduction not in _REDUCTIONS:
        raise ValueError(f"{where}: reduction must be 'mean', 'sum' or 'none', got "
                         f"{reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Any, target: Any, where: str, same_shape: bool = False) -> tuple[Tensor, Tensor]:
    """The two float operands of an elementwise loss, checked to broadcast (or to match)."""
    x = _float_input(input)
    t = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=x.dtype))
    if t.dtype != x.dtype and not t.requires_grad:
        t = Tensor(t.data.astype(x.dtype))
    if same_shape and t.shape != x.shape:
        raise ValueError(f"{where}: target of shape {t.shape} must have the input's shape "
                         f"{x.shape}")
    try:
        np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise ValueError(f"{where}: input of shape {x.shape} and target of shape {t.shape} "
                         "do not broadcast together") from None
    return x, t


def _labels(target: Any, shape: tuple[int, ...], class_axis: int, n_classes: int,
            ignore_index: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Validated class labels (ignored ones set to 0) and the mask of the counted ones."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    expected = shape[:class_axis] + shape[class_axis + 1:]
    if t.dtype.kind not in "iu":
        raise ValueError(f"{where}: class labels must be integers, got dtype {t.dtype} (for "
                         f"class probabilities pass floats of the input's shape {shape})")
    if t.shape != expected:
        raise ValueError(f"{where}: target of shape {t.shape} does not match input of shape "
                         f"{shape}; expected labels of shape {expected}")
    valid = t != ignore_index
    labels = np.where(valid, t, 0)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)]
        raise IndexError(f"{where}: target {bad.flat[0]} is out of bounds for {n_classes} "
                         f"classes (labels lie in [0, {n_classes}) or equal ignore_index="
                         f"{ignore_index})")
    return labels, valid


def _class_weight(weight: Any, n_classes: int, dtype: Any, where: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if w.shape != (n_classes,):
        raise ValueError(f"{where}: weight of shape {w.shape} must have one entry per class, "
                         f"shape ({n_classes},)")
    return w


def _class_axis(x: Tensor, where: str) -> int:
    if x.ndim == 0:
        raise ValueError(f"{where}: input must have a class axis: shape (C,), (N, C) or "
                         f"(N, C, d1, ...), got a 0-d tensor")
    return 0 if x.ndim == 1 else 1


def _nll(logp: Tensor, labels: np.ndarray, valid: np.ndarray, w: np.ndarray | None,
         reduction: str) -> Tensor:
    """``-w[t] * logp[..., t, ...]`` over the counted samples, reduced as PyTorch does."""
    if logp.ndim == 1:
        picked = getitem(logp, labels[()])
    else:
        idx: tuple[np.ndarray, ...] = tuple(np.indices(labels.shape, sparse=True))
        picked = getitem(logp, (idx[0], labels, *idx[1:]))
    wt = valid.astype(logp.dtype) if w is None else w[labels] * valid
    loss = -picked * wt
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss.sum() / wt.sum()  # 0/0 = NaN when every target is ignored, as in PyTorch


def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` at class labels ``target``.

    Parameters
    ----------
    input : Tensor
        Log-probabilities of shape (C,), (N, C) or (N, C, d1, ...).
    target : array_like of int
        Labels of shape (), (N,) or (N, d1, ...), in [0, C) or equal to ``ignore_index``.
    weight : array_like, optional
        A weight per class, shape (C,) (a constant).
    ignore_index : int
        Targets equal to it add nothing and are not counted in the mean.
    reduction : {"mean", "sum", "none"}
        ``"mean"`` divides by the summed weights of the counted targets (NaN if none).

    Returns
    -------
    Tensor
        The loss (a scalar, or of the target's shape for ``"none"``).
    """
    _check_reduction(reduction, "nll_loss")
    x = _float_input(input)
    ax = _class_axis(x, "nll_loss")
    c = x.shape[ax]
    labels, valid = _labels(target, x.shape, ax, c, ignore_index, "nll_loss")
    return _nll(x, labels, valid, _class_weight(weight, c, x.dtype, "nll_loss"), reduction)


def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of ``softmax(input)`` along the class axis, as PyTorch's.

    Parameters
    ----------
    input : Tensor
        Logits of shape (C,), (N, C) or (N, C, d1, ...); the class axis is 1 (0 for 1-D).
    target : array_like
        Integer class labels of the input's shape without the class axis, or class
        probabilities (floats) of the input's shape (then differentiable too).
    weight : array_like, optional
        A weight per class, shape (C,) (a constant).
    ignore_index : int
        Labels equal to it add nothing and are not counted (labels only).
    reduction : {"mean", "sum", "none"}
        For labels, ``"mean"`` divides by the summed weights of the counted targets; for
        probabilities, by the number of samples (N * d1 * ...).
    label_smoothing : float
        In [0, 1]: the target becomes ``(1 - s) * target + s / C``.

    Returns
    -------
    Tensor
        The loss.

    Examples
    --------
    >>> import numpy as np, minigrad as mg, minigrad.functional as F
    >>> round(F.cross_entropy(mg.tensor([[0.3, 2.9, 4.0]]), np.array([2])).item(), 6)
    0.305714
    """
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise ValueError(f"cross_entropy: label_smoothing must lie in [0, 1], got "
                         f"{label_smoothing}")
    x = _float_input(input)
    ax = _class_axis(x, "cross_entropy")
    c = x.shape[ax]
    w = _class_weight(weight, c, x.dtype, "cross_entropy")
    tdata = target.data if isinstance(target, Tensor) else np.asarray(target)
    if tdata.dtype.kind == "f":  # class probabilities
        t = target if isinstance(target, Tensor) else Tensor(tdata.astype(x.dtype))
        if t.shape != x.shape:
            hint = ""
            if t.shape == x.shape[:ax] + x.shape[ax + 1:]:
                hint = (f"; for class labels pass integers (e.g. t.astype(np.int64)), not "
                        f"{t.dtype}")
            raise ValueError(f"cross_entropy: class probabilities of shape {t.shape} must "
                             f"have the input's shape {x.shape}{hint}")
        if label_smoothing > 0:
            t = t * (1 - label_smoothing) + label_smoothing / c
        logp = log_softmax(x, axis=ax)
        if w is not None:
            logp = logp * w.reshape((c,) + (1,) * (x.ndim - ax - 1))
        loss = -(logp * t).sum(axis=ax)
        if reduction == "mean":
            return loss.sum() / (x.size // c if c else 0)
        return loss.sum() if reduction == "sum" else loss
    labels, valid = _labels(tdata, x.shape, ax, c, ignore_index, "cross_entropy")
    if (x.ndim == 2 and w is None and reduction == "mean" and label_smoothing == 0
            and valid.all() and x.shape[0]):
        return SoftmaxCrossEntropy()(x, labels)  # the fused op
    logp = log_softmax(x, axis=ax)
    nll = _nll(logp, labels, valid, w, reduction)
    if label_smoothing == 0:
        return nll
    wv = None if w is None else w.reshape((c,) + (1,) * (x.ndim - ax - 1))
    smooth = -(logp if wv is None else logp * wv).sum(axis=ax) * valid.astype(x.dtype)
    if reduction == "mean":
        counted = w[labels][valid].sum() if w is not None else valid.sum()
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = smooth.sum() / counted
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / c)


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100 (PyTorch's).

    Gradient ``(x - t) / max(x (1 - x), 1e-12)`` for ``x`` and ``log(1 - x) - log(x)`` for ``t``.
    """

    elementwise: ClassVar[bool] = True
    broadcasting: ClassVar[bool | tuple[int, ...]] = False

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = self.inputs
        gx = gt = None
        if self.needs_input_grad[0]:
            d = (1 - x) * x
            big = _mask(d.data >= 1e-12, d)
            gx = gy * (x - t) / (d * big + (1 - big) * 1e-12)
        if self.needs_input_grad[1]:
            gt = gy * (log1p(-x) - log(x))
        return gx, gt


def binary_cross_entropy(input: Any, target: Any, weight: Any = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target``.

    Each log is clamped at -100, so ``input`` of exactly 0 or 1 gives a finite loss (as in
    PyTorch). ``weight`` (broadcast to the input) rescales each element.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    x, t = _pair(input, target, "binary_cross_entropy", same_shape=True)
    if x.size and ((x.data < 0).any() or (x.data > 1).any() or np.isnan(x.data).any()):
        raise ValueError("binary_cross_entropy: every element of input must lie in [0, 1]")
    loss = BinaryCrossEntropy()(x, t)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    ``loss = (1 - t) x - (1 + (pos_weight - 1) t) logsigmoid(x)``, times ``weight``.
    ``pos_weight`` (broadcast along the last axis, e.g. one per class) weighs the positive
    examples.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    x, t = _pair(input, target, "binary_cross_entropy_with_logits", same_shape=True)
    if pos_weight is None:
        loss = (1 - t) * x - logsigmoid(x)
    else:
        loss = (1 - t) * x - ((as_tensor(pos_weight) - 1) * t + 1) * logsigmoid(x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target) ** 2``, reduced (broadcasting allowed)."""
    _check_reduction(reduction, "mse_loss")
    x, t = _pair(input, target, "mse_loss")
    d = x - t
    return _reduce(d * d, reduction)


def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``, reduced; the gradient at 0 is 0 (PyTorch's)."""
    _check_reduction(reduction, "l1_loss")
    x, t = _pair(input, target, "l1_loss")
    return _reduce(abs(x - t), reduction)


def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: ``0.5 d**2`` where ``|d| < delta``.

    else ``delta (|d| - 0.5 delta)``, with ``d = input - target``.
    """
    _check_reduction(reduction, "huber_loss")
    if not delta > 0:
        raise ValueError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _pair(input, target, "huber_loss")
    d = x - t
    a = abs(d)
    return _reduce(select.where(a.data < delta, d * d * 0.5, (a - 0.5 * delta) * delta),
                   reduction)


def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Smooth L1: ``0.5 d**2 / beta`` where ``|d| < beta``.

    else ``|d| - 0.5 beta`` (``beta = 0`` is the L1 loss).
    """
    _check_reduction(reduction, "smooth_l1_loss")
    if not beta >= 0:
        raise ValueError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    x, t = _pair(input, target, "smooth_l1_loss")
    d = x - t
    a = abs(d)
    return _reduce(select.where(a.data < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


#: The book repository's name for :func:`sum_squares_error`.
sum_squared_error = sum_squares_error


# ---------------------------------------------------------------------------
# The op library: attention.

def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None,
                                 rng: np.random.Generator | int | None = None) -> Tensor:
    """Attention ``softmax(q @ k^T * scale + mask) @ v``, composed from differentiable ops.

    Parameters
    ----------
    query : Tensor
        Shape (..., L, E).
    key : Tensor
        Shape (..., S, E).
    value : Tensor
        Shape (..., S, Ev).
    attn_mask : array_like, optional
        Broadcastable to (..., L, S): a bool mask (True: the position takes part) or a
        float mask added to the scores (a Tensor mask gets a gradient). A row with no
        position taking part gives zeros (and no gradient), as PyTorch.
    dropout_p : float
        Dropout probability on the attention weights, in [0, 1) (inverted dropout).
    is_causal : bool
        Mask out the positions above the diagonal (query i sees keys 0..i); not together
        with ``attn_mask``.
    scale : float, optional
        The scores' factor; ``1 / sqrt(E)`` by default.
    rng : numpy.random.Generator or int, optional
        The source of the dropout mask.

    Returns
    -------
    Tensor
        Shape (..., L, Ev).

    Examples
    --------
    >>> import numpy as np, minigrad as mg, minigrad.functional as F
    >>> q = mg.tensor(np.ones((2, 4)))
    >>> F.scaled_dot_product_attention(q, q, mg.tensor(np.eye(2, 3)), is_causal=True).data
    array([[1. , 0. , 0. ],
           [0.5, 0.5, 0. ]])
    """
    q, k, v = as_tensor(query), as_tensor(key), as_tensor(value)
    where = "scaled_dot_product_attention"
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise ValueError(f"{where}: query, key and value need at least 2 axes, got shapes "
                         f"{q.shape}, {k.shape} and {v.shape}")
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise ValueError(f"{where}: query {q.shape}, key {k.shape} and value {v.shape} do not "
                         "fit: need (..., L, E), (..., S, E) and (..., S, Ev)")
    if not 0.0 <= dropout_p < 1.0:
        raise ValueError(f"{where}: dropout_p must lie in [0, 1), got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise ValueError(f"{where}: pass either attn_mask or is_causal=True, not both")
    n_q, n_k = q.shape[-2], k.shape[-2]
    factor = 1.0 / np.sqrt(q.shape[-1]) if scale is None else float(scale)
    scores = (q @ _swap_last(k)) * factor
    if is_causal:
        attn_mask = np.tril(np.ones((n_q, n_k), dtype=bool))
    dead = None
    if attn_mask is not None:
        m = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(m.shape, scores.shape)
        except ValueError:
            raise ValueError(f"{where}: attn_mask of shape {m.shape} does not broadcast to the "
                             f"scores' shape {scores.shape}") from None
        if m.dtype == bool:
            add = np.where(m, 0.0, -np.inf).astype(scores.dtype)
        else:
            add = m
        dead = np.isneginf(np.broadcast_to(add, np.broadcast_shapes(add.shape, scores.shape))
                           ).all(axis=-1, keepdims=True)
        if dead.any():  # rows with no position: finite scores, then zero weights
            add = np.where(dead, 0.0, add)
        else:
            dead = None
        if isinstance(attn_mask, Tensor) and m.dtype != bool and dead is None:
            scores = scores + attn_mask  # a float mask tensor gets its gradient
        else:
            scores = scores + add.astype(scores.dtype, copy=False)
    attn = softmax(scores, axis=-1)
    if dead is not None:
        attn = select.where(dead, _zero(attn), attn)
    if dropout_p > 0:
        attn = dropout(attn, dropout_p, rng=make_generator(rng))
    return attn @ v
