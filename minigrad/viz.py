"""Pictures of computational graphs, drawn with Graphviz.

:func:`to_dot` walks the graph that produced some tensors (from each tensor
to its ``creator``, from each :class:`~minigrad.Function` to its ``inputs``)
and describes it as a :class:`graphviz.Digraph`: one ellipse per tensor, one
box per op, edges in data-flow order (input tensor -> op -> output tensor).
Building the description needs only the ``graphviz`` Python package;
:func:`draw_graph` renders it to SVG, PNG or PDF and needs Graphviz's ``dot``
program as well.

What the picture shows:

* tensors are labelled with their ``name`` (parameters of a module carry
  dotted names such as ``fc1.W``) and their shape; leaves that require a
  gradient (parameters, inputs), constants and the outputs have their own
  colours, explained by a legend;
* ops are labelled with their type name and attributes (``axis``, ``shape``...);
* an edge along which an input was broadcast in forward is orange and lists
  the broadcast axes: backward sums the gradient over those axes;
* ops recorded inside a module's ``forward`` are grouped in a box named after
  the module, so a two-layer network shows as two layers and a loss;
* with ``show_grads=True``, the gradients of the leaves (and of non-leaves
  that called :meth:`~minigrad.Tensor.retain_grad`), so that a vanishing
  gradient can be seen.

``backward()`` frees the graph as it goes (each op forgets its inputs); a
graph drawn afterwards stops at the first freed op. To draw gradients, call
``loss.backward(retain_graph=True)`` first.

Examples
--------
>>> import minigrad as mg
>>> from minigrad import viz
>>> x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
>>> y = mg.tensor([3.0, 4.0], name="y")
>>> dot = viz.to_dot(x * x + y)
>>> print(dot.source.splitlines()[0])
digraph minigrad {
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import autograd
from minigrad._fileio import PathLike, atomic_write_bytes
from minigrad.autograd import Function, broadcast_axes
from minigrad.tensor import Tensor

if TYPE_CHECKING:  # pragma: no cover
    import graphviz  # imported where used: ``import minigrad`` loads this module

__all__ = [
    "to_dot", "draw_graph", "dot_available", "broadcast_axes", "GraphvizNotFoundError", "FORMATS",
]

#: The file formats :func:`draw_graph` writes.
FORMATS = ("svg", "png", "pdf")

#: Tensors with at most this many elements show their values; larger ones a summary.
SMALL_TENSOR = 6

_RANKDIRS = ("TB", "BT", "LR", "RL")

_FONT = "Helvetica"
_TENSOR_STYLES = {
    "parameter": {"fillcolor": "#cfe2ff"},
    "constant": {"fillcolor": "#e9ecef"},
    "intermediate": {"fillcolor": "#ffffff"},
    "output": {"fillcolor": "#d1e7dd", "penwidth": "2"},
}
_LEGEND_TEXT = {
    "parameter": "leaf (requires grad)",
    "constant": "constant",
    "intermediate": "tensor",
    "output": "output",
}
_OP_STYLE = {"shape": "box", "style": "rounded,filled", "fillcolor": "#fff3cd"}
_HIGHLIGHT_STYLE = {"color": "#dc3545", "fontcolor": "#dc3545", "penwidth": "2.5"}
_BROADCAST_STYLE = {"color": "#fd7e14", "fontcolor": "#fd7e14", "penwidth": "1.5"}
_CLUSTER_STYLE = {"style": "rounded,dashed", "color": "#6c757d", "fontcolor": "#495057"}

_INSTALL_HINT = (
    "install Graphviz: `apt-get install graphviz` (Debian/Ubuntu), "
    "`brew install graphviz` (macOS) or `conda install graphviz`"
)

_FREED_VALUES = "values of intermediate tensors freed by backward()"
_RELEASED_IN_PLACE = "graph released by an in-place update of a saved tensor"


class GraphvizNotFoundError(RuntimeError):
    """Raised when a graph must be rendered but Graphviz's ``dot`` program is not installed."""


