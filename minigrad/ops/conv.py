"""Convolution, pooling and unfold/fold of (N, C, *spatial) inputs (padding, resizing: ``padding``).

Everything here works the way the book's chapter 7 teaches: the windows of
the input are copied into one matrix (*im2col*) and a convolution becomes
one matrix product. The copy is made from a strided view of the (padded)
input (``numpy.lib.stride_tricks.as_strided``) by a single ``reshape``, and
the convolutions copy it transposed, (C*KH*KW, N*OH*OW), so that the
innermost axis of the copy runs along an image row: that order measured
about 1.7x faster on chapter 8's network than the book's (N*OH*OW, C*KH*KW),
whose innermost axis is a 3-element kernel row. The product is one BLAS
``matmul`` per group; the reverse scatter (*col2im*) adds the columns back
with one strided ``+=`` per kernel position. ``im2col``/``col2im`` (the
book's layout) and ``unfold``/``fold`` (PyTorch's) are there as ops.

The convolutions and pools are written once for any number of spatial
dimensions (the strided view has one window axis and one output axis per
dimension); ``conv1d``, ``conv2d`` and ``conv3d`` (and the transposed
convolutions, pools and unpools) are wrappers of that one op, which shows
itself as ``Conv1d``, ``Conv2d`` or ``Conv3d``. Padding is kept as (before,
after) per dimension, so ``padding="same"`` with an even kernel and per-side
widths need no separate padding op.

Each op is one :class:`~minigrad.Function` whose ``backward`` is written
with the other ops, so gradients of gradients work:

* a convolution's input gradient is the transposed convolution of the
  output gradient, its weight gradient is :class:`ConvWeightGrad`, and the
  backward of each of these is again made of convolutions and transposed
  convolutions;
* ``unfold`` / ``fold`` and ``im2col`` / ``col2im`` are adjoint pairs (the
  backward of one is the other), as are :class:`WindowSum` (the sums of
  average pooling) and :class:`WindowSpread`;
* max pooling's backward scatters to the recorded argmax positions, and
  the backward of the scatter gathers from them (windows that tile the
  input, stride equal to the kernel, are compared slice by slice instead of
  copied out, and their gradient is spread back axis by axis; the results
  are the same); ``max_unpool`` writes to
  given positions and its backward gathers from them;
* ``adaptive_avg_pool*`` are products with averaging matrices (as is
  ``interpolate``, in :mod:`minigrad.ops.padding`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad._moved import forward_names
from minigrad.autograd import Function, OpTypeError, Released
from minigrad.ops.catalogue import op
from minigrad.ops.linalg import matmul
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor, as_tensor

__all__ = [
    "conv1d", "conv2d", "conv3d", "conv_transpose1d", "conv_transpose2d", "conv_transpose3d",
    "max_pool1d", "max_pool2d", "max_pool3d", "avg_pool1d", "avg_pool2d", "avg_pool3d",
    "max_unpool1d", "max_unpool2d", "max_unpool3d",
    "adaptive_avg_pool1d", "adaptive_avg_pool2d", "adaptive_avg_pool3d",
    "unfold", "fold", "im2col", "col2im",
    "conv_output_size",
]

Pair = tuple[int, int]
IntOrPair = int | tuple[int, int] | list[int]


# ---------------------------------------------------------------------------
# Argument checking.

def _pair(v: Any, name: str, where: str, minimum: int | None) -> Pair:
    """Return ``v`` (an int or a pair of ints) as a pair, each at least ``minimum``."""
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        p = (int(v), int(v))
    elif isinstance(v, (tuple, list)) and len(v) == 2 and all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in v):
        p = (int(v[0]), int(v[1]))
    else:
        raise OpTypeError(f"{where}: {name} must be an int or a pair of ints, got {v!r}")
    if minimum is not None and (p[0] < minimum or p[1] < minimum):
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {v!r}")
    return p


def _check_kernel(kernel: tuple[int, ...], where: str, what: str) -> Any:
    """Refuse a kernel with a side below 1: the one check of every conv, pool and fold op.

    ``what`` says where the size came from (``"kernel_size=0"``, ``"weight of shape
    (4, 3, 0, 0)"``); PyTorch refuses such kernels too. Returns the sizes as a tuple of
    ints (of any length: one per spatial dimension).
    """
    k = tuple(int(i) for i in kernel)
    if any(i < 1 for i in k):
        raise ValueError(f"{where}: the kernel size must be greater than zero, got "
                         f"{'x'.join(map(str, k))} ({what})")
    return k


def _ntuple(v: Any, n: int, name: str, where: str, minimum: int | None) -> tuple[int, ...]:
    """Return ``v`` (an int or a tuple of ``n`` ints) as a tuple of ``n`` ints, each >= minimum."""
    if n == 2:
        return _pair(v, name, where, minimum)
    if isinstance(v, (int, np.integer)) and not isinstance(v, bool):
        t = (int(v),) * n
    elif isinstance(v, (tuple, list)) and len(v) == n and all(
            isinstance(i, (int, np.integer)) and not isinstance(i, bool) for i in v):
        t = tuple(int(i) for i in v)
    else:
        raise TypeError(f"{where}: {name} must be an int or a tuple of {n} ints, got {v!r}")
    if minimum is not None and any(i < minimum for i in t):
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {v!r}")
    return t


def _kernel_size(v: Any, name: str, where: str) -> Pair:
    """A kernel-size argument (an int or a pair of ints) as a pair, checked to be positive."""
    return _check_kernel(_pair(v, name, where, None), where, f"{name}={v!r}")


def _check_4d(x: Tensor, what: str, where: str) -> None:
    if x.ndim != 4:
        raise ValueError(f"{where}: {what} must be 4-D (N, C, H, W), got shape {x.shape}")


@op()
def conv_output_size(input_size: int, filter_size: int, stride: int = 1, pad: int = 0,
                     dilation: int = 1) -> int:
    """Return the output length of a convolution: ``(in + 2 pad - d (f - 1) - 1) // stride + 1``.

    With ``dilation=1`` this is the book's ``(H + 2P - FH) / S + 1``
    (item 7.1), floored as PyTorch does when the division is not exact.

    Examples
    --------
    >>> conv_output_size(28, 5), conv_output_size(14, 3, 1, 2), conv_output_size(7, 3, 2)
    (24, 16, 3)
    """
    return (input_size + 2 * pad - dilation * (filter_size - 1) - 1) // stride + 1


def _out_hw(shape: tuple[int, ...], k: Pair, s: Pair, p: Pair, d: Pair, where: str) -> Pair:
    h, w = shape[-2], shape[-1]
    oh = conv_output_size(h, k[0], s[0], p[0], d[0])
    ow = conv_output_size(w, k[1], s[1], p[1], d[1])
    if oh < 1 or ow < 1:
        raise ValueError(
            f"{where}: a kernel of {k[0]}x{k[1]} (dilation {d}) does not fit the input of "
            f"spatial size {h}x{w} padded by {p}: the output would be {oh}x{ow}")
    return oh, ow


# ---------------------------------------------------------------------------
# The array kernels: im2col as one strided copy, col2im as strided adds.

def _pad_array(x: np.ndarray, p: Pair, value: float = 0.0) -> np.ndarray:
    """``x`` (N, C, H, W) padded by ``p`` on both sides of H and W, always C-contiguous.

    The window copy of im2col reads fastest along W; from an NHWC-strided
    array (a convolution's transposed output after an elementwise op) that
    read jumps by C elements and measured several times slower than one
    extra contiguous copy here.
    """
    if p == (0, 0):
        return np.ascontiguousarray(x)
    n, c, h, w = x.shape
    out = np.full((n, c, h + 2 * p[0], w + 2 * p[1]), value, dtype=x.dtype)
    out[:, :, p[0]:p[0] + h, p[1]:p[1] + w] = x
    return out


def _windows(xp: np.ndarray, k: Pair, s: Pair, d: Pair, out: Pair) -> np.ndarray:
    """A read-only strided view of the windows of padded ``xp``: (N, OH, OW, C, KH, KW)."""
    sn, sc, sh, sw = xp.strides
    n, c = xp.shape[:2]
    return as_strided(xp, (n, out[0], out[1], c, k[0], k[1]),
                      (sn, sh * s[0], sw * s[1], sc, sh * d[0], sw * d[1]), writeable=False)


def _im2col_rows(x: np.ndarray, k: Pair, s: Pair, p: Pair, d: Pair, out: Pair) -> np.ndarray:
    """The book's im2col matrix (N*OH*OW, C*KH*KW) of ``x`` (one copy)."""
    n, c = x.shape[:2]
    v = _windows(_pad_array(x, p), k, s, d, out)
    return v.reshape(n * out[0] * out[1], c * k[0] * k[1])


def _col2im_array(col6: np.ndarray, shape: tuple[int, ...], k: Pair, s: Pair, p: Pair,
                  d: Pair) -> np.ndarray:
    """Add the windows ``col6`` of shape (N, OH, OW, C, KH, KW) back into an image of ``shape``.

    ``shape`` is the unpadded (N, C, H, W); overlapping windows accumulate,
    then the padding is cropped off (the adjoint of :func:`_im2col_rows`).
    """
    n, c, h, w = shape
    oh, ow = col6.shape[1], col6.shape[2]
    hp, wp = h + 2 * p[0], w + 2 * p[1]
    img = np.zeros((n, c, hp, wp), dtype=col6.dtype)
    t = col6.transpose(0, 3, 4, 5, 1, 2)  # (N, C, KH, KW, OH, OW)
    for ky in range(k[0]):
        y0 = ky * d[0]
        ys = slice(y0, y0 + s[0] * (oh - 1) + 1, s[0])
        for kx in range(k[1]):
            x0 = kx * d[1]
            img[:, :, ys, x0:x0 + s[1] * (ow - 1) + 1:s[1]] += t[:, :, ky, kx]
    if p == (0, 0):
        return img
    return img[:, :, p[0]:p[0] + h, p[1]:p[1] + w]


# ---------------------------------------------------------------------------
# unfold / fold (PyTorch's layout) and im2col / col2im (the book's layout).

class _WindowOp(Function):
    """Shared parameters of the window ops (kernel, stride, padding, dilation)."""

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> None:
        self.kernel = _check_kernel(kernel, type(self).__name__, f"kernel={kernel}")
        self.stride, self.padding, self.dilation = stride, padding, dilation

    def attrs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                "dilation": self.dilation}


class Unfold(_WindowOp):
    """Sliding windows as columns: (N, C, H, W) -> (N, C*KH*KW, L), PyTorch's ``unfold``."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = _out_hw(x.shape, self.kernel, self.stride, self.padding, self.dilation, "unfold")
        n, c = x.shape[:2]
        v = _windows(_pad_array(x, self.padding), self.kernel, self.stride, self.dilation, out)
        return v.transpose(0, 3, 4, 5, 1, 2).reshape(
            n, c * self.kernel[0] * self.kernel[1], out[0] * out[1])

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return Fold((x.shape[2], x.shape[3]), self.kernel, self.stride, self.padding,
                    self.dilation)(gy)


class Fold(_WindowOp):
    """Sum columns back into an image: (N, C*KH*KW, L) -> (N, C, H, W), PyTorch's ``fold``."""

    def __init__(self, output_size: Pair, kernel: Pair, stride: Pair, padding: Pair,
                 dilation: Pair) -> None:
        super().__init__(kernel, stride, padding, dilation)
        self.output_size = output_size

    def forward(self, col: np.ndarray) -> np.ndarray:
        h, w = self.output_size
        kh, kw = self.kernel
        oh, ow = _out_hw((h, w), self.kernel, self.stride, self.padding, self.dilation, "fold")
        if col.ndim != 3 or col.shape[1] % (kh * kw) or col.shape[2] != oh * ow:
            raise ValueError(
                f"fold: input of shape {col.shape} does not match kernel {self.kernel} and "
                f"output size {self.output_size}: expected (N, C*{kh * kw}, {oh * ow})")
        n, c = col.shape[0], col.shape[1] // (kh * kw)
        col6 = col.reshape(n, c, kh, kw, oh, ow).transpose(0, 4, 5, 1, 2, 3)
        return _col2im_array(col6, (n, c, h, w), self.kernel, self.stride, self.padding,
                             self.dilation)

    def backward(self, gy: Tensor) -> Tensor:
        return Unfold(self.kernel, self.stride, self.padding, self.dilation)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"output_size": self.output_size, **super().attrs()}


