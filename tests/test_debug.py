"""Tests of minigrad.debug: check_graph, trace_backward, graph_memory and the accumulation audit."""

from __future__ import annotations

import os
import subprocess
import sys
import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F
from minigrad import autograd, debug
from minigrad.autograd import _scope

ROOT = Path(__file__).resolve().parents[1]


# ---------------------------------------------------------------------------
# A TwoLayerNet-like model with a pluggable custom op:
# linear (fc1) -> sigmoid -> custom op (per-feature gain g) -> linear (fc2) -> softmax CE.

class Gain(mg.Function):
    """``h * g`` with ``g`` of shape (H,) broadcast over the batch; correct backward."""

    # declared on the op, as for a built-in: the tools read it from here
    elementwise = True
    broadcasting = True

    def forward(self, h, g):
        return h * g

    def backward(self, gy):
        h, g = self.inputs
        return gy * g, (gy * h).sum(axis=0)


class GainWrongReduction(Gain):
    """Sums before multiplying: sum(gy) * sum(h) instead of sum(gy * h) (same shape)."""

    def backward(self, gy):
        h, g = self.inputs
        return gy * g, gy.sum(axis=0) * h.sum(axis=0)


class GainWrongCount(Gain):
    """Averages the broadcast gradient over the batch instead of summing it."""

    def backward(self, gy):
        h, g = self.inputs
        return gy * g, (gy * h).mean(axis=0)


class GainWrongSign(Gain):
    """Flips the sign of the gradient of h."""

    def backward(self, gy):
        h, g = self.inputs
        return -(gy * g), (gy * h).sum(axis=0)


class GainWrongFactor(Gain):
    """Doubles the gradient of h."""

    def backward(self, gy):
        h, g = self.inputs
        return 2 * gy * g, (gy * h).sum(axis=0)


BUGGY = [(GainWrongReduction, 1), (GainWrongCount, 1), (GainWrongSign, 0), (GainWrongFactor, 0)]


class Net:
    def __init__(self, custom=Gain, n_in=6, hidden=5, n_out=3, dtype=np.float64, seed=0):
        rng = np.random.default_rng(seed)
        self.custom = custom

        def p(shape, scale, name, shift=0.0):
            return mg.tensor(shift + scale * rng.standard_normal(shape), dtype=dtype,
                             requires_grad=True, name=name)

        self.W1 = p((n_in, hidden), 1.0, "W1")
        self.b1 = p((hidden,), 0.1, "b1")
        self.g = p((hidden,), 0.5, "g", shift=1.0)
        self.W2 = p((hidden, n_out), 1.0, "W2")
        self.b2 = p((n_out,), 0.1, "b2")

    @property
    def params(self):
        return [self.W1, self.b1, self.g, self.W2, self.b2]

    def loss(self, x, t):
        with _scope("fc1"):
            h = F.linear(x, self.W1, self.b1)
        h = F.sigmoid(h)
        with _scope("gain"):
            h = self.custom()(h, self.g)
        with _scope("fc2"):
            y = F.linear(h, self.W2, self.b2)
        return F.softmax_cross_entropy(y, t)


def batch(n=4, n_in=6, n_out=3, dtype=np.float64, seed=1):
    rng = np.random.default_rng(seed)
    return rng.standard_normal((n, n_in)).astype(dtype), rng.integers(0, n_out, size=n)


def creators(out):
    """Every Function of out's graph (by walking creator/inputs)."""
    found, stack = [], [out.creator]
    while stack:
        f = stack.pop()
        if f is None or any(f is g for g in found):
            continue
        found.append(f)
        stack.extend(x.creator for x in f.inputs or ())
    return found


# ---------------------------------------------------------------------------
# check_graph

