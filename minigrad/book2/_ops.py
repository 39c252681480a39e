"""Two ops of the second book that add up their numbers in the book's order.

minigrad's own ops are free to add a sum in any order; in float32 a different order
rounds differently, and over an epoch of training with the book's learning rate of 20
the difference grows into the fifth digit of a perplexity. These two ops compute what
:func:`minigrad.functional.embedding` and :func:`minigrad.functional.softmax_cross_entropy`
compute, but in the order of the book's ``TimeEmbedding`` and ``TimeSoftmaxWithLoss``, so
that the second book's scripts print the book's numbers to the last digit:

* :class:`StepwiseEmbedding`: the gradient of the embedding matrix is the sum over time
  steps ``t = 0, 1, ...`` of one gradient per step, each made by ``np.add.at`` over the
  batch (the book keeps one full ``(V, D)`` array per step; the op keeps only the rows
  the ids touch, which gives the same numbers);
* :class:`TimeSoftmaxCrossEntropy`: the softmax, the loss ``-sum(log y[t] * mask) /
  count`` from it, and the gradient ``(y - onehot(t)) * dout / count * mask``.

Both are ordinary ops (:class:`minigrad.autograd.Function`): gradcheck applies, and
gradients of gradients go through the tensor formulas.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.grad_mode import is_grad_enabled
from minigrad.ops.activation import softmax
from minigrad.ops.indexing import Embedding, EmbeddingGrad
from minigrad.tensor import Tensor, _make

__all__ = ["StepwiseEmbedding", "StepwiseEmbeddingGrad", "TimeSoftmaxCrossEntropy"]


class StepwiseEmbedding(Embedding):
    """``weight[index]`` for ids ``index`` ``(N, T)``; the gradient adds up step by step."""

    def __init__(self, index: np.ndarray) -> None:
        if index.ndim != 2:
            raise ValueError(f"StepwiseEmbedding: ids must be 2-D (N, T), got shape {index.shape}")
        super().__init__(index, None)

    def backward(self, gy: Tensor) -> Tensor:
        (weight,) = self.inputs
        return StepwiseEmbeddingGrad(self.index, weight.shape[0])(gy)  # type: ignore[no-any-return]


class StepwiseEmbeddingGrad(EmbeddingGrad):
    """The ``(V, D)`` gradient of :class:`StepwiseEmbedding`: per-step sums added in step order."""

    def __init__(self, index: np.ndarray, num_embeddings: int) -> None:
        super().__init__(index, num_embeddings, None)

    def forward(self, gy: np.ndarray) -> np.ndarray:
        rows, where = np.unique(self.index, return_inverse=True)
        where = where.reshape(self.index.shape)
        dim = gy.shape[-1]
        total = np.zeros((rows.size, dim), dtype=gy.dtype)
        step = np.empty_like(total)
        for t in range(self.index.shape[1]):
            step.fill(0)
            np.add.at(step, where[:, t], gy[:, t])  # the batch's rows in order, as the book
            total += step
        gw = np.zeros((self.num_embeddings, dim), dtype=gy.dtype)
        gw[rows] = total
        return gw


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
        y = np.exp(x - x.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
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
            dx = np.exp(x.data - x.data.max(axis=1, keepdims=True))
            dx /= dx.sum(axis=1, keepdims=True)
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
