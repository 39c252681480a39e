"""Activations: softmax, log_softmax and the op library's activations; values, gradcheck,
gradgradcheck, kinks, modules, errors."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import GRADCHECK, GRADGRADCHECK, away_from_zero, float_arrays, shapes

import minigrad as mg
import minigrad.functional as F


def _sig(x):
    return 1 / (1 + np.exp(-x))


_erf = np.vectorize(math.erf, otypes=[float])

# name -> (function, NumPy reference)
ACTS = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.1), lambda x: np.where(x > 0, x, 0.1 * x)),
    "elu": (F.elu, lambda x: np.where(x > 0, x, np.expm1(x))),
    "celu": (lambda x: F.celu(x, 2.0), lambda x: np.maximum(x, 0) + np.minimum(
        0, 2 * np.expm1(x / 2))),
    "selu": (F.selu, lambda x: F.SELU_SCALE * np.where(x > 0, x, F.SELU_ALPHA * np.expm1(x))),
    "gelu": (F.gelu, lambda x: 0.5 * x * (1 + _erf(x / np.sqrt(2)))),
    "gelu_tanh": (lambda x: F.gelu(x, "tanh"), lambda x: 0.5 * x * (1 + np.tanh(
        np.sqrt(2 / np.pi) * (x + 0.044715 * x ** 3)))),
    "quick_gelu": (F.quick_gelu, lambda x: x * _sig(1.702 * x)),
    "silu": (F.silu, lambda x: x * _sig(x)),
    "mish": (F.mish, lambda x: x * np.tanh(np.log1p(np.exp(x)))),
    "softplus": (F.softplus, lambda x: np.log1p(np.exp(x))),
    "softsign": (F.softsign, lambda x: x / (1 + np.abs(x))),
    "logsigmoid": (F.logsigmoid, lambda x: np.log(_sig(x))),
    "hardtanh": (F.hardtanh, lambda x: np.clip(x, -1, 1)),
    "relu6": (F.relu6, lambda x: np.clip(x, 0, 6)),
    "hardsigmoid": (F.hardsigmoid, lambda x: np.clip(x + 3, 0, 6) / 6),
    "hardswish": (F.hardswish, lambda x: x * np.clip(x + 3, 0, 6) / 6),
}
NAMES = sorted(ACTS)
KINKS = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0])


def _inputs(shape):
    # away from every kink (0, +-1, +-3, 6)
    return away_from_zero(shape, 0.05, 7.0).map(
        lambda a: np.where(np.min(np.abs(a[..., None] - KINKS), axis=-1) < 0.05, a + 0.1, a))


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_values_and_gradcheck(data, name):
    fn, ref = ACTS[name]
    x = data.draw(shapes().flatmap(_inputs), label="x")
    y = fn(leaf(x))
    np.testing.assert_allclose(y.data, ref(x), rtol=1e-10, atol=1e-14)
    assert y.shape == x.shape
    assert mg.gradcheck(fn, [leaf(x)])


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(NAMES))
def test_gradgradcheck(data, name):
    fn, _ = ACTS[name]
    x = data.draw(shapes(max_dims=2).flatmap(_inputs), label="x")
    assert mg.gradgradcheck(fn, [leaf(x)])


def test_gradients_at_kinks_follow_pytorch():
    x = leaf([-3.0, 0.0, 3.0, 6.0])

    def g(fn):
        return mg.grad(fn(x).sum(), [x])[0].data

    np.testing.assert_array_equal(g(lambda t: F.leaky_relu(t, 0.1)), [0.1, 0.1, 1, 1])
    np.testing.assert_allclose(g(F.elu), [math.exp(-3), 1.0, 1, 1], rtol=1e-15)
    np.testing.assert_array_equal(g(F.relu6), [0, 0, 1, 0])
    np.testing.assert_array_equal(g(F.hardtanh), [0, 1, 0, 0])
    np.testing.assert_array_equal(g(F.hardswish), [0, 0.5, 1, 1])
    np.testing.assert_allclose(g(F.hardsigmoid), [0, 1 / 6, 0, 0])
    np.testing.assert_array_equal(g(F.logsigmoid)[1], 0.5)


def test_stable_at_extremes():
    x = leaf([-1000.0, -30.0, 30.0, 1000.0])
    for fn in (F.softplus, F.logsigmoid, F.mish, F.silu, F.elu, F.selu, F.gelu, F.softsign):
        y = fn(x)
        (g,) = mg.grad(y.sum(), [x])
        assert np.all(np.isfinite(y.data)) and np.all(np.isfinite(g.data)), fn.__name__
    np.testing.assert_allclose(F.softplus(x).data, [0.0, math.log1p(math.exp(-30)), 30, 1000])
    np.testing.assert_allclose(F.logsigmoid(x).data, [-1000, -30 - math.log1p(math.exp(-30)),
                                                      -math.log1p(math.exp(-30)), 0.0])


def test_softplus_beta_threshold():
    x = leaf([0.5, 2.0, 11.0])
    y = F.softplus(x, beta=2.0, threshold=20.0)
    np.testing.assert_allclose(y.data, [np.log1p(np.exp(1.0)) / 2, np.log1p(np.exp(4)) / 2, 11.0])
    assert mg.gradcheck(lambda t: F.softplus(t, 2.0, 20.0), [x])


@GRADCHECK
@given(data=st.data())
def test_softmin_and_normalize(data):
    shape = data.draw(shapes(min_dims=2))
    x = data.draw(away_from_zero(shape, 0.2, 2.0))
    np.testing.assert_allclose(F.softmin(x, axis=0).data, F.softmax(-x, axis=0).data)
    np.testing.assert_allclose(F.softmin(x, dim=1).data.sum(axis=1), 1.0)
    n = F.normalize(x)
    np.testing.assert_allclose(np.linalg.norm(n.data, axis=1), 1.0)
    assert mg.gradcheck(lambda t: F.normalize(t, p=3.0, axis=-1), [leaf(x)])
    assert mg.gradgradcheck(lambda t: F.normalize(t), [leaf(x)])


def test_normalize_zero_vector():
    x = leaf([[0.0, 0.0], [3.0, 4.0]])
    y = F.normalize(x)
    np.testing.assert_allclose(y.data, [[0, 0], [0.6, 0.8]])
    (g,) = mg.grad(y.sum(), [x])
    assert np.all(np.isfinite(g.data))
    np.testing.assert_allclose(g.data[0], [1e12, 1e12])  # x / eps


def test_book_step_and_identity():
    y = F.step_function(np.array([-1.0, 1.0, 2.0]))
    np.testing.assert_array_equal(y.data, [0, 1, 1])
    assert y.dtype == np.int64 and not y.requires_grad
    x = leaf([1.0, -2.0])
    assert F.identity_function(x) is x
    assert isinstance(F.identity_function([1.0]), mg.Tensor)


def test_float32_stays_float32():
    x = mg.tensor(np.array([-1.0, 0.5], dtype=np.float32), requires_grad=True)
    for name in NAMES:
        y = ACTS[name][0](x)
        assert y.dtype == np.float32, name


def test_bad_arguments():
    x = mg.tensor([1.0])
    with pytest.raises(ValueError, match="approximate"):
        F.gelu(x, approximate="erf")
    with pytest.raises(ValueError, match="alpha"):
        F.celu(x, 0.0)
    with pytest.raises(ValueError, match="beta"):
        F.softplus(x, beta=0)
    with pytest.raises(ValueError, match="min_val"):
        F.hardtanh(x, 1.0, -1.0)
    with pytest.raises(IndexError, match="normalize"):
        F.normalize(mg.tensor(np.ones((2, 3))), axis=2)
    with pytest.raises(ValueError, match="p must be positive"):
        F.normalize(mg.tensor(np.ones((2, 3))), p=0)


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


# -- numerical robustness at extreme inputs ------------------------------------------------------

EXTREMES = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0],
                     [1000.0, 1000.0, 999.0], [-1000.0, 1000.0, -999.0]])


def _finite_value_and_grad(fn, x):
    y = fn(x)
    assert np.isfinite(y.data).all(), y
    (g,) = mg.grad(y.sum() if y.ndim else y, [x])
    assert np.isfinite(g.data).all(), g
    assert y.dtype == x.dtype and g.dtype == x.dtype
    return y, g


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmax_cross_entropy", "sigmoid"])
def test_extreme_inputs_stay_finite_without_warnings(name, dtype):
    labels = np.array([1, 0, 2, 0])
    fns = {
        "softmax": lambda x: F.softmax(x, axis=1) * mg.Tensor(np.arange(3.0, dtype=dtype)),
        "log_softmax": lambda x: F.log_softmax(x, axis=1),
        "softmax_cross_entropy": lambda x: F.softmax_cross_entropy(x, labels),
        "sigmoid": F.sigmoid,
    }
    x = mg.Tensor(EXTREMES.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _finite_value_and_grad(fns[name], x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_values_are_right(dtype):
    x = mg.Tensor(np.array([1000.0, -1000.0, 0.0], dtype=dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(F.softmax(x).data, np.array([1, 0, 0], dtype=dtype))
        np.testing.assert_allclose(F.log_softmax(x).data, [0.0, -2000.0, -1000.0], rtol=1e-6)
        np.testing.assert_array_equal(F.sigmoid(x).data, np.array([1, 0, 0.5], dtype=dtype))
        loss = F.softmax_cross_entropy(x.reshape(1, 3), np.array([1]))
        assert loss.item() == pytest.approx(2000.0, rel=1e-6)
        one_hot = F.softmax_cross_entropy(x.reshape(1, 3), np.array([[0.0, 1.0, 0.0]],
                                                                    dtype=dtype))
        assert one_hot.item() == pytest.approx(2000.0, rel=1e-6)


@settings(max_examples=40, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_large_random_logits_stay_finite(data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6))
    x = data.draw(hnp.arrays(dtype, shape, elements=st.floats(
        -1e4, 1e4, width=32, allow_nan=False, allow_infinity=False)))
    labels = np.array(data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=shape[0],
                                         max_size=shape[0])))
    t = mg.Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (lambda z: F.softmax(z, axis=1), lambda z: F.log_softmax(z, axis=1),
                   lambda z: F.softmax_cross_entropy(z, labels), F.sigmoid):
            _finite_value_and_grad(fn, t)


def test_softmax_and_log_softmax_take_pytorchs_dim():
    x = np.random.default_rng(0).standard_normal((3, 4))
    for fn in (F.softmax, F.log_softmax):
        for axis in (0, 1, -1):
            np.testing.assert_array_equal(fn(mg.tensor(x), dim=axis).data,
                                          fn(mg.tensor(x), axis).data)
        np.testing.assert_array_equal(fn(mg.tensor(x)).data, fn(mg.tensor(x), -1).data)
        with pytest.raises(TypeError, match="both axis= and its alias dim="):
            fn(mg.tensor(x), 0, dim=1)
