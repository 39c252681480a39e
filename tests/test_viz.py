"""Tests of minigrad.viz: the DOT description of graphs and their rendering with Graphviz.

Rendering tests need Graphviz's ``dot`` program: they skip without it, except
when the environment variable CI is set, where a missing ``dot`` fails them.
Set MINIGRAD_UPDATE_SNAPSHOTS=1 to rewrite the DOT snapshots in tests/snapshots/.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F
from minigrad import viz
from minigrad.autograd import _scope
from minigrad.ops.linalg import linear

ROOT = Path(__file__).resolve().parent.parent
SNAPSHOTS = Path(__file__).resolve().parent / "snapshots"
SVG_NS = "{http://www.w3.org/2000/svg}"


# ---------------------------------------------------------------------------
# A small reader of the DOT text that graphviz writes


@dataclass
class Dot:
    nodes: dict[str, dict[str, str]] = field(default_factory=dict)
    edges: list[tuple[str, str, dict[str, str]]] = field(default_factory=list)
    clusters: dict[str, dict[str, str]] = field(default_factory=dict)
    members: dict[str, list[str]] = field(default_factory=dict)  # cluster -> node ids (nested)

    def label(self, node_id):
        return self.nodes[node_id].get("label", node_id)

    def find(self, label):
        """The ids of the nodes whose label is ``label`` (lines joined by newlines)."""
        return [n for n in self.nodes if self.label(n) == label]

    def one(self, label):
        ids = self.find(label)
        assert len(ids) == 1, f"{len(ids)} nodes labelled {label!r}: {self.nodes}"
        return ids[0]

    def edge_labels(self, src, dst):
        return [a.get("label") for s, d, a in self.edges if (s, d) == (src, dst)]

    def graph_nodes(self):
        """The nodes of the graph itself (not of the legend)."""
        legend = set(self.members.get("cluster_legend", []))
        return [n for n in self.nodes if n not in legend]


_ATTR = re.compile(r'(\w+)=("(?:[^"\\]|\\.)*"|<[^>]*>|[^ \]]+)')
_NODE = re.compile(r"^(\w+) \[(.*)\]$")
_EDGE = re.compile(r"^(\w+) -> (\w+)(?: \[(.*)\])?$")
_SUBGRAPH = re.compile(r'^subgraph ("[^"]+"|\w+) \{$')


def _value(text):
    if text.startswith('"'):
        text = text[1:-1].replace('\\"', '"')
    return text.replace("\\n", "\n").replace("\\\\", "\\")


def _attrs(text):
    return {k: _value(v) for k, v in _ATTR.findall(text or "")}


def parse(source):
    dot = Dot()
    stack = []
    for raw in source.splitlines():
        line = raw.strip()
        if m := _SUBGRAPH.match(line):
            name = m.group(1).strip('"')
            stack.append(name)
            dot.clusters[name] = {}
            dot.members[name] = []
        elif line == "}":
            if stack:
                stack.pop()
        elif m := _EDGE.match(line):
            dot.edges.append((m.group(1), m.group(2), _attrs(m.group(3))))
        elif m := _NODE.match(line):
            if m.group(1) in ("node", "edge", "graph"):
                continue
            dot.nodes[m.group(1)] = _attrs(m.group(2))
            for cluster in stack:
                dot.members[cluster].append(m.group(1))
        elif stack and "=" in line:
            dot.clusters[stack[-1]].update(_attrs(line))
    return dot


def dot_of(*outputs, **options):
    return parse(viz.to_dot(*outputs, **options).source)


# ---------------------------------------------------------------------------
# Graphs used below


def x_times_x_plus_y():
    x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = mg.tensor([[3.0, 4.0]], name="y")
    return x * x + y, x, y


def two_layer_loss(seed=0, scopes=("fc1", "fc2")):
    """A TwoLayerNet-like loss built from linear, sigmoid, linear, softmax cross-entropy."""
    rng = np.random.default_rng(seed)
    params = {
        "fc1.W": mg.Tensor(rng.standard_normal((4, 5)) * 0.1, requires_grad=True, name="fc1.W"),
        "fc1.b": mg.Tensor(np.zeros(5), requires_grad=True, name="fc1.b"),
        "fc2.W": mg.Tensor(rng.standard_normal((5, 3)) * 0.1, requires_grad=True, name="fc2.W"),
        "fc2.b": mg.Tensor(np.zeros(3), requires_grad=True, name="fc2.b"),
    }
    x = mg.Tensor(rng.standard_normal((2, 4)), name="x")
    t = mg.Tensor(np.array([0, 2]), name="t")
    with _scope(scopes[0]):
        h = linear(x, params["fc1.W"], params["fc1.b"])
    a = h.sigmoid()
    with _scope(scopes[1]):
        o = linear(a, params["fc2.W"], params["fc2.b"])
    return F.softmax_cross_entropy(o, t), params


def ops_of(dot):
    return sorted(dot.label(n).split("\n")[0] for n in dot.graph_nodes()
                  if dot.nodes[n].get("shape") == "box")


# ---------------------------------------------------------------------------
# Structure of known graphs


def test_x_times_x_plus_y_nodes_edges_and_styles():
    z, x, y = x_times_x_plus_y()
    dot = dot_of(z)
    assert len(dot.graph_nodes()) == 6  # x, y, x*x, z and the ops Mul, Add
    add, mul = dot.one("Add"), dot.one("Mul")
    xn, yn = dot.one("x\n(2,)"), dot.one("y\n(1, 2)")
    out = dot.one("(1, 2)")
    square = dot.one("(2,)")
    assert dot.nodes[add]["shape"] == "box" and "shape" not in dot.nodes[xn]
    # data-flow order: input tensor -> op -> output tensor; x feeds Mul twice
    assert dot.edge_labels(xn, mul) == [None, None]
    assert dot.edge_labels(mul, square) == [None]
    assert dot.edge_labels(yn, add) == [None]
    assert dot.edge_labels(add, out) == [None]
    assert add == "op0"
    # the output is first in the walk, and each kind has its own colour
    assert out == "t0"
    colours = {dot.nodes[n]["fillcolor"] for n in (xn, yn, out, square)}
    assert len(colours) == 4
    # x*x (shape (2,)) was broadcast against y (1, 2) along axis 0
    assert dot.edge_labels(square, add) == ["broadcast axis 0"]


def test_snapshot_of_a_small_graph():
    z, _, _ = x_times_x_plus_y()
    source = viz.to_dot(z).source
    path = SNAPSHOTS / "x_times_x_plus_y.dot"
    if os.environ.get("MINIGRAD_UPDATE_SNAPSHOTS"):
        path.write_text(source)
    assert path.exists(), "snapshot missing; run with MINIGRAD_UPDATE_SNAPSHOTS=1"
    assert source == path.read_text()


def test_same_graph_gives_same_source():
    sources = {viz.to_dot(x_times_x_plus_y()[0]).source for _ in range(3)}
    assert len(sources) == 1
    a, b = two_layer_loss()[0], two_layer_loss()[0]
    assert viz.to_dot(a).source == viz.to_dot(b).source


def test_softmax_cross_entropy_graph():
    logits = mg.Tensor([[0.3, 2.9, 4.0], [1.0, 0.0, -1.0]], requires_grad=True, name="logits")
    t = mg.Tensor(np.array([2, 0]), name="t")
    loss = F.softmax_cross_entropy(logits, t)
    dot = dot_of(loss)
    op = dot.one("SoftmaxCrossEntropy")
    assert dot.edge_labels(dot.one("logits\n(2, 3)"), op) == [None]
    assert dot.edge_labels(dot.one("t\n(2,)"), op) == [None]
    assert dot.edge_labels(op, dot.one("()")) == [None]
    assert ops_of(dot) == ["SoftmaxCrossEntropy"]


def test_softmax_shows_its_axis_attribute():
    x = mg.Tensor([[1.0, 2.0]], requires_grad=True)
    dot = dot_of(F.softmax(x, axis=1).sum(axis=0, keepdims=True))
    assert dot.find("Softmax\naxis=1")
    assert dot.find("Sum\naxis=(0,)\nkeepdims=True")


def test_two_layer_loss_clusters_and_broadcast_bias():
    loss, params = two_layer_loss()
    dot = dot_of(loss)
    assert ops_of(dot) == ["Linear", "Linear", "Sigmoid", "SoftmaxCrossEntropy"]
    assert dot.clusters["cluster_fc1"]["label"] == "fc1"
    assert dot.clusters["cluster_fc2"]["label"] == "fc2"
    for layer in ("fc1", "fc2"):
        members = [dot.label(n) for n in dot.members[f"cluster_{layer}"]]
        assert "Linear" in members
        assert any(m.startswith(f"{layer}.W\n") for m in members)
        assert any(m.startswith(f"{layer}.b\n") for m in members)
        bias = dot.one(f"{layer}.b\n{params[layer + '.b'].shape}")
        linear_op = [n for n in dot.members[f"cluster_{layer}"] if dot.label(n) == "Linear"][0]
        assert dot.edge_labels(bias, linear_op) == ["broadcast axis 0"]
    # the input, the labels, the activation and the loss belong to no layer
    in_layers = {n for layer in ("fc1", "fc2") for n in dot.members[f"cluster_{layer}"]}
    for label in ("x\n(2, 4)", "t\n(2,)", "Sigmoid", "SoftmaxCrossEntropy"):
        assert dot.one(label) not in in_layers


def test_nested_module_scopes_nest_clusters():
    loss, _ = two_layer_loss(scopes=("Net.fc1", "Net.fc2"))
    dot = dot_of(loss)
    assert dot.clusters["cluster_Net"]["label"] == "Net"
    assert dot.clusters["cluster_Net.fc1"]["label"] == "fc1"
    assert set(dot.members["cluster_Net.fc1"]) <= set(dot.members["cluster_Net"])


def test_group_modules_false_draws_no_module_clusters():
    loss, _ = two_layer_loss()
    dot = dot_of(loss, group_modules=False)
    assert set(dot.clusters) == {"cluster_legend"}


def test_real_two_layer_net_loss():
    from minigrad import models

    net = models.TwoLayerNet(4, 5, 3, seed=0)
    x = np.random.default_rng(0).standard_normal((2, 4))
    loss = net.loss(x, np.array([0, 2]))
    dot = dot_of(loss)
    assert ops_of(dot) == ["Linear", "Linear", "Sigmoid", "SoftmaxCrossEntropy"]
    for layer in ("fc1", "fc2"):
        cluster = next(c for c in dot.clusters if c.split("_", 1)[1].split(".")[-1] == layer)
        labels = [dot.label(n).split("\n")[0] for n in dot.members[cluster]]
        assert {"Linear", f"{layer}.W", f"{layer}.b"} <= set(labels)


# ---------------------------------------------------------------------------
# Options


def test_show_dtypes_and_shapes():
    x = mg.Tensor(np.ones((2, 3), dtype=np.float32), requires_grad=True, name="w")
    dot = dot_of(x.sum(), show_dtypes=True)
    assert dot.find("w\n(2, 3) float32")
    dot = dot_of(x.sum(), show_shapes=False)
    assert dot.find("w")
    assert dot.find("()")  # an unnamed tensor always shows its shape


def test_show_values_small_and_large():
    small = mg.Tensor([1.0, 2.0], requires_grad=True, name="small")
    large = mg.Tensor(np.arange(12.0).reshape(3, 4), requires_grad=True, name="large")
    dot = dot_of(small.sum() + large.sum(), show_values=True)
    assert dot.find("small\n(2,)\nvalue [1., 2.]")
    norm = np.linalg.norm(np.arange(12.0))
    assert dot.find(f"large\n(3, 4)\nvalue norm={norm:.4g}, mean=5.5")
    dot = dot_of(large.sum(), show_values=True, show_shapes=False)
    assert dot.find(f"large\nvalue (3, 4) norm={norm:.4g}, mean=5.5")


def test_show_grads_after_backward_with_retain_graph():
    loss, params = two_layer_loss()
    loss.backward(retain_graph=True)
    dot = dot_of(loss, show_grads=True)
    for name, p in params.items():
        (node,) = [n for n in dot.nodes if dot.label(n).startswith(name + "\n")]
        grad_line = dot.label(node).split("\n")[-1]
        if p.size <= viz.SMALL_TENSOR:
            assert grad_line.startswith("grad [")
        else:
            assert grad_line.startswith(f"grad norm={np.linalg.norm(p.grad.data):.4g}")
    assert not dot.find("graph released by backward(); use retain_graph=True")


def test_show_grads_before_backward_says_none_and_retained_grads_show():
    x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
    h = (x * 3).retain_grad()
    y = h.sum()
    assert dot_of(y, show_grads=True).find("x\n(2,)\ngrad None")
    y.backward(retain_graph=True)
    dot = dot_of(y, show_grads=True)
    assert dot.find("x\n(2,)\ngrad [3., 3.]")
    assert dot.find("(2,)\ngrad [1., 1.]")


def test_vanishing_gradient_is_visible():
    x = mg.Tensor(np.full((2, 4), 30.0), requires_grad=True, name="x")
    y = x.sigmoid().sigmoid().sum()
    y.backward(retain_graph=True)
    dot = dot_of(y, show_grads=True)
    (label,) = [dot.label(n) for n in dot.nodes if dot.label(n).startswith("x\n")]
    norm = float(label.split("grad norm=")[1].split(",")[0])
    assert norm < 1e-10


def test_graph_after_a_plain_backward_is_drawn_whole_with_gradients():
    z, x, y = x_times_x_plus_y()
    before = viz.to_dot(z).source
    z.sum().backward()
    dot = dot_of(z, show_grads=True)
    # every op and every tensor is still drawn (backward frees saved data, not structure)
    assert dot.find("Add") and dot.find("Mul") and not dot.find("(inputs released)")
    assert len(dot.nodes) == len(dot_of(z).nodes)
    assert viz.to_dot(z).source == before
    assert "retain_graph" not in viz.to_dot(z, show_grads=True).source
    (xlabel,) = [dot.label(n) for n in dot.nodes if dot.label(n).startswith("x\n")]
    assert "grad" in xlabel and "None" not in xlabel
    # a second backward still refuses, with the usual error
    with pytest.raises(RuntimeError, match="second time"):
        z.sum().backward()


def test_graph_released_by_in_place_update_is_noted():
    w = mg.tensor([1.0, 2.0], requires_grad=True, name="w")
    y = w * w
    with mg.no_grad():
        w += 1
    dot = dot_of(y)
    assert "in-place" in dot.nodes["legend_notes"]["label"]


def test_max_nodes_keeps_the_nodes_nearest_the_outputs():
    x = mg.tensor([1.0], requires_grad=True, name="x")
    y = x
    for _ in range(10):
        y = y.sin()
    full = dot_of(y)
    assert len(full.graph_nodes()) == 21
    dot = dot_of(y, max_nodes=5)
    kept = [n for n in dot.graph_nodes() if n != "left_out"]
    assert kept == ["t0", "op0", "t1", "op1", "t2"]
    assert dot.label("left_out") == "16 more nodes not shown\n(max_nodes=5)"
    assert ("left_out", "t2", {"style": "dashed"}) in dot.edges
    assert not any("x\n" in dot.label(n) for n in dot.nodes)
    assert dot_of(y, max_nodes=100).nodes == full.nodes


def test_rankdir_is_set():
    z, _, _ = x_times_x_plus_y()
    assert "rankdir=LR" in viz.to_dot(z, rankdir="LR").source


def test_legend_lists_the_kinds_present():
    z, _, _ = x_times_x_plus_y()
    dot = dot_of(z)
    legend = dot.members["cluster_legend"]
    assert {"legend_parameter", "legend_constant", "legend_intermediate", "legend_output",
            "legend_op", "legend_notes"} == set(legend)
    w = mg.tensor([1.0], requires_grad=True)
    assert "legend_constant" not in dot_of(w.exp()).nodes
    assert "cluster_legend" not in dot_of(w.exp(), legend=False).clusters


def test_multiple_outputs_and_leaf_output():
    x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
    a, b = x.exp(), x.sin()
    dot = dot_of(a, b)
    assert dot.nodes["t0"]["fillcolor"] == dot.nodes["t1"]["fillcolor"]
    assert dot.label("t2") == "x\n(2,)"
    assert len(dot.graph_nodes()) == 5
    assert len(dot_of(x).graph_nodes()) == 1


def test_labels_with_special_characters_are_literal():
    x = mg.tensor([1.0], requires_grad=True, name="<b>a\\b\"c</b>")
    source = viz.to_dot(x.exp()).source
    assert 'label="<b>a\\\\b\\"c</b>\\n(1,)"' in source


# ---------------------------------------------------------------------------
# Highlighting


def test_highlight_tensors_and_functions():
    z, x, _ = x_times_x_plus_y()
    dot = dot_of(z, highlight=[x, z.creator])
    red = {n for n in dot.graph_nodes() if dot.nodes[n].get("color") == "#dc3545"}
    assert red == {dot.one("x\n(2,)"), dot.one("Add")}
    assert "legend_highlight" in dot.nodes
    dot = dot_of(z, highlight=x)  # a single object
    assert dot.nodes[dot.one("x\n(2,)")]["color"] == "#dc3545"


@dataclass
class FakeRow:
    function: object
    passed: bool


@dataclass
class FakeReport:
    rows: list
    first_failure: object = None


def test_highlight_a_check_report_marks_failing_rows():
    loss, _ = two_layer_loss()
    sce = loss.creator
    sigmoid = sce.inputs[0].creator.inputs[0].creator
    report = FakeReport([FakeRow(sce, True), FakeRow(sigmoid, False)])
    report.first_failure = report.rows[1]
    dot = dot_of(loss, highlight=report)
    red = [n for n in dot.graph_nodes() if dot.nodes[n].get("color") == "#dc3545"]
    assert [dot.label(n) for n in red] == ["Sigmoid\n(first failure)"]


def test_highlight_the_report_of_check_graph():
    from minigrad import debug

    class BadSquare(mg.Function):
        def forward(self, x):
            return x * x

        def backward(self, gy):
            (x,) = self.inputs
            return 3 * x * gy  # wrong on purpose

    x = mg.tensor([1.0, 2.0], requires_grad=True, name="x")
    y = BadSquare()(x.sin()).sum()
    report = debug.check_graph(y)
    dot = dot_of(y, highlight=report)
    red = [dot.label(n) for n in dot.graph_nodes() if dot.nodes[n].get("color") == "#dc3545"]
    assert red == ["BadSquare\n(first failure)"]


def test_highlight_report_with_ok_attribute():
    z, _, _ = x_times_x_plus_y()

    @dataclass
    class Row:
        function: object
        ok: bool

    dot = dot_of(z, highlight=FakeReport([Row(z.creator, False)]))
    assert dot.nodes[dot.one("Add")]["color"] == "#dc3545"


def test_highlight_rejects_other_objects():
    z, _, _ = x_times_x_plus_y()
    with pytest.raises(TypeError, match=r"highlight\[1\] must be a Tensor or a Function"):
        viz.to_dot(z, highlight=[z, "x"])


# ---------------------------------------------------------------------------
# Broadcast axes


@pytest.mark.parametrize("in_shape, out_shape, axes", [
    ((3,), (2, 3), (0,)),
    ((2, 1), (2, 3), (1,)),
    ((1, 3), (4, 2, 3), (0, 1)),
    ((), (2, 2), (0, 1)),
    ((2, 3), (2, 3), ()),
])
def test_broadcast_axes(in_shape, out_shape, axes):
    assert viz.broadcast_axes(in_shape, out_shape) == axes


@settings(max_examples=50, deadline=None)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=4, max_side=3))
def test_broadcast_axes_are_the_axes_sum_to_reduces(shapes):
    in_shape = shapes.input_shapes[0]
    out_shape = shapes.result_shape
    axes = viz.broadcast_axes(in_shape, out_shape)
    grad = np.random.default_rng(0).random(out_shape)
    summed = grad.sum(axis=axes, keepdims=True) if axes else grad
    lead = len(out_shape) - len(in_shape)
    reduced = summed.reshape(summed.shape[lead:])
    assert reduced.shape == in_shape
    np.testing.assert_allclose(reduced, mg.Tensor(grad).sum_to(in_shape).data)


def test_broadcast_edges_of_every_elementwise_binary_op():
    for op in (lambda a, b: a + b, lambda a, b: a - b, lambda a, b: a * b,
               lambda a, b: a / b, lambda a, b: a ** b):
        a = mg.Tensor(np.full((2, 3), 2.0), requires_grad=True, name="a")
        b = mg.Tensor(np.full((2, 1), 3.0), requires_grad=True, name="b")
        y = op(a, b)
        dot = dot_of(y)
        assert dot.edge_labels(dot.one("b\n(2, 1)"), "op0") == ["broadcast axis 1"]
        assert dot.edge_labels(dot.one("a\n(2, 3)"), "op0") == [None]


def test_no_broadcast_marker_on_matmul():
    a = mg.Tensor(np.ones((2, 3)), requires_grad=True, name="a")
    b = mg.Tensor(np.ones(3), requires_grad=True, name="b")
    dot = dot_of(a @ b)
    assert all("label" not in attrs for _, _, attrs in dot.edges)


# ---------------------------------------------------------------------------
# Errors that need no Graphviz


def test_to_dot_rejects_bad_arguments():
    z, _, _ = x_times_x_plus_y()
    with pytest.raises(ValueError, match="at least one output"):
        viz.to_dot()
    with pytest.raises(TypeError, match="output 1 must be a Tensor, got ndarray"):
        viz.to_dot(z, np.ones(2))
    with pytest.raises(ValueError, match="rankdir"):
        viz.to_dot(z, rankdir="up")
    for bad in (0, -1, 2.5, True):
        with pytest.raises(ValueError, match="max_nodes"):
            viz.to_dot(z, max_nodes=bad)


def test_draw_graph_rejects_bad_paths_before_writing(tmp_path):
    z, _, _ = x_times_x_plus_y()
    with pytest.raises(ValueError, match=r"unknown format 'gif'.*svg, png, pdf"):
        viz.draw_graph(z, path=tmp_path / "g.gif")
    with pytest.raises(ValueError, match="unknown format 'jpeg'"):
        viz.draw_graph(z, path=tmp_path / "g.svg", format="jpeg")
    with pytest.raises(ValueError, match="unknown format ''"):
        viz.draw_graph(z, path=tmp_path / "noextension")
    with pytest.raises(FileNotFoundError, match="missing.*does not exist"):
        viz.draw_graph(z, path=tmp_path / "missing" / "g.svg")
    (tmp_path / "adir.svg").mkdir()
    with pytest.raises(IsADirectoryError, match="adir.svg"):
        viz.draw_graph(z, path=tmp_path / "adir.svg")
    with pytest.raises(TypeError, match="output 0 must be a Tensor, got list"):
        viz.draw_graph([1.0], path=tmp_path / "g.svg")
    assert [p.name for p in tmp_path.iterdir()] == ["adir.svg"]


def test_draw_graph_rejects_a_read_only_directory(tmp_path, monkeypatch):
    z, _, _ = x_times_x_plus_y()
    real_access = os.access
    monkeypatch.setattr(viz.os, "access",
                        lambda p, mode: False if mode == os.W_OK else real_access(p, mode))
    with pytest.raises(PermissionError, match="not writable"):
        viz.draw_graph(z, path=tmp_path / "g.svg")
    assert list(tmp_path.iterdir()) == []


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0,
                    reason="needs a non-root POSIX user for directory permissions")
def test_draw_graph_in_a_real_read_only_directory(tmp_path):
    z, _, _ = x_times_x_plus_y()
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(PermissionError):
            viz.draw_graph(z, path=tmp_path / "g.svg")
    finally:
        tmp_path.chmod(0o700)
    assert list(tmp_path.iterdir()) == []


def test_draw_graph_on_a_read_only_filesystem(read_only_mount):
    z, _, _ = x_times_x_plus_y()
    with pytest.raises(PermissionError, match="not writable"):
        viz.draw_graph(z, path=read_only_mount / "g.svg")
    assert list(read_only_mount.iterdir()) == []


@pytest.fixture
def no_dot(tmp_path, monkeypatch):
    """A PATH on which no program, and so no ``dot``, can be found."""
    empty = tmp_path / "empty_bin"
    empty.mkdir()
    monkeypatch.setenv("PATH", str(empty))
    return empty


def test_without_dot_to_dot_works_and_draw_graph_explains(no_dot, tmp_path):
    z, _, _ = x_times_x_plus_y()
    assert viz.to_dot(z).source.startswith("digraph minigrad {")
    assert not viz.dot_available()
    out = tmp_path / "out"
    out.mkdir()
    with pytest.raises(viz.GraphvizNotFoundError) as info:
        viz.draw_graph(z, path=out / "g.svg")
    message = str(info.value)
    assert isinstance(info.value, RuntimeError)
    assert "`dot`" in message and "not found" in message
    for hint in ("apt-get install graphviz", "brew install graphviz", "conda install graphviz"):
        assert hint in message
    assert list(out.iterdir()) == []


def test_tensor_display_falls_back_to_text_without_dot(no_dot):
    z, _, _ = x_times_x_plus_y()
    bundle = z._repr_mimebundle_()
    assert bundle == {"text/plain": repr(z)}


# ---------------------------------------------------------------------------
# Rendering with dot


def _ci():
    return os.environ.get("CI", "").strip().lower() not in ("", "0", "false", "no")


def require_dot():
    """Skip (or, under CI, fail) the calling test when Graphviz's ``dot`` program is missing."""
    if shutil.which("dot") is None:
        message = "Graphviz's `dot` is not installed (apt-get install graphviz)"
        if _ci():
            pytest.fail(message + "; CI must render graphs")
        pytest.skip(reason=message)


