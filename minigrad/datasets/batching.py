"""Mini-batch sampling.

Two schemes are provided:

* :func:`random_batch` draws indices *with replacement*, exactly like the
  book's training loop (``np.random.choice(train_size, batch_size)``);
* :class:`BatchSampler` and :func:`iterate_minibatches` go through the data
  epoch by epoch, each example appearing exactly once per epoch (``BatchSampler``
  lives in :mod:`minigrad.data`, beside the ``DataLoader`` that uses it).

Randomness is controlled by a ``seed`` argument that accepts ``None``, an
``int``, a :class:`numpy.random.Generator` or a :class:`numpy.random.RandomState`:

* ``None`` uses NumPy's global random state, as the book does, so
  ``np.random.seed(...)`` makes runs reproducible;
* an ``int`` seeds a fresh ``numpy.random.default_rng(seed)``;
* a ``Generator`` or ``RandomState`` is used (and advanced) as is.

(The package's one meaning of ``seed``: :func:`minigrad._rng.make_rng`.)
"""

from __future__ import annotations

from collections.abc import Iterator

import numpy as np
import numpy.typing as npt

from minigrad._rng import SeedLike, make_rng
from minigrad._validate import integer
from minigrad.data import BatchSampler

__all__ = ["BatchSampler", "SeedLike", "iterate_minibatches", "random_batch"]


def random_batch(n: int, batch_size: int, rng: SeedLike = None) -> np.ndarray:
    """Draw ``batch_size`` indices in ``range(n)`` uniformly *with replacement*.

    This is the book's ``np.random.choice(train_size, batch_size)``.

    Parameters
    ----------
    n : int
        Number of examples to sample from (positive).
    batch_size : int
        Number of indices to draw (positive).
    rng : None, int, numpy.random.Generator or numpy.random.RandomState, optional
        Source of randomness; see the module docstring. With ``None`` the
        result equals ``np.random.choice(n, batch_size)`` for the same global
        state. Note that an ``int`` creates a new generator on each call, so
        repeated calls with the same ``int`` return the same batch: create a
        ``Generator`` once and pass it instead to get a stream of batches.

    Returns
    -------
    numpy.ndarray
        Integer index array of shape ``(batch_size,)``.

    Raises
    ------
    ValueError
        If ``n`` or ``batch_size`` is not positive.
    TypeError
        If an argument has the wrong type.

    Examples
    --------
    >>> rng = np.random.default_rng(0)
    >>> random_batch(60000, 4, rng).shape
    (4,)
    """
    n = integer(n, "n", 1)
    batch_size = integer(batch_size, "batch_size", 1)
    return np.asarray(make_rng(rng).choice(n, batch_size))


def iterate_minibatches(
    x: npt.ArrayLike,
    t: npt.ArrayLike,
    batch_size: int,
    shuffle: bool = True,
    seed: SeedLike = None,
    drop_last: bool = False,
) -> Iterator[tuple[np.ndarray, np.ndarray]]:
    """Iterate over one epoch of ``(x_batch, t_batch)`` mini-batches.

    Parameters
    ----------
    x, t : array_like
        Inputs and targets with the same length along the first axis.
    batch_size : int
        Size of each batch (positive).
    shuffle : bool, default True
        Visit the examples in a random order; otherwise in order.
    seed : None, int, numpy.random.Generator or numpy.random.RandomState, optional
        Source of randomness; see the module docstring.
    drop_last : bool, default False
        Drop the final incomplete batch.

    Returns
    -------
    iterator of (numpy.ndarray, numpy.ndarray)
        Batches ``(x[idx], t[idx])``; every example appears exactly once per
        epoch (except those dropped by ``drop_last``). Arguments are checked
        when this function is called, not on the first ``next``.

    Raises
    ------
    ValueError
        If ``batch_size`` is not positive, or ``x`` and ``t`` differ in length
        or are 0-d.

    Examples
    --------
    >>> x, t = np.arange(10).reshape(5, 2), np.arange(5)
    >>> [tb.tolist() for _, tb in iterate_minibatches(x, t, 2, shuffle=False)]
    [[0, 1], [2, 3], [4]]
    """
    xa, ta = np.asarray(x), np.asarray(t)
    if xa.ndim == 0 or ta.ndim == 0:
        raise ValueError("x and t must have at least one dimension")
    if len(xa) != len(ta):
        raise ValueError(f"x and t must have the same length, got {len(xa)} and {len(ta)}")
    sampler = BatchSampler(len(xa), batch_size, shuffle=shuffle, seed=seed, drop_last=drop_last)

    def batches() -> Iterator[tuple[np.ndarray, np.ndarray]]:
        for idx in sampler:
            yield xa[idx], ta[idx]

    return batches()
