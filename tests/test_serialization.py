import copy
import io
import json
import os
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from training_support import at_iteration, synthetic_data, weights

import minigrad as mg
from minigrad import serialization, training_checkpoint
from minigrad.serialization import MAX_DEPTH, CheckpointError


def _checkpoint(rng=None):
    rng = rng or np.random.default_rng(0)
    return {
        "model": {
            "fc1.W": mg.tensor(rng.standard_normal((4, 3)), requires_grad=True, name="W1"),
            "fc1.b": mg.tensor(np.zeros(3, dtype=np.float32)),
        },
        "optimizer": {"lr": 0.1, "state": {0: {"v": rng.standard_normal(3)}}, "step": 7},
        "meta": {
            "iteration": 10, "seed": 0, "name": "run-1", "done": False, "note": None,
            "history": [2.3, 1.5, 0.75], "counts": [1, 2, 3],
            "rng": np.random.default_rng(5).bit_generator.state,
        },
    }


def _assert_same(a, b):
    assert type(a) is type(b), (type(a), type(b))
    if isinstance(a, mg.Tensor):
        assert a.dtype == b.dtype and a.shape == b.shape
        assert a.data.tobytes() == b.data.tobytes()
        assert a.requires_grad == b.requires_grad and a.name == b.name
    elif isinstance(a, (np.ndarray, np.generic)):
        assert a.dtype == b.dtype and np.shape(a) == np.shape(b)
        assert np.asarray(a).tobytes() == np.asarray(b).tobytes()
    elif isinstance(a, dict):
        assert list(a) == list(b)
        for k in a:
            _assert_same(a[k], b[k])
    elif isinstance(a, (list, tuple)):
        assert len(a) == len(b)
        for x, y in zip(a, b):
            _assert_same(x, y)
    elif isinstance(a, float) and np.isnan(a):
        assert np.isnan(b)
    else:
        assert a == b


def test_roundtrip_nested_checkpoint(tmp_path):
    obj = _checkpoint()
    path = tmp_path / "ckpt.npz"
    mg.save(obj, path)
    _assert_same(obj, mg.load(path))
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # no temp file left behind


def test_file_is_one_npz_with_flat_paths_and_header(tmp_path):
    path = tmp_path / "c.npz"
    mg.save(_checkpoint(), path)
    with np.load(path, allow_pickle=False) as npz:
        assert "model/fc1.W" in npz.files and "optimizer/state/0/v" in npz.files
        header = json.loads(npz["__minigrad__"].tobytes())
    assert header["format"] == "minigrad-checkpoint"
    assert header["version"] == serialization.FORMAT_VERSION


def test_path_is_used_as_given(tmp_path):
    path = tmp_path / "checkpoint"  # no suffix added
    mg.save({"a": np.ones(2)}, str(path))
    assert os.listdir(tmp_path) == ["checkpoint"]
    _assert_same(mg.load(str(path)), {"a": np.ones(2)})


def test_rng_state_roundtrip_reproduces_stream(tmp_path):
    rng = np.random.default_rng(42)
    rng.standard_normal(10)
    mg.save({"rng": rng.bit_generator.state}, tmp_path / "r.npz")
    expected = rng.standard_normal(5)
    rng2 = np.random.default_rng()
    rng2.bit_generator.state = mg.load(tmp_path / "r.npz")["rng"]
    np.testing.assert_array_equal(rng2.standard_normal(5), expected)


def test_special_values_and_types(tmp_path):
    obj = {
        "nan": float("nan"), "inf": float("inf"), "ninf": float("-inf"),
        "big": 2**100, "tuple": (1, "a", np.arange(2)), "npscalar": np.float32(1.5),
        "i64": np.int64(-3), "empty": np.zeros((0, 3)), "scalar_t": mg.tensor(2.5),
        "fortran": np.asfortranarray(np.arange(6.0).reshape(2, 3)), "c128": np.array([1 + 2j]),
        "strs": np.array(["ab", "c"]), "list_of_arrays": [np.ones(1), np.zeros(2)],
        "bools": np.array([True, False]), "key/with/slash": np.ones(1), "__minigrad__": 1,
        1: "int key", "nested": {"a": {"b": {"c": [[1, 2], [3, 4]]}}},
    }
    path = tmp_path / "s.npz"
    mg.save(obj, path)
    _assert_same(obj, mg.load(path))


_dtypes = st.sampled_from([np.float64, np.float32, np.float16, np.int64, np.int32, np.uint8,
                           np.bool_])


@settings(max_examples=25, deadline=None)
@given(data=st.data())
def test_arrays_roundtrip_bitwise(tmp_path_factory, data):
    dtype = data.draw(_dtypes)
    arr = data.draw(hnp.arrays(dtype, hnp.array_shapes(min_dims=0, max_dims=3, min_side=0,
                                                       max_side=4)))
    as_tensor = dtype in (np.float64, np.float32, np.float16) and data.draw(st.booleans())
    leaf = mg.Tensor(arr) if as_tensor else arr
    path = tmp_path_factory.mktemp("h") / "a.npz"
    mg.save({"x": leaf, "meta": {"i": data.draw(st.integers())}}, path)
    _assert_same({"x": leaf}, {"x": mg.load(path)["x"]})


