"""softmax, log_softmax and the fused softmax_cross_entropy."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays, index_arrays, shapes

import minigrad as mg
import minigrad.functional as F


def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@st.composite
def array_and_axis(draw, max_dims=3):
    x = draw(shapes(min_dims=1, max_dims=max_dims).flatmap(lambda s: float_arrays(s, -5, 5)))
    axis = draw(st.integers(-x.ndim, x.ndim - 1))
    return x, axis


@GRADCHECK
@given(xa=array_and_axis())
def test_softmax_any_axis(xa):
    x, axis = xa
    t = leaf(x)
    y = F.softmax(t, axis=axis)
    np.testing.assert_allclose(y.data, np_softmax(x, axis), rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(y.data.sum(axis=axis), 1.0, rtol=1e-12)
    assert mg.gradcheck(lambda t: F.softmax(t, axis=axis), [t])


@GRADCHECK
@given(xa=array_and_axis())
def test_log_softmax_any_axis(xa):
    x, axis = xa
    t = leaf(x)
    y = F.log_softmax(t, axis=axis)
    np.testing.assert_allclose(y.data, np.log(np_softmax(x, axis)), rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(lambda t: F.log_softmax(t, axis=axis), [t])


@GRADGRADCHECK
@given(xa=array_and_axis(max_dims=2))
def test_softmax_and_log_softmax_second_order(xa):
    x, axis = xa
    assert mg.gradgradcheck(lambda t: F.softmax(t, axis=axis), [leaf(x)])
    assert mg.gradgradcheck(lambda t: F.log_softmax(t, axis=axis), [leaf(x)])


def test_softmax_book_example_and_stability():
    y = F.softmax(mg.tensor([0.3, 2.9, 4.0]))
    np.testing.assert_allclose(y.data, [0.01821127, 0.24519181, 0.73659691], rtol=1e-6)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        big = F.softmax(mg.tensor([1010.0, 1000.0, 990.0]))
        small = F.log_softmax(mg.tensor([-1000.0, 0.0]))
    assert np.all(np.isfinite(big.data))
    np.testing.assert_allclose(big.data, np_softmax(np.array([10.0, 0.0, -10.0])))
    np.testing.assert_allclose(small.data, [-1000.0, 0.0])


@st.composite
def logits_and_labels(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(float_arrays((n, c), -5, 5))
    labels = draw(index_arrays(c, min_len=n, max_len=n))
    return x, labels


def _one_hot(labels, c):
    return np.eye(c)[labels]


def _reference_loss(x, labels):
    n = x.shape[0]
    return -np.log(np_softmax(x, 1)[np.arange(n), labels]).sum() / n


@GRADCHECK
@given(xl=logits_and_labels())
def test_cross_entropy_int_labels_and_one_hot_agree(xl):
    x, labels = xl
    n, c = x.shape
    t = leaf(x)
    loss = F.softmax_cross_entropy(t, labels)
    assert loss.shape == () and loss.creator.name == "SoftmaxCrossEntropy"
    np.testing.assert_allclose(loss.item(), _reference_loss(x, labels), rtol=1e-10, atol=1e-12)
    loss.backward()
    expected = (np_softmax(x, 1) - _one_hot(labels, c)) / n
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-10, atol=1e-14)

    u = leaf(x)
    loss_oh = F.softmax_cross_entropy(u, _one_hot(labels, c))
    np.testing.assert_allclose(loss_oh.item(), loss.item(), rtol=1e-12, atol=1e-14)
    loss_oh.backward()
    np.testing.assert_allclose(u.grad.data, t.grad.data, rtol=1e-10, atol=1e-14)

    assert mg.gradcheck(lambda t: F.softmax_cross_entropy(t, labels), [t])
    assert mg.gradcheck(lambda t: F.softmax_cross_entropy(t, _one_hot(labels, c)), [t])
    # labels as a tensor of ints, as a Python list
    np.testing.assert_allclose(
        F.softmax_cross_entropy(mg.tensor(x), mg.tensor(labels)).item(), loss.item())
    np.testing.assert_allclose(
        F.softmax_cross_entropy(mg.tensor(x), labels.tolist()).item(), loss.item())


@GRADGRADCHECK
@given(xl=logits_and_labels())
def test_cross_entropy_second_order(xl):
    x, labels = xl
    assert mg.gradgradcheck(lambda t: F.softmax_cross_entropy(t, labels), [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_cross_entropy_soft_targets_gradient_in_both_arguments(data):
    n, c = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    x = data.draw(float_arrays((n, c), -3, 3), label="x")
    p = data.draw(float_arrays((n, c), 0.1, 1.0), label="p")
    target = p / p.sum(axis=1, keepdims=True)
    loss = F.softmax_cross_entropy(mg.tensor(x), target)
    expected = -(target * np.log(np_softmax(x, 1))).sum() / n
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(lambda x, t: F.softmax_cross_entropy(x, t), [leaf(x), leaf(target)])


@pytest.mark.parametrize(
    "label", [2, np.int64(2), np.array(2), np.array([0.0, 0.0, 1.0, 0.0]), [0, 0, 1, 0]],
    ids=["int", "np-int", "0d-array", "one-hot", "one-hot-list"])
def test_cross_entropy_1d_logits(label):
    x = np.array([0.5, -1.0, 2.0, 0.1])
    t = leaf(x)
    loss = F.softmax_cross_entropy(t, label)
    np.testing.assert_allclose(loss.item(), -np.log(np_softmax(x)[2]), rtol=1e-12)
    loss.backward()
    assert t.grad.shape == (4,)
    np.testing.assert_allclose(t.grad.data, np_softmax(x) - np.eye(4)[2], rtol=1e-10)
    assert mg.gradcheck(lambda t: F.softmax_cross_entropy(t, label), [leaf(x)])


def test_cross_entropy_is_stable_for_huge_logits():
    x = leaf([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.softmax_cross_entropy(x, np.array([2, 0]))
        loss.backward()
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(3.0)) / 2)
    assert np.all(np.isfinite(x.grad.data))


def test_cross_entropy_float32_logits():
    x = mg.tensor(np.array([[1.0, 2.0, 0.5]], dtype=np.float32), requires_grad=True)
    loss = F.softmax_cross_entropy(x, np.array([1]))
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "logits, t, exc, words",
    [
        (np.zeros((2, 3)), np.array([0, 3]), IndexError, ["[0, 3)", "3"]),
        (np.zeros((2, 3)), np.array([0, -1]), IndexError, ["-1"]),
        (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, ["(3,)", "(2, 3)"]),
        (np.zeros((2, 3)), np.zeros((2, 4)), ValueError, ["(2, 4)", "(2, 3)"]),
        (np.zeros((2, 3, 4)), np.array([0, 1]), ValueError, ["(2, 3, 4)"]),
    ],
)
def test_cross_entropy_bad_targets(logits, t, exc, words):
    x = leaf(logits)
    with pytest.raises(exc) as info:
        F.softmax_cross_entropy(x, t)
    assert "softmax_cross_entropy" in str(info.value)
    for w in words:
        assert w in str(info.value)
    assert x.grad is None


def test_one_hot_targets_are_kept_as_labels():
    rng = np.random.default_rng(0)
    logits = mg.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[labels]
    loss = F.softmax_cross_entropy(logits, one_hot)
    saved = loss.creator.inputs[1]
    assert saved.dtype.kind == "i" and saved.shape == (5,)
    np.testing.assert_array_equal(saved.data, labels)
    (g_one_hot,) = mg.grad(loss, logits)
    (g_labels,) = mg.grad(F.softmax_cross_entropy(logits, labels), logits)
    np.testing.assert_array_equal(g_one_hot.data, g_labels.data)
    p = F.softmax(logits).data
    np.testing.assert_allclose(g_one_hot.data, (p - one_hot) / 5, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("targets", [
    np.array([[0.0, 1.0], [0.5, 0.5]]),          # soft targets
    np.array([[0.0, 1.0], [1.0 - 1e-12, 0.0]]),  # almost one-hot
    np.array([[2.0, -1.0], [0.0, 1.0]]),         # sums to 1 but not a distribution
])
def test_soft_targets_are_kept_as_given(targets):
    logits = mg.tensor(np.array([[0.2, -0.3], [1.5, 0.1]]), requires_grad=True)
    loss = F.softmax_cross_entropy(logits, targets)
    np.testing.assert_array_equal(loss.creator.inputs[1].data, targets)
    assert mg.gradcheck(lambda z: F.softmax_cross_entropy(z, targets), [logits])
