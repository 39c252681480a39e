"""Debugging a wrong gradient, step by step, with minigrad's debugging tools.

A TwoLayerNet-like model (linear -> sigmoid -> a hand-written op -> linear ->
softmax cross-entropy) has a bug in the backward of its hand-written op. We:

1. see the whole-model gradient check fail (it names the culprit),
2. look at the per-op table of ``mg.check_graph`` (and at float32 graphs),
3. fix the op and compare numerical and autodiff gradients the chapter's way,
4. watch the backward pass with ``mg.trace_backward``,
5. list the memory the graph holds with ``mg.graph_memory``,
6. catch a forgotten ``zero_grad()`` with ``mg.set_debug(True)``.

Run with no arguments: ``python examples/debugging.py`` (a few seconds).
"""

from __future__ import annotations

import sys
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402
from minigrad.numerical import gradient_report  # noqa: E402


class Gain(mg.Function):
    """``h * g``: a learnable gain per hidden unit, broadcast over the batch."""

    def forward(self, h, g):
        return h * g

    def backward(self, gy):
        h, g = self.inputs
        # g was broadcast over the batch (axis 0), so its gradient is summed over it
        return gy * g, (gy * h).sum(axis=0)


class BuggyGain(Gain):
    """The same op with a classic bug: averaging the broadcast gradient instead of summing."""

    def backward(self, gy):
        h, g = self.inputs
        return gy * g, (gy * h).mean(axis=0)


class Net:
    """softmax_cross_entropy(linear(gain(sigmoid(linear(x, W1, b1)), g), W2, b2), t)."""

    def __init__(self, gain_op, input_size=8, hidden_size=6, output_size=3, dtype=np.float64,
                 seed=0):
        rng = np.random.default_rng(seed)
        self.gain_op = gain_op
        self.params = {
            "W1": mg.tensor(rng.standard_normal((input_size, hidden_size)), dtype=dtype,
                            requires_grad=True, name="W1"),
            "b1": mg.tensor(np.zeros(hidden_size), dtype=dtype, requires_grad=True, name="b1"),
            "g": mg.tensor(np.ones(hidden_size), dtype=dtype, requires_grad=True, name="g"),
            "W2": mg.tensor(rng.standard_normal((hidden_size, output_size)), dtype=dtype,
                            requires_grad=True, name="W2"),
            "b2": mg.tensor(np.zeros(output_size), dtype=dtype, requires_grad=True, name="b2"),
        }

    def loss(self, x, t):
        p = self.params
        h = F.sigmoid(F.linear(x, p["W1"], p["b1"]))
        h = self.gain_op()(h, p["g"])
        return F.softmax_cross_entropy(F.linear(h, p["W2"], p["b2"]), t)

    def zero_grad(self):
        for w in self.params.values():
            w.zero_grad()


def section(title):
    print()
    print("=" * 78)
    print(title)
    print("=" * 78)


def main():
    rng = np.random.default_rng(1)
    x = rng.standard_normal((5, 8))
    t = rng.integers(0, 3, size=5)

    section("1. The whole-model gradient check fails")
    net = Net(BuggyGain)
    params = list(net.params.values())
    try:
        mg.gradcheck(lambda *ps: net.loss(x, t), params)
    except mg.GradcheckError as e:
        print(f"GradcheckError: {e}")

    section("2. check_graph: every op checked on its own, on the inputs it saw")
    loss = net.loss(x, t)
    report = mg.check_graph(loss)  # before backward(): the graph must still be alive
    print(report)
    print(f"\nreport.first_failure.op = {report.first_failure.op!r}")
    print("(minigrad.viz.to_dot(loss, highlight=report) draws the graph with it in red)")

    print("\nThe same model in float32: the check runs on float64 copies")
    net32 = Net(BuggyGain, dtype=np.float32)
    print(mg.check_graph(net32.loss(x.astype(np.float32), t)))

    section("3. After the fix: the chapter's gradient check (numerical vs autodiff)")
    net = Net(Gain)
    print(mg.check_graph(net.loss(x, t)))
    numerical = {k: mg.numerical_gradient(lambda _: net.loss(x, t), w)
                 for k, w in net.params.items()}
    analytic = dict(zip(net.params, mg.grad(net.loss(x, t), list(net.params.values()))))
    print("\nmean |numerical - autodiff| per parameter:")
    print(gradient_report(numerical, analytic))

    section("4. trace_backward: what each backward step received and produced")
    loss = net.loss(x, t)
    with mg.trace_backward() as trace:
        loss.backward()
    print(trace)
    print("(the bias of each Linear and the gain g were broadcast over the batch, so their "
          "gradients are summed over axis 0)")

    section("5. graph_memory: what the graph keeps alive until backward")
    print(mg.graph_memory(net.loss(x, t)))

    section("6. Debug mode catches a forgotten zero_grad()")
    previous = mg.set_debug(True)
    try:
        net.zero_grad()
        net.loss(x, t).backward()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net.loss(x, t).backward()  # oops: no zero_grad() or optimizer step in between
        for w in caught:
            print(f"{w.category.__name__}: {w.message}")
        net.zero_grad()
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            net.loss(x, t).backward()
        print(f"after zero_grad(): {len(caught)} warning(s)")
    finally:
        mg.set_debug(previous)


if __name__ == "__main__":
    main()
