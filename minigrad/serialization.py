"""Safe checkpoints: :func:`save` and :func:`load` nested dicts of tensors to one ``.npz``.

A checkpoint is a NumPy ``.npz`` archive (a zip of ``.npy`` files, one per
array) plus one entry, ``__minigrad__``, holding a JSON header (as a uint8
array) that records the format name and version and the structure of the
saved object: which leaves are Tensors, which are ndarrays, and the plain
metadata (str, int, float, bool, None and lists of them) itself.

Checkpoints are safe to open: they are read with
``np.load(..., allow_pickle=False)``, so loading can never run code, and
object arrays are refused when saving. They are written to a temporary file
in the same directory, flushed to disk and renamed over the target, so a
crash never leaves a half-written file where a good one was.

Training checkpoints, what a run saves to continue after an interruption,
are a schema on top of this format: :mod:`minigrad.training_checkpoint`
(its names are importable from here too).

Examples
--------
>>> import os, tempfile, numpy as np, minigrad as mg
>>> path = os.path.join(tempfile.mkdtemp(), "ckpt.npz")
>>> mg.save({"model": {"W": mg.tensor([[1.0, 2.0]])}, "meta": {"iteration": 10}}, path)
>>> ckpt = mg.load(path)
>>> ckpt["model"]["W"], ckpt["meta"]["iteration"]
(Tensor([[1., 2.]]), 10)
"""

from __future__ import annotations

import json
import math
import os
import zipfile
import zlib
from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad._fileio import PathLike, atomic_write
from minigrad._moved import forward_names
from minigrad.tensor import Tensor

__all__ = ["save", "load", "CheckpointError", "FORMAT_NAME", "FORMAT_VERSION"]

#: The format name stored in every checkpoint's header.
FORMAT_NAME = "minigrad-checkpoint"
#: The newest format version this module writes and reads.
FORMAT_VERSION = 1
_HEADER = "__minigrad__"



class CheckpointError(ValueError):
    """A checkpoint cannot be saved or loaded; the message names the file and what is wrong."""


# ---------------------------------------------------------------------------
# Saving


def _check_array(a: np.ndarray, where: str, path: str) -> None:
    if a.dtype.hasobject:
        raise CheckpointError(
            f"{path}: cannot save {where}: arrays of dtype {a.dtype} hold Python objects, which "
            "could only be stored with pickle; convert it to a numeric dtype"
        )


def _plain(obj: Any) -> bool:
    """True for JSON values that come back exactly as they are (no tuples, dicts or nan)."""
    if obj is None or isinstance(obj, (bool, int, str)):
        return True
    if isinstance(obj, float):
        return math.isfinite(obj)
    if type(obj) is list:
        return all(_plain(v) for v in obj)
    return False


class _Writer:
    """Flatten an object into npz entries and a JSON-able structure tree."""

    def __init__(self, path: str) -> None:
        self.path = path
        self.arrays: dict[str, np.ndarray] = {}

    def entry(self, keys: list[str], a: np.ndarray, where: str) -> str:
        _check_array(a, where, self.path)
        base = "/".join(keys) or "_"
        name, n = base, 1
        while name in self.arrays or name == _HEADER:
            n += 1
            name = f"{base}#{n}"
        self.arrays[name] = a
        return name

    def node(self, obj: Any, keys: list[str]) -> dict[str, Any]:
        where = "/".join(keys) or "the object"
        if len(keys) > MAX_DEPTH:
            raise CheckpointError(f"{self.path}: cannot save {where}: it nests deeper than "
                                  f"{MAX_DEPTH} levels")
        if isinstance(obj, Tensor):
            a = obj.data
            node = {"type": "tensor", "entry": self.entry(keys, a, where),
                    "dtype": a.dtype.str, "shape": list(a.shape)}
            if obj.requires_grad:
                node["requires_grad"] = True
            if obj.name is not None:
                node["name"] = obj.name
            return node
        if isinstance(obj, np.ndarray):
            return {"type": "ndarray", "entry": self.entry(keys, obj, where),
                    "dtype": obj.dtype.str, "shape": list(obj.shape)}
        if isinstance(obj, np.generic):
            a = np.asarray(obj)
            return {"type": "npscalar", "entry": self.entry(keys, a, where),
                    "dtype": a.dtype.str, "shape": []}
        if obj is None or isinstance(obj, (bool, int, str)):
            return {"type": "value", "value": obj}
        if isinstance(obj, float):
            if math.isfinite(obj):
                return {"type": "value", "value": obj}
            return {"type": "float", "value": repr(obj)}  # nan, inf, -inf
        if isinstance(obj, Mapping):
            items = []
            for k, v in obj.items():
                if isinstance(k, bool) or not isinstance(k, (str, int)):
                    raise CheckpointError(
                        f"{self.path}: cannot save {where}: dict keys must be str or int, got "
                        f"{type(k).__name__} {k!r}"
                    )
                items.append([k, self.node(v, keys + [str(k)])])
            return {"type": "dict", "items": items}
        if isinstance(obj, list) and _plain(obj):
            return {"type": "value", "value": obj}  # e.g. a loss history, stored compactly
        if isinstance(obj, (list, tuple)):
            return {"type": "list" if isinstance(obj, list) else "tuple",
                    "items": [self.node(v, keys + [str(i)]) for i, v in enumerate(obj)]}
        raise CheckpointError(
            f"{self.path}: cannot save {where}: objects of type {type(obj).__name__} are not "
            "supported (use Tensors, ndarrays, dicts, lists, str, int, float, bool or None)"
        )


