"""The book's ``ch07/rnnlm_gen.py``: sampling text from the trained language models."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.book2.better_rnnlm import BetterRnnlm
from minigrad.book2.functions import softmax
from minigrad.book2.rnnlm import Rnnlm

__all__ = ["RnnlmGen", "BetterRnnlmGen"]


def _generate(model: Any, start_id: int, skip_ids: Any, sample_size: int) -> list[int]:
    word_ids = [start_id]
    x = start_id
    while len(word_ids) < sample_size:
        score = model.predict(np.array(x).reshape(1, 1))
        p = softmax(score.flatten())
        sampled = np.random.choice(len(p), size=1, p=p)
        if skip_ids is None or sampled not in skip_ids:
            x = int(sampled[0])
            word_ids.append(x)
    return word_ids


class RnnlmGen(Rnnlm):
    """:class:`~minigrad.book2.rnnlm.Rnnlm` that samples words one at a time."""

    def generate(self, start_id: int, skip_ids: Any = None, sample_size: int = 100) -> list[int]:
        """Return ``sample_size`` ids from ``start_id`` (a draw in ``skip_ids`` is drawn again)."""
        return _generate(self, start_id, skip_ids, sample_size)

    def get_state(self) -> tuple[Any, Any]:
        """Return the LSTM's ``(h, c)``."""
        return self.lstm_layer.h, self.lstm_layer.c

    def set_state(self, state: tuple[Any, Any]) -> None:
        """Restore ``(h, c)``."""
        self.lstm_layer.set_state(*state)


class BetterRnnlmGen(BetterRnnlm):
    """:class:`~minigrad.book2.better_rnnlm.BetterRnnlm` that samples (dropout off)."""

    def generate(self, start_id: int, skip_ids: Any = None, sample_size: int = 100) -> list[int]:
        """Return ``sample_size`` ids from ``start_id`` (a draw in ``skip_ids`` is drawn again)."""
        return _generate(self, start_id, skip_ids, sample_size)

    def get_state(self) -> list[tuple[Any, Any]]:
        """Return ``(h, c)`` of each LSTM."""
        return [(layer.h, layer.c) for layer in self.lstm_layers]

    def set_state(self, states: list[tuple[Any, Any]]) -> None:
        """Restore the states of :meth:`get_state`."""
        for layer, state in zip(self.lstm_layers, states):
            layer.set_state(*state)
