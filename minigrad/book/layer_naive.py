"""The book's ``ch05/layer_naive.py``: :class:`MulLayer` and :class:`AddLayer` (item 5.7).

``forward`` records one minigrad op (``*`` or ``+``) and returns a Tensor;
``backward(dout)`` differentiates that op by autodiff and returns the two
input gradients (as NumPy scalars or arrays).

Examples
--------
>>> from minigrad.book.layer_naive import MulLayer
>>> mul_apple, mul_tax = MulLayer(), MulLayer()
>>> price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
>>> int(price)
220
>>> dapple_price, dtax = mul_tax.backward(1)
>>> dapple, dapple_num = mul_apple.backward(dapple_price)
>>> print(dapple, int(dapple_num), dtax)
2.2 110 200.0
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.layerwise.base import BookLayer, leaf
from minigrad.tensor import Tensor

__all__ = ["MulLayer", "AddLayer"]


def _plain(g: np.ndarray | None) -> Any:
    if g is None:
        return None
    return g[()] if g.ndim == 0 else g


class MulLayer(BookLayer):
    """``x * y``; backward sends ``(dout * y, dout * x)``."""

    def forward(self, x: Any, y: Any) -> Tensor:
        """Return ``x * y`` (inputs become leaf tensors if they are not Tensors)."""
        x, y = leaf(x), leaf(y)
        out = x * y
        self._remember(out, [x, y], {})
        return out

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dout * y, dout * x)``."""
        dx, dy = self._backward(dout)
        return _plain(dx), _plain(dy)


class AddLayer(BookLayer):
    """``x + y``; backward sends ``(dout, dout)``."""

    def forward(self, x: Any, y: Any) -> Tensor:
        """Return ``x + y``."""
        x, y = leaf(x), leaf(y)
        out = x + y
        self._remember(out, [x, y], {})
        return out

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dout, dout)``."""
        dx, dy = self._backward(dout)
        return _plain(dx), _plain(dy)
