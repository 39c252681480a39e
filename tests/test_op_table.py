"""The documentation's op table is made from the catalogue and lists every op."""

import importlib.util
from pathlib import Path

from minigrad.ops import catalogue

HOOK = Path(__file__).resolve().parents[1] / "docs" / "_ext" / "op_table.py"


def _hook():
    spec = importlib.util.spec_from_file_location("op_table", HOOK)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_every_op_has_a_row_in_its_family():
    hook = _hook()
    table = hook.op_table()
    assert set(hook.FAMILIES) == {e.family for e in catalogue.entries()}
    for e in catalogue.entries():
        rows = [line for line in table.splitlines() if line.startswith(f"| `{e.name}` |")]
        assert len(rows) == 1, e.name
        assert f"minigrad.ops.{e.family}" in table
    hypot = next(line for line in table.splitlines() if line.startswith("| `hypot` |"))
    assert "`__add__`" not in hypot and "`hypot`" in hypot.split("|")[4]  # a Tensor method


def test_the_page_marker_is_replaced():
    hook = _hook()
    page = Path(__file__).resolve().parents[1] / "docs" / "reference" / "op-table.md"
    text = page.read_text()
    assert hook.MARKER in text
    out = hook.on_page_markdown(text)
    assert hook.MARKER not in out and "| `exp` |" in out
