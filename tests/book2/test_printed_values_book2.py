"""What the second book's scripts print: the numbers come out as the book's code prints them.

Each check pins a value the book's scripts print or plot (a loss, a progress line, a
recorded average) to the book's own arithmetic: the same formula, the same ``1e-7``,
the same precision of the running sums.
"""

from __future__ import annotations

import numpy as np
import pytest

from minigrad.book2.functions import cross_entropy_error, sigmoid, softmax
from minigrad.book2.layers import SigmoidWithLoss, SoftmaxWithLoss
from minigrad.book2.optimizer import SGD
from minigrad.book2.trainer import RnnlmTrainer, Trainer
from minigrad.book2.util import ppmi


def test_ppmi_verbose_prints_a_progress_line_every_hundredth_of_the_cells(capsys):
    C = np.array([[0, 2, 1], [2, 0, 1], [1, 1, 0]], dtype=np.int32)
    M = ppmi(C, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    # 9 cells, one line after every 9 // 100 + 1 = 1 cell, as the book's loop prints
    assert lines == [f"{100 * k / 9:.1f}% done" for k in range(1, 10)]
    assert M.dtype == np.float32


def test_ppmi_verbose_progress_lines_on_a_larger_matrix(capsys):
    C = np.ones((30, 30), dtype=np.int32)
    ppmi(C, verbose=True)
    lines = capsys.readouterr().out.splitlines()
    # 900 cells: a line after every 10 cells, the last one at 900
    assert len(lines) == 90
    assert lines[0] == "1.1% done" and lines[-1] == "100.0% done"


def test_softmax_with_loss_returns_the_books_loss_with_its_epsilon():
    x = np.array([[20.0, 0.0, 0.0], [0.0, 1.0, 0.5]])
    t = np.array([0, 1])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    y = softmax(x)
    expected = -(np.log(y[0, 0] + 1e-7) + np.log(y[1, 1] + 1e-7)) / 2
    exact = -(np.log(y[0, 0]) + np.log(y[1, 1])) / 2
    assert abs(expected - exact) > 1e-8  # the epsilon is visible at this precision
    assert loss == pytest.approx(expected, rel=1e-12, abs=0)
    # the gradient is still the book's (y - t) / N
    dx = layer.backward()
    onehot = np.eye(3)[t]
    np.testing.assert_allclose(dx, (y - onehot) / 2, rtol=1e-10, atol=1e-15)


def test_softmax_with_loss_of_float32_scores_is_a_float32_scalar():
    x = np.array([[0.1, 0.2, 0.3], [1.0, -1.0, 0.0]], dtype=np.float32)
    loss = SoftmaxWithLoss().forward(x, np.array([2, 0]))
    assert isinstance(loss, np.float32)
    assert loss == cross_entropy_error(softmax(x), np.array([2, 0]))


def test_sigmoid_with_loss_returns_the_books_loss_with_its_epsilon():
    x = np.array([30.0, -2.0])
    t = np.array([1, 0])
    layer = SigmoidWithLoss()
    loss = layer.forward(x, t)
    y = sigmoid(x)
    expected = -(np.log(y[0] + 1e-7) + np.log(1 - y[1] + 1e-7)) / 2
    assert loss == pytest.approx(expected, rel=1e-12, abs=0)
    assert layer.loss == loss
    np.testing.assert_allclose(layer.backward(), (y - t) / 2, rtol=1e-10, atol=1e-15)


def test_cross_entropy_error_keeps_the_precision_of_its_input():
    y = np.array([[0.7, 0.2, 0.1]], dtype=np.float32)
    assert isinstance(cross_entropy_error(y, np.array([0])), np.float32)
    assert isinstance(cross_entropy_error(y.astype(np.float64), np.array([0])), np.float64)


class _ConstantLosses:
    """A model without parameters whose forward returns the given losses in turn."""

    def __init__(self, losses):
        self.losses = list(losses)
        self.params, self.grads = [], []

    def forward(self, x, t):
        return self.losses.pop(0)

    def backward(self, dout=1):
        return None


def _book_average(losses):
    total = 0
    for loss in losses:
        total += loss
    return float(total / len(losses))


def test_trainer_sums_float32_losses_in_float32_as_the_book():
    losses = [np.float32(v) for v in (0.1, 0.7, 1.3, 2.9, 0.3, 1.7)]
    book = _book_average(losses)
    wide = sum(float(v) for v in losses) / len(losses)
    assert book != wide  # the two ways of adding differ for these values
    trainer = Trainer(_ConstantLosses(losses), SGD())
    x = np.zeros((6, 2))
    trainer.fit(x, np.zeros(6, dtype=int), max_epoch=1, batch_size=1, eval_interval=None)
    assert trainer.loss_list == []
    trainer = Trainer(_ConstantLosses(losses), SGD())
    trainer.fit(x, np.zeros(6, dtype=int), max_epoch=1, batch_size=1, eval_interval=5)
    # records after iteration 0 (one loss) and iteration 5 (the other five)
    assert trainer.loss_list == [float(losses[0]), _book_average(losses[1:])]
    assert trainer.loss_list[1] != sum(float(v) for v in losses[1:]) / 5


def test_rnnlm_trainer_sums_float32_losses_in_float32_as_the_book():
    losses = [np.float32(v) for v in (0.1, 0.7, 1.3, 2.9, 0.3, 1.7)]
    trainer = RnnlmTrainer(_ConstantLosses(losses), SGD())
    xs = np.arange(12)
    trainer.fit(xs, xs, max_epoch=1, batch_size=1, time_size=2, eval_interval=5)
    expected = float(np.exp(np.float32(sum(losses[1:], np.float32(0))) / 5))
    assert trainer.ppl_list[1] == expected
    assert trainer.ppl_list[1] != float(np.exp(sum(float(v) for v in losses[1:]) / 5))


def test_trainer_still_takes_plain_float_losses():
    trainer = Trainer(_ConstantLosses([0.5, 1.5]), SGD())
    trainer.fit(np.zeros((2, 1)), np.zeros(2, dtype=int), max_epoch=1, batch_size=1,
                eval_interval=1)
    assert trainer.loss_list == [0.5, 1.5]