def test_check_graph_passes_a_correct_model_and_lists_ops_in_forward_order():
    x, t = batch()
    net = Net()
    loss = net.loss(x, t)
    report = mg.check_graph(loss)
    assert report.ok and report.first_failure is None and report.failures == []
    assert [r.op for r in report.rows] == ["Linear", "Sigmoid", "Gain", "Linear",
                                           "SoftmaxCrossEntropy"]
    assert [r.scope for r in report.rows] == ["fc1", None, "gain", "fc2", None]
    assert [r.index for r in report.rows] == list(range(5))
    assert all(r.passed and not r.nondifferentiable and r.status == "ok" for r in report.rows)
    assert all(r.max_abs_err < 1e-6 and r.max_rel_err < 1e-6 for r in report.rows)
    assert (report.eps, report.atol, report.rtol) == (1e-6, 1e-5, 1e-3)
    assert not report.promoted
    # the rows refer to the very Function objects of the graph
    assert {id(r.function) for r in report.rows} == {id(f) for f in creators(loss)}
    # inputs that did not require grad (the batch, the labels) are not checked
    assert report.rows[0].checked_inputs == (1, 2)
    assert report.rows[0].input_shapes == ((4, 6), (6, 5), (5,))
    assert report.rows[4].checked_inputs == (0,)
    assert report.rows[0].dtype == "float64"
    # the graph is still usable afterwards: backward gives the usual gradients
    loss.backward()
    assert all(p.grad is not None and p.grad.shape == p.shape for p in net.params)


@pytest.mark.parametrize("bad, wrong_input", BUGGY, ids=[b.__name__ for b, _ in BUGGY])
def test_check_graph_names_exactly_the_buggy_op(bad, wrong_input):
    x, t = batch()
    loss = Net(bad).loss(x, t)
    report = mg.check_graph(loss)
    assert not report.ok
    assert [r.op for r in report.failures] == [bad.__name__]
    first = report.first_failure
    assert first.op == bad.__name__ and first.index == 2 and first.scope == "gain"
    assert isinstance(first.function, bad)
    assert first.function is loss.creator.inputs[0].creator.inputs[0].creator
    assert first.failing_inputs == (wrong_input,)
    assert not first.passed and first.status == "FAIL" and first.n_bad > 0
    assert first.max_abs_err > 1e-2
    text = str(report)
    assert "first failing op" in text and bad.__name__ in text and "FAIL" in text
    assert f"input {wrong_input}" in first.describe()


def test_check_graph_float32_graph_is_promoted_and_left_bitwise_unchanged():
    x, t = batch(dtype=np.float32)
    net = Net(dtype=np.float32)
    loss = net.loss(x, t)
    saved = [(p, p.data, p.data.tobytes()) for p in net.params]
    fdata = [(f, [(a, a.data, a.data.tobytes()) for a in f.inputs]) for f in creators(loss)]
    report = mg.check_graph(loss)
    assert report.ok, str(report)
    assert report.promoted and report.promoted_dtypes == ("float32",)
    assert all(r.promoted for r in report.rows)
    assert report.rows[0].dtype == "float32"
    assert "float32 inputs promoted to float64" in str(report)
    for p, data, raw in saved:
        assert p.data is data and p.data.dtype == np.float32 and p.data.tobytes() == raw
        assert p.grad is None and p.version == 0
    for _, ins in fdata:
        for a, data, raw in ins:
            assert a.data is data and a.data.tobytes() == raw
    loss.backward()  # the graph still works, in float32
    assert net.W1.grad.dtype == np.float32


def test_check_graph_float32_finds_the_buggy_op_too():
    x, t = batch(dtype=np.float32)
    report = mg.check_graph(Net(GainWrongSign, dtype=np.float32).loss(x, t))
    assert [r.op for r in report.failures] == ["GainWrongSign"]


def test_check_graph_flags_relu_and_abs_at_zero_as_nondifferentiable():
    x = mg.tensor([-1.0, 0.0, 2.0, 0.0], requires_grad=True)
    report = mg.check_graph((x.relu() + x.abs()).sum())
    relu, ab = report.rows[0], report.rows[1]
    assert (relu.op, ab.op) == ("ReLU", "Abs")
    assert relu.nondifferentiable and relu.passed and relu.n_nondifferentiable == 2
    assert ab.nondifferentiable and ab.passed and relu.status == "non-diff"
    assert report.ok and report.first_failure is None
    assert "not differentiable" in str(report)


