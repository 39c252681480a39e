"""Matrix products: matmul in every NumPy form, the fused linear op; einsum, outer, dot,
tensordot and attention: values against NumPy, gradcheck, errors."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from state_support import same as _same
from state_support import state as _state
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays, shapes

import minigrad as mg
import minigrad.functional as F
from minigrad.ops.linalg import Einsum, linear


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


@st.composite
def einsum_problem(draw):
    """A random contraction: 1-3 operands over letters a-e, some shared, some repeated."""
    sizes = {ch: draw(st.integers(1, 3)) for ch in "abcde"}
    n_ops = draw(st.integers(1, 3))
    ins = []
    for _ in range(n_ops):
        letters = draw(st.lists(st.sampled_from("abcde"), min_size=0, max_size=3))
        ins.append("".join(letters))
    all_letters = sorted(set("".join(ins)))
    out = "".join(draw(st.permutations(all_letters))[:draw(st.integers(0, len(all_letters)))])
    explicit = draw(st.booleans())
    spec = ",".join(ins) + ("->" + out if explicit else "")
    arrays = [draw(float_arrays(tuple(sizes[ch] for ch in s))) for s in ins]
    return spec, arrays


@GRADCHECK
@given(problem=einsum_problem())
def test_einsum_values_and_gradcheck(problem):
    spec, arrays = problem
    xs = [leaf(a) for a in arrays]
    y = mg.einsum(spec, *xs)
    np.testing.assert_allclose(y.data, np.einsum(spec, *arrays), rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(lambda *ts: mg.einsum(spec, *ts), xs)


@GRADGRADCHECK
@given(problem=einsum_problem())
def test_einsum_gradgradcheck(problem):
    spec, arrays = problem
    assert mg.gradgradcheck(lambda *ts: mg.einsum(spec, *ts), [leaf(a) for a in arrays])


@pytest.mark.parametrize("spec,shapes_", [
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("...i,...i", [(3,), (2, 3)]),
    ("i...->...", [(2, 3, 4)]),
    ("ii...->i...", [(3, 3, 2)]),
    ("ij,ij", [(1, 3), (2, 3)]),
    ("", [()]),
])
def test_einsum_ellipsis_and_broadcasting(spec, shapes_):
    rng = np.random.default_rng(0)
    arrays = [rng.standard_normal(s) for s in shapes_]
    xs = [leaf(a) for a in arrays]
    np.testing.assert_allclose(mg.einsum(spec, *xs).data, np.einsum(spec, *arrays))
    assert mg.gradcheck(lambda *ts: mg.einsum(spec, *ts), xs)


def test_einsum_list_form_and_attrs():
    a = leaf(np.ones((2, 3)))
    np.testing.assert_array_equal(mg.einsum("ij->i", [a]).data, [3.0, 3.0])
    assert Einsum(["ij"], "i").attrs() == {"subscripts": "ij->i"}


@pytest.mark.parametrize("spec,shapes_,match", [
    ("ij,jk->ik", [(2, 3)], "names 2 operands but 1"),
    ("ij->ik", [(2, 3)], "output letter 'k'"),
    ("ij->ii", [(2, 3)], "repeat a letter"),
    ("ijk", [(2, 3)], "has 2 axes but 'ijk' names 3"),
    ("i1", [(2, 3)], "letters"),
    ("ij,jk", [(2, 3), (4, 5)], "Einsum"),
])
def test_einsum_errors(spec, shapes_, match):
    with pytest.raises(ValueError, match=match):
        mg.einsum(spec, *[np.ones(s) for s in shapes_])


@GRADCHECK
@given(data=st.data())
def test_outer_dot_tensordot(data):
    a = data.draw(shapes(min_dims=1, max_dims=2).flatmap(float_arrays))
    b = data.draw(shapes(min_dims=1, max_dims=2).flatmap(float_arrays))
    np.testing.assert_allclose(mg.outer(a, b).data, np.outer(a, b))
    assert mg.gradcheck(mg.outer, [leaf(a), leaf(b)])
    n = a.shape[-1]
    m = data.draw(st.integers(1, 3))
    c = data.draw(float_arrays((n, m)))
    np.testing.assert_allclose(mg.dot(a, c).data, np.dot(a, c), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(leaf(a).dot(c[:, 0]).data, np.dot(a, c[:, 0]),
                               rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(mg.dot, [leaf(a), leaf(c)])
    assert mg.dot(2.0, leaf(a)).shape == a.shape
    t = data.draw(float_arrays((2, n, 3)))
    u = data.draw(float_arrays((3, 2, m)))
    np.testing.assert_allclose(mg.tensordot(t, u, ([2, 0], [0, 1])).data,
                               np.tensordot(t, u, ([2, 0], [0, 1])), rtol=1e-12, atol=1e-12)
    # another summation order than NumPy's: sums that cancel to ~1e-16 differ in the last bits
    np.testing.assert_allclose(mg.tensordot(t, t, 3).data, np.tensordot(t, t, 3),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(mg.tensordot(t, u, 0).data, np.tensordot(t, u, 0),
                               rtol=1e-12, atol=1e-12)
    assert mg.gradcheck(lambda p, q: mg.tensordot(p, q, ([-1], [0])), [leaf(t), leaf(u)])


def test_tensordot_and_dot_errors():
    a, b = np.ones((2, 3)), np.ones((4, 2))
    with pytest.raises(ValueError, match=r"axis 1 of a \(size 3\) does not match axis 0 of b"):
        mg.tensordot(a, b, 1)
    with pytest.raises(ValueError, match="does not fit"):
        mg.tensordot(a, b, 3)
    with pytest.raises(IndexError, match="tensordot"):
        mg.tensordot(a, b, ([5], [0]))
    with pytest.raises(ValueError, match="2 axes of a but 1 of b"):
        mg.tensordot(a, b, ([0, 1], [0]))
    with pytest.raises(ValueError, match="does not match"):
        mg.dot(a, b)


# -- attention ------------------------------------------------------------------------------------

def _attention_reference(q, k, v, mask=None, scale=None):
    s = q @ np.swapaxes(k, -1, -2) * (1 / np.sqrt(q.shape[-1]) if scale is None else scale)
    if mask is not None:
        s = np.where(mask, s, -np.inf) if mask.dtype == bool else s + mask
    e = np.exp(s - s.max(axis=-1, keepdims=True))
    return e / e.sum(axis=-1, keepdims=True) @ v


@GRADCHECK
@given(data=st.data(), kind=st.sampled_from(["none", "bool", "float", "causal"]))
def test_attention_values_and_gradcheck(data, kind):
    b = data.draw(shapes(0, 2, 1, 2))
    lq, lk, e = (data.draw(st.integers(1, 3)) for _ in range(3))
    q = data.draw(float_arrays(b + (lq, e)))
    k = data.draw(float_arrays(b + (lk, e)))
    v = data.draw(float_arrays(b + (lk, 2)))
    mask = None
    if kind == "bool":
        mask = np.random.default_rng(lq * 7 + lk).random((lq, lk)) < 0.6
        mask[:, 0] = True
    elif kind == "float":
        mask = data.draw(float_arrays((lq, lk)))
    elif kind == "causal":
        ref_mask = np.tril(np.ones((lq, lk), dtype=bool))
    causal = kind == "causal"
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, is_causal=causal)
    want = _attention_reference(q, k, v, ref_mask if causal else mask)
    np.testing.assert_allclose(y.data, want, rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(
        lambda a, c, d: F.scaled_dot_product_attention(a, c, d, attn_mask=mask,
                                                       is_causal=causal),
        [leaf(q), leaf(k), leaf(v)])


def test_attention_fully_masked_row_is_zero_and_dropout():
    rng = np.random.default_rng(0)
    q, k, v = (leaf(rng.standard_normal((3, 2))) for _ in range(3))
    mask = np.array([[True, False, True], [False, False, False], [True, True, True]])
    y = F.scaled_dot_product_attention(q, k, v, attn_mask=mask)
    np.testing.assert_array_equal(y.data[1], [0.0, 0.0])
    assert np.all(np.isfinite(mg.grad(y.sum(), [q, k, v])[1].data))
    y1 = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, rng=1)
    y2 = F.scaled_dot_product_attention(q, k, v, dropout_p=0.5, rng=1)
    np.testing.assert_array_equal(y1.data, y2.data)
    assert mg.gradcheck(lambda a: F.scaled_dot_product_attention(a, k, v, dropout_p=0.5, rng=3),
                        [q])


@GRADCHECK
@given(data=st.data())
def test_attention_grouped_query_gradcheck(data):
    hkv, group = data.draw(st.integers(1, 2)), data.draw(st.integers(1, 3))
    lq, lk, e = (data.draw(st.integers(1, 3)) for _ in range(3))
    q = data.draw(float_arrays((hkv * group, lq, e)))
    k, v = (data.draw(float_arrays((hkv, lk, e))) for _ in range(2))
    y = F.scaled_dot_product_attention(q, k, v, enable_gqa=True)
    # each key/value head serves `group` query heads in a row
    want = _attention_reference(q, np.repeat(k, group, axis=0), np.repeat(v, group, axis=0),
                                None)
    np.testing.assert_allclose(y.data, want, rtol=1e-10, atol=1e-12)
    f = lambda a, c, d: F.scaled_dot_product_attention(a, c, d, enable_gqa=True)  # noqa: E731
    assert mg.gradcheck(f, [leaf(q), leaf(k), leaf(v)])
    assert mg.gradgradcheck(f, [leaf(q), leaf(k), leaf(v)])


def test_attention_grouped_query_errors():
    with pytest.raises(ValueError, match=r"enable_gqa needs the query's number of heads \(3\) "
                                         r"to be a multiple of the key's \(2\)"):
        F.scaled_dot_product_attention(np.ones((3, 2, 4)), np.ones((2, 2, 4)), np.ones((2, 2, 4)),
                                       enable_gqa=True)
    with pytest.raises(ValueError, match=r"enable_gqa needs a heads axis \(-3\)"):
        F.scaled_dot_product_attention(np.ones((2, 4)), np.ones((2, 4)), np.ones((2, 4)),
                                       enable_gqa=True)


def test_attention_errors():
    q = np.ones((2, 3))
    with pytest.raises(ValueError, match="do not fit"):
        F.scaled_dot_product_attention(q, np.ones((2, 4)), np.ones((2, 1)))
    with pytest.raises(ValueError, match="at least 2 axes"):
        F.scaled_dot_product_attention(np.ones(3), q, q)
    with pytest.raises(ValueError, match="not both"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((2, 2), bool), is_causal=True)
    with pytest.raises(ValueError, match="dropout_p"):
        F.scaled_dot_product_attention(q, q, q, dropout_p=1.0)
    with pytest.raises(ValueError, match="attn_mask of shape"):
        F.scaled_dot_product_attention(q, q, q, attn_mask=np.ones((3, 3), bool))


# -- shape mismatches name the op and the shapes ----------------------------------------------

def test_matmul_shape_mismatch(primed):
    a, b = primed
    before = _state(a, b)
    with pytest.raises(ValueError) as info:
        a @ b
    msg = str(info.value)
    assert "MatMul" in msg and "(2, 3)" in msg and "(4, 5)" in msg
    with pytest.raises(ValueError, match=r"MatMul.*\(3,\).*\(4, 5\)"):
        mg.tensor([1.0, 2.0, 3.0]) @ b
    with pytest.raises(ValueError, match=r"MatMul.*0-d"):
        mg.tensor(2.0) @ b
    assert _same(before, _state(a, b))


def test_linear_shape_mismatch():
    x, w, b = leaf(np.ones((2, 3))), leaf(np.ones((4, 5))), leaf(np.ones(5))
    with pytest.raises(ValueError, match=r"Linear.*\(2, 3\).*\(4, 5\)"):
        F.linear(x, w, b)
