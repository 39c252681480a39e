"""Activations and losses built from differentiable ops (``import minigrad.functional as F``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
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
from minigrad.ops.linalg import linear, matmul
from minigrad.ops.reduce import max, mean, min, sum
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
]


def _softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
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
