import gzip
import hashlib
import http.server
import io
import os
import socket
import stat
import sys
import threading
from functools import partial
from pathlib import Path

import numpy as np
import pytest
from gzip_bomb_support import LABELS_HEADER
from gzip_bomb_support import bomb as _bomb
from gzip_bomb_support import peak as _peak

from minigrad.datasets import (
    MNIST_FILES,
    MNIST_SHA256,
    ChecksumError,
    DatasetError,
    IDXError,
    MNISTNotFoundError,
    default_cache_dir,
    encode_idx,
    fetch_mnist,
    load_mnist,
    mnist_data_dir,
    write_idx,
)
from minigrad.datasets import mnist as mnist_mod
from minigrad.datasets import mnist as mnist_module


def _real_data_dir():
    env = os.environ.get("MINIGRAD_DATA")
    candidates = [Path(env), Path(env) / "mnist"] if env else []
    candidates.append(Path(__file__).resolve().parents[2].parent / "shared/data/mnist")
    for d in candidates:
        if all((d / f"{n}.gz").is_file() or (d / n).is_file() for n in MNIST_FILES.values()):
            return d
    return None


REAL_DIR = _real_data_dir()
needs_real = pytest.mark.skipif(
    REAL_DIR is None, reason="MNIST files not found (../shared/data/mnist)"
)
UNREACHABLE = "file:///nonexistent-minigrad-mirror/"
NAMES = list(MNIST_FILES.values())


@pytest.fixture(autouse=True)
def _isolate(monkeypatch, tmp_path):
    """No test may reach the network or the real user cache."""
    monkeypatch.setattr(mnist_module, "MIRRORS", (UNREACHABLE,))
    monkeypatch.delenv("MINIGRAD_DATA", raising=False)
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg-cache"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    for var in ("http_proxy", "https_proxy", "all_proxy", "HTTP_PROXY", "HTTPS_PROXY", "ALL_PROXY"):
        monkeypatch.delenv(var, raising=False)
    monkeypatch.setenv("no_proxy", "*")
    monkeypatch.setenv("NO_PROXY", "*")


def snapshot(root):
    return sorted(
        (str(p.relative_to(root)), p.stat().st_size, p.stat().st_mtime_ns) for p in root.rglob("*")
    )


def forbid_writes(monkeypatch):
    def fail(*args, **kwargs):
        raise AssertionError("the loader tried to write")

    monkeypatch.setattr("minigrad._fileio._open_temp", fail)
    monkeypatch.setattr(mnist_module.os, "replace", fail)
    monkeypatch.setattr(Path, "mkdir", fail)


# --------------------------------------------------------------------------- synthetic data


def fake_arrays(n_train=6, n_test=4, seed=0):
    rng = np.random.default_rng(seed)
    return {
        "train_img": rng.integers(0, 256, (n_train, 28, 28), dtype=np.uint8),
        "train_label": rng.integers(0, 10, n_train, dtype=np.uint8),
        "test_img": rng.integers(0, 256, (n_test, 28, 28), dtype=np.uint8),
        "test_label": rng.integers(0, 10, n_test, dtype=np.uint8),
    }


def pins_for(arrays):
    return {MNIST_FILES[k]: hashlib.sha256(encode_idx(a)).hexdigest() for k, a in arrays.items()}


def write_fake(directory, arrays=None, gz=True, keys=None):
    arrays = fake_arrays() if arrays is None else arrays
    directory.mkdir(parents=True, exist_ok=True)
    for key in keys or MNIST_FILES:
        write_idx(directory / (MNIST_FILES[key] + (".gz" if gz else "")), arrays[key])
    return arrays, pins_for(arrays)


@pytest.fixture
def fake_dir(tmp_path):
    d = tmp_path / "fake"
    arrays, pins = write_fake(d)
    return d, arrays, pins


def test_synthetic_default_shapes_and_values(fake_dir):
    d, arrays, pins = fake_dir
    (x_train, t_train), (x_test, t_test) = load_mnist(data_dir=d, checksums=pins)
    assert x_train.shape == (6, 784) and x_test.shape == (4, 784)
    assert x_train.dtype == np.float64
    np.testing.assert_array_equal(x_train, arrays["train_img"].reshape(6, 784) / 255.0)
    assert t_train.dtype == np.uint8 and t_train.shape == (6,)
    np.testing.assert_array_equal(t_train, arrays["train_label"])
    np.testing.assert_array_equal(t_test, arrays["test_label"])


