"""gradcheck itself: it passes on correct composites and fails loudly on wrong backwards."""

from __future__ import annotations

import importlib
import re
import warnings

import numpy as np
import pytest
from conftest import make_leaf  # the suite's one leaf maker
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F
from minigrad.debug import GraphCheckReport
from minigrad.ops.linalg import linear

leaf = make_leaf


# -- composites ----------------------------------------------------------------------


def softmax_from_primitives(x, axis=-1):
    e = (x - x.max(axis=axis, keepdims=True)).exp()
    return e / e.sum(axis=axis, keepdims=True)


@pytest.mark.parametrize("axis", [0, 1, -1])
def test_softmax_composite(rng, axis):
    x = leaf(rng.standard_normal((3, 4)))
    np.testing.assert_allclose(softmax_from_primitives(x, axis).data, F.softmax(x, axis).data,
                               rtol=1e-12)
    assert mg.gradcheck(lambda x: softmax_from_primitives(x, axis), [x])
    assert mg.gradcheck(lambda x: F.softmax(x, axis), [x])


def two_layer_params(rng, n_in=4, hidden=5, n_out=3):
    return [
        leaf(rng.standard_normal((n_in, hidden)) * 0.5, "W1"),
        leaf(rng.standard_normal(hidden) * 0.1, "b1"),
        leaf(rng.standard_normal((hidden, n_out)) * 0.5, "W2"),
        leaf(rng.standard_normal(n_out) * 0.1, "b2"),
    ]


def two_layer_loss(x, t, W1, b1, W2, b2):  # noqa: N803
    return F.softmax_cross_entropy(linear(linear(x, W1, b1).sigmoid(), W2, b2), t)


def test_two_layer_net_loss_all_params(rng):
    x = rng.standard_normal((6, 4))
    for t in (rng.integers(0, 3, 6), np.eye(3)[rng.integers(0, 3, 6)]):
        params = two_layer_params(rng)
        assert mg.gradcheck(lambda *p, t=t: two_layer_loss(x, t, *p), params)
        # the unfused form, with the input too
        xt = leaf(x)
        assert mg.gradcheck(
            lambda x, W1, b1, W2, b2, t=t: F.softmax_cross_entropy(
                ((x @ W1 + b1).sigmoid() @ W2) + b2, t),
            [xt, *two_layer_params(rng)])


def test_two_layer_net_second_order_wrt_w1(rng):
    x = rng.standard_normal((4, 3))
    t = rng.integers(0, 2, 4)
    W1, b1, W2, b2 = two_layer_params(rng, n_in=3, hidden=3, n_out=2)
    assert mg.gradgradcheck(lambda W1: two_layer_loss(x, t, W1, b1, W2, b2), [W1])


def test_multiple_outputs_and_non_tensor_inputs(rng):
    x, y = leaf(rng.standard_normal(3)), leaf(rng.standard_normal(3))
    assert mg.gradcheck(lambda x, k, y: (x * k, (x * y).sin()), [x, 2.0, y])
    assert mg.gradcheck(lambda x, c: x * c, [x, np.arange(3.0)])


# -- failures --------------------------------------------------------------------------


class WrongFactor(mg.Function):
    """a * b whose gradient for b is twice too large."""

    def forward(self, a, b):
        return a * b

    def backward(self, gy):
        a, b = self.inputs
        return gy * b, gy * a * 2


class WrongSign(mg.Function):
    """sin(x) whose gradient has the wrong sign."""

    def forward(self, x):
        return np.sin(x)

    def backward(self, gy):
        (x,) = self.inputs
        return -gy * x.cos()


class BiasAddForgetsBatch(mg.Function):
    """x (N, C) + b (C,) whose gradient for b forgets to sum over the batch axis."""

    def forward(self, x, b):
        return x + b

    def backward(self, gy):
        return gy, gy[0]


class BiasAddNoReduction(mg.Function):
    """x (N, C) + b (C,) whose gradient for b is not reduced at all."""

    def forward(self, x, b):
        return x + b

    def backward(self, gy):
        return gy, gy


def _report(fn, inputs):
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(fn, inputs)
    assert mg.gradcheck(fn, inputs, raise_exception=False) is False
    return info.value, str(info.value)


def _worst_row(msg):
    """The first row of the table of worst elements: index, analytic, numerical, abs, rel."""
    lines = msg.splitlines()
    head = next(i for i, line in enumerate(lines) if line.split()[:2] == ["index", "analytic"])
    row = lines[head + 1].split(")")
    index = row[0].strip() + ")"
    values = [float(v) for v in row[1].split()]
    return index, values


