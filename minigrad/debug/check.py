"""``check_graph``: a gradient check of every op of a live graph, one op at a time."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass

import numpy as np

from minigrad import autograd
from minigrad.autograd import Function, enable_grad, grad, no_grad
from minigrad.debug._common import _forward_order, _outputs_of, _shape_str, _table
from minigrad.numerical import judge_gradient, kink_text, max_difference
from minigrad.tensor import Tensor

__all__ = ["check_graph", "GraphCheckReport", "OpCheck"]


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
        True when the derivative jumps at the op's input (relu or abs at 0, max or
        min with ties): the one-sided derivatives, extrapolated from steps ``eps``
        and ``eps / 2``, disagree and the analytic gradient lies between them.
        Such elements are flagged, not failed.
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
        input changed in place since the op ran, its forward is not
        deterministic), else None.
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
                rtol: float = 1e-3, seed: int = 0, max_elements: int | None = None,
                nondet_tol: float = 0.0) -> GraphCheckReport:
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

    Where the derivative jumps (relu or abs at exactly 0, max or min with
    ties, clip at a bound), the one-sided derivatives disagree; if the
    analytic gradient lies between them the op is flagged
    ``nondifferentiable`` rather than failed. The rule, and the code, are
    those of :func:`~minigrad.gradcheck`: the one-sided derivatives are
    extrapolated from one-sided differences at ``eps`` and ``eps / 2``
    (:func:`minigrad.numerical.classify_errors`), so the curvature of a
    smooth op is never taken for a kink. An op whose forward gives different
    results on the same inputs (more than ``nondet_tol`` apart) cannot be
    checked by finite differences: its row says it is not deterministic.

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
    nondet_tol : float
        How far two runs of an op's forward on the same inputs may differ,
        element by element (0.0: they must be identical), as in
        :func:`~minigrad.gradcheck`.

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
    if not nondet_tol >= 0:
        raise ValueError(f"check_graph: nondet_tol must be a number >= 0, got {nondet_tol!r}")
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
            rows.append(_check_op(f, i, eps, atol, rtol, rng, max_elements, nondet_tol))
    dtypes: list[str] = []
    for f in funcs:
        for x in f.inputs or ():
            dt = x.data.dtype
            if dt.kind == "f" and dt != np.float64 and str(dt) not in dtypes:
                dtypes.append(str(dt))
    return GraphCheckReport(rows, eps, atol, rtol, any(r.promoted for r in rows),
                            tuple(dtypes), seed)


def _check_op(f: Function, index: int, eps: float, atol: float, rtol: float,
              rng: np.random.Generator, max_elements: int | None,
              nondet_tol: float = 0.0) -> OpCheck:
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
    def outputs() -> list[np.ndarray]:
        out = _fresh(f).forward(*arrays)
        return [np.asarray(y) for y in (out if isinstance(out, tuple) else (out,))]

    def total(outs: list[np.ndarray]) -> float:
        return sum((float(np.sum(np.asarray(y, dtype=np.float64) * v))
                    for y, v in zip(outs, cots) if v is not None), 0.0)

    def value() -> float:
        return total(outputs())

    max_abs = 0.0
    scale = 0.0
    failing = []
    with no_grad(), np.errstate(all="ignore"):
        try:
            first = [y.copy() for y in outputs()]
            second = outputs()
        except Exception as e:  # noqa: BLE001 - reported in the row
            row.passed = False
            row.error = f"forward raised {type(e).__name__} on float64 copies: {e}"
            return row
        differ = [(k, max_difference(a, b)) for k, (a, b) in enumerate(zip(first, second))]
        differ = [(k, d) for k, d in differ if not d <= nondet_tol]
        if differ:
            row.passed = False
            row.error = ("forward is not deterministic: two runs on the same inputs differ ("
                         + ", ".join(f"output {k} by up to {d:.3g}" for k, d in differ)
                         + f", nondet_tol={nondet_tol:g}), so its finite differences measure "
                         "the noise, not the slope")
            return row
        f0 = total(second)
        for k, i in enumerate(checked):
            arr = arrays[i]
            gk = gs[k]
            a_full = np.zeros(arr.shape) if gk is None else np.asarray(gk.data, dtype=np.float64)
            flat = np.arange(arr.size)
            if max_elements is not None and arr.size > max_elements:
                flat = np.sort(rng.choice(arr.size, max_elements, replace=False))
            a = a_full.reshape(-1)[flat]
            # the same finite differences and the same rule for kinks as gradcheck
            central, genuine, excused = judge_gradient(value, arr, eps, a, atol, rtol, flat,
                                                       f0=f0)
            err = np.abs(a - central)
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