# ---------------------------------------------------------------------------
# Walking the graph


@dataclass
class _FreedTensor:
    """A tensor the graph no longer holds, drawn from what its consumer's edge remembers."""

    shape: tuple[int, ...]
    dtype: np.dtype
    name: str | None
    creator: Function | None
    requires_grad: bool
    grad: Any = None
    data: Any = None

    @property
    def is_leaf(self) -> bool:
        return self.creator is None


_Node = Tensor | Function | _FreedTensor


@dataclass
class _Walk:
    """The graph behind some outputs: the outputs, then each op followed by its inputs.

    Ops come in the order of :func:`minigrad.autograd.walk`.

    ``nodes`` holds tensors (live, or :class:`_FreedTensor` once backward freed
    them) and functions. An edge ``(src, dst, position)`` indexes ``nodes`` and
    points in data-flow order: from input tensor to op (``position`` is the
    input's place among the op's inputs) or from op to output tensor
    (``position`` is None).
    """

    nodes: list[_Node] = field(default_factory=list)
    edges: list[tuple[int, int, int | None]] = field(default_factory=list)


def _tensor_key(t: Tensor) -> Any:
    """One key per tensor: a non-leaf is output ``i`` of its creator (alive or not)."""
    c = t.creator
    if c is None:
        return id(t)
    for i, ref in enumerate(c.outputs):
        if ref() is t:
            return (id(c), i)
    return id(t)  # pragma: no cover


def _inputs_of(f: Function) -> list[tuple[Any, _Node]]:
    """``(key, node)`` for each input of ``f``: the tensors, or what the edges remember."""
    if f.inputs is not None:
        return [(_tensor_key(x), x) for x in f.inputs]
    nodes: list[tuple[Any, _Node]] = []
    for position, e in enumerate(f.edges):
        if e.tensor is not None:
            nodes.append((id(e.tensor), e.tensor))
        elif e.function is not None:
            nodes.append(((id(e.function), e.index),
                          _FreedTensor(e.shape, e.dtype, e.name, e.function, True)))
        else:
            nodes.append((("const", id(f), position),
                          _FreedTensor(e.shape, e.dtype, e.name, None, False)))
    return nodes


def _walk(outputs: Sequence[Tensor]) -> _Walk:
    """Visit the tensors and ops behind ``outputs`` along the engine's walk."""
    walk = _Walk()
    index: dict[Any, int] = {}  # key -> position in walk.nodes (objects stay alive)

    def visit(key: Any, obj: _Node) -> int:
        if key not in index:
            index[key] = len(walk.nodes)
            walk.nodes.append(obj)
        return index[key]

    for y in outputs:
        visit(_tensor_key(y), y)
    inputs: dict[int, list[int]] = {}
    for f in autograd.walk(outputs):
        here = visit(id(f), f)
        inputs[here] = [visit(key, x) for key, x in _inputs_of(f)]
    # edges listed node by node: a tensor's creator, then an op's inputs
    for i, obj in enumerate(walk.nodes):
        if isinstance(obj, Function):
            walk.edges += [(src, i, position) for position, src in enumerate(inputs[i])]
        elif obj.creator is not None and id(obj.creator) in index:
            walk.edges.append((index[id(obj.creator)], i, None))
    return walk


def _node_ids(nodes: list[_Node]) -> list[str]:
    """Name nodes ``t0, t1, ...`` (tensors) and ``op0, op1, ...`` (ops) in walk order."""
    counts = {"t": 0, "op": 0}
    ids = []
    for obj in nodes:
        prefix = "op" if isinstance(obj, Function) else "t"
        ids.append(f"{prefix}{counts[prefix]}")
        counts[prefix] += 1
    return ids


# ---------------------------------------------------------------------------
# Labels


