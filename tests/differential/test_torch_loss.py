"""Losses against PyTorch: softmax_cross_entropy, cross_entropy, nll_loss, binary
cross-entropy and the regression losses; values, gradients and second derivatives in float64.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import warnings  # noqa: E402

import numpy as np  # noqa: E402
import torch.nn.functional as TF  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    away_from_zero,
    compare,
    floats,
    positive,
    seeds,
    shapes,
)

# -- softmax_cross_entropy --------------------------------------------------------------------


@DIFF
@given(data=st.data(), seed=seeds)
def test_softmax_cross_entropy_int_labels(data, seed):
    n, c = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    x = data.draw(floats((n, c), -5.0, 5.0))
    t = np.array(data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n)),
                 dtype=np.int64)
    compare("softmax_cross_entropy (labels)", lambda z: F.softmax_cross_entropy(z, t),
            lambda z: torch.nn.functional.cross_entropy(z, torch.from_numpy(t)), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_softmax_cross_entropy_single_sample(data, seed):
    c = data.draw(st.integers(1, 5))
    x = data.draw(floats((c,), -5.0, 5.0))
    t = data.draw(st.integers(0, c - 1))
    compare("softmax_cross_entropy (1-D logits)",
            lambda z: F.softmax_cross_entropy(z, np.array(t)),
            lambda z: torch.nn.functional.cross_entropy(z, torch.tensor(t)), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds, kind=st.sampled_from(["soft", "one_hot", "unnormalised"]))
def test_softmax_cross_entropy_probabilities(data, seed, kind):
    n, c = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 5))
    x = data.draw(floats((n, c), -5.0, 5.0))
    if kind == "one_hot":
        labels = data.draw(st.lists(st.integers(0, c - 1), min_size=n, max_size=n))
        p = np.eye(c)[labels]
    else:
        p = data.draw(floats((n, c), 0.0, 1.0))
        if kind == "soft":
            p = np.exp(p * 3) / np.exp(p * 3).sum(axis=1, keepdims=True)
    # the targets are differentiated too
    compare(f"softmax_cross_entropy ({kind} targets)", F.softmax_cross_entropy,
            torch.nn.functional.cross_entropy, [x, p], seed)


# -- losses ---------------------------------------------------------------------------------------

@st.composite
def class_problem(draw, probabilities=False):
    n = draw(st.integers(1, 4))
    c = draw(st.integers(1, 5))
    extra = draw(st.lists(st.integers(1, 3), max_size=2))
    unbatched = not extra and draw(st.booleans())
    shape = (c,) if unbatched else (n, c, *extra)
    logits = draw(floats(shape, -4, 4))
    tshape = () if unbatched else (n, *extra)
    if probabilities:
        p = draw(floats(shape, 0.0, 1.0))
        return logits, p
    labels = draw(st.lists(st.integers(0, c - 1), min_size=int(np.prod(tshape)),
                           max_size=int(np.prod(tshape))))
    labels = np.array(labels, dtype=np.int64).reshape(tshape)
    ignore = draw(st.sampled_from(["none", "one", "all"]))
    if ignore == "one" and labels.size > 1:
        labels.flat[draw(st.integers(0, labels.size - 1))] = -100
    elif ignore == "all":
        labels[...] = -100
    return logits, labels


options = st.fixed_dictionaries({
    "reduction": st.sampled_from(["mean", "sum", "none"]),
    "label_smoothing": st.sampled_from([0.0, 0.1, 0.5]),
    "weighted": st.booleans(),
})


def _weights(c, weighted):
    return (np.arange(1, c + 1) / c, torch.arange(1, c + 1, dtype=torch.float64) / c) \
        if weighted else (None, None)


@DIFF
@given(problem=class_problem(), opts=options, seed=seeds)
def test_cross_entropy_labels(problem, opts, seed):
    logits, labels = problem
    c = logits.shape[0 if logits.ndim == 1 else 1]
    w, tw = _weights(c, opts["weighted"])
    kw = {"reduction": opts["reduction"], "label_smoothing": opts["label_smoothing"]}
    compare("cross_entropy", lambda x: F.cross_entropy(x, labels, weight=w, **kw),
            lambda x: TF.cross_entropy(x, torch.from_numpy(labels), weight=tw, **kw),
            [logits], seed)


@DIFF
@given(problem=class_problem(probabilities=True), opts=options, seed=seeds)
def test_cross_entropy_probabilities(problem, opts, seed):
    logits, p = problem
    c = logits.shape[0 if logits.ndim == 1 else 1]
    w, tw = _weights(c, opts["weighted"])
    kw = {"reduction": opts["reduction"], "label_smoothing": opts["label_smoothing"]}
    compare("cross_entropy probs", lambda x, t: F.cross_entropy(x, t, weight=w, **kw),
            lambda x, t: TF.cross_entropy(x, t, weight=tw, **kw), [logits, p], seed)


@DIFF
@given(problem=class_problem(), opts=options, seed=seeds)
def test_nll_loss(problem, opts, seed):
    logp, labels = problem
    c = logp.shape[0 if logp.ndim == 1 else 1]
    w, tw = _weights(c, opts["weighted"])
    compare("nll_loss", lambda x: F.nll_loss(x, labels, weight=w, reduction=opts["reduction"]),
            lambda x: TF.nll_loss(x, torch.from_numpy(labels), weight=tw,
                                  reduction=opts["reduction"]), [logp], seed)


def test_cross_entropy_ignore_index_and_empty():
    x = np.random.default_rng(0).standard_normal((4, 3))
    t = np.array([0, 7, 2, 7])
    compare("ignore_index=7", lambda a: F.cross_entropy(a, t, ignore_index=7),
            lambda a: TF.cross_entropy(a, torch.from_numpy(t), ignore_index=7), [x], 0)
    e = np.zeros((0, 3))
    for red in ("sum", "none"):
        compare("empty",
                lambda a, r=red: F.cross_entropy(a, np.zeros(0, np.int64), reduction=r),
                lambda a, r=red: TF.cross_entropy(a, torch.zeros(0, dtype=torch.int64),
                                                  reduction=r),
                [e], 0)
    # every target ignored: the mean is 0/0 = NaN, as in PyTorch, without a warning
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(F.cross_entropy(x, np.full(4, -100)).item())
    assert torch.isnan(TF.cross_entropy(torch.tensor(x), torch.full((4,), -100)))


@pytest.mark.parametrize("smoothing", [0.0, 0.3])
@pytest.mark.parametrize("weighted", [False, True])
@pytest.mark.parametrize("reduction", ["mean", "sum", "none"])
@pytest.mark.parametrize("shape", [(4,), (3, 4), (2, 4, 3), (0, 4)], ids=str)
def test_every_target_ignored(shape, reduction, weighted, smoothing):
    """Loss (NaN for the mean), gradient (0) and second derivative as PyTorch's."""
    x = np.random.default_rng(1).standard_normal(shape)
    t = np.full(shape[:1] + shape[2:] if len(shape) > 1 else (), -100, dtype=np.int64)
    w, tw = _weights(4, weighted)
    kw = {"reduction": reduction}
    compare("cross_entropy, every target ignored",
            lambda a: F.cross_entropy(a, t, weight=w, label_smoothing=smoothing, **kw),
            lambda a: TF.cross_entropy(a, torch.from_numpy(t), weight=tw,
                                       label_smoothing=smoothing, **kw), [x], 0)
    ax = 0 if len(shape) == 1 else 1
    compare("nll_loss, every target ignored",
            lambda a: F.nll_loss(a, t, weight=w, **kw),
            lambda a: TF.nll_loss(a, torch.from_numpy(t), weight=tw, **kw),
            [x - np.log(np.exp(x).sum(axis=ax, keepdims=True))], 0)


