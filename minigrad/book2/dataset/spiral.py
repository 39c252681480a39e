"""The book's ``dataset/spiral.py``: three spiral arms drawn from NumPy's seeded global generator.

Unlike :func:`minigrad.datasets.make_spiral` (its own generator, radius
``i / (n - 1)``), this follows the book's stream: ``numpy.random.seed(seed)``,
radius ``i / 100`` and one normal draw per point, class after class, so the
points are the book's and everything drawn afterwards is seeded too.
"""

from __future__ import annotations

import numpy as np

__all__ = ["load_data"]


def load_data(seed: int = 1984) -> tuple[np.ndarray, np.ndarray]:
    """Return ``x`` float64 ``(300, 2)`` and one-hot ``t`` int32 ``(300, 3)``, arm after arm."""
    np.random.seed(seed)
    n, dim, classes = 100, 2, 3
    x = np.zeros((n * classes, dim))
    t = np.zeros((n * classes, classes), dtype=np.int32)
    for j in range(classes):
        for i in range(n):
            rate = i / n
            radius = 1.0 * rate
            theta = j * 4.0 + 4.0 * rate + np.random.randn() * 0.2
            x[n * j + i] = radius * np.sin(theta), radius * np.cos(theta)
            t[n * j + i, j] = 1
    return x, t
