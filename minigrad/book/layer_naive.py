"""The book's ``ch05/layer_naive.py``: :class:`MulLayer` and :class:`AddLayer` (item 5.7).

``forward`` records one minigrad op (``*`` or ``+``); ``backward(dout)``
differentiates that op by autodiff and returns the two input gradients.

Values keep the types the book's plain ``x * y`` and ``dout * y`` give them:
Python numbers in, Python numbers out (integers stay integers, so the shopping
example's ``dtax`` is ``200``, not ``200.0``); NumPy arrays and scalars in,
NumPy's result dtype out. Given a minigrad Tensor, ``forward`` returns a Tensor.
(An integer gradient is computed in float64 and then converted, so it is exact
below 2**53.)

Examples
--------
>>> from minigrad.book.layer_naive import MulLayer
>>> mul_apple, mul_tax = MulLayer(), MulLayer()
>>> price = mul_tax.forward(mul_apple.forward(100, 2), 1.1)
>>> price
220.00000000000003
>>> dapple_price, dtax = mul_tax.backward(1)
>>> dapple, dapple_num = mul_apple.backward(dapple_price)
>>> print(dapple, int(dapple_num), dtax)
2.2 110 200
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.layerwise.base import BookLayer, leaf
from minigrad.tensor import Tensor

__all__ = ["MulLayer", "AddLayer"]

_PY_NUMBERS = (bool, int, float, complex)


def _book_type(value: np.ndarray | None, *operands: Any) -> Any:
    """``value`` with the type NumPy and Python give ``operands[0] * operands[1]``.

    Python numbers give a Python number (``int`` unless one is a float or a
    complex); NumPy operands give NumPy's result dtype, as a NumPy scalar when
    no operand has a dimension. A Tensor operand leaves ``value`` as it is.
    """
    if value is None or any(isinstance(o, Tensor) for o in operands):
        return None if value is None else (value[()] if value.ndim == 0 else value)
    if all(type(o) in _PY_NUMBERS for o in operands):
        kinds = {type(o) for o in operands}
        py = complex if complex in kinds else float if float in kinds else int
        return py(value[()].real if py is not complex else value[()])  # type: ignore[operator]
    dtype = np.result_type(*operands)
    if any(np.ndim(o) > 0 for o in operands):
        return value.astype(dtype, copy=False)
    return dtype.type(value[()])


class MulLayer(BookLayer):
    """``x * y``; backward sends ``(dout * y, dout * x)``."""

    def __init__(self) -> None:
        super().__init__()
        self.x: Any = None
        self.y: Any = None

    def forward(self, x: Any, y: Any) -> Any:
        """Return ``x * y``, of the type the book's plain product has."""
        self.x, self.y = x, y
        tx, ty = leaf(x), leaf(y)
        out = tx * ty
        self._remember(out, [tx, ty], {})
        return out if isinstance(x, Tensor) or isinstance(y, Tensor) else \
            _book_type(out.data, x, y)

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dout * y, dout * x)``, by autodiff of the recorded product."""
        dx, dy = self._backward(dout)
        return _book_type(dx, dout, self.y), _book_type(dy, dout, self.x)


class AddLayer(BookLayer):
    """``x + y``; backward sends ``(dout, dout)``."""

    def forward(self, x: Any, y: Any) -> Any:
        """Return ``x + y``, of the type the book's plain sum has."""
        tx, ty = leaf(x), leaf(y)
        out = tx + ty
        self._remember(out, [tx, ty], {})
        return out if isinstance(x, Tensor) or isinstance(y, Tensor) else \
            _book_type(out.data, x, y)

    def backward(self, dout: Any) -> tuple[Any, Any]:
        """Return ``(dout * 1, dout * 1)``, by autodiff of the recorded sum."""
        dx, dy = self._backward(dout)
        return _book_type(dx, dout, 1), _book_type(dy, dout, 1)
