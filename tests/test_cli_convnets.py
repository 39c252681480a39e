"""``minigrad train --model simple-convnet|deep-convnet``: short seeded runs on a slice of MNIST."""

import json
import os
from pathlib import Path

import numpy as np
import pytest

from minigrad import cli

REPO = Path(__file__).resolve().parents[1]
MNIST_DIR = Path(os.environ.get("MINIGRAD_DATA") or REPO / ".." / "shared" / "data" / "mnist")
needs_mnist = pytest.mark.skipif(
    not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists(),
    reason=f"MNIST not found in {MNIST_DIR} (set MINIGRAD_DATA)")


@pytest.fixture
def small_mnist(monkeypatch):
    """The first 1,200 training and 300 test images (the CLI's loader, sliced)."""
    load = cli._load_data

    def sliced(args):
        (x, t), (xt, tt) = load(args)
        return (x[:1200], t[:1200]), (xt[:300], tt[:300])

    monkeypatch.setattr(cli, "_load_data", sliced)


@pytest.mark.slow
@needs_mnist
@pytest.mark.parametrize("model,iters", [("simple-convnet", 24), ("deep-convnet", 3)])
def test_convnet_training_run(model, iters, tmp_path, capsys, small_mnist):
    out = tmp_path / model
    argv = ["train", "--model", model, "--iters", str(iters), "--seed", "3", "--data-dir",
            str(MNIST_DIR), "--out", str(out), "--no-progress", "--no-figures"]
    assert cli.main(argv) == 0
    printed = capsys.readouterr().out
    assert f"minigrad train: {model}" in printed and "adam" in printed and "lr 0.001" in printed
    assert "test acc on all 300 test images:" in printed
    history = json.loads((out / "history.json").read_text())
    assert history["config"]["model_kind"] == model
    assert history["config"]["optimizer"] == "Adam"
    assert len(history["losses"]) == iters
    weights = np.load(out / "weights.npz")
    assert "net.W1" in weights.files
    if model == "simple-convnet":
        assert weights["net.W1"].shape == (30, 1, 5, 5) and weights["net.W2"].shape == (4320, 100)
        # learns: the loss falls from ln(10) within 24 Adam steps
        assert np.mean(history["losses"][-5:]) < np.log(10) - 0.2
    else:
        assert weights["net.W7"].shape == (1024, 50)
    # the same seed gives the same run
    assert cli.main(argv[:-4] + ["--out", str(tmp_path / "again"), "--no-progress",
                                 "--no-figures"]) == 0
    again = np.load(tmp_path / "again" / "weights.npz")
    np.testing.assert_array_equal(again["net.W1"], weights["net.W1"])


@needs_mnist
def test_convnet_rejects_options_of_other_models(tmp_path, capsys, small_mnist):
    rc = cli.main(["train", "--model", "deep-convnet", "--batchnorm", "--iters", "1",
                   "--data-dir", str(MNIST_DIR), "--out", str(tmp_path), "--no-progress"])
    assert rc == 2
    assert "--batchnorm" in capsys.readouterr().err


def test_default_epochs_give_the_books_schedule():
    args = cli.build_parser().parse_args(["train", "--model", "simple-convnet"])
    defaults = cli.MODEL_DEFAULTS["simple-convnet"]
    assert defaults["epochs"] == 20 and defaults["lr"] == 0.001 and defaults["optimizer"] == "adam"
    assert args.model == "simple-convnet"


@pytest.mark.slow
@needs_mnist
def test_resume_deep_convnet_is_bitwise(tmp_path, monkeypatch, capsys, small_mnist):
    """Dropout masks come from (seed, step): a resumed run ends with the same weights."""
    common = ["--model", "deep-convnet", "--iters", "4", "--data-dir", str(MNIST_DIR),
              "--seed", "5", "--no-progress", "--no-figures"]
    full = tmp_path / "full"
    assert cli.main(["train", *common, "--out", str(full)]) == 0, capsys.readouterr().err

    def interrupting_saver(every, path):
        def cb(state):
            if state.iteration == 2:
                raise KeyboardInterrupt
        return cb

    part = tmp_path / "part"
    with monkeypatch.context() as m:
        m.setattr(cli, "_checkpoint_saver", interrupting_saver)
        assert cli.main(["train", *common, "--out", str(part)]) == 130
    assert cli.main(["train", "--resume", str(part / "checkpoint.npz"), "--no-progress",
                     "--no-figures"]) == 0, capsys.readouterr().err
    with np.load(full / "weights.npz") as a, np.load(part / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files) and int(a["dropout_step"]) == 4
        for k in a.files:
            assert a[k].tobytes() == b[k].tobytes(), k
