"""The book's ``common/functions.py``: activations and losses of chapters 3 and 4.

Every function takes NumPy arrays (and Python numbers) or minigrad Tensors:

* on arrays it computes exactly the book's formula with NumPy and returns an
  array (or a NumPy scalar for the losses), so the numbers are the book's to
  the last bit;
* on a :class:`~minigrad.tensor.Tensor` it computes the same formula with
  minigrad ops and returns a Tensor, so that ``backward()`` differentiates it.

A star import brings what the book's star import brings, ``np`` included
(chapter 4's ``two_layer_net.py`` uses ``np`` from it)::

    # from common.functions import *          (the book)
    from minigrad.book.functions import *     # minigrad

The chapter-4 loss of the book adds ``1e-7`` inside the logarithm
(:func:`cross_entropy_error`); :func:`minigrad.functional.cross_entropy` is the
fused, stable form without it.

Examples
--------
>>> import numpy as np
>>> from minigrad.book.functions import softmax, cross_entropy_error
>>> y = softmax(np.array([0.3, 2.9, 4.0]))
>>> y.round(4)
array([0.0182, 0.2452, 0.7366])
>>> round(float(cross_entropy_error(y, np.array([0, 0, 1]))), 7)
0.3057143
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.ops.activation import relu as _relu
from minigrad.ops.elementwise import exp, log
from minigrad.tensor import Tensor

__all__ = ["np", "identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu",
           "relu_grad", "softmax", "sum_squared_error", "mean_squared_error",
           "cross_entropy_error", "softmax_loss"]

#: The constant the book adds inside the logarithm of the cross-entropy error.
_DELTA = 1e-7


def _labels(t: Any) -> np.ndarray:
    """Targets as an ndarray (targets are data, never differentiated)."""
    return np.asarray(t.data if isinstance(t, Tensor) else t)


def identity_function(x: Any) -> Any:
    """Return ``x`` unchanged: the output activation for regression (item 3.5).

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    array_like or Tensor
        ``x`` itself.
    """
    return x


def step_function(x: Any) -> Any:
    """Return 1 where ``x > 0`` and 0 elsewhere, as integers (item 3.2).

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    ndarray or Tensor
        An integer array (NumPy's default ``int``), or an integer Tensor
        without gradient for a Tensor input: the step's derivative is zero
        wherever it exists.

    Examples
    --------
    >>> step_function(np.array([-1.0, 0.0, 2.0]))
    array([0, 0, 1])
    """
    if isinstance(x, Tensor):
        return Tensor(np.array(x.data > 0, dtype=int))
    return np.array(np.asarray(x) > 0, dtype=int)


def sigmoid(x: Any) -> Any:
    """Return ``1 / (1 + exp(-x))``, the logistic sigmoid (item 3.2).

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    ndarray or Tensor
        Same shape as ``x``; a Tensor (differentiable) for a Tensor input.
    """
    if isinstance(x, Tensor):
        return 1 / (1 + exp(-x))
    return 1 / (1 + np.exp(-x))


def sigmoid_grad(x: Any) -> Any:
    """Return the derivative of :func:`sigmoid` at ``x``: ``(1 - sigmoid(x)) * sigmoid(x)``.

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    ndarray or Tensor
    """
    return (1.0 - sigmoid(x)) * sigmoid(x)


def relu(x: Any) -> Any:
    """Return ``max(0, x)`` elementwise (item 3.2).

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    ndarray or Tensor
        A Tensor (differentiable; derivative 0 where ``x <= 0``) for a Tensor input.
    """
    if isinstance(x, Tensor):
        return _relu(x)
    return np.maximum(0, x)


def relu_grad(x: Any) -> Any:
    """Return the book's ReLU derivative: 1 where ``x >= 0``, else 0, with ``x``'s dtype.

    Parameters
    ----------
    x : array_like or Tensor

    Returns
    -------
    ndarray or Tensor
        A Tensor without gradient for a Tensor input.
    """
    data = x.data if isinstance(x, Tensor) else np.asarray(x)
    grad = np.zeros_like(data)
    grad[data >= 0] = 1
    return Tensor(grad) if isinstance(x, Tensor) else grad


def softmax(x: Any) -> Any:
    """Return the softmax over the last axis, after subtracting its maximum (item 3.5).

    Parameters
    ----------
    x : array_like or Tensor
        Scores, 1-D or batched along the leading axes.

    Returns
    -------
    ndarray or Tensor
        Probabilities of ``x``'s shape, each last-axis row summing to 1.
    """
    if isinstance(x, Tensor):
        e = exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)
    x = x - np.max(x, axis=-1, keepdims=True)
    return np.exp(x) / np.sum(np.exp(x), axis=-1, keepdims=True)


def sum_squared_error(y: Any, t: Any) -> Any:
    """Return ``0.5 * sum((y - t) ** 2)`` (item 4.2).

    Parameters
    ----------
    y : array_like or Tensor
        Outputs.
    t : array_like or Tensor
        Targets of the same shape.

    Returns
    -------
    numpy.floating or Tensor
        A scalar: the sum over every element (not a mean, whatever the name
        :func:`mean_squared_error` says).
    """
    if isinstance(y, Tensor) or isinstance(t, Tensor):
        y = y if isinstance(y, Tensor) else Tensor(np.asarray(y))
        return 0.5 * ((y - t) ** 2).sum()
    return 0.5 * np.sum((y - t) ** 2)


#: The Korean edition's name of :func:`sum_squared_error` (the same sum).
mean_squared_error = sum_squared_error


def cross_entropy_error(y: Any, t: Any) -> Any:
    """Return the book's batch cross-entropy ``-sum(log(y[n, t_n] + 1e-7)) / N`` (item 4.2).

    A 1-D ``y`` is one sample. One-hot targets (``t.size == y.size``) are
    turned into class indices by ``argmax``; otherwise ``t`` holds the indices.

    Parameters
    ----------
    y : array_like or Tensor
        Probabilities, shape ``(N, C)`` or ``(C,)``.
    t : array_like or Tensor
        One-hot targets of ``y``'s shape, or ``N`` class indices.

    Returns
    -------
    numpy.floating or Tensor
        The mean over the batch; a Tensor (differentiable in ``y``) when
        ``y`` is a Tensor.

    Raises
    ------
    ValueError
        If the targets fit neither form.
    """
    t = _labels(t)
    if not isinstance(y, Tensor):
        y = np.asarray(y)
    if y.ndim == 1:
        t = t.reshape(1, t.size)
        y = y.reshape(1, y.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    batch_size = y.shape[0]
    if t.size != batch_size:
        raise ValueError(f"cross_entropy_error: y has shape {tuple(y.shape)} but t has "
                         f"{t.size} entries; expected one-hot targets of y's shape or "
                         f"{batch_size} class indices")
    picked = y[np.arange(batch_size), t]
    if isinstance(y, Tensor):
        return -log(picked + _DELTA).sum() / batch_size
    return -np.sum(np.log(picked + _DELTA)) / batch_size


def softmax_loss(X: Any, t: Any) -> Any:  # noqa: N803 - the book's name
    """Return ``cross_entropy_error(softmax(X), t)``.

    Parameters
    ----------
    X : array_like or Tensor
        Scores.
    t : array_like or Tensor
        Targets, as for :func:`cross_entropy_error`.

    Returns
    -------
    numpy.floating or Tensor
    """
    return cross_entropy_error(softmax(X), t)