def test_wrong_factor_report(rng):
    a, b = leaf(rng.standard_normal(4) + 3.0), leaf(rng.standard_normal(4))
    err, msg = _report(lambda a, b: WrongFactor()(a, b), [a, b])
    assert "input 1" in msg and "input 0" not in msg
    assert "WrongFactor" in msg and "WrongFactor" in err.op_names
    for word in ("analytic", "numerical", "abs err", "rel err"):
        assert word in msg
    (m,) = err.mismatches
    assert m.input_index == 1 and m.shape == (4,) and m.n_bad == 4
    index, analytic, numerical, abs_err, rel_err = m.worst[0]
    assert analytic == pytest.approx(2 * numerical, rel=1e-6)
    assert abs_err == pytest.approx(abs(analytic - numerical)) and rel_err == pytest.approx(1.0)
    # the printed worst row is the element with the largest error
    row_index, row = _worst_row(msg)
    assert row_index == str(index) and index == (int(np.argmax(np.abs(a.data * err_cot(4))),),)
    assert row[0] == pytest.approx(analytic, rel=1e-5)
    assert row[1] == pytest.approx(numerical, rel=1e-5)
    assert row[2] == pytest.approx(abs_err, rel=1e-2) and row[3] == pytest.approx(1.0, rel=1e-2)


def err_cot(n):
    """The cotangent gradcheck (seed 0) contracts an n-element output with."""
    return np.random.default_rng(0).standard_normal(n)


def test_wrong_sign_report(rng):
    x = leaf(rng.uniform(-1, 1, (2, 3)), name="x")
    err, msg = _report(lambda x: WrongSign()(x), [x])
    assert "input 0 ('x')" in msg and "shape (2, 3)" in msg and "WrongSign" in msg
    (m,) = err.mismatches
    for _, analytic, numerical, _, rel in m.worst:
        assert analytic == pytest.approx(-numerical, rel=1e-6) and rel == pytest.approx(2.0)
    assert re.search(r"\(\d, \d\)", msg)  # the worst element's 2-D index


def test_missing_broadcast_reduction_report(rng):
    x, b = leaf(rng.standard_normal((3, 2))), leaf(rng.standard_normal(2))
    err, msg = _report(lambda x, b: BiasAddForgetsBatch()(x, b), [x, b])
    assert "input 1" in msg and "BiasAddForgetsBatch" in msg
    (m,) = err.mismatches
    assert m.input_index == 1 and m.shape == (2,)
    # a gradient of the wrong shape is refused by the engine, naming the op and both shapes
    with pytest.raises(RuntimeError, match=r"BiasAddNoReduction.*\(3, 2\).*\(2,\)"):
        mg.gradcheck(lambda x, b: BiasAddNoReduction()(x, b), [x, b])


def test_failure_inside_a_larger_graph_names_the_ops(rng):
    a, b = leaf(rng.standard_normal(3)), leaf(rng.standard_normal(3))
    err, msg = _report(lambda a, b: WrongFactor()(a.exp(), b).sum(), [a, b])
    assert {"Exp", "WrongFactor", "Sum"} <= set(err.op_names)
    assert "Exp" in msg and "WrongFactor" in msg


def test_float32_inputs_warn_and_are_restored():
    x = mg.tensor(np.array([0.5, 1.5, -2.0], dtype=np.float32), requires_grad=True)
    before = x.data.copy()
    with pytest.warns(UserWarning, match="float64"):
        assert mg.gradcheck(lambda x: x * x, [x])
    assert x.dtype == np.float32 and np.array_equal(x.data, before)


def test_gradcheck_without_differentiable_input_raises():
    with pytest.raises(ValueError, match="requires_grad"):
        mg.gradcheck(lambda x: x * 2, [mg.tensor([1.0])])


def test_gradcheck_leaves_inputs_and_their_grads_untouched(rng):
    x = leaf(rng.standard_normal((2, 2)))
    before = x.data.copy()
    assert mg.gradcheck(lambda x: (x * x).sum(), [x])
    assert np.array_equal(x.data, before) and x.grad is None


def test_gradcheck_and_check_graph_give_the_same_verdict_at_a_kink(leaf):
    from minigrad.debug import check_graph
    from minigrad.numerical import kink_text

    x = leaf([-1.0, 0.0, 2.0])
    with pytest.warns(UserWarning) as caught:
        assert mg.gradcheck(lambda x: x.relu(), [x])
    words = kink_text(1)
    assert any(words in str(w.message) for w in caught)
    report = check_graph(x.relu())
    (row,) = report.rows
    assert report.ok and row.nondifferentiable and words in row.describe()


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
# a tensor given twice


def test_a_tensor_passed_twice_is_checked_by_its_total_gradient():
    a = mg.tensor([0.5, -1.5], requires_grad=True)
    assert mg.gradcheck(lambda p, q: (p * q).exp(), [a, a])
    assert mg.gradgradcheck(lambda p, q: (p * q).exp(), [a, a])
