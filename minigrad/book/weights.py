"""The book's pickled weight files, read without ever running a pickle's code.

The book ships its trained weights as pickles of a dictionary of NumPy arrays
(``ch07/params.pkl``, ``ch08/deep_convnet_params.pkl``,
``ch03/sample_weight.pkl``) and its networks' ``save_params`` write the same.
Unpickling a file can run any code the file names, so :func:`load_pickle` uses an
allow-list, as ``torch.load(weights_only=True)`` does: it rebuilds only dicts,
lists, tuples, strings, bytes, numbers, ``None``, NumPy arrays (of numbers,
not of Python objects), NumPy dtypes and NumPy scalars. Any other global the
file names (a class, a function such as ``os.system``) is refused with a
:class:`~minigrad.serialization.CheckpointError` naming it, before anything is
called. :func:`save_pickle` writes such a file atomically.

Examples
--------
>>> import os, tempfile, numpy as np
>>> from minigrad.book.weights import load_pickle, save_pickle
>>> path = os.path.join(tempfile.mkdtemp(), "params.pkl")
>>> save_pickle({"W1": np.ones((2, 2)), "b1": np.zeros(2)}, path)
>>> sorted(load_pickle(path))
['W1', 'b1']
"""

from __future__ import annotations

import importlib
import io
import os
import pickle
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad._fileio import PathLike, atomic_write
from minigrad.serialization import CheckpointError

__all__ = ["load_pickle", "save_pickle", "ALLOWED_GLOBALS"]

#: The globals a weight pickle may name: NumPy's array, dtype and scalar rebuilders
#: (under NumPy 1's and NumPy 2's module names), OrderedDict, complex, and the
#: latin-1 encoding of protocols 0-2.
ALLOWED_GLOBALS: frozenset[tuple[str, str]] = frozenset({
    *((core + ".multiarray", name) for core in ("numpy.core", "numpy._core")
      for name in ("_reconstruct", "scalar")),
    ("numpy.core.numeric", "_frombuffer"),
    ("numpy._core.numeric", "_frombuffer"),
    ("numpy", "ndarray"),
    ("numpy", "dtype"),
    ("collections", "OrderedDict"),
    ("builtins", "complex"),
    ("_codecs", "encode"),  # how protocols 0-2 store bytes; only latin-1 of a str is done
})


def _latin1_bytes(text: Any, encoding: str = "utf-8") -> bytes:
    """``_codecs.encode`` as protocols 0-2 use it for bytes: a str to latin-1 only."""
    if not isinstance(text, str) or encoding.replace("_", "-").lower() not in ("latin1",
                                                                                 "latin-1"):
        raise pickle.UnpicklingError(f"_codecs.encode with {type(text).__name__} and "
                                     f"{encoding!r} (only a str to latin1 is allowed)")
    return text.encode("latin-1")


def _resolve(module: str, name: str) -> Any:
    """The object an allowed global names, under this NumPy's own module names."""
    if module == "numpy":
        return getattr(np, name)
    if module == "collections":
        return OrderedDict
    if module == "builtins":
        return complex
    if module == "_codecs":
        return _latin1_bytes
    sub = module.rsplit(".", 1)[1]
    for home in ("numpy._core." + sub, "numpy.core." + sub):
        try:
            return getattr(importlib.import_module(home), name)
        except (ImportError, AttributeError):
            continue
    raise pickle.UnpicklingError(f"NumPy has no {module}.{name}")  # pragma: no cover


class _WeightsUnpickler(pickle.Unpickler):
    """An unpickler that resolves only :data:`ALLOWED_GLOBALS` and nothing persistent."""

    def find_class(self, module: str, name: str) -> Any:
        if (module, name) not in ALLOWED_GLOBALS:
            raise _Refused(f"{module}.{name}")
        return _resolve(module, name)

    def persistent_load(self, pid: Any) -> Any:
        raise _Refused(f"a persistent id ({type(pid).__name__})")


class _Refused(pickle.UnpicklingError):
    """A global outside the allow-list (internal; surfaces as CheckpointError)."""


_PLAIN = (str, bytes, bool, int, float, complex, type(None), np.dtype)


def _check(obj: Any, path: str, where: str, depth: int = 0) -> None:
    """Refuse object arrays and anything but containers of arrays and numbers."""
    if depth > 100:
        raise CheckpointError(f"{path}: {where} nests deeper than 100 levels")
    if isinstance(obj, np.ndarray):
        if obj.dtype.hasobject:
            raise CheckpointError(f"{path}: {where} is an array of Python objects (dtype "
                                  f"{obj.dtype}); only numeric arrays are loaded")
    elif isinstance(obj, np.generic):
        if isinstance(obj, np.object_):  # pragma: no cover - scalar() gives the object itself
            raise CheckpointError(f"{path}: {where} is a NumPy object scalar")
    elif isinstance(obj, dict):
        for key, value in obj.items():
            _check(key, path, f"a key of {where}", depth + 1)
            _check(value, path, f"{where}[{key!r}]", depth + 1)
    elif isinstance(obj, (list, tuple)):
        for i, value in enumerate(obj):
            _check(value, path, f"{where}[{i}]", depth + 1)
    elif not isinstance(obj, _PLAIN):
        raise CheckpointError(f"{path}: {where} is a {type(obj).__name__}; only dicts, lists, "
                              "tuples, numbers, strings, NumPy arrays and dtypes are loaded")


def load_pickle(path: PathLike) -> Any:
    """Read a pickled weight file safely: containers of NumPy arrays and numbers only.

    Parameters
    ----------
    path : str or os.PathLike
        The file (the book's ``params.pkl`` layout: a dict of name -> ndarray).

    Returns
    -------
    object
        What the file holds: dicts, lists, tuples, ndarrays, NumPy scalars and
        dtypes, Python numbers, strings, bytes and None.

    Raises
    ------
    CheckpointError
        If the file names a global outside :data:`ALLOWED_GLOBALS` (the message
        names it, e.g. ``posix.system``), holds an array of Python objects, or
        is not a whole pickle. Nothing the file names is ever called unless it
        is on the allow-list.
    """
    name = os.fspath(path)
    with open(name, "rb") as fh:
        data = fh.read()
    try:
        obj = _WeightsUnpickler(io.BytesIO(data), encoding="latin1").load()
    except _Refused as e:
        raise CheckpointError(
            f"{name}: refused to unpickle the global {e}: a weight file may hold only dicts, "
            "lists, tuples, numbers, strings and NumPy arrays, dtypes and scalars (no pickle "
            "runs code here)") from None
    except (pickle.UnpicklingError, EOFError, ValueError, TypeError, AttributeError,
            IndexError, KeyError, OverflowError, MemoryError) as e:
        raise CheckpointError(f"{name}: not a readable pickle of weights "
                              f"({type(e).__name__}: {e})") from None
    _check(obj, name, "the file")
    return obj


def save_pickle(obj: Any, path: PathLike) -> None:
    """Pickle ``obj`` (dicts, lists, tuples, arrays, numbers) to ``path``, atomically.

    Written with pickle protocol 4, which the book's ``pickle.load`` (and
    :func:`load_pickle`) read. Anything :func:`load_pickle` would refuse is
    refused here first, so the file can always be read back safely.

    Raises
    ------
    CheckpointError
        If ``obj`` holds something else than those (a Tensor: pass its ``.data``).
    """
    name = os.fspath(path)
    _check(obj, name, "the object to save")
    with atomic_write(name, "wb") as fh:
        pickle.dump(obj, fh, protocol=4)
