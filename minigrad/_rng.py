"""The one random-source helper: what ``seed`` / ``rng`` arguments mean everywhere.

``None`` means NumPy's global state, so ``np.random.seed(s)`` reproduces a run, as in
the book; an int seeds a fresh ``numpy.random.default_rng``; a Generator (or a
RandomState) is used, and advanced, as is.
"""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["SeedLike", "make_rng", "make_generator", "standard_normal"]

SeedLike = int | np.integer | np.random.Generator | np.random.RandomState | None


def make_rng(seed: SeedLike) -> Any:
    """Return the random source for ``seed``: NumPy's global state for None, else a Generator.

    ``None`` draws from ``np.random`` (so ``np.random.seed(...)`` reproduces the
    book's ``np.random.randn``), an int seeds ``np.random.default_rng``, and a
    Generator (or RandomState) is used, and advanced, as is.
    """
    if seed is None or seed is np.random:
        return np.random
    if isinstance(seed, (np.random.Generator, np.random.RandomState)):
        return seed
    if isinstance(seed, (int, np.integer)) and not isinstance(seed, bool):
        return np.random.default_rng(int(seed))
    raise TypeError(f"seed must be None, an int or a numpy.random.Generator, got "
                    f"{type(seed).__name__}")


def make_generator(seed: SeedLike) -> np.random.Generator:
    """Like :func:`make_rng`, but always a ``numpy.random.Generator`` (its state can be saved).

    ``None`` (or a RandomState) seeds the Generator from NumPy's global state (or
    that RandomState), so ``np.random.seed(s)`` still reproduces the run.
    """
    src = make_rng(seed)
    if isinstance(src, np.random.Generator):
        return src
    return np.random.default_rng(int(src.randint(0, 2**63 - 1, dtype=np.int64)))


def standard_normal(rng: Any, shape: tuple[int, ...]) -> np.ndarray:
    """Standard-normal samples from a source returned by :func:`make_rng`."""
    if rng is np.random or isinstance(rng, np.random.RandomState):
        return rng.randn(*shape)  # type: ignore[no-any-return]
    return rng.standard_normal(shape)  # type: ignore[no-any-return]
