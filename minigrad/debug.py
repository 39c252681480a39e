"""Debugging tools that explain what the autodiff engine is doing.

Four tools, each answering one question a learner (or a bug) raises:

* :func:`check_graph` -- *which op has the wrong gradient?* It gradchecks
  every op recorded in a live graph on its own, on the very inputs it saw,
  and returns a table naming the first op whose backward disagrees with
  central differences.
* :func:`trace_backward` -- *what did backward actually do?* One line per
  backward step: the op, the shapes of the incoming and produced gradients,
  and the axes a broadcast was summed over.
* :func:`graph_memory` -- *what does the graph keep alive?* Per op, the
  arrays saved for backward, and their de-duplicated total.
* :func:`set_debug` -- *did I forget ``zero_grad()``?* In debug mode a
  backward that would add to gradients no optimizer step or ``zero_grad()``
  consumed emits an :class:`AccumulationWarning`.

Examples
--------
>>> import numpy as np, minigrad as mg
>>> x = mg.tensor(np.ones((2, 3)), requires_grad=True)
>>> b = mg.tensor(np.zeros(3), requires_grad=True)
>>> loss = ((x + b).sigmoid()).sum()
>>> mg.check_graph(loss).ok
True
>>> with mg.trace_backward() as trace:
...     loss.backward()
>>> trace.rows[-1].op, trace.rows[-1].summed_axes
('Add', ((), (0,)))
"""

from __future__ import annotations

import os
import sys
import warnings
import weakref
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

# minigrad.tensor must load before the op modules (it imports them at its end)
from minigrad import autograd, tensor  # noqa: F401
from minigrad.autograd import Function, enable_grad, grad, no_grad
from minigrad.numerical import classify_errors, finite_differences, kink_text
from minigrad.ops.loss import softmax_cross_entropy
from minigrad.tensor import Tensor

__all__ = [
    "check_graph",
    "GraphCheckReport",
    "OpCheck",
    "trace_backward",
    "BackwardTrace",
    "BackwardStep",
    "graph_memory",
    "memory_profile_of_step",
    "GraphMemoryReport",
    "OpMemory",
    "SavedArray",
    "set_debug",
    "is_debug",
    "AccumulationWarning",
    "format_bytes",
]

_PKG_DIR = os.path.dirname(os.path.abspath(__file__))


# ---------------------------------------------------------------------------
# Shared helpers

def _outputs_of(output: Tensor | Sequence[Tensor], where: str) -> list[Tensor]:
    outs = [output] if isinstance(output, Tensor) else list(output)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{where}: output {i} is a {type(o).__name__}, not a Tensor")
    return outs


def _forward_order(outputs: Sequence[Tensor]) -> list[Function]:
    """The functions behind ``outputs``, each after the functions that made its inputs."""
    return autograd.walk(outputs)[::-1]


def _shape_str(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return "-"
    if shape == ():
        return "()"
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]],
           right: Sequence[bool]) -> list[str]:
    """Format rows as aligned columns (``right[i]`` right-aligns column i)."""
    widths = [len(h) for h in header]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)]
        return "  " + "  ".join(parts).rstrip()

    return [line(header)] + [line(r) for r in rows]


class _suspended_hooks:
    """Detach the engine's hook lists while a tool runs ops of its own (restored on exit)."""

    def __enter__(self) -> None:
        self._saved = [list(h) for h in (autograd.forward_hooks, autograd.backward_hooks,
                                         autograd.backward_start_hooks)]
        for h in (autograd.forward_hooks, autograd.backward_hooks, autograd.backward_start_hooks):
            h.clear()

    def __exit__(self, *exc: object) -> None:
        for h, saved in zip((autograd.forward_hooks, autograd.backward_hooks,
                             autograd.backward_start_hooks), self._saved):
            h[:] = saved


# ---------------------------------------------------------------------------
# check_graph: a gradient check of every op of a live graph, one op at a time

def _fresh(f: Function) -> Function:
    """A copy of a recorded function with its attributes (axis, shape...) but no graph state."""
    return autograd.unrecorded_copy(f)


