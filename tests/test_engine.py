"""The backward engine: accumulation, graph order, graph lifetime, long chains, memory."""

from __future__ import annotations

import gc
import tracemalloc
import weakref

import numpy as np
import pytest
from conftest import make_leaf  # the suite's one leaf maker

import minigrad as mg
import minigrad.functional as F
from minigrad.ops.linalg import linear

leaf = make_leaf


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
