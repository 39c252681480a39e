"""Ops of the second book that compute in the book's order and dtypes.

minigrad's own ops are free to add a sum in any order, and keep a float32 graph's
gradients float32; in float32 another order rounds differently, and over an epoch of
training with the book's learning rate of 20 the difference grows into the fifth digit of
a perplexity. These ops compute what :func:`minigrad.functional.embedding`,
:func:`minigrad.functional.binary_cross_entropy_with_logits` and
:func:`minigrad.functional.softmax_cross_entropy` compute, but as the book's layers do,
so that the second book's scripts print the book's numbers to the last digit:

* :class:`EmbeddingRows`: the book's ``Embedding``; its gradient is added up by
  ``np.add.at`` into an array of the weight's dtype (a float64 gradient is rounded there
  at every addition, as the book's ``dW`` is);
* :class:`StepwiseEmbedding`: the book's ``TimeEmbedding``; the gradient of the embedding
  matrix is the sum over time steps ``t = 0, 1, ...`` of one gradient per step, each made
  by ``np.add.at`` over the batch (the book keeps one full ``(V, D)`` array per step; the
  op keeps only the rows the ids touch, which gives the same numbers);
* :class:`SigmoidCrossEntropy`: the book's ``SigmoidWithLoss`` gradient ``(y - t) * dout
  / N``, in NumPy's dtype promotion;
* :class:`TimeSoftmaxCrossEntropy`: the softmax, the loss ``-sum(log y[t] * mask) /
  count`` from it, and the gradient ``(y - onehot(t)) * dout / count * mask``.

All are ordinary ops (:class:`minigrad.autograd.Function`): gradcheck applies, and
gradients of gradients go through the tensor formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function, OpError
from minigrad.grad_mode import is_grad_enabled
from minigrad.ops.activation import _softmax_array, sigmoid, softmax
from minigrad.ops.indexing import Embedding, EmbeddingGrad
from minigrad.tensor import Tensor, _make

__all__ = ["EmbeddingRows", "EmbeddingRowsGrad", "StepwiseEmbedding", "StepwiseEmbeddingGrad",
           "SigmoidCrossEntropy", "TimeSoftmaxCrossEntropy"]


class EmbeddingRows(Embedding):
    """``weight[index]`` whose gradient is added up by ``np.add.at`` in the weight's dtype.

    The book's ``Embedding`` layer: a float64 gradient (NumPy's promotion upstream) is
    added row by row into a gradient array of the weight's dtype, each sum rounded there.
    """

    def __init__(self, index: np.ndarray) -> None:
        super().__init__(index, None)

    def backward(self, gy: Tensor) -> Tensor:
        (weight,) = self.inputs
        return EmbeddingRowsGrad(self.index, weight.shape[0],  # type: ignore[no-any-return]
                                 weight.dtype)(gy)


class EmbeddingRowsGrad(EmbeddingGrad):
    """The ``(V, D)`` gradient of :class:`EmbeddingRows`, in the weight's ``dtype``."""

    def __init__(self, index: np.ndarray, num_embeddings: int, dtype: Any) -> None:
        super().__init__(index, num_embeddings, None)
        self.dtype = np.dtype(dtype)

    def forward(self, gy: np.ndarray) -> np.ndarray:
        gw = np.zeros((self.num_embeddings, gy.shape[-1]), dtype=self.dtype)
        np.add.at(gw, self.index, gy)
        return gw


class StepwiseEmbedding(EmbeddingRows):
    """``weight[index]`` for ids ``index`` ``(N, T)``; the gradient adds up step by step."""

    def __init__(self, index: np.ndarray) -> None:
        if index.ndim != 2:
            raise OpError(f"StepwiseEmbedding: ids must be 2-D (N, T), got shape {index.shape}")
        super().__init__(index)

    def backward(self, gy: Tensor) -> Tensor:
        (weight,) = self.inputs
        return StepwiseEmbeddingGrad(self.index, weight.shape[0],  # type: ignore[no-any-return]
                                     weight.dtype)(gy)


class StepwiseEmbeddingGrad(EmbeddingRowsGrad):
    """The ``(V, D)`` gradient of :class:`StepwiseEmbedding`: per-step sums added in step order."""

    def forward(self, gy: np.ndarray) -> np.ndarray:
        rows, where = np.unique(self.index, return_inverse=True)
        where = where.reshape(self.index.shape)
        dim = gy.shape[-1]
        total = np.zeros((rows.size, dim), dtype=self.dtype)
        step = np.empty_like(total)
        for t in range(self.index.shape[1]):
            step.fill(0)
            np.add.at(step, where[:, t], gy[:, t])  # the batch's rows in order, as the book
            total += step
        gw = np.zeros((self.num_embeddings, dim), dtype=self.dtype)
        gw[rows] = total
        return gw


