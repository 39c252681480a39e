"""Run the code in the documentation, so that the docs cannot drift from the code.

Every ```python block of a page (docs/**/*.md, README.md, CONTRIBUTING.md) runs, in
order, in one namespace per page, with the working directory set to a fresh temporary
folder. A block marked ```python {.no-run} is shown but not run (only for long runs).
A ```text block titled "Output" (or "출력") right after a python block is the expected
output of that block: its printed output must match (``...`` matches anything, runs of
whitespace compare equal). ```bash blocks are not run. A page with a marker
``<!-- figures: FOLDER -->`` draws its pictures with its own code: the pictures its code
writes must be those committed in FOLDER (regenerate them with docs/_ext/run_page.py).
Every test that docs/guarantees.md names exists.
"""

from __future__ import annotations

import contextlib
import doctest
import importlib.util
import io
import os
import re
import subprocess
import sys
import textwrap
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
OUTPUT_TITLES = {"Output", "출력"}
PICTURES = {".svg", ".png", ".pdf", ".html"}  # .html: the backward stepper's player
# A page whose code writes the pictures it shows names their folder (relative to the page).
_FIGURES = re.compile(r"<!--\s*figures:\s*(?P<folder>[\w./-]+)\s*-->")
_FENCE = re.compile(r"^(?P<indent>[ \t]*)(?P<fence>`{3,}|~{3,})[ \t]*(?P<info>.*)$")
_TITLE = re.compile(r"""title=(["'])(?P<title>.*?)\1""")


@dataclass
class Block:
    lang: str
    info: str
    code: str
    line: int  # 1-based line of the opening fence

    @property
    def runs(self) -> bool:
        return self.lang == "python" and ".no-run" not in self.info

    @property
    def is_output(self) -> bool:
        m = _TITLE.search(self.info)
        return self.lang == "text" and m is not None and m.group("title") in OUTPUT_TITLES


def parse_blocks(text: str) -> list[Block]:
    """Return the fenced code blocks of a Markdown text, in order (indented ones included)."""
    lines = text.splitlines()
    blocks: list[Block] = []
    i = 0
    while i < len(lines):
        m = _FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        indent, fence, info = m.group("indent"), m.group("fence"), m.group("info").strip()
        lang = re.split(r"[\s{]", info, maxsplit=1)[0] if info else ""
        body: list[str] = []
        j = i + 1
        while j < len(lines):
            stripped = lines[j].strip()
            if stripped.startswith(fence[0] * len(fence)) and set(stripped) == {fence[0]}:
                break
            body.append(lines[j][len(indent):] if lines[j].startswith(indent) else lines[j])
            j += 1
        else:
            raise ValueError(f"unclosed code fence opened on line {i + 1}")
        blocks.append(Block(lang, info, textwrap.dedent("\n".join(body)) + "\n", i + 1))
        i = j + 1
    return blocks


def doc_pages() -> list[Path]:
    pages = sorted((ROOT / "docs").rglob("*.md"))
    pages += [p for p in (ROOT / "README.md", ROOT / "CONTRIBUTING.md") if p.exists()]
    return pages