class Im2col(_WindowOp):
    """The book's im2col: (N, C, H, W) -> (N*OH*OW, C*FH*FW) (item 7.2)."""

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = _out_hw(x.shape, self.kernel, self.stride, self.padding, self.dilation, "im2col")
        return _im2col_rows(x, self.kernel, self.stride, self.padding, self.dilation, out)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        return Col2im(x.shape, self.kernel, self.stride, self.padding, self.dilation)(gy)


class Col2im(_WindowOp):
    """The book's col2im: add (N*OH*OW, C*FH*FW) rows back into (N, C, H, W) (item 7.3)."""

    def __init__(self, input_shape: tuple[int, ...], kernel: Pair, stride: Pair,
                 padding: Pair, dilation: Pair) -> None:
        super().__init__(kernel, stride, padding, dilation)
        self.input_shape = input_shape

    def forward(self, col: np.ndarray) -> np.ndarray:
        n, c = self.input_shape[:2]
        oh, ow = _out_hw(self.input_shape, self.kernel, self.stride, self.padding,
                         self.dilation, "col2im")
        kh, kw = self.kernel
        if col.shape != (n * oh * ow, c * kh * kw):
            raise ValueError(
                f"col2im: col of shape {col.shape} does not match input shape "
                f"{self.input_shape} and a {kh}x{kw} kernel: expected {(n * oh * ow, c * kh * kw)}")
        return _col2im_array(col.reshape(n, oh, ow, c, kh, kw), self.input_shape, self.kernel,
                             self.stride, self.padding, self.dilation)

    def backward(self, gy: Tensor) -> Tensor:
        return Im2col(self.kernel, self.stride, self.padding, self.dilation)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"input_shape": self.input_shape, **super().attrs()}


@op(torch="unfold")
def unfold(input: Any, kernel_size: IntOrPair, dilation: IntOrPair = 1,  # noqa: A002
           padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """Extract sliding windows as columns, PyTorch's ``F.unfold`` (im2col).

    Parameters
    ----------
    input : Tensor
        Images of shape (N, C, H, W).
    kernel_size, dilation, padding, stride : int or pair of ints
        The window, as in :func:`conv2d` (zero padding).

    Returns
    -------
    Tensor
        Shape (N, C*KH*KW, L) with ``L = OH*OW``; row index ``(c*KH + ky)*KW + kx``,
        column index ``oy*OW + ox``.
    """
    x = as_tensor(input)
    _check_4d(x, "input", "unfold")
    return Unfold(_kernel_size(kernel_size, "kernel_size", "unfold"),
                  _pair(stride, "stride", "unfold", 1), _pair(padding, "padding", "unfold", 0),
                  _pair(dilation, "dilation", "unfold", 1))(x)


@op(torch="fold")
def fold(input: Any, output_size: IntOrPair, kernel_size: IntOrPair,  # noqa: A002
         dilation: IntOrPair = 1, padding: IntOrPair = 0, stride: IntOrPair = 1) -> Tensor:
    """Sum columns back into images, PyTorch's ``F.fold`` (col2im; the adjoint of :func:`unfold`).

    Parameters
    ----------
    input : Tensor
        Columns of shape (N, C*KH*KW, L).
    output_size : int or pair of ints
        The spatial size (H, W) of the result.
    kernel_size, dilation, padding, stride : int or pair of ints
        The window, as in :func:`unfold`.

    Returns
    -------
    Tensor
        Shape (N, C, H, W); overlapping windows add up.
    """
    x = as_tensor(input)
    return Fold(_pair(output_size, "output_size", "fold", 1),
                _kernel_size(kernel_size, "kernel_size", "fold"),
                _pair(stride, "stride", "fold", 1),
                _pair(padding, "padding", "fold", 0), _pair(dilation, "dilation", "fold", 1))(x)


@op()
def im2col(input_data: Any, filter_h: int, filter_w: int, stride: int = 1,
           pad: int = 0) -> Tensor:
    """The book's ``im2col`` (item 7.2): windows as rows, shape (N*OH*OW, C*FH*FW).

    Row index ``(n*OH + oy)*OW + ox``, column index ``(c*FH + ky)*FW + kx``.
    Differentiable; its backward is :func:`col2im`.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.functional import im2col
    >>> x = np.arange(18.0).reshape(1, 2, 3, 3)
    >>> im2col(x, 2, 2).data[0]
    array([ 0.,  1.,  3.,  4.,  9., 10., 12., 13.])
    >>> im2col(np.random.rand(10, 3, 7, 7), 5, 5).shape
    (90, 75)
    """
    x = as_tensor(input_data)
    _check_4d(x, "input_data", "im2col")
    k = _check_kernel((_pair(filter_h, "filter_h", "im2col", None)[0],
                       _pair(filter_w, "filter_w", "im2col", None)[0]), "im2col",
                      f"filter_h={filter_h!r}, filter_w={filter_w!r}")
    return Im2col(k, _pair(stride, "stride", "im2col", 1), _pair(pad, "pad", "im2col", 0),
                  (1, 1))(x)


@op()
def col2im(col: Any, input_shape: tuple[int, ...], filter_h: int, filter_w: int,
           stride: int = 1, pad: int = 0) -> Tensor:
    """The book's ``col2im`` (item 7.3): add the rows of ``col`` back into (N, C, H, W).

    Overlapping windows accumulate and the padding is cropped: the adjoint
    of :func:`im2col` (and its backward).
    """
    shape = tuple(int(i) for i in input_shape)
    if len(shape) != 4:
        raise ValueError(f"col2im: input_shape must be (N, C, H, W), got {input_shape!r}")
    k = _check_kernel((_pair(filter_h, "filter_h", "col2im", None)[0],
                       _pair(filter_w, "filter_w", "col2im", None)[0]), "col2im",
                      f"filter_h={filter_h!r}, filter_w={filter_w!r}")
    return Col2im(shape, k, _pair(stride, "stride", "col2im", 1),
                  _pair(pad, "pad", "col2im", 0), (1, 1))(col)


# ---------------------------------------------------------------------------
# Convolution of any number of spatial dimensions: the forward, the transposed
# convolution and the weight gradient, closed under backward. ``conv1d``, ``conv2d``
# and ``conv3d`` (and the transposed ones) are thin wrappers of the one N-d op.

Pads = tuple[tuple[int, int], ...]


def _as_pads(p: Any) -> Pads:
    """Padding as ``((before, after), ...)`` per spatial dimension (ints mean both sides)."""
    return tuple((int(i), int(i)) if isinstance(i, (int, np.integer)) else (int(i[0]), int(i[1]))
                 for i in p)


def _show_pads(p: Pads) -> Any:
    """Padding as the user wrote it: one int per dimension where both sides are equal."""
    if all(a == b for a, b in p):
        return tuple(a for a, _ in p)
    return p


def _dims(nd: int) -> str:
    return "x".join(map(str, range(nd)))


class _ConvParams:
    """Stride, padding (before and after, per spatial dimension), dilation and groups."""

    __slots__ = ("stride", "padding", "dilation", "groups")

    def __init__(self, stride: tuple[int, ...], padding: Any, dilation: tuple[int, ...],
                 groups: int) -> None:
        self.stride, self.dilation, self.groups = tuple(stride), tuple(dilation), groups
        self.padding: Pads = _as_pads(padding)

    @property
    def nd(self) -> int:
        """The number of spatial dimensions."""
        return len(self.stride)

    def attrs(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": _show_pads(self.padding),
                "dilation": self.dilation, "groups": self.groups}

    def output_padding(self, in_sp: tuple[int, ...], out_sp: tuple[int, ...],
                       k: tuple[int, ...]) -> tuple[int, ...]:
        """The ``output_padding`` that makes a transposed convolution of out_sp give in_sp."""
        return tuple(
            n + a + b - ((o - 1) * s + d * (kk - 1) + 1)
            for n, o, kk, s, (a, b), d in zip(in_sp, out_sp, k, self.stride, self.padding,
                                              self.dilation))


def _out_sizes(shape: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...], p: Pads,
               d: tuple[int, ...], where: str) -> tuple[int, ...]:
    """Output sizes of a convolution over the last ``len(k)`` axes of ``shape``; refuses < 1."""
    sp = shape[len(shape) - len(k):]
    out = tuple((n + a + b - dd * (kk - 1) - 1) // ss + 1
                for n, kk, ss, (a, b), dd in zip(sp, k, s, p, d))
    if min(out) < 1:
        x = "x".join
        raise ValueError(
            f"{where}: a kernel of {x(map(str, k))} (dilation {d}) does not fit the input of "
            f"spatial size {x(map(str, sp))} padded by {_show_pads(p)}: the output would be "
            f"{x(map(str, out))}")
    return out