def test_check_graph_flags_max_and_min_ties():
    x = mg.tensor([[1.0, 3.0, 3.0], [0.5, 0.5, 2.0]], requires_grad=True)
    report = mg.check_graph(x.max(axis=1).sum() + x.min(axis=1).sum())
    by_op = {r.op: r for r in report.rows}
    assert by_op["Max"].nondifferentiable and by_op["Max"].passed
    assert by_op["Min"].nondifferentiable and by_op["Min"].passed
    assert not by_op["Sum"].nondifferentiable
    assert report.ok


def test_check_graph_smooth_ops_are_not_flagged():
    x = mg.tensor(np.linspace(-2, 2, 7), requires_grad=True)
    report = mg.check_graph((x.tanh() * x.exp() + x.sin()).sum())
    assert report.ok and not any(r.nondifferentiable for r in report.rows)


class BadReLU(mg.Function):
    """A relu whose gradient is wrong, also at the kink."""

    def forward(self, x):
        return np.maximum(x, 0)

    def backward(self, gy):
        return gy * 5.0


def test_a_wrong_gradient_at_a_kink_still_fails():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    report = mg.check_graph(BadReLU()(x).sum())
    assert report.first_failure.op == "BadReLU"


class CurvedSquareOff(mg.Function):
    """500 x**2 whose gradient is off by 4e-4: at 0 the curvature alone makes the one-sided
    differences disagree by 1e-3, but the function is smooth there."""

    def forward(self, x):
        return 500 * x * x

    def backward(self, gy):
        return gy * (1000 * self.inputs[0] + 4e-4)


def test_check_graph_does_not_take_curvature_for_a_kink():
    x = mg.tensor([0.0, 0.0], requires_grad=True)
    report = mg.check_graph(CurvedSquareOff()(x).sum())
    assert report.first_failure.op == "CurvedSquareOff"
    assert report.first_failure.n_nondifferentiable == 0
    # and gradcheck, which shares its rule and code, says the same
    assert mg.gradcheck(lambda a: CurvedSquareOff()(a).sum(), [x], raise_exception=False) is False


def test_check_graph_and_gradcheck_share_one_verdict(monkeypatch):
    import importlib

    from minigrad import numerical

    calls = []
    real = numerical.judge_gradient

    def spy(*args, **kw):
        calls.append(1)
        return real(*args, **kw)

    monkeypatch.setattr(numerical, "judge_gradient", spy)
    for module in ("minigrad.debug.check", "minigrad.gradcheck"):  # the modules, not functions
        monkeypatch.setattr(importlib.import_module(module), "judge_gradient", spy)
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    assert mg.check_graph(x.relu().sum()).ok and len(calls) == 2  # ReLU and Sum
    with pytest.warns(UserWarning, match="kink"):
        assert mg.gradcheck(lambda a: a.relu().sum(), [x]) and len(calls) == 3


class NoisySquare(mg.Function):
    """x**2 plus noise drawn on every forward."""

    rng = np.random.default_rng(0)

    def forward(self, x):
        return x * x + self.rng.standard_normal(x.shape) * 1e-3

    def backward(self, gy):
        return gy * 2 * self.inputs[0]


def test_check_graph_says_an_op_is_not_deterministic():
    x = mg.tensor([0.5, -1.0], requires_grad=True)
    report = mg.check_graph((NoisySquare()(x) * 3).sum())
    row = report.first_failure
    assert row.op == "NoisySquare" and row.status == "ERROR"
    assert "not deterministic" in row.error and "output 0" in row.error
    assert [r.status for r in report.rows[1:]] == ["ok", "ok"]
    assert mg.check_graph(NoisySquare()(x).sum(), nondet_tol=1.0).rows[0].error is None
    with pytest.raises(ValueError, match="nondet_tol"):
        mg.check_graph(NoisySquare()(x).sum(), nondet_tol=-1.0)


