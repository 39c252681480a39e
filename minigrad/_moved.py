"""Former homes of names: a module-level ``__getattr__`` that forwards them with a warning."""

from __future__ import annotations

import importlib
import warnings
from collections.abc import Callable
from typing import Any


def forward_names(old: str, homes: dict[str, str]) -> Callable[[str], Any]:
    """Return a module ``__getattr__`` that finds each name of ``old`` in its new module.

    Parameters
    ----------
    old : str
        The dotted name of the former module (for the warning).
    homes : dict
        Each public name of the former module and the dotted name of its new module.
    """

    def __getattr__(name: str) -> Any:  # noqa: N807 - a module's __getattr__
        home = homes.get(name)
        if home is None:
            raise AttributeError(f"module {old!r} has no attribute {name!r}")
        warnings.warn(f"{old}.{name} has moved to {home}.{name}; the old name will be removed "
                      "in minigrad 2.0", DeprecationWarning, stacklevel=2)
        return getattr(importlib.import_module(home), name)

    return __getattr__
