"""The engine (minigrad.autograd): Function, grad modes, mg.grad, higher-order derivatives,
accumulation, graph order, graph lifetime, long chains, memory."""

from __future__ import annotations

import gc
import os
import re
import sys
import traceback
import tracemalloc
import warnings
import weakref

import numpy as np
import pytest
from conftest import make_leaf  # the suite's one leaf maker
from hypothesis import given
from state_support import same as _same
from state_support import state as _state
from strategies import GRADCHECK, float_arrays, shapes

import minigrad as mg
import minigrad.functional as F
from minigrad import autograd, nn, optim, viz
from minigrad.autograd import Function
from minigrad.ops.linalg import linear

leaf = make_leaf


# -- user-defined functions ---------------------------------------------------------------


class Square(mg.Function):
    def forward(self, x):
        return x * x

    def backward(self, gy):
        (x,) = self.inputs
        return 2 * x * gy


class SplitSum(mg.Function):
    """Two outputs: the sum and the difference of a and b."""

    def forward(self, a, b):
        return a + b, a - b

    def backward(self, g_sum, g_diff):
        return g_sum + g_diff, g_sum - g_diff


class Scale(mg.Function):
    """x * k where k is a constant array; checks needs_input_grad."""

    def forward(self, x, k):
        return x * k

    def backward(self, gy):
        x, k = self.inputs
        assert self.needs_input_grad == (True, False)
        return gy * k, None


def test_user_function_forward_backward_and_graph_attributes():
    x = leaf([3.0, -1.0])
    y = Square()(x)
    f = y.creator
    assert isinstance(f, Square) and f.name == "Square" and repr(f) == "<Square()>"
    assert f.inputs == (x,) and f.output() is y and f.outputs[0]() is y
    assert f.needs_input_grad == (True,) and y.creator is f and not y.is_leaf
    y.backward(np.ones(2))
    np.testing.assert_array_equal(x.grad.data, [6.0, -2.0])
    assert mg.gradcheck(lambda x: Square()(x), [leaf([0.5, 2.0])])
    assert mg.gradgradcheck(lambda x: Square()(x), [leaf([0.5, 2.0])])


def test_multi_output_function_with_one_output_unused():
    a, b = leaf([1.0, 2.0]), leaf([5.0, 7.0])
    s, d = SplitSum()(a, b)
    np.testing.assert_array_equal(s.data, [6.0, 9.0])
    d.sum().backward()  # s gets no gradient: treated as zeros
    np.testing.assert_array_equal(a.grad.data, [1.0, 1.0])
    np.testing.assert_array_equal(b.grad.data, [-1.0, -1.0])
    assert mg.gradcheck(lambda a, b: SplitSum()(a, b), [a, b])
    assert mg.gradcheck(lambda a, b: SplitSum()(a, b)[1] * 3, [a, b])


def test_graph_state_of_one_two_and_three_inputs_kept_by_copies_and_release():
    import copy

    a, b, c = leaf([1.0, 2.0]), leaf([3.0, 4.0]), leaf([5.0, 6.0])
    assert Square().inputs is None and Square().outputs == ()  # never recorded
    one, two, three = Square()(a), a * b, mg.concatenate([a, b, c])
    s, d = SplitSum()(a, b)

    def same(xs, ys):
        return type(xs) is tuple and len(xs) == len(ys) and all(x is y for x, y in zip(xs, ys))

    assert same(one.creator.inputs, (a,)) and same(two.creator.inputs, (a, b))
    assert same(three.creator.inputs, (a, b, c)) and same(s.creator.inputs, (a, b))
    assert one.creator.outputs[0]() is one and len(one.creator.outputs) == 1
    assert [r() for r in s.creator.outputs] == [s, d]
    for y in (one, two, three):
        f = y.creator
        assert same(copy.copy(f).inputs, f.inputs)
        g = copy.deepcopy(y).creator
        assert [x.data.tolist() for x in g.inputs] == [x.data.tolist() for x in f.inputs]
    f = two.creator
    two.sum().backward()
    assert f.inputs is None and f.outputs[0]() is two  # released, structure kept
    assert [e.tensor for e in f.edges] == [a, b]


