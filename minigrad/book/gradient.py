"""The book's ``common/gradient.py``: :func:`numerical_gradient` (central differences)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.numerical import numerical_gradient

# what a star import of the book's module brings
__all__ = ["np", "numerical_gradient_2d", "numerical_gradient"]


def numerical_gradient_2d(f: Callable[[Any], Any], X: Any) -> np.ndarray:  # noqa: N803
    """Central differences of ``f`` at a 1-D ``X``, or at each row of a 2-D ``X`` in turn.

    ``f`` is called with the row being probed (the book's chapter 4 form); the
    result has ``X``'s shape. :func:`numerical_gradient` does any shape at once.

    Examples
    --------
    >>> import numpy as np
    >>> numerical_gradient_2d(lambda x: float(np.sum(x ** 2)), np.array([[1.0, 2.0]])).round(6)
    array([[2., 4.]])
    """
    X = np.asarray(X)
    if X.ndim == 1:
        return numerical_gradient(f, X)
    grad = np.zeros_like(X)
    for idx, row in enumerate(X):
        grad[idx] = numerical_gradient(f, row)
    return grad
