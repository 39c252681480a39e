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



def _fresh_sequence_data(name: str) -> None:
    """Skip unless ``name`` is in the book's data folder; start from an empty vocabulary.

    The sequence loader keeps the book's module-level vocabulary, which one data file
    fills and another must not find filled.
    """
    if not (BOOK2_DATA / name).is_file():
        pytest.skip(f"{name} not in {BOOK2_DATA}")
    from minigrad.book2.dataset import sequence
    sequence.char_to_id.clear()
    sequence.id_to_char.clear()

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
    _fresh_sequence_data("addition.txt")
    out = run_example("book2_ch07_seq2seq", ["--quick", "--reverse", "--data-dir",
                                             str(BOOK2_DATA)], capsys, monkeypatch)
    assert out.count("---") == 10 and out.count("\nQ ") == 10
    assert "val acc " in out and "| epoch 1 |  iter 1 / 10 |" in out


def test_attention_example_draws_its_map(tmp_path, capsys, monkeypatch):
    pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")
    _fresh_sequence_data("date.txt")
    png = tmp_path / "attention.png"
    out = run_example("book2_ch07_seq2seq", ["--quick", "--data", "date", "--model", "attention",
                                             "--reverse", "--data-dir", str(BOOK2_DATA),
                                             "--attention-map", str(png)], capsys, monkeypatch)
    assert "val acc " in out and f"wrote {png}" in out
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")


def test_word2vec_example_trains_simple_cbow(capsys, monkeypatch):
    out = run_example("book2_ch03_word2vec", ["--quick", "--seed", "0"], capsys, monkeypatch)
    assert "h is the mean of rows 0 and 2 of W_in: True" in out
    first, last = (float(v.strip(",")) for v in out.split("records 300, first ")[1].split()[:3:2])
    assert first == pytest.approx(np.log(7), abs=1e-3) and last < 1.2
    assert float(out.split("cos(you, hello): ")[1].split()[0]) > 0.9


def test_word2vec_example_skip_gram_starts_at_twice_ln7(capsys, monkeypatch):
    out = run_example("book2_ch03_word2vec", ["--quick", "--seed", "0", "--epochs", "5",
                                              "--model", "skipgram"], capsys, monkeypatch)
    assert float(out.split("records 5, first ")[1].split(",")[0]) == \
        pytest.approx(2 * np.log(7), abs=1e-3)


def test_gradient_example_prints_the_books_norms(capsys, monkeypatch):
    out = run_example("book2_ch06_gradients", ["--quick"], capsys, monkeypatch)
    explode = [float(v) for v in out.split("Wh scale 1.0: ")[1].splitlines()[0].split()]
    vanish = [float(v) for v in out.split("Wh scale 0.5: ")[1].splitlines()[0].split()]
    np.testing.assert_allclose([explode[i] for i in (0, 1, 4, 9, 14, 19)],
                               [2.468, 3.336, 8.081, 25.69, 80.08, 249.5], rtol=1e-3)
    np.testing.assert_allclose([vanish[i] for i in (0, 1, 4, 9, 14, 19)],
                               [1.234, 0.834, 0.2525, 0.02509, 0.002444, 0.0002379], rtol=1e-3)
    assert "clip_grads to 5.0: 1.49999985 1.99999980" in out


@pytest.mark.parametrize("model", ["rnnlm", "better"])
def test_ch06_language_models_lower_the_perplexity(model, tmp_path, capsys, monkeypatch):
    import json

    out = run_example("book2_ch06_rnnlm", ["--quick", "--model", model, "--out",
                                           str(tmp_path)], capsys, monkeypatch)
    assert (tmp_path / "small_ptb" / "ptb.train.txt").is_file()
    results = json.loads((tmp_path / "results.json").read_text())
    vocab = int(out.split("vocabulary ")[1].split(",")[0])
    # untrained: about uniform over the vocabulary
    assert results["valid_ppl_before"] == pytest.approx(vocab, rel=0.05)
    assert results["valid_ppl"][-1] < vocab / 3 and results["test_ppl"] < vocab / 3
    if model == "better":
        assert len(results["valid_ppl"]) == 3 and results["valid_ppl"][-1] < \
            results["valid_ppl"][0]
    assert (tmp_path / f"{results['model']}.pkl").is_file()


def test_generate_example_skips_the_books_ids(tmp_path, capsys, monkeypatch):
    out = run_example("book2_ch07_generate", ["--quick", "--seed", "0", "--out",
                                              str(tmp_path)], capsys, monkeypatch)
    text = out[out.index("\nthe ") + 1:]
    words = text.replace(".\n", " <eos> ").split()
    assert len(words) == 100 and words[0] == "the"
    assert not {"N", "<unk>", "$"} & set(words)


def test_seq2seq_example_keeps_its_results(tmp_path, capsys, monkeypatch):
    import json

    _fresh_sequence_data("addition.txt")
    run_example("book2_ch07_seq2seq", ["--quick", "--reverse", "--epochs", "2", "--data-dir",
                                       str(BOOK2_DATA), "--out", str(tmp_path)],
                capsys, monkeypatch)
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["model"] == "PeekySeq2seq" and results["reverse"] is True
    assert len(results["acc"]) == len(results["last_loss"]) == 2
    assert (tmp_path / "PeekySeq2seq.pkl").is_file()


def test_ch08_attention_example_trains_saves_and_draws(tmp_path, capsys, monkeypatch):
    import json

    pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")
    _fresh_sequence_data("date.txt")
    out = run_example("book2_ch08_attention", ["--quick", "--data-dir", str(BOOK2_DATA),
                                               "--out", str(tmp_path)], capsys, monkeypatch)
    assert out.splitlines().count("---") == 10 and "val acc " in out
    results = json.loads((tmp_path / "results.json").read_text())
    assert results["model"] == "AttentionSeq2seq" and len(results["acc"]) == 1
    # the book's five questions (4316, 1779, 1817, 3848, 138), folded into the 20 of --quick
    assert [line.split(":")[0] for line in out.splitlines() if line.startswith("map ")] == \
        ["map 16", "map 19", "map 17", "map 8", "map 18"]
    for name in ("attention_map.png", "accuracy.png"):
        assert (tmp_path / name).read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    # drawing again from the saved parameters, without training
    (tmp_path / "attention_map.png").unlink()
    out = run_example("book2_ch08_attention", ["--quick", "--data-dir", str(BOOK2_DATA),
                                               "--out", str(tmp_path), "--load",
                                               str(tmp_path / "AttentionSeq2seq.pkl")],
                      capsys, monkeypatch)
    assert "loaded " in out and "| epoch" not in out
    assert (tmp_path / "attention_map.png").is_file()


def test_rnnlm_example_on_the_small_ptb_format_text(tmp_path, capsys, monkeypatch):
    out = run_example("book2_ch05_rnnlm", ["--corpus", "small", "--epochs", "8", "--out",
                                           str(tmp_path)], capsys, monkeypatch)
    assert "corpus size: 1000, vocabulary size: 53" in out
    first, last = (float(v.strip(",")) for v in out.split("perplexity first ")[1].split()[:3:2])
    assert first == pytest.approx(53, rel=0.05) and last < first / 1.5
