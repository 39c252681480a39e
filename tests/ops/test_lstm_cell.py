"""The fused LSTM step ``lstm_cell``: values, gradcheck and gradgradcheck on Hypothesis
shapes, both gate orders, with and without ``weight_ih``, the first-order backward against
the differentiable one, float32, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays

import minigrad as mg
import minigrad.functional as F


def _sig(x):
    return 1 / (1 + np.exp(-x))


def _reference(xw, h, c, w, b, order, w_ih=None):
    """The step written out in NumPy, gate by gate."""
    a = (xw if w_ih is None else xw @ w_ih) + h @ w + (0 if b is None else b)
    n = c.shape[1]
    blocks = {k: a[:, j * n:(j + 1) * n] for j, k in enumerate(order)}
    c_next = _sig(blocks["f"]) * c + _sig(blocks["i"]) * np.tanh(blocks["g"])
    return _sig(blocks["o"]) * np.tanh(c_next), c_next


@st.composite
def cells(draw, max_n=3, max_h=3):
    n = draw(st.integers(1, max_n))
    hid = draw(st.integers(1, max_h))
    arrays = [draw(float_arrays(shape)) for shape in
              [(n, 4 * hid), (n, hid), (n, hid), (hid, 4 * hid), (4 * hid,)]]
    bias = draw(st.booleans())
    order = draw(st.sampled_from(["ifgo", "fgio"]))
    return arrays if bias else arrays[:4], order


@GRADCHECK
@given(case=cells())
def test_values_and_gradcheck(case):
    arrays, order = case
    h, c = F.lstm_cell(*[leaf(a) for a in arrays], gate_order=order)
    want = _reference(*arrays, *([None] if len(arrays) == 4 else []), order)
    np.testing.assert_allclose(h.data, want[0], rtol=1e-12, atol=1e-14)
    np.testing.assert_allclose(c.data, want[1], rtol=1e-12, atol=1e-14)
    assert mg.gradcheck(lambda *xs: F.lstm_cell(*xs, gate_order=order),
                        [leaf(a) for a in arrays])


@GRADGRADCHECK
@given(case=cells(max_n=2, max_h=2))
def test_gradgradcheck(case):
    arrays, order = case
    assert mg.gradgradcheck(lambda *xs: F.lstm_cell(*xs, gate_order=order),
                            [leaf(a) for a in arrays])


@st.composite
def projecting_cells(draw, max_n=3, max_h=3, max_d=3):
    """Operands of a step that projects its input itself: ``x``, ``h``, ``c``, ``W_hh``,
    the bias or None, ``W_ih``."""
    n, hid, d = (draw(st.integers(1, m)) for m in (max_n, max_h, max_d))
    x, h, c, w, b, w_ih = (draw(float_arrays(shape)) for shape in
                           [(n, d), (n, hid), (n, hid), (hid, 4 * hid), (4 * hid,), (d, 4 * hid)])
    return [x, h, c, w, b if draw(st.booleans()) else None, w_ih], draw(
        st.sampled_from(["ifgo", "fgio"]))


def _projecting(order, with_bias):
    def cell(x, h, c, w, *rest):
        b, w_ih = rest if with_bias else (None, rest[0])
        return F.lstm_cell(x, h, c, w, b, gate_order=order, weight_ih=w_ih)
    return cell


@GRADCHECK
@given(case=projecting_cells())
def test_weight_ih_values_and_gradcheck(case):
    (x, h, c, w, b, w_ih), order = case
    arrays = [a for a in (x, h, c, w, b, w_ih) if a is not None]
    got = _projecting(order, b is not None)(*[leaf(a) for a in arrays])
    want = _reference(x, h, c, w, b, order, w_ih)
    for g, r in zip(got, want):
        np.testing.assert_allclose(g.data, r, rtol=1e-12, atol=1e-14)
    assert mg.gradcheck(_projecting(order, b is not None), [leaf(a) for a in arrays])


@GRADGRADCHECK
@given(case=projecting_cells(max_n=2, max_h=2, max_d=2))
def test_weight_ih_gradgradcheck(case):
    (x, h, c, w, b, w_ih), order = case
    arrays = [a for a in (x, h, c, w, b, w_ih) if a is not None]
    assert mg.gradgradcheck(_projecting(order, b is not None), [leaf(a) for a in arrays])


@pytest.mark.parametrize("with_bias", [True, False])
def test_weight_ih_first_order_backward_equals_the_differentiable_one(with_bias):
    rng = np.random.default_rng(5)
    arrays = [rng.normal(size=s) for s in [(3, 4), (3, 2), (3, 2), (2, 8)]
              + ([(8,)] if with_bias else []) + [(4, 8)]]
    gh, gc = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    grads = []
    for create_graph in (False, True):
        xs = [leaf(a) for a in arrays]
        h, c = _projecting("fgio", with_bias)(*xs)
        grads.append(mg.grad([h, c], xs, grad_outputs=[gh, gc], create_graph=create_graph))
    for fast, slow in zip(*grads):
        np.testing.assert_allclose(fast.data, slow.data, rtol=1e-12, atol=1e-15)


def test_weight_ih_is_the_projection_computed_outside():
    """``lstm_cell(x, ..., weight_ih=W)`` gives what ``lstm_cell(x @ W, ...)`` gives."""
    rng = np.random.default_rng(6)
    x, h, c, w, b, w_ih = (rng.normal(size=s) for s in
                           [(3, 4), (3, 2), (3, 2), (2, 8), (8,), (4, 8)])
    xs = [leaf(a) for a in (x, h, c, w, b, w_ih)]
    got = F.lstm_cell(*xs[:5], weight_ih=xs[5])
    g1 = mg.grad(got[0].sum() + got[1].sum(), xs)
    ys = [leaf(a) for a in (x, h, c, w, b, w_ih)]
    want = F.lstm_cell(ys[0] @ ys[5], *ys[1:5])
    g2 = mg.grad(want[0].sum() + want[1].sum(), ys)
    for a, r in zip([*got, *g1], [*want, *g2]):
        np.testing.assert_allclose(a.data, r.data, rtol=1e-12, atol=1e-14)


@pytest.mark.parametrize("order", ["ifgo", "fgio"])
def test_first_order_backward_equals_the_differentiable_one(order):
    """The NumPy backward (plain ``backward``) and the tensor one (``create_graph``) agree."""
    rng = np.random.default_rng(0)
    arrays = [rng.normal(size=s) for s in [(3, 8), (3, 2), (3, 2), (2, 8), (8,)]]
    gh, gc = rng.normal(size=(3, 2)), rng.normal(size=(3, 2))
    grads = []
    for create_graph in (False, True):
        xs = [leaf(a) for a in arrays]
        h, c = F.lstm_cell(*xs, gate_order=order)
        grads.append(mg.grad([h, c], xs, grad_outputs=[gh, gc], create_graph=create_graph))
    assert all(not g.requires_grad for g in grads[0])
    assert all(g.requires_grad for g in grads[1])
    for fast, slow in zip(*grads):
        np.testing.assert_allclose(fast.data, slow.data, rtol=1e-12, atol=1e-15)


def test_one_output_unused_gets_a_zero_gradient():
    rng = np.random.default_rng(1)
    arrays = [rng.normal(size=s) for s in [(2, 4), (2, 1), (2, 1), (1, 4)]]
    xs = [leaf(a) for a in arrays]
    h, _ = F.lstm_cell(*xs)
    gx = mg.grad(h.sum(), xs)
    xs2 = [leaf(a) for a in arrays]
    h2, c2 = F.lstm_cell(*xs2)
    gx2 = mg.grad([h2, c2], xs2, grad_outputs=[np.ones((2, 1)), np.zeros((2, 1))])
    for a, b in zip(gx, gx2):
        np.testing.assert_array_equal(a.data, b.data)


def test_the_books_check_values():
    """The book's single-unit LSTM check, through the fused op in its gate order."""
    one = np.ones((1, 1))
    xs = [leaf(a) for a in ([[0.1, 0.2, 0.3, 0.4]], one, one, [[0.5, 0.6, 0.7, 0.8]])]
    h, c = F.lstm_cell(*xs, gate_order="fgio")
    assert c.data[0, 0] == pytest.approx(1.131106, abs=1e-6)
    assert h.data[0, 0] == pytest.approx(0.623579, abs=1e-6)
    gxw, gh, gc, gw = mg.grad(h.sum(), xs)
    np.testing.assert_allclose(gxw.data.ravel(), [0.060068, 0.107306, 0.034278, 0.144343],
                               atol=1e-6)
    assert gc.data[0, 0] == pytest.approx(0.169520, abs=1e-6)


