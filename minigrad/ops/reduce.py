"""Reductions over any axes, with or without keepdims, and the cumulative ops.

Every reduction takes NumPy's ``axis=``/``keepdims=`` and PyTorch's
``dim=``/``keepdim=``. On a 0-d tensor, axis 0 and -1 mean the tensor itself
(as in PyTorch).
"""

from __future__ import annotations

import builtins
import math
from typing import Any

import numpy as np

from minigrad.autograd import Function, OpError, OpTypeError
from minigrad.ops import indexing
from minigrad.ops.catalogue import op
from minigrad.ops.elementwise import abs as _abs
from minigrad.ops.elementwise import exp
from minigrad.ops.shape import (
    Axis,
    AxisError,
    broadcast_to,
    check_reduced_axes_not_empty,
    flip,
    moveaxis,
    normalize_axis,
    normalize_one_axis,
    pick_alias,
    reshape,
)
from minigrad.tensor import Tensor, _make

__all__ = ["sum", "mean", "max", "min", "normalize_axis", "AxisError", "var", "std",
           "logsumexp", "prod", "cumsum", "cumprod", "cummax", "cummin", "logcumsumexp",
           "any", "all", "norm"]

def _kept_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    """The result's shape with keepdims=True."""
    if axes is None:
        return (1,) * len(shape)
    return tuple(1 if i in axes else n for i, n in enumerate(shape))


class _Reduction(Function):
    """Shared set-up of a reduction over ``axes``."""

    def __init__(self, axes: tuple[int, ...] | None, keepdims: bool) -> None:
        self.axes = axes
        self.keepdims = keepdims

    def _grad_to_input(self, gy: Tensor) -> Tensor:
        """Reshape gy to keepdims form and broadcast it to the input's shape."""
        shape = self.inputs[0].shape
        return broadcast_to(reshape(gy, _kept_shape(shape, self.axes)), shape)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axes, "keepdims": self.keepdims}


class Sum(_Reduction):
    """Sum over axes (``dtype`` sets the accumulator and result dtype, as NumPy)."""

    dtype: Any = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.sum(axis=self.axes, keepdims=self.keepdims, dtype=self.dtype)

    def backward(self, gy: Tensor) -> Tensor:
        return self._grad_to_input(gy)

    def attrs(self) -> dict[str, Any]:
        extra = {} if self.dtype is None else {"dtype": str(self.dtype)}
        return {**super().attrs(), **extra}


