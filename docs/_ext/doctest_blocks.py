"""Griffe extension: show doctest examples in free docstring text as code.

NumPy-style docstrings give examples an ``Examples`` section, which
mkdocstrings renders as code. Module docstrings often show a short
session in their prose instead; Markdown reads its ``>>>`` lines as a
nested block quote. This extension wraps each such session (a run of
lines that starts with ``>>>`` and ends at a blank line) in a fenced
``pycon`` block, and drops the ``# doctest:`` directives, which are for
the test runner, not the reader. ``Examples`` sections are left to
mkdocstrings.
"""

from __future__ import annotations

import re
from typing import Any

import griffe

_DIRECTIVE = re.compile(r"\s*#\s*doctest:.*$")
_UNDERLINE = re.compile(r"^\s*-{3,}\s*$")


def fence_sessions(text: str) -> str:
    """Return ``text`` with every doctest session outside ``Examples`` fenced as ``pycon``."""
    lines = text.splitlines()
    out: list[str] = []
    section = ""
    fenced = False  # inside a ``` block the author wrote
    i = 0
    while i < len(lines):
        line = lines[i]
        if line.lstrip().startswith("```"):
            fenced = not fenced
        elif not fenced and i + 1 < len(lines) and line.strip() and _UNDERLINE.match(lines[i + 1]):
            section = line.strip()
        if not fenced and section != "Examples" and line.lstrip().startswith(">>>"):
            indent = line[: len(line) - len(line.lstrip())]
            block = []
            while i < len(lines) and lines[i].strip():
                block.append(_DIRECTIVE.sub("", lines[i]))
                i += 1
            out += [f"{indent}```pycon", *block, f"{indent}```"]
            continue
        out.append(line)
        i += 1
    return "\n".join(out)


class DoctestBlocks(griffe.Extension):
    """Fence the doctest sessions of docstring prose."""

    def on_instance(self, *, obj: griffe.Object, **kwargs: Any) -> None:
        """Rewrite the docstring of every loaded object."""
        if obj.docstring is not None and ">>>" in obj.docstring.value:
            obj.docstring.value = fence_sessions(obj.docstring.value)