def test_none_gradient_for_constant_input():
    x = leaf([1.0, 2.0])
    Scale()(x, np.array([3.0, 4.0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 4.0])


def test_function_with_wrong_number_of_gradients_is_refused():
    class Bad(mg.Function):
        def forward(self, a, b):
            return a + b

        def backward(self, gy):
            return gy

    with pytest.raises(RuntimeError, match=r"Bad.backward returned 1 gradients for 2 inputs"):
        Bad()(leaf([1.0]), leaf([2.0])).backward()


def test_function_without_forward_or_backward():
    class NoForward(mg.Function):
        pass

    with pytest.raises(NotImplementedError, match="NoForward"):
        NoForward()(leaf([1.0]))


# -- grad modes -------------------------------------------------------------------------------


def test_no_grad_records_nothing():
    w = leaf([1.0, 2.0])
    with mg.no_grad():
        assert not mg.is_grad_enabled()
        y = (w * 2).exp().sum()
    assert mg.is_grad_enabled()
    assert y.creator is None and not y.requires_grad
    with pytest.raises(RuntimeError, match="does not require grad"):
        y.backward()


def test_no_grad_as_decorator_and_nested_enable_grad():
    w = leaf([1.0, 2.0])

    @mg.no_grad()
    def predict(x):
        assert not mg.is_grad_enabled()
        with mg.enable_grad():
            inner = x * w
        return x * w, inner

    out, inner = predict(np.ones(2))
    assert not out.requires_grad and out.creator is None
    assert inner.requires_grad and inner.creator.name == "Mul"
    assert mg.is_grad_enabled()
    # nested and re-entrant
    with mg.no_grad():
        with mg.no_grad():
            pass
        assert not mg.is_grad_enabled()
        assert not predict(np.ones(2))[0].requires_grad
        assert not mg.is_grad_enabled()
    with mg.set_grad_enabled(False):
        assert not (w * 2).requires_grad
    assert (w * 2).requires_grad


def test_grad_mode_restored_after_exception():
    with pytest.raises(ZeroDivisionError):
        with mg.no_grad():
            raise ZeroDivisionError
    assert mg.is_grad_enabled()


# -- mg.grad --------------------------------------------------------------------------------


def test_grad_returns_tuple_and_leaves_dot_grad_untouched():
    x, y = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    z = (x * y).sum()
    gs = mg.grad(z, [x, y])
    assert isinstance(gs, tuple) and len(gs) == 2
    np.testing.assert_array_equal(gs[0].data, [3.0, 4.0])
    np.testing.assert_array_equal(gs[1].data, [1.0, 2.0])
    assert x.grad is None and y.grad is None
    assert not gs[0].requires_grad
    (gx,) = mg.grad((x * x).sum(), x)
    np.testing.assert_array_equal(gx.data, [2.0, 4.0])


def test_grad_for_non_leaf_inputs():
    x = leaf([1.0, 2.0])
    h = x * 3
    h.retain_grad()
    z = (h * h).sum()
    gh, gx = mg.grad(z, [h, x])
    np.testing.assert_array_equal(gh.data, 2 * h.data)
    np.testing.assert_array_equal(gx.data, 6 * h.data)
    assert h.grad is None and x.grad is None


def test_grad_outputs_for_non_scalar_outputs():
    x = leaf([1.0, 2.0, 3.0])
    y = x * x
    with pytest.raises(RuntimeError, match=r"\(3,\)"):
        mg.grad(y, x)
    v = np.array([1.0, 0.5, -1.0])
    (gx,) = mg.grad(y, x, grad_outputs=v, retain_graph=True)
    np.testing.assert_array_equal(gx.data, 2 * x.data * v)
    (gx,) = mg.grad(y, x, grad_outputs=mg.tensor(v))
    np.testing.assert_array_equal(gx.data, 2 * x.data * v)
    a, b = x * 2, x.sin()
    g2 = mg.grad([a, b], x, grad_outputs=[np.ones(3), v])
    np.testing.assert_allclose(g2[0].data, 2 + np.cos(x.data) * v)


def test_grad_with_an_input_listed_twice():
    x, y = leaf([1.0, 2.0]), leaf([3.0])
    gx1, gy, gx2 = mg.grad((x * x).sum() + y.sum(), [x, y, x])
    np.testing.assert_array_equal(gx1.data, [2.0, 4.0])
    np.testing.assert_array_equal(gx2.data, [2.0, 4.0])
    np.testing.assert_array_equal(gy.data, [1.0])


def test_grad_unused_inputs():
    x, u = leaf([1.0]), leaf([2.0])
    assert mg.grad((x * 2).sum(), [x, u])[1] is None
    with pytest.raises(RuntimeError, match="input 1"):
        mg.grad((x * 2).sum(), [x, u], allow_unused=False)
    with pytest.raises(RuntimeError, match="requires_grad"):
        mg.grad((x * 2).sum(), [mg.tensor([1.0])])


# -- higher order -----------------------------------------------------------------------------


@GRADCHECK
@given(x=shapes(max_dims=2).flatmap(lambda s: float_arrays(s, -3, 3)))
def test_second_and_third_derivative_of_cube(x):
    t = leaf(x)
    (g,) = mg.grad((t**3).sum(), t, create_graph=True)
    np.testing.assert_allclose(g.data, 3 * x**2, rtol=1e-12)
    assert g.requires_grad
    (gg,) = mg.grad(g.sum(), t, create_graph=True)
    np.testing.assert_allclose(gg.data, 6 * x, rtol=1e-12, atol=1e-15)
    (ggg,) = mg.grad(gg.sum(), t)
    np.testing.assert_allclose(ggg.data, np.full(x.shape, 6.0), rtol=1e-12)


@GRADCHECK
@given(x=shapes(max_dims=2).flatmap(lambda s: float_arrays(s, -3, 3)))
def test_second_derivative_of_tanh(x):
    t = leaf(x)
    (g,) = mg.grad(t.tanh().sum(), t, create_graph=True)
    (gg,) = mg.grad(g.sum(), t)
    th = np.tanh(x)
    np.testing.assert_allclose(g.data, 1 - th**2, rtol=1e-12, atol=1e-15)
    np.testing.assert_allclose(gg.data, -2 * th * (1 - th**2), rtol=1e-10, atol=1e-15)


def test_backward_create_graph_then_backward_of_the_gradient():
    x = leaf([0.5, -1.0])
    (x**3).sum().backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.creator is not None
    np.testing.assert_allclose(g.data, 3 * x.data**2)
    x.grad = None
    g.sum().backward()
    np.testing.assert_allclose(x.grad.data, 6 * x.data)
    # through a non-leaf: the graph the gradient refers to must still be there
    y = leaf([0.3])
    y.tanh().backward(create_graph=True)
    gy = y.grad
    y.grad = None
    gy.backward()
    th = np.tanh(0.3)
    np.testing.assert_allclose(y.grad.data, [-2 * th * (1 - th**2)], rtol=1e-12)


def test_gradient_of_gradient_norm():
    # d/dx |grad f|^2 for f = sum(x^2 * y): a typical double-backward use
    x, y = leaf([1.0, 2.0]), leaf([3.0, -1.0])
    gx, gy = mg.grad((x * x * y).sum(), [x, y], create_graph=True)
    penalty = (gx * gx).sum() + (gy * gy).sum()
    dx, dy = mg.grad(penalty, [x, y])
    # gx = 2xy, gy = x^2: penalty = 4x^2y^2 + x^4
    np.testing.assert_allclose(dx.data, 8 * x.data * y.data**2 + 4 * x.data**3)
    np.testing.assert_allclose(dy.data, 8 * x.data**2 * y.data)


def test_retain_grad_keeps_non_leaf_gradient():
    x = leaf([1.0, 2.0])
    h = (x * 2).retain_grad()
    k = x * 3
    (h * k).sum().backward()
    np.testing.assert_array_equal(h.grad.data, k.data)
    assert k.grad is None
    with pytest.raises(RuntimeError, match="does not require grad"):
        mg.tensor([1.0]).retain_grad()


class gc_disabled:  # noqa: N801 - used like a function
    """Turn the cycle collector off: whatever is freed is freed by reference counting."""

    def __enter__(self):
        self.was = gc.isenabled()
        gc.collect()
        gc.disable()

    def __exit__(self, *exc):
        if self.was:
            gc.enable()


# -- accumulation ---------------------------------------------------------------------------


def test_tensor_used_twice_accumulates():
    x = leaf([3.0, -2.0])
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [6.0, -4.0])
    x.grad = None
    y = x + x + x
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [3.0, 3.0])


