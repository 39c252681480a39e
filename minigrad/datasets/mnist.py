"""MNIST loader with the interface of ``dataset/mnist.py`` from *Deep Learning from Scratch*.

:func:`load_mnist` returns ``(x_train, t_train), (x_test, t_test)`` with the
book's shapes. The four standard IDX files are looked up in one directory,
chosen in this order:

1. the ``data_dir`` argument,
2. the ``MINIGRAD_DATA`` environment variable,
3. the user cache, ``$XDG_CACHE_HOME/minigrad/mnist`` or ``~/.cache/minigrad/mnist``.

For the first two, the ``mnist`` sub-directory is searched too, so
``MINIGRAD_DATA`` may point either at the MNIST files or at a data root holding
an ``mnist`` folder. Files may be gzip-compressed (``*.gz``) or not.

Missing files are downloaded (unless ``download=False``) into the chosen
directory from :data:`MIRRORS`, verified against :data:`MNIST_SHA256` and moved
into place atomically. Nothing else is ever written: a read-only directory that
already holds the four files works. Existing files are verified against the
same SHA-256 pins on every load (``verify=True``, about 0.1 s).

This module finds and fetches the files (:func:`fetch_mnist`); turning them
into arrays is :func:`minigrad.datasets.mnist_arrays.read_mnist_files`, and
:func:`load_mnist` does both.
"""

from __future__ import annotations

import gzip
import hashlib
import http.client
import os
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from types import MappingProxyType
from typing import Any, Protocol

import numpy as np
import numpy.typing as npt

from minigrad._fileio import PathLike, atomic_write

from .errors import ChecksumError, DatasetError, MNISTNotFoundError
from .idx import idx_size
from .mnist_arrays import read_mnist_files

# moved to mnist_arrays with the parsing; still importable from here
from .mnist_arrays import IMAGE_SHAPE as IMAGE_SHAPE  # isort: skip
from .mnist_arrays import NUM_CLASSES as NUM_CLASSES  # isort: skip
from .mnist_arrays import _check_split as _check_split  # isort: skip
from .mnist_arrays import _images as _images  # isort: skip
from .mnist_arrays import _one_hot as _one_hot  # isort: skip
from .mnist_arrays import _read_verified as _read_verified  # isort: skip

__all__ = [
    "ChecksumError",
    "ENV_VAR",
    "MIRRORS",
    "MNISTNotFoundError",
    "MNIST_FILES",
    "MNIST_SHA256",
    "default_cache_dir",
    "fetch_mnist",
    "load_mnist",
    "mnist_data_dir",
]

#: Book key -> standard file name (without ``.gz``).
MNIST_FILES: Mapping[str, str] = MappingProxyType(
    {
        "train_img": "train-images-idx3-ubyte",
        "train_label": "train-labels-idx1-ubyte",
        "test_img": "t10k-images-idx3-ubyte",
        "test_label": "t10k-labels-idx1-ubyte",
    }
)

#: SHA-256 of each *uncompressed* file of the original distribution. Hashing the
#: decompressed bytes makes the pins independent of how a mirror gzipped the files.
MNIST_SHA256: Mapping[str, str] = MappingProxyType(
    {
        "train-images-idx3-ubyte": (
            "ba891046e6505d7aadcbbe25680a0738ad16aec93bde7f9b65e87a2fc25776db"
        ),
        "train-labels-idx1-ubyte": (
            "65a50cbbf4e906d70832878ad85ccda5333a97f0f4c3dd2ef09a8a9eef7101c5"
        ),
        "t10k-images-idx3-ubyte": (
            "0fa7898d509279e482958e8ce81c8e77db3f2f8254e26661ceb7762c4d494ce7"
        ),
        "t10k-labels-idx1-ubyte": (
            "ff7bcfd416de33731a308c3f266cc351222c34898ecbeaf847f06e48f7ec33f2"
        ),
    }
)

#: Base URLs tried in order; each serves the four files as ``<name>.gz``.
MIRRORS: tuple[str, ...] = (
    "https://ossci-datasets.s3.amazonaws.com/mnist/",
    "https://storage.googleapis.com/cvdf-datasets/mnist/",
)

