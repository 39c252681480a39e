"""gradcheck with per-op diagnosis and float32 promotion; the hardened numerical_gradient."""

from __future__ import annotations

import importlib
import re
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F
from minigrad.debug import GraphCheckReport
from minigrad.numerical import compare_gradients, gradient_report

# the module, not the function minigrad.gradcheck that the package exports
gradcheck_module = importlib.import_module("minigrad.gradcheck")


class Scale(mg.Function):
    """``h * g`` with g of shape (H,) broadcast over the batch."""

    def forward(self, h, g):
        return h * g

    def backward(self, gy):
        h, g = self.inputs
        return gy * g, (gy * h).sum(axis=0)


class ScaleWrongSign(Scale):
    def backward(self, gy):
        h, g = self.inputs
        return -(gy * g), (gy * h).sum(axis=0)


def make_params(dtype=np.float64, seed=0):
    rng = np.random.default_rng(seed)
    shapes = {"W1": (6, 5), "b1": (5,), "g": (5,), "W2": (5, 3), "b2": (3,)}
    return {k: mg.tensor(rng.standard_normal(s) * 0.5 + (1.0 if k == "g" else 0.0), dtype=dtype,
                         requires_grad=True, name=k) for k, s in shapes.items()}


def make_loss(op, x, t):
    def loss(W1, b1, g, W2, b2):
        h = op()(F.sigmoid(F.linear(x, W1, b1)), g)
        return F.softmax_cross_entropy(F.linear(h, W2, b2), t)
    return loss


def data(dtype=np.float64):
    rng = np.random.default_rng(1)
    return rng.standard_normal((4, 6)).astype(dtype), rng.integers(0, 3, size=4)


# ---------------------------------------------------------------------------
# gradcheck names the first failing op

def test_gradcheck_error_names_the_first_failing_op():
    x, t = data()
    params = make_params()
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(make_loss(ScaleWrongSign, x, t), list(params.values()))
    err = info.value
    assert err.first_failing_op == "ScaleWrongSign"
    assert isinstance(err.graph_report, GraphCheckReport)
    assert err.graph_report.first_failure.op == "ScaleWrongSign"
    assert err.graph_report.first_failure.failing_inputs == (0,)
    msg = str(err)
    assert "first failing op (checked one by one): ScaleWrongSign" in msg
    assert "eps=1e-06, atol=1e-05, rtol=0.001" in msg
    assert "promoted" not in msg and err.promoted == []
    # the inputs whose gradients are wrong: everything upstream of the sign flip
    assert {m.input_name for m in err.mismatches} == {"W1", "b1"}


def test_gradcheck_passes_the_correct_model_and_returns_false_without_raising():
    x, t = data()
    params = list(make_params().values())
    assert mg.gradcheck(make_loss(Scale, x, t), params)
    assert mg.gradcheck(make_loss(ScaleWrongSign, x, t), params, raise_exception=False) is False


def test_first_failing_op_contract():
    x, t = data()
    params = tuple(make_params().values())
    name = gradcheck_module._first_failing_op(make_loss(ScaleWrongSign, x, t), params, 1e-6,
                                              1e-5, 1e-3)
    assert name == "ScaleWrongSign"
    assert gradcheck_module._first_failing_op(make_loss(Scale, x, t), params, 1e-6, 1e-5,
                                              1e-3) is None


def test_every_op_passing_alone_is_reported():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    leaked = {}

    def fn(w):  # uses a value computed outside the graph: no single op is wrong
        leaked["v"] = w.data.copy()
        return (w * mg.tensor(leaked["v"])).sum()

    with pytest.raises(mg.GradcheckError, match="every op passes when checked one by one") as e:
        mg.gradcheck(fn, [w])
    assert e.value.first_failing_op is None


# ---------------------------------------------------------------------------
# float32 promotion

def _snapshot(ts):
    return [(x, x.data, x.data.dtype, x.data.tobytes(), x.version) for x in ts]


