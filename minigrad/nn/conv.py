"""Convolution and pooling layers (PyTorch-style, NCHW): Conv2d, ConvTranspose2d, pools, Flatten."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.nn.layers import InitLike, SeedLike, _positive, _randn, init_std, make_rng
from minigrad.nn.module import Module, Parameter, _renamed_parameter
from minigrad.ops import conv as C
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor, as_tensor

__all__ = ["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Flatten"]


class Conv2d(Module):
    """2-D convolution layer: ``conv2d(x, weight, bias, stride, padding, dilation, groups)``.

    Parameters
    ----------
    in_channels, out_channels : int
        Channels of the input and output.
    kernel_size : int or pair of ints
        Filter size (KH, KW).
    stride, padding, dilation : int or pair of ints
        As in :func:`minigrad.functional.conv2d`.
    groups : int
        Channel groups (both channel counts must be divisible by it).
    bias : bool
        Whether to add a per-filter bias (zeros at start).
    weight_init_std : float, str or None
        Scale of the normal initial weights (see :func:`minigrad.nn.init_std`;
        None is the book's 0.01, ``"he"`` uses ``fan_in = in_channels/groups*KH*KW``).
    rng : None, int or numpy.random.Generator
        Source of the initial weights.
    dtype : numpy dtype
        Parameter dtype.

    Attributes
    ----------
    weight : Parameter
        Filters of shape (out_channels, in_channels/groups, KH, KW), as PyTorch's.
    bias : Parameter or None
        Bias of shape (out_channels,).
    W, b
        Deprecated aliases of ``weight`` and ``bias`` (the same Parameters),
        warning :class:`DeprecationWarning`; state dicts with the old keys
        still load, with a warning.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> conv = nn.Conv2d(1, 30, 5, rng=0)
    >>> conv(np.zeros((2, 1, 28, 28))).shape
    (2, 30, 24, 24)
    >>> conv.weight.shape
    (30, 1, 5, 5)
    """

    _renamed_state = {"W": ("weight", False), "b": ("bias", False)}
    W = _renamed_parameter("W", "weight")
    b = _renamed_parameter("b", "bias")

    def __init__(self, in_channels: int, out_channels: int, kernel_size: C.IntOrPair,
                 stride: C.IntOrPair = 1, padding: C.IntOrPair = 0, dilation: C.IntOrPair = 1,
                 groups: int = 1, bias: bool = True, weight_init_std: InitLike = None,
                 rng: SeedLike = None, dtype: Any = np.float64) -> None:
        super().__init__()
        self.in_channels = _positive(in_channels, "Conv2d: in_channels")
        self.out_channels = _positive(out_channels, "Conv2d: out_channels")
        self.groups = _positive(groups, "Conv2d: groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"Conv2d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        self.kernel_size = C._kernel_size(kernel_size, "kernel_size", "Conv2d")
        self.stride = C._pair(stride, "stride", "Conv2d", 1)
        self.padding = C._pair(padding, "padding", "Conv2d", 0)
        self.dilation = C._pair(dilation, "dilation", "Conv2d", 1)
        shape = (out_channels, in_channels // groups) + self.kernel_size
        std = init_std(weight_init_std, int(np.prod(shape[1:])))
        self.weight = Parameter((std * _randn(make_rng(rng), shape)).astype(dtype, copy=False))
        self.bias: Parameter | None = (
            Parameter(np.zeros(out_channels, dtype=dtype)) if bias else None)

    def forward(self, x: Any) -> Tensor:
        """Return the convolution of ``x`` (N, in_channels, H, W)."""
        return C.conv2d(x, self.weight, self.bias, self.stride, self.padding, self.dilation,
                        self.groups)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, dilation={self.dilation}, "
                f"groups={self.groups}{'' if self.bias is not None else ', bias=False'}")


class ConvTranspose2d(Module):
    """Transposed convolution layer: ``conv_transpose2d(x, W, b, ...)``.

    ``weight`` has PyTorch's shape (in_channels, out_channels/groups, KH, KW)
    and ``bias`` (out_channels,); ``W`` and ``b`` are deprecated aliases of
    them, as in :class:`Conv2d`. ``output_padding`` must be smaller than the
    stride. Other parameters as in :class:`Conv2d` (``fan_in =
    in_channels/groups*KH*KW`` for ``"he"``).
    """

    _renamed_state = {"W": ("weight", False), "b": ("bias", False)}
    W = _renamed_parameter("W", "weight")
    b = _renamed_parameter("b", "bias")

    def __init__(self, in_channels: int, out_channels: int, kernel_size: C.IntOrPair,
                 stride: C.IntOrPair = 1, padding: C.IntOrPair = 0,
                 output_padding: C.IntOrPair = 0, groups: int = 1, bias: bool = True,
                 dilation: C.IntOrPair = 1, weight_init_std: InitLike = None,
                 rng: SeedLike = None, dtype: Any = np.float64) -> None:
        super().__init__()
        self.in_channels = _positive(in_channels, "ConvTranspose2d: in_channels")
        self.out_channels = _positive(out_channels, "ConvTranspose2d: out_channels")
        self.groups = _positive(groups, "ConvTranspose2d: groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"ConvTranspose2d: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        self.kernel_size = C._kernel_size(kernel_size, "kernel_size", "ConvTranspose2d")
        self.stride = C._pair(stride, "stride", "ConvTranspose2d", 1)
        self.padding = C._pair(padding, "padding", "ConvTranspose2d", 0)
        self.output_padding = C._pair(output_padding, "output_padding", "ConvTranspose2d", 0)
        self.dilation = C._pair(dilation, "dilation", "ConvTranspose2d", 1)
        shape = (in_channels, out_channels // groups) + self.kernel_size
        std = init_std(weight_init_std, in_channels // groups * int(np.prod(self.kernel_size)))
        self.weight = Parameter((std * _randn(make_rng(rng), shape)).astype(dtype, copy=False))
        self.bias: Parameter | None = (
            Parameter(np.zeros(out_channels, dtype=dtype)) if bias else None)

    def forward(self, x: Any) -> Tensor:
        """Return the transposed convolution of ``x`` (N, in_channels, H, W)."""
        return C.conv_transpose2d(x, self.weight, self.bias, self.stride, self.padding,
                                  self.output_padding, self.groups, self.dilation)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, "
                f"output_padding={self.output_padding}")


class MaxPool2d(Module):
    """Max pooling layer (ties: the first maximum gets the gradient); stride defaults to the kernel.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> nn.MaxPool2d(2)(np.zeros((1, 30, 24, 24))).shape
    (1, 30, 12, 12)
    """

    def __init__(self, kernel_size: C.IntOrPair, stride: C.IntOrPair | None = None,
                 padding: C.IntOrPair = 0, dilation: C.IntOrPair = 1) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation

    def forward(self, x: Any) -> Tensor:
        """Return the pooled ``x``."""
        y: Tensor = C.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation)
        return y

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}")


class AvgPool2d(Module):
    """Average pooling layer (zero padding counted, as PyTorch); stride defaults to the kernel."""

    def __init__(self, kernel_size: C.IntOrPair, stride: C.IntOrPair | None = None,
                 padding: C.IntOrPair = 0, count_include_pad: bool = True) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.count_include_pad = count_include_pad

    def forward(self, x: Any) -> Tensor:
        """Return the pooled ``x``."""
        return C.avg_pool2d(x, self.kernel_size, self.stride, self.padding,
                            count_include_pad=self.count_include_pad)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class Flatten(Module):
    """Flatten axes ``start_dim`` to ``end_dim`` into one (PyTorch's default: all but the batch).

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> nn.Flatten()(np.zeros((2, 30, 12, 12))).shape
    (2, 4320)
    """

    def __init__(self, start_dim: int = 1, end_dim: int = -1) -> None:
        super().__init__()
        self.start_dim = start_dim
        self.end_dim = end_dim

    def forward(self, x: Any) -> Tensor:
        """Return ``x`` with the axes merged (C-order: channel, row, column for NCHW)."""
        t = as_tensor(x)
        nd = max(t.ndim, 1)
        s, e = self.start_dim % nd, self.end_dim % nd
        if s > e:
            raise ValueError(f"Flatten: start_dim {self.start_dim} comes after end_dim "
                             f"{self.end_dim} for a {t.ndim}-D input")
        shape = t.shape[:s] + (int(np.prod(t.shape[s:e + 1])),) + t.shape[e + 1:]
        return reshape(t, shape)

    def extra_repr(self) -> str:
        """Return the axes for ``repr``."""
        return f"start_dim={self.start_dim}, end_dim={self.end_dim}"
