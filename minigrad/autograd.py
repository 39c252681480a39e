"""The autodiff engine: grad mode, :class:`Function` and the backward pass.

Every operation in minigrad, built-in or user-defined, is a :class:`Function`.
Calling one runs its :meth:`Function.forward` on NumPy arrays and, when a
gradient is needed, records the call in the graph: the function keeps its
input tensors, each output keeps the function that made it (``creator``).
Outputs are held only by weak reference, so a graph lives exactly as long
as the tensors that can reach it, and frees itself by reference counting.

:func:`backward` walks that graph once, without recursion, in topological
order (Kahn's algorithm over the functions reachable from the roots), and
calls each function's :meth:`Function.backward`, which is written with
tensor operations so that gradients of gradients come for free.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import gc
import operator
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from minigrad.tensor import Tensor

__all__ = [
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "backward",
    "grad",
    "walk",
    "Edge",
    "Released",
    "broadcast_axes",
]

class _GradMode:
    """Global switches read on the hot path (a plain attribute is fastest)."""

    __slots__ = ("enabled", "in_backward")

    def __init__(self) -> None:
        self.enabled = True
        #: the function whose ``backward`` is running (None outside backward)
        self.in_backward: Function | None = None


_mode = _GradMode()
_data = operator.attrgetter("data")
_ref = weakref.ref
_shared_needs: dict[tuple[bool, ...], tuple[bool, ...]] = {}
_shared_zeros: dict[tuple[int, ...], tuple[int, ...]] = {}
# the needs_input_grad of one and two inputs, indexed by the inputs' requires_grad
_NEEDS1 = ((False,), (True,))
_NEEDS2 = (((False, False), (False, True)), ((True, False), (True, True)))
_ZEROS1 = (0,)
_ZEROS2 = (0, 0)
for _t in (*_NEEDS1, *_NEEDS2[0], *_NEEDS2[1]):
    _shared_needs[_t] = _t
_shared_zeros[_ZEROS1] = _ZEROS1
_shared_zeros[_ZEROS2] = _ZEROS2
del _t


class _Inputs(enum.Enum):
    """What ``Function._x1`` holds when it is not the second input (kept by copies)."""

    ONE = 1  # the call had one input, in _x0
    TUPLE = 2  # _x0 holds the inputs' tuple (three or more), or None


_ONE: Any = _Inputs.ONE
_TUPLE: Any = _Inputs.TUPLE


def _saved_by_leaf(x: Tensor, f: Function) -> None:
    """Remember that ``f`` saved leaf ``x``: an in-place update of ``x`` releases that graph."""
    saved = x._saved_by
    if saved is None:
        saved = x._saved_by = weakref.WeakSet()
    saved.add(f)


#: Called as ``hook(function, inputs, outputs)`` after each recorded forward.
forward_hooks: list[Callable[..., None]] = []
#: Called as ``hook(function, grad_outputs, grad_inputs)`` after each backward step.
backward_hooks: list[Callable[..., None]] = []
#: Called as ``hook(roots)`` when a backward pass starts (e.g. accumulation audits).
backward_start_hooks: list[Callable[..., None]] = []
#: Names of the modules whose ``forward`` is running, innermost last.
scope_stack: list[str] = []


def running_backward() -> Function | None:
    """Return the function whose ``backward`` is running now (None outside backward).

    Ops recorded while it is set belong to a gradient graph (``create_graph``);
    anomaly mode uses it to say so.
    """
    return _mode.in_backward


def is_grad_enabled() -> bool:
    """Return True when operations are being recorded for backward."""
    return _mode.enabled


class set_grad_enabled(contextlib.ContextDecorator):
    """Turn graph recording on or off inside a ``with`` block or decorated function.

    Parameters
    ----------
    mode : bool
        True to record operations, False to compute values only.
    """

    def __init__(self, mode: bool) -> None:
        self.mode = bool(mode)
        self._prev: list[bool] = []

    def __enter__(self) -> None:
        self._prev.append(_mode.enabled)
        _mode.enabled = self.mode

    def __exit__(self, *exc: object) -> None:
        _mode.enabled = self._prev.pop()


class no_grad(set_grad_enabled):
    """Context manager and decorator that disables graph recording.

    Inside ``no_grad`` no function keeps its inputs, so no memory is held for
    backward, and results have ``requires_grad=False``.

    Examples
    --------
    >>> import minigrad as mg
    >>> w = mg.tensor([1.0], requires_grad=True)
    >>> with mg.no_grad():
    ...     y = w * 2
    >>> y.requires_grad
    False

    As a decorator it works with or without parentheses (``@mg.no_grad()``
    or ``@mg.no_grad``).
    """

    def __new__(cls, func: Callable[..., Any] | None = None) -> Any:
        """Create the context manager, or wrap ``func`` when used without parentheses."""
        if func is not None:  # used as a bare decorator: @no_grad
            return cls()(func)
        return super().__new__(cls)

    def __init__(self, func: Callable[..., Any] | None = None) -> None:
        super().__init__(False)


class enable_grad(set_grad_enabled):
    """Context manager and decorator that re-enables graph recording (e.g. inside ``no_grad``)."""

    def __init__(self) -> None:
        super().__init__(True)


def broadcast_axes(in_shape: Sequence[int], out_shape: Sequence[int]) -> tuple[int, ...]:
    """Return the axes of ``out_shape`` along which an input of ``in_shape`` was broadcast.

    The leading axes broadcasting added, then the axes of size 1 it stretched:
    backward sums a broadcast input's gradient over exactly these axes. The
    one copy of this formula in minigrad (``sum_to``, the graph pictures and
    ``trace_backward`` use it).

    Parameters
    ----------
    in_shape, out_shape : tuple of int
        The shapes of the input and of the broadcast result.

    Returns
    -------
    tuple of int
        Axes of ``out_shape``, increasing; empty when nothing was broadcast
        (or ``in_shape`` has more dimensions than ``out_shape``).

    Examples
    --------
    >>> from minigrad.autograd import broadcast_axes
    >>> broadcast_axes((3,), (2, 3))
    (0,)
    >>> broadcast_axes((2, 1), (2, 3))
    (1,)
    """
    lead = len(out_shape) - len(in_shape)
    if lead < 0:
        return ()
    return tuple(range(lead)) + tuple(
        lead + i for i, n in enumerate(in_shape) if n == 1 and out_shape[lead + i] != 1)


class Released(enum.Enum):
    """Why a function's saved data was freed (``Function.released``)."""

    #: a backward pass ran through it without ``retain_graph=True``
    BY_BACKWARD = "backward"
    #: a tensor it saved was changed in place (e.g. an optimizer step)
    IN_PLACE = "in-place"


