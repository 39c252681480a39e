"""Grad mode: whether operations are recorded for backward.

The switches live here, in a module that imports nothing else from
minigrad, so that both :mod:`minigrad.tensor` (in-place updates) and
:mod:`minigrad.autograd` (recording, backward) can read them.
"""

from __future__ import annotations

import contextlib
from collections.abc import Callable
from typing import Any

__all__ = ["no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled"]


class _GradMode:
    """Global switches read on the hot path (a plain attribute is fastest)."""

    __slots__ = ("enabled", "in_backward")

    def __init__(self) -> None:
        self.enabled = True
        #: the function whose ``backward`` is running (None outside backward)
        self.in_backward: Any = None


_mode = _GradMode()


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
