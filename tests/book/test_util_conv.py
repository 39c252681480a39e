"""minigrad.book.util: conv_output_size, im2col, col2im as in the book's util (items 7.1-7.3)."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.book.util import col2im, conv_output_size, im2col
from minigrad.tensor import Tensor


def _windows(x, fh, fw, stride, pad):
    """Rows of every window, written out with loops: row (n, oy, ox), column (c, ky, kx)."""
    n_, c_, h, w = x.shape
    xp = np.zeros((n_, c_, h + 2 * pad, w + 2 * pad))
    xp[:, :, pad:pad + h, pad:pad + w] = x
    oh = (h + 2 * pad - fh) // stride + 1
    ow = (w + 2 * pad - fw) // stride + 1
    rows = []
    for n in range(n_):
        for oy in range(oh):
            for ox in range(ow):
                row = []
                for c in range(c_):
                    for ky in range(fh):
                        for kx in range(fw):
                            row.append(xp[n, c, oy * stride + ky, ox * stride + kx])
                rows.append(row)
    return np.array(rows)


@pytest.mark.parametrize("shape,fh,fw,stride,pad", [((2, 3, 5, 5), 3, 3, 1, 0),
                                                    ((1, 2, 6, 7), 2, 3, 2, 1),
                                                    ((2, 1, 4, 4), 2, 2, 2, 0)])
def test_im2col_rows_are_the_windows(rng, shape, fh, fw, stride, pad):
    x = rng.normal(size=shape)
    col = im2col(x, fh, fw, stride, pad)
    assert isinstance(col, np.ndarray) and col.dtype == np.float64
    np.testing.assert_array_equal(col, _windows(x, fh, fw, stride, pad))


@pytest.mark.parametrize("shape,fh,fw,stride,pad", [((2, 3, 5, 5), 3, 3, 1, 0),
                                                    ((1, 2, 6, 7), 2, 3, 2, 1)])
def test_col2im_is_the_adjoint_of_im2col(rng, shape, fh, fw, stride, pad):
    x = rng.normal(size=shape)
    col = im2col(x, fh, fw, stride, pad)
    c = rng.normal(size=col.shape)
    img = col2im(c, shape, fh, fw, stride, pad)
    assert isinstance(img, np.ndarray) and img.shape == shape
    assert float(np.sum(col * c)) == pytest.approx(float(np.sum(x * img)), rel=1e-12)


def test_col2im_adds_overlaps():
    ones = np.ones((4, 4))  # 1x1x3x3 image, 2x2 windows, stride 1: 4 windows
    img = col2im(ones, (1, 1, 3, 3), 2, 2)
    np.testing.assert_array_equal(img[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])


def test_tensor_inputs_stay_differentiable(rng):
    x = mg.tensor(rng.normal(size=(1, 1, 3, 3)), requires_grad=True)
    col = im2col(x, 2, 2)
    assert isinstance(col, Tensor)
    col.sum().backward()
    np.testing.assert_array_equal(x.grad[0, 0], [[1, 2, 1], [2, 4, 2], [1, 2, 1]])
    back = col2im(Tensor(np.ones((4, 4))), (1, 1, 3, 3), 2, 2)
    assert isinstance(back, Tensor)


def test_conv_output_size_is_the_books_true_division():
    assert conv_output_size(28, 5) == 24.0
    assert conv_output_size(7, 2, 2) == 3.5
    assert isinstance(conv_output_size(4, 2, 1, 1), float)


def test_star_import_of_util_brings_np():
    scope = {}
    exec("from minigrad.book.util import *", scope)  # noqa: S102 - the star import itself
    assert scope["np"] is np and callable(scope["im2col"]) and callable(scope["smooth_curve"])
