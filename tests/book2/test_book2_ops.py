"""The book-order ops of ``minigrad.book2``: gradcheck and gradgradcheck on Hypothesis
shapes, against PyTorch in float64 (in tests/differential), and the book's order of adding
up and its dtypes, in float32."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf as leaf
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays

import minigrad as mg
import minigrad.functional as F
from minigrad.book2._ops import (
    EmbeddingRows,
    SigmoidCrossEntropy,
    StepwiseEmbedding,
    TimeSoftmaxCrossEntropy,
)
from minigrad.book2.time_layers import TimeEmbedding, TimeSoftmaxWithLoss


@st.composite
def embeddings(draw):
    v, d = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    n, t = draw(st.integers(1, 3)), draw(st.integers(1, 4))
    ids = np.array(draw(st.lists(st.integers(0, v - 1), min_size=n * t, max_size=n * t)),
                   dtype=np.intp).reshape(n, t)
    return draw(float_arrays((v, d))), ids


@st.composite
def scored_labels(draw):
    rows, classes = draw(st.integers(1, 5)), draw(st.integers(1, 4))
    t = np.array(draw(st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows)))
    mask = np.array(draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
    mask[draw(st.integers(0, rows - 1))] = True  # at least one counted
    return draw(float_arrays((rows, classes))), t, mask


@GRADCHECK
@given(case=embeddings())
def test_stepwise_embedding_is_embedding_and_passes_gradcheck(case):
    w, ids = case
    got = StepwiseEmbedding(ids)(leaf(w))
    np.testing.assert_array_equal(got.data, w[ids])
    assert mg.gradcheck(lambda x: StepwiseEmbedding(ids)(x), [leaf(w)])


@GRADGRADCHECK
@given(case=embeddings())
def test_stepwise_embedding_gradgradcheck(case):
    w, ids = case
    assert mg.gradgradcheck(lambda x: StepwiseEmbedding(ids)(x) ** 2, [leaf(w)])


@GRADCHECK
@given(case=scored_labels(), dout=st.floats(-2, 2))
def test_time_softmax_cross_entropy_values_and_gradcheck(case, dout):
    x, t, mask = case
    fn = TimeSoftmaxCrossEntropy(t, mask)
    y = fn(leaf(x))
    want = F.softmax_cross_entropy(x[mask], t[mask]).data
    np.testing.assert_allclose(y.data, want, rtol=1e-12, atol=1e-14)
    assert fn.value == pytest.approx(float(want), rel=1e-12, abs=1e-14)
    assert mg.gradcheck(lambda s: TimeSoftmaxCrossEntropy(t, mask)(s) * dout, [leaf(x)])


@GRADGRADCHECK
@given(case=scored_labels())
def test_time_softmax_cross_entropy_gradgradcheck(case):
    x, t, mask = case
    assert mg.gradgradcheck(lambda s: TimeSoftmaxCrossEntropy(t, mask)(s), [leaf(x)])


def test_a_second_backward_recomputes_the_softmax_used_up_by_the_first():
    rng = np.random.default_rng(0)
    x = leaf(rng.normal(size=(4, 5)))
    loss = TimeSoftmaxCrossEntropy(np.array([0, 1, 2, 3]), np.array([1, 1, 0, 1], bool))(x)
    (g1,) = mg.grad(loss, [x], retain_graph=True)
    (g2,) = mg.grad(loss, [x])
    np.testing.assert_array_equal(g1.data, g2.data)
    assert not g1.data[2].any()


def test_stepwise_embedding_adds_the_steps_up_in_the_books_order():
    """Per step a sum over the batch (in its order), then the steps ``t = 0, 1, ...``: in
    float32 the result is that, bit for bit, and not the sum in row-major order."""
    rng = np.random.default_rng(1)
    ids = np.array([[0, 0, 1], [0, 1, 0]], dtype=np.intp)
    gy = rng.normal(size=(2, 3, 4)).astype(np.float32) * np.float32(1e3)
    gy[1, 0] = -gy[0, 0] * np.float32(0.999)
    w = mg.tensor(np.zeros((3, 4), np.float32), requires_grad=True)
    (got,) = mg.grad(StepwiseEmbedding(ids)(w), [w], grad_outputs=[gy])
    want = np.zeros((3, 4), np.float32)
    for t in range(ids.shape[1]):
        step = np.zeros((3, 4), np.float32)
        np.add.at(step, ids[:, t], gy[:, t])
        want += step
    np.testing.assert_array_equal(got.data, want)
    row_major = np.zeros((3, 4), np.float32)
    np.add.at(row_major, ids.reshape(-1), gy.reshape(-1, 4))
    assert not np.array_equal(row_major, want)  # the case tells the two orders apart
    assert got.dtype == np.float32 and not got.data[2].any()


def test_time_layers_refuse_bad_ids_before_recording():
    layer = TimeEmbedding(np.zeros((3, 2)))
    with pytest.raises(IndexError, match="TimeEmbedding: id 3 is out of range for 3 rows"):
        layer.forward(np.array([[0, 3]]))
    with pytest.raises(ValueError, match=r"ids must be 2-D \(N, T\), got shape \(2,\)"):
        layer.forward(np.array([0, 1]))


def test_time_softmax_with_loss_returns_the_books_value_and_float32_gradient():
    rng = np.random.default_rng(2)
    xs = rng.normal(size=(2, 3, 5)).astype(np.float32)
    ts = rng.integers(0, 5, (2, 3))
    layer = TimeSoftmaxWithLoss()
    value = layer.forward(xs, ts)
    y = np.exp(xs.reshape(6, 5) - xs.reshape(6, 5).max(axis=1, keepdims=True))
    y /= y.sum(axis=1, keepdims=True)
    want = -np.sum(np.log(y[np.arange(6), ts.reshape(6)]))
    assert value == want / np.int64(6) and type(value) is np.float64
    dx = layer.backward()
    assert dx.dtype == np.float32
    y[np.arange(6), ts.reshape(6)] -= 1
    np.testing.assert_array_equal(dx, (y / np.float32(6)).reshape(2, 3, 5))


@st.composite
def labelled_scores(draw):
    n = draw(st.integers(1, 5))
    t = np.array(draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int32)
    return draw(float_arrays((n,))), t


@GRADCHECK
@given(case=embeddings())
def test_embedding_rows_is_embedding_and_passes_gradcheck(case):
    w, ids = case
    np.testing.assert_array_equal(EmbeddingRows(ids)(leaf(w)).data, w[ids])
    assert mg.gradcheck(lambda x: EmbeddingRows(ids)(x), [leaf(w)])
    assert mg.gradgradcheck(lambda x: EmbeddingRows(ids)(x) ** 2, [leaf(w)])


def test_embedding_rows_adds_a_float64_gradient_into_the_weights_dtype_row_by_row():
    ids = np.array([1, 1, 1, 0])
    w = mg.tensor(np.zeros((2, 3), np.float32), requires_grad=True)
    gy = np.array([[1.0, 0.5, -2.0], [4e-8, 2e-8, -8e-8], [4e-8, 2e-8, -8e-8], [0.1, 0.2, 0.3]])
    (got,) = mg.grad(EmbeddingRows(ids)(w), [w], grad_outputs=[gy])
    want = np.zeros((2, 3), np.float32)
    np.add.at(want, ids, gy)  # each addition rounded to float32
    np.testing.assert_array_equal(got.data, want)
    assert got.dtype == np.float32
    assert not np.array_equal(want, np.add.reduceat(gy, [0, 3])[::-1].astype(np.float32))


@GRADCHECK
@given(case=labelled_scores(), dout=st.floats(-2, 2))
def test_sigmoid_cross_entropy_values_and_gradcheck(case, dout):
    x, t = case
    got = SigmoidCrossEntropy(t)(leaf(x))
    want = F.binary_cross_entropy_with_logits(x, t.astype(np.float64)).data
    np.testing.assert_allclose(got.data, want, rtol=1e-12, atol=1e-14)
    assert mg.gradcheck(lambda s: SigmoidCrossEntropy(t)(s) * dout, [leaf(x)])


@GRADGRADCHECK
@given(case=labelled_scores())
def test_sigmoid_cross_entropy_gradgradcheck(case):
    x, t = case
    assert mg.gradgradcheck(lambda s: SigmoidCrossEntropy(t)(s), [leaf(x)])


def test_sigmoid_cross_entropy_gradient_is_the_books_in_numpys_dtype():
    """float32 scores and int32 labels: ``(y - t) * dout / N`` is float64, as NumPy makes it."""
    x = mg.tensor(np.array([0.3, -1.2, 2.0], np.float32), requires_grad=True)
    t = np.array([1, 0, 0], np.int32)
    (g,) = mg.grad(SigmoidCrossEntropy(t)(x), [x])
    y = 1 / (1 + np.exp(-x.data))
    assert g.dtype == np.float64
    np.testing.assert_array_equal(g.data, (y - t) * 1 / 3)