def save(obj: Any, path: PathLike, *, compress: bool = False) -> None:
    """Save a nested dict of Tensors, ndarrays and plain metadata to one ``.npz`` file.

    The file is written to a temporary file in the same directory, flushed to
    disk, and renamed over ``path``: a crash leaves either the old file or the
    new one, never half of one.

    Parameters
    ----------
    obj : dict
        A (nested) dict with str or int keys whose leaves are Tensors,
        ndarrays, NumPy scalars, str, int, float, bool, None, or lists and
        tuples of these, e.g. ``{"model": model.state_dict(), "meta": {"iteration": 10}}``.
    path : str or os.PathLike
        The file to write, used as given (no suffix is added).
    compress : bool
        Compress the arrays (smaller, slower).

    Raises
    ------
    CheckpointError
        If ``obj`` holds an unsupported type or an object array (nothing is written).
    """
    path = os.fspath(path)
    writer = _Writer(path)
    tree = writer.node(obj, [])
    header = {"format": FORMAT_NAME, "version": FORMAT_VERSION, "tree": tree}
    header_bytes = json.dumps(header, allow_nan=False).encode("utf-8")
    arrays = dict(writer.arrays)
    arrays[_HEADER] = np.frombuffer(header_bytes, dtype=np.uint8)
    # Checkpoints have always been readable by their owner only (0600); they stay so.
    with atomic_write(path, file_mode=0o600) as f:
        _write_npz(f, arrays, compress)


def _write_npz(f: Any, arrays: Mapping[str, np.ndarray], compress: bool) -> None:
    """Write ``arrays`` as a ``.npz`` archive (what ``np.savez`` does, for any entry name)."""
    method = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    with zipfile.ZipFile(f, mode="w", compression=method, allowZip64=True) as zf:
        for name, a in arrays.items():
            with zf.open(name + ".npy", "w", force_zip64=True) as member:
                np.lib.format.write_array(member, np.asanyarray(a), allow_pickle=False)


# ---------------------------------------------------------------------------
# Loading


#: How deeply a checkpoint's structure may nest (dicts in lists in dicts ...).
MAX_DEPTH = 100
#: The most a deflated member may expand (zlib's own limit is about 1032 to 1).
_MAX_RATIO = 1100
_NPY_MAX_HEADER = 10000


class _Reader:
    def __init__(self, path: str, arrays: Mapping[str, np.ndarray]) -> None:
        self.path = path
        self.arrays = arrays
        self.used: set[str] = set()

    def fail(self, what: str) -> CheckpointError:
        return CheckpointError(f"{self.path}: corrupt minigrad checkpoint: {what}")

    def array(self, node: Mapping[str, Any]) -> np.ndarray:
        name = node.get("entry")
        if not isinstance(name, str) or name not in self.arrays:
            raise self.fail(f"the header names an array entry {_short(name)} that the file "
                            "lacks")
        a = self.arrays[name]
        if a.dtype.str != node.get("dtype") or list(a.shape) != node.get("shape"):
            raise self.fail(
                f"entry {name!r} has dtype {a.dtype.str} and shape {list(a.shape)} but the "
                f"header says dtype {_short(node.get('dtype'))} and shape "
                f"{_short(node.get('shape'))}"
            )
        self.used.add(name)
        return a

    def items(self, node: Mapping[str, Any], kind: str) -> list[Any]:
        items = node.get("items")
        if type(items) is not list:
            raise self.fail(f"a {kind} node without a list of items")
        return items

    def node(self, node: Any, depth: int = 0) -> Any:
        if depth > MAX_DEPTH:
            raise self.fail(f"the structure nests deeper than {MAX_DEPTH} levels")
        if not isinstance(node, dict):
            raise self.fail(f"bad structure node {_short(node)}")
        kind = node.get("type")
        if kind == "tensor":
            name = node.get("name")
            if name is not None and not isinstance(name, str):
                raise self.fail(f"a tensor name must be a string, got {_short(name)}")
            a = self.array(node)
            if a.dtype.kind not in "biuf":
                raise self.fail(f"tensor entry {node.get('entry')!r} has dtype {a.dtype}, "
                                "not a numeric one")
            t = Tensor(a, name=name)
            if node.get("requires_grad") is True:
                t.requires_grad = True
            return t
        if kind == "ndarray":
            return self.array(node)
        if kind == "npscalar":
            a = self.array(node)
            if a.shape != ():
                raise self.fail(f"a NumPy scalar entry of shape {a.shape}")
            return a[()]
        if kind == "value":
            value = node.get("value")
            if not _plain(value):
                raise self.fail(f"a metadata value that is not plain data: {_short(value)}")
            return value
        if kind == "float":
            value = node.get("value")
            if value not in ("nan", "inf", "-inf"):
                raise self.fail(f"a special float {_short(value)} (expected nan, inf or -inf)")
            return float(value)
        if kind == "dict":
            out: dict[Any, Any] = {}
            for item in self.items(node, kind):
                if type(item) is not list or len(item) != 2 or isinstance(item[0], bool) \
                        or not isinstance(item[0], (str, int)):
                    raise self.fail(f"a dict item that is not a [str or int key, node] pair: "
                                    f"{_short(item)}")
                out[item[0]] = self.node(item[1], depth + 1)
            return out
        if kind == "list":
            return [self.node(v, depth + 1) for v in self.items(node, kind)]
        if kind == "tuple":
            return tuple(self.node(v, depth + 1) for v in self.items(node, kind))
        raise self.fail(f"unknown node type {_short(kind)}")


