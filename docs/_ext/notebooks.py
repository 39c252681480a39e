"""Make the chapter notebooks from the documentation pages, so the two cannot differ.

Each notebook is made from pages of docs/ with jupytext: a page's ```python blocks become
code cells and its prose becomes markdown cells. Before the conversion, what only the
site understands is turned into plain Markdown:

- a ```text block titled "Output" (or "출력") is dropped: it is the output the docs test
  checks, and the cell above it prints the same when it runs;
- a ```python {.no-run} block (a full training run) becomes a code cell tagged
  ``skip-execution``: CI does not run it, a reader can;
- other fenced blocks (```bash, ```text) stay Markdown, never ``%%bash`` cells;
- an admonition or a content tab (``!!! note "Title"``, ``=== "Tab"``) becomes a bold
  title and its content, unindented;
- links and pictures point at the pages and figures in docs/, relative to the notebook;
- in a notebook made of several pages, the headings of the pages after the first go one
  level down.

Every notebook starts with a cell that installs minigrad when it is not importable. The
notebooks go to notebooks/en and notebooks/ko (a Korean page is ``page.ko.md`` beside
``page.md``; where one is missing, the English page is used, as on the site):

    python docs/_ext/notebooks.py               # rewrite notebooks/
    python docs/_ext/notebooks.py --out DIR     # write DIR/en and DIR/ko instead
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DOCS = ROOT / "docs"
LANGUAGES = ("en", "ko")
OUTPUT_TITLES = {"Output", "출력"}
SKIP_TAG = "skip-execution"  # nbclient leaves cells with this tag unrun


@dataclass(frozen=True)
class Notebook:
    """One notebook: its file name and the pages (or the docs folder) it is made from."""

    name: str
    folder: str | None = None  # every page of this docs folder, in the order of the nav
    page: str | None = None  # or this one page


NOTEBOOKS = (
    Notebook("minigrad-in-10-minutes", page="ten-minutes.md"),
    Notebook("chapter4", folder="chapter"),
    Notebook("chapter5", folder="chapter5"),
    Notebook("chapter6", folder="chapter6"),
    Notebook("chapter7", folder="chapter7"),
    Notebook("chapter8", folder="chapter8"),
)

_INSTALL = {
    "en": (
        "# Installs minigrad (with matplotlib) when this Python does not have it yet,\n"
        "# as in a fresh Colab or Jupyter; it does nothing where minigrad is installed.\n"
        "# MINIGRAD_PIP_SOURCE is where pip gets it: a checkout's folder, or the\n"
        "# repository's git URL (git+https://...). MNIST is downloaded on first use.\n"
    ),
    "ko": (
        "# 이 파이썬에 minigrad가 없으면 (새 Colab이나 Jupyter처럼) matplotlib과 함께\n"
        "# 설치합니다. 이미 설치되어 있으면 아무것도 하지 않습니다.\n"
        "# MINIGRAD_PIP_SOURCE는 pip이 설치할 곳입니다: 저장소를 받은 폴더나\n"
        "# 저장소의 git 주소(git+https://...). MNIST는 처음 쓸 때 내려받습니다.\n"
    ),
}
_INSTALL_CODE = '''\
import importlib.util
import os
import subprocess
import sys
from pathlib import Path

MINIGRAD_PIP_SOURCE = os.environ.get("MINIGRAD_PIP_SOURCE", {default})

if importlib.util.find_spec("minigrad") is None:
    if not MINIGRAD_PIP_SOURCE:
        raise RuntimeError(
            "minigrad is not installed: set MINIGRAD_PIP_SOURCE above to a checkout of "
            "the repository or to its git URL (git+https://...), then rerun this cell")
    source = MINIGRAD_PIP_SOURCE
    if Path(source).is_dir():
        source = Path(source).resolve().as_uri()
    subprocess.run([sys.executable, "-m", "pip", "install", "--quiet",
                    f"minigrad[plot] @ {{source}}"], check=True)
    importlib.invalidate_caches()
'''


def pip_source() -> str:
    """Where the install cell installs from by default: ``git+`` the repository's URL.

    The URL is the one place it is written, ``Repository`` under ``[project.urls]`` in
    pyproject.toml; without it the default is empty and a reader sets
    ``MINIGRAD_PIP_SOURCE``.
    """
    try:
        import tomllib
    except ModuleNotFoundError:  # Python 3.10
        import tomli as tomllib  # type: ignore[no-redef]
    project = tomllib.loads((ROOT / "pyproject.toml").read_text("utf-8"))["project"]
    url = project.get("urls", {}).get("Repository", "")
    return f"git+{url}" if url else ""


def install_cell_source(lang: str) -> str:
    """The code of the first cell of every notebook in ``lang``."""
    return _INSTALL[lang] + _INSTALL_CODE.format(default=json.dumps(pip_source()))


# -- which pages make which notebook -----------------------------------------------------------

def nav_pages(locale: str = "en") -> list[str]:
    """The pages of a language's navigation in mkdocs.yml, in order.

    ``"en"`` is the site's own ``nav``; another locale's is the ``nav`` of that
    language in the i18n plugin's configuration.
    """
    import yaml

    class Loader(yaml.SafeLoader):
        """A safe loader that reads a tag it does not know (``!!python/name:``) as None."""

    Loader.add_multi_constructor("", lambda loader, suffix, node: None)
    config = yaml.load((ROOT / "mkdocs.yml").read_text("utf-8"), Loader=Loader)  # noqa: S506
    if locale == "en":
        nav = config["nav"]
    else:
        i18n = next(p["i18n"] for p in config["plugins"] if isinstance(p, dict) and "i18n" in p)
        nav = next(lang["nav"] for lang in i18n["languages"] if lang["locale"] == locale)
    pages: list[str] = []

    def visit(item: object) -> None:
        if isinstance(item, str):
            pages.append(item)
        elif isinstance(item, list):
            for x in item:
                visit(x)
        elif isinstance(item, dict):
            for x in item.values():
                visit(x)

    visit(nav)
    return pages


def pages_of(notebook: Notebook) -> list[str]:
    """The English pages (relative to docs/) a notebook is made from, in order."""
    if notebook.page is not None:
        return [notebook.page]
    pages = [p for p in nav_pages() if p.startswith(f"{notebook.folder}/")]
    if not pages:
        raise SystemExit(f"mkdocs.yml's nav names no page under docs/{notebook.folder}/")
    return pages


def localised(page: str, lang: str) -> Path:
    """The page in ``lang`` (``page.ko.md``), or the English page where there is none."""
    english = DOCS / page
    if lang != "en":
        translated = english.with_name(english.name.removesuffix(".md") + f".{lang}.md")
        if translated.exists():
            return translated
    return english


# -- Markdown of the site -> Markdown for jupytext ----------------------------------------------

_FENCE_LANG = re.compile(r"^\s*(?P<lang>[\w+-]*)")
_TITLE = re.compile(r"""title=(["'])(?P<title>.*?)\1""")
_BOX = re.compile(r"""^(?:!!!|\?\?\?\+?|===)\s*(?:(?P<kind>[\w-]+)\s*)?"""
                  r"""(?:"(?P<title>[^"]*)")?\s*$""")
_FIGURES = re.compile(r"<!--\s*figures:\s*[\w./-]+\s*-->\n?")
_LINK = re.compile(r"(?P<head>!?\[[^\]]*\]\()(?P<target>[^)\s]+)(?P<tail>[^)]*\))")


def _fenced_lines(text: str) -> set[int]:
    """The 0-based numbers of the lines inside fenced or indented code blocks."""
    from markdown_it import MarkdownIt

    lines: set[int] = set()
    for token in MarkdownIt("commonmark").parse(text):
        if token.type in ("fence", "code_block") and token.map:
            lines.update(range(*token.map))
    return lines


def _unbox(text: str) -> str:
    """Admonitions and content tabs become a bold title and their content, unindented."""
    lines = text.split("\n")
    code = _fenced_lines(text)
    out: list[str] = []
    i = 0
    while i < len(lines):
        m = _BOX.match(lines[i]) if i not in code else None
        if m is None:
            out.append(lines[i])
            i += 1
            continue
        title = m.group("title") or (m.group("kind") or "").capitalize()
        if title:
            out += [f"**{title}**", ""]
        i += 1
        while i < len(lines) and (not lines[i].strip() or lines[i].startswith("    ")):
            out.append(lines[i][4:])
            i += 1
    return "\n".join(out)


def _relink(target: str, page: Path, lang: str, out_dir: Path) -> str:
    """A link of the page, pointed at the same file from the notebook's folder."""
    if re.match(r"^[a-z][\w+.-]*:", target) or target.startswith(("#", "/")):
        return target
    path, _, anchor = target.partition("#")
    dest = (page.parent / path).resolve()
    if dest.suffix == ".md" and lang != "en":
        translated = dest.with_name(dest.name.removesuffix(".md") + f".{lang}.md")
        dest = translated if translated.exists() else dest
    rel = os.path.relpath(dest, out_dir).replace(os.sep, "/")
    return rel + (f"#{anchor}" if anchor else "")


def to_jupytext_markdown(text: str, page: Path, lang: str, out_dir: Path,
                         demote: bool = False) -> str:
    """The Markdown of a site page, rewritten as described in the module's docstring."""
    from markdown_it import MarkdownIt

    text = _unbox(text)
    lines = text.split("\n")
    drop: set[int] = set()
    code: set[int] = set()
    for token in MarkdownIt("commonmark").parse(text):
        if token.map is None:
            continue
        start, end = token.map
        if token.type == "heading_open" and demote and token.markup.startswith("#"):
            lines[start] = "#" + lines[start]
        if token.type == "code_block":
            code.update(range(start, end))
        if token.type != "fence":
            continue
        code.update(range(start, end))
        info = token.info.strip()
        lang_name = _FENCE_LANG.match(info).group("lang")  # type: ignore[union-attr]
        title = _TITLE.search(info)
        fence = token.markup
        if lang_name == "text" and title is not None and title.group("title") in OUTPUT_TITLES:
            drop.update(range(start, end))
            if end < len(lines) and not lines[end].strip():
                drop.add(end)
        elif lang_name == "python":
            tags = f' tags=["{SKIP_TAG}"]' if ".no-run" in info else ""
            lines[start] = lines[start][:len(lines[start]) - len(lines[start].lstrip())] \
                + fence + "python" + tags
        else:  # kept as Markdown, not turned into a %%bash (or other) cell
            lines[start] = "<!-- #region -->\n" + lines[start]
            lines[end - 1] = lines[end - 1] + "\n<!-- #endregion -->"
    for n, line in enumerate(lines):
        if n not in code and line.strip() and not _FIGURES.sub("", line).strip():
            drop.add(n)  # a line with only the figures marker, and the blank line after it
            if n + 1 < len(lines) and not lines[n + 1].strip():
                drop.add(n + 1)
    kept = []
    for n, line in enumerate(lines):
        if n in drop:
            continue
        if n not in code:
            line = _FIGURES.sub("", line)
            line = _LINK.sub(lambda m: m.group("head") + _relink(m.group("target"), page, lang,
                                                                  out_dir) + m.group("tail"),
                             line)
        kept.append(line)
    return "\n".join(kept)


# -- the notebook ------------------------------------------------------------------------------

def _runnable_blocks(text: str) -> list[str]:
    """The page's python blocks that the docs test runs (docs/_ext/run_page.py's reading)."""
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    try:
        from run_page import python_blocks
    finally:
        sys.path.remove(str(Path(__file__).resolve().parent))
    return [b.rstrip("\n") for b in python_blocks(text)]


def build(notebook: Notebook, lang: str, out_dir: Path):  # -> nbformat.NotebookNode
    """Make one notebook (not written)."""
    import jupytext
    import nbformat

    cells = [nbformat.v4.new_code_cell(install_cell_source(lang))]
    for k, page in enumerate(pages_of(notebook)):
        path = localised(page, lang)
        text = path.read_text("utf-8")
        md = to_jupytext_markdown(text, path, lang, out_dir, demote=k > 0)
        page_cells = jupytext.reads(md, fmt="md").cells
        ran = [c.source.rstrip("\n") for c in page_cells if c.cell_type == "code"
               and SKIP_TAG not in c.metadata.get("tags", [])]
        if ran != _runnable_blocks(text):
            raise SystemExit(f"{path.relative_to(ROOT)}: its code cells differ from the python "
                             "blocks the docs test runs (is a python block indented?)")
        cells += page_cells
    merged: list = []
    for cell in cells:
        tags = cell.metadata.get("tags")
        cell.metadata = {"tags": tags} if tags else {}
        if cell.cell_type == "markdown" and merged and merged[-1].cell_type == "markdown":
            merged[-1].source += "\n\n" + cell.source
        else:
            merged.append(cell)
    for n, cell in enumerate(merged):
        cell["id"] = f"{notebook.name}-{n:03d}"
        if cell.cell_type == "code":
            cell.outputs, cell.execution_count = [], None
    nb = nbformat.v4.new_notebook(cells=merged)
    nb.nbformat, nb.nbformat_minor = 4, 5  # fixed, so a newer nbformat writes the same file
    nb.metadata = {"kernelspec": {"display_name": "Python 3", "language": "python",
                                  "name": "python3"},
                   "language_info": {"name": "python"}}
    nbformat.validate(nb)
    return nb


def notebook_text(notebook: Notebook, lang: str, out_dir: Path) -> str:
    """The notebook's file contents, as nbformat writes them, with one newline at the end."""
    import nbformat

    return nbformat.writes(build(notebook, lang, out_dir)).rstrip("\n") + "\n"


def write_all(out: Path) -> list[Path]:
    """Write every notebook under ``out/<lang>/`` (as if ``out`` were notebooks/)."""
    written = []
    for lang in LANGUAGES:
        folder = out / lang
        folder.mkdir(parents=True, exist_ok=True)
        # links are made relative to the committed place, so a copy elsewhere is identical
        for notebook in NOTEBOOKS:
            path = folder / f"{notebook.name}.ipynb"
            path.write_text(notebook_text(notebook, lang, ROOT / "notebooks" / lang), "utf-8")
            written.append(path)
    return written


def main(argv: list[str] | None = None) -> int:
    """Write the notebooks (see the module's docstring)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=ROOT / "notebooks",
                        help="folder to write en/ and ko/ into (default: notebooks/)")
    args = parser.parse_args(argv)
    for path in write_all(args.out):
        print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