def test_diamond():
    x = leaf([2.0])
    a = x * 2
    b = x * 3
    y = a * b  # 6 x^2
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [24.0])


def test_deep_diamonds_against_numerical_gradient():
    def f(x):
        y = x
        for _ in range(30):
            a = y * 0.5
            b = y.sin()
            y = a * b + y  # every level is a diamond
        return y.sum()

    assert mg.gradcheck(f, [leaf([0.3, -0.7, 1.1])])


def test_uneven_paths_are_ordered_correctly():
    # x reaches y through a long and a short path; y's grad must be complete before use
    x = leaf([1.5])
    long = x
    for _ in range(20):
        long = long * 1.0
    h = long + x  # 2x
    y = h * h + h * x  # 4x^2 + 2x^2 = 6x^2
    y.backward()
    np.testing.assert_allclose(x.grad.data, [18.0])


def test_gradients_accumulate_across_backward_calls_until_cleared():
    x = leaf([1.0, 2.0])
    for k in range(1, 4):
        (x * 5).sum().backward()
        np.testing.assert_array_equal(x.grad.data, [5.0 * k, 5.0 * k])
    x.zero_grad()
    assert x.grad is None
    (x * x).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 4.0])
    x.grad = None
    (x * 2).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [2.0, 2.0])


def test_grads_are_owned_writable_and_not_shared():
    # + passes its gradient through unchanged, and sum backward is a broadcast view:
    # each .grad must still be an independent, writable array
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    (a + b).sum().backward()
    assert a.grad is not b.grad and not np.shares_memory(a.grad.data, b.grad.data)
    for g in (a.grad, b.grad):
        assert g.data.flags.writeable and g.data.flags.owndata
    a.grad.data *= 10  # does not leak into b.grad
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0])
    with mg.no_grad():
        b.grad *= 0.5  # in-place update of a gradient (e.g. clipping)
    np.testing.assert_array_equal(b.grad.data, [0.5, 0.5])
    # a gradient given by the caller is not aliased either
    seed = mg.tensor([1.0, 1.0])
    c = leaf([0.0, 0.0])
    (c + 0).backward(seed)
    assert not np.shares_memory(c.grad.data, seed.data)
    c.grad.data[0] = 7.0
    np.testing.assert_array_equal(seed.data, [1.0, 1.0])


