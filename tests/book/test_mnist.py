"""minigrad.book.mnist.load_mnist: the book's signature and the book's array types."""

import numpy as np
import pytest

from minigrad.book.mnist import load_mnist


def test_book_types_normalized_flat(mnist_dir):
    (x_train, t_train), (x_test, t_test) = load_mnist()
    assert x_train.shape == (60000, 784) and x_test.shape == (10000, 784)
    assert x_train.dtype == np.float32 and x_test.dtype == np.float32
    assert t_train.dtype == np.uint8 and t_train[:5].tolist() == [5, 0, 4, 1, 9]
    assert t_test[:5].tolist() == [7, 2, 1, 0, 4]
    (raw, _), _ = load_mnist(normalize=False)
    assert raw.dtype == np.uint8
    # the book converts to float32 first, then divides in float32
    expected = raw[:3].astype(np.float32) / np.float32(255.0)
    np.testing.assert_array_equal(x_train[:3], expected)
    assert float(x_train.max()) == 1.0


def test_book_types_one_hot_images(mnist_dir):
    (x_train, t_train), (x_test, t_test) = load_mnist(flatten=False, one_hot_label=True)
    assert x_train.shape == (60000, 1, 28, 28) and x_test.shape == (10000, 1, 28, 28)
    assert t_train.shape == (60000, 10) and t_train.dtype == np.float64
    assert t_train[0].tolist() == [0, 0, 0, 0, 0, 1, 0, 0, 0, 0]
    np.testing.assert_array_equal(t_test.sum(axis=1), 1.0)


def test_rejects_the_general_loaders_type_keywords(mnist_dir):
    with pytest.raises(TypeError, match="unexpected keyword 'dtype'"):
        load_mnist(dtype=np.float64)
