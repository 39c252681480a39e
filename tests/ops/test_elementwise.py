"""Elementwise math: arithmetic and powers with broadcasting, the primitive functions (exp,
log, ..., relu, abs), astype, and the op library's elementwise math; values, first and
second derivatives, dtypes, edge values, bad inputs."""

from __future__ import annotations

import math
import operator
import warnings

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
    distinct_arrays,
    float_arrays,
    shapes,
)

import minigrad as mg
import minigrad.functional as F
from minigrad.ops import elementwise as E

# -- the op library's elementwise math --------------------------------------------------------

# name -> (function, input strategy, NumPy reference)
MATH_UNARY = {
    "log2": (mg.log2, lambda s: float_arrays(s, 0.3, 3), np.log2),
    "log10": (mg.log10, lambda s: float_arrays(s, 0.3, 3), np.log10),
    "exp2": (mg.exp2, lambda s: float_arrays(s), np.exp2),
    "log1p": (mg.log1p, lambda s: float_arrays(s, -0.7, 3), np.log1p),
    "expm1": (mg.expm1, lambda s: float_arrays(s), np.expm1),
    "rsqrt": (mg.rsqrt, lambda s: float_arrays(s, 0.3, 3), lambda x: 1 / np.sqrt(x)),
    "reciprocal": (mg.reciprocal, lambda s: away_from_zero(s, 0.3), np.reciprocal),
    "square": (mg.square, lambda s: float_arrays(s), np.square),
    "tan": (mg.tan, lambda s: float_arrays(s, -1.2, 1.2), np.tan),
    "asin": (mg.asin, lambda s: float_arrays(s, -0.8, 0.8), np.arcsin),
    "acos": (mg.acos, lambda s: float_arrays(s, -0.8, 0.8), np.arccos),
    "atan": (mg.atan, lambda s: float_arrays(s), np.arctan),
    "sinh": (mg.sinh, lambda s: float_arrays(s), np.sinh),
    "cosh": (mg.cosh, lambda s: float_arrays(s), np.cosh),
    "asinh": (mg.asinh, lambda s: float_arrays(s), np.arcsinh),
    "acosh": (mg.acosh, lambda s: float_arrays(s, 1.2, 3), np.arccosh),
    "atanh": (mg.atanh, lambda s: float_arrays(s, -0.8, 0.8), np.arctanh),
    "erf": (mg.erf, lambda s: float_arrays(s), np.vectorize(math.erf, otypes=[float])),
}
MATH_NAMES = sorted(MATH_UNARY)


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(MATH_NAMES))
def test_unary_math_values_and_gradcheck(data, name):
    fn, inputs, ref = MATH_UNARY[name]
    x = data.draw(shapes().flatmap(inputs), label="x")
    y = fn(leaf(x))
    np.testing.assert_allclose(y.data, ref(x), rtol=1e-12, atol=1e-15)
    assert y.shape == x.shape and y.dtype == np.float64
    assert mg.gradcheck(fn, [leaf(x)])
    # the method spelling gives the same
    np.testing.assert_array_equal(getattr(mg.tensor(x), name)().data, y.data)


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(MATH_NAMES))
def test_unary_math_gradgradcheck(data, name):
    fn, inputs, _ = MATH_UNARY[name]
    x = data.draw(shapes(max_dims=2).flatmap(inputs), label="x")
    assert mg.gradgradcheck(fn, [leaf(x)])


@pytest.mark.parametrize("name", MATH_NAMES)
def test_float32_stays_float32(name):
    fn, _, _ = MATH_UNARY[name]
    x = mg.tensor(np.array([0.5, 0.6], dtype=np.float32) + (1 if name == "acosh" else 0),
                  requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


MATH_BINARY = {
    "atan2": (mg.atan2, lambda s: away_from_zero(s, 0.3), lambda s: away_from_zero(s, 0.3)),
    "logaddexp": (mg.logaddexp, float_arrays, float_arrays),
    "hypot": (mg.hypot, lambda s: away_from_zero(s, 0.3), lambda s: away_from_zero(s, 0.3)),
    "copysign": (mg.copysign, lambda s: away_from_zero(s, 0.3), lambda s: away_from_zero(s, 0.3)),
    "fmod": (mg.fmod, lambda s: float_arrays(s, 0.1, 0.9), lambda s: float_arrays(s, 1.1, 2)),
    "mod": (mg.mod, lambda s: float_arrays(s, 0.1, 0.9), lambda s: float_arrays(s, 1.1, 2)),
}


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(MATH_BINARY)))
def test_binary_gradcheck_with_broadcasting(data, name):
    fn, ina, inb = MATH_BINARY[name]
    sa, sb = data.draw(broadcastable_pairs())
    a, b = leaf(data.draw(ina(sa))), leaf(data.draw(inb(sb)))
    assert mg.gradcheck(fn, [a, b])
    if name != "copysign":
        assert mg.gradgradcheck(fn, [a, b])


