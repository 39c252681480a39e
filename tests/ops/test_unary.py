"""Elementwise functions: values, first and second derivatives, edge values."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, GRADGRADCHECK, away_from_zero, float_arrays, shapes

import minigrad as mg
import minigrad.functional as F


def _sigmoid(x):
    return 1 / (1 + np.exp(-x))


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