_FREED_BY_BACKWARD = (
    "trying to backward through the graph a second time; its saved tensors were freed by the "
    "first backward(). Pass retain_graph=True to the first backward() to backpropagate twice."
)


class Edge:
    """Where one input of a recorded function comes from (kept after its saved data is freed).

    Attributes
    ----------
    function : Function or None
        The function that made the input (None for a leaf or a constant).
    index : int
        Which output of ``function`` the input is.
    tensor : Tensor or None
        The input itself when it is a leaf that requires grad (a parameter), else
        None: an edge never keeps a batch or an intermediate array alive.
    shape, dtype, name
        The input's shape, dtype and name, for display (shape None: not known,
        the ops above it were freed by an in-place change).
    """

    __slots__ = ("function", "index", "tensor", "shape", "dtype", "name")

    def __init__(self, function: Function | None, index: int, tensor: Tensor | None,
                 shape: tuple[int, ...] | None, dtype: np.dtype, name: str | None) -> None:
        self.function = function
        self.index = index
        self.tensor = tensor
        self.shape = shape
        self.dtype = dtype
        self.name = name

    @property
    def requires_grad(self) -> bool:
        """Whether a gradient flows along this edge."""
        return self.function is not None or self.tensor is not None

    def __repr__(self) -> str:
        src = (self.function.name if self.function is not None
               else "leaf" if self.tensor is not None else "constant")
        return f"<Edge from {src} {self.shape} {self.dtype}>"


class _Const:
    """What a freed function remembers of an input that sends no gradient back."""

    __slots__ = ("shape", "dtype", "name")

    def __init__(self, x: Tensor | None, shape: tuple[int, ...] | None = (),
                 dtype: np.dtype | None = None) -> None:
        if x is not None:
            shape, dtype, self.name = x.data.shape, x.data.dtype, x.name
        else:
            self.name = None
        self.shape = shape
        self.dtype = dtype


#: The edge to a function freed with the graph above it (its shape is not kept either).
_CUT = _Const(None, None, None)  # type: ignore[arg-type]


def _compact_edge(x: Tensor) -> Any:
    """The smallest record of input ``x`` (see :meth:`Function.release`)."""
    c = x.creator
    if c is None:
        # a parameter is alive anyway; a 0-d constant (a number) costs less than its record
        return x if x._rg or not x.data.ndim else _Const(x)
    outs = c.outputs
    if len(outs) == 1:
        if c._out_meta is None:  # the output's shape, known once the output is gone
            c._out_meta = x.data.shape, x.data.dtype  # type: ignore[assignment]
        return c
    for i, ref in enumerate(outs):
        if ref() is x:
            return (c, i)
    return (c, 0)  # pragma: no cover - x is an output of its creator


class _Tensor_like:  # noqa: N801 - a stand-in read like a tensor by walk()
    """What :func:`walk` reads of a released function's input: its ``creator``."""

    __slots__ = ("creator",)

    def __init__(self, e: Any) -> None:
        self.creator = _edge_function(e)


