"""Datasets for minigrad: MNIST, the spiral, the IDX file format and mini-batch sampling.

The loading machinery (``Dataset``, ``TensorDataset``, ``DataLoader``) is in
:mod:`minigrad.data`; :class:`Spiral` is one of its ``TensorDataset``.

This package depends only on NumPy and the standard library.

Examples
--------
>>> from minigrad.datasets import load_mnist, random_batch
>>> (x_train, t_train), (x_test, t_test) = load_mnist(normalize=True)  # doctest: +SKIP
>>> idx = random_batch(len(x_train), 100, rng=0)  # doctest: +SKIP
>>> x_batch, t_batch = x_train[idx], t_train[idx]  # doctest: +SKIP
"""

from .batching import BatchSampler, iterate_minibatches, random_batch
from .errors import ChecksumError, DatasetError, IDXError, MNISTNotFoundError
from .idx import (
    IDX_TYPE_CODES,
    decode_idx,
    encode_idx,
    read_idx,
    read_idx_bytes,
    write_idx,
)
from .mnist import (
    ENV_VAR,
    MIRRORS,
    MNIST_FILES,
    MNIST_SHA256,
    default_cache_dir,
    fetch_mnist,
    load_mnist,
    mnist_data_dir,
)
from .spiral import Spiral, make_spiral

__all__ = [
    "BatchSampler",
    "ChecksumError",
    "DatasetError",
    "ENV_VAR",
    "IDXError",
    "IDX_TYPE_CODES",
    "MIRRORS",
    "MNISTNotFoundError",
    "MNIST_FILES",
    "MNIST_SHA256",
    "Spiral",
    "decode_idx",
    "default_cache_dir",
    "encode_idx",
    "fetch_mnist",
    "iterate_minibatches",
    "load_mnist",
    "make_spiral",
    "mnist_data_dir",
    "random_batch",
    "read_idx",
    "read_idx_bytes",
    "write_idx",
]
