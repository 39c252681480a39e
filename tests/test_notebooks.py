"""The notebooks in notebooks/: made from the docs pages, up to date, and they run.

docs/_ext/notebooks.py makes them with jupytext (``make notebooks``). The slow tests run
every notebook top to bottom in a fresh virtual environment, as a reader's Colab or
Jupyter would: the first notebook's install cell pip-installs minigrad from a copy of the
checkout, and MNIST comes from ``MINIGRAD_DATA``.
"""

from __future__ import annotations

import importlib.util
import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
NOTEBOOKS = ROOT / "notebooks"

jupytext = pytest.importorskip("jupytext", reason="pip install .[notebooks] (or .[dev])")
nbformat = pytest.importorskip("nbformat", reason="pip install .[notebooks] (or .[dev])")

# the generator, loaded from its file (the name `notebooks` is also the folder notebooks/)
_spec = importlib.util.spec_from_file_location("docs_notebooks", ROOT / "docs/_ext/notebooks.py")
assert _spec is not None and _spec.loader is not None
gen = importlib.util.module_from_spec(_spec)
sys.modules["docs_notebooks"] = gen  # dataclasses look their module up there
_spec.loader.exec_module(gen)


def _committed() -> list[Path]:
    return sorted(NOTEBOOKS.glob("*/*.ipynb"))


# -- made from the pages -------------------------------------------------------------------


def test_notebooks_are_up_to_date_with_the_pages(tmp_path: Path) -> None:
    written = gen.write_all(tmp_path)
    fresh = {p.relative_to(tmp_path).as_posix(): p.read_text("utf-8") for p in written}
    committed = {p.relative_to(NOTEBOOKS).as_posix(): p.read_text("utf-8") for p in _committed()}
    assert sorted(committed) == sorted(fresh), "run `make notebooks` and commit notebooks/"
    stale = [name for name in fresh if fresh[name] != committed[name]]
    assert not stale, f"{stale} differ from their pages: run `make notebooks` and commit them"


def test_one_notebook_per_chapter_and_language() -> None:
    names = {p.relative_to(NOTEBOOKS).as_posix() for p in _committed()}
    expected = {f"{lang}/{n}.ipynb" for lang in ("en", "ko") for n in (
        "minigrad-in-10-minutes", "chapter4", "chapter5", "chapter6", "chapter7", "chapter8")}
    assert names == expected


def test_committed_notebooks_have_no_outputs_and_start_with_the_install_cell() -> None:
    for path in _committed():
        nb = nbformat.read(path, as_version=4)
        nbformat.validate(nb)
        lang = path.parent.name
        assert nb.cells[0].cell_type == "code"
        assert nb.cells[0].source == gen.install_cell_source(lang), path
        for cell in nb.cells:
            if cell.cell_type == "code":
                assert cell.outputs == [] and cell.execution_count is None, path


def test_a_notebook_runs_the_code_its_page_runs() -> None:
    # the Korean chapter 4 notebook: its pages' runnable blocks, in nav order, after the
    # install cell; the full training run is there, tagged so CI leaves it out
    nb = nbformat.read(NOTEBOOKS / "ko" / "chapter4.ipynb", as_version=4)
    code = [c for c in nb.cells[1:] if c.cell_type == "code"]
    run = [c.source for c in code if gen.SKIP_TAG not in c.metadata.get("tags", [])]
    skipped = [c.source for c in code if gen.SKIP_TAG in c.metadata.get("tags", [])]
    expected = []
    for page in gen.pages_of(gen.Notebook("chapter4", folder="chapter")):
        expected += gen._runnable_blocks(gen.localised(page, "ko").read_text("utf-8"))
    assert run == expected
    assert len(skipped) == 1 and "range(10000)" in skipped[0]
    assert gen.pages_of(gen.Notebook("chapter4", folder="chapter"))[:2] == [
        "chapter/index.md", "chapter/learning-from-data.md"]
    assert gen.localised("chapter/loss-functions.md", "ko").name == "loss-functions.ko.md"


def test_page_markdown_is_rewritten_for_a_notebook(tmp_path: Path) -> None:
    page = gen.DOCS / "chapter" / "example.md"  # a page that need not exist
    text = textwrap.dedent('''\
        # A page

        <!-- figures: ../figures/x -->

        See [the loss](loss-functions.md#the-gradient-of-a-loss) and
        ![a figure](../figures/fig4-11_loss.png), or [PyTorch](https://pytorch.org).

        ```python
        print(1)
        ```

        ```text title="Output"
        1
        ```

        ```bash
        # not a heading
        make test
        ```

        !!! note "Why"
            It is shown.

            ```python
            x = 2
            ```

        ```python {.no-run}
        train_for_hours()
        ```
        ''')
    md = gen.to_jupytext_markdown(text, page, "ko", gen.ROOT / "notebooks" / "ko", demote=True)
    cells = jupytext.reads(md, fmt="md").cells
    code = [(c.source, c.metadata.get("tags")) for c in cells if c.cell_type == "code"]
    assert code == [("print(1)", None), ("x = 2", None), ("train_for_hours()", [gen.SKIP_TAG])]
    prose = "\n".join(c.source for c in cells if c.cell_type == "markdown")
    assert prose.startswith("## A page")  # one level down
    assert "figures:" not in prose and "title=\"Output\"" not in prose
    assert "](../../docs/chapter/loss-functions.ko.md#the-gradient-of-a-loss)" in prose
    assert "](../../docs/figures/fig4-11_loss.png)" in prose
    assert "](https://pytorch.org)" in prose
    assert "```bash\n# not a heading\nmake test\n```" in prose  # markdown, not a %%bash cell
    assert "**Why**\n\nIt is shown." in prose


