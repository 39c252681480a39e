"""The book's ``common/time_layers.py``: recurrent cells and layers over whole sequences.

Each layer keeps the book's surface (``params``/``grads`` lists, ``forward``,
``backward``, ``stateful``, ``set_state``/``reset_state``, the state arrays
``h``/``c`` and the initial-state gradient ``dh``) while its backward is
automatic differentiation of the recorded forward, through every time step
of the block (truncated backpropagation through time: a stateful layer
carries its state into the next block as plain values, not as a graph).

Examples
--------
>>> import numpy as np
>>> from minigrad.book2.time_layers import RNN
>>> cell = RNN(np.array([[0.5]]), np.array([[1.0]]), np.array([0.0]))
>>> h = cell.forward(np.array([[1.0]]), np.array([[1.0]]))
>>> round(float(h[0, 0]), 6)
0.905148
>>> dx, dh_prev = cell.backward(np.array([[1.0]]))
>>> round(float(dx[0, 0]), 6), round(float(dh_prev[0, 0]), 6)
(0.090353, 0.180707)
"""

from __future__ import annotations

from typing import Any

import numpy as np

import minigrad as mg
from minigrad import functional as F
from minigrad.book2._base import Layer, as_input
from minigrad.book2._ops import StepwiseEmbedding, TimeSoftmaxCrossEntropy
from minigrad.book2.config import GPU
from minigrad.book2.functions import cross_entropy_error, sigmoid, softmax
from minigrad.book2.layers import (
    Affine,
    Dropout,
    Embedding,
    MatMul,
    Sigmoid,
    SigmoidWithLoss,
    Softmax,
    SoftmaxWithLoss,
)
from minigrad.ops.indexing import _out_of_range
from minigrad.tensor import Tensor

__all__ = ["RNN", "TimeRNN", "LSTM", "TimeLSTM", "GRU", "TimeGRU", "TimeEmbedding", "TimeAffine",
           "TimeSoftmaxWithLoss", "TimeSigmoidWithLoss", "TimeDropout", "TimeBiLSTM",
           "Sigmoid", "SigmoidWithLoss", "sigmoid", "softmax", "Simple_TimeAffine",
           "Simple_TimeSoftmaxWithLoss", "MatMul", "Affine", "Softmax", "SoftmaxWithLoss",
           "Dropout", "Embedding", "cross_entropy_error", "np", "GPU"]


def _rnn_step(x: Tensor, h: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor) -> Tensor:  # noqa: N803
    """``tanh(h @ Wh + x @ Wx + b)``, step by step and in this order, as the book's layer.

    The order of the terms is also the order in which backward reaches the two products,
    so the gradients of ``Wx`` and ``Wh`` add up over the steps from the last one back,
    as the book adds them (a float32 model rounds as the book's does).
    """
    return mg.tanh(mg.matmul(h, Wh) + mg.matmul(x, Wx) + b)


def _lstm_step(x: Tensor, h: Tensor, c: Tensor, Wx: Tensor, Wh: Tensor,  # noqa: N803
               b: Tensor) -> tuple[Tensor, Tensor]:
    """One LSTM step; gates in the book's order ``[f, g, i, o]``.

    ``A = x @ Wx + h @ Wh + b``, the gates and the new state are one recorded op
    (:func:`minigrad.functional.lstm_cell` with ``weight_ih``), computed step by step
    as the book's layer computes them, so that float32 rounds as the book's code does.
    """
    h_next, c_next = F.lstm_cell(x, h, c, Wh, b, gate_order="fgio", weight_ih=Wx)
    return h_next, c_next


def _gru_step(x: Tensor, h: Tensor, Wx: Tensor, Wh: Tensor, b: Tensor) -> Tensor:  # noqa: N803
    """One GRU step, blocks ``[z, r, h~]`` of ``Wx``, ``Wh``, ``b``."""
    H = h.shape[1]  # noqa: N806
    z = F.sigmoid(mg.matmul(x, Wx[:, :H]) + mg.matmul(h, Wh[:, :H]) + b[:H])
    r = F.sigmoid(mg.matmul(x, Wx[:, H:2 * H]) + mg.matmul(h, Wh[:, H:2 * H]) + b[H:2 * H])
    h_hat = mg.tanh(mg.matmul(x, Wx[:, 2 * H:]) + mg.matmul(r * h, Wh[:, 2 * H:]) + b[2 * H:])
    return (1 - z) * h + z * h_hat