@dataclass
class OpCheck:
    """One row of a :class:`GraphCheckReport`: the check of one recorded op.

    Attributes
    ----------
    index : int
        Position of the op in forward order (0 is the first op that ran).
    op : str
        The op's type name (``"Linear"``, ``"Sigmoid"``, a user Function's class name).
    function : Function
        The recorded function object itself (graph pictures use it to highlight the op).
    scope : str or None
        The module the op was recorded in, when any.
    input_shapes : tuple of tuple of int
        The shapes of all the op's inputs.
    dtype : str
        The dtype(s) of its floating-point inputs as recorded (e.g. ``"float32"``).
    promoted : bool
        True when some input was promoted from a lower precision to float64 for the check.
    checked_inputs : tuple of int
        The inputs whose gradient was checked (those that required grad in the graph).
    max_abs_err : float
        The largest ``|analytic - numerical|`` over the checked elements (elements
        excused as non-differentiable left out).
    max_rel_err : float
        ``max_abs_err`` divided by the largest gradient entry (0 when all gradients are 0).
    passed : bool
        False when some element is out of tolerance, or the op could not be checked.
    nondifferentiable : bool
        True when the numerical derivative jumps at the op's input (relu or abs at 0,
        max or min with ties): the one-sided differences disagree and the analytic
        gradient lies between them. Such elements are flagged, not failed.
    failing_inputs : tuple of int
        The checked inputs with elements out of tolerance.
    n_elements : int
        How many input elements were perturbed.
    n_bad : int
        How many of them are out of tolerance.
    n_nondifferentiable : int
        How many of them sit at a point where the op is not differentiable.
    error : str or None
        Why the op could not be checked (its forward or backward raised, an
        input changed in place since the op ran), else None.
    """

    index: int
    op: str
    function: Function
    scope: str | None
    input_shapes: tuple[tuple[int, ...], ...]
    dtype: str
    promoted: bool
    checked_inputs: tuple[int, ...] = ()
    max_abs_err: float = 0.0
    max_rel_err: float = 0.0
    passed: bool = True
    nondifferentiable: bool = False
    failing_inputs: tuple[int, ...] = ()
    n_elements: int = 0
    n_bad: int = 0
    n_nondifferentiable: int = 0
    error: str | None = None

    @property
    def status(self) -> str:
        """``"ok"``, ``"FAIL"``, ``"non-diff"`` (flagged, not failed) or ``"ERROR"``."""
        if self.error is not None:
            return "ERROR"
        if not self.passed:
            return "FAIL"
        return "non-diff" if self.nondifferentiable else "ok"

    def describe(self) -> str:
        """One line naming the op, where it sits and how it failed."""
        where = f"op #{self.index} {self.op}" + (f" (in {self.scope})" if self.scope else "")
        if self.error is not None:
            return f"{where}: {self.error}"
        ins = ", ".join(f"input {i} {_shape_str(self.input_shapes[i])}"
                        for i in self.failing_inputs)
        text = f"{where}: {self.status}, max abs err {self.max_abs_err:.3g}, " \
               f"max rel err {self.max_rel_err:.3g}"
        if ins:
            text += f"; wrong gradient for {ins}"
        if self.n_nondifferentiable:
            text += f"; {kink_text(self.n_nondifferentiable)}"
        return text


@dataclass
class GraphCheckReport:
    """The result of :func:`check_graph`: one :class:`OpCheck` row per op, in forward order.

    ``str(report)`` is a readable table.

    Attributes
    ----------
    rows : list of OpCheck
        One row per recorded op, in forward order.
    eps : float
        The finite-difference step used.
    atol, rtol : float
        An element passes when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    promoted : bool
        True when some op's inputs were promoted from float32 (or float16) to float64.
    promoted_dtypes : tuple of str
        The dtypes that were promoted.
    seed : int
        The seed of the random cotangents.
    """

    rows: list[OpCheck]
    eps: float
    atol: float
    rtol: float
    promoted: bool = False
    promoted_dtypes: tuple[str, ...] = ()
    seed: int = 0

    @property
    def ok(self) -> bool:
        """True when every op passed (non-differentiable points do not count as failures)."""
        return all(r.passed for r in self.rows)

    @property
    def failures(self) -> list[OpCheck]:
        """The failing rows, in forward order."""
        return [r for r in self.rows if not r.passed]

    @property
    def first_failure(self) -> OpCheck | None:
        """The first failing row in forward order, or None when every op passed."""
        for r in self.rows:
            if not r.passed:
                return r
        return None

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[OpCheck]:
        return iter(self.rows)

    def __str__(self) -> str:
        head = (f"check_graph: {len(self.rows)} ops, eps={self.eps:g}, atol={self.atol:g}, "
                f"rtol={self.rtol:g}")
        if self.promoted:
            head += f" ({'/'.join(self.promoted_dtypes)} inputs promoted to float64 for the check)"
        body = []
        for r in self.rows:
            checked = r.error is None and bool(r.checked_inputs)
            body.append([
                str(r.index), r.op, r.scope or "",
                ", ".join(_shape_str(s) for s in r.input_shapes), r.dtype,
                f"{r.max_abs_err:.2e}" if checked else "-",
                f"{r.max_rel_err:.2e}" if checked else "-",
                r.status,
            ])
        lines = [head]
        lines += _table(["#", "op", "scope", "input shapes", "dtype", "max abs err",
                         "max rel err", "result"], body,
                        [True, False, False, False, False, True, True, False])
        first = self.first_failure
        nondiff = [r for r in self.rows if r.nondifferentiable and r.passed]
        if first is not None:
            lines.append(f"first failing op: {first.describe()}")
        else:
            lines.append("all ops passed")
        for r in nondiff:
            lines.append(f"note: op #{r.index} {r.op} is not differentiable at "
                         f"{r.n_nondifferentiable} input element(s) (a kink or tie); its "
                         "gradient there is one valid choice, so it is flagged, not failed")
        for r in self.rows:
            if r.error is not None:
                lines.append(f"error: {r.describe()}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return (f"<GraphCheckReport: {len(self.rows)} ops, "
                f"{len(self.failures)} failing, ok={self.ok}>")


