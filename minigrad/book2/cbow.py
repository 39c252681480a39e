"""The book's ``ch04/cbow.py``: CBOW with embeddings and negative sampling."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.layers import Embedding
from minigrad.book2.negative_sampling_layer import NegativeSamplingLoss

__all__ = ["CBOW"]


class CBOW:
    """``2 * window_size`` context embeddings (one shared ``W_in``), averaged, negative sampling.

    Parameters
    ----------
    vocab_size, hidden_size, window_size : int
        Sizes.
    corpus : array_like of int
        For the negative sampler.
    """

    def __init__(self, vocab_size: int, hidden_size: int, window_size: int, corpus: Any) -> None:
        V, H = vocab_size, hidden_size  # noqa: N806
        W_in = 0.01 * np.random.randn(V, H).astype("f")  # noqa: N806
        W_out = 0.01 * np.random.randn(V, H).astype("f")  # noqa: N806
        self.in_layers = [Embedding(W_in) for _ in range(2 * window_size)]
        self.ns_loss = NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5)
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        layers: list[Any] = [*self.in_layers, self.ns_loss]
        for layer in layers:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts: Any, target: Any) -> float:
        """Return the loss of context ids ``(N, 2w)`` and target ids ``(N,)``."""
        contexts = np.asarray(contexts)
        h: Any = 0
        for i, layer in enumerate(self.in_layers):
            h = h + layer.forward(contexts[:, i])
        h = h * (1 / len(self.in_layers))
        return self.ns_loss.forward(h, target)

    def backward(self, dout: Any = 1) -> None:
        """Fill ``grads``."""
        dh = self.ns_loss.backward(dout) * (1 / len(self.in_layers))
        for layer in self.in_layers:
            layer.backward(dh)
