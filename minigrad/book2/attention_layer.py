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


class TimeAttention:
    """:class:`Attention` for every decoder step; ``attention_weights`` lists them per step.

    As in the book, one :class:`Attention` per decoder step, each differentiated on its
    own; the encoder-state gradients of the steps are added up in step order, as the book
    adds them, so a float32 model rounds as the book's does.
    """

    def __init__(self) -> None:
        self.params: list[np.ndarray] = []
        self.grads: list[np.ndarray] = []
        self.layers: list[Attention] | None = None
        self.attention_weights: list[np.ndarray] | None = None

    def forward(self, hs_enc: Any, hs_dec: Any) -> np.ndarray:
        """Return the contexts ``(N, T_dec, H)``."""
        hs_enc, hs_dec = np.asarray(hs_enc), np.asarray(hs_dec)
        if hs_enc.ndim != 3 or hs_dec.ndim != 3 or hs_enc.shape[::2] != hs_dec.shape[::2]:
            raise ValueError(f"TimeAttention: expected encoder states (N, T_enc, H) and decoder "
                             f"states (N, T_dec, H), got shapes {hs_enc.shape} and "
                             f"{hs_dec.shape}")
        out = np.empty_like(hs_dec)
        self.layers, self.attention_weights = [], []
        for t in range(hs_dec.shape[1]):
            layer = Attention()
            out[:, t, :] = layer.forward(hs_enc, hs_dec[:, t, :])
            self.layers.append(layer)
            self.attention_weights.append(layer.attention_weight)  # type: ignore[arg-type]
        return out

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dhs_enc, dhs_dec)``."""
        if self.layers is None:
            raise RuntimeError("TimeAttention.backward: call forward first")
        dout = np.asarray(dout)
        dhs_enc: Any = 0
        dhs_dec = np.empty_like(dout)
        for t, layer in enumerate(self.layers):
            dhs, dh = layer.backward(dout[:, t, :])
            dhs_enc = dhs_enc + dhs
            dhs_dec[:, t, :] = dh
        return dhs_enc, dhs_dec