def check_graph(output: Tensor | Sequence[Tensor], *, eps: float = 1e-6, atol: float = 1e-5,
                rtol: float = 1e-3, seed: int = 0,
                max_elements: int | None = None) -> GraphCheckReport:
    """Gradcheck every op recorded for ``output``, each in isolation, on the inputs it saw.

    The graph is walked from ``output`` through ``creator`` and
    ``Function.inputs``. For each recorded op, a copy of the function object
    (so it keeps its attributes: axis, shape, exponent...) is run on fresh
    float64 copies of its inputs; its backward, given a random cotangent
    ``v``, is compared with central differences of ``sum(op(inputs) * v)``
    for every input that required grad in the graph. User-defined Functions
    are checked like built-in ones. Nothing in the graph is modified: all
    the work is done on copies, so float32 graphs are checked in float64
    and left bitwise unchanged.

    Where the numerical derivative jumps (relu or abs at exactly 0, max or
    min with ties), the one-sided differences disagree; if the analytic
    gradient lies between them the op is flagged ``nondifferentiable``
    rather than failed.

    Parameters
    ----------
    output : Tensor or sequence of Tensor
        The result of a forward pass whose graph is still alive: call this
        before ``backward()`` (which frees the graph), or backward with
        ``retain_graph=True``.
    eps : float
        The finite-difference step.
    atol, rtol : float
        An element passes when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    seed : int
        Seed of the random cotangents.
    max_elements : int, optional
        Check at most this many randomly chosen elements of each input
        (all of them when None), to keep big layers quick.

    Returns
    -------
    GraphCheckReport
        One row per op in forward order; ``report.ok``, ``report.first_failure``,
        and ``str(report)`` for a table.

    Raises
    ------
    ValueError
        If ``output`` has no recorded graph, or the arguments are out of range.
    RuntimeError
        If some op of the graph was released (its saved inputs freed), naming the op and why.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> w = mg.tensor(np.array([[1.0, -2.0], [0.5, 3.0]]), requires_grad=True)
    >>> report = mg.check_graph((w * w).tanh().sum())
    >>> report.ok, [r.op for r in report.rows]
    (True, ['Mul', 'Tanh', 'Sum'])
    """
    if not eps > 0 or not np.isfinite(eps):
        raise ValueError(f"check_graph: eps must be a positive number, got {eps}")
    if atol < 0 or rtol < 0:
        raise ValueError(f"check_graph: atol and rtol must be >= 0, got atol={atol}, rtol={rtol}")
    if max_elements is not None and max_elements < 1:
        raise ValueError(f"check_graph: max_elements must be >= 1, got {max_elements}")
    outs = _outputs_of(output, "check_graph")
    funcs = _forward_order(outs)
    if not funcs:
        raise ValueError(
            "check_graph: the output has no recorded graph (it is a leaf, or was computed under "
            "no_grad() or from tensors that do not require grad)"
        )
    for f in reversed(funcs):  # name the released op nearest the output
        if f.inputs is None:
            raise RuntimeError(
                f"check_graph: cannot check the graph: op {f.name} no longer holds its inputs "
                f"({f.release_message or 'released'}). Call check_graph before backward(), or use "
                "backward(retain_graph=True)"
            )
    rng = np.random.default_rng(seed)
    rows = []
    with _suspended_hooks():
        for i, f in enumerate(funcs):
            rows.append(_check_op(f, i, eps, atol, rtol, rng, max_elements))
    dtypes: list[str] = []
    for f in funcs:
        for x in f.inputs or ():
            dt = x.data.dtype
            if dt.kind == "f" and dt != np.float64 and str(dt) not in dtypes:
                dtypes.append(str(dt))
    return GraphCheckReport(rows, eps, atol, rtol, any(r.promoted for r in rows),
                            tuple(dtypes), seed)