def _check_3d(xs: np.ndarray, where: str) -> None:
    if xs.ndim != 3:
        raise ValueError(f"{where}: expected input of shape (N, T, D), got shape {xs.shape}")


class RNN(Layer):
    """One step ``h_next = tanh(h_prev @ Wh + x @ Wx + b)``.

    Parameters
    ----------
    Wx, Wh, b : ndarray
        Shapes ``(D, H)``, ``(H, H)``, ``(H,)``.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:  # noqa: N803
        super().__init__(Wx, Wh, b)

    def forward(self, x: Any, h_prev: Any) -> np.ndarray:
        """Return ``h_next``."""
        Wx, Wh, b = self._param_leaves()  # noqa: N806
        xt, ht = as_input(x), as_input(h_prev)
        out = _rnn_step(xt, ht, Wx, Wh, b)
        self._record(out, [xt, ht], [Wx, Wh, b])
        return out.data

    def backward(self, dh_next: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Return ``(dx, dh_prev)``; write ``dWx``, ``dWh``, ``db`` into ``grads``."""
        dx, dh = self._run_backward(dh_next)
        return dx, dh


class LSTM(Layer):
    """One LSTM step; ``A = x @ Wx + h_prev @ Wh + b`` split as ``[f, g, i, o]``.

    Parameters
    ----------
    Wx, Wh, b : ndarray
        Shapes ``(D, 4H)``, ``(H, 4H)``, ``(4H,)``.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:  # noqa: N803
        super().__init__(Wx, Wh, b)

    def forward(self, x: Any, h_prev: Any, c_prev: Any) -> tuple[np.ndarray, np.ndarray]:
        """Return ``(h_next, c_next)``."""
        Wx, Wh, b = self._param_leaves()  # noqa: N806
        xt, ht, ct = as_input(x), as_input(h_prev), as_input(c_prev)
        h, c = _lstm_step(xt, ht, ct, Wx, Wh, b)
        out = mg.concatenate([h, c], axis=1)  # one output for the autodiff backward
        self._record(out, [xt, ht, ct], [Wx, Wh, b])
        return h.data, c.data

    def backward(self, dh_next: Any, dc_next: Any) -> tuple[Any, Any, Any]:
        """Return ``(dx, dh_prev, dc_prev)``; write the parameter gradients into ``grads``."""
        dout = np.concatenate([np.asarray(dh_next), np.asarray(dc_next)], axis=1)
        dx, dh, dc = self._run_backward(dout)
        return dx, dh, dc


class GRU(Layer):
    """One GRU step with bias, blocks ``[z, r, h~]``: ``h_next = (1 - z) h + z h~``.

    Parameters
    ----------
    Wx, Wh, b : ndarray
        Shapes ``(D, 3H)``, ``(H, 3H)``, ``(3H,)``.
    """

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray) -> None:  # noqa: N803
        super().__init__(Wx, Wh, b)

    def forward(self, x: Any, h_prev: Any) -> np.ndarray:
        """Return ``h_next``."""
        Wx, Wh, b = self._param_leaves()  # noqa: N806
        xt, ht = as_input(x), as_input(h_prev)
        out = _gru_step(xt, ht, Wx, Wh, b)
        self._record(out, [xt, ht], [Wx, Wh, b])
        return out.data

    def backward(self, dh_next: Any) -> tuple[np.ndarray | None, np.ndarray | None]:
        """Return ``(dx, dh_prev)``."""
        dx, dh = self._run_backward(dh_next)
        return dx, dh


class _TimeRecurrent(Layer):
    """A cell applied over ``T`` steps, with the book's ``stateful`` semantics."""

    _gates = 1
    _has_c = False

    def __init__(self, Wx: np.ndarray, Wh: np.ndarray, b: np.ndarray,  # noqa: N803
                 stateful: bool = False) -> None:
        super().__init__(Wx, Wh, b)
        self.stateful = stateful
        self.h: np.ndarray | None = None
        self.c: np.ndarray | None = None
        self.dh: np.ndarray | None = None

    def _steps(self, xs: Tensor, h: Tensor, c: Tensor | None,
               leaves: list[Tensor]) -> tuple[list[Tensor], Tensor | None]:
        raise NotImplementedError

    def forward(self, xs: Any) -> np.ndarray:
        """Return the hidden states ``hs`` ``(N, T, H)`` of the input ``xs`` ``(N, T, D)``."""
        leaves = self._param_leaves()
        xt = as_input(xs)
        _check_3d(xt.data, type(self).__name__)
        N = xt.shape[0]  # noqa: N806
        H = self.params[1].shape[0]  # noqa: N806
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype="f")
        if self._has_c and (not self.stateful or self.c is None):
            self.c = np.zeros((N, H), dtype="f")
        h0 = Tensor(np.asarray(self.h), requires_grad=True)
        c0 = Tensor(np.asarray(self.c)) if self._has_c else None
        hs_list, c_last = self._steps(xt, h0, c0, leaves)
        hs = mg.stack(hs_list, axis=1)
        self.h = hs_list[-1].data.copy()
        if c_last is not None:
            self.c = c_last.data.copy()
        self._record(hs, [xt, h0], leaves)
        return hs.data

    def backward(self, dhs: Any) -> np.ndarray | None:
        """Return ``dxs``; store the initial-state gradient as ``dh``."""
        dxs, dh = self._run_backward(dhs)
        self.dh = dh
        return dxs

    def set_state(self, h: Any, c: Any = None) -> None:
        """Start the next forward from ``h`` (and ``c``; None means zeros)."""
        self.h = h
        if self._has_c:
            self.c = c

    def reset_state(self) -> None:
        """Forget the carried state."""
        self.h, self.c = None, None


