"""The book's ``ch05/simple_rnnlm.py``: embedding, a stateful RNN and an affine output."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.time_layers import TimeAffine, TimeEmbedding, TimeRNN, TimeSoftmaxWithLoss

__all__ = ["SimpleRnnlm"]


class SimpleRnnlm:
    """RNN language model with the book's initialisation (float32, Xavier-scaled)."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype("f")  # noqa: N806
        rnn_Wx = (rn(D, H) / np.sqrt(D)).astype("f")  # noqa: N806
        rnn_Wh = (rn(H, H) / np.sqrt(H)).astype("f")  # noqa: N806
        rnn_b = np.zeros(H).astype("f")
        affine_W = (rn(H, V) / np.sqrt(H)).astype("f")  # noqa: N806
        affine_b = np.zeros(V).astype("f")
        self.layers: list[Any] = [
            TimeEmbedding(embed_W), TimeRNN(rnn_Wx, rnn_Wh, rnn_b, stateful=True),
                       TimeAffine(affine_W, affine_b)]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.rnn_layer = self.layers[1]
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs: Any, ts: Any) -> float:
        """Return the mean loss of ids ``xs`` predicting ``ts`` (both ``(N, T)``)."""
        for layer in self.layers:
            xs = layer.forward(xs)
        return self.loss_layer.forward(xs, ts)

    def backward(self, dout: Any = 1) -> Any:
        """Fill ``grads``."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def reset_state(self) -> None:
        """Forget the RNN's carried state."""
        self.rnn_layer.reset_state()