# -- safety and errors ------------------------------------------------------------------------

def test_object_arrays_are_refused_at_save_and_nothing_written(tmp_path):
    path = tmp_path / "o.npz"
    with pytest.raises(mg.CheckpointError, match=r"o\.npz.*model/bad.*object"):
        mg.save({"model": {"bad": np.array([1, "a", None], dtype=object)}}, path)
    assert os.listdir(tmp_path) == []


def test_unsupported_types_are_refused(tmp_path):
    with pytest.raises(mg.CheckpointError, match=r"meta/f.*function"):
        mg.save({"meta": {"f": print}}, tmp_path / "x.npz")
    with pytest.raises(mg.CheckpointError, match="dict keys must be str or int"):
        mg.save({(1, 2): 1}, tmp_path / "x.npz")
    assert os.listdir(tmp_path) == []


def test_checkpoint_error_is_value_error():
    assert issubclass(mg.CheckpointError, ValueError)


def test_object_array_in_file_is_refused_at_load(tmp_path):
    path = tmp_path / "evil.npz"
    good = tmp_path / "good.npz"
    mg.save({"x": np.ones(2)}, good)
    with np.load(good) as npz:
        header = npz["__minigrad__"]
    np.savez(path, __minigrad__=header, x=np.array([{"a": 1}], dtype=object))
    with pytest.raises(mg.CheckpointError, match=r"evil\.npz.*'x'.*object array"):
        mg.load(path)


def test_pickle_file_is_never_unpickled(tmp_path):
    import pickle

    class Boom:
        def __reduce__(self):
            return (os.system, ("touch " + str(tmp_path / "pwned"),))

    path = tmp_path / "p.npz"
    path.write_bytes(pickle.dumps(Boom()))
    with pytest.raises(mg.CheckpointError, match=r"p\.npz: not a minigrad checkpoint"):
        mg.load(path)
    assert not (tmp_path / "pwned").exists()


@pytest.mark.parametrize("content", [b"hello, this is a text file\n", bytes(range(256)) * 10,
                                     b""])
def test_not_a_checkpoint(tmp_path, content):
    path = tmp_path / "junk.npz"
    path.write_bytes(content)
    with pytest.raises(mg.CheckpointError, match=r"junk\.npz"):
        mg.load(path)


def test_plain_npz_and_npy_are_not_checkpoints(tmp_path):
    np.savez(tmp_path / "plain.npz", a=np.ones(2))
    with pytest.raises(mg.CheckpointError, match=r"plain\.npz: not a minigrad checkpoint.*header"):
        mg.load(tmp_path / "plain.npz")
    np.save(tmp_path / "one.npy", np.ones(2))
    with pytest.raises(mg.CheckpointError, match=r"one\.npy: not a minigrad checkpoint"):
        mg.load(tmp_path / "one.npy")


def test_missing_file():
    with pytest.raises(FileNotFoundError, match="nope.npz"):
        mg.load("/nonexistent/dir/nope.npz")


@pytest.mark.parametrize("keep", [0.1, 0.5, 0.9, 0.99])
def test_truncated_file(tmp_path, keep):
    path = tmp_path / "t.npz"
    mg.save(_checkpoint(), path)
    raw = path.read_bytes()
    path.write_bytes(raw[: int(len(raw) * keep)])
    with pytest.raises(mg.CheckpointError, match=r"t\.npz"):
        mg.load(path)


def test_corrupted_bytes_are_detected(tmp_path):
    path = tmp_path / "c.npz"
    mg.save({"w": np.arange(1000, dtype=np.float64)}, path)
    raw = bytearray(path.read_bytes())
    i = raw.index(np.arange(1000, dtype=np.float64)[500:].tobytes()[:16])
    raw[i] ^= 0xFF  # flip a data byte: the zip CRC no longer matches
    path.write_bytes(bytes(raw))
    with pytest.raises(mg.CheckpointError, match=r"c\.npz.*'w'"):
        mg.load(path)


def _rewrite_header(path, change):
    with np.load(path) as npz:
        arrays = {k: npz[k] for k in npz.files}
    header = json.loads(arrays["__minigrad__"].tobytes())
    change(header)
    arrays["__minigrad__"] = np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)
    np.savez(path, **arrays)


def test_newer_format_version_is_refused(tmp_path):
    path = tmp_path / "new.npz"
    mg.save({"x": np.ones(2)}, path)
    _rewrite_header(path, lambda h: h.update(version=serialization.FORMAT_VERSION + 1))
    with pytest.raises(mg.CheckpointError, match=r"new\.npz: written by a newer checkpoint format "
                                                 r"\(version 2\).*upgrade"):
        mg.load(path)