def _backward_edge(x: Tensor) -> Any:
    """:func:`_compact_edge` on backward's hot path (the common cases first)."""
    c = x.creator
    if c is None:
        if x._rg or not x.data.ndim:
            return x
        return _Const(x)
    if type(c._outs) is _ref:  # one output
        if c._out_meta is None:
            d = x.data
            c._out_meta = d.shape, d.dtype  # type: ignore[assignment]
        return c
    return _compact_edge(x)


def _edge_function(e: Any) -> Function | None:
    """The function a compact edge leads to (None for a leaf or a constant)."""
    if type(e) is tuple:
        return e[0]  # type: ignore[no-any-return]
    return e if isinstance(e, Function) else None


def _expand_edge(e: Any) -> Edge:
    if isinstance(e, _Const):
        return Edge(None, 0, None, e.shape, e.dtype or np.dtype(np.float64), e.name)
    if type(e) is tuple or isinstance(e, Function):
        c, i = e if type(e) is tuple else (e, 0)
        meta = c.output_meta()
        shape, dtype = meta[i] if i < len(meta) else ((), np.dtype(np.float64))
        return Edge(c, i, None, shape, dtype, None)
    return Edge(None, 0, e if e._rg else None, e.data.shape, e.data.dtype, e.name)


def _edge_of(x: Tensor) -> Edge:
    """The full edge of a live input ``x``."""
    c = x.creator
    if c is None:
        return Edge(None, 0, x if x._rg else None, x.data.shape, x.data.dtype, x.name)
    index = 0
    if len(c.outputs) > 1:
        for i, ref in enumerate(c.outputs):
            if ref() is x:
                index = i
    return Edge(c, index, None, x.data.shape, x.data.dtype, x.name)


