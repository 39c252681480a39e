"""Bad input raises a clear error naming the op and what was wrong, before anything changes."""

from __future__ import annotations

import re

import numpy as np
import pytest
from conftest import make_leaf  # the suite's one leaf maker

import minigrad as mg
import minigrad.functional as F

leaf = make_leaf


def _state(*ts):
    return [(t.data.copy(), None if t.grad is None else t.grad.data.copy(), t.version)
            for t in ts]


def _same(before, after):
    for (d0, g0, v0), (d1, g1, v1) in zip(before, after):
        assert np.array_equal(d0, d1) and v0 == v1
        assert (g0 is None and g1 is None) or np.array_equal(g0, g1)
    return True


@pytest.fixture
def primed():
    """Two leaves that already hold a gradient (the failing call must not touch it)."""
    a, b = leaf(np.ones((2, 3))), leaf(np.ones((4, 5)))
    ((a * 2).sum() + (b * 3).sum()).backward()
    return a, b


def test_matmul_shape_mismatch(primed):
    a, b = primed
    before = _state(a, b)
    with pytest.raises(ValueError) as info:
        a @ b
    msg = str(info.value)
    assert "MatMul" in msg and "(2, 3)" in msg and "(4, 5)" in msg
    with pytest.raises(ValueError, match=r"MatMul.*\(3,\).*\(4, 5\)"):
        mg.tensor([1.0, 2.0, 3.0]) @ b
    with pytest.raises(ValueError, match=r"MatMul.*0-d"):
        mg.tensor(2.0) @ b
    assert _same(before, _state(a, b))


@pytest.mark.parametrize("op, name", [(lambda x, y: x + y, "Add"), (lambda x, y: x * y, "Mul"),
                                      (lambda x, y: x - y, "Sub"), (lambda x, y: x / y, "Div")])
def test_broadcast_mismatch(primed, op, name):
    a, _ = primed
    c = leaf(np.ones(4))
    before = _state(a, c)
    with pytest.raises(ValueError) as info:
        op(a, c)
    msg = str(info.value)
    assert name in msg and "(2, 3)" in msg and "(4,)" in msg
    with pytest.raises(ValueError, match=name):
        op(a, np.ones((3, 2)))
    assert _same(before, _state(a, c))


def test_linear_shape_mismatch():
    x, w, b = leaf(np.ones((2, 3))), leaf(np.ones((4, 5))), leaf(np.ones(5))
    with pytest.raises(ValueError, match=r"Linear.*\(2, 3\).*\(4, 5\)"):
        F.linear(x, w, b)


@pytest.mark.parametrize("data", ["abc", b"abc", [1.0, "x"], [object()], object(),
                                  [[1.0, 2.0], [3.0]], {"a": 1}, np.array(["a", "b"]),
                                  np.array([object()], dtype=object), np.array([1 + 2j])],
                         ids=["str", "bytes", "mixed-list", "object-list", "object", "ragged",
                              "dict", "str-array", "object-array", "complex"])
def test_non_numeric_data_raises_type_error(data):
    with pytest.raises(TypeError) as info:
        mg.Tensor(data)
    assert "Tensor" in str(info.value)
    t = leaf([1.0, 2.0])
    before = _state(t)
    for op, name in ((lambda: t + data, "Add"), (lambda: data * t, "Mul")):
        with pytest.raises(TypeError) as info:
            op()
        assert name in str(info.value)
    assert _same(before, _state(t))


def test_backward_on_non_scalar_without_grad(primed):
    a, _ = primed
    before = _state(a)
    y = a * 2
    with pytest.raises(RuntimeError, match=re.escape("(2, 3)")):
        y.backward()
    assert _same(before, _state(a))
    y.backward(np.ones((2, 3)))  # the graph is intact
    np.testing.assert_array_equal(a.grad.data, np.full((2, 3), 4.0))


def test_backward_with_grad_of_the_wrong_shape(primed):
    a, _ = primed
    before = _state(a)
    y = a * 2
    with pytest.raises(ValueError) as info:
        y.backward(np.ones(3))
    assert "(3,)" in str(info.value) and "(2, 3)" in str(info.value)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        mg.grad(y, a, grad_outputs=np.ones((3, 2)))
    assert _same(before, _state(a))


def test_backward_on_tensor_that_does_not_require_grad():
    t = mg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        t.sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        t.backward(np.ones(2))
    assert t.grad is None


@pytest.mark.parametrize("index", [3, -4, (0, 5), np.array([0, 3]), (np.array([0]), 7)],
                         ids=["int", "negative", "tuple", "array", "array-tuple"])
def test_index_out_of_range(index):
    t = leaf(np.ones((3, 4)))
    with pytest.raises(IndexError) as info:
        t[index]
    msg = str(info.value)
    assert "GetItem" in msg and "(3, 4)" in msg


@pytest.mark.parametrize("call", [
    lambda t: t.sum(axis=3), lambda t: t.mean(axis=-4), lambda t: t.max(axis=(0, 5)),
    lambda t: t.min(axis=(1, 1)), lambda t: t.sum(axis=(0, -3)),
    lambda t: F.softmax(t, axis=3), lambda t: F.log_softmax(t, axis=-4),
    lambda t: t.transpose(0, 1), lambda t: t.transpose(0, 1, 5),
], ids=["sum", "mean", "max", "min-repeated", "sum-repeated-negative", "softmax",
        "log_softmax", "transpose-too-few", "transpose-out-of-range"])
def test_bad_axis(call):
    t = leaf(np.ones((2, 3, 4)))
    with pytest.raises((ValueError, IndexError)) as info:
        call(t)
    msg = str(info.value).lower()
    assert "axis" in msg or "axes" in msg
    assert t.grad is None


def test_reductions_of_empty_tensors():
    with pytest.raises(ValueError, match=r"max.*\(0,\)"):
        mg.tensor(np.zeros(0)).max()


@pytest.mark.parametrize("call, words", [
    (lambda t: t.reshape(4, 2), ["Reshape", "(4, 2)", "(2, 3)"]),
    (lambda t: t.broadcast_to((2, 4)), ["BroadcastTo", "(2, 4)", "(2, 3)"]),
    (lambda t: t.sum_to((2,)), ["SumTo", "(2, 3)", "(2,)"]),
    (lambda t: t.sum_to((1, 1, 1)), ["(2, 3)", "(1, 1, 1)"]),
])
def test_bad_shapes(call, words):
    t = leaf(np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        call(t)
    msg = str(info.value).replace(" ", "")  # NumPy prints (4,2), minigrad (4, 2)
    for w in words:
        assert w.replace(" ", "") in msg


def test_refused_backward_leaves_every_grad_unchanged():
    w1, w2 = leaf([1.0]), leaf([1.0])
    for loss in ((w2 * 3).sum() + (w1 * 2).exp().sin().sum(),
                 (w1 * 2).exp().sin().sum() + (w2 * 3).sum()):
        w2 -= mg.tensor([0.1])  # invalidates the graph that saved w2
        with pytest.raises(RuntimeError, match="Mul"):
            loss.backward()
        assert w1.grad is None and w2.grad is None


def test_item_of_many_elements():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        mg.tensor([1.0, 2.0]).item()