reductions = st.sampled_from(["mean", "sum", "none"])


@DIFF
@given(data=st.data(), red=reductions, seed=seeds, weighted=st.booleans())
def test_binary_cross_entropy(data, red, seed, weighted):
    shape = data.draw(shapes())
    x = data.draw(floats(shape, 0.02, 0.98))
    t = data.draw(floats(shape, 0.0, 1.0))
    w = data.draw(positive(shape)) if weighted else None
    compare("bce", lambda a, b: F.binary_cross_entropy(a, b, weight=w, reduction=red),
            lambda a, b: TF.binary_cross_entropy(
                a, b, weight=None if w is None else torch.from_numpy(w), reduction=red),
            # PyTorch's second derivative adds 1e-12 to x and 1 - x (binary_cross_entropy_
            # double_backward), off by ~1e-10 relative near 0 and 1; minigrad's is exact and
            # checked by gradgradcheck in tests/ops/test_loss.py
            [x, t], seed, second_order=False)


@DIFF
@given(data=st.data(), red=reductions, seed=seeds, kind=st.sampled_from(["none", "pos", "both"]))
def test_binary_cross_entropy_with_logits(data, red, seed, kind):
    shape = data.draw(shapes(min_dims=1))
    x = data.draw(floats(shape, -6, 6))
    t = data.draw(floats(shape, 0.0, 1.0))
    pw = data.draw(positive(shape[-1:])) if kind != "none" else None
    w = data.draw(positive(shape)) if kind == "both" else None
    compare("bce_with_logits",
            lambda a, b: F.binary_cross_entropy_with_logits(a, b, weight=w, reduction=red,
                                                            pos_weight=pw),
            lambda a, b: TF.binary_cross_entropy_with_logits(
                a, b, weight=None if w is None else torch.from_numpy(w), reduction=red,
                pos_weight=None if pw is None else torch.from_numpy(pw)),
            [x, t], seed)


