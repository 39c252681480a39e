"""Shape ops and indexing against PyTorch: values, gradients and second derivatives in float64."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    compare,
    floats,
    seeds,
    shapes,
)

# -- shape operations ---------------------------------------------------------------------------

@st.composite
def reshape_targets(draw, size):
    dims, rem = [], size
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from([d for d in range(1, rem + 1) if rem % d == 0]))
        dims.append(d)
        rem //= d
    dims.append(rem)
    dims = draw(st.permutations(dims))
    if draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@DIFF
@given(data=st.data(), seed=seeds)
def test_reshape(data, seed):
    a = data.draw(floats(data.draw(shapes(0, 4))))
    target = data.draw(reshape_targets(a.size))
    compare(f"reshape {a.shape} -> {target}", lambda x: x.reshape(target),
            lambda x: x.reshape(target), [a], seed)
    compare("F.reshape", lambda x: F.reshape(x, target), lambda x: x.reshape(target), [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_transpose(data, seed):
    a = data.draw(floats(data.draw(shapes(0, 4))))
    if data.draw(st.booleans()):
        axes = None
        perm = tuple(reversed(range(a.ndim)))
    else:
        perm = tuple(data.draw(st.permutations(list(range(a.ndim)))))
        axes = tuple(p - a.ndim if data.draw(st.booleans()) else p for p in perm)
    compare(f"transpose {a.shape} {axes}",
            lambda x: x.transpose(axes) if axes is not None else x.transpose(),
            lambda x: x.permute(perm), [a], seed)
    if a.ndim == 2:
        compare(".T", lambda x: x.T, lambda x: x.T, [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_broadcast_to(data, seed):
    target = data.draw(shapes(0, 4))
    kept = target[len(target) - data.draw(st.integers(0, len(target))):]
    src = tuple(1 if data.draw(st.booleans()) else n for n in kept)
    a = data.draw(floats(src))
    compare(f"broadcast_to {src} -> {target}", lambda x: x.broadcast_to(target),
            lambda x: x.broadcast_to(target), [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_sum_to(data, seed):
    target = data.draw(shapes(0, 3))
    lead = data.draw(shapes(0, 2, 1, 3))
    big = lead + tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in target)
    a = data.draw(floats(big))
    n_lead = len(lead)
    axes = tuple(n_lead + i for i, n in enumerate(target) if n == 1 and big[n_lead + i] != 1)

    def torch_sum_to(x):
        if axes:
            x = x.sum(dim=axes, keepdim=True)
        if n_lead:
            x = x.sum(dim=tuple(range(n_lead)))
        return x

    compare(f"sum_to {big} -> {target}", lambda x: x.sum_to(target), torch_sum_to, [a], seed)
    compare("F.sum_to", lambda x: F.sum_to(x, target), torch_sum_to, [a], seed)


# -- indexing -----------------------------------------------------------------------------------

@st.composite
def basic_index(draw, shape):
    """A tuple of ints, positive-step slices, None and Ellipsis (what torch indexes alike)."""
    items = []
    for n in shape:
        kind = draw(st.sampled_from(["slice", "slice", "int", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "full":
            items.append(slice(None))
        else:
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            items.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
    if items and draw(st.booleans()):
        items = items[: draw(st.integers(0, len(items)))] + [Ellipsis]
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@DIFF
@given(data=st.data(), seed=seeds)
def test_getitem_basic(data, seed):
    a = data.draw(floats(data.draw(shapes(1, 3))))
    index = data.draw(basic_index(a.shape))
    compare(f"{a.shape}[{index}]", lambda x: x[index], lambda x: x[index], [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_getitem_slices_any_step(data, seed):
    # torch has no negative steps: reproduce each slice with index_select
    a = data.draw(floats(data.draw(shapes(1, 3))))
    index = []
    for n in a.shape:
        step = data.draw(st.sampled_from([None, 1, 2, -1, -2, -3]))
        start = data.draw(st.none() | st.integers(-n - 1, n + 1))
        stop = data.draw(st.none() | st.integers(-n - 1, n + 1))
        index.append(slice(start, stop, step))
    index = tuple(index)

    def torch_slices(x):
        for axis, (n, s) in enumerate(zip(a.shape, index)):
            x = x.index_select(axis, torch.from_numpy(np.arange(n)[s].copy()))
        return x

    compare(f"{a.shape}[{index}]", lambda x: x[index], torch_slices, [a], seed)


@st.composite
def int_index(draw, n, min_len=1, max_len=6):
    """An int64 index array into an axis of length n, with at least one repeat, maybe negative."""
    shape = draw(st.sampled_from([(None,), (2, None)]))
    length = draw(st.integers(min_len, max_len))
    idx = draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length))
    idx = draw(st.permutations(idx + [idx[0]]))  # repeats accumulate in backward
    arr = np.array(idx, dtype=np.int64)
    if shape == (2, None) and arr.size % 2 == 0:
        arr = arr.reshape(2, -1)
    return arr


@DIFF
@given(data=st.data(), seed=seeds, where=st.sampled_from(["first", "second", "pair"]))
def test_getitem_integer_arrays_with_repeats(data, seed, where):
    a = data.draw(floats(data.draw(shapes(2, 3))))
    if where == "first":
        idx = data.draw(int_index(a.shape[0]))
        index, tindex = idx, torch.from_numpy(idx)
    elif where == "second":
        idx = data.draw(int_index(a.shape[1]))
        index, tindex = (slice(None), idx), (slice(None), torch.from_numpy(idx))
    else:
        i0 = data.draw(int_index(a.shape[0], 3, 3))
        i1 = np.array(data.draw(st.lists(st.integers(0, a.shape[1] - 1), min_size=i0.size,
                                         max_size=i0.size)), dtype=np.int64).reshape(i0.shape)
        index, tindex = (i0, i1), (torch.from_numpy(i0), torch.from_numpy(i1))
    compare(f"{a.shape}[{where} int array]", lambda x: x[index], lambda x: x[tindex], [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_getitem_list_and_boolean_mask(data, seed):
    a = data.draw(floats(data.draw(shapes(1, 3))))
    rows = data.draw(st.lists(st.integers(0, a.shape[0] - 1), min_size=1, max_size=5))
    compare("x[list]", lambda x: x[rows], lambda x: x[torch.tensor(rows)], [a], seed)
    mask = data.draw(hnp.arrays(np.bool_, a.shape))
    compare("x[mask]", lambda x: x[mask], lambda x: x[torch.from_numpy(mask)], [a], seed)


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


@DIFF
@given(data=st.data(), seed=seeds)
def test_unfold_windows(data, seed):
    shape = data.draw(shapes(min_dims=0))
    axis = data.draw(st.integers(-max(len(shape), 1), max(len(shape), 1) - 1))
    n = shape[axis] if shape else 1
    size = data.draw(st.integers(0 if shape else 1, n))
    step = data.draw(st.integers(1, 3))
    x = data.draw(floats(shape))
    compare("Tensor.unfold", lambda t: t.unfold(axis, size, step),
            lambda t: t.unfold(axis, size, step), [x], seed)
@pytest.mark.parametrize("shift", [(1,), [-2], (4,)], ids=str)
@pytest.mark.parametrize("axis", [None, 0, (1,)], ids=str)
def test_roll_one_element_shift_sequence(shift, axis):
    """A one-element shift sequence, with or without an axis, as torch.roll."""
    x = np.arange(6.0).reshape(2, 3) / 7
    compare("roll", lambda t: mg.roll(t, shift, axis),
            lambda t: torch.roll(t, tuple(shift), () if axis is None else axis), [x], 0)


@DIFF
@given(data=st.data(), seed=seeds)
def test_unbind(data, seed):
    x = data.draw(floats(data.draw(shapes(min_dims=1))))
    ax = data.draw(st.integers(-x.ndim, x.ndim - 1))
    assert len(mg.unbind(mg.tensor(x), ax)) == x.shape[ax]
    # the slices used unevenly, one of them not at all
    compare("unbind", lambda t: mg.stack(mg.unbind(t, ax)[1:] + (t.unbind(ax)[0] * 2,), ax),
            lambda t: torch.stack(t.unbind(ax)[1:] + (t.unbind(ax)[0] * 2,), ax), [x], seed)
    compare("unbind, one slice", lambda t: t.unbind(dim=ax)[-1] * 3,
            lambda t: t.unbind(ax)[-1] * 3, [x], seed)


_BITS = [(np.float64, np.int64, torch.int64), (np.float64, np.int32, torch.int32),
         (np.float32, np.int32, torch.int32), (np.float32, np.float64, torch.float64),
         (np.int32, np.float32, torch.float32), (np.int64, np.uint8, torch.uint8)]


@pytest.mark.parametrize(("src", "dst", "tdst"), _BITS)
@DIFF
@given(data=st.data())
def test_view_as_a_dtype_reinterprets_the_bits_as_torch(src, dst, tdst, data):
    shape = data.draw(shapes(1, 3, 1, 4))
    ratio = max(np.dtype(dst).itemsize // np.dtype(src).itemsize, 1)
    shape = shape[:-1] + (shape[-1] * ratio,)  # a last axis the larger item size divides
    x = data.draw(hnp.arrays(src, shape, elements=st.integers(-1000, 1000)))
    y = mg.tensor(x).view(dst)
    t = torch.from_numpy(x).view(tdst).numpy()
    assert y.dtype == t.dtype and not y.requires_grad
    np.testing.assert_array_equal(y.data, t)
