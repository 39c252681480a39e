"""Attention: ``scaled_dot_product_attention``, composed from differentiable ops."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._rng import make_generator
from minigrad.autograd import OpError
from minigrad.ops import indexing
from minigrad.ops.activation import _zero, softmax
from minigrad.ops.catalogue import op
from minigrad.ops.linalg import _swap_last
from minigrad.ops.normalization import dropout
from minigrad.ops.shape import repeat_interleave
from minigrad.tensor import Tensor, as_tensor

__all__ = ["scaled_dot_product_attention"]


@op(torch="scaled_dot_product_attention")
def scaled_dot_product_attention(query: Any, key: Any, value: Any, attn_mask: Any = None,
                                 dropout_p: float = 0.0, is_causal: bool = False,
                                 scale: float | None = None,
                                 rng: np.random.Generator | int | None = None, *,
                                 enable_gqa: bool = False) -> Tensor:
    """Attention ``softmax(q @ k^T * scale + mask) @ v``, composed from differentiable ops.

    Parameters
    ----------
    query : Tensor
        Shape (..., L, E).
    key : Tensor
        Shape (..., S, E).
    value : Tensor
        Shape (..., S, Ev).
    attn_mask : array_like, optional
        Broadcastable to (..., L, S): a bool mask (True: the position takes part) or a
        float mask added to the scores (a Tensor mask gets a gradient). A row with no
        position taking part gives zeros (and no gradient), as PyTorch.
    dropout_p : float
        Dropout probability on the attention weights, in [0, 1) (inverted dropout).
    is_causal : bool
        Mask out the positions above the diagonal (query i sees keys 0..i); not together
        with ``attn_mask``.
    scale : float, optional
        The scores' factor; ``1 / sqrt(E)`` by default.
    rng : numpy.random.Generator or int, optional
        The source of the dropout mask.
    enable_gqa : bool
        Grouped-query attention, as PyTorch: query (..., Hq, L, E) and key and value
        (..., Hkv, S, E) with ``Hq`` a multiple of ``Hkv``; each key/value head serves
        ``Hq // Hkv`` query heads in a row (``repeat_interleave`` along axis -3).

    Returns
    -------
    Tensor
        Shape (..., L, Ev).

    Examples
    --------
    >>> import numpy as np, minigrad as mg, minigrad.functional as F
    >>> q = mg.tensor(np.ones((2, 4)))
    >>> F.scaled_dot_product_attention(q, q, mg.tensor(np.eye(2, 3)), is_causal=True).data
    array([[1. , 0. , 0. ],
           [0.5, 0.5, 0. ]])
    """
    q, k, v = as_tensor(query), as_tensor(key), as_tensor(value)
    where = "scaled_dot_product_attention"
    if q.ndim < 2 or k.ndim < 2 or v.ndim < 2:
        raise OpError(f"{where}: query, key and value need at least 2 axes, got shapes "
                      f"{q.shape}, {k.shape} and {v.shape}")
    if enable_gqa:
        if q.ndim < 3 or k.ndim < 3 or v.ndim < 3:
            raise OpError(f"{where}: enable_gqa needs a heads axis (-3) in query, key and "
                          f"value, got shapes {q.shape}, {k.shape} and {v.shape}")
        hq, hk, hv = q.shape[-3], k.shape[-3], v.shape[-3]
        if hk == 0 or hv == 0 or hq % hk or hq % hv:
            raise OpError(f"{where}: enable_gqa needs the query's number of heads ({hq}) to be "
                          f"a multiple of the key's ({hk}) and the value's ({hv})")
        if hk != hq:
            k = repeat_interleave(k, hq // hk, axis=-3)
        if hv != hq:
            v = repeat_interleave(v, hq // hv, axis=-3)
    if q.shape[-1] != k.shape[-1] or k.shape[-2] != v.shape[-2]:
        raise OpError(f"{where}: query {q.shape}, key {k.shape} and value {v.shape} do not "
                      "fit: need (..., L, E), (..., S, E) and (..., S, Ev)")
    if not 0.0 <= dropout_p < 1.0:
        raise OpError(f"{where}: dropout_p must lie in [0, 1), got {dropout_p}")
    if is_causal and attn_mask is not None:
        raise OpError(f"{where}: pass either attn_mask or is_causal=True, not both")
    n_q, n_k = q.shape[-2], k.shape[-2]
    # a Python float: a NumPy float64 scalar would make float32 scores float64
    factor = 1.0 / float(np.sqrt(q.shape[-1])) if scale is None else float(scale)
    scores = (q @ _swap_last(k)) * factor
    if is_causal:
        attn_mask = np.tril(np.ones((n_q, n_k), dtype=bool))
    dead = None
    if attn_mask is not None:
        m = attn_mask.data if isinstance(attn_mask, Tensor) else np.asarray(attn_mask)
        try:
            np.broadcast_shapes(m.shape, scores.shape)
        except ValueError:
            raise OpError(f"{where}: attn_mask of shape {m.shape} does not broadcast to the "
                          f"scores' shape {scores.shape}") from None
        if m.dtype == bool:
            add = np.where(m, 0.0, -np.inf).astype(scores.dtype)
        else:
            add = m
        dead = np.isneginf(np.broadcast_to(add, np.broadcast_shapes(add.shape, scores.shape))
                           ).all(axis=-1, keepdims=True)
        if dead.any():  # rows with no position: finite scores, then zero weights
            add = np.where(dead, 0.0, add)
        else:
            dead = None
        if isinstance(attn_mask, Tensor) and m.dtype != bool and dead is None:
            scores = scores + attn_mask  # a float mask tensor gets its gradient
        else:
            scores = scores + add.astype(scores.dtype, copy=False)
    attn = softmax(scores, axis=-1)
    if dead is not None:
        attn = indexing.where(dead, _zero(attn), attn)
    if dropout_p > 0:
        attn = dropout(attn, dropout_p, rng=make_generator(rng))
    return attn @ v
