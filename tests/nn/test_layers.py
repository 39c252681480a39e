"""minigrad.nn layers: Linear, Sequential and the activation modules."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.functional as F
from minigrad import nn
from minigrad.ops.linalg import Linear as LinearOp


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 5), st.integers(1, 6), st.integers(1, 6), st.booleans(),
       st.integers(0, 2**31))
def test_linear_forward_matches_numpy(n, fan_in, fan_out, bias, seed):
    fc = nn.Linear(fan_in, fan_out, weight_init_std=1.0, bias=bias, rng=seed)
    x = np.random.default_rng(seed + 1).standard_normal((n, fan_in))
    expected = x @ fc.weight.data.T + (fc.bias.data if bias else 0)
    np.testing.assert_allclose(fc(x).data, expected, rtol=1e-13, atol=1e-13)
    assert fc(x).creator.name == "Linear"  # one fused op


def test_linear_gradcheck():
    fc = nn.Linear(3, 4, weight_init_std=1.0, rng=0)
    x = mg.tensor(np.random.default_rng(1).standard_normal((5, 3)), requires_grad=True)
    # nn.Linear's fused op takes the weight in PyTorch's (out, in) layout
    assert mg.gradcheck(lambda x, w, b: LinearOp(out_in=True)(x, w, b), (x, fc.weight, fc.bias))
    assert mg.gradgradcheck(lambda x, w, b: LinearOp(out_in=True)(x, w, b),
                            (x, fc.weight, fc.bias))
    x3 = mg.tensor(np.random.default_rng(2).standard_normal((2, 5, 3)), requires_grad=True)
    assert mg.gradcheck(lambda x, w: LinearOp(out_in=True)(x, w), (x3, fc.weight))


def test_linear_init_book_default_and_schemes():
    fc = nn.Linear(784, 50, rng=0)
    np.testing.assert_array_equal(fc.bias.data, np.zeros(50))
    # drawn in the book's (in, out) layout and stored transposed: the same numbers as before
    expected = 0.01 * np.random.default_rng(0).standard_normal((784, 50))
    np.testing.assert_array_equal(fc.weight.data, expected.T)
    assert fc.weight.shape == (50, 784) and fc.weight.data.flags.c_contiguous
    assert nn.init_std(None, 10) == 0.01
    assert nn.init_std(0.5, 10) == 0.5
    assert nn.init_std("xavier", 100) == pytest.approx(0.1)
    assert nn.init_std("sigmoid", 100) == pytest.approx(0.1)
    assert nn.init_std("he", 50) == pytest.approx(0.2)
    assert nn.init_std("ReLU", 50) == pytest.approx(0.2)
    with pytest.raises(ValueError, match="unknown weight_init_std 'lecun'"):
        nn.Linear(2, 2, weight_init_std="lecun")
    with pytest.raises(ValueError, match=">= 0"):
        nn.Linear(2, 2, weight_init_std=-1.0)
    with pytest.raises(ValueError, match="in_features must be a positive integer"):
        nn.Linear(0, 2)


def test_linear_seeding():
    np.testing.assert_array_equal(nn.Linear(3, 2, rng=5).weight.data,
                                  nn.Linear(3, 2, rng=5).weight.data)
    assert not np.array_equal(nn.Linear(3, 2, rng=5).weight.data,
                              nn.Linear(3, 2, rng=6).weight.data)
    np.random.seed(7)
    a = nn.Linear(3, 2).weight.data
    np.random.seed(7)
    np.testing.assert_array_equal(a, 0.01 * np.random.randn(3, 2).T)
    gen = np.random.default_rng(0)
    b, c = nn.Linear(3, 2, rng=gen), nn.Linear(3, 2, rng=gen)
    assert not np.array_equal(b.weight.data, c.weight.data)
    with pytest.raises(TypeError, match="seed"):
        nn.Linear(3, 2, rng="zero")


def test_linear_float32_and_no_bias():
    fc = nn.Linear(3, 2, rng=0, dtype=np.float32, bias=False)
    assert fc.weight.dtype == np.float32 and fc.bias is None
    assert [n for n, _ in fc.named_parameters()] == ["weight"]
    assert fc(np.ones((1, 3), dtype=np.float32)).dtype == np.float32
    assert repr(fc) == "Linear(in_features=3, out_features=2, bias=False)"


def test_sequential():
    net = nn.Sequential(nn.Linear(4, 3, rng=0), nn.Tanh(), nn.Linear(3, 2, rng=1),
                        nn.Softmax())
    x = np.random.default_rng(2).standard_normal((5, 4))
    expected = F.softmax(net[2](F.tanh(net[0](x)))).data
    np.testing.assert_allclose(net(x).data, expected, rtol=1e-15)
    assert len(net) == 4 and isinstance(net[1], nn.Tanh) and isinstance(net[-1], nn.Softmax)
    assert [type(m).__name__ for m in net] == ["Linear", "Tanh", "Linear", "Softmax"]
    assert [n for n, _ in net.named_parameters()] == ["0.weight", "0.bias", "2.weight",
                                                        "2.bias"]
    named = nn.Sequential({"fc1": nn.Linear(4, 3, rng=0), "act": nn.ReLU()})
    assert [n for n, _ in named.named_parameters()] == ["fc1.weight", "fc1.bias"]
    assert named(x).creator.scope == "act"
    with pytest.raises(TypeError, match="not a Module"):
        nn.Sequential(nn.ReLU(), F.relu)


def test_activation_modules():
    x = mg.tensor(np.linspace(-3, 3, 12).reshape(3, 4))
    np.testing.assert_array_equal(nn.Sigmoid()(x).data, F.sigmoid(x).data)
    np.testing.assert_array_equal(nn.ReLU()(x).data, np.maximum(x.data, 0))
    np.testing.assert_array_equal(nn.Tanh()(x).data, np.tanh(x.data))
    np.testing.assert_allclose(nn.Softmax(axis=0)(x).data.sum(axis=0), np.ones(4))
    assert repr(nn.Softmax(axis=0)) == "Softmax(axis=0)"
