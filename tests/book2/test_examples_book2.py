"""The second book's example scripts with --quick: what they print."""

from __future__ import annotations

import os
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
BOOK2_DATA = Path(os.environ.get("MINIGRAD_BOOK2_DATA")
                  or ROOT.parent / "shared" / "data" / "book2")


def run_example(name, argv, capsys, monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"example_{name}")
    assert namespace["main"](argv) == 0
    return capsys.readouterr().out


def test_spiral_example(capsys, monkeypatch):
    out = run_example("book2_ch01_spiral", ["--quick"], capsys, monkeypatch)
    assert "records 30, first 1.098" in out
    assert out.splitlines()[1] == "| epoch 1 |  iter 1 / 10 | time 0[s] | loss 1.10"


def test_count_method_example(capsys, monkeypatch):
    out = run_example("book2_ch02_count_method", ["--quick"], capsys, monkeypatch)
    assert "cos(you, i): 0.70710676" in out
    assert "singular values [3.168e+00 3.168e+00 2.703e+00 2.703e+00 1.514e+00 1.514e+00" in out
    assert np.get_printoptions()["precision"] == 8  # the script leaves NumPy's options alone


def test_cbow_example(capsys, monkeypatch):
    out = run_example("book2_ch04_cbow", ["--quick"], capsys, monkeypatch)
    first, last = (float(v.strip(",")) for v in out.split("first record ")[1].split()[:3:2])
    assert first == pytest.approx(4.159, abs=0.01) and last < first
    assert "[query] you" in out


@pytest.mark.parametrize("model", ["simple", "lstm"])
def test_rnnlm_example(model, capsys, monkeypatch):
    out = run_example("book2_ch05_rnnlm", ["--quick", "--model", model], capsys, monkeypatch)
    if model == "simple":
        first, last = (float(v.strip(",")) for v in
                       out.split("perplexity first ")[1].split()[:3:2])
        assert first > 10 and last < first / 5
    else:
        assert float(out.split("test perplexity: ")[1].split()[0]) < 5


def test_seq2seq_example(capsys, monkeypatch):
    if not (BOOK2_DATA / "addition.txt").is_file():
        pytest.skip(f"addition.txt not in {BOOK2_DATA}")
    from minigrad.book2.dataset import sequence
    sequence.char_to_id.clear()
    sequence.id_to_char.clear()
    out = run_example("book2_ch07_seq2seq", ["--quick", "--reverse", "--data-dir",
                                             str(BOOK2_DATA)], capsys, monkeypatch)
    assert out.count("---") == 10 and out.count("\nQ ") == 10
    assert "val acc " in out and "| epoch 1 |  iter 1 / 10 |" in out


def test_attention_example_draws_its_map(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")
    if not (BOOK2_DATA / "date.txt").is_file():
        pytest.skip(f"date.txt not in {BOOK2_DATA}")
    from minigrad.book2.dataset import sequence
    sequence.char_to_id.clear()
    sequence.id_to_char.clear()
    png = tmp_path / "attention.png"
    out = run_example("book2_ch07_seq2seq", ["--quick", "--data", "date", "--model", "attention",
                                             "--reverse", "--data-dir", str(BOOK2_DATA),
                                             "--attention-map", str(png)], capsys, monkeypatch)
    assert "val acc " in out and f"wrote {png}" in out
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
