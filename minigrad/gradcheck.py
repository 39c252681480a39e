"""Gradient checking: autodiff gradients against central differences."""

from __future__ import annotations

import contextlib
import warnings
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad import autograd
from minigrad.autograd import enable_grad, grad, no_grad
from minigrad.numerical import judge_gradient, kink_text, max_difference
from minigrad.tensor import Tensor

__all__ = [
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "GradcheckMismatch",
    "graph_op_names",
    "promoted_to_float64",
]


def graph_op_names(outputs: Tensor | Sequence[Tensor]) -> list[str]:
    """Return the op type names in the graph behind ``outputs``, nearest the outputs first."""
    outs = [outputs] if isinstance(outputs, Tensor) else list(outputs)
    return list(dict.fromkeys(f.name for f in autograd.walk(
        [o for o in outs if isinstance(o, Tensor)])))


@dataclass
class GradcheckMismatch:
    """The failing comparison of one input in a gradient check."""

    input_index: int
    input_name: str | None
    shape: tuple[int, ...]
    worst: list[tuple[tuple[int, ...], float, float, float, float]] = field(default_factory=list)
    """(index, analytic, numerical, abs error, rel error), worst first."""
    n_bad: int = 0


class GradcheckError(AssertionError):
    """Raised by :func:`gradcheck` when analytic and numerical gradients disagree.

    Attributes
    ----------
    mismatches : list of GradcheckMismatch
        One entry per failing input.
    op_names : list of str
        The op types found in the checked function's graph.
    first_failing_op : str or None
        The type name of the first op (in forward order) that fails a per-op
        check of the graph (:func:`minigrad.debug.check_graph`), when one was found.
    graph_report : minigrad.debug.GraphCheckReport or None
        That per-op check, when it could be run.
    promoted : list of int
        The inputs that were promoted to float64 for the check.
    nondeterministic : list of str
        When ``fn`` gave different results for the same inputs (then no
        gradient was compared and ``mismatches`` is empty): one entry per
        output or input that differed, ``"output 0 (fn called twice)"`` or
        ``"analytic gradient of input 1 (backward run twice)"``.
    """

    def __init__(self, message: str, mismatches: list[GradcheckMismatch],
                 op_names: list[str], first_failing_op: str | None = None,
                 graph_report: Any = None, promoted: list[int] | None = None,
                 nondeterministic: list[str] | None = None) -> None:
        super().__init__(message)
        self.mismatches = mismatches
        self.op_names = op_names
        self.first_failing_op = first_failing_op
        self.graph_report = graph_report
        self.promoted = promoted or []
        self.nondeterministic = nondeterministic or []


def _as_inputs(inputs: Any) -> tuple[Any, ...]:
    return (inputs,) if isinstance(inputs, (Tensor, np.ndarray)) else tuple(inputs)


def _reduce_outputs(out: Any, cotangents: list[np.ndarray] | None,
                    seed: int) -> tuple[Tensor, list[np.ndarray]]:
    """Reduce fn's output(s) to a scalar with fixed random cotangents."""
    outs = [out] if isinstance(out, Tensor) else list(out)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"gradcheck: output {i} of fn is a {type(o).__name__}, not a Tensor")
    if cotangents is None:
        rng = np.random.default_rng(seed)
        cotangents = [rng.standard_normal(o.shape) if o.size != 1 else np.ones(o.shape)
                      for o in outs]
    total: Tensor | None = None
    for o, v in zip(outs, cotangents):
        term = (o * v.astype(o.dtype)).sum() if o.dtype.kind == "f" else None
        if term is not None:
            total = term if total is None else total + term
    if total is None:
        raise TypeError("gradcheck: fn has no floating-point output to differentiate")
    return total, cotangents


def _output_arrays(out: Any) -> list[np.ndarray]:
    """Copies of the data of fn's output tensor(s), to compare two calls."""
    outs = [out] if isinstance(out, Tensor) else list(out)
    return [np.array(o.data, copy=True) for o in outs if isinstance(o, Tensor)]


def _nondeterminism_text(found: list[tuple[str, float]], nondet_tol: float) -> str:
    lines = [f"gradcheck failed: fn is not deterministic: two evaluations at the same inputs "
             f"differ by more than nondet_tol={nondet_tol:g}"]
    for what, diff in found:
        lines.append(f"  {what}: max abs difference {diff:.3g}")
    lines.append("  a numerical gradient of a function that changes between calls means nothing "
                 "(random noise, dropout in training mode, a generator drawn from on each "
                 "call): make fn deterministic (eval mode, a fresh seeded generator per call, "
                 "a fixed mask), or raise nondet_tol if the differences are only rounding")
    return "\n".join(lines)


