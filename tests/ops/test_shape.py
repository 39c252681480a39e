"""Shape ops: reshape, transpose, .T, broadcast_to, sum_to and indexing; cat/stack/split/chunk,
squeeze/unsqueeze, flatten, permute, swapaxes, moveaxis, expand, repeat/tile,
repeat_interleave, flip, roll, tril/triu, diagonal/diag, view, mT; gradients and bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given
from hypothesis import strategies as st
from strategies import (
    GRADCHECK,
    VALUES,
    float_arrays,
    index_arrays,
    shapes,
)

import minigrad as mg
import minigrad.functional as F


@st.composite
def reshape_targets(draw, shape):
    """A shape with the same number of elements (possibly spelled with one -1)."""
    size = int(np.prod(shape, dtype=np.int64))
    dims = []
    rest = size
    while rest > 1 and len(dims) < 3:
        divisors = [d for d in range(1, rest + 1) if rest % d == 0]
        d = draw(st.sampled_from(divisors))
        dims.append(d)
        rest //= d
    dims.append(rest)
    dims = draw(st.permutations(dims))
    if draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@st.composite
def broadcast_targets(draw, shape):
    """A shape that ``shape`` broadcasts to (new leading axes, stretched 1s)."""
    lead = draw(st.lists(st.integers(1, 3), max_size=2))
    stretched = [draw(st.integers(1, 3)) if n == 1 else n for n in shape]
    return tuple(lead) + tuple(stretched)


@GRADCHECK
@given(data=st.data())
def test_reshape(data):
    x = data.draw(shapes().flatmap(float_arrays), label="x")
    target = data.draw(reshape_targets(x.shape), label="target")
    t = leaf(x)
    y = t.reshape(target)
    np.testing.assert_array_equal(y.data, x.reshape(target))
    assert t.reshape(*target).shape == y.shape == F.reshape(t, target).shape
    assert mg.gradcheck(lambda t: t.reshape(target), [t])
    assert mg.gradgradcheck(lambda t: (t * t).reshape(target), [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_transpose(data):
    x = data.draw(shapes().flatmap(float_arrays), label="x")
    t = leaf(x)
    perm = data.draw(st.permutations(list(range(x.ndim))), label="axes")
    axes = tuple(a - x.ndim if data.draw(st.booleans()) else a for a in perm)
    y = t.transpose(axes)
    np.testing.assert_array_equal(y.data, x.transpose(axes))
    assert t.transpose(*axes).shape == y.shape
    assert mg.gradcheck(lambda t: t.transpose(axes), [t])
    np.testing.assert_array_equal(t.transpose().data, x.T)
    np.testing.assert_array_equal(t.T.data, x.T)
    assert mg.gradcheck(lambda t: t.T, [t])
    assert mg.gradcheck(lambda t: t.transpose(), [t])
    assert mg.gradgradcheck(lambda t: (t * t).transpose(axes), [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_broadcast_to_and_sum_to_are_adjoint(data):
    x = data.draw(shapes().flatmap(float_arrays), label="x")
    target = data.draw(broadcast_targets(x.shape), label="target")
    t = leaf(x)
    y = t.broadcast_to(target)
    np.testing.assert_array_equal(y.data, np.broadcast_to(x, target))
    assert mg.gradcheck(lambda t: t.broadcast_to(target), [t])
    assert mg.gradgradcheck(lambda t: (t * t).broadcast_to(target), [leaf(x)])

    big = data.draw(float_arrays(target), label="big")
    b = leaf(big)
    s = b.sum_to(x.shape)
    assert s.shape == x.shape
    lead = big.ndim - x.ndim
    axes = tuple(range(lead)) + tuple(
        i + lead for i, n in enumerate(x.shape) if n == 1 and target[i + lead] != 1)
    np.testing.assert_allclose(s.data, big.sum(axis=axes).reshape(x.shape), rtol=1e-12)
    assert mg.gradcheck(lambda b: b.sum_to(x.shape), [b])
    assert mg.gradgradcheck(lambda b: (b * b).sum_to(x.shape), [leaf(big)])
    # the same result through the functional forms
    np.testing.assert_array_equal(F.sum_to(b, x.shape).data, s.data)
    np.testing.assert_array_equal(F.broadcast_to(t, target).data, y.data)


def test_sum_to_same_shape_is_identity_and_scalar_target():
    t = leaf([[1.0, 2.0], [3.0, 4.0]])
    assert t.sum_to((2, 2)) is t
    s = t.sum_to(())
    assert s.shape == () and s.item() == 10.0
    s.backward()
    np.testing.assert_array_equal(t.grad.data, np.ones((2, 2)))


@st.composite
def basic_indices(draw, shape):
    """A basic index: ints (possibly negative), slices with steps, Ellipsis, None."""
    items = []
    for n in shape:
        kind = draw(st.sampled_from(["int", "slice", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "slice":
            start = draw(st.none() | st.integers(-n, n))
            stop = draw(st.none() | st.integers(-n, n))
            step = draw(st.none() | st.sampled_from([1, 2, -1, -2]))
            items.append(slice(start, stop, step))
        else:
            items.append(slice(None))
    if items and draw(st.booleans()):
        items = items[: draw(st.integers(0, len(items)))] + [Ellipsis]
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@GRADCHECK
@given(data=st.data())
def test_getitem_basic(data):
    x = data.draw(shapes(min_dims=1).flatmap(float_arrays), label="x")
    index = data.draw(basic_indices(x.shape), label="index")
    t = leaf(x)
    y = t[index]
    np.testing.assert_array_equal(y.data, x[index])
    assert mg.gradcheck(lambda t: t[index], [t])
    # the gradient is the scatter of the upstream gradient
    gy = np.arange(1.0, y.size + 1).reshape(y.shape)
    y.backward(gy)
    expected = np.zeros_like(x)
    expected[index] = gy
    np.testing.assert_array_equal(t.grad.data, expected)
    assert mg.gradgradcheck(lambda t: (t * t)[index], [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_getitem_integer_arrays_with_repeats_accumulate(data):
    n = data.draw(st.integers(1, 4), label="N")
    c = data.draw(st.integers(1, 4), label="C")
    x = data.draw(float_arrays((n, c)), label="x")
    labels = data.draw(index_arrays(c, min_len=n, max_len=n), label="t")
    t = leaf(x)
    y = t[np.arange(n), labels]
    np.testing.assert_array_equal(y.data, x[np.arange(n), labels])
    assert mg.gradcheck(lambda t: t[np.arange(n), labels], [t])

    rows = data.draw(index_arrays(n, repeats=True), label="rows")
    t.grad = None
    z = t[rows]
    gz = np.arange(1.0, z.size + 1).reshape(z.shape)
    z.backward(gz)
    expected = np.zeros_like(x)
    np.add.at(expected, rows, gz)
    np.testing.assert_array_equal(t.grad.data, expected)
    assert mg.gradcheck(lambda t: t[rows], [t])
    assert mg.gradgradcheck(lambda t: (t * t)[rows], [leaf(x)])


def test_repeated_index_gradient_exact_values():
    x = leaf([10.0, 20.0, 30.0])
    y = x[np.array([0, 2, 0, 0])]
    np.testing.assert_array_equal(y.data, [10.0, 30.0, 10.0, 10.0])
    y.backward(np.array([1.0, 2.0, 3.0, 4.0]))
    np.testing.assert_array_equal(x.grad.data, [8.0, 0.0, 2.0])

    w = leaf(np.zeros((2, 3)))
    w[[0, 0, 1], [1, 1, 2]].sum().backward()  # lists index like arrays
    np.testing.assert_array_equal(w.grad.data, [[0.0, 2.0, 0.0], [0.0, 0.0, 1.0]])


def test_getitem_with_tensor_index_and_boolean_mask():
    x = leaf([[1.0, -2.0], [3.0, -4.0]])
    idx = mg.tensor(np.array([1, 1, 0]))
    x[idx].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[1.0, 1.0], [2.0, 2.0]])
    x.grad = None
    pos = x[x > 0]
    np.testing.assert_array_equal(pos.data, [1.0, 3.0])
    (pos * pos).sum().backward()
    np.testing.assert_array_equal(x.grad.data, [[2.0, 0.0], [6.0, 0.0]])


@VALUES
@given(x=shapes(min_dims=1).flatmap(float_arrays))
def test_iteration_and_negative_index(x):
    t = mg.tensor(x)
    rows = list(t)
    assert len(rows) == len(t) == x.shape[0]
    for r, e in zip(rows, x):
        np.testing.assert_array_equal(r.data, e)
    np.testing.assert_array_equal(t[-1].data, x[-1])


@pytest.mark.parametrize("op", ["reshape", "transpose", "getitem", "broadcast_to"])
def test_shape_ops_keep_float32(op):
    x = mg.tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True)
    y = {"reshape": lambda: x.reshape(3, 2), "transpose": lambda: x.T,
         "getitem": lambda: x[:, 1], "broadcast_to": lambda: x.broadcast_to((4, 2, 3))}[op]()
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


@st.composite
def case(draw, min_dims=1, max_dims=3):
    x = draw(float_arrays(draw(shapes(min_dims=min_dims, max_dims=max_dims))))
    axis = draw(st.integers(-x.ndim, x.ndim - 1)) if x.ndim else 0
    return x, axis


OPS = {
    # name: (minigrad fn, NumPy reference)
    "flip": (lambda t, a: t.flip(a), lambda x, a: np.flip(x, a)),
    "roll": (lambda t, a: t.roll(2, a), lambda x, a: np.roll(x, 2, a)),
    "roll_flat": (lambda t, a: mg.roll(t, -1), lambda x, a: np.roll(x, -1)),
    "repeat_interleave": (lambda t, a: t.repeat_interleave(2, a),
                          lambda x, a: np.repeat(x, 2, a)),
    "tile": (lambda t, a: mg.tile(t, (2, 1)), lambda x, a: np.tile(x, (2, 1))),
    "unsqueeze": (lambda t, a: t.unsqueeze(a), lambda x, a: np.expand_dims(x, a)),
    "moveaxis": (lambda t, a: t.moveaxis(a, 0), lambda x, a: np.moveaxis(x, a, 0)),
    "swapaxes": (lambda t, a: t.swapaxes(a, -1), lambda x, a: np.swapaxes(x, a, -1)),
    "split": (lambda t, a: mg.split(t, [1], a)[-1], lambda x, a: np.split(x, [1], a)[-1]),
    "stack": (lambda t, a: mg.stack([t, t * 2], a), lambda x, a: np.stack([x, x * 2], a)),
    "cat": (lambda t, a: mg.cat([t, t * 2], a), lambda x, a: np.concatenate([x, x * 2], a)),
    "flatten": (lambda t, a: t.flatten(), lambda x, a: x.flatten()),
    "unbind": (lambda t, a: mg.stack(mg.unbind(t, a)[::-1], a) * mg.unbind(t, a)[-1].sum(),
               lambda x, a: np.flip(x, a) * np.take(x, -1, a).sum()),
    "tril": (lambda t, a: t.reshape(t.shape + (1,)).tril(), lambda x, a: np.tril(x[..., None])),
    "diagonal": (lambda t, a: t.reshape(t.shape + (1,)).diagonal(0, 0, -1),
                 lambda x, a: np.diagonal(x[..., None], 0, 0, -1)),
}


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(OPS)))
def test_shape_ops_values_and_gradcheck(data, name):
    x, axis = data.draw(case())
    ours, ref = OPS[name]
    np.testing.assert_array_equal(ours(mg.tensor(x), axis).data, ref(x, axis))
    assert mg.gradcheck(lambda t: ours(t, axis), [leaf(x)])
    assert mg.gradgradcheck(lambda t: ours(t * t, axis), [leaf(x)])


def test_transpose_keeps_numpy_meaning_and_swapaxes_is_torch_transpose():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    assert x.transpose(0, 1).shape == (2, 3)  # NumPy: the identity permutation
    np.testing.assert_array_equal(x.transpose(0, 1).data, x.data)
    assert x.transpose(1, 0).shape == (3, 2)
    assert x.swapaxes(0, 1).shape == (3, 2) and x.mT.shape == (3, 2)
    np.testing.assert_array_equal(x.permute(1, 0).data, x.data.T)
    y = mg.tensor(np.zeros((4, 2, 3)))
    assert y.mT.shape == (4, 3, 2) and y.permute((2, 0, 1)).shape == (3, 4, 2)


def test_view_as_a_dtype_is_numpys_bit_view_and_names_a_bad_one():
    x = mg.tensor(np.array([[1.0, -2.0]]), requires_grad=True)
    y = x.view(np.int64)
    np.testing.assert_array_equal(y.data, x.data.view(np.int64))
    assert y.dtype == np.int64 and not y.requires_grad
    assert x.view("int32").shape == (1, 4)  # the last axis grows by the item sizes' ratio
    with pytest.raises(mg.OpError, match=r"view: cannot view a tensor of shape \(\) and dtype "
                                         r"float64 as int32"):
        mg.tensor(1.0).view(np.int32)
    with pytest.raises(ValueError, match=r"view: cannot view a tensor of shape \(1, 3\)"):
        mg.tensor(np.ones((1, 3))).view(np.complex128)


def test_view_expand_repeat_chunk_unflatten_diag_squeeze():
    x = leaf(np.arange(6.0))
    assert x.view(2, 3).shape == (2, 3) and x.view((3, -1)).shape == (3, 2)
    assert x.view(1, 6).expand(4, -1).shape == (4, 6)
    r = x.view(2, 3).repeat(2, 1, 2)
    np.testing.assert_array_equal(r.data, np.tile(x.data.reshape(2, 3), (2, 1, 2)))
    assert [p.shape for p in x.chunk(4)] == [(2,), (2,), (2,)]
    assert x.unflatten(0, (2, -1)).shape == (2, 3)
    np.testing.assert_array_equal(mg.diag(x, 1).data, np.diag(x.data, 1))
    np.testing.assert_array_equal(mg.diag(mg.diag(x)).data, x.data)
    assert mg.squeeze(mg.tensor(np.zeros((1, 3, 1)))).shape == (3,)
    assert mg.squeeze(mg.tensor(np.zeros((1, 3, 1))), (0, -1)).shape == (3,)
    assert mg.expand_dims(x, (0, 2)).shape == (1, 6, 1)
    assert mg.cat([x, x], dim=0).shape == (12,) and mg.concatenate([x.view(2, 3)], None).shape \
        == (6,)
    mg.diag(x, -1).sum().backward()
    np.testing.assert_array_equal(x.grad.data, np.ones(6))


def test_bad_inputs():
    x = mg.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match=r"concatenate: shapes \[\(2, 3\), \(2, 4\)\] differ"):
        mg.cat([x, mg.tensor(np.zeros((2, 4)))])
    with pytest.raises(ValueError, match="concatenate: all tensors must have the same number"):
        mg.cat([x, mg.tensor(np.zeros(3))])
    with pytest.raises(ValueError, match="stack: all tensors must have the same shape"):
        mg.stack([x, x.T])
    with pytest.raises(TypeError, match="concatenate: expected a sequence"):
        mg.concatenate(x)
    with pytest.raises(ValueError, match=r"split: axis 1 of shape \(2, 3\) .* 2 equal"):
        mg.split(x, 2, 1)
    with pytest.raises(ValueError, match=r"squeeze: axis 1 of shape \(2, 3\) has length 3"):
        x.squeeze(1)
    with pytest.raises(ValueError, match=r"permute: \(0, 0\) is not a permutation"):
        x.permute(0, 0)
    with pytest.raises(mg.AxisError, match="swapaxes: axis 2 .* 2 dimensions"):
        x.swapaxes(2, 0)
    with pytest.raises(ValueError, match=r"expand: shape \(2, 3\) cannot be expanded"):
        x.expand(2, 4)
    with pytest.raises(ValueError, match="repeat: got 1 repeat counts"):
        x.repeat(2)
    with pytest.raises(ValueError, match="repeat_interleave: repeats must be"):
        x.repeat_interleave([1, 2], 1)
    with pytest.raises(ValueError, match="tril: needs at least 2 dimensions"):
        mg.tensor(np.zeros(3)).tril()
    with pytest.raises(ValueError, match="diagonal: axis1 and axis2 are the same"):
        x.diagonal(0, 1, -1)
    with pytest.raises(ValueError, match="diag: needs a 1-D or 2-D"):
        mg.diag(mg.tensor(np.zeros((1, 1, 1))))
    with pytest.raises(ValueError, match=r"unflatten: sizes \(4, -1\) do not fit"):
        x.unflatten(1, (4, -1))
    with pytest.raises(ValueError, match="flatten: start_dim 1 comes after end_dim 0"):
        x.flatten(1, 0)
    with pytest.raises(ValueError, match="mT: needs at least 2 dimensions"):
        _ = mg.tensor(np.zeros(3)).mT
    with pytest.raises(ValueError, match="moveaxis: repeated axis"):
        x.moveaxis((0, 0), (0, 1))


def test_transpose_checks_its_axes():
    x = mg.tensor(np.zeros((2, 3)))
    with pytest.raises(mg.AxisError, match="transpose: axis 2 .* 2 dimensions"):
        x.transpose(0, 2)
    with pytest.raises(ValueError, match=r"transpose: axes \(0,\) do not list the 2 axes"):
        x.transpose(0)
    with pytest.raises(ValueError, match="transpose: repeated axis"):
        mg.transpose(x, (1, 1))
    assert x.transpose(-1, 0).shape == (3, 2)


# -- bad indices and shapes name the op and the shapes ----------------------------------------

@pytest.mark.parametrize("index", [3, -4, (0, 5), np.array([0, 3]), (np.array([0]), 7)],
                         ids=["int", "negative", "tuple", "array", "array-tuple"])
def test_index_out_of_range(index):
    t = leaf(np.ones((3, 4)))
    with pytest.raises(IndexError) as info:
        t[index]
    msg = str(info.value)
    assert "GetItem" in msg and "(3, 4)" in msg


@pytest.mark.parametrize("call, words", [
    (lambda t: t.reshape(4, 2), ["Reshape", "(4, 2)", "(2, 3)"]),
    (lambda t: t.broadcast_to((2, 4)), ["BroadcastTo", "(2, 4)", "(2, 3)"]),
    (lambda t: t.sum_to((2,)), ["SumTo", "(2, 3)", "(2,)"]),
    (lambda t: t.sum_to((1, 1, 1)), ["(2, 3)", "(1, 1, 1)"]),
])
def test_bad_shapes(call, words):
    t = leaf(np.ones((2, 3)))
    with pytest.raises(ValueError) as info:
        call(t)
    msg = str(info.value).replace(" ", "")  # NumPy prints (4,2), minigrad (4, 2)
    for w in words:
        assert w.replace(" ", "") in msg


# -- Tensor.unfold: PyTorch's sliding windows -----------------------------------------------------

@GRADCHECK
@given(data=st.data())
def test_unfold_windows_values_and_gradcheck(data):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    n = shape[axis]
    size = data.draw(st.integers(0, n))
    step = data.draw(st.integers(1, 3))
    x = data.draw(float_arrays(shape))
    y = mg.tensor(x).unfold(axis, size, step)
    windows = np.lib.stride_tricks.sliding_window_view(x, size, axis=axis % len(shape))
    expected = np.take(windows, np.arange(0, n - size + 1, step), axis=axis % len(shape))
    np.testing.assert_array_equal(y.data, expected)
    assert mg.gradcheck(lambda t: t.unfold(axis, size, step), [leaf(x)])
    assert mg.gradgradcheck(lambda t: (t * t).unfold(axis, size, step), [leaf(x)])


def test_unfold_windows_overlap_and_bad_input():
    x = leaf(np.arange(5.0))
    y = x.unfold(0, 3, 1)  # windows [0..2], [1..3], [2..4]
    assert y.shape == (3, 3)
    y.sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 2.0, 3.0, 2.0, 1.0])
    assert mg.tensor(3.0).unfold(0, 1, 1).shape == (1,)
    assert F.unfold is not mg.unfold  # F.unfold stays the im2col of convolutions
    with pytest.raises(ValueError, match=r"unfold: size 6 is larger than axis 0 of length 5"):
        x.unfold(0, 6, 1)
    with pytest.raises(ValueError, match="unfold: step must be positive, got 0"):
        x.unfold(0, 2, 0)
    with pytest.raises(mg.AxisError, match="unfold"):
        x.unfold(1, 2, 1)
    with pytest.raises(TypeError, match="unfold: size must be an int, got float"):
        x.unfold(0, 2.0, 1)
#: The results that share their input's data, each with the NumPy view it matches.
VIEWS = {
    "reshape": (lambda a: a.reshape(6), lambda a: a.reshape(6)),
    "view": (lambda a: a.view(6), lambda a: a.reshape(6)),
    "flatten": (lambda a: a.flatten(), lambda a: a.reshape(-1)),
    "basic slice": (lambda a: a[0, 1:], lambda a: a[0, 1:]),
    "T": (lambda a: a.T, lambda a: a.T),
    "swapaxes": (lambda a: a.swapaxes(0, 1), lambda a: a.swapaxes(0, 1)),
    "permute": (lambda a: a.permute(1, 0), lambda a: a.transpose(1, 0)),
    "moveaxis": (lambda a: mg.moveaxis(a, 0, 1), lambda a: np.moveaxis(a, 0, 1)),
    "squeeze": (lambda a: a[None].squeeze(0), lambda a: a[None].squeeze(0)),
    "unsqueeze": (lambda a: a.unsqueeze(0), lambda a: a[None]),
    "flip": (lambda a: a.flip(0), lambda a: np.flip(a, 0)),
    "split": (lambda a: mg.split(a, 2)[1], lambda a: np.split(a, 2)[1]),
    "chunk": (lambda a: mg.chunk(a, 2)[0], lambda a: np.split(a, 2)[0]),
    "detach": (lambda a: a.detach(), lambda a: a),
}


@pytest.mark.parametrize("requires_grad", [True, False])
@pytest.mark.parametrize("name", sorted(VIEWS))
def test_writing_into_a_view_changes_its_input_as_numpy(name, requires_grad):
    """Under no_grad (or outside any graph) ``b += 1`` writes through, as NumPy's views."""
    ours, numpy_view = VIEWS[name]
    a = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=requires_grad)
    expected = np.arange(6.0).reshape(2, 3)
    nb = numpy_view(expected)
    nb += 1
    if requires_grad:
        with mg.no_grad():
            b = ours(a)
            b += 1
    else:
        b = ours(a)
        b += 1
    np.testing.assert_array_equal(a.data, expected)
    assert a.version == b.version == 1  # one change, seen by both


