"""Step through backward: the backward pass of a small graph as a sequence of pictures.

:func:`step_backward` runs backward on a small graph and draws one frame per
step. In each frame the function whose backward runs now is highlighted, the
gradient it receives and the gradients it sends are written on the edges, and
every tensor shows the gradient it has received so far; a tensor used by two
functions shows its two gradients being added. The caption says what happens
and why the functions run in this order: a function runs only after every
function that uses its output has sent its gradient (the order of
:func:`minigrad.autograd.walk`).

The frames are Graphviz drawings (:mod:`minigrad.viz`). :meth:`BackwardSteps.save_html`
writes them into one self-contained HTML file with a slider, which works offline;
in Jupyter the object displays as that player. :meth:`BackwardSteps.save_frames`
writes each frame as an SVG or PNG file.

The gradients come from minigrad's own backward (``minigrad.autograd.grad``,
which leaves ``.grad`` untouched), recorded step by step: the pictures show
what the engine did, not a re-enactment.

Examples
--------
>>> import minigrad as mg
>>> from minigrad.stepper import step_backward
>>> x = mg.tensor(3.0, requires_grad=True, name="x")
>>> y = x * x + x                      # x is used by two functions
>>> steps = step_backward(y)
>>> len(steps)                         # the start, one frame per step (Add, Mul), the end
4
>>> print(steps.frames[-1].caption)    # doctest: +ELLIPSIS
Backward is done...x: 7...
"""

from __future__ import annotations

import html
import itertools
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad import autograd, viz
from minigrad._fileio import PathLike, atomic_write_bytes
from minigrad.autograd import Function
from minigrad.tensor import Tensor

if TYPE_CHECKING:  # pragma: no cover
    import graphviz

__all__ = ["step_backward", "BackwardSteps", "Frame", "MAX_FUNCTIONS"]

#: The largest graph :func:`step_backward` draws: one frame per function is for small graphs.
MAX_FUNCTIONS = 60

_RUNNING = {"color": "#dc3545", "fontcolor": "#dc3545", "penwidth": "2.5",
            "fillcolor": "#f8d7da"}
_SENT = {"color": "#dc3545", "fontcolor": "#dc3545", "penwidth": "2"}
_DONE = {"fillcolor": "#d1e7dd"}  # a tensor whose gradient is complete
_uid = itertools.count()


@dataclass
class Frame:
    """One picture of the backward pass.

    Attributes
    ----------
    caption : str
        What happens in this frame, and why now.
    graph : graphviz.Digraph
        The drawing (render it with ``graph.pipe(format="svg")`` or
        :meth:`BackwardSteps.svg`).
    function : Function or None
        The function whose backward runs in this frame (None for the first and
        the last frame).
    """

    caption: str
    graph: graphviz.Digraph
    function: Function | None = None


