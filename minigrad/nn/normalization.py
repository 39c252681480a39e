"""PyTorch-style :class:`BatchNorm1d`, :class:`BatchNorm2d` and (inverted) :class:`Dropout`.

They follow ``torch.nn``: statistics per channel, ``eps = 1e-5``,
``momentum = 0.1`` meaning ``running = (1 - momentum) * running + momentum * stat``
(``momentum=None``: the cumulative average of every batch so far, counted by the
buffer ``num_batches_tracked``), running mean from 0 and running variance from
1, the running variance updated with the unbiased batch variance, and inverted
dropout (scaled by
``1 / (1 - p)`` while training, identity in evaluation). Switch modes with
:meth:`~minigrad.nn.Module.train` / :meth:`~minigrad.nn.Module.eval`.

The book's variants are in :mod:`minigrad.book.layers`:
``BatchNormalization`` (statistics per flattened feature, ``eps = 1e-6``,
momentum 0.9 on the *old* value, running variance from 0 and biased) and
``Dropout`` (no scaling while training, ``x * (1 - ratio)`` at inference).

All of them are thin layers over :func:`minigrad.ops.normalization.batch_norm`
and :func:`minigrad.ops.normalization.dropout` (and their ``*_with_*`` forms).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._validate import positive_int
from minigrad.nn.layers import SeedLike, make_rng
from minigrad.nn.module import Module, Parameter
from minigrad.ops.normalization import batch_norm, dropout_with_mask
from minigrad.tensor import Tensor, as_tensor

__all__ = ["BatchNorm1d", "BatchNorm2d", "Dropout"]


class _BatchNorm(Module):
    """Shared code of :class:`BatchNorm1d` and :class:`BatchNorm2d`."""

    _ndims: tuple[int, ...] = ()
    # a state dict saved before num_batches_tracked existed still loads (the count is kept)
    _optional_buffers = ("num_batches_tracked",)

    def __init__(self, num_features: int, eps: float = 1e-5, momentum: float | None = 0.1,
                 affine: bool = True, track_running_stats: bool = True) -> None:
        super().__init__()
        name = type(self).__name__
        num_features = positive_int(num_features, f"{name}: num_features")
        if momentum is not None:
            if isinstance(momentum, (bool, np.bool_)) or not isinstance(
                    momentum, (int, float, np.integer, np.floating)):
                raise TypeError(f"{name}: momentum must be a number in [0, 1] or None (a "
                                f"cumulative average), got {type(momentum).__name__} "
                                f"{momentum!r}")
            if not 0.0 <= float(momentum) <= 1.0:
                raise ValueError(f"{name}: momentum must be in [0, 1], got {momentum}")
        if not float(eps) > 0:
            raise ValueError(f"{name}: eps must be > 0, got {eps}")
        self.num_features = num_features
        self.eps = float(eps)
        self.momentum = None if momentum is None else float(momentum)
        self.affine = bool(affine)
        self.track_running_stats = bool(track_running_stats)
        self.weight: Parameter | None = Parameter(np.ones(num_features)) if affine else None
        self.bias: Parameter | None = Parameter(np.zeros(num_features)) if affine else None
        self.running_mean: np.ndarray | None
        self.running_var: np.ndarray | None
        self.register_buffer("running_mean",
                             np.zeros(num_features) if track_running_stats else None)
        self.register_buffer("running_var",
                             np.ones(num_features) if track_running_stats else None)
        self.num_batches_tracked: np.ndarray | None
        self.register_buffer("num_batches_tracked",
                             np.array(0, dtype=np.int64) if track_running_stats else None)

    def forward(self, x: Any) -> Tensor:
        """Normalise per channel (axis 1) with batch statistics (training) or running ones."""
        x = x if isinstance(x, Tensor) else as_tensor(np.asarray(x, dtype=np.float64))
        name = type(self).__name__
        if x.ndim not in self._ndims:
            raise ValueError(f"{name}: expected a {' or '.join(map(str, self._ndims))}-D input, "
                             f"got shape {x.shape}")
        if x.shape[1] != self.num_features:
            raise ValueError(f"{name}: input has {x.shape[1]} channels (shape {x.shape}), "
                             f"expected {self.num_features}")
        if self.training and x.size // self.num_features < 2:
            raise ValueError(f"{name}: training mode needs more than one value per channel, "
                             f"got input shape {x.shape}")
        if self.training or not self.track_running_stats:
            # batch statistics; the running ones (if tracked) are updated while training
            stats = (self.running_mean, self.running_var) if self.training else (None, None)
            count = self.num_batches_tracked if self.training else None
            momentum = self.momentum
            if momentum is None:  # the cumulative average: this batch weighs 1 / (batches)
                momentum = 0.0 if count is None else 1.0 / float(count + 1)
            out = batch_norm(x, *stats, self.weight, self.bias, training=True,
                             momentum=momentum, eps=self.eps)
            if count is not None:
                count += 1  # in place, once the running statistics are updated
            return out
        return batch_norm(x, self.running_mean, self.running_var, self.weight, self.bias,
                          training=False, eps=self.eps)

    def extra_repr(self) -> str:
        """Return the settings for ``repr``."""
        return f"{self.num_features}, eps={self.eps}, momentum={self.momentum}"


class BatchNorm1d(_BatchNorm):
    """Batch normalisation of ``(N, C)`` or ``(N, C, L)`` inputs, per channel ``C``.

    Parameters
    ----------
    num_features : int
        The number of channels ``C``.
    eps : float
        Added to the variance inside the square root.
    momentum : float or None
        ``running = (1 - momentum) * running + momentum * batch_stat``; None
        keeps the cumulative average of all batches instead (``momentum = 1 / k``
        at the ``k``-th training batch, counted by the buffer
        ``num_batches_tracked``), as ``torch.nn``.
    affine : bool
        Learn ``weight`` (ones) and ``bias`` (zeros).
    track_running_stats : bool
        Keep ``running_mean`` (zeros), ``running_var`` (ones) and
        ``num_batches_tracked`` (the number of training batches seen, a 0-d
        int64 array) as buffers and use the running statistics in evaluation
        mode; otherwise batch statistics are always used.

    Raises
    ------
    TypeError
        If ``momentum`` is neither a number nor None.
    ValueError
        If ``momentum`` is outside ``[0, 1]`` or ``eps`` is not > 0.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> bn = nn.BatchNorm1d(2)
    >>> bn(np.array([[1.0, 2.0], [3.0, 6.0]])).data.round(4)
    array([[-1., -1.],
           [ 1.,  1.]])
    >>> bn.running_mean, bn.running_var
    (array([0.2, 0.4]), array([1.1, 1.7]))
    """

    _ndims = (2, 3)


class BatchNorm2d(_BatchNorm):
    """Batch normalisation of ``(N, C, H, W)`` inputs, per channel ``C`` (over N, H, W).

    Parameters are those of :class:`BatchNorm1d`.
    """

    _ndims = (4,)


class Dropout(Module):
    """Inverted dropout: zero each value with probability ``p`` and scale the rest by ``1/(1-p)``.

    In evaluation mode (:meth:`~minigrad.nn.Module.eval`) it is the identity.
    The book's :class:`minigrad.book.layers.Dropout` instead leaves the kept
    values unscaled and multiplies by ``1 - p`` at inference.

    Parameters
    ----------
    p : float
        Drop probability in ``[0, 1]``.
    rng : None, int or numpy.random.Generator
        Source of the masks (None: ``np.random``).

    Attributes
    ----------
    mask : ndarray or None
        The keep-mask of the last training-mode call.
    """

    def __init__(self, p: float = 0.5, rng: SeedLike = None) -> None:
        super().__init__()
        if isinstance(p, bool) or not isinstance(p, (int, float)) or not 0.0 <= p <= 1.0:
            raise ValueError(f"Dropout: p must be a probability in [0, 1], got {p!r}")
        self.p = float(p)
        self._rng = make_rng(rng)
        self.mask: np.ndarray | None = None

    def forward(self, x: Any) -> Tensor:
        """Return ``x * mask / (1 - p)`` while training, ``x`` in evaluation mode."""
        out, mask = dropout_with_mask(x, self.p, self.training, self._rng)
        if mask is not None:
            self.mask = mask
        return out

    def extra_repr(self) -> str:
        """Return ``p`` for ``repr``."""
        return f"p={self.p}"
