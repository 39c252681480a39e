"""Gradient clipping as ``torch.nn.utils``: :func:`clip_grad_norm_` and :func:`clip_grad_value_`.

Both change the ``.grad`` of the given parameters in place, after
``backward`` and before the optimizer's ``step``; parameters without a
gradient are skipped::

    loss.backward()
    nn.utils.clip_grad_norm_(model.parameters(), max_norm=0.25)
    opt.step()

:func:`get_total_norm` and :func:`clip_grads_with_norm_` are the two halves of
:func:`clip_grad_norm_`, as in PyTorch.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import numpy as np

from minigrad.grad_mode import no_grad
from minigrad.tensor import Tensor, assign

__all__ = ["clip_grad_norm_", "clip_grad_value_", "get_total_norm", "clip_grads_with_norm_"]


def _tensors(tensors: Any, where: str) -> list[Tensor]:
    """``tensors`` as a list: one Tensor, or an iterable of them."""
    if isinstance(tensors, Tensor):
        return [tensors]
    if not isinstance(tensors, Iterable):
        raise TypeError(f"{where}: expected a Tensor or an iterable of Tensors, got "
                        f"{type(tensors).__name__}")
    items = list(tensors)
    for i, t in enumerate(items):
        if not isinstance(t, Tensor):
            raise TypeError(f"{where}: item {i} is a {type(t).__name__}, not a Tensor")
    return items


def _grads(parameters: Any, where: str) -> list[Tensor]:
    return [p.grad for p in _tensors(parameters, where) if p.grad is not None]


def _norm_type(norm_type: Any, where: str) -> float:
    if isinstance(norm_type, str) and norm_type == "inf":
        return float("inf")
    if isinstance(norm_type, bool) or not isinstance(norm_type, (int, float, np.number)):
        raise TypeError(f"{where}: norm_type must be a number (or inf), got "
                        f"{type(norm_type).__name__}")
    if not float(norm_type) > 0:
        raise ValueError(f"{where}: norm_type must be > 0, got {norm_type}")
    return float(norm_type)


def get_total_norm(tensors: Any, norm_type: float = 2.0, error_if_nonfinite: bool = False,
                   foreach: bool | None = None) -> Tensor:
    """The ``norm_type``-norm of all the values of ``tensors`` together, as one vector.

    Parameters
    ----------
    tensors : Tensor or iterable of Tensor
        Usually the gradients (``[p.grad for p in ...]``).
    norm_type : float
        The ``p`` of the norm; ``float("inf")`` (or ``"inf"``) for the largest
        absolute value.
    error_if_nonfinite : bool
        Raise if the norm is nan or infinite.
    foreach : None
        Accepted for PyTorch's signature; ignored.

    Returns
    -------
    Tensor
        A 0-d tensor (0 for no tensors), not part of any graph.

    Raises
    ------
    RuntimeError
        If ``error_if_nonfinite`` and the norm is nan or infinite.
    """
    where = "get_total_norm"
    p = _norm_type(norm_type, where)
    arrays = [t.data for t in _tensors(tensors, where)]
    if not arrays:
        return Tensor(np.zeros(()))
    dtype = np.result_type(*arrays)
    if p == float("inf"):
        norms = [np.max(np.abs(a)) if a.size else np.zeros((), dtype) for a in arrays]
        total = np.max(np.stack(norms))
    else:
        norms = [np.linalg.norm(a.ravel(), p) for a in arrays]
        total = np.linalg.norm(np.asarray(norms, dtype=dtype), p)
    total = np.asarray(total, dtype=dtype)
    if error_if_nonfinite and not np.isfinite(total):
        raise RuntimeError(f"{where}: the total norm of order {norm_type} of the gradients is "
                           f"{float(total)}, so it cannot be clipped; pass "
                           "error_if_nonfinite=False to clip anyway")
    return Tensor(total)


def clip_grads_with_norm_(parameters: Any, max_norm: float, total_norm: Any,
                          foreach: bool | None = None) -> None:
    """Scale the gradients by ``min(1, max_norm / (total_norm + 1e-6))``, in place.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        Their ``.grad`` is scaled (those without one are skipped).
    max_norm : float
        The largest total norm allowed.
    total_norm : float or Tensor
        The total norm of the gradients (:func:`get_total_norm`).
    foreach : None
        Accepted for PyTorch's signature; ignored.
    """
    where = "clip_grads_with_norm_"
    total = float(total_norm.data if isinstance(total_norm, Tensor) else total_norm)
    coef = min(float(max_norm) / (total + 1e-6), 1.0)
    with no_grad(), np.errstate(invalid="ignore"):  # inf * 0 is nan, as in PyTorch
        for g in _grads(parameters, where):
            assign(g, g.data * np.asarray(coef, dtype=g.dtype))


def clip_grad_norm_(parameters: Any, max_norm: float, norm_type: float = 2.0,
                    error_if_nonfinite: bool = False, foreach: bool | None = None) -> Tensor:
    """Rescale the gradients so that their total norm is at most ``max_norm``, in place.

    The norm is taken over all the gradients together, as if they were one
    vector; when it exceeds ``max_norm`` every gradient is multiplied by
    ``max_norm / (total_norm + 1e-6)`` (PyTorch's rule, so the result is a
    hair under ``max_norm``). This is the book's ``clip_grads`` with PyTorch's
    signature.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        The parameters (``model.parameters()``) whose ``.grad`` to clip;
        those without a gradient are skipped.
    max_norm : float
        The largest total norm allowed.
    norm_type : float
        The ``p`` of the norm (``float("inf")``: the largest absolute value).
    error_if_nonfinite : bool
        Raise, and change nothing, if the total norm is nan or infinite.
    foreach : None
        Accepted for PyTorch's signature; ignored.

    Returns
    -------
    Tensor
        The total norm of the gradients before clipping (0-d).

    Raises
    ------
    RuntimeError
        If ``error_if_nonfinite`` and the total norm is nan or infinite.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> from minigrad import nn
    >>> w = nn.Parameter(np.zeros(2))
    >>> w.grad = mg.tensor([3.0, 4.0])
    >>> float(nn.utils.clip_grad_norm_([w], max_norm=1.0))
    5.0
    >>> w.grad.data.round(6)
    array([0.6, 0.8])
    """
    params = _tensors(parameters, "clip_grad_norm_")
    grads = [p.grad for p in params if p.grad is not None]
    total = get_total_norm(grads, norm_type, error_if_nonfinite)
    if grads:
        clip_grads_with_norm_(params, max_norm, total)
    return total


def clip_grad_value_(parameters: Any, clip_value: float, foreach: bool | None = None) -> None:
    """Clamp every gradient value into ``[-clip_value, clip_value]``, in place.

    Parameters
    ----------
    parameters : Tensor or iterable of Tensor
        The parameters whose ``.grad`` to clamp (those without one are skipped).
    clip_value : float
        The largest absolute value allowed.
    foreach : None
        Accepted for PyTorch's signature; ignored.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> from minigrad import nn
    >>> w = nn.Parameter(np.zeros(3))
    >>> w.grad = mg.tensor([-2.0, 0.5, 3.0])
    >>> nn.utils.clip_grad_value_([w], 1.0)
    >>> w.grad.data
    array([-1. ,  0.5,  1. ])
    """
    v = float(clip_value)
    with no_grad():
        for g in _grads(parameters, "clip_grad_value_"):
            assign(g, np.clip(g.data, -v, v).astype(g.dtype, copy=False))