def test_check_graph_on_a_released_graph_says_so():
    x, t = batch()
    loss = Net().loss(x, t)
    loss.backward()
    with pytest.raises(RuntimeError, match=r"SoftmaxCrossEntropy.*retain_graph=True"):
        mg.check_graph(loss)
    loss2 = Net().loss(x, t)
    loss2.backward(retain_graph=True)
    assert mg.check_graph(loss2).ok


def test_check_graph_rejects_a_leaf_and_bad_arguments():
    w = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(ValueError, match="no recorded graph"):
        mg.check_graph(w)
    with pytest.raises(TypeError, match="not a Tensor"):
        mg.check_graph(np.ones(3))
    y = (w * 2).sum()
    with pytest.raises(ValueError, match="eps"):
        mg.check_graph(y, eps=0)
    with pytest.raises(ValueError, match="atol"):
        mg.check_graph(y, atol=-1)
    with pytest.raises(ValueError, match="max_elements"):
        mg.check_graph(y, max_elements=0)


class WrongShape(mg.Function):
    def forward(self, x):
        return x * 2

    def backward(self, gy):
        return gy.sum(axis=0)


class Explodes(mg.Function):
    def forward(self, x):
        return x * 2

    def backward(self, gy):
        raise ZeroDivisionError("oops")


def test_an_op_whose_backward_raises_is_reported_as_an_error_row():
    x = mg.tensor(np.ones((3, 2)), requires_grad=True)
    report = mg.check_graph(Explodes()(WrongShape()(x)).sum())
    rows = {r.op: r for r in report.rows}
    assert rows["WrongShape"].status == "ERROR" and "shape" in rows["WrongShape"].error
    assert rows["Explodes"].status == "ERROR" and "ZeroDivisionError" in rows["Explodes"].error
    assert report.first_failure.op == "WrongShape"
    assert "error:" in str(report)


def test_an_input_changed_in_place_after_the_op_ran_is_reported():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    h = w * 3
    y = h.exp().sum()
    with mg.no_grad():
        h += 1.0
    report = mg.check_graph(y)
    row = next(r for r in report.rows if r.op == "Exp")
    assert row.status == "ERROR" and "modified in place" in row.error


class TwoOut(mg.Function):
    """Returns (x * y, x - y)."""

    def forward(self, x, y):
        return x * y, x - y

    def backward(self, ga, gb):
        x, y = self.inputs
        return ga * y + gb, ga * x - gb


def test_multi_output_user_function():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    y = mg.tensor([3.0, -1.0], requires_grad=True)
    a, b = TwoOut()(x, y)
    report = mg.check_graph((a * b).sum())
    assert report.ok and report.rows[0].op == "TwoOut"
    assert report.rows[0].checked_inputs == (0, 1)


def test_max_elements_samples_big_inputs():
    w = mg.tensor(np.random.default_rng(0).standard_normal((20, 10)), requires_grad=True)
    report = mg.check_graph((w * w).sum(), max_elements=7)
    assert report.rows[0].n_elements == 14  # two inputs (w, w), 7 elements each
    assert report.rows[1].n_elements == 7
    assert report.ok


def test_check_graph_adds_nothing_to_an_active_trace():
    x, t = batch()
    loss = Net().loss(x, t)
    hooks_before = list(autograd.backward_hooks)
    with mg.trace_backward() as trace:
        mg.check_graph(loss)
        assert len(trace.rows) == 0
        loss.backward()
    assert len(trace.rows) == 5
    assert autograd.backward_hooks == hooks_before


def test_viz_can_highlight_the_report():
    from minigrad import viz

    x, t = batch()
    loss = Net(GainWrongSign).loss(x, t)
    report = mg.check_graph(loss)
    source = viz.to_dot(loss, highlight=report).source
    assert "GainWrongSign" in source


@settings(max_examples=25, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=3),
       seed=st.integers(0, 2**16))