@GRADCHECK
@given(data=st.data())
def test_lerp_gradcheck(data):
    sa, sb = data.draw(broadcastable_pairs())
    a, b = leaf(data.draw(float_arrays(sa))), leaf(data.draw(float_arrays(sb)))
    w = leaf(data.draw(float_arrays(sb, 0, 1)))
    assert mg.gradcheck(mg.lerp, [a, b, w])
    assert mg.gradgradcheck(mg.lerp, [a, b, w])
    np.testing.assert_allclose(mg.lerp(a, b, w).data, a.data + w.data * (b.data - a.data),
                               rtol=1e-12, atol=1e-14)


def test_lerp_ends_exactly():
    a, b = mg.tensor([0.1, 1e10]), mg.tensor([0.7, -3.0])
    np.testing.assert_array_equal(mg.lerp(a, b, 1.0).data, b.data)
    np.testing.assert_array_equal(mg.lerp(a, b, 0.0).data, a.data)


@pytest.mark.parametrize("fn", [mg.sign, mg.floor, mg.ceil, mg.round, mg.trunc])
def test_piecewise_constant_ops_have_zero_gradient(fn):
    x = leaf([-1.5, -0.5, 0.0, 0.5, 2.5])
    (g,) = mg.grad(fn(x).sum(), [x])
    np.testing.assert_array_equal(g.data, np.zeros(5))


def test_rounding_values():
    x = mg.tensor([-2.5, -1.5, -0.5, 0.5, 1.5, 2.7])
    np.testing.assert_array_equal(mg.round(x).data, [-2.0, -2.0, -0.0, 0.0, 2.0, 3.0])
    np.testing.assert_array_equal(x.round(1).data, np.round(x.data, 1))
    np.testing.assert_array_equal(mg.trunc(x).data, np.trunc(x.data))
    ints = mg.tensor(np.array([-3, 4]))
    assert mg.floor(ints).dtype == ints.dtype and mg.sign(ints).dtype == ints.dtype