def test_other_format_name_is_refused(tmp_path):
    path = tmp_path / "other.npz"
    mg.save({"x": np.ones(2)}, path)
    _rewrite_header(path, lambda h: h.update(format="something-else"))
    with pytest.raises(mg.CheckpointError, match="not a minigrad checkpoint"):
        mg.load(path)


def test_header_and_entries_must_agree(tmp_path):
    path = tmp_path / "h.npz"
    mg.save({"x": np.ones(2)}, path)
    _rewrite_header(path, lambda h: h["tree"]["items"][0][1].update(shape=[3]))
    with pytest.raises(mg.CheckpointError, match=r"h\.npz: corrupt.*'x'"):
        mg.load(path)


# -- atomic writes -------------------------------------------------------------------------------

def test_crash_during_write_keeps_the_old_file(tmp_path, monkeypatch):
    path = tmp_path / "ckpt.npz"
    mg.save({"x": np.ones(3), "meta": {"iteration": 1}}, path)
    before = path.read_bytes()

    def crash(*args, **kwargs):
        raise KeyboardInterrupt  # e.g. Ctrl-C in the middle of writing

    monkeypatch.setattr(np.lib.format, "write_array", crash)
    with pytest.raises(KeyboardInterrupt):
        mg.save({"x": np.zeros(3), "meta": {"iteration": 2}}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["ckpt.npz"]  # the temp file was removed


def test_write_goes_through_fsync_and_replace(tmp_path, monkeypatch):
    calls = []
    real_fsync, real_replace = os.fsync, os.replace
    monkeypatch.setattr(os, "fsync", lambda fd: (calls.append("fsync"), real_fsync(fd))[1])
    monkeypatch.setattr(os, "replace",
                        lambda a, b: (calls.append(("replace", os.path.dirname(a))),
                                      real_replace(a, b))[1])
    mg.save({"x": np.ones(1)}, tmp_path / "a.npz")
    assert calls[0] == "fsync"
    assert calls[1] == ("replace", str(tmp_path))  # temp file in the same directory


def test_saved_file_is_a_valid_zip(tmp_path):
    path = tmp_path / "z.npz"
    mg.save(_checkpoint(), path, compress=True)
    with zipfile.ZipFile(path) as zf:
        assert zf.testzip() is None
    _assert_same(_checkpoint(), mg.load(path))


# -- resuming a training run ----------------------------------------------------------------------

def _trainer(data, optimizer="sgd", callback=None, iters=200, model_seed=0):
    from minigrad.models import TwoLayerNet
    from minigrad.train import Trainer

    (x, t), _ = data
    model = TwoLayerNet(x.shape[1], 8, t.shape[1], weight_init_std=0.3, seed=model_seed)
    return Trainer(model, data, iters=iters, batch_size=16, lr=0.3, optimizer=optimizer,
                   seed=7, progress=False, eval_every=50, callback=callback,
                   log=lambda line: None)


def _history_without_timing(h):
    d = h.to_dict()
    for k in ("seconds", "stopped_early", "stop_reason"):
        d.pop(k)
    return d


@pytest.mark.parametrize("optimizer", ["sgd", "momentum", "adam"])
def test_resume_after_interrupt_is_bitwise_identical(tmp_path, optimizer):
    data = synthetic_data()
    full = _trainer(data, optimizer)
    full_history = full.run()
    assert full_history.iterations == 200

    def interrupt_at_120(state):
        if state.iteration == 120:
            raise KeyboardInterrupt

    first = _trainer(data, optimizer, callback=interrupt_at_120)
    h1 = first.run()
    assert h1.stopped_early and "interrupted" in h1.stop_reason and h1.iterations == 120
    path = tmp_path / "checkpoint.npz"
    training_checkpoint.save_training_state(first.state, path)

    # a fresh process would build everything anew, with other initial weights even
    second = _trainer(data, optimizer, model_seed=99)
    training_checkpoint.load_training_state(second.state, path)
    assert second.state.iteration == 120
    h2 = second.run()
    assert h2.iterations == 200 and not h2.stopped_early
    for (name, a), (_, b) in zip(full.state.model.named_parameters(),
                                 second.state.model.named_parameters()):
        assert a.data.tobytes() == b.data.tobytes(), name
    assert _history_without_timing(h2) == _history_without_timing(full_history)
    assert second.state.rng.bit_generator.state == full.state.rng.bit_generator.state
    assert second.state.optimizer.steps == full.state.optimizer.steps == 200


@pytest.mark.parametrize("optimizer", ["momentum", "adam"])
def test_resume_from_a_checkpoint_with_one_global_step_count(tmp_path, optimizer):
    # checkpoints written before the step count was kept per parameter hold "steps" only
    data = synthetic_data()
    full = _trainer(data, optimizer)
    full.run()

    def interrupt_at_120(state):
        if state.iteration == 120:
            raise KeyboardInterrupt

    first = _trainer(data, optimizer, callback=interrupt_at_120)
    first.run()
    ckpt = training_checkpoint.training_state_dict(first.state)
    assert ckpt["optimizer"]["step.W1"] == 120
    ckpt["optimizer"] = {k: v for k, v in ckpt["optimizer"].items()
                         if not k.startswith("step.")}
    path = tmp_path / "old.npz"
    mg.save(ckpt, path)
    second = _trainer(data, optimizer, model_seed=99)
    training_checkpoint.load_training_state(second.state, path)
    assert second.state.optimizer.param_steps == dict.fromkeys(["W1", "b1", "W2", "b2"], 120)
    second.run()
    for (name, a), (_, b) in zip(full.state.model.named_parameters(),
                                 second.state.model.named_parameters()):
        assert a.data.tobytes() == b.data.tobytes(), name


def test_training_checkpoint_holds_everything_as_plain_data(tmp_path):
    data = synthetic_data()
    tr = _trainer(data, "momentum", iters=30)
    tr.run()
    path = tmp_path / "c.npz"
    training_checkpoint.save_training_state(tr.state, path)
    ckpt = mg.load(path)
    assert ckpt["kind"] == training_checkpoint.TRAINING_KIND
    assert sorted(ckpt["model"]) == ["fc1.W", "fc1.b", "fc2.W", "fc2.b"]
    assert "v.W1" in ckpt["optimizer"] and ckpt["optimizer"]["steps"] == 30
    assert ckpt["rng"] == tr.state.rng.bit_generator.state
    assert ckpt["progress"]["iteration"] == 30
    assert ckpt["history"]["losses"] == tr.state.history.losses
    with np.load(path, allow_pickle=False) as npz:  # readable without minigrad too
        assert npz["model/fc1.W"].tobytes() == tr.state.model.fc1.W.data.tobytes()


def test_load_training_state_that_does_not_fit_changes_nothing(tmp_path):
    data = synthetic_data()
    tr = _trainer(data, "adam", iters=10)
    tr.run()
    path = tmp_path / "c.npz"
    training_checkpoint.save_training_state(tr.state, path)

    other = _trainer(data, "sgd", iters=10, model_seed=5)  # an SGD run: no Adam buffers
    before = {k: v.copy() for k, v in other.state.model.state_dict().items()}
    rng_before = other.state.rng.bit_generator.state
    with pytest.raises(ValueError, match="unexpected key 'm.W1'"):
        training_checkpoint.load_training_state(other.state, path)
    after = other.state.model.state_dict()
    assert all(before[k].tobytes() == after[k].tobytes() for k in before)
    assert other.state.rng.bit_generator.state == rng_before
    assert other.state.iteration == 0

    with pytest.raises(mg.CheckpointError, match="not a training checkpoint"):
        training_checkpoint.load_training_state(other.state, {"model": {}})
    mg.save({"x": np.ones(1)}, tmp_path / "plain.npz")
    with pytest.raises(mg.CheckpointError, match=r"plain\.npz: not a training checkpoint"):
        training_checkpoint.load_training_state(other.state, tmp_path / "plain.npz")


# -- Module.load_state_dict -------------------------------------------------------------------

def _net(seed=0):
    from minigrad import nn

    return nn.Sequential(nn.Linear(4, 3, rng=seed), nn.Sigmoid(), nn.Linear(3, 2, rng=seed + 1))


def _params_bytes(net):
    return {k: v.tobytes() for k, v in net.state_dict().items()}


def test_load_state_dict_roundtrip_through_a_checkpoint(tmp_path):
    src, dst = _net(0), _net(10)
    mg.save({"model": src.state_dict()}, tmp_path / "m.npz")
    dst.load_state_dict(mg.load(tmp_path / "m.npz")["model"])
    assert _params_bytes(dst) == _params_bytes(src)
    # the parameters are updated in place: the same tensor objects
    ids = [id(p) for p in dst.parameters()]
    dst.load_state_dict(_net(3).state_dict())
    assert [id(p) for p in dst.parameters()] == ids


def test_load_state_dict_accepts_tensors_and_npz(tmp_path):
    src, dst = _net(0), _net(10)
    dst.load_state_dict({k: mg.Tensor(v) for k, v in src.state_dict().items()})
    assert _params_bytes(dst) == _params_bytes(src)
    np.savez(tmp_path / "w.npz", **_net(4).state_dict())
    with np.load(tmp_path / "w.npz", allow_pickle=False) as npz:
        dst.load_state_dict(npz)
    assert _params_bytes(dst) == _params_bytes(_net(4))


def test_load_state_dict_reports_every_problem_by_name_and_changes_nothing():
    from minigrad.nn import StateDictError

    net = _net(0)
    before = _params_bytes(net)
    sd = _net(1).state_dict()
    del sd["0.bias"]                                # missing
    sd["extra.W"] = np.ones(2)                      # unexpected
    sd["0.weight"] = np.ones((4, 3))                # wrong shape
    sd["2.bias"] = sd["2.bias"].astype(np.float32)  # wrong dtype
    with pytest.raises(StateDictError) as info:
        net.load_state_dict(sd)
    msg = str(info.value)
    for needle in ("missing key '0.bias'", "unexpected key 'extra.W'", "'0.weight': shape (4, 3)",
                   "'2.bias': dtype float32", "4 problems", "nothing was loaded"):
        assert needle in msg
    assert len(info.value.problems) == 4
    assert isinstance(info.value, ValueError)
    assert _params_bytes(net) == before  # not even the entries that fit ('2.weight') were loaded


def test_load_state_dict_non_strict_ignores_missing_and_unexpected_only():
    from minigrad.nn import StateDictError

    net, src = _net(0), _net(1)
    sd = src.state_dict()
    del sd["0.bias"]
    sd["extra"] = np.ones(1)
    before_b = net.state_dict()["0.bias"].tobytes()
    net.load_state_dict(sd, strict=False)
    after = net.state_dict()
    assert after["0.weight"].tobytes() == sd["0.weight"].tobytes()
    assert after["0.bias"].tobytes() == before_b
    sd["2.weight"] = np.ones((5, 5))
    with pytest.raises(StateDictError, match=r"'2.weight': shape \(5, 5\)"):
        net.load_state_dict(sd, strict=False)


# -- minigrad train --resume / --checkpoint-every / Ctrl-C -----------------------------------------

CLI_ARGS = ["--iters", "200", "--batch-size", "16", "--hidden-size", "8", "--lr", "0.3",
            "--weight-init-std", "0.3", "--seed", "0", "--eval-every", "50", "--no-progress",
            "--no-figures"]


@pytest.fixture
def cli_data(monkeypatch):
    from minigrad import cli

    data = synthetic_data()
    monkeypatch.setattr(cli, "_load_data", lambda args: data)
    return data


def _ctrl_c_at(monkeypatch, iteration, presses=1):
    """Press Ctrl-C (a real SIGINT) ``presses`` times in the middle of the given iteration."""
    import signal

    def press():
        for _ in range(presses):
            signal.raise_signal(signal.SIGINT)

    return at_iteration(monkeypatch, iteration, press)


def _history(out):
    h = json.loads((out / "history.json").read_text())
    for k in ("seconds", "stopped_early", "stop_reason"):
        h.pop(k)
    h["config"].pop("checkpoint_every")
    h["config"]["cli"].pop("checkpoint_every")
    return h


@pytest.mark.parametrize("optimizer", ["sgd", "adam"])
def test_cli_ctrl_c_then_resume_gives_the_uninterrupted_weights(tmp_path, cli_data, monkeypatch,
                                                                capsys, optimizer):
    from minigrad import cli

    args = CLI_ARGS + ["--optimizer", optimizer]
    assert cli.main(["train", *args, "--out", str(tmp_path / "full")]) == 0
    capsys.readouterr()

    out = tmp_path / "run"
    restore = _ctrl_c_at(monkeypatch, 120)
    rc = cli.main(["train", *args, "--out", str(out), "--checkpoint-every", "50"])
    restore()
    text = capsys.readouterr().out
    assert rc == 130
    # the first Ctrl-C lets the running iteration finish, so the saved state is whole
    assert f"interrupted after 121 of 200 iterations; checkpoint saved to {out}/checkpoint.npz" \
        in text
    assert f"resume with: minigrad train --resume {out}/checkpoint.npz" in text
    ckpt = mg.load(out / "checkpoint.npz")
    assert ckpt["progress"]["iteration"] == 121
    assert not [p.name for p in out.iterdir() if p.name.endswith(".tmp")]

    assert cli.main(["train", "--resume", str(out / "checkpoint.npz"), "--no-progress",
                     "--no-figures"]) == 0
    assert "resuming" in capsys.readouterr().out
    assert weights(out) == weights(tmp_path / "full")  # bitwise
    assert _history(out) == _history(tmp_path / "full")
    assert mg.load(out / "checkpoint.npz")["progress"]["iteration"] == 200


def test_cli_second_ctrl_c_stops_at_once_and_keeps_the_last_checkpoint(tmp_path, cli_data,
                                                                        monkeypatch, capsys):
    from minigrad import cli

    assert cli.main(["train", *CLI_ARGS, "--out", str(tmp_path / "full")]) == 0
    out = tmp_path / "run"
    restore = _ctrl_c_at(monkeypatch, 130, presses=2)
    rc = cli.main(["train", *CLI_ARGS, "--out", str(out), "--checkpoint-every", "50"])
    restore()
    assert rc == 130
    text = capsys.readouterr().out
    assert "interrupted twice" in text and f"the last checkpoint is {out}/checkpoint.npz" in text
    assert mg.load(out / "checkpoint.npz")["progress"]["iteration"] == 100
    assert cli.main(["train", "--resume", str(out / "checkpoint.npz"), "--no-progress",
                     "--no-figures"]) == 0
    assert weights(out) == weights(tmp_path / "full")


def test_cli_checkpoint_every(tmp_path, cli_data):
    from minigrad import cli

    out = tmp_path / "run"
    args = [a if a != "200" else "120" for a in CLI_ARGS]
    assert cli.main(["train", *args, "--out", str(out), "--checkpoint-every", "50"]) == 0
    ckpt = mg.load(out / "checkpoint.npz")
    assert ckpt["progress"]["iteration"] == 100
    assert ckpt["history"]["config"]["checkpoint_every"] == 50
    assert len(ckpt["history"]["losses"]) == 100


def test_cli_resume_errors(tmp_path, cli_data, capsys):
    from minigrad import cli

    out = tmp_path / "run"
    assert cli.main(["train", *CLI_ARGS[:2], "--iters", "60", *CLI_ARGS[2:], "--out", str(out),
                     "--checkpoint-every", "50"]) == 0
    capsys.readouterr()
    path = str(out / "checkpoint.npz")
    assert cli.main(["train", "--resume", path, "--hidden-size", "9"]) == 2
    captured = capsys.readouterr()
    assert "--hidden-size 9 overrides the checkpoint's setting (8)" in captured.out
    assert "--resume:" in captured.err and "shape" in captured.err
    assert cli.main(["train", "--resume", str(tmp_path / "missing.npz")]) == 2
    assert "no checkpoint at" in capsys.readouterr().err
    (tmp_path / "junk.npz").write_text("not a checkpoint")
    assert cli.main(["train", "--resume", str(tmp_path / "junk.npz")]) == 2
    assert "junk.npz: not a minigrad checkpoint" in capsys.readouterr().err
    mg.save({"model": {}}, tmp_path / "other.npz")
    assert cli.main(["train", "--resume", str(tmp_path / "other.npz")]) == 2
    assert "not a checkpoint written by minigrad train" in capsys.readouterr().err


# -- damaged and hostile checkpoints: only CheckpointError escapes, memory stays bounded ------

def _npy(a: np.ndarray) -> bytes:
    buf = io.BytesIO()
    np.lib.format.write_array(buf, a, allow_pickle=False)
    return buf.getvalue()


def _forged_npy(shape: tuple[int, ...], dtype: str, payload: bytes) -> bytes:
    """A .npy member whose header declares ``shape`` but which holds only ``payload``."""
    buf = io.BytesIO()
    header = {"descr": dtype, "fortran_order": False, "shape": shape}
    np.lib.format.write_array_header_1_0(buf, header)
    return buf.getvalue() + payload


def _archive(path, members: dict[str, bytes], header: object) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__minigrad__.npy",
                    _npy(np.frombuffer(json.dumps(header).encode(), dtype=np.uint8)))
        for name, data in members.items():
            zf.writestr(name + ".npy", data)