def test_check_graph_passes_correct_broadcasting_graphs(shapes, seed):
    rng = np.random.default_rng(seed)
    sa, sb = shapes.input_shapes
    a = mg.tensor(rng.uniform(0.5, 2.0, sa), requires_grad=True)
    b = mg.tensor(rng.uniform(0.5, 2.0, sb), requires_grad=True)
    report = mg.check_graph(((a * b + a / b) - b).tanh().sum())
    assert report.ok, str(report)
    assert [r.op for r in report.rows][-2:] == ["Tanh", "Sum"]


# ---------------------------------------------------------------------------
# trace_backward

def test_trace_shows_the_summed_broadcast_axes_of_a_bias_add():
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((4, 6)))
    W = mg.tensor(rng.standard_normal((6, 5)), requires_grad=True)
    b = mg.tensor(np.zeros(5), requires_grad=True)
    y = ((x @ W + b).sigmoid()).sum()
    with mg.trace_backward() as trace:
        y.backward()
    assert [r.op for r in trace.rows] == ["Sum", "Sigmoid", "Add", "MatMul"]
    add = trace.rows[2]
    assert add.summed_axes == ((), (0,))
    assert add.incoming_shapes == ((4, 5),)
    assert add.produced_shapes == ((4, 5), (5,))
    assert add.input_shapes == ((4, 5), (5,))
    assert trace.rows[3].summed_axes == ((), ())
    assert trace.rows[3].produced_shapes == (None, (6, 5))
    assert trace.rows[0].incoming_shapes == ((),)
    assert [r.step for r in trace.rows] == [0, 1, 2, 3]
    text = str(trace)
    assert "summed over" in text and "in1: axis 0" in text and "backward trace: 4 steps" in text


def test_trace_of_the_model_shows_linear_bias_axes_and_scopes():
    x, t = batch()
    loss = Net().loss(x, t)
    with mg.trace_backward() as trace:
        loss.backward()
    assert [(r.op, r.scope) for r in trace.rows] == [
        ("SoftmaxCrossEntropy", None), ("Linear", "fc2"), ("Gain", "gain"), ("Sigmoid", None),
        ("Linear", "fc1")]
    fc2, gain, fc1 = trace.rows[1], trace.rows[2], trace.rows[4]
    assert fc2.summed_axes == ((), (), (0,))
    assert fc2.produced_shapes == ((4, 5), (5, 3), (3,))
    assert gain.summed_axes == ((), (0,))
    assert fc1.produced_shapes == (None, (6, 5), (5,))
    assert trace.rows[0].produced_shapes == ((4, 3), None)
    assert "fc2" in str(trace)


def test_trace_sum_to_and_broadcast_to_axes():
    x = mg.tensor(np.ones((2, 4, 3)), requires_grad=True)
    b = mg.tensor(np.ones((4, 1)), requires_grad=True)
    with mg.trace_backward() as trace:
        (x.sum_to((4, 1)) * 1.0).sum().backward()
        b.broadcast_to((2, 4, 3)).sum().backward()
    rows = {r.op: r for r in trace.rows}
    assert rows["SumTo"].summed_axes == ((0, 2),)
    assert rows["SumTo"].attrs == "shape=(4, 1)"
    assert rows["BroadcastTo"].summed_axes == ((0, 2),)
    assert rows["BroadcastTo"].produced_shapes == ((4, 1),)


def test_trace_hook_is_removed_on_exit():
    before = list(autograd.backward_hooks)
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    with mg.trace_backward() as trace:
        assert len(autograd.backward_hooks) == len(before) + 1
        (w * w).sum().backward()
    n = len(trace.rows)
    assert autograd.backward_hooks == before
    (w * w).sum().backward()
    assert len(trace.rows) == n == 2 and len(trace) == 2
    assert repr(trace) == "<BackwardTrace: 2 steps>"


def test_trace_hook_is_removed_when_the_block_raises():
    before = list(autograd.backward_hooks)
    with pytest.raises(KeyError), mg.trace_backward():
        raise KeyError("x")
    assert autograd.backward_hooks == before