def test_non_leaf_gradients_are_not_kept():
    x = leaf([1.0, 2.0])
    h = x * 2
    y = (h * h).sum()
    y.backward()
    assert h.grad is None and y.grad is None
    assert x.grad is not None


# -- graph lifetime ---------------------------------------------------------------------------


def test_second_backward_raises_unless_retain_graph():
    x = leaf([3.0])
    y = (x * x).exp().sum()
    y.backward()
    with pytest.raises(RuntimeError, match="retain_graph=True") as info:
        y.backward()
    assert "second time" in str(info.value)

    x.grad = None
    y = (x * x).sum()
    y.backward(retain_graph=True)
    y.backward(retain_graph=True)
    y.backward()
    np.testing.assert_array_equal(x.grad.data, [18.0])
    with pytest.raises(RuntimeError, match="second time"):
        y.backward()


def test_create_graph_gradients_are_differentiable():
    x = leaf([2.0])
    y = x**4
    y.backward(create_graph=True)
    g = x.grad
    assert g.requires_grad and g.creator is not None
    np.testing.assert_allclose(g.data, [32.0])
    (gg,) = mg.grad(g, x)
    np.testing.assert_allclose(gg.data, [48.0])
    # without create_graph the gradient is a plain tensor
    z = leaf([2.0])
    (z**4).backward()
    assert not z.grad.requires_grad and z.grad.creator is None


def _build_and_backprop(refs, width=4):
    x = leaf(np.linspace(-1, 1, width))
    w = leaf(np.ones((width, 3)))
    h = (x @ w).tanh()
    y = F.softmax(h * 2.0)
    loss = (y * y).sum() + h.mean()
    for t in (h, y, loss):
        refs.append(weakref.ref(t))
        refs.append(weakref.ref(t.creator))
    loss.backward()
    return w.grad


