"""Activations against PyTorch: softmax, log_softmax and the op library's activations.

Values, gradients and second derivatives in float64, kinks and empty inputs.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

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
    compare,
    floats,
    seeds,
    shapes,
)

# -- softmax family ---------------------------------------------------------------------------

@pytest.mark.parametrize("op", ["softmax", "log_softmax"])
@DIFF
@given(data=st.data(), seed=seeds)
def test_softmax_family(op, data, seed):
    a = data.draw(floats(data.draw(shapes(1, 3)), -5.0, 5.0))
    axis = data.draw(st.integers(-a.ndim, a.ndim - 1))
    compare(f"{op}(axis={axis}) of {a.shape}", lambda x: getattr(F, op)(x, axis=axis),
            lambda x: getattr(torch, op)(x, dim=axis), [a], seed)


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


@pytest.mark.parametrize("op", sorted(ACTIVATIONS))
def test_activation_empty(op):
    mg_fn, torch_fn = ACTIVATIONS[op]
    compare(op, mg_fn, torch_fn, [np.zeros((0, 3))], 0)