@dataclass
class BackwardSteps:
    """The frames of one backward pass (see :func:`step_backward`).

    Attributes
    ----------
    frames : list of Frame
        The start, one frame per backward step, and the end.
    grads : dict
        The final gradient of each leaf, by its label in the pictures.
    """

    frames: list[Frame]
    grads: dict[str, np.ndarray] = field(default_factory=dict)

    def __len__(self) -> int:
        return len(self.frames)

    def svg(self, i: int) -> str:
        """Render frame ``i`` as SVG text (needs Graphviz's ``dot``)."""
        return viz._render(self.frames[i].graph, "svg").decode("utf-8")

    def save_frames(self, folder: PathLike, format: str = "svg") -> list[Path]:  # noqa: A002
        """Write each frame as ``step_000.svg``, ``step_001.svg``, ... into ``folder``.

        Parameters
        ----------
        folder : str or os.PathLike
            An existing directory.
        format : {"svg", "png"}
            The picture format.

        Returns
        -------
        list of pathlib.Path
            The files written, in order.

        Raises
        ------
        ValueError
            If the format is not svg or png.
        FileNotFoundError
            If ``folder`` is not a directory.
        """
        if format not in ("svg", "png"):
            raise ValueError(f"save_frames: format must be 'svg' or 'png', got {format!r}")
        folder = Path(folder)
        if not folder.is_dir():
            raise FileNotFoundError(f"save_frames: {str(folder)!r} is not a directory")
        pictures = [viz._render(f.graph, format) for f in self.frames]  # all, before writing
        paths = []
        for i, picture in enumerate(pictures):
            paths.append(folder / f"step_{i:03d}.{format}")
            atomic_write_bytes(paths[-1], picture)
        return paths

    def to_html(self, full_page: bool = True) -> str:
        """The frames as one self-contained HTML player: a slider, buttons and the captions.

        Nothing is loaded from elsewhere (no server, no CDN): the SVG pictures,
        the style and the script are all inside. The address's ``#step=N`` opens
        frame ``N``.

        Parameters
        ----------
        full_page : bool
            A whole HTML document; else a fragment to embed (what Jupyter shows).

        Returns
        -------
        str
            The HTML.
        """
        uid = f"mg-steps-{next(_uid)}"
        frames = []
        for i, frame in enumerate(self.frames):
            svg = self.svg(i)
            svg = svg[svg.index("<svg"):]  # drop the XML prologue and DOCTYPE
            hidden = "" if i == 0 else " hidden"
            frames.append(f'<figure class="mg-frame" data-caption="{html.escape(frame.caption)}"'
                          f'{hidden}>{svg}</figure>')
        last = len(self.frames) - 1
        body = f"""<div class="mg-steps" id="{uid}">
<style>
#{uid} {{ font-family: Helvetica, Arial, sans-serif; max-width: 100%; }}
#{uid} .mg-controls {{ display: flex; gap: .5em; align-items: center; }}
#{uid} .mg-controls input {{ flex: 1; }}
#{uid} .mg-caption {{ min-height: 3.5em; margin: .5em 0; line-height: 1.4; }}
#{uid} figure {{ margin: 0; }}
#{uid} svg {{ max-width: 100%; height: auto; }}
</style>
<div class="mg-controls">
<button type="button" class="mg-prev" aria-label="previous step">&#9664;</button>
<input type="range" class="mg-slider" min="0" max="{last}" value="0" aria-label="step">
<button type="button" class="mg-next" aria-label="next step">&#9654;</button>
<span class="mg-count">1 / {last + 1}</span>
</div>
<p class="mg-caption">{html.escape(self.frames[0].caption)}</p>
{"".join(frames)}
<script>
(function () {{
  var root = document.getElementById("{uid}");
  var frames = root.querySelectorAll(".mg-frame");
  var slider = root.querySelector(".mg-slider");
  function show(i) {{
    i = Math.max(0, Math.min(frames.length - 1, i));
    for (var k = 0; k < frames.length; k++) {{ frames[k].hidden = (k !== i); }}
    slider.value = i;
    root.querySelector(".mg-count").textContent = (i + 1) + " / " + frames.length;
    root.querySelector(".mg-caption").textContent = frames[i].getAttribute("data-caption");
    root.setAttribute("data-step", i);
  }}
  slider.addEventListener("input", function () {{ show(+slider.value); }});
  function step(d) {{ return function () {{ show(+slider.value + d); }}; }}
  root.querySelector(".mg-prev").addEventListener("click", step(-1));
  root.querySelector(".mg-next").addEventListener("click", step(1));
  var m = /step=(\\d+)/.exec(window.location.hash);
  show(m ? +m[1] : 0);
}})();
</script>
</div>"""
        if not full_page:
            return body
        return ('<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
                "<title>minigrad: backward, step by step</title>\n</head>\n<body>\n"
                f"{body}\n</body>\n</html>\n")

    def save_html(self, path: PathLike) -> Path:
        """Write :meth:`to_html` to ``path`` (whole or not at all); return the path."""
        path = Path(path)
        viz._check_writable(path)
        atomic_write_bytes(path, self.to_html().encode("utf-8"))
        return path

    def _repr_html_(self) -> str | None:
        if not viz.dot_available():
            return None  # Jupyter falls back to the text form
        return self.to_html(full_page=False)

    def __repr__(self) -> str:
        return f"<BackwardSteps: {len(self.frames)} frames>"


