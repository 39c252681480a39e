"""Padding and resizing: ``pad`` (PyTorch's), ``np_pad`` (NumPy's ``pad``) and ``interpolate``.

Constant padding is one op whose backward crops the gradient; the index modes
(reflect, replicate/edge, circular/wrap, symmetric) and the resizing are compositions of
indexing, ``cat`` and ``matmul``, so they differentiate any number of times.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function, OpError, OpTypeError
from minigrad.ops.catalogue import op
from minigrad.ops.conv import _adaptive_avg_pool, _ntuple, _separable
from minigrad.ops.elementwise import astype
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
        raise OpError(f"pad: pad_width {pad_width!r} does not fit a {ndim}-D array") from None
    out = []
    for a, b in pw:
        if isinstance(a, bool) or isinstance(b, bool) or not isinstance(
                a, (int, np.integer)) or not isinstance(b, (int, np.integer)):
            raise OpTypeError(f"pad: pad_width must hold ints, got {pad_width!r}")
        if a < 0 or b < 0:
            raise OpError(f"pad: pad_width must be >= 0, got {pad_width!r}")
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
        raise OpError(f"pad: unknown mode {mode!r}; use 'constant' or one of "
                      f"{list(_NP_INDEX_MODES)}")
    y = x
    for axis, (a, b) in enumerate(pw):
        if a == 0 and b == 0:
            continue
        if x.shape[axis] == 0:
            raise OpError(f"pad: cannot pad the empty axis {axis} in mode {mode!r}")
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
        crop, ``constant`` and ``circular`` crop first (``circular`` then wraps the
        cropped axis), as PyTorch does. As in PyTorch, ``reflect`` and ``replicate``
        may crop an axis to nothing when two or three axes are padded, but keep at
        least one element when one axis is.
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
        raise OpError(f"pad: the pad tuple {pads} must have an even length of at most "
                      f"2 * ndim = {2 * x.ndim}")
    if not all(isinstance(p, (int, np.integer)) and not isinstance(p, bool) for p in pads):
        raise OpTypeError(f"pad: the pad tuple must hold ints, got {pads}")
    pw = [(0, 0)] * x.ndim
    for i in range(len(pads) // 2):
        pw[x.ndim - 1 - i] = (int(pads[2 * i]), int(pads[2 * i + 1]))
    modes = {"constant": "constant", "reflect": "reflect", "replicate": "edge",
             "circular": "wrap"}
    if mode not in modes:
        raise OpError(f"pad: unknown mode {mode!r}; use one of {list(modes)}")
    grow = [(max(a, 0), max(b, 0)) for a, b in pw]
    cut = [(max(-a, 0), max(-b, 0)) for a, b in pw]
    crop_first = mode in ("constant", "circular")
    for axis, ((a, b), (ca, cb)) in enumerate(zip(pw, cut)):
        n = x.shape[axis]
        if crop_first and ca + cb > n:
            raise OpError(f"pad: the negative widths ({a}, {b}) of axis {axis} crop "
                          f"{ca + cb} elements from its {n}")
        size = n + a + b
        # PyTorch's 1-D reflect/replicate kernels refuse an empty result, its 2-D and 3-D allow it
        if not crop_first and size < (1 if len(pads) == 2 else 0):
            raise OpError(f"pad: the widths ({a}, {b}) of axis {axis} (size {n}) leave "
                          f"{size} elements; {mode} padding keeps "
                          f"{'at least one' if len(pads) == 2 else 'none or more'}")
    if crop_first:
        x = _crop(x, cut)
    if mode in ("reflect", "circular"):
        for axis, (a, b) in enumerate(grow):
            limit = x.shape[axis] - (1 if mode == "reflect" else 0)
            if a > limit or b > limit:
                raise OpError(f"pad: {mode} padding ({a}, {b}) of axis {axis} must be at "
                              f"most {limit} for its size {x.shape[axis]}")
    y = np_pad(x, grow, "constant", value) if mode == "constant" else \
        np_pad(x, grow, modes[mode])
    return y if crop_first else _crop(y, cut)


#: The modes of :func:`interpolate` and the numbers of spatial dimensions each takes.
_INTERP_MODES = {"nearest": (1, 2, 3), "nearest-exact": (1, 2, 3), "linear": (1,),
                 "bilinear": (2,), "bicubic": (2,), "trilinear": (3,), "area": (1, 2, 3)}
_ALIGNING = ("linear", "bilinear", "bicubic", "trilinear")


def _cubic_weights(t: np.ndarray) -> np.ndarray:
    """Keys' cubic convolution weights (A = -0.75, PyTorch's) of taps -1, 0, 1, 2 at offset t."""
    a = -0.75

    def near(v: np.ndarray) -> np.ndarray:  # |v| <= 1
        return ((a + 2) * v - (a + 3)) * v * v + 1

    def far(v: np.ndarray) -> np.ndarray:  # 1 < |v| < 2
        return ((a * v - 5 * a) * v + 8 * a) * v - 4 * a

    return np.stack([far(t + 1), near(t), near(1 - t), far(2 - t)], axis=-1)


def _interp_matrix(n_in: int, n_out: int, mode: str, scale: float | None,
                   align_corners: bool | None, dtype: Any, shortcuts: bool = True) -> np.ndarray:
    """(n_out, n_in) matrix of PyTorch's interpolation along one axis.

    ``scale`` is the user's scale factor (None: from the sizes). Nearest modes
    compute the source index in float32 and, with ``shortcuts`` (PyTorch's 2-D
    kernel), copy for equal sizes and halve the index for doubled ones, so that they
    pick the very elements PyTorch picks.
    """
    a = np.zeros((n_out, n_in), dtype=np.float64)
    rows = np.arange(n_out)
    dst = np.arange(n_out, dtype=np.float64)
    if mode in ("nearest", "nearest-exact"):
        ratio = np.float32(n_in / n_out if not scale else 1.0 / scale)
        if mode == "nearest" and shortcuts and n_out == n_in:
            src = rows
        elif mode == "nearest" and shortcuts and n_out == 2 * n_in:
            src = rows >> 1
        elif mode == "nearest":
            src = np.floor(dst.astype(np.float32) * ratio).astype(np.int64)
        else:
            src = np.floor(((dst + 0.5) * np.float64(ratio)).astype(np.float32)).astype(np.int64)
        a[rows, np.minimum(src, n_in - 1)] = 1.0
        return a.astype(dtype, copy=False)
    if align_corners:
        ratio = (n_in - 1) / (n_out - 1) if n_out > 1 else 0.0
        real = dst * ratio
    else:
        ratio = n_in / n_out if not scale else 1.0 / scale
        real = (dst + 0.5) * ratio - 0.5
    if mode == "bicubic":
        i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
        t = np.clip(real - i0, 0.0, 1.0)
        w = _cubic_weights(t)
        for j in range(4):
            np.add.at(a, (rows, np.clip(i0 - 1 + j, 0, n_in - 1)), w[:, j])
        return a.astype(dtype, copy=False)
    if n_out == n_in:
        return np.eye(n_in, dtype=dtype)
    real = np.maximum(real, 0.0)
    i0 = np.minimum(np.floor(real).astype(np.int64), n_in - 1)
    lam = np.clip(real - i0, 0.0, 1.0)
    np.add.at(a, (rows, i0), 1.0 - lam)
    np.add.at(a, (rows, np.minimum(i0 + 1, n_in - 1)), lam)
    return a.astype(dtype, copy=False)


@op(torch="interpolate")
def interpolate(input: Any, size: Any = None,  # noqa: A002
                scale_factor: Any = None, mode: str = "nearest",
                align_corners: bool | None = None,
                recompute_scale_factor: bool | None = None) -> Tensor:
    """Resize (N, C, L), (N, C, H, W) or (N, C, D, H, W) inputs, PyTorch's ``F.interpolate``.

    Each spatial axis is resized by a fixed interpolation matrix (``A_h @ x @ A_w.T``
    in 2-D), exactly PyTorch's sampling rule, so the result is linear in ``input``
    and differentiable any number of times.

    Parameters
    ----------
    input : Tensor
        Shape (N, C, *spatial) with 1, 2 or 3 spatial dimensions.
    size : int or tuple of ints, optional
        The output's spatial size.
    scale_factor : float or tuple of floats, optional
        Multiplier of each spatial size, the output size rounded down (exactly one
        of ``size`` and ``scale_factor``).
    mode : str
        ``"nearest"`` (PyTorch's: ``floor(i * in / out)``), ``"nearest-exact"``
        (pixel centres: ``floor((i + 0.5) * in / out)``), ``"linear"`` (3-D input),
        ``"bilinear"`` or ``"bicubic"`` (4-D; Keys' cubic with ``A = -0.75``, edges
        replicated), ``"trilinear"`` (5-D), ``"area"`` (adaptive average pooling).
    align_corners : bool, optional
        Linear and cubic modes only: map corner pixels onto corner pixels (default
        False, pixel centres).
    recompute_scale_factor : bool, optional
        True samples with the ratio of the sizes instead of the given
        ``scale_factor`` (they differ when ``in * scale_factor`` is not whole).

    Returns
    -------
    Tensor
        Shape (N, C, *size). The nearest modes keep an integer input's dtype (they only
        pick elements), as PyTorch; the other modes give floats.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> F.interpolate(np.array([[[0.0, 1.0]]]), scale_factor=2, mode="linear").data
    array([[[0.  , 0.25, 0.75, 1.  ]]])
    """
    x = as_tensor(input)
    if x.ndim not in (3, 4, 5):
        raise OpError(f"interpolate: input must be 3-D (N, C, L), 4-D (N, C, H, W) or 5-D "
                      f"(N, C, D, H, W), got shape {x.shape}")
    nd = x.ndim - 2
    if mode not in _INTERP_MODES:
        raise OpError(f"interpolate: mode must be one of {list(_INTERP_MODES)}, got {mode!r}")
    if nd not in _INTERP_MODES[mode]:
        want = " or ".join(f"{n + 2}-D" for n in _INTERP_MODES[mode])
        raise OpError(f"interpolate: mode {mode!r} takes {want} input, got shape {x.shape}")
    if align_corners is not None and mode not in _ALIGNING:
        raise OpError(f"interpolate: align_corners only applies to the modes "
                      f"{list(_ALIGNING)}, not {mode!r}")
    if (size is None) == (scale_factor is None):
        raise OpError("interpolate: give exactly one of size and scale_factor")
    sp = x.shape[2:]
    scales: tuple[float | None, ...] = (None,) * nd
    if size is not None:
        if recompute_scale_factor:
            raise OpError("interpolate: recompute_scale_factor applies to scale_factor, "
                          "not to an explicit size")
        o = _ntuple(size, nd, "size", "interpolate", 1)
    else:
        sf = (tuple(scale_factor) if isinstance(scale_factor, (tuple, list))
              else (scale_factor,) * nd)
        if len(sf) != nd or any(isinstance(v, bool) or not float(v) > 0 for v in sf):
            raise OpError(f"interpolate: scale_factor must be a positive number or {nd} of "
                          f"them, got {scale_factor!r}")
        o = tuple(int(np.floor(n * float(v))) for n, v in zip(sp, sf))
        if min(o) < 1:
            raise OpError(f"interpolate: scale_factor {scale_factor!r} gives the empty "
                          f"output size {o} for the input size {sp}")
        if not recompute_scale_factor:
            scales = tuple(float(v) for v in sf)
    if mode == "area":
        return _adaptive_avg_pool(nd, x, o)
    dt = x.dtype if x.dtype.kind == "f" else np.float64
    mats = [_interp_matrix(n, m, mode, sc, align_corners, dt, nd == 2)
            for n, m, sc in zip(sp, o, scales)]
    y = _separable(x, mats)
    if mode in ("nearest", "nearest-exact") and x.dtype.kind in "iu":
        y = astype(y, x.dtype)  # one element picked per output: exact in float64
    return y