class SigmoidCrossEntropy(Function):
    """The book's ``SigmoidWithLoss`` on scores ``(N,)`` and labels ``t``, as one op.

    The output is the batch mean of the logistic loss (computed stably); the first-order
    backward is the book's ``(y - t) * dout / N`` with ``y = 1 / (1 + exp(-x))``, in
    NumPy's promotion of ``y`` and ``t`` (float32 scores with integer labels give a
    float64 gradient, as the book's layer does).

    Parameters
    ----------
    t : ndarray
        The labels, 0 or 1, of the scores' shape (any numeric dtype).

    Attributes
    ----------
    y : ndarray
        The sigmoid of the scores, ``1 / (1 + exp(-x))`` (after the forward, until the op
        is released).
    """

    y: np.ndarray

    def __init__(self, t: np.ndarray) -> None:
        self.t = t

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for very negative x: y = 0
            self.y = 1 / (1 + np.exp(-x))
        t = self.t.astype(x.dtype)
        terms = np.maximum(x, 0) - x * t + np.log1p(np.exp(-np.abs(x)))
        return np.asarray(terms.sum() / self.t.shape[0], dtype=x.dtype)

    def backward(self, gy: Tensor) -> Tensor:
        (x,) = self.inputs
        n = self.t.shape[0]
        if is_grad_enabled():  # gradients of gradients: the same formula on tensors
            return (sigmoid(x) - self.t.astype(x.dtype)) * (gy / n)  # type: ignore[no-any-return]
        y = self.__dict__.get("y")  # read, not changed: kept for another backward
        if y is None:
            with np.errstate(over="ignore"):
                y = 1 / (1 + np.exp(-x.data))
        return _make((y - self.t) * gy.data / n)

    def release(self, *args: Any, **kwargs: Any) -> None:
        """Free the saved inputs and the sigmoid kept for the first-order backward."""
        self.__dict__.pop("y", None)
        super().release(*args, **kwargs)


class TimeSoftmaxCrossEntropy(Function):
    """The book's ``TimeSoftmaxWithLoss`` on scores ``(N*T, V)`` and labels ``(N*T,)``, as one op.

    Parameters
    ----------
    t : ndarray
        The labels, one per row (any value where ``mask`` is False).
    mask : ndarray of bool
        The rows counted; at least one.

    Attributes
    ----------
    value : numpy scalar
        The loss as the book computes it (its float32 sum divided by the integer count,
        which NumPy makes a ``float64``); the op's output holds it in the scores' dtype.
    """

    def __init__(self, t: np.ndarray, mask: np.ndarray) -> None:
        self.t = t
        self.mask = mask
        self.count = mask.sum()
        self.all_counted = bool(mask.all())
        self.value: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        y = _softmax_array(x, 1)
        logs = np.log(y[np.arange(n), self.t])
        logs *= self.mask
        loss = -np.sum(logs)
        loss /= self.count
        self.value = loss
        self._y = y
        return np.asarray(loss, dtype=x.dtype)

    def backward(self, gy: Tensor) -> Tensor:
        (x,) = self.inputs
        n = x.shape[0]
        if is_grad_enabled():  # gradients of gradients: the same formula on tensors
            onehot = np.zeros(x.shape, dtype=x.dtype)
            onehot[np.arange(n), self.t] = 1
            keep = self.mask[:, None].astype(x.dtype)
            return (softmax(x, axis=1) - onehot) * keep * (gy / int(self.count))  # type: ignore[no-any-return]
        dx = self.__dict__.pop("_y", None)  # used up: changed in place below
        if dx is None:
            dx = _softmax_array(x.data, 1)
        dx[np.arange(n), self.t] -= 1
        g = gy.data
        if g != 1:
            dx *= g
        dx /= self.count
        if not self.all_counted:
            dx *= self.mask[:, None]
        return _make(dx)

    def release(self, *args: Any, **kwargs: Any) -> None:
        """Free the saved inputs and the softmax kept for the first-order backward."""
        self.__dict__.pop("_y", None)
        super().release(*args, **kwargs)
