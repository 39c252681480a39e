"""Indexing and selection against PyTorch: where, clip, maximum/minimum, gather/scatter, sort,
topk, one_hot; values, gradients and second derivatives in float64, ties as PyTorch.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad as mg  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    assert_close,
    broadcast_pair,
    compare,
    distinct,
    floats,
    seeds,
    shapes,
)

# -- selection ---------------------------------------------------------------------------------

@DIFF
@given(data=st.data(), seed=seeds)
def test_where(data, seed):
    sa, sb = data.draw(broadcast_pair())
    cond = data.draw(hnp.arrays(np.bool_, data.draw(hnp.broadcastable_shapes(
        np.broadcast_shapes(sa, sb), max_dims=3))))
    a, b = data.draw(floats(sa)), data.draw(floats(sb))
    compare("where", lambda x, y: mg.where(cond, x, y),
            lambda x, y: torch.where(torch.from_numpy(cond), x, y), [a, b], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_clip_with_tensor_bounds(data, seed):
    shape = data.draw(shapes())
    x = data.draw(floats(shape))
    lo = data.draw(floats(data.draw(hnp.broadcastable_shapes(shape, max_dims=3)), -3, 0))
    hi = data.draw(floats(data.draw(hnp.broadcastable_shapes(shape, max_dims=3)), 0, 3))
    try:
        assume(np.broadcast_shapes(shape, lo.shape, hi.shape) == shape)
    except ValueError:
        assume(False)
    compare("clip(t, lo, hi)", lambda a, b, c: mg.clip(a, b, c),
            lambda a, b, c: torch.clamp(a, b, c), [x, lo, hi], seed)
    compare("clip(t, lo)", lambda a, b: mg.clamp(a, min=b), lambda a, b: torch.clamp(a, min=b),
            [x, lo], seed)


@DIFF
@given(data=st.data(), seed=seeds, lo=st.floats(-2, 0), width=st.floats(0, 2))
def test_clip_scalar_bounds_including_boundaries(data, seed, lo, width):
    hi = lo + width
    x = data.draw(floats(data.draw(shapes())))
    x = np.where(data.draw(hnp.arrays(np.bool_, x.shape)), lo, x)  # exact boundary hits
    x = np.where(data.draw(hnp.arrays(np.bool_, x.shape)), hi, x)
    compare("clip", lambda t: t.clip(lo, hi), lambda t: t.clamp(lo, hi), [x], seed)
    compare("clip max only", lambda t: t.clip(None, hi), lambda t: t.clamp(max=hi), [x], seed)


@pytest.mark.parametrize("op", ["maximum", "minimum"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_maximum_minimum_with_ties(op, data, seed):
    sa, sb = data.draw(broadcast_pair())
    a, b = data.draw(floats(sa)), data.draw(floats(sb))
    # ties: copy a's values into b where they line up
    a_b = np.broadcast_to(a, np.broadcast_shapes(sa, sb))
    tie = data.draw(hnp.arrays(np.bool_, sb))
    if a_b.shape == sb:
        b = np.where(tie, a_b, b)
    compare(op, getattr(mg, op), getattr(torch, op), [a, b], seed)


@st.composite
def _gather_case(draw, smaller=True):
    shape = draw(shapes(min_dims=1))
    axis = draw(st.integers(-len(shape), len(shape) - 1))
    ishape = tuple(draw(st.integers(1, n)) if smaller and i != axis % len(shape) else
                   draw(st.integers(0, 4)) if i == axis % len(shape) else n
                   for i, n in enumerate(shape))
    idx = draw(hnp.arrays(np.int64, ishape, elements=st.integers(0, shape[axis] - 1)))
    return shape, axis, idx


@DIFF
@given(data=st.data(), seed=seeds)
def test_gather_scatter_add(data, seed):
    shape, axis, idx = data.draw(_gather_case())
    x = data.draw(floats(shape))
    src = data.draw(floats(idx.shape))
    compare("gather", lambda t: t.gather(axis, idx),
            lambda t: t.gather(axis, torch.from_numpy(idx)), [x], seed)
    compare("scatter_add", lambda t, s: mg.scatter_add(t, axis, idx, s),
            lambda t, s: t.scatter_add(axis, torch.from_numpy(idx), s), [x, src], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_take_along_axis(data, seed):
    shape, axis, idx = data.draw(_gather_case(smaller=False))
    x = data.draw(floats(shape))
    compare("take_along_axis", lambda t: mg.take_along_axis(t, idx, axis),
            lambda t: torch.take_along_dim(t, torch.from_numpy(idx), axis), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_index_add(data, seed):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    idx = data.draw(hnp.arrays(np.int64, data.draw(st.integers(0, 5)),
                               elements=st.integers(0, shape[axis] - 1)))
    sshape = list(shape)
    sshape[axis] = idx.size
    x, s = data.draw(floats(shape)), data.draw(floats(tuple(sshape)))
    compare("index_add", lambda t, u: t.index_add(axis, idx, u, alpha=2.0),
            lambda t, u: t.index_add(axis, torch.from_numpy(idx), u, alpha=2.0), [x, s], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_masked_select_and_fill(data, seed):
    shape = data.draw(shapes())
    x = data.draw(floats(shape))
    mask = data.draw(hnp.arrays(np.bool_, data.draw(hnp.broadcastable_shapes(shape))))
    if np.broadcast_shapes(mask.shape, shape) == shape:
        compare("masked_fill", lambda t: t.masked_fill(mask, -1.5),
                lambda t: t.masked_fill(torch.from_numpy(mask), -1.5), [x], seed)
    mask2 = data.draw(hnp.arrays(np.bool_, data.draw(hnp.broadcastable_shapes(shape))))
    compare("masked_select", lambda t: t.masked_select(mask2),
            lambda t: t.masked_select(torch.from_numpy(mask2)), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds, descending=st.booleans())
def test_sort_argsort_topk(data, seed, descending):
    x = data.draw(distinct(data.draw(shapes(min_dims=1))))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    compare("sort", lambda t: mg.sort(t, axis, descending=descending),
            lambda t: torch.sort(t, axis, descending=descending)[0], [x], seed)
    np.testing.assert_array_equal(
        mg.argsort(mg.tensor(x), dim=axis, descending=descending).data,
        torch.argsort(torch.tensor(x), dim=axis, descending=descending).numpy())
    k = data.draw(st.integers(0, x.shape[axis]))
    compare("topk", lambda t: t.topk(k, axis, largest=not descending)[0],
            lambda t: t.topk(k, axis, largest=not descending)[0], [x], seed)
    np.testing.assert_array_equal(mg.tensor(x).topk(k, dim=axis)[1].data,
                                  torch.tensor(x).topk(k, dim=axis)[1].numpy())


def test_sort_with_ties_is_stable_like_torch_stable():
    x = np.array([[2.0, 1.0, 2.0, 1.0, 3.0]])
    for d in (False, True):
        np.testing.assert_array_equal(
            mg.argsort(mg.tensor(x), descending=d).data,
            torch.sort(torch.tensor(x), descending=d, stable=True)[1].numpy())


@given(labels=hnp.arrays(np.int64, shapes(max_dims=2, min_side=0), elements=st.integers(0, 4)))
def test_one_hot_nonzero_argwhere(labels):
    assert_close(mg.one_hot(labels, 5).data,
                 torch.nn.functional.one_hot(torch.from_numpy(labels), 5).numpy(), "one_hot")
    if labels.ndim:
        assert_close(mg.argwhere(labels).data, torch.nonzero(torch.from_numpy(labels)).numpy(),
                     "argwhere")
        for a, b in zip(mg.nonzero(labels), torch.nonzero(torch.from_numpy(labels),
                                                           as_tuple=True)):
            assert_close(a.data, b.numpy(), "nonzero")


# -- scatter, scatter_reduce, a larger src -------------------------------------------------------

_REDUCE = ["sum", "prod", "mean", "amax", "amin"]


@pytest.mark.parametrize("reduce", _REDUCE)
@pytest.mark.parametrize("include_self", [True, False])
@DIFF
@given(data=st.data(), seed=seeds)
def test_scatter_reduce(reduce, include_self, data, seed):
    shape, axis, idx = data.draw(_gather_case())
    n = int(np.prod(shape))
    values = data.draw(distinct((n + idx.size,)))
    # no ties, and away from zero: PyTorch's prod gradient divides by the values
    values = np.where(values >= 0, values + 0.5, values - 0.5)
    x, src = values[:n].reshape(shape), values[n:].reshape(idx.shape)
    t_idx = torch.from_numpy(idx)
    compare(f"scatter_reduce {reduce}",
            lambda t, s: t.scatter_reduce(axis, idx, s, reduce, include_self=include_self),
            lambda t, s: t.scatter_reduce(axis, t_idx, s, reduce, include_self=include_self),
            [x, src], seed)


@pytest.mark.parametrize("reduce", _REDUCE)
@pytest.mark.parametrize("include_self", [True, False])
@DIFF
@given(data=st.data(), seed=seeds)
def test_scatter_reduce_with_ties_and_zeros(reduce, include_self, data, seed):
    # small integers: ties for amax/amin (shared evenly), zeros for prod (exact gradients)
    shape, axis, idx = data.draw(_gather_case())
    x = data.draw(hnp.arrays(np.int64, shape, elements=st.integers(-1, 1))).astype(float)
    src = data.draw(hnp.arrays(np.int64, idx.shape, elements=st.integers(-1, 1))).astype(float)
    t_idx = torch.from_numpy(idx)
    compare(f"scatter_reduce {reduce} ties and zeros",
            lambda t, s: t.scatter_reduce(axis, idx, s, reduce, include_self=include_self),
            lambda t, s: t.scatter_reduce(axis, t_idx, s, reduce, include_self=include_self),
            [x, src], seed, second_order=False)


@DIFF
@given(data=st.data(), seed=seeds)
def test_scatter(data, seed):
    shape, axis, idx = data.draw(_gather_case())
    ax = axis % len(shape)
    # one write per position (PyTorch leaves repeated writes unspecified)
    idx = np.sort(idx, axis=ax)
    keep = np.ones(idx.shape, dtype=bool)
    if idx.shape[ax] > 1:
        same = np.diff(idx, axis=ax) == 0
        keep = np.concatenate([np.ones_like(np.take(idx, [0], axis=ax), dtype=bool), ~same],
                              axis=ax)
    assume(keep.all())
    x, src = data.draw(floats(shape)), data.draw(floats(idx.shape))
    t_idx = torch.from_numpy(idx)
    compare("scatter", lambda t, s: t.scatter(axis, idx, s),
            lambda t, s: t.scatter(axis, t_idx, s), [x, src], seed)
    compare("scatter a number", lambda t: t.scatter(axis, idx, 2.5),
            lambda t: t.scatter(axis, t_idx, 2.5), [x], seed)


@DIFF
@given(data=st.data(), grow=st.lists(st.integers(0, 2), min_size=3, max_size=3))
def test_scatter_family_with_a_larger_src_forward(data, grow):
    # PyTorch's forward uses src's leading block (its backward refuses a larger src)
    shape, axis, idx = data.draw(_gather_case())
    sshape = tuple(m + g for m, g in zip(idx.shape, grow))
    x, src = data.draw(floats(shape)), data.draw(floats(sshape))
    tx, ts, ti = torch.from_numpy(x), torch.from_numpy(src), torch.from_numpy(idx)
    assert_close(mg.scatter_add(mg.tensor(x), axis, idx, src).data,
                 tx.scatter_add(axis, ti, ts).numpy(), "scatter_add larger src")
    for reduce in _REDUCE:
        assert_close(mg.scatter_reduce(mg.tensor(x), axis, idx, src, reduce).data,
                     tx.scatter_reduce(axis, ti, ts, reduce).numpy(), f"scatter_reduce {reduce}")


@given(labels=hnp.arrays(np.int64, shapes(max_dims=2), elements=st.integers(0, 4)))
def test_one_hot_infers_the_number_of_classes(labels):
    assert_close(mg.functional.one_hot(mg.tensor(labels)).data,
                 torch.nn.functional.one_hot(torch.from_numpy(labels)).numpy(), "one_hot -1")


@DIFF
@given(data=st.data(), seed=seeds)
def test_gather_scatter_family_by_keyword_as_torch(data, seed):
    # PyTorch's keyword spellings: dim= and index= (and value= for a number), all by name
    shape, axis, idx = data.draw(_gather_case())
    x, src = data.draw(floats(shape)), data.draw(floats(idx.shape))
    t_idx = torch.from_numpy(idx)
    compare("gather(dim=, index=)", lambda t: t.gather(dim=axis, index=idx),
            lambda t: t.gather(dim=axis, index=t_idx), [x], seed)
    compare("scatter_add(dim=, index=, src=)",
            lambda t, s: t.scatter_add(dim=axis, index=idx, src=s),
            lambda t, s: t.scatter_add(dim=axis, index=t_idx, src=s), [x, src], seed)
    compare("scatter_reduce(dim=, index=, src=, reduce=)",
            lambda t, s: t.scatter_reduce(dim=axis, index=idx, src=s, reduce="sum"),
            lambda t, s: t.scatter_reduce(dim=axis, index=t_idx, src=s, reduce="sum"),
            [x, src], seed)
    # a number by value=: the last write wins where positions repeat, the same in both
    compare("scatter(dim=, index=, value=)", lambda t: t.scatter(dim=axis, index=idx, value=2.5),
            lambda t: t.scatter(dim=axis, index=t_idx, value=2.5), [x], seed)
    # PyTorch has no derivative for scatter with reduce=: compare the values
    assert_close(mg.tensor(x).scatter(dim=axis, index=idx, value=2.5, reduce="add").data,
                 torch.from_numpy(x).scatter(dim=axis, index=t_idx, value=2.5,
                                             reduce="add").numpy(),
                 "scatter(value=, reduce='add')")


@DIFF
@given(data=st.data(), seed=seeds)
def test_book2_stepwise_embedding(data, seed):
    """The second book's time-distributed embedding (its gradient added up step by step)."""
    from minigrad.book2._ops import StepwiseEmbedding

    v, d = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    n, t = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    ids = np.array(data.draw(st.lists(st.integers(0, v - 1), min_size=n * t, max_size=n * t)),
                   dtype=np.intp).reshape(n, t)
    compare(f"book2 StepwiseEmbedding V={v} D={d} ids {ids.shape}",
            lambda w: StepwiseEmbedding(ids)(w),
            lambda w: torch.nn.functional.embedding(torch.from_numpy(ids), w),
            [data.draw(floats((v, d)))], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_book2_embedding_rows(data, seed):
    """The second book's embedding (its gradient added row by row in the weight's dtype)."""
    from minigrad.book2._ops import EmbeddingRows

    v, d = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 3))
    n = data.draw(st.integers(1, 6))
    ids = np.array(data.draw(st.lists(st.integers(0, v - 1), min_size=n, max_size=n)),
                   dtype=np.intp)
    compare(f"book2 EmbeddingRows V={v} D={d} ids {ids.tolist()}",
            lambda w: EmbeddingRows(ids)(w),
            lambda w: torch.nn.functional.embedding(torch.from_numpy(ids), w),
            [data.draw(floats((v, d)))], seed)
