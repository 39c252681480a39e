"""Matrix products: ``matmul`` (2-D, 1-D vectors, batched) and the fused ``linear``."""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.autograd import Function
from minigrad.ops.shape import reshape, sum_to, transpose
from minigrad.tensor import Tensor

__all__ = ["matmul", "linear"]


def _swap_last(x: Tensor) -> Tensor:
    """Transpose the last two axes."""
    if x.ndim == 2:
        return transpose(x, None)
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes)


class MatMul(Function):
    """``a @ b`` with NumPy's matmul semantics."""

    elementwise = False
    broadcasting = False

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise ValueError("matmul does not accept 0-d operands; use * instead")
        return a @ b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, kept plain
            return (gy @ b.T if na else None, a.T @ gy if nb else None)
        # Treat vectors as matrices: a (n,) -> (1, n), b (n,) -> (n, 1).
        a2 = reshape(a, (1,) + a.shape) if a.ndim == 1 else a
        b2 = reshape(b, b.shape + (1,)) if b.ndim == 1 else b
        gshape = gy.shape
        if a.ndim == 1:
            gshape = gshape[:-1] + (1,) + gshape[-1:] if b.ndim > 1 else gshape + (1,)
        if b.ndim == 1:
            gshape = gshape + (1,)
        g2 = reshape(gy, gshape)
        ga = gb = None
        if na:
            ga = reshape(sum_to(g2 @ _swap_last(b2), a2.shape), a.shape)
        if nb:
            gb = reshape(sum_to(_swap_last(a2) @ g2, b2.shape), b.shape)
        return ga, gb


class Linear(Function):
    """The fused affine map ``x @ W + b`` (``b`` optional), one op instead of two."""

    elementwise = False
    broadcasting = (2,)

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:  # noqa: N803
        y = x @ W
        if b is not None:
            if b.dtype == y.dtype:
                y += b  # in place: no second output-sized array
            else:  # NumPy's result dtype, as in the unfused x @ W + b
                out = y + b
                if out.shape != y.shape:
                    raise ValueError(f"bias of shape {b.shape} would broadcast the output of "
                                     f"shape {y.shape} to {out.shape}")
                y = out
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x, W = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        gx = gy @ W.T if needs[0] else None
        gW = None
        if needs[1]:
            if x.ndim == 2:
                gW = x.T @ gy
            else:
                gW = reshape(x, (-1, x.shape[-1])).T @ reshape(gy, (-1, gy.shape[-1]))
        if len(self.inputs) == 2:
            return gx, gW
        gb = sum_to(gy, self.inputs[2].shape) if needs[2] else None
        return gx, gW, gb


def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` (2-D, 1-D vectors, batched), differentiable in both."""
    return MatMul()(a, b)


def linear(x: Any, W: Any, b: Any = None) -> Tensor:  # noqa: N803
    """Return ``x @ W + b`` as one op (``x``: (..., in), ``W``: (in, out), ``b``: (out,))."""
    if b is None:
        return Linear()(x, W)
    return Linear()(x, W, b)
