"""Function, grad modes, mg.grad and higher-order derivatives."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf  # the suite's one leaf maker
from hypothesis import given
from strategies import GRADCHECK, float_arrays, shapes

import minigrad as mg

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
