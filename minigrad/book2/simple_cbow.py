"""The book's ``ch03/simple_cbow.py``: CBOW on one-hot contexts with a full softmax."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.layers import MatMul, SoftmaxWithLoss

__all__ = ["SimpleCBOW"]


class SimpleCBOW:
    """Two context words through one shared ``W_in``, averaged, scored by ``W_out``.

    ``params`` lists ``W_in`` twice (one entry per input layer); the trainer's
    :func:`~minigrad.book2.trainer.remove_duplicate` merges the two gradients.
    """

    def __init__(self, vocab_size: int, hidden_size: int) -> None:
        V, H = vocab_size, hidden_size  # noqa: N806
        W_in = 0.01 * np.random.randn(V, H).astype("f")  # noqa: N806
        W_out = 0.01 * np.random.randn(H, V).astype("f")  # noqa: N806
        self.in_layer0 = MatMul(W_in)
        self.in_layer1 = MatMul(W_in)
        self.out_layer = MatMul(W_out)
        self.loss_layer = SoftmaxWithLoss()
        layers = [self.in_layer0, self.in_layer1, self.out_layer]
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in layers:
            self.params += layer.params
            self.grads += layer.grads
        self.word_vecs = W_in

    def forward(self, contexts: Any, target: Any) -> float:
        """Return the loss of one-hot ``contexts`` ``(N, 2, V)`` against ``target``."""
        contexts = np.asarray(contexts)
        h0 = self.in_layer0.forward(contexts[:, 0])
        h1 = self.in_layer1.forward(contexts[:, 1])
        score = self.out_layer.forward((h0 + h1) * 0.5)
        return self.loss_layer.forward(score, target)

    def backward(self, dout: Any = 1) -> None:
        """Fill ``grads``."""
        ds = self.loss_layer.backward(dout)
        da = self.out_layer.backward(ds)
        assert da is not None
        da = da * 0.5
        self.in_layer1.backward(da)
        self.in_layer0.backward(da)
