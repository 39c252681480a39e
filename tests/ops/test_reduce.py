"""Reductions: sum, mean, max, min over None / int / negative / tuple axes, keepdims, ties;
var, std, logsumexp, prod, cumulative ops, any, all, norm, sum(dtype=); dim=/keepdim=
aliases; 0-d axes; axis errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import assume, given
from hypothesis import strategies as st
from strategies import (
    GRADCHECK,
    GRADGRADCHECK,
    away_from_zero,
    axes_keepdims,
    distinct_arrays,
    float_arrays,
    shapes,
)

import minigrad as mg
import minigrad.functional as F

REDUCTIONS = ["sum", "mean", "max", "min"]


def _draw(data, name, max_dims=3):
    shape = data.draw(shapes(max_dims=max_dims), label="shape")
    # max/min: values at least 0.1 apart, so there are no ties (where it is not differentiable)
    arr = distinct_arrays(shape) if name in ("max", "min") else float_arrays(shape)
    x = data.draw(arr, label="x")
    axis, keepdims = data.draw(axes_keepdims(x.ndim), label="axis, keepdims")
    return x, axis, keepdims


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(REDUCTIONS))
def test_reduction_values_shapes_and_gradcheck(data, name):
    x, axis, keepdims = _draw(data, name)
    t = leaf(x)
    y = getattr(t, name)(axis=axis, keepdims=keepdims)
    expected = getattr(np, name)(x, axis=axis, keepdims=keepdims)
    assert y.shape == np.shape(expected)
    np.testing.assert_allclose(y.data, expected, rtol=1e-12, atol=1e-15)
    assert mg.gradcheck(lambda t: getattr(t, name)(axis=axis, keepdims=keepdims), [t])


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(REDUCTIONS))
def test_reduction_gradgradcheck(data, name):
    x, axis, keepdims = _draw(data, name, max_dims=2)
    # square first so that the second derivative is not trivially zero
    fn = lambda t: getattr(t * t, name)(axis=axis, keepdims=keepdims)  # noqa: E731
    if name in ("max", "min"):
        x = x + 2.0  # keep x*x monotonic in x (no new ties)
    assert mg.gradgradcheck(fn, [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_sum_and_mean_gradients_exact(data):
    x, axis, keepdims = _draw(data, "sum")
    t = leaf(x)
    y = t.sum(axis=axis, keepdims=keepdims)
    gy = np.arange(1.0, y.size + 1).reshape(y.shape)
    y.backward(gy)
    kept = np.sum(x, axis=axis, keepdims=True).shape
    np.testing.assert_array_equal(t.grad.data, np.broadcast_to(gy.reshape(kept), x.shape))
    t.grad = None
    t.mean(axis=axis, keepdims=keepdims).backward(gy)
    n = x.size // max(y.size, 1)
    np.testing.assert_allclose(t.grad.data, np.broadcast_to(gy.reshape(kept), x.shape) / n,
                               rtol=1e-15)


def test_max_ties_share_the_gradient_evenly():
    x = leaf([1.0, 3.0, 3.0])
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, [0.0, 0.5, 0.5])

    x = leaf([[2.0, 2.0, 2.0], [5.0, 1.0, 5.0]])
    x.max(axis=1).backward(np.array([3.0, 1.0]))
    np.testing.assert_allclose(x.grad.data, [[1.0, 1.0, 1.0], [0.5, 0.0, 0.5]], rtol=1e-15)

    x = leaf(np.full((2, 2), 7.0))
    x.max().backward()
    np.testing.assert_array_equal(x.grad.data, np.full((2, 2), 0.25))


def test_min_ties_share_the_gradient_evenly():
    x = leaf([[0.0, 4.0], [0.0, -1.0]])
    x.min(axis=0, keepdims=True).backward(np.array([[6.0, 2.0]]))
    np.testing.assert_array_equal(x.grad.data, [[3.0, 0.0], [3.0, 2.0]])
    x.grad = None
    x.min().backward()
    np.testing.assert_array_equal(x.grad.data, [[0.0, 0.0], [0.0, 1.0]])


@pytest.mark.parametrize("name", REDUCTIONS)
def test_negative_and_tuple_axes_match_numpy(name):
    x = np.arange(24.0).reshape(2, 3, 4) ** 1.5
    for axis in (None, 0, -1, -2, (0, 2), (-1, 0), (0, 1, 2)):
        for keepdims in (False, True):
            y = getattr(mg.tensor(x), name)(axis=axis, keepdims=keepdims)
            np.testing.assert_allclose(y.data, getattr(np, name)(x, axis=axis, keepdims=keepdims))
            assert getattr(F, name)(mg.tensor(x), axis, keepdims).shape == y.shape


@pytest.mark.parametrize("name", REDUCTIONS)
def test_reduction_of_zero_dim(name):
    x = leaf(2.5)
    y = getattr(x, name)()
    assert y.shape == () and y.item() == 2.5
    y.backward()
    assert x.grad.item() == 1.0


@pytest.mark.parametrize("name", REDUCTIONS)
def test_float32_reductions_stay_float32(name):
    x = mg.tensor(np.array([[1.0, 2.0], [4.0, 3.0]], dtype=np.float32), requires_grad=True)
    y = getattr(x, name)(axis=0)
    assert y.dtype == np.float32
    y.sum().backward()
    assert x.grad.dtype == np.float32


def test_argmax_argmin_are_not_differentiable():
    x = leaf([[1.0, 5.0, 2.0], [7.0, 0.0, 3.0]])
    for r in (x.argmax(), x.argmax(axis=1), x.argmin(axis=0, keepdims=True)):
        assert not r.requires_grad and r.creator is None and r.dtype.kind == "i"
    np.testing.assert_array_equal(x.argmax(axis=1).data, [1, 0])
    assert x.argmax().item() == 3


AXIS_REDUCTIONS = {
    "var": lambda t, a, k: t.var(axis=a, keepdims=k),
    "var_ddof1": lambda t, a, k: mg.var(t, dim=a, keepdim=k, correction=1),
    "std": lambda t, a, k: t.std(axis=a, keepdims=k),
    "logsumexp": lambda t, a, k: t.logsumexp(a, k),
    "prod": lambda t, a, k: t.prod(a, k),
    "norm": lambda t, a, k: t.norm(axis=a, keepdims=k),
    "norm3": lambda t, a, k: mg.norm(t, 3, a, k),
    "norm_inf": lambda t, a, k: t.norm(np.inf, axis=a, keepdims=k),
    "norm1": lambda t, a, k: t.norm(1, dim=a, keepdim=k),
}


def _draw_library(data, name, max_dims=3):
    shape = data.draw(shapes(max_dims=max_dims), label="shape")
    # distinct values: no ties (norm inf), no zero variance (std), no zeros (norm p != 2)
    x = data.draw(distinct_arrays(shape), label="x") + 0.05
    axis, keepdims = data.draw(axes_keepdims(x.ndim), label="axis, keepdims")
    if name in ("std", "var_ddof1"):
        n = x.size if axis is None else int(np.prod(
            [x.shape[a] for a in ((axis,) if isinstance(axis, int) else axis)]))
        assume(n > 1)
    return x, axis, keepdims


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(AXIS_REDUCTIONS)))
def test_axis_reductions_gradcheck(data, name):
    x, axis, keepdims = _draw_library(data, name)
    fn = AXIS_REDUCTIONS[name]
    y = fn(leaf(x), axis, keepdims)
    assert y.shape == np.sum(x, axis=axis, keepdims=keepdims).shape
    assert mg.gradcheck(lambda t: fn(t, axis, keepdims), [leaf(x)])


@GRADGRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(set(AXIS_REDUCTIONS) - {"norm_inf",
                                                                            "norm1"})))
def test_axis_reductions_gradgradcheck(data, name):
    x, axis, keepdims = _draw_library(data, name, max_dims=2)
    fn = AXIS_REDUCTIONS[name]
    assert mg.gradgradcheck(lambda t: fn(t, axis, keepdims), [leaf(x)])


def test_reduction_values_match_numpy():
    x = np.arange(1.0, 25.0).reshape(2, 3, 4) / 7
    t = mg.tensor(x)
    np.testing.assert_allclose(t.var(axis=(0, 2), ddof=1).data, x.var(axis=(0, 2), ddof=1))
    np.testing.assert_allclose(t.std(-1, keepdims=True).data, x.std(-1, keepdims=True))
    np.testing.assert_allclose(t.prod(1).data, x.prod(1))
    np.testing.assert_allclose(t.logsumexp().data, np.log(np.exp(x).sum()))
    np.testing.assert_allclose(mg.logsumexp(mg.tensor([1000.0, 1000.0])).data,
                               1000 + np.log(2))
    np.testing.assert_allclose(t.cumsum().data, x.cumsum())
    np.testing.assert_allclose(t.cumprod(2).data, x.cumprod(2))
    np.testing.assert_allclose(t.logcumsumexp(1).data, np.log(np.exp(x).cumsum(1)))
    np.testing.assert_allclose(t.norm().data, np.linalg.norm(x.ravel()))
    np.testing.assert_allclose(t.norm(1, axis=0).data, np.abs(x).sum(0))


@pytest.mark.parametrize("zeros", [[1], [0, 3], [2, 2]])
def test_prod_gradient_is_exact_with_zeros(zeros):
    x = np.array([2.0, 3.0, 5.0, 7.0])
    x[zeros] = 0.0
    t = leaf(x)
    t.prod().backward()
    expected = [np.prod(np.delete(x, i)) for i in range(4)]
    np.testing.assert_array_equal(t.grad.data, expected)
    assert np.isfinite(t.grad.data).all()
    assert mg.gradcheck(lambda u: u.prod(), [leaf(x)])
    assert mg.gradgradcheck(lambda u: u.prod(), [leaf(x)])


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(["prod", "cumprod"]))
def test_prod_cumprod_with_zeros_gradcheck(data, name):
    shape = data.draw(shapes(min_dims=1), label="shape")
    x = data.draw(away_from_zero(shape), label="x")
    x = np.where(data.draw(st.lists(st.booleans(), min_size=x.size, max_size=x.size)
                           .map(lambda b: np.array(b).reshape(shape))), 0.0, x)
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    fn = (lambda t: t.prod(axis)) if name == "prod" else (lambda t: t.cumprod(axis))
    assert mg.gradcheck(fn, [leaf(x)])
    assert mg.gradgradcheck(fn, [leaf(x)])


CUMULATIVE = ["cumsum", "cumprod", "logcumsumexp", "cummax", "cummin"]


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(CUMULATIVE))
def test_cumulative_gradcheck(data, name):
    shape = data.draw(shapes(), label="shape")
    x = data.draw(distinct_arrays(shape), label="x") + 0.05
    axis = data.draw(st.none() | st.integers(-max(x.ndim, 1), max(x.ndim, 1) - 1))
    if name in ("cummax", "cummin"):
        if axis is None:
            axis = -1
        fn = lambda t: getattr(t, name)(axis)[0]  # noqa: E731
    else:
        fn = lambda t: getattr(t, name)(axis)  # noqa: E731
    y = fn(leaf(x))
    ref = {"cumsum": np.cumsum, "cumprod": np.cumprod,
           "logcumsumexp": lambda a, axis: np.logaddexp.accumulate(
               a.ravel() if axis is None or a.ndim == 0 else a,
               axis=0 if axis is None or a.ndim == 0 else axis).reshape(
                   a.shape if axis is not None else -1),
           "cummax": lambda a, axis: np.maximum.accumulate(a, axis=axis) if a.ndim else a,
           "cummin": lambda a, axis: np.minimum.accumulate(a, axis=axis) if a.ndim else a,
           }[name](x, axis=axis)
    np.testing.assert_allclose(y.data, ref, rtol=1e-12)
    assert mg.gradcheck(fn, [leaf(x)])
    if name != "cummax" and name != "cummin":
        assert mg.gradgradcheck(fn, [leaf(x)])


def test_cummax_ties_go_to_the_latest():
    v, i = mg.cummax(leaf([1.0, 3.0, 3.0, 2.0, 3.0]), 0)
    np.testing.assert_array_equal(i.data, [0, 1, 2, 2, 4])
    assert i.dtype == np.int64 and not i.requires_grad
    x = leaf([1.0, 3.0, 3.0, 2.0])
    x.cummax(0)[0].sum().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 1.0, 2.0, 0.0])


def test_dim_keepdim_aliases_on_methods_and_functions():
    x = mg.tensor([[1.0, 2.0], [3.0, 4.0]])
    np.testing.assert_array_equal(x.sum(dim=1, keepdim=True).data, [[3.0], [7.0]])
    np.testing.assert_array_equal(mg.sum(x, dim=1, keepdim=True).data, [[3.0], [7.0]])
    np.testing.assert_array_equal(F.sum(x, dim=0).data, [4.0, 6.0])
    for name in ("sum", "mean", "max", "min", "var", "std", "logsumexp", "prod", "norm",
                 "any", "all"):
        assert getattr(x, name)(dim=-1, keepdim=True).shape == (2, 1), name
        assert getattr(mg, name)(x, dim=(0, 1)).shape == (), name
    with pytest.raises(TypeError, match="both axis= and its alias dim="):
        x.sum(axis=0, dim=1)
    with pytest.raises(TypeError, match="ddof= and its alias correction="):
        x.var(ddof=1, correction=0)


@pytest.mark.parametrize("axis", [0, -1, (0,), (-1,)])
def test_zero_d_axis_0_and_minus_1_mean_the_tensor(axis):
    for name in ("sum", "mean", "max", "min", "prod", "logsumexp", "var", "norm"):
        x = leaf(2.5)
        y = getattr(x, name)(axis=axis)
        assert y.shape == () and np.isfinite(y.item())
        y.backward()
        assert x.grad is not None and x.grad.shape == ()
    assert leaf(2.5).sum(axis, keepdims=True).shape == ()


@pytest.mark.parametrize("fn", [F.softmax, F.log_softmax])
def test_zero_d_softmax_backward(fn):
    x = leaf(0.7)
    y = fn(x)
    np.testing.assert_allclose(y.data, 1.0 if fn is F.softmax else 0.0)
    y.backward()
    assert x.grad.item() == 0.0
    assert mg.gradcheck(fn, [leaf(0.7)])


@pytest.mark.parametrize("name", ["sum", "mean", "max", "var", "logsumexp", "prod", "norm",
                                  "any", "all", "cumsum", "cumprod", "logcumsumexp",
                                  "cummax"])
def test_axis_out_of_range_is_an_axis_error(name):
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(mg.AxisError) as e:
        getattr(x, name)(axis=2)
    assert isinstance(e.value, IndexError) and isinstance(e.value, ValueError)
    assert name in str(e.value) and "axis 2" in str(e.value) and "2 dimensions" in str(e.value)
    with pytest.raises(IndexError, match="axis 1 .* 0 dimensions"):
        getattr(mg.tensor(1.0), name)(axis=1)


def test_axis_error_is_one_class():
    from minigrad.ops import indexing, reduce, shape

    assert reduce.AxisError is shape.AxisError is mg.AxisError
    with pytest.raises(mg.AxisError):
        indexing.gather(mg.tensor(np.ones(3)), 1, np.zeros(3, dtype=np.int64))
    with pytest.raises(mg.AxisError):
        mg.concatenate([mg.tensor(np.ones(3))], axis=-2)


def test_sum_dtype_and_integer_results():
    b = mg.tensor(np.array([[True, False], [True, True]]))
    s = b.sum(0)
    assert s.dtype == np.int64 and not s.requires_grad
    np.testing.assert_array_equal(s.data, [2, 1])
    x = leaf([[1.0, 2.0], [3.0, 4.0]])
    y = x.sum(dtype=np.float32)
    assert y.dtype == np.float32
    y.backward()
    np.testing.assert_array_equal(x.grad.data, np.ones((2, 2)))
    i = mg.tensor(np.array([1, 2, 3]))
    assert i.sum(dtype=np.float64).dtype == np.float64
    assert i.mean().dtype == np.float64  # NumPy: int mean gives float64
    assert not i.mean().requires_grad


def test_any_all_are_boolean_and_not_differentiable():
    x = leaf([[0.0, 1.0], [0.0, 0.0]])
    np.testing.assert_array_equal(x.any(1).data, [True, False])
    np.testing.assert_array_equal(mg.all(x, 0, keepdims=True).data, [[False, False]])
    assert x.any().dtype == np.bool_ and not x.any().requires_grad


def test_bad_arguments_raise_clear_errors():
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(ValueError, match="norm: ord"):
        x.norm(-1)
    with pytest.raises(ValueError, match="repeated axis"):
        x.var((0, -2))
    with pytest.raises(TypeError, match="axis must be None, an int"):
        x.prod(axis=1.5)
    with pytest.raises(TypeError, match="cummax: an axis is required"):
        x.cummax()


@GRADCHECK
@given(data=st.data())
def test_var_matches_numpy_for_any_axes(data):
    x = data.draw(float_arrays(data.draw(shapes())))
    axis, keepdims = data.draw(axes_keepdims(x.ndim))
    np.testing.assert_allclose(mg.tensor(x).var(axis, keepdims=keepdims).data,
                               np.var(x, axis=axis, keepdims=keepdims), atol=1e-12)


def test_norm_neither_underflows_nor_overflows():
    np.testing.assert_allclose(mg.tensor([3e200, 4e200]).norm().data, 5e200)
    np.testing.assert_allclose(mg.tensor([3e-200, 4e-200]).norm().data, 5e-200)
    np.testing.assert_allclose(mg.tensor([3e-200, 4e-200]).norm(3).data,
                               (27 + 64) ** (1 / 3) * 1e-200)
    x = leaf([5e-233, 0.0])
    x.norm().backward()
    np.testing.assert_array_equal(x.grad.data, [1.0, 0.0])


# -- bad axes and empty inputs ----------------------------------------------------------------

@pytest.mark.parametrize("axis", ["a", 1.0, [0.0], True, (0, "b")])
@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min"])
def test_bad_axis_type_names_op_argument_and_value(reduction, axis):
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError) as info:
        getattr(x, reduction)(axis=axis)
    msg = str(info.value)
    assert reduction in msg and "axis" in msg and repr(axis) in msg


@pytest.mark.parametrize("call", [
    lambda t: t.sum(axis=3), lambda t: t.mean(axis=-4), lambda t: t.max(axis=(0, 5)),
    lambda t: t.min(axis=(1, 1)), lambda t: t.sum(axis=(0, -3)),
    lambda t: F.softmax(t, axis=3), lambda t: F.log_softmax(t, axis=-4),
    lambda t: t.transpose(0, 1), lambda t: t.transpose(0, 1, 5),
], ids=["sum", "mean", "max", "min-repeated", "sum-repeated-negative", "softmax",
        "log_softmax", "transpose-too-few", "transpose-out-of-range"])
def test_bad_axis(call):
    t = leaf(np.ones((2, 3, 4)))
    with pytest.raises((ValueError, IndexError)) as info:
        call(t)
    msg = str(info.value).lower()
    assert "axis" in msg or "axes" in msg
    assert t.grad is None


def test_reductions_of_empty_tensors():
    with pytest.raises(ValueError, match=r"max.*\(0,\)"):
        mg.tensor(np.zeros(0)).max()


# -- var_mean and std_mean (PyTorch's defaults) ---------------------------------------------------

@pytest.mark.parametrize("which", ["var_mean", "std_mean"])
@GRADGRADCHECK
@given(data=st.data(), correction=st.sampled_from([None, 0, 1]))
def test_var_mean_std_mean_values_and_gradcheck(which, data, correction):
    shape = data.draw(shapes(min_dims=1))
    axis, keepdims = data.draw(axes_keepdims(len(shape)))
    n = int(np.prod(shape if axis is None else [shape[a] for a in np.atleast_1d(axis)]))
    c = 1 if correction is None else correction
    assume(n - c > 0 and n > 1)  # a variance above 0: the std is differentiable
    x = data.draw(distinct_arrays(shape))
    f = getattr(mg, which)
    spread, centre = f(mg.tensor(x), axis, keepdims=keepdims, correction=correction)
    expected = np.var(x, axis=axis, ddof=c, keepdims=keepdims)
    np.testing.assert_allclose(spread.data, expected if which == "var_mean" else np.sqrt(expected),
                               rtol=1e-12)
    np.testing.assert_allclose(centre.data, np.mean(x, axis=axis, keepdims=keepdims), rtol=1e-12)

    def both(t):
        s, m = f(t, axis, keepdims=keepdims, correction=correction)
        return s * 2.0 + m * m

    assert mg.gradcheck(both, [leaf(x)])
    assert mg.gradgradcheck(both, [leaf(x)])


def test_var_mean_arguments():
    x = mg.tensor([[1.0, 2.0, 4.0], [0.0, 3.0, 9.0]])
    v, m = mg.var_mean(x)  # PyTorch's default: correction=1
    assert v.item() == pytest.approx(np.var(x.data, ddof=1)) and m.item() == x.data.mean()
    v0, _ = mg.var_mean(x, 1, False, True)  # PyTorch's (input, dim, unbiased, keepdim)
    np.testing.assert_allclose(v0.data, np.var(x.data, axis=1, keepdims=True))
    v2, _ = mg.std_mean(x, dim=0, correction=0, keepdim=True)
    np.testing.assert_allclose(v2.data, np.std(x.data, axis=0, keepdims=True))
    with pytest.raises(TypeError, match="var_mean: give unbiased or correction, not both"):
        mg.var_mean(x, 0, True, correction=1)
    with pytest.raises(mg.AxisError, match="std_mean"):
        mg.std_mean(x, 2)
def _no_dof_cases():
    """var/std with ddof >= n: every shape's axis choices, ddof at n, above n and fractional."""
    for shape in [(3,), (2, 3), (1, 2, 2), ()]:
        ndim = len(shape)
        for axis in [None, *range(ndim)] + ([tuple(range(ndim)), (0, -1)] if ndim > 1 else []):
            dims = (axis,) if isinstance(axis, int) else axis
            n = int(np.prod(shape)) if axis is None else int(np.prod([shape[d] for d in dims]))
            for ddof in (n, n + 1, n + 0.5):
                yield pytest.param(shape, axis, n, ddof, id=f"{shape}-axis={axis}-ddof={ddof}")