def _good_header(tree: object) -> dict:
    return {"format": "minigrad-checkpoint", "version": 1, "tree": tree}


def test_forged_huge_npy_shape_is_refused_before_allocating(tmp_path):
    path = tmp_path / "forged.npz"
    _archive(path, {"w": _forged_npy((2**40,), "<f8", b"\0" * 64)},
             _good_header({"type": "ndarray", "entry": "w", "dtype": "<f8", "shape": [2**40]}))
    tracemalloc.start()
    try:
        with pytest.raises(CheckpointError, match=r"forged\.npz.*'w'.*1099511627776"):
            mg.load(path)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < 10 * 2**20


def test_member_claiming_more_than_the_file_holds_is_refused(tmp_path):
    path = tmp_path / "c.npz"
    mg.save({"w": np.arange(100.0)}, path)
    raw = bytearray(path.read_bytes())
    # patch the uncompressed size in the central directory entry of w.npy to 2**31
    cd = raw.rindex(b"PK\x01\x02" , 0, raw.rindex(b"w.npy"))
    # the ZIP64 extra field holds the real sizes; corrupt it as a whole
    extra = raw.index(b"\x01\x00", cd + 46)
    raw[extra + 4:extra + 12] = (2**31).to_bytes(8, "little")
    path.write_bytes(bytes(raw))
    with pytest.raises(CheckpointError, match=r"c\.npz"):
        mg.load(path)