def _check_op(f: Function, index: int, eps: float, atol: float, rtol: float,
              rng: np.random.Generator, max_elements: int | None) -> OpCheck:
    xs = f.inputs
    assert xs is not None
    floats = [str(x.data.dtype) for x in xs if x.data.dtype.kind == "f"]
    row = OpCheck(
        index=index, op=f.name, function=f, scope=f.scope,
        input_shapes=tuple(x.shape for x in xs),
        dtype="/".join(dict.fromkeys(floats)) or "-",
        promoted=any(x.data.dtype.kind == "f" and x.data.dtype != np.float64 for x in xs),
    )
    for i, (x, v) in enumerate(zip(xs, f._versions)):
        if x.version != v:
            row.passed = False
            row.error = (f"input {i} (shape {x.shape}) was modified in place after the op ran "
                         f"(version {x.version}, recorded {v}); the values it saw are gone")
            return row
    arrays = [np.array(x.data, dtype=np.float64) if x.data.dtype.kind == "f"
              else np.array(x.data) for x in xs]
    needs = tuple(f.needs_input_grad) + (False,) * (len(xs) - len(f.needs_input_grad))
    checked = tuple(i for i, n in enumerate(needs) if n and arrays[i].dtype.kind == "f")
    row.checked_inputs = checked

    # analytic: the op's own backward, on fresh leaves, given random cotangents
    leaves = [Tensor(a, requires_grad=bool(needs[i]) and a.dtype.kind == "f")
              for i, a in enumerate(arrays)]
    try:
        with enable_grad():
            ys = _fresh(f)(*leaves)
    except Exception as e:  # noqa: BLE001 - reported in the row
        row.passed = False
        row.error = f"forward raised {type(e).__name__}: {e}"
        return row
    ys_t = ys if isinstance(ys, tuple) else (ys,)
    cots: list[np.ndarray | None] = []
    for y in ys_t:
        if y.data.dtype.kind != "f":
            cots.append(None)
        elif y.size == 1:
            cots.append(np.ones(y.shape))
        else:
            cots.append(rng.standard_normal(y.shape))
    roots = [(y, v) for y, v in zip(ys_t, cots) if v is not None and y.requires_grad]
    if not checked or not roots:
        return row
    try:
        gs = grad([y for y, _ in roots], [leaves[i] for i in checked],
                  grad_outputs=[Tensor(v) for _, v in roots])
    except Exception as e:  # noqa: BLE001 - reported in the row
        row.passed = False
        row.error = f"backward raised {type(e).__name__}: {e}"
        return row
    del ys, ys_t, roots

    # numerical: central (and one-sided) differences of sum(op(inputs) * v)
    def value() -> float:
        out = _fresh(f).forward(*arrays)
        outs = out if isinstance(out, tuple) else (out,)
        total = 0.0
        for y, v in zip(outs, cots):
            if v is not None:
                total += float(np.sum(np.asarray(y, dtype=np.float64) * v))
        return total

    max_abs = 0.0
    scale = 0.0
    failing = []
    with no_grad(), np.errstate(all="ignore"):
        try:
            f0 = value()
        except Exception as e:  # noqa: BLE001 - reported in the row
            row.passed = False
            row.error = f"forward raised {type(e).__name__} on float64 copies: {e}"
            return row
        for k, i in enumerate(checked):
            arr = arrays[i]
            gk = gs[k]
            a_full = np.zeros(arr.shape) if gk is None else np.asarray(gk.data, dtype=np.float64)
            flat = np.arange(arr.size)
            if max_elements is not None and arr.size > max_elements:
                flat = np.sort(rng.choice(arr.size, max_elements, replace=False))
            central, fwd, bwd = finite_differences(value, arr, eps, flat, one_sided=True,
                                                   f0=f0)
            a = a_full.reshape(-1)[flat]
            err = np.abs(a - central)
            genuine, excused = classify_errors(a, central, fwd, bwd, atol, rtol)
            row.n_elements += flat.size
            row.n_bad += int(genuine.sum())
            row.n_nondifferentiable += int(excused.sum())
            kept = ~excused
            if kept.any():
                max_abs = max(max_abs, float(np.nanmax(np.where(kept, err, 0.0))))
                if np.isnan(err[kept]).any():
                    max_abs = float("nan")
                scale = max(scale, float(np.max(np.abs(central[kept]), initial=0.0)),
                            float(np.max(np.abs(a[kept]), initial=0.0)))
            if genuine.any():
                failing.append(i)
    row.max_abs_err = max_abs
    row.max_rel_err = max_abs / scale if scale > 0 else (0.0 if max_abs == 0 else float("inf"))
    row.failing_inputs = tuple(failing)
    row.passed = not failing
    row.nondifferentiable = row.n_nondifferentiable > 0
    return row


