"""Indexing and selection: where, masked_fill, gather/scatter, sort, topk, one_hot; gradients,
PyTorch's conventions at non-differentiable points, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import (
    GRADCHECK,
    broadcastable_pairs,
    distinct_arrays,
    float_arrays,
    shapes,
)

import minigrad as mg
import minigrad.functional as F


@GRADCHECK
@given(data=st.data())
def test_where_gradcheck_with_broadcasting(data):
    sa, sb = data.draw(broadcastable_pairs())
    a, b = data.draw(float_arrays(sa)), data.draw(float_arrays(sb))
    cond = data.draw(hnp.arrays(np.bool_, np.broadcast_shapes(sa, sb)))
    y = mg.where(cond, leaf(a), leaf(b))
    np.testing.assert_array_equal(y.data, np.where(cond, a, b))
    assert mg.gradcheck(lambda u, v: mg.where(cond, u * u, v), [leaf(a), leaf(b)])
    assert mg.gradgradcheck(lambda u, v: mg.where(cond, u * u, v * u.sum()), [leaf(a), leaf(b)])


def test_masked_fill():
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x.masked_fill(np.array([True, False]), 0.0)
    np.testing.assert_array_equal(y.data, [[0.0, 2.0], [0.0, 4.0]])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 1.0], [0.0, 1.0]])
    assert y.shape == x.shape and y.dtype == x.dtype


@st.composite
def gather_case(draw):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    ishape = list(shape)
    ishape[axis] = draw(st.integers(0, 4))
    idx = draw(hnp.arrays(np.int64, tuple(ishape), elements=st.integers(0, shape[axis] - 1)))
    return shape, axis, idx


@GRADCHECK
@given(data=st.data())
def test_gather_scatter_add_index_add_gradcheck(data):
    shape, axis, idx = data.draw(gather_case())
    x = data.draw(float_arrays(shape))
    src = data.draw(float_arrays(idx.shape))
    np.testing.assert_array_equal(mg.gather(x, axis, idx).data,
                                  np.take_along_axis(x, idx, axis))
    np.testing.assert_array_equal(mg.take_along_axis(mg.tensor(x), idx, axis).data,
                                  np.take_along_axis(x, idx, axis))
    assert mg.gradcheck(lambda t: t.gather(axis, idx), [leaf(x)])
    assert mg.gradgradcheck(lambda t: (t * t).gather(axis, idx), [leaf(x)])
    expected = x.copy()
    np.add.at(expected, tuple(np.indices(idx.shape, sparse=True)[:axis % x.ndim]) + (idx,)
              + tuple(np.indices(idx.shape, sparse=True)[axis % x.ndim + 1:]), src)
    np.testing.assert_allclose(mg.scatter_add(mg.tensor(x), axis, idx, src).data, expected)
    assert mg.gradcheck(lambda t, s: t.scatter_add(axis, idx, s * s), [leaf(x), leaf(src)])
    rows = idx.reshape(-1)[:3]
    sshape = list(x.shape)
    sshape[axis] = rows.size
    s = np.ones(sshape)
    assert mg.gradcheck(lambda t, u: t.index_add(axis, rows, u), [leaf(x), leaf(s)])


def test_gather_repeated_indices_accumulate():
    x = leaf([1.0, 2.0, 3.0])
    x.gather(0, np.array([2, 2, 0])).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0, 2.0])


@GRADCHECK
@given(data=st.data(), descending=st.booleans())
def test_sort_topk_gradcheck(data, descending):
    x = data.draw(distinct_arrays(data.draw(shapes(min_dims=1))))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    s = mg.sort(mg.tensor(x), axis, descending=descending).data
    ref = np.sort(x, axis)
    np.testing.assert_array_equal(s, np.flip(ref, axis) if descending else ref)
    np.testing.assert_array_equal(mg.argsort(x, axis).data, np.argsort(x, axis, kind="stable"))
    assert mg.gradcheck(lambda t: mg.sort(t, axis, descending), [leaf(x)])
    k = data.draw(st.integers(0, x.shape[axis]))
    v, i = leaf(x).topk(k, axis, largest=not descending)
    assert i.dtype == np.int64 and not i.requires_grad and v.shape == i.shape
    np.testing.assert_array_equal(v.data, np.take_along_axis(x, i.data, axis))
    assert mg.gradcheck(lambda t: t.topk(k, axis)[0], [leaf(x)])


def test_masked_select_nonzero_argwhere_one_hot():
    x = leaf([[1.0, -2.0], [3.0, -4.0]])
    y = x.masked_select(x.data > 0)
    np.testing.assert_array_equal(y.data, [1.0, 3.0])
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 0.0], [1.0, 0.0]])
    rows, cols = mg.nonzero(x.data > 0)
    np.testing.assert_array_equal(rows.data, [0, 1])
    np.testing.assert_array_equal(cols.data, [0, 0])
    np.testing.assert_array_equal(mg.argwhere(x.data > 0).data, [[0, 0], [1, 0]])
    oh = mg.one_hot(np.array([[0, 2], [1, 1]]), 3)
    assert oh.shape == (2, 2, 3) and oh.dtype == np.int64 and not oh.requires_grad
    np.testing.assert_array_equal(oh.data[0, 1], [0, 0, 1])
    assert mg.one_hot(np.array([4])).shape == (1, 5)


def test_bad_inputs():
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError, match="where: the mask/condition must be a bool"):
        mg.where(np.ones(3), x, x)
    with pytest.raises(ValueError, match=r"where: shapes \(4,\), \(2, 3\)"):
        mg.where(np.ones(4, dtype=bool), x, x)
    with pytest.raises(ValueError, match="maximum: shapes"):
        mg.maximum(x, np.ones(4))
    with pytest.raises(ValueError, match="clip: at least one"):
        x.clip()
    with pytest.raises(ValueError, match="masked_fill: mask of shape"):
        x.masked_fill(np.ones((4, 2, 3), dtype=bool), 0.0)
    with pytest.raises(TypeError, match="gather: index must be an integer"):
        x.gather(1, np.zeros((2, 3)))
    with pytest.raises(IndexError, match=r"gather: index values must lie in \[-3, 3\)"):
        x.gather(1, np.full((2, 3), 3))
    with pytest.raises(ValueError, match="gather: index of shape"):
        x.gather(1, np.zeros(3, dtype=np.int64))
    with pytest.raises(mg.AxisError, match="gather: axis 2"):
        x.gather(2, np.zeros((2, 3), dtype=np.int64))
    with pytest.raises(ValueError, match="scatter_add: src of shape"):
        x.scatter_add(0, np.zeros((2, 3), dtype=np.int64), np.ones((1, 3)))
    with pytest.raises(ValueError, match="index_add: index must be 1-D"):
        x.index_add(0, np.array([0]), np.ones((2, 3)))
    with pytest.raises(ValueError, match="topk: k=4"):
        x.topk(4)
    with pytest.raises(ValueError, match="one_hot: labels must be non-negative"):
        mg.one_hot(np.array([-1]))
    with pytest.raises(ValueError, match="one_hot: num_classes 2 is too small"):
        mg.one_hot(np.array([2]), 2)
    with pytest.raises(mg.AxisError, match="sort: axis 2"):
        mg.sort(x, 2)


def test_argmax_argmin_take_dim_and_check_the_axis():
    x = mg.tensor(np.array([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]]))
    np.testing.assert_array_equal(x.argmax(dim=1).data, [1, 0])
    np.testing.assert_array_equal(mg.argmin(x, dim=0, keepdim=True).data, [[0, 1, 0]])
    assert mg.tensor(2.0).argmax(0).item() == 0 and x.argmax().item() == 3
    with pytest.raises(mg.AxisError, match="argmax: axis 2 .* 2 dimensions"):
        x.argmax(2)
    with pytest.raises(ValueError, match="argmin: cannot reduce over the empty axis 0"):
        mg.tensor(np.zeros((0,))).argmin()


def test_where_method_and_diag_method():
    x = leaf([1.0, -2.0, 3.0])
    y = x.where(x.data > 0, 0.0)
    np.testing.assert_array_equal(y.data, [1.0, 0.0, 3.0])
    np.testing.assert_array_equal(x.diag().data, np.diag(x.data))
    np.testing.assert_array_equal(x.diag().diag(1).data, [0.0, 0.0])


# -- scatter, scatter_reduce, scatter_add with a larger src -------------------------------------

@st.composite
def scatter_case(draw, unique=False):
    """(shape, axis, index, src shape): index no larger than x outside axis, src larger."""
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    ax = axis % len(shape)
    n = shape[ax]
    ishape = [draw(st.integers(1, m)) for m in shape]
    if unique:  # every position written at most once: a distinct row per index along axis
        ishape[ax] = draw(st.integers(1, n))
        rows = [draw(st.permutations(list(range(n))))[:ishape[ax]]
                for _ in range(int(np.prod(ishape)) // ishape[ax])]
        idx = np.moveaxis(np.array(rows, dtype=np.int64).reshape(
            [m for i, m in enumerate(ishape) if i != ax] + [ishape[ax]]), -1, ax)
    else:
        ishape[ax] = draw(st.integers(0, 4))
        idx = draw(hnp.arrays(np.int64, tuple(ishape), elements=st.integers(0, n - 1)))
    sshape = tuple(m + draw(st.integers(0, 1)) for m in idx.shape)
    return shape, axis, idx, sshape


def _reference_scatter_reduce(x, axis, idx, src, reduce, include_self):
    """The definition, one index at a time."""
    ax = axis % x.ndim
    groups = {pos: ([x[pos]] if include_self else []) for pos in np.ndindex(x.shape)}
    for pos in np.ndindex(idx.shape):
        target = pos[:ax] + (idx[pos],) + pos[ax + 1:]
        groups[target].append(src[pos])
    out = x.copy()
    f = {"sum": np.sum, "prod": np.prod, "mean": np.mean, "amax": np.max, "amin": np.min}[reduce]
    for pos, vals in groups.items():
        if vals:  # a position no index reaches keeps x
            out[pos] = f(vals)
    return out


@pytest.mark.parametrize("reduce", ["sum", "prod", "mean", "amax", "amin"])
@pytest.mark.parametrize("include_self", [True, False])
@GRADCHECK
@given(data=st.data())
def test_scatter_reduce_values_and_gradcheck(reduce, include_self, data):
    shape, axis, idx, sshape = data.draw(scatter_case())
    nx = int(np.prod(shape))
    values = data.draw(distinct_arrays((nx + int(np.prod(sshape)),))) + 3.0  # no ties, no zeros
    x, src = values[:nx].reshape(shape), values[nx:].reshape(sshape)
    region = tuple(slice(0, m) for m in idx.shape)
    y = mg.scatter_reduce(mg.tensor(x), axis, idx, src, reduce, include_self=include_self)
    np.testing.assert_allclose(
        y.data, _reference_scatter_reduce(x, axis, idx, src[region], reduce, include_self),
        rtol=1e-12)

    def f(t, s):
        return t.scatter_reduce(axis, idx, s, reduce, include_self=include_self)

    assert mg.gradcheck(f, [leaf(x), leaf(src)])
    # Scaled to [1, 2): a product of up to five squares of values near 6 reaches 1e8, and
    # the rounding of central differences on it (1e8 * 1e-16 / 1e-6) exceeds atol on the
    # small elements beside it, while the analytic second derivatives are exact.
    assert mg.gradgradcheck(lambda t, s: f(t * t, s * s), [leaf(x / 3), leaf(src / 3)])


@GRADCHECK
@given(data=st.data())
def test_scatter_and_scatter_add_with_a_larger_src_gradcheck(data):
    shape, axis, idx, sshape = data.draw(scatter_case(unique=True))
    x, src = data.draw(float_arrays(shape)), data.draw(float_arrays(sshape))
    region = tuple(slice(0, m) for m in idx.shape)
    ax = axis % len(shape)
    grid = list(np.indices(idx.shape, sparse=True))
    grid[ax] = idx
    expected = x.copy()
    expected[tuple(grid)] = src[region]
    np.testing.assert_array_equal(mg.scatter(mg.tensor(x), axis, idx, src).data, expected)
    expected_add = x.copy()
    np.add.at(expected_add, tuple(grid), src[region])
    np.testing.assert_allclose(mg.scatter_add(mg.tensor(x), axis, idx, src).data, expected_add)
    for f in (lambda t, s: t.scatter(axis, idx, s), lambda t, s: t.scatter_add(axis, idx, s)):
        assert mg.gradcheck(f, [leaf(x), leaf(src)])
        assert mg.gradgradcheck(lambda t, s, f=f: f(t * t, s * s), [leaf(x), leaf(src)])
    s = leaf(src)
    mg.scatter_add(mg.tensor(x), axis, idx, s).sum().backward()
    outside = np.ones(sshape, dtype=bool)
    outside[region] = False
    assert (s.grad.data[outside] == 0).all()  # the unused part of src gets no gradient


def test_scatter_a_number_and_0d_tensors():
    x = mg.tensor(np.zeros((2, 3)))
    np.testing.assert_array_equal(x.scatter(1, np.array([[2], [0]]), 7.0).data,
                                  [[0, 0, 7], [7, 0, 0]])
    y = mg.scatter(mg.tensor(3.0, requires_grad=True), 0, np.array(0), mg.tensor(5.0))
    assert y.shape == () and y.item() == 5.0
    z = mg.scatter_reduce(mg.tensor(3.0), 0, np.array(0), mg.tensor(5.0), "sum")
    assert z.shape == () and z.item() == 8.0
    legacy = mg.tensor(np.ones(3)).scatter(0, np.array([0, 0]), mg.tensor([2.0, 3.0]),
                                          reduce="multiply")
    np.testing.assert_array_equal(legacy.data, [6.0, 1.0, 1.0])


def test_scatter_family_refuses_bad_input_by_name():
    x = mg.tensor(np.zeros((2, 3)))
    idx = np.zeros((2, 2), dtype=np.int64)
    with pytest.raises(ValueError, match="scatter_reduce: reduce must be one of sum, prod, mean, "
                                         "amax, amin, got 'max'"):
        x.scatter_reduce(0, idx, np.ones((2, 2)), "max")
    with pytest.raises(ValueError, match=r"scatter: src of shape \(1, 2\) must have the index's"):
        x.scatter(0, idx, np.ones((1, 2)))
    with pytest.raises(ValueError, match=r"scatter_add: src of shape \(2,\)"):
        x.scatter_add(0, idx, np.ones(2))
    with pytest.raises(IndexError, match=r"scatter: index values must lie in \[-2, 2\)"):
        x.scatter(0, np.full((2, 2), 2), 1.0)
    with pytest.raises(TypeError, match="scatter: index must be an integer"):
        x.scatter(0, np.zeros((2, 2)), 1.0)
    with pytest.raises(TypeError, match="scatter: src of dtype float64 cannot be written into a "
                                        "tensor of dtype int64"):
        mg.tensor(np.zeros((2, 3), dtype=np.int64)).scatter(0, idx, np.ones((2, 2)))
    with pytest.raises(ValueError, match="scatter: reduce must be 'add' or 'multiply'"):
        x.scatter(0, idx, 1.0, reduce="mean")
    with pytest.raises(ValueError, match="one_hot: cannot infer num_classes=-1 from empty"):
        mg.one_hot(np.array([], dtype=np.int64))


@pytest.mark.parametrize(("a", "b"), [(4, 2), (1.5, 2), (True, False), (3, 2.0), (True, 7)])
def test_where_of_two_python_numbers_has_numpys_dtype(a, b):
    c = np.array([True, False, True])
    y = mg.where(mg.tensor(c), a, b)
    want = np.where(c, a, b)
    assert y.dtype == want.dtype
    np.testing.assert_array_equal(y.data, want)


def test_gather_scatter_family_by_keyword_and_missing_arguments():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    idx = np.array([[2, 0]])
    np.testing.assert_array_equal(x.gather(dim=1, index=idx).data, [[2.0, 0.0]])
    np.testing.assert_array_equal(x.scatter(dim=1, index=idx, value=-1.0).data,
                                  [[-1, 1, -1], [3, 4, 5]])
    np.testing.assert_array_equal(
        x.scatter_add(dim=0, index=np.array([[1, 0]]), src=np.ones((1, 2))).data,
        [[0, 2, 2], [4, 4, 5]])
    with pytest.raises(TypeError, match=r"gather: missing required argument axis \(or dim\)"):
        x.gather(index=idx)
    with pytest.raises(TypeError, match="gather: missing required argument index"):
        x.gather(dim=1)
    with pytest.raises(TypeError, match=r"scatter: missing required argument src \(or value\)"):
        x.scatter(1, idx)
    with pytest.raises(TypeError, match="scatter: pass src or value, not both"):
        x.scatter(1, idx, 1.0, value=2.0)
    with pytest.raises(TypeError, match="scatter: value must be a number"):
        x.scatter(1, idx, value=mg.tensor(np.ones((1, 2))))
    with pytest.raises(TypeError, match="scatter_reduce: missing required argument reduce"):
        x.scatter_reduce(dim=1, index=idx, src=np.ones((1, 2)))
    with pytest.raises(TypeError, match="scatter_add: missing required arguments index, src"):
        x.scatter_add(dim=1)


def test_embedding_gradcheck_and_repeated_rows_accumulate():
    rng = np.random.default_rng(0)
    idx = np.array([[0, 3, 3], [1, 3, 0]])
    w = leaf(rng.standard_normal((4, 2)))
    assert mg.gradcheck(lambda t: F.embedding(idx, t), [w])
    assert mg.gradgradcheck(lambda t: F.embedding(idx, t * t), [w])
    y = F.embedding(idx, w, padding_idx=0)
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [[0, 0], [1, 1], [0, 0], [3, 3]])
    np.testing.assert_array_equal(y.data, w.data[idx])  # the padding row is still looked up
    assert mg.gradgradcheck(lambda t: F.embedding(idx, t * t, padding_idx=3), [w])


@pytest.mark.parametrize(("call", "error", "words"), [
    (lambda w: F.embedding(np.array([0.5]), w), TypeError, "integer indices"),
    (lambda w: F.embedding(np.array([4]), w), IndexError, "index 4 is out of range"),
    (lambda w: F.embedding(np.array([-1]), w), IndexError, "index -1 is out of range"),
    (lambda w: F.embedding(np.array([0]), w[0]), ValueError, "weight must be 2-D"),
    (lambda w: F.embedding(np.array([0]), w, padding_idx=4), ValueError, "padding_idx"),
    (lambda w: F.embedding(np.array([0]), w, max_norm=1.0), NotImplementedError, "max_norm"),
])
def test_embedding_bad_input(call, error, words):
    with pytest.raises(error, match=words):
        call(mg.tensor(np.zeros((4, 2))))
