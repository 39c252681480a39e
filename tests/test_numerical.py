"""Numerical differentiation, numerical gradients and gradient descent (the chapter's values)."""

from __future__ import annotations

import re

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import VALUES, float_arrays, shapes

import minigrad as mg
import minigrad.functional as F
from minigrad.numerical import compare_gradients, gradient_report


def function_1(x):
    return 0.01 * x**2 + 0.1 * x


def function_2(x):
    return x[0] ** 2 + x[1] ** 2


def test_numerical_diff_book_values():
    assert mg.numerical_diff(function_1, 5) == pytest.approx(0.2, abs=1e-9)
    assert mg.numerical_diff(function_1, 10) == pytest.approx(0.3, abs=1e-9)
    # the tangent line at 5 touches the curve: y = 0.2 x - 0.25
    d = mg.numerical_diff(function_1, 5)
    assert function_1(5) - d * 5 == pytest.approx(-0.25, abs=1e-8)


@pytest.mark.parametrize("x", [5.0, 10.0, -3.0, 0.5])
def test_central_difference_beats_forward_difference(x):
    h = 1e-4
    exact = 0.02 * x + 0.1
    central = mg.numerical_diff(function_1, x, h)
    forward = (function_1(x + h) - function_1(x)) / h
    assert abs(central - exact) < abs(forward - exact) / 100


def test_tiny_step_fails_by_rounding():
    # x + 1e-50 == x in float64, so the difference is exactly zero
    assert mg.numerical_diff(function_1, 5.0, h=1e-50) == 0.0
    assert np.float32(1e-50) == 0.0


def test_numerical_diff_arrays():
    x = np.array([1.0, 2.0, 3.0])
    np.testing.assert_allclose(mg.numerical_diff(np.sin, x), np.cos(x), rtol=1e-7)


def test_partial_derivatives_of_function_2():
    # d/dx0 at (3, 4) with x1 fixed, and d/dx1 with x0 fixed
    assert mg.numerical_diff(lambda x0: x0**2 + 4.0**2, 3.0) == pytest.approx(6.0)
    assert mg.numerical_diff(lambda x1: 3.0**2 + x1**2, 4.0) == pytest.approx(8.0)


@pytest.mark.parametrize("point, grad", [((3.0, 4.0), (6.0, 8.0)), ((0.0, 2.0), (0.0, 4.0)),
                                         ((3.0, 0.0), (6.0, 0.0))])
def test_numerical_gradient_book_points(point, grad):
    np.testing.assert_allclose(mg.numerical_gradient(function_2, np.array(point)), grad,
                               atol=1e-6)


@VALUES
@given(x=shapes(max_dims=3).flatmap(lambda s: float_arrays(s, -2, 2)))
def test_numerical_gradient_any_shape_and_exact_restore(x):
    x = x.copy()
    x.flat[0] = -0.0  # signed zero must survive too
    before = x.tobytes()
    g = mg.numerical_gradient(lambda a: np.sum(np.sin(a) * a), x)
    assert g.shape == x.shape and g.dtype == x.dtype
    np.testing.assert_allclose(g, np.sin(x) + x * np.cos(x), atol=1e-7)
    assert x.tobytes() == before


def test_numerical_gradient_of_non_contiguous_view():
    base = np.arange(12.0).reshape(3, 4)
    view = base.T[::2]
    before = base.copy()
    g = mg.numerical_gradient(lambda a: np.sum(a**2), view)
    np.testing.assert_allclose(g, 2 * view, atol=1e-6)
    assert np.array_equal(base, before)


@VALUES
@given(x=shapes(min_dims=1).flatmap(float_arrays), fail_at=st.integers(0, 30))
def test_numerical_gradient_restores_x_when_f_raises(x, fail_at):
    x = x.copy()
    before = x.tobytes()
    calls = []

    def f(a):
        calls.append(1)
        if len(calls) > fail_at:
            raise ZeroDivisionError("boom")
        return float(a.sum())

    if fail_at >= 2 * x.size:
        mg.numerical_gradient(f, x)
    else:
        with pytest.raises(ZeroDivisionError):
            mg.numerical_gradient(f, x)
    assert x.tobytes() == before


def test_numerical_gradient_of_tensor_and_closure():
    # the book's simpleNet style: f ignores its argument and reads W through a closure
    rng = np.random.default_rng(0)
    W = mg.tensor(rng.standard_normal((2, 3)))
    x = np.array([0.6, 0.9])
    t = np.array([0, 0, 1])

    def loss(_):
        return mg.functional.softmax_cross_entropy(x @ W, t)

    before = W.data.copy()
    dW = mg.numerical_gradient(loss, W)
    assert dW.shape == (2, 3)
    assert np.array_equal(W.data, before)
    Wg = mg.tensor(W.data.copy(), requires_grad=True)
    mg.functional.softmax_cross_entropy(x @ Wg, t).backward()
    np.testing.assert_allclose(dW, Wg.grad.data, atol=1e-8)
    assert W.grad is None and mg.is_grad_enabled()