def test_graphs_are_freed_by_reference_counting():
    refs = []
    with gc_disabled():
        for _ in range(50):
            g = _build_and_backprop(refs)
            assert g is not None
        # graphs dropped without backward are freed too
        for _ in range(20):
            x = leaf([1.0, 2.0])
            h = x.exp()
            refs += [weakref.ref(h), weakref.ref(h.creator)]
            del x, h
        # and graphs kept for a second backward, once dropped
        x = leaf([1.0])
        y = (x * 2).sin()
        refs += [weakref.ref(y), weakref.ref(y.creator)]
        y.backward(retain_graph=True)
        del y
        # and the graph of a create_graph gradient obtained with mg.grad
        x = leaf([1.0])
        y = x.exp()
        (g,) = mg.grad(y, x, create_graph=True)
        refs += [weakref.ref(y), weakref.ref(g), weakref.ref(g.creator)]
        del y, g
        alive = [r() for r in refs if r() is not None]
        assert alive == []


def test_training_memory_is_flat():
    rng = np.random.default_rng(0)
    x = rng.standard_normal((8, 5))
    t = rng.integers(0, 3, 8)
    params = [leaf(rng.standard_normal((5, 6)) * 0.1), leaf(np.zeros(6)),
              leaf(rng.standard_normal((6, 3)) * 0.1), leaf(np.zeros(3))]
    W1, b1, W2, b2 = params

    def step():
        loss = F.softmax_cross_entropy(linear(linear(x, W1, b1).sigmoid(), W2, b2), t)
        for p in params:
            p.grad = None
        loss.backward()
        with mg.no_grad():
            for p in params:
                p -= 0.1 * p.grad
        return loss.item()

    with gc_disabled():
        first = step()
        for _ in range(1000):  # warm-up: caches and free lists fill up
            step()
        tracemalloc.start()
        try:
            for _ in range(100):
                step()
            before = tracemalloc.get_traced_memory()[0]
            n_objects = len(gc.get_objects())
            for _ in range(2000):
                last = step()
            growth = tracemalloc.get_traced_memory()[0] - before
            grown = len(gc.get_objects()) - n_objects
        finally:
            tracemalloc.stop()
    assert growth < 32 * 1024, growth
    assert grown < 50, grown
    assert last < first  # it did train


# -- long chains --------------------------------------------------------------------------------


def _chain(n):
    x = leaf([1.0])
    y = x
    for _ in range(n):
        y = y * 1.0001
    return x, y


def test_chain_of_100k_ops_without_recursion():
    with gc_disabled():  # only to make building the chain faster
        x, y = _chain(100_000)
        y.backward()
        del y
    assert x.grad.item() == pytest.approx(1.0001**100_000, rel=1e-9)


def test_dropping_a_long_graph_without_backward():
    with gc_disabled():
        x, y = _chain(100_000)
        r = weakref.ref(y.creator)
        del y
        assert r() is None


@pytest.mark.slow
def test_chain_of_a_million_ops_without_recursion():
    with gc_disabled():
        x, y = _chain(1_000_000)
        y.backward()
        del y
    assert x.grad.item() == pytest.approx(1.0001**1e6, rel=1e-8)


def test_leaf_grad_takes_the_leaf_dtype():
    w = mg.Tensor(np.ones((2, 2), np.float32), requires_grad=True)
    (mg.tensor(np.ones((3, 2))) @ w).sum().backward()
    assert w.grad.dtype == np.float32
    np.testing.assert_array_equal(w.grad.data, np.full((2, 2), 3.0, np.float32))


def test_no_grad_as_bare_decorator():
    @mg.no_grad
    def double(x):
        return x * 2

    w = mg.tensor([1.0], requires_grad=True)
    y = double(w)
    assert not y.requires_grad and y.creator is None
    assert mg.is_grad_enabled()


class WrongShape(Function):
    """Identity whose backward returns a gradient of the wrong shape."""

    elementwise = True

    def forward(self, x):
        return x.copy()

    def backward(self, gy):
        return mg.tensor(np.ones(gy.shape + (1,)))