@pytest.mark.filterwarnings("ignore:Degrees of freedom <= 0")
@pytest.mark.parametrize("name", ["var", "std"])
@pytest.mark.parametrize(("shape", "axis", "n", "ddof"), list(_no_dof_cases()))
def test_var_std_without_degrees_of_freedom_never_raise(shape, axis, n, ddof, name):
    """The value is NumPy's (inf or nan); the gradient is PyTorch's (inf, nan), no exception.

    Over every element (``axis=None``) var's gradient is inf, nan where x is the mean;
    over given axes it is ``2 (x - mean) / (n - ddof)``; std's is var's over ``2 std``.
    """
    data = np.arange(1.0, 1.0 + int(np.prod(shape))).reshape(shape) ** 2
    data.reshape(-1)[-1:] = data.mean()  # one element at the mean (where 0 * inf is nan)
    x = leaf(data)
    y = getattr(mg, name)(x, axis=axis, ddof=ddof)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(y.data, getattr(np, name)(data, axis=axis, ddof=ddof))
        (g,) = mg.grad(y.sum(), [x])
        centred = data - data.mean(axis=axis, keepdims=True)
        if axis is None:
            expected = np.where(centred == 0, np.nan, np.inf)
        else:
            expected = centred * (np.inf if n == ddof else 2.0 / (n - ddof))
        if name == "std":
            expected = expected / (2 * np.var(data, axis=axis, ddof=ddof, keepdims=True) ** 0.5)
    np.testing.assert_allclose(g.data, np.broadcast_to(expected, shape), rtol=1e-12)


