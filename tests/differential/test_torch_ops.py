"""Every primitive op against PyTorch: values, gradients and second derivatives in float64."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402
from hypothesis.extra import numpy as hnp  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    away_from_zero,
    axes_keepdims,
    broadcast_pair,
    compare,
    distinct,
    floats,
    positive,
    seeds,
    shapes,
    torch_dims,
)

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


# -- matrix products ------------------------------------------------------------------------------

@st.composite
def matmul_shapes(draw):
    n, k, m = (draw(st.integers(1, 4)) for _ in range(3))
    kind = draw(st.sampled_from(["2d", "vec@mat", "mat@vec", "vec@vec", "batched",
                                 "batched-broadcast", "batched@vec", "vec@batched"]))
    if kind == "2d":
        return (n, k), (k, m)
    if kind == "vec@mat":
        return (k,), (k, m)
    if kind == "mat@vec":
        return (n, k), (k,)
    if kind == "vec@vec":
        return (k,), (k,)
    batch = draw(shapes(1, 2, 1, 3))
    if kind == "batched":
        return batch + (n, k), batch + (k, m)
    if kind == "batched@vec":
        return batch + (n, k), (k,)
    if kind == "vec@batched":
        return (k,), batch + (k, m)
    # broadcast the batch dimensions against each other
    sa, sb = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, min_dims=0, max_dims=2,
                                                    max_side=3)).input_shapes
    return sa + (n, k), sb + (k, m)


@DIFF
@given(data=st.data(), seed=seeds)
def test_matmul(data, seed):
    sa, sb = data.draw(matmul_shapes())
    a, b = data.draw(floats(sa)), data.draw(floats(sb))
    compare(f"matmul {sa} @ {sb}", lambda x, y: x @ y, lambda x, y: x @ y, [a, b], seed)
    compare("F.matmul", F.matmul, torch.matmul, [a, b], seed)


@DIFF
@given(data=st.data(), seed=seeds, bias=st.booleans(), lead=shapes(1, 2, 1, 3))
def test_linear(data, seed, bias, lead):
    k, m = data.draw(st.integers(1, 4)), data.draw(st.integers(1, 4))
    x, W = data.draw(floats(lead + (k,))), data.draw(floats((k, m)))
    if bias:
        b = data.draw(floats((m,)))
        compare("linear", F.linear, lambda x, W, b: x @ W + b, [x, W, b], seed)
    else:
        compare("linear (no bias)", F.linear, lambda x, W: x @ W, [x, W], seed)


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


# -- reductions ---------------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["sum", "mean"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_sum_mean(op, data, seed):
    a = data.draw(floats(data.draw(shapes())))
    axis, keepdims = data.draw(axes_keepdims(a.ndim))
    dims = torch_dims(axis, a.ndim)
    compare(f"{op}(axis={axis}, keepdims={keepdims}) of {a.shape}",
            lambda x: getattr(x, op)(axis=axis, keepdims=keepdims),
            lambda x: getattr(torch, op)(x, dim=dims, keepdim=keepdims), [a], seed)


@pytest.mark.parametrize("op", ["max", "min"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_max_min_without_ties(op, data, seed):
    a = data.draw(distinct(data.draw(shapes())))
    axis, keepdims = data.draw(axes_keepdims(a.ndim))
    dims = torch_dims(axis, a.ndim)
    tfn = torch.amax if op == "max" else torch.amin
    compare(f"{op}(axis={axis}, keepdims={keepdims}) of {a.shape}",
            lambda x: getattr(x, op)(axis=axis, keepdims=keepdims),
            lambda x: tfn(x, dim=dims, keepdim=keepdims), [a], seed)
    # functional spelling
    compare(f"F.{op}", lambda x: getattr(F, op)(x, axis, keepdims),
            lambda x: tfn(x, dim=dims, keepdim=keepdims), [a], seed)


@pytest.mark.parametrize("op", ["max", "min"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_max_min_with_ties_share_gradient_like_amax(op, data, seed):
    shape = data.draw(shapes())
    a = data.draw(hnp.arrays(np.float64, shape, elements=st.sampled_from([-1.0, 0.0, 1.0])))
    axis, keepdims = data.draw(axes_keepdims(a.ndim))
    dims = torch_dims(axis, a.ndim)
    tfn = torch.amax if op == "max" else torch.amin
    compare(f"{op} with ties", lambda x: getattr(x, op)(axis=axis, keepdims=keepdims),
            lambda x: tfn(x, dim=dims, keepdim=keepdims), [a], seed)


# -- shape operations ---------------------------------------------------------------------------

@st.composite
def reshape_targets(draw, size):
    dims, rem = [], size
    for _ in range(draw(st.integers(0, 3))):
        d = draw(st.sampled_from([d for d in range(1, rem + 1) if rem % d == 0]))
        dims.append(d)
        rem //= d
    dims.append(rem)
    dims = draw(st.permutations(dims))
    if draw(st.booleans()):
        dims[draw(st.integers(0, len(dims) - 1))] = -1
    return tuple(dims)


@DIFF
@given(data=st.data(), seed=seeds)
def test_reshape(data, seed):
    a = data.draw(floats(data.draw(shapes(0, 4))))
    target = data.draw(reshape_targets(a.size))
    compare(f"reshape {a.shape} -> {target}", lambda x: x.reshape(target),
            lambda x: x.reshape(target), [a], seed)
    compare("F.reshape", lambda x: F.reshape(x, target), lambda x: x.reshape(target), [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_transpose(data, seed):
    a = data.draw(floats(data.draw(shapes(0, 4))))
    if data.draw(st.booleans()):
        axes = None
        perm = tuple(reversed(range(a.ndim)))
    else:
        perm = tuple(data.draw(st.permutations(list(range(a.ndim)))))
        axes = tuple(p - a.ndim if data.draw(st.booleans()) else p for p in perm)
    compare(f"transpose {a.shape} {axes}",
            lambda x: x.transpose(axes) if axes is not None else x.transpose(),
            lambda x: x.permute(perm), [a], seed)
    if a.ndim == 2:
        compare(".T", lambda x: x.T, lambda x: x.T, [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_broadcast_to(data, seed):
    target = data.draw(shapes(0, 4))
    kept = target[len(target) - data.draw(st.integers(0, len(target))):]
    src = tuple(1 if data.draw(st.booleans()) else n for n in kept)
    a = data.draw(floats(src))
    compare(f"broadcast_to {src} -> {target}", lambda x: x.broadcast_to(target),
            lambda x: x.broadcast_to(target), [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_sum_to(data, seed):
    target = data.draw(shapes(0, 3))
    lead = data.draw(shapes(0, 2, 1, 3))
    big = lead + tuple(data.draw(st.integers(1, 3)) if n == 1 else n for n in target)
    a = data.draw(floats(big))
    n_lead = len(lead)
    axes = tuple(n_lead + i for i, n in enumerate(target) if n == 1 and big[n_lead + i] != 1)

    def torch_sum_to(x):
        if axes:
            x = x.sum(dim=axes, keepdim=True)
        if n_lead:
            x = x.sum(dim=tuple(range(n_lead)))
        return x

    compare(f"sum_to {big} -> {target}", lambda x: x.sum_to(target), torch_sum_to, [a], seed)
    compare("F.sum_to", lambda x: F.sum_to(x, target), torch_sum_to, [a], seed)


# -- indexing -----------------------------------------------------------------------------------

@st.composite
def basic_index(draw, shape):
    """A tuple of ints, positive-step slices, None and Ellipsis (what torch indexes alike)."""
    items = []
    for n in shape:
        kind = draw(st.sampled_from(["slice", "slice", "int", "full"]))
        if kind == "int":
            items.append(draw(st.integers(-n, n - 1)))
        elif kind == "full":
            items.append(slice(None))
        else:
            start = draw(st.none() | st.integers(-n - 1, n + 1))
            stop = draw(st.none() | st.integers(-n - 1, n + 1))
            items.append(slice(start, stop, draw(st.none() | st.integers(1, 3))))
    if items and draw(st.booleans()):
        items = items[: draw(st.integers(0, len(items)))] + [Ellipsis]
    if draw(st.booleans()):
        items.insert(draw(st.integers(0, len(items))), None)
    return tuple(items)


@DIFF
@given(data=st.data(), seed=seeds)
def test_getitem_basic(data, seed):
    a = data.draw(floats(data.draw(shapes(1, 3))))
    index = data.draw(basic_index(a.shape))
    compare(f"{a.shape}[{index}]", lambda x: x[index], lambda x: x[index], [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_getitem_slices_any_step(data, seed):
    # torch has no negative steps: reproduce each slice with index_select
    a = data.draw(floats(data.draw(shapes(1, 3))))
    index = []
    for n in a.shape:
        step = data.draw(st.sampled_from([None, 1, 2, -1, -2, -3]))
        start = data.draw(st.none() | st.integers(-n - 1, n + 1))
        stop = data.draw(st.none() | st.integers(-n - 1, n + 1))
        index.append(slice(start, stop, step))
    index = tuple(index)

    def torch_slices(x):
        for axis, (n, s) in enumerate(zip(a.shape, index)):
            x = x.index_select(axis, torch.from_numpy(np.arange(n)[s].copy()))
        return x

    compare(f"{a.shape}[{index}]", lambda x: x[index], torch_slices, [a], seed)


@st.composite
def int_index(draw, n, min_len=1, max_len=6):
    """An int64 index array into an axis of length n, with at least one repeat, maybe negative."""
    shape = draw(st.sampled_from([(None,), (2, None)]))
    length = draw(st.integers(min_len, max_len))
    idx = draw(st.lists(st.integers(-n, n - 1), min_size=length, max_size=length))
    idx = draw(st.permutations(idx + [idx[0]]))  # repeats accumulate in backward
    arr = np.array(idx, dtype=np.int64)
    if shape == (2, None) and arr.size % 2 == 0:
        arr = arr.reshape(2, -1)
    return arr


@DIFF
@given(data=st.data(), seed=seeds, where=st.sampled_from(["first", "second", "pair"]))
def test_getitem_integer_arrays_with_repeats(data, seed, where):
    a = data.draw(floats(data.draw(shapes(2, 3))))
    if where == "first":
        idx = data.draw(int_index(a.shape[0]))
        index, tindex = idx, torch.from_numpy(idx)
    elif where == "second":
        idx = data.draw(int_index(a.shape[1]))
        index, tindex = (slice(None), idx), (slice(None), torch.from_numpy(idx))
    else:
        i0 = data.draw(int_index(a.shape[0], 3, 3))
        i1 = np.array(data.draw(st.lists(st.integers(0, a.shape[1] - 1), min_size=i0.size,
                                         max_size=i0.size)), dtype=np.int64).reshape(i0.shape)
        index, tindex = (i0, i1), (torch.from_numpy(i0), torch.from_numpy(i1))
    compare(f"{a.shape}[{where} int array]", lambda x: x[index], lambda x: x[tindex], [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_getitem_list_and_boolean_mask(data, seed):
    a = data.draw(floats(data.draw(shapes(1, 3))))
    rows = data.draw(st.lists(st.integers(0, a.shape[0] - 1), min_size=1, max_size=5))
    compare("x[list]", lambda x: x[rows], lambda x: x[torch.tensor(rows)], [a], seed)
    mask = data.draw(hnp.arrays(np.bool_, a.shape))
    compare("x[mask]", lambda x: x[mask], lambda x: x[torch.from_numpy(mask)], [a], seed)


# -- softmax family -----------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_softmax_family(op, data, seed):
    a = data.draw(floats(data.draw(shapes(1, 3)), -5.0, 5.0))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    compare(f"{op}(axis={axis}) of {a.shape}", lambda x: getattr(F, op)(x, axis=axis),
            lambda x: getattr(torch, op)(x, dim=axis), [a], seed)


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