class TimeRNN(_TimeRecurrent):
    """:class:`RNN` over ``T`` steps; ``stateful`` keeps ``h`` across calls.

    Parameters
    ----------
    Wx, Wh, b : ndarray
        As for :class:`RNN`.
    stateful : bool
        Keep the last hidden state for the next forward (truncated BPTT).
    """

    def _steps(self, xs: Tensor, h: Tensor, c: Tensor | None,
               leaves: list[Tensor]) -> tuple[list[Tensor], Tensor | None]:
        Wx, Wh, b = leaves  # noqa: N806
        hs = []
        for x in mg.unbind(xs, 1):  # one op: its backward stacks the steps
            h = _rnn_step(x, h, Wx, Wh, b)
            hs.append(h)
        return hs, None

    def set_state(self, h: Any, c: Any = None) -> None:
        """Start the next forward from ``h``."""
        self.h = h


class TimeLSTM(_TimeRecurrent):
    """:class:`LSTM` over ``T`` steps with states ``h`` and ``c``.

    Parameters
    ----------
    Wx, Wh, b : ndarray
        As for :class:`LSTM`.
    stateful : bool
        Keep ``h`` and ``c`` for the next forward (truncated BPTT).
    """

    _has_c = True

    def _steps(self, xs: Tensor, h: Tensor, c: Tensor | None,
               leaves: list[Tensor]) -> tuple[list[Tensor], Tensor | None]:
        Wx, Wh, b = leaves  # noqa: N806
        assert c is not None
        hs = []
        for x in mg.unbind(xs, 1):  # one op: its backward stacks the steps
            h, c = _lstm_step(x, h, c, Wx, Wh, b)
            hs.append(h)
        return hs, c


class TimeGRU(_TimeRecurrent):
    """:class:`GRU` over ``T`` steps; ``stateful`` keeps ``h`` across calls."""

    def _steps(self, xs: Tensor, h: Tensor, c: Tensor | None,
               leaves: list[Tensor]) -> tuple[list[Tensor], Tensor | None]:
        Wx, Wh, b = leaves  # noqa: N806
        hs = []
        for x in mg.unbind(xs, 1):
            h = _gru_step(x, h, Wx, Wh, b)
            hs.append(h)
        return hs, None