class Failing(Function):
    """Its forward fails inside the user's own code."""

    def forward(self, x):
        return _user_helper(x)


def _user_helper(x):
    raise ValueError("user forward failed here")


# -- duplicate and multi-output roots ----------------------------------------------------------

def test_grad_of_a_root_given_twice_is_the_sum(leaf):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    (g,) = mg.grad([y, y], [x])
    np.testing.assert_array_equal(g.data, [4.0, 8.0])


def test_backward_of_a_root_given_twice_accumulates_both(leaf):
    x = leaf([1.0, 2.0])
    y = (x * x).sum()
    autograd.backward([y, y], [mg.tensor(1.0), mg.tensor(1.0)])
    np.testing.assert_array_equal(x.grad.data, [4.0, 8.0])


# -- atomic backward ---------------------------------------------------------------------------

def test_failed_backward_writes_no_grad(leaf):
    w1, w2 = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    w1.grad = mg.tensor([5.0, 5.0])
    z = (WrongShape()(w2 * 1.0) + w1).sum()  # w1's gradient is ready before the bad step
    with pytest.raises(RuntimeError, match="WrongShape.backward returned a gradient of shape"):
        z.backward()
    np.testing.assert_array_equal(w1.grad.data, [5.0, 5.0])
    assert w2.grad is None


# -- forward errors keep the user's frames -----------------------------------------------------

def test_forward_error_of_a_user_function_is_chained():
    with pytest.raises(ValueError, match="Failing: user forward failed here") as info:
        Failing()(mg.tensor([1.0], requires_grad=True))
    cause = info.value.__cause__
    assert isinstance(cause, ValueError)
    frames = [f.name for f in traceback.extract_tb(cause.__traceback__)]
    assert "_user_helper" in frames and "forward" in frames


def test_an_ops_forward_value_and_type_errors_are_runtime_errors_too():
    # NumPy raises ValueError/TypeError where PyTorch raises RuntimeError: both catch them
    with pytest.raises(mg.OpError, match=r"MatMul: .* \(inputs: float64 \(2, 4\), float64 "
                                         r"\(1, 3\)\)") as info:
        mg.tensor(np.ones((2, 4))) @ mg.tensor(np.ones((1, 3)))
    assert isinstance(info.value, ValueError) and isinstance(info.value, RuntimeError)
    with pytest.raises(RuntimeError, match="Failing: user forward failed here"):
        Failing()(mg.tensor([1.0], requires_grad=True))


# -- grad_fn, abs ------------------------------------------------------------------------------

def test_grad_fn_is_the_creator_and_abs_works(leaf):
    x = leaf([-1.5, 2.0])
    y = abs(x)
    assert y.grad_fn is y.creator and y.grad_fn.name == "Abs"
    assert x.grad_fn is None
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [-1.0, 1.0])


# -- structure kept after backward -------------------------------------------------------------

def test_structure_survives_backward_but_saved_data_does_not(leaf):
    x, w = mg.tensor(np.ones((4, 3))), leaf(np.ones((3, 2)))
    loss = (x @ w).sigmoid().sum()
    before = [f.name for f in autograd.walk(loss)]
    loss.backward()
    after = autograd.walk(loss)
    assert [f.name for f in after] == before == ["Sum", "Sigmoid", "MatMul"]
    assert all(f.inputs is None and f.released is autograd.Released.BY_BACKWARD for f in after)
    matmul = after[-1]
    (ex, ew) = matmul.edges
    assert ex.tensor is None and ex.shape == (4, 3)  # the batch itself is not kept
    assert ew.tensor is w
    assert after[0].edges[0].function is after[1] and after[0].edges[0].shape == (4, 2)
    with pytest.raises(RuntimeError, match="second time"):
        loss.backward()


