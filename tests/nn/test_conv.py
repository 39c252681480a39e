"""Convolution and pooling layers: shapes, parameters, initialisation, equality with the ops."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import minigrad.nn as nn


def test_conv2d_layer_matches_functional_and_trains():
    conv = nn.Conv2d(4, 6, (3, 2), stride=2, padding=1, groups=2, rng=0)
    assert conv.weight.shape == (6, 2, 3, 2) and conv.bias.shape == (6,)
    assert [n for n, _ in conv.named_parameters()] == ["weight", "bias"]
    x = np.random.default_rng(1).standard_normal((2, 4, 7, 5))
    y = conv(x)
    np.testing.assert_array_equal(y.data, F.conv2d(x, conv.weight, conv.bias, 2, 1, 1, 2).data)
    y.sum().backward()
    assert conv.weight.grad.shape == conv.weight.shape
    np.testing.assert_allclose(conv.bias.grad.data,
                               np.full(6, y.shape[0] * y.shape[2] * y.shape[3]))
    assert "kernel_size=(3, 2)" in repr(conv)


def test_conv2d_he_init_uses_fan_in():
    conv = nn.Conv2d(16, 64, 3, weight_init_std="he", rng=0)
    assert conv.weight.data.std() == pytest.approx(np.sqrt(2 / 144), rel=0.05)
    assert nn.Conv2d(1, 30, 5, rng=0).weight.data.std() == pytest.approx(0.01, rel=0.2)


def test_conv_transpose2d_layer_shape_and_adjoint():
    up = nn.ConvTranspose2d(3, 2, 4, stride=2, padding=1, rng=0, bias=False)
    x = np.random.default_rng(0).standard_normal((1, 3, 5, 5))
    y = up(x)
    assert y.shape == (1, 2, 10, 10)
    # the adjoint of conv2d with the same weight
    z = np.random.default_rng(1).standard_normal(y.shape)
    lhs = (y.data * z).sum()
    rhs = (x * F.conv2d(z, up.weight, stride=2, padding=1).data).sum()
    assert lhs == pytest.approx(rhs, rel=1e-12)


def test_pool_and_flatten_layers():
    x = mg.tensor(np.random.default_rng(0).standard_normal((2, 3, 6, 6)), requires_grad=True)
    assert nn.MaxPool2d(2)(x).shape == (2, 3, 3, 3)
    assert nn.MaxPool2d(3, 1, 1)(x).shape == (2, 3, 6, 6)
    np.testing.assert_allclose(nn.AvgPool2d(2)(x).data,
                               x.data.reshape(2, 3, 3, 2, 3, 2).mean(axis=(3, 5)))
    f = nn.Flatten()(x)
    assert f.shape == (2, 108)
    np.testing.assert_array_equal(f.data, x.data.reshape(2, -1))
    assert nn.Flatten(0, 1)(x).shape == (6, 6, 6)
    with pytest.raises(ValueError, match="start_dim"):
        nn.Flatten(2, 1)(x)


def test_sequential_convnet_runs_and_backpropagates():
    net = nn.Sequential(nn.Conv2d(1, 4, 3, padding=1, rng=0), nn.ReLU(), nn.MaxPool2d(2),
                        nn.Flatten(), nn.Linear(4 * 4 * 4, 10, rng=1))
    x = np.random.default_rng(2).random((5, 1, 8, 8))
    loss = F.softmax_cross_entropy(net(x), np.arange(5))
    loss.backward()
    assert all(p.grad is not None for p in net.parameters())


@pytest.mark.parametrize("make,match", [
    (lambda: nn.Conv2d(3, 4, 3, groups=2), "divisible"),
    (lambda: nn.Conv2d(0, 4, 3), "positive"),
    (lambda: nn.Conv2d(1, 4, 0), "kernel_size"),
])
def test_bad_layer_arguments(make, match):
    with pytest.raises((ValueError, TypeError), match=match):
        make()
