"""The book's ``ch04/negative_sampling_layer.py``: ``EmbeddingDot``, ``UnigramSampler``, the loss.

Examples
--------
>>> import numpy as np
>>> from minigrad.book2.negative_sampling_layer import EmbeddingDot
>>> layer = EmbeddingDot(np.arange(8.0).reshape(4, 2))
>>> layer.forward(np.array([[1.0, 1.0], [2.0, 0.0]]), np.array([1, 3])).tolist()
[5.0, 12.0]
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minigrad as mg
from minigrad.book2._base import Layer, as_input
from minigrad.book2._ops import EmbeddingRows
from minigrad.book2.layers import Embedding, SigmoidWithLoss

__all__ = ["EmbeddingDot", "UnigramSampler", "NegativeSamplingLoss", "Embedding",
           "SigmoidWithLoss"]


class EmbeddingDot(Layer):
    """``sum(W[idx] * h, axis=1)``: the score of each row's word ``idx`` for hidden ``h``."""

    def __init__(self, W: np.ndarray) -> None:  # noqa: N803
        super().__init__(W)

    def forward(self, h: Any, idx: Any) -> np.ndarray:
        """Return the ``(N,)`` scores."""
        (W,) = self._param_leaves()  # noqa: N806
        ht = as_input(h)
        out = mg.sum(EmbeddingRows(np.asarray(idx))(W) * ht, axis=1)  # see minigrad.book2._ops
        self._record(out, [ht], [W])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dh``; write the scattered row gradients into ``grads[0]``."""
        return self._run_backward(dout)[0]


class UnigramSampler:
    """Draw negative word ids from the unigram distribution raised to ``power``.

    Parameters
    ----------
    corpus : array_like of int
        Word ids ``0 .. V-1``.
    power : float
        Exponent applied to the counts (0.75 lifts rare words).
    sample_size : int
        Negatives per target.
    """

    def __init__(self, corpus: Any, power: float, sample_size: int) -> None:
        corpus = np.asarray(corpus)
        counts = np.bincount(corpus)
        self.vocab_size = len(counts)
        self.sample_size = sample_size
        p = np.power(counts.astype(np.float64), power)
        self.word_p = p / np.sum(p)

    def get_negative_sample(self, target: Any) -> np.ndarray:
        """Return ``(N, sample_size)`` int32 ids, distinct per row, never the target."""
        target = np.asarray(target)
        out = np.zeros((target.shape[0], self.sample_size), dtype=np.int32)
        for i in range(target.shape[0]):
            p = self.word_p.copy()
            p[target[i]] = 0
            p /= p.sum()
            out[i, :] = np.random.choice(self.vocab_size, size=self.sample_size, replace=False, p=p)
        return out


class NegativeSamplingLoss:
    """The positive word's logistic loss plus ``sample_size`` negatives' (their sum).

    Parameters
    ----------
    W : ndarray
        The output word vectors ``(V, H)``, shared by every :class:`EmbeddingDot`.
    corpus : array_like of int
        For the :class:`UnigramSampler`.
    power, sample_size
        Passed to the sampler.
    """

    def __init__(self, W: np.ndarray, corpus: Any, power: float = 0.75,  # noqa: N803
                 sample_size: int = 5) -> None:
        self.sample_size = sample_size
        self.sampler = UnigramSampler(corpus, power, sample_size)
        self.loss_layers = [SigmoidWithLoss() for _ in range(sample_size + 1)]
        self.embed_dot_layers = [EmbeddingDot(W) for _ in range(sample_size + 1)]
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in self.embed_dot_layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, h: Any, target: Any) -> float:
        """Return the summed loss of the targets (label 1) and fresh negatives (label 0)."""
        target = np.asarray(target)
        n = target.shape[0]
        negative = self.sampler.get_negative_sample(target)
        score = self.embed_dot_layers[0].forward(h, target)
        loss = self.loss_layers[0].forward(score, np.ones(n, dtype=np.int32))
        zeros = np.zeros(n, dtype=np.int32)
        for i in range(self.sample_size):
            score = self.embed_dot_layers[1 + i].forward(h, negative[:, i])
            loss += self.loss_layers[1 + i].forward(score, zeros)
        return loss

    def backward(self, dout: Any = 1) -> np.ndarray:
        """Return ``dh``, the sum over the positive and negative terms."""
        dh: Any = 0
        for l0, l1 in zip(self.loss_layers, self.embed_dot_layers):
            dh = dh + l1.backward(l0.backward(dout))
        return np.asarray(dh)
