"""Elementwise math against PyTorch: values, gradients and second derivatives in float64."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    away_from_zero,
    broadcast_pair,
    compare,
    floats,
    positive,
    seeds,
    shapes,
)

# -- pow at 0: PyTorch's convention ------------------------------------------------------------

def _torch_pow_grads(a, b):
    ta = torch.tensor(a, requires_grad=True)
    tb = torch.tensor(b, requires_grad=True)
    (ta ** tb).sum().backward()
    return ta.grad.numpy(), tb.grad.numpy()


def test_number_zero_to_a_tensor_power_has_pytorch_gradients(leaf):
    x = leaf([0.0, 1.0, 2.5, -1.0])
    with np.errstate(divide="ignore"):
        (0.0 ** x).sum().backward()
    tx = torch.tensor([0.0, 1.0, 2.5, -1.0], dtype=torch.float64, requires_grad=True)
    (0.0 ** tx).sum().backward()
    np.testing.assert_array_equal(x.grad.data, tx.grad.numpy())
    assert not np.isnan(x.grad.data).any()


def test_tensor_power_at_zero_base_matches_pytorch(leaf):
    a_vals, b_vals = [0.0, 0.0, 0.0, 2.0, 0.0], [0.0, 1.0, 2.5, 0.0, 3.0]
    a, b = leaf(a_vals), leaf(b_vals)
    with np.errstate(divide="ignore"):
        (a ** b).sum().backward()
    ga, gb = _torch_pow_grads(np.array(a_vals), np.array(b_vals))
    np.testing.assert_array_equal(a.grad.data, ga)
    np.testing.assert_array_equal(b.grad.data, gb)
    x = leaf([0.0, 1.0])  # a constant exponent at 0 stays finite too
    for c in (0.0, 1.0, 2.0, 3.0):
        x.grad = None
        (x ** c).sum().backward()
        assert np.isfinite(x.grad.data).all(), c


# -- arithmetic with broadcasting ---------------------------------------------------------------

BINARY = {
    "add": (lambda a, b: a + b, lambda a, b: a + b),
    "sub": (lambda a, b: a - b, lambda a, b: a - b),
    "mul": (lambda a, b: a * b, lambda a, b: a * b),
    "div": (lambda a, b: a / b, lambda a, b: a / b),
    "add_fn": (F.add, torch.add),
    "mul_fn": (F.mul, torch.mul),
}


@pytest.mark.parametrize("op", sorted(BINARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_binary_broadcasting(op, data, seed):
    sa, sb = data.draw(broadcast_pair())
    a = data.draw(floats(sa))
    b = data.draw(away_from_zero(sb) if op == "div" else floats(sb))
    mg_fn, torch_fn = BINARY[op]
    compare(op, mg_fn, torch_fn, [a, b], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_binary_with_python_scalar(data, seed):
    a = data.draw(away_from_zero(data.draw(shapes())))
    c = data.draw(st.floats(-3, 3).filter(lambda v: abs(v) > 0.1))
    compare("scalar ops", lambda x: (c - x) * c / x + c + (x - c) / c + c / (x * x),
            lambda x: (c - x) * c / x + c + (x - c) / c + c / (x * x), [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_neg(data, seed):
    a = data.draw(floats(data.draw(shapes())))
    compare("neg", lambda x: -x, lambda x: -x, [a], seed)
    compare("F.neg", F.neg, torch.neg, [a], seed)


@DIFF
@given(data=st.data(), seed=seeds,
       c=st.sampled_from([0, 1, 2, 3, -1, -2, 0.5, 1.5, -0.5, 2.5, 3.0, 0.0, 1.0]))
def test_pow_constant_exponent(data, seed, c):
    shape = data.draw(shapes())
    integral = float(c).is_integer()
    a = data.draw(away_from_zero(shape) if integral else positive(shape))
    compare(f"x ** {c!r}", lambda x: x ** c, lambda x: x ** c, [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_pow_tensor_exponent(data, seed):
    sa, sb = data.draw(broadcast_pair())
    a = data.draw(positive(sa, 0.2, 3.0))
    # exponent 0 excluded: there torch masks d(grad_a)/db to 0 (see the test below)
    b = data.draw(away_from_zero(sb, 0.05, 2.0))
    compare("a ** b", lambda x, y: x ** y, lambda x, y: x ** y, [a, b], seed)
    compare("F.pow", F.pow, torch.pow, [a, b], seed)


def test_pow_tensor_exponent_zero_mixed_second_derivative():
    # d/db (d(a**b)/da) = a**(b-1) * (1 + b log a) is 1 at a=1, b=0. PyTorch returns 0
    # there (its backward uses where(b == 0, 0, ...), whose gradient in b vanishes);
    # minigrad gives the true value, checked against central differences.
    a = mg.tensor(1.0, requires_grad=True)
    b = mg.tensor(0.0, requires_grad=True)
    ga, _ = mg.grad(a ** b, [a, b], create_graph=True)
    _, gab = mg.grad(ga, [a, b])
    h = 1e-6
    numeric = (h * 1.0 ** (h - 1) - (-h) * 1.0 ** (-h - 1)) / (2 * h)
    assert gab.item() == pytest.approx(numeric, rel=1e-9) == 1.0
    ta = torch.tensor(1.0, dtype=torch.float64, requires_grad=True)
    tb = torch.tensor(0.0, dtype=torch.float64, requires_grad=True)
    (tga,) = torch.autograd.grad(ta ** tb, [ta], create_graph=True)
    assert torch.autograd.grad(tga, [tb])[0].item() == 0.0  # PyTorch's masked value


@DIFF
@given(data=st.data(), seed=seeds, base=st.floats(0.2, 3.0))
def test_pow_scalar_base(data, seed, base):
    a = data.draw(floats(data.draw(shapes()), -2.0, 2.0))
    compare(f"{base} ** x", lambda x: base ** x, lambda x: base ** x, [a], seed)


# -- elementwise functions ----------------------------------------------------------------------

UNARY = {
    "exp": (mg.Tensor.exp, torch.exp, floats),
    "log": (mg.Tensor.log, torch.log, positive),
    "sqrt": (mg.Tensor.sqrt, torch.sqrt, positive),
    "sin": (mg.Tensor.sin, torch.sin, floats),
    "cos": (mg.Tensor.cos, torch.cos, floats),
    "tanh": (mg.Tensor.tanh, torch.tanh, floats),
    "sigmoid": (mg.Tensor.sigmoid, torch.sigmoid, lambda s: floats(s, -8.0, 8.0)),
    "relu": (mg.Tensor.relu, torch.relu, away_from_zero),
    "abs": (mg.Tensor.abs, torch.abs, away_from_zero),
    "F.exp": (F.exp, torch.exp, floats),
    "F.log": (F.log, torch.log, positive),
    "F.sigmoid": (F.sigmoid, torch.sigmoid, floats),
    "F.relu": (F.relu, torch.relu, away_from_zero),
    "F.tanh": (F.tanh, torch.tanh, floats),
}


@pytest.mark.parametrize("op", sorted(UNARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_unary(op, data, seed):
    mg_fn, torch_fn, values = UNARY[op]
    a = data.draw(values(data.draw(shapes())))
    compare(op, mg_fn, torch_fn, [a], seed)


# -- unary elementwise math ---------------------------------------------------------------------

# name -> (minigrad, torch, input strategy for a shape)
MATH_UNARY = {
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


@pytest.mark.parametrize("op", sorted(MATH_UNARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_unary_math(op, data, seed):
    mg_fn, torch_fn, inputs = MATH_UNARY[op]
    a = data.draw(inputs(data.draw(shapes())))
    compare(op, mg_fn, torch_fn, [a], seed)


@pytest.mark.parametrize("op", ["log2", "exp2", "square", "erf", "floor", "atan"])
def test_unary_empty(op):
    mg_fn, torch_fn, _ = MATH_UNARY[op]
    compare(op, mg_fn, torch_fn, [np.zeros((0, 3))], 0)


@pytest.mark.parametrize("decimals", [1, 2, -1])
def test_round_decimals(decimals):
    a = np.array([0.125, -1.25, 2.675, 15.0, -25.0, 3.14159])
    compare("round", lambda x: mg.round(x, decimals), lambda x: torch.round(x, decimals=decimals),
            [a], 0)


# -- binary elementwise with broadcasting -------------------------------------------------------

MATH_BINARY = {
    "atan2": (mg.atan2, torch.atan2, away_from_zero, away_from_zero),
    "logaddexp": (mg.logaddexp, torch.logaddexp, floats, floats),
    "hypot": (mg.hypot, torch.hypot, away_from_zero, away_from_zero),
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


@pytest.mark.parametrize("op", sorted(MATH_BINARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_binary(op, data, seed):
    mg_fn, torch_fn, sa_, sb_ = MATH_BINARY[op]
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
    for name in ("isnan", "isinf", "isfinite", "isposinf", "isneginf"):
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


def test_atan2_at_the_origin():
    """Gradients 0 at the origin, as PyTorch (its second derivative there is NaN; minigrad's
    is that of the zero branch, so only the first order is compared)."""
    a = np.array([[0.0, 0.0, 1.0], [-2.0, 0.0, 0.5]])
    b = np.array([[0.0, 3.0, 0.0], [-1.0, 0.0, 0.0]])
    compare("atan2 at the origin", mg.atan2, torch.atan2, [a, b], 0, second_order=False)
    compare("atan2 at the origin, broadcast", mg.atan2, torch.atan2,
            [np.array([[0.0], [1.0]]), np.array([0.0, 0.0, 2.0])], 1, second_order=False)
