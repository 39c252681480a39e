"""Loss functions: the book's and PyTorch's, each with its own semantics.

The book's: ``sum_squares_error``, ``cross_entropy_error``, ``softmax_cross_entropy``
(and the metric ``accuracy``). PyTorch's: ``cross_entropy``, ``nll_loss``,
``binary_cross_entropy``, ``mse_loss``, ``l1_loss``, ``huber_loss``, ...
"""

from __future__ import annotations

import weakref
from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import Function, OpError
from minigrad.grad_mode import is_grad_enabled
from minigrad.ops import indexing
from minigrad.ops.activation import (
    _float_input,
    _mask,
    _softmax_array,
    log_softmax,
    logsigmoid,
    softmax,
)
from minigrad.ops.catalogue import op
from minigrad.ops.elementwise import (
    abs,
    log,
    log1p,
)
from minigrad.ops.shape import getitem, reshape
from minigrad.tensor import Tensor, _make, as_tensor

__all__ = [
    "softmax_cross_entropy", "sum_squares_error", "sum_squared_error", "cross_entropy_error",
    "accuracy", "cross_entropy", "nll_loss", "binary_cross_entropy",
    "binary_cross_entropy_with_logits", "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss",
]

#: The small constant added inside the logarithm of :func:`cross_entropy_error`.
CROSS_ENTROPY_DELTA = 1e-7

_REDUCTIONS = ("mean", "sum", "none")


#: The softmax of the latest recorded forward of :class:`SoftmaxCrossEntropy` with labels,
#: ``[weak reference to the call, array]``: its first-order backward, which usually comes
#: right after, uses it instead of computing it again. One array process-wide, so a loss kept
#: without a backward (the book's list of losses) holds no more than it did.
_LAST_SOFTMAX: list[Any] = [None, None]


class SoftmaxCrossEntropy(Function):
    """Fused, stable softmax followed by the batch-mean cross-entropy.

    ``t`` holds integer labels of shape (N,) or one-hot (or soft) targets of
    the logits' shape. Backward is ``(softmax(x) - t_onehot) / N``. With labels,
    the first-order backward is NumPy (on the forward's softmax when it is the
    latest one); when gradients of gradients are being recorded it is made of ops.
    """

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        n = x.shape[0]
        z = x - x.max(axis=1, keepdims=True)
        if t.shape == x.shape:
            z -= np.log(np.exp(z).sum(axis=1, keepdims=True))  # log softmax(x)
            return -(t * z).sum() / n
        picked = z[np.arange(n), t]  # log softmax(x) is needed only where a label picks it
        e = np.exp(z, out=z)  # in place: one array of the logits' size, not two
        total = e.sum(axis=1, keepdims=True)
        if is_grad_enabled():
            e /= total
            _LAST_SOFTMAX[:] = [weakref.ref(self), e]
        return -(picked - np.log(total[:, 0])).sum() / n

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = self.inputs
        n = x.shape[0]
        gx = gt = None
        if self.needs_input_grad[0]:
            if t.shape != x.shape and not is_grad_enabled():  # labels, first order: NumPy
                ref, g = _LAST_SOFTMAX
                if ref is not None and ref() is self:
                    _LAST_SOFTMAX[:] = [None, None]  # used up (changed in place below)
                else:
                    g = _softmax_array(x.data, 1)
                g[np.arange(n), t.data] -= 1
                if gy.data != 1:
                    g *= gy.data
                g /= n  # divided, not multiplied by 1/n: the books' rounding, bit for bit
                return _make(g), None
            p = softmax(x, axis=1)
            if t.shape != x.shape:  # integer labels
                gx = (p - _one_hot(t.data, x.shape, x.dtype)) * (gy / n)
            elif not self.needs_input_grad[1]:  # constant targets: d/dx = p * sum(t) - t
                rows = t.data.sum(axis=1, keepdims=True)
                gx = ((p - t) if (rows == 1).all() else (p * rows - t)) * (gy / n)
            else:
                gx = (p * t.sum(axis=1, keepdims=True) - t) * (gy / n)
        if self.needs_input_grad[1]:
            gt = log_softmax(x, axis=1) * (-gy / n)
        return gx, gt


