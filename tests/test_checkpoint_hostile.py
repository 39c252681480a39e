"""Damaged and hostile checkpoints: only CheckpointError escapes, and memory stays bounded."""

from __future__ import annotations

import io
import json
import tracemalloc
import zipfile

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad.serialization import MAX_DEPTH, CheckpointError


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