def test_remainders_and_rounded_division():
    a, b = mg.tensor([-7.0, 7.0, -7.5]), mg.tensor([2.0, -2.0, 2.0])
    np.testing.assert_array_equal((a % b).data, np.mod(a.data, b.data))
    np.testing.assert_array_equal(mg.fmod(a, b).data, np.fmod(a.data, b.data))
    np.testing.assert_array_equal((a // b).data, np.floor_divide(a.data, b.data))
    np.testing.assert_array_equal(mg.div(a, b, rounding_mode="trunc").data, [-3.0, -3.0, -3.0])
    np.testing.assert_array_equal(a.div(b, rounding_mode="floor").data, [-4.0, -4.0, -4.0])
    np.testing.assert_array_equal((5.0 % b).data, np.mod(5.0, b.data))
    ia, ib = mg.tensor(np.array([-7, 7, 6])), mg.tensor(np.array([2, -2, 3]))
    q = mg.div(ia, ib, rounding_mode="trunc")
    assert q.dtype == np.int64
    np.testing.assert_array_equal(q.data, [-3, -3, 2])
    assert (mg.div(ia, ib)).dtype == np.float64  # NumPy's true division


def test_floor_divide_does_not_record():
    x = leaf([3.0, -3.0])
    assert not (x // 2).requires_grad
    assert not (7 // x).requires_grad
    y = mg.div(x, 2.0, rounding_mode="floor")
    assert y.requires_grad
    (g,) = mg.grad(y.sum(), [x])
    np.testing.assert_array_equal(g.data, [0.0, 0.0])


def test_copysign_gradient_at_zero_and_for_sign():
    a, b = leaf([0.0, 2.0, -3.0]), leaf([-1.0, -1.0, 1.0])
    ga, gb = mg.grad(mg.copysign(a, b).sum(), [a, b])
    np.testing.assert_array_equal(ga.data, [0.0, -1.0, -1.0])
    np.testing.assert_array_equal(gb.data, [0.0, 0.0, 0.0])


def test_logaddexp_is_stable():
    a, b = leaf([1000.0, -1000.0]), leaf([1000.0, -1001.0])
    y = mg.logaddexp(a, b)
    assert np.all(np.isfinite(y.data))
    ga, gb = mg.grad(y.sum(), [a, b])
    np.testing.assert_allclose(ga.data + gb.data, [1.0, 1.0])


def test_erf_values():
    x = np.array([-3.0, -0.5, 0.0, 1e-8, 1.0, 6.0])
    np.testing.assert_allclose(mg.erf(x).data, [math.erf(v) for v in x], rtol=1e-15)
    assert mg.erf(mg.tensor(np.zeros((2, 0)))).shape == (2, 0)


def test_tests_of_values():
    x = mg.tensor([1.0, np.nan, np.inf, -np.inf])
    np.testing.assert_array_equal(x.isnan().data, [False, True, False, False])
    np.testing.assert_array_equal(mg.isinf(x).data, [False, False, True, True])
    np.testing.assert_array_equal(mg.isfinite(x).data, [True, False, False, False])
    np.testing.assert_array_equal(x.isposinf().data, [False, False, True, False])
    np.testing.assert_array_equal(mg.isneginf(x).data, [False, False, False, True])
    np.testing.assert_array_equal(mg.isposinf(np.array([3, -3])).data, [False, False])
    assert not mg.isneginf(leaf([1.0])).requires_grad
    np.testing.assert_array_equal(mg.isclose(x, x, equal_nan=True).data, [True] * 4)
    assert mg.isnan(x).dtype == np.bool_ and not mg.isnan(leaf([1.0])).requires_grad


def test_bitwise_and_logical_operators():
    a, b = mg.tensor(np.array([12, -5, 3])), mg.tensor(np.array([10, 3, 1]))
    np.testing.assert_array_equal((a & b).data, [8, 3, 1])
    np.testing.assert_array_equal((a | b).data, [14, -5, 3])
    np.testing.assert_array_equal((a ^ b).data, [6, -8, 2])
    np.testing.assert_array_equal((~a).data, [-13, 4, -4])
    np.testing.assert_array_equal((a << 1).data, [24, -10, 6])
    np.testing.assert_array_equal((a >> 1).data, [6, -3, 1])
    np.testing.assert_array_equal((1 << b).data, [1024, 8, 2])
    np.testing.assert_array_equal((6 & a).data, [4, 2, 2])
    p, q = mg.tensor(np.array([True, False])), mg.tensor(np.array([True, True]))
    np.testing.assert_array_equal((p & q).data, [True, False])
    np.testing.assert_array_equal((~p).data, [False, True])
    np.testing.assert_array_equal(mg.logical_xor(p, q).data, [False, True])
    np.testing.assert_array_equal(mg.logical_and(a, 0).data, [False] * 3)
    np.testing.assert_array_equal(mg.logical_or(p, 0.0).data, [True, False])
    np.testing.assert_array_equal(mg.logical_not(a).data, [False] * 3)


# -- bad inputs ---------------------------------------------------------------------------------

@pytest.mark.parametrize("op", [lambda x: x & x, lambda x: ~x, lambda x: x << 1,
                                lambda x: mg.bitwise_or(x, 1), lambda x: 3 ^ x])
def test_bitwise_on_floats_is_a_clear_type_error(op):
    with pytest.raises(TypeError, match="integer or bool"):
        op(mg.tensor([1.0, 2.0]))


def test_broadcasting_errors_name_the_op_and_shapes():
    a, b = mg.tensor(np.ones((2, 3))), mg.tensor(np.ones((4,)))
    with pytest.raises(ValueError, match=r"floor_divide.*\(2, 3\).*\(4,\)"):
        a // b
    with pytest.raises(ValueError, match=r"isclose.*\(2, 3\)"):
        mg.isclose(a, b)
    with pytest.raises(ValueError, match="Atan2"):
        mg.atan2(a, b)
    with pytest.raises(ValueError, match="Lerp"):
        mg.lerp(a, b, 0.5)


def test_bad_arguments():
    with pytest.raises(ValueError, match="rounding_mode"):
        mg.div(mg.tensor([1.0]), 2, rounding_mode="ceil")
    with pytest.raises(TypeError, match="decimals"):
        mg.round(mg.tensor([1.0]), 0.5)


def test_metadata():
    assert E.Log2.elementwise and not E.Log2.broadcasting
    assert E.Atan2.elementwise and E.Atan2.broadcasting is True
    assert E.Lerp.broadcasting is True
    assert E.Round(2).attrs() == {"decimals": 2}
    assert E.RoundedDivide("floor").attrs() == {"rounding_mode": "floor"}


# -- arithmetic: +, -, *, /, neg and powers, with broadcasting --------------------------------

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


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


# -- exp, log, sqrt, sin, cos, tanh, sigmoid, relu, abs ---------------------------------------

# name -> (reference, strategy of inputs for a shape, derivative)
UNARY = {
    "exp": (np.exp, lambda s: float_arrays(s, -2, 2), np.exp),
    "log": (np.log, lambda s: float_arrays(s, 0.3, 3), lambda x: 1 / x),
    "sqrt": (np.sqrt, lambda s: float_arrays(s, 0.3, 3), lambda x: 0.5 / np.sqrt(x)),
    "sin": (np.sin, lambda s: float_arrays(s, -3, 3), np.cos),
    "cos": (np.cos, lambda s: float_arrays(s, -3, 3), lambda x: -np.sin(x)),
    "tanh": (np.tanh, lambda s: float_arrays(s, -3, 3), lambda x: 1 - np.tanh(x) ** 2),
    "sigmoid": (_sigmoid, lambda s: float_arrays(s, -4, 4),
                lambda x: _sigmoid(x) * (1 - _sigmoid(x))),
    "relu": (lambda x: np.maximum(x, 0), lambda s: away_from_zero(s, 0.1),
             lambda x: (x > 0).astype(float)),
    "abs": (np.abs, lambda s: away_from_zero(s, 0.1), np.sign),
}


NAMES = sorted(UNARY)


def _apply(name, t):
    return getattr(t, name)()


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_unary_values_and_gradcheck(data, name):
    ref, inputs, deriv = UNARY[name]
    x = data.draw(shapes().flatmap(inputs), label="x")
    t = leaf(x)
    y = _apply(name, t)
    np.testing.assert_allclose(y.data, ref(x), rtol=1e-12, atol=1e-15)
    assert y.shape == x.shape and y.dtype == np.float64
    y.backward(np.ones_like(x))
    np.testing.assert_allclose(t.grad.data, deriv(x), rtol=1e-10, atol=1e-15)
    assert mg.gradcheck(lambda t: _apply(name, t), [t])


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_unary_gradgradcheck(data, name):
    _, inputs, _ = UNARY[name]
    x = data.draw(shapes(max_dims=2).flatmap(inputs), label="x")
    assert mg.gradgradcheck(lambda t: _apply(name, t), [leaf(x)])


@pytest.mark.parametrize("name", NAMES)
def test_functional_and_method_forms_agree(name):
    x = np.array([0.4, 1.3, 2.0])
    np.testing.assert_array_equal(getattr(F, name)(mg.tensor(x)).data,
                                  _apply(name, mg.tensor(x)).data)


def test_relu_and_abs_gradient_at_zero_is_zero():
    x = leaf([-1.0, 0.0, 2.0])
    x.relu().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.0, 1.0])
    x.grad = None
    x.abs().sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 0.0, 1.0])