def _pad_nd(x: np.ndarray, p: Pads, value: float = 0.0) -> np.ndarray:
    """``x`` (N, C, *spatial) padded by ``p`` (before, after) per spatial axis, C-contiguous."""
    if not any(a or b for a, b in p):
        return np.ascontiguousarray(x)
    sp = x.shape[2:]
    out = np.full(x.shape[:2] + tuple(n + a + b for n, (a, b) in zip(sp, p)), value,
                  dtype=x.dtype)
    out[(slice(None), slice(None)) + tuple(slice(a, a + n) for n, (a, _) in zip(sp, p))] = x
    return out


def _im2col_cm(x: np.ndarray, k: tuple[int, ...], s: tuple[int, ...], p: Any,
               d: tuple[int, ...], out: tuple[int, ...]) -> np.ndarray:
    """The transposed im2col matrix (C*prod(K), N*prod(OUT)) used by the convolutions (one copy).

    Row order (channel, kernel position) as the book's columns; column order (image,
    output position) as the book's rows. Copying in this order reads the input along
    its rows (the last output axis is the innermost one), which measured faster than
    the book's order, whose innermost axis is the short kernel row.
    """
    pads = _as_pads(p)
    xp = x if not any(a or b for a, b in pads) else _pad_nd(x, pads)
    st = xp.strides
    n, c = xp.shape[:2]
    sp = st[2:]
    v = as_strided(xp, (c, *k, n, *out),
                   (st[1], *(a * b for a, b in zip(sp, d)), st[0],
                    *(a * b for a, b in zip(sp, s))), writeable=False)
    return v.reshape(c * int(np.prod(k)), n * int(np.prod(out)))


def _col2im_cm(col: np.ndarray, shape: tuple[int, ...], k: tuple[int, ...],
               s: tuple[int, ...], p: Any, d: tuple[int, ...],
               out: tuple[int, ...]) -> np.ndarray:
    """Add the columns of a (C*prod(K), N*prod(OUT)) matrix back into an image of ``shape``.

    The adjoint of :func:`_im2col_cm`; the result is an (N, C, *spatial) view of a
    channel-major array.
    """
    pads = _as_pads(p)
    n, c = shape[:2]
    sp = shape[2:]
    img = np.zeros((c, n) + tuple(m + a + b for m, (a, b) in zip(sp, pads)), dtype=col.dtype)
    t = col.reshape(c, *k, n, *out)
    both = (slice(None), slice(None))
    for pos in np.ndindex(*k):
        idx = tuple(slice(q * dd, q * dd + ss * (o - 1) + 1, ss)
                    for q, dd, ss, o in zip(pos, d, s, out))
        img[both + idx] += t[(slice(None),) + pos]
    if any(a or b for a, b in pads):
        img = img[both + tuple(slice(a, a + m) for m, (a, _) in zip(sp, pads))]
    return img.transpose(1, 0, *range(2, img.ndim))


def _block_matmul(a: np.ndarray, b: np.ndarray, groups: int) -> np.ndarray:
    """Block-diagonal ``a`` (G*P rows, in G blocks of Q columns) times ``b`` (G*Q, M) -> (G*P, M).

    ``a`` is given as its (G*P, Q) stack of diagonal blocks; one product per group.
    """
    if groups == 1:
        return a @ b
    p, q = a.shape[0] // groups, b.shape[0] // groups
    out = np.empty((a.shape[0], b.shape[1]), dtype=np.result_type(a, b))
    for g in range(groups):
        np.matmul(a[g * p:(g + 1) * p], b[g * q:(g + 1) * q], out=out[g * p:(g + 1) * p])
    return out


def _conv_forward(x: np.ndarray, w: np.ndarray, b: np.ndarray | None, cp: _ConvParams,
                  where: str) -> tuple[np.ndarray, np.ndarray]:
    """Return conv(x, w) + b in (N, C, *spatial) and the (transposed) im2col matrix it used."""
    n, c = x.shape[:2]
    fn, cg = w.shape[:2]
    k = _check_kernel(w.shape[2:], where, f"weight of shape {w.shape}")
    g = cp.groups
    if c != cg * g or fn % g:
        raise ValueError(
            f"{where}: input with {c} channels and weight of shape {w.shape} with groups={g} "
            f"do not match (need C == weight.shape[1] * groups and weight.shape[0] divisible "
            f"by groups)")
    out = _out_sizes(x.shape, k, cp.stride, cp.padding, cp.dilation, where)
    col = _im2col_cm(x, k, cp.stride, cp.padding, cp.dilation, out)
    y = _block_matmul(w.reshape(fn, cg * int(np.prod(k))), col, g)  # (FN, N*prod(OUT))
    if b is not None:
        if b.shape != (fn,):
            raise ValueError(f"{where}: bias must have shape ({fn},), got {b.shape}")
        if b.dtype == y.dtype:
            y += b[:, None]  # in place: no second output-sized array
        else:
            y = y + b[:, None]
    return y.reshape(fn, n, *out).transpose(1, 0, *range(2, 2 + len(out))), col


def _conv_transpose_forward(x: np.ndarray, w: np.ndarray, cp: _ConvParams,
                            out_sp: tuple[int, ...]) -> np.ndarray:
    """The transposed convolution of x (N, Cin, *spatial) with w (Cin, Coutg, *K)."""
    n, cin = x.shape[:2]
    sp = x.shape[2:]
    coutg = w.shape[1]
    k = w.shape[2:]
    g = cp.groups
    rows = x.transpose(1, 0, *range(2, x.ndim)).reshape(cin, n * int(np.prod(sp)))
    cing = cin // g
    kk = int(np.prod(k))
    w3 = w.reshape(g, cing, coutg * kk).transpose(0, 2, 1).reshape(g * coutg * kk, cing)
    col = _block_matmul(w3, rows, g)  # (Cout*prod(K), N*prod(spatial))
    return _col2im_cm(col, (n, g * coutg) + tuple(out_sp), k, cp.stride, cp.padding,
                      cp.dilation, sp)


def _weight_grad(col: np.ndarray, gy: np.ndarray, wshape: tuple[int, ...],
                 groups: int) -> np.ndarray:
    """dL/dW of a convolution from its (transposed) im2col matrix and gy (N, FN, *OUT)."""
    fn = wshape[0]
    rows = gy.transpose(1, 0, *range(2, gy.ndim)).reshape(fn, -1)  # (FN, N*prod(OUT))
    if groups == 1:
        return (rows @ col.T).reshape(wshape)
    fng, k = fn // groups, int(np.prod(wshape[1:]))
    out = np.empty((fn, k), dtype=np.result_type(rows, col))
    for g in range(groups):
        np.matmul(rows[g * fng:(g + 1) * fng], col[g * k:(g + 1) * k].T,
                  out=out[g * fng:(g + 1) * fng])
    return out.reshape(wshape)


def _crop_to(t: Tensor, shape: tuple[int, ...]) -> Tensor:
    """``t`` cut to the spatial size of ``shape``.

    A transposed convolution whose ``output_padding`` reaches the stride (allowed
    below the dilation) has output elements that no input window reads; the
    convolution that is its adjoint computes outputs for them, which are dropped.
    """
    if t.shape[2:] == tuple(shape[2:]):
        return t
    return t[(slice(None), slice(None)) + tuple(slice(0, n) for n in shape[2:])]


