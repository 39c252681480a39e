"""MNIST's four IDX files as the book's arrays: checked, scaled, flattened, one-hot.

:func:`read_mnist_files` turns the files that :func:`minigrad.datasets.fetch_mnist`
found into ``(x_train, t_train), (x_test, t_test)``; it reads the files and
nothing else (no search, no download). :func:`minigrad.datasets.load_mnist`
is both steps together.
"""

from __future__ import annotations

import hashlib
from collections.abc import Mapping
from pathlib import Path

import numpy as np
import numpy.typing as npt

from minigrad._fileio import PathLike

from .errors import ChecksumError, DatasetError
from .idx import decode_idx, read_idx_bytes

__all__ = ["IMAGE_SHAPE", "NUM_CLASSES", "read_mnist_files"]

IMAGE_SHAPE = (28, 28)
NUM_CLASSES = 10
#: The book's keys of the four files, in the order they are read.
_KEYS = ("train_img", "train_label", "test_img", "test_label")


def _read_verified(path: Path, name: str, pins: Mapping[str, str | None] | None) -> np.ndarray:
    data = read_idx_bytes(path)
    expected = None if pins is None else pins.get(name)
    if expected is not None:
        digest = hashlib.sha256(data).hexdigest()
        if digest != expected.lower():
            raise ChecksumError(
                f"{path}: SHA-256 mismatch (of the uncompressed content): expected "
                f"{expected}, found {digest}. The file is corrupt or not the original "
                "MNIST file; delete it to download it again, or pass verify=False."
            )
    return decode_idx(data, name=str(path))


def _check_split(images: np.ndarray, labels: np.ndarray, img_path: Path, lbl_path: Path) -> None:
    if images.dtype != np.uint8 or images.ndim != 3 or images.shape[1:] != IMAGE_SHAPE:
        raise DatasetError(
            f"{img_path}: expected uint8 images of shape (N, 28, 28), found "
            f"{images.dtype} array of shape {images.shape}"
        )
    if labels.dtype != np.uint8 or labels.ndim != 1:
        raise DatasetError(
            f"{lbl_path}: expected uint8 labels of shape (N,), found "
            f"{labels.dtype} array of shape {labels.shape}"
        )
    if len(images) != len(labels):
        raise DatasetError(
            f"{img_path} holds {len(images)} images but {lbl_path} holds {len(labels)} labels; "
            "expected the same number"
        )
    if labels.size and int(labels.max()) >= NUM_CLASSES:
        raise DatasetError(
            f"{lbl_path}: expected labels 0..{NUM_CLASSES - 1}, found {int(labels.max())}"
        )


def _one_hot(labels: np.ndarray, dtype: np.dtype) -> np.ndarray:
    out = np.zeros((labels.size, NUM_CLASSES), dtype=dtype)
    out[np.arange(labels.size), labels] = 1
    return out


def _images(raw: np.ndarray, normalize: bool, flatten: bool, dtype: np.dtype) -> np.ndarray:
    x = raw
    if normalize:
        x = raw.astype(dtype)
        x /= 255.0
    n = len(x)
    if flatten:
        return x.reshape(n, IMAGE_SHAPE[0] * IMAGE_SHAPE[1])
    return x.reshape(n, 1, *IMAGE_SHAPE)


def read_mnist_files(
    paths: Mapping[str, PathLike],
    pins: Mapping[str, str | None] | None = None,
    *,
    normalize: bool = True,
    flatten: bool = True,
    one_hot_label: bool = False,
    dtype: npt.DTypeLike = np.float64,
) -> tuple[tuple[np.ndarray, np.ndarray], tuple[np.ndarray, np.ndarray]]:
    """Read the four MNIST files into the book's arrays.

    Parameters
    ----------
    paths : mapping of str to path
        The files by the book's keys (``"train_img"``, ``"train_label"``,
        ``"test_img"``, ``"test_label"``), as :func:`~minigrad.datasets.fetch_mnist`
        returns them; gzip-compressed or not.
    pins : mapping of str to str, optional
        The SHA-256 of each file's uncompressed content, by the same keys; a
        file whose key is missing or None is not checked. None checks nothing.
    normalize, flatten, one_hot_label, dtype
        As for :func:`~minigrad.datasets.load_mnist`.

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuples of numpy.ndarray

    Raises
    ------
    ChecksumError
        If a file does not match its pin.
    IDXError
        If a file is not valid IDX.
    DatasetError
        If the files are valid IDX but not MNIST-shaped (wrong image size,
        image and label counts differ, labels outside 0..9).
    ValueError
        If ``dtype`` is not a floating type.
    """
    float_dtype = np.dtype(dtype)
    if float_dtype.kind != "f":
        raise ValueError(f"dtype must be a floating type, got {float_dtype}")
    files = {key: Path(paths[key]) for key in _KEYS}
    raw = {key: _read_verified(files[key], key, pins) for key in _KEYS}
    out = []
    for split in ("train", "test"):
        img_key, lbl_key = f"{split}_img", f"{split}_label"
        _check_split(raw[img_key], raw[lbl_key], files[img_key], files[lbl_key])
        x = _images(raw[img_key], normalize, flatten, float_dtype)
        t = _one_hot(raw[lbl_key], float_dtype) if one_hot_label else raw[lbl_key]
        out.append((x, t))
    return out[0], out[1]