def test_synthetic_options(fake_dir):
    d, arrays, pins = fake_dir
    (x, t), (xt, tt) = load_mnist(
        normalize=False, flatten=False, one_hot_label=True, data_dir=d, checksums=pins
    )
    assert x.dtype == np.uint8 and x.shape == (6, 1, 28, 28)
    np.testing.assert_array_equal(x[:, 0], arrays["train_img"])
    assert t.shape == (6, 10) and t.dtype == np.float64
    np.testing.assert_array_equal(t.argmax(axis=1), arrays["train_label"])
    np.testing.assert_array_equal(t.sum(axis=1), 1)
    assert xt.shape == (4, 1, 28, 28) and tt.shape == (4, 10)

    (x32, t32), _ = load_mnist(one_hot_label=True, data_dir=d, checksums=pins, dtype=np.float32)
    assert x32.dtype == np.float32 and t32.dtype == np.float32
    np.testing.assert_allclose(x32, arrays["train_img"].reshape(6, -1) / 255.0, rtol=1e-6)


def test_non_float_dtype_rejected(fake_dir):
    d, _, pins = fake_dir
    with pytest.raises(ValueError, match="floating"):
        load_mnist(data_dir=d, checksums=pins, dtype=np.int32)


def test_uncompressed_and_mixed_files(tmp_path):
    d = tmp_path / "raw"
    arrays, pins = write_fake(d, gz=False, keys=["train_img", "test_label"])
    write_fake(d, arrays, gz=True, keys=["train_label", "test_img"])
    (x, t), (xt, tt) = load_mnist(normalize=False, data_dir=d, checksums=pins)
    np.testing.assert_array_equal(x.reshape(-1, 28, 28), arrays["train_img"])
    np.testing.assert_array_equal(tt, arrays["test_label"])
    paths = fetch_mnist(d, download=False)
    assert paths["train_img"].name == "train-images-idx3-ubyte"
    assert paths["test_img"].name == "t10k-images-idx3-ubyte.gz"


def test_env_var_and_mnist_subdirectory(tmp_path, monkeypatch):
    root = tmp_path / "data"
    arrays, pins = write_fake(root / "mnist")
    monkeypatch.setenv("MINIGRAD_DATA", str(root))
    assert mnist_data_dir() == root
    (_, t), _ = load_mnist(checksums=pins, download=False)
    np.testing.assert_array_equal(t, arrays["train_label"])


def test_data_dir_argument_beats_env(tmp_path, monkeypatch):
    a, pins_a = write_fake(tmp_path / "a", fake_arrays(seed=1))
    write_fake(tmp_path / "b", fake_arrays(seed=2))
    monkeypatch.setenv("MINIGRAD_DATA", str(tmp_path / "b"))
    (_, t), _ = load_mnist(data_dir=tmp_path / "a", checksums=pins_a, download=False)
    np.testing.assert_array_equal(t, a["train_label"])


def test_default_cache_dir(tmp_path, monkeypatch):
    assert default_cache_dir() == tmp_path / "xdg-cache" / "minigrad" / "mnist"
    assert mnist_data_dir() == default_cache_dir()
    monkeypatch.delenv("XDG_CACHE_HOME")
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "minigrad" / "mnist"
    monkeypatch.setenv("XDG_CACHE_HOME", "relative/path")
    assert default_cache_dir() == tmp_path / "home" / ".cache" / "minigrad" / "mnist"


def test_cache_dir_is_used(tmp_path):
    arrays, pins = write_fake(default_cache_dir())
    (_, t), _ = load_mnist(checksums=pins, download=False)
    np.testing.assert_array_equal(t, arrays["train_label"])


# --------------------------------------------------------------------------- corrupt data


def test_checksum_mismatch_names_file(fake_dir):
    d, arrays, _ = fake_dir
    with pytest.raises(ChecksumError) as info:
        load_mnist(data_dir=d)  # real pins, fake files
    msg = str(info.value)
    assert str(d / "train-images-idx3-ubyte.gz") in msg
    assert MNIST_SHA256["train-images-idx3-ubyte"] in msg
    assert hashlib.sha256(encode_idx(arrays["train_img"])).hexdigest() in msg
    assert "verify=False" in msg
    (_, t), _ = load_mnist(data_dir=d, verify=False)
    np.testing.assert_array_equal(t, arrays["train_label"])


