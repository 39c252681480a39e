"""NumPy functions on tensors: ``np.exp(t)`` runs minigrad's ``exp`` and records it.

NumPy code written for arrays (the book's softmax and cross-entropy, written here
afresh) takes tensors and gives gradients; a NumPy function minigrad has no op for,
``out=`` and arguments an op cannot honour are refused with a TypeError that names them.
"""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, distinct_arrays, float_arrays, shapes

import minigrad as mg
from minigrad.ops import catalogue, numpy_dispatch


def np_softmax(a):
    """Softmax over the last axis in plain NumPy (the book's way, shifted by the max)."""
    shifted = a - np.max(a, axis=-1, keepdims=True)
    e = np.exp(shifted)
    return e / np.sum(e, axis=-1, keepdims=True)


def np_cross_entropy(y, t):
    """Mean cross-entropy of probabilities ``y`` and labels or one-hot ``t``, in NumPy."""
    if y.ndim == 1:
        y = y.reshape(1, y.size)
        t = t.reshape(1, t.size)
    if t.size == y.size:  # one-hot rows: take the labels
        t = t.argmax(axis=1)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n


# -- NumPy's functions run the ops -------------------------------------------------------------

CASES = [
    ("np.exp(t)", lambda t: np.exp(t), lambda a: np.exp(a)),
    ("np.sum(t, axis=0)", lambda t: np.sum(t, axis=0), lambda a: np.sum(a, axis=0)),
    ("np.maximum(t, 0)", lambda t: np.maximum(t, 0), lambda a: np.maximum(a, 0)),
    ("np.log(t*t + 1e-7)", lambda t: np.log(t * t + 1e-7), lambda a: np.log(a * a + 1e-7)),
    ("np.max(t, axis=1, keepdims=True)", lambda t: np.max(t, axis=1, keepdims=True),
     lambda a: np.max(a, axis=1, keepdims=True)),
    ("np.dot(t, t.T)", lambda t: np.dot(t, t.T), lambda a: np.dot(a, a.T)),
    ("np.matmul(t, t.T)", lambda t: np.matmul(t, t.T), lambda a: np.matmul(a, a.T)),
    ("np.reshape(t, (-1,))", lambda t: np.reshape(t, (-1,)), lambda a: np.reshape(a, (-1,))),
    ("np.mean(t)", lambda t: np.mean(t), lambda a: np.mean(a)),
    ("np.sqrt(t*t + 1)", lambda t: np.sqrt(t * t + 1), lambda a: np.sqrt(a * a + 1)),
    ("np.tanh(t)", lambda t: np.tanh(t), lambda a: np.tanh(a)),
    ("np.where(t > 0, t, 0.5 * t)", lambda t: np.where(t.data > 0, t, 0.5 * t),
     lambda a: np.where(a > 0, a, 0.5 * a)),
    ("np.clip(t, -0.1, 0.1)", lambda t: np.clip(t, -0.1, 0.1), lambda a: np.clip(a, -0.1, 0.1)),
    ("np.concatenate([t, t * 2], axis=1)", lambda t: np.concatenate([t, t * 2], axis=1),
     lambda a: np.concatenate([a, a * 2], axis=1)),
    ("np.stack([t, t])", lambda t: np.stack([t, t]), lambda a: np.stack([a, a])),
    ("np.add(t, 1)", lambda t: np.add(t, 1), lambda a: np.add(a, 1)),
    ("np.subtract(1, t)", lambda t: np.subtract(1, t), lambda a: np.subtract(1, a)),
    ("np.multiply(t, t)", lambda t: np.multiply(t, t), lambda a: np.multiply(a, a)),
    ("np.divide(t, 3)", lambda t: np.divide(t, 3), lambda a: np.divide(a, 3)),
    ("np.power(t, 3)", lambda t: np.power(t, 3), lambda a: np.power(a, 3)),
    ("np.negative(t)", lambda t: np.negative(t), lambda a: np.negative(a)),
    ("ndarray + t", lambda t: np.full(t.shape, 2.0) + t, lambda a: np.full(a.shape, 2.0) + a),
    ("ndarray - t", lambda t: np.full(t.shape, 2.0) - t, lambda a: np.full(a.shape, 2.0) - a),
    ("ndarray * t", lambda t: np.full(t.shape, 2.0) * t, lambda a: np.full(a.shape, 2.0) * a),
    ("ndarray / (t*t + 1)", lambda t: np.full(t.shape, 2.0) / (t * t + 1),
     lambda a: np.full(a.shape, 2.0) / (a * a + 1)),
    ("ndarray @ t", lambda t: np.ones((2, t.shape[0])) @ t, lambda a: np.ones((2, a.shape[0])) @ a),
    ("np.float64 * t", lambda t: np.float64(3.0) * t, lambda a: np.float64(3.0) * a),
    ("np.transpose(t)", lambda t: np.transpose(t), lambda a: np.transpose(a)),
    ("np.var(t, ddof=1)", lambda t: np.var(t, ddof=1), lambda a: np.var(a, ddof=1)),
    ("np.cumsum(t, axis=1)", lambda t: np.cumsum(t, axis=1), lambda a: np.cumsum(a, axis=1)),
    ("np.einsum('ij,kj->ik', t, t)", lambda t: np.einsum("ij,kj->ik", t, t),
     lambda a: np.einsum("ij,kj->ik", a, a)),
    ("np.sum(t, 1, None, None, True)", lambda t: np.sum(t, 1, None, None, True),
     lambda a: np.sum(a, 1, None, None, True)),
]