def _labels_if_one_hot(t: np.ndarray) -> np.ndarray | None:
    """Return the class index of each row if ``t`` is exactly one-hot (N, C), else None."""
    if t.ndim != 2 or t.size == 0:
        return None
    labels = t.argmax(axis=1)
    # N non-zeros in all, and each row's largest entry is 1: one 1 per row, zeros elsewhere
    if np.count_nonzero(t) == t.shape[0] and np.array_equal(
            t[np.arange(t.shape[0]), labels], np.ones(t.shape[0], t.dtype)):
        return labels
    return None


def _one_hot(labels: np.ndarray, shape: tuple[int, ...], dtype: Any) -> np.ndarray:
    out = np.zeros(shape, dtype=dtype)
    out[np.arange(shape[0]), labels] = 1
    return out


@op()
def softmax_cross_entropy(logits: Any, t: Any) -> Tensor:
    """Mean cross-entropy of ``softmax(logits)`` against targets ``t``, fused and stable.

    Parameters
    ----------
    logits : Tensor
        Scores of shape (N, C), or (C,) for a single sample.
    t : Tensor or ndarray
        Integer labels of shape (N,), or one-hot targets of shape (N, C).

    Returns
    -------
    Tensor
        A scalar: ``-(1/N) sum_n log softmax(logits)[n, t_n]``.
    """
    x = as_tensor(logits)
    # labels keep their integer dtype (Tensor() would make Python ints float64);
    # constant float targets take the logits' dtype, so float32 stays float32
    tt = t if isinstance(t, Tensor) else Tensor(np.asarray(t))
    if tt.dtype.kind == "f" and tt.dtype != x.dtype and not tt.requires_grad:
        tt = Tensor(tt.data.astype(x.dtype))
    if x.ndim == 1:
        x = reshape(x, (1, x.size))
        tt = reshape(tt, (1, tt.size)) if tt.size == x.size else reshape(tt, (1,))
    if x.ndim != 2:
        raise OpError(f"softmax_cross_entropy: logits must be 1-D or 2-D, got shape {x.shape}")
    if x.shape[0] == 0 and tt.shape in (x.shape, (0,)):
        return NoTargetCounted()(x, tt)  # the mean over an empty batch
    if tt.shape == x.shape and not tt.requires_grad:
        labels = _labels_if_one_hot(tt.data)
        if labels is not None:  # the same targets, kept (and saved for backward) smaller
            return SoftmaxCrossEntropy()(x, labels)
    if tt.shape != x.shape:
        if tt.shape != (x.shape[0],) or tt.dtype.kind not in "iu":
            raise OpError(
                f"softmax_cross_entropy: targets of shape {tt.shape} and dtype {tt.dtype} do not "
                f"match logits of shape {x.shape}; pass integer labels of shape ({x.shape[0]},) "
                f"or one-hot targets of shape {x.shape}"
            )
        if tt.size and (tt.data.min() < 0 or tt.data.max() >= x.shape[1]):
            raise IndexError(
                f"softmax_cross_entropy: labels must lie in [0, {x.shape[1]}), got values from "
                f"{tt.data.min()} to {tt.data.max()}"
            )
    return SoftmaxCrossEntropy()(x, tt)


@op()
def sum_squares_error(y: Any, t: Any) -> Tensor:
    """Sum of squared errors ``0.5 * sum((y - t) ** 2)`` (the chapter's equation 4.1).

    Parameters
    ----------
    y : Tensor or array_like
        The network's output.
    t : Tensor or array_like
        The target, of a shape that broadcasts with ``y`` (usually the same).

    Returns
    -------
    Tensor
        A scalar, differentiable with respect to both arguments.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> round(F.sum_squares_error(y, t).item(), 6)
    0.0975
    """
    yt, tt = as_tensor(y), as_tensor(t)
    try:
        np.broadcast_shapes(yt.shape, tt.shape)
    except ValueError:
        raise OpError(
            f"sum_squares_error: y of shape {yt.shape} and t of shape {tt.shape} do not "
            "broadcast together"
        ) from None
    d = yt - tt
    return 0.5 * (d * d).sum()