def test_kept_losses_hold_no_more_than_before():
    """The book's loop keeping every loss holds less per loss than 0.1.0 did.

    0.1.0 held 13.80 KB per kept loss in this loop (about 11.0 KB over 1,000 kept
    losses with MNIST): the loss, its fused op, the (100, 10) logits and the labels.
    """
    from minigrad.models import TwoLayerNet

    rng = np.random.default_rng(0)
    x_train = rng.random((500, 784))
    t_train = np.eye(10)[rng.integers(0, 10, 500)]
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, seed=0)
    kept = []

    def run(n):
        for _ in range(n):
            mask = rng.choice(500, 100)
            xb, tb = x_train[mask], t_train[mask]
            grads = net.gradient(xb, tb)
            for key in ("W1", "b1", "W2", "b2"):
                net.params[key] -= 0.1 * grads[key]
            kept.append(net.loss(xb, tb))

    run(5)
    gc.collect()
    tracemalloc.start()
    try:
        base, _ = tracemalloc.get_traced_memory()
        run(200)
        gc.collect()
        now, _ = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    per_loss = (now - base) / 200
    assert per_loss < 13_750, per_loss
    # the op below the loss was freed by the update of W2: it holds no array, and the
    # ops above it (which only it could reach) are gone
    fc2 = kept[0].creator.edges[0].function
    assert fc2.name == "Linear" and fc2.inputs is None
    assert fc2.edges[0].function is None and fc2.edges[0].shape is None
    assert fc2.edges[1].tensor is net.params["W2"]


# -- the op knows itself -----------------------------------------------------------------------

def test_registries_outside_the_ops_are_gone():
    from minigrad import debug

    assert not hasattr(viz, "_BROADCASTING_OPS")
    assert not hasattr(debug, "_NOT_ELEMENTWISE")
    assert viz.broadcast_axes is autograd.broadcast_axes


class BroadcastScale(Function):
    """A user op ``x * s`` with ``s`` broadcast, declared like a built-in."""

    elementwise = True
    broadcasting = True

    def forward(self, x, s):
        return x * s

    def backward(self, gy):
        x, s = self.inputs
        return gy * s, (gy * x).sum(axis=0)


def test_a_user_op_gets_the_built_in_treatment(leaf):
    x, s = leaf(np.ones((4, 3))), leaf(np.ones(3))
    y = BroadcastScale()(x, s).sum()
    assert "broadcast axis 0" in viz.to_dot(y).source
    with mg.trace_backward() as trace:
        y.backward()
    assert trace.rows[1].op == "BroadcastScale" and trace.rows[1].summed_axes == ((), (0,))


# -- a refused backward changes nothing -------------------------------------------------------

def test_backward_on_non_scalar_without_grad(primed):
    a, _ = primed
    before = _state(a)
    y = a * 2
    with pytest.raises(RuntimeError, match=re.escape("(2, 3)")):
        y.backward()
    assert _same(before, _state(a))
    y.backward(np.ones((2, 3)))  # the graph is intact
    np.testing.assert_array_equal(a.grad.data, np.full((2, 3), 4.0))


def test_backward_with_grad_of_the_wrong_shape(primed):
    a, _ = primed
    before = _state(a)
    y = a * 2
    with pytest.raises(ValueError) as info:
        y.backward(np.ones(3))
    assert "(3,)" in str(info.value) and "(2, 3)" in str(info.value)
    with pytest.raises(ValueError, match=r"\(3, 2\).*\(2, 3\)"):
        mg.grad(y, a, grad_outputs=np.ones((3, 2)))
    assert _same(before, _state(a))


def test_backward_on_tensor_that_does_not_require_grad():
    t = mg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match="does not require grad"):
        t.sum().backward()
    with pytest.raises(RuntimeError, match="does not require grad"):
        t.backward(np.ones(2))
    assert t.grad is None


def test_refused_backward_leaves_every_grad_unchanged():
    w1, w2 = leaf([1.0]), leaf([1.0])
    for loss in ((w2 * 3).sum() + (w1 * 2).exp().sin().sum(),
                 (w1 * 2).exp().sin().sum() + (w2 * 3).sum()):
        w2 -= mg.tensor([0.1])  # invalidates the graph that saved w2
        with pytest.raises(RuntimeError, match="Mul"):
            loss.backward()
        assert w1.grad is None and w2.grad is None


# -- soak: 20,000 training steps keep memory flat and emit no warning -------------------------
# Graphs free themselves by reference counting (no cycles), so the run is done with the
# cyclic garbage collector switched off: anything a step leaked would pile up, and show in
# the process's resident memory, in the count of live Python memory blocks and in the
# number of live tensors and functions.