def test_sigmoid_is_stable_for_large_inputs():
    x = leaf([-1000.0, -50.0, 0.0, 50.0, 1000.0])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = x.sigmoid()
        y.sum().backward()
    assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(x.grad.data))
    assert y.data[0] == 0.0 and y.data[-1] == 1.0 and y.data[2] == 0.5
    np.testing.assert_allclose(y.data[1], _sigmoid(-50.0), rtol=1e-12)
    assert x.grad.data[2] == 0.25


@pytest.mark.parametrize("name", NAMES)
def test_float32_in_float32_out(name):
    x = mg.tensor(np.array([0.5, 1.5], dtype=np.float32), requires_grad=True)
    y = _apply(name, x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_unary_on_non_leaf_chain():
    x = leaf([0.3, 0.7])
    assert mg.gradcheck(lambda x: x.sin().exp().tanh().sigmoid().sqrt().log(), [x])
    assert mg.gradgradcheck(lambda x: x.cos().exp().tanh(), [leaf([0.3, 0.7])])


# -- astype ------------------------------------------------------------------------------------

def test_astype_between_floats_is_differentiable_and_casts_the_gradient_back(leaf):
    x = leaf([1.0, 2.0])
    y = x.astype(np.float32)
    assert y.requires_grad and y.dtype == np.float32 and y.grad_fn is not None
    (y * y).sum().backward()
    assert x.grad.dtype == np.float64
    np.testing.assert_allclose(x.grad.data, [2.0, 4.0])
    z = x.astype(np.float64)
    assert z.requires_grad and z is not x
    assert not x.astype(np.int64).requires_grad


# -- clip, maximum and minimum ------------------------------------------------------------------


@GRADCHECK
@given(data=st.data())
def test_maximum_minimum_gradcheck(data):
    sa, sb = data.draw(broadcastable_pairs())
    a = data.draw(distinct_arrays(sa))
    b = data.draw(distinct_arrays(sb)) + 0.05  # no ties
    for op, ref in ((mg.maximum, np.maximum), (mg.minimum, np.minimum)):
        np.testing.assert_array_equal(op(a, b).data, ref(a, b))
        assert mg.gradcheck(op, [leaf(a), leaf(b)])


def test_maximum_minimum_ties_split_the_gradient():
    for op in (mg.maximum, mg.minimum):
        a, b = leaf([1.0, 2.0, 3.0]), leaf([1.0, 5.0, 0.0])
        op(a, b).backward(np.ones(3))
        big = op is mg.maximum
        np.testing.assert_array_equal(a.grad.data, [0.5, 0.0 if big else 1.0, 1.0 if big else 0.0])
        np.testing.assert_array_equal(b.grad.data, [0.5, 1.0 if big else 0.0, 0.0 if big else 1.0])


@GRADCHECK
@given(data=st.data())
def test_clip_gradcheck_and_values(data):
    x = data.draw(float_arrays(data.draw(shapes())))
    x = np.where(np.abs(np.abs(x) - 1) < 1e-3, 0.5, x)  # away from the kinks of clip(-1, 1)
    x = np.where(np.abs(x * x - 0.5) < 1e-3, 0.25, x)  # and of (x * x).clamp(min=0.5)
    y = leaf(x).clip(-1.0, 1.0)
    np.testing.assert_array_equal(y.data, np.clip(x, -1.0, 1.0))
    assert mg.gradcheck(lambda t: t.clip(-1, 1), [leaf(x)])
    assert mg.gradgradcheck(lambda t: (t * t).clamp(min=0.5), [leaf(x)])


def test_clip_gradient_is_one_at_the_boundaries():
    x = leaf([-2.0, -1.0, 0.0, 1.0, 2.0])
    x.clip(-1.0, 1.0).backward(np.ones(5))
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 1.0, 1.0, 0.0])