# ---------------------------------------------------------------------------
# trace_backward: one line per backward step

@dataclass
class BackwardStep:
    """One backward step recorded by :func:`trace_backward`.

    Attributes
    ----------
    step : int
        0 for the first function backpropagated (the one nearest the loss).
    op : str
        The op's type name.
    scope : str or None
        The module the op was recorded in.
    attrs : str
        The op's attributes (axis, shape, ...) as text.
    input_shapes : tuple
        The shapes of the op's inputs.
    incoming_shapes : tuple
        The shape of the gradient arriving for each output.
    summed_axes : tuple of tuple of int
        Per input, the axes of the output its gradient was summed over because
        the input was broadcast (``()`` when none); for a ``SumTo`` op, the axes
        it summed over (its backward broadcasts along them).
    produced_shapes : tuple
        The shape of the gradient produced for each input (None where none was).
    """

    step: int
    op: str
    scope: str | None
    attrs: str
    input_shapes: tuple[tuple[int, ...], ...]
    incoming_shapes: tuple[tuple[int, ...] | None, ...]
    summed_axes: tuple[tuple[int, ...], ...]
    produced_shapes: tuple[tuple[int, ...] | None, ...]


class BackwardTrace:
    """Record every backward step taken inside a ``with`` block (see :func:`trace_backward`).

    Attributes
    ----------
    rows : list of BackwardStep
        One row per backward step, in the order the engine took them.
    """

    def __init__(self) -> None:
        self.rows: list[BackwardStep] = []

    def _hook(self, f: Function, grad_outputs: tuple[Any, ...], grad_inputs: tuple[Any, ...]
              ) -> None:
        ins = f.inputs or ()
        in_shapes = [x.shape for x in ins]
        incoming = tuple(None if g is None else tuple(np.shape(_arr(g))) for g in grad_outputs)
        out_shape = incoming[0] if len(incoming) == 1 else None
        produced = tuple(None if g is None else tuple(np.shape(_arr(g))) for g in grad_inputs)
        axes = f.summed_axes(in_shapes, out_shape)
        attrs = ", ".join(f"{k}={v}" for k, v in f.attrs().items())
        self.rows.append(BackwardStep(len(self.rows), f.name, f.scope, attrs, tuple(in_shapes),
                                      incoming, axes, produced))

    def __enter__(self) -> BackwardTrace:
        autograd.backward_hooks.append(self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        hooks = autograd.backward_hooks
        for i in range(len(hooks) - 1, -1, -1):
            if hooks[i] == self._hook:
                del hooks[i]
                break

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self.rows)

    def __str__(self) -> str:
        body = []
        for r in self.rows:
            summed = "; ".join(f"in{i}: axis {', '.join(map(str, a))}"
                               for i, a in enumerate(r.summed_axes) if a)
            op = r.op + (f"({r.attrs})" if r.attrs else "")
            body.append([str(r.step), op, r.scope or "",
                         ", ".join(_shape_str(s) for s in r.incoming_shapes),
                         summed or "-",
                         ", ".join(_shape_str(s) for s in r.produced_shapes)])
        lines = [f"backward trace: {len(self.rows)} steps"]
        lines += _table(["step", "op", "scope", "grad in", "summed over", "grads out"], body,
                        [True, False, False, False, False, False])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BackwardTrace: {len(self.rows)} steps>"