def _labels_from_targets(t: np.ndarray, y_shape: tuple[int, ...], y_ndim: int,
                         where: str) -> np.ndarray:
    """Return integer labels of shape (N,) from one-hot targets or labels (validated)."""
    n, c = y_shape
    one_hot = t.size == n * c and t.ndim >= 1 and (
        t.dtype.kind in "fb" or t.ndim == 2 or (y_ndim == 1 and c > 1))
    if one_hot:
        t2 = t.reshape(n, c)
        if not np.all((t2 == 0) | (t2 == 1)) or not np.all(t2.sum(axis=1) == 1):
            raise OpError(
                f"{where}: targets of y's shape {y_shape} must be one-hot (a single 1 per "
                "row, zeros elsewhere); pass integer labels of shape (N,) otherwise"
            )
        return t2.argmax(axis=1)
    if t.dtype.kind not in "iu":
        raise OpError(
            f"{where}: targets of shape {t.shape} and dtype {t.dtype} do not match y of shape "
            f"{y_shape}; pass integer labels of shape ({n},) or one-hot targets of shape "
            f"{y_shape}"
        )
    labels = t.reshape(-1)
    if labels.shape != (n,):
        raise OpError(
            f"{where}: {labels.size} labels for a batch of {n} (y has shape {y_shape})"
        )
    if n and (labels.min() < 0 or labels.max() >= c):
        raise IndexError(
            f"{where}: labels must lie in [0, {c}), got values from {labels.min()} to "
            f"{labels.max()}"
        )
    return labels


@op()
def cross_entropy_error(y: Any, t: Any) -> Tensor:
    """Batch-mean cross-entropy of probabilities ``y``, as in the chapter (section 2.4).

    ``E = -sum(log(y[arange(N), t] + 1e-7)) / N``: the ``1e-7`` keeps
    ``log(0)`` away, and a 1-D ``y`` is treated as a batch of one.

    Parameters
    ----------
    y : Tensor or array_like
        Probabilities (e.g. a softmax output) of shape (N, C), or (C,).
    t : Tensor or array_like
        One-hot targets of ``y``'s size (converted to labels with argmax),
        or integer labels of shape (N,) (a single label for a 1-D ``y``).

    Returns
    -------
    Tensor
        A scalar, differentiable with respect to ``y``.

    Raises
    ------
    ValueError
        If ``t`` is neither one-hot nor integer labels matching ``y``.
    IndexError
        If a label is out of range.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> t = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0.0])
    >>> y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    >>> round(F.cross_entropy_error(y, t).item(), 6)
    0.510825
    >>> round(F.cross_entropy_error(y, 2).item(), 6)
    0.510825
    """
    yt = as_tensor(y)
    tarr = np.asarray(t.data if isinstance(t, Tensor) else t)
    y_ndim = yt.ndim
    if y_ndim == 1:
        yt = reshape(yt, (1, yt.size))
    if yt.ndim != 2:
        raise OpError(f"cross_entropy_error: y must be 1-D or 2-D, got shape {yt.shape}")
    labels = _labels_from_targets(tarr, yt.shape, y_ndim, "cross_entropy_error")
    n = yt.shape[0]
    picked = getitem(yt, (np.arange(n), labels))
    return -log(picked + CROSS_ENTROPY_DELTA).sum() / n