#: Environment variable naming the directory that holds the MNIST files.
ENV_VAR = "MINIGRAD_DATA"

DOWNLOAD_TIMEOUT = 30.0
#: Seconds the downloads of one :func:`fetch_mnist` call may take in all.
DOWNLOAD_TOTAL_TIMEOUT = 600.0
#: Attempts per mirror and file (a dropped connection is retried, from the start).
DOWNLOAD_ATTEMPTS = 2

#: ``opener(url, timeout)`` returns a binary response with ``read(n)``; it may
#: also have ``headers`` (for ``Content-Length``) and ``close()``.
Opener = Callable[[str, float], Any]

_CHUNK = 1 << 16
# Refuse to store or decompress more than this from a mirror (the largest
# MNIST file is 47 MB uncompressed).
_MAX_BYTES = 256 << 20


class _Readable(Protocol):
    def read(self, size: int = ..., /) -> bytes: ...


def default_cache_dir() -> Path:
    """Return the user cache directory for MNIST.

    Returns
    -------
    pathlib.Path
        ``$XDG_CACHE_HOME/minigrad/mnist`` when ``XDG_CACHE_HOME`` is set to an
        absolute path, else ``~/.cache/minigrad/mnist``. It is not created.
    """
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    return base / "minigrad" / "mnist"


def _search_dirs(data_dir: PathLike | None) -> list[tuple[Path, str]]:
    """Directories to look in, with where each came from; the first is the download target."""
    if data_dir is not None:
        root, origin = Path(data_dir).expanduser(), "data_dir argument"
    elif os.environ.get(ENV_VAR):
        root, origin = Path(os.environ[ENV_VAR]).expanduser(), f"${ENV_VAR}"
    else:
        return [(default_cache_dir(), "user cache")]
    return [(root, origin), (root / "mnist", f"{origin}, mnist sub-directory")]


def mnist_data_dir(data_dir: PathLike | None = None) -> Path:
    """Return the directory that :func:`load_mnist` uses (and downloads into).

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Explicit directory; otherwise ``$MINIGRAD_DATA``, otherwise
        :func:`default_cache_dir`.

    Returns
    -------
    pathlib.Path
        The directory; it may not exist yet.
    """
    return _search_dirs(data_dir)[0][0]


def _locate(dirs: Sequence[Path]) -> dict[str, Path | None]:
    found: dict[str, Path | None] = {}
    for key, name in MNIST_FILES.items():
        found[key] = None
        for d in dirs:
            for candidate in (d / name, d / f"{name}.gz"):
                if candidate.is_file():
                    found[key] = candidate
                    break
            if found[key] is not None:
                break
    return found


class _Progress:
    """Download progress: ``tqdm`` when installed, else a plain line on stderr."""

    def __init__(self, total: int | None, desc: str, enabled: bool) -> None:
        self.total = total
        self.desc = desc
        self.enabled = enabled
        self.done = 0
        self._last = -1
        self._bar: Any = None
        if not enabled:
            return
        try:
            from tqdm import tqdm
        except ImportError:
            tqdm = None
        if tqdm is not None:
            self._bar = tqdm(
                total=total, desc=desc, unit="B", unit_scale=True, unit_divisor=1024, leave=False
            )

    def update(self, n: int) -> None:
        self.done += n
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.update(n)
            return
        mib = self.done / 2**20
        if self.total:
            step = 100 * self.done // self.total
            text = f"{step:3d}% ({mib:.1f}/{self.total / 2**20:.1f} MiB)"
        else:
            step = int(mib)
            text = f"{mib:.1f} MiB"
        if step != self._last:
            self._last = step
            sys.stderr.write(f"\rDownloading {self.desc}: {text}")
            sys.stderr.flush()

    def close(self) -> None:
        if not self.enabled:
            return
        if self._bar is not None:
            self._bar.close()
        else:
            sys.stderr.write("\n")
            sys.stderr.flush()


def _urlopen(url: str, timeout: float) -> Any:
    request = urllib.request.Request(url, headers={"User-Agent": "minigrad-datasets"})
    return urllib.request.urlopen(request, timeout=timeout)


