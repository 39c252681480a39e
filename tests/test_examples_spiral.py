"""The spiral classifier example: a model of one's own, trained briefly and gradchecked."""

import re
import runpy
import sys
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg

ROOT = Path(__file__).resolve().parents[1]
SCRIPT = ROOT / "examples" / "spiral_classifier.py"
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


@pytest.fixture
def example(monkeypatch):
    monkeypatch.setattr(sys, "path", list(sys.path))  # the script prepends the repo root
    return runpy.run_path(str(SCRIPT), run_name="example_spiral_classifier")


def test_quick_run_learns_and_draws(example, tmp_path, capsys):
    pytest.importorskip("matplotlib", reason="matplotlib is the plot extra: pip install .[plot]")
    assert example["main"](["--quick", "--out", str(tmp_path)]) == 0
    out = capsys.readouterr().out
    final = re.search(r"final: loss ([\d.]+) \(from ([\d.]+)\), accuracy ([\d.]+)", out)
    assert final, out
    loss, first, acc = map(float, final.groups())
    assert loss < 0.5 * first
    assert acc > 0.9  # three classes: chance is 1/3
    data = (tmp_path / "spiral_decision.png").read_bytes()
    assert data.startswith(PNG_SIGNATURE) and data.endswith(b"IEND\xaeB`\x82")
    assert not [p for p in tmp_path.iterdir() if p.name.endswith(".tmp")]


def test_no_figure_without_out(example, capsys):
    assert example["main"](["--epochs", "2"]) == 0
    assert "wrote" not in capsys.readouterr().out


def test_gradcheck_the_model_as_users_do(example):
    points, labels = example["make_spiral"](n_per_class=3, seed=1)
    x = example["features"](points)
    net = example["SpiralNet"](hidden=4, seed=1)
    assert mg.gradcheck(lambda *p: net.loss(x, labels, *p), net.params)
    first = net.params[:4]
    assert mg.gradgradcheck(lambda w3, b3: net.loss(x, labels, *first, w3, b3),
                            net.params[4:])


def test_data_and_features(example):
    points, labels = example["make_spiral"](n_per_class=10, n_classes=4, seed=0)
    assert points.shape == (40, 2) and labels.shape == (40,)
    assert np.bincount(labels).tolist() == [10] * 4
    f = example["features"](points)
    assert f.shape == (40, 5)
    np.testing.assert_allclose(f.data[:, 2], np.hypot(points[:, 0], points[:, 1]))
