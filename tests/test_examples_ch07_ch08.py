"""Run the chapter 7 and 8 example scripts with --quick and check what they print and write."""

import os
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
MNIST = Path(os.environ.get("MINIGRAD_DATA") or ROOT.parent / "shared" / "data" / "mnist")
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"

needs_mnist = pytest.mark.skipif(
    not (MNIST / "train-images-idx3-ubyte.gz").exists(),
    reason=f"MNIST files not found in {MNIST}",
)


def run_example(name, argv, capsys, monkeypatch):
    monkeypatch.setenv("MINIGRAD_DATA", str(MNIST))
    monkeypatch.setattr(sys, "path", list(sys.path))
    namespace = runpy.run_path(str(EXAMPLES / f"{name}.py"), run_name=f"example_{name}")
    assert namespace["main"](argv) == 0
    return capsys.readouterr().out


def assert_png(path: Path):
    data = path.read_bytes()
    assert data.startswith(PNG_SIGNATURE), path


def test_ch07_gradient_check(tmp_path, capsys, monkeypatch):
    out = run_example("ch07_gradient_check", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch)
    diffs = {line.split()[0]: float(line.split()[1]) for line in out.splitlines()
             if line.split() and line.split()[0] in ("W1", "b1", "W2", "b2", "W3", "b3")}
    assert set(diffs) == {"W1", "b1", "W2", "b2", "W3", "b3"}
    assert max(diffs.values()) < 1e-5


def test_ch07_im2col_picture(tmp_path, capsys, monkeypatch):
    out = run_example("ch07_im2col_picture", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch)
    assert "[ 4  5  7  8 13 14 16 17]]" in out
    assert_png(tmp_path / "ch07_im2col.png")


@pytest.mark.slow
@needs_mnist
def test_ch07_train_then_filters(tmp_path, capsys, monkeypatch):
    out = run_example("ch07_train_convnet", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch)
    assert "Saved Network Parameters!" in out and "test acc:" in out
    params = tmp_path / "simple_convnet_params.npz"
    assert params.exists()
    assert_png(tmp_path / "ch07_accuracy.png")
    out = run_example("ch07_visualize_filter", ["--quick", "--out", str(tmp_path),
                                                "--params", str(params)], capsys, monkeypatch)
    assert "loaded" in out
    for name in ("fig7-24_filters_before.png", "fig7-24_filters_after.png"):
        assert_png(tmp_path / name)
    out = run_example("ch07_apply_filter", ["--quick", "--out", str(tmp_path), "--params",
                                            str(params)], capsys, monkeypatch)
    assert "response maps (16, 108, 108)" in out
    assert_png(tmp_path / "ch07_apply_filter_responses.png")


@pytest.mark.slow
@needs_mnist
def test_ch08_train_misclassified_half(tmp_path, capsys, monkeypatch):
    out = run_example("ch08_train_deepnet", ["--quick", "--out", str(tmp_path)], capsys,
                      monkeypatch)
    assert "Saved Network Parameters!" in out
    params = str(tmp_path / "deep_convnet_params.npz")
    out = run_example("ch08_misclassified", ["--quick", "--out", str(tmp_path), "--params",
                                             params, "--test-size", "200"], capsys, monkeypatch)
    assert "======= misclassified result =======" in out
    acc = float(out.split("test accuracy:")[1].split()[0])
    wrong = int(out.split("misclassified: ")[1].split()[0])
    assert wrong == round((1 - acc) * 200)
    assert_png(tmp_path / "fig8-2_misclassified.png")
    out = run_example("ch08_half_float", ["--quick", "--out", str(tmp_path), "--params", params,
                                          "--test-size", "100", "--f16-size", "100"],
                      capsys, monkeypatch)
    assert "book's experiment" in out and "true float16 arithmetic (output dtype float16)" in out
    lines = [line for line in out.splitlines() if line.startswith("book's experiment")]
    assert abs(float(lines[0].split("difference ")[1].rstrip(")"))) <= 0.02
    assert np.isfinite(float(out.split("on 100 images: ")[1].split()[0]))