@op()
def accuracy(y: Any, t: Any) -> float:
    """Share of samples whose highest score is the right class (not differentiable).

    Parameters
    ----------
    y : Tensor or array_like
        Scores or probabilities of shape (N, C), or (C,) for one sample.
    t : Tensor or array_like
        Integer labels of shape (N,) or one-hot targets of ``y``'s shape.

    Returns
    -------
    float
        The accuracy in [0, 1] (0.0 for an empty batch).

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> F.accuracy(np.array([[0.1, 0.9], [0.8, 0.2]]), np.array([1, 1]))
    0.5
    """
    yarr = np.asarray(y.data if isinstance(y, Tensor) else y)
    tarr = np.asarray(t.data if isinstance(t, Tensor) else t)
    y_ndim = yarr.ndim
    if y_ndim == 1:
        yarr = yarr.reshape(1, yarr.size)
    if yarr.ndim != 2:
        raise OpError(f"accuracy: y must be 1-D or 2-D, got shape {yarr.shape}")
    n, c = yarr.shape
    if tarr.size == n * c and tarr.ndim >= 1 and (
            tarr.dtype.kind in "fb" or tarr.ndim == 2 or (y_ndim == 1 and c > 1)):
        labels = tarr.reshape(n, c).argmax(axis=1)
    else:
        if tarr.dtype.kind not in "iu":
            raise OpError(
                f"accuracy: targets of shape {tarr.shape} and dtype {tarr.dtype} do not match "
                f"y of shape {yarr.shape}; pass integer labels or one-hot targets"
            )
        labels = tarr.reshape(-1)
        if labels.shape != (n,):
            raise OpError(
                f"accuracy: {labels.size} labels for a batch of {n} (y has shape {yarr.shape})"
            )
    if n == 0:
        return 0.0
    return float(np.sum(yarr.argmax(axis=1) == labels)) / n


def _check_reduction(reduction: str, where: str) -> None:
    if reduction not in _REDUCTIONS:
        raise OpError(f"{where}: reduction must be 'mean', 'sum' or 'none', got "
                      f"{reduction!r}")


def _reduce(loss: Tensor, reduction: str) -> Tensor:
    if reduction == "mean":
        return loss.mean()
    if reduction == "sum":
        return loss.sum()
    return loss


def _pair(input: Any, target: Any, where: str, same_shape: bool = False) -> tuple[Tensor, Tensor]:
    """The two float operands of an elementwise loss, checked to broadcast (or to match)."""
    x = _float_input(input)
    t = target if isinstance(target, Tensor) else Tensor(np.asarray(target, dtype=x.dtype))
    if t.dtype != x.dtype and not t.requires_grad:
        t = Tensor(t.data.astype(x.dtype))
    if same_shape and t.shape != x.shape:
        raise OpError(f"{where}: target of shape {t.shape} must have the input's shape "
                      f"{x.shape}")
    try:
        np.broadcast_shapes(x.shape, t.shape)
    except ValueError:
        raise OpError(f"{where}: input of shape {x.shape} and target of shape {t.shape} "
                      "do not broadcast together") from None
    return x, t


def _constant(value: Any, x: Tensor) -> Any:
    """A constant weight in the input's dtype (as PyTorch); a weight with a gradient as is."""
    if value is None or (isinstance(value, Tensor) and value.requires_grad):
        return value
    return np.asarray(value.data if isinstance(value, Tensor) else value, dtype=x.dtype)


def _labels(target: Any, shape: tuple[int, ...], class_axis: int, n_classes: int,
            ignore_index: int, where: str) -> tuple[np.ndarray, np.ndarray]:
    """Validated class labels (ignored ones set to 0) and the mask of the counted ones."""
    t = np.asarray(target.data if isinstance(target, Tensor) else target)
    expected = shape[:class_axis] + shape[class_axis + 1:]
    if t.dtype.kind not in "iu":
        raise OpError(f"{where}: class labels must be integers, got dtype {t.dtype} (for "
                      f"class probabilities pass floats of the input's shape {shape})")
    if t.shape != expected:
        raise OpError(f"{where}: target of shape {t.shape} does not match input of shape "
                      f"{shape}; expected labels of shape {expected}")
    valid = t != ignore_index
    labels = np.where(valid, t, 0)
    if labels.size and (labels.min() < 0 or labels.max() >= n_classes):
        bad = labels[(labels < 0) | (labels >= n_classes)]
        raise IndexError(f"{where}: target {bad.flat[0]} is out of bounds for {n_classes} "
                         f"classes (labels lie in [0, {n_classes}) or equal ignore_index="
                         f"{ignore_index})")
    return labels, valid


def _class_weight(weight: Any, n_classes: int, dtype: Any, where: str) -> np.ndarray | None:
    if weight is None:
        return None
    w = np.asarray(weight.data if isinstance(weight, Tensor) else weight, dtype=dtype)
    if w.shape != (n_classes,):
        raise OpError(f"{where}: weight of shape {w.shape} must have one entry per class, "
                      f"shape ({n_classes},)")
    return w


