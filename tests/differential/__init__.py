"""Differential tests: minigrad's values and gradients against PyTorch's autograd (float64)."""
