"""The op library's losses: values against hand-written NumPy, gradcheck, gradgradcheck, errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays, shapes

import minigrad as mg
import minigrad.functional as F


def leaf(a):
    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


def _log_softmax(x, axis):
    z = x - x.max(axis=axis, keepdims=True)
    return z - np.log(np.exp(z).sum(axis=axis, keepdims=True))


def _ce_reference(x, t, w, ignore, reduction, eps):
    """Cross-entropy with labels, written out as PyTorch documents it."""
    c = x.shape[1]
    logp = np.moveaxis(_log_softmax(x, 1), 1, -1).reshape(-1, c)
    t = t.reshape(-1)
    w = np.ones(c) if w is None else w
    valid = t != ignore
    ts = np.where(valid, t, 0)
    nll = -logp[np.arange(len(t)), ts] * w[ts] * valid
    smooth = -(logp * w).sum(axis=1) * valid
    denom = (w[ts] * valid).sum()
    if reduction == "mean":
        return (1 - eps) * nll.sum() / denom + eps / c * smooth.sum() / denom
    if reduction == "sum":
        return (1 - eps) * nll.sum() + eps / c * smooth.sum()
    return ((1 - eps) * nll + eps / c * smooth)


@st.composite
def labelled(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    extra = tuple(draw(st.lists(st.integers(1, 2), max_size=2)))
    x = draw(float_arrays((n, c) + extra, -3, 3))
    t = np.array(draw(st.lists(st.integers(0, c - 1), min_size=n * int(np.prod(extra)),
                               max_size=n * int(np.prod(extra)))), dtype=np.int64)
    return x, t.reshape((n,) + extra)


@GRADCHECK
@given(problem=labelled(), reduction=st.sampled_from(["mean", "sum", "none"]),
       eps=st.sampled_from([0.0, 0.2]), weighted=st.booleans(), ignore=st.booleans())
def test_cross_entropy_labels(problem, reduction, eps, weighted, ignore):
    x, t = problem
    c = x.shape[1]
    if ignore and t.size > 1:
        t = t.copy()
        t.flat[0] = -100
    w = np.linspace(0.5, 2.0, c) if weighted else None
    f = lambda z: F.cross_entropy(z, t, weight=w, reduction=reduction,  # noqa: E731
                                  label_smoothing=eps)
    y = f(leaf(x))
    ref = _ce_reference(x, t, w, -100, reduction, eps)
    np.testing.assert_allclose(y.data.reshape(-1), np.reshape(ref, -1), rtol=1e-12)
    assert mg.gradcheck(f, [leaf(x)])


@GRADGRADCHECK
@given(problem=labelled(), eps=st.sampled_from([0.0, 0.3]))
def test_cross_entropy_gradgradcheck(problem, eps):
    x, t = problem
    assert mg.gradgradcheck(lambda z: F.cross_entropy(z, t, label_smoothing=eps), [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_cross_entropy_probabilities(data):
    n, c = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x = leaf(data.draw(float_arrays((n, c))))
    p = data.draw(float_arrays((n, c), 0, 1))
    p = leaf(p / np.maximum(p.sum(axis=1, keepdims=True), 1e-3))
    ref = -(p.data * _log_softmax(x.data, 1)).sum() / n
    np.testing.assert_allclose(F.cross_entropy(x, p).item(), ref, rtol=1e-12)
    assert mg.gradcheck(lambda a, b: F.cross_entropy(a, b, label_smoothing=0.1), [x, p])
    assert mg.gradgradcheck(lambda a, b: F.cross_entropy(a, b), [x, p])


def test_cross_entropy_matches_the_book_check_values():
    x = leaf([[0.3, 2.9, 4.0]])
    for t in (np.array([2]), np.array([[0.0, 0.0, 1.0]])):
        loss = F.cross_entropy(x, t)
        assert loss.item() == pytest.approx(0.3057143, abs=5e-7)  # the book adds 1e-7 in the log
        (g,) = mg.grad(loss, [x])
        np.testing.assert_allclose(g.data, [[0.01821127, 0.24519181, -0.26340309]], atol=1e-8)
    # the fused path and the general path agree
    np.testing.assert_allclose(F.cross_entropy(x, np.array([2])).data,
                               F.cross_entropy(x, np.array([2]), reduction="sum").data)


def test_cross_entropy_unbatched_and_ignored():
    x = leaf([0.3, 2.9, 4.0])
    assert F.cross_entropy(x, np.array(2)).item() == pytest.approx(0.3057143, abs=5e-7)
    t = np.array([1, -100])
    xx = leaf([[0.1, 0.2], [5.0, -5.0]])
    np.testing.assert_allclose(F.cross_entropy(xx, t).item(),
                               -_log_softmax(xx.data, 1)[0, 1])
    (g,) = mg.grad(F.cross_entropy(xx, t), [xx])
    np.testing.assert_array_equal(g.data[1], [0.0, 0.0])
    np.testing.assert_allclose(F.cross_entropy(xx, np.array([1, 7]), ignore_index=7).item(),
                               -_log_softmax(xx.data, 1)[0, 1])


@GRADCHECK
@given(problem=labelled(), weighted=st.booleans())
def test_nll_loss(problem, weighted):
    x, t = problem
    w = np.linspace(1, 2, x.shape[1]) if weighted else None
    logp = leaf(_log_softmax(x, 1))
    np.testing.assert_allclose(F.nll_loss(logp, t, weight=w).data,
                               F.cross_entropy(leaf(x), t, weight=w).data, rtol=1e-12)
    assert mg.gradcheck(lambda z: F.nll_loss(z, t, weight=w, reduction="sum"), [logp])


@GRADCHECK
@given(data=st.data(), reduction=st.sampled_from(["mean", "sum", "none"]))
def test_binary_cross_entropy(data, reduction):
    shape = data.draw(shapes())
    x = leaf(data.draw(float_arrays(shape, 0.05, 0.95)))
    t = leaf(data.draw(float_arrays(shape, 0, 1)))
    ref = -(t.data * np.log(x.data) + (1 - t.data) * np.log(1 - x.data))
    y = F.binary_cross_entropy(x, t, reduction=reduction)
    want = {"mean": ref.mean(), "sum": ref.sum(), "none": ref}[reduction]
    np.testing.assert_allclose(y.data, want, rtol=1e-12)
    assert mg.gradcheck(lambda a, b: F.binary_cross_entropy(a, b, reduction=reduction), [x, t])
    assert mg.gradgradcheck(lambda a, b: F.binary_cross_entropy(a, b), [x, t])
    # the same loss from logits
    z = leaf(np.log(x.data / (1 - x.data)))
    np.testing.assert_allclose(F.binary_cross_entropy_with_logits(z, t, reduction=reduction).data,
                               want, rtol=1e-9, atol=1e-12)


def test_binary_cross_entropy_clamps_the_log():
    x = leaf([0.0, 1.0])
    y = F.binary_cross_entropy(x, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_array_equal(y.data, [100.0, 100.0])
    (g,) = mg.grad(y.sum(), [x])
    assert np.all(np.isfinite(g.data))


@GRADCHECK
@given(data=st.data())
def test_binary_cross_entropy_with_logits(data):
    shape = data.draw(shapes(min_dims=1))
    x = leaf(data.draw(float_arrays(shape, -5, 5)))
    t = leaf(data.draw(float_arrays(shape, 0, 1)))
    pw = data.draw(float_arrays(shape[-1:], 0.5, 3))
    w = data.draw(float_arrays(shape, 0.5, 2))
    s = 1 / (1 + np.exp(-x.data))
    ref = -(w * (pw * t.data * np.log(s) + (1 - t.data) * np.log(1 - s)))
    y = F.binary_cross_entropy_with_logits(x, t, weight=w, pos_weight=pw, reduction="none")
    np.testing.assert_allclose(y.data, ref, rtol=1e-9, atol=1e-12)
    f = lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=w,  # noqa: E731
                                                         pos_weight=pw)
    assert mg.gradcheck(f, [x, t])
    assert mg.gradgradcheck(f, [x, t])


def test_bce_with_logits_is_stable():
    x = leaf([-1000.0, 1000.0])
    y = F.binary_cross_entropy_with_logits(x, np.array([1.0, 0.0]), reduction="none")
    np.testing.assert_allclose(y.data, [1000.0, 1000.0])


REGRESSION = {
    "mse_loss": (F.mse_loss, lambda d: d * d),
    "l1_loss": (F.l1_loss, np.abs),
    "huber_loss": (lambda a, b, reduction: F.huber_loss(a, b, reduction, delta=0.5),
                   lambda d: np.where(np.abs(d) < 0.5, 0.5 * d * d, 0.5 * (np.abs(d) - 0.25))),
    "smooth_l1_loss": (lambda a, b, reduction: F.smooth_l1_loss(a, b, reduction, beta=0.5),
                       lambda d: np.where(np.abs(d) < 0.5, d * d, np.abs(d) - 0.25)),
}


@GRADCHECK
@given(data=st.data(), name=st.sampled_from(sorted(REGRESSION)),
       reduction=st.sampled_from(["mean", "sum", "none"]))
def test_regression_losses(data, name, reduction):
    fn, ref = REGRESSION[name]
    shape = data.draw(shapes())
    x = data.draw(float_arrays(shape))
    d = data.draw(float_arrays(shape, 0.05, 2)) * np.where(
        data.draw(float_arrays(shape, -1, 1)) < 0, -1, 1)
    d = np.where(np.abs(np.abs(d) - 0.5) < 0.03, d * 1.2, d)  # away from the kink
    a, b = leaf(x), leaf(x - d)
    r = ref(d)
    want = {"mean": r.mean(), "sum": r.sum(), "none": r}[reduction]
    np.testing.assert_allclose(fn(a, b, reduction=reduction).data, want, rtol=1e-10, atol=1e-14)
    assert mg.gradcheck(lambda p, q: fn(p, q, reduction=reduction), [a, b])
    assert mg.gradgradcheck(lambda p, q: fn(p, q, reduction="sum"), [a, b])


def test_regression_losses_broadcast_and_alias():
    a, b = leaf(np.ones((2, 3))), leaf(np.zeros(3))
    assert F.mse_loss(a, b).item() == 1.0
    assert F.smooth_l1_loss(a, b, beta=0.0).item() == F.l1_loss(a, b).item() == 1.0
    assert F.sum_squared_error is F.sum_squares_error


# -- bad inputs ---------------------------------------------------------------------------------

def test_bad_inputs():
    x = mg.tensor(np.zeros((2, 3)))
    with pytest.raises(ValueError, match="reduction"):
        F.cross_entropy(x, np.array([0, 1]), reduction="avg")
    with pytest.raises(ValueError, match=r"cross_entropy: target of shape \(3,\)"):
        F.cross_entropy(x, np.array([0, 1, 2]))
    with pytest.raises(IndexError, match="target 3 is out of bounds for 3 classes"):
        F.cross_entropy(x, np.array([0, 3]))
    with pytest.raises(ValueError, match="class probabilities of shape"):
        F.cross_entropy(x, np.zeros((2, 2)))
    with pytest.raises(ValueError, match="for class labels pass integers"):
        F.cross_entropy(x, mg.tensor([0, 1]))  # Python ints become float64
    with pytest.raises(ValueError, match="label_smoothing"):
        F.cross_entropy(x, np.array([0, 1]), label_smoothing=1.5)
    with pytest.raises(ValueError, match=r"weight of shape \(2,\)"):
        F.cross_entropy(x, np.array([0, 1]), weight=np.ones(2))
    with pytest.raises(ValueError, match="class axis"):
        F.nll_loss(mg.tensor(1.0), np.array(0))
    with pytest.raises(ValueError, match="integers"):
        F.nll_loss(x, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match=r"lie in \[0, 1\]"):
        F.binary_cross_entropy(mg.tensor([1.5]), np.array([1.0]))
    with pytest.raises(ValueError, match="must have the input's shape"):
        F.binary_cross_entropy_with_logits(x, np.zeros(3))
    with pytest.raises(ValueError, match="do not broadcast"):
        F.mse_loss(x, np.zeros(4))
    with pytest.raises(ValueError, match="delta"):
        F.huber_loss(x, x, delta=0)
    with pytest.raises(ValueError, match="beta"):
        F.smooth_l1_loss(x, x, beta=-1)
