"""The layer protocol of the second book on minigrad: ``params``/``grads`` lists, autodiff backward.

A layer holds its parameters as a list of NumPy arrays (``params``) and a list
of same-shaped gradient arrays (``grads``) created once. ``forward`` wraps the
current arrays as fresh leaf tensors (no copy), records minigrad ops and
returns plain arrays; ``backward(dout)`` differentiates what ``forward``
recorded (the mechanism of :class:`minigrad.layerwise.base.BookLayer`) and
writes each parameter gradient into its ``grads`` array in place, so lists
built by concatenating the layers' lists keep seeing the new values. A ``dout`` of a
wider dtype than the layer's output is differentiated in that dtype, as NumPy computes
the book's layers (the float64 gradient of a float32 sigmoid loss against integer
labels flows on as float64).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.layerwise.base import BookLayer
from minigrad.tensor import Tensor

__all__ = ["Layer", "as_input"]


def as_input(x: Any, grad: bool = True) -> Tensor:
    """Wrap an array as a leaf tensor (floating arrays require grad when ``grad``)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    return Tensor(arr, requires_grad=grad and arr.dtype.kind == "f")


class Layer(BookLayer):
    """Base of the second book's layers: ``params``, ``grads``, ``forward``, ``backward``.

    Parameters
    ----------
    *params : ndarray
        The layer's parameters, kept as the very objects given (a transposed
        view such as ``embed_W.T`` stays a view of the embedding matrix).
    """

    _seed_keeps_dtype = True  # as the book's NumPy: a float64 dout keeps float64

    def __init__(self, *params: np.ndarray) -> None:
        super().__init__()
        for i, p in enumerate(params):
            if not isinstance(p, np.ndarray) or p.dtype.kind != "f":
                raise TypeError(f"{type(self).__name__}: parameter {i} must be a floating-point "
                                f"ndarray, got {type(p).__name__}")
        self.params: list[np.ndarray] = list(params)
        self.grads: list[np.ndarray] = [np.zeros_like(p) for p in params]

    def _param_leaves(self) -> list[Tensor]:
        """Fresh leaf tensors over the current parameter arrays (sharing their memory)."""
        return [Tensor(p, requires_grad=True) for p in self.params]

    def _record(self, out: Tensor, inputs: Sequence[Any], leaves: Sequence[Tensor]) -> None:
        """Remember ``out``, the inputs and the parameter leaves for :meth:`_run_backward`."""
        self._remember(out, inputs, {f"p{i}": t for i, t in enumerate(leaves)})

    def _run_backward(self, dout: Any) -> list[np.ndarray | None]:
        """Autodiff from the recorded output; parameter gradients go into ``grads`` in place."""
        result = self._backward(dout)
        d = self.__dict__
        for i, g in enumerate(self.grads):
            gi = d.get(f"dp{i}")
            g[...] = 0 if gi is None else gi
        return result