class TimeEmbedding(Layer):
    """``W[xs]`` for ids ``xs`` ``(N, T)``; gradients of repeated ids add up.

    The gradient adds up as the book's layer adds it (one sum per time step, then the
    steps in order), so a float32 model rounds as the book's does.
    """

    def __init__(self, W: np.ndarray) -> None:  # noqa: N803
        super().__init__(W)

    def forward(self, xs: Any) -> np.ndarray:
        """Return the vectors ``(N, T, D)``."""
        (W,) = self._param_leaves()  # noqa: N806
        idx = np.asarray(xs)
        if idx.dtype.kind not in "iu":
            raise TypeError(f"TimeEmbedding: ids must be integers, got dtype {idx.dtype}")
        if idx.ndim != 2:
            raise ValueError(f"TimeEmbedding: ids must be 2-D (N, T), got shape {idx.shape}")
        bad = _out_of_range(idx, W.shape[0])
        if bad is not None:
            raise IndexError(f"TimeEmbedding: id {bad} is out of range for {W.shape[0]} rows")
        # the book's order of adding the gradient up (step by step), see minigrad.book2._ops
        out = StepwiseEmbedding(idx.astype(np.intp, copy=False))(W)
        self._record(out, [], [W])
        return out.data

    def backward(self, dout: Any) -> None:
        """Write the summed row gradients into ``grads[0]``; return None."""
        self._run_backward(dout)
        return None


