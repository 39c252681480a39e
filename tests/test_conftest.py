"""The suite's rule on skips (tests/conftest.py): a skip is a failure under CI."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent

SKIPPING = '''
import pytest

mod = pytest.importorskip("{module}")


def test_uses_it():
    assert mod
'''

SKIPPING_TESTS = '''
import pytest


def test_skips_for_a_missing_file():
    pytest.skip(reason="MNIST not found in /nowhere")


@pytest.mark.skipif(True, reason="needs a non-root POSIX user for directory permissions")
def test_skips_for_root():
    raise AssertionError("not run")


def test_passes():
    assert 1 + 1 == 2
'''


def _run(tmp_path: Path, ci: str) -> str:
    shutil.copy(HERE / "conftest.py", tmp_path / "conftest.py")
    (tmp_path / "test_module_skip.py").write_text(SKIPPING.format(module="no_such_module_xyz"))
    (tmp_path / "test_skips.py").write_text(SKIPPING_TESTS)
    env = {**os.environ, "CI": ci}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs",
         "--continue-on-collection-errors", "."],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120)
    return result.stdout


@pytest.mark.parametrize("ci", ["", "false"])
def test_skips_stay_skips_outside_ci(tmp_path, ci):
    out = _run(tmp_path, ci)
    assert "1 passed, 3 skipped" in out, out


@pytest.mark.parametrize("ci", ["true"])
def test_skips_fail_under_ci_except_the_allowed_reasons(tmp_path, ci):
    out = _run(tmp_path, ci)
    assert "1 failed, 1 passed, 1 skipped, 1 error" in out, out
    assert "no_such_module_xyz" in out and "MNIST not found" in out, out