def _label(lines: Iterable[str]) -> str:
    """Join label lines for DOT, with any backslash or ``<...>`` in them shown literally."""
    import graphviz

    return graphviz.nohtml("\\n".join(graphviz.escape(line) for line in lines))


def _shape_text(shape: tuple[int, ...]) -> str:
    return "(" + ", ".join(str(n) for n in shape) + (",)" if len(shape) == 1 else ")")


def _array_text(arr: np.ndarray, with_shape: bool) -> str:
    """Small arrays as their values; larger ones as norm and mean (and shape if asked)."""
    if arr.size <= SMALL_TENSOR:
        text = np.array2string(arr, precision=4, separator=", ", max_line_width=1000)
        return " ".join(text.split())
    values = arr.astype(np.float64)
    summary = f"norm={np.linalg.norm(values):.4g}, mean={values.mean():.4g}"
    return f"{_shape_text(arr.shape)} {summary}" if with_shape else summary


def _tensor_kind(t: Tensor, is_output: bool) -> str:
    if is_output:
        return "output"
    if t.creator is not None:
        return "intermediate"
    return "parameter" if t.requires_grad else "constant"


def _tensor_label(t: Tensor, opts: _Options) -> str:
    lines = []
    if t.name:
        lines.append(t.name)
    shape_shown = opts.show_shapes or not t.name
    if shape_shown:
        shape = "(freed)" if t.shape is None else _shape_text(t.shape)
        lines.append(f"{shape} {t.dtype}" if opts.show_dtypes else shape)
    elif opts.show_dtypes:
        lines.append(str(t.dtype))
    if opts.show_values:
        lines.append("value " + ("(freed)" if t.data is None
                                 else _array_text(t.data, with_shape=not shape_shown)))
    if opts.show_grads and (t.grad is not None or (t.is_leaf and t.requires_grad)):
        grad = "None" if t.grad is None else _array_text(t.grad.data, with_shape=False)
        lines.append(f"grad {grad}")
    return _label(lines)


def _attr_text(value: Any) -> str:
    return value if isinstance(value, str) else repr(value)


def _op_label(f: Function, first_failure: bool) -> str:
    lines = [f.name] + [f"{key}={_attr_text(value)}" for key, value in f.attrs().items()]
    if f.released is autograd.Released.IN_PLACE:
        lines.append("(inputs released)")
    if first_failure:
        lines.append("(first failure)")
    return _label(lines)


# ---------------------------------------------------------------------------
# Broadcasting


def _edge_broadcast_axes(x: _Node, f: Function, position: int) -> tuple[int, ...]:
    """The broadcast axes of input ``position`` of ``f`` (empty when it was not broadcast)."""
    meta = f.output_meta()
    if not meta or not f.broadcasting:
        return ()
    out_shape = meta[0][0]
    if x.shape is None or tuple(x.shape) == tuple(out_shape):  # type: ignore[union-attr]
        return ()
    return f.broadcast_axes(position, x.shape, out_shape)  # type: ignore[union-attr]


def _broadcast_label(axes: tuple[int, ...]) -> str:
    word = "axis" if len(axes) == 1 else "axes"
    return f"broadcast {word} " + ", ".join(str(a) for a in axes)


# ---------------------------------------------------------------------------
# Highlighting


def _highlighted(highlight: Any) -> tuple[set[int], int | None]:
    """Return the ids of the objects to draw in red, and the id of a report's first failure.

    ``highlight`` is a Tensor, a Function, an iterable of them, or a report
    with ``rows`` (each with ``function`` and ``passed`` or ``ok``), whose
    failing rows are highlighted.
    """
    if highlight is None:
        return set(), None
    if hasattr(highlight, "rows"):
        return _report_highlights(highlight)
    items = [highlight] if isinstance(highlight, (Tensor, Function)) else list(highlight)
    for i, item in enumerate(items):
        if not isinstance(item, (Tensor, Function)):
            raise TypeError(
                f"to_dot: highlight[{i}] must be a Tensor or a Function, "
                f"got {type(item).__name__}"
            )
    return {id(item) for item in items}, None


