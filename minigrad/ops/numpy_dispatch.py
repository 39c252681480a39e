"""NumPy functions on tensors: ``np.exp(t)`` runs :func:`minigrad.exp` and records it.

A :class:`~minigrad.Tensor` takes part in NumPy's two dispatch protocols
(``__array_ufunc__`` for ufuncs such as ``np.exp`` and ``np.add``,
``__array_function__`` for the other functions such as ``np.sum`` and
``np.concatenate``). A NumPy function is looked up by its name among the NumPy names
the ops declare in :mod:`minigrad.ops.catalogue`; if an op has that name, the op runs
on the tensors, so the result is a Tensor with a graph. NumPy code written for arrays,
such as the book's ``softmax``, then takes tensors and gives gradients.

A NumPy function no op stands for raises a TypeError: its result would be an ndarray
cut from the graph. Call it on ``t.numpy()`` (or ``np.asarray(t)``) to get that
ndarray on purpose. Three kinds of functions are not refused:

* the comparisons (``np.less``, ``np.equal``, ...) give the same bool tensors as the
  operators ``<`` and ``==`` (they are never differentiable);
* the functions that describe an array instead of computing one (``np.shape``,
  ``np.ndim``, ``np.size``, ``np.allclose``, ``np.array_equal``, ...) run on the data;
* ``out=`` and any other argument the op cannot honour are refused by name.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad.ops import catalogue
from minigrad.tensor import Tensor, _make

__all__ = ["install", "numpy_table"]

#: The ufuncs that compare: they give the bool tensor the operator gives (``<``, ``==``).
_COMPARISONS = frozenset({"equal", "not_equal", "less", "less_equal", "greater",
                          "greater_equal"})
#: Functions that describe arrays instead of computing one: they run on the data.
_DESCRIPTIVE = frozenset({"shape", "ndim", "size", "allclose", "array_equal", "array_equiv",
                          "result_type", "can_cast", "min_scalar_type", "iscomplexobj",
                          "isrealobj", "may_share_memory", "shares_memory", "array_repr",
                          "array_str", "array2string"})
#: The keyword arguments of a ufunc call and the values that change nothing.
_UFUNC_NEUTRAL: dict[str, Any] = {"dtype": None, "where": True, "casting": "same_kind",
                                  "order": "K", "subok": True, "signature": None}

_table: dict[str, Callable[..., Any]] | None = None
_signatures: dict[Any, inspect.Signature | None] = {}


def numpy_table() -> dict[str, Callable[..., Any]]:
    """The op functions by NumPy name, as the catalogue declares them.

    Built on first use (every op module has declared its ops by then).
    """
    global _table
    if _table is None:
        _table = {name: e.function for e in catalogue.entries() for name in e.numpy}
    return _table


def _unwrap(x: Any) -> Any:
    if isinstance(x, Tensor):
        return x.data
    if isinstance(x, (list, tuple)):
        return type(x)(_unwrap(v) for v in x)
    return x


def _not_differentiable(name: str) -> TypeError:
    return TypeError(
        f"{name} has no minigrad op, so its result on a Tensor would not be differentiable "
        f"(an ndarray cut from the graph). Call it on the data to get that ndarray on "
        f"purpose: {name}(t.numpy()) or {name}(np.asarray(t)); or write it with minigrad's "
        "ops (see the op table in the documentation)"
    )


def _no_out(name: str) -> TypeError:
    return TypeError(
        f"{name}(..., out=...) is not supported with Tensors: an op records a new Tensor and "
        f"never writes into an existing array. Use the returned value (y = {name}(...); "
        "for an ndarray a, write a = a + t instead of a += t), or call it on ndarrays "
        "(t.numpy()) for a result outside the graph"
    )


def _is_default(value: Any, default: Any) -> bool:
    if value is default:
        return True
    simple = (bool, int, float, str, type(None))
    return type(value) in simple and type(value) is type(default) and value == default


def _ufunc(self: Tensor, ufunc: np.ufunc, method: str, *inputs: Any, **kwargs: Any) -> Any:
    """``__array_ufunc__``: run the op NumPy's ufunc stands for."""
    name = f"np.{ufunc.__name__}"
    if method != "__call__":
        raise TypeError(
            f"{name}.{method} is not supported with Tensors; use the reduction or op of "
            f"minigrad (np.sum, np.cumsum, np.max, mg.outer, ...) or call it on t.numpy() "
            "for an ndarray outside the graph")
    out = kwargs.pop("out", None)
    if out is not None and any(o is not None for o in (out if isinstance(out, tuple)
                                                       else (out,))):
        raise _no_out(name)
    for key, value in kwargs.items():
        if key not in _UFUNC_NEUTRAL or not _is_default(value, _UFUNC_NEUTRAL[key]):
            raise TypeError(f"{name}(..., {key}={value!r}) is not supported with Tensors; "
                            "call it without that argument")
    if ufunc.__name__ in _COMPARISONS:
        return _make(ufunc(*(_unwrap(x) for x in inputs)))
    function = numpy_table().get(ufunc.__name__)
    if function is None:
        raise _not_differentiable(name)
    return function(*inputs)


