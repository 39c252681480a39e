"""minigrad.nn.init: PyTorch's formulas, seeding, in-place writes that keep autograd honest."""

from __future__ import annotations

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.nn import init


def test_uniform_normal_constant():
    w = mg.zeros(200, 100)
    assert init.uniform_(w, -2.0, 3.0, rng=0) is w
    assert -2.0 <= w.data.min() and w.data.max() < 3.0
    init.normal_(w, 1.0, 0.5, rng=0)
    assert abs(w.data.mean() - 1.0) < 0.01 and abs(w.data.std() - 0.5) < 0.01
    init.constant_(w, 0.25)
    assert (w.data == 0.25).all()
    init.zeros_(w)
    init.ones_(w)
    assert (w.data == 1).all()


@pytest.mark.parametrize("shape", [(300, 200), (64, 16, 3, 3)])
def test_xavier_and_kaiming_follow_pytorch_formulas(shape):
    field = int(np.prod(shape[2:]))
    fan_in, fan_out = shape[1] * field, shape[0] * field
    w = mg.zeros(*shape)
    a = math.sqrt(6 / (fan_in + fan_out)) * 2.0
    init.xavier_uniform_(w, gain=2.0, rng=0)
    assert -a <= w.data.min() and w.data.max() <= a and w.data.max() > 0.95 * a
    init.xavier_normal_(w, rng=1)
    assert abs(w.data.std() / math.sqrt(2 / (fan_in + fan_out)) - 1) < 0.03
    init.kaiming_uniform_(w, a=math.sqrt(5), rng=2)  # torch.nn.Linear's default
    bound = math.sqrt(3) * math.sqrt(2 / (1 + 5)) / math.sqrt(fan_in)
    assert w.data.max() <= bound and w.data.max() > 0.95 * bound
    init.kaiming_normal_(w, mode="fan_out", nonlinearity="relu", rng=3)
    assert abs(w.data.std() / math.sqrt(2 / fan_out) - 1) < 0.03


def test_against_torch_formulas_for_bounds():
    torch = pytest.importorskip("torch", reason="compares the gains with PyTorch")
    for name, param in [("linear", None), ("relu", None), ("tanh", None), ("leaky_relu", 0.2),
                        ("sigmoid", None), ("selu", None)]:
        assert init.calculate_gain(name, param) == pytest.approx(
            torch.nn.init.calculate_gain(name, param))


def test_seeding_by_rng():
    a, b = mg.zeros(3, 4), mg.zeros(3, 4)
    init.kaiming_normal_(a, rng=5)
    init.kaiming_normal_(b, rng=5)
    np.testing.assert_array_equal(a.data, b.data)
    np.random.seed(0)
    init.xavier_uniform_(a)
    np.random.seed(0)
    init.xavier_uniform_(b)
    np.testing.assert_array_equal(a.data, b.data)


def test_in_place_write_bumps_the_version_and_releases_saved_graphs():
    w = mg.nn.Parameter(np.ones((2, 2)))
    y = (w * w).sum()
    v = w.version
    init.normal_(w, rng=0)
    assert w.version == v + 1 and w.requires_grad and w.is_leaf
    with pytest.raises(RuntimeError, match="modified by an in-place"):
        y.backward()


def test_bad_inputs():
    with pytest.raises(ValueError, match="xavier_uniform_: fan in and fan out need at least 2"):
        init.xavier_uniform_(mg.zeros(3))
    with pytest.raises(TypeError, match="needs a floating-point tensor"):
        init.normal_(mg.tensor(np.zeros(3, dtype=np.int64)))
    with pytest.raises(ValueError, match="mode must be"):
        init.kaiming_normal_(mg.zeros(2, 2), mode="fan")
    with pytest.raises(ValueError, match="unsupported nonlinearity"):
        init.calculate_gain("swish")
    with pytest.raises(TypeError, match="expected a Tensor"):
        init.constant_(np.zeros(2), 1.0)