@pytest.mark.parametrize("tree", [
    None,
    [],
    {"type": "dict"},
    {"type": "dict", "items": 5},
    {"type": "dict", "items": [[{"k": 1}, {"type": "value", "value": 1}]]},
    {"type": "dict", "items": [["a"]]},
    {"type": "list", "items": {"a": 1}},
    {"type": "float", "value": "hello"},
    {"type": "float"},
    {"type": "value", "value": {"x": 1}},
    {"type": "tensor", "entry": ["w"]},
    {"type": "tensor", "entry": "missing", "dtype": "<f8", "shape": [1]},
    {"type": "npscalar", "entry": 3},
    {"type": 7},
])
def test_hand_made_headers_give_checkpoint_error(tmp_path, tree):
    path = tmp_path / "h.npz"
    _archive(path, {}, _good_header(tree))
    with pytest.raises(CheckpointError, match=r"h\.npz"):
        mg.load(path)


@pytest.mark.parametrize("header", [[1, 2], "x", {"format": "minigrad-checkpoint"},
                                    {"format": "minigrad-checkpoint", "version": "1"}])
def test_hand_made_top_level_headers(tmp_path, header):
    path = tmp_path / "h.npz"
    _archive(path, {}, header)
    with pytest.raises(CheckpointError, match=r"h\.npz"):
        mg.load(path)


