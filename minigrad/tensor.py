"""The :class:`Tensor`: an ndarray that remembers how it was made.

A tensor wraps a ``numpy.ndarray`` (``.data``). When it requires a gradient,
every operation on it is recorded (see :mod:`minigrad.autograd`), and
:meth:`Tensor.backward` fills the ``.grad`` of the leaves it depends on.
"""

from __future__ import annotations

import weakref
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import printing
from minigrad.grad_mode import _mode

if TYPE_CHECKING:  # pragma: no cover
    from minigrad.autograd import Function

__all__ = ["Tensor", "tensor", "as_tensor", "zeros", "ones", "randn"]

_NUMERIC_KINDS = "biuf"


def _holds_none(data: list[Any] | tuple[Any, ...]) -> bool:
    """True if a (nested) list or tuple holds None (NumPy would turn it into NaN)."""
    stack: list[Any] = [data]
    while stack:
        for v in stack.pop():
            if v is None:
                return True
            if isinstance(v, (list, tuple)):
                stack.append(v)
    return False


def _to_array(data: Any, dtype: Any = None, where: str = "Tensor") -> np.ndarray:
    """Convert user data to a numeric ndarray (Python numbers and lists become float64)."""
    if isinstance(data, Tensor):
        arr = data.data
    elif isinstance(data, (np.ndarray, np.generic)):
        arr = np.asarray(data)
    else:
        if data is None or isinstance(data, (str, bytes)):
            raise TypeError(f"{where}: data must be numeric, got {type(data).__name__} {data!r}")
        try:
            arr = np.asarray(data, dtype=np.float64 if dtype is None else dtype)
        except (ValueError, TypeError) as e:
            raise TypeError(
                f"{where}: could not convert data of type {type(data).__name__} to a numeric "
                f"array ({e}); nested lists must be rectangular and hold numbers only"
            ) from None
        # NumPy turns None into NaN: look for it only where a NaN came out
        if arr.dtype.kind == "f" and isinstance(data, (list, tuple)) \
                and np.isnan(arr).any() and _holds_none(data):
            raise TypeError(f"{where}: data must be numeric, got a {type(data).__name__} "
                            "holding None")
    if dtype is not None and arr.dtype != np.dtype(dtype):
        arr = arr.astype(dtype)
    if arr.dtype.kind not in _NUMERIC_KINDS:
        raise TypeError(
            f"{where}: data must be numeric (bool, int, uint or float), got dtype {arr.dtype}"
        )
    return arr


