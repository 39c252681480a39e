"""safetensors files: bit-exact round trips, atomic writes and clear errors."""

import os

import numpy as np
import pytest

import minigrad as mg
import minigrad.nn as nn
from minigrad.interop import load_safetensors, save_safetensors

pytest.importorskip("safetensors",
                    reason="safetensors is the interop extra: pip install .[interop]")


def _net():
    net = nn.Sequential(nn.Conv2d(1, 3, 3, rng=0), nn.BatchNorm2d(3), nn.Flatten(),
                        nn.Linear(12, 2, rng=1))
    with mg.no_grad():
        net(np.random.default_rng(0).standard_normal((2, 1, 4, 4)))
    return net


def test_round_trip_is_bit_exact_and_keeps_dtypes(tmp_path):
    sd = _net().state_dict()
    sd["half"] = np.random.default_rng(1).standard_normal((2, 3)).astype(np.float32)
    sd["mask"] = np.array([True, False])
    sd["strided"] = np.arange(12.0).reshape(3, 4).T  # not contiguous
    path = tmp_path / "w.safetensors"
    save_safetensors(sd, path, metadata={"format": "pt"})
    back = load_safetensors(path)
    assert list(back) == sorted(sd) or sorted(back) == sorted(sd)
    for k, v in sd.items():
        assert back[k].dtype == v.dtype and back[k].shape == v.shape, k
        assert back[k].tobytes() == np.ascontiguousarray(v).tobytes(), k
        assert back[k].flags.writeable
    assert back["1.num_batches_tracked"].shape == () and back["1.num_batches_tracked"] == 1


def test_a_module_saves_and_loads_through_safetensors(tmp_path):
    src, dst = _net(), nn.Sequential(nn.Conv2d(1, 3, 3, rng=5), nn.BatchNorm2d(3),
                                     nn.Flatten(), nn.Linear(12, 2, rng=6))
    save_safetensors(src, tmp_path / "m.safetensors")  # a module: its state dict
    dst.load_state_dict(load_safetensors(tmp_path / "m.safetensors"))
    for k, v in src.state_dict().items():
        assert dst.state_dict()[k].tobytes() == v.tobytes()


def test_writes_are_atomic(tmp_path, monkeypatch):
    import safetensors.numpy as stn

    path = tmp_path / "w.safetensors"
    save_safetensors({"a": np.ones(2)}, path)
    before = path.read_bytes()

    def boom(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(stn, "save", boom)
    with pytest.raises(mg.CheckpointError, match=r"cannot encode.*w\.safetensors.*disk on fire"):
        save_safetensors({"a": np.zeros(2)}, path)
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == ["w.safetensors"]  # no temporary file left behind


def test_bad_values_are_refused_naming_the_key(tmp_path):
    path = tmp_path / "w.safetensors"
    with pytest.raises(TypeError, match=r"'names' has dtype <U1"):
        save_safetensors({"names": np.array(["a", "b"])}, path)
    with pytest.raises(TypeError, match=r"'cfg' is a dict"):
        save_safetensors({"cfg": {"a": 1}}, path)
    with pytest.raises(TypeError, match="keys must be str"):
        save_safetensors({1: np.ones(1)}, path)
    with pytest.raises(TypeError, match="metadata"):
        save_safetensors({"a": np.ones(1)}, path, metadata={"n": 1})
    assert not path.exists()


def test_unreadable_files_are_refused_naming_the_file(tmp_path):
    with pytest.raises(FileNotFoundError, match="nope.safetensors"):
        load_safetensors(tmp_path / "nope.safetensors")
    bad = tmp_path / "bad.safetensors"
    bad.write_bytes(b"\x10\x00\x00\x00\x00\x00\x00\x00not json at all!")
    with pytest.raises(mg.CheckpointError, match=r"cannot read '.*bad\.safetensors' as a "):
        load_safetensors(bad)


def test_reachable_from_the_top_namespace():
    assert mg.save_safetensors is save_safetensors
    assert mg.load_safetensors is load_safetensors
    assert mg.interop.to_torch_state_dict.__module__ == "minigrad.interop"
