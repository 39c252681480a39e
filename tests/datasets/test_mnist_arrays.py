"""read_mnist_files: the four IDX files into the book's arrays, without searching or fetching."""

import hashlib

import numpy as np
import pytest

from minigrad.datasets import (
    ChecksumError,
    DatasetError,
    IDXError,
    MNISTNotFoundError,
    encode_idx,
    errors,
    idx,
    mnist,
    write_idx,
)
from minigrad.datasets.mnist_arrays import read_mnist_files

KEYS = ("train_img", "train_label", "test_img", "test_label")


@pytest.fixture
def files(tmp_path):
    rng = np.random.default_rng(1)
    arrays = {
        "train_img": rng.integers(0, 256, (5, 28, 28), dtype=np.uint8),
        "train_label": rng.integers(0, 10, 5, dtype=np.uint8),
        "test_img": rng.integers(0, 256, (3, 28, 28), dtype=np.uint8),
        "test_label": rng.integers(0, 10, 3, dtype=np.uint8),
    }
    paths = {k: write_idx(tmp_path / f"{k}.gz", a) for k, a in arrays.items()}
    pins = {k: hashlib.sha256(encode_idx(a)).hexdigest() for k, a in arrays.items()}
    return arrays, paths, pins


def test_reads_the_given_files_with_the_books_shapes(files):
    arrays, paths, pins = files
    (x, t), (xt, tt) = read_mnist_files(paths, pins, one_hot_label=True, dtype=np.float32)
    assert x.shape == (5, 784) and x.dtype == np.float32 and xt.shape == (3, 784)
    np.testing.assert_array_equal(x, arrays["train_img"].reshape(5, 784) / np.float32(255))
    assert t.shape == (5, 10) and (t.argmax(1) == arrays["train_label"]).all()
    (x, t), _ = read_mnist_files(paths, normalize=False, flatten=False)
    assert x.dtype == np.uint8 and x.shape == (5, 1, 28, 28)
    np.testing.assert_array_equal(t, arrays["train_label"])


def test_pins_are_by_book_key_and_a_missing_pin_is_not_checked(files):
    _, paths, pins = files
    wrong = dict(pins, test_label="0" * 64)
    with pytest.raises(ChecksumError, match="test_label.gz: SHA-256 mismatch"):
        read_mnist_files(paths, wrong)
    read_mnist_files(paths, dict(wrong, test_label=None))
    read_mnist_files(paths, {"train_img": pins["train_img"]})


def test_bad_dtype_and_mismatched_counts(files, tmp_path):
    _, paths, _ = files
    with pytest.raises(ValueError, match="floating type, got int32"):
        read_mnist_files(paths, dtype=np.int32)
    paths = dict(paths, test_label=write_idx(tmp_path / "l", np.zeros(2, np.uint8)))
    with pytest.raises(DatasetError, match="holds 3 images but .* holds 2 labels"):
        read_mnist_files(paths)


def test_errors_live_in_one_module_and_keep_their_old_homes():
    assert issubclass(IDXError, DatasetError) and issubclass(ChecksumError, DatasetError)
    assert issubclass(MNISTNotFoundError, DatasetError)
    assert issubclass(MNISTNotFoundError, FileNotFoundError)
    assert idx.DatasetError is errors.DatasetError and idx.IDXError is errors.IDXError
    assert mnist.ChecksumError is errors.ChecksumError
    assert mnist.MNISTNotFoundError is errors.MNISTNotFoundError
    assert mnist.IMAGE_SHAPE == (28, 28) and mnist.NUM_CLASSES == 10
