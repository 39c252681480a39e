"""Batch normalisation and dropout as functions, composed from differentiable ops.

:func:`batch_norm` and :func:`dropout` follow ``torch.nn.functional``:
statistics per channel (axis 1) over every other axis, the running
statistics updated in place with ``running = (1 - momentum) * running +
momentum * stat`` (the unbiased batch variance for ``running_var``), and
inverted dropout (kept values scaled by ``1 / (1 - p)`` while training, the
identity otherwise). The layers :class:`minigrad.nn.BatchNorm1d`,
:class:`minigrad.nn.BatchNorm2d` and :class:`minigrad.nn.Dropout` are thin
wrappers of them.

Two lower-level pieces serve layers that keep other conventions (the book's
:class:`~minigrad.book.layers.BatchNormalization` and
:class:`~minigrad.book.layers.Dropout`): :func:`batch_norm_with_stats`
normalises with the batch's own statistics and hands them back, so a layer
can keep running averages its own way, and :func:`dropout_with_mask` offers
the classic non-inverted dropout (no scaling while training, ``x * (1 - p)``
at inference) and returns the mask it drew.

Examples
--------
>>> import numpy as np
>>> from minigrad.ops.normalization import batch_norm
>>> rm, rv = np.zeros(2), np.ones(2)
>>> batch_norm(np.array([[1.0, 2.0], [3.0, 6.0]]), rm, rv, training=True).data.round(4)
array([[-1., -1.],
       [ 1.,  1.]])
>>> rm, rv
(array([0.2, 0.4]), array([1.1, 1.7]))
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd import OpError, OpTypeError
from minigrad.ops.catalogue import op
from minigrad.ops.elementwise import sqrt
from minigrad.ops.reduce import mean
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor, as_tensor

__all__ = ["batch_norm", "batch_norm_with_stats", "dropout", "dropout_with_mask", "layer_norm"]


def _input(x: Any) -> Tensor:
    return x if isinstance(x, Tensor) else as_tensor(np.asarray(x, dtype=np.float64))


def _channel_shape(x: Tensor) -> tuple[int, ...]:
    """The shape a per-channel vector broadcasts as against ``x``: ``(1, C, 1, ...)``."""
    return (1, x.shape[1]) + (1,) * (x.ndim - 2)


def _check_input(x: Tensor, where: str) -> None:
    if x.ndim < 2 or x.shape[1] == 0:
        raise OpError(f"{where}: expected an input of shape (N, C, ...) with C >= 1, got "
                      f"shape {x.shape}")


def _per_channel(v: Any, x: Tensor) -> Any:
    """A ``(C,)`` vector shaped to broadcast against ``x`` (``(1, C, 1, ...)`` beyond 2-D)."""
    if x.ndim == 2:
        return v
    shape = _channel_shape(x)
    return reshape(v, shape) if isinstance(v, Tensor) else np.reshape(v, shape)


def _affine(xn: Tensor, weight: Any, bias: Any) -> Tensor:
    """``xn * weight + bias`` with per-channel ``weight`` and ``bias`` (either may be None)."""
    if weight is not None:
        xn = xn * _per_channel(weight, xn)
    if bias is not None:
        xn = xn + _per_channel(bias, xn)
    return xn


@op(functional=False)
def batch_norm_with_stats(x: Any, weight: Any = None, bias: Any = None,
                          eps: float = 1e-5) -> tuple[Tensor, np.ndarray, np.ndarray]:
    """Normalise ``x`` with its own batch statistics and return them too.

    ``out = (x - mean) / sqrt(var + eps) * weight + bias``, with ``mean`` and
    the biased ``var`` taken per channel (axis 1) over all other axes. The
    gradient flows through the statistics (automatic differentiation of
    mean, subtraction, square root and division). No running statistics
    are touched: the caller updates its own, under whatever convention it
    keeps.

    Parameters
    ----------
    x : array_like or Tensor
        Input of shape ``(N, C, ...)``.
    weight, bias : Tensor or ndarray, optional
        Per-channel scale and shift, shape ``(C,)``.
    eps : float
        Added to the variance inside the square root.

    Returns
    -------
    out : Tensor
        The normalised input, shape of ``x``.
    mean, var : ndarray
        The batch mean and biased batch variance per channel, shape ``(C,)``.

    Raises
    ------
    ValueError
        If ``x`` has fewer than 2 axes or no channel.
    """
    x = _input(x)
    _check_input(x, "batch_norm_with_stats")
    axes = (0, *range(2, x.ndim))
    mu = mean(x, axis=axes, keepdims=True)
    xc = x - mu
    var = mean(xc * xc, axis=axes, keepdims=True)
    xn = xc / sqrt(var + eps)
    return _affine(xn, weight, bias), mu.data.reshape(-1), var.data.reshape(-1)


@op(torch="batch_norm")
def batch_norm(x: Any, running_mean: np.ndarray | None, running_var: np.ndarray | None,
               weight: Any = None, bias: Any = None, training: bool = False,
               momentum: float = 0.1, eps: float = 1e-5) -> Tensor:
    """Batch normalisation with ``torch.nn.functional.batch_norm``'s meaning.

    Training: normalise per channel (axis 1) with the batch mean and biased
    batch variance (:func:`batch_norm_with_stats`) and, when running
    statistics are given, update them **in place**:
    ``running_mean = (1 - momentum) * running_mean + momentum * mean`` and
    likewise ``running_var`` with the unbiased batch variance. Otherwise
    normalise with the running statistics, which then must be given.

    Parameters
    ----------
    x : array_like or Tensor
        Input of shape ``(N, C, ...)``.
    running_mean, running_var : ndarray or None
        Float arrays of shape ``(C,)``; updated in place while training.
    weight, bias : Tensor or ndarray, optional
        Per-channel scale and shift, shape ``(C,)``.
    training : bool
        Use (and record) batch statistics instead of the running ones.
    momentum : float
        Weight of the new batch statistic in the running average.
    eps : float
        Added to the variance inside the square root.

    Returns
    -------
    Tensor
        The normalised input, shape of ``x``.

    Raises
    ------
    TypeError
        If ``momentum`` is not a number (``torch.nn.functional.batch_norm``
        refuses None too).
    ValueError
        If ``x`` has fewer than 2 axes, a running statistic is missing in
        evaluation or has the wrong shape, or a training batch has a single
        value per channel while running statistics are to be updated.

    Notes
    -----
    PyTorch also refuses a single value per channel in training when no
    running statistics are given; here that batch is normalised (to
    ``bias``), as :class:`minigrad.nn.BatchNorm1d` in evaluation mode without
    running statistics has always done.
    """
    x = _input(x)
    _check_input(x, "batch_norm")
    if isinstance(momentum, (bool, np.bool_)) or not isinstance(
            momentum, (int, float, np.integer, np.floating)):
        raise OpTypeError(f"batch_norm: momentum must be a number, got {type(momentum).__name__} "
                          "(nn.BatchNorm1d/2d take momentum=None for a cumulative average)")
    c = x.shape[1]
    for name, r in (("running_mean", running_mean), ("running_var", running_var)):
        if r is None:
            if not training:
                raise OpError(f"batch_norm: {name} must be given in evaluation mode "
                              "(training=False)")
        elif np.shape(r) != (c,):
            raise OpError(f"batch_norm: {name} has shape {np.shape(r)}, expected ({c},) for "
                          f"an input of shape {x.shape}")
    if training:
        n = x.size // c
        track = running_mean is not None or running_var is not None
        if n < 2 and track:
            raise OpError(f"batch_norm: training needs more than one value per channel to "
                          f"update the running variance, got input shape {x.shape}")
        out, mu, var = batch_norm_with_stats(x, weight, bias, eps)
        m = momentum
        if running_mean is not None:
            running_mean *= 1 - m
            running_mean += m * mu
        if running_var is not None:
            running_var *= 1 - m
            running_var += m * var * (n / (n - 1))
        return out
    assert running_mean is not None and running_var is not None
    shape = _channel_shape(x)
    xn = (x - running_mean.reshape(shape)) / np.sqrt(running_var.reshape(shape) + eps)
    return _affine(xn, weight, bias)


def _uniform(shape: tuple[int, ...], rng: Any) -> np.ndarray:
    """Uniform [0, 1) samples: NumPy's global state for None, else ``rng`` (advanced)."""
    if rng is None or rng is np.random or isinstance(rng, np.random.RandomState):
        src = np.random if rng is None else rng
        return np.asarray(src.rand(*shape))
    if isinstance(rng, np.random.Generator):
        return rng.random(shape)
    raise OpTypeError(f"dropout: rng must be None, a numpy.random.Generator or a RandomState, "
                      f"got {type(rng).__name__}")