# -- empty tensors: every reduction, forward and backward --------------------------------------

#: Each reduction of the catalogue (and the other ops that reduce along an axis), its NumPy
#: reference, whether it takes a tuple of axes, and whether it has an identity (the value
#: over no element: 0 for sum, 1 for prod, nan for mean, ...). Without one, reducing over
#: an empty axis is an error; over the live axes of an empty tensor it never is.
EMPTY_REDUCTIONS = {
    "sum": (mg.sum, np.sum, True, True),
    "mean": (mg.mean, np.mean, True, True),
    "max": (mg.max, np.max, True, False),
    "min": (mg.min, np.min, True, False),
    "var": (mg.var, np.var, True, True),
    "std": (mg.std, np.std, True, True),
    "var_mean": (lambda x, axis: mg.var_mean(x, axis)[0],
                 lambda a, axis: np.var(a, axis=axis, ddof=1), True, True),
    "std_mean": (lambda x, axis: mg.std_mean(x, axis)[0],
                 lambda a, axis: np.std(a, axis=axis, ddof=1), True, True),
    "logsumexp": (mg.logsumexp, lambda a, axis: np.log(np.exp(a).sum(axis=axis)), True, True),
    "prod": (mg.prod, np.prod, True, True),
    "cumsum": (mg.cumsum, np.cumsum, False, True),
    "cumprod": (mg.cumprod, np.cumprod, False, True),
    "logcumsumexp": (mg.logcumsumexp, lambda a, axis: np.logaddexp.accumulate(
        a.reshape(-1) if axis is None else a, axis=0 if axis is None else axis), False, True),
    "cummax": (lambda x, axis: mg.cummax(x, axis)[0], np.maximum.accumulate, False, True),
    "cummin": (lambda x, axis: mg.cummin(x, axis)[0], np.minimum.accumulate, False, True),
    "any": (mg.any, np.any, True, True),
    "all": (mg.all, np.all, True, True),
    "norm": (lambda x, axis: mg.norm(x, axis=axis),
             lambda a, axis: np.sqrt((a * a).sum(axis=axis)), True, True),
    "norm inf": (lambda x, axis: mg.norm(x, np.inf, axis=axis),
                 lambda a, axis: np.abs(a).max(axis=axis, initial=0.0), True, True),
    "argmax": (mg.argmax, np.argmax, False, False),
    "argmin": (mg.argmin, np.argmin, False, False),
    "softmax": (F.softmax, lambda a, axis: a, False, True),
    "log_softmax": (F.log_softmax, lambda a, axis: a, False, True),
}
_NEEDS_AXIS = {"cummax", "cummin", "softmax", "log_softmax"}


