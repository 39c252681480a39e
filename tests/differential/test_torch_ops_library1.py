"""The op library (reductions, selection, shape) against PyTorch: values, gradients and
second derivatives in float64 to 1e-9, on hypothesis-drawn shapes with broadcasting,
keepdims, negative axes, 0-d and empty inputs where PyTorch accepts them."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import assume, given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    assert_close,
    away_from_zero,
    axes_keepdims,
    broadcast_pair,
    compare,
    distinct,
    floats,
    seeds,
    shapes,
    torch_dims,
)


def _axis(data, ndim, allow_none=True):
    """A single axis of an ``ndim``-D array, spelled positively or negatively."""
    if ndim == 0:
        return None
    if allow_none and data.draw(st.booleans()):
        return None
    return data.draw(st.integers(-ndim, ndim - 1))


def _with_zeros(data, shape):
    """Values away from 0 (products of tiny numbers underflow), plus some exact zeros."""
    x = data.draw(away_from_zero(shape))
    mask = data.draw(hnp.arrays(np.bool_, shape))
    return np.where(mask, 0.0, x)


# -- reductions --------------------------------------------------------------------------------

@DIFF
@given(data=st.data(), seed=seeds, ddof=st.sampled_from([0, 1]))
def test_var_std(data, seed, ddof):
    # distinct values: std is not differentiable where the variance is 0
    x = data.draw(distinct(data.draw(shapes(min_dims=1))))
    axis, keepdims = data.draw(axes_keepdims(x.ndim))
    dims = torch_dims(axis, x.ndim)
    n = int(np.prod([x.shape[d] for d in dims]))
    assume(n - ddof > 0 and n > 1)
    compare("var", lambda t: t.var(axis=axis, ddof=ddof, keepdims=keepdims),
            lambda t: t.var(dim=dims, correction=ddof, keepdim=keepdims), [x], seed)
    compare("std", lambda t: mg.std(t, dim=axis, correction=ddof, keepdim=keepdims),
            lambda t: t.std(dim=dims, correction=ddof, keepdim=keepdims), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_logsumexp(data, seed):
    x = data.draw(floats(data.draw(shapes()), -30, 30))
    axis, keepdims = data.draw(axes_keepdims(x.ndim))
    dims = torch_dims(axis, x.ndim)
    compare("logsumexp", lambda t: t.logsumexp(axis, keepdims),
            lambda t: torch.logsumexp(t, dim=dims, keepdim=keepdims) if x.ndim
            else t, [x], seed)


@DIFF
@given(data=st.data(), seed=seeds, zeros=st.booleans())
def test_prod(data, seed, zeros):
    shape = data.draw(shapes())
    x = _with_zeros(data, shape) if zeros else data.draw(away_from_zero(shape))
    axis = _axis(data, x.ndim)
    keepdims = data.draw(st.booleans())
    if axis is None:
        compare("prod", lambda t: t.prod(), lambda t: t.prod(), [x], seed)
    else:
        compare("prod(axis)", lambda t: mg.prod(t, dim=axis, keepdim=keepdims),
                lambda t: t.prod(dim=axis, keepdim=keepdims), [x], seed)


CUMULATIVE = {
    "cumsum": (mg.cumsum, torch.cumsum),
    "cumprod": (mg.cumprod, torch.cumprod),
    "logcumsumexp": (mg.logcumsumexp, torch.logcumsumexp),
}


@pytest.mark.parametrize("op", sorted(CUMULATIVE))
@DIFF
@given(data=st.data(), seed=seeds, zeros=st.booleans())
def test_cumulative(op, data, seed, zeros):
    shape = data.draw(shapes())
    x = (_with_zeros(data, shape) if zeros else data.draw(away_from_zero(shape))
         ) if op == "cumprod" else data.draw(floats(shape))
    axis = _axis(data, x.ndim, allow_none=False)
    ours, theirs = CUMULATIVE[op]
    ax = 0 if axis is None else axis
    compare(op, lambda t: ours(t, axis=ax), lambda t: theirs(t, dim=ax), [x], seed)


@pytest.mark.parametrize("op", ["cummax", "cummin"])
@DIFF
@given(data=st.data(), seed=seeds, ties=st.booleans())
def test_cummax_cummin(op, data, seed, ties):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(distinct(shape))
    if ties:  # repeated values: the index (and gradient) goes to the latest extreme
        x = np.round(x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    compare(op, lambda t: getattr(t, op)(axis)[0], lambda t: getattr(t, op)(axis)[0], [x], seed)
    idx = getattr(mg.tensor(x), op)(axis)[1]
    assert idx.dtype == np.int64 and not idx.requires_grad
    np.testing.assert_array_equal(idx.data, getattr(torch.tensor(x), op)(axis)[1].numpy())


@pytest.mark.parametrize("p", [1, 2, 3, 1.5, np.inf])
@DIFF
@given(data=st.data(), seed=seeds)
def test_norm(p, data, seed):
    x = data.draw(distinct(data.draw(shapes(min_dims=1))))
    axis, keepdims = data.draw(axes_keepdims(x.ndim))
    # (|x|**(p - 2) and 1/|x| blow up near 0: exact zeros only, and only for p = 2)
    assume(((np.abs(x) > 1e-3) | ((x == 0) & (p == 2))).all())
    # a slice of zeros: the first derivative is 0 in both, the second is undefined (torch: nan)
    smooth = bool((np.abs(x).sum(axis=axis) > 0).all())
    compare(f"norm p={p}", lambda t: t.norm(p, axis=axis, keepdims=keepdims),
            lambda t: torch.linalg.vector_norm(t, p, dim=torch_dims(axis, x.ndim),
                                               keepdim=keepdims), [x], seed,
            second_order=smooth)


def test_norm_at_zero_has_zero_gradient_as_torch():
    x = np.zeros((2, 3))
    compare("norm at 0", lambda t: t.norm(axis=1), lambda t: torch.linalg.vector_norm(t, dim=1),
            [x], 0, second_order=False)


@DIFF
@given(data=st.data(), seed=seeds, name=st.sampled_from(["sum", "mean", "amax", "amin"]))
def test_dim_keepdim_aliases(data, seed, name):
    x = data.draw(distinct(data.draw(shapes(min_dims=1))))
    axis, keepdims = data.draw(axes_keepdims(x.ndim))
    ours = {"amax": "max", "amin": "min"}.get(name, name)
    compare(name, lambda t: getattr(t, ours)(dim=axis, keepdim=keepdims),
            lambda t: getattr(torch, name)(t, dim=torch_dims(axis, x.ndim), keepdim=keepdims),
            [x], seed)


@pytest.mark.parametrize("axis", [0, -1])
def test_zero_d_reductions_treat_axis_0_as_the_tensor(axis):
    x = np.array(1.5)
    compare("0-d", lambda t: t.sum(axis) + t.mean(axis) * t.max(axis) + mg.min(t, axis)
            + t.logsumexp(axis) + t.prod(axis),
            lambda t: t.sum(axis) + t.mean(axis) * torch.amax(t, axis) + torch.amin(t, axis)
            + torch.logsumexp(t, axis) + t.prod(axis), [x], 3)
    compare("0-d softmax", lambda t: F.softmax(t) * 2 + F.log_softmax(t) * t,
            lambda t: torch.softmax(t, -1) * 2 + torch.log_softmax(t, -1) * t, [x], 4)
    compare("0-d cumsum", lambda t: mg.cumsum(t, axis) * mg.cumprod(t, axis),
            lambda t: torch.cumsum(t, axis) * torch.cumprod(t, axis), [x], 5)


def test_empty_reductions_match_torch():
    x = np.zeros((0, 3))
    compare("sum empty", lambda t: t.sum(0), lambda t: t.sum(0), [x], 0)
    compare("prod empty", lambda t: t.prod(0), lambda t: t.prod(0), [x], 0)
    compare("lse empty", lambda t: t.logsumexp(1), lambda t: torch.logsumexp(t, 1), [x], 0)
    compare("cumsum empty", lambda t: t.cumsum(0), lambda t: t.cumsum(0), [x], 0)


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


# -- shape -------------------------------------------------------------------------------------

@DIFF
@given(data=st.data(), seed=seeds, n=st.integers(1, 3))
def test_cat_stack(data, seed, n):
    base = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(base), len(base) - 1))
    arrays = []
    for _ in range(n):
        s = list(base)
        s[axis] = data.draw(st.integers(0, 3))
        arrays.append(data.draw(floats(tuple(s))))
    compare("cat", lambda *ts: mg.cat(list(ts), dim=axis), lambda *ts: torch.cat(ts, axis),
            arrays, seed)
    same = [data.draw(floats(base)) for _ in range(n)]
    ax = data.draw(st.integers(-len(base) - 1, len(base)))
    compare("stack", lambda *ts: mg.stack(ts, ax), lambda *ts: torch.stack(ts, ax), same, seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_split_chunk(data, seed):
    x = data.draw(floats(data.draw(shapes(min_dims=1, max_side=6))))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    n = x.shape[axis]
    pts = sorted(data.draw(st.lists(st.integers(0, n), max_size=3)))
    sizes = np.diff([0, *pts, n]).tolist()
    compare("split", lambda t: mg.cat(mg.split(t, pts, axis) + [t * 2], axis),
            lambda t: torch.cat(list(torch.split(t, sizes, axis)) + [t * 2], axis), [x], seed)
    c = data.draw(st.integers(1, 4))
    ours, theirs = mg.chunk(mg.tensor(x), c, axis), torch.chunk(torch.tensor(x), c, axis)
    assert [p.shape for p in ours] == [tuple(p.shape) for p in theirs]
    compare("chunk", lambda t: t.chunk(c, axis)[-1] * 3, lambda t: t.chunk(c, axis)[-1] * 3,
            [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_squeeze_unsqueeze_flatten_unflatten(data, seed):
    x = data.draw(floats(data.draw(shapes(max_side=2))))
    ones = tuple(i for i, n in enumerate(x.shape) if n == 1)
    compare("squeeze", lambda t: t.squeeze(), lambda t: t.squeeze(), [x], seed)
    if ones:
        compare("squeeze(axis)", lambda t: t.squeeze(ones[0] - x.ndim),
                lambda t: t.squeeze(ones[0] - x.ndim), [x], seed)
    d = data.draw(st.integers(-x.ndim - 1, x.ndim))
    compare("unsqueeze", lambda t: t.unsqueeze(d), lambda t: t.unsqueeze(d), [x], seed)
    if x.ndim:
        s = data.draw(st.integers(-x.ndim, x.ndim - 1))
        e = data.draw(st.integers(s % x.ndim, x.ndim - 1))
        compare("flatten", lambda t: t.flatten(s, e), lambda t: t.flatten(s, e), [x], seed)
        sizes = (x.shape[0], 1, -1)
        compare("unflatten", lambda t: t.unflatten(0, sizes), lambda t: t.unflatten(0, sizes),
                [x], seed)
    else:
        compare("flatten 0-d", lambda t: t.flatten(), lambda t: t.flatten(), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_permute_swapaxes_moveaxis_mT(data, seed):
    x = data.draw(floats(data.draw(shapes(min_dims=2, max_dims=4))))
    perm = data.draw(st.permutations(range(x.ndim)))
    compare("permute", lambda t: t.permute(*perm), lambda t: t.permute(*perm), [x], seed)
    a, b = data.draw(st.integers(-x.ndim, x.ndim - 1)), data.draw(st.integers(0, x.ndim - 1))
    compare("swapaxes", lambda t: t.swapaxes(a, b), lambda t: t.transpose(a, b), [x], seed)
    compare("moveaxis", lambda t: t.moveaxis(a, b), lambda t: t.moveaxis(a, b), [x], seed)
    compare("mT", lambda t: t.mT, lambda t: t.mT, [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_expand_repeat_tile(data, seed):
    x = data.draw(floats(data.draw(shapes(max_side=2))))
    reps = tuple(data.draw(st.lists(st.integers(0, 3), min_size=max(x.ndim, 1),
                                    max_size=x.ndim + 2)))
    compare("repeat", lambda t: t.repeat(*reps), lambda t: t.repeat(*reps), [x], seed)
    compare("tile", lambda t: mg.tile(t, reps), lambda t: torch.tile(t, reps), [x], seed)
    lead = data.draw(st.lists(st.integers(1, 3), max_size=2))
    sizes = tuple(lead) + tuple(-1 if n != 1 or data.draw(st.booleans()) else 3
                                for n in x.shape)
    if sizes:
        compare("expand", lambda t: t.expand(*sizes), lambda t: t.expand(*sizes), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_repeat_interleave(data, seed):
    x = data.draw(floats(data.draw(shapes(min_dims=1))))
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    r = data.draw(st.integers(0, 3))
    reps = data.draw(hnp.arrays(np.int64, x.shape[axis], elements=st.integers(0, 3)))
    compare("repeat_interleave(int)", lambda t: t.repeat_interleave(r, axis),
            lambda t: t.repeat_interleave(r, axis), [x], seed)
    compare("repeat_interleave(array)", lambda t: mg.repeat_interleave(t, reps, dim=axis),
            lambda t: t.repeat_interleave(torch.from_numpy(reps), axis), [x], seed)
    compare("repeat_interleave(flat)", lambda t: t.repeat_interleave(r),
            lambda t: t.repeat_interleave(r), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_flip_roll(data, seed):
    x = data.draw(floats(data.draw(shapes(min_dims=1))))
    axes = tuple(data.draw(st.lists(st.integers(0, x.ndim - 1), min_size=1, unique=True)))
    compare("flip", lambda t: t.flip(axes), lambda t: t.flip(axes), [x], seed)
    shift = data.draw(st.integers(-5, 5))
    ax = data.draw(st.integers(-x.ndim, x.ndim - 1))
    compare("roll", lambda t: t.roll(shift, ax), lambda t: t.roll(shift, ax), [x], seed)
    compare("roll flat", lambda t: mg.roll(t, shift), lambda t: torch.roll(t, shift), [x], seed)
    shifts = tuple(data.draw(st.integers(-3, 3)) for _ in axes)
    compare("roll multi", lambda t: t.roll(shifts, axes), lambda t: t.roll(shifts, axes), [x],
            seed)


@DIFF
@given(data=st.data(), seed=seeds, k=st.integers(-3, 3))
def test_tril_triu_diagonal_diag(data, seed, k):
    x = data.draw(floats(data.draw(shapes(min_dims=2, max_dims=3))))
    compare("tril", lambda t: t.tril(k), lambda t: t.tril(k), [x], seed)
    compare("triu", lambda t: mg.triu(t, diagonal=k), lambda t: t.triu(k), [x], seed)
    a, b = data.draw(st.permutations(range(x.ndim)))[:2]
    compare("diagonal", lambda t: t.diagonal(k, a, b), lambda t: t.diagonal(k, a, b), [x], seed)
    v = data.draw(floats(data.draw(shapes(min_dims=1, max_dims=1))))
    compare("diag 1-d", lambda t: mg.diag(t, k), lambda t: torch.diag(t, k), [v], seed)
    m = x.reshape(x.shape[0], -1)
    compare("diag 2-d", lambda t: mg.diag(t, k), lambda t: torch.diag(t, k), [m], seed)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_matches_torch(indexing):
    a, b, c = np.arange(3.0), np.arange(2.0) + 5, np.arange(4.0) - 1
    compare(f"meshgrid {indexing}",
            lambda x, y, z: sum((g * (i + 1)).sum() for i, g in
                                enumerate(mg.meshgrid(x, y, z, indexing=indexing))),
            lambda x, y, z: sum((g * (i + 1)).sum() for i, g in
                                enumerate(torch.meshgrid(x, y, z, indexing=indexing))),
            [a, b, c], 1)


EMPTY = {
    "where": (lambda t: mg.where(np.ones((0, 3), bool), t, 0.0),
              lambda t: torch.where(torch.ones((0, 3), dtype=torch.bool), t, 0.0)),
    "clip": (lambda t: t.clip(-1, 1), lambda t: t.clamp(-1, 1)),
    "maximum": (lambda t: mg.maximum(t, 0.5), lambda t: torch.maximum(t, torch.tensor(0.5,
                                                                                       dtype=t.dtype))),
    "gather": (lambda t: t.gather(1, np.zeros((0, 2), np.int64)),
               lambda t: t.gather(1, torch.zeros((0, 2), dtype=torch.int64))),
    "sort": (lambda t: mg.sort(t, 0), lambda t: torch.sort(t, 0)[0]),
    "flip": (lambda t: t.flip(0), lambda t: t.flip(0)),
    "roll": (lambda t: t.roll(1, 1), lambda t: t.roll(1, 1)),
    "tril": (lambda t: t.tril(), lambda t: t.tril()),
    "cumsum": (lambda t: t.cumsum(0), lambda t: t.cumsum(0)),
    "cumprod": (lambda t: t.cumprod(1), lambda t: t.cumprod(1)),
    "logsumexp": (lambda t: t.logsumexp(1), lambda t: torch.logsumexp(t, 1)),
    "prod": (lambda t: t.prod(1), lambda t: t.prod(1)),
    "norm": (lambda t: t.norm(axis=1), lambda t: torch.linalg.vector_norm(t, dim=1)),
    "cat": (lambda t: mg.cat([t, t], 0), lambda t: torch.cat([t, t], 0)),
    "stack": (lambda t: mg.stack([t, t], 1), lambda t: torch.stack([t, t], 1)),
    "repeat": (lambda t: t.repeat(2, 1), lambda t: t.repeat(2, 1)),
    "tile": (lambda t: mg.tile(t, (1, 2)), lambda t: torch.tile(t, (1, 2))),
    "permute": (lambda t: t.permute(1, 0), lambda t: t.permute(1, 0)),
    "diagonal": (lambda t: t.diagonal(), lambda t: t.diagonal()),
    "flatten": (lambda t: t.flatten(), lambda t: t.flatten()),
}


@pytest.mark.parametrize("op", sorted(EMPTY))
def test_empty_inputs_match_torch(op):
    ours, theirs = EMPTY[op]
    compare(f"{op} of an empty tensor", ours, theirs, [np.zeros((0, 3))], 0)


FLOAT32 = {
    "var": lambda t: t.var(0), "std": lambda t: t.std(1, ddof=1),
    "logsumexp": lambda t: t.logsumexp(1), "prod": lambda t: t.prod(0),
    "cumsum": lambda t: t.cumsum(1), "cumprod": lambda t: t.cumprod(0),
    "logcumsumexp": lambda t: t.logcumsumexp(1), "cummax": lambda t: t.cummax(0)[0],
    "norm": lambda t: t.norm(3, axis=1), "where": lambda t: mg.where(t.data > 0, t, 1.0),
    "clip": lambda t: t.clip(-0.5, 0.5), "maximum": lambda t: mg.maximum(t, 0.1),
    "gather": lambda t: t.gather(1, np.array([[0, 2], [1, 1]])), "sort": lambda t: mg.sort(t),
    "topk": lambda t: t.topk(2)[0], "cat": lambda t: mg.cat([t, t], 1),
    "tile": lambda t: mg.tile(t, 2), "roll": lambda t: t.roll(1), "tril": lambda t: t.tril(),
    "diag": lambda t: mg.diag(t[0]), "masked_select": lambda t: t.masked_select(t.data > 0),
}


@pytest.mark.parametrize("op", sorted(FLOAT32))
def test_float32_stays_float32(op):
    x = mg.tensor(np.array([[0.3, -1.2, 2.0], [1.5, 0.7, -0.4]], dtype=np.float32),
                  requires_grad=True)
    y = FLOAT32[op](x)
    assert y.dtype == np.float32, op
    (g,) = mg.grad(y.sum(), [x])
    assert g.dtype == np.float32, op


ZERO_D = {
    "gather": (lambda t: t.gather(0, np.array(0)), lambda t: t.gather(0, torch.tensor(0))),
    "topk": (lambda t: t.topk(1)[0], lambda t: t.topk(1)[0]),
    "sort": (lambda t: mg.sort(t), lambda t: torch.sort(t)[0]),
    "cummax": (lambda t: t.cummax(0)[0], lambda t: t.cummax(0)[0]),
    "logcumsumexp": (lambda t: t.logcumsumexp(-1), lambda t: t.logcumsumexp(-1)),
    "flip": (lambda t: t.flip(0), lambda t: t.flip(0)),
    "roll": (lambda t: t.roll(1), lambda t: t.roll(1)),
    "squeeze": (lambda t: t.squeeze(0), lambda t: t.squeeze(0)),
    "unsqueeze": (lambda t: t.unsqueeze(0), lambda t: t.unsqueeze(0)),
    "stack": (lambda t: mg.stack([t, t]), lambda t: torch.stack([t, t])),
    "where": (lambda t: mg.where(np.array(True), t, 0.0),
              lambda t: torch.where(torch.tensor(True), t, 0.0)),
    "clip": (lambda t: t.clip(0, 1), lambda t: t.clamp(0, 1)),
    "var": (lambda t: t.var(0) + t, lambda t: t.var(0, correction=0) + t),
    "norm": (lambda t: t.norm(axis=0), lambda t: torch.linalg.vector_norm(t, dim=0)),
    "expand": (lambda t: t.expand(3, 2), lambda t: t.expand(3, 2)),
    "repeat": (lambda t: t.repeat(3), lambda t: t.repeat(3)),
    "repeat_interleave": (lambda t: t.repeat_interleave(2), lambda t: t.repeat_interleave(2)),
    "masked_select": (lambda t: t.masked_select(np.array(True)),
                      lambda t: t.masked_select(torch.tensor(True))),
    "scatter_add": (lambda t: t.unsqueeze(0).scatter_add(0, np.array([0, 0]), mg.stack([t, t])),
                    lambda t: t.unsqueeze(0).scatter_add(0, torch.tensor([0, 0]),
                                                         torch.stack([t, t]))),
}


@pytest.mark.parametrize("op", sorted(ZERO_D))
def test_zero_d_inputs_match_torch(op):
    ours, theirs = ZERO_D[op]
    compare(f"{op} of a 0-d tensor", ours, theirs, [np.array(1.5)], 0)
