"""Anomaly detection: find the first operation that produced NaN or inf.

Inside :class:`detect_anomaly`, every *recorded* operation (one with an
input that requires grad, in grad mode) has its outputs checked after its
forward, and every backward step has the gradients it returns checked. The
first non-finite value raises :class:`AnomalyError`, naming the operation,
its inputs' shapes and dtypes, and the line of your code that created it.

The mode works through the engine's hook lists
(:data:`minigrad.autograd.forward_hooks` and
:data:`minigrad.autograd.backward_hooks`): its hooks are installed only
while the mode is active, so ordinary runs pay nothing for it.

Operations that are not recorded (under :func:`~minigrad.no_grad`, or on
tensors none of which requires grad) are not checked.
"""

from __future__ import annotations

import contextlib
import linecache
import os
import sys
import weakref
from collections.abc import Sequence
from types import FrameType
from typing import Any

import numpy as np

from minigrad import autograd
from minigrad.autograd import Function

__all__ = ["AnomalyError", "detect_anomaly", "is_anomaly_enabled"]

_PACKAGE_DIR = os.path.dirname(os.path.abspath(__file__)) + os.sep
# Engine modules: never the "user's line", even when the caller is inside the package.
_ENGINE_FILES = frozenset(
    os.path.join(_PACKAGE_DIR, name)
    for name in ("autograd.py", "tensor.py", "functional.py", "anomaly.py", "gradcheck.py")
)
_OPS_DIR = os.path.join(_PACKAGE_DIR, "ops") + os.sep


class AnomalyError(FloatingPointError):
    """An operation produced NaN or inf inside :class:`detect_anomaly`.

    Attributes
    ----------
    function : Function
        The operation whose output (forward) or returned gradient (backward) was not finite.
    phase : str
        ``"forward"`` or ``"backward"``.
    location : str or None
        ``"file:line"`` of the code that created the operation, when known.
    """

    def __init__(self, message: str, function: Function, phase: str,
                 location: str | None) -> None:
        super().__init__(message)
        self.function = function
        self.phase = phase
        self.location = location


class _Site:
    """Where an operation was created: the user's frame, and the backward it ran in, if any."""

    __slots__ = ("filename", "lineno", "funcname", "in_backward_of")

    def __init__(self, filename: str, lineno: int, funcname: str,
                 in_backward_of: Function | None) -> None:
        self.filename = filename
        self.lineno = lineno
        self.funcname = funcname
        self.in_backward_of = in_backward_of

    @property
    def location(self) -> str:
        return f"{self.filename}:{self.lineno}"

    def describe(self) -> str:
        line = linecache.getline(self.filename, self.lineno).strip()
        text = f'  File "{self.filename}", line {self.lineno}, in {self.funcname}'
        if line:
            text += f"\n    {line}"
        return text


# Creation sites of the operations recorded while the mode is on.
_sites: weakref.WeakKeyDictionary[Function, _Site] = weakref.WeakKeyDictionary()
_depth = 0


def is_anomaly_enabled() -> bool:
    """Return True while :class:`detect_anomaly` is active."""
    return _depth > 0


def _in_package(filename: str) -> bool:
    return filename.startswith(_PACKAGE_DIR)


def _is_engine(filename: str) -> bool:
    return filename in _ENGINE_FILES or filename.startswith(_OPS_DIR)


def _capture_site(start: FrameType | None) -> _Site | None:
    """Find the user's frame: the innermost one outside the minigrad package.

    If every frame is inside the package (say, the package's own training
    loop), the innermost frame outside the engine modules is used instead.
    """
    frame = start
    fallback: FrameType | None = None
    in_backward_of = autograd.running_backward()  # told by the engine, not read from frames
    found: FrameType | None = None
    while frame is not None:
        code = frame.f_code
        filename = code.co_filename
        if not _in_package(filename):
            found = frame
            break
        if fallback is None and not _is_engine(filename):
            fallback = frame
        frame = frame.f_back
    found = found or fallback
    if found is None:
        return None
    return _Site(found.f_code.co_filename, found.f_lineno, found.f_code.co_name, in_backward_of)


def _count_bad(a: np.ndarray) -> tuple[int, int]:
    """Return (number of NaN, number of inf) in ``a``; (0, 0) for non-float arrays."""
    if a.dtype.kind not in "fc":
        return 0, 0
    if np.isfinite(a).all():
        return 0, 0
    return int(np.isnan(a).sum()), int(np.isinf(a).sum())


def _has_bad(x: Any) -> bool:
    """True if ``x`` (a Tensor, an array or None) holds NaN or inf."""
    a = _as_array(x)
    return a is not None and _count_bad(a) != (0, 0)


