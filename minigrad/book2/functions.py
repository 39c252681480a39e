"""The book's ``common/functions.py``: ``sigmoid``, ``relu``, ``softmax``, ``cross_entropy_error``.

Plain NumPy functions on arrays (the layers record minigrad ops instead).
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["sigmoid", "relu", "softmax", "cross_entropy_error", "np"]


def sigmoid(x: Any) -> np.ndarray:
    """Return ``1 / (1 + exp(-x))``."""
    return 1.0 / (1.0 + np.exp(-np.asarray(x)))


def relu(x: Any) -> np.ndarray:
    """Return ``max(x, 0)`` elementwise."""
    return np.maximum(0, np.asarray(x))


def softmax(x: Any) -> np.ndarray:
    """Softmax of each row of a 2-D array, or of a 1-D array; other ranks come back unchanged."""
    x = np.asarray(x)
    if x.ndim == 2:
        e = np.exp(x - x.max(axis=1, keepdims=True))
        return e / e.sum(axis=1, keepdims=True)
    if x.ndim == 1:
        e = np.exp(x - x.max())
        return e / e.sum()
    return x


def cross_entropy_error(y: Any, t: Any) -> float:
    """Batch-mean cross-entropy ``-sum(log(y[n, t_n] + 1e-7)) / N``.

    ``t`` may be labels or one-hot rows (of ``y``'s size, converted by argmax);
    1-D inputs count as one sample. The result is a NumPy scalar of ``y``'s
    precision, as in the book.
    """
    y, t = np.asarray(y), np.asarray(t)
    if y.ndim == 1:
        t, y = t.reshape(1, t.size), y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    # a NumPy scalar of y's precision, as the book returns (float32 losses sum in float32)
    loss: float = -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n
    return loss
