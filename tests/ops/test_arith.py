"""Arithmetic ops: gradients over broadcasting pairs, mixed operands, constant and tensor powers."""

from __future__ import annotations

import operator

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from state_support import same as _same
from state_support import state as _state
from strategies import (
    GRADCHECK,
    GRADGRADCHECK,
    VALUES,
    away_from_zero,
    broadcastable_pairs,
    float_arrays,
    shapes,
)

import minigrad as mg

BINARY = {
    "add": operator.add,
    "sub": operator.sub,
    "mul": operator.mul,
    "div": operator.truediv,
}


def _operands(data, name, pair=None):
    sa, sb = pair if pair is not None else data.draw(broadcastable_pairs(), label="shapes")
    a = data.draw(float_arrays(sa), label="a")
    b = data.draw(away_from_zero(sb, 0.5) if name == "div" else float_arrays(sb), label="b")
    return a, b


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)))
def test_binary_gradcheck_broadcasting(data, name):
    op = BINARY[name]
    a, b = _operands(data, name)
    ta, tb = leaf(a), leaf(b)
    y = op(ta, tb)
    np.testing.assert_allclose(y.data, op(a, b), rtol=1e-12, atol=0)
    assert y.shape == np.broadcast_shapes(a.shape, b.shape)
    assert mg.gradcheck(op, [ta, tb])


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)))
def test_binary_gradgradcheck(data, name):
    op = BINARY[name]
    a, b = _operands(data, name, data.draw(broadcastable_pairs(max_dims=2), label="shapes"))
    assert mg.gradgradcheck(op, [leaf(a), leaf(b)])


@VALUES
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)))
def test_binary_gradients_are_summed_back_to_each_shape(data, name):
    op = BINARY[name]
    a, b = _operands(data, name)
    ta, tb = leaf(a), leaf(b)
    op(ta, tb).sum().backward()
    out = np.broadcast_shapes(a.shape, b.shape)
    ones = np.ones(out)
    expected = {
        "add": lambda: (ones, ones),
        "sub": lambda: (ones, -ones),
        "mul": lambda: (np.broadcast_to(b, out), np.broadcast_to(a, out)),
        "div": lambda: (np.broadcast_to(1 / b, out), np.broadcast_to(-a / b**2, out)),
    }[name]()
    for t, e in zip((ta, tb), expected):
        assert t.grad.shape == t.shape
        lead = e.ndim - t.ndim
        axes = tuple(range(lead)) + tuple(
            i + lead for i, n in enumerate(t.shape) if n == 1 and e.shape[i + lead] != 1)
        np.testing.assert_allclose(t.grad.data, e.sum(axis=axes).reshape(t.shape), rtol=1e-12)


@GRADCHECK
@given(x=shapes().flatmap(float_arrays))
def test_neg(x):
    t = leaf(x)
    np.testing.assert_array_equal((-t).data, -x)
    assert mg.gradcheck(lambda t: -t, [t])
    assert mg.gradgradcheck(lambda t: -t * t, [t])


@pytest.mark.parametrize("name", sorted(BINARY))
@pytest.mark.parametrize(
    "other",
    [2, 2.5, np.float64(1.5), np.array(3.0), np.array([1.0, -2.0, 4.0]),
     np.array([[1.0], [2.0]]), [0.5, 1.5, -3.0]],
    ids=["int", "float", "np-scalar", "0d-array", "1d-array", "2d-array", "list"],
)
def test_tensor_with_non_tensor_operand_on_either_side(name, other):
    op = BINARY[name]
    x = np.array([1.0, -2.0, 0.5])
    o = np.asarray(other, dtype=np.float64)
    for left in (False, True):
        t = leaf(x)
        y = op(other, t) if left else op(t, other)
        assert isinstance(y, mg.Tensor), type(y)
        assert y.requires_grad
        np.testing.assert_allclose(y.data, op(o, x) if left else op(x, o), rtol=1e-12)
        assert mg.gradcheck(lambda t, left=left: op(other, t) if left else op(t, other), [t])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_zero_dim_tensors(name):
    op = BINARY[name]
    a, b = leaf(1.5), leaf(-0.75)
    y = op(a, b)
    assert y.shape == ()
    assert mg.gradcheck(op, [a, b])
    m = leaf(np.arange(6.0).reshape(2, 3) + 1)
    assert mg.gradcheck(op, [a, m]) and mg.gradcheck(op, [m, b])


@pytest.mark.parametrize("name", sorted(BINARY))
def test_only_one_side_requires_grad(name):
    op = BINARY[name]
    a = leaf([[1.0, 2.0], [3.0, 4.0]])
    b = mg.tensor([0.5, -1.0])
    op(a, b).sum().backward()
    assert a.grad is not None and b.grad is None
    assert mg.gradcheck(lambda a: op(a, b), [a])
    assert mg.gradcheck(lambda b2: op(b, b2), [leaf([[1.0, 2.0], [3.0, 4.0]])])