def _content_length(response: Any) -> int | None:
    headers = getattr(response, "headers", None)
    value = headers.get("Content-Length") if headers is not None else None
    try:
        return int(value) if value is not None else None
    except (TypeError, ValueError):
        return None


def _hash_stream(f: _Readable, what: str) -> str:
    """SHA-256 of an IDX stream, reading no more than its header declares plus one byte."""
    digest = hashlib.sha256()
    head = b""
    limit: int | None = None
    size = 0
    while True:
        want = _CHUNK if limit is None else min(_CHUNK, limit + 1 - size)
        chunk = f.read(want) if want > 0 else b""
        if not chunk:
            break
        size += len(chunk)
        if limit is None:
            head += chunk[: 4 + 4 * 255]
            limit = idx_size(head)
        if size > _MAX_BYTES or (limit is not None and size > limit):
            raise DatasetError(f"{what}: more bytes than its IDX header declares "
                               f"({limit if limit is not None else 'no valid header'}), "
                               "refusing it")
        digest.update(chunk)
    return digest.hexdigest()


def _sha256_uncompressed(path: Path, what: str) -> tuple[str, bool]:
    """Return the SHA-256 of the file's uncompressed content and whether it was gzipped."""
    with open(path, "rb") as f:
        gzipped = f.read(2) == b"\x1f\x8b"
    try:
        opener = gzip.open if gzipped else open
        with opener(path, "rb") as f:
            return _hash_stream(f, what), gzipped
    except (OSError, EOFError) as exc:  # gzip.BadGzipFile is an OSError
        raise DatasetError(f"{what}: corrupt gzip data ({exc})") from exc


def _download_one(
    url: str,
    target: Path,
    name: str,
    expected_sha256: str | None,
    opener: Opener,
    progress: bool,
    timeout: float,
    deadline: float,
) -> Path:
    """Download ``url`` into ``target`` atomically; return the stored file's path.

    The data streams into a temporary file beside its destination, which is
    moved into place only when complete and matching ``expected_sha256``; on
    any failure the temporary file is removed and nothing is left. The
    download is abandoned once ``time.monotonic()`` passes ``deadline``.
    """
    budget = deadline - time.monotonic()
    if budget <= 0:
        raise DatasetError("no time left for this download")
    response = opener(url, min(timeout, budget))
    try:
        total = _content_length(response)
        head = b""  # the first two bytes tell whether the data is gzipped, hence the file name
        while len(head) < 2 and (chunk := response.read(_CHUNK)):
            head += chunk
        dest = target / (f"{name}.gz" if head[:2] == b"\x1f\x8b" else name)
        # 0644: the data is public
        with atomic_write(dest, suffix=".part", file_mode=0o644, parents=True) as out:
            bar = _Progress(total, f"{name}.gz", progress)
            try:
                chunk = head
                while chunk:
                    if bar.done + len(chunk) > _MAX_BYTES:
                        raise DatasetError(f"more than {_MAX_BYTES} bytes, refusing it")
                    if time.monotonic() > deadline:
                        raise DatasetError(
                            f"too slow: the download time limit ran out after {bar.done} "
                            "bytes (see total_timeout)")
                    out.write(chunk)
                    bar.update(len(chunk))
                    chunk = response.read(_CHUNK)
            finally:
                bar.close()
            if total is not None and bar.done != total:
                raise DatasetError(f"incomplete download: received {bar.done} of {total} bytes")
            out.flush()
            digest, _ = _sha256_uncompressed(Path(out.name), "downloaded data")
            if expected_sha256 is not None and digest != expected_sha256.lower():
                raise ChecksumError(  # leaves no file: atomic_write removes the temporary one
                    f"SHA-256 of the uncompressed content is {digest}, expected {expected_sha256}"
                )
        return dest
    finally:
        close = getattr(response, "close", None)
        if close is not None:
            close()


def _transient(exc: BaseException) -> bool:
    """True for failures that a second try may not meet (a dropped or timed-out connection)."""
    if isinstance(exc, urllib.error.URLError) and isinstance(exc.reason, BaseException):
        exc = exc.reason
    return isinstance(exc, (TimeoutError, ConnectionResetError, ConnectionAbortedError,
                            BrokenPipeError, http.client.IncompleteRead))