def _short(obj: Any) -> str:
    text = repr(obj)
    return text if len(text) <= 80 else text[:77] + "..."


def load(path: PathLike) -> Any:
    """Load a checkpoint written by :func:`save`.

    Tensors come back as Tensors (with their ``requires_grad`` flag and name),
    ndarrays as ndarrays, bitwise equal and with their dtype; metadata comes
    back as it was saved. No pickle is ever read, so loading cannot run code.

    Loading a damaged or hostile file raises :class:`CheckpointError` and
    nothing else: every array's declared size is checked against the size of
    its member in the archive (and that against the file's size) before any
    memory is allocated for it, so no allocation is larger than the file can
    justify, and the structure may nest at most :data:`MAX_DEPTH` levels.

    Parameters
    ----------
    path : str or os.PathLike
        The checkpoint file.

    Returns
    -------
    object
        The saved structure.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    CheckpointError
        If the file is not a minigrad checkpoint (a plain ``.npz``, a text file,
        random bytes), is truncated or corrupt, holds object arrays, or was
        written by a newer format version. The message names the file and
        what is wrong.
    """
    path = os.fspath(path)
    if not os.path.exists(path):
        raise FileNotFoundError(f"checkpoint not found: {path}")
    try:
        return _load(path)
    except CheckpointError:
        raise
    except RecursionError:
        raise CheckpointError(f"{path}: corrupt minigrad checkpoint: the header nests too "
                              "deeply") from None
    except MemoryError as e:  # pragma: no cover - sizes are checked before reading
        raise CheckpointError(f"{path}: not enough memory to load it ({e})") from None
    except Exception as e:  # noqa: BLE001 - whatever a damaged archive makes zipfile raise
        raise CheckpointError(
            f"{path}: truncated or corrupt checkpoint ({type(e).__name__}: {e})") from None


def _load(path: str) -> Any:
    not_ckpt = f"{path}: not a minigrad checkpoint"
    file_size = os.path.getsize(path)
    with open(path, "rb") as f:
        magic = f.read(6)
    if magic == np.lib.format.MAGIC_PREFIX:
        raise CheckpointError(f"{not_ckpt} (it is a single .npy array, not a .npz archive)")
    if not zipfile.is_zipfile(path):
        raise CheckpointError(f"{not_ckpt} (it is not a .npz archive)")
    arrays: dict[str, np.ndarray] = {}
    with zipfile.ZipFile(path) as zf:
        infos = zf.infolist()
        names = [i.filename for i in infos]
        if len(set(names)) != len(names):
            raise CheckpointError(f"{path}: corrupt minigrad checkpoint: duplicate entries")
        if _HEADER + ".npy" not in names:
            raise CheckpointError(f"{not_ckpt} (a .npz archive without a {_HEADER} header)")
        for info in infos:
            if not info.filename.endswith(".npy"):
                raise CheckpointError(f"{not_ckpt} (member {info.filename!r} is not an array)")
            _check_member_size(path, info, file_size)
        header = _read_header(path, _read_member(path, zf, zf.getinfo(_HEADER + ".npy")))
        for info in infos:
            name = info.filename[:-4]
            if name != _HEADER:
                arrays[name] = _read_member(path, zf, info)
    reader = _Reader(path, arrays)
    obj = reader.node(header.get("tree"))
    extra = set(arrays) - reader.used
    if extra:
        raise reader.fail(f"entries {sorted(extra)} are not described by the header")
    return obj


