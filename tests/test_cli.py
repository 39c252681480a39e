"""The ``minigrad train`` command: options, outputs, ``--model`` (the registry, the chapter 6
options, the convnets), resuming, SIGTERM, divergence, sizes, locks, full disks."""

import errno
import io
import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
from conftest import MNIST_DIR, mounted_tmpfs  # the suite's one MNIST location
from training_support import at_iteration, synthetic_data, weights

import minigrad as mg
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


ARGS = ["--iters", "120", "--batch-size", "16", "--hidden-size", "8", "--lr", "0.3",
        "--weight-init-std", "0.3", "--seed", "0", "--eval-every", "50", "--no-progress",
        "--no-figures"]


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """MNIST stand-in: found only in this folder, given as --data-dir (no $MINIGRAD_DATA)."""
    folder = tmp_path / "mnist-here"
    folder.mkdir()
    data = synthetic_data(n=300, n_test=60)
    monkeypatch.delenv("MINIGRAD_DATA", raising=False)

    def load(args):
        if args.data_dir is None or Path(args.data_dir).resolve() != folder.resolve():
            raise cli.CLIError(f"cannot load MNIST: MNIST data not found in {args.data_dir}")
        return data

    monkeypatch.setattr(cli, "_load_data", load)
    return folder


def _strict_json(path):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(Path(path).read_text(), parse_constant=refuse)


# -- the checkpoint records every setting; --resume uses them ---------------------------------

def test_resume_as_printed_finds_the_data_without_the_environment(tmp_path, data_dir,
                                                                 monkeypatch, capsys):
    full = tmp_path / "full"
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(full)]) == 0
    out = tmp_path / "run"
    restore = at_iteration(monkeypatch, 70, lambda: signal.raise_signal(signal.SIGINT))
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                   "--checkpoint-every", "50"])
    restore()
    assert rc == 130
    text = capsys.readouterr().out
    command = next(line for line in text.splitlines() if line.startswith("resume with: "))
    argv = command.removeprefix("resume with: minigrad ").split()
    assert cli.main(argv) == 0, capsys.readouterr().err  # pasted as printed
    assert weights(out) == weights(full)
    settings = mg.load(out / "checkpoint.npz")["history"]["config"]["cli"]
    assert settings["data_dir"] == str(data_dir) and settings["hidden_size"] == 8
    assert settings["lr"] == 0.3 and settings["seed"] == 0


def test_resume_flags_override_the_checkpoint_and_say_so(tmp_path, data_dir, capsys):
    out = tmp_path / "run"
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                     "--checkpoint-every", "60"]) == 0
    capsys.readouterr()
    rc = cli.main(["train", "--resume", str(out / "checkpoint.npz"), "--iters", "150",
                   "--lr", "0.1", "--no-progress", "--no-figures"])
    text = capsys.readouterr().out
    assert rc == 0
    assert "--iters 150 overrides the checkpoint's setting (120)" in text
    assert "--lr 0.1 overrides the checkpoint's setting (0.3)" in text
    h = _strict_json(out / "history.json")
    assert h["iterations"] == 150 and h["config"]["lr"] == 0.1
    assert h["config"]["cli"]["iters"] == 150


def test_giving_a_default_value_explicitly_still_overrides(tmp_path, data_dir, capsys):
    out = tmp_path / "run"
    args = [*ARGS, "--lr", "0.2"]
    assert cli.main(["train", *args, "--data-dir", str(data_dir), "--out", str(out),
                     "--checkpoint-every", "60"]) == 0
    capsys.readouterr()
    assert cli.main(["train", "--resume", str(out / "checkpoint.npz"), "--lr", "0.1"]) == 0
    assert "--lr 0.1 overrides the checkpoint's setting (0.2)" in capsys.readouterr().out


# -- SIGTERM saves a checkpoint like Ctrl-C ---------------------------------------------------

