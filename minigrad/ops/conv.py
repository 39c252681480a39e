"""Convolution, pooling and unfold/fold of NCHW images (padding and resizing: ``padding``).

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

Each op is one :class:`~minigrad.Function` whose ``backward`` is written
with the other ops, so gradients of gradients work:

* ``conv2d``'s input gradient is ``conv_transpose2d`` of the output
  gradient, its weight gradient is :class:`Conv2dWeightGrad`, and the
  backward of each of these is again made of ``conv2d`` and
  ``conv_transpose2d``;
* ``unfold`` / ``fold`` and ``im2col`` / ``col2im`` are adjoint pairs (the
  backward of one is the other);
* ``max_pool2d``'s backward scatters to the recorded argmax positions, and
  the backward of the scatter gathers from them;
* ``avg_pool2d`` and ``adaptive_avg_pool2d`` are compositions of those
  ops, ``matmul``, ``mean`` and indexing (as are ``interpolate`` and the
  index padding modes, in :mod:`minigrad.ops.padding`).
"""

from __future__ import annotations

from typing import Any

import numpy as np
from numpy.lib.stride_tricks import as_strided

from minigrad._moved import forward_names
from minigrad.autograd import Function, Released
from minigrad.ops.catalogue import op
from minigrad.ops.linalg import matmul
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor, as_tensor

