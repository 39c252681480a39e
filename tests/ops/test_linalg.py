"""Matrix products: matmul in every NumPy form, and the fused linear op."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays

import minigrad as mg
import minigrad.functional as F
from minigrad.ops.linalg import linear


def matmul_shapes(max_dims=2):
    """Operand shapes of np.matmul: 1-D or n-D, with broadcasting batch dimensions."""
    return hnp.mutually_broadcastable_shapes(
        signature=np.matmul.signature, max_dims=max_dims, min_side=1, max_side=3,
    ).map(lambda bs: bs.input_shapes)


@GRADCHECK
@given(data=st.data())
def test_matmul_all_forms(data):
    sa, sb = data.draw(matmul_shapes(), label="shapes")
    a = data.draw(float_arrays(sa), label="a")
    b = data.draw(float_arrays(sb), label="b")
    ta, tb = leaf(a), leaf(b)
    y = ta @ tb
    np.testing.assert_allclose(y.data, a @ b, rtol=1e-12, atol=1e-12)
    assert y.shape == (a @ b).shape
    assert mg.gradcheck(lambda a, b: a @ b, [ta, tb])
    np.testing.assert_array_equal(ta.matmul(tb).data, y.data)
    np.testing.assert_array_equal(F.matmul(ta, tb).data, y.data)


@GRADGRADCHECK
@given(data=st.data())
def test_matmul_gradgradcheck(data):
    sa, sb = data.draw(matmul_shapes(max_dims=1), label="shapes")
    a = data.draw(float_arrays(sa), label="a")
    b = data.draw(float_arrays(sb), label="b")
    assert mg.gradgradcheck(lambda a, b: a @ b, [leaf(a), leaf(b)])


@pytest.mark.parametrize(
    "sa, sb",
    [((2, 3), (3, 4)), ((3,), (3, 4)), ((2, 3), (3,)), ((3,), (3,)),
     ((5, 2, 3), (3, 4)), ((2, 3), (5, 3, 4)), ((2, 1, 2, 3), (4, 3, 2)), ((3,), (2, 3, 4)),
     ((2, 4, 3), (3,))],
    ids=lambda s: "x".join(map(str, s)),
)
def test_matmul_named_forms(rng, sa, sb):
    a, b = rng.standard_normal(sa), rng.standard_normal(sb)
    ta, tb = leaf(a), leaf(b)
    y = ta @ tb
    assert y.shape == (a @ b).shape
    gy = rng.standard_normal(y.shape)
    y.backward(gy)
    assert ta.grad.shape == a.shape and tb.grad.shape == b.shape
    # matmul is bilinear, so <grad_a, da> = <gy, da @ b> exactly for any direction da
    da, db = rng.standard_normal(sa), rng.standard_normal(sb)
    np.testing.assert_allclose(np.sum(ta.grad.data * da), np.sum(gy * (da @ b)), rtol=1e-10)
    np.testing.assert_allclose(np.sum(tb.grad.data * db), np.sum(gy * (a @ db)), rtol=1e-10)
    assert mg.gradcheck(lambda a, b: a @ b, [leaf(a), leaf(b)])


def test_matmul_exact_gradients_2d():
    a = leaf([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
    b = leaf([[1.0, -1.0, 0.0, 2.0], [0.5, 0.0, 1.0, -2.0]])
    gy = np.arange(12.0).reshape(3, 4)
    (a @ b).backward(gy)
    np.testing.assert_allclose(a.grad.data, gy @ b.data.T)
    np.testing.assert_allclose(b.grad.data, a.data.T @ gy)


def test_ndarray_on_the_left_gives_a_tensor():
    w = leaf(np.arange(6.0).reshape(3, 2))
    y = np.ones((2, 3)) @ w
    assert isinstance(y, mg.Tensor) and y.requires_grad
    np.testing.assert_array_equal(y.data, np.ones((2, 3)) @ w.data)
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, np.full((3, 2), 2.0))
    v = np.ones(3) @ w
    assert isinstance(v, mg.Tensor) and v.shape == (2,)


@st.composite
def linear_shapes(draw):
    n_in, n_out = draw(st.integers(1, 3)), draw(st.integers(1, 3))
    batch = draw(st.sampled_from([(), (1,), (2,), (3,), (2, 2)]))
    return batch + (n_in,), (n_in, n_out), (n_out,)


@GRADCHECK
@given(data=st.data(), with_bias=st.booleans())
def test_linear_matches_matmul_plus_bias(data, with_bias):
    sx, sw, sb = data.draw(linear_shapes(), label="shapes")
    x, w, b = (data.draw(float_arrays(s), label=n) for s, n in ((sx, "x"), (sw, "W"), (sb, "b")))
    tx, tw, tb = leaf(x), leaf(w), leaf(b)
    y = linear(tx, tw, tb) if with_bias else linear(tx, tw)
    assert y.creator.name == "Linear"
    np.testing.assert_allclose(y.data, x @ w + b if with_bias else x @ w, rtol=1e-12, atol=1e-12)
    if with_bias:
        assert mg.gradcheck(lambda x, w, b: F.linear(x, w, b), [tx, tw, tb])
    else:
        assert mg.gradcheck(lambda x, w: F.linear(x, w), [tx, tw])
    # the same gradients as the unfused form
    gy = np.arange(1.0, y.size + 1).reshape(y.shape)
    y.backward(gy)
    ux, uw, ub = leaf(x), leaf(w), leaf(b)
    (ux @ uw + ub if with_bias else ux @ uw).backward(gy)
    np.testing.assert_allclose(tx.grad.data, ux.grad.data, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(tw.grad.data, uw.grad.data, rtol=1e-12, atol=1e-12)
    if with_bias:
        np.testing.assert_allclose(tb.grad.data, ub.grad.data, rtol=1e-12, atol=1e-12)


@GRADGRADCHECK
@given(data=st.data())
def test_linear_gradgradcheck(data):
    sx, sw, sb = data.draw(linear_shapes(), label="shapes")
    x, w, b = (data.draw(float_arrays(s), label=n) for s, n in ((sx, "x"), (sw, "W"), (sb, "b")))
    assert mg.gradgradcheck(lambda x, w, b: linear(x, w, b).tanh(), [leaf(x), leaf(w), leaf(b)])


def test_linear_with_constant_input_only_weights_get_gradients():
    x = np.array([[1.0, 2.0]])
    w, b = leaf([[1.0, 0.0, -1.0], [2.0, 1.0, 0.0]]), leaf([0.0, 0.5, 1.0])
    linear(x, w, b).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [[1.0, 1.0, 1.0], [2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(b.grad.data, [1.0, 1.0, 1.0])


def test_linear_follows_numpy_promotion_like_the_unfused_form():
    x = mg.tensor(np.ones((2, 3), dtype=np.float32))
    w = mg.tensor(np.ones((3, 2), dtype=np.float32), requires_grad=True)
    for b in (mg.tensor(np.ones(2), requires_grad=True),
              mg.tensor(np.ones(2, dtype=np.float32), requires_grad=True)):
        y = linear(x, w, b)
        assert y.dtype == (x @ w + b).dtype
        y.sum().backward()
        assert b.grad.dtype == y.dtype
    # a bias may not broadcast the output to a larger shape
    with pytest.raises(ValueError, match=r"Linear.*\(4, 2\)"):
        linear(mg.tensor(np.ones((1, 3))), mg.tensor(np.ones((3, 2))), mg.tensor(np.ones((4, 2))))
    with pytest.raises(ValueError, match=r"Linear.*\(4, 1, 2\)"):
        linear(x, w, mg.tensor(np.ones((4, 1, 2))))
