import gzip
import os
import struct

import numpy as np
import pytest
from gzip_bomb_support import BOMB_MIB, LABELS_HEADER
from gzip_bomb_support import bomb as _bomb
from gzip_bomb_support import peak as _peak
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

from minigrad.datasets import (
    IDX_TYPE_CODES,
    DatasetError,
    IDXError,
    decode_idx,
    encode_idx,
    read_idx,
    read_idx_bytes,
    write_idx,
)
from minigrad.datasets import idx as idx_module
from minigrad.datasets.idx import idx_size

DTYPES = ["uint8", "int8", "int16", "int32", "float32", "float64"]


def header(code, dims):
    return bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims)


def test_mnist_style_header_layout():
    images = np.arange(2 * 28 * 28, dtype=np.uint8).reshape(2, 28, 28)
    data = encode_idx(images)
    assert data[:4] == b"\x00\x00\x08\x03"
    assert struct.unpack(">III", data[4:16]) == (2, 28, 28)
    assert data[16:] == images.tobytes()
    labels = encode_idx(np.array([5, 0, 4], dtype=np.uint8))
    assert labels[:8] == b"\x00\x00\x08\x01\x00\x00\x00\x03"


@pytest.mark.parametrize("dtype", DTYPES)
@pytest.mark.parametrize("suffix", ["", ".gz"])
def test_write_read_roundtrip_file(tmp_path, dtype, suffix):
    arr = (np.arange(24) - 7).astype(dtype).reshape(2, 3, 4)
    path = tmp_path / f"data-idx3{suffix}"
    assert write_idx(path, arr) == path
    raw = path.read_bytes()
    assert (raw[:2] == b"\x1f\x8b") == (suffix == ".gz")
    for source in (path, str(path)):
        out = read_idx(source)
        assert out.dtype == np.dtype(dtype)
        assert out.dtype.isnative
        np.testing.assert_array_equal(out, arr)
        assert out.flags.writeable and out.flags.owndata
    assert os.listdir(tmp_path) == [path.name]


def test_big_endian_on_disk():
    data = encode_idx(np.array([1, 256], dtype="<i4"))
    assert data[2] == 0x0C
    assert data[8:] == b"\x00\x00\x00\x01\x00\x00\x01\x00"
    np.testing.assert_array_equal(read_idx(data), [1, 256])


def test_read_bytes_like_and_gzip_content_detection(tmp_path):
    arr = np.arange(10, dtype=np.float64).reshape(5, 2)
    data = encode_idx(arr)
    for source in (data, bytearray(data), memoryview(data), gzip.compress(data)):
        np.testing.assert_array_equal(read_idx(source), arr)
    # gzip detected from the content, not the name
    path = tmp_path / "plain-name"
    path.write_bytes(gzip.compress(data))
    assert read_idx_bytes(path) == data
    np.testing.assert_array_equal(read_idx(path), arr)


def test_compress_flag_overrides_suffix(tmp_path):
    path = write_idx(tmp_path / "x.gz", np.zeros(3, np.uint8), compress=False)
    assert path.read_bytes()[:4] == b"\x00\x00\x08\x01"


def test_empty_dimension():
    out = read_idx(header(0x08, (0, 28, 28)))
    assert out.shape == (0, 28, 28)


def test_wrong_magic():
    data = b"\x12\x34" + encode_idx(np.zeros(4, np.uint8))[2:]
    with pytest.raises(IDXError, match="magic"):
        read_idx(data, name="some-file")
    with pytest.raises(IDXError, match="some-file"):
        read_idx(data, name="some-file")


def test_unknown_type_code():
    with pytest.raises(IDXError, match="type code 0x0A"):
        read_idx(header(0x0A, (1,)) + b"\x00")


@pytest.mark.parametrize("ndim", [0, 33, 255])
def test_bad_ndim(ndim):
    with pytest.raises(IDXError, match="dimensions"):
        read_idx(bytes([0, 0, 8, ndim]) + b"\x00" * 4 * ndim)


def test_truncated_header():
    with pytest.raises(IDXError, match="too short"):
        read_idx(b"\x00\x00")
    with pytest.raises(IDXError, match="truncated header"):
        read_idx(header(0x08, (60000, 28, 28))[:10])


