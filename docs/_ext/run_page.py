"""Regenerate the pictures a documentation page draws with its own code.

A page whose code blocks write pictures says where those pictures live with a
marker line such as ``<!-- figures: figures/graphs -->`` (relative to docs/).
This script runs the page's ```python blocks in order, in that folder, so the
pictures the page shows are exactly the ones its code makes. The docs tests
run the same blocks in a temporary folder and check that they write the same
set of files.

    python docs/_ext/run_page.py docs/graph-rendering.md [...]
"""

from __future__ import annotations

import os
import re
import sys
import textwrap
from pathlib import Path

MARKER = re.compile(r"<!--\s*figures:\s*(?P<folder>[\w./-]+)\s*-->")
FENCE = re.compile(r"^(?P<indent>[ \t]*)```(?P<info>.*)$")


def figures_folder(text: str) -> str | None:
    """Return the folder named by the page's figures marker, or None."""
    m = MARKER.search(text)
    return m.group("folder") if m else None


def python_blocks(text: str) -> list[str]:
    """Return the code of the page's runnable ```python blocks, in order."""
    blocks, body, indent, lang = [], None, "", ""
    for line in text.splitlines():
        m = FENCE.match(line)
        if body is None and m:
            indent, lang, body = m.group("indent"), m.group("info").strip(), []
        elif body is not None and line.strip() == "```":
            if lang.split()[:1] == ["python"] and ".no-run" not in lang:
                blocks.append(textwrap.dedent("\n".join(body)) + "\n")
            body = None
        elif body is not None:
            body.append(line[len(indent):] if line.startswith(indent) else line)
    return blocks


def run(page: Path) -> Path:
    """Run the page's code in its figures folder; return the folder."""
    text = page.read_text("utf-8")
    folder = figures_folder(text)
    if folder is None:
        raise SystemExit(f"{page}: no <!-- figures: FOLDER --> marker")
    out = (page.parent / folder).resolve()
    out.mkdir(parents=True, exist_ok=True)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    cwd = os.getcwd()
    os.chdir(out)
    try:
        for code in python_blocks(text):
            exec(compile(code, str(page), "exec"), namespace)  # noqa: S102
    finally:
        os.chdir(cwd)
    return out


def main(argv: list[str]) -> int:
    """Regenerate the pictures of each page given on the command line."""
    os.environ.setdefault("MPLBACKEND", "Agg")
    for name in argv:
        print(f"{name} -> {run(Path(name))}")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, os.getcwd())
    raise SystemExit(main(sys.argv[1:]))
