"""The book's ``common/multi_layer_net_extend.py``: :class:`MultiLayerNetExtend` (item 6.14).

The network is defined in :mod:`minigrad.layerwise.multi_layer_net_extend`, below
both this package and :mod:`minigrad.models` (whose ``MultiLayerNet`` extends it);
the book's form here ends in the book's loss
(:class:`minigrad.book.layers.SoftmaxWithLoss`) and returns what the book's returns.
"""

from __future__ import annotations

import os
import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad.book._form import BookFormNet, as_number
from minigrad.book.gradient import numerical_gradient
from minigrad.book.layers import *  # noqa: F403
from minigrad.book.layers import SoftmaxWithLoss
from minigrad.book.layers import __all__ as _layers_all
from minigrad.layerwise import multi_layer_net_extend as _extend
from minigrad.tensor import Tensor

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "OrderedDict", *_layers_all, "numerical_gradient",
           "MultiLayerNetExtend"]


class MultiLayerNetExtend(BookFormNet, _extend.MultiLayerNetExtend):
    """The book's fully connected network with BatchNorm, Dropout and weight decay.

    :class:`minigrad.layerwise.multi_layer_net_extend.MultiLayerNetExtend` (same
    parameters, layers and modes) ending in the book's loss,
    :class:`minigrad.book.layers.SoftmaxWithLoss`, with the book's return types:
    ``loss`` and ``accuracy`` are numbers, and ``gradient`` lists each layer's
    ``W``, ``b``, ``gamma``, ``beta`` together.

    Examples
    --------
    >>> from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend
    >>> net = MultiLayerNetExtend(4, [3, 3], 2, use_batchnorm=True, seed=0)
    >>> list(net.params)
    ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'gamma1', 'beta1', 'gamma2', 'beta2']
    """

    loss_layer = SoftmaxWithLoss

    def predict(self, x: Any, train_flg: bool = False) -> np.ndarray:  # type: ignore[override]
        """Return the logits as an ndarray, as the book's ``predict`` does.

        ``train_flg`` switches BatchNorm and Dropout to training mode.
        """
        return self._predict_tensor(x, train_flg).data

    def _predict_tensor(self, x: Any, train_flg: bool = False) -> Tensor:
        return self._run_layers(x, train_flg)

    def forward(self, x: Any) -> Tensor:
        """Return the logits as a Tensor, in the mode given by :attr:`training`."""
        return self._predict_tensor(x, self.training)

    def loss_tensor(self, x: Any, t: Any, train_flg: bool = False) -> Tensor:  # type: ignore[override]
        """Return the cross-entropy plus ``0.5 * lambda * sum(W**2)`` over every ``W``, a Tensor."""
        return self.lastLayer.loss_tensor(self._predict_tensor(x, train_flg), t) + self._decay()

    def loss(self, x: Any, t: Any, train_flg: bool = False) -> Any:  # type: ignore[override]
        """Return the loss as a number (``np.float64``), as the book's ``loss`` does."""
        return as_number(self.loss_tensor(x, t, train_flg))

    def _loss_for_grad(self, x: Any, t: Any) -> Tensor:
        return self.loss_tensor(x, t, train_flg=True)
