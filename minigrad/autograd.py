"""The autodiff engine: :class:`Function`, the graph it records, and the backward pass.

Every operation in minigrad, built-in or user-defined, is a :class:`Function`.
Calling one runs its :meth:`Function.forward` on NumPy arrays and, when a
gradient is needed, records the call in the graph: the function keeps its
input tensors, each output keeps the function that made it (``creator``).
Outputs are held only by weak reference, so a graph lives exactly as long
as the tensors that can reach it, and frees itself by reference counting.

:func:`backward` orders the graph once with :func:`walk` (Kahn's algorithm,
no recursion), calls each function's :meth:`Function.backward` (written with
tensor operations, so gradients of gradients come for free), sums a
broadcast input's gradient back to the input's shape, and frees each
function's saved inputs as it goes, keeping one :class:`Edge` per input so
that the graph's shape is still known afterwards.

Grad mode (:func:`no_grad` and friends) lives in :mod:`minigrad.grad_mode`
and is re-exported here.
"""

from __future__ import annotations

import contextlib
import copy
import enum
import functools
import gc
import operator
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import Any, ClassVar

import numpy as np

from minigrad.grad_mode import _mode, enable_grad, is_grad_enabled, no_grad, set_grad_enabled
from minigrad.tensor import Tensor, _as_input, _make, _root_grads

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
    "OpError",
    "OpTypeError",
]


class OpError(ValueError, RuntimeError):
    """An op refused its arguments: shapes that do not fit, a value out of its range.

    Both a :class:`ValueError` (NumPy's class for these) and a :class:`RuntimeError`
    (PyTorch's), so code written for either catches it.
    """


class OpTypeError(TypeError, RuntimeError):
    """An op refused an argument of the wrong kind (a dtype it cannot take, a malformed tuple).

    Both a :class:`TypeError` (NumPy's and Python's class for these) and a
    :class:`RuntimeError` (PyTorch's), so code written for either catches it.
    """

_data = operator.attrgetter("data")
_creator = operator.attrgetter("creator")
_function = operator.attrgetter("function")
_shared_needs: dict[tuple[bool, ...], tuple[bool, ...]] = {}
# the needs_input_grad of one and two inputs, by the inputs' requires_grad (shared tuples)
_NEEDS1 = ((False,), (True,))
_NEEDS2 = (((False, False), (False, True)), ((True, False), (True, True)))
_shared_zeros: dict[tuple[int, ...], tuple[int, ...]] = {}

#: Called as ``hook(function, inputs, outputs)`` after each recorded forward.
forward_hooks: list[Callable[..., None]] = []
#: Called as ``hook(function, grad_outputs, grad_inputs)`` after each backward step, with
#: the gradients of the inputs as the engine will use them (a broadcast summed back).
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
    return _mode.in_backward  # type: ignore[no-any-return]


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


_FREED_BY_BACKWARD = (
    "trying to backward through the graph a second time; its saved tensors were freed by the "
    "first backward(). Pass retain_graph=True to the first backward() to backpropagate twice."
)


class Edge:
    """Where one input of a recorded function comes from (kept after its saved data is freed).

    The one record of an input: :attr:`Function.edges` gives one per input,
    whether the function still holds its inputs or has released them.

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
        The input's shape, dtype and name, for display (all None: not known, the
        ops above it were freed by an in-place change).
    """

    __slots__ = ("function", "index", "tensor", "shape", "dtype", "name", "__weakref__")

    def __init__(self, function: Function | None, index: int, tensor: Tensor | None,
                 shape: tuple[int, ...] | None, dtype: np.dtype | None, name: str | None) -> None:
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


#: The edge to an input whose producers were freed with it by an in-place change.
_CUT = Edge(None, 0, None, None, None, None)

# A parameter's edge, or a shared read-only constant's (a Python number beside a tensor,
# see tensor._constant), is shared by every graph that uses it: a kept loss then costs no
# edge per parameter, and a chain ``y = y * 1.0001`` no edge per op for its constant.
# Found by the leaf's id, held weakly: it goes with the last graph that uses it (a
# WeakValueDictionary would do the same, but slower).
_leaf_edges: dict[int, weakref.ref[Edge]] = {}
_ref = weakref.ref


