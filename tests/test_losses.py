"""The chapter's losses and accuracy in minigrad.functional."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F

# The book's example: the network's output and a one-hot target for "2".
T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.float64)
Y_GOOD = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
Y_BAD = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])


def book_sse(y, t):
    return 0.5 * np.sum((y - t) ** 2)


def book_cee(y, t):
    # section 2.4, one-hot version
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size


def book_cee_labels(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def test_sum_squares_error_book_values():
    assert F.sum_squares_error(Y_GOOD, T).item() == pytest.approx(0.0975, abs=1e-12)
    assert F.sum_squares_error(Y_BAD, T).item() == pytest.approx(0.5975, abs=1e-12)


def test_cross_entropy_error_book_values():
    assert F.cross_entropy_error(Y_GOOD, T).item() == pytest.approx(0.510825457099338, abs=1e-9)
    assert F.cross_entropy_error(Y_BAD, T).item() == pytest.approx(2.302584092994546, abs=1e-9)


def test_cross_entropy_error_delta_keeps_log_finite():
    y = np.array([[1.0, 0.0]])
    value = F.cross_entropy_error(y, np.array([1])).item()
    assert value == pytest.approx(-np.log(1e-7))
    assert np.isfinite(value)


def test_cross_entropy_one_hot_labels_and_1d_agree():
    rng = np.random.default_rng(0)
    y = F.softmax(mg.tensor(rng.standard_normal((6, 4)))).data
    labels = rng.integers(0, 4, 6)
    one_hot = np.eye(4)[labels]
    a = F.cross_entropy_error(y, one_hot).item()
    b = F.cross_entropy_error(y, labels).item()
    assert a == pytest.approx(book_cee(y, one_hot), rel=1e-14)
    assert b == pytest.approx(book_cee_labels(y, labels), rel=1e-14)
    assert a == pytest.approx(b, rel=1e-14)
    # a 1-D y is a batch of one, with a one-hot target or a single label
    assert F.cross_entropy_error(y[2], one_hot[2]).item() == pytest.approx(
        book_cee(y[2], one_hot[2]), rel=1e-14)
    assert F.cross_entropy_error(y[2], labels[2]).item() == pytest.approx(
        book_cee(y[2], one_hot[2]), rel=1e-14)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_cross_entropy_matches_book_formula(n, c, seed):
    rng = np.random.default_rng(seed)
    y = rng.uniform(0.0, 1.0, (n, c))
    y /= y.sum(axis=1, keepdims=True)
    labels = rng.integers(0, c, n)
    one_hot = np.eye(c)[labels]
    expected = book_cee(y, one_hot)
    assert F.cross_entropy_error(y, one_hot).item() == pytest.approx(expected, rel=1e-12)
    assert F.cross_entropy_error(y, labels).item() == pytest.approx(expected, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-10, 10)))
def test_sum_squares_error_matches_book(y):
    t = np.ones_like(y) * 0.5
    assert F.sum_squares_error(y, t).item() == pytest.approx(book_sse(y, t), rel=1e-12,
                                                             abs=1e-12)


def test_losses_are_differentiable_and_gradcheck():
    rng = np.random.default_rng(1)
    y = mg.tensor(rng.uniform(0.05, 1.0, (4, 5)), requires_grad=True)
    t_onehot = np.eye(5)[[0, 3, 1, 4]]
    t_labels = np.array([0, 3, 1, 4])
    t_real = mg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    assert mg.gradcheck(lambda a, b: F.sum_squares_error(a, b), (y, t_real))
    assert mg.gradcheck(lambda a: F.cross_entropy_error(a, t_onehot), (y,))
    assert mg.gradcheck(lambda a: F.cross_entropy_error(a, t_labels), (y,))
    # 1-D input: a batch of one
    y1 = mg.tensor(rng.uniform(0.05, 1.0, 5), requires_grad=True)
    assert mg.gradcheck(lambda a: F.cross_entropy_error(a, t_onehot[1]), (y1,))
    # through a softmax, as simpleNet uses it
    z = mg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    assert mg.gradcheck(lambda a: F.cross_entropy_error(F.softmax(a), t_labels), (z,))


def test_cross_entropy_gradient_values():
    y = mg.tensor(np.array([[0.2, 0.8], [0.5, 0.5]]), requires_grad=True)
    F.cross_entropy_error(y, np.array([1, 0])).backward()
    expected = np.array([[0.0, -1 / (0.8 + 1e-7)], [-1 / (0.5 + 1e-7), 0.0]]) / 2
    np.testing.assert_allclose(y.grad.data, expected, rtol=1e-14)


def test_cross_entropy_rejects_bad_targets():
    y = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="one-hot"):
        F.cross_entropy_error(y, np.array([[0.2, 0.3, 0.5], [0, 1, 0]]))
    with pytest.raises(ValueError, match="labels"):
        F.cross_entropy_error(y, np.array([0, 1, 2]))
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        F.cross_entropy_error(y, np.array([0, 3]))
    with pytest.raises(ValueError, match="dtype float64"):
        F.cross_entropy_error(y, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        F.cross_entropy_error(np.ones((2, 2, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="broadcast"):
        F.sum_squares_error(np.ones(3), np.ones(4))


def test_accuracy():
    y = np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.3, 0.6, 0.1]])
    labels = np.array([1, 0, 0, 1])
    assert F.accuracy(y, labels) == 0.75
    assert F.accuracy(mg.tensor(y), np.eye(3)[labels]) == 0.75
    assert F.accuracy(y[0], 1) == 1.0
    assert F.accuracy(y[0], np.array([0.0, 1.0, 0.0])) == 1.0
    assert isinstance(F.accuracy(y, labels), float)
    assert F.accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 0.0
    with pytest.raises(ValueError, match="labels for a batch of 4"):
        F.accuracy(y, np.array([1, 0]))


def test_accuracy_matches_book_on_uint8_labels():
    rng = np.random.default_rng(3)
    y = rng.standard_normal((50, 10))
    t = rng.integers(0, 10, 50).astype(np.uint8)
    expected = np.sum(np.argmax(y, axis=1) == t) / float(50)
    assert F.accuracy(y, t) == expected