def _assert_unchanged(snap):
    for x, data, dtype, raw, version in snap:
        assert x.data is data and x.data.dtype == dtype
        assert x.data.tobytes() == raw and x.version == version
        assert x.grad is None


def test_gradcheck_promotes_float32_inputs_and_restores_them_bitwise():
    rng = np.random.default_rng(0)
    a = mg.tensor(rng.standard_normal((3, 4)), dtype=np.float32, requires_grad=True, name="a")
    b = mg.tensor(rng.standard_normal(4), dtype=np.float32, requires_grad=True)
    snap = _snapshot([a, b])
    seen = []

    def fn(a, b):
        seen.append((str(a.dtype), str(b.dtype)))
        return (a * b).tanh() + a.sin()

    with pytest.warns(UserWarning, match=r"input 0 \(float32\), input 1 \(float32\) promoted "
                                         r"to float64.*atol=1e-05, rtol=0.001"):
        assert mg.gradcheck(fn, [a, b])  # in float32 with eps=1e-6 this could not pass
    assert set(seen) == {("float64", "float64")}
    _assert_unchanged(snap)


def test_gradcheck_restores_float32_inputs_after_a_failure():
    x, t = data(np.float32)
    params = make_params(np.float32)
    snap = _snapshot(params.values())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(mg.GradcheckError) as e:
            mg.gradcheck(make_loss(ScaleWrongSign, x, t), list(params.values()))
    _assert_unchanged(snap)
    assert e.value.promoted == [0, 1, 2, 3, 4]
    assert "promoted to float64 for the check" in str(e.value)
    assert e.value.first_failing_op == "ScaleWrongSign"


def test_gradcheck_restores_inputs_when_fn_raises():
    a = mg.tensor([1.0, 2.0], dtype=np.float32, requires_grad=True)
    snap = _snapshot([a])

    def fn(a):
        raise ArithmeticError("boom")

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        with pytest.raises(ArithmeticError):
            mg.gradcheck(fn, [a])
    _assert_unchanged(snap)


def test_the_same_tensor_given_twice_is_promoted_once():
    a = mg.tensor([0.5, 1.5], dtype=np.float32, requires_grad=True)
    snap = _snapshot([a])
    with pytest.warns(UserWarning, match=r"input 0 \(float32\) promoted"):
        assert mg.gradcheck(lambda p, q: (p * q).exp(), [a, a])
    _assert_unchanged(snap)


def test_float64_inputs_do_not_warn():
    a = mg.tensor([0.5, 1.5], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert mg.gradcheck(lambda a: a.exp(), [a])


@settings(max_examples=20, deadline=None)
@given(arr=hnp.arrays(np.float32, hnp.array_shapes(min_dims=0, max_dims=2, max_side=4),
                      elements=st.floats(-2, 2, width=32)))
def test_float32_promotion_round_trip_is_bitwise(arr):
    a = mg.tensor(arr.copy(), requires_grad=True)
    snap = _snapshot([a])
    with gradcheck_module.promoted_to_float64([a, 3, np.ones(2)]) as promoted:
        assert promoted == [(0, "float32")]
        assert a.dtype == np.float64
        np.testing.assert_array_equal(a.data, arr.astype(np.float64))
        a.data += 1.0  # whatever happens to the copy...
    _assert_unchanged(snap)  # ...the original comes back untouched


def test_gradgradcheck_still_works():
    x = mg.tensor(np.array([0.3, -0.7, 1.1]), requires_grad=True)
    assert mg.gradgradcheck(lambda x: (x * x).tanh().sum(), [x])


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


def test_a_tensor_passed_twice_is_checked_by_its_total_gradient():
    a = mg.tensor([0.5, -1.5], requires_grad=True)
    assert mg.gradcheck(lambda p, q: (p * q).exp(), [a, a])
    assert mg.gradgradcheck(lambda p, q: (p * q).exp(), [a, a])