def _compare(analytic: np.ndarray, numeric: np.ndarray, bad: np.ndarray,
             index: int, name: str | None) -> GradcheckMismatch | None:
    err = np.abs(analytic - numeric)
    if not bad.any():
        return None
    rel = err / np.maximum(np.abs(numeric), np.finfo(np.float64).tiny)
    order = np.argsort(-np.where(bad, err, -1.0), axis=None)[:5]
    worst = []
    for flat in order:
        idx = np.unravel_index(flat, analytic.shape) if analytic.ndim else ()
        idx = tuple(int(i) for i in idx)
        if not bad[idx]:
            break
        worst.append((idx, float(analytic[idx]), float(numeric[idx]), float(err[idx]),
                      float(rel[idx])))
    return GradcheckMismatch(index, name, analytic.shape, worst, int(bad.sum()))


def _format_report(mismatches: list[GradcheckMismatch], op_names: list[str], eps: float,
                   atol: float, rtol: float, report: Any, promoted: list[tuple[int, str]]) -> str:
    lines = [f"gradcheck failed: analytic and numerical gradients differ "
             f"(eps={eps:g}, atol={atol:g}, rtol={rtol:g})"]
    if promoted:
        what = ", ".join(f"input {i} ({dt})" for i, dt in promoted)
        lines.append(f"  {what} promoted to float64 for the check (restored afterwards)")
    for m in mismatches:
        label = f"input {m.input_index}" + (f" ({m.input_name!r})" if m.input_name else "")
        lines.append(f"  {label}, shape {m.shape}: {m.n_bad} element(s) out of tolerance; worst:")
        lines.append(f"    {'index':<14}{'analytic':>14}{'numerical':>14}{'abs err':>11}"
                     f"{'rel err':>11}")
        for idx, a, n, ae, re in m.worst:
            lines.append(f"    {str(idx):<14}{a:>14.6g}{n:>14.6g}{ae:>11.3g}{re:>11.3g}")
    lines.append(f"  ops in the graph: {', '.join(op_names) if op_names else '(none)'}")
    first = None if report is None else report.first_failure
    if first is not None:
        lines.append(f"  first failing op (checked one by one): {first.op}")
        lines.append(f"    {first.describe()}")
    elif report is not None:
        lines.append("  every op passes when checked one by one: look at how fn combines them "
                     "(e.g. values computed outside the graph, or in-place updates)")
    return "\n".join(lines)


@contextlib.contextmanager
def promoted_to_float64(tensors: Sequence[Any]) -> Iterator[list[tuple[int, str]]]:
    """Give lower-precision float tensors float64 copies of their data inside a ``with`` block.

    On exit each tensor gets back its original array object, so its values
    are bitwise unchanged (the original array is never written to). Yields
    ``(position, original dtype)`` for each promoted tensor.

    Parameters
    ----------
    tensors : sequence
        Tensors (other items are ignored).

    Yields
    ------
    list of (int, str)
        The promoted tensors' positions and original dtypes.
    """
    saved: list[tuple[Tensor, np.ndarray]] = []
    promoted: list[tuple[int, str]] = []
    try:
        for i, x in enumerate(tensors):
            if isinstance(x, Tensor) and x.data.dtype.kind == "f" and x.data.dtype != np.float64:
                if any(x is y for y, _ in saved):
                    continue
                saved.append((x, x.data))
                promoted.append((i, str(x.data.dtype)))
                x.data = x.data.astype(np.float64)
        yield promoted
    finally:
        for x, data in saved:
            x.data = data


def gradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6, atol: float = 1e-5,
              rtol: float = 1e-3, raise_exception: bool = True, seed: int = 0,
              nondet_tol: float = 0.0) -> bool:
    """Compare the autodiff gradient of ``fn(*inputs)`` with central differences.

    Every input tensor with ``requires_grad=True`` is checked. A non-scalar
    output is reduced to a scalar with a fixed random cotangent ``v``
    (``(fn(*inputs) * v).sum()``), so the whole Jacobian takes part.

    Parameters
    ----------
    fn : callable
        Takes the inputs, returns a Tensor (or a sequence of Tensors).
    inputs : Tensor or sequence
        The arguments of ``fn``. Float32 (or float16) tensors among them are
        promoted to float64 for the check and restored afterwards, bitwise
        (a warning says so); tensors ``fn`` reaches in other ways, such as a
        model's parameters in a closure, keep their dtype.
    eps : float
        The finite-difference step.
    atol, rtol : float
        An element passes when ``|analytic - numerical| <= atol + rtol * |numerical|``.
    raise_exception : bool
        Raise :class:`GradcheckError` on failure (else return False).
    seed : int
        Seed of the random cotangent.
    nondet_tol : float
        How far two evaluations of ``fn`` (each output, element by element)
        and two backward passes (each input's analytic gradient) at the same
        inputs may differ. The default 0.0 (as in PyTorch) asks for identical
        results. A function that differs more (random noise, dropout in
        training mode) fails with a message saying it is not deterministic:
        its finite differences would measure the noise, not the slope.

    Returns
    -------
    bool
        True when every gradient matches.

    Raises
    ------
    GradcheckError
        With a report naming the input, the worst elements (analytic vs
        numerical, absolute and relative error), the ops in the graph, and
        the first op that fails when each op is checked on its own
        (:func:`minigrad.debug.check_graph`), with the tolerances used; or
        naming the outputs or gradients that differ between two evaluations
        when ``fn`` is not deterministic.

    Notes
    -----
    An element whose central difference is out of tolerance still passes
    when ``fn`` is not differentiable there (a kink: relu or abs at 0, a tie
    of max, clip at a bound) and the analytic gradient lies between the
    one-sided derivatives; a warning counts such elements. The one-sided
    derivatives are extrapolated from one-sided differences at ``eps`` and
    ``eps / 2`` (:func:`minigrad.numerical.classify_errors`), which removes
    the part of the one-sided differences due to curvature: at a smooth
    point both equal the derivative, so nothing beyond the tolerance is
    excused there, however curved ``fn`` is. :func:`minigrad.debug.check_graph`
    applies the same rule through the same code.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> x = mg.tensor(np.random.default_rng(0).standard_normal((2, 3)), requires_grad=True)
    >>> mg.gradcheck(lambda x: (x * x).tanh(), [x])
    True
    """
    if not nondet_tol >= 0:
        raise ValueError(f"gradcheck: nondet_tol must be a number >= 0, got {nondet_tol!r}")
    xs = _as_inputs(inputs)
    targets: list[tuple[int, Tensor]] = []
    for i, x in enumerate(xs):  # a tensor passed twice is checked once (its total gradient)
        if isinstance(x, Tensor) and x.requires_grad and not any(x is y for _, y in targets):
            targets.append((i, x))
    if not targets:
        raise ValueError("gradcheck: no input is a Tensor with requires_grad=True")
    with promoted_to_float64(xs) as promoted:
        if promoted:
            what = ", ".join(f"input {i} ({dt})" for i, dt in promoted)
            warnings.warn(
                f"gradcheck: {what} promoted to float64 for the check (central differences "
                f"with eps={eps:g} need float64; atol={atol:g}, rtol={rtol:g}), and restored "
                "afterwards. Tensors fn reaches in other ways (e.g. parameters in a closure) "
                "keep their dtype.",
                stacklevel=2,
            )
        out = fn(*xs)
        op_names = graph_op_names(out)
        total, cot = _reduce_outputs(out, None, seed)
        first_outputs = _output_arrays(out)
        del out
        if total.requires_grad:
            tensors = [x for _, x in targets]
            analytic = grad(total, tensors, retain_graph=True)
            again = grad(total, tensors)  # the same backward once more, to compare
        else:
            analytic = again = (None,) * len(targets)
        del total

        def f_scalar(_: Any) -> float:
            with enable_grad():  # fn may itself differentiate (gradgradcheck)
                return float(_reduce_outputs(fn(*xs), cot, seed)[0].data)

        with enable_grad():  # fn may itself differentiate (gradgradcheck)
            out = fn(*xs)
            second_outputs = _output_arrays(out)
            f0 = float(_reduce_outputs(out, cot, seed)[0].data)
            del out
        found = []
        if len(first_outputs) != len(second_outputs):
            found.append(("the number of outputs", float("inf")))
        for k, (a1, a2) in enumerate(zip(first_outputs, second_outputs)):
            diff = max_difference(a1, a2)
            if not diff <= nondet_tol:
                found.append((f"output {k} (fn called twice)", diff))
        for (i, _), g1, g2 in zip(targets, analytic, again):
            if g1 is not None and g2 is not None:
                diff = max_difference(g1.data, g2.data)
                if not diff <= nondet_tol:
                    found.append((f"analytic gradient of input {i} (backward run twice)", diff))
        if found:
            if raise_exception:
                raise GradcheckError(_nondeterminism_text(found, nondet_tol), [], op_names,
                                     promoted=[i for i, _ in promoted],
                                     nondeterministic=[w for w, _ in found])
            return False

        mismatches = []
        kinks = []
        with no_grad():
            for (i, x), g in zip(targets, analytic):
                a = np.zeros(x.shape) if g is None else np.asarray(g.data, dtype=np.float64)
                if not x.data.flags.writeable:
                    raise ValueError(f"gradcheck: input {i} (shape {x.shape}) is read-only, but "
                                     "each element is perturbed in place; pass a writeable copy")
                # the same finite differences and the same rule for kinks as check_graph
                central, wrong, kink = judge_gradient(lambda: f_scalar(None), x.data, eps,
                                                      a.reshape(-1), atol, rtol, f0=f0)
                if kink.any():
                    kinks.append(f"input {i}: {kink_text(int(kink.sum()))}")
                m = _compare(a, central.reshape(a.shape), wrong.reshape(a.shape), i, x.name)
                if m is not None:
                    mismatches.append(m)
        if not mismatches:
            if kinks:
                warnings.warn("gradcheck: " + "; ".join(kinks), stacklevel=2)
            return True
        report = _graph_report(fn, xs, eps, atol, rtol, seed)
    first = None if report is None else report.first_failure
    first_op = None if first is None else first.op
    if raise_exception:
        raise GradcheckError(
            _format_report(mismatches, op_names, eps, atol, rtol, report, promoted),
            mismatches, op_names, first_op, report, [i for i, _ in promoted])
    return False