def _given(mask: Any, x: Tensor) -> np.ndarray:
    m = np.asarray(mask)
    if m.shape != x.shape or m.dtype != np.bool_:
        raise OpError(f"dropout: mask must be a bool array of the input's shape {x.shape}, "
                      f"got {m.dtype} of shape {m.shape}")
    return m


@op(functional=False)
def dropout_with_mask(x: Any, p: float = 0.5, training: bool = True, rng: Any = None, *,
                      inverted: bool = True, mask: np.ndarray | None = None
                      ) -> tuple[Tensor, np.ndarray | None]:
    """Dropout that also returns the keep-mask it drew (None when it drew none).

    ``inverted=True`` is PyTorch's dropout (see :func:`dropout`): a value is
    kept where a uniform draw ``u >= p`` and scaled by ``1 / (1 - p)``; in
    evaluation, or with ``p == 0``, ``x`` itself is returned and nothing is
    drawn. ``inverted=False`` is the classic dropout of the book: kept where
    ``u > p``, not scaled, and ``x * (1 - p)`` at inference; it draws and
    records the product even for ``p == 0``.

    Parameters
    ----------
    x : array_like or Tensor
        The input.
    p : float
        Drop probability, in ``[0, 1]`` (``[0, 1)`` for ``inverted=False``).
    training : bool
        Drop (True) or pass through (False).
    rng : None, numpy.random.Generator or numpy.random.RandomState
        Source of the mask; None draws from NumPy's global state (``np.random.rand``).
    inverted : bool
        Scale while training (True) or at inference (False).
    mask : ndarray of bool, optional
        A keep-mask of ``x``'s shape to apply instead of drawing one (to
        reproduce another run's or library's mask); used wherever one would
        be drawn.

    Returns
    -------
    out : Tensor
        The result.
    mask : ndarray of bool or None
        The keep-mask, of ``x``'s shape, when one was drawn.

    Raises
    ------
    ValueError
        If ``p`` is out of range.
    """
    if isinstance(p, bool) or not isinstance(p, (int, float)) or not (
            0.0 <= p <= 1.0 if inverted else 0.0 <= p < 1.0):
        raise OpError(f"dropout: p must be a probability in [0, {'1]' if inverted else '1)'}, "
                      f"got {p!r}")
    x = _input(x)
    if not inverted:
        if not training:
            return x * (1.0 - p), None
        mask = _uniform(x.shape, rng) > p if mask is None else _given(mask, x)
        return x * mask.astype(x.dtype), mask
    if not training or p == 0.0:
        return x, None
    if mask is None:
        mask = (np.zeros(x.shape, dtype=bool) if p == 1.0
                else np.asarray(_uniform(x.shape, rng) >= p))
    else:
        mask = _given(mask, x)
    if p == 1.0:
        return x * np.zeros(x.shape, dtype=x.dtype), mask
    return x * (mask.astype(x.dtype) / (1.0 - p)), mask