def _expected_axes(small, big):
    """Independent reference: the axes numpy must sum a big-shaped gradient over."""
    padded = (1,) * (len(big) - len(small)) + tuple(small)
    return tuple(i for i, (s, n) in enumerate(zip(padded, big))
                 if i < len(big) - len(small) or (s == 1 and n != 1))


@settings(max_examples=30, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=3,
                                                max_side=3))
def test_trace_summed_axes_match_numpy_broadcasting(shapes):
    sa, sb = shapes.input_shapes
    out = np.broadcast_shapes(sa, sb)
    a = mg.tensor(np.ones(sa), requires_grad=True)
    b = mg.tensor(np.ones(sb), requires_grad=True)
    with mg.trace_backward() as trace:
        (a * b).sum().backward()
    mul = next(r for r in trace.rows if r.op == "Mul")
    assert mul.summed_axes == (_expected_axes(sa, out), _expected_axes(sb, out))
    for s, axes in zip((sa, sb), mul.summed_axes):
        g = np.ones(out).sum(axis=axes, keepdims=True) if axes else np.ones(out)
        assert g.size == int(np.prod(s))


# ---------------------------------------------------------------------------
# graph_memory

def test_graph_memory_of_a_known_graph_is_exact():
    x = mg.tensor(np.zeros((4, 6)))
    W = mg.tensor(np.zeros((6, 5)), requires_grad=True)
    b = mg.tensor(np.zeros(5), requires_grad=True)
    loss = F.linear(x, W, b).sigmoid().sum()
    report = mg.graph_memory(loss)
    assert [r.op for r in report.rows] == ["Linear", "Sigmoid", "Sum"]
    # Linear holds x (4*6*8), W (6*5*8), b (5*8); Sigmoid its input (4*5*8); Sum its input
    assert [r.counted_bytes for r in report.rows] == [192 + 240 + 40, 160, 160]
    assert report.total_bytes == 792
    assert [(a.shape, a.dtype, a.nbytes) for a in report.rows[0].arrays] == [
        ((4, 6), "float64", 192), ((6, 5), "float64", 240), ((5,), "float64", 40)]
    assert report.n_arrays == 5


def test_graph_memory_counts_a_tensor_used_twice_once():
    w = mg.tensor(np.zeros((10, 10)), requires_grad=True, name="w")
    report = mg.graph_memory((w * w).sum())
    mul = report.rows[0]
    assert [a.counted_bytes for a in mul.arrays] == [800, 0]
    assert [a.name for a in mul.arrays] == ["w", "w"]
    assert report.total_bytes == 1600
    text = str(report)
    assert "(shared)" in text and "1.6 KiB" in text and "1600 bytes" in text


def test_graph_memory_counts_views_as_their_buffer():
    w = mg.tensor(np.zeros((4, 3)), requires_grad=True)
    a = w * 2.0  # owns 96 bytes; the constant 2.0 is a 0-d float64 (8 bytes)
    report = mg.graph_memory(a.reshape(12).T.sum())
    assert [r.op for r in report.rows] == ["Mul", "Reshape", "Transpose", "Sum"]
    assert report.total_bytes == 96 + 8 + 96
    assert report.rows[2].arrays[0].view and report.rows[2].counted_bytes == 0


def test_graph_memory_counts_only_the_memory_a_view_occupies():
    big = np.zeros((1000, 6))
    W = mg.tensor(np.zeros((6, 2)), requires_grad=True)
    report = mg.graph_memory((mg.tensor(big[10:14]) @ W).sum())  # a 4-row slice of big
    assert report.rows[0].arrays[0].view
    assert report.total_bytes == 4 * 6 * 8 + 96 + 4 * 2 * 8
    b = mg.tensor(np.zeros(3), requires_grad=True)
    wide = b.broadcast_to((50, 3))  # a view of b's 24 bytes, not 1200
    report = mg.graph_memory((wide * 2.0).sum())
    assert [r.op for r in report.rows] == ["BroadcastTo", "Mul", "Sum"]
    assert report.rows[1].arrays[0].nbytes == 1200
    assert report.rows[1].arrays[0].counted_bytes == 0
    assert report.total_bytes == 24 + 8 + 1200