class Function:
    """Base class of every differentiable operation.

    A subclass implements :meth:`forward` on ``numpy.ndarray`` inputs and
    :meth:`backward` on :class:`~minigrad.Tensor` gradients. An instance is
    used once: ``y = MyOp()(a, b)``. Inside ``backward`` the inputs are
    ``self.inputs`` (tensors), ``self.needs_input_grad`` says which inputs
    need a gradient, and :meth:`output` returns an output tensor.

    Examples
    --------
    >>> import numpy as np
    >>> import minigrad as mg
    >>> class Square(mg.Function):
    ...     def forward(self, x):
    ...         return x * x
    ...     def backward(self, gy):
    ...         (x,) = self.inputs
    ...         return 2 * x * gy
    >>> x = mg.tensor([3.0], requires_grad=True)
    >>> Square()(x).backward(np.ones(1))
    >>> x.grad.data
    array([6.])
    """

    #: True when output[i] depends only on input[i] (after broadcasting): Add, Exp, ...
    elementwise: ClassVar[bool] = False
    #: True when every input is broadcast to the output's shape (backward sums the
    #: gradient back); a tuple names the input positions that are (Linear's bias: ``(2,)``)
    broadcasting: ClassVar[bool | tuple[int, ...]] = False

    # The graph state lives in slots (small, fast), set when the call is recorded;
    # before that, reading one gives its default (see ``__getattr__``). ``inputs``
    # (the saved data) is None until recorded, and again once released (after
    # backward, or when one of them was changed in place); ``backward`` runs only
    # in between. The graph's structure outlives it: see :attr:`edges`.
    __slots__ = ("_x0", "_x1", "_outs", "needs_input_grad", "scope", "_versions", "_out_meta",
                 "_edges", "_released", "_release_message", "__dict__",
                 "__weakref__")
    # the inputs: one or two in _x0 and _x1 (_x1 is _ONE for one), not in a tuple (one
    # object less per recorded op for the collector); else _x0 holds their tuple, or
    # None, and _x1 is _TUPLE
    _x0: Any
    _x1: Any
    # one output: its weak reference, not wrapped in a tuple (one object less per
    # recorded op for the garbage collector to scan); several: a tuple of them
    _outs: weakref.ref[Tensor] | tuple[weakref.ref[Tensor], ...]
    needs_input_grad: tuple[bool, ...]
    scope: str | None
    _versions: tuple[int, ...]
    # several outputs: their (shape, dtype) pairs, from the start; one output: None,
    # then its (shape, dtype) once a consumer is freed
    _out_meta: Any
    _edges: tuple[Edge, ...] | None
    _released: Released | str | None  # an in-place change keeps its op's name here
    _release_message: Any

    def __getattr__(self, name: str) -> Any:
        # only reached for a slot never set: the function was not recorded
        try:
            return _UNRECORDED[name]
        except KeyError:
            raise AttributeError(
                f"{type(self).__name__!r} object has no attribute {name!r}") from None

    def __call__(self, *inputs: Any) -> Any:
        """Apply the function: run ``forward`` and record the call if a gradient is needed."""
        # (the hot path of the engine: explicit code for one and two inputs and one
        # output, no comprehensions, few attribute lookups)
        xs = inputs
        for x in inputs:
            if type(x) is not _Tensor:  # numbers, arrays, lists: wrap as constants
                try:
                    xs = tuple([x if type(x) is _Tensor else _as_input(x, inputs)
                                for x in inputs])
                except TypeError as e:
                    raise TypeError(f"{self.name}: {e}") from None
                break
        n = len(xs)
        try:
            if n == 2:
                ys = self.forward(xs[0].data, xs[1].data)
            elif n == 1:
                ys = self.forward(xs[0].data)
            else:
                ys = self.forward(*map(_data, xs))
        except (ValueError, IndexError, TypeError) as e:
            # chained, not replaced: the traceback keeps the frames of forward itself
            raise _op_error(self, xs, e) from e
        except MemoryError as e:  # e.g. a broadcast that would need terabytes
            raise MemoryError(str(_op_error(self, xs, e))) from e
        if type(ys) is tuple:
            outs = tuple([_make(y) for y in ys])
            if _mode.enabled:
                for x in xs:
                    if x._rg:
                        self._record(xs, outs)
                        break
            return outs
        y = _make(ys)
        if _mode.enabled:
            if n == 2:
                if xs[0]._rg or xs[1]._rg:
                    self._record(xs, (y,))
            else:
                for x in xs:
                    if x._rg:
                        self._record(xs, (y,))
                        break
        return y

    def _record(self, xs: tuple[Tensor, ...], outs: tuple[Tensor, ...]) -> None:
        """Link the call into the graph: keep the inputs, mark the outputs as made here."""
        # needs_input_grad and all-zero versions are small tuples shared between calls:
        # fewer long-lived objects for the garbage collector to scan while a graph is built
        n = len(xs)
        if n == 2:
            x0, x1 = xs
            r0 = x0._rg
            r1 = x1._rg
            self.needs_input_grad = _NEEDS2[r0][r1]
            b = x0._base
            v0 = x0._version if b is None else b._version
            b = x1._base
            v1 = x1._version if b is None else b._version
            self._versions = (v0, v1) if v0 or v1 else _ZEROS2
            if r0 and x0.creator is None:
                _saved_by_leaf(x0, self)
            if r1 and x1.creator is None:
                _saved_by_leaf(x1, self)
        elif n == 1:
            x0 = xs[0]
            r0 = x0._rg
            self.needs_input_grad = _NEEDS1[r0]
            b = x0._base
            v0 = x0._version if b is None else b._version
            self._versions = (v0,) if v0 else _ZEROS1
            if r0 and x0.creator is None:
                _saved_by_leaf(x0, self)
        else:
            needs = tuple([x._rg for x in xs])
            versions = tuple([x._version if x._base is None else x._base._version for x in xs])
            self.needs_input_grad = _shared_needs.setdefault(needs, needs)
            self._versions = (versions if any(versions)
                              else _shared_zeros.setdefault(versions, versions))
            for x in xs:
                if x._rg and x.creator is None:
                    _saved_by_leaf(x, self)
        if n == 2:
            self._x0, self._x1 = xs
        elif n == 1:
            self._x0 = xs[0]
            self._x1 = _ONE
        else:
            self._x0 = xs
            self._x1 = _TUPLE
        self._edges = self._released = self._release_message = self._out_meta = None
        self.scope = scope_stack[-1] if scope_stack else None
        if len(outs) == 1:
            y = outs[0]
            self._outs = _ref(y)
            if y.data.dtype.kind == "f":
                y._rg = True
                y.creator = self
        else:
            self._outs = tuple([_ref(y) for y in outs])
            self._out_meta = tuple([(y.data.shape, y.data.dtype) for y in outs])
            for y in outs:
                if y.data.dtype.kind == "f":
                    y._rg = True
                    y.creator = self
        if forward_hooks:
            for hook in forward_hooks:
                hook(self, xs, outs)

    def forward(self, *xs: np.ndarray) -> Any:
        """Compute the outputs from input arrays; return an array or a tuple of arrays."""
        raise NotImplementedError(f"{type(self).__name__}.forward is not implemented")

    def backward(self, *gys: Any) -> Any:
        """Return the gradient of each input (a Tensor, or None) given the outputs' gradients."""
        raise NotImplementedError(f"{type(self).__name__}.backward is not implemented")

    @property
    def inputs(self) -> tuple[Tensor, ...]:
        """The input tensors, kept for backward.

        None before the call is recorded, and once its saved data is released.
        """
        x1 = self._x1
        if x1 is _TUPLE:
            return self._x0  # type: ignore[no-any-return]
        if x1 is _ONE:
            return (self._x0,)
        return (self._x0, x1)

    @inputs.setter
    def inputs(self, xs: tuple[Tensor, ...] | None) -> None:
        self._x0 = xs
        self._x1 = _TUPLE

    @property
    def outputs(self) -> tuple[weakref.ref[Tensor], ...]:
        """A weak reference to each output (called, it gives the tensor, or None once freed)."""
        o = self._outs
        return (o,) if type(o) is _ref else o  # type: ignore[return-value]

    def output(self, i: int = 0) -> Tensor:
        """Return output ``i`` of this call (alive whenever ``backward`` can be reached).

        Raises RuntimeError if the output was changed in place since (a backward
        that reads it would be wrong).
        """
        y = self.outputs[i]()
        if y is None:  # pragma: no cover - only reachable through misuse
            raise RuntimeError(f"{type(self).__name__}: output {i} no longer exists")
        if y._version:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: output {i} of {self.name} (shape {y.shape}) is at version "
                f"{y._version}, expected version 0"
            )
        return y

    @property
    def edges(self) -> tuple[Edge, ...]:
        """Where each input comes from (an :class:`Edge` each), kept when saved data is freed.

        After a release, an edge to a non-leaf input keeps its function (and
        output index), an edge to a parameter keeps the parameter, and an edge
        to anything else keeps its shape, dtype and name only.
        """
        if self.inputs is not None:
            return tuple([_edge_of(x) for x in self.inputs])
        if self._edges is None:
            return ()
        return tuple([_expand_edge(e) for e in self._edges])

    @property
    def next_functions(self) -> tuple[Function, ...]:
        """The functions that made this one's inputs (each once, in input order)."""
        if self.inputs is not None:
            fs = [x.creator for x in self.inputs]
        else:
            fs = [_edge_function(e) for e in self._edges or ()]
        return tuple(dict.fromkeys([c for c in fs if c is not None]))

    @property
    def released(self) -> Released | None:
        """Why the saved data was freed (None while it is kept)."""
        r = self._released
        return Released.IN_PLACE if type(r) is str else r  # type: ignore[return-value]

    @property
    def release_message(self) -> str:
        """The error a backward through this released function raises (empty if kept)."""
        r = self._released
        if r is Released.BY_BACKWARD:
            return _FREED_BY_BACKWARD
        t = self._release_message
        if t is None:
            return "" if r is None else "its saved tensors were freed"
        what = f"the tensor{' ' + repr(t.name) if t.name else ''} of shape {t.shape}"
        return (f"{what} that {self.name} saved for backward was modified by an in-place "
                f"{r if type(r) is str else 'operation'} (it is now at version {t.version})")

    def output_meta(self) -> tuple[tuple[tuple[int, ...], np.dtype], ...]:
        """The (shape, dtype) of each output, known even after the outputs are gone."""
        m = self._out_meta
        if m is not None:
            return (m,) if isinstance(m[1], np.dtype) else m  # type: ignore[no-any-return]
        metas = []
        for ref in self.outputs:
            y = ref()
            metas.append((y.data.shape, y.data.dtype) if y is not None else ((), np.dtype(float)))
        return tuple(metas)

    def release(self, reason: Released, cause: Any = None, op: str = "") -> None:
        """Free the saved inputs, keeping the structure (:attr:`edges`).

        A later backward through this call raises :attr:`release_message`.
        After backward the whole structure stays (pictures and tools still see
        every op). After an in-place change (``cause`` is the changed tensor,
        ``op`` the in-place operation's name),
        the functions upstream that no tensor can reach any more (their
        outputs are gone) are freed entirely and the edge to them keeps only
        the shape of what they made: a kept tensor never keeps a batch or an
        intermediate array alive, and costs no more than before.
        """
        todo = [self]
        while todo:
            f = todo.pop()
            xs = f.inputs
            if xs is None:
                continue
            edges = [_compact_edge(x) for x in xs]
            f.inputs = None  # type: ignore[assignment]
            f._versions = ()
            # the op's name (an interned string) stands for IN_PLACE: one slot less per node
            f._released = op if reason is Released.IN_PLACE and op else reason
            f._release_message = cause
            del xs
            if reason is Released.IN_PLACE:
                for k, e in enumerate(edges):
                    c = _edge_function(e)
                    if c is not None and c.inputs is not None and not any(
                            ref() is not None for ref in c.outputs):
                        edges[k] = _CUT
                        todo.append(c)
            f._edges = tuple(edges)

    @property
    def name(self) -> str:
        """The op's type name, as shown in errors and graph pictures."""
        return type(self).__name__

    def attrs(self) -> dict[str, Any]:
        """Return the op's attributes (axis, shape, ...) for display; override in subclasses."""
        return {}

    def broadcast_axes(self, position: int, in_shape: Sequence[int],
                       out_shape: Sequence[int]) -> tuple[int, ...]:
        """The axes along which input ``position`` was broadcast (from :attr:`broadcasting`)."""
        b = self.broadcasting
        if b is True or (b and position in b):  # type: ignore[operator]
            return broadcast_axes(in_shape, out_shape)
        return ()

    def summed_axes(self, in_shapes: Sequence[Sequence[int]],
                    out_shape: Sequence[int] | None) -> tuple[tuple[int, ...], ...]:
        """Per input, the axes its gradient is summed over in backward (a broadcast undone).

        Derived from :attr:`broadcasting`; an op whose backward sums for
        another reason (``SumTo`` reverses it) overrides this.
        """
        if out_shape is None:
            return tuple(() for _ in in_shapes)
        return tuple(self.broadcast_axes(i, s, out_shape) for i, s in enumerate(in_shapes))

    def __repr__(self) -> str:
        attrs = ", ".join(f"{k}={v!r}" for k, v in self.attrs().items())
        return f"<{self.name}({attrs})>"