def step_backward(*outputs: Tensor, grad_outputs: Any = None, show_values: bool = True,
                  rankdir: str = "TB") -> BackwardSteps:
    """Run backward on a small graph and draw every step.

    The graph is kept (as with ``retain_graph=True``) and no ``.grad`` is
    changed: the gradients are computed by ``minigrad.autograd.grad`` and shown
    in the pictures.

    Parameters
    ----------
    *outputs : Tensor
        The tensors to backpropagate from (a loss).
    grad_outputs : array_like or sequence, optional
        The gradient of each output; 1 for a scalar output, as ``backward()``.
    show_values : bool
        Write the tensors' values (small tensors in full, larger ones as a
        summary) beside their gradients.
    rankdir : {"TB", "BT", "LR", "RL"}
        The direction of the data flow in the pictures.

    Returns
    -------
    BackwardSteps
        The frames; ``save_html(path)`` writes the player.

    Raises
    ------
    ValueError
        If no output has a graph to backpropagate through, or the graph has more
        than :data:`MAX_FUNCTIONS` functions.
    TypeError
        If an output is not a Tensor.
    """
    viz._check_outputs(outputs, "step_backward")
    viz._check_options(rankdir, None)
    order = autograd.walk(outputs)
    if not order:
        raise ValueError("step_backward: the outputs have no graph to backpropagate through "
                         "(make them from tensors with requires_grad=True)")
    if len(order) > MAX_FUNCTIONS:
        raise ValueError(f"step_backward: the graph has {len(order)} functions; the pictures are "
                         f"for small graphs (at most {MAX_FUNCTIONS})")
    walk = viz._walk(outputs)
    ids = viz._node_ids(walk.nodes)
    node_id = {id(obj): ids[i] for i, obj in enumerate(walk.nodes)}
    tensors = [t for t in walk.nodes if isinstance(t, Tensor)]
    leaves = [t for t in tensors if t.creator is None and t.requires_grad]
    names = {id(t): t.name or node_id[id(t)] for t in tensors}
    consumers: dict[int, list[Function]] = {}
    for src, dst, position in walk.edges:
        if position is not None:
            consumers.setdefault(id(walk.nodes[src]), []).append(walk.nodes[dst])  # type: ignore[arg-type]

    # the engine's own steps, recorded as it takes them
    steps: list[tuple[Function, list[Any], list[Any]]] = []

    def record(f: Function, gys: tuple[Any, ...], gxs: tuple[Any, ...]) -> None:
        steps.append((f, [_arr(g) for g in gys], [_arr(g) for g in gxs]))

    autograd.backward_hooks.append(record)
    try:
        finals = autograd.grad(list(outputs), leaves, grad_outputs=grad_outputs,
                               retain_graph=True)
    finally:
        autograd.backward_hooks.remove(record)
    seeds = _seeds(outputs, grad_outputs)

    opts = viz._Options(show_shapes=True, show_dtypes=False, show_values=show_values,
                        show_grads=False, group_modules=True)
    received: dict[int, list[tuple[str, np.ndarray]]] = {}
    for y, g in zip(outputs, seeds):
        received.setdefault(id(y), []).append(("the start", g))
    ran: set[int] = set()

    def draw(step: tuple[Function, list[Any], list[Any]] | None) -> graphviz.Digraph:
        return _frame(walk, outputs, opts, rankdir, node_id, names, received, consumers, ran,
                      step)

    out_names = ", ".join(names[id(y)] for y in outputs)
    frames = [Frame(
        f"Backward starts at the output {out_names}: the gradient of the output with respect "
        f"to itself is {_text(seeds[0])}. Each function will now pass gradients from its "
        "output back to its inputs, in the order of the engine's walk: a function runs only "
        "after every function that uses its output.",
        draw(None), None)]
    for k, (f, gys, gxs) in enumerate(steps):
        inputs = f.inputs or ()
        caption = [f"Step {k + 1} of {len(steps)}: {f.name} runs its backward."]
        outs = [r() for r in f.outputs]
        users = sorted({c.name for y in outs if y is not None for c in consumers.get(id(y), [])})
        if users:
            caption.append(f"It runs now because every function that uses its output "
                           f"({', '.join(users)}) has already sent its gradient.")
        else:
            caption.append("It made the output, so it comes first.")
        got = [f"{_text(g)} for {names[id(y)]}" for y, g in zip(outs, gys)
               if y is not None and g is not None]
        caption.append("It receives the gradient " + " and ".join(got) + ".")
        sent = []
        for x, gx in zip(inputs, gxs):
            if gx is None or id(x) not in names:
                continue
            sent.append(f"{_text(gx)} to {names[id(x)]}")
            received.setdefault(id(x), []).append((f.name, gx))
        if sent:
            caption.append("It sends " + " and ".join(sent) + ".")
        ran.add(id(f))
        for x in dict.fromkeys(x for x, gx in zip(inputs, gxs) if gx is not None):
            parts = received.get(id(x), [])
            if len(parts) > 1:
                caption.append(
                    f"{names[id(x)]} is used {len(consumers.get(id(x), []))} times: its "
                    f"gradients add up, {' + '.join(_text(g) for _, g in parts)} = "
                    f"{_text(sum(g for _, g in parts))}.")
        frames.append(Frame(" ".join(caption), draw((f, gys, gxs)), f))
    grads = {names[id(t)]: np.asarray(_arr(g)) for t, g in zip(leaves, finals) if g is not None}
    done = "; ".join(f"{n}: {_text(g)}" for n, g in grads.items())
    frames.append(Frame(
        f"Backward is done. Every leaf has its gradient ({done}): what backward() stores "
        "in .grad.", draw(None)))
    return BackwardSteps(frames, grads)


