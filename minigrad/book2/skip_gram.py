"""The book's ``ch04/skip_gram.py``: skip-gram with embeddings and negative sampling."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.layers import Embedding
from minigrad.book2.negative_sampling_layer import NegativeSamplingLoss

__all__ = ["SkipGram"]


class SkipGram:
    """The target's embedding scored against each of the ``2 * window_size`` context words."""

    def __init__(self, vocab_size: int, hidden_size: int, window_size: int, corpus: Any) -> None:
        V, H = vocab_size, hidden_size  # noqa: N806
        W_in = 0.01 * np.random.randn(V, H).astype("f")  # noqa: N806
        W_out = 0.01 * np.random.randn(V, H).astype("f")  # noqa: N806
        self.in_layer = Embedding(W_in)
        self.loss_layers = [NegativeSamplingLoss(W_out, corpus, power=0.75, sample_size=5)
                            for _ in range(2 * window_size)]
        layers: list[Any] = [self.in_layer, *self.loss_layers]
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in layers:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts: Any, target: Any) -> float:
        """Return the summed loss over the context positions."""
        contexts = np.asarray(contexts)
        h = self.in_layer.forward(target)
        return sum(layer.forward(h, contexts[:, i]) for i, layer in enumerate(self.loss_layers))

    def backward(self, dout: Any = 1) -> None:
        """Fill ``grads``."""
        dh = sum(layer.backward(dout) for layer in self.loss_layers)
        self.in_layer.backward(dh)