def _arr(g: Any) -> Any:
    return g.data if isinstance(g, Tensor) else g


def trace_backward() -> BackwardTrace:
    """Record one row per backward step taken inside a ``with`` block.

    Each row names the op (type and scope), the shape of the gradient(s)
    arriving at it, the axes a broadcast input's gradient was summed over
    (for elementwise ops with broadcasting, the bias of ``Linear``, and
    ``SumTo``), and the shape of each gradient it produced. ``print(trace)``
    shows a table; ``trace.rows`` holds :class:`BackwardStep` objects.

    Returns
    -------
    BackwardTrace
        A context manager; the rows fill in while the block runs.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> x = mg.tensor(np.ones((4, 3)), requires_grad=True)
    >>> b = mg.tensor(np.zeros(3), requires_grad=True)
    >>> with mg.trace_backward() as trace:
    ...     (x + b).sum().backward()
    >>> [(r.op, r.summed_axes) for r in trace.rows]
    [('Sum', ((),)), ('Add', ((), (0,)))]
    """
    return BackwardTrace()


# ---------------------------------------------------------------------------
# graph_memory: the arrays a graph keeps alive for backward

def format_bytes(n: float) -> str:
    """Human-readable size: ``format_bytes(1536) == '1.5 KiB'``.

    Parameters
    ----------
    n : float
        A number of bytes.

    Returns
    -------
    str
        The size in B, KiB, MiB or GiB.
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{int(n)} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def _buffer(a: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``a`` looks at (``a`` itself unless it is a view)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _byte_range(a: np.ndarray) -> tuple[int, int]:
    """The addresses ``[low, high)`` of the memory the elements of ``a`` occupy."""
    low = high = a.__array_interface__["data"][0]
    if a.size == 0:
        return low, low
    for n, stride in zip(a.shape, a.strides):
        extent = (n - 1) * stride
        if extent < 0:
            low += extent
        else:
            high += extent
    return low, high + a.itemsize


def _add_range(ranges: list[tuple[int, int]], new: tuple[int, int]) -> int:
    """Merge ``new`` into the sorted disjoint ``ranges``; return how many bytes it added."""
    before = sum(h - lo for lo, h in ranges)
    merged: list[tuple[int, int]] = []
    for lo, h in sorted(ranges + [new]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], h))
        else:
            merged.append((lo, h))
    ranges[:] = merged
    return sum(h - lo for lo, h in merged) - before


@dataclass
class SavedArray:
    """One array an op keeps for backward (the ``.data`` of one of its inputs).

    Attributes
    ----------
    role : str
        ``"input 0"``, ``"input 1"``...
    name : str or None
        The tensor's name, when it has one.
    shape : tuple of int
        The array's shape.
    dtype : str
        The array's dtype.
    nbytes : int
        The array's size as NumPy reports it.
    counted_bytes : int
        What it adds to the total: the bytes of memory it refers to that no
        earlier entry referred to (0 for a tensor already listed, or a view of
        memory already counted).
    view : bool
        True when the array is a view into another array's memory.
    """

    role: str
    name: str | None
    shape: tuple[int, ...]
    dtype: str
    nbytes: int
    counted_bytes: int
    view: bool


@dataclass
class OpMemory:
    """The arrays one op keeps for backward.

    Attributes
    ----------
    index : int
        Position of the op in forward order.
    op : str
        The op's type name.
    scope : str or None
        The module it was recorded in.
    arrays : list of SavedArray
        What it keeps (empty once released).
    released : str or None
        Why the op no longer holds its inputs, when it does not.
    """

    index: int
    op: str
    scope: str | None
    arrays: list[SavedArray] = field(default_factory=list)
    released: str | None = None

    @property
    def counted_bytes(self) -> int:
        """Bytes this op adds to the total (arrays not already held by an earlier op)."""
        return sum(a.counted_bytes for a in self.arrays)


@dataclass
class GraphMemoryReport:
    """The result of :func:`graph_memory`; ``str()`` is a table with readable sizes.

    Attributes
    ----------
    rows : list of OpMemory
        One row per op, in forward order.
    total_bytes : int
        The bytes of every distinct buffer the graph keeps alive, each counted once.
    """

    rows: list[OpMemory]
    total_bytes: int

    @property
    def n_arrays(self) -> int:
        """How many of the listed arrays add memory of their own to the total."""
        return sum(1 for r in self.rows for a in r.arrays if a.counted_bytes)

    def __str__(self) -> str:
        body = []
        for r in self.rows:
            if r.released is not None:
                body.append([str(r.index), r.op, r.scope or "", "(released: holds nothing)",
                             "", "0 B"])
                continue
            for k, a in enumerate(r.arrays):
                label = f"{a.role}" + (f" {a.name}" if a.name else "")
                what = f"{label} {_shape_str(a.shape)} {a.dtype}" + (" view" if a.view else "")
                size = format_bytes(a.nbytes)
                note = size if a.counted_bytes == a.nbytes else (
                    f"{size} (shared)" if a.counted_bytes == 0 else
                    f"{size} ({format_bytes(a.counted_bytes)} new)")
                body.append([str(r.index) if k == 0 else "", r.op if k == 0 else "",
                             (r.scope or "") if k == 0 else "", what, note,
                             format_bytes(r.counted_bytes) if k == 0 else ""])
        lines = [f"graph memory: {len(self.rows)} ops hold {self.n_arrays} arrays, "
                 f"{format_bytes(self.total_bytes)} ({self.total_bytes} bytes) in all"]
        lines += _table(["#", "op", "scope", "saved for backward", "size", "adds"], body,
                        [True, False, False, False, True, True])
        lines.append(f"  total: {format_bytes(self.total_bytes)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GraphMemoryReport: {len(self.rows)} ops, {self.total_bytes} bytes>"


def graph_memory(output: Tensor | Sequence[Tensor]) -> GraphMemoryReport:
    """List, per op, the arrays the graph behind ``output`` keeps alive for backward.

    A recorded op holds its input tensors, so their ``.data`` arrays stay in
    memory until backward frees the graph. (An op that needs its output in
    backward, such as ``Exp`` or ``Sigmoid``, reaches it through the op that
    consumes it, which holds it as an input, or through you, for the final
    output.) The total counts every byte of memory once: a tensor used by
    several ops, or several views of one array (``reshape``, ``.T``,
    ``broadcast_to``), are counted once, and a view counts only the memory
    its elements occupy (a slice of a big dataset counts as the slice).

    Parameters
    ----------
    output : Tensor or sequence of Tensor
        The result of a forward pass.

    Returns
    -------
    GraphMemoryReport
        Rows in forward order, ``.total_bytes``, and a table as ``str()``.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> w = mg.tensor(np.zeros((10, 10)), requires_grad=True)
    >>> mg.graph_memory((w * w).sum()).total_bytes  # w (800 B) and w * w (800 B)
    1600
    """
    outs = _outputs_of(output, "graph_memory")
    covered: dict[int, list[tuple[int, int]]] = {}  # id(buffer) -> byte ranges counted
    keep: list[np.ndarray] = []  # keeps the buffers alive so their ids stay unique
    rows = []
    total = 0
    for i, f in enumerate(_forward_order(outs)):
        row = OpMemory(i, f.name, f.scope)
        if f.inputs is None:
            row.released = f.release_message or "released"
            rows.append(row)
            continue
        for k, x in enumerate(f.inputs):
            a = x.data
            buf = _buffer(a)
            if id(buf) not in covered:
                keep.append(buf)
            counted = _add_range(covered.setdefault(id(buf), []), _byte_range(a))
            total += counted
            row.arrays.append(SavedArray(f"input {k}", x.name, a.shape, str(a.dtype),
                                         int(a.nbytes), counted, buf is not a))
        rows.append(row)
    return GraphMemoryReport(rows, total)


def memory_profile_of_step(model: Any, x: Any, t: Any) -> GraphMemoryReport:
    """Run one forward pass of a training step and report the memory its graph holds.

    Parameters
    ----------
    model : object
        A model with ``loss(x, t)`` (the book's ``TwoLayerNet``), or a
        callable returning logits (then the loss is ``softmax_cross_entropy``).
    x : array_like or Tensor
        A mini-batch of inputs.
    t : array_like or Tensor
        Its labels.

    Returns
    -------
    GraphMemoryReport
        The memory held by the step's graph at its peak (before backward frees it).
        No gradient is computed and the model is left unchanged.
    """
    with enable_grad():
        loss = model.loss(x, t) if hasattr(model, "loss") else softmax_cross_entropy(model(x), t)
    if not isinstance(loss, Tensor):
        raise TypeError(f"memory_profile_of_step: the model's loss is a {type(loss).__name__}, "
                        "not a Tensor")
    if loss.creator is None:
        raise ValueError("memory_profile_of_step: the loss has no graph; do the model's "
                         "parameters require grad?")
    return graph_memory(loss)


# ---------------------------------------------------------------------------
# The accumulation audit (debug mode)

class AccumulationWarning(UserWarning):
    """backward() is adding to gradients that no optimizer step or ``zero_grad()`` consumed."""


# id(leaf) -> (weak reference to it, its version when a backward last reached it). Keyed by
# id because Tensor.__eq__ is elementwise, which a WeakKeyDictionary would call.
_reached: dict[int, tuple[weakref.ref[Tensor], int]] = {}


def _forget(key: int, ref: weakref.ref[Tensor]) -> None:
    entry = _reached.get(key)
    if entry is not None and entry[0] is ref:
        del _reached[key]


def _forgetter(key: int) -> Callable[[weakref.ref[Tensor]], None]:
    def forget(ref: weakref.ref[Tensor]) -> None:
        _forget(key, ref)

    return forget


def _leaves(roots: Sequence[Tensor]) -> list[Tensor]:
    found: dict[int, Tensor] = {}
    for r in roots:
        if r.creator is None and r._rg:
            found[id(r)] = r
    for f in _forward_order(list(roots)):
        for e in f.edges:
            if e.tensor is not None:
                found[id(e.tensor)] = e.tensor
    return list(found.values())


def _describe_tensor(x: Tensor) -> str:
    return repr(x.name) if x.name else f"tensor of shape {_shape_str(x.shape)}"


def _audit(roots: Sequence[Tensor]) -> None:
    """Warn when a backward would add to gradients the previous backward left unconsumed."""
    leaves = _leaves(roots)
    stale = []
    for x in leaves:
        if x.grad is None:
            continue
        entry = _reached.get(id(x))
        if entry is not None and entry[0]() is x and entry[1] == x.version:
            stale.append(x)
    for x in leaves:
        key = id(x)
        entry = _reached.get(key)
        if entry is not None and entry[0]() is x:
            _reached[key] = (entry[0], x.version)
        else:
            _reached[key] = (weakref.ref(x, _forgetter(key)), x.version)
    if stale:
        names = ", ".join(_describe_tensor(x) for x in stale)
        frame: Any = sys._getframe(0)
        level = 1
        while frame is not None and frame.f_code.co_filename.startswith(_PKG_DIR):
            frame = frame.f_back
            level += 1
        warnings.warn(
            f"backward() is adding to gradients that no optimizer step or zero_grad() consumed: "
            f"{names} still hold the gradient of a previous backward() and their values have "
            "not changed since. Call zero_grad() before backward() (ignore this if you "
            "accumulate gradients on purpose)",
            AccumulationWarning,
            stacklevel=level,
        )


def is_debug() -> bool:
    """Return True when the accumulation audit of debug mode is on."""
    return _audit in autograd.backward_start_hooks


def set_debug(enabled: bool = True) -> bool:
    """Turn debug mode on or off; it is off unless ``MINIGRAD_DEBUG=1`` was set at import.

    In debug mode every backward pass first looks at the leaves it will
    reach: when one already holds a gradient from a previous backward and
    its data has not changed since (no optimizer step updated it in place)
    and no ``zero_grad()`` cleared it, an :class:`AccumulationWarning` names
    those tensors. Off, it costs nothing: no hook is registered.

    Parameters
    ----------
    enabled : bool
        True to turn the audit on, False to turn it off.

    Returns
    -------
    bool
        Whether debug mode was on before the call.

    Examples
    --------
    >>> import warnings, minigrad as mg
    >>> w = mg.tensor([1.0, 2.0], requires_grad=True, name="w")
    >>> prev = mg.set_debug(True)
    >>> (w * w).sum().backward()
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     (w * w).sum().backward()
    >>> caught[0].category.__name__
    'AccumulationWarning'
    >>> _ = mg.set_debug(prev)
    """
    was = is_debug()
    if enabled and not was:
        autograd.backward_start_hooks.append(_audit)
    elif not enabled and was:
        autograd.backward_start_hooks.remove(_audit)
        _reached.clear()
    return was


if os.environ.get("MINIGRAD_DEBUG", "").strip().lower() in ("1", "true", "yes", "on"):
    set_debug(True)