def _edge_of(x: Tensor) -> Edge:
    """The :class:`Edge` of input ``x``."""
    d = x.data
    shape, dtype = d.shape, d.dtype
    c = x.creator
    if c is not None:
        if type(c._outs) is _ref:  # one output
            if c._out_meta is None:  # the output's shape, known once the output is gone
                c._out_meta = (shape, dtype)
            return Edge(c, 0, None, shape, dtype, x.name)
        index = next(i for i, ref in enumerate(c._outs) if ref() is x)  # type: ignore[union-attr, arg-type]
        return Edge(c, index, None, shape, dtype, x.name)
    param = x if x._rg else None
    if param is None and d.flags.writeable:  # a batch or another one-off constant
        return Edge(None, 0, None, shape, dtype, x.name)
    key = id(x)
    ref = _leaf_edges.get(key)
    e = None if ref is None else ref()
    if e is None or e.tensor is not param or e.shape != shape or e.dtype is not dtype \
            or e.name != x.name:
        e = Edge(None, 0, param, shape, dtype, x.name)
        _leaf_edges[key] = _ref(e, functools.partial(_forget_leaf_edge, key))
    return e


def _forget_leaf_edge(key: int, ref: weakref.ref[Edge]) -> None:
    if _leaf_edges.get(key) is ref:
        del _leaf_edges[key]


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
    __slots__ = ("inputs", "_outs", "needs_input_grad", "scope", "_versions", "_out_meta",
                 "_edges", "_released", "_release_message", "__dict__",
                 "__weakref__")
    inputs: tuple[Tensor, ...]
    # one output: its weak reference, not wrapped in a tuple (one object less per op for
    # the cycle collector to scan); several: a tuple of them. See :attr:`outputs`.
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
            if type(x) is not Tensor:  # numbers, arrays, lists: wrap as constants
                try:
                    xs = tuple([x if type(x) is Tensor else _as_input(x, inputs)
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
        needs: tuple[bool, ...]
        versions: tuple[int, ...]
        if len(xs) == 2:
            x0, x1 = xs
            needs = _NEEDS2[x0._rg][x1._rg]
            versions = (x0._version if x0._base is None else x0._base._version,
                        x1._version if x1._base is None else x1._base._version)
        elif len(xs) == 1:
            x0 = xs[0]
            needs = _NEEDS1[x0._rg]
            versions = (x0._version if x0._base is None else x0._base._version,)
        else:
            needs = tuple([x._rg for x in xs])
            versions = tuple([x._version if x._base is None else x._base._version for x in xs])
        for x in xs:
            if x._rg and x.creator is None:
                # leaves remember who saved them: an in-place update releases those graphs
                saved = x._saved_by
                if saved is None:
                    saved = x._saved_by = weakref.WeakSet()
                saved.add(self)
        self.inputs = xs
        self._edges = self._released = self._release_message = self._out_meta = None
        # small tuples shared between calls: fewer long-lived objects for the
        # garbage collector to scan while a graph is being built
        self.needs_input_grad = _shared_needs.setdefault(needs, needs)
        self._versions = versions if any(versions) else _shared_zeros.setdefault(versions, versions)
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
        return self._edges or ()

    @property
    def next_functions(self) -> tuple[Function, ...]:
        """The functions that made this one's inputs (each once, in input order)."""
        return tuple(dict.fromkeys([c for c in _producers(self) if c is not None]))

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
        After backward (``reason`` BY_BACKWARD) only this function is freed and
        the whole structure stays, so pictures and tools still see every op.
        After an in-place change (IN_PLACE; ``cause`` is the changed tensor,
        ``op`` the in-place operation's name) the functions upstream that no
        tensor can reach any more (their outputs are gone) are freed too, and
        the edge to them becomes a cut that keeps nothing: a kept tensor never
        keeps a batch or an intermediate array alive. That loop follows only
        dead functions, from this one upwards; it is not a walk of the graph.
        """
        todo = [self]
        while todo:
            f = todo.pop()
            if f.inputs is None:
                continue
            edges = list(map(_edge_of, f.inputs))
            f.inputs = f._versions = None  # type: ignore[assignment]
            # the op's name (an interned string) stands for IN_PLACE: one slot less per node
            f._released = op if reason is Released.IN_PLACE and op else reason
            f._release_message = cause
            if reason is Released.IN_PLACE:
                for k, e in enumerate(edges):
                    c = e.function
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
    "inputs": None, "_outs": (), "needs_input_grad": (), "scope": None, "_versions": (),
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
    # NumPy's ValueError/TypeError for inputs an op cannot take: PyTorch raises RuntimeError
    if type(e) is ValueError:
        return OpError(msg)
    if type(e) is TypeError:
        return OpTypeError(msg)
    try:
        return type(e)(msg)
    except Exception:  # noqa: BLE001 - exception types with unusual constructors
        return RuntimeError(msg)


# ---------------------------------------------------------------------------
# The backward engine: walk, then check, run and deliver.

def _producers(f: Function) -> list[Function | None]:
    """The function that made each input of ``f`` (None for a leaf or a constant)."""
    if f.inputs is not None:
        return list(map(_creator, f.inputs))
    return list(map(_function, f._edges or ()))


def walk(roots: Tensor | Sequence[Tensor]) -> list[Function]:
    """Return every function reachable from ``roots``, in backward order.

    The one graph walk of minigrad: :func:`backward`, ``gradcheck``,
    ``check_graph``, ``graph_memory``, the accumulation audit of debug mode and
    the graph pictures use it. A function comes only after every function
    that consumes one of its outputs (reverse the list for forward order).
    Roots may repeat, and several outputs of one function may be roots.
    Released functions are walked through their :attr:`Function.edges`, so
    the shape of a graph is known after backward. Iterative (no recursion
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
    if isinstance(roots, Tensor):
        roots = (roots,)
    # find every function, counting the edges that reach it from its consumers
    stack = list(dict.fromkeys([r.creator for r in roots if r.creator is not None]))
    waiting = dict.fromkeys(stack, 0)
    producers = {}
    while stack:
        f = stack.pop()
        producers[f] = ps = _producers(f)
        for c in ps:
            if c is not None:
                if c not in waiting:
                    waiting[c] = 0
                    stack.append(c)
                waiting[c] += 1
    # Kahn's algorithm: a function is ready once all its consumers came out
    ready = [f for f, n in waiting.items() if n == 0]
    order: list[Function] = []
    while ready:
        f = ready.pop()
        order.append(f)
        for c in producers[f]:
            if c is not None:
                waiting[c] -= 1
                if waiting[c] == 0:
                    ready.append(c)
    return order


def backward(roots: Sequence[Tensor], grads: Sequence[Tensor], *, retain_graph: bool = False,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None
             ) -> list[Tensor | None] | None:
    """Backpropagate ``grads`` from ``roots`` through the recorded graph.

    The pass has four steps: :func:`walk` orders the functions, each is
    checked (its saved tensors still there and unchanged), each function's
    backward runs (:func:`_run`), and only when every step succeeded are the
    gradients delivered (:func:`_deliver`, to ``.grad``, or returned). A pass
    that fails part way changes no ``.grad``.

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
    if inputs is None:
        for hook in backward_start_hooks:
            hook(roots)
    order = walk(roots)
    for f in order:  # refuse a freed or modified graph before any work is done
        _check_saved(f)
    pending: dict[Tensor, Tensor] = {}  # gradients still flowing, by tensor
    for r, g in zip(roots, grads):
        _add_to(pending, r, g)
    # The pass makes no reference cycles, so the cycle collector is paused while it
    # runs: otherwise its collections, set off by the gradients being made, would
    # scan the whole graph again and again and move it into the oldest generation.
    collecting = gc.isenabled()
    gc.disable()
    try:
        with set_grad_enabled(create_graph):
            finished = _run(order, pending, None if inputs is None else set(inputs),
                            retain_graph)
    finally:
        if collecting:
            gc.enable()
    if inputs is not None:
        return [finished.get(x) for x in inputs]  # an input given twice gets its gradient twice
    _deliver(finished, grads, create_graph)
    return None


def _check_saved(f: Function) -> None:
    """Raise if ``f``'s saved inputs were released or changed in place since it ran."""
    if f.inputs is None:
        raise RuntimeError(f"cannot backpropagate through {f.name}: {f.release_message}")
    for i, (x, v) in enumerate(zip(f.inputs, f._versions)):
        if (x._version if x._base is None else x._base._version) != v:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: input {i} of {f.name} (shape {x.shape}) is at version "
                f"{x.version}, expected version {v}"
            )


def _add_to(acc: dict[Tensor, Tensor], x: Tensor, g: Tensor) -> None:
    """Sum gradient ``g`` into ``acc[x]``."""
    prev = acc.get(x)
    acc[x] = g if prev is None else prev + g


def _run(order: list[Function], pending: dict[Tensor, Tensor], wanted: set[Tensor] | None,
         retain_graph: bool) -> dict[Tensor, Tensor]:
    """Run each function's backward in ``order``; return the finished gradients.

    ``pending`` holds the gradients of the roots. The result holds the
    gradient of every leaf reached, of every non-leaf that retains its
    gradient, and, when ``wanted`` is given, of those tensors. Nothing
    outside the graph is changed, except that functions are released
    (unless ``retain_graph``).
    """
    finished: dict[Tensor, Tensor] = {}
    for r in list(pending):
        if r.creator is None:
            finished[r] = pending.pop(r)
    outer = _mode.in_backward
    for f in order:
        outs = f._outs
        if type(outs) is _ref:  # one output (the common case, kept plain: it pays)
            y = outs()  # held here: f.backward may read its output
            gy = None if y is None else pending.pop(y, None)
            if gy is None:
                continue  # no gradient reached f
            if y._retain_grad or (wanted is not None and y in wanted):  # type: ignore[union-attr]
                _add_to(finished, y, gy)  # type: ignore[arg-type]
            gys: Any = (gy,)
        else:
            ys = [ref() for ref in outs]  # type: ignore[union-attr] # held: f.backward reads them
            gys = _output_grads(f, ys, pending, finished, wanted)
            if gys is None:
                continue
        _mode.in_backward = f
        try:
            gxs = f.backward(*gys)
        finally:
            _mode.in_backward = outer
        xs = f.inputs
        if type(gxs) is not tuple:
            gxs = (gxs,)
        fix = len(gxs) != len(xs)
        for x, gx in zip(xs, gxs):
            if gx is not None and (type(gx) is not Tensor or gx.data.shape != x.data.shape):
                fix = True
        if fix:  # a wrong count, an array to wrap or a broadcast to sum back
            gxs = _input_grads(f, gxs)
        for hook in backward_hooks:
            hook(f, tuple(gys), gxs)
        for x, gx, need in zip(xs, gxs, f.needs_input_grad):
            if gx is not None and need:
                acc = finished if x.creator is None else pending
                prev = acc.get(x)
                acc[x] = gx if prev is None else prev + gx
        if not retain_graph:  # free the saved data, keep the structure
            f.release(Released.BY_BACKWARD)
    return finished


def _output_grads(f: Function, ys: list[Tensor | None], pending: dict[Tensor, Tensor],
                  finished: dict[Tensor, Tensor], wanted: set[Tensor] | None
                  ) -> list[Tensor] | None:
    """Take the gradients of ``f``'s outputs ``ys``, complete now that every consumer ran.

    None when no gradient reached ``f``; an output that got none gets zeros.
    """
    gys: list[Any] = []
    got = 0
    for y in ys:
        gy = None if y is None else pending.pop(y, None)
        if gy is not None:
            got += 1
            if y._retain_grad or (wanted is not None and y in wanted):  # type: ignore[union-attr]
                _add_to(finished, y, gy)  # type: ignore[arg-type]
        gys.append(gy)
    if got == len(gys):
        return gys
    if got == 0:
        return None
    return [g if g is not None else _make(np.zeros(shape, dtype))
            for g, (shape, dtype) in zip(gys, f.output_meta())]


def _input_grads(f: Function, gxs: tuple[Any, ...]) -> tuple[Any, ...]:
    """Check what ``f.backward`` returned: one gradient per input, each of its input's shape.

    An array is wrapped in a tensor. A gradient of the output's shape for an
    input that ``f`` declares broadcast (:attr:`Function.broadcasting`) is
    summed back to the input's shape here, once for every op.
    """
    xs = f.inputs
    if len(gxs) != len(xs):
        raise RuntimeError(f"{f.name}.backward returned {len(gxs)} gradients for {len(xs)} inputs")
    fixed = []
    for i, (x, gx, need) in enumerate(zip(xs, gxs, f.needs_input_grad)):
        if gx is not None and need:
            if type(gx) is not Tensor:
                gx = _make(np.asarray(gx))
            if gx.data.shape != x.data.shape:
                gx = _sum_back(f, i, x, gx)
        fixed.append(gx)
    return tuple(fixed)


def _sum_back(f: Function, i: int, x: Tensor, gx: Tensor) -> Tensor:
    """Sum the gradient of broadcast input ``i`` back to its shape, or raise: a wrong shape."""
    b = f.broadcasting
    try:
        fits = np.broadcast_shapes(x.shape, gx.shape) == gx.shape
    except ValueError:
        fits = False
    if not (fits and (b is True or (b and i in b))):  # type: ignore[operator]
        raise RuntimeError(f"{f.name}.backward returned a gradient of shape {gx.shape} "
                           f"for an input of shape {x.shape}")
    return gx.sum_to(x.shape)


def _deliver(finished: dict[Tensor, Tensor], seeds: Sequence[Tensor], create_graph: bool) -> None:
    """Add the finished gradients into ``.grad`` (leaves and retaining non-leaves)."""
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
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    ins = [inputs] if isinstance(inputs, Tensor) else list(inputs)
    for x in ins:
        if not isinstance(x, Tensor) or not x.requires_grad:
            raise RuntimeError("grad: every input must be a Tensor with requires_grad=True")
    if grad_outputs is None or isinstance(grad_outputs, (Tensor, np.ndarray)):
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
