"""``minigrad train`` under stress: resuming, SIGTERM, divergence, sizes, locks, full disks."""

from __future__ import annotations

import errno
import json
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad import cli
from minigrad.models import TwoLayerNet

ARGS = ["--iters", "120", "--batch-size", "16", "--hidden-size", "8", "--lr", "0.3",
        "--weight-init-std", "0.3", "--seed", "0", "--eval-every", "50", "--no-progress",
        "--no-figures"]


def _data(seed=0, n=300, d=12, c=3):
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((c, d))
    labels = rng.integers(0, c, size=n + 60)
    x = centers[labels] + 0.8 * rng.standard_normal((n + 60, d))
    t = np.eye(c)[labels]
    return (x[:n], t[:n]), (x[n:], t[n:])


@pytest.fixture
def data_dir(tmp_path, monkeypatch):
    """MNIST stand-in: found only in this folder, given as --data-dir (no $MINIGRAD_DATA)."""
    folder = tmp_path / "mnist-here"
    folder.mkdir()
    data = _data()
    monkeypatch.delenv("MINIGRAD_DATA", raising=False)

    def load(args):
        if args.data_dir is None or Path(args.data_dir).resolve() != folder.resolve():
            raise cli.CLIError(f"cannot load MNIST: MNIST data not found in {args.data_dir}")
        return data

    monkeypatch.setattr(cli, "_load_data", load)
    return folder


def _at_iteration(monkeypatch, iteration, action):
    """Run ``action()`` in the middle of the given 0-based training iteration."""
    real_loss = TwoLayerNet.loss
    calls = {"n": 0}

    def loss(self, x, t):
        out = real_loss(self, x, t)
        if mg.is_grad_enabled():
            if calls["n"] == iteration:
                replaced = action()
                if replaced is not None:
                    out = out * replaced
            calls["n"] += 1
        return out

    monkeypatch.setattr(TwoLayerNet, "loss", loss)
    return lambda: monkeypatch.setattr(TwoLayerNet, "loss", real_loss)


def _weights(out):
    with np.load(out / "weights.npz", allow_pickle=False) as npz:
        return {k: npz[k].tobytes() for k in npz.files}


def _strict_json(path):
    def refuse(token):
        raise ValueError(f"non-standard JSON token {token}")

    return json.loads(Path(path).read_text(), parse_constant=refuse)


# -- item 2: the checkpoint records every setting; --resume uses them -------------------------

def test_resume_as_printed_finds_the_data_without_the_environment(tmp_path, data_dir,
                                                                 monkeypatch, capsys):
    full = tmp_path / "full"
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(full)]) == 0
    out = tmp_path / "run"
    restore = _at_iteration(monkeypatch, 70, lambda: signal.raise_signal(signal.SIGINT))
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out),
                   "--checkpoint-every", "50"])
    restore()
    assert rc == 130
    text = capsys.readouterr().out
    command = next(line for line in text.splitlines() if line.startswith("resume with: "))
    argv = command.removeprefix("resume with: minigrad ").split()
    assert cli.main(argv) == 0, capsys.readouterr().err  # pasted as printed
    assert _weights(out) == _weights(full)
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


# -- item 3: SIGTERM saves a checkpoint like Ctrl-C -------------------------------------------

def test_sigterm_saves_a_checkpoint_and_exits_143(tmp_path, data_dir, monkeypatch, capsys):
    full = tmp_path / "full"
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(full)]) == 0
    out = tmp_path / "run"
    restore = _at_iteration(monkeypatch, 80, lambda: signal.raise_signal(signal.SIGTERM))
    rc = cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)])
    restore()
    assert rc == cli.EXIT_SIGTERM == 143
    text = capsys.readouterr().out
    assert f"terminated (SIGTERM) after 81 of 120 iterations; checkpoint saved to {out}" in text
    assert signal.getsignal(signal.SIGTERM) == signal.SIG_DFL  # handler restored
    assert cli.main(["train", "--resume", str(out / "checkpoint.npz")]) == 0
    assert _weights(out) == _weights(full)


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


# -- item 4: a diverging run stops at the first non-finite loss -------------------------------

def test_divergence_stops_names_the_iteration_and_keeps_the_last_checkpoint(
        tmp_path, data_dir, monkeypatch, capsys):
    out = tmp_path / "run"
    restore = _at_iteration(monkeypatch, 70, lambda: float("nan"))
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


# -- item 5: sizes that cannot fit ------------------------------------------------------------

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


# -- item 6: one run at a time per output folder ----------------------------------------------

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
    restore = _at_iteration(monkeypatch, 5,
                            lambda: seen.append((out / cli.LOCK_NAME).read_text()))
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)]) == 0
    restore()
    assert seen and f"pid={os.getpid()}" in seen[0]
    assert not (out / cli.LOCK_NAME).exists()


def test_lock_is_released_after_an_error(tmp_path, data_dir, monkeypatch):
    out = tmp_path / "run"
    restore = _at_iteration(monkeypatch, 70, lambda: float("nan"))
    assert cli.main(["train", *ARGS, "--data-dir", str(data_dir), "--out", str(out)]) == 3
    restore()
    assert not (out / cli.LOCK_NAME).exists()


# -- item 12: a full disk while saving --------------------------------------------------------

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
    restore = _at_iteration(monkeypatch, 70, lambda: full.update(on=True))
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
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("needs root and mount(8) to mount a tiny tmpfs")
    mnt = tmp_path / "tiny"
    mnt.mkdir()
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=256k", "tmpfs", str(mnt)],
                       capture_output=True, text=True)
    if r.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


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

    restore = _at_iteration(monkeypatch, 70, fill)
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
    restore = _at_iteration(monkeypatch, 30, lambda: float("inf"))
    trainer = Trainer(model, _data(), iters=100, batch_size=16, lr=0.3, seed=0, progress=False,
                      log=lambda line: None)
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
