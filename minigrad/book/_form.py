"""What the book's networks return, on top of :class:`minigrad.layerwise.net.BookNet`.

The book's ``loss`` and ``accuracy`` return NumPy numbers (``np.float64``), and
its ``gradient``/``numerical_gradient`` dictionaries list each layer's
parameters together (``W1, b1, gamma1, beta1, W2, ...``). The networks of
:mod:`minigrad.book` keep that surface; the Tensor that autodiff differentiates
is :meth:`BookFormNet.loss_tensor`.
"""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.book.layers import BookParameter
from minigrad.layerwise.net import BookNet
from minigrad.nn.module import Parameter
from minigrad.tensor import Tensor

_KEY = re.compile(r"([A-Za-z_]+?)(\d+)$")
_RANK = {"W": 0, "b": 1, "gamma": 2, "beta": 3}


def book_key_order(grads: dict[str, Any]) -> dict[str, Any]:
    """``grads`` reordered layer by layer, as the book builds its dictionaries.

    ``W1, b1, gamma1, beta1, W2, b2, ...``: keys ending in a layer number are
    sorted by that number, then ``W``, ``b``, ``gamma``, ``beta``; other keys
    keep their place after them.
    """
    def rank(item: tuple[int, str]) -> tuple[int, int, int]:
        pos, key = item
        m = _KEY.match(key)
        if m is None:
            return (1 << 30, 0, pos)
        return (int(m.group(2)), _RANK.get(m.group(1), len(_RANK)), pos)

    order = sorted(enumerate(grads), key=rank)
    return {key: grads[key] for _, key in order}


def as_number(loss: Any) -> Any:
    """A loss Tensor's value as a NumPy scalar of its dtype (the book's ``np.float64``)."""
    data = loss.data if isinstance(loss, Tensor) else np.asarray(loss)
    return data[()] if data.ndim == 0 else data


class BookFormNet(BookNet):
    """A :class:`~minigrad.layerwise.net.BookNet` with the book's return types.

    Subclasses implement :meth:`loss_tensor` (the loss as a Tensor); ``loss``
    returns its value as a number, and the gradient dictionaries come in the
    book's key order.
    """

    def _register(self) -> None:
        self._book_params()
        super()._register()

    def _book_params(self) -> None:
        """Make every parameter a :class:`~minigrad.book.layers.BookParameter` (in place).

        The same objects (shared with the layers) gain item assignment, as the
        book's ndarray ``params`` have.
        """
        for p in self.params.values():
            if type(p) is Parameter:
                p.__class__ = BookParameter

    def loss_tensor(self, x: Any, t: Any) -> Tensor:
        """Return the loss as a Tensor recorded for autodiff; implemented by subclasses."""
        raise NotImplementedError

    def loss(self, x: Any, t: Any) -> Any:  # type: ignore[override]
        """Return the loss as a number (``np.float64``), as the book's ``loss`` does."""
        return as_number(self.loss_tensor(x, t))

    def _loss_for_grad(self, x: Any, t: Any) -> Tensor:
        return self.loss_tensor(x, t)

    def accuracy(self, x: Any, t: Any) -> Any:
        """Return the share of samples whose arg-max output equals the label, an ``np.float64``."""
        with no_grad():
            y = np.argmax(self.predict(x), axis=1)
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return np.sum(y == t) / float(np.asarray(x).shape[0])

    def numerical_gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """The loss gradient by central differences, keyed layer by layer as in the book."""
        return book_key_order(super().numerical_gradient(x, t))

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """The loss gradient by autodiff, keyed layer by layer as in the book."""
        return book_key_order(super().gradient(x, t))