class TimeAffine(Layer):
    """``x @ W + b`` at every step of ``x`` ``(N, T, D)`` (one matrix product)."""

    def __init__(self, W: np.ndarray, b: np.ndarray) -> None:  # noqa: N803
        super().__init__(W, b)

    def forward(self, x: Any) -> np.ndarray:
        """Return ``(N, T, H)``."""
        W, b = self._param_leaves()  # noqa: N806
        xt = as_input(x)
        _check_3d(xt.data, "TimeAffine")
        N, T, D = xt.shape  # noqa: N806
        out = F.linear(xt.reshape(N * T, D), W, b).reshape(N, T, -1)  # one fused op
        self._record(out, [xt], [W, b])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dx``; write ``dW``, ``db`` into ``grads``."""
        return self._run_backward(dout)[0]


class TimeSoftmaxWithLoss(Layer):
    """Softmax cross-entropy averaged over every unmasked step; label ``-1`` is ignored.

    Targets may be ids ``(N, T)`` or one-hot ``(N, T, V)``. As in the book,
    no ``1e-7`` is added inside the logarithm.
    """

    def __init__(self) -> None:
        super().__init__()
        self.ignore_label: int | None = -1

    def forward(self, xs: Any, ts: Any) -> float:
        """Return the mean loss of scores ``xs`` ``(N, T, V)``."""
        xt = as_input(xs)
        _check_3d(xt.data, "TimeSoftmaxWithLoss")
        N, T, V = xt.shape  # noqa: N806
        t = np.asarray(ts)
        if t.ndim == 3:
            t = t.argmax(axis=2)
        if t.shape != (N, T):
            raise ValueError(f"TimeSoftmaxWithLoss: targets of shape {np.shape(ts)} do not "
                             f"match scores of shape {xt.shape}")
        t = t.reshape(N * T)
        mask = (np.ones(t.shape, dtype=bool) if self.ignore_label is None
                else t != self.ignore_label)
        scores = xt.reshape(N * T, V)
        if not mask.any():  # nothing counted: a zero loss (with a zero gradient)
            loss = (scores * 0).sum()
            self._record(loss, [xt], [])
            return 0.0
        # one op computing as the book's layer does (see minigrad.book2._ops)
        fn = TimeSoftmaxCrossEntropy(np.where(mask, t, 0), mask)
        loss = fn(scores)
        self._record(loss, [xt], [])
        value: float = fn.value
        return value

    def backward(self, dout: Any = 1) -> np.ndarray | None:
        """Return ``(y - onehot(t)) * dout / count``, zero at ignored steps."""
        return self._run_backward(dout)[0]


class TimeSigmoidWithLoss(Layer):
    """:class:`SigmoidWithLoss` over all ``N * T`` scores of ``xs`` ``(N, T)``."""

    def __init__(self) -> None:
        super().__init__()

    def forward(self, xs: Any, ts: Any) -> float:
        """Return the mean binary cross-entropy."""
        xt = as_input(xs)
        loss = F.binary_cross_entropy_with_logits(xt, np.asarray(ts).astype(xt.dtype))
        self._record(loss, [xt], [])
        return float(loss.data)

    def backward(self, dout: Any = 1) -> np.ndarray | None:
        """Return ``(y - t) * dout / (N * T)``."""
        return self._run_backward(dout)[0]


class TimeDropout(Layer):
    """Inverted dropout: training multiplies by ``mask / (1 - ratio)``; inference is identity.

    The mode is the attribute ``train_flg`` (True by default), as in the book.
    """

    def __init__(self, dropout_ratio: float = 0.5) -> None:
        super().__init__()
        self.dropout_ratio = dropout_ratio
        self.mask: np.ndarray | None = None
        self.train_flg = True

    def forward(self, xs: Any) -> np.ndarray:
        """Return the dropped-out ``xs`` (training) or ``xs`` (inference)."""
        xt = as_input(xs)
        if self.train_flg:
            keep = np.random.rand(*xt.shape) > self.dropout_ratio
            self.mask = keep.astype(np.float32) * np.float32(1.0 / (1.0 - self.dropout_ratio))
            out = xt * self.mask.astype(xt.dtype)
        else:
            out = xt * 1
        self._record(out, [xt], [])
        return out.data

    def backward(self, dout: Any) -> np.ndarray | None:
        """Return ``dout * mask`` (training) or ``dout``."""
        return self._run_backward(dout)[0]


class TimeBiLSTM:
    """Two :class:`TimeLSTM` s, the second reading the sequence backwards; outputs side by side.

    Parameters
    ----------
    Wx1, Wh1, b1, Wx2, Wh2, b2 : ndarray
        Parameters of the forward and of the backward-reading LSTM.
    stateful : bool
        Passed to both.
    """

    def __init__(self, Wx1: np.ndarray, Wh1: np.ndarray, b1: np.ndarray,  # noqa: N803
                 Wx2: np.ndarray, Wh2: np.ndarray, b2: np.ndarray,  # noqa: N803
                 stateful: bool = False) -> None:
        self.forward_lstm = TimeLSTM(Wx1, Wh1, b1, stateful)
        self.backward_lstm = TimeLSTM(Wx2, Wh2, b2, stateful)
        self.params = self.forward_lstm.params + self.backward_lstm.params
        self.grads = self.forward_lstm.grads + self.backward_lstm.grads

    def forward(self, xs: Any) -> np.ndarray:
        """Return ``(N, T, 2H)``: forward states, then the re-reversed backward states."""
        o1 = self.forward_lstm.forward(xs)
        o2 = self.backward_lstm.forward(np.asarray(xs)[:, ::-1])[:, ::-1]
        return np.concatenate((o1, o2), axis=2)

    def backward(self, dhs: Any) -> np.ndarray:
        """Return ``dxs``, the sum of both directions' input gradients."""
        dhs = np.asarray(dhs)
        H = dhs.shape[2] // 2  # noqa: N806
        dx1 = self.forward_lstm.backward(dhs[:, :, :H])
        dx2 = self.backward_lstm.backward(dhs[:, :, H:][:, ::-1])
        assert dx1 is not None and dx2 is not None
        return dx1 + dx2[:, ::-1]


class Simple_TimeAffine(TimeAffine):  # noqa: N801 - the book's name
    """The book's step-by-step affine; the same result as :class:`TimeAffine`."""


class Simple_TimeSoftmaxWithLoss(TimeSoftmaxWithLoss):  # noqa: N801 - the book's name
    """The book's step-by-step loss: the mean over every step, no label ignored."""

    def __init__(self) -> None:
        super().__init__()
        self.ignore_label = None
