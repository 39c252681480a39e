"""The book's ``common/multi_layer_net.py``: :class:`MultiLayerNet` (item 6.9)."""

from __future__ import annotations

import os
import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad.book._form import BookFormNet
from minigrad.book.gradient import numerical_gradient
from minigrad.book.layers import *  # noqa: F403
from minigrad.book.layers import SoftmaxWithLoss
from minigrad.book.layers import __all__ as _layers_all
from minigrad.layerwise.net import ACTIVATION_LAYERS, affine
from minigrad.nn.layers import InitLike, SeedLike
from minigrad.tensor import Tensor

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "OrderedDict", *_layers_all, "numerical_gradient", "MultiLayerNet",
           "ACTIVATION_LAYERS"]


class MultiLayerNet(BookFormNet):
    """A fully connected network of any depth with weight decay.

    Layers: ``Affine{i} -> Activation_function{i}`` for each hidden layer,
    then ``Affine{L+1}`` and ``SoftmaxWithLoss``.

    Parameters
    ----------
    input_size : int
        Input size (784 for MNIST).
    hidden_size_list : list of int
        Sizes of the hidden layers, e.g. ``[100, 100, 100]``.
    output_size : int
        Output size (10 for MNIST).
    activation : {"relu", "sigmoid"}
        Hidden activation.
    weight_init_std : float or str
        ``'relu'``/``'he'`` (``sqrt(2/n)``), ``'sigmoid'``/``'xavier'``
        (``sqrt(1/n)``) or a number for every layer.
    weight_decay_lambda : float
        ``lambda`` of the ``0.5 * lambda * sum(W**2)`` term added to the loss
        (every weight matrix; biases are not decayed).
    seed : None, int or numpy.random.Generator
        Source of the initial weights (None: ``np.random``, the book's order).

    Examples
    --------
    >>> from minigrad.book.multi_layer_net import MultiLayerNet
    >>> net = MultiLayerNet(784, [100, 100], 10, seed=0)
    >>> list(net.params)
    ['W1', 'b1', 'W2', 'b2', 'W3', 'b3']
    >>> list(net.layers)
    ['Affine1', 'Activation_function1', 'Affine2', 'Activation_function2', 'Affine3']
    """

    loss_layer = SoftmaxWithLoss

    def __init__(self, input_size: int, hidden_size_list: list[int], output_size: int,
                 activation: str = "relu", weight_init_std: InitLike = "relu",
                 weight_decay_lambda: float = 0, seed: SeedLike = None) -> None:
        super().__init__()
        self._init_multi_layer(input_size, hidden_size_list, output_size, activation,
                               weight_init_std, weight_decay_lambda, seed)
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = affine(self.params, idx)
            self.layers[f"Activation_function{idx}"] = ACTIVATION_LAYERS[activation]()
        self._finish_multi_layer()

    def predict(self, x: Any) -> np.ndarray:  # type: ignore[override]
        """Return the logits as an ndarray, as the book's ``predict`` does."""
        return self._predict_tensor(x).data

    def _predict_tensor(self, x: Any) -> Tensor:
        return self._run_layers(x, True)

    def forward(self, x: Any) -> Tensor:
        """Return the logits as a Tensor (the values :meth:`predict` returns)."""
        return self._predict_tensor(x)

    def loss_tensor(self, x: Any, t: Any) -> Tensor:
        """Return the cross-entropy plus ``0.5 * lambda * sum(W**2)`` over every ``W``, a Tensor.

        :meth:`loss` returns its value as a number, as the book's ``loss`` does.
        """
        return self.lastLayer.loss_tensor(self._predict_tensor(x), t) + self._decay()