class Mean(_Reduction):
    """Mean over axes."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        # over an empty axis: nan, with NumPy's "Mean of empty slice" warning only
        with np.errstate(divide="ignore", invalid="ignore"):
            return x.mean(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        n = x.size // builtins.max(self.output().size, 1) if x.size else 1
        return self._grad_to_input(gy) / n


class Max(_Reduction):
    """Maximum over axes; tied maxima share the gradient evenly."""

    op: Any = staticmethod(np.max)

    def forward(self, x: np.ndarray) -> np.ndarray:
        return self.op(x, axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0].data
        y = self.op(x, axis=self.axes, keepdims=True)
        mask = (x == y).astype(gy.dtype)
        mask /= mask.sum(axis=self.axes, keepdims=True)
        return self._grad_to_input(gy) * mask


class Min(Max):
    """Minimum over axes; tied minima share the gradient evenly."""

    op: Any = staticmethod(np.min)


def _axes(x: Tensor, axis: Axis, dim: Axis, keepdims: bool, keepdim: bool | None,
          where: str) -> tuple[tuple[int, ...] | None, bool]:
    """Resolve the NumPy / PyTorch spellings of the axis arguments and check them."""
    axis = pick_alias(axis, dim, "axis", "dim", where)
    keepdims = bool(pick_alias(keepdims, keepdim, "keepdims", "keepdim", where, default=False))
    return normalize_axis(axis, x.ndim, where), keepdims


def _count(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> int:
    """The number of elements each output reduces over."""
    if axes is None:
        return int(np.prod(shape, dtype=np.int64))
    return int(np.prod([shape[a] for a in axes if a < len(shape)], dtype=np.int64))


@op("sum", torch="sum", method=True, functional=True)
def sum(x: Tensor, axis: Axis = None, keepdims: bool = False, *,  # noqa: A001
        dim: Axis = None, keepdim: bool | None = None, dtype: Any = None) -> Tensor:
    """Sum of ``x`` over ``axis`` (all axes when None).

    ``dim=``/``keepdim=`` are accepted for ``axis=``/``keepdims=``; ``dtype`` sets
    the result's dtype (NumPy's rule: bool and small ints sum as int64 by default).
    """
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "sum")
    f = Sum(axes, keepdims)
    if dtype is not None:
        f.dtype = np.dtype(dtype)
    return f(x)


@op("mean", torch="mean", method=True, functional=True)
def mean(x: Tensor, axis: Axis = None, keepdims: bool = False, *,
         dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """Mean of ``x`` over ``axis`` (all axes when None); ``dim=``/``keepdim=`` accepted."""
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "mean")
    return Mean(axes, keepdims)(x)


@op("max", "amax", torch="amax", method=True, functional=("max", "amax"))
def max(x: Tensor, axis: Axis = None, keepdims: bool = False, *,  # noqa: A001
        dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """Maximum of ``x`` over ``axis``; ties share the gradient evenly.

    NumPy's meaning: returns the values only (PyTorch's ``max(dim)`` also returns
    indices; use ``argmax`` for them). At ties the gradient is split evenly among
    the tied elements, as ``torch.amax`` does (``torch.max(dim)`` gives it to one).
    """
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "max")
    check_reduced_axes_not_empty(x.shape, axes, "max")
    return Max(axes, keepdims)(x)


@op("min", "amin", torch="amin", method=True, functional=("min", "amin"))
def min(x: Tensor, axis: Axis = None, keepdims: bool = False, *,  # noqa: A001
        dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """Minimum of ``x`` over ``axis``; ties share the gradient evenly (values only, as NumPy).

    At ties the gradient is split evenly, as ``torch.amin`` does.
    """
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "min")
    check_reduced_axes_not_empty(x.shape, axes, "min")
    return Min(axes, keepdims)(x)


class Var(_Reduction):
    """Variance over axes with ``ddof`` (``sum((x - mean)**2) / (n - ddof)``)."""

    def __init__(self, axes: tuple[int, ...] | None, keepdims: bool, ddof: float) -> None:
        super().__init__(axes, keepdims)
        self.ddof = ddof

    def forward(self, x: np.ndarray) -> np.ndarray:
        # ddof >= n: NumPy warns "Degrees of freedom <= 0" once, not also of the 0 divisor
        with np.errstate(divide="ignore", invalid="ignore"):
            return x.var(axis=self.axes, keepdims=self.keepdims, ddof=self.ddof)

    def backward(self, gy: Tensor) -> Tensor:
        return self._var_grad(gy)

    def _var_grad(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        dof = _count(x.shape, self.axes) - self.ddof
        centred = x - mean(x, self.axes, keepdims=True)
        g = self._grad_to_input(gy)
        if dof > 0:
            return g * centred * (2.0 / dof)
        # no degree of freedom left: PyTorch's gradients, inf and nan, never an exception
        with np.errstate(divide="ignore", invalid="ignore"):
            if self.axes is None:  # over every element: inf, nan where x is the mean
                return g * np.where(centred.data == 0, np.nan, np.inf).astype(x.dtype)
            # over given axes: 2 (x - mean) / (n - ddof), +-inf or nan at n == ddof
            return g * centred * (math.inf if dof == 0 else 2.0 / dof)

    def attrs(self) -> dict[str, Any]:
        return {**super().attrs(), "ddof": self.ddof}


class Std(Var):
    """Standard deviation over axes, ``sqrt(var)``; the gradient is 0 where it is 0.

    ``d std = d var / (2 std)``, and where ``std`` is 0 (a constant slice) the
    gradient is 0, as PyTorch (``sqrt`` alone would give nan there).
    """

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.sqrt(super().forward(x))

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        zero = y.data == 0
        if not zero.any():
            return self._var_grad(gy / (y * 2))
        one = np.ones((), dtype=y.dtype)
        g = indexing.where(zero, np.zeros((), dtype=y.dtype),
                           gy / (indexing.where(zero, one, y) * 2))
        return self._var_grad(g)


@op("var", method=True)
def var(x: Tensor, axis: Axis = None, ddof: float | None = None, keepdims: bool = False, *,
        dim: Axis = None, correction: float | None = None,
        keepdim: bool | None = None) -> Tensor:
    """Variance over ``axis`` with ``ddof`` (``correction=`` accepted).

    NumPy's default ``ddof=0`` (population variance); PyTorch's default is
    ``correction=1``. With ``n - ddof <= 0`` the result is inf or nan, as both give,
    and so is the gradient, as PyTorch's: over every element (``axis=None``) inf, nan
    where ``x`` equals the mean; over given axes ``2 (x - mean) / (n - ddof)``.
    """
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "var")
    d = pick_alias(ddof, correction, "ddof", "correction", "var", default=0)
    return Var(axes, keepdims, d)(x)


@op("std", method=True)
def std(x: Tensor, axis: Axis = None, ddof: float | None = None, keepdims: bool = False, *,
        dim: Axis = None, correction: float | None = None,
        keepdim: bool | None = None) -> Tensor:
    """Standard deviation, ``sqrt(var(...))`` (same arguments as :func:`var`).

    Not differentiable where the variance is 0; the gradient there is 0, as PyTorch's.
    """
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "std")
    d = pick_alias(ddof, correction, "ddof", "correction", "std", default=0)
    return Std(axes, keepdims, d)(x)


class LogSumExp(_Reduction):
    """``log(sum(exp(x)))`` over axes, with the maximum subtracted first."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:  # log(0) = -inf over an empty axis, as PyTorch, without a warning
            with np.errstate(divide="ignore"):
                return np.log(np.exp(x).sum(axis=self.axes, keepdims=self.keepdims))
        m = x.max(axis=self.axes, keepdims=True)
        m = np.where(np.isfinite(m), m, 0)
        y = np.log(np.exp(x - m).sum(axis=self.axes, keepdims=True)) + m
        if not self.keepdims:
            y = y.reshape(_reduced_shape(x.shape, self.axes))
        return y

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        y = self._grad_to_input(self.output())
        return self._grad_to_input(gy) * exp(x - y)