def _what(nan: int, inf: int, size: int) -> str:
    parts = []
    if nan:
        parts.append(f"{nan} NaN")
    if inf:
        parts.append(f"{inf} inf")
    return " and ".join(parts) + f" of {size} values"


def _as_array(x: Any) -> np.ndarray | None:
    if x is None:
        return None
    return np.asarray(getattr(x, "data", x))


def _describe_inputs(xs: Sequence[Any]) -> str:
    parts = []
    for x in xs:
        a = _as_array(x)
        parts.append("None" if a is None else f"{a.dtype} {a.shape}")
    return ", ".join(parts)


def _site_text(f: Function, site: _Site | None) -> str:
    lines = []
    if f.scope:
        lines.append(f"in module {f.scope!r}")
    if site is None:
        lines.append("created at an unknown location")
    else:
        inner = site.in_backward_of
        if inner is not None:
            outer = _sites.get(inner)
            lines.append(f"created while computing the backward of {inner.name}, called from")
            lines.append(site.describe())
            if outer is not None:
                lines.append(f"that {inner.name} was created at")
                lines.append(outer.describe())
        else:
            lines.append("created at")
            lines.append(site.describe())
    return "\n".join(lines)


def _forward_hook(f: Function, inputs: Sequence[Any], outputs: Sequence[Any]) -> None:
    site = _capture_site(sys._getframe(1))
    if site is not None:
        _sites[f] = site
    for i, y in enumerate(outputs):
        a = _as_array(y)
        if a is None:
            continue
        nan, inf = _count_bad(a)
        if nan or inf:
            out = f"output {i}" if len(outputs) > 1 else "its output"
            msg = (f"{f.name} produced {_what(nan, inf, a.size)} in {out} (shape {a.shape}) "
                   f"in forward; inputs: {_describe_inputs(inputs)}\n{_site_text(f, site)}")
            bad_in = [j for j, x in enumerate(inputs) if _has_bad(x)]
            if bad_in:
                msg += (f"\nnote: input(s) {bad_in} already held NaN or inf; they did not come "
                        "from a recorded operation (only recorded operations are checked)")
            raise AnomalyError(msg, f, "forward", site.location if site else None)


def _backward_hook(f: Function, grad_outputs: Sequence[Any], grad_inputs: Sequence[Any]) -> None:
    for i, g in enumerate(grad_inputs):
        a = _as_array(g)
        if a is None:
            continue
        nan, inf = _count_bad(a)
        if nan or inf:
            site = _sites.get(f)
            inputs = f.inputs or ()
            msg = (f"the backward of {f.name} returned {_what(nan, inf, a.size)} in the gradient "
                   f"of input {i} (shape {a.shape}); inputs: {_describe_inputs(inputs)}\n"
                   f"{_site_text(f, site)}")
            bad_g = [j for j, gy in enumerate(grad_outputs) if _has_bad(gy)]
            if bad_g:
                msg += "\nnote: the gradient flowing into it already held NaN or inf"
            raise AnomalyError(msg, f, "backward", site.location if site else None)


class detect_anomaly(contextlib.ContextDecorator):
    """Context manager and decorator that raises at the first NaN or inf.

    While active, the outputs of every recorded operation and the gradients
    returned by every backward step are checked; the first non-finite value
    raises :class:`AnomalyError` naming the operation, its input shapes and
    the line of code that created it (captured at forward time, in this mode
    only). NumPy's floating-point warnings are silenced inside the mode, so
    the error raised is this one. The mode nests; the checks stop when the
    outermost block exits.

    Only recorded operations are checked: operations run under
    :func:`~minigrad.no_grad`, or whose inputs do not require grad, are not.

    Examples
    --------
    >>> import minigrad as mg
    >>> x = mg.tensor([1.0, -1.0], requires_grad=True)
    >>> with mg.detect_anomaly():
    ...     y = x.log()  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    minigrad.anomaly.AnomalyError: Log produced 1 NaN of 2 values in its output ...
    """

    def __init__(self) -> None:
        self._errstates: list[Any] = []

    def __enter__(self) -> detect_anomaly:
        global _depth
        state = np.errstate(divide="ignore", over="ignore", invalid="ignore")
        state.__enter__()
        self._errstates.append(state)
        if _depth == 0:
            autograd.forward_hooks.append(_forward_hook)
            autograd.backward_hooks.append(_backward_hook)
        _depth += 1
        return self

    def __exit__(self, *exc: object) -> None:
        global _depth
        _depth -= 1
        if _depth == 0:
            _remove(autograd.forward_hooks, _forward_hook)
            _remove(autograd.backward_hooks, _backward_hook)
        self._errstates.pop().__exit__(*exc)


def _remove(hooks: list[Any], hook: Any) -> None:
    with contextlib.suppress(ValueError):
        hooks.remove(hook)