def test_custom_pin_mismatch(fake_dir):
    d, _, pins = fake_dir
    pins = dict(pins, **{"t10k-labels-idx1-ubyte": "0" * 64})
    with pytest.raises(ChecksumError, match="t10k-labels-idx1-ubyte"):
        load_mnist(data_dir=d, checksums=pins)


def test_wrong_magic_names_file(fake_dir):
    d, _, pins = fake_dir
    path = d / "train-labels-idx1-ubyte.gz"
    data = bytearray(gzip.decompress(path.read_bytes()))
    data[0] = 0x42
    path.write_bytes(gzip.compress(bytes(data)))
    with pytest.raises(IDXError, match="magic") as info:
        load_mnist(data_dir=d, verify=False)
    assert str(path) in str(info.value)


def test_truncated_file(fake_dir):
    d, _, pins = fake_dir
    path = d / "t10k-images-idx3-ubyte.gz"
    path.unlink()
    (d / "t10k-images-idx3-ubyte").write_bytes(encode_idx(fake_arrays()["test_img"])[:-100])
    with pytest.raises(IDXError, match="truncated") as info:
        load_mnist(data_dir=d, verify=False)
    assert "t10k-images-idx3-ubyte" in str(info.value)


def test_corrupt_gzip(fake_dir):
    d, _, pins = fake_dir
    path = d / "train-images-idx3-ubyte.gz"
    path.write_bytes(path.read_bytes()[:-20])
    with pytest.raises(IDXError, match="gzip"):
        load_mnist(data_dir=d, verify=False)


def test_count_mismatch(tmp_path):
    arrays = fake_arrays()
    arrays["train_label"] = arrays["train_label"][:5]
    write_fake(tmp_path, arrays)
    with pytest.raises(DatasetError, match="6 images") as info:
        load_mnist(data_dir=tmp_path, verify=False)
    assert "train-labels-idx1-ubyte.gz holds 5 labels" in str(info.value)


@pytest.mark.parametrize(
    ("key", "value", "pattern"),
    [
        ("train_img", np.zeros((2, 27, 28), np.uint8), r"shape \(N, 28, 28\)"),
        ("test_img", np.zeros((4, 28, 28), np.float32), "float32"),
        ("test_label", np.zeros((4, 1), np.uint8), r"shape \(N,\)"),
        ("train_label", np.full(6, 10, np.uint8), "0..9"),
    ],
)
def test_inconsistent_dims_or_values(tmp_path, key, value, pattern):
    arrays = fake_arrays()
    arrays[key] = value
    write_fake(tmp_path, arrays)
    with pytest.raises(DatasetError, match=pattern) as info:
        load_mnist(data_dir=tmp_path, verify=False)
    assert MNIST_FILES[key] in str(info.value)


# --------------------------------------------------------------------------- read-only data


def test_read_only_directory_is_never_written(fake_dir, monkeypatch):
    d, arrays, pins = fake_dir
    before = snapshot(d.parent)
    os.chmod(d, stat.S_IRUSR | stat.S_IXUSR)
    try:
        with monkeypatch.context() as m:
            forbid_writes(m)
            (x, t), _ = load_mnist(data_dir=d, checksums=pins)
            (x, t), _ = load_mnist(data_dir=d, checksums=pins, normalize=False, flatten=False)
    finally:
        os.chmod(d, stat.S_IRWXU)
    np.testing.assert_array_equal(x[:, 0], arrays["train_img"])
    assert snapshot(d.parent) == before


# --------------------------------------------------------------------------- offline / download


def closed_port():
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_offline_error_message(tmp_path):
    target = tmp_path / "empty"
    port = closed_port()
    mirrors = ["file:///nonexistent-minigrad/", f"http://127.0.0.1:{port}/mnist/"]
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(data_dir=target, mirrors=mirrors, progress=False, verify=False)
    err = info.value
    assert isinstance(err, DatasetError) and isinstance(err, FileNotFoundError)
    msg = str(err)
    for name in NAMES:
        assert name in msg
    assert str(target) in msg and str(target / "mnist") in msg
    assert "file:///nonexistent-minigrad/train-images-idx3-ubyte.gz" in msg
    assert f"http://127.0.0.1:{port}/mnist/train-images-idx3-ubyte.gz" in msg
    assert "URLError" in msg
    assert "data_dir=" in msg and "MINIGRAD_DATA" in msg
    assert "not attempted" in msg
    assert err.missing == NAMES
    assert err.searched == [target, target / "mnist"]
    assert len(err.download_errors["train-images-idx3-ubyte"]) == 2
    assert not target.exists()  # nothing created when nothing could be fetched