class ConvNd(Function):
    """Cross-correlation of (N, C, *spatial) inputs (PyTorch's ``conv1d/2d/3d``) by im2col.

    Inputs ``x`` (N, C, *spatial), ``weight`` (FN, C/groups, *K) and an
    optional ``bias`` (FN,); the number of spatial dimensions is that of the
    parameters. The im2col matrix of the forward pass is kept for the weight
    gradient (as the book's ``Convolution`` keeps ``col``) and dropped by the
    first backward (a retained graph recomputes it). Shown as ``Conv1d``,
    ``Conv2d`` or ``Conv3d``.
    """

    def __init__(self, cp: _ConvParams) -> None:
        self.cp = cp
        self._col: np.ndarray | None = None

    @property
    def name(self) -> str:
        """``Conv1d``, ``Conv2d``, ... by the number of spatial dimensions."""
        return f"Conv{self.cp.nd}d"

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        y, col = _conv_forward(x, w, b, self.cp, f"conv{self.cp.nd}d")
        self._col = col
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        nd = self.cp.nd
        gx = gw = None
        if needs[0]:
            op = self.cp.output_padding(x.shape[2:], gy.shape[2:], w.shape[2:])
            gx = ConvTransposeNd(self.cp, op)(gy, w)
        if needs[1]:
            # the kept matrix serves the first backward only (a retained graph recomputes it)
            col, self._col = self._col, None
            gw = ConvWeightGrad(self.cp, w.shape, col)(x, gy)
        if len(self.inputs) == 2:
            return gx, gw
        gb = gy.sum(axis=(0, *range(2, 2 + nd))) if needs[2] else None
        return gx, gw, gb

    def release(self, reason: Released, cause: Any = None, op: str = "") -> None:
        """Drop the saved inputs and the kept im2col matrix (see :meth:`Function.release`)."""
        super().release(reason, cause, op)
        self._col = None

    def attrs(self) -> dict[str, Any]:
        return self.cp.attrs()


class ConvTransposeNd(Function):
    """Transposed convolution (PyTorch's ``conv_transpose1d/2d/3d``), the adjoint of ConvNd.

    Inputs ``x`` (N, Cin, *spatial), ``weight`` (Cin, Cout/groups, *K) and an
    optional ``bias`` (Cout,).
    """

    def __init__(self, cp: _ConvParams, output_padding: tuple[int, ...]) -> None:
        self.cp = cp
        self.output_padding = tuple(output_padding)

    @property
    def name(self) -> str:
        """``ConvTranspose1d``, ``ConvTranspose2d``, ... by the number of spatial dimensions."""
        return f"ConvTranspose{self.cp.nd}d"

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        cp = self.cp
        where = f"conv_transpose{cp.nd}d"
        k = _check_kernel(w.shape[2:], where, f"weight of shape {w.shape}")
        if x.shape[1] != w.shape[0] or w.shape[0] % cp.groups:
            raise ValueError(
                f"{where}: input with {x.shape[1]} channels and weight of shape "
                f"{w.shape} with groups={cp.groups} do not match (need C == weight.shape[0], "
                f"divisible by groups)")
        out = tuple((n - 1) * s - a - b_ + d * (kk - 1) + op + 1
                    for n, s, (a, b_), d, kk, op in zip(x.shape[2:], cp.stride, cp.padding,
                                                        cp.dilation, k, self.output_padding))
        if min(out) < 1:
            raise ValueError(f"{where}: the output size would be {out}")
        y = _conv_transpose_forward(x, w, cp, out)
        if b is not None:
            if b.shape != (y.shape[1],):
                raise ValueError(f"{where}: bias must have shape ({y.shape[1]},), got {b.shape}")
            y += b.reshape((-1,) + (1,) * cp.nd)
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        gx = gw = None
        if needs[0]:
            gx = _crop_to(ConvNd(self.cp)(gy, w), x.shape)
        if needs[1]:
            gw = ConvWeightGrad(self.cp, w.shape, None)(gy, x)
        if len(self.inputs) == 2:
            return gx, gw
        gb = gy.sum(axis=(0, *range(2, 2 + self.cp.nd))) if needs[2] else None
        return gx, gw, gb

    def attrs(self) -> dict[str, Any]:
        return {**self.cp.attrs(), "output_padding": self.output_padding}


