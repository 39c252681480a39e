"""The losses: cross_entropy, nll_loss, binary cross-entropy, regression losses, the chapter's
sum_squares_error, cross_entropy_error and accuracy, and the fused softmax_cross_entropy;
values against hand-written NumPy, gradcheck, gradgradcheck, errors."""

from __future__ import annotations

import warnings

import numpy as np
import pytest
from conftest import make_leaf as leaf  # the suite's one leaf maker
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp
from strategies import GRADCHECK, GRADGRADCHECK, float_arrays, index_arrays, shapes

import minigrad as mg
import minigrad.functional as F


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


IGNORED_SHAPES = {"unbatched": ((4,), ()), "batch": ((3, 4), (3,)),
                  "spatial": ((2, 4, 3), (2, 3)), "empty batch": ((0, 4), (0,))}


@pytest.mark.parametrize("shape", IGNORED_SHAPES, ids=str)
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("loss", ["cross_entropy", "cross_entropy smoothed", "nll_loss"])
def test_every_target_ignored_gives_a_zero_gradient(shape, reduction, weighted, loss):
    """No counted target: the mean is NaN, the sum 0, and every gradient is 0, never NaN."""
    xshape, tshape = IGNORED_SHAPES[shape]
    x = leaf(np.random.default_rng(0).standard_normal(xshape))
    t = np.full(tshape, 7, dtype=np.int64)
    kw = {"weight": np.linspace(0.5, 2.0, 4) if weighted else None, "ignore_index": 7,
          "reduction": reduction}
    fn = {"cross_entropy": lambda z: F.cross_entropy(z, t, **kw),
          "cross_entropy smoothed": lambda z: F.cross_entropy(z, t, label_smoothing=0.2, **kw),
          "nll_loss": lambda z: F.nll_loss(F.log_softmax(z, axis=0 if z.ndim == 1 else 1),
                                           t, **kw)}[loss]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        y = fn(x)
        if reduction == "mean":
            assert y.shape == () and np.isnan(y.item())
        else:
            np.testing.assert_array_equal(y.data, np.zeros(() if reduction == "sum" else tshape))
        (g,) = mg.grad(mg.exp(y).sum(), [x], create_graph=True)  # upstream NaN for the mean
        np.testing.assert_array_equal(g.data, np.zeros(xshape))
        if g.requires_grad:
            (gg,) = mg.grad((g * g).sum(), [x])
            np.testing.assert_array_equal(gg.data, np.zeros(xshape))


@pytest.mark.parametrize("target", ["labels", "one-hot", "probabilities"])
def test_empty_batch_mean_of_the_fused_losses(target):
    """softmax_cross_entropy and cross_entropy over no sample: NaN, zero gradients, no warning."""
    x = leaf(np.zeros((0, 3)))
    t = {"labels": np.zeros(0, np.int64), "one-hot": np.zeros((0, 3)),
         "probabilities": leaf(np.zeros((0, 3)))}[target]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (F.softmax_cross_entropy, F.cross_entropy):
            y = fn(x, t)
            assert np.isnan(y.item())
            inputs = [x, t] if isinstance(t, mg.Tensor) else [x]
            for g in mg.grad(y, inputs):
                assert g.shape == (0, 3)


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


# -- the chapter's losses and accuracy ---------------------------------------------------------

# The book's example: the network's output and a one-hot target for "2".
T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.float64)


Y_GOOD = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])


Y_BAD = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])


def book_sse(y, t):
    return 0.5 * np.sum((y - t) ** 2)


def book_cee(y, t):
    # section 2.4, one-hot version
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(t * np.log(y + 1e-7)) / batch_size


def book_cee_labels(y, t):
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    batch_size = y.shape[0]
    return -np.sum(np.log(y[np.arange(batch_size), t] + 1e-7)) / batch_size


def test_sum_squares_error_book_values():
    assert F.sum_squares_error(Y_GOOD, T).item() == pytest.approx(0.0975, abs=1e-12)
    assert F.sum_squares_error(Y_BAD, T).item() == pytest.approx(0.5975, abs=1e-12)