def _join_url(base: str, filename: str) -> str:
    return f"{base.rstrip('/')}/{filename}"


def _not_found_message(
    missing: Sequence[str],
    dirs: Sequence[tuple[Path, str]],
    download: bool,
    errors: Mapping[str, list[str]],
    target: Path,
) -> str:
    lines = [
        "MNIST data not found.",
        "Missing files: " + ", ".join(f"{n}[.gz]" for n in missing),
        "Looked in:",
        *(f"  {d} ({origin})" for d, origin in dirs),
    ]
    if not download:
        lines.append("Downloading is disabled (download=False).")
    else:
        lines.append(f"Download into {target} failed:")
        for name in missing:
            if name in errors:
                lines.append(f"  {name}.gz:")
                lines.extend(f"    {e}" for e in errors[name] or ["no mirrors configured"])
            else:
                lines.append(f"  {name}.gz: not attempted after the failure above")
    all_names = ", ".join(f"{n}.gz" for n in MNIST_FILES.values())
    lines.append(
        "To use local copies, pass load_mnist(data_dir='/path/to/mnist') or set the "
        f"{ENV_VAR} environment variable to a directory holding the four files "
        f"(gzip-compressed or not): {all_names}."
    )
    return "\n".join(lines)


def fetch_mnist(
    data_dir: PathLike | None = None,
    *,
    download: bool = True,
    mirrors: Sequence[str] | None = None,
    opener: Opener | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool | None = None,
    timeout: float = DOWNLOAD_TIMEOUT,
    total_timeout: float = DOWNLOAD_TOTAL_TIMEOUT,
    attempts: int = DOWNLOAD_ATTEMPTS,
) -> dict[str, Path]:
    """Locate the four MNIST files, downloading the missing ones.

    Parameters
    ----------
    data_dir : str or os.PathLike, optional
        Directory holding the files; see :func:`mnist_data_dir` for the default.
    download : bool, default True
        Download missing files. When False, missing files raise immediately.
    mirrors : sequence of str, optional
        Base URLs tried in order for each file; defaults to :data:`MIRRORS`.
    opener : callable, optional
        ``opener(url, timeout)`` returning a binary response; defaults to
        :func:`urllib.request.urlopen`.
    checksums : mapping of str to str, optional
        SHA-256 of the uncompressed files, keyed by file name without ``.gz``;
        defaults to :data:`MNIST_SHA256`. Downloads are always verified.
    progress : bool, optional
        Show a progress bar (``tqdm`` if installed). Defaults to whether
        stderr is a terminal.
    timeout : float, default 30
        Network timeout in seconds for each request and each read.
    total_timeout : float, default 600
        Seconds all the downloads of this call may take together; a mirror
        that trickles bytes is abandoned when they run out.
    attempts : int, default 2
        Tries per mirror and file. A try that fails on a dropped or timed-out
        connection starts again from the beginning (the files are at most
        10 MB compressed); any other failure (unreachable host, missing file,
        bad checksum) moves on to the next mirror. Nothing is tried once
        ``total_timeout`` has run out.

    Returns
    -------
    dict of str to pathlib.Path
        Book key (``"train_img"``, ``"train_label"``, ``"test_img"``,
        ``"test_label"``) to the path of the file.

    Raises
    ------
    MNISTNotFoundError
        If some files are missing and could not be downloaded. The message lists
        the directories searched, the missing files and each mirror's error.
    """
    dirs = _search_dirs(data_dir)
    target = dirs[0][0]
    found = _locate([d for d, _ in dirs])
    missing = [MNIST_FILES[k] for k, p in found.items() if p is None]
    if not missing:
        return {k: p for k, p in found.items() if p is not None}

    errors: dict[str, list[str]] = {}
    if download:
        pins = MNIST_SHA256 if checksums is None else checksums
        urls = MIRRORS if mirrors is None else mirrors
        open_url = _urlopen if opener is None else opener
        show = sys.stderr.isatty() if progress is None else progress
        deadline = time.monotonic() + total_timeout
        for key, path in found.items():
            if path is not None:
                continue
            name = MNIST_FILES[key]
            errors[name] = []
            for base in urls:
                url = _join_url(base, f"{name}.gz")
                for attempt in range(1, max(attempts, 1) + 1):
                    if time.monotonic() >= deadline:
                        errors[name].append(f"{url}: not tried: the {total_timeout:g} s "
                                            "download time limit ran out")
                        break
                    try:
                        found[key] = _download_one(url, target, name, pins.get(name),
                                                   open_url, show, timeout, deadline)
                        break
                    except Exception as exc:  # any failure: retry if it may pass, else next
                        errors[name].append(
                            f"{url}: attempt {attempt}: {type(exc).__name__}: {exc}")
                        if not _transient(exc):
                            break
                if found[key] is not None:
                    break
            if found[key] is None:
                break  # the network is probably unreachable; do not retry for every file
        missing = [MNIST_FILES[k] for k, p in found.items() if p is None]
        if not missing:
            return {k: p for k, p in found.items() if p is not None}

    raise MNISTNotFoundError(
        _not_found_message(missing, dirs, download, errors, target),
        missing=missing,
        searched=[d for d, _ in dirs],
        download_errors=errors,
    )