def test_deeply_nested_header_is_refused(tmp_path):
    path = tmp_path / "deep.npz"
    text = '{"type": "list", "items": [' * 50000 + "]}" * 50000
    header = ('{"format": "minigrad-checkpoint", "version": 1, "tree": ' + text + "}").encode()
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("__minigrad__.npy", _npy(np.frombuffer(header, dtype=np.uint8)))
    with pytest.raises(CheckpointError, match=r"deep\.npz.*deep"):
        mg.load(path)
    tree: dict = {"type": "value", "value": 1}
    for _ in range(MAX_DEPTH + 5):
        tree = {"type": "list", "items": [tree]}
    _archive(path, {}, _good_header(tree))
    with pytest.raises(CheckpointError, match=rf"deep\.npz.*deeper than {MAX_DEPTH}"):
        mg.load(path)


def test_saving_deeper_than_the_limit_is_refused(tmp_path):
    obj: list = [1]
    for _ in range(MAX_DEPTH + 5):
        obj = [obj, np.zeros(1)]
    with pytest.raises(CheckpointError, match="deeper"):
        mg.save({"x": obj}, tmp_path / "d.npz")
    assert not (tmp_path / "d.npz").exists()


@pytest.fixture(scope="module", params=[False, True], ids=["stored", "compressed"])
def good_checkpoint(request, tmp_path_factory) -> bytes:
    path = tmp_path_factory.mktemp("ckpt") / "good.npz"
    mg.save({"model": {"W": mg.tensor(np.arange(12.0).reshape(3, 4), requires_grad=True),
                       "b": np.arange(3, dtype=np.float32)},
             "meta": {"it": 3, "loss": float("nan"), "names": ["a", "b"]},
             "t": (1, 2.5, None)}, path, compress=request.param)
    return path.read_bytes()