def test_sigterm_saves_a_checkpoint_and_exits_143(tmp_path, data_dir, monkeypatch, capsys):
    full = tmp_path / "full"
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(full)]) == 0
    out = tmp_path / "run"
    restore = at_iteration(monkeypatch, 80, lambda: signal.raise_signal(signal.SIGTERM))
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)])
    restore()
    assert rc == cli.EXIT_SIGTERM == 143
    text = capsys.readouterr().out
    assert f"terminated (SIGTERM) after 81 of 120 iterations; checkpoint saved to {out}" in text
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handler restored
    assert cli.main(["train", "--resume", str(out / "checkpoint.npz")]) == 0
    assert weights(out) == weights(full)


@pytest.mark.slow
def test_sigterm_to_a_real_process(tmp_path):
    """``kill -TERM`` on a real ``python -m minigrad train``: exit 143 and a checkpoint."""
    mnist = Path(os.environ.get("MINIGRAD_DATA", "/nonexistent"))
    if not any(mnist.glob("train-images-idx3-ubyte*")):
        pytest.skip("needs the MNIST files in $MINIGRAD_DATA")
    out = tmp_path / "run"
    env = dict(os.environ, PYTHONPATH=str(Path(__file__).resolve().parents[1]))
    proc = subprocess.Popen(
        [sys.executable, "-m", "minigrad", "train", "--iters", "100000", "--batch-size", "10",
         "--hidden-size", "8", "--checkpoint-every", "20", "--no-progress", "--no-figures",
         "--out", str(out)],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, env=env)
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("minigrad train:"):
            break
    while not (out / "checkpoint.npz").exists():  # training has begun
        assert proc.poll() is None
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    rest = proc.communicate(timeout=120)[0]
    assert proc.returncode == 143, rest
    assert "checkpoint saved" in rest
    assert mg.load(out / "checkpoint.npz")["progress"]["iteration"] > 0
    assert not (out / cli.LOCK_NAME).exists()


# -- a diverging run stops at the first non-finite loss ---------------------------------------

def test_divergence_stops_names_the_iteration_and_keeps_the_last_checkpoint(
        tmp_path, data_dir, monkeypatch, capsys):
    out = tmp_path / "run"
    restore = at_iteration(monkeypatch, 70, lambda: float("nan"))
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                   "--checkpoint-every", "50"])
    restore()
    assert rc == cli.EXIT_DIVERGED == 3
    err = capsys.readouterr().err
    assert "diverged" in err and "iteration 71 of 120" in err
    ckpt = mg.load(out / "checkpoint.npz")
    assert ckpt["progress"]["iteration"] == 50
    assert all(np.isfinite(v).all() for v in ckpt["model"].values())
    assert not (out / "weights.npz").exists()
    h = _strict_json(out / "history.json")
    assert h["stopped_early"] and h["stop_reason"].startswith("diverged")


def test_huge_learning_rate_exits_3_with_valid_json(tmp_path, data_dir, capsys):
    out = tmp_path / "run"
    with np.errstate(all="ignore"):
        rc = cli.main(["train", *ARGS, "--lr", "1e308", "--data-dir", str(data_dir),
                       "--out", str(out)])
    assert rc == 3
    assert "iteration 1 of 120" in capsys.readouterr().err
    h = _strict_json(out / "history.json")
    assert None in h["losses"]
    assert len(h["losses"]) == 1


def test_history_json_is_strict_json_with_null_for_non_finite(tmp_path):
    from minigrad.train import History

    h = History(losses=[1.0, float("nan"), float("inf")], config={"x": [float("-inf")]})
    h.save_json(tmp_path / "h.json")
    d = _strict_json(tmp_path / "h.json")
    assert d["losses"] == [1.0, None, None] and d["config"]["x"] == [None]


# -- sizes that cannot fit --------------------------------------------------------------------

@pytest.mark.parametrize("flag, value", [("--hidden-size", "1000000000"),
                                         ("--batch-size", "10000000")])
