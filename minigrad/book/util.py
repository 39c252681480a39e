"""The book's ``common/util.py`` (chapter 6 part): :func:`smooth_curve`, :func:`shuffle_dataset`."""

from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["smooth_curve", "shuffle_dataset"]


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
