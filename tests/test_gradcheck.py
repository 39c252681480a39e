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


# ---------------------------------------------------------------------------
# kinks are told from curvature: a wrong backward at a smooth point always fails


def elementwise_function(name, forward, derivative):
    """A Function ``forward(x)`` (NumPy, elementwise or to a scalar) whose backward is
    ``gy * derivative(x)``: the tables below give it right and wrong derivatives."""

    def backward(self, gy):
        (x,) = self.inputs
        return gy * mg.tensor(derivative(x.data))

    return type(name, (mg.Function,), {"forward": lambda self, x: forward(x),
                                       "backward": backward})


A = np.array([[900.0, 150.0], [150.0, 400.0]])  # a quadratic form, positive definite
B = np.array([3.0, -2.0])
X_MIN = np.linalg.solve(A, B)  # its minimum: 0.5 x'Ax - b'x has gradient Ax - b = 0 there

# (name, forward, right derivative, wrong derivative, point): every point is a stationary
# point (or, for the sign and factor errors, next to one) of a smooth function, most of them
# so curved that the two one-sided differences at eps=1e-6 disagree by far more than atol
# from the curvature alone
SMOOTH = [
    ("square_plus_4e-4", lambda x: x * x, lambda x: 2 * x, lambda x: 2 * x + 4e-4, [0.0]),
    ("curved_square_plus_4e-4", lambda x: 500 * x * x, lambda x: 1000 * x,
     lambda x: 1000 * x + 4e-4, [0.0]),
    ("curved_square_minus_3e-4", lambda x: 500 * x * x, lambda x: 1000 * x,
     lambda x: 1000 * x - 3e-4, [0.0, 0.0, 0.0]),
    ("very_curved_square_plus_1e-3", lambda x: 5e4 * x * x, lambda x: 1e5 * x,
     lambda x: 1e5 * x + 1e-3, [0.0]),
    ("cos_plus_4e-4", np.cos, lambda x: -np.sin(x), lambda x: -np.sin(x) + 4e-4, [0.0]),
    ("curved_cos_plus_5e-4", lambda x: 2000 * np.cos(x), lambda x: -2000 * np.sin(x),
     lambda x: -2000 * np.sin(x) + 5e-4, [0.0, np.pi]),
    ("curved_sin_at_its_maximum", lambda x: 1000 * np.sin(x), lambda x: 1000 * np.cos(x),
     lambda x: 1000 * np.cos(x) - 2e-4, [np.pi / 2]),
    ("cube_plus_1e-4", lambda x: x ** 3, lambda x: 3 * x * x, lambda x: 3 * x * x + 1e-4,
     [0.0]),
    ("cosh_plus_3e-4", lambda x: 300 * np.cosh(x), lambda x: 300 * np.sinh(x),
     lambda x: 300 * np.sinh(x) + 3e-4, [0.0]),
    ("quadratic_form_at_its_minimum", lambda x: 0.5 * x @ A @ x - B @ x,
     lambda x: A @ x - B, lambda x: A @ x - B + np.array([2e-4, -4e-4]), X_MIN),
    ("sign_error_next_to_a_minimum", lambda x: 500 * x * x + 1e-4 * x,
     lambda x: 1000 * x + 1e-4, lambda x: -(1000 * x + 1e-4), [0.0]),
    ("factor_error_next_to_a_minimum", lambda x: 500 * x * x + 1e-4 * x,
     lambda x: 1000 * x + 1e-4, lambda x: 3 * (1000 * x + 1e-4), [0.0]),
    ("factor_error_next_to_a_maximum", lambda x: -800 * x * x + 2e-4 * x,
     lambda x: -1600 * x + 2e-4, lambda x: 0.5 * (-1600 * x + 2e-4), [0.0]),
]


@pytest.mark.parametrize("name, forward, right, wrong, point", SMOOTH,
                         ids=[c[0] for c in SMOOTH])
