"""Reductions: sum, mean, max, min over None / int / negative / tuple axes, keepdims, ties."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    GRADCHECK,
    GRADGRADCHECK,
    axes_keepdims,
    distinct_arrays,
    float_arrays,
    shapes,
)

import minigrad as mg
import minigrad.functional as F

REDUCTIONS = ["sum", "mean", "max", "min"]


def _draw(data, name, max_dims=3):
    shape = data.draw(shapes(max_dims=max_dims), label="shape")
    # max/min: values at least 0.1 apart, so there are no ties (where it is not differentiable)
    arr = distinct_arrays(shape) if name in ("max", "min") else float_arrays(shape)
    x = data.draw(arr, label="x")
    axis, keepdims = data.draw(axes_keepdims(x.ndim), label="axis, keepdims")
    return x, axis, keepdims


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(REDUCTIONS))
def test_reduction_values_shapes_and_gradcheck(data, name):
    x, axis, keepdims = _draw(data, name)
    t = leaf(x)
    y = getattr(t, name)(axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-15)
    assert mg.gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), [t])


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(REDUCTIONS))
def test_reduction_gradgradcheck(data, name):
    x, axis, keepdims = _draw(data, name, max_dims=2)
    # square first so that the second derivative is not trivially zero
    fn = lambda t: getattr(t * t, name)(axis=axis, keepdims=keepdims)  # noqa: E731
    if name in ("max", "min"):
        x = x + 2.0  # keep x*x monotonic in x (no new ties)
    assert mg.gradgradcheck(fn, [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_sum_and_mean_gradients_exact(data):
    x, axis, keepdims = _draw(data, "sum")
    t = leaf(x)
    y = t.sum(axis=axis, keepdims=keepdims)
    gy = np.arange(1.0, y.size + 1).reshape(y.shape)
    y.backward(gy)
    kept = np.sum(x, axis=axis, keepdims=True).shape
    np.testing.assert_array_equal(t.grad.data, np.broadcast_to(gy.reshape(kept), x.shape))
    t.grad = None
    t.mean(axis=axis, keepdims=keepdims).backward(gy)
    n = x.size // max(y.size, 1)
    np.testing.assert_allclose(t.grad.data, np.broadcast_to(gy.reshape(kept), x.shape) / n,
                               rtol=1e-15)


def test_max_ties_share_the_gradient_evenly():
    x = leaf([1.0, 3.0, 3.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])

    x = leaf([[2.0, 2.0, 2.0], [5.0, 1.0, 5.0]])
    x.max(axis=1).backward(np.array([3.0, 1.0]))
    np.testing.assert_allclose(x.grad.data, [[1.0, 1.0, 1.0], [0.5, 0.0, 0.5]], rtol=1e-15)

    x = leaf(np.full((2, 2), 7.0))
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 2), 0.25))


def test_min_ties_share_the_gradient_evenly():
    x = leaf([[0.0, 4.0], [0.0, -1.0]])
    x.min(axis=0, keepdims=True).backward(np.array([[6.0, 2.0]]))
    np.testing.assert_array_equal(x.grad.data, [[3.0, 0.0], [3.0, 2.0]])
    x.grad = None
    x.min().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("name", REDUCTIONS)
def test_negative_and_tuple_axes_match_numpy(name):
    x = np.arange(24.0).reshape(2, 3, 4) ** 1.5
    for axis in (None, 0, -1, -2, (0, 2), (-1, 0), (0, 1, 2)):
        for keepdims in (False, True):
            y = getattr(mg.tensor(x), name)(axis=axis, keepdims=keepdims)
            np.testing.assert_allclose(y.data, getattr(np, name)(x, axis=axis, keepdims=keepdims))
            assert getattr(F, name)(mg.tensor(x), axis, keepdims).shape == y.shape


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_zero_dim(name):
    x = leaf(2.5)
    y = getattr(x, name)()
    assert y.shape == () and y.item() == 2.5
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize("name", REDUCTIONS)
def test_float32_reductions_stay_float32(name):
    x = mg.tensor(np.array([[1.0, 2.0], [4.0, 3.0]], dtype=np.float32), requires_grad=True)
    y = getattr(x, name)(axis=0)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_argmax_argmin_are_not_differentiable():
    x = leaf([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    for r in (x.argmax(), x.argmax(axis=1), x.argmin(axis=0, keepdims=True)):
        assert not r.requires_grad and r.creator is None and r.dtype.kind == "i"
    np.testing.assert_array_equal(x.argmax(axis=1).data, [1, 0])
    assert x.argmax().item() == 3
