"""Layers with the book's ``forward``/``backward`` surface, as :class:`minigrad.nn.Module` s.

The layers of the book's ``common/layers.py`` (chapters 5 to 7), re-exported
under the book's module name by :mod:`minigrad.book.layers`. Each keeps the
book's surface (``forward``; ``backward(dout)`` returning ``dx``;
``dW``/``db``/``dgamma``/``dbeta`` after ``backward``), but ``forward``
records minigrad ops and ``backward`` is automatic differentiation of them:
nothing is derived by hand. Inside a network the layers are simply chained
and the whole loss is differentiated at once.

Examples
--------
>>> import numpy as np
>>> from minigrad.layerwise.layers import Relu
>>> relu = Relu()
>>> relu.forward(np.array([[1.0, -0.5], [-2.0, 3.0]])).data
array([[1., 0.],
       [0., 3.]])
>>> relu.backward(np.ones((2, 2)))
array([[1., 0.],
       [0., 1.]])
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad import functional as F
from minigrad.grad_mode import is_grad_enabled
from minigrad.layerwise.base import BookLayer, leaf
from minigrad.nn.module import Parameter
from minigrad.ops.activation import _softmax_array
from minigrad.ops.linalg import linear
from minigrad.ops.normalization import batch_norm, batch_norm_with_stats, dropout_with_mask
from minigrad.ops.shape import reshape
from minigrad.tensor import Tensor

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "BatchNormalization", "Dropout",
           "as_parameter"]


def as_parameter(value: Any, where: str) -> Parameter:
    """Return ``value`` if it is a Parameter (shared by reference), else a new Parameter of it."""
    if isinstance(value, Parameter):
        return value
    if isinstance(value, Tensor):
        raise TypeError(f"{where}: expected an ndarray or a Parameter, got a non-parameter Tensor")
    arr = np.asarray(value)
    if arr.dtype.kind != "f":
        raise TypeError(f"{where}: expected a floating-point array, got dtype {arr.dtype}")
    return Parameter(arr)


class Relu(BookLayer):
    """``max(x, 0)``; the derivative is 0 wherever ``x <= 0`` (item 5.10)."""

    def forward(self, x: Any) -> Tensor:
        """Return ``x`` with the entries ``<= 0`` set to 0."""
        x = leaf(x)
        out = F.relu(x)
        self._remember(out, [x], {})
        return out

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dL/dx`` given ``dout = dL/dout`` (zero where ``x <= 0``)."""
        return self._backward(dout)[0]