#: What a function that was never recorded reports for its graph state.
_UNRECORDED: dict[str, Any] = {
    "_x0": None, "_x1": _TUPLE, "_outs": (), "needs_input_grad": (), "scope": None,
    "_versions": (),
    "_out_meta": None, "_edges": None, "_released": None, "_release_message": None,
}


def unrecorded_copy(f: Function) -> Function:
    """A copy of ``f`` with its attributes (axis, shape, ...) but no graph state."""
    g = copy.copy(f)
    for name in _UNRECORDED:
        try:
            delattr(g, name)
        except AttributeError:
            pass
    return g


def _op_error(f: Function, xs: Sequence[Tensor], e: Exception) -> Exception:
    """Re-raise a forward error with the op's name and its inputs' shapes and dtypes."""
    where = ", ".join(f"{x.data.dtype} {x.shape}" for x in xs)
    msg = f"{f.name}: {e} (inputs: {where})"
    try:
        return type(e)(msg)
    except Exception:  # noqa: BLE001 - exception types with unusual constructors
        return RuntimeError(msg)


# ---------------------------------------------------------------------------
# Late binding of the Tensor class (tensor.py imports this module first).
_Tensor: Any = None
_make: Callable[[Any], Tensor]
_as_input: Callable[[Any, Sequence[Any]], Tensor]