@pytest.mark.parametrize("name", sorted(set(VIEWS) - {"detach"}))
def test_in_place_update_in_a_graph_leaves_the_input_alone(name):
    ours, _ = VIEWS[name]
    a = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    b = ours(a)
    b += 1  # a new tensor for b
    np.testing.assert_array_equal(a.data, np.arange(6.0).reshape(2, 3))
    assert a.version == 0


@pytest.mark.parametrize("copy", [lambda a: a[[0, 1]], lambda a: a[a.data > 2],
                                  lambda a: a.diagonal()], ids=["fancy", "mask", "diagonal"])
def test_results_that_copy_leave_their_input_alone(copy):
    a = mg.tensor(np.arange(6.0).reshape(2, 3))
    b = copy(a)
    b += 1
    np.testing.assert_array_equal(a.data, np.arange(6.0).reshape(2, 3))


_ROLL_SHIFTS = [(1,), [2], (-4,), np.array([1]), (1, 2), (), np.int64(2), np.array(3)]


@pytest.mark.parametrize(("shift", "axis"), [
    pytest.param(shift, axis, id=f"{shift!r}-axis={axis}")
    for shift in _ROLL_SHIFTS for axis in [None, 0, 1, (0, 1)]
    if axis is None or np.size(shift) in (1, np.size(axis))])  # NumPy refuses the others too