@pytest.mark.parametrize("ci, outcome", [("true", "1 failed"), ("", "1 skipped")])
def test_missing_dot_skips_locally_but_fails_under_ci(ci, outcome, no_dot):
    env = {**os.environ, "CI": ci, "PATH": str(no_dot), "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
         f"{__file__}::test_render_png_and_pdf"],
        capture_output=True, text=True, env=env, cwd=ROOT, timeout=120,
    )
    assert outcome in result.stdout, result.stdout


def svg_texts(path):
    root = ET.parse(path).getroot()
    return [t.text for t in root.iter(f"{SVG_NS}text") if t.text]


def test_render_svg(tmp_path):
    require_dot()
    loss, _ = two_layer_loss()
    loss.backward(retain_graph=True)
    path = viz.draw_graph(loss, path=str(tmp_path / "loss.svg"), show_grads=True)
    assert path == tmp_path / "loss.svg" and isinstance(path, Path)
    texts = svg_texts(path)
    for label in ("fc1.W", "fc2.b", "Linear", "Sigmoid", "SoftmaxCrossEntropy", "fc1", "fc2",
                  "broadcast axis 0", "legend"):
        assert label in texts, label
    assert any(t.startswith("grad norm=") for t in texts)
    assert [p.name for p in tmp_path.iterdir()] == ["loss.svg"]  # no temporary file left
    assert path.stat().st_mode & 0o044  # readable by others, as an ordinary new file