def test_every_single_byte_flip_gives_checkpoint_error_or_the_same_data(tmp_path,
                                                                        good_checkpoint):
    path = tmp_path / "flip.npz"
    for i in range(len(good_checkpoint)):
        raw = bytearray(good_checkpoint)
        raw[i] ^= 0x5A
        path.write_bytes(bytes(raw))
        try:
            mg.load(path)
        except CheckpointError as e:
            assert "flip.npz" in str(e)


def _load_bounded(path, limit: int) -> None:
    tracemalloc.start()
    try:
        try:
            mg.load(path)
        except CheckpointError as e:
            assert str(path) in str(e)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert peak < limit


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.binary(max_size=4096))
def test_fuzz_random_bytes(tmp_path, data):
    path = tmp_path / "fuzz.npz"
    path.write_bytes(data)
    _load_bounded(path, 16 * 2**20)


@settings(max_examples=150, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(data=st.data())
def test_fuzz_random_byte_edits_of_a_good_checkpoint(tmp_path, good_checkpoint, data):
    raw = bytearray(good_checkpoint)
    for _ in range(data.draw(st.integers(1, 8))):
        i = data.draw(st.integers(0, len(raw) - 1))
        raw[i] = data.draw(st.integers(0, 255))
    path = tmp_path / "edit.npz"
    path.write_bytes(bytes(raw))
    _load_bounded(path, 16 * 2**20)


_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=8),
    lambda children: st.lists(children, max_size=4)
    | st.dictionaries(st.sampled_from(["type", "items", "entry", "dtype", "shape", "value",
                                       "name", "requires_grad", "k"]), children, max_size=5),
    max_leaves=30)


_node_type = st.sampled_from(["tensor", "ndarray", "npscalar", "value", "float", "dict",
                              "list", "tuple", "other"])


_dims = st.lists(st.sampled_from([0, 1, 3, 2**20, 2**31, 2**40, 2**62]), max_size=4)


@st.composite
def _hostile_tree(draw):
    node = {"type": draw(_node_type)}
    for key in draw(st.lists(st.sampled_from(["items", "entry", "dtype", "shape", "value",
                                              "name", "requires_grad"]), max_size=5)):
        node[key] = draw(_json)
    if draw(st.booleans()):
        node["entry"] = "w"
        node["dtype"] = draw(st.sampled_from(["<f8", "|u1", "<c16", "|O", "<U3"]))
        node["shape"] = draw(_dims)
    return node