def test_float32_stays_float32_and_the_saved_activations_are_freed():
    rng = np.random.default_rng(2)
    xs = [mg.tensor(rng.normal(size=s).astype(np.float32), requires_grad=True)
          for s in [(2, 8), (2, 2), (2, 2), (2, 8), (8,)]]
    h, c = F.lstm_cell(*xs)
    assert h.dtype == c.dtype == np.float32
    fn = h.creator
    assert fn is c.creator and "_saved" in vars(fn)
    grads = mg.grad([h, c], xs, grad_outputs=[np.ones((2, 2), np.float32)] * 2)
    assert [g.dtype for g in grads] == [np.float32] * 5
    assert "_saved" not in vars(fn)  # released with the saved inputs


@pytest.mark.parametrize(("args", "kwargs", "error", "message"), [
    ([(2, 8), (2, 2), (2, 2), (2, 8)], {"gate_order": "iofg"}, ValueError,
     "gate_order must be one of"),
    ([(2, 7), (2, 2), (2, 2), (2, 8)], {}, ValueError,
     r"x_proj must have shape \(2, 8\) for c of shape \(2, 2\)"),
    ([(2, 8), (3, 2), (2, 2), (2, 8)], {}, ValueError, r"h must have shape \(2, 2\)"),
    ([(2, 8), (2, 2), (2, 2), (8, 2)], {}, ValueError, r"weight_hh must have shape \(2, 8\)"),
    ([(2, 8), (2, 2), (2, 2), (2, 8), (4,)], {}, ValueError, r"bias must have shape \(8,\)"),
    ([(2, 8), (2, 2), (2,), (2, 8)], {}, ValueError, r"c must be 2-D \(N, H\)"),
])
def test_bad_input_names_what_is_wrong(args, kwargs, error, message):
    with pytest.raises(error, match=message):
        F.lstm_cell(*[np.zeros(s) for s in args], **kwargs)


@pytest.mark.parametrize(("x", "w_ih", "message"), [
    ((2, 3), (4, 8), r"weight_ih must have shape \(3, 8\)"),
    ((3, 3), (3, 8), r"x_proj must have shape \(2, 3\)"),
    ((2, 3, 1), (3, 8), r"x must be 2-D \(N, D\) with weight_ih, got shape \(2, 3, 1\)"),
])
def test_bad_weight_ih_names_what_is_wrong(x, w_ih, message):
    with pytest.raises(ValueError, match=message):
        F.lstm_cell(np.zeros(x), np.zeros((2, 2)), np.zeros((2, 2)), np.zeros((2, 8)),
                    weight_ih=np.zeros(w_ih))


def test_integer_operand_is_refused():
    with pytest.raises(TypeError, match="lstm_cell: h must be floating point, got dtype int64"):
        F.lstm_cell(np.zeros((1, 4)), np.zeros((1, 1), dtype=np.int64), np.zeros((1, 1)),
                    np.zeros((1, 4)))