# -- powers ----------------------------------------------------------------------


@GRADCHECK
@given(data=st.data(), c=st.sampled_from([2, 3, 1, 0, -1, -2, 0.5, -1.5, 2.5]))
def test_pow_constant_exponent(data, c):
    shape = data.draw(shapes(), label="shape")
    positive = not float(c).is_integer()
    x = data.draw(float_arrays(shape, 0.3, 2.0) if positive else away_from_zero(shape, 0.3),
                  label="x")
    t = leaf(x)
    y = t**c
    np.testing.assert_allclose(y.data, x**c, rtol=1e-12)
    assert y.creator.name == "Pow"
    assert mg.gradcheck(lambda t: t**c, [t])


@GRADGRADCHECK
@given(data=st.data(), c=st.sampled_from([2, 3, -1, 0.5]))
def test_pow_constant_exponent_second_order(data, c):
    shape = data.draw(shapes(max_dims=2), label="shape")
    x = data.draw(float_arrays(shape, 0.3, 2.0), label="x")
    assert mg.gradgradcheck(lambda t: t**c, [leaf(x)])


def test_pow_zero_and_one_exponents_have_exact_gradients_at_zero():
    x = leaf([0.0, 2.0, -3.0])
    (x**0).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 0.0])
    x.grad = None
    (x**1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 1.0])
    x.grad = None
    (x**2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 4.0, -6.0])


@GRADCHECK
@given(data=st.data())
def test_pow_tensor_exponent_broadcasting(data):
    sa, sb = data.draw(broadcastable_pairs(), label="shapes")
    a = data.draw(float_arrays(sa, 0.3, 2.0), label="a")
    b = data.draw(float_arrays(sb, -2.0, 2.0), label="b")
    ta, tb = leaf(a), leaf(b)
    np.testing.assert_allclose((ta**tb).data, a**b, rtol=1e-12)
    assert mg.gradcheck(lambda a, b: a**b, [ta, tb])


@GRADGRADCHECK
@given(data=st.data())
def test_pow_tensor_exponent_second_order(data):
    sa, sb = data.draw(broadcastable_pairs(max_dims=2), label="shapes")
    a = data.draw(float_arrays(sa, 0.5, 2.0), label="a")
    b = data.draw(float_arrays(sb, -1.5, 1.5), label="b")
    assert mg.gradgradcheck(lambda a, b: a**b, [leaf(a), leaf(b)])


@GRADCHECK
@given(data=st.data(), base=st.sampled_from([2, 2.0, 0.5, np.e, 10]))
def test_rpow_number_base(data, base):
    x = data.draw(shapes().flatmap(lambda s: float_arrays(s, -2.0, 2.0)), label="x")
    t = leaf(x)
    y = base**t
    assert isinstance(y, mg.Tensor)
    np.testing.assert_allclose(y.data, float(base) ** x, rtol=1e-12)
    y.sum().backward()
    np.testing.assert_allclose(t.grad.data, float(base) ** x * np.log(float(base)), rtol=1e-10)
    assert mg.gradcheck(lambda t: base**t, [t])
    assert mg.gradgradcheck(lambda t: base**t, [leaf(x)])


def test_pow_with_ndarray_base_and_exponent():
    x = leaf([0.5, 1.0, 2.0])
    y = np.array([2.0, 3.0, 4.0]) ** x
    assert isinstance(y, mg.Tensor)
    np.testing.assert_allclose(y.data, np.array([2.0, 3.0, 4.0]) ** x.data)
    z = x ** np.array([2.0, 3.0, 0.5])
    assert isinstance(z, mg.Tensor)
    assert mg.gradcheck(lambda x: x ** np.array([2.0, 3.0, 0.5]), [x])


@pytest.mark.parametrize("op, name", [
    (lambda x: x * None, "Mul"),
    (lambda x: None * x, "Mul"),
    (lambda x: x + None, "Add"),
    (lambda x: x - [1.0, None], "Sub"),
    (lambda x: x / None, "Div"),
])
def test_none_operand_is_a_type_error_naming_the_op(op, name):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=f"{name}.*None"):
        op(x)


def test_a_broadcast_needing_terabytes_names_the_op_and_shapes():
    a = mg.tensor(np.zeros((10**7, 1)))
    b = mg.tensor(np.zeros((1, 10**7)))
    with pytest.raises(MemoryError) as info:
        a + b
    msg = str(info.value)
    assert "Add" in msg and "(10000000, 1)" in msg and "(1, 10000000)" in msg


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