def _report_highlights(report: Any) -> tuple[set[int], int | None]:
    failing = set()
    for row in report.rows:
        passed = getattr(row, "passed", getattr(row, "ok", True))
        if not passed and getattr(row, "function", None) is not None:
            failing.add(id(row.function))
    first = getattr(report, "first_failure", None)
    first = getattr(first, "function", first)
    return failing, (id(first) if isinstance(first, Function) else None)


# ---------------------------------------------------------------------------
# Building the Digraph


@dataclass
class _Options:
    show_shapes: bool
    show_dtypes: bool
    show_values: bool
    show_grads: bool
    group_modules: bool


@dataclass
class _Drawing:
    """What to draw: node attributes by id, their module scopes, edges and legend notes."""

    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    scopes: dict[str, str | None] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    kinds: list[str] = field(default_factory=list)  # tensor kinds present
    notes: list[str] = field(default_factory=list)
    has_ops: bool = False
    has_broadcast: bool = False
    has_highlight: bool = False


def _check_outputs(outputs: tuple[Any, ...], where: str) -> None:
    if not outputs:
        raise ValueError(f"{where}: give at least one output tensor")
    for i, y in enumerate(outputs):
        if not isinstance(y, Tensor):
            raise TypeError(f"{where}: output {i} must be a Tensor, got {type(y).__name__}")


def _check_options(rankdir: str, max_nodes: int | None) -> None:
    if rankdir not in _RANKDIRS:
        raise ValueError(f"to_dot: rankdir must be one of {', '.join(_RANKDIRS)}, got {rankdir!r}")
    if max_nodes is not None and (
        isinstance(max_nodes, bool) or not isinstance(max_nodes, int) or max_nodes < 1
    ):
        raise ValueError(f"to_dot: max_nodes must be a positive int or None, got {max_nodes!r}")


def _tensor_scope(t: Tensor, consumers: list[Function]) -> str | None:
    """The module a tensor is drawn in: its creator's, or for a parameter its users'.

    A parameter (a named leaf that requires grad) belongs to a module when all
    the ops that use it were recorded in that module.
    """
    if t.creator is not None:
        return t.creator.scope
    if not (t.requires_grad and t.name) or not consumers:
        return None
    scopes = {f.scope for f in consumers}
    return scopes.pop() if len(scopes) == 1 else None


def _op_attrs(f: Function, first_failure: bool) -> dict[str, str]:
    attrs = {"label": _op_label(f, first_failure), **_OP_STYLE}
    if f.released is autograd.Released.IN_PLACE:  # the picture stops here
        attrs["style"] += ",dashed"
    return attrs


def _plan(walk: _Walk, outputs: tuple[Tensor, ...], opts: _Options, max_nodes: int | None,
          highlight: Any) -> _Drawing:
    """Decide every node's label, style and module, the edges and the legend notes."""
    shown = len(walk.nodes) if max_nodes is None else min(max_nodes, len(walk.nodes))
    ids = _node_ids(walk.nodes)
    output_ids = {id(y) for y in outputs}
    marked, first_failure = _highlighted(highlight)
    consumers: dict[int, list[Function]] = {}
    for src, dst, position in walk.edges:
        if position is not None:
            consumers.setdefault(src, []).append(walk.nodes[dst])  # type: ignore[arg-type]

    drawing = _Drawing()
    kinds = set()
    for i, obj in enumerate(walk.nodes[:shown]):
        if not isinstance(obj, Function):
            kind = _tensor_kind(obj, id(obj) in output_ids)  # type: ignore[arg-type]
            kinds.add(kind)
            attrs = {"label": _tensor_label(obj, opts), **_TENSOR_STYLES[kind]}  # type: ignore[arg-type]
            scope = _tensor_scope(obj, consumers.get(i, []))  # type: ignore[arg-type]
            if isinstance(obj, _FreedTensor) and obj.creator is not None and opts.show_values:
                _add_note(drawing, _FREED_VALUES)
        else:
            drawing.has_ops = True
            attrs = _op_attrs(obj, id(obj) == first_failure)
            if obj.released is autograd.Released.IN_PLACE:
                _add_note(drawing, _RELEASED_IN_PLACE)
            scope = obj.scope
        if id(obj) in marked:
            attrs.update(_HIGHLIGHT_STYLE)
            drawing.has_highlight = True
        drawing.nodes[ids[i]] = attrs
        drawing.scopes[ids[i]] = scope if opts.group_modules else None
    drawing.kinds = [kind for kind in _TENSOR_STYLES if kind in kinds]

    if shown < len(walk.nodes):
        drawing.nodes["left_out"] = {
            "label": _label([f"{len(walk.nodes) - shown} more nodes not shown",
                             f"(max_nodes={max_nodes})"]),
            "shape": "note", "style": "dashed",
        }
        drawing.scopes["left_out"] = None
    _plan_edges(walk, ids, shown, drawing)
    return drawing


