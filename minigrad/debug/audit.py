"""The accumulation audit of debug mode: ``set_debug``, ``is_debug``, ``AccumulationWarning``."""

from __future__ import annotations

import os
import sys
import warnings
import weakref
from collections.abc import Callable, Sequence
from typing import Any

from minigrad import autograd
from minigrad.debug._common import _forward_order, _shape_str
from minigrad.tensor import Tensor

__all__ = ["set_debug", "is_debug", "AccumulationWarning"]

# frames from files under this directory (the minigrad package) are skipped when the
# warning names the caller's line
_PKG_DIR = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


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
