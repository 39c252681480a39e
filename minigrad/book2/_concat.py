"""Concatenation along the feature axis of per-step parts, as a layer with autodiff backward."""

from __future__ import annotations

from typing import Any

import numpy as np

import minigrad as mg
from minigrad.book2._base import Layer, as_input


class ConcatSteps(Layer):
    """``concatenate(parts, axis=2)``; a 2-D part ``(N, H)`` is repeated over the ``T`` steps.

    ``backward(dout)`` returns one gradient per part (a repeated part's is
    summed over the steps by autodiff of the broadcast).
    """

    def forward(self, *parts: Any) -> np.ndarray:
        """Return the ``(N, T, sum of widths)`` concatenation."""
        ts = [as_input(p) for p in parts]
        T = next(t.shape[1] for t in ts if t.ndim == 3)  # noqa: N806
        full = [mg.broadcast_to(t.reshape(t.shape[0], 1, t.shape[1]), (t.shape[0], T, t.shape[1]))
                if t.ndim == 2 else t for t in ts]
        out = mg.concatenate(full, axis=2)
        self._record(out, ts, [])
        return out.data

    def backward(self, dout: Any) -> list[np.ndarray | None]:
        """Return the gradient of every part."""
        return self._run_backward(dout)