def _add_note(drawing: _Drawing, note: str) -> None:
    if note not in drawing.notes:
        drawing.notes.append(note)


def _plan_edges(walk: _Walk, ids: list[str], shown: int, drawing: _Drawing) -> None:
    """Add the edges between shown nodes; edges from left-out nodes come from their note."""
    fed_by_left_out: list[str] = []
    for src, dst, position in walk.edges:
        if dst >= shown:
            continue
        if src >= shown:
            if ids[dst] not in fed_by_left_out:
                fed_by_left_out.append(ids[dst])
            continue
        attrs: dict[str, str] = {}
        if position is not None:
            x, op = walk.nodes[src], walk.nodes[dst]
            axes = _edge_broadcast_axes(x, op, position)  # type: ignore[arg-type]
            if axes:
                attrs = {"label": _broadcast_label(axes), **_BROADCAST_STYLE}
                drawing.has_broadcast = True
        drawing.edges.append((ids[src], ids[dst], attrs))
    for dst_id in fed_by_left_out:
        drawing.edges.append(("left_out", dst_id, {"style": "dashed"}))


def _scope_tree(scopes: Iterable[str | None]) -> list[str]:
    """Every module scope and its dotted parents, in order of first appearance."""
    tree: list[str] = []
    for scope in scopes:
        if not scope:
            continue
        parts = scope.split(".")
        for k in range(1, len(parts) + 1):
            prefix = ".".join(parts[:k])
            if prefix not in tree:
                tree.append(prefix)
    return tree


def _emit_nodes(graph: graphviz.Digraph, drawing: _Drawing, scope: str | None,
                tree: list[str]) -> None:
    """Write the nodes of ``scope`` into ``graph`` and, nested, the clusters of its children."""
    for node_id, attrs in drawing.nodes.items():
        if drawing.scopes[node_id] == scope:
            graph.node(node_id, **attrs)
    for child in tree:
        parent = child.rpartition(".")[0] or None
        if parent != scope:
            continue
        with graph.subgraph(name=f"cluster_{child}") as cluster:
            label = child if scope is None else child[len(scope) + 1:]
            cluster.attr(label=_label([label]), **_CLUSTER_STYLE)
            _emit_nodes(cluster, drawing, child, tree)