def _page_id(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


PAGES = [p for p in doc_pages() if any(b.runs for b in parse_blocks(p.read_text("utf-8")))]
_CHECKER = doctest.OutputChecker()
_FLAGS = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE


def needs_mnist(text: str) -> bool:
    """Whether a page's code loads MNIST (it is skipped, like the other tests, without it)."""
    return any("load_mnist" in b.code or "mnist" in b.code.lower()
               for b in parse_blocks(text) if b.runs)


@pytest.fixture
def docs_env(tmp_path, monkeypatch):
    """A fresh working directory, no windows, global options restored."""
    monkeypatch.chdir(tmp_path)
    monkeypatch.setenv("MPLBACKEND", "Agg")
    import numpy as np

    import minigrad as mg

    opts, np_opts = mg.get_printoptions(), np.get_printoptions()
    yield tmp_path
    mg.set_printoptions(**opts)
    np.set_printoptions(**np_opts)
    if "matplotlib.pyplot" in sys.modules:
        sys.modules["matplotlib.pyplot"].close("all")


def test_parse_blocks_handles_indentation_markers_and_outputs():
    text = textwrap.dedent('''\
        Intro
        ```python
        print(1)
        ```
        ```text title="Output"
        1
        ```
        !!! example
            ```python {.no-run}
            slow()
            ```
        ```bash
        make test
        ```
        ''')
    blocks = parse_blocks(text)
    assert [(b.lang, b.runs, b.is_output) for b in blocks] == [
        ("python", True, False), ("text", False, True), ("python", False, False),
        ("bash", False, False)]
    assert blocks[2].code == "slow()\n"
    assert blocks[1].code == "1\n"


@pytest.mark.parametrize("page", PAGES, ids=_page_id)
def test_page_code_runs(page: Path, docs_env: Path, request: pytest.FixtureRequest) -> None:
    text = page.read_text("utf-8")
    if needs_mnist(text):
        request.getfixturevalue("mnist_dir")  # skips the page without MNIST
    blocks = parse_blocks(text)
    namespace: dict[str, object] = {"__name__": "__docs__"}
    rel = _page_id(page)
    for k, block in enumerate(blocks):
        if not block.runs:
            continue
        code = compile(block.code, f"{rel}:{block.line + 1}", "exec")
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            exec(code, namespace)  # noqa: S102 - running the documentation is the point
        nxt = blocks[k + 1] if k + 1 < len(blocks) else None
        if nxt is not None and nxt.is_output:
            got = out.getvalue()
            assert _CHECKER.check_output(nxt.code, got, _FLAGS), (
                f"{rel}, block at line {block.line}: the output shown on line {nxt.line} is "
                f"out of date.\n--- shown ---\n{nxt.code}--- printed ---\n{got}"
            )
    marker = _FIGURES.search(text)
    if marker is not None:
        folder = page.parent / marker.group("folder")
        written = {p.name for p in docs_env.iterdir() if p.suffix in PICTURES}
        committed = {p.name for p in folder.iterdir() if p.suffix in PICTURES} \
            if folder.is_dir() else set()
        assert written == committed, (
            f"{rel}: its code draws {sorted(written)} but {folder.relative_to(ROOT)} holds "
            f"{sorted(committed)}; run python docs/_ext/run_page.py {rel}")


def test_every_output_block_follows_a_python_block() -> None:
    for page in doc_pages():
        blocks = parse_blocks(page.read_text("utf-8"))
        for prev, block in zip([None, *blocks], blocks):
            if block.is_output:
                assert prev is not None and prev.runs, (
                    f"{_page_id(page)}:{block.line}: an Output block must follow a python "
                    "block that runs")


@pytest.mark.slow
def test_mkdocs_build_strict(tmp_path: Path) -> None:
    pytest.importorskip("mkdocs", reason="the docs extra is not installed (pip install .[docs])")
    pytest.importorskip("material", reason="mkdocs-material is not installed")
    pytest.importorskip("mkdocstrings", reason="mkdocstrings is not installed")
    env = dict(os.environ, NO_MKDOCS_2_WARNING="1")
    proc = subprocess.run(
        # not --quiet: it hides the warnings from the count that --strict fails on
        [sys.executable, "-m", "mkdocs", "build", "--strict", "-d",
         str(tmp_path / "site")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300,
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    site = tmp_path / "site"
    assert (site / "index.html").exists()
    home_ko = (site / "ko" / "index.html").read_text("utf-8")
    assert '<html lang="ko"' in home_ko
    assert '<html lang="en"' in (site / "index.html").read_text("utf-8")
    assert "4장: 신경망 학습" in home_ko  # the Korean navigation, not the English one
    assert "Chapter 4: neural network training" not in home_ko
    # a page not translated yet is served in the Korean site, in English
    assert "written for reading, not for speed" in \
        (site / "ko" / "performance" / "index.html").read_text("utf-8")
    # and a translated one in Korean
    assert "해석적 기울기" in (site / "ko" / "gradcheck" / "index.html").read_text("utf-8")
    # the API pages show docstring examples as code, never as a block quote
    for page in (site / "reference").rglob("index.html"):
        for quote in re.findall(r"<blockquote>.*?</blockquote>", page.read_text("utf-8"), re.S):
            assert "&gt;&gt;&gt;" not in quote, f"{page}: a doctest rendered as a block quote"
    nn_page = (site / "reference" / "nn" / "index.html").read_text("utf-8")
    first = re.search(r'<h3 id="minigrad\.nn\.(\w+)"', nn_page)
    assert first is not None and first.group(1) == "Module"


def test_docs_figures_are_small() -> None:
    figures = ROOT / "docs" / "figures"
    total = sum(p.stat().st_size for p in figures.rglob("*") if p.is_file()) if \
        figures.exists() else 0
    assert total < 2_000_000, f"docs/figures holds {total} bytes; keep the figures under 2 MB"


# -- docs/guarantees.md names only tests that exist -------------------------------------------

REPO = ROOT


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


# -- the Korean site -------------------------------------------------------------------------

def _korean_nav_pages() -> list[str]:
    """The pages the Korean navigation in mkdocs.yml names (read by the notebook generator)."""
    pytest.importorskip("yaml", reason="PyYAML comes with mkdocs (pip install .[docs])")
    spec = importlib.util.spec_from_file_location("docs_notebooks_nav",
                                                  ROOT / "docs" / "_ext" / "notebooks.py")
    assert spec is not None and spec.loader is not None
    tool = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = tool  # its dataclasses look their module up there
    spec.loader.exec_module(tool)
    return tool.nav_pages("ko")  # type: ignore[no-any-return]


def test_every_korean_page_has_its_english_page_and_a_place_in_the_korean_nav() -> None:
    korean = sorted(p.relative_to(ROOT / "docs").as_posix()
                    for p in (ROOT / "docs").rglob("*.ko.md"))
    assert korean, "no Korean pages found"
    nav = _korean_nav_pages()
    for page in korean:
        english = page.removesuffix(".ko.md") + ".md"
        assert (ROOT / "docs" / english).exists(), f"docs/{page} has no English page {english}"
        assert english in nav or english.endswith("index.md"), \
            f"docs/{page} is missing from the Korean navigation in mkdocs.yml"
    for english in nav:
        assert (ROOT / "docs" / english).exists(), f"the Korean navigation names {english}"


def test_doctest_sessions_in_docstring_prose_are_fenced() -> None:
    sys.path.insert(0, str(ROOT / "docs" / "_ext"))
    try:
        from doctest_blocks import fence_sessions
    finally:
        sys.path.remove(str(ROOT / "docs" / "_ext"))
    text = textwrap.dedent("""\
        Intro.

        >>> x = 1   # doctest: +SKIP
        >>> x
        1

        More prose.

        Examples
        --------
        >>> y = 2
        """)
    out = fence_sessions(text)
    assert "```pycon\n>>> x = 1\n>>> x\n1\n```" in out
    assert "doctest:" not in out
    assert out.endswith("Examples\n--------\n>>> y = 2")  # left to mkdocstrings