@settings(max_examples=200, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(tree=_hostile_tree(), shape=_dims,
       dtype=st.sampled_from(["<f8", "|u1", "<c16", "|O", "<U3", "|V8", ">i4"]),
       payload=st.binary(max_size=256))
def test_fuzz_structurally_valid_hostile_headers(tmp_path, tree, shape, dtype, payload):
    path = tmp_path / "hostile.npz"
    try:
        member = _forged_npy(tuple(shape), dtype, payload)
    except (ValueError, TypeError):
        member = payload
    _archive(path, {"w": member}, _good_header(tree))
    _load_bounded(path, 16 * 2**20)


# -- a training checkpoint is validated field by field before anything changes ----------------

def _data(seed=0, n=200, d=6, c=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n + 50, d))
    t = np.eye(c)[rng.integers(0, c, size=n + 50)]
    return (x[:n], t[:n]), (x[n:], t[n:])


def _fields_trainer(optimizer="adam", iters=20, model_seed=0):
    from minigrad.models import TwoLayerNet
    from minigrad.train import Trainer

    data = _data()
    model = TwoLayerNet(6, 5, 3, weight_init_std=0.3, seed=model_seed)
    return Trainer(model, data, iters=iters, batch_size=8, lr=0.1, optimizer=optimizer,
                   seed=1, progress=False, log=lambda line: None)


def _snapshot(state):
    opt = state.optimizer
    return {
        "model": {k: v.tobytes() for k, v in state.model.state_dict().items()},
        "opt": {k: np.asarray(v).tobytes() for k, v in opt.state_dict().items()},
        "hyper": {h: getattr(opt, h) for h in opt.hyper},
        "steps": opt.steps,
        "rng": state.rng.bit_generator.state,
        "iteration": state.iteration,
        "history": state.history.to_dict(),
    }


def _m_key(ckpt):
    return next(k for k in ckpt["optimizer"] if k.startswith("m."))


BAD = {
    "string buffer": lambda c: c["optimizer"].__setitem__(
        _m_key(c), np.full(np.shape(c["optimizer"][_m_key(c)]), "x")),
    "complex buffer": lambda c: c["optimizer"].__setitem__(
        _m_key(c), np.asarray(c["optimizer"][_m_key(c)]) + 1j),
    "nan buffer": lambda c: c["optimizer"].__setitem__(
        _m_key(c), np.full(np.shape(c["optimizer"][_m_key(c)]), np.nan)),
    "lr -1": lambda c: c["optimizer"].__setitem__("lr", -1.0),
    "lr inf": lambda c: c["optimizer"].__setitem__("lr", float("inf")),
    "lr string": lambda c: c["optimizer"].__setitem__("lr", "0.1"),
    "beta1 5": lambda c: c["optimizer"].__setitem__("beta1", 5.0),
    "beta2 -0.1": lambda c: c["optimizer"].__setitem__("beta2", -0.1),
    "eps 0": lambda c: c["optimizer"].__setitem__("eps", 0.0),
    "steps 2.7": lambda c: c["optimizer"].__setitem__("steps", 2.7),
    "steps -1": lambda c: c["optimizer"].__setitem__("steps", -1),
    "steps bool": lambda c: c["optimizer"].__setitem__("steps", True),
    "param step 1.5": lambda c: c["optimizer"].__setitem__("step.W1", 1.5),
    "param step -2": lambda c: c["optimizer"].__setitem__("step.b2", -2),
    "iteration 2.5": lambda c: c["progress"].__setitem__("iteration", 2.5),
    "iteration -3": lambda c: c["progress"].__setitem__("iteration", -3),
    "best acc string": lambda c: c["progress"].__setitem__("best_test_acc", "high"),
    "rng state garbage": lambda c: c["rng"].__setitem__("state", {"state": "x", "inc": 1}),
    "optimizer not a dict": lambda c: c.__setitem__("optimizer", [1, 2]),
    "string losses": lambda c: c["history"].__setitem__("losses", ["a", "b"]),
    "uneven evaluations": lambda c: c["history"]["test_acc"].append(0.5),
}


@pytest.mark.parametrize("what", sorted(BAD))
def test_bad_field_is_refused_and_nothing_changes(tmp_path, what):
    source = _fields_trainer()
    source.run()
    good = training_checkpoint.training_state_dict(source.state)
    bad = copy.deepcopy(good)
    BAD[what](bad)
    path = tmp_path / "c.npz"
    mg.save(bad, path)

    target = _fields_trainer(model_seed=3)
    target.run()
    before = _snapshot(target.state)
    with pytest.raises(mg.CheckpointError, match=r"c\.npz"):
        training_checkpoint.load_training_state(target.state, path)
    assert _snapshot(target.state) == before


def test_a_good_checkpoint_still_loads(tmp_path):
    source = _fields_trainer()
    source.run()
    path = tmp_path / "c.npz"
    training_checkpoint.save_training_state(source.state, path)
    target = _fields_trainer(model_seed=3)
    training_checkpoint.load_training_state(target.state, path)
    assert _snapshot(target.state) == _snapshot(source.state)
