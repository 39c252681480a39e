"""The book's ``ch03/simple_skip_gram.py``: predict both context words from the centre word."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.layers import MatMul, SoftmaxWithLoss

__all__ = ["SimpleSkipGram"]


class SimpleSkipGram:
    """One-hot target through ``W_in`` and ``W_out``; two softmax losses on the same scores."""

    def __init__(self, vocab_size: int, hidden_size: int) -> None:
        V, H = vocab_size, hidden_size  # noqa: N806
        W_in = 0.01 * np.random.randn(V, H).astype("f")  # noqa: N806
        W_out = 0.01 * np.random.randn(H, V).astype("f")  # noqa: N806
        self.in_layer = MatMul(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer1 = SoftmaxWithLoss()
        self.loss_layer2 = SoftmaxWithLoss()
        self.params = self.in_layer.params + self.out_layer.params
        self.grads = self.in_layer.grads + self.out_layer.grads
        self.word_vecs = W_in

    def forward(self, contexts: Any, target: Any) -> float:
        """Return the sum of the losses of the left and the right context word."""
        contexts = np.asarray(contexts)
        score = self.out_layer.forward(self.in_layer.forward(target))
        return (self.loss_layer1.forward(score, contexts[:, 0])
                + self.loss_layer2.forward(score, contexts[:, 1]))

    def backward(self, dout: Any = 1) -> None:
        """Fill ``grads``."""
        ds = (np.asarray(self.loss_layer1.backward(dout))
              + np.asarray(self.loss_layer2.backward(dout)))
        self.in_layer.backward(self.out_layer.backward(ds))
