"""Convolution and pooling layers (PyTorch-style): Conv1d/2d/3d, transposed, pools, Upsample."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.nn.layers import InitLike, SeedLike, _positive, _randn, init_std, make_rng
from minigrad.nn.module import Module, Parameter, _renamed_parameter
from minigrad.ops import conv as C
from minigrad.ops.padding import interpolate
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor, as_tensor

__all__ = ["Conv2d", "ConvTranspose2d", "MaxPool2d", "AvgPool2d", "Flatten",
           "Conv1d", "Conv3d", "ConvTranspose1d", "ConvTranspose3d", "MaxPool1d", "MaxPool3d",
           "AvgPool1d", "AvgPool3d", "MaxUnpool1d", "MaxUnpool2d", "MaxUnpool3d", "Upsample"]


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
        self.dilation = C._pair(dilation, "dilation", "Conv2d", 1)
        if isinstance(padding, str) or (isinstance(padding, (tuple, list)) and len(padding) == 4):
            # "same", "valid" or per-side widths, checked as conv2d checks them
            C._conv_padding(padding, 2, "Conv2d", self.kernel_size, self.stride, self.dilation)
            self.padding: Any = padding
        else:
            self.padding = C._pair(padding, "padding", "Conv2d", 0)
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
                 padding: C.IntOrPair = 0, dilation: C.IntOrPair = 1,
                 return_indices: bool = False, ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, x: Any) -> Any:
        """Return the pooled ``x`` (and the indices, with ``return_indices``)."""
        return C.max_pool2d(x, self.kernel_size, self.stride, self.padding, self.dilation,
                            self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}"
                + (", ceil_mode=True" if self.ceil_mode else ""))


class AvgPool2d(Module):
    """Average pooling layer (zero padding counted, as PyTorch); stride defaults to the kernel.

    ``ceil_mode`` and ``divisor_override`` are those of
    :func:`minigrad.functional.avg_pool2d` (they follow ``count_include_pad`` here).
    """

    def __init__(self, kernel_size: C.IntOrPair, stride: C.IntOrPair | None = None,
                 padding: C.IntOrPair = 0, count_include_pad: bool = True,
                 ceil_mode: bool = False, divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.count_include_pad = count_include_pad
        self.ceil_mode = ceil_mode
        self.divisor_override = divisor_override

    def forward(self, x: Any) -> Tensor:
        """Return the pooled ``x``."""
        return C.avg_pool2d(x, self.kernel_size, self.stride, self.padding, self.ceil_mode,
                            self.count_include_pad, self.divisor_override)

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


# -- layers of one and three spatial dimensions (PyTorch's names: ``weight``, ``bias``) -----

class _ConvNd(Module):
    """The layers ``Conv1d`` and ``Conv3d``: ``conv{n}d(x, weight, bias, ...)``."""

    nd = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, dilation: Any = 1, groups: int = 1,
                 bias: bool = True, weight_init_std: InitLike = None, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        name, nd = type(self).__name__, self.nd
        self.in_channels = _positive(in_channels, f"{name}: in_channels")
        self.out_channels = _positive(out_channels, f"{name}: out_channels")
        self.groups = _positive(groups, f"{name}: groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        where = f"conv{nd}d"
        self.kernel_size = C._check_kernel(
            C._ntuple(kernel_size, nd, "kernel_size", where, None), where,
            f"kernel_size={kernel_size!r}")
        self.stride = C._ntuple(stride, nd, "stride", where, 1)
        self.dilation = C._ntuple(dilation, nd, "dilation", where, 1)
        C._conv_padding(padding, nd, where, self.kernel_size, self.stride, self.dilation)
        self.padding = padding
        shape = (out_channels, in_channels // groups) + self.kernel_size
        std = init_std(weight_init_std, int(np.prod(shape[1:])))
        self.weight = Parameter((std * _randn(make_rng(rng), shape)).astype(dtype, copy=False))
        self.bias: Parameter | None = (
            Parameter(np.zeros(out_channels, dtype=dtype)) if bias else None)

    def forward(self, x: Any) -> Tensor:
        """Return the convolution of ``x`` (N, in_channels, *spatial)."""
        return C._conv(self.nd, x, self.weight, self.bias, self.stride, self.padding,
                       self.dilation, self.groups)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding!r}, dilation={self.dilation}, "
                f"groups={self.groups}{'' if self.bias is not None else ', bias=False'}")


class Conv1d(_ConvNd):
    """1-D convolution layer over (N, C, L): :func:`minigrad.functional.conv1d`.

    Parameters as :class:`Conv2d` (one int per dimension; ``padding`` may also be
    ``"same"``, ``"valid"`` or per-side widths); the parameters are named
    ``weight`` (out_channels, in_channels/groups, K) and ``bias``, as in PyTorch.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> nn.Conv1d(2, 4, 3, padding="same", rng=0)(np.zeros((1, 2, 10))).shape
    (1, 4, 10)
    """

    nd = 1


class Conv3d(_ConvNd):
    """3-D convolution layer over (N, C, D, H, W): :func:`minigrad.functional.conv3d`.

    Parameters as :class:`Conv1d`, three ints per tuple; ``weight`` is
    (out_channels, in_channels/groups, KD, KH, KW).
    """

    nd = 3


class _ConvTransposeNd(Module):
    """The layers ``ConvTranspose1d`` and ``ConvTranspose3d``."""

    nd = 0

    def __init__(self, in_channels: int, out_channels: int, kernel_size: Any,
                 stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                 groups: int = 1, bias: bool = True, dilation: Any = 1,
                 weight_init_std: InitLike = None, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        name, nd = type(self).__name__, self.nd
        self.in_channels = _positive(in_channels, f"{name}: in_channels")
        self.out_channels = _positive(out_channels, f"{name}: out_channels")
        self.groups = _positive(groups, f"{name}: groups")
        if in_channels % groups or out_channels % groups:
            raise ValueError(f"{name}: in_channels ({in_channels}) and out_channels "
                             f"({out_channels}) must be divisible by groups ({groups})")
        where = f"conv_transpose{nd}d"
        self.kernel_size = C._check_kernel(
            C._ntuple(kernel_size, nd, "kernel_size", where, None), where,
            f"kernel_size={kernel_size!r}")
        self.stride = C._ntuple(stride, nd, "stride", where, 1)
        self.padding = C._ntuple(padding, nd, "padding", where, 0)
        self.output_padding = C._ntuple(output_padding, nd, "output_padding", where, 0)
        self.dilation = C._ntuple(dilation, nd, "dilation", where, 1)
        shape = (in_channels, out_channels // groups) + self.kernel_size
        std = init_std(weight_init_std, in_channels // groups * int(np.prod(self.kernel_size)))
        self.weight = Parameter((std * _randn(make_rng(rng), shape)).astype(dtype, copy=False))
        self.bias: Parameter | None = (
            Parameter(np.zeros(out_channels, dtype=dtype)) if bias else None)

    def forward(self, x: Any) -> Tensor:
        """Return the transposed convolution of ``x`` (N, in_channels, *spatial)."""
        return C._conv_transpose(self.nd, x, self.weight, self.bias, self.stride, self.padding,
                                 self.output_padding, self.groups, self.dilation)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"{self.in_channels}, {self.out_channels}, kernel_size={self.kernel_size}, "
                f"stride={self.stride}, padding={self.padding}, "
                f"output_padding={self.output_padding}")


class ConvTranspose1d(_ConvTransposeNd):
    """1-D transposed convolution layer: :func:`minigrad.functional.conv_transpose1d`.

    ``weight`` has PyTorch's shape (in_channels, out_channels/groups, K); other
    parameters as in :class:`ConvTranspose2d`.
    """

    nd = 1


class ConvTranspose3d(_ConvTransposeNd):
    """3-D transposed convolution layer: :func:`minigrad.functional.conv_transpose3d`.

    ``weight`` has PyTorch's shape (in_channels, out_channels/groups, KD, KH, KW).
    """

    nd = 3


class _MaxPoolNd(Module):
    """The layers ``MaxPool1d`` and ``MaxPool3d``."""

    nd = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 dilation: Any = 1, return_indices: bool = False,
                 ceil_mode: bool = False) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.dilation = dilation
        self.return_indices = return_indices
        self.ceil_mode = ceil_mode

    def forward(self, x: Any) -> Any:
        """Return the pooled ``x`` (and the indices, with ``return_indices``)."""
        return C._max_pool(self.nd, x, self.kernel_size, self.stride, self.padding,
                           self.dilation, self.ceil_mode, self.return_indices)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, dilation={self.dilation}, ceil_mode={self.ceil_mode}")


class MaxPool1d(_MaxPoolNd):
    """Max pooling layer over (N, C, L): :func:`minigrad.functional.max_pool1d`."""

    nd = 1


class MaxPool3d(_MaxPoolNd):
    """Max pooling layer over (N, C, D, H, W): :func:`minigrad.functional.max_pool3d`."""

    nd = 3


class _AvgPoolNd(Module):
    """The layers ``AvgPool1d`` and ``AvgPool3d``."""

    nd = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True,
                 divisor_override: int | None = None) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding
        self.ceil_mode = ceil_mode
        self.count_include_pad = count_include_pad
        self.divisor_override = divisor_override

    def forward(self, x: Any) -> Tensor:
        """Return the pooled ``x``."""
        return C._avg_pool(self.nd, x, self.kernel_size, self.stride, self.padding,
                           self.ceil_mode, self.count_include_pad, self.divisor_override)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return (f"kernel_size={self.kernel_size}, stride={self.stride}, "
                f"padding={self.padding}, ceil_mode={self.ceil_mode}")


class AvgPool1d(_AvgPoolNd):
    """Average pooling layer over (N, C, L): :func:`minigrad.functional.avg_pool1d`."""

    nd = 1

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0,
                 ceil_mode: bool = False, count_include_pad: bool = True) -> None:
        super().__init__(kernel_size, stride, padding, ceil_mode, count_include_pad)


class AvgPool3d(_AvgPoolNd):
    """Average pooling layer over (N, C, D, H, W): :func:`minigrad.functional.avg_pool3d`."""

    nd = 3


class _MaxUnpoolNd(Module):
    """The layers ``MaxUnpool1d``, ``MaxUnpool2d`` and ``MaxUnpool3d``."""

    nd = 0

    def __init__(self, kernel_size: Any, stride: Any = None, padding: Any = 0) -> None:
        super().__init__()
        self.kernel_size = kernel_size
        self.stride = kernel_size if stride is None else stride
        self.padding = padding

    def forward(self, x: Any, indices: Any, output_size: Any = None) -> Tensor:
        """Return ``x`` put back at ``indices`` (from a max pooling's ``return_indices``)."""
        return C._max_unpool(self.nd, x, indices, self.kernel_size, self.stride, self.padding,
                             output_size)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        return f"kernel_size={self.kernel_size}, stride={self.stride}, padding={self.padding}"


class MaxUnpool1d(_MaxUnpoolNd):
    """Undo a 1-D max pooling: :func:`minigrad.functional.max_unpool1d`."""

    nd = 1


class MaxUnpool2d(_MaxUnpoolNd):
    """Undo a 2-D max pooling: :func:`minigrad.functional.max_unpool2d`.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> import minigrad.functional as F
    >>> y, idx = F.max_pool2d(np.arange(16.0).reshape(1, 1, 4, 4), 2, return_indices=True)
    >>> nn.MaxUnpool2d(2)(y, idx).data[0, 0]
    array([[ 0.,  0.,  0.,  0.],
           [ 0.,  5.,  0.,  7.],
           [ 0.,  0.,  0.,  0.],
           [ 0., 13.,  0., 15.]])
    """

    nd = 2


class MaxUnpool3d(_MaxUnpoolNd):
    """Undo a 3-D max pooling: :func:`minigrad.functional.max_unpool3d`."""

    nd = 3


class Upsample(Module):
    """Resize (N, C, *spatial) inputs: :func:`minigrad.functional.interpolate` as a layer.

    Parameters
    ----------
    size : int or tuple of ints, optional
        The output's spatial size.
    scale_factor : float or tuple of floats, optional
        Multiplier of each spatial size (exactly one of ``size`` and ``scale_factor``).
    mode : str
        As in :func:`~minigrad.functional.interpolate` (default ``"nearest"``).
    align_corners : bool, optional
        Linear and cubic modes only.
    recompute_scale_factor : bool, optional
        Sample with the ratio of the sizes instead of ``scale_factor``.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> nn.Upsample(scale_factor=2, mode="bilinear")(np.zeros((1, 3, 4, 5))).shape
    (1, 3, 8, 10)
    """

    def __init__(self, size: Any = None, scale_factor: Any = None, mode: str = "nearest",
                 align_corners: bool | None = None,
                 recompute_scale_factor: bool | None = None) -> None:
        super().__init__()
        self.size = size
        self.scale_factor = scale_factor
        self.mode = mode
        self.align_corners = align_corners
        self.recompute_scale_factor = recompute_scale_factor

    def forward(self, x: Any) -> Tensor:
        """Return the resized ``x``."""
        return interpolate(x, self.size, self.scale_factor, self.mode, self.align_corners,
                           self.recompute_scale_factor)

    def extra_repr(self) -> str:
        """Return the configuration for ``repr``."""
        what = f"size={self.size}" if self.size is not None else \
            f"scale_factor={self.scale_factor}"
        return f"{what}, mode={self.mode!r}"