def test_a_wrong_backward_at_a_smooth_point_fails(name, forward, right, wrong, point):
    x = leaf(point)
    bad = elementwise_function("Wrong_" + name, forward, wrong)
    good = elementwise_function("Right_" + name, forward, right)
    assert mg.gradcheck(lambda x: good()(x), [x])  # the right backward passes...
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # ...and its check flags no kink
        assert mg.gradcheck(lambda x: good()(x), [x])
    assert mg.gradcheck(lambda x: bad()(x), [x], raise_exception=False) is False
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda x: bad()(x), [x])
    assert info.value.first_failing_op == "Wrong_" + name
    # check_graph says the same, through the same rule
    report = mg.check_graph(bad()(x))
    assert not report.ok and not report.rows[0].nondifferentiable


def test_the_curvature_example_fails_in_gradcheck_and_check_graph():
    class S(mg.Function):
        def forward(self, x):
            return 500 * x * x

        def backward(self, gy):
            return gy * (1000 * self.inputs[0] + 4e-4)

    x = mg.tensor([0.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # not even a warning about a kink
        assert mg.gradcheck(lambda a: S()(a).sum(), [x], raise_exception=False) is False
    (row,) = [r for r in mg.check_graph(S()(x).sum()).rows if r.op == "S"]
    assert row.status == "FAIL" and row.n_nondifferentiable == 0


def test_pytorch_gradcheck_fails_the_same_wrong_backwards():
    torch = pytest.importorskip(
        "torch", reason="the comparison with PyTorch needs it: pip install minigrad[torch]")

    def torch_function(fwd, derivative):
        def forward(ctx, x):
            ctx.save_for_backward(x)
            return torch.as_tensor(fwd(x.detach().numpy()))

        def backward(ctx, gy):
            (x,) = ctx.saved_tensors
            return gy * torch.as_tensor(derivative(x.detach().numpy()))

        return type("Op", (torch.autograd.Function,), {"forward": staticmethod(forward),
                                                       "backward": staticmethod(backward)})

    for name, forward, right, wrong, point in SMOOTH:
        for derivative, expected in ((wrong, False), (right, True)):
            x = torch.tensor(np.asarray(point, dtype=np.float64), requires_grad=True)
            op = torch_function(forward, derivative)
            assert torch.autograd.gradcheck(op.apply, (x,), raise_exception=False) is expected, \
                name
            mine = elementwise_function("Op", forward, derivative)
            assert mg.gradcheck(lambda x, op=mine: op()(x), [leaf(point)],
                                raise_exception=False) is expected, name


@settings(max_examples=60, deadline=None)
@given(curvature=st.floats(1.0, 1e5), error=st.floats(2e-5, 1e-2),
       sign=st.sampled_from([-1.0, 1.0]), size=st.integers(1, 4))
def test_no_curvature_excuses_a_wrong_gradient_at_a_minimum(curvature, error, sign, size):
    bad = elementwise_function("Off", lambda x: curvature * x * x,
                               lambda x: 2 * curvature * x + sign * error)
    x = leaf(np.zeros(size))
    # summed, so that each element's error meets the check whole (a random cotangent could
    # shrink an error of 2e-5 below atol)
    assert mg.gradcheck(lambda x: bad()(x).sum(), [x], raise_exception=False) is False


def test_the_rule_removes_the_curvature_term_exactly():
    from minigrad.numerical import classify_errors

    h, c = 1e-6, 500.0  # f = c x^2 at 0: one-sided differences +-c h, at h/2 +-c h/2
    analytic, central = np.array([4e-4]), np.array([0.0])
    fwd, bwd, fwd2, bwd2 = (np.array([v]) for v in (c * h, -c * h, c * h / 2, -c * h / 2))
    wrong, kink = classify_errors(analytic, central, fwd, bwd, 1e-5, 1e-3, fwd2, bwd2)
    assert wrong.all() and not kink.any()
    # relu at 0: the one-sided differences are 1 and 0 at every step: a kink
    one, zero = np.array([1.0]), np.array([0.0])
    for a in (0.0, 0.5, 1.0):
        wrong, kink = classify_errors(np.array([a]), np.array([0.5]), one, zero, 1e-5, 1e-3,
                                      one, zero)
        assert not wrong.any() and kink.all()
    wrong, kink = classify_errors(np.array([2.0]), np.array([0.5]), one, zero, 1e-5, 1e-3,
                                  one, zero)
    assert wrong.all() and not kink.any()  # outside [0, 1]: wrong, kink or not
    # without the half steps no element can be told to be a kink
    wrong, kink = classify_errors(np.array([0.0]), np.array([0.5]), one, zero, 1e-5, 1e-3)
    assert wrong.all() and not kink.any()


# ---------------------------------------------------------------------------
# the real kinks of the ops are still recognised

KINKS = [
    ("relu_at_0", lambda x: x.relu(), [-1.0, 0.0, 2.0, 0.0]),
    ("abs_at_0", lambda x: x.abs(), [0.0, -1.5, 0.0]),
    ("abs_inside_a_product", lambda x: (x.abs() * x.exp()).sum(), [0.0, 1.0]),
    ("max_with_ties", lambda x: x.max(axis=1), [[1.0, 3.0, 3.0], [0.5, 0.5, 2.0]]),
    ("max_with_a_three_way_tie", lambda x: x.max(), [2.0, 2.0, 2.0, -1.0]),
    ("min_with_ties", lambda x: x.min(axis=0), [[1.0, 3.0], [1.0, -2.0]]),
    ("clip_at_its_bounds", lambda x: mg.clip(x, -1.0, 1.0), [-1.0, 0.3, 1.0, 2.0]),
    ("maximum_of_equal_inputs", lambda x: mg.maximum(x, mg.tensor([0.0, 2.0, -1.0])),
     [0.0, 2.0, 3.0]),
    ("minimum_of_equal_inputs", lambda x: mg.minimum(x, mg.tensor([0.0, 2.0, -1.0])),
     [0.0, 2.0, 3.0]),
    ("leaky_relu_at_0", lambda x: F.leaky_relu(x, 0.1), [0.0, -1.0, 0.0, 2.0]),
    ("relu6_at_0_and_6", lambda x: F.relu6(x), [0.0, 6.0, 3.0]),
    ("hardtanh_at_its_bounds", lambda x: F.hardtanh(x), [-1.0, 1.0, 0.2]),
    ("relu_in_a_layer", lambda x: (x @ mg.tensor([[1.0, -1.0], [1.0, 1.0]])).relu().sum(),
     [[1.0, -1.0], [2.0, 0.5]]),
]


@pytest.mark.parametrize("name, fn, point", KINKS, ids=[c[0] for c in KINKS])
def test_the_ops_real_backwards_pass_at_their_kinks(name, fn, point):
    from minigrad.numerical import kink_text

    x = leaf(point)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        assert mg.gradcheck(fn, [x])
    assert any("non-differentiable point (kink)" in str(w.message) for w in caught)
    report = mg.check_graph(fn(x))
    assert report.ok and any(r.nondifferentiable for r in report.rows)
    assert any(kink_text(r.n_nondifferentiable) in r.describe() for r in report.rows
               if r.nondifferentiable)


class ReLUGradientTwoAtZero(mg.Function):
    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * mg.tensor(np.where(x.data > 0, 1.0, np.where(x.data == 0, 2.0, 0.0)))


class AbsGradientOneAndAHalfAtZero(mg.Function):
    def forward(self, x):
        return np.abs(x)

    def backward(self, gy):
        (x,) = self.inputs
        return gy * mg.tensor(np.where(x.data == 0, 1.5, np.sign(x.data)))


@pytest.mark.parametrize("op", [ReLUGradientTwoAtZero, AbsGradientOneAndAHalfAtZero])
def test_a_gradient_outside_the_one_sided_derivatives_fails_at_a_kink(op):
    x = leaf([0.0, 1.0, -1.0])
    assert mg.gradcheck(lambda x: op()(x), [x], raise_exception=False) is False
    assert mg.check_graph(op()(x)).first_failure.op == op.__name__


kink_values = st.one_of(st.sampled_from([-1.0, 0.0, 1.0, 2.0]), st.floats(-3.0, 3.0))
GENUINE = {
    "relu": lambda x: x.relu(),
    "abs": lambda x: x.abs(),
    "max": lambda x: x.max(axis=-1),
    "min": lambda x: x.min(),
    "clip": lambda x: mg.clip(x, -1.0, 1.0),
    "maximum": lambda x: mg.maximum(x, mg.tensor(np.ones(x.shape[-1:]))),
    "leaky_relu": lambda x: F.leaky_relu(x, 0.2),
    "hardtanh": lambda x: F.hardtanh(x),
    "relu_tanh": lambda x: (x.relu() * x.tanh()).sum(),
}


@settings(max_examples=30, deadline=None)
@given(op=st.sampled_from(sorted(GENUINE)),
       arr=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=2, max_side=4),
                      elements=kink_values))