def test_install_cell_takes_its_source_from_the_environment(tmp_path: Path) -> None:
    # without minigrad and without a source, the cell says what to set; with a folder, it
    # asks pip for minigrad[plot] from that folder (pip itself is replaced by a stub here)
    code = gen.install_cell_source("en")
    stub = tmp_path / "site"
    stub.mkdir()
    (stub / "sitecustomize.py").write_text(textwrap.dedent('''\
        import importlib.util, subprocess, sys
        find = importlib.util.find_spec
        importlib.util.find_spec = lambda name, *a: None if name == "minigrad" else find(name, *a)
        subprocess.run = lambda args, check: print("RUN", args[1:])
        '''), "utf-8")
    env = {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "MINIGRAD_PIP_SOURCE")}
    env["PYTHONPATH"] = str(stub)
    if not gen.pip_source():
        none = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True,
                              text=True)
        assert none.returncode != 0 and "set MINIGRAD_PIP_SOURCE" in none.stderr
    env["MINIGRAD_PIP_SOURCE"] = str(tmp_path)
    done = subprocess.run([sys.executable, "-c", code], env=env, capture_output=True, text=True)
    assert done.returncode == 0, done.stderr
    assert f"'minigrad[plot] @ {tmp_path.resolve().as_uri()}'" in done.stdout
    assert "'-m', 'pip', 'install'" in done.stdout


# -- they run, in a fresh environment ------------------------------------------------------


@pytest.fixture(scope="module")
def fresh_kernel(tmp_path_factory: pytest.TempPathFactory) -> tuple[str, Path, Path]:
    """A new virtual environment with only ipykernel, registered as a Jupyter kernel.

    Returns the kernel's name, the folder to put in JUPYTER_PATH, and a copy of the
    checkout (what the install cell installs from).
    """
    base = tmp_path_factory.mktemp("fresh")
    venv = base / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    python = venv / ("Scripts" if os.name == "nt" else "bin") / "python"
    env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "ipykernel"], check=True,
                   env=env, timeout=600)
    spec = base / "jupyter" / "kernels" / "minigrad-fresh"
    spec.mkdir(parents=True)
    (spec / "kernel.json").write_text(json.dumps({
        "argv": [str(python), "-m", "ipykernel_launcher", "-f", "{connection_file}"],
        "display_name": "fresh venv", "language": "python"}), "utf-8")
    # a copy of what pip needs from the checkout, so the build writes nothing into it
    source = base / "src"
    source.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy2(ROOT / name, source / name)
    shutil.copytree(ROOT / "minigrad", source / "minigrad",
                    ignore=shutil.ignore_patterns("__pycache__", "*.pyc"))
    return "minigrad-fresh", base / "jupyter", source


@pytest.mark.slow
@pytest.mark.parametrize("path", _committed(), ids=lambda p: p.relative_to(NOTEBOOKS).as_posix())
def test_notebook_runs_top_to_bottom_in_a_fresh_environment(
        path: Path, fresh_kernel: tuple[str, Path, Path], mnist_dir: Path, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch) -> None:
    nbclient = pytest.importorskip("nbclient", reason="pip install .[notebooks] (or .[dev])")
    kernel, jupyter_path, source = fresh_kernel
    monkeypatch.setenv("JUPYTER_PATH", str(jupyter_path))
    monkeypatch.delenv("PYTHONPATH", raising=False)  # the kernel must not see this checkout
    monkeypatch.setenv("MINIGRAD_PIP_SOURCE", str(source))
    monkeypatch.setenv("MPLBACKEND", "Agg")
    nb = nbformat.read(path, as_version=4)
    client = nbclient.NotebookClient(nb, kernel_name=kernel, timeout=600,
                                     resources={"metadata": {"path": str(tmp_path)}})
    client.execute()  # raises CellExecutionError, with the cell and its traceback
    ran = [c for c in nb.cells if c.cell_type == "code" and c.execution_count is not None]
    skipped = [c for c in nb.cells if gen.SKIP_TAG in c.metadata.get("tags", [])]
    assert len(ran) + len(skipped) == sum(c.cell_type == "code" for c in nb.cells)
    where = subprocess.run(
        [json.loads((jupyter_path / "kernels" / kernel / "kernel.json").read_text())["argv"][0],
         "-c", "import minigrad; print(minigrad.__file__)"],
        capture_output=True, text=True, check=True, env=dict(os.environ), cwd=tmp_path).stdout
    assert str(ROOT) not in where and "site-packages" in where  # installed by the cell
