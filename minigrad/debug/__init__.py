"""Debugging tools that explain what the autodiff engine is doing.

Four tools, each answering one question a learner (or a bug) raises:

* :func:`check_graph` -- *which op has the wrong gradient?* It gradchecks
  every op recorded in a live graph on its own, on the very inputs it saw,
  and returns a table naming the first op whose backward disagrees with
  central differences.
* :func:`trace_backward` -- *what did backward actually do?* One line per
  backward step: the op, the shapes of the incoming and produced gradients,
  and the axes a broadcast was summed over.
* :func:`graph_memory` -- *what does the graph keep alive?* Per op, the
  arrays saved for backward, and their de-duplicated total.
* :func:`set_debug` -- *did I forget ``zero_grad()``?* In debug mode a
  backward that would add to gradients no optimizer step or ``zero_grad()``
  consumed emits an :class:`AccumulationWarning`.

Each tool lives in a module of its own, and every name is importable from
``minigrad.debug`` itself:

=================================  ==================================================
module                             tool
=================================  ==================================================
``minigrad.debug.check``           :func:`check_graph`, :class:`GraphCheckReport`,
                                   :class:`OpCheck`
``minigrad.debug.trace``           :func:`trace_backward`, :class:`BackwardTrace`,
                                   :class:`BackwardStep`
``minigrad.debug.memory``          :func:`graph_memory`, :func:`memory_profile_of_step`,
                                   :class:`GraphMemoryReport`, :class:`OpMemory`,
                                   :class:`SavedArray`, :func:`format_bytes`
``minigrad.debug.audit``           :func:`set_debug`, :func:`is_debug`,
                                   :class:`AccumulationWarning`
=================================  ==================================================

Examples
--------
>>> import numpy as np, minigrad as mg
>>> x = mg.tensor(np.ones((2, 3)), requires_grad=True)
>>> b = mg.tensor(np.zeros(3), requires_grad=True)
>>> loss = ((x + b).sigmoid()).sum()
>>> mg.check_graph(loss).ok
True
>>> with mg.trace_backward() as trace:
...     loss.backward()
>>> trace.rows[-1].op, trace.rows[-1].summed_axes
('Add', ((), (0,)))
"""

from __future__ import annotations

# minigrad.tensor must load before the op modules (it imports them at its end)
from minigrad import autograd, tensor  # noqa: F401
from minigrad.debug.audit import AccumulationWarning, is_debug, set_debug
from minigrad.debug.check import GraphCheckReport, OpCheck, check_graph
from minigrad.debug.memory import (
    GraphMemoryReport,
    OpMemory,
    SavedArray,
    format_bytes,
    graph_memory,
    memory_profile_of_step,
)
from minigrad.debug.trace import BackwardStep, BackwardTrace, trace_backward

# the audit's hook and its record, still reachable where they were before the split
from minigrad.debug.audit import _audit, _reached  # noqa: F401, E402  isort: skip

__all__ = [
    "check_graph",
    "GraphCheckReport",
    "OpCheck",
    "trace_backward",
    "BackwardTrace",
    "BackwardStep",
    "graph_memory",
    "memory_profile_of_step",
    "GraphMemoryReport",
    "OpMemory",
    "SavedArray",
    "set_debug",
    "is_debug",
    "AccumulationWarning",
    "format_bytes",
]