def test_graph_memory_float32_is_half():
    def build(dtype):
        x = mg.tensor(np.zeros((8, 16)), dtype=dtype)
        W = mg.tensor(np.zeros((16, 4)), dtype=dtype, requires_grad=True)
        return (x @ W).tanh().sum()

    assert mg.graph_memory(build(np.float64)).total_bytes == 2 * mg.graph_memory(
        build(np.float32)).total_bytes == 2 * 4 * (128 + 64 + 32 + 32)


def test_graph_memory_of_the_model_and_after_backward():
    x, t = batch()
    net = Net()
    loss = net.loss(x, t)
    report = mg.graph_memory(loss)
    # x, W1, b1 | a1 | s, g | h, W2, b2 | logits, labels (int64)
    expected = 8 * (24 + 30 + 5 + 20 + 20 + 5 + 20 + 15 + 3 + 12) + 8 * 4
    assert report.total_bytes == expected
    loss.backward()
    after = mg.graph_memory(loss)
    assert after.total_bytes == 0 and after.rows[0].released
    assert "released" in str(after)


class TinyModel:
    def __init__(self):
        self.W = mg.tensor(np.zeros((6, 3)), requires_grad=True)

    def __call__(self, x):
        return F.linear(x, self.W)


def test_memory_profile_of_step():
    x, t = batch()
    net = Net()
    report = debug.memory_profile_of_step(net, x, t)
    assert report.total_bytes == mg.graph_memory(net.loss(x, t)).total_bytes
    assert all(p.grad is None for p in net.params)
    small = debug.memory_profile_of_step(TinyModel(), x, t)
    assert [r.op for r in small.rows] == ["Linear", "SoftmaxCrossEntropy"]
    assert small.total_bytes == 8 * (24 + 18 + 12) + 8 * 4
    with pytest.raises(ValueError, match="no graph"):
        debug.memory_profile_of_step(lambda x: mg.tensor(np.zeros((4, 3))), x, t)


def test_format_bytes():
    assert debug.format_bytes(0) == "0 B"
    assert debug.format_bytes(512) == "512 B"
    assert debug.format_bytes(1536) == "1.5 KiB"
    assert debug.format_bytes(3 * 1024**2) == "3.0 MiB"
    assert debug.format_bytes(5 * 1024**3) == "5.0 GiB"


# ---------------------------------------------------------------------------
# The accumulation audit

@pytest.fixture
def debug_off():
    prev = mg.set_debug(False)
    yield
    mg.set_debug(prev)


def _acc_warnings(fn):
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fn()
    return [w for w in caught if issubclass(w.category, mg.AccumulationWarning)]


def test_accumulation_warning_only_in_debug_mode(debug_off):
    assert issubclass(mg.AccumulationWarning, UserWarning)
    assert not debug.is_debug()
    assert debug._audit not in autograd.backward_start_hooks  # zero cost when off
    x, t = batch()
    net = Net()
    net.loss(x, t).backward()
    assert _acc_warnings(lambda: net.loss(x, t).backward()) == []

    assert mg.set_debug(True) is False
    assert debug.is_debug() and debug._audit in autograd.backward_start_hooks
    assert mg.set_debug(True) is True
    assert autograd.backward_start_hooks.count(debug._audit) == 1
    net = Net()
    net.loss(x, t).backward()  # first backward: grads were None
    caught = _acc_warnings(lambda: net.loss(x, t).backward())
    assert len(caught) == 1
    msg = str(caught[0].message)
    for name in ("'W1'", "'b1'", "'g'", "'W2'", "'b2'", "zero_grad()"):
        assert name in msg
    assert caught[0].filename == __file__  # points at the caller's backward()

    assert mg.set_debug(False) is True
    assert debug._audit not in autograd.backward_start_hooks
    assert _acc_warnings(lambda: net.loss(x, t).backward()) == []


