"""The book's ``ch01/two_layer_net.py``: Affine, Sigmoid, Affine and softmax cross-entropy."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.layers import Affine, Sigmoid, SoftmaxWithLoss

__all__ = ["TwoLayerNet"]


class TwoLayerNet:
    """The first chapter's network, float64, weights ``0.01 * N(0, 1)`` and zero biases."""

    def __init__(self, input_size: int, hidden_size: int, output_size: int) -> None:
        I, H, O = input_size, hidden_size, output_size  # noqa: N806, E741
        W1 = 0.01 * np.random.randn(I, H)  # noqa: N806
        b1 = np.zeros(H)
        W2 = 0.01 * np.random.randn(H, O)  # noqa: N806
        b2 = np.zeros(O)
        self.layers: list[Any] = [Affine(W1, b1), Sigmoid(), Affine(W2, b2)]
        self.loss_layer = SoftmaxWithLoss()
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, x: Any) -> Any:
        """Return the scores."""
        for layer in self.layers:
            x = layer.forward(x)
        return x

    def forward(self, x: Any, t: Any) -> float:
        """Return the loss."""
        return self.loss_layer.forward(self.predict(x), t)

    def backward(self, dout: Any = 1) -> Any:
        """Fill ``grads`` and return ``dx``."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout
