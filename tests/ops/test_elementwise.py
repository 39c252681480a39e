"""The op library's elementwise math: gradcheck, gradgradcheck, dtypes, edge values, errors."""

from __future__ import annotations

import math

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    GRADCHECK,
    GRADGRADCHECK,
    away_from_zero,
    broadcastable_pairs,
    float_arrays,
    shapes,
)

import minigrad as mg
from minigrad.ops import elementwise as E

# name -> (function, input strategy, NumPy reference)
UNARY = {
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
NAMES = sorted(UNARY)


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_unary_values_and_gradcheck(data, name):
    fn, inputs, ref = UNARY[name]
    x = data.draw(shapes().flatmap(inputs), label="x")
    y = fn(leaf(x))
    np.testing.assert_allclose(y.data, ref(x), rtol=1e-12, atol=1e-15)
    assert y.shape == x.shape and y.dtype == np.float64
    assert mg.gradcheck(fn, [leaf(x)])
    # the method spelling gives the same
    np.testing.assert_array_equal(getattr(mg.tensor(x), name)().data, y.data)


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_unary_gradgradcheck(data, name):
    fn, inputs, _ = UNARY[name]
    x = data.draw(shapes(max_dims=2).flatmap(inputs), label="x")
    assert mg.gradgradcheck(fn, [leaf(x)])


@pytest.mark.parametrize("name", NAMES)
def test_float32_stays_float32(name):
    fn, _, _ = UNARY[name]
    x = mg.tensor(np.array([0.5, 0.6], dtype=np.float32) + (1 if name == "acosh" else 0),
                  requires_grad=True)
    y = fn(x)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


BINARY = {
    "atan2": (mg.atan2, lambda s: away_from_zero(s, 0.3), lambda s: away_from_zero(s, 0.3)),
    "logaddexp": (mg.logaddexp, float_arrays, float_arrays),
    "hypot": (mg.hypot, lambda s: away_from_zero(s, 0.3), lambda s: away_from_zero(s, 0.3)),
    "copysign": (mg.copysign, lambda s: away_from_zero(s, 0.3), lambda s: away_from_zero(s, 0.3)),
    "fmod": (mg.fmod, lambda s: float_arrays(s, 0.1, 0.9), lambda s: float_arrays(s, 1.1, 2)),
    "mod": (mg.mod, lambda s: float_arrays(s, 0.1, 0.9), lambda s: float_arrays(s, 1.1, 2)),
}


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(BINARY)))
def test_binary_gradcheck_with_broadcasting(data, name):
    fn, ina, inb = BINARY[name]
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
