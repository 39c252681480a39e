"""Padding and resizing: ``pad`` (PyTorch's), ``np_pad`` (NumPy's ``pad``) and ``interpolate``.

Constant padding is one op whose backward crops the gradient; the index modes
(reflect, replicate/edge, circular/wrap, symmetric) and the resizing are compositions of
indexing, ``cat`` and ``matmul``, so they differentiate any number of times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.catalogue import op
from minigrad.ops.conv import IntOrPair, _check_4d, _pair
from minigrad.ops.linalg import matmul
from minigrad.ops.shape import getitem
from minigrad.tensor import Tensor, as_tensor

__all__ = ["pad", "np_pad", "interpolate"]


class ConstantPad(Function):
    """Pad with a constant (NumPy ``pad_width``); backward crops the gradient."""

    def __init__(self, pad_width: tuple[tuple[int, int], ...], value: float) -> None:
        self.pad_width = pad_width
        self.value = value

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.pad(x, self.pad_width, constant_values=self.value)

    def backward(self, gy: Tensor) -> Tensor:
        index = tuple(slice(a, n - b) for (a, b), n in zip(self.pad_width, gy.shape))
        return getitem(gy, index)

    def attrs(self) -> dict[str, Any]:
        return {"pad_width": self.pad_width, "value": self.value}


_NP_INDEX_MODES = ("reflect", "symmetric", "edge", "wrap")


def _normalize_pad_width(pad_width: Any, ndim: int) -> tuple[tuple[int, int], ...]:
    try:
        pw = np.broadcast_to(np.asarray(pad_width, dtype=object), (ndim, 2))
    except ValueError:
        raise ValueError(f"pad: pad_width {pad_width!r} does not fit a {ndim}-D array") from None
    out = []
    for a, b in pw:
        if isinstance(a, bool) or isinstance(b, bool) or not isinstance(
                a, (int, np.integer)) or not isinstance(b, (int, np.integer)):
            raise TypeError(f"pad: pad_width must hold ints, got {pad_width!r}")
        if a < 0 or b < 0:
            raise ValueError(f"pad: pad_width must be >= 0, got {pad_width!r}")
        out.append((int(a), int(b)))
    return tuple(out)


@op("pad", mg=True, functional=False)
def np_pad(array: Any, pad_width: Any, mode: str = "constant", constant_values: float = 0,
           ) -> Tensor:
    """Pad a tensor like ``numpy.pad`` (exposed as ``mg.pad``), differentiably.

    Parameters
    ----------
    array : Tensor or array_like
        The tensor to pad.
    pad_width : int, pair or sequence of pairs
        ``((before_0, after_0), ...)`` per axis, NumPy's broadcasting rules.
    mode : {"constant", "reflect", "symmetric", "edge", "wrap"}
        As in NumPy.
    constant_values : float
        The fill value of ``"constant"``.

    Returns
    -------
    Tensor
        The padded tensor. The index modes are gathers whose gradient adds
        up over the copies.

    Examples
    --------
    >>> import minigrad as mg
    >>> mg.pad(mg.tensor([1.0, 2.0, 3.0]), (2, 1), mode="reflect").data
    array([3., 2., 1., 2., 3., 2.])
    """
    x = as_tensor(array)
    pw = _normalize_pad_width(pad_width, x.ndim)
    if mode == "constant":
        if all(a == 0 and b == 0 for a, b in pw):
            return x
        return ConstantPad(pw, float(constant_values))(x)
    if mode not in _NP_INDEX_MODES:
        raise ValueError(f"pad: unknown mode {mode!r}; use 'constant' or one of "
                         f"{list(_NP_INDEX_MODES)}")
    y = x
    for axis, (a, b) in enumerate(pw):
        if a == 0 and b == 0:
            continue
        if x.shape[axis] == 0:
            raise ValueError(f"pad: cannot pad the empty axis {axis} in mode {mode!r}")
        idx = np.pad(np.arange(x.shape[axis]), (a, b), mode=mode)  # type: ignore[call-overload]
        y = getitem(y, (slice(None),) * axis + (idx,))
    return y


def _crop(x: Tensor, pw: list[tuple[int, int]]) -> Tensor:
    """``x`` with ``(before, after)`` elements cut from each axis (widths >= 0)."""
    if all(a == 0 and b == 0 for a, b in pw):
        return x
    return getitem(x, tuple(slice(a, n - b) for (a, b), n in zip(pw, x.shape)))


@op(torch="pad")
def pad(input: Any, pad: Any, mode: str = "constant", value: float = 0.0) -> Tensor:  # noqa: A002
    """Pad the last dimensions, PyTorch's ``F.pad``; negative widths crop.

    Parameters
    ----------
    input : Tensor
        The tensor to pad.
    pad : sequence of ints
        ``(left, right, top, bottom, ...)``: pairs for the last axis first,
        then the one before, and so on (PyTorch's order). A negative width
        removes that many elements from that side instead, as in PyTorch.
    mode : {"constant", "reflect", "replicate", "circular"}
        ``reflect`` mirrors without repeating the edge (each pad must be
        smaller than the axis), ``replicate`` repeats the edge, ``circular`` wraps.
        With negative widths, ``reflect`` and ``replicate`` pad the input and then
        crop (the result keeps at least one element), ``constant`` and ``circular``
        crop first (``circular`` then wraps the cropped axis), as PyTorch does.
    value : float
        Fill value of ``"constant"``.

    Returns
    -------
    Tensor
        The padded (or cropped) tensor.

    Examples
    --------
    >>> import minigrad as mg, minigrad.functional as F
    >>> F.pad(mg.tensor([1.0, 2.0, 3.0, 4.0]), (-1, 2)).data
    array([2., 3., 4., 0., 0.])
    """
    x = as_tensor(input)
    pads = tuple(pad)
    if len(pads) % 2 or len(pads) // 2 > x.ndim:
        raise ValueError(f"pad: the pad tuple {pads} must have an even length of at most "
                         f"2 * ndim = {2 * x.ndim}")
    if not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pads):
        raise TypeError(f"pad: the pad tuple must hold ints, got {pads}")
    pw = [(0, 0)] * x.ndim
    for i in range(len(pads) // 2):
        pw[x.ndim - 1 - i] = (int(pads[2 * i]), int(pads[2 * i + 1]))
    modes = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
             "circular": "wrap"}
    if mode not in modes:
        raise ValueError(f"pad: unknown mode {mode!r}; use one of {list(modes)}")
    grow = [(max(a, 0), max(b, 0)) for a, b in pw]
    cut = [(max(-a, 0), max(-b, 0)) for a, b in pw]
    crop_first = mode in ("constant", "circular")
    for axis, ((a, b), (ca, cb)) in enumerate(zip(pw, cut)):
        n = x.shape[axis]
        if crop_first and ca + cb > n:
            raise ValueError(f"pad: the negative widths ({a}, {b}) of axis {axis} crop "
                             f"{ca + cb} elements from its {n}")
        size = n + a + b
        if not crop_first and size < 1:
            raise ValueError(f"pad: the widths ({a}, {b}) of axis {axis} (size {n}) leave "
                             f"{size} elements; {mode} padding keeps at least one")
    if crop_first:
        x = _crop(x, cut)
    if mode in ("reflect", "circular"):
        for axis, (a, b) in enumerate(grow):
            limit = x.shape[axis] - (1 if mode == "reflect" else 0)
            if a > limit or b > limit:
                raise ValueError(f"pad: {mode} padding ({a}, {b}) of axis {axis} must be at "
                                 f"most {limit} for its size {x.shape[axis]}")
    y = np_pad(x, grow, "constant", value) if mode == "constant" else \
        np_pad(x, grow, modes[mode])
    return y if crop_first else _crop(y, cut)


def _interp_matrix(n_in: int, n_out: int, mode: str, scale: float | None,
                   align_corners: bool | None, dtype: Any) -> np.ndarray:
    """(n_out, n_in) matrix of PyTorch's nearest or linear interpolation along one axis."""
    a = np.zeros((n_out, n_in), dtype=dtype)
    dst = np.arange(n_out, dtype=np.float64)
    if mode == "nearest":
        ratio = n_in / n_out if scale is None else 1.0 / scale
        src = np.minimum(np.floor(dst * ratio).astype(np.int64), n_in - 1)
        a[np.arange(n_out), src] = 1.0
        return a
    if align_corners:
        src = dst * ((n_in - 1) / (n_out - 1)) if n_out > 1 else np.zeros(n_out)
    else:
        ratio = n_in / n_out if scale is None else 1.0 / scale
        src = np.maximum((dst + 0.5) * ratio - 0.5, 0.0)
    i0 = np.minimum(np.floor(src).astype(np.int64), n_in - 1)
    i1 = np.minimum(i0 + 1, n_in - 1)
    lam = src - i0
    rows = np.arange(n_out)
    np.add.at(a, (rows, i0), 1.0 - lam)
    np.add.at(a, (rows, i1), lam)
    return a


@op(torch="interpolate")
def interpolate(input: Any, size: IntOrPair | None = None,  # noqa: A002
                scale_factor: float | tuple[float, float] | None = None,
                mode: str = "nearest", align_corners: bool | None = None) -> Tensor:
    """Resize NCHW images, PyTorch's ``F.interpolate`` (modes ``nearest`` and ``bilinear``).

    Each axis is resized by a fixed interpolation matrix (``A_h @ x @ A_w.T``),
    exactly PyTorch's sampling rule, so the result is linear in ``input`` and
    differentiable any number of times.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, H, W).
    size : int or pair of ints, optional
        The output's (H, W).
    scale_factor : float or pair of floats, optional
        Multiplier of H and W (exactly one of ``size`` and ``scale_factor``).
    mode : {"nearest", "bilinear"}
        Interpolation.
    align_corners : bool, optional
        Bilinear only: map corner pixels onto corner pixels (default False).
    """
    x = as_tensor(input)
    _check_4d(x, "input", "interpolate")
    if mode not in ("nearest", "bilinear"):
        raise ValueError(f"interpolate: mode must be 'nearest' or 'bilinear', got {mode!r}")
    if mode == "nearest" and align_corners is not None:
        raise ValueError("interpolate: align_corners only applies to mode 'bilinear'")
    if (size is None) == (scale_factor is None):
        raise ValueError("interpolate: give exactly one of size and scale_factor")
    h, w = x.shape[2], x.shape[3]
    scales: tuple[float | None, float | None] = (None, None)
    if size is not None:
        o = _pair(size, "size", "interpolate", 1)
    else:
        assert scale_factor is not None
        sf = (tuple(scale_factor) if isinstance(scale_factor, (tuple, list))
              else (scale_factor, scale_factor))
        if len(sf) != 2 or any(not float(v) > 0 for v in sf):
            raise ValueError(f"interpolate: scale_factor must be positive, got {scale_factor!r}")
        o = (int(np.floor(h * float(sf[0]))), int(np.floor(w * float(sf[1]))))
        if o[0] < 1 or o[1] < 1:
            raise ValueError(f"interpolate: scale_factor {scale_factor!r} gives an empty output")
        scales = (float(sf[0]), float(sf[1]))
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    ah = _interp_matrix(h, o[0], mode, scales[0], bool(align_corners), dt)
    aw = _interp_matrix(w, o[1], mode, scales[1], bool(align_corners), dt)
    return matmul(matmul(ah, x), aw.T)
