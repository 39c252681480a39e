"""Shared fixtures of the test suite."""

from __future__ import annotations

import numpy as np
import pytest


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator (the same numbers in every run)."""
    return np.random.default_rng(0)


def _leaf(a, **kw):
    """A float64 tensor that requires grad (``name=`` and other keywords pass through)."""
    import minigrad as mg

    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True, **kw)


@pytest.fixture
def leaf():
    """Make float64 leaf tensors that require grad: ``leaf([1.0, 2.0], name="w")``."""
    return _leaf
