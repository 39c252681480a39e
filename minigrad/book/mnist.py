"""The book's ``dataset/mnist.py``: :func:`load_mnist` with the book's signature and types.

::

    # from dataset.mnist import load_mnist        (the book)
    from minigrad.book.mnist import load_mnist     # minigrad

The arrays are those of the book's loader, type for type: normalized images
are ``float32`` (``uint8`` pixels converted to float32, then divided by 255
in float32), raw images stay ``uint8``, labels are ``uint8`` indices or
``float64`` one-hot rows. :func:`minigrad.datasets.load_mnist` is the general
loader behind it (float64 by default, checksums, mirrors); this one only
fixes the book's types so that a script prints the book's numbers.

The files come from ``$MINIGRAD_DATA`` (or the user cache), downloaded once
if missing, instead of the book's ``dataset/mnist.pkl``.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from minigrad.datasets import load_mnist as _load_raw

__all__ = ["load_mnist", "img_size", "img_dim", "train_num", "test_num"]

#: Number of training images.
train_num = 60000
#: Number of test images.
test_num = 10000
#: Shape of one image, channels first.
img_dim = (1, 28, 28)
#: Pixels per image.
img_size = 784


def _one_hot(labels: np.ndarray) -> np.ndarray:
    """``(N,)`` class indices as ``(N, 10)`` float64 rows with one 1."""
    out = np.zeros((labels.size, 10))
    out[np.arange(labels.size), labels] = 1
    return out


def load_mnist(normalize: bool = True, flatten: bool = True, one_hot_label: bool = False,
               *, data_dir: str | os.PathLike[str] | None = None,
               **kwargs: Any) -> tuple[tuple[np.ndarray, np.ndarray],
                                       tuple[np.ndarray, np.ndarray]]:
    """Load MNIST as the book's ``load_mnist`` returns it.

    Parameters
    ----------
    normalize : bool, default True
        Images as ``float32`` in ``[0, 1]`` (pixel / 255); otherwise the raw
        ``uint8`` values.
    flatten : bool, default True
        Images as ``(N, 784)``; otherwise ``(N, 1, 28, 28)``.
    one_hot_label : bool, default False
        Labels as ``(N, 10)`` float64 one-hot rows; otherwise ``uint8``
        indices of shape ``(N,)``.
    data_dir : str or os.PathLike, optional
        Where the four ``.gz`` files are; default ``$MINIGRAD_DATA``, then
        the user cache.
    **kwargs
        Passed to :func:`minigrad.datasets.load_mnist` (``download``,
        ``verify``, ``mirrors``...).

    Returns
    -------
    (x_train, t_train), (x_test, t_test) : tuple of tuples of numpy.ndarray
        60,000 training and 10,000 test examples in file order.

    Examples
    --------
    >>> (x_train, t_train), _ = load_mnist()  # doctest: +SKIP
    >>> x_train.dtype, x_train.shape, t_train.dtype  # doctest: +SKIP
    (dtype('float32'), (60000, 784), dtype('uint8'))
    """
    for name in ("normalize", "flatten", "one_hot_label", "dtype"):
        if name in kwargs:
            raise TypeError(f"load_mnist: unexpected keyword {name!r}")
    (x_train, t_train), (x_test, t_test) = _load_raw(
        normalize=False, flatten=True, one_hot_label=False, data_dir=data_dir, **kwargs)
    images = [x_train, x_test]
    labels = [t_train, t_test]
    if normalize:
        for i, x in enumerate(images):
            x = x.astype(np.float32)
            x /= 255.0
            images[i] = x
    if one_hot_label:
        labels = [_one_hot(t) for t in labels]
    if not flatten:
        images = [x.reshape(-1, 1, 28, 28) for x in images]
    return (images[0], labels[0]), (images[1], labels[1])