def _arr(g: Any) -> Any:
    return None if g is None else np.asarray(g.data if isinstance(g, Tensor) else g)


def _seeds(outputs: Sequence[Tensor], grad_outputs: Any) -> list[np.ndarray]:
    """The gradient each output starts with, as backward sees it."""
    if grad_outputs is None:
        return [np.ones(y.shape) for y in outputs]
    given = grad_outputs if isinstance(grad_outputs, (list, tuple)) else [grad_outputs]
    return [np.broadcast_to(np.asarray(_arr(g)), y.shape) for g, y in zip(given, outputs)]


def _text(a: Any) -> str:
    """A gradient as it is written in a caption or on an edge."""
    a = np.asarray(a)
    if a.ndim == 0:
        return f"{float(a):.4g}"
    return viz._array_text(a, with_shape=False).replace("\n", " ")


def _frame(walk: Any, outputs: Sequence[Tensor], opts: Any, rankdir: str, node_id: dict[int, str],
           names: dict[int, str], received: dict[int, list[tuple[str, np.ndarray]]],
           consumers: dict[int, list[Function]], ran: set[int],
           step: tuple[Function, list[Any], list[Any]] | None) -> graphviz.Digraph:
    """Draw the graph as it stands: gradients received so far, the running step in red."""
    drawing = viz._plan(walk, tuple(outputs), opts, None, None)
    for obj in walk.nodes:
        if not isinstance(obj, Tensor):
            continue
        attrs = drawing.nodes[node_id[id(obj)]]
        lines = [] if obj.name else [names[id(obj)]]
        parts = received.get(id(obj), [])
        if parts:
            total = sum(g for _, g in parts)
            grad = " + ".join(_text(g) for _, g in parts)
            lines.append(f"grad: {grad}" + (f" = {_text(total)}" if len(parts) > 1 else ""))
            if all(id(c) in ran for c in consumers.get(id(obj), [])):
                attrs.update(_DONE)
        attrs["label"] = _label(attrs["label"], lines, top=not obj.name)
    if step is not None:
        f, gys, gxs = step
        drawing.nodes[node_id[id(f)]].update(_RUNNING)
        here = node_id[id(f)]
        inputs = list(f.inputs or ())
        outs = {node_id.get(id(r())): g for r, g in zip(f.outputs, gys) if r() is not None}
        sends: dict[str, list[Any]] = {}  # per input node, its gradients in input order
        for x, gx in zip(inputs, gxs):
            if id(x) in node_id:
                sends.setdefault(node_id[id(x)], []).append(gx)
        for i, (src, dst, attrs) in enumerate(drawing.edges):
            if dst == here and sends.get(src):  # an input edge: the gradient goes back along it
                gx = sends[src].pop(0)  # edges come in input order, as the walk lists them
                if gx is not None:
                    drawing.edges[i] = (src, dst, {**attrs, **_SENT, "dir": "back",
                                                   "label": f"grad {_text(gx)}"})
            elif src == here and dst in outs and outs[dst] is not None:
                drawing.edges[i] = (src, dst, {**attrs, **_SENT, "dir": "back",
                                               "label": f"grad {_text(outs[dst])}"})
        drawing.has_highlight = False
    return viz._digraph(drawing, rankdir, legend=False)


def _label(label: str, lines: list[str], top: bool) -> str:
    """Add ``lines`` below a label made by :mod:`minigrad.viz` (the first above it, if ``top``)."""
    if not lines:
        return label
    import graphviz

    extra = [graphviz.escape(line) for line in lines]
    parts = extra[:1] + [str(label)] + extra[1:] if top else [str(label)] + extra
    return graphviz.nohtml("\\n".join(parts))  # type: ignore[no-any-return]
