"""The book's ``ch08/deep_convnet.py``: :class:`DeepConvNet` (item 8.1)."""

from __future__ import annotations

import os
import pickle
import sys
from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad.autograd import grad
from minigrad.book._convnet import ConvNet, labels_or_one_hot
from minigrad.book.layers import *  # noqa: F403
from minigrad.book.layers import Affine, Convolution, Dropout, Pooling, Relu, SoftmaxWithLoss
from minigrad.book.layers import __all__ as _layers_all
from minigrad.nn.layers import SeedLike, _randn, make_rng
from minigrad.nn.module import Module, Parameter
from minigrad.tensor import Tensor

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "pickle", "OrderedDict", *_layers_all, "DeepConvNet"]

_CONV_DEFAULTS = [
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 16, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 32, "filter_size": 3, "pad": 2, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
    {"filter_num": 64, "filter_size": 3, "pad": 1, "stride": 1},
]

#: Positions in :attr:`DeepConvNet.layers` of the layers holding W1/b1 ... W8/b8.
PARAM_LAYER_INDEX = (0, 2, 5, 7, 10, 12, 15, 18)


class DeepConvNet(ConvNet):
    """The VGG-like network of chapter 8 (item 8.1), with the book's exact layer list.

    ``conv - relu - conv - relu - pool`` three times (16, 32, 64 filters of
    3x3; the fourth convolution pads by 2), then ``affine - relu - dropout -
    affine - dropout - softmax``. The dropout is the book's non-inverted one
    (:class:`minigrad.book.layers.Dropout`), and the last one acts on the
    logits: in training mode half of them are zeroed, at inference they are
    halved.

    Parameters
    ----------
    input_dim : tuple of int
        (C, H, W) of one image.
    conv_param_1 ... conv_param_6 : dict
        ``filter_num``, ``filter_size``, ``pad``, ``stride`` of each convolution.
    hidden_size, output_size : int
        Sizes of the two affine layers.
    seed : None, int or numpy.random.Generator
        Source of the initial weights (and of nothing else); None draws from
        ``np.random`` in the book's order.
    dropout_rng : None or numpy.random.Generator
        Source of the dropout masks (None: ``np.random.rand``, as the book).

    Notes
    -----
    He initialisation with the book's fixed fan-ins: ``std = sqrt(2 / n)``
    for ``n = 9, 144, 144, 288, 288, 576, 1024, 50`` (W1 ... W8 with the
    defaults: input channels x 3 x 3 for the convolutions). ``loss`` always
    runs in training mode (dropout on), ``accuracy`` in inference mode.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.book.deep_convnet import DeepConvNet
    >>> net = DeepConvNet(seed=0)
    >>> len(net.layers), net.params["W7"].shape
    (20, (1024, 50))
    >>> net.predict(np.zeros((2, 1, 28, 28))).shape
    (2, 10)
    """

    def __init__(self, input_dim: tuple[int, int, int] = (1, 28, 28),
                 conv_param_1: dict[str, int] | None = None,
                 conv_param_2: dict[str, int] | None = None,
                 conv_param_3: dict[str, int] | None = None,
                 conv_param_4: dict[str, int] | None = None,
                 conv_param_5: dict[str, int] | None = None,
                 conv_param_6: dict[str, int] | None = None,
                 hidden_size: int = 50, output_size: int = 10, seed: SeedLike = None,
                 dropout_rng: Any = None) -> None:
        Module.__init__(self)
        given = [conv_param_1, conv_param_2, conv_param_3, conv_param_4, conv_param_5,
                 conv_param_6]
        convs = [dict(d if c is None else c) for c, d in zip(given, _CONV_DEFAULTS)]
        self.input_dim = tuple(input_dim)
        # the book's fixed fan-ins (they assume the default 3x3 filters and 28x28 input)
        pre_node_nums = np.array([1 * 3 * 3, 16 * 3 * 3, 16 * 3 * 3, 32 * 3 * 3, 32 * 3 * 3,
                                  64 * 3 * 3, 64 * 4 * 4, hidden_size])
        weight_init_scales = np.sqrt(2.0 / pre_node_nums)
        rng = make_rng(seed)
        self.params = {}  # type: ignore[assignment]
        pre_channel_num = input_dim[0]
        for idx, cp in enumerate(convs):
            self.params[f"W{idx + 1}"] = Parameter(weight_init_scales[idx] * _randn(
                rng, (cp["filter_num"], pre_channel_num, cp["filter_size"], cp["filter_size"])))
            self.params[f"b{idx + 1}"] = Parameter(np.zeros(cp["filter_num"]))
            pre_channel_num = cp["filter_num"]
        self.params["W7"] = Parameter(weight_init_scales[6] * _randn(rng, (64 * 4 * 4,
                                                                          hidden_size)))
        self.params["b7"] = Parameter(np.zeros(hidden_size))
        self.params["W8"] = Parameter(weight_init_scales[7] * _randn(rng, (hidden_size,
                                                                          output_size)))
        self.params["b8"] = Parameter(np.zeros(output_size))

        p = self.params

        def conv(i: int) -> Convolution:
            c = convs[i - 1]
            return Convolution(p[f"W{i}"], p[f"b{i}"], c["stride"], c["pad"])

        self.layers: list[Module] = [  # type: ignore[assignment]
            conv(1), Relu(), conv(2), Relu(), Pooling(pool_h=2, pool_w=2, stride=2),
            conv(3), Relu(), conv(4), Relu(), Pooling(pool_h=2, pool_w=2, stride=2),
            conv(5), Relu(), conv(6), Relu(), Pooling(pool_h=2, pool_w=2, stride=2),
            Affine(p["W7"], p["b7"]), Relu(), Dropout(0.5, rng=dropout_rng),
            Affine(p["W8"], p["b8"]), Dropout(0.5, rng=dropout_rng),
        ]
        self.lastLayer = SoftmaxWithLoss()
        self._book_params()
        for name, param in self.params.items():
            self.register_parameter(name, param)
        for i, layer in enumerate(self.layers):
            self.add_module(str(i), layer)

    def predict(self, x: Any, train_flg: bool = False) -> np.ndarray:  # type: ignore[override]
        """Return the logits as an ndarray, as the book's ``predict`` does.

        Dropout drops (training) or scales by 0.5 (inference).
        """
        return self._predict_tensor(x, train_flg).data

    def _predict_tensor(self, x: Any, train_flg: bool = False) -> Tensor:
        h = self._input(x)
        for layer in self.layers:
            if isinstance(layer, Dropout):
                h = layer.forward(h, train_flg)
            else:
                h = layer.forward(h)  # type: ignore[operator]
        return h

    @staticmethod
    def _input(x: Any) -> Tensor:
        if isinstance(x, Tensor):
            return x
        arr = np.asarray(x)
        return Tensor(arr if arr.dtype.kind == "f" else arr.astype(np.float64))

    def forward(self, x: Any) -> Tensor:
        """Return the logits in inference mode as a Tensor (the values :meth:`predict` returns)."""
        return self._predict_tensor(x)

    def loss_tensor(self, x: Any, t: Any) -> Tensor:
        """Return the cross-entropy in training mode (dropout on, the logits' included), a Tensor.

        :meth:`loss` returns its value as a number, as the book's ``loss`` does.
        """
        y = self._predict_tensor(x, train_flg=True)
        return self.lastLayer.loss_tensor(y, labels_or_one_hot(t, y.shape[-1]))

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Return the loss gradient (training mode) by autodiff, keyed ``W1`` ... ``b8``.

        The parameter layers' ``dW``/``db`` are set too, as after the book's backward.
        """
        keys = list(self.params)
        grads = grad(self.loss_tensor(x, t), [self.params[k] for k in keys])
        out = {k: (np.zeros_like(self.params[k].data) if g is None else g.data)
               for k, g in zip(keys, grads)}
        for i, layer_idx in enumerate(PARAM_LAYER_INDEX):
            layer = self.layers[layer_idx]
            object.__setattr__(layer, "dW", out[f"W{i + 1}"])
            object.__setattr__(layer, "db", out[f"b{i + 1}"])
        return out
