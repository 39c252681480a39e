"""The book's ``ch08/attention_layer.py``: dot-product attention over encoder states.

Examples
--------
>>> import numpy as np
>>> from minigrad.book2.attention_layer import Attention
>>> layer = Attention()
>>> c = layer.forward(np.array([[[1., 0.], [0., 1.], [1., 1.]]]), np.array([[1., 0.]]))
>>> np.round(layer.attention_weight, 6).tolist()
[[0.422319, 0.155362, 0.422319]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad.book2._base import Layer, as_input
from minigrad.tensor import Tensor

__all__ = ["WeightSum", "AttentionWeight", "Attention", "TimeAttention"]


def _weights(hs: Tensor, h: Tensor) -> Tensor:
    """Softmax over ``T`` of the dot products of ``hs`` ``(N, T, H)`` with ``h`` ``(N, H)``."""
    return F.softmax(mg.sum(hs * h.reshape(h.shape[0], 1, h.shape[1]), axis=2), axis=1)


def _weighted_sum(hs: Tensor, a: Tensor) -> Tensor:
    """``sum_t a[:, t] * hs[:, t]``."""
    return mg.sum(hs * a.reshape(a.shape[0], a.shape[1], 1), axis=1)


class WeightSum(Layer):
    """The context vector ``c = sum_t a[:, t] hs[:, t]`` (no parameters)."""

    def forward(self, hs: Any, a: Any) -> np.ndarray:
        """Return ``c`` ``(N, H)``."""
        hst, at = as_input(hs), as_input(a)
        out = _weighted_sum(hst, at)
        self._record(out, [hst, at], [])
        return out.data

    def backward(self, dc: Any) -> tuple[Any, Any]:
        """Return ``(dhs, da)``."""
        dhs, da = self._run_backward(dc)
        return dhs, da


class AttentionWeight(Layer):
    """Attention weights ``softmax_t(hs[:, t] . h)`` (no parameters)."""

    def forward(self, hs: Any, h: Any) -> np.ndarray:
        """Return ``a`` ``(N, T)``."""
        hst, ht = as_input(hs), as_input(h)
        out = _weights(hst, ht)
        self._record(out, [hst, ht], [])
        return out.data

    def backward(self, da: Any) -> tuple[Any, Any]:
        """Return ``(dhs, dh)``."""
        dhs, dh = self._run_backward(da)
        return dhs, dh


class Attention(Layer):
    """Weights then weighted sum; ``attention_weight`` keeps the last weights."""

    def __init__(self) -> None:
        super().__init__()
        self.attention_weight: np.ndarray | None = None

    def forward(self, hs: Any, h: Any) -> np.ndarray:
        """Return the context ``(N, H)`` of ``hs`` ``(N, T, H)`` for the query ``h``."""
        hst, ht = as_input(hs), as_input(h)
        a = _weights(hst, ht)
        self.attention_weight = a.data
        out = _weighted_sum(hst, a)
        self._record(out, [hst, ht], [])
        return out.data

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dhs, dh)``, ``dhs`` summing both of its paths."""
        dhs, dh = self._run_backward(dout)
        return dhs, dh


class TimeAttention(Layer):
    """:class:`Attention` for every decoder step; ``attention_weights`` lists them per step."""

    def __init__(self) -> None:
        super().__init__()
        self.attention_weights: list[np.ndarray] | None = None

    def forward(self, hs_enc: Any, hs_dec: Any) -> np.ndarray:
        """Return the contexts ``(N, T_dec, H)``."""
        enc, dec = as_input(hs_enc), as_input(hs_dec)
        scores = mg.matmul(dec, enc.transpose(0, 2, 1))  # (N, T_dec, T_enc)
        a = F.softmax(scores, axis=2)
        self.attention_weights = [a.data[:, t, :] for t in range(a.shape[1])]
        out = mg.matmul(a, enc)
        self._record(out, [enc, dec], [])
        return out.data

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dhs_enc, dhs_dec)``."""
        denc, ddec = self._run_backward(dout)
        return denc, ddec
