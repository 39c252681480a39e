"""The book's pickled weights (params.pkl, deep_convnet_params.pkl) load; hostile pickles do not.

The pickles are made here in the book's layout (a dict of name -> ndarray, as its
``save_params`` writes with ``pickle.dump``); the hostile ones name globals that would run
code when unpickled, and must be refused before anything runs.
"""

from __future__ import annotations

import copyreg
import os
import pickle
import subprocess

import numpy as np
import pytest

from minigrad.book.deep_convnet import DeepConvNet
from minigrad.book.simple_convnet import SimpleConvNet
from minigrad.book.weights import load_pickle, save_pickle
from minigrad.serialization import CheckpointError

SMALL = {"input_dim": (1, 8, 8), "conv_param": {"filter_num": 3, "filter_size": 3, "pad": 0,
                                                  "stride": 1},
         "hidden_size": 5, "output_size": 4}


def book_layout(net, rng, dtype=np.float64):
    """New values for every parameter, as the book's ``params.pkl`` holds them."""
    return {k: rng.standard_normal(p.shape).astype(dtype) for k, p in net.params.items()}


def dump(obj, path, protocol=pickle.DEFAULT_PROTOCOL):
    with open(path, "wb") as fh:
        pickle.dump(obj, fh, protocol=protocol)
    return path


@pytest.mark.parametrize("protocol", [2, 3, 4, 5])
def test_book_params_pkl_loads_into_simple_convnet(tmp_path, rng, protocol):
    net = SimpleConvNet(**SMALL, seed=0)
    weights = book_layout(net, rng)
    net.load_params(dump(weights, tmp_path / "params.pkl", protocol))
    for k, p in net.params.items():
        np.testing.assert_array_equal(p.data, weights[k])
    # the layers share the parameters: the loaded filters are the ones applied
    assert net.layers["Conv1"].W is net.params["W1"]
    x = rng.random((2, 1, 8, 8))
    h = np.maximum(net.layers["Conv1"].forward(x).data, 0)
    assert h.shape == (2, 3, 6, 6)


def test_book_deep_convnet_params_load_whatever_the_file_name(tmp_path, rng):
    net = DeepConvNet(seed=0)
    weights = book_layout(net, rng, np.float32)
    path = dump(weights, tmp_path / "deep_convnet_params.weights")  # the content decides
    net.load_params(path)
    for k, p in net.params.items():
        assert p.dtype == np.float64
        np.testing.assert_array_equal(p.data, weights[k].astype(np.float64))


def test_numpy_1_module_names_and_protocol_0_load(tmp_path):
    arrays = {"W1": np.arange(6.0).reshape(2, 3), "n": np.int64(3), "f": 2.5}
    old = pickle.dumps(arrays, protocol=2).replace(b"numpy._core.", b"numpy.core.")
    assert b"numpy.core.multiarray" in old
    (tmp_path / "old.pkl").write_bytes(old)
    loaded = load_pickle(tmp_path / "old.pkl")
    np.testing.assert_array_equal(loaded["W1"], arrays["W1"])
    assert loaded["n"] == 3 and type(loaded["n"]) is np.int64 and loaded["f"] == 2.5
    (tmp_path / "p0.pkl").write_bytes(pickle.dumps({"a": [1, (2.0, "x")], "b": None}, 0))
    assert load_pickle(tmp_path / "p0.pkl") == {"a": [1, (2.0, "x")], "b": None}


class Evil:
    """Unpickling this runs a shell command (the classic hostile pickle)."""

    def __init__(self, command):
        self.command = command

    def __reduce__(self):
        return (os.system, (self.command,))


class EvalEvil:
    def __reduce__(self):
        return (eval, ("__import__('pathlib').Path('MARKER').touch()",))


def hostile_pickles(marker):
    touch = f"touch {marker}"
    yield "os.system", pickle.dumps({"W1": np.ones(2), "b1": Evil(touch)}), \
        f"{os.system.__module__}.system"
    yield "eval", pickle.dumps(EvalEvil()), "builtins.eval"
    yield "subprocess", pickle.dumps(subprocess.Popen), "subprocess.Popen"
    yield "a class of the test", pickle.dumps(Evil(touch)), f"{os.system.__module__}.system"
    yield "protocol 0 by hand", f"cos\nsystem\n(V{touch}\ntR.".encode(), "os.system"
    yield "STACK_GLOBAL of exec", (
        b"\x80\x04\x8c\x08builtins\x8c\x04exec\x93\x8c\x0fprint('pwned')\x85R."), \
        "builtins.exec"
    yield "codecs beyond latin-1", (
        b"\x80\x02c_codecs\nencode\nX\x03\x00\x00\x00abcX\x04\x00\x00\x00zlib\x86R."), \
        "not a readable pickle"