def test_offline_error_uses_module_mirrors_and_cache(tmp_path):
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(progress=False)
    msg = str(info.value)
    assert UNREACHABLE in msg
    assert str(default_cache_dir()) in msg and "user cache" in msg


def test_download_disabled(tmp_path):
    calls = []
    write_fake(tmp_path, keys=["train_img", "train_label"])
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(data_dir=tmp_path, download=False, opener=lambda *a: calls.append(a))
    msg = str(info.value)
    assert "download=False" in msg
    assert "t10k-images-idx3-ubyte" in msg and "train-images-idx3-ubyte[" not in msg
    assert calls == []


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    requests: list

    def log_message(self, *args):
        pass

    def do_GET(self):
        self.requests.append(self.path)
        if self.path.startswith("/short/"):  # promises more bytes than it sends
            self.send_response(200)
            self.send_header("Content-Length", "100000")
            self.end_headers()
            self.wfile.write(b"\x1f\x8b" + b"\x00" * 100)
            return
        super().do_GET()


@pytest.fixture
def server(tmp_path):
    root = tmp_path / "www"
    root.mkdir()
    requests = []
    handler = type("Handler", (QuietHandler,), {"requests": requests})
    httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), partial(handler, directory=root))
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}", root, requests
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join()


def test_download_from_local_http_server(server, tmp_path):
    base, root, requests = server
    arrays, pins = write_fake(root / "good")
    target = tmp_path / "cache" / "deep"
    mirrors = [f"{base}/missing/", f"{base}/short/", f"{base}/good"]
    (x, t), (xt, tt) = load_mnist(
        normalize=False, data_dir=target, mirrors=mirrors, checksums=pins, progress=False
    )
    np.testing.assert_array_equal(x.reshape(-1, 28, 28), arrays["train_img"])
    np.testing.assert_array_equal(tt, arrays["test_label"])
    assert sorted(os.listdir(target)) == sorted(f"{n}.gz" for n in NAMES)
    assert all(stat.S_IMODE(p.stat().st_mode) == 0o644 for p in target.iterdir())
    assert requests[:3] == [
        "/missing/train-images-idx3-ubyte.gz",
        "/short/train-images-idx3-ubyte.gz",
        "/good/train-images-idx3-ubyte.gz",
    ]
    # second load: everything present, no request
    n = len(requests)
    load_mnist(data_dir=target, mirrors=mirrors, checksums=pins)
    assert len(requests) == n


def test_download_only_missing_files(server, tmp_path):
    base, root, requests = server
    arrays, pins = write_fake(root)
    target = tmp_path / "partial"
    write_fake(target, arrays, keys=["train_img", "test_img"])
    load_mnist(data_dir=target, mirrors=[base], checksums=pins, progress=False)
    assert sorted(requests) == ["/t10k-labels-idx1-ubyte.gz", "/train-labels-idx1-ubyte.gz"]


def test_download_checksum_mismatch_tries_next_mirror(server, tmp_path):
    base, root, requests = server
    write_fake(root / "bad", fake_arrays(seed=7))
    arrays, pins = write_fake(root / "good")
    target = tmp_path / "t"
    load_mnist(data_dir=target, mirrors=[f"{base}/bad/", f"{base}/good/"], checksums=pins)
    assert sorted(os.listdir(target)) == sorted(f"{n}.gz" for n in NAMES)


def test_failed_download_leaves_no_partial_files(server, tmp_path):
    base, root, requests = server
    write_fake(root / "bad", fake_arrays(seed=7))
    _, pins = write_fake(tmp_path / "unused")
    target = tmp_path / "t"
    with pytest.raises(MNISTNotFoundError) as info:
        load_mnist(data_dir=target, mirrors=[f"{base}/bad/", f"{base}/short/"], checksums=pins)
    msg = str(info.value)
    assert "ChecksumError" in msg and "incomplete download" in msg
    assert os.listdir(target) == []


def test_download_verified_against_real_pins(server, tmp_path):
    base, root, _ = server
    write_fake(root)
    target = tmp_path / "t"
    with pytest.raises(MNISTNotFoundError, match="ChecksumError"):
        fetch_mnist(target, mirrors=[base], progress=False)
    assert os.listdir(target) == []