class Sigmoid(BookLayer):
    """``1 / (1 + exp(-x))``; its derivative is ``y * (1 - y)`` (item 5.11)."""

    def forward(self, x: Any) -> Tensor:
        """Return the logistic sigmoid of ``x``."""
        x = leaf(x)
        out = F.sigmoid(x)
        self._remember(out, [x], {})
        return out

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dout * y * (1 - y)``, by autodiff."""
        return self._backward(dout)[0]


class Affine(BookLayer):
    """``x @ W + b`` with ``x`` flattened to ``(N, -1)`` first (item 5.12).

    Parameters
    ----------
    W : ndarray or Parameter
        Weights of shape ``(in, out)``; a Parameter is shared by reference
        (how a network's ``params['W1']`` and its layer stay the same tensor).
    b : ndarray or Parameter
        Bias of shape ``(out,)``.

    Attributes
    ----------
    dW, db : ndarray
        Set by :meth:`backward`.
    """

    def __init__(self, W: Any, b: Any) -> None:  # noqa: N803 - the book's names
        super().__init__()
        self.W = as_parameter(W, "Affine: W")
        self.b = as_parameter(b, "Affine: b")
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: Any) -> Tensor:
        """Return ``x.reshape(N, -1) @ W + b``; ``dx`` gets ``x``'s original shape back."""
        x = leaf(x)
        x2 = reshape(x, (x.shape[0], -1)) if x.ndim != 2 else x
        out = linear(x2, self.W, self.b)
        self._remember(out, [x], {"W": self.W, "b": self.b})
        return out

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dx`` (of ``x``'s shape) and set ``dW = x.T @ dout``, ``db = dout.sum(0)``."""
        return self._backward(dout)[0]


class SoftmaxWithLoss(BookLayer):
    """Softmax followed by the batch-mean cross-entropy (item 5.13).

    ``forward(x, t)`` returns the loss (a Tensor, :meth:`loss_tensor`);
    ``backward()`` returns ``(y - t) / N``, the derivative of the fused, stable
    softmax cross-entropy ``-mean(log softmax(x)[t])``. The book's forward
    instead adds ``1e-7`` inside the logarithm, ``-mean(log(y_t + 1e-7))``,
    which its backward ignores: that lowers each sample's ``-log`` by about
    ``1e-7 / y_t`` (``y_t`` the probability of the right class), not by at
    most about ``1e-7``: the difference grows as ``y_t`` shrinks.
    :class:`minigrad.book.layers.SoftmaxWithLoss` computes the book's value.

    Attributes
    ----------
    y : ndarray
        The softmax output of the last forward.
    t : ndarray
        The targets of the last forward (labels or one-hot).
    """

    def __init__(self) -> None:
        super().__init__()
        self.loss: Any = None
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: Any, t: Any) -> Any:
        """Return the loss of logits ``x`` against labels or one-hot targets ``t``."""
        return self.loss_tensor(x, t)

    def loss_tensor(self, x: Any, t: Any) -> Tensor:
        """Return the loss as a Tensor recorded for autodiff (what networks differentiate)."""
        x = leaf(x)
        self.t = np.asarray(t.data if isinstance(t, Tensor) else t)
        self.y = _softmax_array(x.data, -1)
        loss = self._loss_of(x, self.t)
        self.loss = loss
        self._remember(loss, [x], {})
        return loss

    def _loss_of(self, x: Tensor, t: np.ndarray) -> Tensor:
        return F.softmax_cross_entropy(x, t)

    def backward(self, dout: Any = 1) -> np.ndarray | None:
        """Return ``dL/dx = dout * (y - t) / N``."""
        return self._backward(dout)[0]


class BatchNormalization(BookLayer):
    """The book's batch normalisation (item 6.13), per flattened feature.

    Training mode normalises with the batch mean and the biased batch variance,
    ``out = gamma * (x - mu) / sqrt(var + 1e-6) + beta``, and updates the
    running averages ``running = momentum * running + (1 - momentum) * stat``
    (they start at zero). Inference mode uses the running averages. A 4-D input
    ``(N, C, H, W)`` is flattened to ``(N, C*H*W)``: one statistic per
    flattened feature, not per channel (compare :class:`minigrad.nn.BatchNorm2d`).

    The normalisation is :func:`minigrad.ops.normalization.batch_norm_with_stats`
    (training) and :func:`~minigrad.ops.normalization.batch_norm` (inference),
    composed from minigrad ops, so the backward is autodiff through mean,
    subtraction, square root and division.

    Parameters
    ----------
    gamma, beta : ndarray or Parameter
        Scale and shift of shape ``(D,)`` (a network passes its ``params``).
    momentum : float
        Decay of the running averages.
    running_mean, running_var : ndarray, optional
        Initial running statistics (zeros of the feature size at the first
        forward if None). Saved in :meth:`state_dict` as buffers.
    """

    eps: float = 10e-7  # the book's spelling of 1e-6

    def __init__(self, gamma: Any, beta: Any, momentum: float = 0.9,
                 running_mean: np.ndarray | None = None,
                 running_var: np.ndarray | None = None) -> None:
        super().__init__()
        self.gamma = as_parameter(gamma, "BatchNormalization: gamma")
        self.beta = as_parameter(beta, "BatchNormalization: beta")
        self.momentum = momentum
        self.input_shape: tuple[int, ...] | None = None
        self.running_mean: np.ndarray | None
        self.running_var: np.ndarray | None
        self.register_buffer("running_mean", None if running_mean is None
                             else np.asarray(running_mean, dtype=np.float64))
        self.register_buffer("running_var", None if running_var is None
                             else np.asarray(running_var, dtype=np.float64))
        self.dgamma: np.ndarray | None = None
        self.dbeta: np.ndarray | None = None

    def forward(self, x: Any, train_flg: bool = True) -> Tensor:
        """Normalise ``x`` with batch statistics (``train_flg``) or the running averages."""
        x = leaf(x)
        self.input_shape = x.shape
        x2 = reshape(x, (x.shape[0], -1)) if x.ndim != 2 else x
        d = x2.shape[1]
        if self.gamma.shape != (d,) or self.beta.shape != (d,):
            raise ValueError(f"BatchNormalization: input has {d} features (shape {x.shape}) but "
                             f"gamma has shape {self.gamma.shape} and beta {self.beta.shape}")
        if self.running_mean is None or self.running_var is None:
            self.running_mean = np.zeros(d)
            self.running_var = np.zeros(d)
        if train_flg:
            if x2.shape[0] < 1:
                raise ValueError("BatchNormalization: training mode needs a batch of >= 1")
            out, mu, var = batch_norm_with_stats(x2, self.gamma, self.beta, self.eps)
            # The book's running averages are not torch's: momentum weighs the old value,
            # the variance is the biased one and they start from zero, so they are kept here
            # rather than by batch_norm's in-place (unbiased) update.
            m = self.momentum
            self.running_mean = m * self.running_mean + (1 - m) * mu
            self.running_var = m * self.running_var + (1 - m) * var
        else:
            out = batch_norm(x2, self.running_mean, self.running_var, self.gamma, self.beta,
                             training=False, eps=self.eps)
        out = reshape(out, x.shape) if x.ndim != 2 else out
        self._remember(out, [x], {"gamma": self.gamma, "beta": self.beta})
        return out

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dx`` and set ``dgamma``, ``dbeta`` (autodiff through the forward ops)."""
        return self._backward(dout)[0]


class Dropout(BookLayer):
    """The book's (non-inverted) dropout (item 6.19).

    Training: ``mask = rand(*x.shape) > dropout_ratio``, ``out = x * mask``
    (no rescaling). Inference: ``out = x * (1 - dropout_ratio)``. Compare
    :class:`minigrad.nn.Dropout`, which rescales by ``1 / (1 - p)`` while
    training and passes ``x`` unchanged at inference. Both are
    :func:`minigrad.ops.normalization.dropout_with_mask` (this one with
    ``inverted=False``).

    Parameters
    ----------
    dropout_ratio : float
        The probability of dropping each unit, in ``[0, 1)``.
    rng : None or numpy.random.Generator
        Source of the masks; None draws from ``np.random.rand`` like the book.
    """

    def __init__(self, dropout_ratio: float = 0.5, rng: Any = None) -> None:
        super().__init__()
        if not 0.0 <= float(dropout_ratio) < 1.0:
            raise ValueError(f"Dropout: dropout_ratio must be in [0, 1), got {dropout_ratio}")
        self.dropout_ratio = float(dropout_ratio)
        self.mask: np.ndarray | None = None
        self._rng = rng

    def forward(self, x: Any, train_flg: bool = True) -> Tensor:
        """Drop units at random (training) or scale by ``1 - dropout_ratio`` (inference)."""
        x = leaf(x)
        out, mask = dropout_with_mask(x, self.dropout_ratio, train_flg, self._rng,
                                      inverted=False)
        if train_flg:
            self.mask = mask
        self._remember(out, [x], {})
        return out

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dout * mask``."""
        return self._backward(dout)[0]


# ---------------------------------------------------------------------------
# Chapter 7: convolution and pooling (items 7.4 and 7.5).

class Convolution(BookLayer):
    """The book's convolution layer (item 7.4): ``conv2d(x, W, b, stride, pad)``.

    Computed as the book does, ``im2col(x) @ W.reshape(FN, -1).T + b``
    reshaped to (N, OH, OW, FN) and transposed to NCHW (see
    :func:`minigrad.functional.conv2d`); ``backward`` is autodiff.

    Parameters
    ----------
    W : ndarray or Parameter
        Filters (FN, C, FH, FW); a Parameter is shared by reference.
    b : ndarray or Parameter
        Biases (FN,).
    stride, pad : int
        Step of the window and zero padding on each side.

    Attributes
    ----------
    dW, db : ndarray
        Set by :meth:`backward`.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.layerwise.layers import Convolution
    >>> conv = Convolution(np.ones((1, 1, 3, 3)), np.zeros(1))
    >>> conv.forward(np.arange(16.0).reshape(1, 1, 4, 4)).data[0, 0]
    array([[45., 54.],
           [81., 90.]])
    """

    def __init__(self, W: Any, b: Any, stride: int = 1, pad: int = 0) -> None:  # noqa: N803
        super().__init__()
        self.W = as_parameter(W, "Convolution: W")
        self.b = as_parameter(b, "Convolution: b")
        if self.W.ndim != 4 or self.b.shape != (self.W.shape[0],):
            raise ValueError(f"Convolution: W must be (FN, C, FH, FW) and b (FN,), got "
                             f"{self.W.shape} and {self.b.shape}")
        self.stride = stride
        self.pad = pad
        self.dW: np.ndarray | None = None
        self.db: np.ndarray | None = None

    def forward(self, x: Any) -> Tensor:
        """Return the convolution of ``x`` (N, C, H, W): (N, FN, OH, OW)."""
        x = leaf(x)
        out = F.conv2d(x, self.W, self.b, stride=self.stride, padding=self.pad)
        self._remember(out, [x], {"W": self.W, "b": self.b})
        return out

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dx`` and set ``dW``, ``db`` (by autodiff of the forward)."""
        return self._backward(dout)[0]


class Pooling(BookLayer):
    """The book's max-pooling layer (item 7.5); the first maximum of a window wins ties.

    Parameters
    ----------
    pool_h, pool_w : int
        The window.
    stride : int
        Step of the window (default 2, the book's current default).
    pad : int
        Must be 0: the book's output-size formula ignores it, so only 0 works there.

    Attributes
    ----------
    arg_max : ndarray
        After ``forward``: the flat index (``h*W + w``) of each window's maximum.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.layerwise.layers import Pooling
    >>> pool = Pooling(2, 2, stride=2)
    >>> x = np.array([[1, 2, 0, 1], [0, 1, 2, 4], [3, 0, 1, 2], [2, 4, 0, 1.0]])
    >>> pool.forward(x.reshape(1, 1, 4, 4)).data[0, 0]
    array([[2., 4.],
           [4., 2.]])
    """

    def __init__(self, pool_h: int, pool_w: int, stride: int = 2, pad: int = 0) -> None:
        super().__init__()
        if pad != 0:
            raise ValueError(f"Pooling: pad must be 0 (the book's output size ignores it), "
                             f"got {pad}")
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad
        self.__dict__["_pool_op"] = None
        self.arg_max = None

    @property
    def arg_max(self) -> np.ndarray | None:
        """After ``forward``: the flat index (``h*W + w``) of each window's maximum.

        Made from the last forward's pooling op when first read (a training step
        that never reads it does not pay for it).
        """
        d = self.__dict__
        if d["_arg_max"] is None and d["_pool_op"] is not None:
            d["_arg_max"], d["_pool_op"] = d["_pool_op"].indices, None
        return d["_arg_max"]  # type: ignore[no-any-return]

    @arg_max.setter
    def arg_max(self, value: np.ndarray | None) -> None:
        self.__dict__.update(_arg_max=value, _pool_op=None)

    def forward(self, x: Any) -> Tensor:
        """Return the window maxima of ``x`` (N, C, H, W): (N, C, OH, OW)."""
        x = leaf(x)
        if is_grad_enabled() and x.requires_grad:  # the op is recorded: it keeps what it found
            out = F.max_pool2d(x, (self.pool_h, self.pool_w), self.stride)
            self.__dict__.update(_arg_max=None, _pool_op=out.creator)
        else:
            out, self.arg_max = F.max_pool2d(x, (self.pool_h, self.pool_w), self.stride,
                                             return_indices=True)
        self._remember(out, [x], {})
        return out  # type: ignore[no-any-return]

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dx``: each value of ``dout`` at its window's (first) maximum."""
        return self._backward(dout)[0]


__all__ += ["Convolution", "Pooling"]