@op(torch="dropout")
def dropout(x: Any, p: float = 0.5, training: bool = True, rng: Any = None) -> Tensor:
    """Inverted dropout, as ``torch.nn.functional.dropout``.

    While training, each value is zeroed with probability ``p`` and the rest
    are scaled by ``1 / (1 - p)``, so the expected value is unchanged; out of
    training (or with ``p == 0``) ``x`` is returned unchanged.

    Parameters
    ----------
    x : array_like or Tensor
        The input.
    p : float
        Drop probability, in ``[0, 1]``.
    training : bool
        Apply dropout (True) or return ``x`` (False).
    rng : None, numpy.random.Generator or numpy.random.RandomState
        Source of the mask; None draws from NumPy's global state.

    Returns
    -------
    Tensor
        ``x * mask / (1 - p)`` while training, else ``x``.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.ops.normalization import dropout
    >>> dropout(np.ones(6), 0.5, rng=np.random.default_rng(0)).data
    array([2., 0., 0., 0., 2., 2.])
    """
    return dropout_with_mask(x, p, training, rng)[0]


def _normalized_shape(normalized_shape: Any, where: str) -> tuple[int, ...]:
    """``normalized_shape`` as a tuple of positive ints (an int is one axis)."""
    dims = (normalized_shape,) if isinstance(normalized_shape, (int, np.integer)) \
        else tuple(normalized_shape)
    if not dims or any(isinstance(d, bool) or not isinstance(d, (int, np.integer)) or d < 1
                       for d in dims):
        raise OpError(f"{where}: normalized_shape must be a positive int or a non-empty "
                      f"sequence of them, got {normalized_shape!r}")
    return tuple(int(d) for d in dims)