def test_sizes_that_cannot_fit_exit_2_before_allocating(tmp_path, data_dir, monkeypatch,
                                                        capsys, flag, value):
    monkeypatch.setattr(cli, "_available_memory", lambda: 2 * 2**30)

    def no_model(*args, **kwargs):
        raise AssertionError("the model was built")

    monkeypatch.setattr(TwoLayerNet, "__init__", no_model)
    args = [a for a in ARGS]
    i = args.index(flag)
    args[i + 1] = value
    rc = cli.main(["train", *args, "--data-dir", str(data_dir), "--out", str(tmp_path / "r")])
    err = capsys.readouterr().err
    assert rc == 2
    assert f"{flag} {value}" in err and "needs at least" in err and "2.0 GiB is available" in err


def test_memory_estimate_grows_with_the_sizes():
    small = cli._memory_needed(784, 50, 10, 100, 60000, "sgd")
    assert small < 100 * 2**20
    assert cli._memory_needed(784, 10**9, 10, 100, 60000, "sgd") > 10 * 2**40
    assert cli._memory_needed(784, 50, 10, 10**7, 60000, "sgd") > 100 * 2**30
    assert cli._memory_needed(784, 50, 10, 100, 60000, "adam") > small
    assert cli._available_memory() is None or cli._available_memory() > 0


# -- one run at a time per output folder ------------------------------------------------------

def _lock(folder, pid, host=None):
    folder.mkdir(parents=True, exist_ok=True)
    (folder / cli.LOCK_NAME).write_text(f"pid={pid}\nhost={host or socket.gethostname()}\n")


def test_second_run_into_a_locked_folder_refuses(tmp_path, data_dir, capsys):
    out = tmp_path / "run"
    _lock(out, os.getppid())  # a live process
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)])
    err = capsys.readouterr().err
    assert rc == 2
    assert "in use by another minigrad train" in err and f"pid {os.getppid()}" in err
    assert "--overwrite" in err
    assert not (out / "history.json").exists()
    assert (out / cli.LOCK_NAME).exists()  # the other run's lock is left alone


def test_overwrite_takes_over_the_lock(tmp_path, data_dir, capsys):
    out = tmp_path / "run"
    _lock(out, os.getppid())
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                   "--overwrite"])
    assert rc == 0
    assert "--overwrite" in capsys.readouterr().err
    assert (out / "history.json").exists()


def test_a_stale_lock_of_a_dead_process_is_taken_over(tmp_path, data_dir, capsys):
    dead = subprocess.Popen([sys.executable, "-c", "pass"])
    dead.wait()
    out = tmp_path / "run"
    _lock(out, dead.pid)
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)]) == 0
    assert "stale lock" in capsys.readouterr().out
    assert not (out / cli.LOCK_NAME).exists()


def test_lock_on_another_host_refuses(tmp_path, data_dir, capsys):
    out = tmp_path / "run"
    _lock(out, 1, host="elsewhere.example")
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)]) == 2
    assert "on host 'elsewhere.example'" in capsys.readouterr().err


def test_lock_is_held_while_running_and_released_after(tmp_path, data_dir, monkeypatch):
    out = tmp_path / "run"
    seen = []
    restore = at_iteration(monkeypatch, 5,
                            lambda: seen.append((out / cli.LOCK_NAME).read_text()))
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)]) == 0
    restore()
    assert seen and f"pid={os.getpid()}" in seen[0]
    assert not (out / cli.LOCK_NAME).exists()


def test_lock_is_released_after_an_error(tmp_path, data_dir, monkeypatch):
    out = tmp_path / "run"
    restore = at_iteration(monkeypatch, 70, lambda: float("nan"))
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)]) == 3
    restore()
    assert not (out / cli.LOCK_NAME).exists()


# -- a full disk while saving -----------------------------------------------------------------

def test_disk_full_while_saving_a_checkpoint_simulated(tmp_path, data_dir, monkeypatch,
                                                       capsys):
    """ENOSPC from fsync (where a full disk shows up for buffered writes)."""
    out = tmp_path / "run"
    full = {"on": False}
    real_fsync = os.fsync

    def fsync(fd):
        if full["on"]:
            raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", fsync)
    restore = at_iteration(monkeypatch, 70, lambda: full.update(on=True))
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                   "--checkpoint-every", "50"])
    restore()
    err = capsys.readouterr().err
    assert rc == cli.EXIT_WRITE_FAILED == 4
    assert "No space left on device" in err and str(out / "checkpoint.npz") in err
    assert "previous checkpoint" in err and "is kept" in err
    monkeypatch.setattr(os, "fsync", real_fsync)
    assert mg.load(out / "checkpoint.npz")["progress"]["iteration"] == 50
    assert not [p for p in os.listdir(out) if p.endswith(".tmp")]