def _signature(func: Any) -> inspect.Signature | None:
    if func not in _signatures:
        try:
            _signatures[func] = inspect.signature(func)
        except (TypeError, ValueError):  # pragma: no cover - every NumPy function has one
            _signatures[func] = None
    return _signatures[func]


def _translate(name: str, func: Any, function: Callable[..., Any], args: tuple[Any, ...],
               kwargs: dict[str, Any]) -> tuple[list[Any], dict[str, Any]]:
    """NumPy's call ``func(*args, **kwargs)`` as a call of the op ``function``.

    The first argument, NumPy's positional-only ones and ``*args`` go by position;
    the others by name, to the op's parameter of that name. An argument left at
    NumPy's default is dropped; ``out=`` and an argument the op has no parameter for
    are refused by name.
    """
    np_sig = _signature(func)
    if np_sig is None:  # pragma: no cover
        return list(args), dict(kwargs)
    try:
        bound = np_sig.bind(*args, **kwargs)
    except TypeError as e:
        raise TypeError(f"{name}: {e}") from None
    mg_params = inspect.signature(function).parameters
    by_name = {p for p, v in mg_params.items()
               if v.kind in (v.POSITIONAL_OR_KEYWORD, v.KEYWORD_ONLY)}
    positional: list[Any] = []
    named: dict[str, Any] = {}
    for i, (pname, param) in enumerate(np_sig.parameters.items()):
        if pname not in bound.arguments:
            continue
        value = bound.arguments[pname]
        if param.kind is param.VAR_POSITIONAL:
            positional.extend(value)
            continue
        items = value.items() if param.kind is param.VAR_KEYWORD else [(pname, value)]
        for key, v in items:
            if key == "out":
                if v is None:
                    continue
                raise _no_out(name)
            if i == 0 or param.kind is param.POSITIONAL_ONLY:
                positional.append(v)
            elif param.default is not param.empty and _is_default(v, param.default):
                continue
            elif key in by_name:
                named[key] = v
            else:
                raise TypeError(
                    f"{name}(..., {key}=...) is not supported with Tensors: minigrad's "
                    f"{function.__name__}{inspect.signature(function)} has no such "
                    "parameter; call it without that argument, or on t.numpy() for an "
                    "ndarray outside the graph")
    try:
        inspect.signature(function).bind(*positional, **named)
    except TypeError as e:
        raise TypeError(f"{name} with Tensors runs minigrad's {function.__name__}"
                        f"{inspect.signature(function)}, which cannot take these arguments "
                        f"({e})") from None
    return positional, named


def _function(self: Tensor, func: Any, types: Any, args: tuple[Any, ...],
              kwargs: dict[str, Any]) -> Any:
    """``__array_function__``: run the op NumPy's function stands for."""
    if not all(issubclass(t, (Tensor, np.ndarray)) for t in types):
        return NotImplemented
    short = func.__name__
    name = f"np.{short}" if getattr(func, "__module__", None) == "numpy" else \
        f"{func.__module__}.{short}"
    if name == f"np.{short}" and short in _DESCRIPTIVE:
        return func(*_unwrap(args), **{k: _unwrap(v) for k, v in kwargs.items()})
    function = numpy_table().get(short) if name == f"np.{short}" else None
    if function is None:
        raise _not_differentiable(name)
    positional, named = _translate(name, func, function, args, kwargs)
    return function(*positional, **named)


def install(cls: type) -> None:
    """Give ``cls`` (the Tensor) NumPy's two dispatch protocols."""
    cls.__array_ufunc__ = _ufunc  # type: ignore[attr-defined]
    cls.__array_function__ = _function  # type: ignore[attr-defined]
