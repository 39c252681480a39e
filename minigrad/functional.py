"""Activations and losses built from differentiable ops (``import minigrad.functional as F``)."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.arith import add, div, mul, neg, pow, sub
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
            if t.shape == x.shape:
                gx = (p * t.sum(axis=1, keepdims=True) - t) * (gy / n)
            else:
                gx = (p - _one_hot(t.data, x.shape, x.dtype)) * (gy / n)
        if self.needs_input_grad[1]:
            gt = log_softmax(x, axis=1) * (-gy / n)
        return gx, gt


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
    tt = as_tensor(t)
    if x.ndim == 1:
        x = reshape(x, (1, x.size))
        tt = reshape(tt, (1, tt.size)) if tt.size == x.size else reshape(tt, (1,))
    if x.ndim != 2:
        raise ValueError(f"softmax_cross_entropy: logits must be 1-D or 2-D, got shape {x.shape}")
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
