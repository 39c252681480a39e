"""The book's ``ch07/peeky_seq2seq.py``: the encoder state fed to every decoder step."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2._concat import ConcatSteps
from minigrad.book2.seq2seq import Encoder, Seq2seq
from minigrad.book2.time_layers import TimeAffine, TimeEmbedding, TimeLSTM, TimeSoftmaxWithLoss

__all__ = ["PeekyDecoder", "PeekySeq2seq", "Encoder", "Seq2seq"]


class PeekyDecoder:
    """Decoder whose LSTM input and affine input both start with the encoder state ``h``."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        embed_W = (rn(V, D) / 100).astype("f")  # noqa: N806
        lstm_Wx = (rn(H + D, 4 * H) / np.sqrt(H + D)).astype("f")  # noqa: N806
        lstm_Wh = (rn(H, 4 * H) / np.sqrt(H)).astype("f")  # noqa: N806
        lstm_b = np.zeros(4 * H).astype("f")
        affine_W = (rn(H + H, V) / np.sqrt(H + H)).astype("f")  # noqa: N806
        affine_b = np.zeros(V).astype("f")
        self.embed = TimeEmbedding(embed_W)
        self.lstm = TimeLSTM(lstm_Wx, lstm_Wh, lstm_b, stateful=True)
        self.affine = TimeAffine(affine_W, affine_b)
        self.concat_in, self.concat_out = ConcatSteps(), ConcatSteps()
        self.params, self.grads = [], []
        for layer in (self.embed, self.lstm, self.affine):
            self.params += layer.params
            self.grads += layer.grads
        self.cache: int | None = None

    def forward(self, xs: Any, h: Any) -> np.ndarray:
        """Return the scores of the teacher-forced inputs ``xs`` from state ``h``."""
        self.lstm.set_state(h)
        h = np.asarray(h)
        N, T = np.shape(xs)  # noqa: N806
        hs = np.repeat(h, T, axis=0).reshape(N, T, h.shape[1])  # h at every step
        out = self.concat_in.forward(hs, self.embed.forward(xs))
        out = self.concat_out.forward(hs, self.lstm.forward(out))
        self.cache = h.shape[1]
        return self.affine.forward(out)

    def backward(self, dscore: Any) -> Any:
        """Return the gradient of ``h``: initial state plus both peeky inputs.

        The two peeky inputs' gradients are added step by step before the sum over the
        steps, in the book's order.
        """
        dhs_out, dlstm = self.concat_out.backward(self.affine.backward(dscore))
        dhs_in, dembed = self.concat_in.backward(self.lstm.backward(dlstm))
        self.embed.backward(dembed)
        assert self.lstm.dh is not None and dhs_out is not None and dhs_in is not None
        return self.lstm.dh + np.sum(dhs_out + dhs_in, axis=1)

    def generate(self, h: Any, start_id: int, sample_size: int) -> list[int]:
        """Greedy decoding of ``sample_size`` ids."""
        sampled: list[int] = []
        char_id = start_id
        self.lstm.set_state(h)
        for _ in range(sample_size):
            x = np.array([char_id]).reshape((1, 1))
            out = self.concat_in.forward(h, self.embed.forward(x))
            out = self.concat_out.forward(h, self.lstm.forward(out))
            char_id = int(np.argmax(self.affine.forward(out).flatten()))
            sampled.append(char_id)
        return sampled


class PeekySeq2seq(Seq2seq):
    """:class:`~minigrad.book2.seq2seq.Encoder` with a :class:`PeekyDecoder`."""

    def __init__(self, vocab_size: int, wordvec_size: int, hidden_size: int) -> None:
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        self.encoder = Encoder(V, D, H)
        self.decoder = PeekyDecoder(V, D, H)
        self.softmax = TimeSoftmaxWithLoss()
        self.params = self.encoder.params + self.decoder.params
        self.grads = self.encoder.grads + self.decoder.grads