@pytest.fixture
def tiny_tmpfs(tmp_path):
    with mounted_tmpfs(tmp_path / "tiny", "size=256k", "a tiny tmpfs") as mnt:
        yield mnt


def test_disk_full_on_a_real_tiny_tmpfs(tiny_tmpfs, data_dir, monkeypatch, capsys):
    out = tiny_tmpfs / "run"

    def fill():
        with open(tiny_tmpfs / "filler", "wb") as f:
            try:
                while True:
                    f.write(b"\0" * 4096)
                    f.flush()
            except OSError:
                pass

    restore = at_iteration(monkeypatch, 70, fill)
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                   "--checkpoint-every", "50"])
    restore()
    err = capsys.readouterr().err
    assert rc == 4, err
    assert "No space left on device" in err and str(out / "checkpoint.npz") in err
    assert mg.load(out / "checkpoint.npz")["progress"]["iteration"] == 50


def test_atomic_write_names_the_file_on_enospc(tmp_path, monkeypatch):
    from minigrad._fileio import atomic_write

    (tmp_path / "f").write_bytes(b"old")

    def fsync(fd):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "fsync", fsync)
    with pytest.raises(OSError) as info:
        with atomic_write(tmp_path / "f") as f:
            f.write(b"new")
    assert info.value.errno == errno.ENOSPC and info.value.filename == str(tmp_path / "f")
    assert "No space left on device" in str(info.value) and str(tmp_path / "f") in str(info.value)
    monkeypatch.undo()
    assert (tmp_path / "f").read_bytes() == b"old"
    assert os.listdir(tmp_path) == ["f"]


# -- exit codes in --help ---------------------------------------------------------------------

def test_help_documents_the_exit_codes(capsys):
    assert cli.main(["train", "--help"]) == 0
    text = capsys.readouterr().out
    for code in ("0", "2", "3", "4", "130", "143"):
        assert f"\n  {code} " in text
    assert "SIGTERM" in text and "--overwrite" in text


def test_trainer_stops_at_the_first_non_finite_loss_without_calling_back(monkeypatch):
    from minigrad.train import Trainer

    seen = []
    model = TwoLayerNet(12, 8, 3, weight_init_std=0.3, seed=0)
    restore = at_iteration(monkeypatch, 30, lambda: float("inf"))
    trainer = Trainer(model, synthetic_data(n=300, n_test=60), iters=100, batch_size=16, lr=0.3,
                      seed=0, progress=False, log=lambda line: None)
    weights = {k: v.copy() for k, v in model.state_dict().items()}
    trainer.callback = lambda st: (seen.append(st.iteration),
                                   weights.update({k: v.copy() for k, v in
                                                   model.state_dict().items()}))
    h = trainer.run()
    restore()
    assert h.diverged and h.stopped_early and "iteration 31 of 100" in h.stop_reason
    assert seen[-1] == 30 and len(h.losses) == 30
    after = model.state_dict()
    assert all(np.array_equal(weights[k], after[k]) for k in after)  # not updated by it


# -- --model: the registry, the chapter 6 options and resuming them ----------------------------

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


def _full_and_resumed_runs(common, stop_at, tmp_path, monkeypatch, capsys):
    """Run ``minigrad train`` whole, and again interrupted after iteration ``stop_at`` then
    resumed from its checkpoint; return the two output folders."""
    full = tmp_path / "full"
    assert cli.main(["train", *common, "--out", str(full)]) == 0, capsys.readouterr().err

    def interrupting_saver(every, path):
        def cb(state):
            if state.iteration == stop_at:
                raise KeyboardInterrupt
        return cb

    part = tmp_path / "part"
    with monkeypatch.context() as m:
        m.setattr(cli, "_checkpoint_saver", interrupting_saver)
        assert cli.main(["train", *common, "--out", str(part)]) == 130
    assert (part / "checkpoint.npz").exists()
    assert cli.main(["train", "--resume", str(part / "checkpoint.npz"), "--no-progress",
                     "--no-figures"]) == 0, capsys.readouterr().err
    return full, part


