"""smooth_curve and shuffle_dataset (items 6.8, 6.22)."""

import numpy as np
import pytest

from minigrad.book.util import shuffle_dataset, smooth_curve


def test_smooth_curve_same_length_and_book_formula(rng):
    x = rng.random(50)
    y = smooth_curve(x)
    assert y.shape == x.shape
    w = np.kaiser(11, 2)
    w /= w.sum()
    s = np.r_[x[10:0:-1], x, x[-1:-11:-1]]
    np.testing.assert_allclose(y, np.convolve(w, s, mode="valid")[5:-5])
    np.testing.assert_allclose(smooth_curve(np.full(30, 2.5)), 2.5)


def test_smooth_curve_rejects_short_series():
    with pytest.raises(ValueError, match="at least 11"):
        smooth_curve(np.ones(5))


def test_shuffle_dataset_pairs_rows(rng):
    x = np.arange(20.0).reshape(10, 2)
    t = np.arange(10)
    xs, ts = shuffle_dataset(x, t, rng=rng)
    np.testing.assert_array_equal(xs[:, 0] / 2, ts)
    assert sorted(ts.tolist()) == list(range(10))
    x4 = np.arange(10 * 4.0).reshape(10, 1, 2, 2)
    xs4, ts4 = shuffle_dataset(x4, t, rng=np.random.default_rng(1))
    np.testing.assert_array_equal(xs4[:, 0, 0, 0] / 4, ts4)
    with pytest.raises(ValueError, match="10 samples but t has 3"):
        shuffle_dataset(x, t[:3])