def _bind_tensor(tensor_cls: Any, make: Callable[[Any], Tensor],
                 as_input: Callable[[Any, Sequence[Any]], Tensor]) -> None:
    global _Tensor, _make, _as_input
    _Tensor, _make, _as_input = tensor_cls, make, as_input


# ---------------------------------------------------------------------------
# The backward engine.

def walk(roots: Tensor | Sequence[Tensor]) -> list[Function]:
    """Return every function reachable from ``roots``, in backward order.

    The one graph walk of minigrad: :func:`backward`, ``gradcheck``,
    ``check_graph``, ``trace_backward``, ``graph_memory``, anomaly mode and
    the graph pictures all use it. A function comes only after every
    function that consumes one of its outputs (reverse the list for forward
    order). Roots may repeat, and several outputs of one function may be
    roots. Released functions are walked through their :attr:`Function.edges`,
    so the shape of a graph is known after backward. Iterative (no recursion
    limit), linear in the size of the graph.

    Parameters
    ----------
    roots : Tensor or sequence of Tensor
        Where to start.

    Returns
    -------
    list of Function
        The functions, each once, consumers before producers.
    """
    if isinstance(roots, _Tensor):
        roots = (roots,)
    # count, for each function, how many edges reach it (a root given twice, or
    # several outputs of one function among the roots, seed it once)
    consumers: dict[Function, int] = {}
    stack = list(dict.fromkeys([r.creator for r in roots if r.creator is not None]))
    for f in stack:
        consumers[f] = 0
    while stack:
        f = stack.pop()
        # f.inputs, read from its slots without the property's call (the same below)
        x1 = f._x1
        xs = (f._x0 if x1 is _TUPLE else (f._x0,) if x1 is _ONE else (f._x0, x1))
        if xs is None:  # released: its structure is in the edges
            xs = [_Tensor_like(e) for e in f._edges or ()]
        for x in xs:
            c = x.creator
            if c is not None:
                n = consumers.get(c)
                if n is None:
                    consumers[c] = 1
                    stack.append(c)
                else:
                    consumers[c] = n + 1
    # Kahn's algorithm: a function is ready once all its consumers came out
    ready = [f for f, n in consumers.items() if n == 0]
    order: list[Function] = []
    while ready:
        f = ready.pop()
        order.append(f)
        x1 = f._x1
        xs = (f._x0 if x1 is _TUPLE else (f._x0,) if x1 is _ONE else (f._x0, x1))
        if xs is None:
            xs = [_Tensor_like(e) for e in f._edges or ()]
        for x in xs:
            c = x.creator
            if c is not None:
                n = consumers[c] - 1
                consumers[c] = n
                if n == 0:
                    ready.append(c)
    return order


def _check_saved(f: Function) -> tuple[Tensor, ...]:
    """Return f's saved inputs, or raise if they were released or changed in place."""
    x1 = f._x1
    inputs = (f._x0 if x1 is _TUPLE else (f._x0,) if x1 is _ONE else (f._x0, x1))
    if inputs is None:
        raise RuntimeError(f"cannot backpropagate through {f.name}: {f.release_message}")
    for i, x in enumerate(inputs):
        v = f._versions[i]
        if (x._version if x._base is None else x._base._version) != v:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: input {i} of {f.name} (shape {x.shape}) is at version "
                f"{x.version}, expected version {v}"
            )
    return inputs


