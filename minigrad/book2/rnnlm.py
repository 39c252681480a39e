"""The book's ``ch06/rnnlm.py``: the LSTM language model."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.base_model import BaseModel
from minigrad.book2.time_layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss

__all__ = ["Rnnlm"]


class Rnnlm(BaseModel):
    """Embedding, a stateful LSTM and an affine output, float32, the book's initialisation."""

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 100,
                 hidden_size: int = 100) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype("f")  # noqa: N806
        lstm_Wx = (rn(D, 4 * H) / np.sqrt(D)).astype("f")  # noqa: N806
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype("f")  # noqa: N806
        lstm_b = np.zeros(4 * H).astype("f")
        affine_W = (rn(H, V) / np.sqrt(H)).astype("f")  # noqa: N806
        affine_b = np.zeros(V).astype("f")
        self.layers: list[Any] = [
            TimeEmbedding(embed_W), TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True),
                       TimeAffine(affine_W, affine_b)]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layer = self.layers[1]
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, xs: Any) -> Any:
        """Return the scores ``(N, T, V)``."""
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs

    def forward(self, xs: Any, ts: Any) -> float:
        """Return the mean loss."""
        return self.loss_layer.forward(self.predict(xs), ts)

    def backward(self, dout: Any = 1) -> Any:
        """Fill ``grads``."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def reset_state(self) -> None:
        """Forget the LSTM's carried state."""
        self.lstm_layer.reset_state()
