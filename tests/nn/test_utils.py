"""Gradient clipping (minigrad.nn.utils): norms, in-place scaling, skipped parameters, errors."""

import numpy as np
import pytest

import minigrad as mg
from minigrad import nn


def _params(*grads):
    ps = []
    for g in grads:
        p = nn.Parameter(np.zeros(np.shape(g)))
        p.grad = None if g is None else mg.tensor(np.array(g, dtype=float))
        ps.append(p)
    return ps


def test_clip_grad_norm_scales_all_gradients_together_in_place():
    a, b, c = _params([3.0, 0.0], [[4.0]], None)
    ga = a.grad
    total = nn.utils.clip_grad_norm_([a, b, c], max_norm=1.0)
    assert isinstance(total, mg.Tensor) and float(total) == 5.0
    coef = 1.0 / (5.0 + 1e-6)
    np.testing.assert_allclose(a.grad.data, [3.0 * coef, 0.0], rtol=1e-15)
    np.testing.assert_allclose(b.grad.data, [[4.0 * coef]], rtol=1e-15)
    assert a.grad is ga  # in place, as PyTorch
    assert c.grad is None


def test_clip_grad_norm_leaves_small_gradients_and_takes_other_norms():
    (a,) = _params([0.3, -0.4])
    assert float(nn.utils.clip_grad_norm_(a, 1.0)) == pytest.approx(0.5)  # one tensor works
    np.testing.assert_array_equal(a.grad.data, [0.3, -0.4])
    assert float(nn.utils.clip_grad_norm_([a], 1.0, norm_type="inf")) == pytest.approx(0.4)
    assert float(nn.utils.clip_grad_norm_([a], 1.0, norm_type=1)) == pytest.approx(0.7)
    assert float(nn.utils.clip_grad_norm_([], 1.0)) == 0.0


def test_a_model_can_be_clipped_after_backward():
    net = nn.Sequential(nn.Linear(3, 4, weight_init_std=1.0, rng=0), nn.Tanh(),
                        nn.Linear(4, 2, weight_init_std=1.0, rng=1))
    (net(np.ones((5, 3))) * 100).sum().backward()
    before = nn.utils.get_total_norm([p.grad for p in net.parameters()])
    assert float(before) > 1.0
    nn.utils.clip_grad_norm_(net.parameters(), 1.0)
    after = nn.utils.get_total_norm([p.grad for p in net.parameters()])
    assert float(after) == pytest.approx(1.0, rel=1e-5)


def test_nonfinite_norm_raises_only_when_asked_and_changes_nothing():
    (a,) = _params([np.inf, 1.0])
    with pytest.raises(RuntimeError, match="total norm of order 2.0 of the gradients is inf"):
        nn.utils.clip_grad_norm_([a], 1.0, error_if_nonfinite=True)
    np.testing.assert_array_equal(a.grad.data, [np.inf, 1.0])
    assert float(nn.utils.clip_grad_norm_([a], 1.0)) == np.inf


def test_clip_grad_value_clamps_in_place():
    a, b = _params([-3.0, 0.2, 5.0], None)
    nn.utils.clip_grad_value_([a, b], 1.0)
    np.testing.assert_array_equal(a.grad.data, [-1.0, 0.2, 1.0])
    assert b.grad is None


def test_bad_arguments():
    with pytest.raises(TypeError, match="clip_grad_norm_: item 0 is a ndarray, not a Tensor"):
        nn.utils.clip_grad_norm_([np.zeros(2)], 1.0)
    with pytest.raises(ValueError, match="norm_type must be > 0"):
        nn.utils.clip_grad_norm_(_params([1.0]), 1.0, norm_type=0)
    with pytest.raises(TypeError, match="expected a Tensor or an iterable"):
        nn.utils.clip_grad_value_(3.0, 1.0)