def backward(roots: Sequence[Tensor], grads: Sequence[Tensor], *, retain_graph: bool = False,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None
             ) -> list[Tensor | None] | None:
    """Backpropagate ``grads`` from ``roots`` through the recorded graph.

    The pass has four named steps: :func:`walk` orders the functions, the
    roots' gradients are seeded, each function's backward runs, and only
    when every step succeeded are the gradients delivered (to ``.grad``, or
    returned). A pass that fails part way changes no ``.grad``.

    Parameters
    ----------
    roots : sequence of Tensor
        The tensors to differentiate (a tensor may appear more than once; its
        gradients are summed, as in PyTorch).
    grads : sequence of Tensor
        The gradient of each root (same shapes).
    retain_graph : bool
        Keep the saved tensors so that the graph can be backpropagated again.
    create_graph : bool
        Record the backward computation itself, so gradients are differentiable.
    inputs : sequence of Tensor, optional
        If given, return the gradients of these tensors instead of accumulating
        into the ``.grad`` of the leaves.

    Returns
    -------
    list of Tensor or None, or None
        The gradients of ``inputs`` when given, else None.
    """
    if inputs is None and backward_start_hooks:
        for hook in backward_start_hooks:
            hook(roots)
    order = walk(roots)
    for f in order:  # refuse a freed or modified graph before any work is done
        _check_saved(f)
    wanted = None if inputs is None else set(inputs)
    # The pass makes no reference cycles, so the cycle collector is paused while it
    # runs: otherwise its collections, set off by the gradients being made, would
    # scan the whole graph again and again and move it into the oldest generation.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with set_grad_enabled(create_graph):
            pending = _seed(roots, grads)
            finished = _run(order, pending, wanted, retain_graph)
    finally:
        if collecting:
            gc.enable()
    if inputs is not None:
        return [finished.get(x) for x in inputs]  # an input given twice gets its gradient twice
    _deliver(finished, grads, create_graph)
    return None


def _add_to(acc: dict[Tensor, Tensor], x: Tensor, g: Tensor) -> None:
    """Sum gradient ``g`` into ``acc[x]``."""
    prev = acc.get(x)
    acc[x] = g if prev is None else prev + g


def _seed(roots: Sequence[Tensor], grads: Sequence[Tensor]) -> dict[Tensor, Tensor]:
    """Step 2: the gradient of each root (a root given twice gets the sum)."""
    pending: dict[Tensor, Tensor] = {}
    for r, g in zip(roots, grads):
        _add_to(pending, r, g)
    return pending


def _run(order: list[Function], pending: dict[Tensor, Tensor], wanted: set[Tensor] | None,
         retain_graph: bool) -> dict[Tensor, Tensor]:
    """Step 3: run each function's backward in ``order``; return the finished gradients.

    The result holds the gradient of every leaf reached, of every non-leaf
    that retains its gradient, and, when ``wanted`` is given, of those
    tensors. Nothing outside the graph is changed here.
    """
    finished: dict[Tensor, Tensor] = {}
    for r in list(pending):
        if r.creator is None:
            finished[r] = pending.pop(r)
    mode = _mode
    outer = mode.in_backward
    for f in order:
        x1 = f._x1  # f.inputs (checked by the caller)
        xs: tuple[Tensor, ...] = (
            f._x0 if x1 is _TUPLE else (f._x0,) if x1 is _ONE else (f._x0, x1))
        # the gradients of f's outputs are complete: every consumer has run
        outs = f._outs
        if type(outs) is _ref:  # one output, the common case, kept plain
            y = outs()
            gy = None if y is None else pending.pop(y, None)
            if gy is None:
                continue
            if y._retain_grad or (wanted is not None and y in wanted):  # type: ignore[union-attr]
                _add_to(finished, y, gy)  # type: ignore[arg-type]
            gys: Any = (gy,)
        else:
            gys = []
            for ref in outs:  # type: ignore[union-attr]
                y = ref()
                gy = None if y is None else pending.pop(y, None)
                if gy is not None and (y._retain_grad  # type: ignore[union-attr]
                                       or (wanted is not None and y in wanted)):
                    _add_to(finished, y, gy)  # type: ignore[arg-type]
                gys.append(gy)
            if any(g is None for g in gys):
                if all(g is None for g in gys):
                    continue
                gys = [g if g is not None else _make(np.zeros(shape, dtype))
                       for g, (shape, dtype) in zip(gys, f._out_meta)]
        mode.in_backward = f
        try:
            gxs = f.backward(*gys)
        finally:
            mode.in_backward = outer
        if type(gxs) is not tuple:
            gxs = (gxs,)
        if len(gxs) != len(xs):
            raise RuntimeError(
                f"{f.name}.backward returned {len(gxs)} gradients for {len(xs)} inputs"
            )
        if backward_hooks:
            for hook in backward_hooks:
                hook(f, tuple(gys), gxs)
        for x, gx, need in zip(xs, gxs, f.needs_input_grad):
            if gx is None or not need:
                continue
            if type(gx) is not _Tensor:
                gx = _make(np.asarray(gx))
            if gx.data.shape != x.data.shape:
                raise RuntimeError(
                    f"{f.name}.backward returned a gradient of shape {gx.shape} "
                    f"for an input of shape {x.shape}"
                )
            acc = finished if x.creator is None else pending
            prev = acc.get(x)
            acc[x] = gx if prev is None else prev + gx
        if not retain_graph:  # free the saved data, keep the structure (Function.release)
            if len(xs) == 2:
                f._edges = (_backward_edge(xs[0]), _backward_edge(xs[1]))
            elif len(xs) == 1:
                f._edges = (_backward_edge(xs[0]),)
            else:
                f._edges = tuple([_backward_edge(x) for x in xs])
            f.inputs = f._versions = None  # type: ignore[assignment]
            f._released = Released.BY_BACKWARD
    return finished