def test_cross_entropy_error_book_values():
    assert F.cross_entropy_error(Y_GOOD, T).item() == pytest.approx(0.510825457099338, abs=1e-9)
    assert F.cross_entropy_error(Y_BAD, T).item() == pytest.approx(2.302584092994546, abs=1e-9)


def test_cross_entropy_error_delta_keeps_log_finite():
    y = np.array([[1.0, 0.0]])
    value = F.cross_entropy_error(y, np.array([1])).item()
    assert value == pytest.approx(-np.log(1e-7))
    assert np.isfinite(value)


def test_cross_entropy_one_hot_labels_and_1d_agree():
    rng = np.random.default_rng(0)
    y = F.softmax(mg.tensor(rng.standard_normal((6, 4)))).data
    labels = rng.integers(0, 4, 6)
    one_hot = np.eye(4)[labels]
    a = F.cross_entropy_error(y, one_hot).item()
    b = F.cross_entropy_error(y, labels).item()
    assert a == pytest.approx(book_cee(y, one_hot), rel=1e-14)
    assert b == pytest.approx(book_cee_labels(y, labels), rel=1e-14)
    assert a == pytest.approx(b, rel=1e-14)
    # a 1-D y is a batch of one, with a one-hot target or a single label
    assert F.cross_entropy_error(y[2], one_hot[2]).item() == pytest.approx(
        book_cee(y[2], one_hot[2]), rel=1e-14)
    assert F.cross_entropy_error(y[2], labels[2]).item() == pytest.approx(
        book_cee(y[2], one_hot[2]), rel=1e-14)


@settings(max_examples=30, deadline=None)
@given(st.integers(1, 6), st.integers(2, 6), st.integers(0, 2**32 - 1))
def test_cross_entropy_matches_book_formula(n, c, seed):
    rng = np.random.default_rng(seed)
    y = rng.uniform(0.0, 1.0, (n, c))
    y /= y.sum(axis=1, keepdims=True)
    labels = rng.integers(0, c, n)
    one_hot = np.eye(c)[labels]
    expected = book_cee(y, one_hot)
    assert F.cross_entropy_error(y, one_hot).item() == pytest.approx(expected, rel=1e-12)
    assert F.cross_entropy_error(y, labels).item() == pytest.approx(expected, rel=1e-12)


@settings(max_examples=30, deadline=None)
@given(hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4),
                  elements=st.floats(-10, 10)))
def test_sum_squares_error_matches_book(y):
    t = np.ones_like(y) * 0.5
    assert F.sum_squares_error(y, t).item() == pytest.approx(book_sse(y, t), rel=1e-12,
                                                             abs=1e-12)


def test_losses_are_differentiable_and_gradcheck():
    rng = np.random.default_rng(1)
    y = mg.tensor(rng.uniform(0.05, 1.0, (4, 5)), requires_grad=True)
    t_onehot = np.eye(5)[[0, 3, 1, 4]]
    t_labels = np.array([0, 3, 1, 4])
    t_real = mg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    assert mg.gradcheck(lambda a, b: F.sum_squares_error(a, b), (y, t_real))
    assert mg.gradcheck(lambda a: F.cross_entropy_error(a, t_onehot), (y,))
    assert mg.gradcheck(lambda a: F.cross_entropy_error(a, t_labels), (y,))
    # 1-D input: a batch of one
    y1 = mg.tensor(rng.uniform(0.05, 1.0, 5), requires_grad=True)
    assert mg.gradcheck(lambda a: F.cross_entropy_error(a, t_onehot[1]), (y1,))
    # through a softmax, as simpleNet uses it
    z = mg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    assert mg.gradcheck(lambda a: F.cross_entropy_error(F.softmax(a), t_labels), (z,))


def test_cross_entropy_gradient_values():
    y = mg.tensor(np.array([[0.2, 0.8], [0.5, 0.5]]), requires_grad=True)
    F.cross_entropy_error(y, np.array([1, 0])).backward()
    expected = np.array([[0.0, -1 / (0.8 + 1e-7)], [-1 / (0.5 + 1e-7), 0.0]]) / 2
    np.testing.assert_allclose(y.grad.data, expected, rtol=1e-14)


