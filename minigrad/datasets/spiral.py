"""The spiral: points on interleaved spiral arms, labelled by their arm.

The toy classification set of the second book's first chapter (and of DeZero): no
straight line separates its classes, so a linear model fails where a small network with
one hidden layer succeeds. Made with NumPy's ``default_rng``, so a seed gives the same
points on every machine (the points are not the books' own, which come from another
random stream).
"""

from __future__ import annotations

import numpy as np

from minigrad._validate import integer, number
from minigrad.data import TensorDataset

__all__ = ["make_spiral", "Spiral"]


def make_spiral(n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Points on ``n_classes`` interleaved spiral arms, and their arm as the label.

    Arm ``c`` runs from the centre outwards: its ``i``-th point has radius
    ``i / (n_per_class - 1)`` and angle ``4 c + 4 i / (n_per_class - 1)`` plus normal
    noise of standard deviation ``noise``, at ``(r sin(angle), r cos(angle))``.

    Parameters
    ----------
    n_per_class : int, default 100
        Points per arm (positive).
    n_classes : int, default 3
        Arms (positive).
    noise : float, default 0.2
        Standard deviation of the noise added to each angle (non-negative).
    seed : int, default 0
        Seed of ``numpy.random.default_rng``.

    Returns
    -------
    points : numpy.ndarray
        float64, shape ``(n_classes * n_per_class, 2)``, arm after arm.
    labels : numpy.ndarray
        int64, shape ``(n_classes * n_per_class,)``: each point's arm.

    Examples
    --------
    >>> points, labels = make_spiral(n_per_class=4, n_classes=2)
    >>> points.shape, labels.tolist()
    ((8, 2), [0, 0, 0, 0, 1, 1, 1, 1])
    """
    n_per_class = integer(n_per_class, "make_spiral: n_per_class", 1)
    n_classes = integer(n_classes, "make_spiral: n_classes", 1)
    noise = number(noise, "make_spiral: noise")
    rng = np.random.default_rng(seed)
    xs, ts = [], []
    for c in range(n_classes):
        r = np.linspace(0.0, 1.0, n_per_class)
        theta = np.linspace(c * 4.0, (c + 1) * 4.0, n_per_class) + rng.normal(0, noise,
                                                                             n_per_class)
        xs.append(np.stack([r * np.sin(theta), r * np.cos(theta)], axis=1))
        ts.append(np.full(n_per_class, c))
    return np.concatenate(xs), np.concatenate(ts).astype(np.int64)


class Spiral(TensorDataset):
    """The spiral as a dataset: ``spiral[i]`` is ``(point, label)``.

    The points and labels of :func:`make_spiral` (the same arguments), as a
    :class:`~minigrad.data.TensorDataset` of two arrays, ready for a
    :class:`~minigrad.data.DataLoader`.

    Attributes
    ----------
    points : numpy.ndarray
        float64, shape ``(n_classes * n_per_class, 2)``.
    labels : numpy.ndarray
        int64, shape ``(n_classes * n_per_class,)``.
    n_classes : int
        The number of arms.

    Examples
    --------
    >>> from minigrad.data import DataLoader
    >>> spiral = Spiral()
    >>> len(spiral), spiral.n_classes
    (300, 3)
    >>> x, t = next(iter(DataLoader(spiral, batch_size=30, shuffle=True, generator=0)))
    >>> x.shape, t.shape, t.dtype
    ((30, 2), (30,), dtype('int64'))
    """

    def __init__(self, n_per_class: int = 100, n_classes: int = 3, noise: float = 0.2,
                 seed: int = 0) -> None:
        self.points, self.labels = make_spiral(n_per_class, n_classes, noise, seed)
        self.n_classes = int(n_classes)
        super().__init__(self.points, self.labels)

    def __repr__(self) -> str:
        return f"Spiral({len(self)} points, {self.n_classes} classes)"
