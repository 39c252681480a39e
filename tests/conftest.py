"""Shared fixtures of the test suite, and its one rule on skips.

A test may skip when something it needs is missing on the machine (PyTorch, Graphviz's
``dot``, MNIST). CI installs all of these, so under CI (the environment variable ``CI`` set
to anything but ``0``, ``false`` or ``no``) every skip fails instead, except the few whose
reason CI cannot change (:data:`SKIPS_ALLOWED_IN_CI`): a broken import or a lost data
folder then shows as a failure, never as a quiet skip.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
from pathlib import Path

import numpy as np
import pytest

REPO = Path(__file__).resolve().parents[1]
#: Where the MNIST files are: ``$MINIGRAD_DATA``, by default ``../shared/data/mnist``.
MNIST_DIR = Path(os.environ.get("MINIGRAD_DATA") or REPO / ".." / "shared" / "data" / "mnist")


#: Skip reasons that hold on CI machines too (the user the tests run as, the checkout).
SKIPS_ALLOWED_IN_CI = (
    "needs a non-root POSIX user",
    "needs root and mount(8)",
    "cannot mount a tmpfs here",
    "not a git checkout",
    "all tests skipped by +SKIP option",  # a docstring example marked not to run
)


def in_ci() -> bool:
    """True when the environment variable ``CI`` is set to something other than 0/false/no."""
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def _skip_reason(longrepr) -> str:
    reason = longrepr[2] if isinstance(longrepr, tuple) else str(longrepr)
    return reason.removeprefix("Skipped: ")


def _fail_skip_under_ci(report) -> None:
    if not (report.skipped and in_ci()) or hasattr(report, "wasxfail"):
        return
    reason = _skip_reason(report.longrepr)
    if reason.startswith(SKIPS_ALLOWED_IN_CI):
        return
    report.outcome = "failed"
    report.longrepr = f"skipped under CI, which installs everything the tests need: {reason}"


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Under CI, a skipped test fails (see the module's docstring)."""
    outcome = yield
    _fail_skip_under_ci(outcome.get_result())


@pytest.hookimpl(hookwrapper=True)
def pytest_make_collect_report(collector):
    """Under CI, a module skipped at import (``importorskip``) fails to collect."""
    outcome = yield
    _fail_skip_under_ci(outcome.get_result())


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


@pytest.fixture
def primed():
    """Two leaves that already hold a gradient (a failing call must not touch it)."""
    a, b = make_leaf(np.ones((2, 3))), make_leaf(np.ones((4, 5)))
    ((a * 2).sum() + (b * 3).sum()).backward()
    return a, b


@contextlib.contextmanager
def mounted_tmpfs(mnt: Path, options: str, what: str):
    """Mount a tmpfs with ``options`` on the new folder ``mnt`` for the block (needs root
    and mount(8); the test skips without them, one of the skips CI accepts)."""
    if os.name != "posix" or os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip(f"needs root and mount(8) to mount {what}")
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], capture_output=True)


@pytest.fixture
def read_only_mount(tmp_path):
    """An empty folder on a read-only tmpfs: not writable even by root (needs root and mount)."""
    with mounted_tmpfs(tmp_path / "read_only", "ro,size=64k", "a read-only tmpfs") as mnt:
        yield mnt
