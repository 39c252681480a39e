"""Weights that move: state dicts to and from PyTorch, and safetensors files.

A :mod:`minigrad.nn` model's :meth:`~minigrad.nn.Module.state_dict` has
PyTorch's keys and layouts (``0.weight`` of a Linear is ``(out, in)``,
BatchNorm's ``running_mean``, ``running_var`` and ``num_batches_tracked``),
so the weights of a model move to the same model written with ``torch.nn``
and back:

* :func:`to_torch_state_dict` turns the arrays into ``torch.Tensor`` s (the
  same dtypes), for ``torch_model.load_state_dict``;
* :func:`from_torch_state_dict` turns a PyTorch state dict into arrays
  (``model.load_state_dict`` also takes CPU torch tensors directly);
* :func:`save_safetensors` and :func:`load_safetensors` write and read the
  `safetensors <https://huggingface.co/docs/safetensors>`_ format, which
  PyTorch (``safetensors.torch.load_file``) and other libraries read.

PyTorch is imported only by the two torch functions, and the safetensors
package only by the two file functions (``pip install 'minigrad[interop]'``).

Examples
--------
>>> import numpy as np, minigrad.nn as nn
>>> from minigrad.interop import from_torch_state_dict, to_torch_state_dict
>>> net = nn.Sequential(nn.Linear(3, 2, rng=0))
>>> sd = to_torch_state_dict(net)                                 # doctest: +SKIP
>>> sd["0.weight"].shape                                          # doctest: +SKIP
torch.Size([2, 3])
>>> net.load_state_dict(from_torch_state_dict(sd))                # doctest: +SKIP
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad._fileio import PathLike, atomic_write_bytes
from minigrad.serialization import CheckpointError
from minigrad.tensor import Tensor

__all__ = ["to_torch_state_dict", "from_torch_state_dict", "save_safetensors",
           "load_safetensors"]


def _arrays(state_dict: Any, where: str) -> dict[str, np.ndarray]:
    """Return ``state_dict`` (a mapping, or a module's state dict) as str -> ndarray."""
    if hasattr(state_dict, "state_dict") and not isinstance(state_dict, Mapping):
        state_dict = state_dict.state_dict()
    if not isinstance(state_dict, Mapping) and not hasattr(state_dict, "keys"):
        raise TypeError(f"{where}: expected a state dict (a mapping of names to arrays) or a "
                        f"Module, got {type(state_dict).__name__}")
    out: dict[str, np.ndarray] = {}
    for key in state_dict.keys():
        if not isinstance(key, str):
            raise TypeError(f"{where}: keys must be str, got {key!r} "
                            f"({type(key).__name__})")
        v = state_dict[key]
        if isinstance(v, Tensor):
            arr = v.data
        elif isinstance(v, (np.ndarray, np.generic, int, float, bool)):
            arr = np.asarray(v)
        elif _is_torch_tensor(v):
            arr = _torch_to_numpy(v, key, where)
        else:
            raise TypeError(f"{where}: {key!r} is a {type(v).__name__}, not an array or a "
                            "tensor")
        if arr.dtype.kind not in "biuf":
            raise TypeError(f"{where}: {key!r} has dtype {arr.dtype}; only bool, integer and "
                            "floating-point arrays can be stored")
        out[key] = arr
    return out


def _is_torch_tensor(v: Any) -> bool:
    return type(v).__module__.startswith("torch") and hasattr(v, "detach")


def _torch_to_numpy(v: Any, key: str, where: str) -> np.ndarray:
    t = v.detach()
    if t.device.type != "cpu":
        t = t.cpu()
    try:
        return np.array(t.numpy())  # a copy: later changes of the torch tensor do not show
    except TypeError as e:  # bfloat16 and other dtypes NumPy has not
        raise TypeError(f"{where}: {key!r} has torch dtype {t.dtype}, which NumPy cannot "
                        f"hold; convert it first (e.g. .to(torch.float32))") from e


def to_torch_state_dict(state_dict: Any) -> dict[str, Any]:
    """Return a copy of a minigrad state dict as PyTorch tensors, keys and dtypes kept.

    Parameters
    ----------
    state_dict : mapping of str to array_like or Tensor, or Module
        Typically ``model.state_dict()`` of a :mod:`minigrad.nn` model (a
        module is asked for its state dict).

    Returns
    -------
    dict of str to torch.Tensor
        Fresh CPU tensors, ready for ``torch_model.load_state_dict``.
        0-d arrays (BatchNorm's ``num_batches_tracked``) become 0-d tensors.

    Raises
    ------
    ImportError
        If PyTorch is not installed.
    TypeError
        If a value is not a numeric array, naming its key.
    """
    try:
        import torch
    except ImportError as e:  # pragma: no cover - torch is there in the tests
        raise ImportError("to_torch_state_dict needs PyTorch (pip install torch)") from e
    arrays = _arrays(state_dict, "to_torch_state_dict")
    return {k: torch.from_numpy(np.array(a, copy=True, order="C")) for k, a in arrays.items()}


def from_torch_state_dict(state_dict: Mapping[str, Any]) -> dict[str, np.ndarray]:
    """Return a PyTorch state dict as NumPy arrays, keys and dtypes kept.

    Parameters
    ----------
    state_dict : mapping of str to torch.Tensor
        Typically ``torch_model.state_dict()`` (tensors on any device; they
        are detached and copied to the CPU).

    Returns
    -------
    dict of str to numpy.ndarray
        Fresh arrays, ready for ``model.load_state_dict``.

    Raises
    ------
    TypeError
        If a value is not a tensor or array, or has a dtype NumPy lacks
        (``bfloat16``), naming its key.
    """
    return {k: np.array(a) for k, a in _arrays(state_dict, "from_torch_state_dict").items()}


def _safetensors_numpy(where: str) -> Any:
    try:
        import safetensors.numpy as stn
    except ImportError as e:
        raise ImportError(f"{where} needs the safetensors package: "
                          "pip install 'minigrad[interop]' (or safetensors>=0.4)") from e
    return stn


def save_safetensors(state_dict: Any, path: PathLike,
                     metadata: Mapping[str, str] | None = None) -> None:
    """Write a state dict to a safetensors file, atomically.

    Parameters
    ----------
    state_dict : mapping of str to array_like or Tensor, or Module
        The arrays to write (a module is asked for its state dict); dtypes
        are kept.
    path : str or os.PathLike
        The file to write; an existing file is replaced only once the new
        one is complete.
    metadata : mapping of str to str, optional
        Free text stored in the file's header.

    Raises
    ------
    ImportError
        If the safetensors package is not installed.
    TypeError
        If a key is not a str or a value is not a bool, integer or float array.
    minigrad.CheckpointError
        If the file cannot be written (naming it).
    """
    stn = _safetensors_numpy("save_safetensors")
    # np.ascontiguousarray would make 0-d arrays (num_batches_tracked) 1-d
    arrays = {k: a if a.flags.c_contiguous else np.array(a, order="C")
              for k, a in _arrays(state_dict, "save_safetensors").items()}
    if metadata is not None:
        bad = [k for k, v in metadata.items() if not (isinstance(k, str) and isinstance(v, str))]
        if bad:
            raise TypeError(f"save_safetensors: metadata keys and values must be str; not "
                            f"{bad[0]!r}")
    try:
        data = stn.save(arrays, metadata=dict(metadata) if metadata is not None else None)
    except Exception as e:  # the library's own error type varies between versions
        raise CheckpointError(f"save_safetensors: cannot encode the state dict for "
                              f"{str(path)!r}: {e}") from e
    atomic_write_bytes(path, data)


def load_safetensors(path: PathLike) -> dict[str, np.ndarray]:
    """Read a safetensors file into a dict of NumPy arrays (a state dict).

    Parameters
    ----------
    path : str or os.PathLike
        A file written by :func:`save_safetensors`, by
        ``safetensors.torch.save_file`` or by another library.

    Returns
    -------
    dict of str to numpy.ndarray
        Writable arrays in the file's order and dtypes, ready for
        ``model.load_state_dict``.

    Raises
    ------
    ImportError
        If the safetensors package is not installed.
    FileNotFoundError
        If there is no such file.
    minigrad.CheckpointError
        If the file is not a readable safetensors file, or holds a dtype
        NumPy lacks (``bfloat16``); the message names the file.
    """
    stn = _safetensors_numpy("load_safetensors")
    import os

    name = os.fspath(path)
    if not os.path.exists(name):
        raise FileNotFoundError(f"load_safetensors: no such file {name!r}")
    try:
        with open(name, "rb") as f:
            raw = f.read()
        arrays = stn.load(raw)
    except Exception as e:  # the library's own error type varies between versions
        raise CheckpointError(f"load_safetensors: cannot read {name!r} as a safetensors "
                              f"file: {e}") from e
    return {k: a if a.flags.writeable else a.copy() for k, a in arrays.items()}
