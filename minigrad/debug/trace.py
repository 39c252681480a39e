"""``trace_backward``: one row per backward step, with the shapes and the summed axes."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np

from minigrad import autograd
from minigrad.autograd import Function
from minigrad.debug._common import _shape_str, _table
from minigrad.tensor import Tensor

__all__ = ["trace_backward", "BackwardTrace", "BackwardStep"]


@dataclass
class BackwardStep:
    """One backward step recorded by :func:`trace_backward`.

    Attributes
    ----------
    step : int
        0 for the first function backpropagated (the one nearest the loss).
    op : str
        The op's type name.
    scope : str or None
        The module the op was recorded in.
    attrs : str
        The op's attributes (axis, shape, ...) as text.
    input_shapes : tuple
        The shapes of the op's inputs.
    incoming_shapes : tuple
        The shape of the gradient arriving for each output.
    summed_axes : tuple of tuple of int
        Per input, the axes of the output its gradient was summed over because
        the input was broadcast (``()`` when none); for a ``SumTo`` op, the axes
        it summed over (its backward broadcasts along them).
    produced_shapes : tuple
        The shape of the gradient produced for each input (None where none was).
    """

    step: int
    op: str
    scope: str | None
    attrs: str
    input_shapes: tuple[tuple[int, ...], ...]
    incoming_shapes: tuple[tuple[int, ...] | None, ...]
    summed_axes: tuple[tuple[int, ...], ...]
    produced_shapes: tuple[tuple[int, ...] | None, ...]


class BackwardTrace:
    """Record every backward step taken inside a ``with`` block (see :func:`trace_backward`).

    Attributes
    ----------
    rows : list of BackwardStep
        One row per backward step, in the order the engine took them.
    """

    def __init__(self) -> None:
        self.rows: list[BackwardStep] = []

    def _hook(self, f: Function, grad_outputs: tuple[Any, ...], grad_inputs: tuple[Any, ...]
              ) -> None:
        ins = f.inputs or ()
        in_shapes = [x.shape for x in ins]
        incoming = tuple(None if g is None else tuple(np.shape(_arr(g))) for g in grad_outputs)
        out_shape = incoming[0] if len(incoming) == 1 else None
        produced = tuple(None if g is None else tuple(np.shape(_arr(g))) for g in grad_inputs)
        axes = f.summed_axes(in_shapes, out_shape)
        attrs = ", ".join(f"{k}={v}" for k, v in f.attrs().items())
        self.rows.append(BackwardStep(len(self.rows), f.name, f.scope, attrs, tuple(in_shapes),
                                      incoming, axes, produced))

    def __enter__(self) -> BackwardTrace:
        autograd.backward_hooks.append(self._hook)
        return self

    def __exit__(self, *exc: object) -> None:
        hooks = autograd.backward_hooks
        for i in range(len(hooks) - 1, -1, -1):
            if hooks[i] == self._hook:
                del hooks[i]
                break

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[BackwardStep]:
        return iter(self.rows)

    def __str__(self) -> str:
        body = []
        for r in self.rows:
            summed = "; ".join(f"in{i}: axis {', '.join(map(str, a))}"
                               for i, a in enumerate(r.summed_axes) if a)
            op = r.op + (f"({r.attrs})" if r.attrs else "")
            body.append([str(r.step), op, r.scope or "",
                         ", ".join(_shape_str(s) for s in r.incoming_shapes),
                         summed or "-",
                         ", ".join(_shape_str(s) for s in r.produced_shapes)])
        lines = [f"backward trace: {len(self.rows)} steps"]
        lines += _table(["step", "op", "scope", "grad in", "summed over", "grads out"], body,
                        [True, False, False, False, False, False])
        return "\n".join(lines)

    def __repr__(self) -> str:
        return f"<BackwardTrace: {len(self.rows)} steps>"


def _arr(g: Any) -> Any:
    return g.data if isinstance(g, Tensor) else g


def trace_backward() -> BackwardTrace:
    """Record one row per backward step taken inside a ``with`` block.

    Each row names the op (type and scope), the shape of the gradient(s)
    arriving at it, the axes a broadcast input's gradient was summed over
    (for elementwise ops with broadcasting, the bias of ``Linear``, and
    ``SumTo``), and the shape of each gradient it produced. ``print(trace)``
    shows a table; ``trace.rows`` holds :class:`BackwardStep` objects.

    Returns
    -------
    BackwardTrace
        A context manager; the rows fill in while the block runs.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> x = mg.tensor(np.ones((4, 3)), requires_grad=True)
    >>> b = mg.tensor(np.zeros(3), requires_grad=True)
    >>> with mg.trace_backward() as trace:
    ...     (x + b).sum().backward()
    >>> [(r.op, r.summed_axes) for r in trace.rows]
    [('Sum', ((),)), ('Add', ((), (0,)))]
    """
    return BackwardTrace()