def _reduced_shape(shape: tuple[int, ...], axes: tuple[int, ...] | None) -> tuple[int, ...]:
    if axes is None:
        return ()
    return tuple(n for i, n in enumerate(shape) if i not in axes)


@op(torch="logsumexp", method=True)
def logsumexp(x: Tensor, axis: Axis = None, keepdims: bool = False, *,
              dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """``log(sum(exp(x)))`` over ``axis``, without overflow (SciPy's / PyTorch's logsumexp).

    Smooth everywhere; the gradient is ``softmax(x)`` along the reduced axes.
    """
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "logsumexp")
    return LogSumExp(axes, keepdims)(x)


class Prod(_Reduction):
    """Product over axes; the gradient is the product of the other elements (zeros allowed)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.prod(axis=self.axes, keepdims=self.keepdims)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return self._grad_to_input(gy) * _prod_of_others(x, self.axes)


def _prod_of_others(x: Tensor, axes: tuple[int, ...] | None) -> Tensor:
    """For each element, the product of the other elements of its reduced slice.

    Without zeros this is ``prod / x``; with zeros, each slice's ``n x n`` matrix of
    "the slice with element i replaced by 1" is reduced instead, which stays
    exact and differentiable (the same rule applies again at higher orders).
    """
    if not (x.data == 0).any():
        return broadcast_to(reshape(prod(x, axes, keepdims=True), _kept_shape(x.shape, axes)),
                            x.shape) / x
    axes = tuple(range(x.ndim)) if axes is None else axes
    rest = [a for a in range(x.ndim) if a not in axes]
    moved = moveaxis(x, list(axes), list(range(len(rest), x.ndim))) if x.ndim else x
    lead = moved.shape[:len(rest)]
    n = int(np.prod(moved.shape[len(rest):], dtype=np.int64))
    flat = reshape(moved, lead + (1, n))
    eye = np.eye(n, dtype=bool)
    others = prod(indexing.where(eye, np.ones((), dtype=x.dtype), flat), -1)  # (..., n)
    back = reshape(others, moved.shape)
    return moveaxis(back, list(range(len(rest), x.ndim)), list(axes)) if x.ndim else back


@op("prod", torch="prod", method=True)
def prod(x: Tensor, axis: Axis = None, keepdims: bool = False, *,
         dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """Product over ``axis``; the gradient is exact when the input holds zeros."""
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "prod")
    return Prod(axes, keepdims)(x)


# -- cumulative ops ---------------------------------------------------------------------------

def _cum_axis(x: Tensor, axis: int | None, dim: int | None, where: str,
              default: Any = None) -> tuple[Tensor, int]:
    axis = pick_alias(axis, dim, "axis", "dim", where, default=default)
    if axis is None:
        return reshape(x, (-1,)), 0
    if x.ndim == 0:
        normalize_axis(axis, 0, where)
        return reshape(x, (1,)), -1
    return x, normalize_one_axis(axis, x.ndim, where)


def _cum_result(y: Tensor, ax: int) -> Tensor:
    return reshape(y, ()) if ax == -1 else y


class _Cumulative(Function):

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


class CumSum(_Cumulative):
    """Running sum along an axis; backward is the reversed running sum."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cumsum(x, axis=self.axis)

    def backward(self, gy: Tensor) -> Tensor:
        return flip(CumSum(self.axis)(flip(gy, self.axis)), self.axis)


