"""Reductions against PyTorch: values, gradients and second derivatives in float64, on
hypothesis-drawn shapes with keepdims, negative axes, ties, 0-d and empty inputs.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import (  # noqa: E402
    assume,
    given,
)
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    away_from_zero,
    axes_keepdims,
    compare,
    distinct,
    floats,
    seeds,
    shapes,
    torch_dims,
)

# -- reductions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["sum", "mean"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_sum_mean(op, data, seed):
    a = data.draw(floats(data.draw(shapes())))
    axis, keepdims = data.draw(axes_keepdims(a.ndim))
    dims = torch_dims(axis, a.ndim)
    compare(f"{op}(axis={axis}, keepdims={keepdims}) of {a.shape}",
            lambda x: getattr(x, op)(axis=axis, keepdims=keepdims),
            lambda x: getattr(torch, op)(x, dim=dims, keepdim=keepdims), [a], seed)


@pytest.mark.parametrize("op", ["max", "min"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_max_min_without_ties(op, data, seed):
    a = data.draw(distinct(data.draw(shapes())))
    axis, keepdims = data.draw(axes_keepdims(a.ndim))
    dims = torch_dims(axis, a.ndim)
    tfn = torch.amax if op == "max" else torch.amin
    compare(f"{op}(axis={axis}, keepdims={keepdims}) of {a.shape}",
            lambda x: getattr(x, op)(axis=axis, keepdims=keepdims),
            lambda x: tfn(x, dim=dims, keepdim=keepdims), [a], seed)
    # functional spelling
    compare(f"F.{op}", lambda x: getattr(F, op)(x, axis, keepdims),
            lambda x: tfn(x, dim=dims, keepdim=keepdims), [a], seed)


@pytest.mark.parametrize("op", ["max", "min"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_max_min_with_ties_share_gradient_like_amax(op, data, seed):
    shape = data.draw(shapes())
    a = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.0, 1.0])))
    axis, keepdims = data.draw(axes_keepdims(a.ndim))
    dims = torch_dims(axis, a.ndim)
    tfn = torch.amax if op == "max" else torch.amin
    compare(f"{op} with ties", lambda x: getattr(x, op)(axis=axis, keepdims=keepdims),
            lambda x: tfn(x, dim=dims, keepdim=keepdims), [a], seed)


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


# -- the op library's reductions --------------------------------------------------------------

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


@pytest.mark.parametrize("which", ["var_mean", "std_mean"])
@DIFF
@given(data=st.data(), seed=seeds, correction=st.sampled_from([None, 0, 1, 2]))
def test_var_mean_std_mean(which, data, seed, correction):
    shape = data.draw(shapes(min_dims=1))
    axis, keepdims = data.draw(axes_keepdims(len(shape)))
    dims = torch_dims(axis, len(shape))
    n = int(np.prod([shape[d] for d in dims]))
    assume(n - (1 if correction is None else correction) > 0 and n > 1)
    x = data.draw(distinct(shape))
    kw = {} if correction is None else {"correction": correction}
    for part in (0, 1):
        compare(f"{which}[{part}]",
                lambda t, p=part: getattr(mg, which)(t, axis, keepdims=keepdims, **kw)[p],
                lambda t, p=part: getattr(torch, which)(t, dims, keepdim=keepdims, **kw)[p],
                [x], seed)
_NO_DOF = [np.array([1.0, 2.0, 4.0]), np.array([[1.0, 2.0, 4.0], [1.0, 1.0, 1.0]]),
           np.array([[[1.0, 2.0], [3.0, 5.0]]]), np.array(2.0)]


def _no_dof_cases():
    for x in _NO_DOF:
        axes = [None, *range(x.ndim)] + ([tuple(range(x.ndim)), (0, -1)] if x.ndim > 1 else [])
        for axis in axes:
            dims = (axis,) if isinstance(axis, int) else axis
            n = x.size if axis is None else int(np.prod([x.shape[d] for d in dims]))
            for ddof in (n, n + 1, n + 0.5):
                yield pytest.param(x, axis, ddof, id=f"{x.shape}-axis={axis}-ddof={ddof}")


@pytest.mark.filterwarnings("ignore:Degrees of freedom")
@pytest.mark.filterwarnings("ignore:.*degrees of freedom is <= 0")
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize(("x", "axis", "ddof"), list(_no_dof_cases()))
def test_var_std_without_degrees_of_freedom(x, axis, ddof, name):
    """ddof >= n: the value is inf/nan as NumPy's, the gradient inf/nan as PyTorch's."""
    with np.errstate(all="ignore"):
        expected = getattr(np, name)(x, axis=axis, ddof=ddof)
    y = getattr(mg, name)(mg.tensor(x), axis=axis, ddof=ddof)
    np.testing.assert_array_equal(y.data, expected)
    compare(f"{name} with ddof={ddof}", lambda t: getattr(mg, name)(t, axis=axis, ddof=ddof),
            lambda t: getattr(torch, name)(t, dim=axis, correction=ddof), [x], 0,
            second_order=False)


#: Reductions over a live axis of an empty batch, against PyTorch (dim=None: every axis).
EMPTY_VS_TORCH = {
    "sum": (lambda x, a: x.sum(axis=a), lambda t, a: t.sum(dim=a)),
    "mean": (lambda x, a: x.mean(axis=a), lambda t, a: t.mean(dim=a)),
    "amax": (lambda x, a: mg.amax(x, a), lambda t, a: t.amax(dim=a)),
    "amin": (lambda x, a: mg.amin(x, a), lambda t, a: t.amin(dim=a)),
    "var": (lambda x, a: x.var(axis=a), lambda t, a: t.var(dim=a, correction=0)),
    "std": (lambda x, a: x.std(axis=a), lambda t, a: t.std(dim=a, correction=0)),
    "logsumexp": (lambda x, a: mg.logsumexp(x, a), lambda t, a: torch.logsumexp(t, a)),
    "prod": (lambda x, a: x.prod(axis=a), lambda t, a: t.prod() if a is None else t.prod(a)),
    "norm": (lambda x, a: mg.norm(x, axis=a), lambda t, a: torch.linalg.vector_norm(t, dim=a)),
    "cumsum": (lambda x, a: x.cumsum(a), lambda t, a: t.cumsum(a)),
    "cumprod": (lambda x, a: x.cumprod(a), lambda t, a: t.cumprod(a)),
    "logcumsumexp": (lambda x, a: x.logcumsumexp(a), lambda t, a: t.logcumsumexp(a)),
    "cummax": (lambda x, a: x.cummax(a)[0], lambda t, a: t.cummax(a)[0]),
    "cummin": (lambda x, a: x.cummin(a)[0], lambda t, a: t.cummin(a)[0]),
    "softmax": (lambda x, a: F.softmax(x, a), lambda t, a: torch.softmax(t, a)),
    "log_softmax": (lambda x, a: F.log_softmax(x, a), lambda t, a: torch.log_softmax(t, a)),
}
_NO_IDENTITY = {"amax": (mg.amax, torch.amax), "amin": (mg.amin, torch.amin),
                "argmax": (mg.argmax, torch.argmax), "argmin": (mg.argmin, torch.argmin)}
_SINGLE_AXIS = {"logsumexp", "cumsum", "cumprod", "logcumsumexp", "cummax", "cummin",
                "softmax", "log_softmax"}


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:Degrees of freedom <= 0",
                            "ignore:.*degrees of freedom is <= 0")
@pytest.mark.parametrize("shape", [(0, 3), (3, 0), (2, 0, 3)], ids=str)
@pytest.mark.parametrize("op", sorted(EMPTY_VS_TORCH))
def test_reductions_over_live_axes_of_empty_tensors(op, shape):
    ours, theirs = EMPTY_VS_TORCH[op]
    for axis in range(len(shape)):
        if op in _NO_IDENTITY and shape[axis] == 0:
            continue  # refused by both: below
        compare(f"{op} over axis {axis} of shape {shape}", lambda x, a=axis: ours(x, a),
                lambda t, a=axis: theirs(t, a), [np.zeros(shape)], 0)
    if op not in _SINGLE_AXIS and op not in _NO_IDENTITY:
        compare(f"{op} over every axis of shape {shape}", lambda x: ours(x, None),
                lambda t: theirs(t, None), [np.zeros(shape)], 0)


@pytest.mark.parametrize("op", sorted(_NO_IDENTITY))
def test_no_identity_reductions_refuse_an_empty_axis_as_torch(op):
    ours, theirs = _NO_IDENTITY[op]
    x = np.zeros((2, 0, 3))
    np.testing.assert_array_equal(ours(mg.tensor(x), 2).data,
                                  theirs(torch.from_numpy(x), 2).numpy())
    with pytest.raises((IndexError, RuntimeError)):
        theirs(torch.from_numpy(x), 1)
    with pytest.raises(ValueError, match=f"{op.replace('a', '', 1) if op.startswith('am') else op}"
                                         ": cannot reduce over the empty axis 1"):
        ours(mg.tensor(x), 1)


@pytest.mark.parametrize("axis", [None, 0, 1, (0, 1)])
@pytest.mark.parametrize("ddof", [0, 1])
def test_std_at_zero_variance(axis, ddof):
    """std's gradient (and second derivative) where a slice is constant: PyTorch's 0."""
    x = np.array([[2.0, 2.0, 2.0], [1.0, 4.0, 2.0]]) if axis in (1, None) else \
        np.array([[2.0, 1.0], [2.0, 3.0]])
    if axis in (None, (0, 1)):
        x = np.full((2, 3), 2.0)
    compare("std at zero variance", lambda t: mg.std(t, axis=axis, ddof=ddof),
            lambda t: t.std(dim=axis, correction=ddof), [x], 0)
