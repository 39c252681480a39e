"""Shared fixtures of the test suite."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
#: Where the MNIST files are: ``$MINIGRAD_DATA``, by default ``../shared/data/mnist``.
MNIST_DIR = Path(os.environ.get("MINIGRAD_DATA") or REPO / ".." / "shared" / "data" / "mnist")


def have_mnist() -> bool:
    """True when the MNIST training images are in :data:`MNIST_DIR`."""
    return any((MNIST_DIR / f).exists()
               for f in ("train-images-idx3-ubyte.gz", "train-images-idx3-ubyte"))


@pytest.fixture
def mnist_dir(monkeypatch) -> Path:
    """The MNIST folder, with ``MINIGRAD_DATA`` pointing to it; skips the test without it."""
    if not have_mnist():
        pytest.skip(reason=f"MNIST not found in {MNIST_DIR} (set MINIGRAD_DATA)")
    monkeypatch.setenv("MINIGRAD_DATA", str(MNIST_DIR))
    return MNIST_DIR


@pytest.fixture
def rng() -> np.random.Generator:
    """A seeded random generator (the same numbers in every run)."""
    return np.random.default_rng(0)


def make_leaf(a, name=None, **kw):
    """A float64 tensor that requires grad (``name=`` and other keywords pass through).

    The suite's one leaf maker: tests use the ``leaf`` fixture, or import this where
    a fixture cannot go (hypothesis tests, helpers).
    """
    import minigrad as mg

    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True, name=name, **kw)


@pytest.fixture
def leaf():
    """Make float64 leaf tensors that require grad: ``leaf([1.0, 2.0], name="w")``."""
    return make_leaf
