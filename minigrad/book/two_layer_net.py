"""The book's ``ch05/two_layer_net.py``: the two-layer network built from layers (item 5.15)."""

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
from minigrad.layerwise.layers import Relu
from minigrad.layerwise.net import affine
from minigrad.nn.layers import SeedLike, _randn, make_rng
from minigrad.nn.module import Parameter
from minigrad.tensor import Tensor

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "OrderedDict", *_layers_all, "numerical_gradient", "TwoLayerNet"]


class TwoLayerNet(BookFormNet):
    """``Affine1 -> Relu1 -> Affine2``, then ``SoftmaxWithLoss`` (chapter 5's version).

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Layer sizes (784, 50, 10 in the book).
    weight_init_std : float
        ``W = weight_init_std * randn(...)``; biases start at zero.
    seed : None, int or numpy.random.Generator
        Source of the initial weights; None draws from ``np.random`` in the
        book's order (W1 then W2).

    Attributes
    ----------
    params : OrderedDict of str to Parameter
        ``W1``, ``b1``, ``W2``, ``b2``, shared with the layers.
    layers : OrderedDict
        ``Affine1``, ``Relu1``, ``Affine2``.
    lastLayer : SoftmaxWithLoss
        The loss layer.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.book.two_layer_net import TwoLayerNet
    >>> net = TwoLayerNet(4, 5, 3, seed=0)
    >>> x, t = np.random.default_rng(0).random((2, 4)), np.array([0, 2])
    >>> g, n = net.gradient(x, t), net.numerical_gradient(x, t)
    >>> max(float(np.abs(g[k] - n[k]).max()) for k in g) < 1e-7
    True
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: float = 0.01, seed: SeedLike = None) -> None:
        super().__init__()
        rng = make_rng(seed)
        self.params = OrderedDict()
        self.params["W1"] = Parameter(weight_init_std * _randn(rng, (input_size, hidden_size)))
        self.params["b1"] = Parameter(np.zeros(hidden_size))
        self.params["W2"] = Parameter(weight_init_std * _randn(rng, (hidden_size, output_size)))
        self.params["b2"] = Parameter(np.zeros(output_size))
        self.layers = OrderedDict()
        self.layers["Affine1"] = affine(self.params, 1)
        self.layers["Relu1"] = Relu()
        self.layers["Affine2"] = affine(self.params, 2)
        self.lastLayer = SoftmaxWithLoss()
        self._register()

    def predict(self, x: Any) -> np.ndarray:  # type: ignore[override]
        """Return the logits (no softmax) as an ndarray, as the book's ``predict`` does."""
        return self._predict_tensor(x).data

    def _predict_tensor(self, x: Any) -> Tensor:
        return self._run_layers(x, True)

    def forward(self, x: Any) -> Tensor:
        """Return the logits as a Tensor (the values :meth:`predict` returns)."""
        return self._predict_tensor(x)

    def loss_tensor(self, x: Any, t: Any) -> Tensor:
        """Return the book's softmax cross-entropy of the logits against ``t``, as a Tensor.

        :meth:`loss` returns its value as a number, as the book's ``loss`` does.
        """
        return self.lastLayer.loss_tensor(self._predict_tensor(x), t)