class Tensor:
    """A multi-dimensional array with automatic differentiation.

    Parameters
    ----------
    data : array_like
        The values. Python numbers and (nested) lists become float64, as in
        the book; NumPy arrays keep their dtype (and are not copied).
    requires_grad : bool
        Record operations on this tensor so that ``backward`` can compute its
        gradient. Only floating-point tensors can require gradients.
    dtype : numpy dtype, optional
        Convert the data to this dtype.
    name : str, optional
        A label, shown in errors and graph pictures.

    Examples
    --------
    >>> import minigrad as mg
    >>> x = mg.Tensor([[1.0, 2.0]], requires_grad=True)
    >>> y = (x * x + 3 * x).sum()
    >>> y.backward()
    >>> x.grad
    Tensor([[5., 7.]])
    """

    __slots__ = ("data", "grad", "_rg", "creator", "name", "_version",
                 "_retain_grad", "_saved_by", "_base", "__weakref__")

    # Let NumPy defer to our reflected operators (ndarray + Tensor -> Tensor).
    __array_ufunc__ = None
    __array_priority__ = 1000

    def __init__(self, data: Any, requires_grad: bool = False, dtype: Any = None,
                 name: str | None = None) -> None:
        self.data: np.ndarray = _to_array(data, dtype)
        self.grad: Tensor | None = None
        self._rg = False
        self.creator: Function | None = None
        self.name = name
        self._version = 0
        self._retain_grad = False
        self._saved_by: weakref.WeakSet[Function] | None = None
        # the tensor whose data this one aliases (detach(), views); None for an owner
        self._base: Tensor | None = None
        if requires_grad:
            self.requires_grad = True

    # -- autograd attributes -------------------------------------------------
    @property
    def requires_grad(self) -> bool:
        """Whether operations on this tensor are recorded for backward."""
        return self._rg

    @requires_grad.setter
    def requires_grad(self, value: bool) -> None:
        if value and self.data.dtype.kind != "f":
            raise TypeError(
                f"only floating-point tensors can require gradients, got dtype {self.data.dtype}"
            )
        if not value and self.creator is not None:
            raise RuntimeError(
                "requires_grad can only be changed on a leaf tensor; use detach() instead"
            )
        self._rg = bool(value)

    @property
    def grad_fn(self) -> Function | None:
        """The function that made this tensor (PyTorch's name for :attr:`creator`)."""
        return self.creator

    @property
    def is_leaf(self) -> bool:
        """True for tensors not produced by a recorded operation."""
        return self.creator is None

    def retain_grad(self) -> Tensor:
        """Keep ``.grad`` for this non-leaf tensor after ``backward``; returns self."""
        if not self._rg:
            raise RuntimeError("retain_grad: tensor does not require grad")
        self._retain_grad = True
        return self

    def detach(self) -> Tensor:
        """Return a tensor that shares the data but is cut from the graph.

        The two share one version counter, as in PyTorch: an in-place change
        through either makes a backward that saved the other refuse to run.
        ``.data`` stays the escape hatch that is tracked by nothing.
        """
        return _alias(_make(self.data), self)

    def zero_grad(self) -> None:
        """Forget the accumulated gradient (``.grad`` becomes None)."""
        self.grad = None

    def backward(self, grad: Any = None, retain_graph: bool | None = None,
                 create_graph: bool = False) -> None:
        """Compute the gradient of this tensor with respect to the leaves of its graph.

        Gradients accumulate into the ``.grad`` of every leaf that requires grad.

        Parameters
        ----------
        grad : array_like or Tensor, optional
            The gradient of some scalar with respect to this tensor; required
            unless the tensor has a single element.
        retain_graph : bool, optional
            Keep the graph's saved tensors so it can be backpropagated again.
            Defaults to ``create_graph``: the gradients of a ``create_graph``
            backward refer to the graph, so it must be kept.
        create_graph : bool
            Record the backward pass, so that the gradients can be differentiated.
        """
        from minigrad import autograd  # the engine (it imports this module, not the reverse)

        (g,) = _root_grads([self], [grad], "backward")
        if retain_graph is None:
            retain_graph = create_graph
        autograd.backward([self], [g], retain_graph=retain_graph, create_graph=create_graph)

    # -- array-like attributes -------------------------------------------------
    @property
    def shape(self) -> tuple[int, ...]:
        """The shape of the data."""
        return self.data.shape

    @property
    def ndim(self) -> int:
        """The number of dimensions."""
        return self.data.ndim

    @property
    def size(self) -> int:
        """The number of elements."""
        return self.data.size

    @property
    def dtype(self) -> np.dtype:
        """The NumPy dtype of the data."""
        return self.data.dtype

    @property
    def version(self) -> int:
        """How many in-place changes the data has had (saved tensors check it).

        Aliases (``detach()``, views from basic slicing, ``reshape``) share
        the counter of the tensor that owns the data.
        """
        return _version_of(self)

    def numpy(self) -> np.ndarray:
        """Return the data as an ndarray (shared, not copied)."""
        return self.data

    def item(self) -> float:
        """Return the value of a one-element tensor as a Python number."""
        if self.data.size != 1:
            raise ValueError(f"item: only one-element tensors can be converted, got shape "
                             f"{self.shape}")
        return self.data.item()

    def tolist(self) -> Any:
        """Return the data as (nested) Python lists."""
        return self.data.tolist()

    def __array__(self, dtype: Any = None, copy: Any = None) -> np.ndarray:
        if dtype is not None and dtype != self.data.dtype:
            return self.data.astype(dtype)
        return self.data.copy() if copy else self.data

    def __len__(self) -> int:
        if self.data.ndim == 0:
            raise TypeError("len() of a 0-d tensor")
        return len(self.data)

    def __iter__(self) -> Any:
        for i in range(len(self)):
            yield self[i]

    def __bool__(self) -> bool:
        return bool(self.data)

    def __float__(self) -> float:
        return float(self.item())

    def __int__(self) -> int:
        return int(self.item())

    def __index__(self) -> int:
        if self.data.dtype.kind not in "iub" or self.data.size != 1:
            raise TypeError("only integer tensors of one element can be used as an index")
        return int(self.data.item())

    def __format__(self, spec: str) -> str:
        if spec and self.data.size == 1:
            return format(self.data.item(), spec)
        return repr(self)

    def __repr__(self) -> str:
        return printing.tensor_repr(self)

    __hash__ = object.__hash__

    # -- operators ---------------------------------------------------------------
    def __add__(self, other: Any) -> Tensor:
        return arith.Add()(self, _float_operand(self, other))

    def __radd__(self, other: Any) -> Tensor:
        return arith.Add()(_float_operand(self, other), self)

    def __sub__(self, other: Any) -> Tensor:
        return arith.Sub()(self, _float_operand(self, other))

    def __rsub__(self, other: Any) -> Tensor:
        return arith.Sub()(_float_operand(self, other), self)

    def __mul__(self, other: Any) -> Tensor:
        return arith.Mul()(self, _float_operand(self, other))

    def __rmul__(self, other: Any) -> Tensor:
        return arith.Mul()(_float_operand(self, other), self)

    def __truediv__(self, other: Any) -> Tensor:
        return arith.Div()(self, _float_operand(self, other))

    def __rtruediv__(self, other: Any) -> Tensor:
        return arith.Div()(_float_operand(self, other), self)

    def __pow__(self, other: Any) -> Tensor:
        return arith.pow(self, other)

    def __rpow__(self, other: Any) -> Tensor:
        return arith.pow(other, self)

    def __matmul__(self, other: Any) -> Tensor:
        return linalg.MatMul()(self, other)

    def __rmatmul__(self, other: Any) -> Tensor:
        return linalg.MatMul()(other, self)

    def __neg__(self) -> Tensor:
        return arith.Neg()(self)

    def __pos__(self) -> Tensor:
        return self

    def __abs__(self) -> Tensor:
        return unary.abs(self)

    def __getitem__(self, index: Any) -> Tensor:
        return shape_ops.getitem(self, index)

    # In-place updates (``w -= lr * g``): see ``_inplace``.
    def __iadd__(self, other: Any) -> Tensor:
        return _inplace(self, other, "add")

    def __isub__(self, other: Any) -> Tensor:
        return _inplace(self, other, "sub")

    def __imul__(self, other: Any) -> Tensor:
        return _inplace(self, other, "mul")

    def __itruediv__(self, other: Any) -> Tensor:
        return _inplace(self, other, "div")

    # Comparisons give plain boolean tensors (not differentiable).
    def __eq__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _make(self.data == _data(other))

    def __ne__(self, other: Any) -> Tensor:  # type: ignore[override]
        return _make(self.data != _data(other))

    def __lt__(self, other: Any) -> Tensor:
        return _make(self.data < _data(other))

    def __le__(self, other: Any) -> Tensor:
        return _make(self.data <= _data(other))

    def __gt__(self, other: Any) -> Tensor:
        return _make(self.data > _data(other))

    def __ge__(self, other: Any) -> Tensor:
        return _make(self.data >= _data(other))

    # -- methods -------------------------------------------------------------------
    def exp(self) -> Tensor:
        """Elementwise e**x."""
        return unary.exp(self)

    def log(self) -> Tensor:
        """Elementwise natural logarithm."""
        return unary.log(self)

    def sqrt(self) -> Tensor:
        """Elementwise square root."""
        return unary.sqrt(self)

    def sin(self) -> Tensor:
        """Elementwise sine."""
        return unary.sin(self)

    def cos(self) -> Tensor:
        """Elementwise cosine."""
        return unary.cos(self)

    def tanh(self) -> Tensor:
        """Elementwise hyperbolic tangent."""
        return unary.tanh(self)

    def sigmoid(self) -> Tensor:
        """Elementwise logistic sigmoid 1 / (1 + e**-x)."""
        return unary.sigmoid(self)

    def relu(self) -> Tensor:
        """Elementwise max(x, 0)."""
        return unary.relu(self)

    def abs(self) -> Tensor:
        """Elementwise absolute value."""
        return unary.abs(self)

    def sum(self, axis: int | Sequence[int] | None = None, keepdims: bool = False, *,
            dim: int | Sequence[int] | None = None, keepdim: bool | None = None, dtype: Any = None
            ) -> Tensor:
        """Sum over ``axis`` (all axes when None); see :func:`minigrad.ops.reduce.sum`."""
        return reduce.sum(self, axis, keepdims, dim=dim, keepdim=keepdim, dtype=dtype)

    def mean(self, axis: int | Sequence[int] | None = None, keepdims: bool = False, *,
            dim: int | Sequence[int] | None = None, keepdim: bool | None = None
            ) -> Tensor:
        """Mean over ``axis`` (all axes when None); ``dim=``/``keepdim=`` accepted."""
        return reduce.mean(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def max(self, axis: int | Sequence[int] | None = None, keepdims: bool = False, *,
            dim: int | Sequence[int] | None = None, keepdim: bool | None = None
            ) -> Tensor:
        """Maximum over ``axis`` (values only, as NumPy); ties share the gradient."""
        return reduce.max(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def min(self, axis: int | Sequence[int] | None = None, keepdims: bool = False, *,
            dim: int | Sequence[int] | None = None, keepdim: bool | None = None
            ) -> Tensor:
        """Minimum over ``axis`` (values only, as NumPy); ties share the gradient."""
        return reduce.min(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmax(self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
               keepdim: bool | None = None) -> Tensor:
        """Indices of the maxima (an integer tensor, not differentiable); ``dim=`` accepted."""
        return select.argmax(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def argmin(self, axis: int | None = None, keepdims: bool = False, *, dim: int | None = None,
               keepdim: bool | None = None) -> Tensor:
        """Indices of the minima (an integer tensor, not differentiable); ``dim=`` accepted."""
        return select.argmin(self, axis, keepdims, dim=dim, keepdim=keepdim)

    def reshape(self, *shape: Any) -> Tensor:
        """Return the same values with a new shape (``reshape(2, 3)`` or ``reshape((2, 3))``)."""
        if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
            shape = tuple(shape[0])
        return shape_ops.reshape(self, shape)

    def transpose(self, *axes: Any) -> Tensor:
        """Permute the axes (reverse them when none are given), with NumPy's meaning.

        ``transpose(a, b, ...)`` lists every axis in its new order, as
        ``ndarray.transpose``: on a 2-D tensor ``transpose(0, 1)`` returns it
        unchanged and ``transpose(1, 0)`` swaps the axes. PyTorch's
        ``transpose(a, b)`` (swap two axes) is :meth:`swapaxes` here; ``mT``
        swaps the last two.
        """
        if len(axes) == 1 and isinstance(axes[0], (tuple, list)):
            axes = tuple(axes[0])
        return shape_ops.transpose(self, axes or None)

    @property
    def T(self) -> Tensor:  # noqa: N802 - the NumPy name
        """The tensor with its axes reversed."""
        return shape_ops.transpose(self, None)

    def broadcast_to(self, shape: Sequence[int]) -> Tensor:
        """Broadcast to ``shape`` (backward sums the gradient back)."""
        return shape_ops.broadcast_to(self, tuple(shape))

    def sum_to(self, shape: Sequence[int]) -> Tensor:
        """Sum broadcast axes away so the result has ``shape`` (backward broadcasts)."""
        return shape_ops.sum_to(self, tuple(shape))

    def matmul(self, other: Any) -> Tensor:
        """Matrix product ``self @ other`` (2-D, 1-D vectors, batched)."""
        return linalg.matmul(self, other)

    def astype(self, dtype: Any) -> Tensor:
        """Return a copy converted to ``dtype``.

        From a floating-point dtype to another (or the same) one the cast is
        differentiable, as PyTorch's ``.to(dtype)``: the gradient comes back
        in this tensor's dtype. A cast to an integer or bool dtype is not.
        """
        return unary.astype(self, dtype)

    # -- op library: shape, selection, reductions ----------------------------------
    # (functions in minigrad.ops.shape / select / reduce; see their docstrings)
    def var(self, axis: Any = None, ddof: float | None = None, keepdims: bool = False,
            **kwargs: Any) -> Tensor:
        """Variance over ``axis`` (NumPy's ddof=0 default; ``correction=`` accepted)."""
        return reduce.var(self, axis, ddof, keepdims, **kwargs)

    def std(self, axis: Any = None, ddof: float | None = None, keepdims: bool = False,
            **kwargs: Any) -> Tensor:
        """Standard deviation over ``axis`` (NumPy's ddof=0 default)."""
        return reduce.std(self, axis, ddof, keepdims, **kwargs)

    def logsumexp(self, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
        """``log(sum(exp(x)))`` over ``axis``, stable."""
        return reduce.logsumexp(self, axis, keepdims, **kwargs)

    def prod(self, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
        """Product over ``axis`` (exact gradient with zeros)."""
        return reduce.prod(self, axis, keepdims, **kwargs)

    def cumsum(self, axis: int | None = None, **kwargs: Any) -> Tensor:
        """Running sum along ``axis`` (None flattens, as NumPy)."""
        return reduce.cumsum(self, axis, **kwargs)

    def cumprod(self, axis: int | None = None, **kwargs: Any) -> Tensor:
        """Running product along ``axis`` (None flattens, as NumPy)."""
        return reduce.cumprod(self, axis, **kwargs)

    def cummax(self, axis: int | None = None, **kwargs: Any) -> tuple[Tensor, Tensor]:
        """Running maximum along ``axis`` and its indices (PyTorch's ``cummax``)."""
        return reduce.cummax(self, axis, **kwargs)

    def cummin(self, axis: int | None = None, **kwargs: Any) -> tuple[Tensor, Tensor]:
        """Running minimum along ``axis`` and its indices (PyTorch's ``cummin``)."""
        return reduce.cummin(self, axis, **kwargs)

    def logcumsumexp(self, axis: int | None = None, **kwargs: Any) -> Tensor:
        """``log(cumsum(exp(x)))`` along ``axis``, stable."""
        return reduce.logcumsumexp(self, axis, **kwargs)

    def any(self, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
        """Whether any element is non-zero (bool, not differentiable)."""
        return reduce.any(self, axis, keepdims, **kwargs)

    def all(self, axis: Any = None, keepdims: bool = False, **kwargs: Any) -> Tensor:
        """Whether every element is non-zero (bool, not differentiable)."""
        return reduce.all(self, axis, keepdims, **kwargs)

    def norm(self, ord: float = 2, axis: Any = None, keepdims: bool = False,  # noqa: A002
             **kwargs: Any) -> Tensor:
        """Vector p-norm over ``axis`` (all elements when None)."""
        return reduce.norm(self, ord, axis, keepdims, **kwargs)

    def clip(self, a_min: Any = None, a_max: Any = None, **kwargs: Any) -> Tensor:
        """Limit the values to ``[a_min, a_max]`` (gradient 1 inside, boundaries included)."""
        return select.clip(self, a_min, a_max, **kwargs)

    def clamp(self, min: Any = None, max: Any = None) -> Tensor:  # noqa: A002
        """PyTorch's name for :meth:`clip`."""
        return select.clip(self, min, max)

    def maximum(self, other: Any) -> Tensor:
        """Elementwise maximum (ties split the gradient)."""
        return select.maximum(self, other)

    def minimum(self, other: Any) -> Tensor:
        """Elementwise minimum (ties split the gradient)."""
        return select.minimum(self, other)

    def masked_fill(self, mask: Any, value: Any) -> Tensor:
        """A copy with ``value`` where ``mask`` is True."""
        return select.masked_fill(self, mask, value)

    def masked_select(self, mask: Any) -> Tensor:
        """The 1-D tensor of the values where ``mask`` is True."""
        return select.masked_select(self, mask)

    def gather(self, axis: int, index: Any, **kwargs: Any) -> Tensor:
        """PyTorch's ``gather(dim, index)``."""
        return select.gather(self, axis, index, **kwargs)

    def take_along_axis(self, indices: Any, axis: int) -> Tensor:
        """NumPy's ``take_along_axis(indices, axis)``."""
        return select.take_along_axis(self, indices, axis)

    def scatter_add(self, axis: int, index: Any, src: Any, **kwargs: Any) -> Tensor:
        """A copy with ``src`` added at ``index`` along ``axis`` (not in place)."""
        return select.scatter_add(self, axis, index, src, **kwargs)

    def index_add(self, axis: int, index: Any, source: Any, **kwargs: Any) -> Tensor:
        """A copy with slices of ``source`` added at ``index`` along ``axis`` (not in place)."""
        return select.index_add(self, axis, index, source, **kwargs)

    def nonzero(self) -> tuple[Tensor, ...]:
        """Indices of the non-zero elements, one tensor per axis (NumPy's meaning)."""
        return select.nonzero(self)

    def argsort(self, axis: int | None = -1, descending: bool = False, **kwargs: Any) -> Tensor:
        """Indices that sort along ``axis`` (stable)."""
        return select.argsort(self, axis, descending, **kwargs)

    def topk(self, k: int, axis: int = -1, largest: bool = True, sorted: bool = True,  # noqa: A002
             **kwargs: Any) -> tuple[Tensor, Tensor]:
        """The ``k`` largest (or smallest) values along ``axis`` and their indices."""
        return select.topk(self, k, axis, largest, sorted, **kwargs)

    def squeeze(self, axis: Any = None, **kwargs: Any) -> Tensor:
        """Remove axes of length 1 (naming a longer axis raises, as NumPy)."""
        return shape_ops.squeeze(self, axis, **kwargs)

    def unsqueeze(self, dim: int) -> Tensor:
        """Insert an axis of length 1 at ``dim``."""
        return shape_ops.expand_dims(self, dim)

    def flatten(self, start_dim: int = 0, end_dim: int = -1) -> Tensor:
        """Merge axes ``start_dim..end_dim`` (all of them by default, as NumPy)."""
        return shape_ops.flatten(self, start_dim, end_dim)

    def unflatten(self, axis: int, sizes: Sequence[int]) -> Tensor:
        """Split axis ``axis`` into ``sizes``."""
        return shape_ops.unflatten(self, axis, sizes)

    def permute(self, *dims: Any) -> Tensor:
        """Reorder the axes (PyTorch's ``permute``)."""
        return shape_ops.permute(self, *dims)

    def swapaxes(self, axis1: int, axis2: int) -> Tensor:
        """Exchange two axes (PyTorch's ``transpose(a, b)``)."""
        return shape_ops.swapaxes(self, axis1, axis2)

    def moveaxis(self, source: Any, destination: Any) -> Tensor:
        """Move axes to new positions."""
        return shape_ops.moveaxis(self, source, destination)

    @property
    def mT(self) -> Tensor:  # noqa: N802 - PyTorch's name
        """The tensor with its last two axes swapped (a batch of matrix transposes)."""
        if self.ndim < 2:
            raise ValueError(f"mT: needs at least 2 dimensions, got shape {self.shape}")
        return shape_ops.swapaxes(self, -2, -1)

    def expand(self, *sizes: Any) -> Tensor:
        """Broadcast to ``sizes`` (-1 keeps an axis)."""
        return shape_ops.expand(self, *sizes)

    def repeat(self, *sizes: Any) -> Tensor:
        """PyTorch's ``repeat`` (tile); ``ndarray.repeat`` is :meth:`repeat_interleave`."""
        return shape_ops.repeat(self, *sizes)

    def tile(self, reps: Any) -> Tensor:
        """Repeat the whole tensor ``reps`` times along each axis."""
        return shape_ops.tile(self, reps)

    def repeat_interleave(self, repeats: Any, axis: int | None = None, **kwargs: Any) -> Tensor:
        """Repeat each element (``ndarray.repeat``'s meaning)."""
        return shape_ops.repeat_interleave(self, repeats, axis, **kwargs)

    def flip(self, axis: Any = None, **kwargs: Any) -> Tensor:
        """Reverse the order along ``axis`` (all axes when None)."""
        return shape_ops.flip(self, axis, **kwargs)

    def roll(self, shift: Any, axis: Any = None, **kwargs: Any) -> Tensor:
        """Shift cyclically along ``axis``."""
        return shape_ops.roll(self, shift, axis, **kwargs)

    def tril(self, k: int = 0, **kwargs: Any) -> Tensor:
        """Lower triangle of the last two axes."""
        return shape_ops.tril(self, k, **kwargs)

    def triu(self, k: int = 0, **kwargs: Any) -> Tensor:
        """Upper triangle of the last two axes."""
        return shape_ops.triu(self, k, **kwargs)

    def diagonal(self, offset: int = 0, axis1: int = 0, axis2: int = 1,
                 **kwargs: Any) -> Tensor:
        """The diagonal of the (axis1, axis2) planes, as a new last axis."""
        return shape_ops.diagonal(self, offset, axis1, axis2, **kwargs)

    def diag(self, k: int = 0, **kwargs: Any) -> Tensor:
        """1-D: the matrix with this on diagonal ``k``; 2-D: diagonal ``k``."""
        return shape_ops.diag(self, k, **kwargs)

    def where(self, condition: Any, other: Any) -> Tensor:
        """PyTorch's ``x.where(cond, y)``: ``x`` where ``cond`` holds, else ``y``."""
        return select.where(condition, self, other)

    def view(self, *shape: Any) -> Tensor:
        """PyTorch's name for :meth:`reshape`."""
        return shape_ops.view(self, *shape)

    def chunk(self, chunks: int, axis: int = 0, **kwargs: Any) -> list[Tensor]:
        """Split into ``chunks`` pieces (PyTorch's ``chunk``)."""
        return shape_ops.chunk(self, chunks, axis, **kwargs)
    # -- end of op library ----------------------------------------------------------
    # -- op library: elementwise math ---------------------------------------------------------
    def __mod__(self, other: Any) -> Tensor:
        return elementwise.Mod()(self, other)

    def __rmod__(self, other: Any) -> Tensor:
        return elementwise.Mod()(other, self)

    def __floordiv__(self, other: Any) -> Tensor:
        return elementwise.floor_divide(self, other)

    def __rfloordiv__(self, other: Any) -> Tensor:
        return elementwise.floor_divide(other, self)

    def __and__(self, other: Any) -> Tensor:
        return elementwise.bitwise_and(self, other)

    def __rand__(self, other: Any) -> Tensor:
        return elementwise.bitwise_and(other, self)

    def __or__(self, other: Any) -> Tensor:
        return elementwise.bitwise_or(self, other)

    def __ror__(self, other: Any) -> Tensor:
        return elementwise.bitwise_or(other, self)

    def __xor__(self, other: Any) -> Tensor:
        return elementwise.bitwise_xor(self, other)

    def __rxor__(self, other: Any) -> Tensor:
        return elementwise.bitwise_xor(other, self)

    def __invert__(self) -> Tensor:
        return elementwise.bitwise_not(self)

    def __lshift__(self, other: Any) -> Tensor:
        return elementwise.left_shift(self, other)

    def __rlshift__(self, other: Any) -> Tensor:
        return elementwise.left_shift(other, self)

    def __rshift__(self, other: Any) -> Tensor:
        return elementwise.right_shift(self, other)

    def __rrshift__(self, other: Any) -> Tensor:
        return elementwise.right_shift(other, self)

    def log2(self) -> Tensor:
        """Elementwise base-2 logarithm."""
        return elementwise.log2(self)

    def log10(self) -> Tensor:
        """Elementwise base-10 logarithm."""
        return elementwise.log10(self)

    def exp2(self) -> Tensor:
        """Elementwise ``2 ** x``."""
        return elementwise.exp2(self)

    def log1p(self) -> Tensor:
        """Elementwise ``log(1 + x)``."""
        return elementwise.log1p(self)

    def expm1(self) -> Tensor:
        """Elementwise ``exp(x) - 1``."""
        return elementwise.expm1(self)

    def rsqrt(self) -> Tensor:
        """Elementwise ``1 / sqrt(x)``."""
        return elementwise.rsqrt(self)

    def reciprocal(self) -> Tensor:
        """Elementwise ``1 / x``."""
        return elementwise.reciprocal(self)

    def square(self) -> Tensor:
        """Elementwise ``x * x``."""
        return elementwise.square(self)

    def sign(self) -> Tensor:
        """Elementwise sign; the gradient is 0 everywhere."""
        return elementwise.sign(self)

    def floor(self) -> Tensor:
        """Round down; the gradient is 0 everywhere."""
        return elementwise.floor(self)

    def ceil(self) -> Tensor:
        """Round up; the gradient is 0 everywhere."""
        return elementwise.ceil(self)

    def round(self, decimals: int = 0) -> Tensor:
        """Round half to even to ``decimals`` places; the gradient is 0 everywhere."""
        return elementwise.round(self, decimals)

    def trunc(self) -> Tensor:
        """Round towards zero; the gradient is 0 everywhere."""
        return elementwise.trunc(self)

    def tan(self) -> Tensor:
        """Elementwise tangent."""
        return elementwise.tan(self)

    def asin(self) -> Tensor:
        """Elementwise inverse sine."""
        return elementwise.asin(self)

    def acos(self) -> Tensor:
        """Elementwise inverse cosine."""
        return elementwise.acos(self)

    def atan(self) -> Tensor:
        """Elementwise inverse tangent."""
        return elementwise.atan(self)

    def atan2(self, other: Any) -> Tensor:
        """Elementwise ``atan2(self, other)``."""
        return elementwise.atan2(self, other)

    def sinh(self) -> Tensor:
        """Elementwise hyperbolic sine."""
        return elementwise.sinh(self)

    def cosh(self) -> Tensor:
        """Elementwise hyperbolic cosine."""
        return elementwise.cosh(self)

    def asinh(self) -> Tensor:
        """Elementwise inverse hyperbolic sine."""
        return elementwise.asinh(self)

    def acosh(self) -> Tensor:
        """Elementwise inverse hyperbolic cosine."""
        return elementwise.acosh(self)

    def atanh(self) -> Tensor:
        """Elementwise inverse hyperbolic tangent."""
        return elementwise.atanh(self)

    def erf(self) -> Tensor:
        """Elementwise error function."""
        return elementwise.erf(self)

    def lerp(self, end: Any, weight: Any) -> Tensor:
        """Linear interpolation ``self + weight * (end - self)``."""
        return elementwise.lerp(self, end, weight)

    def logaddexp(self, other: Any) -> Tensor:
        """Elementwise ``log(exp(self) + exp(other))``."""
        return elementwise.logaddexp(self, other)

    def copysign(self, other: Any) -> Tensor:
        """Elementwise ``|self|`` with the sign of ``other``."""
        return elementwise.copysign(self, other)

    def fmod(self, other: Any) -> Tensor:
        """Elementwise C ``fmod`` (the sign of ``self``)."""
        return elementwise.fmod(self, other)

    def remainder(self, other: Any) -> Tensor:
        """Elementwise ``self % other`` (the sign of ``other``)."""
        return elementwise.mod(self, other)

    def div(self, other: Any, rounding_mode: str | None = None) -> Tensor:
        """``self / other``, rounded when ``rounding_mode`` is "trunc" or "floor"."""
        return elementwise.divide(self, other, rounding_mode)

    def isnan(self) -> Tensor:
        """Elementwise test for NaN (a bool tensor)."""
        return elementwise.isnan(self)

    def isinf(self) -> Tensor:
        """Elementwise test for infinity (a bool tensor)."""
        return elementwise.isinf(self)

    def isfinite(self) -> Tensor:
        """Elementwise test for a finite value (a bool tensor)."""
        return elementwise.isfinite(self)

    def dot(self, other: Any) -> Tensor:
        """NumPy's ``dot`` product with ``other`` (see :func:`minigrad.dot`)."""
        return linalg.dot(self, other)


# ---------------------------------------------------------------------------
# Construction helpers

_new = object.__new__


def _make(y: Any) -> Tensor:
    """Wrap an operation's result in a new tensor (fast path, no validation)."""
    if type(y) is not np.ndarray:
        y = np.asarray(y)
    t = _new(Tensor)
    t.data = y
    t.grad = None
    t._rg = False
    t.creator = None
    t.name = None
    t._version = 0
    t._retain_grad = False
    t._saved_by = None
    t._base = None
    return t


def _alias(t: Tensor, base: Tensor) -> Tensor:
    """Mark ``t`` as sharing ``base``'s data (and so its version counter); returns ``t``."""
    t._base = base if base._base is None else base._base
    return t


def _version_of(t: Tensor) -> int:
    """The version counter of ``t``'s data (shared by every alias of it)."""
    return t._version if t._base is None else t._base._version


def _float_operand(t: Tensor, x: Any) -> Any:
    """A Python float beside tensor ``t`` as its shared constant (the operators' fast path).

    The same rule as :func:`_as_input`: the float takes ``t``'s dtype when that is
    a float dtype, else float64. Anything else is returned unchanged.
    """
    if type(x) is float:
        d = t.data.dtype
        return _constant(x, d if d.kind == "f" else _FLOAT64)
    return x


def _as_input(x: Any, inputs: Sequence[Any]) -> Tensor:
    """Convert a non-tensor operand of an op into a constant tensor.

    Python numbers follow NumPy's rule for scalars: they take the dtype of the
    tensor beside them (so float32 stays float32), else become float64.
    """
    if isinstance(x, Tensor):
        return x
    kind = type(x)
    if kind is float or kind is int:
        dtype = _FLOAT64
        for other in inputs:
            if isinstance(other, Tensor):
                d = other.data.dtype
                if d.kind == "f" or (kind is int and d.kind in "iu"):
                    dtype = d
                    break
        return _constant(x, dtype)
    return _make(_to_array(x, where="operand"))


_FLOAT64 = np.dtype(np.float64)
_constants: dict[tuple[Any, ...], Tensor] = {}


def _constant(value: float, dtype: np.dtype) -> Tensor:
    """A read-only 0-d tensor for a Python number, shared by every op that uses it.

    Chains such as ``y = y * 1.0001`` then allocate one constant, not one per op.
    """
    if value == 0 or value != value:  # keep -0.0 apart from 0.0; NaN never equals a key
        return _make(np.asarray(value, dtype=dtype))
    key = (type(value), value, dtype)
    t = _constants.get(key)
    if t is None:
        arr = np.asarray(value, dtype=dtype)
        arr.flags.writeable = False
        t = _make(arr)
        if len(_constants) < 4096:
            _constants[key] = t
    return t


def _data(x: Any) -> Any:
    return x.data if isinstance(x, Tensor) else x


def _root_grads(roots: Sequence[Tensor], grads: Sequence[Any], where: str) -> list[Tensor]:
    """Validate the starting gradients of a backward pass (before anything changes)."""
    if len(grads) != len(roots):
        raise ValueError(f"{where}: got {len(grads)} gradients for {len(roots)} outputs")
    out = []
    for i, (r, g) in enumerate(zip(roots, grads)):
        if not isinstance(r, Tensor):
            raise TypeError(f"{where}: output {i} is a {type(r).__name__}, not a Tensor")
        if not r._rg:
            raise RuntimeError(
                f"{where}: the tensor (shape {r.shape}) does not require grad and has no "
                "graph; create the leaves with requires_grad=True"
            )
        if g is None:
            if r.data.size != 1:
                raise RuntimeError(
                    f"{where}: grad can be created implicitly only for a scalar output, but the "
                    f"output has shape {r.shape}; pass grad= an array of shape {r.shape}"
                )
            g = _make(np.ones_like(r.data))
        else:
            g = _make(_to_array(g, where=f"{where}: grad")) if not isinstance(g, Tensor) else g
            if g.shape != r.shape:
                raise ValueError(
                    f"{where}: grad has shape {g.shape} but the output has shape {r.shape}"
                )
            if g.data.dtype != r.data.dtype and not g._rg:
                # float32 stays float32: the seed takes the output's dtype
                g = _make(g.data.astype(r.data.dtype))
        out.append(g)
    return out


def _inplace_operand(self: Tensor, rhs: Any, opname: str) -> Any:
    """Check (before anything changes) that ``self op= rhs`` keeps self's shape and dtype."""
    if not isinstance(rhs, np.ndarray) and not isinstance(rhs, (int, float)):
        rhs = _to_array(rhs, where=f"in-place {opname}")
    rshape = np.shape(rhs)
    try:
        out_shape = np.broadcast_shapes(self.shape, rshape)
    except ValueError:
        out_shape = None
    if out_shape != self.shape:
        raise ValueError(
            f"in-place {opname}: operand of shape {rshape} cannot be broadcast to the tensor's "
            f"shape {self.shape}"
        )
    result = np.result_type(self.data, rhs)
    if not np.can_cast(result, self.data.dtype, "same_kind"):
        raise TypeError(
            f"in-place {opname}: result of dtype {result} cannot be stored in a tensor of "
            f"dtype {self.data.dtype}"
        )
    return rhs


_INPLACE_UFUNCS = {"add": np.add, "sub": np.subtract, "mul": np.multiply,
                   "div": np.true_divide}


def _inplace(self: Tensor, other: Any, opname: str) -> Tensor:
    """``self op= other``.

    The data is changed in place, and the version counter bumped, when no
    gradient has to flow through the update: grad mode is off, or ``self``
    is a leaf and ``other`` needs no grad (``w -= lr * g``). Graphs that
    saved the old value can then no longer be backpropagated, so they are
    released at once. A non-leaf tensor in grad mode gets the out-of-place
    result instead (``y += 1`` rebinds ``y``).
    """
    other_t = other if isinstance(other, Tensor) else None
    other_rg = other_t is not None and other_t._rg
    if _mode.enabled and (self.creator is not None or other_rg):
        if self.creator is None and self._rg:
            raise RuntimeError(
                f"in-place {opname} on a leaf tensor that requires grad with an operand that "
                "requires grad; do the update inside mg.no_grad()"
            )
        return {"add": arith.add, "sub": arith.sub, "mul": arith.mul, "div": arith.div}[opname](
            self, other)
    rhs = _data(other)
    data = self.data
    if not (type(rhs) is np.ndarray and rhs.shape == data.shape and rhs.dtype == data.dtype):
        rhs = _inplace_operand(self, rhs, opname)  # the optimizer's case needs no checks
    _INPLACE_UFUNCS[opname](data, rhs, out=data)
    mark_modified(self, opname)
    return self


def assign(t: Tensor, value: np.ndarray) -> None:
    """Copy ``value`` into ``t``'s data in place (an internal API for ``Module``/loading).

    Checks the shape and dtype first, then counts the change like any
    in-place operator: the version is bumped and graphs that saved the old
    value are released.
    """
    if not (type(value) is np.ndarray and value.shape == t.data.shape):
        value = _inplace_operand(t, value, "copy")
    np.copyto(t.data, value, casting="same_kind")
    mark_modified(t, "copy")


def mark_modified(t: Tensor, opname: str) -> None:
    """Record that ``t``'s data was changed in place by ``opname`` (internal API).

    Bumps the version counter shared by ``t`` and its aliases, and releases
    the graphs that saved ``t`` (or the tensor it aliases) so that their
    backward raises a clear error instead of using the new values.
    """
    owner = t if t._base is None else t._base
    owner._version += 1
    if owner is not t:
        t._version = owner._version
    for holder in (t, owner) if owner is not t else (t,):
        saved = holder._saved_by
        if saved:
            from minigrad.autograd import Released  # the engine imports this module

            for f in list(saved):
                f.release(Released.IN_PLACE, holder, opname)  # message written if shown
            saved.clear()


def tensor(data: Any, requires_grad: bool = False, dtype: Any = None,
           name: str | None = None) -> Tensor:
    """Create a :class:`Tensor` (see its parameters).

    Examples
    --------
    >>> import minigrad as mg
    >>> mg.tensor([1, 2]).dtype
    dtype('float64')
    """
    return Tensor(data, requires_grad=requires_grad, dtype=dtype, name=name)


def as_tensor(data: Any) -> Tensor:
    """Return ``data`` if it is a Tensor, else wrap it (without copying arrays)."""
    return data if isinstance(data, Tensor) else Tensor(data)


def zeros(*shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of zeros."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Tensor(np.zeros(shape, dtype=dtype), requires_grad=requires_grad)


def ones(*shape: Any, dtype: Any = np.float64, requires_grad: bool = False) -> Tensor:
    """A tensor of ones."""
    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Tensor(np.ones(shape, dtype=dtype), requires_grad=requires_grad)


def randn(*shape: Any, rng: np.random.Generator | int | None = None,
          requires_grad: bool = False) -> Tensor:
    """A tensor of standard-normal samples (float64).

    ``rng`` is a Generator, an int seed, or None for NumPy's global state (so
    ``np.random.seed(s)`` reproduces it), as everywhere in minigrad.
    """
    from minigrad._rng import make_rng, standard_normal

    if len(shape) == 1 and isinstance(shape[0], (tuple, list)):
        shape = tuple(shape[0])
    return Tensor(standard_normal(make_rng(rng), tuple(shape)), requires_grad=requires_grad)


# The op modules import Tensor from here, so they are loaded last.
from minigrad.ops import arith, elementwise, linalg, reduce, select, unary  # noqa: E402
from minigrad.ops import shape as shape_ops  # noqa: E402