@pytest.mark.parametrize("name, on_tensor, on_array", CASES, ids=[c[0] for c in CASES])
@GRADCHECK
@given(data=st.data())
def test_numpy_functions_on_a_tensor_run_the_op_and_record_it(name, on_tensor, on_array, data):
    a = data.draw(distinct_arrays((3, 4)))
    a = np.where(a >= 0, a + 0.2, a - 0.2)  # no ties, no kinks at 0 or at the clip bounds
    x = leaf(a)
    y = on_tensor(x)
    assert isinstance(y, mg.Tensor), f"{name} gave a {type(y).__name__}"
    assert y.requires_grad and y.creator is not None, name
    np.testing.assert_allclose(y.data, on_array(a), rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(on_tensor, [leaf(a)])
    assert mg.gradgradcheck(on_tensor, [leaf(a)])


def test_the_numpy_table_is_the_catalogues_numpy_names():
    table = numpy_dispatch.numpy_table()
    declared = {n: e.function for e in catalogue.entries() for n in e.numpy}
    assert table == declared
    assert table["exp"] is mg.exp and table["amax"] is mg.max and table["pad"] is mg.pad


@GRADCHECK
@given(data=st.data(), one_hot=st.booleans())
def test_the_books_numpy_softmax_and_cross_entropy_take_a_tensor(data, one_hot):
    n, k = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    logits = data.draw(float_arrays((n, k)))
    labels = data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n))
    target = np.eye(k)[labels] if one_hot else np.array(labels)
    x = leaf(logits)
    loss = np_cross_entropy(np_softmax(x), target)
    assert isinstance(loss, mg.Tensor) and loss.shape == ()
    np.testing.assert_allclose(loss.data, np_cross_entropy(np_softmax(logits), target),
                               rtol=1e-12)
    loss.backward()
    p = np_softmax(logits)
    picked = p[np.arange(n), labels]
    # d/dx of -mean(log(p_t + eps)): (p - onehot) scaled by p_t / (p_t + eps)
    expected = (p - np.eye(k)[labels]) * (picked / (picked + 1e-7))[:, None] / n
    np.testing.assert_allclose(x.grad.data, expected, rtol=1e-9, atol=1e-12)
    assert mg.gradcheck(lambda u: np_cross_entropy(np_softmax(u), target), [leaf(logits)])


