"""NumPy functions on tensors against PyTorch: ``np.exp(t)``, ``np.sum(t, axis)``,
``ndarray * t`` and NumPy-written softmax and cross-entropy give PyTorch's values, gradients
and second derivatives in float64.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

from .helpers import (  # noqa: E402
    DIFF,
    away_from_zero,
    broadcast_pair,
    compare,
    distinct,
    floats,
    positive,
    seeds,
    shapes,
)

UNARY = {
    "exp": (np.exp, torch.exp, floats),
    "log": (np.log, torch.log, positive),
    "sqrt": (np.sqrt, torch.sqrt, positive),
    "tanh": (np.tanh, torch.tanh, floats),
    "abs": (np.abs, torch.abs, away_from_zero),
    "negative": (np.negative, torch.neg, floats),
    "square": (np.square, torch.square, floats),
    "sin": (np.sin, torch.sin, floats),
}


@pytest.mark.parametrize("name", sorted(UNARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_numpy_ufuncs_on_tensors(name, data, seed):
    np_f, torch_f, values = UNARY[name]
    x = data.draw(values(data.draw(shapes())))
    compare(f"np.{name}", np_f, torch_f, [x], seed)


BINARY = {
    "add": (np.add, torch.add),
    "subtract": (np.subtract, torch.sub),
    "multiply": (np.multiply, torch.mul),
    "maximum": (np.maximum, torch.maximum),
}


@pytest.mark.parametrize("name", sorted(BINARY))
@DIFF
@given(data=st.data(), seed=seeds)
def test_numpy_binary_ufuncs_with_an_ndarray_on_either_side(name, data, seed):
    np_f, torch_f = BINARY[name]
    sa, sb = data.draw(broadcast_pair())
    a, b = data.draw(floats(sa)), data.draw(floats(sb))
    compare(f"np.{name}(t, u)", np_f, torch_f, [a, b], seed)
    # the constant on the left is an ndarray: NumPy hands the call to the tensor
    compare(f"np.{name}(ndarray, t)", lambda u: np_f(a, u),
            lambda u: torch_f(torch.from_numpy(a), u), [b], seed)


@DIFF
@given(data=st.data(), seed=seeds, keepdims=st.booleans())
def test_numpy_reductions_on_tensors(data, seed, keepdims):
    shape = data.draw(shapes(min_dims=1))
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = data.draw(distinct(shape))
    compare("np.sum", lambda t: np.sum(t, axis=axis, keepdims=keepdims),
            lambda t: torch.sum(t, axis, keepdim=keepdims), [x], seed)
    compare("np.mean", lambda t: np.mean(t, axis=axis, keepdims=keepdims),
            lambda t: torch.mean(t, axis, keepdim=keepdims), [x], seed)
    compare("np.max", lambda t: np.max(t, axis=axis, keepdims=keepdims),
            lambda t: torch.amax(t, axis, keepdim=keepdims), [x], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_numpy_matmul_dot_concatenate_on_tensors(data, seed):
    n, k, m = (data.draw(st.integers(1, 4)) for _ in range(3))
    a, b = data.draw(floats((n, k))), data.draw(floats((k, m)))
    compare("np.dot", np.dot, torch.mm, [a, b], seed)
    compare("ndarray @ t", lambda u: a @ u, lambda u: torch.from_numpy(a) @ u, [b], seed)
    c = data.draw(floats((data.draw(st.integers(1, 3)), k)))
    compare("np.concatenate", lambda u, v: np.concatenate([u, v], axis=0),
            lambda u, v: torch.cat([u, v], 0), [a, c], seed)
    compare("np.stack", lambda u: np.stack([u, 2 * u], axis=1),
            lambda u: torch.stack([u, 2 * u], 1), [a], seed)


@DIFF
@given(data=st.data(), seed=seeds)
def test_numpy_written_softmax_and_cross_entropy(data, seed):
    n, k = data.draw(st.integers(1, 4)), data.draw(st.integers(2, 5))
    x = data.draw(floats((n, k)))
    labels = np.array(data.draw(st.lists(st.integers(0, k - 1), min_size=n, max_size=n)))

    def np_loss(t):
        e = np.exp(t - np.max(t, axis=1, keepdims=True))
        p = e / np.sum(e, axis=1, keepdims=True)
        return -np.sum(np.log(p[np.arange(n), labels] + 1e-7)) / n

    def torch_loss(t):
        p = torch.softmax(t, 1)
        return -torch.sum(torch.log(p[torch.arange(n), torch.from_numpy(labels)] + 1e-7)) / n

    compare("NumPy-written cross-entropy", np_loss, torch_loss, [x], seed)
