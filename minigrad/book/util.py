"""The book's ``common/util.py``: curves, shuffling and the convolution helpers.

:func:`smooth_curve`, :func:`shuffle_dataset`, :func:`conv_output_size`,
:func:`im2col` and :func:`col2im`.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.ops import conv as _conv
from minigrad.tensor import Tensor

__all__ = ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"]


def smooth_curve(x: Any) -> np.ndarray:
    """Smooth a loss curve for plotting, as the book's figures 6-9 and 6-15 do (item 6.8).

    An 11-point Kaiser window (beta 2), normalised to sum 1, over the series
    padded at each end by mirroring 10 points (the edge point excluded);
    the output has the input's length.

    Parameters
    ----------
    x : array_like
        A 1-D series of at least 11 values.

    Returns
    -------
    ndarray
        The smoothed series, of the same length.

    Examples
    --------
    >>> import numpy as np
    >>> smooth_curve(np.ones(20)).round(6).tolist() == [1.0] * 20
    True
    """
    x = np.asarray(x, dtype=np.float64)
    window_len = 11
    if x.ndim != 1 or x.size < window_len:
        raise ValueError(f"smooth_curve: expected a 1-D series of at least {window_len} values, "
                         f"got shape {x.shape}")
    s = np.r_[x[window_len - 1:0:-1], x, x[-1:-window_len:-1]]
    w = np.kaiser(window_len, 2)
    y = np.convolve(w / w.sum(), s, mode="valid")
    return y[5:len(y) - 5]


def shuffle_dataset(x: np.ndarray, t: np.ndarray, rng: Any = None) -> tuple[np.ndarray, np.ndarray]:
    """Shuffle ``x`` and ``t`` with one random permutation of the first axis (item 6.22).

    Parameters
    ----------
    x : ndarray
        Inputs, 2-D ``(N, D)`` or 4-D ``(N, C, H, W)``.
    t : ndarray
        Targets with the same first dimension.
    rng : None or numpy.random.Generator
        Source of the permutation; None uses ``np.random.permutation`` like the book.

    Returns
    -------
    tuple of ndarray
        The shuffled copies ``(x, t)``.
    """
    x, t = np.asarray(x), np.asarray(t)
    if x.shape[0] != t.shape[0]:
        raise ValueError(f"shuffle_dataset: x has {x.shape[0]} samples but t has {t.shape[0]}")
    permutation = (np.random.permutation(x.shape[0]) if rng is None
                   else rng.permutation(x.shape[0]))
    return x[permutation], t[permutation]


def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0) -> float:
    """Return the book's ``(input_size + 2*pad - filter_size) / stride + 1`` (item 7.1).

    A true division, as in the book: a float, not floored
    (:func:`minigrad.ops.conv.conv_output_size` floors).

    Examples
    --------
    >>> conv_output_size(28, 5), conv_output_size(7, 3, 2)
    (24.0, 3.0)
    """
    return (input_size + 2 * pad - filter_size) / stride + 1


def im2col(input_data: Any, filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> Any:
    """The book's ``im2col``: each filter window of ``input_data`` as one row (item 7.2).

    Parameters
    ----------
    input_data : ndarray or Tensor
        Shape ``(N, C, H, W)``.
    filter_h, filter_w : int
        Window size.
    stride, pad : int
        Step between windows and zero padding on each side.

    Returns
    -------
    ndarray or Tensor
        Shape ``(N*OH*OW, C*filter_h*filter_w)``: a float64 array for an
        array input (as the book's), a differentiable Tensor for a Tensor.

    Examples
    --------
    >>> im2col(np.arange(16.0).reshape(1, 1, 4, 4), 2, 2, stride=2)
    array([[ 0.,  1.,  4.,  5.],
           [ 2.,  3.,  6.,  7.],
           [ 8.,  9., 12., 13.],
           [10., 11., 14., 15.]])
    """
    if isinstance(input_data, Tensor):
        return _conv.im2col(input_data, filter_h, filter_w, stride, pad)
    x = np.asarray(input_data, dtype=np.float64)
    return np.asarray(_conv.im2col(x, filter_h, filter_w, stride, pad).data)


def col2im(col: Any, input_shape: tuple[int, ...], filter_h: int, filter_w: int,
           stride: int = 1, pad: int = 0) -> Any:
    """The book's ``col2im``: add the rows of ``col`` back into an image (item 7.3).

    Overlapping windows add up and the padding is cropped: the adjoint of
    :func:`im2col`.

    Parameters
    ----------
    col : ndarray or Tensor
        Shape ``(N*OH*OW, C*filter_h*filter_w)``.
    input_shape : tuple of int
        ``(N, C, H, W)`` of the image.
    filter_h, filter_w, stride, pad : int
        As for :func:`im2col`.

    Returns
    -------
    ndarray or Tensor
        Shape ``input_shape``; float64 for an array input.
    """
    if isinstance(col, Tensor):
        return _conv.col2im(col, input_shape, filter_h, filter_w, stride, pad)
    c = np.asarray(col, dtype=np.float64)
    return np.asarray(_conv.col2im(c, input_shape, filter_h, filter_w, stride, pad).data)
