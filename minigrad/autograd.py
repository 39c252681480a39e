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
import operator
import weakref
from collections.abc import Callable, Iterator, Sequence
from typing import TYPE_CHECKING, Any

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
]

class _GradMode:
    """Global switches read on the hot path (a plain attribute is fastest)."""

    __slots__ = ("enabled",)

    def __init__(self) -> None:
        self.enabled = True


_mode = _GradMode()
_data = operator.attrgetter("data")
_shared_needs: dict[tuple[bool, ...], tuple[bool, ...]] = {}
_shared_zeros: dict[tuple[int, ...], tuple[int, ...]] = {}

#: Called as ``hook(function, inputs, outputs)`` after each recorded forward.
forward_hooks: list[Callable[..., None]] = []
#: Called as ``hook(function, grad_outputs, grad_inputs)`` after each backward step.
backward_hooks: list[Callable[..., None]] = []
#: Called as ``hook(roots)`` when a backward pass starts (e.g. accumulation audits).
backward_start_hooks: list[Callable[..., None]] = []
#: Names of the modules whose ``forward`` is running, innermost last.
scope_stack: list[str] = []


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

    # ``inputs`` is None until recorded, and again once released (after backward,
    # or when one of them was changed in place); ``backward`` runs only in between.
    inputs: tuple[Tensor, ...] = None  # type: ignore[assignment]
    outputs: tuple[weakref.ref[Tensor], ...] = ()
    needs_input_grad: tuple[bool, ...] = ()
    scope: str | None = None
    _versions: tuple[int, ...] = ()
    _out_meta: tuple[tuple[tuple[int, ...], np.dtype], ...] = ()
    _released: str | None = None

    def __call__(self, *inputs: Any) -> Any:
        """Apply the function: run ``forward`` and record the call if a gradient is needed."""
        xs = inputs
        for x in inputs:
            if type(x) is not _Tensor:  # numbers, arrays, lists: wrap as constants
                try:
                    xs = tuple([x if type(x) is _Tensor else _as_input(x, inputs)
                                for x in inputs])
                except TypeError as e:
                    raise TypeError(f"{self.name}: {e}") from None
                break
        try:
            ys = self.forward(*map(_data, xs))
        except (ValueError, IndexError, TypeError) as e:
            raise _op_error(self, xs, e) from None
        except MemoryError as e:  # e.g. a broadcast that would need terabytes
            raise MemoryError(str(_op_error(self, xs, e))) from None
        if type(ys) is tuple:
            outs = tuple([_make(y) for y in ys])
        else:
            outs = (_make(ys),)
        if _mode.enabled:
            for x in xs:
                if x._rg:
                    self._record(xs, outs)
                    break
        return outs[0] if type(ys) is not tuple else outs

    def _record(self, xs: tuple[Tensor, ...], outs: tuple[Tensor, ...]) -> None:
        """Link the call into the graph: keep the inputs, mark the outputs as made here."""
        for x in xs:
            if x._rg and x.creator is None:
                # leaves remember who saved them: an in-place update releases those graphs
                saved = x._saved_by
                if saved is None:
                    saved = x._saved_by = weakref.WeakSet()
                saved.add(self)
        self.inputs = xs
        # small tuples shared between calls: fewer long-lived objects for the
        # garbage collector to scan while a graph is being built
        needs = tuple([x._rg for x in xs])
        self.needs_input_grad = _shared_needs.setdefault(needs, needs)
        versions = tuple([x._version for x in xs])
        self._versions = versions if any(versions) else _shared_zeros.setdefault(versions, versions)
        self.outputs = tuple([weakref.ref(y) for y in outs])
        if len(outs) > 1:
            self._out_meta = tuple([(y.data.shape, y.data.dtype) for y in outs])
        if scope_stack:
            self.scope = scope_stack[-1]
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

    def release(self, reason: str) -> None:
        """Drop the saved inputs; a later backward through this call raises ``reason``."""
        self.inputs = None  # type: ignore[assignment]
        self._released = reason

    @property
    def name(self) -> str:
        """The op's type name, as shown in errors and graph pictures."""
        return type(self).__name__

    def attrs(self) -> dict[str, Any]:
        """Return the op's attributes (axis, shape, ...) for display; override in subclasses."""
        return {}

    def __repr__(self) -> str:
        attrs = ", ".join(f"{k}={v!r}" for k, v in self.attrs().items())
        return f"<{self.name}({attrs})>"


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