def test_uncompressed_download_is_stored_without_gz(server, tmp_path):
    base, root, _ = server
    arrays = fake_arrays()
    for key, name in MNIST_FILES.items():  # served under the .gz names but not compressed
        write_idx(root / f"{name}.gz", arrays[key], compress=False)
    target = tmp_path / "t"
    paths = fetch_mnist(target, mirrors=[base], checksums=pins_for(arrays), progress=False)
    assert {p.name for p in paths.values()} == set(NAMES)


class FakeResponse:
    def __init__(self, payload, fail_after, exc):
        self.payload, self.fail_after, self.exc = payload, fail_after, exc
        self.pos = 0
        self.closed = False
        self.headers = {"Content-Length": str(len(payload))}

    def read(self, n):
        if self.pos >= self.fail_after:
            raise self.exc
        chunk = self.payload[self.pos : self.pos + min(n, 1000)]
        self.pos += len(chunk)
        return chunk

    def close(self):
        self.closed = True


@pytest.mark.parametrize("exc", [KeyboardInterrupt(), ConnectionResetError("reset by peer")])
def test_interrupted_download_leaves_no_partial_files(tmp_path, exc):
    arrays = fake_arrays()
    pins = pins_for(arrays)
    blobs = {MNIST_FILES[k]: gzip.compress(encode_idx(a)) for k, a in arrays.items()}
    responses = []

    def opener(url, timeout):
        name = url.rsplit("/", 1)[1][: -len(".gz")]
        fail_after = 1 if name == "train-labels-idx1-ubyte" else 10**9
        responses.append(FakeResponse(blobs[name], fail_after, exc))
        return responses[-1]

    target = tmp_path / "t"
    expected = KeyboardInterrupt if isinstance(exc, KeyboardInterrupt) else MNISTNotFoundError
    with pytest.raises(expected):
        load_mnist(data_dir=target, mirrors=["mirror://a/"], opener=opener, checksums=pins)
    # the first file was completed and kept; nothing partial remains
    assert os.listdir(target) == ["train-images-idx3-ubyte.gz"]
    assert all(r.closed for r in responses)


def test_progress_fallback_without_tqdm(server, tmp_path, monkeypatch, capsys):
    base, root, _ = server
    _, pins = write_fake(root)
    monkeypatch.setitem(sys.modules, "tqdm", None)  # import fails
    fetch_mnist(tmp_path / "t", mirrors=[base], checksums=pins, progress=True)
    err = capsys.readouterr().err
    assert "Downloading train-images-idx3-ubyte.gz" in err and "100%" in err


# --------------------------------------------------------------------------- real MNIST


@pytest.fixture(scope="module")
def real_default():
    with pytest.MonkeyPatch.context() as m:
        forbid_writes(m)
        return load_mnist(data_dir=REAL_DIR, download=False)


@needs_real
def test_real_default(real_default):
    (x_train, t_train), (x_test, t_test) = real_default
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float64 and x_test.dtype == np.float64
    assert t_train.shape == (60000,) and t_test.shape == (10000,)
    assert t_train.dtype == np.uint8
    assert t_train[:10].tolist() == [5, 0, 4, 1, 9, 2, 1, 3, 1, 4]
    assert t_test[:10].tolist() == [7, 2, 1, 0, 4, 1, 4, 9, 5, 9]
    assert x_train.min() == 0.0 and x_train.max() == 1.0
    assert 0.12 < x_train.mean() < 0.14
    assert np.bincount(t_train, minlength=10).tolist()[:2] == [5923, 6742]


@needs_real
def test_real_options(real_default):
    (x, t), (xt, tt) = load_mnist(
        normalize=False,
        flatten=False,
        one_hot_label=True,
        data_dir=REAL_DIR,
        download=False,
        verify=False,
    )
    assert x.shape == (60000, 1, 28, 28) and x.dtype == np.uint8
    assert xt.shape == (10000, 1, 28, 28)
    assert x.max() == 255 and x.min() == 0
    assert t.shape == (60000, 10) and t.dtype == np.float64 and tt.shape == (10000, 10)
    np.testing.assert_array_equal(t.argmax(1), real_default[0][1])
    np.testing.assert_array_equal(tt.argmax(1), real_default[1][1])
    np.testing.assert_array_equal(x.reshape(60000, 784) / 255.0, real_default[0][0])


# -- hostile mirrors: gzip bombs, trickling and dropped connections ---------------------------


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
