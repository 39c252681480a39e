"""What the example-script tests share: running a script in-process and reading its output."""

from __future__ import annotations

import re
import runpy
import sys
from pathlib import Path

from conftest import MNIST_DIR, REPO

EXAMPLES = REPO / "examples"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
FLOAT = r"[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?"


def run_example(name, argv, capsys, monkeypatch, data=False):
    """Run ``examples/<name>.py`` in-process with ``argv`` and return what it printed.

    ``data=True`` appends ``--data-dir`` with the suite's MNIST folder; ``MINIGRAD_DATA``
    is unset while the script runs, so it finds MNIST only through its arguments.
    """
    monkeypatch.delenv("MINIGRAD_DATA", raising=False)
    monkeypatch.setattr(sys, "path", list(sys.path))  # the scripts prepend the repo root
    if data:
        argv = [*argv, "--data-dir", str(MNIST_DIR)]
    namespace = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"example_{name}")
    assert namespace["main"](argv) == 0
    return capsys.readouterr().out


def assert_pngs(out_dir: Path, names):
    """Each of ``names`` in ``out_dir`` is a whole PNG file, and no temporary file is left."""
    for name in names:
        data = (out_dir / name).read_bytes()
        assert data.startswith(PNG_SIGNATURE), name
        assert data.endswith(b"IEND\xaeB`\x82"), name
    assert not [p for p in out_dir.iterdir() if p.name.endswith(".tmp")]


def floats(text):
    """Every number written in ``text``, in order."""
    return [float(v) for v in re.findall(FLOAT, text)]


def line_with(out, prefix):
    """The lines of ``out`` that start with ``prefix`` (leading blanks ignored); at least one."""
    lines = [line for line in out.splitlines() if line.strip().startswith(prefix)]
    assert lines, f"no line starting with {prefix!r} in:\n{out}"
    return lines