def test_genuine_ops_pass_on_inputs_full_of_kinks_and_ties(op, arr):
    x = leaf(arr)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # the kink warnings
        assert mg.gradcheck(GENUINE[op], [x])
    assert mg.check_graph(GENUINE[op](x)).ok


# ---------------------------------------------------------------------------
# nondeterministic functions fail, saying so


class SquareSevenTimes(mg.Function):
    """x**2 whose backward gives 7x instead of 2x."""

    def forward(self, x):
        return x * x

    def backward(self, gy):
        return gy * 7 * self.inputs[0]


@pytest.mark.parametrize("seed", range(20))
def test_a_noisy_function_with_a_wrong_backward_fails_every_time(seed):
    rng = np.random.default_rng(seed)
    x = leaf(rng.standard_normal(5))

    def noisy(a):
        return SquareSevenTimes()(a) + mg.tensor(rng.standard_normal(5) * 1e-3)

    assert mg.gradcheck(noisy, [x], raise_exception=False) is False
    with pytest.raises(mg.GradcheckError, match="not deterministic") as info:
        mg.gradcheck(noisy, [x])
    assert info.value.nondeterministic == ["output 0 (fn called twice)"]
    assert info.value.mismatches == []
    assert "output 0 (fn called twice): max abs difference" in str(info.value)


