"""``minigrad train --model``: the model registry, the chapter 6 options and resuming them."""

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

MULTI = ["--model", "multi-layer", "--hidden-sizes", "12,10", "--batchnorm", "--dropout", "0.2",
         "--weight-decay", "0.01", "--optimizer", "rmsprop", "--lr", "0.01",
         "--weight-init", "he", "--activation", "relu"]


def test_registry_and_parsing():
    assert list(cli.MODELS)[:2] == ["two-layer", "multi-layer"]
    args = cli.build_parser().parse_args(["train", *MULTI, "--epochs", "3"])
    assert args.model == "multi-layer" and args.hidden_sizes == [12, 10]
    assert args.batchnorm and args.dropout == 0.2 and args.weight_decay == 0.01
    assert args.weight_init_std == "he" and args.epochs == 3 and args.optimizer == "rmsprop"


@pytest.mark.parametrize("argv, needle", [
    (["train", "--hidden-sizes", "10,x"], "comma-separated positive integers"),
    (["train", "--hidden-sizes", "10,0"], "comma-separated positive integers"),
    (["train", "--dropout", "1"], "expected a ratio in [0, 1)"),
    (["train", "--weight-decay", "-1"], "expected a number >= 0"),
    (["train", "--model", "cnn"], "invalid choice: 'cnn'"),
    (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
])
def test_bad_new_options_exit_2(argv, needle, capsys):
    assert cli.main(argv) == 2
    assert needle in capsys.readouterr().err


@needs_mnist
@pytest.mark.parametrize("flag", [["--batchnorm"], ["--dropout", "0.5"],
                                  ["--hidden-sizes", "10,10"], ["--weight-decay", "0.1"]])
def test_multi_layer_options_rejected_for_two_layer(flag, tmp_path, capsys):
    rc = cli.main(["train", *flag, "--iters", "1", "--data-dir", str(MNIST_DIR),
                   "--out", str(tmp_path / "o"), "--no-progress", "--no-figures"])
    assert rc == 2
    assert "only with --model multi-layer" in capsys.readouterr().err


@needs_mnist
def test_epochs_instead_of_iters(tmp_path, capsys):
    out = tmp_path / "run"
    rc = cli.main(["train", *MULTI, "--epochs", "1", "--batch-size", "6000",
                   "--data-dir", str(MNIST_DIR), "--out", str(out), "--seed", "3",
                   "--no-progress", "--no-figures"])
    assert rc == 0, capsys.readouterr().err
    h = json.loads((out / "history.json").read_text())
    assert h["iterations"] == 10 and h["config"]["epochs"] == 1
    assert h["config"]["sizes"] == [784, 12, 10, 10]
    assert h["config"]["model_kind"] == "multi-layer" and h["config"]["optimizer"] == "RMSprop"
    rc = cli.main(["train", "--epochs", "1", "--iters", "5", "--data-dir", str(MNIST_DIR),
                   "--out", str(tmp_path / "x"), "--no-progress"])
    assert rc == 2 and "either --epochs or --iters" in capsys.readouterr().err


@needs_mnist
def test_resume_multi_layer_with_batchnorm_and_dropout_is_bitwise(tmp_path, monkeypatch, capsys):
    common = [*MULTI, "--iters", "16", "--batch-size", "50", "--data-dir", str(MNIST_DIR),
              "--seed", "5", "--no-progress", "--no-figures"]
    full = tmp_path / "full"
    assert cli.main(["train", *common, "--out", str(full)]) == 0, capsys.readouterr().err

    def interrupting_saver(every, path):
        def cb(state):
            if state.iteration == 7:
                raise KeyboardInterrupt
        return cb

    part = tmp_path / "part"
    with monkeypatch.context() as m:
        m.setattr(cli, "_checkpoint_saver", interrupting_saver)
        assert cli.main(["train", *common, "--out", str(part)]) == 130
    assert (part / "checkpoint.npz").exists()
    assert cli.main(["train", "--resume", str(part / "checkpoint.npz"), "--no-progress",
                     "--no-figures"]) == 0, capsys.readouterr().err
    with np.load(full / "weights.npz") as a, np.load(part / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        assert "BatchNorm1.running_mean" in a.files and "gamma2" in a.files
        assert "dropout_step" in a.files and int(a["dropout_step"]) == 16
        for k in a.files:
            assert a[k].tobytes() == b[k].tobytes(), k
    ha = json.loads((full / "history.json").read_text())
    hb = json.loads((part / "history.json").read_text())
    assert ha["losses"] == hb["losses"]
