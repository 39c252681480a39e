"""The book's ``ch06/better_rnnlm.py``: two LSTMs, dropout and weight tying."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.base_model import BaseModel
from minigrad.book2.time_layers import (
    TimeAffine,
    TimeDropout,
    TimeEmbedding,
    TimeLSTM,
    TimeSoftmaxWithLoss,
)

__all__ = ["BetterRnnlm"]


class BetterRnnlm(BaseModel):
    """Embedding, dropout, LSTM, dropout, LSTM, dropout, affine on ``embed_W.T`` (tied)."""

    def __init__(self, vocab_size: int = 10000, wordvec_size: int = 650, hidden_size: int = 650,
                 dropout_ratio: float = 0.5) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype("f")  # noqa: N806
        lstm_Wx1 = (rn(D, 4 * H) / np.sqrt(D)).astype("f")  # noqa: N806
        lstm_Wh1 = (rn(H, 4 * H) / np.sqrt(H)).astype("f")  # noqa: N806
        lstm_b1 = np.zeros(4 * H).astype("f")
        lstm_Wx2 = (rn(H, 4 * H) / np.sqrt(H)).astype("f")  # noqa: N806
        lstm_Wh2 = (rn(H, 4 * H) / np.sqrt(H)).astype("f")  # noqa: N806
        lstm_b2 = np.zeros(4 * H).astype("f")
        affine_b = np.zeros(V).astype("f")
        self.layers: list[Any] = [
            TimeEmbedding(embed_W),
            TimeDropout(dropout_ratio),
            TimeLSTM(lstm_Wx1, lstm_Wh1, lstm_b1, stateful=True),
            TimeDropout(dropout_ratio),
            TimeLSTM(lstm_Wx2, lstm_Wh2, lstm_b2, stateful=True),
            TimeDropout(dropout_ratio),
            TimeAffine(embed_W.T, affine_b),  # weight tying: a view of the embedding
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.lstm_layers = [self.layers[2], self.layers[4]]
        self.drop_layers = [self.layers[1], self.layers[3], self.layers[5]]
        self.params, self.grads = [], []
        for layer in self.layers:
            self.params += layer.params
            self.grads += layer.grads

    def predict(self, xs: Any, train_flg: bool = False) -> Any:
        """Return the scores, with dropout on only when ``train_flg``."""
        for layer in self.drop_layers:
            layer.train_flg = train_flg
        for layer in self.layers:
            xs = layer.forward(xs)
        return xs

    def forward(self, xs: Any, ts: Any, train_flg: bool = True) -> float:
        """Return the mean loss."""
        return self.loss_layer.forward(self.predict(xs, train_flg), ts)

    def backward(self, dout: Any = 1) -> Any:
        """Fill ``grads``."""
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def reset_state(self) -> None:
        """Forget both LSTMs' carried states."""
        for layer in self.lstm_layers:
            layer.reset_state()
