"""Helpers shared by the debugging tools: walking a graph, shapes as text, tables."""

from __future__ import annotations

from collections.abc import Sequence

from minigrad import autograd
from minigrad.autograd import Function
from minigrad.tensor import Tensor


def _outputs_of(output: Tensor | Sequence[Tensor], where: str) -> list[Tensor]:
    outs = [output] if isinstance(output, Tensor) else list(output)
    for i, o in enumerate(outs):
        if not isinstance(o, Tensor):
            raise TypeError(f"{where}: output {i} is a {type(o).__name__}, not a Tensor")
    return outs


def _forward_order(outputs: Sequence[Tensor]) -> list[Function]:
    """The functions behind ``outputs``, each after the functions that made its inputs."""
    return autograd.walk(outputs)[::-1]


def _shape_str(shape: tuple[int, ...] | None) -> str:
    if shape is None:
        return "-"
    if shape == ():
        return "()"
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def _table(header: Sequence[str], rows: Sequence[Sequence[str]],
           right: Sequence[bool]) -> list[str]:
    """Format rows as aligned columns (``right[i]`` right-aligns column i)."""
    widths = [len(h) for h in header]
    for r in rows:
        widths = [max(w, len(c)) for w, c in zip(widths, r)]

    def line(cells: Sequence[str]) -> str:
        parts = [c.rjust(w) if r else c.ljust(w) for c, w, r in zip(cells, widths, right)]
        return "  " + "  ".join(parts).rstrip()

    return [line(header)] + [line(r) for r in rows]