def test_numerical_gradient_records_no_graph():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    seen = []

    def f(_):
        y = (w * w).sum()
        seen.append(y.requires_grad)
        return y

    np.testing.assert_allclose(mg.numerical_gradient(f, w), [2.0, 4.0], atol=1e-8)
    assert seen and not any(seen)


@pytest.mark.parametrize("x", [np.array([1, 2, 3]), np.array([True, False]),
                               np.array([1, 2], dtype=np.uint8)])
def test_numerical_gradient_refuses_integer_arrays(x):
    before = x.copy()
    with pytest.raises(TypeError, match=str(x.dtype)):
        mg.numerical_gradient(lambda a: a.sum(), x)
    assert np.array_equal(x, before)


def test_numerical_gradient_refuses_non_arrays_and_non_scalar_f():
    with pytest.raises(TypeError, match="numerical_gradient"):
        mg.numerical_gradient(lambda a: a, [1.0, 2.0])
    with pytest.raises(ValueError, match="scalar"):
        mg.numerical_gradient(lambda a: a * 2, np.array([1.0, 2.0]))


def test_gradient_descent_book_values():
    x = mg.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=100)
    np.testing.assert_allclose(x, [-6.1e-10, 8.1e-10], rtol=0.01)
    assert np.all(np.abs(x) < 1e-9)


def test_gradient_descent_learning_rate_too_large_diverges():
    x = mg.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=10.0, step_num=100)
    assert np.max(np.abs(x)) > 1e10
    np.testing.assert_allclose(x, [-2.58983747e13, -1.29524862e12], rtol=1e-3)


def test_gradient_descent_learning_rate_too_small_barely_moves():
    init = np.array([-3.0, 4.0])
    x = mg.gradient_descent(function_2, init, lr=1e-10, step_num=100)
    np.testing.assert_allclose(x, [-2.99999994, 3.99999992], rtol=1e-8)
    assert np.max(np.abs(x - init)) < 1e-6
    np.testing.assert_array_equal(init, [-3.0, 4.0])  # the start point is not modified


def test_gradient_descent_history():
    x, path = mg.gradient_descent(function_2, np.array([-3.0, 4.0]), lr=0.1, step_num=20,
                                  return_history=True)
    assert path.shape == (21, 2)
    np.testing.assert_array_equal(path[0], [-3.0, 4.0])
    np.testing.assert_array_equal(path[-1], x)
    # each step shrinks the point by (1 - 2 * lr) on this bowl
    np.testing.assert_allclose(path[1], [-2.4, 3.2], rtol=1e-6)
    assert np.all(np.diff(np.linalg.norm(path, axis=1)) < 0)


# -- one finite-difference core, one rule for kinks -------------------------------------------


def test_numerical_gradient_uses_the_shared_core():
    from minigrad import numerical

    calls = []
    real = numerical.finite_differences

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    numerical.finite_differences = spy
    try:
        g = mg.numerical_gradient(lambda x: (x ** 2).sum(), np.array([3.0, 4.0]))
    finally:
        numerical.finite_differences = real
    np.testing.assert_allclose(g, [6.0, 8.0], rtol=1e-6)
    assert calls


def make_params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"W1": (6, 5), "b1": (5,), "g": (5,), "W2": (5, 3), "b2": (3,)}
    return {k: mg.tensor(rng.standard_normal(s) * 0.5 + (1.0 if k == "g" else 0.0), dtype=dtype,
                         requires_grad=True, name=k) for k, s in shapes.items()}


def data(dtype=np.float64):
    rng = np.random.default_rng(1)
    return rng.standard_normal((4, 6)).astype(dtype), rng.integers(0, 3, size=4)


# ---------------------------------------------------------------------------
# numerical_gradient, hardened

def test_numerical_gradient_book_values_and_shapes():
    g = mg.numerical_gradient(lambda x: x[0] ** 2 + x[1] ** 2, np.array([3.0, 4.0]))
    np.testing.assert_allclose(g, [6.0, 8.0], atol=1e-6)
    g = mg.numerical_gradient(lambda x: x[0] ** 2 + x[1] ** 2, np.array([0.0, 2.0]))
    np.testing.assert_allclose(g, [0.0, 4.0], atol=1e-6)
    x3 = np.arange(24, dtype=np.float64).reshape(2, 3, 4)
    np.testing.assert_allclose(mg.numerical_gradient(lambda x: (x ** 2).sum(), x3), 2 * x3,
                               rtol=1e-6)
    x0 = np.array(1.5)
    assert mg.numerical_gradient(lambda x: x ** 3, x0).shape == ()
    t = mg.tensor([1.0, -2.0])
    np.testing.assert_allclose(mg.numerical_gradient(lambda _: (t * t).sum(), t), [2, -4],
                               atol=1e-6)