def test_the_books_cross_entropy_of_one_sample_and_a_tensor_target():
    x = leaf([0.1, 2.0, -1.0])
    loss = np_cross_entropy(np_softmax(x), mg.tensor([0.0, 1.0, 0.0]))
    assert isinstance(loss, mg.Tensor)
    loss.backward()
    p = np_softmax(np.array([0.1, 2.0, -1.0]))
    np.testing.assert_allclose(loss.data, -np.log(p[1] + 1e-7), rtol=1e-12)
    assert x.grad is not None and x.grad.shape == (3,)


@given(shape=shapes(min_dims=1))
def test_ndarray_on_the_left_gives_a_tensor(shape):
    x = leaf(np.ones(shape))
    a = np.full(shape, 3.0)
    for y in (a + x, a - x, a * x, a / x, a ** x, np.float64(2.0) * x):
        assert isinstance(y, mg.Tensor) and y.requires_grad
    assert isinstance(a < x, mg.Tensor) and (a < x).dtype == np.bool_
    np.testing.assert_array_equal((a > x).data, np.ones(shape, dtype=bool))
    np.testing.assert_array_equal(np.equal(a, x).data, (a == x.data))


def test_comparison_ufuncs_give_the_operators_bool_tensors():
    x = mg.tensor([1.0, 2.0, 3.0], requires_grad=True)
    for ufunc, expected in ((np.less, [True, False, False]), (np.greater_equal,
                                                            [False, True, True])):
        y = ufunc(x, 2.0)
        assert isinstance(y, mg.Tensor) and not y.requires_grad
        np.testing.assert_array_equal(y.data, expected)


def test_functions_that_describe_an_array_still_work():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    assert np.shape(x) == (2, 3) and np.ndim(x) == 2 and np.size(x) == 6
    assert np.allclose(x, x.data) and np.array_equal(x, x.data)
    assert np.result_type(x, np.float32) == np.float64


def test_asarray_and_array_still_give_the_data():
    x = mg.tensor([[1.0, 2.0]], requires_grad=True)
    assert np.asarray(x) is x.data
    assert np.asarray(x, dtype=np.float32).dtype == np.float32
    c = np.array(x)
    assert isinstance(c, np.ndarray) and c is not x.data
    np.testing.assert_array_equal(np.asarray([x, x]), [[[1.0, 2.0]], [[1.0, 2.0]]])


def test_a_numpy_function_without_an_op_is_refused_by_name():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.median has no minigrad op.*not be differentiable"
                                        r".*np\.median\(t\.numpy\(\)\)"):
        np.median(x)
    with pytest.raises(TypeError, match=r"np\.logaddexp2 has no minigrad op"):
        np.logaddexp2(x, x)
    with pytest.raises(TypeError, match=r"numpy\.linalg\.norm has no minigrad op"):
        np.linalg.norm(x)
    assert np.median(x.numpy()) == 1.5  # the way out, named in the message


def test_out_and_unsupported_arguments_are_refused_by_name():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=r"np\.exp\(\.\.\., out=\.\.\.\) is not supported"):
        np.exp(x, out=np.empty(2))
    with pytest.raises(TypeError, match=r"np\.sum\(\.\.\., out=\.\.\.\) is not supported"):
        np.sum(x, out=np.empty(()))
    with pytest.raises(TypeError, match=r"np\.add\(\.\.\., out=\.\.\.\).*a = a \+ t"):
        a = np.zeros(2)
        a += x
    with pytest.raises(TypeError, match=r"np\.exp\(\.\.\., dtype=.*\) is not supported"):
        np.exp(x, dtype=np.float32)
    with pytest.raises(TypeError, match=r"np\.mean\(\.\.\., where=\.\.\.\) is not supported"):
        np.mean(x, where=np.array([True, False]))
    with pytest.raises(TypeError, match=r"np\.add\.reduce is not supported"):
        np.add.reduce(x)
    with pytest.raises(TypeError, match=r"np\.where with Tensors runs minigrad's where\(condition"):
        np.where(x.data > 1, x)
    # arguments left at NumPy's default are fine
    np.testing.assert_allclose(np.sum(x, axis=0, dtype=None, out=None).data, 3.0)
    np.testing.assert_allclose(np.exp(x, out=None, where=True).data, np.exp(x.data))
