"""The shape library: cat/stack/split/chunk, squeeze/unsqueeze, flatten, permute, swapaxes,
moveaxis, expand, repeat/tile, repeat_interleave, flip, roll, tril/triu, diagonal/diag,
view, mT; gradients and bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, float_arrays, shapes

import minigrad as mg


def leaf(a):
    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


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