def test_truncated_data_names_file_and_sizes(tmp_path):
    path = tmp_path / "train-images-idx3-ubyte"
    write_idx(path, np.zeros((3, 28, 28), np.uint8))
    path.write_bytes(path.read_bytes()[:-5])
    with pytest.raises(IDXError) as info:
        read_idx(path)
    msg = str(info.value)
    assert str(path) in msg and "truncated" in msg
    assert "2352" in msg and "2347" in msg


def test_trailing_bytes():
    with pytest.raises(IDXError, match="trailing"):
        read_idx(encode_idx(np.zeros(3, np.uint8)) + b"\x00")


def test_huge_claimed_dims_fail_before_allocation():
    data = header(0x0E, (2**32 - 1,) * 8) + b"\x00" * 64
    with pytest.raises(IDXError, match="truncated"):
        read_idx(data)


def test_truncated_gzip(tmp_path):
    blob = gzip.compress(encode_idx(np.arange(1000, dtype=np.int32)))
    path = tmp_path / "x.gz"
    path.write_bytes(blob[: len(blob) // 2])
    with pytest.raises(IDXError, match="gzip"):
        read_idx(path)


def test_errors_are_dataset_errors():
    assert issubclass(IDXError, DatasetError)
    assert issubclass(DatasetError, Exception)


def test_missing_file_raises_oserror(tmp_path):
    with pytest.raises(FileNotFoundError):
        read_idx(tmp_path / "nope")


def test_read_idx_rejects_other_types():
    with pytest.raises(TypeError):
        read_idx(123)


@pytest.mark.parametrize(
    "arr",
    [np.zeros(3, np.uint64), np.zeros(3, np.complex64), np.zeros(3, bool), np.array(5, np.uint8)],
)
def test_encode_rejects_unsupported(arr):
    with pytest.raises(ValueError):
        encode_idx(arr)


def test_write_is_atomic_on_failure(tmp_path, monkeypatch):
    path = tmp_path / "labels-idx1-ubyte"
    write_idx(path, np.array([1, 2, 3], np.uint8))
    before = path.read_bytes()

    def boom(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(idx_module.os, "replace", boom)
    with pytest.raises(KeyboardInterrupt):
        write_idx(path, np.array([9, 9], np.uint8))
    assert path.read_bytes() == before
    assert os.listdir(tmp_path) == [path.name]


def test_type_code_table():
    assert {c: d.newbyteorder("=").name for c, d in IDX_TYPE_CODES.items()} == {
        0x08: "uint8",
        0x09: "int8",
        0x0B: "int16",
        0x0C: "int32",
        0x0D: "float32",
        0x0E: "float64",
    }


@settings(max_examples=60, deadline=None)
@given(
    arr=hnp.arrays(
        dtype=st.sampled_from(DTYPES),
        shape=hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=5),
    )
)
def test_roundtrip_property(arr):
    out = decode_idx(encode_idx(arr))
    assert out.shape == arr.shape and out.dtype == arr.dtype
    np.testing.assert_array_equal(out, arr)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.binary(max_size=200))
def test_fuzz_random_bytes_only_idx_error(data):
    try:
        out = read_idx(data)
    except IDXError:
        return
    assert isinstance(out, np.ndarray)


@settings(max_examples=300, deadline=None)
@given(
    code=st.sampled_from(sorted(IDX_TYPE_CODES) + [0x00, 0x07, 0x0A, 0xFF]),
    dims=st.lists(st.integers(0, 2**32 - 1), min_size=0, max_size=40),
    payload=st.binary(max_size=64),
    gz=st.booleans(),
)
def test_fuzz_headers_claiming_any_dims(code, dims, payload, gz):
    data = bytes([0, 0, code, len(dims)]) + b"".join(struct.pack(">I", d) for d in dims) + payload
    if gz:
        data = gzip.compress(data)
    try:
        out = read_idx(data)
    except IDXError:
        return
    assert out.shape == tuple(dims)


@settings(max_examples=100, deadline=None)
@given(data=st.data())
def test_fuzz_mutated_valid_file(data):
    blob = bytearray(encode_idx(np.arange(60, dtype=np.int16).reshape(3, 4, 5)))
    cut = data.draw(st.integers(0, len(blob)))
    flips = data.draw(st.lists(st.tuples(st.integers(0, len(blob) - 1), st.integers(0, 255))))
    for pos, val in flips:
        blob[pos] = val
    try:
        out = read_idx(bytes(blob[:cut]))
    except IDXError:
        return
    assert isinstance(out, np.ndarray)
    assert 4 + 4 * out.ndim + out.nbytes <= cut  # every element read came from the bytes


def test_empty_array_with_unrepresentable_dims():
    with pytest.raises(IDXError, match="too large"):
        read_idx(header(0x08, (0, 2**32 - 1, 2**32 - 1, 2**32 - 1)))


# -- hostile data: gzip bombs and fuzzing, with bounded memory --------------------------------


def test_gzip_bomb_in_bytes_is_rejected_with_bounded_memory():
    bomb = _bomb(LABELS_HEADER)
    assert len(bomb) < BOMB_MIB * 2**20 // 500

    def read():
        with pytest.raises(IDXError, match="trailing bytes"):
            read_idx(bomb, name="labels.gz")

    assert _peak(read) < 2**20


def test_gzip_bomb_file_is_rejected_with_bounded_memory(tmp_path):
    path = tmp_path / "train-labels-idx1-ubyte.gz"
    path.write_bytes(_bomb(LABELS_HEADER))

    def read():
        with pytest.raises(IDXError, match=r"train-labels.*trailing bytes"):
            read_idx(path)

    assert _peak(read) < 2**20


def test_gzip_without_idx_header_stops_early():
    bomb = _bomb(b"\x1f\x1f\x1f\x1f")

    def read():
        with pytest.raises(IDXError, match="magic"):
            read_idx(bomb)

    assert _peak(read) < 2**20


def test_bounded_gunzip_still_reads_good_and_multi_member_files():
    a = np.arange(3000, dtype=np.int32).reshape(30, 100)
    raw = encode_idx(a)
    np.testing.assert_array_equal(read_idx(gzip.compress(raw)), a)
    two = gzip.compress(raw[:50]) + gzip.compress(raw[50:])
    np.testing.assert_array_equal(read_idx(two), a)
    with pytest.raises(IDXError, match="gzip"):
        read_idx(gzip.compress(raw)[:-12])  # truncated stream


def test_idx_size():
    raw = encode_idx(np.zeros((2, 3), dtype=np.float32))
    assert idx_size(raw[:4]) is None
    assert idx_size(raw[:12]) == len(raw)
    assert idx_size(b"\x01\x00\x08\x01") == 4


# -- fuzzing -------------------------------------------------------------------------------

_dims = st.lists(st.sampled_from([0, 1, 2, 7, 255, 2**16, 2**31, 2**32 - 1]), min_size=0,
                 max_size=6)


@st.composite
def _hostile_idx(draw):
    code = draw(st.sampled_from([0x08, 0x09, 0x0B, 0x0C, 0x0D, 0x0E, 0x00, 0xFF]))
    dims = draw(_dims)
    ndim = draw(st.sampled_from([len(dims), len(dims) + 1, 0, 33, 255]))
    zeros = draw(st.sampled_from([b"\0\0", b"\0\1", b"\x1f\x8b"]))
    head = zeros + bytes([code, ndim % 256]) + b"".join(d.to_bytes(4, "big") for d in dims)
    body = draw(st.binary(max_size=64))
    if draw(st.booleans()):
        body += bytes(draw(st.integers(0, 2**16)))
    data = head + body
    if draw(st.booleans()):
        data = gzip.compress(data, compresslevel=1)
        if draw(st.booleans()):
            data = data[: draw(st.integers(0, len(data)))]
    return data


@settings(max_examples=300, deadline=None)
@given(data=st.binary(max_size=2048) | _hostile_idx())
def test_fuzz_idx_reader_raises_only_idx_error_with_bounded_memory(data):
    def read():
        try:
            a = read_idx(data, name="fuzz")
        except IDXError as e:
            assert "fuzz" in str(e)
        else:
            assert a.nbytes <= len(data)

    assert _peak(read) < 8 * 2**20