class ConvWeightGrad(Function):
    """The weight gradient of a convolution: ``(x, gy) -> dL/dW``, bilinear in both.

    Its backward is again a convolution (for ``gy``) and a transposed
    convolution (for ``x``), so convolutions are differentiable any number
    of times.
    """

    def __init__(self, cp: _ConvParams, wshape: tuple[int, ...],
                 col: np.ndarray | None) -> None:
        self.cp = cp
        self.wshape = wshape
        self._col = col

    @property
    def name(self) -> str:
        """``Conv1dWeightGrad``, ``Conv2dWeightGrad``, ... by the number of dimensions."""
        return f"Conv{self.cp.nd}dWeightGrad"

    def forward(self, x: np.ndarray, gy: np.ndarray) -> np.ndarray:
        col = self._col
        self._col = None
        if col is None:
            col = _im2col_cm(x, tuple(self.wshape[2:]), self.cp.stride, self.cp.padding,
                             self.cp.dilation, gy.shape[2:])
        return _weight_grad(col, gy, self.wshape, self.cp.groups)

    def backward(self, ggw: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, gy = self.inputs
        gx = ggy = None
        if self.needs_input_grad[0]:
            op = self.cp.output_padding(x.shape[2:], gy.shape[2:], self.wshape[2:])
            gx = ConvTransposeNd(self.cp, op)(gy, ggw)
        if self.needs_input_grad[1]:
            ggy = _crop_to(ConvNd(self.cp)(x, ggw), gy.shape)
        return gx, ggy

    def attrs(self) -> dict[str, Any]:
        return {**self.cp.attrs(), "weight_shape": self.wshape}


#: The names of the 2-D ops before they took any number of dimensions.
Conv2d, ConvTranspose2d, Conv2dWeightGrad = ConvNd, ConvTransposeNd, ConvWeightGrad


def _groups(groups: Any, where: str) -> int:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive int, got {groups!r}")
    return int(groups)


def _conv_padding(padding: Any, nd: int, where: str, k: tuple[int, ...] | None = None,
                  s: tuple[int, ...] = (), d: tuple[int, ...] = ()) -> Pads:
    """A convolution's ``padding`` as (before, after) per spatial dimension.

    An int or one int per dimension pads both sides; ``2 * nd`` ints are per-side
    widths in :func:`~minigrad.functional.pad`'s order (last dimension first);
    ``"valid"`` is no padding and ``"same"`` (stride 1 only, as PyTorch) keeps the
    input size, the odd element of an even total going after, as PyTorch puts it.
    """
    if isinstance(padding, str):
        if k is None:
            raise ValueError(f"{where}: padding must be ints, got {padding!r}")
        if padding == "valid":
            return ((0, 0),) * nd
        if padding == "same":
            if any(i != 1 for i in s):
                raise ValueError(f"{where}: padding='same' needs stride 1 (as in PyTorch), "
                                 f"got stride {s}")
            total = [dd * (kk - 1) for dd, kk in zip(d, k)]
            return tuple((t // 2, t - t // 2) for t in total)
        raise ValueError(f"{where}: padding must be an int, a tuple of ints, 'same' or "
                         f"'valid', got {padding!r}")
    if (isinstance(padding, (tuple, list)) and len(padding) == 2 * nd
            and all(isinstance(i, (int, np.integer)) and not isinstance(i, bool)
                    for i in padding)):
        if any(i < 0 for i in padding):
            raise ValueError(f"{where}: padding must be >= 0, got {padding!r}")
        return tuple((int(padding[2 * (nd - 1 - i)]), int(padding[2 * (nd - 1 - i) + 1]))
                     for i in range(nd))
    try:
        p = _ntuple(padding, nd, "padding", where, 0)
    except TypeError:
        raise OpTypeError(f"{where}: padding must be an int, a tuple of {nd} ints (one per "
                        f"dimension), {2 * nd} ints (per side, last dimension first), 'same' "
                        f"or 'valid', got {padding!r}") from None
    return tuple((i, i) for i in p)


def _check_nd(x: Tensor, nd: int, what: str, where: str) -> None:
    if x.ndim != nd + 2:
        axes = {1: "(N, C, L)", 2: "(N, C, H, W)", 3: "(N, C, D, H, W)"}[nd]
        raise ValueError(f"{where}: {what} must be {nd + 2}-D {axes}, got shape {x.shape}")


def _conv(nd: int, input: Any, weight: Any, bias: Any, stride: Any,  # noqa: A002
          padding: Any, dilation: Any, groups: Any) -> Tensor:
    where = f"conv{nd}d"
    x, w = as_tensor(input), as_tensor(weight)
    _check_nd(x, nd, "input", where)
    _check_nd(w, nd, "weight", where)
    k = _check_kernel(w.shape[2:], where, f"weight of shape {w.shape}")
    s = _ntuple(stride, nd, "stride", where, 1)
    d = _ntuple(dilation, nd, "dilation", where, 1)
    g = _groups(groups, where)
    f = ConvNd(_ConvParams(s, _conv_padding(padding, nd, where, k, s, d), d, g))
    return f(x, w) if bias is None else f(x, w, bias)




@op(torch="conv1d")
def conv1d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """1-D convolution of (N, C, L) inputs, PyTorch's ``F.conv1d``.

    ``weight`` is (FN, C/groups, K); the other parameters are those of
    :func:`conv2d`, with one int per dimension (``padding`` may be 2 per-side
    widths ``(left, right)``, ``"same"`` or ``"valid"``).
    """
    return _conv(1, input, weight, bias, stride, padding, dilation, groups)


@op(torch="conv2d")
def conv2d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, no kernel flip), PyTorch's ``F.conv2d``.

    Parameters
    ----------
    input : Tensor
        Images (N, C, H, W).
    weight : Tensor
        Filters (FN, C/groups, KH, KW).
    bias : Tensor, optional
        One value per filter, shape (FN,).
    stride, dilation : int or pair of ints
        Step of the window, spacing of kernel taps.
    padding : int, tuple of ints, "same" or "valid"
        Zero padding: one int for every side, a pair (H, W) for both sides of
        each dimension, or 4 per-side widths ``(left, right, top, bottom)`` in
        :func:`pad`'s order (PyTorch takes those only through ``F.pad``).
        ``"same"`` keeps the size (stride 1 only; an odd total puts the extra
        element after, as PyTorch), ``"valid"`` is no padding.
    groups : int
        Split the channels into ``groups`` independent convolutions.

    Returns
    -------
    Tensor
        Shape (N, FN, OH, OW) with ``OH = (H + top + bottom - D(KH-1) - 1) // S + 1``.

    Notes
    -----
    Computed as the book does: ``im2col(x) @ W.reshape(FN, -1).T``, then
    reshaped to (N, OH, OW, FN) and transposed to NCHW (the result is that
    transposed view, as in the book's ``Convolution``). :func:`conv1d` and
    :func:`conv3d` are the same op with one and three spatial dimensions.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.conv2d(x, np.ones((1, 1, 3, 3))).data[0, 0]
    array([[45., 54.],
           [81., 90.]])
    >>> F.conv2d(x, np.ones((1, 1, 2, 2)), padding="same").shape
    (1, 1, 4, 4)
    """
    return _conv(2, input, weight, bias, stride, padding, dilation, groups)


@op(torch="conv3d")
def conv3d(input: Any, weight: Any, bias: Any = None, stride: Any = 1,  # noqa: A002
           padding: Any = 0, dilation: Any = 1, groups: int = 1) -> Tensor:
    """3-D convolution of (N, C, D, H, W) inputs, PyTorch's ``F.conv3d``.

    ``weight`` is (FN, C/groups, KD, KH, KW); the other parameters are those of
    :func:`conv2d`, with three ints per tuple (``padding`` may be 6 per-side
    widths in :func:`pad`'s order, ``"same"`` or ``"valid"``).
    """
    return _conv(3, input, weight, bias, stride, padding, dilation, groups)




def _conv_transpose(nd: int, input: Any, weight: Any, bias: Any, stride: Any,  # noqa: A002
                    padding: Any, output_padding: Any, groups: Any, dilation: Any) -> Tensor:
    where = f"conv_transpose{nd}d"
    x, w = as_tensor(input), as_tensor(weight)
    _check_nd(x, nd, "input", where)
    _check_nd(w, nd, "weight", where)
    _check_kernel(w.shape[2:], where, f"weight of shape {w.shape}")
    s = _ntuple(stride, nd, "stride", where, 1)
    d = _ntuple(dilation, nd, "dilation", where, 1)
    cp = _ConvParams(s, _conv_padding(padding, nd, where), d, _groups(groups, where))
    op = _ntuple(output_padding, nd, "output_padding", where, 0)
    if any(o >= max(ss, dd) for o, ss, dd in zip(op, s, d)):
        raise ValueError(f"{where}: output_padding {op} must be smaller than the stride {s} "
                         f"or the dilation {d} (in each dimension)")
    f = ConvTransposeNd(cp, op)
    return f(x, w) if bias is None else f(x, w, bias)




@op(torch="conv_transpose1d")
def conv_transpose1d(input: Any, weight: Any, bias: Any = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """1-D transposed convolution of (N, Cin, L) inputs, PyTorch's ``F.conv_transpose1d``.

    ``weight`` is (Cin, Cout/groups, K); the other parameters are those of
    :func:`conv_transpose2d`, with one int per dimension.
    """
    return _conv_transpose(1, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


@op(torch="conv_transpose2d")
def conv_transpose2d(input: Any, weight: Any, bias: Any = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """Transposed convolution (the gradient of :func:`conv2d` w.r.t. its input), PyTorch's.

    Parameters
    ----------
    input : Tensor
        Shape (N, Cin, H, W).
    weight : Tensor
        Shape (Cin, Cout/groups, KH, KW) (PyTorch's layout).
    bias : Tensor, optional
        Shape (Cout,).
    stride, padding, dilation : int or pair of ints
        Those of the convolution this transposes (``padding`` may also be 4
        per-side widths, as in :func:`conv2d`).
    output_padding : int or pair of ints
        Extra rows/columns on the bottom/right; each must be smaller than the
        stride or the dilation of its dimension (PyTorch's limit).
    groups : int
        Channel groups.

    Returns
    -------
    Tensor
        Shape (N, Cout, (H-1)S - 2P + D(KH-1) + output_padding + 1, ...).
    """
    return _conv_transpose(2, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)


@op(torch="conv_transpose3d")
def conv_transpose3d(input: Any, weight: Any, bias: Any = None,  # noqa: A002
                     stride: Any = 1, padding: Any = 0, output_padding: Any = 0,
                     groups: int = 1, dilation: Any = 1) -> Tensor:
    """3-D transposed convolution of (N, Cin, D, H, W) inputs, PyTorch's ``F.conv_transpose3d``.

    ``weight`` is (Cin, Cout/groups, KD, KH, KW); the other parameters are those
    of :func:`conv_transpose2d`, with three ints per tuple.
    """
    return _conv_transpose(3, input, weight, bias, stride, padding, output_padding, groups,
                           dilation)




# ---------------------------------------------------------------------------
# Pooling.

def _pool_sizes(sp: tuple[int, ...], k: tuple[int, ...], s: tuple[int, ...],
                p: tuple[int, ...], d: tuple[int, ...], ceil_mode: bool,
                where: str) -> tuple[tuple[int, ...], Pads]:
    """Output sizes of a pooling and the (before, after) padding its windows read.

    With ``ceil_mode`` the last window may run past the padded input (PyTorch's rule:
    it must start inside the input or the left padding); the padding after grows
    to hold it.
    """
    out, pads = [], []
    for n, kk, ss, pp, dd in zip(sp, k, s, p, d):
        span = n + 2 * pp - dd * (kk - 1) - 1
        if ceil_mode:
            o = -(-span // ss) + 1
            if (o - 1) * ss >= n + pp:
                o -= 1
        else:
            o = span // ss + 1
        out.append(o)
        pads.append((pp, max(pp, (o - 1) * ss + dd * (kk - 1) + 1 - n - pp)))
    if min(out) < 1:
        x = "x".join
        raise ValueError(
            f"{where}: a kernel of {x(map(str, k))} (dilation {d}) does not fit the input of "
            f"spatial size {x(map(str, sp))} padded by {p}: the output would be "
            f"{x(map(str, out))}")
    return tuple(out), tuple(pads)


class MaxPoolNd(Function):
    """Max pooling over windows; ties go to the first maximum (row-major in the window).

    This is both PyTorch's CPU convention and the book's ``Pooling``
    (item 7.5). Padding is with ``-inf``. The flat index (``h*W + w`` in 2-D) of
    each window's maximum in its (n, c) input is kept as ``self.indices``. Shown
    as ``MaxPool1d``, ``MaxPool2d`` or ``MaxPool3d``.
    """

    def __init__(self, kernel: tuple[int, ...], stride: tuple[int, ...],
                 padding: tuple[int, ...], dilation: tuple[int, ...],
                 ceil_mode: bool = False) -> None:
        nd = len(kernel)
        self.kernel = _check_kernel(kernel, f"MaxPool{nd}d", f"kernel={kernel}")
        self.stride, self.padding, self.dilation = tuple(stride), tuple(padding), tuple(dilation)
        self.ceil_mode = ceil_mode
        self._indices: np.ndarray | None = None
        self._windows: _WindowArgmax | None = None

    @property
    def indices(self) -> np.ndarray | None:
        """The flat index (``h*W + w`` in 2-D) of each window's maximum, (N, C, *out) int64.

        None before the forward pass. The fast path of non-overlapping windows
        keeps only each maximum's position in its window and computes these when
        they are first read.
        """
        if self._indices is None and self._windows is not None:
            self._indices = self._windows.indices()
        return self._indices

    @indices.setter
    def indices(self, value: np.ndarray | None) -> None:
        self._indices, self._windows = value, None

    @property
    def name(self) -> str:
        """``MaxPool1d``, ``MaxPool2d``, ... by the number of spatial dimensions."""
        return f"MaxPool{len(self.kernel)}d"

    def forward(self, x: np.ndarray) -> np.ndarray:
        k, s, p, d = self.kernel, self.stride, self.padding, self.dilation
        nd = len(k)
        where = f"max_pool{nd}d"
        sp = x.shape[2:]
        out, pads = _pool_sizes(sp, k, s, p, d, self.ceil_mode, where)
        for size, o, kk, ss, pp, dd in zip(sp, out, k, s, p, d):
            pos = np.arange(o)[:, None] * ss + np.arange(kk) * dd - pp
            if not ((pos >= 0) & (pos < size)).any(axis=1).all():
                raise ValueError(
                    f"{where}: some windows lie entirely in the padding (kernel {k}, stride "
                    f"{s}, padding {p}, dilation {d}, input {'x'.join(map(str, sp))})")
        self._indices = self._windows = None
        if s == k and all(dd == 1 for dd in d) and not any(a or b for a, b in pads):
            # windows that tile the input: compared slice by slice, no window copy
            found = _tiled_max(x, k, out)
            if found is not None:  # (None: a NaN, whose first position the general path finds)
                y, self._windows = found
                return y
        y, self._indices = _strided_max(x, k, s, p, d, out, pads)
        return y

    def backward(self, gy: Tensor) -> Tensor:
        if self._windows is not None:
            return MaxPoolScatter(None, self.inputs[0].shape, self._windows)(gy)
        assert self.indices is not None
        return MaxPoolScatter(self.indices, self.inputs[0].shape)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                "dilation": self.dilation, "ceil_mode": self.ceil_mode}


def _strided_max(x: np.ndarray, k: tuple[int, ...], s: tuple[int, ...], p: tuple[int, ...],
                 d: tuple[int, ...], out: tuple[int, ...], pads: Pads,
                 ) -> tuple[np.ndarray, np.ndarray]:
    """Max pooling of any windows: the maxima and the flat index of each in its image.

    The windows of the ``-inf``-padded input are copied out of a strided view and
    ``argmax`` picks the first maximum of each (the first NaN, if any).
    """
    nd = len(k)
    n, c = x.shape[:2]
    sp = x.shape[2:]
    low = -np.inf if x.dtype.kind == "f" else (np.iinfo(x.dtype).min if x.dtype.kind in "iu"
                                               else 0)
    xp = _pad_nd(x, pads, low)
    st = xp.strides
    v = as_strided(xp, (n, c, *out, *k),
                   (st[0], st[1], *(a * b for a, b in zip(st[2:], s)),
                    *(a * b for a, b in zip(st[2:], d))), writeable=False)
    col = v.reshape(n, c, *out, int(np.prod(k)))
    arg = col.argmax(axis=-1)
    y = np.take_along_axis(col, arg[..., None], axis=-1)[..., 0]
    # window position -> flat index into the unpadded input
    kpos = np.unravel_index(arg, k) if nd > 1 else (arg,)
    flat: Any = 0
    for i in range(nd):
        start = (np.arange(out[i]) * s[i] - p[i]).reshape((-1,) + (1,) * (nd - 1 - i))
        term = kpos[i] * d[i] + start if d[i] != 1 else kpos[i] + start
        flat = term if i == 0 else flat * sp[i] + term
    return y, flat


def _cut(a: np.ndarray, axis: int, j: int, k: int, o: int) -> np.ndarray:
    """Along ``axis``: element ``j`` of each of the ``o`` tiling windows of size ``k``."""
    idx: list[slice] = [slice(None)] * a.ndim
    idx[axis] = slice(j, j + k * (o - 1) + 1, k)
    return a[tuple(idx)]


def _tiled_max(x: np.ndarray, k: tuple[int, ...], out: tuple[int, ...],
               ) -> tuple[np.ndarray, _WindowArgmax] | None:
    """Max pooling of windows that tile ``x`` (stride == kernel, no padding or dilation).

    One spatial axis at a time, last axis first, the ``k`` strided slices of that
    axis are compared elementwise (no window copy): a later slice wins only where it
    is strictly greater, so every tie goes to the first maximum in row-major order,
    as :class:`MaxPoolNd` promises. Which slice won is kept per axis (a bool for a
    side of 2), from which the gradient is spread back axis by axis and the flat
    indices are made when asked for. Returns the maxima and those choices, or None
    if a maximum is NaN (the general path then finds the first NaN, as ``argmax``
    does).
    """
    nd = len(k)
    v: np.ndarray = x
    # Floats whose sign bits are all clear (the output of a ReLU, say) are ordered as their
    # bit patterns read as integers, and NumPy's integer maximum runs several times faster
    # on strided slices than its float maximum; a (positive) NaN is the largest pattern, so
    # it still reaches the result. Otherwise the floats are compared as floats.
    bits = np.dtype(f"i{x.dtype.itemsize}") if x.dtype.kind == "f" else None
    if bits is not None and x.dtype.itemsize in (4, 8) and x.size and x.view(bits).min() >= 0:
        v = x.view(bits)
    chosen: list[np.ndarray | None] = [None] * nd
    for i in range(nd - 1, -1, -1):
        ax, kk, o = 2 + i, k[i], out[i]
        best = _cut(v, ax, 0, kk, o)
        sel: np.ndarray | None = None
        for j in range(1, kk):
            c = _cut(v, ax, j, kk, o)
            take = np.greater(c, best)
            # the result C-contiguous (the next op, e.g. a flatten, reads it in that order)
            res = np.empty(c.shape, dtype=c.dtype) if i == 0 and j == kk - 1 else None
            best = np.maximum(c, best, out=res)  # ties: NumPy returns the second operand
            # the later winner has the larger j, so the choice so far is a maximum
            sel = take if sel is None else np.maximum(
                sel, np.multiply(take, j, dtype=np.int8 if kk <= 127 else np.intp))
        chosen[i] = sel
        v = np.array(best) if kk == 1 else best
    v = v.view(x.dtype)
    if v.dtype.kind in "fc" and np.isnan(v).any():
        return None
    return v, _WindowArgmax(chosen, k, x.shape, x.strides)


class _WindowArgmax:
    """Where each maximum of tiling windows lies, as one choice per spatial axis.

    ``chosen[i]`` says, for axis ``i``, which of the ``kernel[i]`` slices of that
    axis held the maximum (a bool array for a side of 2, None for a side of 1);
    it has the shape of the array that axis was reduced from, with axes after
    ``i`` already reduced. The windows tile the input of ``shape`` from its
    origin (stride == kernel); its strides give the memory order of the
    gradient :meth:`scatter` writes.
    """

    def __init__(self, chosen: list[np.ndarray | None], kernel: tuple[int, ...],
                 shape: tuple[int, ...], strides: tuple[int, ...]) -> None:
        self.chosen, self.kernel, self.shape = chosen, tuple(kernel), tuple(shape)
        # the input's axes from the largest stride to the smallest (its memory order)
        self.order = tuple(int(i) for i in np.argsort([-abs(st) for st in strides],
                                                      kind="stable"))

    def _alloc(self, shape: tuple[int, ...], dtype: Any, zero: bool) -> np.ndarray:
        """An array of ``shape`` laid out in the input's memory order."""
        order = self.order
        a = (np.zeros if zero else np.empty)(tuple(shape[i] for i in order), dtype=dtype)
        return a.transpose(tuple(int(i) for i in np.argsort(order)))

    def _steps(self) -> list[tuple[int, int, int, int]]:
        """(axis, side, output size, input size) of each axis, in the order of the forward."""
        sp = self.shape[2:]
        nd = len(sp)
        out = [n // kk for n, kk in zip(sp, self.kernel)]
        return [(2 + i, self.kernel[i], out[i], sp[i]) for i in range(nd - 1, -1, -1)]

    def indices(self) -> np.ndarray:
        """The flat index into each (n, c) image of each maximum, as the general path gives."""
        sp = self.shape[2:]
        nd = len(sp)
        dt = np.dtype(np.int8) if int(np.prod(self.kernel)) <= 127 else np.dtype(np.intp)
        arg: Any = None  # each maximum's row-major position in its window, last axis first
        for (ax, kk, o, _), sel in zip(self._steps(), self.chosen[::-1]):
            weight = dt.type(int(np.prod(self.kernel[ax - 1:])))
            if sel is None:
                continue
            if arg is None:
                arg = np.multiply(sel, weight, dtype=dt)
                continue

            def cand(j: int, a: Any = arg, ax: int = ax, kk: int = kk, o: int = o) -> Any:
                return _cut(a, ax, j, kk, o)

            new: Any = np.array(cand(0), dtype=dt)
            for j in range(1, kk):
                new += (sel == j) * (cand(j) - cand(0) + dt.type(j) * weight)
            arg = new
        weights = [int(np.prod(sp[i + 1:])) for i in range(nd)]
        kpos = np.indices(self.kernel).reshape(nd, -1)
        offset = sum(kpos[i] * weights[i] for i in range(nd))  # in-window position -> offset
        out = tuple(n // kk for n, kk in zip(sp, self.kernel))
        base: Any = np.zeros((), dtype=np.int64)
        for i in range(nd):
            base = np.add.outer(base, np.arange(out[i], dtype=np.int64) * self.kernel[i]
                                * weights[i])
        flat = np.empty(self.shape[:2] + out, dtype=np.int64)
        if arg is None:  # a window of one element
            flat[...] = base
        else:
            np.add(np.take(offset.astype(np.int64), arg), base, out=flat)
        return flat

    def scatter(self, gy: np.ndarray) -> np.ndarray:
        """Each value of ``gy`` (N, C, *out) at its window's maximum, zeros elsewhere.

        The axes are spread back in the reverse order of the forward's reduction, each
        by one product per kernel position with the choice of that axis.
        """
        order = self.order
        inverse = tuple(int(i) for i in np.argsort(order))
        # every operand in one memory order (that of the choices, the input's): NumPy's
        # loops then run along rows, several times faster than over mixed orders
        g = np.ascontiguousarray(gy.transpose(order)).transpose(inverse)
        for (ax, kk, o, n), sel in zip(self._steps()[::-1], self.chosen):
            shape = list(g.shape)
            shape[ax] = n
            spread = self._alloc(tuple(shape), g.dtype, zero=n != o * kk)
            if sel is None:  # a side of 1
                _cut(spread, ax, 0, kk, o)[...] = g
                g = spread
                continue
            for j in range(kk):
                if sel.dtype == np.bool_:
                    mask = np.logical_not(sel) if j == 0 else sel
                else:
                    mask = sel == j
                np.multiply(g, mask, out=_cut(spread, ax, j, kk, o))
            g = spread
        return g


#: The name of the 2-D op before it took any number of dimensions.
MaxPool2d = MaxPoolNd


def _flat_index(idx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Global flat indices into an (N, C, *spatial) array from per-image indices (N, C, *out)."""
    n, c = shape[:2]
    size = int(np.prod(shape[2:]))
    base = np.arange(n * c).reshape((n, c) + (1,) * (idx.ndim - 2)) * size
    return (idx + base).ravel()


class MaxPoolScatter(Function):
    """Add each value to its window's argmax position (the backward of max pooling).

    ``indices`` are the flat positions (N, C, *out) of :attr:`MaxPoolNd.indices`;
    for windows that tile the input, ``windows`` (a :class:`_WindowArgmax`) may
    stand for them (``indices`` None, made when first read): the values are then
    spread back axis by axis with strided products instead of a scatter, into an
    array laid out in memory as the pooled input was.
    """

    def __init__(self, indices: np.ndarray | None, shape: tuple[int, ...],
                 windows: _WindowArgmax | None = None) -> None:
        if indices is None and windows is None:
            raise ValueError("MaxPoolScatter: give the indices or the windows")
        self._indices = indices
        self.windows = windows
        self.shape = shape

    @property
    def indices(self) -> np.ndarray:
        """The flat positions (N, C, *out) the values go to."""
        if self._indices is None:
            assert self.windows is not None
            self._indices = self.windows.indices()
        return self._indices

    def forward(self, gy: np.ndarray) -> np.ndarray:
        if self.windows is not None:
            return self.windows.scatter(gy)
        flat = _flat_index(self.indices, self.shape)
        size = int(np.prod(self.shape))
        out = np.bincount(flat, weights=gy.ravel(), minlength=size)
        return out.astype(gy.dtype, copy=False).reshape(self.shape)

    def backward(self, g: Tensor) -> Tensor:
        return MaxPoolGather(self.indices, self.shape)(g)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


class MaxPoolGather(Function):
    """Read each window's argmax position (the backward of :class:`MaxPoolScatter`)."""

    def __init__(self, indices: np.ndarray, shape: tuple[int, ...]) -> None:
        self.indices = indices
        self.shape = shape

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x.reshape(-1)[_flat_index(self.indices, self.shape)].reshape(self.indices.shape)

    def backward(self, g: Tensor) -> Tensor:
        return MaxPoolScatter(self.indices, self.shape)(g)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


def _pool_args(nd: int, kernel_size: Any, stride: Any, padding: Any, where: str,
               ) -> tuple[tuple[int, ...], tuple[int, ...], tuple[int, ...]]:
    k = _check_kernel(_ntuple(kernel_size, nd, "kernel_size", where, None), where,
                      f"kernel_size={kernel_size!r}")
    s = k if stride is None or (isinstance(stride, (tuple, list)) and len(stride) == 0) \
        else _ntuple(stride, nd, "stride", where, 1)
    p = _ntuple(padding, nd, "padding", where, 0)
    if any(pp > kk // 2 for pp, kk in zip(p, k)):
        raise ValueError(f"{where}: padding {p} must be at most half the kernel size {k}")
    return k, s, p


def _max_pool(nd: int, input: Any, kernel_size: Any, stride: Any, padding: Any,  # noqa: A002
              dilation: Any, ceil_mode: bool, return_indices: bool) -> Any:
    where = f"max_pool{nd}d"
    x = as_tensor(input)
    _check_nd(x, nd, "input", where)
    k, s, p = _pool_args(nd, kernel_size, stride, padding, where)
    f = MaxPoolNd(k, s, p, _ntuple(dilation, nd, "dilation", where, 1), bool(ceil_mode))
    y = f(x)
    if return_indices:
        return y, f.indices
    return y




@op(torch="max_pool1d")
def max_pool1d(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max pooling of (N, C, L) inputs, PyTorch's ``F.max_pool1d``.

    Parameters as in :func:`max_pool2d`, one int per dimension; the indices are
    positions along L.
    """
    return _max_pool(1, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


@op(torch="max_pool2d")
def max_pool2d(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max pooling of NCHW images, PyTorch's ``F.max_pool2d``.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W).
    kernel_size : int or pair of ints
        The window.
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.
    padding : int or pair of ints
        Implicit ``-inf`` padding, at most half the kernel.
    dilation : int or pair of ints
        Spacing of the window's elements.
    ceil_mode : bool
        Round the output size up (PyTorch's rule: a last, partial window is
        kept when it starts inside the input or the padding before it).
    return_indices : bool
        Also return the flat index (``h*W + w``) of each maximum.

    Returns
    -------
    Tensor, or (Tensor, numpy.ndarray)
        The pooled images (and the indices).

    Notes
    -----
    When a window holds several equal maxima, the first one in row-major
    order gets the value's whole gradient (PyTorch's CPU rule and the book's
    ``Pooling`` rule); gradients of overlapping windows add up.
    """
    return _max_pool(2, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)


@op(torch="max_pool3d")
def max_pool3d(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, dilation: Any = 1, ceil_mode: bool = False,
               return_indices: bool = False) -> Any:
    """Max pooling of (N, C, D, H, W) inputs, PyTorch's ``F.max_pool3d``.

    Parameters as in :func:`max_pool2d`, three ints per tuple; the indices are
    ``(d*H + h)*W + w``.
    """
    return _max_pool(3, input, kernel_size, stride, padding, dilation, ceil_mode,
                     return_indices)




def _window_slices(pos: tuple[int, ...], s: tuple[int, ...], out: tuple[int, ...],
                   ) -> tuple[slice, ...]:
    """The elements that kernel position ``pos`` reads for every output position."""
    return (slice(None), slice(None)) + tuple(
        slice(q, q + ss * (o - 1) + 1, ss) for q, ss, o in zip(pos, s, out))


class WindowSum(Function):
    """The sum of each window of (N, C, *spatial) (zero padding), the core of average pooling.

    One strided add per kernel position; the backward spreads the gradient back
    (:class:`WindowSpread`), whose backward is this op again.
    """

    def __init__(self, kernel: tuple[int, ...], stride: tuple[int, ...], padding: Pads,
                 out: tuple[int, ...]) -> None:
        self.kernel, self.stride, self.padding, self.out = kernel, stride, padding, out

    def forward(self, x: np.ndarray) -> np.ndarray:
        xp = _pad_nd(x, self.padding)
        y = None
        for pos in np.ndindex(*self.kernel):
            part = xp[_window_slices(pos, self.stride, self.out)]
            if y is None:
                y = np.array(part)
            else:
                y += part
        assert y is not None
        return y

    def backward(self, gy: Tensor) -> Tensor:
        return WindowSpread(self.kernel, self.stride, self.padding, self.inputs[0].shape)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride,
                "padding": _show_pads(self.padding)}


class WindowSpread(Function):
    """Add each value to every element of its window (the adjoint of :class:`WindowSum`)."""

    def __init__(self, kernel: tuple[int, ...], stride: tuple[int, ...], padding: Pads,
                 shape: tuple[int, ...]) -> None:
        self.kernel, self.stride, self.padding, self.shape = kernel, stride, padding, shape

    def forward(self, g: np.ndarray) -> np.ndarray:
        sp = self.shape[2:]
        img = np.zeros(self.shape[:2] + tuple(n + a + b for n, (a, b) in zip(sp, self.padding)),
                       dtype=g.dtype)
        for pos in np.ndindex(*self.kernel):
            img[_window_slices(pos, self.stride, g.shape[2:])] += g
        if any(a or b for a, b in self.padding):
            img = img[(slice(None), slice(None)) + tuple(
                slice(a, a + n) for n, (a, _) in zip(sp, self.padding))]
        return img

    def backward(self, gg: Tensor) -> Tensor:
        out = tuple(self.out_shape)
        return WindowSum(self.kernel, self.stride, self.padding, out)(gg)

    @property
    def out_shape(self) -> tuple[int, ...]:
        """The spatial size of the windowed side (the gradient's)."""
        return tuple(self.inputs[0].shape[2:])

    def attrs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride,
                "padding": _show_pads(self.padding), "shape": self.shape}


def _avg_pool(nd: int, input: Any, kernel_size: Any, stride: Any, padding: Any,  # noqa: A002
              ceil_mode: bool, count_include_pad: bool, divisor_override: Any) -> Tensor:
    where = f"avg_pool{nd}d"
    x = as_tensor(input)
    _check_nd(x, nd, "input", where)
    k, s, p = _pool_args(nd, kernel_size, stride, padding, where)
    if divisor_override is not None and (
            isinstance(divisor_override, bool)
            or not isinstance(divisor_override, (int, np.integer)) or divisor_override < 1):
        raise ValueError(f"{where}: divisor_override must be a positive int, got "
                         f"{divisor_override!r}")
    n, c = x.shape[:2]
    sp = x.shape[2:]
    out, pads = _pool_sizes(sp, k, s, p, (1,) * nd, bool(ceil_mode), where)
    dt = x.dtype if x.dtype.kind == "f" else np.dtype(np.float64)
    total = WindowSum(k, s, pads, out)(x)
    if divisor_override is not None:
        return total / dt.type(divisor_override)
    # the divisor of each window, separable by dimension (PyTorch's rule)
    count = np.ones((), dtype=dt)
    for size, o, kk, ss, pp in zip(sp, out, k, s, p):
        start = np.arange(o) * ss - pp
        end = np.minimum(start + kk, size + pp)
        if count_include_pad:
            m = end - start
        else:
            m = np.minimum(end, size) - np.maximum(start, 0)
        count = np.multiply.outer(count, m.astype(dt))
    if count.size and (count == count.flat[0]).all():
        return total / count.flat[0]  # every window the same size: one scalar
    return total / count




@op(torch="avg_pool1d")
def avg_pool1d(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Average pooling of (N, C, L) inputs, PyTorch's ``F.avg_pool1d``.

    Parameters as in :func:`avg_pool2d` (PyTorch's ``avg_pool1d`` has no
    ``divisor_override``).
    """
    return _avg_pool(1, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     None)


@op(torch="avg_pool2d")
def avg_pool2d(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Average pooling of NCHW images, PyTorch's ``F.avg_pool2d``.

    Computed as a convolution of each channel with a kernel of ones divided by
    the size of each window, so it is differentiable any number of times.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W).
    kernel_size : int or pair of ints
        The window.
    stride : int or pair of ints, optional
        Defaults to ``kernel_size``.
    padding : int or pair of ints
        Zero padding, at most half the kernel.
    ceil_mode : bool
        Round the output size up, as in :func:`max_pool2d`; the part of a
        last window that lies past the padding is not counted.
    count_include_pad : bool
        Count the zero padding in the average (PyTorch's default); False
        divides by the number of real elements of each window.
    divisor_override : int, optional
        Divide every window's sum by this instead.

    Returns
    -------
    Tensor
        The pooled images.
    """
    return _avg_pool(2, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)


@op(torch="avg_pool3d")
def avg_pool3d(input: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
               padding: Any = 0, ceil_mode: bool = False,
               count_include_pad: bool = True, divisor_override: int | None = None) -> Tensor:
    """Average pooling of (N, C, D, H, W) inputs, PyTorch's ``F.avg_pool3d``.

    Parameters as in :func:`avg_pool2d`, three ints per tuple.
    """
    return _avg_pool(3, input, kernel_size, stride, padding, ceil_mode, count_include_pad,
                     divisor_override)




class MaxUnpool(Function):
    """Put each value at its index in a zero output (the inverse of max pooling's indices).

    Several values at one index (overlapping windows with a common maximum)
    hold the same value; it is written once, as in PyTorch. The backward reads
    the gradient at the indices.
    """

    def __init__(self, indices: np.ndarray, shape: tuple[int, ...]) -> None:
        self.indices = indices
        self.shape = shape

    @property
    def name(self) -> str:
        """``MaxUnpool1d``, ``MaxUnpool2d``, ... by the number of spatial dimensions."""
        return f"MaxUnpool{len(self.shape) - 2}d"

    def forward(self, x: np.ndarray) -> np.ndarray:
        out = np.zeros(int(np.prod(self.shape)), dtype=x.dtype)
        out[_flat_index(self.indices, self.shape)] = x.ravel()
        return out.reshape(self.shape)

    def backward(self, g: Tensor) -> Tensor:
        return MaxPoolGather(self.indices, self.shape)(g)

    def attrs(self) -> dict[str, Any]:
        return {"shape": self.shape}


def _max_unpool(nd: int, input: Any, indices: Any, kernel_size: Any, stride: Any,  # noqa: A002
                padding: Any, output_size: Any) -> Tensor:
    where = f"max_unpool{nd}d"
    x = as_tensor(input)
    _check_nd(x, nd, "input", where)
    idx = np.asarray(indices.data if isinstance(indices, Tensor) else indices)
    if idx.dtype.kind not in "iu" or idx.shape != x.shape:
        raise ValueError(f"{where}: indices must be integers of the input's shape {x.shape}, "
                         f"got {idx.dtype} of shape {idx.shape}")
    k = _check_kernel(_ntuple(kernel_size, nd, "kernel_size", where, None), where,
                      f"kernel_size={kernel_size!r}")
    s = k if stride is None else _ntuple(stride, nd, "stride", where, 1)
    p = _ntuple(padding, nd, "padding", where, 0)
    sp = x.shape[2:]
    default = tuple((n - 1) * ss - 2 * pp + kk for n, ss, pp, kk in zip(sp, s, p, k))
    if output_size is None:
        size = default
    else:
        size = tuple(int(i) for i in output_size)
        if len(size) == nd + 2:
            size = size[2:]
        if len(size) != nd:
            raise ValueError(f"{where}: output_size must have {nd} (or {nd + 2}) elements, "
                             f"got {output_size!r}")
        if any(not (d - ss < o < d + ss) for o, d, ss in zip(size, default, s)):
            raise ValueError(f"{where}: output_size {size} must be within a stride {s} of "
                             f"{default}")
    total = int(np.prod(size))
    if idx.size and (idx.min() < 0 or idx.max() >= total):
        raise ValueError(f"{where}: indices must lie in [0, {total}) for the output size "
                         f"{size}, got values in [{idx.min()}, {idx.max()}]")
    return MaxUnpool(idx.astype(np.int64, copy=False), x.shape[:2] + size)(x)




@op(torch="max_unpool1d")
def max_unpool1d(input: Any, indices: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Undo :func:`max_pool1d`: each value back at its index, PyTorch's ``F.max_unpool1d``.

    Parameters as in :func:`max_unpool2d`, one int per dimension.
    """
    return _max_unpool(1, input, indices, kernel_size, stride, padding, output_size)


@op(torch="max_unpool2d")
def max_unpool2d(input: Any, indices: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Undo :func:`max_pool2d`: each value back at its index, zeros elsewhere.

    PyTorch's ``F.max_unpool2d``; the gradient is read back at the indices.

    Parameters
    ----------
    input : Tensor
        The pooled values, shape (N, C, H, W).
    indices : array_like of ints
        The flat indices that ``max_pool2d(..., return_indices=True)`` gave, of
        the input's shape.
    kernel_size, stride, padding : int or pair of ints
        Those of the pooling (``stride`` defaults to ``kernel_size``).
    output_size : tuple of ints, optional
        The spatial size of the result (the pooling's input size, within a
        stride of the default); by default ``(H - 1) * stride - 2 * padding +
        kernel_size`` per dimension.

    Returns
    -------
    Tensor
        Shape (N, C, *output_size).
    """
    return _max_unpool(2, input, indices, kernel_size, stride, padding, output_size)


@op(torch="max_unpool3d")
def max_unpool3d(input: Any, indices: Any, kernel_size: Any, stride: Any = None,  # noqa: A002
                 padding: Any = 0, output_size: Any = None) -> Tensor:
    """Undo :func:`max_pool3d`: each value back at its index, PyTorch's ``F.max_unpool3d``.

    Parameters as in :func:`max_unpool2d`, three ints per tuple.
    """
    return _max_unpool(3, input, indices, kernel_size, stride, padding, output_size)




def _adaptive_matrix(n_in: int, n_out: int, dtype: Any) -> np.ndarray:
    """(n_out, n_in) averaging matrix of PyTorch's adaptive pooling windows."""
    a = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start = (i * n_in) // n_out
        end = -((-(i + 1) * n_in) // n_out)
        a[i, start:end] = 1.0 / (end - start)
    return a


def _separable(x: Tensor, mats: list[np.ndarray]) -> Tensor:
    """Apply one (out, in) matrix along each spatial axis of ``x`` (N, C, *spatial)."""
    if len(mats) == 1:
        return matmul(x, mats[0].T)
    if len(mats) == 2:
        return matmul(matmul(mats[0], x), mats[1].T)
    n, c, d = x.shape[:3]
    rest = x.shape[3:]
    y = matmul(mats[0], reshape(x, (n, c, d, int(np.prod(rest)))))
    return _separable(reshape(y, (n, c * mats[0].shape[0]) + rest), mats[1:]).reshape(
        (n, c, mats[0].shape[0]) + tuple(m.shape[0] for m in mats[1:]))


def _adaptive_avg_pool(nd: int, input: Any, output_size: Any) -> Tensor:  # noqa: A002
    where = f"adaptive_avg_pool{nd}d"
    x = as_tensor(input)
    _check_nd(x, nd, "input", where)
    if isinstance(output_size, (tuple, list)) and len(output_size) == nd:
        output_size = tuple(x.shape[2 + i] if v is None else v
                            for i, v in enumerate(output_size))
    o = _ntuple(output_size, nd, "output_size", where, 1)
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    return _separable(x, [_adaptive_matrix(n, m, dt) for n, m in zip(x.shape[2:], o)])




@op(torch="adaptive_avg_pool1d")
def adaptive_avg_pool1d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling of (N, C, L) to a given length, PyTorch's ``F.adaptive_avg_pool1d``.

    The windows of :func:`adaptive_avg_pool2d`, along one axis.
    """
    return _adaptive_avg_pool(1, input, output_size)


@op(torch="adaptive_avg_pool2d")
def adaptive_avg_pool2d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling to a given output size, PyTorch's ``F.adaptive_avg_pool2d``.

    Window ``i`` of a length-``n`` axis covers ``floor(i*n/m)`` to
    ``ceil((i+1)*n/m)``; the pooling is computed as ``A_h @ x @ A_w.T`` with
    averaging matrices, so it is exact and twice differentiable.
    """
    return _adaptive_avg_pool(2, input, output_size)


@op(torch="adaptive_avg_pool3d")
def adaptive_avg_pool3d(input: Any, output_size: Any) -> Tensor:  # noqa: A002
    """Average pooling of (N, C, D, H, W) to a given size, PyTorch's ``F.adaptive_avg_pool3d``.

    The windows of :func:`adaptive_avg_pool2d`, along three axes (``None`` in
    ``output_size`` keeps that axis).
    """
    return _adaptive_avg_pool(3, input, output_size)




# ``pad``, ``np_pad`` and ``interpolate`` lived here; they are in minigrad.ops.padding now.
__getattr__ = forward_names(__name__, dict.fromkeys(
    ["ConstantPad", "np_pad", "pad", "interpolate"], "minigrad.ops.padding"))