def _deliver(finished: dict[Tensor, Tensor], seeds: Sequence[Tensor], create_graph: bool) -> None:
    """Step 4: add the finished gradients into ``.grad`` (leaves and retaining non-leaves)."""
    # ids of the arrays given as seeds or already stored in a .grad: two .grad
    # must not share one array (Add hands the same gradient to both inputs)
    stored = {id(g.data) for g in seeds}
    for x, g in finished.items():
        if not (x.creator is None or x._retain_grad):
            continue
        if not create_graph:
            g = g.detach() if g.creator is not None else g
            if g.data.dtype != x.data.dtype:
                g = _make(g.data.astype(x.data.dtype))  # .grad has its tensor's dtype
        if x.grad is not None:
            x.grad = x.grad + g
        elif create_graph:
            x.grad = g
        else:
            # .grad owns a writable array of its own: a view, a read-only broadcast
            # or an array given by the caller would break in-place updates
            d = g.data
            if not (d.flags.owndata and d.flags.writeable) or id(d) in stored:
                d = d.copy()
            stored.add(id(d))
            x.grad = _make(d)


def grad(outputs: Tensor | Sequence[Tensor], inputs: Tensor | Sequence[Tensor],
         grad_outputs: Any = None, retain_graph: bool | None = None,
         create_graph: bool = False, allow_unused: bool = True) -> tuple[Tensor | None, ...]:
    """Return the gradients of ``outputs`` with respect to ``inputs`` without touching ``.grad``.

    Parameters
    ----------
    outputs : Tensor or sequence of Tensor
        The differentiated tensors.
    inputs : Tensor or sequence of Tensor
        The tensors to differentiate with respect to.
    grad_outputs : array_like or sequence, optional
        The gradient of each output; may be omitted for scalar outputs.
    retain_graph : bool, optional
        Keep the graph for another backward; defaults to ``create_graph``.
    create_graph : bool
        Make the returned gradients differentiable.
    allow_unused : bool
        If False, raise when an input does not take part in the graph.

    Returns
    -------
    tuple of Tensor or None
        One gradient per input (None for an input the outputs do not depend on).

    Examples
    --------
    >>> import minigrad as mg
    >>> x = mg.tensor(3.0, requires_grad=True)
    >>> (gx,) = mg.grad(x ** 3, x, create_graph=True)
    >>> gx.item(), mg.grad(gx, x)[0].item()
    (27.0, 18.0)
    """
    from minigrad.tensor import _root_grads

    outs = [outputs] if isinstance(outputs, _Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, _Tensor) else list(inputs)
    for x in ins:
        if not isinstance(x, _Tensor) or not x.requires_grad:
            raise RuntimeError("grad: every input must be a Tensor with requires_grad=True")
    if grad_outputs is None or isinstance(grad_outputs, (_Tensor, np.ndarray)):
        grad_outputs = [grad_outputs] * len(outs) if len(outs) == 1 or grad_outputs is None \
            else grad_outputs
    gs = _root_grads(outs, list(grad_outputs), "grad")
    if retain_graph is None:
        retain_graph = create_graph
    result = backward(outs, gs, retain_graph=retain_graph, create_graph=create_graph, inputs=ins)
    assert result is not None
    if not allow_unused:
        for i, g in enumerate(result):
            if g is None:
                raise RuntimeError(f"grad: input {i} was not used in the graph of the outputs")
    return tuple(result)


@contextlib.contextmanager
def _scope(name: str) -> Iterator[None]:
    """Mark the ops recorded inside the block as belonging to module ``name``."""
    scope_stack.append(name)
    try:
        yield
    finally:
        scope_stack.pop()