@op(torch="layer_norm")
def layer_norm(x: Any, normalized_shape: int | Sequence[int], weight: Any = None,
               bias: Any = None, eps: float = 1e-5) -> Tensor:
    """Layer normalisation, as ``torch.nn.functional.layer_norm``.

    Each sample is normalised over its last ``len(normalized_shape)`` axes, which
    must be ``normalized_shape``: ``(x - mean) / sqrt(var + eps) * weight + bias``
    with the mean and the biased variance over those axes. ``weight`` and
    ``bias`` (optional) have shape ``normalized_shape``. The gradient flows
    through the statistics (automatic differentiation of mean, subtraction,
    square root and division).

    Parameters
    ----------
    x : array_like or Tensor
        Input of shape ``(*, *normalized_shape)``.
    normalized_shape : int or sequence of int
        The trailing shape to normalise over.
    weight, bias : Tensor or ndarray, optional
        Elementwise scale and shift, of shape ``normalized_shape``.
    eps : float
        Added to the variance inside the square root.

    Returns
    -------
    Tensor
        The normalised input, shape of ``x``.

    Raises
    ------
    ValueError
        If the trailing axes of ``x``, ``weight`` or ``bias`` do not match
        ``normalized_shape``.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.ops.normalization import layer_norm
    >>> layer_norm(np.array([[1.0, 3.0], [2.0, 8.0]]), 2).data.round(4)
    array([[-1.,  1.],
           [-1.,  1.]])
    """
    dims = _normalized_shape(normalized_shape, "layer_norm")
    x = _input(x)
    k = len(dims)
    if x.shape[x.ndim - k:] != dims or x.ndim < k:
        raise OpError(f"layer_norm: expected an input of shape (*, {', '.join(map(str, dims))})"
                      f" for normalized_shape {dims}, got shape {x.shape}")
    for name, v in (("weight", weight), ("bias", bias)):
        if v is not None and tuple(np.shape(v.data if isinstance(v, Tensor) else v)) != dims:
            raise OpError(f"layer_norm: {name} must have shape normalized_shape {dims}, got "
                          f"{np.shape(v.data if isinstance(v, Tensor) else v)}")
    axes = tuple(range(x.ndim - k, x.ndim))
    mu = mean(x, axis=axes, keepdims=True)
    xc = x - mu
    var = mean(xc * xc, axis=axes, keepdims=True)
    out = xc / sqrt(var + eps)
    if weight is not None:
        out = out * weight
    if bias is not None:
        out = out + bias
    return out
