"""Shared machinery of the differential tests (imported only after torch is known to exist).

``compare`` runs the same function in minigrad and in PyTorch on the same float64
inputs and checks, to 1e-9 relative:

* the forward values;
* the gradients of every input for a random upstream gradient ``gy``
  (a vector-Jacobian product), through ``mg.grad`` and ``torch.autograd.grad``;
* the second derivatives: the gradient of ``sum_i <grad_i, v_i>`` for random
  ``v_i`` (a Hessian-vector product), through ``create_graph=True`` on both sides.
"""

from __future__ import annotations

import os

import numpy as np
import torch
from hypothesis import settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg

RTOL = 1e-9
ATOL = 1e-12

#: Keep the whole differential suite well under two minutes (MINIGRAD_DIFF_EXAMPLES=500 for a
#: deeper search).
DIFF = settings(max_examples=int(os.environ.get("MINIGRAD_DIFF_EXAMPLES", "20")), deadline=None)

seeds = st.integers(0, 2**32 - 1)


def _zeros_if_none(g, like):
    return np.zeros(like.shape) if g is None else g


def assert_close(actual, expected, what, rtol=RTOL, atol=ATOL):
    actual = np.asarray(actual)
    expected = np.asarray(expected)
    assert actual.shape == expected.shape, f"{what}: shape {actual.shape} != {expected.shape}"
    np.testing.assert_allclose(actual, expected, rtol=rtol, atol=atol, err_msg=what)


def compare(name, mg_fn, torch_fn, arrays, seed, *, second_order=True, rtol=RTOL, atol=ATOL):
    """Check forward, first and second derivatives of ``mg_fn`` against ``torch_fn``."""
    rng = np.random.default_rng(seed)
    arrays = [np.array(a, dtype=np.float64) for a in arrays]
    xs = [mg.Tensor(a.copy(), requires_grad=True) for a in arrays]
    ts = [torch.tensor(a.copy(), requires_grad=True) for a in arrays]

    y = mg_fn(*xs)
    ty = torch_fn(*ts)
    assert y.dtype == np.float64, f"{name}: forward dtype {y.dtype}"
    assert_close(y.data, ty.detach().numpy(force=True), f"{name}: forward", rtol, atol)

    gy = rng.standard_normal(y.shape)
    gs = mg.grad(y, xs, grad_outputs=gy, create_graph=second_order)
    tgs = torch.autograd.grad(ty, ts, torch.from_numpy(gy), create_graph=second_order,
                              allow_unused=True)
    for i, (g, tg, a) in enumerate(zip(gs, tgs, arrays)):
        assert_close(_zeros_if_none(None if g is None else g.data, a),
                     _zeros_if_none(None if tg is None else tg.detach().numpy(force=True), a),
                     f"{name}: gradient of input {i}", rtol, atol)
    if not second_order:
        return

    vs = [rng.standard_normal(a.shape) for a in arrays]
    s = None
    for g, v in zip(gs, vs):
        if g is not None:
            term = (g * v).sum()
            s = term if s is None else s + term
    hv = [None] * len(xs)
    if s is not None and s.requires_grad:
        hv = [None if h is None else h.data for h in mg.grad(s, xs)]
    ts_ = None
    for tg, v in zip(tgs, vs):
        if tg is not None:
            term = (tg * torch.from_numpy(v)).sum()
            ts_ = term if ts_ is None else ts_ + term
    thv = [None] * len(ts)
    if ts_ is not None and ts_.requires_grad:
        thv = [None if h is None else h.detach().numpy(force=True)
               for h in torch.autograd.grad(ts_, ts, allow_unused=True)]
    for i, (h, th, a) in enumerate(zip(hv, thv, arrays)):
        assert_close(_zeros_if_none(h, a), _zeros_if_none(th, a),
                     f"{name}: second derivative (Hessian-vector product) of input {i}",
                     rtol, atol)


# -- strategies -------------------------------------------------------------------------------

def shapes(min_dims=0, max_dims=3, min_side=1, max_side=4):
    return hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=min_side,
                            max_side=max_side)


def floats(shape, low=-3.0, high=3.0):
    return hnp.arrays(np.float64, shape, elements=st.floats(
        low, high, allow_nan=False, allow_infinity=False, allow_subnormal=False))


def positive(shape, low=0.1, high=3.0):
    return floats(shape, low, high)


def away_from_zero(shape, low=0.1, high=3.0):
    return st.tuples(floats(shape, low, high), hnp.arrays(np.bool_, shape)).map(
        lambda ms: np.where(ms[1], -ms[0], ms[0]))


def broadcast_pair(max_dims=3):
    return hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=max_dims,
                                             min_side=1, max_side=4).map(
        lambda bs: bs.input_shapes)


@st.composite
def distinct(draw, shape, gap=0.25):
    """Arrays with no ties (max/min have a unique arg at every position)."""
    size = int(np.prod(shape, dtype=np.int64))
    perm = draw(st.permutations(list(range(size))))
    offset = draw(st.floats(-1.0, 1.0))
    return ((np.array(perm, dtype=np.float64) - size / 2) * gap + offset).reshape(shape)


@st.composite
def axes_keepdims(draw, ndim):
    keepdims = draw(st.booleans())
    if ndim == 0:
        return None, keepdims
    kind = draw(st.sampled_from(["none", "int", "tuple"]))
    if kind == "none":
        return None, keepdims
    if kind == "int":
        return draw(st.integers(-ndim, ndim - 1)), keepdims
    axes = draw(st.lists(st.integers(0, ndim - 1), min_size=1, max_size=ndim, unique=True))
    return tuple(a - ndim if draw(st.booleans()) else a for a in axes), keepdims


def torch_dims(axis, ndim):
    """minigrad's ``axis`` argument as a torch ``dim`` tuple (all axes for None)."""
    if axis is None:
        return tuple(range(ndim))
    return (axis,) if isinstance(axis, int) else tuple(axis)