def _ordered_functions(roots: Sequence[Tensor]) -> list[Function]:
    """Return the functions reachable from ``roots`` in an order safe for backward.

    A function comes only after every function that consumes one of its
    outputs. Iterative depth-first search counts, for each function, how
    many edges reach it; Kahn's algorithm then releases a function once all
    of them have been processed. Linear in the size of the graph.
    """
    consumers: dict[Function, int] = {}
    stack = [r.creator for r in roots if r.creator is not None]
    for f in stack:
        consumers[f] = 0
    seen = set(stack)
    while stack:
        f = stack.pop()
        inputs = f.inputs
        if inputs is None:
            continue
        for x in inputs:
            c = x.creator
            if c is not None:
                if c in seen:
                    consumers[c] += 1
                else:
                    seen.add(c)
                    consumers[c] = 1
                    stack.append(c)
    ready = [f for f, n in consumers.items() if n == 0]
    order: list[Function] = []
    while ready:
        f = ready.pop()
        order.append(f)
        inputs = f.inputs
        if inputs is None:
            continue
        for x in inputs:
            c = x.creator
            if c is not None:
                n = consumers[c] - 1
                consumers[c] = n
                if n == 0:
                    ready.append(c)
    return order


_FREED_BY_BACKWARD = (
    "trying to backward through the graph a second time; its saved tensors were freed by the "
    "first backward(). Pass retain_graph=True to the first backward() to backpropagate twice."
)


def _check_saved(f: Function) -> tuple[Tensor, ...]:
    """Return f's saved inputs, or raise if they were released or changed in place."""
    inputs = f.inputs
    if inputs is None:
        raise RuntimeError(f"cannot backpropagate through {f.name}: {f._released}")
    for i, x in enumerate(inputs):
        v = f._versions[i]
        if x._version != v:
            raise RuntimeError(
                f"one of the tensors needed for gradient computation has been modified by an "
                f"in-place operation: input {i} of {f.name} (shape {x.shape}) is at version "
                f"{x._version}, expected version {v}"
            )
    return inputs


def backward(roots: Sequence[Tensor], grads: Sequence[Tensor], *, retain_graph: bool = False,
             create_graph: bool = False, inputs: Sequence[Tensor] | None = None
             ) -> list[Tensor | None] | None:
    """Backpropagate ``grads`` from ``roots`` through the recorded graph.

    Parameters
    ----------
    roots : sequence of Tensor
        The tensors to differentiate.
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
    if backward_start_hooks:
        for hook in backward_start_hooks:
            hook(roots)
    order = _ordered_functions(roots)
    for f in order:  # refuse a freed or modified graph before any gradient is stored
        _check_saved(f)
    pending: dict[Tensor, Tensor | None] = {}
    wanted = None if inputs is None else {x: i for i, x in enumerate(inputs)}
    results: list[Tensor | None] = [None] * (len(inputs) if inputs is not None else 0)
    # ids of the arrays already stored in a .grad (or given by the caller)
    stored = {id(g.data) for g in grads}

    def deliver(x: Tensor, g: Tensor) -> None:
        # a finished gradient for x: keep it for grad(), or store it in x.grad
        if wanted is not None:
            i = wanted.get(x)
            if i is not None:
                prev = results[i]
                results[i] = g if prev is None else prev + g
            return
        if x.creator is None or x._retain_grad:
            if not create_graph:
                g = g.detach() if g.creator is not None else g
            if g.data.dtype != x.data.dtype and not create_graph:
                g = g.astype(x.data.dtype)  # .grad has its tensor's dtype, as in PyTorch
            if x.grad is not None:
                x.grad = x.grad + g
            elif create_graph:
                x.grad = g
            else:
                # .grad owns a writable array of its own: a view, a read-only broadcast
                # or an array shared with another .grad would break in-place updates
                d = g.data
                if not (d.flags.owndata and d.flags.writeable) or id(d) in stored:
                    d = d.copy()
                stored.add(id(d))
                x.grad = _make(d)

    for r, g in zip(roots, grads):
        if r.creator is None:
            deliver(r, g)
        else:
            prev = pending.get(r)
            pending[r] = g if prev is None else prev + g

    keep_outputs = wanted is not None
    with set_grad_enabled(create_graph):
        for f in order:
            xs = f.inputs  # checked above
            # the gradients of f's outputs are complete: every consumer has run
            gys: list[Tensor | None] = []
            for ref in f.outputs:
                y = ref()
                gy = None if y is None else pending.pop(y, None)
                if gy is not None and (keep_outputs or y._retain_grad):  # type: ignore[union-attr]
                    deliver(y, gy)  # type: ignore[arg-type]
                gys.append(gy)
            if len(gys) == 1:
                if gys[0] is None:
                    continue
            elif any(g is None for g in gys):
                if all(g is None for g in gys):
                    continue
                gys = [g if g is not None else _make(np.zeros(shape, dtype))
                       for g, (shape, dtype) in zip(gys, f._out_meta)]
            gxs = f.backward(*gys)
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
                if x.creator is None:
                    deliver(x, gx)
                else:
                    prev = pending.get(x)
                    pending[x] = gx if prev is None else prev + gx
            if not retain_graph:
                f.inputs = None  # type: ignore[assignment]
                f._released = _FREED_BY_BACKWARD
    if inputs is not None:
        assert wanted is not None
        return [results[wanted[x]] for x in inputs]  # an input given twice gets its gradient twice
    return None


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