@pytest.mark.parametrize("seed", range(20))
def test_dropout_in_training_mode_fails_every_time(seed):
    np.random.seed(seed)  # dropout without a generator draws from NumPy's global state
    x = leaf(np.random.standard_normal((2, 3)))
    assert mg.gradcheck(lambda a: F.dropout(SquareSevenTimes()(a), 0.5), [x],
                        raise_exception=False) is False
    layer = mg.nn.Dropout(0.3)
    with pytest.raises(mg.GradcheckError, match="dropout in training mode"):
        mg.gradcheck(lambda a: layer(a.tanh()), [x])
    layer.eval()
    assert mg.gradcheck(lambda a: layer(a.tanh()), [x])


class NoisyBackward(mg.Function):
    """tanh with the right gradient plus noise drawn on every backward."""

    rng = np.random.default_rng(0)

    def forward(self, x):
        return np.tanh(x)

    def backward(self, gy):
        (x,) = self.inputs
        noise = mg.tensor(self.rng.standard_normal(x.shape) * 1e-9)
        return gy * (1 - x.tanh() ** 2) + noise


def test_a_backward_that_differs_between_two_runs_fails():
    x = leaf([0.3, -0.2])
    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(lambda a: NoisyBackward()(a), [x])
    assert info.value.nondeterministic == ["analytic gradient of input 0 (backward run twice)"]
    assert mg.gradcheck(lambda a: NoisyBackward()(a), [x], nondet_tol=1e-6)


def test_nondet_tol_lets_rounding_sized_differences_through():
    rng = np.random.default_rng(0)
    x = leaf([0.5, -1.0])

    def jitter(a, b):  # the second output moves by 1e-14 between calls
        return a.exp(), (a * b).sin() + mg.tensor(rng.standard_normal(2) * 1e-14)

    with pytest.raises(mg.GradcheckError) as info:
        mg.gradcheck(jitter, [x, leaf([2.0, 3.0])])
    assert info.value.nondeterministic == ["output 1 (fn called twice)"]
    assert mg.gradcheck(jitter, [x, leaf([2.0, 3.0])], nondet_tol=1e-12)
    with pytest.raises(ValueError, match="nondet_tol"):
        mg.gradcheck(jitter, [x, leaf([2.0, 3.0])], nondet_tol=-1.0)


def test_gradgradcheck_fails_a_noisy_function():
    rng = np.random.default_rng(0)
    x = leaf([0.5, -1.0])
    assert mg.gradgradcheck(lambda a: (a * a * a).sum(), [x])
    assert mg.gradgradcheck(
        lambda a: (a * a * a * mg.tensor(1 + rng.standard_normal(2) * 1e-3)).sum(), [x],
        raise_exception=False) is False