@needs_mnist
def test_resume_multi_layer_with_batchnorm_and_dropout_is_bitwise(tmp_path, monkeypatch, capsys):
    common = [*MULTI, "--iters", "16", "--batch-size", "50", "--data-dir", str(MNIST_DIR),
              "--seed", "5", "--no-progress", "--no-figures"]
    full, part = _full_and_resumed_runs(common, 7, tmp_path, monkeypatch, capsys)
    with np.load(full / "weights.npz") as a, np.load(part / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files)
        assert "BatchNorm1.running_mean" in a.files and "gamma2" in a.files
        assert "dropout_step" in a.files and int(a["dropout_step"]) == 16
        for k in a.files:
            assert a[k].tobytes() == b[k].tobytes(), k
    ha = json.loads((full / "history.json").read_text())
    hb = json.loads((part / "history.json").read_text())
    assert ha["losses"] == hb["losses"]


# -- --model simple-convnet|deep-convnet: short seeded runs on a slice of MNIST ------------------

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
    full, part = _full_and_resumed_runs(common, 2, tmp_path, monkeypatch, capsys)
    with np.load(full / "weights.npz") as a, np.load(part / "weights.npz") as b:
        assert sorted(a.files) == sorted(b.files) and int(a["dropout_step"]) == 4
        for k in a.files:
            assert a[k].tobytes() == b[k].tobytes(), k


# -- minigrad train with the book's settings, at full size ------------------------------------

def child_env():
    env = dict(os.environ, MINIGRAD_DATA=str(MNIST_DIR), PYTHONPATH=str(REPO))
    env.setdefault("OPENBLAS_NUM_THREADS", "1")
    return env


@pytest.mark.slow
@needs_mnist
def test_minigrad_train_with_the_book_settings(tmp_path):
    out_dir = tmp_path / "run"
    subprocess.run(
        [sys.executable, "-m", "minigrad", "train", "--seed", "0", "--no-progress",
         "--data-dir", str(MNIST_DIR), "--out", str(out_dir)],
        capture_output=True, text=True, env=child_env(), cwd=tmp_path, timeout=1800,
        check=True)
    history = json.loads((out_dir / "history.json").read_text())
    train_acc, test_acc = history["final_train_acc"], history["final_test_acc"]
    assert history["iterations"] == 10000
    assert test_acc >= 0.94
    assert abs(train_acc - test_acc) <= 0.015
    for name in ("history.csv", "loss.png", "accuracy.png", "weights.npz"):
        assert (out_dir / name).stat().st_size > 0


# -- the progress bar only on a terminal; logs get the per-epoch lines ------------------------

def epoch_lines(text):
    return len(re.findall(r"(?<!final )train acc, test acc \| ", text))


class _Terminal(io.StringIO):
    def isatty(self):
        return True


def test_captured_output_has_no_progress_bar(tmp_path, data_dir, capsys):
    """Not a terminal (a log, a pipe): the per-epoch lines and no carriage returns."""
    argv = [a for a in ARGS if a != "--no-progress"]
    assert cli.main(["train", *argv, "--data-dir", str(data_dir), "--out", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert "\r" not in captured.out + captured.err
    assert epoch_lines(captured.out) == 3  # iterations 0, 50, 100


def test_a_terminal_gets_the_progress_bar(tmp_path, data_dir, capsys, monkeypatch):
    pytest.importorskip("tqdm", reason="tqdm is the progress extra: pip install .[progress]")
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    argv = [a for a in ARGS if a != "--no-progress"]
    assert cli.main(["train", *argv, "--data-dir", str(data_dir), "--out", str(tmp_path)]) == 0
    assert "\r" in terminal.getvalue() and "/120 " in terminal.getvalue()
    assert epoch_lines(capsys.readouterr().out) == 3
    terminal = _Terminal()
    monkeypatch.setattr(sys, "stderr", terminal)
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir),
                     "--out", str(tmp_path / "quiet")]) == 0
    assert "\r" not in terminal.getvalue()  # --no-progress