def test_clip_with_tensor_bounds_is_differentiable_in_them():
    x, lo, hi = leaf([-2.0, 0.0, 3.0]), leaf(-1.0), leaf([1.0, 1.0, 2.0])
    mg.clip(x, lo, hi).backward(np.ones(3))
    np.testing.assert_array_equal(x.grad.data, [0.0, 1.0, 0.0])
    assert lo.grad.item() == 1.0
    np.testing.assert_array_equal(hi.grad.data, [0.0, 0.0, 1.0])
    assert mg.gradcheck(lambda a, b, c: mg.clip(a, b, c), [leaf([-2.0, 0.0, 3.0]), leaf(-1.0),
                                                            leaf([1.0, 1.0, 2.0])])


@pytest.mark.parametrize(("a", "b"), [
    ([0.0, 0.0, 1.0, -2.0], [0.0, 3.0, 0.0, -1.0]),  # the origin among other points
    ([[0.0], [1.0]], [0.0, 0.0, 2.0]),                  # broadcast: the origin once
    (0.0, [0.0, 1.0]),
])
def test_atan2_gradient_at_the_origin_is_zero(a, b):
    """PyTorch's choice at the one point where atan2 is not differentiable; elsewhere exact."""
    ta, tb = leaf(a), leaf(b)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ga, gb = mg.grad(mg.atan2(ta, tb).sum(), [ta, tb])
    aa, bb = np.broadcast_arrays(np.asarray(a, float), np.asarray(b, float))
    r2 = aa * aa + bb * bb
    with np.errstate(invalid="ignore", divide="ignore"):
        da, db = np.where(r2 == 0, 0.0, bb / r2), np.where(r2 == 0, 0.0, -aa / r2)
    sum_to = mg.ops.shape.sum_to
    np.testing.assert_allclose(ga.data, sum_to(mg.tensor(da), ta.shape).data)
    np.testing.assert_allclose(gb.data, sum_to(mg.tensor(db), tb.shape).data)