@pytest.mark.parametrize("case", range(7))
def test_hostile_pickles_are_refused_without_running(tmp_path, case, monkeypatch):
    monkeypatch.chdir(tmp_path)
    marker = tmp_path / "MARKER"
    name, data, named = list(hostile_pickles(marker))[case]
    path = tmp_path / "params.pkl"
    path.write_bytes(data)
    with pytest.raises(CheckpointError, match="params.pkl") as info:
        load_pickle(path)
    assert named in str(info.value), name
    net = SimpleConvNet(**SMALL, seed=0)
    before = {k: p.data.copy() for k, p in net.params.items()}
    with pytest.raises(CheckpointError):
        net.load_params(path)
    assert not marker.exists(), f"{name}: the pickle ran code"
    for k, p in net.params.items():
        np.testing.assert_array_equal(p.data, before[k])


def test_the_hostile_pickle_would_run_code_with_plain_pickle(tmp_path, monkeypatch):
    """The check above means something: plain pickle.load does run it."""
    monkeypatch.chdir(tmp_path)
    pickle.loads(pickle.dumps(EvalEvil()))  # noqa: S301 - the point of the test
    assert (tmp_path / "MARKER").exists()


def test_an_extension_code_is_filtered_too(tmp_path):
    data = b"\x80\x02\x82\xf1)R."  # EXT1 241, then call it with ()
    copyreg.add_extension("os", "getcwd", 241)
    try:
        (tmp_path / "ext.pkl").write_bytes(data)
        with pytest.raises(CheckpointError, match="os.getcwd"):
            load_pickle(tmp_path / "ext.pkl")
    finally:
        copyreg.remove_extension("os", "getcwd", 241)


def test_object_arrays_and_wrong_layouts_are_refused(tmp_path):
    path = dump({"W1": np.array([1, "a"], dtype=object)}, tmp_path / "obj.pkl")
    with pytest.raises(CheckpointError, match="array of Python objects"):
        load_pickle(path)
    net = SimpleConvNet(**SMALL, seed=0)
    with pytest.raises(CheckpointError, match="dict of name -> ndarray"):
        net.load_params(dump([np.ones(2)], tmp_path / "list.pkl"))
    weights = {k: np.zeros(p.shape) for k, p in net.params.items()}
    del weights["b3"]
    with pytest.raises(CheckpointError, match="do not match"):
        net.load_params(dump(weights, tmp_path / "missing.pkl"))
    weights["b3"] = np.zeros(7)
    with pytest.raises(CheckpointError, match="b3 has shape"):
        net.load_params(dump(weights, tmp_path / "shape.pkl"))
    good = pickle.dumps({k: np.zeros(p.shape) for k, p in net.params.items()})
    (tmp_path / "cut.pkl").write_bytes(good[: len(good) // 2])
    with pytest.raises(CheckpointError, match="not a readable pickle"):
        net.load_params(tmp_path / "cut.pkl")


def test_save_pickle_refuses_what_it_could_not_read_back(tmp_path):
    import minigrad as mg

    with pytest.raises(CheckpointError, match="is a Tensor"):
        save_pickle({"W": mg.tensor([1.0])}, tmp_path / "t.pkl")
    assert not (tmp_path / "t.pkl").exists()


@pytest.mark.parametrize("suffix", [".pkl", ".pickle", ".PKL"])
def test_save_params_pkl_writes_the_books_pickle(tmp_path, rng, suffix):
    net = SimpleConvNet(**SMALL, seed=0)
    for p in net.params.values():
        p.data[...] = rng.standard_normal(p.shape)
    path = tmp_path / f"params{suffix}"
    net.save_params(path)
    assert path.read_bytes()[:1] == b"\x80"  # a pickle, not an npz under a .pkl name
    with open(path, "rb") as fh:
        plain = pickle.load(fh)  # noqa: S301 - what the book's load_params does
    assert type(plain) is dict and list(plain) == list(net.params)
    for k, p in net.params.items():
        assert type(plain[k]) is np.ndarray and plain[k] is not p.data
        np.testing.assert_array_equal(plain[k], p.data)
    # and back into a fresh network, safely
    other = SimpleConvNet(**SMALL, seed=1)
    other.load_params(path)
    for k, p in net.params.items():
        np.testing.assert_array_equal(other.params[k].data, p.data)


def test_save_params_other_names_stay_a_minigrad_checkpoint(tmp_path):
    import zipfile

    net = SimpleConvNet(**SMALL, seed=0)
    net.save_params(tmp_path / "params.npz")
    net.save_params(tmp_path / "params.bin")
    for name in ("params.npz", "params.bin"):
        assert zipfile.is_zipfile(tmp_path / name)
        other = SimpleConvNet(**SMALL, seed=1)
        other.load_params(tmp_path / name)
        np.testing.assert_array_equal(other.params["W1"].data, net.params["W1"].data)