def test_render_png_and_pdf(tmp_path):
    require_dot()
    z, _, _ = x_times_x_plus_y()
    png = viz.draw_graph(z, path=tmp_path / "g.png")
    assert png.read_bytes().startswith(b"\x89PNG\r\n\x1a\n")
    pdf = viz.draw_graph(z, path=tmp_path / "g.PDF")
    assert pdf.read_bytes().startswith(b"%PDF")
    other = viz.draw_graph(z, path=tmp_path / "graph.out", format="svg")
    assert ET.parse(other).getroot().tag == f"{SVG_NS}svg"


def test_render_replaces_an_existing_file_whole(tmp_path):
    require_dot()
    z, _, _ = x_times_x_plus_y()
    path = tmp_path / "g.svg"
    path.write_text("old")
    viz.draw_graph(z, path=path)
    assert "Add" in svg_texts(path)


def test_failed_write_leaves_nothing_partial(tmp_path, monkeypatch):
    require_dot()
    z, _, _ = x_times_x_plus_y()
    path = tmp_path / "g.svg"
    path.write_text("old")

    def broken_replace(src, dst):
        raise OSError("disk full")

    monkeypatch.setattr(viz.os, "replace", broken_replace)
    with pytest.raises(OSError, match="disk full"):
        viz.draw_graph(z, path=path)
    assert [p.name for p in tmp_path.iterdir()] == ["g.svg"]
    assert path.read_text() == "old"


