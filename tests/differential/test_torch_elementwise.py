"""Elementwise math against PyTorch: values, gradients and second derivatives in float64."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402

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