def _graph_report(fn: Callable[..., Any], xs: tuple[Any, ...], eps: float, atol: float,
                  rtol: float, seed: int) -> Any:
    """Check fn's graph op by op (:func:`minigrad.debug.check_graph`); None if that fails."""
    try:
        from minigrad.debug import check_graph

        with enable_grad():
            out = fn(*xs)
        outs = [out] if isinstance(out, Tensor) else list(out)
        return check_graph(outs, eps=eps, atol=atol, rtol=rtol, seed=seed)
    except Exception:  # noqa: BLE001 - the per-op check is a hint, never a second failure
        return None


def _first_failing_op(fn: Callable[..., Any], xs: tuple[Any, ...], eps: float, atol: float,
                      rtol: float) -> str | None:
    """Name the first op of fn's graph that fails a check on its own (None if unavailable)."""
    report = _graph_report(fn, xs, eps, atol, rtol, 0)
    row = None if report is None else report.first_failure
    return None if row is None else row.op


def _distinct_grad_tensors(xs: Sequence[Any]) -> list[Tensor]:
    """The tensors among ``xs`` that require grad, each once (by identity)."""
    out: list[Tensor] = []
    for x in xs:
        if isinstance(x, Tensor) and x.requires_grad and not any(x is y for y in out):
            out.append(x)
    return out


def gradgradcheck(fn: Callable[..., Any], inputs: Any, *, eps: float = 1e-6,
                  atol: float = 1e-5, rtol: float = 1e-3, raise_exception: bool = True,
                  seed: int = 0, nondet_tol: float = 0.0) -> bool:
    """Check second derivatives: gradcheck of the (create_graph) gradient of ``fn``.

    The first derivatives, contracted with fixed random vectors, form a scalar
    function of the inputs whose autodiff gradient (a Hessian-vector product)
    is compared with central differences of the first derivatives.

    Parameters
    ----------
    fn, inputs, eps, atol, rtol, raise_exception, seed, nondet_tol
        As in :func:`gradcheck` (whose rules for kinks and nondeterminism apply
        to the first derivatives).

    Returns
    -------
    bool
        True when every second derivative matches.
    """
    xs = _as_inputs(inputs)
    targets = _distinct_grad_tensors(xs)
    rng = np.random.default_rng(seed + 1)
    us = [rng.standard_normal(x.shape) for x in targets]
    cot: list[list[np.ndarray]] = []

    def first_derivative(*args: Any) -> Tensor:
        total, c = _reduce_outputs(fn(*args), cot[0] if cot else None, seed)
        if not cot:
            cot.append(c)
        gs = grad(total, _distinct_grad_tensors(args), create_graph=True)
        acc: Tensor | None = None
        for g, u in zip(gs, us):
            if g is not None:
                term = (g * u.astype(g.dtype)).sum()
                acc = term if acc is None else acc + term
        if acc is None:
            raise ValueError("gradgradcheck: fn does not depend on any input")
        return acc

    return gradcheck(first_derivative, xs, eps=eps, atol=atol, rtol=rtol,
                     raise_exception=raise_exception, seed=seed, nondet_tol=nondet_tol)