def test_roll_takes_numpys_shifts(shift, axis):
    """An int, a sequence or an integer array; with axis=None a sequence rolls by its sum."""
    x = leaf(np.arange(6.0).reshape(2, 3))
    y = mg.roll(x, shift, axis)
    np.testing.assert_array_equal(y.data, np.roll(x.data, shift, axis))
    (g,) = mg.grad((y * mg.tensor(np.arange(6.0).reshape(2, 3))).sum(), [x])
    np.testing.assert_array_equal(g.data, np.roll(np.arange(6.0).reshape(2, 3),
                                                  -np.asarray(shift), axis)
                                  if axis is not None else
                                  np.roll(np.arange(6.0), -int(np.sum(shift))).reshape(2, 3))


@pytest.mark.parametrize(("shift", "axis", "error", "match"), [
    (1.5, None, TypeError, "roll: shift must be an int or a sequence of ints, got 1.5"),
    (True, 0, TypeError, "roll: shift must be an int or a sequence of ints"),
    ([[1]], None, TypeError, "roll: shift must be"),
    ((), 0, ValueError, "roll: shift is an empty sequence"),
    ((1, 2, 3), (0, 1), ValueError, "roll: 3 shifts for 2 axes"),
])
def test_roll_names_a_bad_shift(shift, axis, error, match):
    with pytest.raises(error, match=match):
        mg.roll(mg.tensor(np.ones((2, 3))), shift, axis)