def load_mnist(
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    data_dir: PathLike | None = None,
    *,
    dtype: npt.DTypeLike = np.float64,
    download: bool = True,
    verify: bool = True,
    mirrors: Sequence[str] | None = None,
    opener: Opener | None = None,
    checksums: Mapping[str, str] | None = None,
    progress: bool | None = None,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as in *Deep Learning from Scratch* (``dataset.mnist.load_mnist``).

    Parameters
    ----------
    normalize : bool, default True
        Scale pixels to ``[0, 1]`` as floats of type ``dtype``; otherwise keep
        the raw ``uint8`` values 0..255.
    flatten : bool, default True
        Return images as ``(N, 784)``; otherwise ``(N, 1, 28, 28)``.
    one_hot_label : bool, default False
        Return labels as ``(N, 10)`` one-hot arrays of type ``dtype``;
        otherwise as ``uint8`` class indices of shape ``(N,)``.
    data_dir : str or os.PathLike, optional
        Directory holding the files; defaults to ``$MINIGRAD_DATA``, then the
        user cache (see :func:`mnist_data_dir`).
    dtype : numpy dtype, default numpy.float64
        Floating type of normalized images and of one-hot labels. The book
        uses ``float32`` for images; float64 is the default here so that
        results match plain NumPy computations on Python floats.
    download : bool, default True
        Download missing files from the mirrors.
    verify : bool, default True
        Check the SHA-256 of the files already present (downloads are always
        checked).
    mirrors, opener, checksums, progress
        Passed to :func:`fetch_mnist`. ``checksums`` is also used for ``verify``.

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuples of numpy.ndarray
        60,000 training and 10,000 test examples.

    Raises
    ------
    MNISTNotFoundError
        If files are missing and could not be downloaded.
    ChecksumError
        If ``verify`` is set and a file does not match its pinned SHA-256.
    IDXError
        If a file is not valid IDX (bad magic, truncated...).
    DatasetError
        If the files are valid IDX but not MNIST-shaped (wrong image size,
        image and label counts differ, labels outside 0..9).
    ValueError
        If ``dtype`` is not a floating type.

    Examples
    --------
    >>> (x_train, t_train), (x_test, t_test) = load_mnist()  # doctest: +SKIP
    >>> x_train.shape, x_train.dtype, t_train[:5]  # doctest: +SKIP
    ((60000, 784), dtype('float64'), array([5, 0, 4, 1, 9], dtype=uint8))
    """
    float_dtype = np.dtype(dtype)
    if float_dtype.kind != "f":
        raise ValueError(f"dtype must be a floating type, got {float_dtype}")
    paths = fetch_mnist(
        data_dir,
        download=download,
        mirrors=mirrors,
        opener=opener,
        checksums=checksums,
        progress=progress,
    )
    pins = (MNIST_SHA256 if checksums is None else checksums) if verify else None
    return read_mnist_files(
        paths,
        None if pins is None else {key: pins.get(name) for key, name in MNIST_FILES.items()},
        normalize=normalize,
        flatten=flatten,
        one_hot_label=one_hot_label,
        dtype=float_dtype,
    )