def _class_axis(x: Tensor, where: str) -> int:
    if x.ndim == 0:
        raise OpError(f"{where}: input must have a class axis: shape (C,), (N, C) or "
                      f"(N, C, d1, ...), got a 0-d tensor")
    return 0 if x.ndim == 1 else 1


class NoTargetCounted(Function):
    """The mean loss over no counted target: NaN, with a zero gradient (as PyTorch).

    When every target equals ``ignore_index`` (or the batch is empty), the mean is
    0/0; PyTorch returns NaN but leaves the gradients 0 (of the input, and of
    differentiable targets), so that one such batch does not turn every weight into NaN.
    """

    def forward(self, x: np.ndarray, *targets: np.ndarray) -> np.ndarray:
        return np.full((), np.nan, dtype=x.dtype)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        return tuple(Tensor(np.zeros(a.shape, dtype=a.dtype)) if need else None
                     for a, need in zip(self.inputs, self.needs_input_grad))


def _nll(logp: Tensor, labels: np.ndarray, valid: np.ndarray, w: np.ndarray | None,
         reduction: str) -> Tensor:
    """``-w[t] * logp[..., t, ...]`` over the counted samples, reduced as PyTorch does."""
    if logp.ndim == 1:
        picked = getitem(logp, labels[()])
    else:
        idx: tuple[np.ndarray, ...] = tuple(np.indices(labels.shape, sparse=True))
        picked = getitem(logp, (idx[0], labels, *idx[1:]))
    wt = valid.astype(logp.dtype) if w is None else w[labels] * valid
    loss = -picked * wt
    if reduction == "none":
        return loss
    if reduction == "sum":
        return loss.sum()
    with np.errstate(invalid="ignore", divide="ignore"):
        return loss.sum() / wt.sum()  # 0/0 = NaN when every target is ignored, as in PyTorch


@op(torch="nll_loss")
def nll_loss(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
             reduction: str = "mean") -> Tensor:
    """Negative log-likelihood of log-probabilities ``input`` at class labels ``target``.

    Parameters
    ----------
    input : Tensor
        Log-probabilities of shape (C,), (N, C) or (N, C, d1, ...).
    target : array_like of int
        Labels of shape (), (N,) or (N, d1, ...), in [0, C) or equal to ``ignore_index``.
    weight : array_like, optional
        A weight per class, shape (C,) (a constant).
    ignore_index : int
        Targets equal to it add nothing and are not counted in the mean.
    reduction : {"mean", "sum", "none"}
        ``"mean"`` divides by the summed weights of the counted targets: NaN if no
        target is counted, with a zero gradient (as PyTorch).

    Returns
    -------
    Tensor
        The loss (a scalar, or of the target's shape for ``"none"``).
    """
    _check_reduction(reduction, "nll_loss")
    x = _float_input(input)
    ax = _class_axis(x, "nll_loss")
    c = x.shape[ax]
    labels, valid = _labels(target, x.shape, ax, c, ignore_index, "nll_loss")
    if reduction == "mean" and not valid.any():
        return NoTargetCounted()(x)
    return _nll(x, labels, valid, _class_weight(weight, c, x.dtype, "nll_loss"), reduction)


