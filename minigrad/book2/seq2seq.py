"""The book's ``ch07/seq2seq.py``: ``Encoder``, ``Decoder``, ``Seq2seq``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.base_model import BaseModel
from minigrad.book2.time_layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss

__all__ = ["Encoder", "Decoder", "Seq2seq"]


def _lstm_weights(V: int, D: int, H: int, in_size: int | None = None) -> tuple[np.ndarray, ...]:  # noqa: N803
    rn = np.random.randn
    d = D if in_size is None else in_size
    return ((rn(V, D) / 100).astype("f"), (rn(d, 4 * H) / np.sqrt(d)).astype("f"),
            (rn(H, 4 * H) / np.sqrt(H)).astype("f"), np.zeros(4 * H).astype("f"))


class Encoder:
    """Embedding and a stateless LSTM; ``forward`` returns the last hidden state ``(N, H)``."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        embed_W, lstm_Wx, lstm_Wh, lstm_b = _lstm_weights(vocab_size, wordvec_size, hidden_size)  # noqa: N806
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=False)
        self.params = self.embed.params + self.lstm.params
        self.grads = self.embed.grads + self.lstm.grads
        self.hs: np.ndarray | None = None

    def forward(self, xs: Any) -> np.ndarray:
        """Return ``hs[:, -1]``."""
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs = hs
        return hs[:, -1, :]

    def backward(self, dh: Any) -> None:
        """Back-propagate ``dh`` from the last step only."""
        assert self.hs is not None
        dhs = np.zeros_like(self.hs)
        dhs[:, -1, :] = dh
        dout = self.lstm.backward(dhs)
        self.embed.backward(dout)


class Decoder:
    """Embedding, a stateful LSTM started from the encoder's ``h`` and an affine output."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        V, H = vocab_size, hidden_size  # noqa: N806
        embed_W, lstm_Wx, lstm_Wh, lstm_b = _lstm_weights(V, wordvec_size, H)  # noqa: N806
        affine_W = (np.random.randn(H, V) / np.sqrt(H)).astype("f")  # noqa: N806
        affine_b = np.zeros(V).astype("f")
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.affine = TimeAffine(affine_W, affine_b)
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs: Any, h: Any) -> np.ndarray:
        """Return the scores of the teacher-forced inputs ``xs`` from state ``h``."""
        self.lstm.set_state(h)
        return self.affine.forward(self.lstm.forward(self.embed.forward(xs)))

    def backward(self, dscore: Any) -> Any:
        """Return the gradient of the initial state ``h``."""
        dout = self.lstm.backward(self.affine.backward(dscore))
        self.embed.backward(dout)
        return self.lstm.dh

    def generate(self, h: Any, start_id: int, sample_size: int) -> list[int]:
        """Greedy decoding of ``sample_size`` ids from ``h``, starting after ``start_id``."""
        sampled: list[int] = []
        sample_id = start_id
        self.lstm.set_state(h)
        for _ in range(sample_size):
            x = np.array(sample_id).reshape((1, 1))
            score = self.affine.forward(self.lstm.forward(self.embed.forward(x)))
            sample_id = int(np.argmax(score.flatten()))
            sampled.append(sample_id)
        return sampled


class Seq2seq(BaseModel):
    """:class:`Encoder` then :class:`Decoder`, teacher forcing, softmax cross-entropy."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        self.encoder: Any = Encoder(V, D, H)
        self.decoder: Any = Decoder(V, D, H)
        self.softmax = TimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

    def forward(self, xs: Any, ts: Any) -> float:
        """Return the loss of predicting ``ts[:, 1:]`` from ``ts[:, :-1]`` and ``xs``."""
        ts = np.asarray(ts)
        decoder_xs, decoder_ts = ts[:, :-1], ts[:, 1:]
        h = self.encoder.forward(xs)
        score = self.decoder.forward(decoder_xs, h)
        return self.softmax.forward(score, decoder_ts)

    def backward(self, dout: Any = 1) -> Any:
        """Fill ``grads``."""
        dout = self.softmax.backward(dout)
        dh = self.decoder.backward(dout)
        return self.encoder.backward(dh)

    def generate(self, xs: Any, start_id: int, sample_size: int) -> list[int]:
        """Greedy answer ids for the question ``xs`` ``(1, T)``."""
        h = self.encoder.forward(xs)
        return self.decoder.generate(h, start_id, sample_size)
