"""Activation modules: thin :class:`~minigrad.nn.Module` wrappers of :mod:`minigrad.functional`.

>>> import minigrad as mg, minigrad.nn as nn
>>> nn.LeakyReLU(0.1)(mg.tensor([-1.0, 2.0])).data
array([-0.1,  2. ])
"""

from __future__ import annotations

from typing import Any

from minigrad import functional as F
from minigrad.nn.module import Module
from minigrad.tensor import Tensor, as_tensor

__all__ = [
    "LeakyReLU", "ELU", "CELU", "SELU", "GELU", "SiLU", "Mish", "Softplus", "Softsign",
    "LogSigmoid", "Hardtanh", "ReLU6", "Hardsigmoid", "Hardswish", "Softmin", "LogSoftmax",
    "Identity",
]


class LeakyReLU(Module):
    """:func:`~minigrad.functional.leaky_relu` with slope ``negative_slope`` below 0."""

    def __init__(self, negative_slope: float = 0.01) -> None:
        super().__init__()
        self.negative_slope = negative_slope

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.leaky_relu(x, self.negative_slope)

    def extra_repr(self) -> str:
        """Return the slope for ``repr``."""
        return f"negative_slope={self.negative_slope}"


class ELU(Module):
    """:func:`~minigrad.functional.elu` with scale ``alpha``."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        self.alpha = alpha

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.elu(x, self.alpha)

    def extra_repr(self) -> str:
        """Return alpha for ``repr``."""
        return f"alpha={self.alpha}"


class CELU(Module):
    """:func:`~minigrad.functional.celu` with scale ``alpha``."""

    def __init__(self, alpha: float = 1.0) -> None:
        super().__init__()
        if alpha == 0:
            raise ValueError("CELU: alpha must not be 0")
        self.alpha = alpha

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.celu(x, self.alpha)

    def extra_repr(self) -> str:
        """Return alpha for ``repr``."""
        return f"alpha={self.alpha}"


class SELU(Module):
    """:func:`~minigrad.functional.selu`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.selu(x)


class GELU(Module):
    """:func:`~minigrad.functional.gelu`, exact or with ``approximate="tanh"``."""

    def __init__(self, approximate: str = "none") -> None:
        super().__init__()
        if approximate not in ("none", "tanh"):
            raise ValueError(f"GELU: approximate must be 'none' or 'tanh', got {approximate!r}")
        self.approximate = approximate

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.gelu(x, self.approximate)

    def extra_repr(self) -> str:
        """Return the approximation for ``repr``."""
        return f"approximate={self.approximate!r}"


class SiLU(Module):
    """:func:`~minigrad.functional.silu` (swish)."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.silu(x)


class Mish(Module):
    """:func:`~minigrad.functional.mish`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.mish(x)


class Softplus(Module):
    """:func:`~minigrad.functional.softplus` with ``beta`` and ``threshold``."""

    def __init__(self, beta: float = 1.0, threshold: float = 20.0) -> None:
        super().__init__()
        if beta == 0:
            raise ValueError("Softplus: beta must not be 0")
        self.beta, self.threshold = beta, threshold

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.softplus(x, self.beta, self.threshold)

    def extra_repr(self) -> str:
        """Return beta and threshold for ``repr``."""
        return f"beta={self.beta}, threshold={self.threshold}"


class Softsign(Module):
    """:func:`~minigrad.functional.softsign`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.softsign(x)


class LogSigmoid(Module):
    """:func:`~minigrad.functional.logsigmoid`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.logsigmoid(x)


class Hardtanh(Module):
    """:func:`~minigrad.functional.hardtanh`: ``clip(x, min_val, max_val)``."""

    def __init__(self, min_val: float = -1.0, max_val: float = 1.0) -> None:
        super().__init__()
        if min_val > max_val:
            raise ValueError(f"Hardtanh: min_val {min_val} is larger than max_val {max_val}")
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.hardtanh(x, self.min_val, self.max_val)

    def extra_repr(self) -> str:
        """Return the bounds for ``repr``."""
        return f"min_val={self.min_val}, max_val={self.max_val}"


class ReLU6(Module):
    """:func:`~minigrad.functional.relu6`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.relu6(x)


class Hardsigmoid(Module):
    """:func:`~minigrad.functional.hardsigmoid`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.hardsigmoid(x)


class Hardswish(Module):
    """:func:`~minigrad.functional.hardswish`."""

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.hardswish(x)


class Softmin(Module):
    """:func:`~minigrad.functional.softmin` along ``axis`` (``dim``: PyTorch's spelling)."""

    def __init__(self, axis: int = -1, dim: int | None = None) -> None:
        super().__init__()
        self.axis = axis if dim is None else dim

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.softmin(x, axis=self.axis)

    def extra_repr(self) -> str:
        """Return the axis for ``repr``."""
        return f"axis={self.axis}"


class LogSoftmax(Module):
    """:func:`~minigrad.functional.log_softmax` along ``axis`` (``dim``: PyTorch's spelling)."""

    def __init__(self, axis: int = -1, dim: int | None = None) -> None:
        super().__init__()
        self.axis = axis if dim is None else dim

    def forward(self, x: Any) -> Tensor:
        """Apply the activation."""
        return F.log_softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        """Return the axis for ``repr``."""
        return f"axis={self.axis}"


class Identity(Module):
    """Return the input unchanged (a placeholder layer); any arguments are ignored."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__()

    def forward(self, x: Any) -> Tensor:
        """Return ``x`` (as a Tensor)."""
        return as_tensor(x)
