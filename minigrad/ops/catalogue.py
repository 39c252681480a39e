"""The catalogue of ops: every public op declared once, beside its definition.

Each public function of an op module carries an :func:`op` declaration naming what
NumPy and PyTorch call it, whether it is a :class:`~minigrad.Tensor` method and whether
it belongs in :mod:`minigrad.functional`::

    @op("exp", torch="exp", method=True)
    def exp(x): ...

Everything else is derived from these declarations, in one place (this module):

* ``mg.*`` holds every op of the NumPy-like families (elementwise math, reductions,
  shape, indexing, linear algebra, creation) under its NumPy names and its PyTorch
  names. Where a PyTorch name means something else in NumPy (``transpose``), NumPy's
  meaning wins.
* :mod:`minigrad.functional` holds the ops of ``torch.nn.functional``'s families
  (activations, normalization, losses, convolution and pooling, padding, attention,
  linear algebra)
  and the elementwise math PyTorch users reach for through ``torch.*``, under their
  PyTorch names.
* The Tensor methods: an op declared ``method=True`` becomes a method under each of its
  names (the tensor is the first argument); ``method`` may instead give the method
  itself, or a dict of methods and operators by name.
* The op table of the documentation.
* What NumPy's functions run on tensors: ``np.exp(t)`` is the op whose NumPy name is
  ``exp`` (:mod:`minigrad.ops.numpy_dispatch`).

Adding an op is one :class:`~minigrad.Function`, one function with its ``@op`` line and
one row in a test table (see the contributing guide).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Entry", "op", "entries", "namespace", "install_methods", "REFLECTED",
           "MG_FAMILIES", "FUNCTIONAL_FAMILIES"]

#: The families whose ops are in ``mg.*`` (NumPy's namespace) by default.
MG_FAMILIES = frozenset({"elementwise", "reduce", "shape", "indexing", "linalg", "creation"})
#: The families whose ops are in ``minigrad.functional`` by default.
FUNCTIONAL_FAMILIES = frozenset({"elementwise", "linalg", "activation", "normalization", "loss",
                                 "conv", "padding", "attention"})


@dataclass(frozen=True)
class Entry:
    """One op of the catalogue.

    Attributes
    ----------
    function : callable
        The op's function (``minigrad.ops.<family>.<name>``).
    family : str
        The module of :mod:`minigrad.ops` it belongs to.
    numpy : tuple of str
        NumPy's names for it (empty where NumPy has none).
    torch : tuple of str
        PyTorch's names for it with the same meaning (empty where PyTorch has none).
    mg : bool
        Whether it is in ``mg.*``.
    functional : tuple of str
        Its names in :mod:`minigrad.functional` (empty: not there).
    methods : dict
        The Tensor methods, properties and operators it contributes, by name.
    """

    function: Callable[..., Any]
    family: str
    numpy: tuple[str, ...]
    torch: tuple[str, ...]
    mg: bool
    functional: tuple[str, ...]
    methods: Mapping[str, Any] = field(default_factory=dict)

    @property
    def name(self) -> str:
        """The op's own name (its function's)."""
        return self.function.__name__

    @property
    def names(self) -> tuple[str, ...]:
        """Every name the op goes by: its own, NumPy's, then PyTorch's (each once)."""
        return tuple(dict.fromkeys((self.name, *self.numpy, *self.torch)))

    @property
    def summary(self) -> str:
        """The first line of the function's docstring."""
        doc = (self.function.__doc__ or "").strip()
        return doc.splitlines()[0] if doc else ""


_ENTRIES: dict[str, Entry] = {}

#: In a ``method`` dict: the reflected operator, ``x.__rsub__(y)`` is ``op(y, x)``.
REFLECTED = object()


def _reflected(function: Callable[..., Any]) -> Callable[..., Any]:
    def reflected(self: Any, other: Any) -> Any:
        return function(other, self)

    reflected.__name__ = reflected.__qualname__ = f"reflected_{function.__name__}"
    reflected.__doc__ = f"``{function.__name__}(other, self)``."
    return reflected


def _names(value: str | Iterable[str]) -> tuple[str, ...]:
    return (value,) if isinstance(value, str) else tuple(value)


