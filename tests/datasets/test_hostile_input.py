"""Hostile IDX data and slow mirrors: bounded memory, bounded time, only documented errors."""

from __future__ import annotations

import gzip
import io
import os
import tracemalloc
import zlib

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.datasets import mnist as mnist_mod
from minigrad.datasets.idx import IDXError, encode_idx, idx_size, read_idx
from minigrad.datasets.mnist import MNIST_FILES, MNISTNotFoundError, fetch_mnist

BOMB_MIB = 64


def _bomb(header: bytes, mib: int = BOMB_MIB) -> bytes:
    """Gzip of ``header`` followed by ``mib`` MiB of zeros, built without holding them."""
    c = zlib.compressobj(9, zlib.DEFLATED, 16 + zlib.MAX_WBITS)
    out = [c.compress(header)]
    zeros = bytes(1 << 20)
    for _ in range(mib):
        out.append(c.compress(zeros))
    out.append(c.flush())
    return b"".join(out)


LABELS_HEADER = encode_idx(np.zeros(10, dtype=np.uint8))  # declares 10 bytes of labels


def _peak(fn) -> int:
    tracemalloc.start()
    try:
        fn()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak


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


def test_downloaded_gzip_bomb_is_refused_and_not_kept(tmp_path):
    bomb = _bomb(LABELS_HEADER)

    def opener(url, timeout):
        return io.BytesIO(bomb)

    def fetch():
        with pytest.raises(MNISTNotFoundError) as info:
            fetch_mnist(tmp_path, mirrors=["mirror://a/"], opener=opener, checksums={},
                        progress=False, attempts=1)
        assert "more bytes than its IDX header declares (18)" in str(info.value)

    assert _peak(fetch) < 4 * 2**20
    assert os.listdir(tmp_path) == []


class _Trickle:
    """A response that sends one byte per read, forever."""

    headers: dict = {}

    def __init__(self):
        self.reads = 0

    def read(self, n):
        self.reads += 1
        return b"\x00"

    def close(self):
        pass


def test_trickling_mirror_is_bounded_by_the_total_time(tmp_path, monkeypatch):
    clock = [1000.0]

    def monotonic():
        clock[0] += 0.5  # every look at the clock: half a second has passed
        return clock[0]

    monkeypatch.setattr(mnist_mod.time, "monotonic", monotonic)
    responses = []

    def opener(url, timeout):
        assert timeout <= 30
        responses.append(_Trickle())
        return responses[-1]

    with pytest.raises(MNISTNotFoundError) as info:
        fetch_mnist(tmp_path, mirrors=["mirror://a/", "mirror://b/"], opener=opener,
                    checksums={}, progress=False, total_timeout=100)
    msg = str(info.value)
    assert "time limit" in msg
    assert sum(r.reads for r in responses) < 1000
    assert os.listdir(tmp_path) == []


def test_dropped_connection_is_retried(tmp_path):
    arrays = {k: np.zeros((2, 28, 28) if "img" in k else 2, dtype=np.uint8)
              for k in MNIST_FILES}
    blobs = {MNIST_FILES[k]: gzip.compress(encode_idx(a)) for k, a in arrays.items()}
    calls = []

    class Dropping(io.BytesIO):
        def read(self, n=-1):
            raise ConnectionResetError("reset by peer")

    def opener(url, timeout):
        name = url.rsplit("/", 1)[1][: -len(".gz")]
        calls.append(name)
        if calls.count(name) == 1:
            return Dropping()
        return io.BytesIO(blobs[name])

    paths = fetch_mnist(tmp_path, mirrors=["mirror://a/"], opener=opener, checksums={},
                        progress=False)
    assert sorted(paths) == sorted(MNIST_FILES)
    assert len(calls) == 8  # each file: one dropped try, one good one


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