def _emit_legend(graph: graphviz.Digraph, drawing: _Drawing) -> None:
    """A small boxed legend: one sample node per kind present, then the notes, in a column."""
    with graph.subgraph(name="cluster_legend") as legend:
        legend.attr(label="legend", style="rounded", color="#adb5bd", fontcolor="#6c757d")
        entries = []
        for kind in drawing.kinds:
            entries.append(f"legend_{kind}")
            legend.node(entries[-1], label=_LEGEND_TEXT[kind], **_TENSOR_STYLES[kind])
        if drawing.has_ops:
            entries.append("legend_op")
            legend.node("legend_op", label="op", **_OP_STYLE)
        if drawing.has_highlight:
            entries.append("legend_highlight")
            legend.node("legend_highlight", label="highlighted", shape="box",
                        **{**_HIGHLIGHT_STYLE, "style": "rounded"})
        notes = list(drawing.notes)
        if drawing.has_broadcast:
            notes[:0] = ["orange edge: input broadcast in forward;",
                         "backward sums its gradient over those axes"]
        if notes:
            entries.append("legend_notes")
            legend.node("legend_notes", label=_label(notes), shape="note",
                        fillcolor="#ffffff", fontcolor="#495057")
        for upper, lower in zip(entries, entries[1:]):  # stack the entries in one column
            legend.edge(upper, lower, style="invis")


def to_dot(*outputs: Tensor, show_shapes: bool = True, show_dtypes: bool = False,
           show_values: bool = False, show_grads: bool = False, rankdir: str = "TB",
           group_modules: bool = True, max_nodes: int | None = None, highlight: Any = None,
           legend: bool = True) -> graphviz.Digraph:
    """Describe the graph that produced ``outputs`` as a :class:`graphviz.Digraph`.

    Works without Graphviz's ``dot`` program; in Jupyter the result (and a
    tensor with a graph) displays as a picture when ``dot`` is installed.

    Parameters
    ----------
    *outputs : Tensor
        The tensors whose graph to draw (e.g. a loss).
    show_shapes : bool
        Show shapes under tensor names (unnamed tensors always show their shape).
    show_dtypes : bool
        Show each tensor's dtype.
    show_values : bool
        Show values: tensors of at most ``SMALL_TENSOR`` elements in full, larger
        ones as their norm and mean.
    show_grads : bool
        Show ``.grad`` the same way, for leaves that require grad and for
        non-leaves that retained their gradient. After a plain ``loss.backward()``
        the whole graph is still drawn (backward frees what the ops saved, not
        the graph's structure).
    rankdir : {"TB", "BT", "LR", "RL"}
        The direction of data flow (top to bottom by default).
    group_modules : bool
        Draw ops recorded inside a module's ``forward`` (``Function.scope``) in a
        box named after the module, together with their outputs and parameters.
    max_nodes : int, optional
        Keep only the ``max_nodes`` nodes closest to the outputs (breadth-first)
        and replace the rest with one note saying how many were left out.
    highlight : Tensor, Function, iterable of them, or report, optional
        Objects to draw in red; for a report with ``rows`` (as returned by
        ``minigrad.debug.check_graph``) the ops of its failing rows.
    legend : bool
        Add a small legend explaining colours and notes.

    Returns
    -------
    graphviz.Digraph
        The graph; ``.source`` is its DOT text, the same for the same graph.

    Raises
    ------
    TypeError
        If an output is not a Tensor, or ``highlight`` holds something else.
    ValueError
        If no output is given, or ``rankdir`` or ``max_nodes`` is invalid.
    """
    _check_outputs(outputs, "to_dot")
    _check_options(rankdir, max_nodes)
    opts = _Options(show_shapes, show_dtypes, show_values, show_grads, group_modules)
    drawing = _plan(_walk(outputs), outputs, opts, max_nodes, highlight)
    return _digraph(drawing, rankdir, legend)


def _digraph(drawing: _Drawing, rankdir: str, legend: bool) -> graphviz.Digraph:
    """Write a planned drawing as a :class:`graphviz.Digraph`."""
    import graphviz

    graph = graphviz.Digraph("minigrad")
    graph.attr(rankdir=rankdir, fontname=_FONT, fontsize="11")
    graph.attr("node", shape="ellipse", style="filled", fontname=_FONT, fontsize="11")
    graph.attr("edge", fontname=_FONT, fontsize="9", color="#495057")
    _emit_nodes(graph, drawing, None, _scope_tree(drawing.scopes.values()))
    for src, dst, attrs in drawing.edges:
        graph.edge(src, dst, **attrs)
    if legend:
        _emit_legend(graph, drawing)
    return graph