STEPS = 20_000


CHECK_AT = 2_000


def _rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not Linux
        return None


def _live_graph_objects():
    counts = {"Tensor": 0, "Function": 0}
    for obj in gc.get_objects():
        cls = type(obj)  # not isinstance: some library objects warn when their __class__ is read
        if issubclass(cls, mg.Tensor):
            counts["Tensor"] += 1
        elif issubclass(cls, mg.Function):
            counts["Function"] += 1
    return counts


@pytest.mark.slow
def test_training_20000_steps_memory_stays_flat_and_no_warnings():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 20))
    centers = rng.standard_normal((3, 20)) * 0.8
    labels = ((X @ centers.T) + 0.3 * rng.standard_normal((2000, 3))).argmax(axis=1)
    net = nn.Sequential(nn.Linear(20, 10, weight_init_std=0.3, rng=1), nn.Sigmoid(),
                        nn.Linear(10, 3, weight_init_std=0.3, rng=2))
    opt = optim.SGD(net, lr=0.5)
    losses = np.empty(STEPS)  # preallocated: the record itself must not grow
    batches = rng.integers(0, len(X), size=(STEPS, 32))

    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for step in range(STEPS):
                idx = batches[step]
                loss = F.softmax_cross_entropy(net(X[idx]), labels[idx])
                net.zero_grad()
                loss.backward()
                opt.step()
                losses[step] = loss.item()
                if step + 1 == CHECK_AT:
                    rss_early = _rss_bytes()
                    blocks_early = sys.getallocatedblocks()
                    live_early = _live_graph_objects()
            rss_late = _rss_bytes()
            blocks_late = sys.getallocatedblocks()
            live_late = _live_graph_objects()
    finally:
        if was_enabled:
            gc.enable()

    assert [str(w.message) for w in caught] == []
    assert np.isfinite(losses).all()
    assert losses[-1000:].mean() < 0.6 * losses[:100].mean()  # it really trained
    # nothing accumulates from one step to the next
    assert live_late == live_early, (live_early, live_late)
    assert blocks_late - blocks_early < 2_000, (blocks_early, blocks_late)
    if rss_early is not None:
        grown = rss_late - rss_early
        assert grown < 4 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"


# -- the engine sums declared broadcasts; an op may read its output in backward ---------------


def test_an_op_reads_its_output_in_backward_when_only_the_graph_holds_it():
    x = leaf([0.5, -1.0])
    x.tanh().sum().backward()  # nothing but the pass holds the output of tanh
    np.testing.assert_allclose(x.grad.data, 1 - np.tanh([0.5, -1.0]) ** 2)


class _ScaleBy(mg.Function):
    """``x * s``; its backward leaves the broadcast of ``s`` to the engine."""

    broadcasting = True

    def forward(self, x, s):
        return x * s

    def backward(self, gy):
        x, s = self.inputs
        return gy * s, gy * x  # gy * x has x's shape, not s's


class _NotDeclared(_ScaleBy):
    broadcasting = False


def test_the_engine_sums_a_declared_broadcast_back_once():
    x, s = leaf(np.ones((4, 3))), leaf([1.0, 2.0, 3.0])
    _ScaleBy()(x, s).sum().backward()
    np.testing.assert_array_equal(s.grad.data, [4.0, 4.0, 4.0])
    np.testing.assert_array_equal(x.grad.data, np.tile([1.0, 2.0, 3.0], (4, 1)))
    (gs,) = mg.grad(_ScaleBy()(x, s).sum(), s, create_graph=True)  # differentiable: SumTo
    assert gs.shape == (3,) and gs.creator is not None


def test_a_gradient_of_the_wrong_shape_is_refused_without_a_declared_broadcast():
    x, s = leaf(np.ones((4, 3))), leaf([1.0, 2.0, 3.0])
    with pytest.raises(RuntimeError, match=r"_NotDeclared.backward returned a gradient of shape "
                                           r"\(4, 3\) for an input of shape \(3,\)"):
        _NotDeclared()(x, s).sum().backward()
    assert x.grad is None and s.grad is None