def _run_with_output_to(kind, argv):
    """Run ``python -m minigrad`` with stdout and stderr on a pipe or a pseudo-terminal;
    return everything it wrote."""
    env = child_env()
    if kind == "pipe":
        r = subprocess.run([sys.executable, "-m", "minigrad", *argv], stdout=subprocess.PIPE,
                           stderr=subprocess.STDOUT, env=env, timeout=300)
        assert r.returncode == 0, r.stdout.decode(errors="replace")
        return r.stdout.decode()
    import fcntl
    import pty
    import select
    import struct
    import termios

    master, slave = pty.openpty()
    fcntl.ioctl(slave, termios.TIOCSWINSZ, struct.pack("HHHH", 24, 80, 0, 0))  # 80 columns
    proc = subprocess.Popen([sys.executable, "-m", "minigrad", *argv], stdin=subprocess.DEVNULL,
                            stdout=slave, stderr=slave, env=env)
    os.close(slave)
    chunks = []
    try:
        while True:
            ready, _, _ = select.select([master], [], [], 300)
            assert ready, "no output for 300 s"
            try:
                chunk = os.read(master, 65536)
            except OSError:  # EIO: the child closed the terminal
                break
            if not chunk:
                break
            chunks.append(chunk)
    finally:
        os.close(master)
    assert proc.wait(timeout=60) == 0, b"".join(chunks).decode(errors="replace")
    return b"".join(chunks).decode()


@needs_mnist
@pytest.mark.parametrize("kind", ["pipe", "pty"])
def test_progress_bar_only_when_the_output_is_a_terminal(tmp_path, kind):
    """``minigrad train 2>&1 | tee log`` writes the per-epoch lines only; a terminal also
    gets the bar's carriage-return updates."""
    if kind == "pty":
        pytest.importorskip("tqdm", reason="tqdm is the progress extra: pip install .[progress]")
    text = _run_with_output_to(kind, [
        "train", "--iters", "25", "--batch-size", "6000", "--hidden-size", "4",
        "--seed", "0", "--no-figures", "--no-download", "--data-dir", str(MNIST_DIR),
        "--out", str(tmp_path / "run")])
    assert epoch_lines(text) == 3  # iterations 0, 10, 20
    updates = re.findall(r"\r(?!\n)", text)  # a terminal ends lines with \r\n
    if kind == "pipe":
        assert "\r" not in text
    else:
        assert updates and "/25 " in text


# -- --dtype float32: the data, the parameters and every activation in float32 -------------------

def _graph_float_dtypes(t):
    """The dtypes of every floating tensor in the graph that made ``t``."""
    seen, stack, kinds = set(), [t], set()
    while stack:
        u = stack.pop()
        if id(u) in seen:
            continue
        seen.add(id(u))
        if u.dtype.kind == "f":
            kinds.add(str(u.dtype))
        if u.creator is not None:
            stack.extend(x for x in u.creator.inputs if isinstance(x, mg.Tensor))
    return kinds


@pytest.fixture
def built_models(monkeypatch):
    """The models ``minigrad train`` builds, kept for the test to look at."""
    models = []
    for name, build in list(cli.MODELS.items()):
        def capture(args, n_in, n_out, rng, build=build):
            models.append(build(args, n_in, n_out, rng))
            return models[-1]
        monkeypatch.setitem(cli.MODELS, name, capture)
    return models