def test_cross_entropy_rejects_bad_targets():
    y = np.full((2, 3), 1 / 3)
    with pytest.raises(ValueError, match="one-hot"):
        F.cross_entropy_error(y, np.array([[0.2, 0.3, 0.5], [0, 1, 0]]))
    with pytest.raises(ValueError, match="labels"):
        F.cross_entropy_error(y, np.array([0, 1, 2]))
    with pytest.raises(IndexError, match=r"\[0, 3\)"):
        F.cross_entropy_error(y, np.array([0, 3]))
    with pytest.raises(ValueError, match="dtype float64"):
        F.cross_entropy_error(y, np.array([0.0, 1.0]))
    with pytest.raises(ValueError, match="1-D or 2-D"):
        F.cross_entropy_error(np.ones((2, 2, 2)), np.array([0, 1]))
    with pytest.raises(ValueError, match="broadcast"):
        F.sum_squares_error(np.ones(3), np.ones(4))


def test_accuracy():
    y = np.array([[0.1, 0.9, 0.0], [0.8, 0.1, 0.1], [0.2, 0.3, 0.5], [0.3, 0.6, 0.1]])
    labels = np.array([1, 0, 0, 1])
    assert F.accuracy(y, labels) == 0.75
    assert F.accuracy(mg.tensor(y), np.eye(3)[labels]) == 0.75
    assert F.accuracy(y[0], 1) == 1.0
    assert F.accuracy(y[0], np.array([0.0, 1.0, 0.0])) == 1.0
    assert isinstance(F.accuracy(y, labels), float)
    assert F.accuracy(np.zeros((0, 3)), np.zeros(0, dtype=int)) == 0.0
    with pytest.raises(ValueError, match="labels for a batch of 4"):
        F.accuracy(y, np.array([1, 0]))


def test_accuracy_matches_book_on_uint8_labels():
    rng = np.random.default_rng(3)
    y = rng.standard_normal((50, 10))
    t = rng.integers(0, 10, 50).astype(np.uint8)
    expected = np.sum(np.argmax(y, axis=1) == t) / float(50)
    assert F.accuracy(y, t) == expected


# -- the fused softmax_cross_entropy -------------------------------------------------------------

def np_softmax(x, axis=-1):
    e = np.exp(x - x.max(axis=axis, keepdims=True))
    return e / e.sum(axis=axis, keepdims=True)


@st.composite
def logits_and_labels(draw):
    n, c = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    x = draw(float_arrays((n, c), -5, 5))
    labels = draw(index_arrays(c, min_len=n, max_len=n))
    return x, labels


def _one_hot(labels, c):
    return np.eye(c)[labels]


def _reference_loss(x, labels):
    n = x.shape[0]
    return -np.log(np_softmax(x, 1)[np.arange(n), labels]).sum() / n


@GRADCHECK
@given(xl=logits_and_labels())
def test_cross_entropy_int_labels_and_one_hot_agree(xl):
    x, labels = xl
    n, c = x.shape
    t = leaf(x)
    loss = F.softmax_cross_entropy(t, labels)
    assert loss.shape == () and loss.creator.name == "SoftmaxCrossEntropy"
    np.testing.assert_allclose(loss.item(), _reference_loss(x, labels), rtol=1e-10, atol=1e-12)
    loss.backward()
    expected = (np_softmax(x, 1) - _one_hot(labels, c)) / n
    np.testing.assert_allclose(t.grad.data, expected, rtol=1e-10, atol=1e-14)

    u = leaf(x)
    loss_oh = F.softmax_cross_entropy(u, _one_hot(labels, c))
    np.testing.assert_allclose(loss_oh.item(), loss.item(), rtol=1e-12, atol=1e-14)
    loss_oh.backward()
    np.testing.assert_allclose(u.grad.data, t.grad.data, rtol=1e-10, atol=1e-14)

    assert mg.gradcheck(lambda t: F.softmax_cross_entropy(t, labels), [t])
    assert mg.gradcheck(lambda t: F.softmax_cross_entropy(t, _one_hot(labels, c)), [t])
    # labels as a tensor of ints, as a Python list
    np.testing.assert_allclose(
        F.softmax_cross_entropy(mg.tensor(x), mg.tensor(labels)).item(), loss.item())
    np.testing.assert_allclose(
        F.softmax_cross_entropy(mg.tensor(x), labels.tolist()).item(), loss.item())


