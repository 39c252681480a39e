"""Every test that docs/guarantees.md names exists."""

from __future__ import annotations

import re
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def _references() -> list[tuple[str, str]]:
    text = (REPO / "docs" / "guarantees.md").read_text(encoding="utf-8")
    refs = []
    for row in text.splitlines():
        if not row.startswith("|"):
            continue
        current = None
        for ref in re.findall(r"`((?:tests/[\w/]+\.py)?::\w+)`", row):
            path, _, name = ref.partition("::")
            current = path or current
            assert current is not None, f"{ref} has no file before it in: {row}"
            refs.append((current, name))
    return refs


def test_every_named_test_exists():
    refs = _references()
    assert len(refs) > 50
    missing = [f"{path}::{name}" for path, name in refs
               if not (REPO / path).exists()
               or not re.search(rf"^def {name}\(", (REPO / path).read_text(encoding="utf-8"),
                                re.M)]
    assert not missing, missing