def test_no_warning_after_zero_grad_or_an_optimizer_step(debug_off):
    mg.set_debug(True)
    x, t = batch()
    net = Net()
    net.loss(x, t).backward()
    for p in net.params:
        p.zero_grad()
    assert _acc_warnings(lambda: net.loss(x, t).backward()) == []
    with mg.no_grad():  # an SGD step updates the data in place (bumping the version)
        for p in net.params:
            p -= 0.1 * p.grad
    assert _acc_warnings(lambda: net.loss(x, t).backward()) == []
    # ...but only the stepped tensors are excused
    with mg.no_grad():
        net.W1 -= 0.1 * net.W1.grad
    caught = _acc_warnings(lambda: net.loss(x, t).backward())
    assert len(caught) == 1
    assert "'W1'" not in str(caught[0].message) and "'W2'" in str(caught[0].message)


def test_unnamed_tensors_are_named_by_shape_and_grad_does_not_warn(debug_off):
    mg.set_debug(True)
    w = mg.tensor(np.ones((2, 3)), requires_grad=True)
    (w * w).sum().backward()
    assert _acc_warnings(lambda: mg.grad((w * w).sum(), [w])) == []
    caught = _acc_warnings(lambda: (w * w).sum().backward())
    assert "tensor of shape (2, 3)" in str(caught[0].message)
    # retain_graph + a second backward accumulates too
    w2 = mg.tensor([1.0], requires_grad=True, name="w2")
    y = (w2 * w2).sum()
    y.backward(retain_graph=True)
    assert len(_acc_warnings(lambda: y.backward())) == 1


def test_accumulation_audit_forgets_dead_tensors(debug_off):
    mg.set_debug(True)
    w = mg.tensor([1.0], requires_grad=True)
    (w * 2).sum().backward()
    key = id(w)
    assert key in debug._reached
    del w
    assert key not in debug._reached


@pytest.mark.parametrize("value, expected", [("1", "True"), ("0", "False"), ("", "False")])
def test_minigrad_debug_env_var(value, expected):
    env = dict(os.environ, MINIGRAD_DEBUG=value)
    out = subprocess.run([sys.executable, "-c",
                          "import minigrad, minigrad.debug as d; print(d.is_debug())"],
                         cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == expected


# ---------------------------------------------------------------------------
# The example

def test_debugging_example_runs():
    out = subprocess.run([sys.executable, str(ROOT / "examples" / "debugging.py")], cwd=ROOT,
                         capture_output=True, text=True, timeout=120)
    assert out.returncode == 0, out.stderr
    text = out.stdout
    for marker in ("GradcheckError", "first failing op", "check_graph:", "backward trace:",
                   "graph memory:", "AccumulationWarning", "W1:", "all ops passed"):
        assert marker in text, marker


# ---------------------------------------------------------------------------
# minigrad train --profile-memory

def test_cli_profile_memory_flag(tmp_path, capsys, mnist_dir):
    from minigrad import cli

    args = cli.build_parser().parse_args(["train", "--profile-memory"])
    assert args.profile_memory is True
    assert cli.build_parser().parse_args(["train"]).profile_memory is False
    data_dir = mnist_dir
    status = cli.main(["train", "--iters", "1", "--batch-size", "10", "--data-dir",
                       str(data_dir), "--no-download", "--no-figures", "--no-progress",
                       "--profile-memory", "--out", str(tmp_path / "run")])
    assert status == 0
    text = capsys.readouterr().out
    assert "graph memory: 4 ops" in text
    # x (10, 784), W1, b1 | a1 (10, 50) | h, W2, b2 | logits (10, 10), labels (10,): the fused
    # loss keeps one-hot targets as int64 labels; the images are float64 or float32
    floats = 8 * (784 * 50 + 50 + 10 * 50 + 10 * 50 + 50 * 10 + 10 + 100)
    assert any(f"({floats + size * 10 * 784 + 8 * 10} bytes)" in text for size in (4, 8)), text