@GRADGRADCHECK
@given(xl=logits_and_labels())
def test_cross_entropy_second_order(xl):
    x, labels = xl
    assert mg.gradgradcheck(lambda t: F.softmax_cross_entropy(t, labels), [leaf(x)])


@GRADCHECK
@given(data=st.data())
def test_cross_entropy_soft_targets_gradient_in_both_arguments(data):
    n, c = data.draw(st.integers(1, 3)), data.draw(st.integers(1, 4))
    x = data.draw(float_arrays((n, c), -3, 3), label="x")
    p = data.draw(float_arrays((n, c), 0.1, 1.0), label="p")
    target = p / p.sum(axis=1, keepdims=True)
    loss = F.softmax_cross_entropy(mg.tensor(x), target)
    expected = -(target * np.log(np_softmax(x, 1))).sum() / n
    np.testing.assert_allclose(loss.item(), expected, rtol=1e-10, atol=1e-12)
    assert mg.gradcheck(lambda x, t: F.softmax_cross_entropy(x, t), [leaf(x), leaf(target)])


@pytest.mark.parametrize(
    "label", [2, np.int64(2), np.array(2), np.array([0.0, 0.0, 1.0, 0.0]), [0, 0, 1, 0]],
    ids=["int", "np-int", "0d-array", "one-hot", "one-hot-list"])
def test_cross_entropy_1d_logits(label):
    x = np.array([0.5, -1.0, 2.0, 0.1])
    t = leaf(x)
    loss = F.softmax_cross_entropy(t, label)
    np.testing.assert_allclose(loss.item(), -np.log(np_softmax(x)[2]), rtol=1e-12)
    loss.backward()
    assert t.grad.shape == (4,)
    np.testing.assert_allclose(t.grad.data, np_softmax(x) - np.eye(4)[2], rtol=1e-10)
    assert mg.gradcheck(lambda t: F.softmax_cross_entropy(t, label), [leaf(x)])