def _empty_cases():
    for shape in [(0,), (0, 3), (3, 0), (2, 0, 3)]:
        for name, (_, _, tuples, _) in EMPTY_REDUCTIONS.items():
            axes = [*range(len(shape)), -1] + ([(0, -1)] if tuples and len(shape) > 1 else [])
            for axis in ([] if name in _NEEDS_AXIS else [None]) + axes:
                yield pytest.param(name, shape, axis, id=f"{name}-{shape}-axis={axis}")


def test_every_reduction_is_tried_on_empty_tensors():
    family = {e.name for e in mg.ops.catalogue.entries() if e.family == "reduce"}
    assert family <= set(EMPTY_REDUCTIONS)


@pytest.mark.filterwarnings("ignore:Mean of empty slice", "ignore:Degrees of freedom <= 0")
@pytest.mark.parametrize(("name", "shape", "axis"), list(_empty_cases()))
def test_reductions_of_empty_tensors_as_numpy(name, shape, axis):
    """Over the live axes of an empty batch: NumPy's shape and value, an empty gradient.

    Over an empty axis: the identity (0, 1, nan, -inf, ...), or for max, min, argmax and
    argmin, which have none, a ValueError naming the op and the axis.
    """
    fn, ref, _, identity = EMPTY_REDUCTIONS[name]
    data = np.zeros(shape)
    dims = range(len(shape)) if axis is None else [axis] if isinstance(axis, int) else axis
    reduces_empty = any(shape[d] == 0 for d in dims)
    x = leaf(data)
    if reduces_empty and not identity:
        first = [d % len(shape) for d in dims if shape[d] == 0][0]
        with pytest.raises(ValueError, match=rf"{name}: cannot reduce over the empty axis "
                                             rf"{first} of a tensor of shape \({shape[0]},"):
            fn(x, axis)
        return
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)
        warnings.filterwarnings("ignore", "Mean of empty slice")
        warnings.filterwarnings("ignore", "Degrees of freedom <= 0")
        y = fn(x, axis)
        with np.errstate(all="ignore"):
            expected = ref(data, axis=axis)
        assert y.shape == np.shape(expected)
        np.testing.assert_array_equal(y.data, expected)
        if y.requires_grad:
            (g,) = mg.grad(y.sum(), [x])
            assert g.shape == shape and g.dtype == np.float64