def op(*numpy: str, torch: str | Iterable[str] = (), method: bool | Callable[..., Any]
       | Mapping[str, Any] = False, functional: bool | Iterable[str] | None = None,
       mg: bool | None = None) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Declare the decorated function an op of the catalogue.

    Parameters
    ----------
    *numpy : str
        NumPy's names for the op (none where NumPy has no such function).
    torch : str or iterable of str
        PyTorch's names for it (``torch.*``, ``torch.nn.functional.*`` or
        ``torch.Tensor``), only where the meaning is the same.
    method : bool, callable or dict
        True: a Tensor method under each of the op's names, the function itself with
        the tensor as its first argument. A callable: that method, under each name. A
        dict: the methods, properties and operators (``"__add__"``) by name.
    functional : bool or iterable of str, optional
        Whether the op is in :mod:`minigrad.functional` (by default: when its family
        is one of :data:`FUNCTIONAL_FAMILIES`), there under its PyTorch names (its
        own where PyTorch has none); or its names there.
    mg : bool, optional
        Whether the op is in ``mg.*`` (by default: when its family is one of
        :data:`MG_FAMILIES`).

    Returns
    -------
    callable
        A decorator that records the function and returns it unchanged.
    """

    def declare(function: Callable[..., Any]) -> Callable[..., Any]:
        family = function.__module__.rsplit(".", 1)[-1]
        numpy_names, torch_names = tuple(numpy), _names(torch)
        all_names = tuple(dict.fromkeys((function.__name__, *numpy_names, *torch_names)))
        if method is True:
            methods: dict[str, Any] = dict.fromkeys(all_names, function)
        elif method is False:
            methods = {}
        elif callable(method):
            methods = dict.fromkeys(all_names, method)
        else:
            methods = {k: function if v is True else _reflected(function) if v is REFLECTED
                       else v for k, v in method.items()}
        in_f = family in FUNCTIONAL_FAMILIES if functional is None else functional
        f_names = (torch_names or (function.__name__,)) if in_f is True else () \
            if in_f is False else _names(in_f)
        entry = Entry(function, family, numpy_names, torch_names,
                      family in MG_FAMILIES if mg is None else mg, f_names, methods)
        if function.__name__ in _ENTRIES and _ENTRIES[function.__name__].function is not function:
            raise ValueError(f"op {function.__name__!r} is declared twice "
                             f"({_ENTRIES[function.__name__].family} and {family})")
        _ENTRIES[function.__name__] = entry
        return function

    return declare


def entries() -> list[Entry]:
    """Every op of the catalogue, in the order they were declared."""
    return list(_ENTRIES.values())


def namespace(which: str) -> dict[str, Callable[..., Any]]:
    """The names of one namespace: ``"mg"`` or ``"functional"``.

    In ``mg`` an op is found under its own name, its NumPy names and its PyTorch
    names; where two ops claim a name, the one for which it is a NumPy name keeps it.
    In ``functional`` an op is found under the names of :attr:`Entry.functional`.
    """
    if which not in ("mg", "functional"):
        raise ValueError(f"namespace: which must be 'mg' or 'functional', got {which!r}")
    found: dict[str, Callable[..., Any]] = {}
    for e in _ENTRIES.values():
        if which == "mg" and e.mg:
            for name in e.names:
                found.setdefault(name, e.function)
        elif which == "functional":
            for name in e.functional:
                found.setdefault(name, e.function)
    if which == "mg":  # a NumPy name belongs to the op NumPy means by it
        for e in _ENTRIES.values():
            if e.mg:
                for name in e.numpy:
                    found[name] = e.function
    return found


def install_methods(cls: type) -> None:
    """Give ``cls`` (the Tensor) every method the catalogue declares.

    A method name claimed by two ops goes to the op for which it is a NumPy name.
    """
    chosen: dict[str, tuple[Entry, Any]] = {}
    for e in _ENTRIES.values():
        for name, impl in e.methods.items():
            if name not in chosen or name in e.numpy:
                chosen[name] = (e, impl)
    for name, (_, impl) in chosen.items():
        setattr(cls, name, impl)
