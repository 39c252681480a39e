"""The :class:`Tensor`: an ndarray that remembers how it was made.

A tensor wraps a ``numpy.ndarray`` (``.data``). When it requires a gradient,
every operation on it is recorded (see :mod:`minigrad.autograd`), and
:meth:`Tensor.backward` fills the ``.grad`` of the leaves it depends on.
"""

from __future__ import annotations

import operator
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

    # NumPy's dispatch protocols: ``np.exp(t)`` and ``ndarray + t`` run minigrad's ops.
    # The ops install ``__array_ufunc__`` and ``__array_function__``
    # (minigrad.ops.numpy_dispatch); until then NumPy defers to the reflected operators.
    __array_ufunc__: Any = None
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

    # -- operations -----------------------------------------------------------------
    # The arithmetic operators (``+``, ``@``, ``x[i]``, ...) and the op methods
    # (``x.exp()``, ``x.sum(axis=0)``, ...) are contributed by the ops themselves: each
    # op declares in :mod:`minigrad.ops.catalogue` the methods it gives the Tensor.
    # For type checkers only, the operators are named here (a test keeps this list and
    # the catalogue in step) and any other attribute is an op method.
    if TYPE_CHECKING:
        def __getattr__(self, name: str) -> Any: ...
        def __add__(self, other: Any) -> Tensor: ...
        def __radd__(self, other: Any) -> Tensor: ...
        def __sub__(self, other: Any) -> Tensor: ...
        def __rsub__(self, other: Any) -> Tensor: ...
        def __mul__(self, other: Any) -> Tensor: ...
        def __rmul__(self, other: Any) -> Tensor: ...
        def __truediv__(self, other: Any) -> Tensor: ...
        def __rtruediv__(self, other: Any) -> Tensor: ...
        def __floordiv__(self, other: Any) -> Tensor: ...
        def __rfloordiv__(self, other: Any) -> Tensor: ...
        def __mod__(self, other: Any) -> Tensor: ...
        def __rmod__(self, other: Any) -> Tensor: ...
        def __pow__(self, other: Any) -> Tensor: ...
        def __rpow__(self, other: Any) -> Tensor: ...
        def __matmul__(self, other: Any) -> Tensor: ...
        def __rmatmul__(self, other: Any) -> Tensor: ...
        def __and__(self, other: Any) -> Tensor: ...
        def __rand__(self, other: Any) -> Tensor: ...
        def __or__(self, other: Any) -> Tensor: ...
        def __ror__(self, other: Any) -> Tensor: ...
        def __xor__(self, other: Any) -> Tensor: ...
        def __rxor__(self, other: Any) -> Tensor: ...
        def __lshift__(self, other: Any) -> Tensor: ...
        def __rlshift__(self, other: Any) -> Tensor: ...
        def __rshift__(self, other: Any) -> Tensor: ...
        def __rrshift__(self, other: Any) -> Tensor: ...
        def __neg__(self) -> Tensor: ...
        def __abs__(self) -> Tensor: ...
        def __invert__(self) -> Tensor: ...
        def __getitem__(self, index: Any) -> Tensor: ...

    def __pos__(self) -> Tensor:
        return self

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


_OUT_OF_PLACE = {"add": operator.add, "sub": operator.sub, "mul": operator.mul,
                 "div": operator.truediv}
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
        return _OUT_OF_PLACE[opname](self, other)  # type: ignore[no-any-return]
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
