"""``graph_memory``: the arrays a graph keeps alive for backward, each byte counted once."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad.autograd import enable_grad
from minigrad.debug._common import _forward_order, _outputs_of, _shape_str, _table
from minigrad.ops.loss import softmax_cross_entropy
from minigrad.tensor import Tensor

__all__ = ["graph_memory", "memory_profile_of_step", "GraphMemoryReport", "OpMemory",
           "SavedArray", "format_bytes"]


def format_bytes(n: float) -> str:
    """Human-readable size: ``format_bytes(1536) == '1.5 KiB'``.

    Parameters
    ----------
    n : float
        A number of bytes.

    Returns
    -------
    str
        The size in B, KiB, MiB or GiB.
    """
    for unit in ("B", "KiB", "MiB", "GiB"):
        if abs(n) < 1024 or unit == "GiB":
            return f"{int(n)} B" if unit == "B" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} GiB"  # pragma: no cover


def _buffer(a: np.ndarray) -> np.ndarray:
    """The array that owns the memory ``a`` looks at (``a`` itself unless it is a view)."""
    while isinstance(a.base, np.ndarray):
        a = a.base
    return a


def _byte_range(a: np.ndarray) -> tuple[int, int]:
    """The addresses ``[low, high)`` of the memory the elements of ``a`` occupy."""
    low = high = a.__array_interface__["data"][0]
    if a.size == 0:
        return low, low
    for n, stride in zip(a.shape, a.strides):
        extent = (n - 1) * stride
        if extent < 0:
            low += extent
        else:
            high += extent
    return low, high + a.itemsize


def _add_range(ranges: list[tuple[int, int]], new: tuple[int, int]) -> int:
    """Merge ``new`` into the sorted disjoint ``ranges``; return how many bytes it added."""
    before = sum(h - lo for lo, h in ranges)
    merged: list[tuple[int, int]] = []
    for lo, h in sorted(ranges + [new]):
        if merged and lo <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], h))
        else:
            merged.append((lo, h))
    ranges[:] = merged
    return sum(h - lo for lo, h in merged) - before


@dataclass
class SavedArray:
    """One array an op keeps for backward (the ``.data`` of one of its inputs).

    Attributes
    ----------
    role : str
        ``"input 0"``, ``"input 1"``...
    name : str or None
        The tensor's name, when it has one.
    shape : tuple of int
        The array's shape.
    dtype : str
        The array's dtype.
    nbytes : int
        The array's size as NumPy reports it.
    counted_bytes : int
        What it adds to the total: the bytes of memory it refers to that no
        earlier entry referred to (0 for a tensor already listed, or a view of
        memory already counted).
    view : bool
        True when the array is a view into another array's memory.
    """

    role: str
    name: str | None
    shape: tuple[int, ...]
    dtype: str
    nbytes: int
    counted_bytes: int
    view: bool


@dataclass
class OpMemory:
    """The arrays one op keeps for backward.

    Attributes
    ----------
    index : int
        Position of the op in forward order.
    op : str
        The op's type name.
    scope : str or None
        The module it was recorded in.
    arrays : list of SavedArray
        What it keeps (empty once released).
    released : str or None
        Why the op no longer holds its inputs, when it does not.
    """

    index: int
    op: str
    scope: str | None
    arrays: list[SavedArray] = field(default_factory=list)
    released: str | None = None

    @property
    def counted_bytes(self) -> int:
        """Bytes this op adds to the total (arrays not already held by an earlier op)."""
        return sum(a.counted_bytes for a in self.arrays)


@dataclass
class GraphMemoryReport:
    """The result of :func:`graph_memory`; ``str()`` is a table with readable sizes.

    Attributes
    ----------
    rows : list of OpMemory
        One row per op, in forward order.
    total_bytes : int
        The bytes of every distinct buffer the graph keeps alive, each counted once.
    """

    rows: list[OpMemory]
    total_bytes: int

    @property
    def n_arrays(self) -> int:
        """How many of the listed arrays add memory of their own to the total."""
        return sum(1 for r in self.rows for a in r.arrays if a.counted_bytes)

    def __str__(self) -> str:
        body = []
        for r in self.rows:
            if r.released is not None:
                body.append([str(r.index), r.op, r.scope or "", "(released: holds nothing)",
                             "", "0 B"])
                continue
            for k, a in enumerate(r.arrays):
                label = f"{a.role}" + (f" {a.name}" if a.name else "")
                what = f"{label} {_shape_str(a.shape)} {a.dtype}" + (" view" if a.view else "")
                size = format_bytes(a.nbytes)
                note = size if a.counted_bytes == a.nbytes else (
                    f"{size} (shared)" if a.counted_bytes == 0 else
                    f"{size} ({format_bytes(a.counted_bytes)} new)")
                body.append([str(r.index) if k == 0 else "", r.op if k == 0 else "",
                             (r.scope or "") if k == 0 else "", what, note,
                             format_bytes(r.counted_bytes) if k == 0 else ""])
        lines = [f"graph memory: {len(self.rows)} ops hold {self.n_arrays} arrays, "
                 f"{format_bytes(self.total_bytes)} ({self.total_bytes} bytes) in all"]
        lines += _table(["#", "op", "scope", "saved for backward", "size", "adds"], body,
                        [True, False, False, False, True, True])
        lines.append(f"  total: {format_bytes(self.total_bytes)}")
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<GraphMemoryReport: {len(self.rows)} ops, {self.total_bytes} bytes>"


def graph_memory(output: Tensor | Sequence[Tensor]) -> GraphMemoryReport:
    """List, per op, the arrays the graph behind ``output`` keeps alive for backward.

    A recorded op holds its input tensors, so their ``.data`` arrays stay in
    memory until backward frees the graph. (An op that needs its output in
    backward, such as ``Exp`` or ``Sigmoid``, reaches it through the op that
    consumes it, which holds it as an input, or through you, for the final
    output.) The total counts every byte of memory once: a tensor used by
    several ops, or several views of one array (``reshape``, ``.T``,
    ``broadcast_to``), are counted once, and a view counts only the memory
    its elements occupy (a slice of a big dataset counts as the slice).

    Parameters
    ----------
    output : Tensor or sequence of Tensor
        The result of a forward pass.

    Returns
    -------
    GraphMemoryReport
        Rows in forward order, ``.total_bytes``, and a table as ``str()``.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> w = mg.tensor(np.zeros((10, 10)), requires_grad=True)
    >>> mg.graph_memory((w * w).sum()).total_bytes  # w (800 B) and w * w (800 B)
    1600
    """
    outs = _outputs_of(output, "graph_memory")
    covered: dict[int, list[tuple[int, int]]] = {}  # id(buffer) -> byte ranges counted
    keep: list[np.ndarray] = []  # keeps the buffers alive so their ids stay unique
    rows = []
    total = 0
    for i, f in enumerate(_forward_order(outs)):
        row = OpMemory(i, f.name, f.scope)
        if f.inputs is None:
            row.released = f.release_message or "released"
            rows.append(row)
            continue
        for k, x in enumerate(f.inputs):
            a = x.data
            buf = _buffer(a)
            if id(buf) not in covered:
                keep.append(buf)
            counted = _add_range(covered.setdefault(id(buf), []), _byte_range(a))
            total += counted
            row.arrays.append(SavedArray(f"input {k}", x.name, a.shape, str(a.dtype),
                                         int(a.nbytes), counted, buf is not a))
        rows.append(row)
    return GraphMemoryReport(rows, total)


def memory_profile_of_step(model: Any, x: Any, t: Any) -> GraphMemoryReport:
    """Run one forward pass of a training step and report the memory its graph holds.

    Parameters
    ----------
    model : object
        A model with ``loss(x, t)`` (the book's ``TwoLayerNet``), or a
        callable returning logits (then the loss is ``softmax_cross_entropy``).
    x : array_like or Tensor
        A mini-batch of inputs.
    t : array_like or Tensor
        Its labels.

    Returns
    -------
    GraphMemoryReport
        The memory held by the step's graph at its peak (before backward frees it).
        No gradient is computed and the model is left unchanged.
    """
    with enable_grad():
        loss = model.loss(x, t) if hasattr(model, "loss") else softmax_cross_entropy(model(x), t)
    if not isinstance(loss, Tensor):
        raise TypeError(f"memory_profile_of_step: the model's loss is a {type(loss).__name__}, "
                        "not a Tensor")
    if loss.creator is None:
        raise ValueError("memory_profile_of_step: the loss has no graph; do the model's "
                         "parameters require grad?")
    return graph_memory(loss)