@pytest.mark.parametrize("axis", [None, 0, 1, -1, (0, 1)])
@pytest.mark.parametrize("ddof", [0, 1])
def test_std_gradient_is_zero_where_the_variance_is_zero(axis, ddof):
    """A constant slice: std's gradient is 0 there (PyTorch's), not nan; elsewhere exact."""
    data = np.array([[2.0, 2.0, 2.0], [1.0, 4.0, 2.0]])
    if axis == 0:
        data = np.array([[2.0, 1.0, 5.0], [2.0, 4.0, 5.0]])
    if axis is None or axis == (0, 1):
        data = np.full((2, 3), 2.0)
    x = leaf(data)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = mg.std(x, axis=axis, ddof=ddof)
        (g,) = mg.grad(y.sum(), [x], create_graph=True)
        (gg,) = mg.grad((g * g).sum(), [x])
    s = data.std(axis=axis, ddof=ddof, keepdims=True)
    n = data.size // np.size(data.std(axis=axis))
    centred = data - data.mean(axis=axis, keepdims=True)
    with np.errstate(invalid="ignore", divide="ignore"):
        expected = np.where(s == 0, 0.0, centred / (s * (n - ddof)))
    np.testing.assert_allclose(g.data, expected, rtol=1e-12)
    assert np.isfinite(gg.data).all()
    assert (g.data[np.broadcast_to(s == 0, data.shape)] == 0).all()