@op(torch="cross_entropy")
def cross_entropy(input: Any, target: Any, weight: Any = None, ignore_index: int = -100,
                  reduction: str = "mean", label_smoothing: float = 0.0) -> Tensor:
    """Cross-entropy of ``softmax(input)`` along the class axis, as PyTorch's.

    Parameters
    ----------
    input : Tensor
        Logits of shape (C,), (N, C) or (N, C, d1, ...); the class axis is 1 (0 for 1-D).
    target : array_like
        Integer class labels of the input's shape without the class axis, or class
        probabilities (floats) of the input's shape (then differentiable too).
    weight : array_like, optional
        A weight per class, shape (C,) (a constant).
    ignore_index : int
        Labels equal to it add nothing and are not counted (labels only).
    reduction : {"mean", "sum", "none"}
        For labels, ``"mean"`` divides by the summed weights of the counted targets (NaN
        with a zero gradient if none is counted, as PyTorch); for probabilities, by the
        number of samples (N * d1 * ...).
    label_smoothing : float
        In [0, 1]: the target becomes ``(1 - s) * target + s / C``.

    Returns
    -------
    Tensor
        The loss.

    Examples
    --------
    >>> import numpy as np, minigrad as mg, minigrad.functional as F
    >>> round(F.cross_entropy(mg.tensor([[0.3, 2.9, 4.0]]), np.array([2])).item(), 6)
    0.305714
    """
    _check_reduction(reduction, "cross_entropy")
    if not 0.0 <= label_smoothing <= 1.0:
        raise OpError(f"cross_entropy: label_smoothing must lie in [0, 1], got "
                      f"{label_smoothing}")
    x = _float_input(input)
    ax = _class_axis(x, "cross_entropy")
    c = x.shape[ax]
    w = _class_weight(weight, c, x.dtype, "cross_entropy")
    tdata = target.data if isinstance(target, Tensor) else np.asarray(target)
    if tdata.dtype.kind == "f":  # class probabilities
        t = target if isinstance(target, Tensor) else Tensor(tdata.astype(x.dtype))
        if t.shape != x.shape:
            hint = ""
            if t.shape == x.shape[:ax] + x.shape[ax + 1:]:
                hint = (f"; for class labels pass integers (e.g. t.astype(np.int64)), not "
                        f"{t.dtype}")
            raise OpError(f"cross_entropy: class probabilities of shape {t.shape} must "
                          f"have the input's shape {x.shape}{hint}")
        if label_smoothing > 0:
            t = t * (1 - label_smoothing) + label_smoothing / c
        logp = log_softmax(x, axis=ax)
        if w is not None:
            logp = logp * w.reshape((c,) + (1,) * (x.ndim - ax - 1))
        loss = -(logp * t).sum(axis=ax)
        if reduction == "mean":
            if x.size == 0:
                return NoTargetCounted()(x, t)
            return loss.sum() / (x.size // c)
        return loss.sum() if reduction == "sum" else loss
    labels, valid = _labels(tdata, x.shape, ax, c, ignore_index, "cross_entropy")
    if reduction == "mean" and not valid.any():
        return NoTargetCounted()(x)
    if (x.ndim == 2 and w is None and reduction == "mean" and label_smoothing == 0
            and valid.all() and x.shape[0]):
        return SoftmaxCrossEntropy()(x, labels)  # the fused op
    logp = log_softmax(x, axis=ax)
    nll = _nll(logp, labels, valid, w, reduction)
    if label_smoothing == 0:
        return nll
    wv = None if w is None else w.reshape((c,) + (1,) * (x.ndim - ax - 1))
    smooth = -(logp if wv is None else logp * wv).sum(axis=ax) * valid.astype(x.dtype)
    if reduction == "mean":
        # a Python number: a NumPy int64 or float64 scalar would make float32 float64
        counted = float(w[labels][valid].sum() if w is not None else valid.sum())
        with np.errstate(invalid="ignore", divide="ignore"):
            smooth = smooth.sum() / counted
    elif reduction == "sum":
        smooth = smooth.sum()
    return nll * (1 - label_smoothing) + smooth * (label_smoothing / c)


class BinaryCrossEntropy(Function):
    """``-(t log x + (1 - t) log(1 - x))`` with each log clamped at -100 (PyTorch's).

    Gradient ``(x - t) / max(x (1 - x), 1e-12)`` for ``x`` and ``log(1 - x) - log(x)`` for ``t``.
    """

    elementwise: ClassVar[bool] = True

    def forward(self, x: np.ndarray, t: np.ndarray) -> np.ndarray:
        with np.errstate(divide="ignore"):
            return (t - 1) * np.maximum(np.log1p(-x), -100) - t * np.maximum(np.log(x), -100)

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        x, t = self.inputs
        gx = gt = None
        if self.needs_input_grad[0]:
            d = (1 - x) * x
            big = _mask(d.data >= 1e-12, d)
            gx = gy * (x - t) / (d * big + (1 - big) * 1e-12)
        if self.needs_input_grad[1]:
            gt = gy * (log1p(-x) - log(x))
        return gx, gt


@op(torch="binary_cross_entropy")
def binary_cross_entropy(input: Any, target: Any, weight: Any = None,
                         reduction: str = "mean") -> Tensor:
    """Binary cross-entropy of probabilities ``input`` in [0, 1] against ``target``.

    Each log is clamped at -100, so ``input`` of exactly 0 or 1 gives a finite loss (as in
    PyTorch). ``weight`` (broadcast to the input) rescales each element.
    """
    _check_reduction(reduction, "binary_cross_entropy")
    x, t = _pair(input, target, "binary_cross_entropy", same_shape=True)
    if x.size and ((x.data < 0).any() or (x.data > 1).any() or np.isnan(x.data).any()):
        raise OpError("binary_cross_entropy: every element of input must lie in [0, 1]")
    loss = BinaryCrossEntropy()(x, t)
    weight = _constant(weight, x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@op(torch="binary_cross_entropy_with_logits")
def binary_cross_entropy_with_logits(input: Any, target: Any, weight: Any = None,
                                     reduction: str = "mean",
                                     pos_weight: Any = None) -> Tensor:
    """Binary cross-entropy of ``sigmoid(input)``, computed stably from the logits.

    ``loss = (1 - t) x - (1 + (pos_weight - 1) t) logsigmoid(x)``, times ``weight``.
    ``pos_weight`` (broadcast along the last axis, e.g. one per class) weighs the positive
    examples.
    """
    _check_reduction(reduction, "binary_cross_entropy_with_logits")
    x, t = _pair(input, target, "binary_cross_entropy_with_logits", same_shape=True)
    weight, pos_weight = _constant(weight, x), _constant(pos_weight, x)
    if pos_weight is None:
        loss = (1 - t) * x - logsigmoid(x)
    else:
        loss = (1 - t) * x - ((as_tensor(pos_weight) - 1) * t + 1) * logsigmoid(x)
    if weight is not None:
        loss = loss * weight
    return _reduce(loss, reduction)


@op(torch="mse_loss")
def mse_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Squared error ``(input - target) ** 2``, reduced (broadcasting allowed)."""
    _check_reduction(reduction, "mse_loss")
    x, t = _pair(input, target, "mse_loss")
    d = x - t
    return _reduce(d * d, reduction)


@op(torch="l1_loss")
def l1_loss(input: Any, target: Any, reduction: str = "mean") -> Tensor:
    """Absolute error ``|input - target|``, reduced; the gradient at 0 is 0 (PyTorch's)."""
    _check_reduction(reduction, "l1_loss")
    x, t = _pair(input, target, "l1_loss")
    return _reduce(abs(x - t), reduction)


@op(torch="huber_loss")
def huber_loss(input: Any, target: Any, reduction: str = "mean", delta: float = 1.0) -> Tensor:
    """Huber loss: ``0.5 d**2`` where ``|d| < delta``.

    else ``delta (|d| - 0.5 delta)``, with ``d = input - target``.
    """
    _check_reduction(reduction, "huber_loss")
    if not delta > 0:
        raise OpError(f"huber_loss: delta must be positive, got {delta}")
    x, t = _pair(input, target, "huber_loss")
    d = x - t
    a = abs(d)
    return _reduce(indexing.where(a.data < delta, d * d * 0.5, (a - 0.5 * delta) * delta),
                   reduction)


@op(torch="smooth_l1_loss")
def smooth_l1_loss(input: Any, target: Any, reduction: str = "mean",
                   beta: float = 1.0) -> Tensor:
    """Smooth L1: ``0.5 d**2 / beta`` where ``|d| < beta``.

    else ``|d| - 0.5 beta`` (``beta = 0`` is the L1 loss).
    """
    _check_reduction(reduction, "smooth_l1_loss")
    if not beta >= 0:
        raise OpError(f"smooth_l1_loss: beta must be >= 0, got {beta}")
    if beta == 0:
        return l1_loss(input, target, reduction)
    x, t = _pair(input, target, "smooth_l1_loss")
    d = x - t
    a = abs(d)
    return _reduce(indexing.where(a.data < beta, d * d * (0.5 / beta), a - 0.5 * beta), reduction)


#: The book repository's name for :func:`sum_squares_error`.
sum_squared_error = sum_squares_error