def test_dot_failure_is_a_clear_runtime_error(tmp_path, monkeypatch):
    require_dot()
    z, _, _ = x_times_x_plus_y()
    import graphviz

    def failing_pipe(self, format=None, **kwargs):
        raise graphviz.CalledProcessError(1, ["dot"], stderr=b"syntax error")

    monkeypatch.setattr(graphviz.Digraph, "pipe", failing_pipe)
    with pytest.raises(RuntimeError, match="dot` failed to render svg: syntax error"):
        viz.draw_graph(z, path=tmp_path / "g.svg")
    assert list(tmp_path.iterdir()) == []


def test_jupyter_display():
    require_dot()
    z, _, _ = x_times_x_plus_y()
    bundle = viz.to_dot(z)._repr_mimebundle_()
    assert "image/svg+xml" in bundle
    bundle = z._repr_mimebundle_()
    assert "<svg" in bundle["image/svg+xml"]
    leaf = mg.tensor([1.0])
    assert leaf._repr_mimebundle_() == {"text/plain": repr(leaf)}


def test_example_script_writes_the_three_pictures(tmp_path):
    require_dot()
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    result = subprocess.run(
        [sys.executable, str(ROOT / "examples" / "render_graphs.py"), "--out", str(tmp_path)],
        capture_output=True, text=True, env=env, cwd=tmp_path, timeout=120,
    )
    assert result.returncode == 0, result.stderr
    names = sorted(p.name for p in tmp_path.iterdir())
    assert names == ["expression.svg", "simple_net_loss.svg", "two_layer_net_loss.svg"]
    texts = svg_texts(tmp_path / "two_layer_net_loss.svg")
    assert "fc1.W" in texts and "SoftmaxCrossEntropy" in texts
    assert any(t.startswith("grad norm=") for t in texts)
    assert "grad 6." in svg_texts(tmp_path / "expression.svg")


def test_committed_readme_picture_is_valid_svg():
    path = ROOT / "docs" / "images" / "two_layer_net_loss.svg"
    texts = svg_texts(path)
    assert "fc1.W" in texts and "fc2.W" in texts
