"""The book's ``common/layers.py`` (second book): layers with ``params``/``grads`` lists.

Every layer records minigrad ops in ``forward`` and differentiates them in
``backward(dout)``: the gradients are automatic, none is written by hand.
Forward outputs and backward results are NumPy arrays, as in the book, so
code that concatenates or slices them with NumPy keeps working.

Examples
--------
>>> import numpy as np
>>> from minigrad.book2.layers import Embedding
>>> emb = Embedding(np.array([[0., 1.], [2., 3.], [4., 5.]]))
>>> emb.forward(np.array([0, 2, 0])).tolist()
[[0.0, 1.0], [4.0, 5.0], [0.0, 1.0]]
>>> emb.backward(np.ones((3, 2)))
>>> emb.grads[0].tolist()
[[2.0, 2.0], [0.0, 0.0], [1.0, 1.0]]
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad.book2._base import Layer, as_input
from minigrad.book2._ops import EmbeddingRows, SigmoidCrossEntropy
from minigrad.book2.config import GPU
from minigrad.book2.functions import cross_entropy_error, sigmoid, softmax
from minigrad.tensor import Tensor

__all__ = ["MatMul", "Affine", "Softmax", "SoftmaxWithLoss", "Sigmoid", "SigmoidWithLoss",
           "Dropout", "Embedding", "sigmoid", "softmax", "cross_entropy_error", "np", "GPU"]


def _labels(t: Any, y_shape: tuple[int, ...]) -> np.ndarray:
    """Integer labels from labels or one-hot rows of ``y_shape``."""
    t = np.asarray(t)
    if t.size == int(np.prod(y_shape)) and t.ndim == len(y_shape):
        t = t.argmax(axis=-1)
    return t


def _floating(x: Any, dtype: np.dtype) -> Any:
    """Integer input (one-hot rows) as floating point, so that ``backward`` returns ``dx``.

    The dtype is the one NumPy gives the product with weights of ``dtype`` (int32 one-hot
    rows times float32 weights are float64, as in the book's ``np.dot``).
    """
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    return arr.astype(np.result_type(arr.dtype, dtype)) if arr.dtype.kind in "biu" else arr


class MatMul(Layer):
    """``x @ W`` without a bias; ``grads[0]`` becomes ``x.T @ dout``.

    Parameters
    ----------
    W : ndarray
        Weights of shape ``(D, H)``.
    """

    def __init__(self, W: np.ndarray) -> None:  # noqa: N803 - the book's names
        super().__init__(W)
        self.x: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        """Return ``x @ W``."""
        (W,) = self._param_leaves()
        xt = as_input(_floating(x, W.dtype))
        self.x = xt.data
        out = mg.matmul(xt, W)
        self._record(out, [xt], [W])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dout @ W.T``; write ``x.T @ dout`` into ``grads[0]``."""
        return self._run_backward(dout)[0]


class Affine(Layer):
    """``x @ W + b`` on 2-D input (no flattening, unlike the first book's layer).

    Parameters
    ----------
    W, b : ndarray
        Weights ``(D, H)`` and bias ``(H,)``.
    """

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:  # noqa: N803
        super().__init__(W, b)
        self.x: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        """Return ``x @ W + b``."""
        W, b = self._param_leaves()
        xt = as_input(_floating(x, W.dtype))
        self.x = xt.data
        out = mg.matmul(xt, W) + b
        self._record(out, [xt], [W, b])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dx``; write ``dW`` and ``db`` into ``grads``."""
        return self._run_backward(dout)[0]


class Softmax(Layer):
    """Softmax over the last axis; ``out`` keeps the last output."""

    def __init__(self) -> None:
        super().__init__()
        self.out: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        """Return the softmax of ``x`` along its last axis."""
        xt = as_input(x)
        out = F.softmax(xt, axis=-1)
        self.out = out.data
        self._record(out, [xt], [])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``y * dout - y * sum(y * dout)`` (per row), by autodiff."""
        return self._run_backward(dout)[0]


class SoftmaxWithLoss(Layer):
    """Softmax and the batch-mean cross-entropy; labels or one-hot targets.

    The gradient comes from the fused, stable softmax cross-entropy: the book's
    ``(y - t) * dout / N``. The value returned is the book's number,
    ``cross_entropy_error(y, t)`` with its ``1e-7`` inside the logarithm, as a
    NumPy scalar of the scores' precision.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None

    def forward(self, x: Any, t: Any) -> float:
        """Return the loss of scores ``x`` ``(N, C)`` against ``t``."""
        xt = as_input(x)
        self.t = _labels(t, xt.shape)
        self.y = softmax(xt.data)
        loss = F.softmax_cross_entropy(xt, self.t)
        self._record(loss, [xt], [])
        return cross_entropy_error(self.y, self.t)

    def backward(self, dout: Any = 1) -> np.ndarray | None:
        """Return ``(y - onehot(t)) * dout / N``."""
        return self._run_backward(dout)[0]


class Sigmoid(Layer):
    """``1 / (1 + exp(-x))``; ``out`` keeps the last output."""

    def __init__(self) -> None:
        super().__init__()
        self.out: np.ndarray | None = None

    def forward(self, x: Any) -> np.ndarray:
        """Return the logistic sigmoid of ``x``."""
        xt = as_input(x)
        out = F.sigmoid(xt)
        self.out = out.data
        self._record(out, [xt], [])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dout * y * (1 - y)``, by autodiff."""
        return self._run_backward(dout)[0]


class SigmoidWithLoss(Layer):
    """Sigmoid and the batch-mean binary cross-entropy with labels 0/1.

    The gradient is the book's ``(y - t) * dout / N`` (float64 for float32 scores and
    integer labels, as NumPy computes the book's layer). The value returned is the book's
    number, the
    cross-entropy of ``[1 - y, y]`` with ``1e-7`` inside the logarithm, as a
    NumPy scalar of the scores' precision.
    """

    def __init__(self) -> None:
        super().__init__()
        self.y: np.ndarray | None = None
        self.t: np.ndarray | None = None
        self.loss: float | None = None

    def forward(self, x: Any, t: Any) -> float:
        """Return the loss of scores ``x`` ``(N,)`` against labels ``t``."""
        xt = as_input(x)
        self.t = np.asarray(t)
        if self.t.shape != xt.shape:
            raise ValueError(f"SigmoidWithLoss: labels of shape {self.t.shape} do not match "
                             f"scores of shape {xt.shape}")
        fn = SigmoidCrossEntropy(self.t)  # the book's gradient (see minigrad.book2._ops)
        loss = fn(xt)
        self.y = fn.y
        self._record(loss, [xt], [])
        self.loss = cross_entropy_error(np.c_[1 - self.y, self.y], self.t)
        return self.loss

    def backward(self, dout: Any = 1) -> np.ndarray | None:
        """Return ``(y - t) * dout / N``."""
        return self._run_backward(dout)[0]


class Dropout(Layer):
    """The book's (non-inverted) dropout: training keeps a random mask, inference scales.

    Parameters
    ----------
    dropout_ratio : float
        Probability of dropping a unit.
    """

    def __init__(self, dropout_ratio: float = 0.5) -> None:
        super().__init__()
        self.dropout_ratio = dropout_ratio
        self.mask: np.ndarray | None = None

    def forward(self, x: Any, train_flg: bool = True) -> np.ndarray:
        """Return ``x * mask`` when training, else ``x * (1 - dropout_ratio)``."""
        xt = as_input(x)
        if train_flg:
            self.mask = np.random.rand(*xt.shape) > self.dropout_ratio
            out = xt * self.mask.astype(xt.dtype)
        else:
            out = xt * (1.0 - self.dropout_ratio)
        self._record(out, [xt], [])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dout`` masked as in the last forward."""
        return self._run_backward(dout)[0]


class Embedding(Layer):
    """Row lookup ``W[idx]``; repeated ids accumulate their gradients.

    Parameters
    ----------
    W : ndarray
        The embedding matrix ``(V, D)``.
    """

    def __init__(self, W: np.ndarray) -> None:  # noqa: N803
        super().__init__(W)
        self.idx: np.ndarray | None = None

    def forward(self, idx: Any) -> np.ndarray:
        """Return ``W[idx]``."""
        (W,) = self._param_leaves()
        self.idx = np.asarray(idx)
        if self.idx.dtype.kind not in "iu":
            raise TypeError(f"Embedding: ids must be integers, got dtype {self.idx.dtype}")
        out = EmbeddingRows(self.idx)(W)  # the book's gradient (see minigrad.book2._ops)
        self._record(out, [], [W])
        return out.data

    def backward(self, dout: Any) -> None:
        """Write the scatter-added ``dout`` rows into ``grads[0]``; return None."""
        self._run_backward(dout)
        return None