# ---------------------------------------------------------------------------
# Rendering


def _output_format(path: Path, format: str | None) -> str:  # noqa: A002 - mirrors graphviz
    fmt = format if format is not None else path.suffix.lstrip(".")
    fmt = fmt.lower()
    if fmt not in FORMATS:
        source = "format" if format is not None else f"the extension of {str(path)!r}"
        raise ValueError(
            f"draw_graph: unknown format {fmt!r} (from {source}); use one of {', '.join(FORMATS)}"
        )
    return fmt


def _check_writable(path: Path) -> None:
    folder = path.parent
    if not folder.is_dir():
        raise FileNotFoundError(f"draw_graph: directory {str(folder)!r} does not exist")
    if path.is_dir():
        raise IsADirectoryError(f"draw_graph: {str(path)!r} is a directory, not a file")
    if not os.access(folder, os.W_OK):
        raise PermissionError(f"draw_graph: directory {str(folder)!r} is not writable")


def _render(graph: graphviz.Digraph, fmt: str) -> bytes:
    """Run ``dot`` on the graph and return the picture's bytes."""
    import graphviz

    try:
        return graph.pipe(format=fmt)
    except graphviz.ExecutableNotFound as e:
        raise GraphvizNotFoundError(
            f"draw_graph: Graphviz's `dot` program was not found on PATH; {_INSTALL_HINT}"
        ) from e
    except graphviz.CalledProcessError as e:
        stderr = (e.stderr or b"").decode(errors="replace").strip()
        raise RuntimeError(f"draw_graph: `dot` failed to render {fmt}: {stderr}") from e


def draw_graph(*outputs: Tensor, path: PathLike, format: str | None = None,  # noqa: A002
               **options: Any) -> Path:
    """Render the graph that produced ``outputs`` to an SVG, PNG or PDF file.

    The file appears whole or not at all: the picture is written to a
    temporary file in the same directory, then renamed.

    Parameters
    ----------
    *outputs : Tensor
        The tensors whose graph to draw.
    path : str or os.PathLike
        The file to write.
    format : {"svg", "png", "pdf"}, optional
        The file format; by default taken from the extension of ``path``.
    **options
        Passed to :func:`to_dot` (``show_grads``, ``rankdir``, ``highlight``...).

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    GraphvizNotFoundError
        If Graphviz's ``dot`` program is not installed.
    ValueError
        If the format is unknown.
    FileNotFoundError, IsADirectoryError, PermissionError
        If the file cannot be written there.
    TypeError
        If an output is not a Tensor.
    """
    _check_outputs(outputs, "draw_graph")
    path = Path(path)
    fmt = _output_format(path, format)
    _check_writable(path)
    graph = to_dot(*outputs, **options)
    atomic_write_bytes(path, _render(graph, fmt))
    return path


def dot_available() -> bool:
    """Return True when Graphviz's ``dot`` program is on PATH, so graphs can be rendered."""
    return shutil.which("dot") is not None


# ---------------------------------------------------------------------------
# Jupyter display


def _tensor_mimebundle(t: Tensor, include: Any = None, exclude: Any = None) -> dict[str, str]:
    """Show a tensor's graph in Jupyter when it has one, else its repr."""
    if t.creator is not None:
        try:
            return to_dot(t)._repr_mimebundle_(include, exclude)  # type: ignore[no-any-return]
        except Exception:  # noqa: BLE001 - fall back to text without Graphviz
            pass
    return {"text/plain": repr(t)}


# Jupyter asks an object for ``_repr_mimebundle_``: importing this module (``import
# minigrad`` does) gives tensors their picture. The tensor module knows nothing of it.
Tensor._repr_mimebundle_ = _tensor_mimebundle  # type: ignore[attr-defined]
