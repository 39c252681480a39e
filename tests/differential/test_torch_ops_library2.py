"""The op library's elementwise math, activations, losses and linear algebra against PyTorch.

Values, gradients and second derivatives in float64 to 1e-9 (see ``helpers.compare``).
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

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    assert_close,
    away_from_zero,
    broadcast_pair,
    compare,
    floats,
    positive,
    seeds,
    shapes,
)

# -- unary elementwise math ---------------------------------------------------------------------

# name -> (minigrad, torch, input strategy for a shape)
UNARY = {
    "log2": (mg.log2, torch.log2, lambda s: positive(s)),
    "log10": (mg.log10, torch.log10, lambda s: positive(s)),
    "exp2": (mg.exp2, torch.exp2, lambda s: floats(s)),
    "log1p": (mg.log1p, torch.log1p, lambda s: floats(s, -0.9, 3.0)),
    "expm1": (mg.expm1, torch.expm1, lambda s: floats(s)),
    "rsqrt": (mg.rsqrt, torch.rsqrt, lambda s: positive(s)),
    "reciprocal": (mg.reciprocal, torch.reciprocal, lambda s: away_from_zero(s)),
    "square": (mg.square, torch.square, lambda s: floats(s)),
    "sign": (mg.sign, torch.sign, lambda s: floats(s)),
    "floor": (mg.floor, torch.floor, lambda s: floats(s)),
    "ceil": (mg.ceil, torch.ceil, lambda s: floats(s)),
    "round": (mg.round, torch.round, lambda s: floats(s)),
    "trunc": (mg.trunc, torch.trunc, lambda s: floats(s)),
    "tan": (mg.tan, torch.tan, lambda s: floats(s, -1.2, 1.2)),
    "asin": (mg.asin, torch.asin, lambda s: floats(s, -0.9, 0.9)),
    "acos": (mg.acos, torch.acos, lambda s: floats(s, -0.9, 0.9)),
    "atan": (mg.atan, torch.atan, lambda s: floats(s)),
    "sinh": (mg.sinh, torch.sinh, lambda s: floats(s)),
    "cosh": (mg.cosh, torch.cosh, lambda s: floats(s)),
    "asinh": (mg.asinh, torch.asinh, lambda s: floats(s)),
    "acosh": (mg.acosh, torch.acosh, lambda s: floats(s, 1.1, 4.0)),
    "atanh": (mg.atanh, torch.atanh, lambda s: floats(s, -0.9, 0.9)),
    "erf": (mg.erf, torch.erf, lambda s: floats(s)),
}


@pytest.mark.parametrize("op", sorted(UNARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_unary(op, data, seed):
    mg_fn, torch_fn, inputs = UNARY[op]
    a = data.draw(inputs(data.draw(shapes())))
    compare(op, mg_fn, torch_fn, [a], seed)


@pytest.mark.parametrize("op", ["log2", "exp2", "square", "erf", "floor", "atan"])
def test_unary_empty(op):
    mg_fn, torch_fn, _ = UNARY[op]
    compare(op, mg_fn, torch_fn, [np.zeros((0, 3))], 0)


@pytest.mark.parametrize("decimals", [1, 2, -1])
def test_round_decimals(decimals):
    a = np.array([0.125, -1.25, 2.675, 15.0, -25.0, 3.14159])
    compare("round", lambda x: mg.round(x, decimals), lambda x: torch.round(x, decimals=decimals),
            [a], 0)


# -- binary elementwise with broadcasting -------------------------------------------------------

BINARY = {
    "atan2": (mg.atan2, torch.atan2, away_from_zero, away_from_zero),
    "logaddexp": (mg.logaddexp, torch.logaddexp, floats, floats),
    "copysign": (mg.copysign, torch.copysign, away_from_zero, away_from_zero),
    "mod": (lambda a, b: a % b, torch.remainder, floats, away_from_zero),
    "rmod": (lambda a, b: 2.5 % b + 0 * a,
             lambda a, b: torch.remainder(torch.tensor(2.5), b) + 0 * a, floats, away_from_zero),
    "fmod": (mg.fmod, torch.fmod, floats, away_from_zero),
    "div_trunc": (lambda a, b: mg.div(a, b, rounding_mode="trunc"),
                  lambda a, b: torch.div(a, b, rounding_mode="trunc"), floats, away_from_zero),
    "div_floor": (lambda a, b: mg.div(a, b, rounding_mode="floor"),
                  lambda a, b: torch.div(a, b, rounding_mode="floor"), floats, away_from_zero),
    "div_none": (lambda a, b: a.div(b), lambda a, b: torch.div(a, b), floats, away_from_zero),
}


@pytest.mark.parametrize("op", sorted(BINARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_binary(op, data, seed):
    mg_fn, torch_fn, sa_, sb_ = BINARY[op]
    sa, sb = data.draw(broadcast_pair())
    a, b = data.draw(sa_(sa)), data.draw(sb_(sb))
    if op in ("mod", "fmod"):  # keep away from the jumps of the remainder
        q = a / b
        a = np.where(np.abs(q - np.round(q)) < 0.05, a + 0.1 * b, a)
    compare(op, mg_fn, torch_fn, [a, b], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_lerp(data, seed):
    from hypothesis.extra import numpy as hnp

    s = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=3, min_dims=0, max_dims=3,
                                                    max_side=3)).input_shapes
    a, b = data.draw(floats(s[0])), data.draw(floats(s[1]))
    w = data.draw(floats(s[2], -0.5, 1.5))
    compare("lerp", mg.lerp, torch.lerp, [a, b, w], seed)
    scalar = data.draw(st.floats(-0.5, 1.5))
    compare("lerp scalar weight", lambda x, y: x.lerp(y, scalar),
            lambda x, y: torch.lerp(x, y, scalar), [a, b], seed)


def test_floor_divide_and_tests_of_values():
    rng = np.random.default_rng(0)
    a = rng.standard_normal((3, 4)) * 5
    b = away = np.where(np.abs(rng.standard_normal(4)) < 0.1, 1.0, rng.standard_normal(4))
    ta, tb = torch.tensor(a), torch.tensor(away)
    np.testing.assert_array_equal((mg.tensor(a) // b).data, (ta // tb).numpy())
    np.testing.assert_array_equal((3.0 // mg.tensor(b)).data, (3.0 // tb).numpy())
    x = np.array([1.0, np.nan, np.inf, -np.inf, 0.0])
    for name in ("isnan", "isinf", "isfinite"):
        np.testing.assert_array_equal(getattr(mg, name)(x).data,
                                      getattr(torch, name)(torch.tensor(x)).numpy())
    y = x + 1e-9
    for kw in ({}, {"equal_nan": True}, {"rtol": 0.0, "atol": 1e-10}):
        np.testing.assert_array_equal(mg.isclose(x, y, **kw).data,
                                      torch.isclose(torch.tensor(x), torch.tensor(y),
                                                    **kw).numpy())


def test_integer_and_bool_ops():
    rng = np.random.default_rng(1)
    a = rng.integers(-20, 20, (3, 4))
    b = rng.integers(1, 5, (4,))
    ma, mb, ta, tb = mg.tensor(a), mg.tensor(b), torch.tensor(a), torch.tensor(b)
    pairs = [
        (ma & mb, ta & tb), (ma | mb, ta | tb), (ma ^ mb, ta ^ tb), (~ma, ~ta),
        (ma << mb, ta << tb), (ma >> mb, ta >> tb), (ma % mb, ta % tb), (ma // mb, ta // tb),
        (7 & ma, 7 & ta), (mg.fmod(ma, mb), torch.fmod(ta, tb)),
        (mg.div(ma, mb, rounding_mode="trunc"), torch.div(ta, tb, rounding_mode="trunc")),
        (mg.div(ma, mb, rounding_mode="floor"), torch.div(ta, tb, rounding_mode="floor")),
        (mg.sign(ma), torch.sign(ta)), (mg.square(ma), torch.square(ta)),
    ]
    p, q = a > 0, a % 3 == 0
    mp, mq, tp, tq = mg.tensor(p), mg.tensor(q), torch.tensor(p), torch.tensor(q)
    pairs += [
        (mp & mq, tp & tq), (mp | mq, tp | tq), (mp ^ mq, tp ^ tq), (~mp, ~tp),
        (mg.logical_and(ma, mq), torch.logical_and(ta, tq)),
        (mg.logical_or(ma, mq), torch.logical_or(ta, tq)),
        (mg.logical_xor(ma, mq), torch.logical_xor(ta, tq)),
        (mg.logical_not(ma), torch.logical_not(ta)),
    ]
    for i, (m, t) in enumerate(pairs):
        np.testing.assert_array_equal(m.data, t.numpy(), err_msg=f"pair {i}")
        assert m.data.dtype == np.dtype(str(t.dtype).replace("torch.", "")), f"pair {i}"
        assert not m.requires_grad


# -- activations ----------------------------------------------------------------------------------

ACTIVATIONS = {
    "leaky_relu": (lambda x: F.leaky_relu(x, 0.2), lambda x: TF.leaky_relu(x, 0.2)),
    "elu": (lambda x: F.elu(x, 1.5), lambda x: TF.elu(x, 1.5)),
    # alpha 0.5: PyTorch's CELU gradient uses 1/alpha rounded to float32, exact here
    "celu": (lambda x: F.celu(x, 0.5), lambda x: TF.celu(x, 0.5)),
    "selu": (F.selu, TF.selu),
    "gelu": (F.gelu, TF.gelu),
    "gelu_tanh": (lambda x: F.gelu(x, approximate="tanh"),
                  lambda x: TF.gelu(x, approximate="tanh")),
    "quick_gelu": (F.quick_gelu, lambda x: x * torch.sigmoid(1.702 * x)),
    "silu": (F.silu, TF.silu),
    "mish": (F.mish, TF.mish),
    "softplus": (F.softplus, TF.softplus),
    "softplus_beta": (lambda x: F.softplus(x, 2.0, 3.0), lambda x: TF.softplus(x, 2.0, 3.0)),
    "softsign": (F.softsign, TF.softsign),
    "logsigmoid": (F.logsigmoid, TF.logsigmoid),
    "hardtanh": (lambda x: F.hardtanh(x, -2.0, 1.5), lambda x: TF.hardtanh(x, -2.0, 1.5)),
    "relu6": (F.relu6, TF.relu6),
    "hardswish": (F.hardswish, TF.hardswish),
    "softmin": (lambda x: F.softmin(x, axis=-1), lambda x: TF.softmin(x, dim=-1)),
    "normalize": (lambda x: F.normalize(x, axis=-1), lambda x: TF.normalize(x, dim=-1)),
    "normalize_p3": (lambda x: F.normalize(x, p=3, axis=0),
                     lambda x: TF.normalize(x, p=3, dim=0)),
    "normalize_p1": (lambda x: F.normalize(x, p=1, axis=-1),
                     lambda x: TF.normalize(x, p=1, dim=-1)),
}


def _act_inputs(op, shape):
    if op in ("softmin", "normalize", "normalize_p1", "normalize_p3"):
        return away_from_zero(shape, 0.2, 3.0)
    return away_from_zero(shape, 0.01, 8.0)  # away from the kinks at 0


@pytest.mark.parametrize("op", sorted(ACTIVATIONS))
@DIFF
@given(data=st.data(), seed=seeds)
def test_activation(op, data, seed):
    mg_fn, torch_fn = ACTIVATIONS[op]
    min_dims = 1 if op.startswith(("softmin", "normalize")) else 0
    a = data.draw(_act_inputs(op, data.draw(shapes(min_dims=min_dims))))
    if op in ("hardtanh", "relu6", "hardswish"):  # away from the other kinks
        a = np.where(np.isin(np.round(a, 1), [-3.0, -2.0, 1.5, 3.0, 6.0]), a + 0.05, a)
    if op == "softplus_beta":  # at beta * x == threshold PyTorch's second derivative is 0
        a = np.where(a * 2.0 == 3.0, a + 0.01, a)
    compare(op, mg_fn, torch_fn, [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_hardsigmoid(data, seed):
    # PyTorch's gradient multiplies by 1/6 rounded to float32: compare it to 1e-7; PyTorch
    # has no second derivative of hardsigmoid
    a = data.draw(away_from_zero(data.draw(shapes()), 0.01, 5.0))
    a = np.where(np.abs(np.abs(a) - 3) < 0.01, a + 0.05, a)
    compare("hardsigmoid", F.hardsigmoid, TF.hardsigmoid, [a], seed, rtol=1e-7,
            second_order=False)


@pytest.mark.parametrize("op", ["leaky_relu", "elu", "selu", "relu6", "hardswish", "softsign",
                                "logsigmoid", "softplus", "gelu"])
def test_activation_at_kinks(op):
    # the non-differentiable points get PyTorch's gradient
    a = np.array([-6.0, -3.0, -1.0, 0.0, 1.0, 3.0, 6.0, 25.0])
    mg_fn, torch_fn = ACTIVATIONS[op]
    compare(op, mg_fn, torch_fn, [a], 0, second_order=False)


def test_activation_modules_match_functions():
    x = np.linspace(-4, 4, 17).reshape(1, 17)
    t = torch.tensor(x)
    mods = [
        (mg.nn.LeakyReLU(0.1), torch.nn.LeakyReLU(0.1)), (mg.nn.ELU(), torch.nn.ELU()),
        (mg.nn.CELU(2.0), torch.nn.CELU(2.0)), (mg.nn.SELU(), torch.nn.SELU()),
        (mg.nn.GELU("tanh"), torch.nn.GELU("tanh")), (mg.nn.SiLU(), torch.nn.SiLU()),
        (mg.nn.Mish(), torch.nn.Mish()), (mg.nn.Softplus(2.0, 5.0), torch.nn.Softplus(2.0, 5.0)),
        (mg.nn.Softsign(), torch.nn.Softsign()), (mg.nn.LogSigmoid(), torch.nn.LogSigmoid()),
        (mg.nn.Hardtanh(-2.0, 2.0), torch.nn.Hardtanh(-2.0, 2.0)),
        (mg.nn.ReLU6(), torch.nn.ReLU6()), (mg.nn.Hardsigmoid(), torch.nn.Hardsigmoid()),
        (mg.nn.Hardswish(), torch.nn.Hardswish()), (mg.nn.Softmin(dim=1), torch.nn.Softmin(1)),
        (mg.nn.LogSoftmax(dim=1), torch.nn.LogSoftmax(1)), (mg.nn.Identity(), torch.nn.Identity()),
    ]
    for m, tm in mods:
        assert_close(m(x).data, tm(t).numpy(), type(m).__name__)


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
    if draw(st.booleans()) and labels.size > 1:  # ignore one target
        labels.flat[draw(st.integers(0, labels.size - 1))] = -100
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
    if opts["reduction"] == "mean" and (labels == -100).all():
        return
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
    if opts["reduction"] == "mean" and (labels == -100).all():
        return
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


# -- linear algebra -------------------------------------------------------------------------------

EINSUM = [
    ("ij,jk->ik", [(2, 3), (3, 4)]),
    ("ij,jk", [(2, 3), (3, 4)]),
    ("ii->i", [(3, 3)]),
    ("ii", [(3, 3)]),
    ("...ij,...jk->...ik", [(2, 1, 2, 3), (4, 3, 2)]),
    ("bij,bjk->bik", [(2, 2, 3), (2, 3, 4)]),
    ("iij,j->ij", [(2, 2, 3), (3,)]),
    ("ijk->", [(2, 3, 2)]),
    ("i,i", [(3,), (3,)]),
    ("i,j->ij", [(3,), (4,)]),
    ("ij->ji", [(2, 3)]),
    ("ij,k->", [(2, 3), (2,)]),
    ("ijj,kj->ik", [(2, 3, 3), (2, 3)]),
    ("...i,...i", [(3,), (2, 3)]),
    ("bhqd,bhkd->bhqk", [(1, 2, 3, 4), (1, 2, 5, 4)]),
    ("i,ij,j->", [(2,), (2, 3), (3,)]),
    (",ij->ij", [(), (2, 3)]),
    ("ij,ij->", [(0, 3), (0, 3)]),
]


@pytest.mark.parametrize("spec,shapes_", EINSUM, ids=[e[0] or "scalar" for e in EINSUM])
@pytest.mark.parametrize("seed", [0, 1])
def test_einsum(spec, shapes_, seed):
    rng = np.random.default_rng(seed)
    arrays = [rng.standard_normal(s) for s in shapes_]
    compare(f"einsum {spec}", lambda *xs: mg.einsum(spec, *xs),
            lambda *xs: torch.einsum(spec, *xs), arrays, seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_outer_dot_tensordot(data, seed):
    n, m, k = (data.draw(st.integers(1, 4)) for _ in range(3))
    a, b = data.draw(floats((n,))), data.draw(floats((m,)))
    compare("outer", mg.outer, torch.outer, [a, b], seed)
    c = data.draw(floats((n,)))
    compare("dot 1-D", mg.dot, torch.dot, [a, c], seed)
    x, y = data.draw(floats((k, n))), data.draw(floats((n, m)))
    compare("dot 2-D", mg.dot, torch.matmul, [x, y], seed)
    compare("dot 2-D @ 1-D", mg.dot, torch.matmul, [x, a], seed)
    t = data.draw(floats((2, k, n)))
    compare("tensordot 2", lambda p, q: mg.tensordot(p, q, 2),
            lambda p, q: torch.tensordot(p, q, 2), [t, data.draw(floats((k, n, m)))], seed)
    compare("tensordot axes", lambda p, q: mg.tensordot(p, q, ([2, 0], [0, 2])),
            lambda p, q: torch.tensordot(p, q, ([2, 0], [0, 2])),
            [t, data.draw(floats((n, m, 2)))], seed)


@DIFF
@given(data=st.data(), seed=seeds,
       mask=st.sampled_from(["none", "bool", "float", "causal", "bool-dead"]),
       scale=st.sampled_from([None, 0.3]))
def test_scaled_dot_product_attention(data, seed, mask, scale):
    batch = data.draw(shapes(0, 2, 1, 2))
    n_q, n_k, e, ev = (data.draw(st.integers(1, 4)) for _ in range(4))
    q = data.draw(floats(batch + (n_q, e), -2, 2))
    k = data.draw(floats(batch + (n_k, e), -2, 2))
    v = data.draw(floats(batch + (n_k, ev), -2, 2))
    m = None
    if mask in ("bool", "bool-dead"):
        m = data.draw(st.lists(st.booleans(), min_size=n_q * n_k, max_size=n_q * n_k))
        m = np.array(m).reshape(n_q, n_k)
        m[:, 0] |= mask == "bool"  # every query sees one key, or (bool-dead) perhaps none
    elif mask == "float":
        m = data.draw(floats((n_q, n_k)))
    tm = None if m is None else torch.from_numpy(m)
    causal = mask == "causal"

    def torch_sdpa(a, b, c):
        # the math kernel: the fused CPU kernels have no second derivative
        from torch.nn.attention import SDPBackend, sdpa_kernel

        with sdpa_kernel(SDPBackend.MATH):
            return TF.scaled_dot_product_attention(a, b, c, attn_mask=tm, is_causal=causal,
                                                   scale=scale)

    compare("sdpa",
            lambda a, b, c: F.scaled_dot_product_attention(a, b, c, attn_mask=m,
                                                           is_causal=causal, scale=scale),
            torch_sdpa, [q, k, v], seed)


@pytest.mark.parametrize("op", sorted(ACTIVATIONS))
def test_activation_empty(op):
    mg_fn, torch_fn = ACTIVATIONS[op]
    compare(op, mg_fn, torch_fn, [np.zeros((0, 3))], 0)


@pytest.mark.parametrize("op", sorted(REGRESSION))
def test_regression_losses_empty(op):
    mg_fn, torch_fn, kw = REGRESSION[op]
    for red in ("sum", "none"):
        compare(op, lambda a, b, r=red: mg_fn(a, b, reduction=r, **kw),
                lambda a, b, r=red: torch_fn(a, b, reduction=r, **kw),
                [np.zeros((2, 0)), np.zeros((2, 0))], 0)


@DIFF
@given(data=st.data(), seed=seeds)
def test_scaled_dot_product_attention_float_mask_gradient(data, seed):
    n_q, n_k, e = (data.draw(st.integers(1, 4)) for _ in range(3))
    q, k, v = (data.draw(floats(s, -2, 2)) for s in ((n_q, e), (n_k, e), (n_k, 2)))
    m = data.draw(floats((n_q, n_k)))

    def torch_sdpa(a, b, c, d):
        from torch.nn.attention import SDPBackend, sdpa_kernel

        with sdpa_kernel(SDPBackend.MATH):
            return TF.scaled_dot_product_attention(a, b, c, attn_mask=d)

    compare("sdpa float mask", lambda a, b, c, d: F.scaled_dot_product_attention(
        a, b, c, attn_mask=d), torch_sdpa, [q, k, v, m], seed)