def test_cross_entropy_is_stable_for_huge_logits():
    x = leaf([[1000.0, 0.0, -1000.0], [0.0, 0.0, 0.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = F.softmax_cross_entropy(x, np.array([2, 0]))
        loss.backward()
    np.testing.assert_allclose(loss.item(), (2000.0 + np.log(3.0)) / 2)
    assert np.all(np.isfinite(x.grad.data))


def test_cross_entropy_float32_logits():
    x = mg.tensor(np.array([[1.0, 2.0, 0.5]], dtype=np.float32), requires_grad=True)
    loss = F.softmax_cross_entropy(x, np.array([1]))
    assert loss.dtype == np.float32
    loss.backward()
    assert x.grad.dtype == np.float32


@pytest.mark.parametrize(
    "logits, t, exc, words",
    [
        (np.zeros((2, 3)), np.array([0, 3]), IndexError, ["[0, 3)", "3"]),
        (np.zeros((2, 3)), np.array([0, -1]), IndexError, ["-1"]),
        (np.zeros((2, 3)), np.array([0, 1, 2]), ValueError, ["(3,)", "(2, 3)"]),
        (np.zeros((2, 3)), np.zeros((2, 4)), ValueError, ["(2, 4)", "(2, 3)"]),
        (np.zeros((2, 3, 4)), np.array([0, 1]), ValueError, ["(2, 3, 4)"]),
    ],
)
def test_cross_entropy_bad_targets(logits, t, exc, words):
    x = leaf(logits)
    with pytest.raises(exc) as info:
        F.softmax_cross_entropy(x, t)
    assert "softmax_cross_entropy" in str(info.value)
    for w in words:
        assert w in str(info.value)
    assert x.grad is None


def test_one_hot_targets_are_kept_as_labels():
    rng = np.random.default_rng(0)
    logits = mg.tensor(rng.standard_normal((5, 4)), requires_grad=True)
    labels = np.array([0, 3, 1, 1, 2])
    one_hot = np.eye(4)[labels]
    loss = F.softmax_cross_entropy(logits, one_hot)
    saved = loss.creator.inputs[1]
    assert saved.dtype.kind == "i" and saved.shape == (5,)
    np.testing.assert_array_equal(saved.data, labels)
    (g_one_hot,) = mg.grad(loss, logits)
    (g_labels,) = mg.grad(F.softmax_cross_entropy(logits, labels), logits)
    np.testing.assert_array_equal(g_one_hot.data, g_labels.data)
    p = F.softmax(logits).data
    np.testing.assert_allclose(g_one_hot.data, (p - one_hot) / 5, rtol=1e-14, atol=1e-16)


@pytest.mark.parametrize("targets", [
    np.array([[0.0, 1.0], [0.5, 0.5]]),          # soft targets
    np.array([[0.0, 1.0], [1.0 - 1e-12, 0.0]]),  # almost one-hot
    np.array([[2.0, -1.0], [0.0, 1.0]]),         # sums to 1 but not a distribution
])
def test_soft_targets_are_kept_as_given(targets):
    logits = mg.tensor(np.array([[0.2, -0.3], [1.5, 0.1]]), requires_grad=True)
    loss = F.softmax_cross_entropy(logits, targets)
    np.testing.assert_array_equal(loss.creator.inputs[1].data, targets)
    assert mg.gradcheck(lambda z: F.softmax_cross_entropy(z, targets), [logits])


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_gradient_at_extremes_is_exact(dtype):
    x = mg.Tensor(np.array([[1000.0, -1000.0]], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax_cross_entropy(x, np.array([1])).backward()
    np.testing.assert_array_equal(x.grad.data, np.array([[1.0, -1.0]], dtype=dtype))


def _cross_entropy_error():
    return F.cross_entropy_error


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_error_with_zero_probability_stays_finite(dtype):
    cross_entropy_error = _cross_entropy_error()
    y = mg.Tensor(np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype), requires_grad=True)
    t = np.array([[1, 0, 0], [0, 0, 1]], dtype=dtype)  # the right class has probability 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy_error(y, t)
        loss.backward()
    # -log(0 + 1e-7) per sample: about 16.118, the book's value
    assert loss.item() == pytest.approx(-np.log(1e-7), rel=1e-5)
    assert np.isfinite(y.grad.data).all()
    assert y.grad.data[0, 0] == pytest.approx(-1 / (2 * 1e-7), rel=1e-5)
    assert loss.dtype == dtype and y.grad.dtype == dtype


def test_cross_entropy_error_with_integer_labels_and_zero_probability():
    cross_entropy_error = _cross_entropy_error()
    y = mg.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy_error(y, np.array([0, 1]))
        loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(y.grad.data).all()


def test_softmax_cross_entropy_first_order_backward_equals_the_differentiable_one():
    """Labels: the NumPy first-order backward (on the forward's softmax while it is the latest
    one, else computed again) gives the gradient of the op-made (``create_graph``) backward."""
    rng = np.random.default_rng(0)
    a, a2 = rng.normal(size=(4, 5)) * 3, rng.normal(size=(4, 5))
    ta = np.array([0, 4, 2, 2])

    def differentiable(arr):
        x = leaf(arr)
        return mg.grad(F.softmax_cross_entropy(x, ta) * 2.0, [x], create_graph=True)[0].data

    x1, x2 = leaf(a), leaf(a2)
    first = F.softmax_cross_entropy(x1, ta) * 2.0
    second = F.softmax_cross_entropy(x2, ta) * 2.0  # the latest: its softmax is kept
    got_older = mg.grad(first, [x1])[0]  # not the latest: computed again
    got_latest = mg.grad(second, [x2], retain_graph=True)[0]
    got_again = mg.grad(second, [x2])[0]  # the kept softmax was used up: computed again
    for got, arr in ((got_older, a), (got_latest, a2), (got_again, a2)):
        assert not got.requires_grad
        np.testing.assert_allclose(got.data, differentiable(arr), rtol=1e-13, atol=1e-16)
