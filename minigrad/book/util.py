"""The book's ``common/util.py``: its chapter 6 and chapter 7 helpers, on ndarrays.

:func:`smooth_curve` and :func:`shuffle_dataset` (chapter 6); :func:`conv_output_size`,
:func:`im2col` and :func:`col2im` (chapter 7).
"""

from __future__ import annotations

from typing import Any

import numpy as np

# what a star import of the book's module brings
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
    """The book's ``(input_size + 2 pad - filter_size) / stride + 1``, a true division (a float).

    :func:`minigrad.functional.conv_output_size` is the integer (floored) form.

    Examples
    --------
    >>> conv_output_size(28, 5), conv_output_size(7, 3, 2)
    (24.0, 3.0)
    """
    return (input_size + 2 * pad - filter_size) / stride + 1


def im2col(input_data: Any, filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> np.ndarray:
    """The windows of ``input_data`` (N, C, H, W) as rows: an ndarray (N*OH*OW, C*FH*FW).

    The book's layout (row ``(n*OH + oy)*OW + ox``, column ``(c*FH + ky)*FW + kx``),
    always in float64 as the book's; :func:`minigrad.functional.im2col` is the
    differentiable one on tensors.

    Examples
    --------
    >>> import numpy as np
    >>> im2col(np.arange(18).reshape(1, 2, 3, 3), 2, 2)[0]
    array([ 0.,  1.,  3.,  4.,  9., 10., 12., 13.])
    """
    from minigrad.ops.conv import im2col as _im2col

    x = np.asarray(input_data, dtype=np.float64)
    return np.asarray(_im2col(x, filter_h, filter_w, stride, pad).data)


def col2im(col: Any, input_shape: tuple[int, ...], filter_h: int, filter_w: int,
           stride: int = 1, pad: int = 0) -> np.ndarray:
    """Add the rows of ``col`` back into an (N, C, H, W) float64 ndarray (``im2col``'s adjoint).

    Overlapping windows accumulate and the padding is cropped;
    :func:`minigrad.functional.col2im` is the differentiable one.
    """
    from minigrad.ops.conv import col2im as _col2im

    c = np.asarray(col, dtype=np.float64)
    return np.asarray(_col2im(c, input_shape, filter_h, filter_w, stride, pad).data)