@op("cumsum", torch="cumsum", method=True)
def cumsum(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Running sum along ``axis`` (NumPy: ``axis=None`` flattens; ``dim=`` accepted)."""
    x, ax = _cum_axis(x, axis, dim, "cumsum")
    return _cum_result(CumSum(builtins.max(ax, 0))(x), ax)


def _lower_mask(n: int) -> np.ndarray:
    """``m[i, k] = (k >= i)``: element i contributes to output k."""
    return np.triu(np.ones((n, n), dtype=bool))


class CumProd(_Cumulative):
    """Running product along an axis; the gradient is exact when the input holds zeros."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.cumprod(x, axis=self.axis)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        ax = self.axis
        if not (x.data == 0).any():
            y = self.output()
            return flip(CumSum(ax)(flip(gy * y, ax)), ax) / x
        # d y_k / d x_i = prod_{j <= k, j != i} x_j: the running product of x with x_i
        # replaced by 1, as an (..., i, k) matrix, masked to k >= i
        n = x.shape[ax]
        xm = moveaxis(x, ax, -1)
        gm = moveaxis(gy, ax, -1)
        rows = indexing.where(np.eye(n, dtype=bool), np.ones((), dtype=x.dtype),
                            reshape(xm, xm.shape[:-1] + (1, n)))
        d = CumProd(xm.ndim)(rows)  # (..., i, k)
        d = indexing.where(_lower_mask(n), d, np.zeros((), dtype=x.dtype))
        g = (d * reshape(gm, gm.shape[:-1] + (1, n))).sum(axis=-1)
        return moveaxis(g, -1, ax)


@op("cumprod", torch="cumprod", method=True)
def cumprod(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Running product along ``axis`` (``axis=None`` flattens); exact gradient with zeros."""
    x, ax = _cum_axis(x, axis, dim, "cumprod")
    return _cum_result(CumProd(builtins.max(ax, 0))(x), ax)


class LogCumSumExp(_Cumulative):
    """``log(cumsum(exp(x)))`` along an axis, without overflow."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.logaddexp.accumulate(x, axis=self.axis)

    def backward(self, gy: Tensor) -> Tensor:
        # d y_k / d x_i = exp(x_i - y_k) for k >= i, as an (..., i, k) matrix
        x = self.inputs[0]
        ax = self.axis
        n = x.shape[ax]
        xm = moveaxis(x, ax, -1)
        ym = moveaxis(self.output(), ax, -1)
        gm = moveaxis(gy, ax, -1)
        diff = reshape(xm, xm.shape + (1,)) - reshape(ym, ym.shape[:-1] + (1, n))
        mask = np.broadcast_to(_lower_mask(n), diff.shape)
        safe = indexing.where(mask, diff, np.zeros((), dtype=x.dtype))
        d = indexing.where(mask, exp(safe), np.zeros((), dtype=x.dtype))
        g = (d * reshape(gm, gm.shape[:-1] + (1, n))).sum(axis=-1)
        return moveaxis(g, -1, ax)


@op(torch="logcumsumexp", method=True)
def logcumsumexp(x: Tensor, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """``log(cumsum(exp(x)))`` along ``axis``, stable (``axis=None`` flattens)."""
    x, ax = _cum_axis(x, axis, dim, "logcumsumexp")
    return _cum_result(LogCumSumExp(builtins.max(ax, 0))(x), ax)


def _cum_arg(data: np.ndarray, axis: int, op: Any) -> np.ndarray:
    """Index of the running maximum (``op`` = greater_equal) or minimum, last one at ties."""
    d = np.moveaxis(data, axis, -1)
    idx = np.zeros(d.shape, dtype=np.int64)
    best = d[..., :1].copy() if d.shape[-1] else d[..., :0]
    cur = np.zeros(d.shape[:-1], dtype=np.int64)
    for k in range(d.shape[-1]):
        v = d[..., k]
        take = op(v, best[..., 0]) | np.isnan(v)
        take &= ~np.isnan(best[..., 0]) | np.isnan(v)
        best[..., 0] = np.where(take, v, best[..., 0])
        cur = np.where(take, k, cur)
        idx[..., k] = cur
    return np.moveaxis(idx, -1, axis)


def _cum_extreme(x: Tensor, axis: int | None, dim: int | None, op: Any,
                 where: str) -> tuple[Tensor, Tensor]:
    if axis is None and dim is None:
        raise OpTypeError(f"{where}: an axis is required")
    xx, ax = _cum_axis(x, axis, dim, where)
    a = builtins.max(ax, 0)
    idx = _cum_arg(xx.data, a, op)
    values = indexing.gather(xx, a, idx)
    if ax == -1:
        return reshape(values, ()), _make(idx.reshape(()))
    return values, _make(idx)


@op(torch="cummax", method=True)
def cummax(x: Tensor, axis: int | None = None, *, dim: int | None = None
           ) -> tuple[Tensor, Tensor]:
    """Running maximum along ``axis`` and its indices (PyTorch's ``cummax``).

    At ties the index (and the gradient) goes to the latest maximum, as PyTorch.
    """
    return _cum_extreme(x, axis, dim, np.greater_equal, "cummax")


@op(torch="cummin", method=True)
def cummin(x: Tensor, axis: int | None = None, *, dim: int | None = None
           ) -> tuple[Tensor, Tensor]:
    """Running minimum along ``axis`` and its indices; ties go to the latest minimum."""
    return _cum_extreme(x, axis, dim, np.less_equal, "cummin")


@op("any", torch="any", method=True)
def any(x: Any, axis: Axis = None, keepdims: bool = False, *,  # noqa: A001
        dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """Whether any element is non-zero over ``axis`` (a bool tensor, not differentiable)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "any")
    return _make(np.any(x.data, axis=axes, keepdims=keepdims))


@op("all", torch="all", method=True)
def all(x: Any, axis: Axis = None, keepdims: bool = False, *,  # noqa: A001
        dim: Axis = None, keepdim: bool | None = None) -> Tensor:
    """Whether every element is non-zero over ``axis`` (a bool tensor, not differentiable)."""
    x = x if isinstance(x, Tensor) else Tensor(x)
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "all")
    return _make(np.all(x.data, axis=axes, keepdims=keepdims))


class Norm(_Reduction):
    """Vector p-norm over axes: ``sum(|x|**p) ** (1/p)``, ``max |x|`` for p = inf.

    At ``x = 0`` the gradient is 0 (PyTorch's subgradient choice); for p = inf
    the gradient is shared evenly by the tied maxima of ``|x|``.
    """

    def __init__(self, axes: tuple[int, ...] | None, keepdims: bool, p: float) -> None:
        super().__init__(axes, keepdims)
        self.p = p

    def forward(self, x: np.ndarray) -> np.ndarray:
        a = np.abs(x)
        if self.p == np.inf:
            return a.max(axis=self.axes, keepdims=self.keepdims, initial=0.0)
        if self.p == 1:
            return a.sum(axis=self.axes, keepdims=self.keepdims)
        # scale by the largest |x| so that tiny and huge values neither underflow nor overflow
        m = a.max(axis=self.axes, keepdims=True, initial=0.0)
        m = np.where(m > 0, m, 1).astype(a.dtype)
        s = a / m
        y = (np.sqrt((s * s).sum(axis=self.axes, keepdims=True)) if self.p == 2 else
             (s ** self.p).sum(axis=self.axes, keepdims=True) ** (1.0 / self.p)) * m
        return y if self.keepdims else y.reshape(_reduced_shape(x.shape, self.axes))

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        zero = np.zeros((), dtype=x.dtype)
        nonzero = x.data != 0
        sgn = np.sign(x.data).astype(x.dtype)
        g = self._grad_to_input(gy)
        if self.p == 1:
            return g * sgn
        if self.p == np.inf:
            return g * sgn * _ties_share(np.abs(x.data), self.axes)
        y = self._grad_to_input(self.output())
        ynz = y.data != 0
        ysafe = indexing.where(ynz, y, np.ones((), dtype=x.dtype))
        if self.p == 2:
            return g * indexing.where(ynz, x / ysafe, zero)
        xsafe = indexing.where(nonzero, x, np.ones((), dtype=x.dtype))
        d = sgn * (_abs(xsafe) / ysafe) ** (self.p - 1)
        return g * indexing.where(ynz & nonzero, d, zero)

    def attrs(self) -> dict[str, Any]:
        return {**super().attrs(), "ord": self.p}


def _ties_share(a: np.ndarray, axes: tuple[int, ...] | None) -> np.ndarray:
    """1/k at each of the k positions holding the maximum of ``a`` over ``axes``, else 0."""
    m = a == a.max(axis=axes, keepdims=True, initial=0.0)  # |x| >= 0; 0 over an empty axis
    return (m / m.sum(axis=axes, keepdims=True)).astype(a.dtype)


@op(torch="norm", method=True)
def norm(x: Tensor, ord: float = 2, axis: Axis = None, keepdims: bool = False, *,  # noqa: A002
         dim: Axis = None, keepdim: bool | None = None, p: float | None = None) -> Tensor:
    """Vector p-norm of ``x`` over ``axis`` (all elements when None).

    ``ord`` (or ``p=``) is any p > 0 or ``inf`` (like ``torch.linalg.vector_norm``);
    with ``axis=None`` a matrix is treated as one vector (the Frobenius norm for
    ord 2), not as NumPy's matrix norm. At ``x = 0`` the gradient is 0, as PyTorch.
    """
    if p is not None:
        ord = p  # noqa: A001
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "norm")
    if not (ord == np.inf or (isinstance(ord, (int, float)) and ord > 0)):
        raise OpError(f"norm: ord must be a number > 0 or inf, got {ord!r}")
    return Norm(axes, keepdims, float(ord))(x)


# -- variance and mean together (PyTorch's var_mean / std_mean) ----------------------------------

__all__ += ["var_mean", "std_mean"]


def _correction(unbiased: bool | None, correction: float | None, where: str) -> float:
    if unbiased is not None and correction is not None:
        raise OpTypeError(f"{where}: give unbiased or correction, not both")
    if unbiased is not None:
        return 1 if unbiased else 0
    return 1 if correction is None else correction


@op(torch="var_mean")
def var_mean(x: Tensor, axis: Axis = None, unbiased: bool | None = None,
             keepdims: bool = False, *, correction: float | None = None, dim: Axis = None,
             keepdim: bool | None = None) -> tuple[Tensor, Tensor]:
    """The variance and the mean over ``axis``, as PyTorch's ``var_mean``.

    PyTorch's default, ``correction=1`` (the sample variance; ``unbiased=False`` or
    ``correction=0`` give the population variance). Both are differentiable.
    """
    if not isinstance(x, Tensor):
        x = Tensor(x)
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "var_mean")
    c = _correction(unbiased, correction, "var_mean")
    return Var(axes, keepdims, c)(x), mean(x, axes, keepdims)


@op(torch="std_mean")
def std_mean(x: Tensor, axis: Axis = None, unbiased: bool | None = None,
             keepdims: bool = False, *, correction: float | None = None, dim: Axis = None,
             keepdim: bool | None = None) -> tuple[Tensor, Tensor]:
    """The standard deviation and the mean over ``axis``, as PyTorch's ``std_mean``.

    PyTorch's default, ``correction=1``. The standard deviation is not differentiable
    where the variance is 0; its gradient there is 0, as PyTorch's (see :func:`std`).
    """
    if not isinstance(x, Tensor):
        x = Tensor(x)
    axes, keepdims = _axes(x, axis, dim, keepdims, keepdim, "std_mean")
    c = _correction(unbiased, correction, "std_mean")
    return Std(axes, keepdims, c)(x), mean(x, axes, keepdims)
