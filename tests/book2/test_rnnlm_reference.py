"""The chapter 6 LSTM language model against a hand-written NumPy one (the book's backward
passes), step by step: losses, every gradient, the carried state, float32 throughout, and
float32 steps equal bit for bit."""

from __future__ import annotations

import book2_rnnlm_reference as ref
import numpy as np
import pytest

from minigrad.book2.optimizer import SGD
from minigrad.book2.rnnlm import Rnnlm
from minigrad.book2.simple_rnnlm import SimpleRnnlm
from minigrad.book2.time_layers import TimeSoftmaxWithLoss
from minigrad.book2.util import clip_grads

V, D, H, N, T = 50, 6, 5, 3, 7


def _pair(dtype, kinds=(ref.Rnnlm, Rnnlm)):
    np.random.seed(0)
    book = kinds[0](V, D, H)
    mine = kinds[1](V, D, H)
    for model in (book, mine):
        for layer in model.layers:
            layer.params[:] = [p.astype(dtype) for p in layer.params]
            layer.grads[:] = [np.zeros_like(p) for p in layer.params]
        model.params = [p for layer in model.layers for p in layer.params]
        model.grads = [g for layer in model.layers for g in layer.grads]
    for p, q in zip(mine.params, book.params):
        p[...] = q
    return mine, book


def _batches(n=3, seed=0):
    rng = np.random.default_rng(seed)
    ids = rng.integers(0, V, (n, N, T + 1)).astype(np.int32)
    return [(b[:, :-1], b[:, 1:]) for b in ids]


def test_three_training_steps_match_the_hand_written_backward_in_float64():
    mine, book = _pair(np.float64)
    for xs, ts in _batches():
        for model in (mine, book):
            model.loss = model.forward(xs, ts)
            model.backward()
        assert mine.loss == pytest.approx(book.loss, rel=1e-12)
        for g, want in zip(mine.grads, book.grads):
            np.testing.assert_allclose(g, want, rtol=1e-9, atol=1e-12)
        np.testing.assert_allclose(mine.lstm_layer.h, book.layers[1].h, rtol=1e-12)
        np.testing.assert_allclose(mine.lstm_layer.c, book.layers[1].c, rtol=1e-12)
        for model in (mine, book):  # the next block starts from the updated weights
            ref.clip_grads(model.grads, 0.25)
            ref.SGD(20.0).update(model.params, model.grads)


@pytest.mark.parametrize("kinds", [(ref.Rnnlm, Rnnlm), (ref.SimpleRnnlm, SimpleRnnlm)],
                         ids=["Rnnlm", "SimpleRnnlm"])
def test_float32_steps_equal_the_hand_written_ones_bit_for_bit(kinds):
    """The book's float32 models: losses, gradients, states and updated weights all equal."""
    mine, book = _pair(np.float32, kinds)
    for xs, ts in _batches(4, seed=3):
        for model in (mine, book):
            model.loss = model.forward(xs, ts)
            model.backward()
        assert mine.loss == book.loss
        for g, want in zip(mine.grads, book.grads):
            np.testing.assert_array_equal(g, want)
        np.testing.assert_array_equal(mine.layers[1].h, book.layers[1].h)
        if kinds[1] is Rnnlm:
            np.testing.assert_array_equal(mine.layers[1].c, book.layers[1].c)
        clip_grads(mine.grads, 0.25)
        SGD(20.0).update(mine.params, mine.grads)
        ref.clip_grads(book.grads, 0.25)
        ref.SGD(20.0).update(book.params, book.grads)
        for p, want in zip(mine.params, book.params):
            np.testing.assert_array_equal(p, want)


def test_float32_stays_float32_through_a_step():
    mine, book = _pair(np.float32)
    xs, ts = _batches(1)[0]
    loss = mine.forward(xs, ts)
    scores = mine.predict(xs)
    assert scores.dtype == np.float32
    mine.forward(xs, ts)
    mine.backward()
    assert [g.dtype for g in mine.grads] == [np.float32] * 6
    assert mine.lstm_layer.h.dtype == mine.lstm_layer.c.dtype == np.float32
    assert loss == pytest.approx(book.forward(xs, ts), rel=1e-5)


def test_time_softmax_with_loss_when_every_label_is_ignored():
    layer = TimeSoftmaxWithLoss()
    xs = np.random.default_rng(0).normal(size=(2, 3, 4))
    assert layer.forward(xs, np.full((2, 3), -1)) == 0.0
    np.testing.assert_array_equal(layer.backward(), np.zeros((2, 3, 4)))


def test_time_softmax_with_loss_masked_steps_match_the_hand_written_layer():
    rng = np.random.default_rng(1)
    xs = rng.normal(size=(2, 4, 5))
    ts = rng.integers(0, 5, (2, 4))
    ts[0, 1] = ts[1, 3] = -1
    mine, book = TimeSoftmaxWithLoss(), ref.TimeSoftmaxWithLoss()
    assert mine.forward(xs, ts) == pytest.approx(book.forward(xs, ts), rel=1e-12)
    np.testing.assert_allclose(mine.backward(2.0), book.backward(2.0), rtol=1e-12, atol=1e-15)