def _check_member_size(path: str, info: zipfile.ZipInfo, file_size: int) -> None:
    """Refuse a member whose declared sizes the file cannot back."""
    name = info.filename[:-4]
    if info.compress_size > file_size:
        raise CheckpointError(f"{path}: truncated or corrupt checkpoint: entry {name!r} claims "
                              f"{info.compress_size} bytes in a file of {file_size}")
    if info.compress_type == zipfile.ZIP_STORED:
        limit = info.compress_size
    elif info.compress_type == zipfile.ZIP_DEFLATED:
        limit = info.compress_size * _MAX_RATIO + 1024
    else:
        raise CheckpointError(f"{path}: entry {name!r} uses an unsupported compression "
                              f"(method {info.compress_type})")
    if info.file_size > limit:
        raise CheckpointError(f"{path}: corrupt minigrad checkpoint: entry {name!r} claims "
                              f"{info.file_size} bytes, more than its {info.compress_size} "
                              "stored bytes can hold")


def _read_member(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    """Read one ``.npy`` member, checking its declared shape against its size first."""
    try:
        return _read_npy(path, zf, info)
    except (zipfile.BadZipFile, EOFError, OSError, zlib.error, NotImplementedError,
            RuntimeError) as e:
        raise CheckpointError(f"{path}: truncated or corrupt checkpoint: entry "
                              f"{info.filename[:-4]!r} ({e})") from None


def _read_npy(path: str, zf: zipfile.ZipFile, info: zipfile.ZipInfo) -> np.ndarray:
    name = info.filename[:-4]
    with zf.open(info) as f:
        try:
            version = np.lib.format.read_magic(f)
            if version == (1, 0):
                shape, fortran, dtype = np.lib.format.read_array_header_1_0(
                    f, max_header_size=_NPY_MAX_HEADER)
            elif version in ((2, 0), (3, 0)):
                shape, fortran, dtype = np.lib.format.read_array_header_2_0(
                    f, max_header_size=_NPY_MAX_HEADER)
            else:
                raise ValueError(f"unsupported .npy version {version}")
        except (ValueError, SyntaxError, TypeError, OverflowError) as e:
            raise CheckpointError(f"{path}: corrupt entry {name!r} ({e})") from None
        if dtype.hasobject:
            raise CheckpointError(
                f"{path}: entry {name!r} is an object array, which would need pickle; "
                "refusing to load it")
        count = math.prod(shape)
        need = count * dtype.itemsize
        have = info.file_size - f.tell()
        if need != have:
            raise CheckpointError(
                f"{path}: corrupt entry {name!r}: its header declares shape {shape} of "
                f"{dtype} ({need} bytes) but the entry holds {have} bytes")
        a = np.empty(count, dtype=dtype)  # the size was checked against the entry's above
        raw = a.view(np.uint8)
        done = 0
        while done < need:  # in chunks: no second copy of the whole array
            chunk = f.read(min(need - done, 1 << 20))
            if not chunk:
                raise CheckpointError(f"{path}: truncated entry {name!r}")
            raw[done:done + len(chunk)] = np.frombuffer(chunk, dtype=np.uint8)
            done += len(chunk)
    return a.reshape(shape[::-1]).T if fortran else a.reshape(shape)


def _read_header(path: str, raw: np.ndarray) -> dict[str, Any]:
    if raw.dtype != np.uint8 or raw.ndim != 1:
        raise CheckpointError(f"{path}: not a minigrad checkpoint (bad {_HEADER} entry)")
    try:
        header = json.loads(raw.tobytes().decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as e:
        raise CheckpointError(f"{path}: corrupt checkpoint header ({e})") from None
    if not isinstance(header, dict) or header.get("format") != FORMAT_NAME:
        raise CheckpointError(
            f"{path}: not a minigrad checkpoint (header format "
            f"{header.get('format') if isinstance(header, dict) else header!r})"
        )
    version = header.get("version")
    if not isinstance(version, int) or isinstance(version, bool):
        raise CheckpointError(f"{path}: corrupt checkpoint header (version {version!r})")
    if version > FORMAT_VERSION:
        raise CheckpointError(
            f"{path}: written by a newer checkpoint format (version {version}); this minigrad "
            f"reads versions up to {FORMAT_VERSION}: upgrade minigrad to load it"
        )
    return header


# ---------------------------------------------------------------------------
# The training checkpoint's schema lived here; it is minigrad.training_checkpoint now.

__getattr__ = forward_names(__name__, dict.fromkeys(
    ["TRAINING_KIND", "training_state_dict", "save_training_state", "load_training_state"],
    "minigrad.training_checkpoint"))
