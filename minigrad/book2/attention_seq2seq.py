"""The book's ``ch08/attention_seq2seq.py``: attention over the encoder states."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2._concat import ConcatSteps
from minigrad.book2.attention_layer import TimeAttention
from minigrad.book2.seq2seq import Decoder, Encoder, Seq2seq
from minigrad.book2.time_layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss

__all__ = ["AttentionEncoder", "AttentionDecoder", "AttentionSeq2seq", "Encoder", "Decoder",
           "Seq2seq"]


class AttentionEncoder(Encoder):
    """:class:`~minigrad.book2.seq2seq.Encoder` returning all hidden states ``(N, T, H)``."""

    def forward(self, xs: Any) -> np.ndarray:
        """Return ``hs``."""
        hs = self.lstm.forward(self.embed.forward(xs))
        self.hs = hs
        return hs

    def backward(self, dhs: Any) -> None:
        """Back-propagate ``dhs``."""
        self.embed.backward(self.lstm.backward(dhs))


class AttentionDecoder:
    """Decoder with :class:`~minigrad.book2.attention_layer.TimeAttention`; affine on ``[c, h]``."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype("f")  # noqa: N806
        lstm_Wx = (rn(D, 4 * H) / np.sqrt(D)).astype("f")  # noqa: N806
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype("f")  # noqa: N806
        lstm_b = np.zeros(4 * H).astype("f")
        affine_W = (rn(2 * H, V) / np.sqrt(2 * H)).astype("f")  # noqa: N806
        affine_b = np.zeros(V).astype("f")
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.attention = TimeAttention()
        self.affine = TimeAffine(affine_W, affine_b)
        self.concat = ConcatSteps()
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.attention, self.affine):
            self.params += layer.params
            self.grads += layer.grads

    def forward(self, xs: Any, enc_hs: Any) -> np.ndarray:
        """Return the scores of the teacher-forced inputs ``xs``."""
        self.lstm.set_state(enc_hs[:, -1])
        dec_hs = self.lstm.forward(self.embed.forward(xs))
        c = self.attention.forward(enc_hs, dec_hs)
        return self.affine.forward(self.concat.forward(c, dec_hs))

    def backward(self, dscore: Any) -> np.ndarray:
        """Return ``denc_hs`` (the LSTM's initial-state gradient added at the last step)."""
        dc, ddec_hs0 = self.concat.backward(self.affine.backward(dscore))
        denc_hs, ddec_hs1 = self.attention.backward(dc)
        dout = self.lstm.backward(ddec_hs0 + ddec_hs1)
        self.embed.backward(dout)
        denc_hs = np.array(denc_hs)
        denc_hs[:, -1] += self.lstm.dh
        return denc_hs

    def generate(self, enc_hs: Any, start_id: int, sample_size: int) -> list[int]:
        """Greedy decoding, one step at a time."""
        sampled: list[int] = []
        sample_id = start_id
        self.lstm.set_state(enc_hs[:, -1])
        for _ in range(sample_size):
            x = np.array([sample_id]).reshape((1, 1))
            dec_hs = self.lstm.forward(self.embed.forward(x))
            c = self.attention.forward(enc_hs, dec_hs)
            score = self.affine.forward(self.concat.forward(c, dec_hs))
            sample_id = int(np.argmax(score.flatten()))
            sampled.append(sample_id)
        return sampled


class AttentionSeq2seq(Seq2seq):
    """:class:`AttentionEncoder` and :class:`AttentionDecoder` (methods from ``Seq2seq``)."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        args = (vocab_size, wordvec_size, hidden_size)
        self.encoder = AttentionEncoder(*args)
        self.decoder = AttentionDecoder(*args)
        self.softmax = TimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads

