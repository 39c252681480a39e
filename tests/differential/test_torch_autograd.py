"""The engine against PyTorch's autograd: several roots, several outputs of one function."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.autograd import Function  # noqa: E402


class TwoOutputs(Function):
    """``(2x, 3x)``: two outputs of one function."""

    elementwise = True

    def forward(self, x):
        return 2 * x, 3 * x

    def backward(self, g1, g2):
        return 2 * g1 + 3 * g2


def test_grad_of_two_outputs_of_one_function_above_other_ops(leaf):
    x = leaf([1.0, -2.0])
    a, b = TwoOutputs()(x * x)
    ones = np.ones(2)
    (g,) = mg.grad([a, b], [x], [ones, ones])
    np.testing.assert_allclose(g.data, 5 * 2 * x.data)
    xt = torch.tensor([1.0, -2.0], dtype=torch.float64, requires_grad=True)
    h = xt * xt
    (gt,) = torch.autograd.grad([2 * h, 3 * h], [xt], [torch.ones(2, dtype=torch.float64)] * 2)
    np.testing.assert_allclose(g.data, gt.numpy())