REGRESSION = {
    "mse_loss": (F.mse_loss, TF.mse_loss, {}),
    "l1_loss": (F.l1_loss, TF.l1_loss, {}),
    "huber_loss": (F.huber_loss, TF.huber_loss, {"delta": 0.7}),
    "smooth_l1_loss": (F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.7}),
    "smooth_l1_loss_beta0": (F.smooth_l1_loss, TF.smooth_l1_loss, {"beta": 0.0}),
}


@pytest.mark.parametrize("op", sorted(REGRESSION))
@DIFF
@given(data=st.data(), red=reductions, seed=seeds)
def test_regression_losses(op, data, red, seed):
    mg_fn, torch_fn, kw = REGRESSION[op]
    shape = data.draw(shapes())
    x = data.draw(floats(shape))
    d = data.draw(away_from_zero(shape, 0.05, 3.0))
    d = np.where(np.abs(np.abs(d) - 0.7) < 0.02, d * 1.1, d)  # away from the kinks
    compare(op, lambda a, b: mg_fn(a, b, reduction=red, **kw),
            lambda a, b: torch_fn(a, b, reduction=red, **kw), [x, x - d], seed)


@pytest.mark.parametrize("op", sorted(REGRESSION))
def test_regression_losses_empty(op):
    mg_fn, torch_fn, kw = REGRESSION[op]
    for red in ("sum", "none"):
        compare(op, lambda a, b, r=red: mg_fn(a, b, reduction=r, **kw),
                lambda a, b, r=red: torch_fn(a, b, reduction=r, **kw),
                [np.zeros((2, 0)), np.zeros((2, 0))], 0)


@DIFF
@given(data=st.data(), seed=seeds)
def test_book2_time_softmax_cross_entropy(data, seed):
    """The second book's loss over time steps: PyTorch's cross-entropy with ignored rows."""
    from minigrad.book2._ops import TimeSoftmaxCrossEntropy

    rows, classes = data.draw(st.integers(1, 5)), data.draw(st.integers(1, 4))
    t = np.array(data.draw(st.lists(st.integers(0, classes - 1), min_size=rows, max_size=rows)))
    mask = np.array(data.draw(st.lists(st.booleans(), min_size=rows, max_size=rows)))
    mask[data.draw(st.integers(0, rows - 1))] = True
    ignored = torch.from_numpy(np.where(mask, t, -1))
    compare(f"book2 TimeSoftmaxCrossEntropy {rows}x{classes} mask {mask.tolist()}",
            lambda x: TimeSoftmaxCrossEntropy(t, mask)(x),
            lambda x: torch.nn.functional.cross_entropy(x, ignored, ignore_index=-1),
            [data.draw(floats((rows, classes)))], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_book2_sigmoid_cross_entropy(data, seed):
    """The second book's sigmoid loss op: PyTorch's mean logistic loss."""
    from minigrad.book2._ops import SigmoidCrossEntropy

    n = data.draw(st.integers(1, 6))
    t = np.array(data.draw(st.lists(st.integers(0, 1), min_size=n, max_size=n)), dtype=np.int32)
    compare(f"book2 SigmoidCrossEntropy N={n}", lambda x: SigmoidCrossEntropy(t)(x),
            lambda x: TF.binary_cross_entropy_with_logits(x, torch.from_numpy(t).double()),
            [data.draw(floats((n,)))], seed)
