"""The ``minigrad train`` command."""

import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from minigrad import cli
from minigrad.models import TwoLayerNet

REPO = Path(__file__).resolve().parents[1]


def dot_available():
    try:
        from minigrad import viz
    except ImportError:
        return False
    return hasattr(viz, "draw_graph") and getattr(viz, "dot_available", lambda: False)()


@pytest.mark.slow
def test_train_writes_everything_and_learns(tmp_path, capsys, mnist_dir):
    out = tmp_path / "run"
    rc = cli.main(["train", "--iters", "300", "--data-dir", str(mnist_dir), "--out", str(out),
                   "--seed", "0", "--no-progress"])
    captured = capsys.readouterr()
    assert rc == 0, captured.err
    expected = {"history.json", "history.csv", "weights.npz"}
    try:
        import matplotlib  # noqa: F401
        expected |= {"loss.png", "accuracy.png"}
    except ImportError:
        pass
    if dot_available():
        expected.add("loss_graph.svg")
    names = {p.name for p in out.iterdir()}
    assert expected <= names
    assert not [n for n in names if n.endswith(".tmp")]
    for png in ("loss.png", "accuracy.png"):
        if png in names:
            assert (out / png).read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"

    h = json.loads((out / "history.json").read_text())
    assert len(h["losses"]) == h["iterations"] == 300
    assert h["eval_iterations"] == [0]
    assert h["config"]["seed"] == 0 and h["config"]["sizes"] == [784, 50, 10]
    assert h["config"]["lr"] == 0.1 and h["config"]["batch_size"] == 100
    assert h["final_test_acc"] > 0.5 and h["final_train_acc"] > 0.5  # chance is 0.1
    assert h["losses"][-1] < h["losses"][0]
    assert (out / "history.csv").read_text().count("\n") == 301

    with np.load(out / "weights.npz", allow_pickle=False) as npz:
        assert sorted(npz.files) == ["fc1.W", "fc1.b", "fc2.W", "fc2.b"]
        net = TwoLayerNet(784, 50, 10)
        net.load_state_dict(npz)
    from minigrad.datasets import load_mnist

    _, (x_test, t_test) = load_mnist(one_hot_label=True, data_dir=mnist_dir, download=False)
    assert net.accuracy(x_test, t_test) == h["final_test_acc"]

    assert "train acc, test acc | " in captured.out
    assert f"final train acc, test acc | {h['final_train_acc']}, {h['final_test_acc']}" \
        in captured.out
    assert str(out) in captured.out


@pytest.mark.slow
def test_default_output_folder_and_latest_link(tmp_path, monkeypatch, capsys, mnist_dir):
    monkeypatch.chdir(tmp_path)
    rc = cli.main(["train", "--iters", "2", "--data-dir", str(mnist_dir), "--no-progress",
                   "--no-figures", "--seed", "1", "--hidden-size", "8", "--activation", "relu",
                   "--optimizer", "adam", "--lr", "0.001"])
    assert rc == 0, capsys.readouterr().err
    runs = [p for p in (tmp_path / "runs").iterdir() if p.name != "latest"]
    assert len(runs) == 1 and (runs[0] / "history.json").exists()
    assert not (runs[0] / "loss.png").exists()
    latest = tmp_path / "runs" / "latest"
    if latest.is_symlink():
        assert latest.resolve() == runs[0].resolve()
    h = json.loads((runs[0] / "history.json").read_text())
    assert h["config"]["optimizer"] == "Adam" and h["config"]["activation"] == "relu"
    assert h["config"]["sizes"] == [784, 8, 10]


def test_missing_data_is_a_clean_error(tmp_path, capsys):
    rc = cli.main(["train", "--data-dir", str(tmp_path / "nothing"), "--no-download",
                   "--out", str(tmp_path / "o"), "--iters", "1"])
    err = capsys.readouterr().err
    assert rc == 2
    assert err.startswith("minigrad train: error: cannot load MNIST")
    assert "Traceback" not in err


def test_output_folder_that_is_a_file_is_a_clean_error(tmp_path, capsys):
    f = tmp_path / "file"
    f.write_text("x")
    rc = cli.main(["train", "--out", str(f), "--data-dir", str(tmp_path)])
    assert rc == 2
    assert "exists and is not a folder" in capsys.readouterr().err


@pytest.mark.parametrize("argv, needle", [
    (["train", "--iters", "0"], "--iters: expected a positive integer, got '0'"),
    (["train", "--lr", "-1"], "--lr: expected a positive number"),
    (["train", "--lr", "nan"], "--lr: expected a positive number"),
    (["train", "--optimizer", "lbfgs"], "invalid choice: 'lbfgs'"),
    (["train", "--activation", "gelu"], "invalid choice: 'gelu'"),
    (["train", "--weight-init-std", "big"], "--weight-init-std: expected a number"),
    (["train", "--bogus"], "unrecognized arguments: --bogus"),
    ([], "the following arguments are required: COMMAND"),
])
def test_bad_options_exit_2(argv, needle, capsys):
    assert cli.main(argv) == 2
    err = capsys.readouterr().err
    assert needle in err and "Traceback" not in err


def test_help_lists_the_options(capsys):
    assert cli.main(["train", "--help"]) == 0
    out = " ".join(capsys.readouterr().out.split())
    for opt in ("--iters", "--batch-size", "--lr", "--hidden-size", "--activation", "--optimizer",
                "--seed", "--data-dir", "--out", "--early-stopping", "--no-progress"):
        assert opt in out
    assert "(default: 10000)" in out and "(default: 0.1)" in out


def test_parser_is_extensible():
    parser = cli.build_parser()
    sub = next(a for a in parser._actions if a.dest == "command")
    train = sub.choices["train"]
    train.add_argument("--extra-option", type=int, default=None)
    args = parser.parse_args(["train", "--extra-option", "5"])
    assert args.extra_option == 5 and args.handler is cli.run_train
    assert args.iters == 10000 and args.batch_size == 100 and args.lr == 0.1
    assert args.hidden_size == 50 and args.activation == "sigmoid" and args.optimizer == "sgd"
    assert args.weight_init_std == 0.01


def test_python_dash_m():
    r = subprocess.run([sys.executable, "-m", "minigrad", "train", "--help"], cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and "usage: minigrad train" in r.stdout
    r = subprocess.run([sys.executable, "-m", "minigrad", "--version"], cwd=REPO,
                       capture_output=True, text=True, timeout=60)
    assert r.returncode == 0 and r.stdout.startswith("minigrad ")