def test_numerical_gradient_refuses_integer_arrays_untouched():
    x = np.array([1, 2, 3])
    with pytest.raises(TypeError, match="int64.*floating-point"):
        mg.numerical_gradient(lambda x: (x ** 2).sum(), x)
    np.testing.assert_array_equal(x, [1, 2, 3])
    with pytest.raises(TypeError, match="ndarray or Tensor"):
        mg.numerical_gradient(lambda x: x, [1.0, 2.0])


def test_numerical_gradient_refuses_read_only_arrays_and_bad_steps():
    ro = np.broadcast_to(np.array([1.0, 2.0]), (3, 2))
    with pytest.raises(ValueError, match="read-only"):
        mg.numerical_gradient(lambda x: x.sum(), ro)
    for h in (0.0, -1e-4, float("nan"), float("inf")):
        with pytest.raises(ValueError, match="h must be a positive number"):
            mg.numerical_gradient(lambda x: x.sum(), np.ones(2), h=h)


def test_numerical_gradient_rejects_non_scalar_f():
    x = np.ones(3)
    with pytest.raises(ValueError, match=r"scalar, got shape \(3,\)"):
        mg.numerical_gradient(lambda x: x * 2, x)
    np.testing.assert_array_equal(x, np.ones(3))


@settings(max_examples=30, deadline=None)
@given(arr=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                      elements=st.floats(-1e3, 1e3)),
       fail_at=st.integers(0, 200), as_tensor=st.booleans())
def test_numerical_gradient_restores_the_element_when_f_raises(arr, fail_at, as_tensor):
    x = mg.tensor(arr.copy()) if as_tensor else arr.copy()
    calls = [0]

    def f(_):
        calls[0] += 1
        if calls[0] > fail_at:
            raise RuntimeError("f failed")
        return float((arr ** 2).sum())

    data = x.data if as_tensor else x
    if fail_at >= 2 * arr.size:
        mg.numerical_gradient(f, x)
    else:
        with pytest.raises(RuntimeError, match="f failed"):
            mg.numerical_gradient(f, x)
    assert data.tobytes() == arr.tobytes()


def test_numerical_gradient_float32_keeps_dtype():
    x = np.array([1.0, 2.0], dtype=np.float32)
    g = mg.numerical_gradient(lambda x: float((x.astype(np.float64) ** 2).sum()), x, h=1e-2)
    assert g.dtype == np.float32
    np.testing.assert_allclose(g, [2.0, 4.0], rtol=1e-3)


# ---------------------------------------------------------------------------
# compare_gradients / gradient_report: the chapter's per-parameter check

def test_gradient_report_of_a_two_layer_net():
    x, t = data()
    params = {k: v for k, v in make_params().items() if k != "g"}

    def loss():
        p = params
        return F.softmax_cross_entropy(
            F.linear(F.sigmoid(F.linear(x, p["W1"], p["b1"])), p["W2"], p["b2"]), t)

    numerical = {k: mg.numerical_gradient(lambda _: loss(), w) for k, w in params.items()}
    analytic = dict(zip(params, mg.grad(loss(), list(params.values()))))
    diffs = compare_gradients(numerical, analytic)
    assert list(diffs) == ["W1", "b1", "W2", "b2"]
    assert all(0 <= d < 1e-8 for d in diffs.values())
    text = gradient_report(numerical, analytic)
    lines = text.splitlines()
    assert [ln.split(":")[0] for ln in lines] == ["W1", "b1", "W2", "b2"]
    for ln in lines:
        assert re.fullmatch(r"\w+:(0|\d(\.\d)?e-\d\d)", ln), ln
        assert float(ln.split(":")[1]) == pytest.approx(diffs[ln.split(":")[0]], rel=0.06)


def test_compare_gradients_values_and_errors():
    num = {"W": np.array([[1.0, 2.0]]), "b": np.array([0.5])}
    ana = {"W": mg.tensor([[1.5, 1.0]]), "b": np.array([0.5])}
    assert compare_gradients(num, ana) == {"W": 0.75, "b": 0.0}
    assert gradient_report(num, ana) == "W:0.75\nb:0"
    with pytest.raises(KeyError, match="missing from analytic: \\['b'\\]"):
        compare_gradients(num, {"W": ana["W"]})
    with pytest.raises(KeyError, match="missing from numerical: \\['c'\\]"):
        compare_gradients(num, {**ana, "c": np.ones(1)})
    with pytest.raises(ValueError, match=r"'W' has shape \(1, 2\) in numerical but \(2,\)"):
        compare_gradients(num, {"W": np.ones(2), "b": np.ones(1)})
    assert compare_gradients({"e": np.zeros(0)}, {"e": np.zeros(0)}) == {"e": 0.0}
