"""The activation modules of minigrad.nn: each applies its function; in a network, gradcheck."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
import minigrad.nn as nn


def leaf(a):
    return mg.tensor(np.asarray(a, dtype=np.float64), requires_grad=True)


MODULES = [
    (nn.LeakyReLU(0.1), lambda x: F.leaky_relu(x, 0.1)), (nn.ELU(0.5), lambda x: F.elu(x, 0.5)),
    (nn.CELU(2.0), lambda x: F.celu(x, 2.0)), (nn.SELU(), F.selu),
    (nn.GELU(), F.gelu), (nn.GELU("tanh"), lambda x: F.gelu(x, "tanh")), (nn.SiLU(), F.silu),
    (nn.Mish(), F.mish), (nn.Softplus(2.0, 5.0), lambda x: F.softplus(x, 2.0, 5.0)),
    (nn.Softsign(), F.softsign), (nn.LogSigmoid(), F.logsigmoid),
    (nn.Hardtanh(-2, 2), lambda x: F.hardtanh(x, -2, 2)), (nn.ReLU6(), F.relu6),
    (nn.Hardsigmoid(), F.hardsigmoid), (nn.Hardswish(), F.hardswish),
    (nn.Softmin(dim=0), lambda x: F.softmin(x, axis=0)),
    (nn.LogSoftmax(axis=1), lambda x: F.log_softmax(x, axis=1)), (nn.Identity(3, k=1), lambda x: x),
]


@pytest.mark.parametrize("module,fn", MODULES, ids=[type(m).__name__ for m, _ in MODULES])
def test_modules_apply_their_function(module, fn):
    x = np.linspace(-4, 4, 12).reshape(3, 4)
    np.testing.assert_array_equal(module(x).data, fn(mg.tensor(x)).data)
    assert list(module.parameters()) == []
    assert type(module).__name__ in repr(module)


def test_modules_in_a_network_gradcheck():
    net = nn.Sequential(nn.Linear(3, 4, rng=0), nn.GELU(), nn.Linear(4, 4, rng=1),
                        nn.LeakyReLU(0.2), nn.Linear(4, 2, rng=2), nn.LogSoftmax())
    x = leaf(np.random.default_rng(0).standard_normal((5, 3)))
    assert mg.gradcheck(lambda t: net(t), [x])


def test_module_bad_arguments():
    with pytest.raises(ValueError, match="approximate"):
        nn.GELU("erf")
    with pytest.raises(ValueError, match="alpha"):
        nn.CELU(0)
    with pytest.raises(ValueError, match="min_val"):
        nn.Hardtanh(2, 1)
