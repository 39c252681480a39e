"""The book's ``ch07/simple_convnet.py``: :class:`SimpleConvNet` (item 7.6)."""

from __future__ import annotations

import os
import pickle
import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad.book._convnet import ConvNet, labels_or_one_hot
from minigrad.book.gradient import numerical_gradient
from minigrad.book.layers import *  # noqa: F403
from minigrad.book.layers import Affine, Convolution, Pooling, Relu, SoftmaxWithLoss
from minigrad.book.layers import __all__ as _layers_all
from minigrad.nn.layers import SeedLike, _randn, make_rng
from minigrad.nn.module import Parameter
from minigrad.tensor import Tensor

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "pickle", "OrderedDict", *_layers_all, "numerical_gradient",
           "SimpleConvNet"]


class SimpleConvNet(ConvNet):
    """conv - relu - pool - affine - relu - affine - softmax (item 7.6).

    Parameters
    ----------
    input_dim : tuple of int
        (C, H, W) of one input image.
    conv_param : dict
        ``filter_num``, ``filter_size``, ``pad``, ``stride`` of the convolution.
    hidden_size, output_size : int
        Sizes of the two affine layers.
    weight_init_std : float
        Standard deviation of every initial weight (biases start at zero).
    seed : None, int or numpy.random.Generator
        Source of the initial weights; None draws from ``np.random`` in the
        book's order (W1, W2, W3).

    Attributes
    ----------
    params : OrderedDict of str to Parameter
        ``W1`` (FN, C, FH, FW), ``b1``, ``W2`` (FN*(conv_out/2)^2, hidden),
        ``b2``, ``W3`` (hidden, output), ``b3``; shared with the layers.
    layers : OrderedDict
        ``Conv1``, ``Relu1``, ``Pool1``, ``Affine1``, ``Relu2``, ``Affine2``.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.book.simple_convnet import SimpleConvNet
    >>> net = SimpleConvNet(seed=0)
    >>> [(k, v.shape) for k, v in net.params.items()][:3]
    [('W1', (30, 1, 5, 5)), ('b1', (30,)), ('W2', (4320, 100))]
    >>> net.predict(np.zeros((2, 1, 28, 28))).shape
    (2, 10)
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28),
                 conv_param: dict[str, int] | None = None, hidden_size: int = 100,
                 output_size: int = 10, weight_init_std: float = 0.01,
                 seed: SeedLike = None) -> None:
        super().__init__()
        if conv_param is None:
            conv_param = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1}
        filter_num = conv_param["filter_num"]
        filter_size = conv_param["filter_size"]
        filter_pad = conv_param["pad"]
        filter_stride = conv_param["stride"]
        input_size = input_dim[1]
        conv_output_size = (input_size - filter_size + 2 * filter_pad) / filter_stride + 1
        pool_output_size = int(filter_num * (conv_output_size / 2) * (conv_output_size / 2))
        self.input_dim = tuple(input_dim)
        self.conv_param = dict(conv_param)
        rng = make_rng(seed)
        std = weight_init_std
        self.params = OrderedDict()
        self.params["W1"] = Parameter(
            std * _randn(rng, (filter_num, input_dim[0], filter_size, filter_size)))
        self.params["b1"] = Parameter(np.zeros(filter_num))
        self.params["W2"] = Parameter(std * _randn(rng, (pool_output_size, hidden_size)))
        self.params["b2"] = Parameter(np.zeros(hidden_size))
        self.params["W3"] = Parameter(std * _randn(rng, (hidden_size, output_size)))
        self.params["b3"] = Parameter(np.zeros(output_size))

        self.layers = OrderedDict()
        self.layers["Conv1"] = Convolution(self.params["W1"], self.params["b1"],
                                           conv_param["stride"], conv_param["pad"])
        self.layers["Relu1"] = Relu()
        self.layers["Pool1"] = Pooling(pool_h=2, pool_w=2, stride=2)
        self.layers["Affine1"] = Affine(self.params["W2"], self.params["b2"])
        self.layers["Relu2"] = Relu()
        self.layers["Affine2"] = Affine(self.params["W3"], self.params["b3"])
        self.lastLayer = SoftmaxWithLoss()
        self._register()

    def predict(self, x: Any, train_flg: bool = False) -> np.ndarray:  # type: ignore[override]
        """Return the logits (N, output_size) as an ndarray, as the book's ``predict`` does.

        ``train_flg`` is accepted and unused (no dropout).
        """
        return self._predict_tensor(x, train_flg).data

    def _predict_tensor(self, x: Any, train_flg: bool = False) -> Tensor:
        return self._run_layers(x, train_flg)

    def forward(self, x: Any) -> Tensor:
        """Return the logits as a Tensor (the values :meth:`predict` returns)."""
        return self._predict_tensor(x)

    def loss_tensor(self, x: Any, t: Any) -> Tensor:
        """Return the book's cross-entropy of ``softmax(predict(x))`` against ``t``, a Tensor.

        :meth:`loss` returns its value as a number, as the book's ``loss`` does.
        """
        y = self._predict_tensor(x)
        return self.lastLayer.loss_tensor(y, labels_or_one_hot(t, y.shape[-1]))