__all__ = [
    "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d",
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
        raise TypeError(f"{where}: {name} must be an int or a pair of ints, got {v!r}")
    if minimum is not None and (p[0] < minimum or p[1] < minimum):
        raise ValueError(f"{where}: {name} must be >= {minimum}, got {v!r}")
    return p


def _check_kernel(kernel: tuple[int, ...], where: str, what: str) -> Pair:
    """Refuse a kernel with a side below 1: the one check of every conv, pool and fold op.

    ``what`` says where the size came from (``"kernel_size=0"``, ``"weight of shape
    (4, 3, 0, 0)"``); PyTorch refuses such kernels too.
    """
    kh, kw = int(kernel[0]), int(kernel[1])
    if kh < 1 or kw < 1:
        raise ValueError(f"{where}: the kernel size must be greater than zero, got {kh}x{kw} "
                         f"({what})")
    return kh, kw


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
# Convolution: conv2d, conv_transpose2d and the weight gradient, closed under backward.

class _ConvParams:
    """Stride, padding, dilation and groups of one convolution."""

    __slots__ = ("stride", "padding", "dilation", "groups")

    def __init__(self, stride: Pair, padding: Pair, dilation: Pair, groups: int) -> None:
        self.stride, self.padding, self.dilation, self.groups = stride, padding, dilation, groups

    def attrs(self) -> dict[str, Any]:
        return {"stride": self.stride, "padding": self.padding, "dilation": self.dilation,
                "groups": self.groups}

    def output_padding(self, in_hw: tuple[int, ...], out_hw: tuple[int, ...],
                       k: tuple[int, ...]) -> Pair:
        """The ``output_padding`` that makes a transposed convolution of out_hw give in_hw."""
        s, p, d = self.stride, self.padding, self.dilation
        return (in_hw[0] + 2 * p[0] - ((out_hw[0] - 1) * s[0] + d[0] * (k[0] - 1) + 1),
                in_hw[1] + 2 * p[1] - ((out_hw[1] - 1) * s[1] + d[1] * (k[1] - 1) + 1))


def _im2col_cm(x: np.ndarray, k: Pair, s: Pair, p: Pair, d: Pair, out: Pair) -> np.ndarray:
    """The transposed im2col matrix (C*KH*KW, N*OH*OW) used by the convolutions (one copy).

    Row order (channel, kernel row, kernel column) as the book's columns; column order
    (image, output row, output column) as the book's rows. Copying in this order reads
    the input along its rows (the output column is the innermost axis), which measured
    faster than the book's order, whose innermost axis is the short kernel row.
    """
    xp = x if p == (0, 0) else _pad_array(x, p)
    sn, sc, sh, sw = xp.strides
    n, c = xp.shape[:2]
    v = as_strided(xp, (c, k[0], k[1], n, out[0], out[1]),
                   (sc, sh * d[0], sw * d[1], sn, sh * s[0], sw * s[1]), writeable=False)
    return v.reshape(c * k[0] * k[1], n * out[0] * out[1])


def _col2im_cm(col: np.ndarray, shape: tuple[int, ...], k: Pair, s: Pair, p: Pair, d: Pair,
               out: Pair) -> np.ndarray:
    """Add the columns of a (C*KH*KW, N*OH*OW) matrix back into an image of ``shape``.

    The adjoint of :func:`_im2col_cm`; the result is an (N, C, H, W) view of a
    channel-major array.
    """
    n, c, h, w = shape
    oh, ow = out
    img = np.zeros((c, n, h + 2 * p[0], w + 2 * p[1]), dtype=col.dtype)
    t = col.reshape(c, k[0], k[1], n, oh, ow)
    for ky in range(k[0]):
        y0 = ky * d[0]
        ys = slice(y0, y0 + s[0] * (oh - 1) + 1, s[0])
        for kx in range(k[1]):
            x0 = kx * d[1]
            img[:, :, ys, x0:x0 + s[1] * (ow - 1) + 1:s[1]] += t[:, ky, kx]
    if p != (0, 0):
        img = img[:, :, p[0]:p[0] + h, p[1]:p[1] + w]
    return img.transpose(1, 0, 2, 3)


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
    """Return conv2d(x, w) + b in NCHW and the (transposed) im2col matrix it used."""
    n, c = x.shape[:2]
    fn, cg, kh, kw = w.shape
    _check_kernel((kh, kw), where, f"weight of shape {w.shape}")
    g = cp.groups
    if c != cg * g or fn % g:
        raise ValueError(
            f"{where}: input with {c} channels and weight of shape {w.shape} with groups={g} "
            f"do not match (need C == weight.shape[1] * groups and weight.shape[0] divisible "
            f"by groups)")
    oh, ow = _out_hw(x.shape, (kh, kw), cp.stride, cp.padding, cp.dilation, where)
    col = _im2col_cm(x, (kh, kw), cp.stride, cp.padding, cp.dilation, (oh, ow))
    y = _block_matmul(w.reshape(fn, cg * kh * kw), col, g)  # (FN, N*OH*OW)
    if b is not None:
        if b.shape != (fn,):
            raise ValueError(f"{where}: bias must have shape ({fn},), got {b.shape}")
        if b.dtype == y.dtype:
            y += b[:, None]  # in place: no second output-sized array
        else:
            y = y + b[:, None]
    return y.reshape(fn, n, oh, ow).transpose(1, 0, 2, 3), col


def _conv_transpose_forward(x: np.ndarray, w: np.ndarray, cp: _ConvParams,
                            out_hw: Pair) -> np.ndarray:
    """Return the transposed convolution of x (N, Cin, H, W) with w (Cin, Coutg, KH, KW)."""
    n, cin, h, wd = x.shape
    _, coutg, kh, kw = w.shape
    g = cp.groups
    rows = x.transpose(1, 0, 2, 3).reshape(cin, n * h * wd)
    cing = cin // g
    w3 = w.reshape(g, cing, coutg * kh * kw).transpose(0, 2, 1).reshape(g * coutg * kh * kw,
                                                                       cing)
    col = _block_matmul(w3, rows, g)  # (Cout*KH*KW, N*H*W)
    return _col2im_cm(col, (n, g * coutg) + tuple(out_hw), (kh, kw), cp.stride, cp.padding,
                      cp.dilation, (h, wd))


def _weight_grad(col: np.ndarray, gy: np.ndarray, wshape: tuple[int, ...],
                 groups: int) -> np.ndarray:
    """dL/dW of a convolution from its (transposed) im2col matrix and gy (N, FN, OH, OW)."""
    fn, cg, kh, kw = wshape
    rows = gy.transpose(1, 0, 2, 3).reshape(fn, -1)  # (FN, N*OH*OW)
    if groups == 1:
        return (rows @ col.T).reshape(wshape)
    fng, k = fn // groups, cg * kh * kw
    out = np.empty((fn, k), dtype=np.result_type(rows, col))
    for g in range(groups):
        np.matmul(rows[g * fng:(g + 1) * fng], col[g * k:(g + 1) * k].T,
                  out=out[g * fng:(g + 1) * fng])
    return out.reshape(wshape)


class Conv2d(Function):
    """2-D cross-correlation of NCHW images (PyTorch's ``conv2d``), via im2col and one matmul.

    Inputs ``x`` (N, C, H, W), ``weight`` (FN, C/groups, KH, KW) and an
    optional ``bias`` (FN,). The im2col matrix of the forward pass is kept
    for the weight gradient (as the book's ``Convolution`` keeps ``col``)
    and dropped by the first backward (a retained graph recomputes it).
    """

    def __init__(self, cp: _ConvParams) -> None:
        self.cp = cp
        self._col: np.ndarray | None = None

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        y, col = _conv_forward(x, w, b, self.cp, "conv2d")
        self._col = col
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        gx = gw = None
        if needs[0]:
            op = self.cp.output_padding(x.shape[-2:], gy.shape[-2:], w.shape[-2:])
            gx = ConvTranspose2d(self.cp, op)(gy, w)
        if needs[1]:
            # the kept matrix serves the first backward only (a retained graph recomputes it)
            col, self._col = self._col, None
            gw = Conv2dWeightGrad(self.cp, w.shape, col)(x, gy)
        if len(self.inputs) == 2:
            return gx, gw
        gb = gy.sum(axis=(0, 2, 3)) if needs[2] else None
        return gx, gw, gb

    def release(self, reason: Released, cause: Any = None, op: str = "") -> None:
        """Drop the saved inputs and the kept im2col matrix (see :meth:`Function.release`)."""
        super().release(reason, cause, op)
        self._col = None

    def attrs(self) -> dict[str, Any]:
        return self.cp.attrs()


class ConvTranspose2d(Function):
    """Transposed convolution (PyTorch's ``conv_transpose2d``): the adjoint of :class:`Conv2d` in x.

    Inputs ``x`` (N, Cin, H, W), ``weight`` (Cin, Cout/groups, KH, KW) and an
    optional ``bias`` (Cout,).
    """

    def __init__(self, cp: _ConvParams, output_padding: Pair) -> None:
        self.cp = cp
        self.output_padding = output_padding

    def forward(self, x: np.ndarray, w: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:
        cp = self.cp
        _check_kernel(w.shape[2:], "conv_transpose2d", f"weight of shape {w.shape}")
        if x.shape[1] != w.shape[0] or w.shape[0] % cp.groups:
            raise ValueError(
                f"conv_transpose2d: input with {x.shape[1]} channels and weight of shape "
                f"{w.shape} with groups={cp.groups} do not match (need C == weight.shape[0], "
                f"divisible by groups)")
        out = tuple(
            (x.shape[2 + i] - 1) * cp.stride[i] - 2 * cp.padding[i]
            + cp.dilation[i] * (w.shape[2 + i] - 1) + self.output_padding[i] + 1
            for i in range(2))
        if out[0] < 1 or out[1] < 1:
            raise ValueError(f"conv_transpose2d: the output size would be {out}")
        y = _conv_transpose_forward(x, w, cp, (out[0], out[1]))
        if b is not None:
            if b.shape != (y.shape[1],):
                raise ValueError(
                    f"conv_transpose2d: bias must have shape ({y.shape[1]},), got {b.shape}")
            y += b.reshape(-1, 1, 1)
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x, w = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        gx = gw = None
        if needs[0]:
            gx = Conv2d(self.cp)(gy, w)
        if needs[1]:
            gw = Conv2dWeightGrad(self.cp, w.shape, None)(gy, x)
        if len(self.inputs) == 2:
            return gx, gw
        gb = gy.sum(axis=(0, 2, 3)) if needs[2] else None
        return gx, gw, gb

    def attrs(self) -> dict[str, Any]:
        return {**self.cp.attrs(), "output_padding": self.output_padding}


class Conv2dWeightGrad(Function):
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

    def forward(self, x: np.ndarray, gy: np.ndarray) -> np.ndarray:
        col = self._col
        self._col = None
        if col is None:
            kh, kw = self.wshape[2], self.wshape[3]
            col = _im2col_cm(x, (kh, kw), self.cp.stride, self.cp.padding, self.cp.dilation,
                             (gy.shape[2], gy.shape[3]))
        return _weight_grad(col, gy, self.wshape, self.cp.groups)

    def backward(self, ggw: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, gy = self.inputs
        gx = ggy = None
        if self.needs_input_grad[0]:
            op = self.cp.output_padding(x.shape[-2:], gy.shape[-2:], self.wshape[-2:])
            gx = ConvTranspose2d(self.cp, op)(gy, ggw)
        if self.needs_input_grad[1]:
            ggy = Conv2d(self.cp)(x, ggw)
        return gx, ggy

    def attrs(self) -> dict[str, Any]:
        return {**self.cp.attrs(), "weight_shape": self.wshape}


def _conv_params(stride: Any, padding: Any, dilation: Any, groups: Any,
                 where: str) -> _ConvParams:
    if isinstance(groups, bool) or not isinstance(groups, (int, np.integer)) or groups < 1:
        raise ValueError(f"{where}: groups must be a positive int, got {groups!r}")
    return _ConvParams(_pair(stride, "stride", where, 1), _pair(padding, "padding", where, 0),
                       _pair(dilation, "dilation", where, 1), int(groups))


@op(torch="conv2d")
def conv2d(input: Any, weight: Any, bias: Any = None, stride: IntOrPair = 1,  # noqa: A002
           padding: IntOrPair = 0, dilation: IntOrPair = 1, groups: int = 1) -> Tensor:
    """2-D convolution (cross-correlation, no kernel flip), PyTorch's ``F.conv2d``.

    Parameters
    ----------
    input : Tensor
        Images (N, C, H, W).
    weight : Tensor
        Filters (FN, C/groups, KH, KW).
    bias : Tensor, optional
        One value per filter, shape (FN,).
    stride, padding, dilation : int or pair of ints
        Step of the window, zero padding on both sides, spacing of kernel taps.
    groups : int
        Split the channels into ``groups`` independent convolutions.

    Returns
    -------
    Tensor
        Shape (N, FN, OH, OW) with ``OH = (H + 2P - D(KH-1) - 1) // S + 1``.

    Notes
    -----
    Computed as the book does: ``im2col(x) @ W.reshape(FN, -1).T``, then
    reshaped to (N, OH, OW, FN) and transposed to NCHW (the result is that
    transposed view, as in the book's ``Convolution``).

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> x = np.arange(16.0).reshape(1, 1, 4, 4)
    >>> F.conv2d(x, np.ones((1, 1, 3, 3))).data[0, 0]
    array([[45., 54.],
           [81., 90.]])
    """
    x, w = as_tensor(input), as_tensor(weight)
    _check_4d(x, "input", "conv2d")
    _check_4d(w, "weight", "conv2d")
    _check_kernel(w.shape[2:], "conv2d", f"weight of shape {w.shape}")
    f = Conv2d(_conv_params(stride, padding, dilation, groups, "conv2d"))
    return f(x, w) if bias is None else f(x, w, bias)


@op(torch="conv_transpose2d")
def conv_transpose2d(input: Any, weight: Any, bias: Any = None,  # noqa: A002
                     stride: IntOrPair = 1, padding: IntOrPair = 0,
                     output_padding: IntOrPair = 0, groups: int = 1,
                     dilation: IntOrPair = 1) -> Tensor:
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
        Those of the convolution this transposes.
    output_padding : int or pair of ints
        Extra rows/columns on the bottom/right; must be smaller than the
        stride (stricter than PyTorch, which also allows it below the dilation).
    groups : int
        Channel groups.

    Returns
    -------
    Tensor
        Shape (N, Cout, (H-1)S - 2P + D(KH-1) + output_padding + 1, ...).
    """
    x, w = as_tensor(input), as_tensor(weight)
    _check_4d(x, "input", "conv_transpose2d")
    _check_4d(w, "weight", "conv_transpose2d")
    _check_kernel(w.shape[2:], "conv_transpose2d", f"weight of shape {w.shape}")
    cp = _conv_params(stride, padding, dilation, groups, "conv_transpose2d")
    op = _pair(output_padding, "output_padding", "conv_transpose2d", 0)
    if op[0] >= cp.stride[0] or op[1] >= cp.stride[1]:
        raise ValueError(f"conv_transpose2d: output_padding {op} must be smaller than the "
                         f"stride {cp.stride}")
    f = ConvTranspose2d(cp, op)
    return f(x, w) if bias is None else f(x, w, bias)


# ---------------------------------------------------------------------------
# Pooling.

class MaxPool2d(Function):
    """Max pooling over windows; ties go to the first maximum (row-major in the window).

    This is both PyTorch's CPU convention and the book's ``Pooling``
    (item 7.5). Padding is with ``-inf``. The flat index (``h*W + w``) of each
    window's maximum in its (n, c) image is kept as ``self.indices``.
    """

    def __init__(self, kernel: Pair, stride: Pair, padding: Pair, dilation: Pair) -> None:
        self.kernel = _check_kernel(kernel, "MaxPool2d", f"kernel={kernel}")
        self.stride, self.padding, self.dilation = stride, padding, dilation
        self.indices: np.ndarray | None = None

    def forward(self, x: np.ndarray) -> np.ndarray:
        k, s, p, d = self.kernel, self.stride, self.padding, self.dilation
        n, c, h, w = x.shape
        oh, ow = _out_hw(x.shape, k, s, p, d, "max_pool2d")
        for axis, (size, o) in enumerate(((h, oh), (w, ow))):
            pos = np.arange(o)[:, None] * s[axis] + np.arange(k[axis]) * d[axis] - p[axis]
            if not ((pos >= 0) & (pos < size)).any(axis=1).all():
                raise ValueError(
                    f"max_pool2d: some windows lie entirely in the padding (kernel {k}, stride "
                    f"{s}, padding {p}, dilation {d}, input {h}x{w})")
        low = -np.inf if x.dtype.kind == "f" else (np.iinfo(x.dtype).min if x.dtype.kind in "iu"
                                                   else 0)
        xp = _pad_array(x, p, low)
        v = _windows(xp, k, s, d, (oh, ow)).transpose(0, 3, 1, 2, 4, 5)  # N, C, OH, OW, KH, KW
        col = v.reshape(n, c, oh, ow, k[0] * k[1])
        arg = col.argmax(axis=-1)
        y = np.take_along_axis(col, arg[..., None], axis=-1)[..., 0]
        # window position -> flat index into the unpadded image
        ky, kx = np.divmod(arg, k[1])
        iy = np.arange(oh).reshape(-1, 1) * s[0] + ky * d[0] - p[0]
        ix = np.arange(ow) * s[1] + kx * d[1] - p[1]
        self.indices = iy * w + ix
        return y

    def backward(self, gy: Tensor) -> Tensor:
        assert self.indices is not None
        return MaxPoolScatter(self.indices, self.inputs[0].shape)(gy)

    def attrs(self) -> dict[str, Any]:
        return {"kernel_size": self.kernel, "stride": self.stride, "padding": self.padding,
                "dilation": self.dilation}


def _flat_index(idx: np.ndarray, shape: tuple[int, ...]) -> np.ndarray:
    """Global flat indices into an (N, C, H, W) array from per-image indices (N, C, OH, OW)."""
    n, c, h, w = shape
    base = (np.arange(n * c).reshape(n, c, 1, 1)) * (h * w)
    return (idx + base).ravel()


class MaxPoolScatter(Function):
    """Add each value to its window's argmax position (the backward of max pooling)."""

    def __init__(self, indices: np.ndarray, shape: tuple[int, ...]) -> None:
        self.indices = indices
        self.shape = shape

    def forward(self, gy: np.ndarray) -> np.ndarray:
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


@op(torch="max_pool2d")
def max_pool2d(input: Any, kernel_size: IntOrPair, stride: IntOrPair | None = None,  # noqa: A002
               padding: IntOrPair = 0, dilation: IntOrPair = 1, ceil_mode: bool = False,
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
        Only False is supported.
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
    x = as_tensor(input)
    _check_4d(x, "input", "max_pool2d")
    if ceil_mode:
        raise NotImplementedError("max_pool2d: ceil_mode=True is not supported")
    k = _kernel_size(kernel_size, "kernel_size", "max_pool2d")
    s = k if stride is None else _pair(stride, "stride", "max_pool2d", 1)
    p = _pair(padding, "padding", "max_pool2d", 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"max_pool2d: padding {p} must be at most half the kernel size {k}")
    f = MaxPool2d(k, s, p, _pair(dilation, "dilation", "max_pool2d", 1))
    y = f(x)
    if return_indices:
        return y, f.indices
    return y


@op(torch="avg_pool2d")
def avg_pool2d(input: Any, kernel_size: IntOrPair, stride: IntOrPair | None = None,  # noqa: A002
               padding: IntOrPair = 0, ceil_mode: bool = False,
               count_include_pad: bool = True) -> Tensor:
    """Average pooling of NCHW images, PyTorch's ``F.avg_pool2d``.

    Computed as the mean of :func:`unfold`'s windows, so it is differentiable
    any number of times. Padding is with zeros, counted in the average
    (``count_include_pad=True``, PyTorch's default; False divides by the
    number of real elements of each window).
    """
    x = as_tensor(input)
    _check_4d(x, "input", "avg_pool2d")
    if ceil_mode:
        raise NotImplementedError("avg_pool2d: ceil_mode=True is not supported")
    k = _kernel_size(kernel_size, "kernel_size", "avg_pool2d")
    s = k if stride is None else _pair(stride, "stride", "avg_pool2d", 1)
    p = _pair(padding, "padding", "avg_pool2d", 0)
    if p[0] > k[0] // 2 or p[1] > k[1] // 2:
        raise ValueError(f"avg_pool2d: padding {p} must be at most half the kernel size {k}")
    n, c, h, w = x.shape
    oh, ow = _out_hw(x.shape, k, s, p, (1, 1), "avg_pool2d")
    cols = reshape(Unfold(k, s, p, (1, 1))(x), (n, c, k[0] * k[1], oh * ow))
    if count_include_pad or p == (0, 0):
        y = cols.mean(axis=2)
    else:
        ones = np.ones((1, 1, h, w), dtype=x.dtype)
        counts = Unfold(k, s, p, (1, 1)).forward(ones).reshape(1, k[0] * k[1], oh * ow).sum(1)
        y = cols.sum(axis=2) / counts
    return reshape(y, (n, c, oh, ow))


def _adaptive_matrix(n_in: int, n_out: int, dtype: Any) -> np.ndarray:
    """(n_out, n_in) averaging matrix of PyTorch's adaptive pooling windows."""
    a = np.zeros((n_out, n_in), dtype=dtype)
    for i in range(n_out):
        start = (i * n_in) // n_out
        end = -((-(i + 1) * n_in) // n_out)
        a[i, start:end] = 1.0 / (end - start)
    return a


@op(torch="adaptive_avg_pool2d")
def adaptive_avg_pool2d(input: Any, output_size: IntOrPair) -> Tensor:  # noqa: A002
    """Average pooling to a given output size, PyTorch's ``F.adaptive_avg_pool2d``.

    Window ``i`` of a length-``n`` axis covers ``floor(i*n/m)`` to
    ``ceil((i+1)*n/m)``; the pooling is computed as ``A_h @ x @ A_w.T`` with
    averaging matrices, so it is exact and twice differentiable.
    """
    x = as_tensor(input)
    _check_4d(x, "input", "adaptive_avg_pool2d")
    if isinstance(output_size, (tuple, list)):
        oh = x.shape[2] if output_size[0] is None else output_size[0]
        ow = x.shape[3] if output_size[1] is None else output_size[1]
        output_size = (oh, ow)
    o = _pair(output_size, "output_size", "adaptive_avg_pool2d", 1)
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    ah = _adaptive_matrix(x.shape[2], o[0], dt)
    aw = _adaptive_matrix(x.shape[3], o[1], dt)
    return matmul(matmul(ah, x), aw.T)


# ``pad``, ``np_pad`` and ``interpolate`` lived here; they are in minigrad.ops.padding now.
__getattr__ = forward_names(__name__, dict.fromkeys(
    ["ConstantPad", "np_pad", "pad", "interpolate"], "minigrad.ops.padding"))