def test_dtype_float32_trains_in_float32_and_learns(tmp_path, data_dir, capsys, built_models):
    out = tmp_path / "f32"
    assert cli.main(["train", *ARGS, "--dtype", "float32", "--data-dir", str(data_dir),
                     "--out", str(out)]) == 0, capsys.readouterr().err
    assert ", float32," in capsys.readouterr().out
    h = json.loads((out / "history.json").read_text())
    assert h["config"]["dtype"] == h["config"]["cli"]["dtype"] == "float32"
    assert h["final_test_acc"] > 0.9 and h["losses"][-1] < h["losses"][0] / 2  # it learns
    with np.load(out / "weights.npz") as w:
        assert {str(w[k].dtype) for k in w.files} == {"float32"}
    model = built_models[-1]
    (x, t), _ = synthetic_data(n=300, n_test=60)
    loss = model.loss(x[:16].astype(np.float32), t[:16].astype(np.float32))
    assert _graph_float_dtypes(loss) == {"float32"}
    # the default is unchanged: float64
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out",
                     str(tmp_path / "f64")]) == 0
    h64 = json.loads((tmp_path / "f64" / "history.json").read_text())
    assert h64["config"]["dtype"] == "float64"
    with np.load(tmp_path / "f64" / "weights.npz") as w:
        assert {str(w[k].dtype) for k in w.files} == {"float64"}


def test_dtype_float32_multi_layer_keeps_batchnorm_statistics_in_float32(
        tmp_path, data_dir, capsys, built_models):
    out = tmp_path / "multi"
    argv = ["train", *MULTI, "--iters", "20", "--batch-size", "16", "--seed", "1",
            "--dtype", "float32", "--data-dir", str(data_dir), "--out", str(out),
            "--no-progress", "--no-figures"]
    assert cli.main(argv) == 0, capsys.readouterr().err
    model = built_models[-1]
    floats = {k: str(a.dtype) for k, a in model.state_dict().items() if a.dtype.kind == "f"}
    assert "BatchNorm1.running_mean" in floats and set(floats.values()) == {"float32"}
    (x, t), _ = synthetic_data(n=300, n_test=60)
    x, t = x[:16].astype(np.float32), t[:16].astype(np.float32)
    assert _graph_float_dtypes(model.loss(x, t)) == {"float32"}
    with mg.no_grad():  # inference: the running statistics, not the batch's
        assert model.predict(x).dtype == np.float32


def test_resume_keeps_the_runs_dtype(tmp_path, data_dir, monkeypatch, capsys):
    out = tmp_path / "run"
    common = [*ARGS[:2], "--dtype", "float32", "--checkpoint-every", "60", *ARGS[2:]]
    assert cli.main(["train", *common, "--data-dir", str(data_dir), "--out", str(out)]) == 0
    assert cli.main(["train", "--resume", str(out / "checkpoint.npz"), "--iters", "130",
                     "--no-progress", "--no-figures"]) == 0, capsys.readouterr().err
    h = json.loads((out / "history.json").read_text())
    assert h["config"]["dtype"] == "float32" and h["iterations"] == 130
    with np.load(out / "weights.npz") as w:
        assert {str(w[k].dtype) for k in w.files} == {"float32"}


@pytest.mark.slow
@needs_mnist
def test_dtype_float32_simple_convnet_on_mnist(tmp_path, capsys, small_mnist, built_models):
    """The book's MNIST as float32 and SimpleConvNet in float32: a few Adam steps learn."""
    out = tmp_path / "conv"
    argv = ["train", "--model", "simple-convnet", "--dtype", "float32", "--iters", "24",
            "--seed", "3", "--data-dir", str(MNIST_DIR), "--out", str(out), "--no-progress",
            "--no-figures"]
    assert cli.main(argv) == 0, capsys.readouterr().err
    h = json.loads((out / "history.json").read_text())
    assert h["config"]["dtype"] == "float32"
    assert np.mean(h["losses"][-5:]) < np.log(10) - 0.2
    model = built_models[-1]
    assert {str(p.dtype) for p in model.parameters()} == {"float32"}
    (x, t), _ = cli._load_data(cli.build_parser().parse_args(
        ["train", "--dtype", "float32", "--data-dir", str(MNIST_DIR)]))
    assert x.dtype == np.float32 and t.dtype == np.float32  # loaded so, not converted after
    assert _graph_float_dtypes(model.loss(x[:8], t[:8])) == {"float32"}
