"""The book's multi-layer network with BatchNorm and Dropout (item 6.14).

Re-exported as :mod:`minigrad.book.multi_layer_net_extend`;
:class:`minigrad.models.MultiLayerNet` extends it for the generic trainer and
the command line.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad.layerwise.layers import BatchNormalization, Dropout
from minigrad.layerwise.net import ACTIVATION_LAYERS, BookNet, affine
from minigrad.nn.layers import InitLike, SeedLike
from minigrad.nn.module import Parameter
from minigrad.tensor import Tensor

__all__ = ["MultiLayerNetExtend"]


class MultiLayerNetExtend(BookNet):
    """:class:`~minigrad.book.multi_layer_net.MultiLayerNet` with BatchNorm and Dropout.

    Per hidden layer ``i``: ``Affine{i}`` -> [``BatchNorm{i}``] ->
    ``Activation_function{i}`` -> [``Dropout{i}``]; then ``Affine{L+1}`` and
    ``SoftmaxWithLoss``. BatchNorm adds parameters ``gamma{i}`` (ones) and
    ``beta{i}`` (zeros) after the weights in :attr:`params`.

    Parameters
    ----------
    input_size, hidden_size_list, output_size, activation, weight_init_std, weight_decay_lambda
        As :class:`~minigrad.book.multi_layer_net.MultiLayerNet`.
    use_dropout : bool
        Insert the book's (non-inverted) :class:`~minigrad.book.layers.Dropout`.
    dropout_ration : float
        The dropout ratio (the book's spelling of the keyword).
    use_batchnorm : bool
        Insert :class:`~minigrad.book.layers.BatchNormalization`.
    seed : None, int or numpy.random.Generator
        Source of the initial weights (None: ``np.random``, the book's order).

    Notes
    -----
    ``predict``, ``loss`` and ``accuracy`` default to inference mode
    (``train_flg=False``); :meth:`gradient` and :meth:`numerical_gradient`
    evaluate the loss in training mode, as in the book.
    """

    def __init__(self, input_size: int, hidden_size_list: list[int], output_size: int,
                 activation: str = "relu", weight_init_std: InitLike = "relu",
                 weight_decay_lambda: float = 0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False,
                 seed: SeedLike = None) -> None:
        super().__init__()
        self.use_dropout = bool(use_dropout)
        self.dropout_ration = float(dropout_ration)
        self.use_batchnorm = bool(use_batchnorm)
        self._init_multi_layer(input_size, hidden_size_list, output_size, activation,
                               weight_init_std, weight_decay_lambda, seed)
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = affine(self.params, idx)
            if self.use_batchnorm:
                size = self.hidden_size_list[idx - 1]
                self.params[f"gamma{idx}"] = Parameter(np.ones(size))
                self.params[f"beta{idx}"] = Parameter(np.zeros(size))
                self.layers[f"BatchNorm{idx}"] = BatchNormalization(
                    self.params[f"gamma{idx}"], self.params[f"beta{idx}"],
                    running_mean=np.zeros(size), running_var=np.zeros(size))
            self.layers[f"Activation_function{idx}"] = ACTIVATION_LAYERS[activation]()
            if self.use_dropout:
                self.layers[f"Dropout{idx}"] = Dropout(self.dropout_ration)
        self._finish_multi_layer()

    def predict(self, x: Any, train_flg: bool = False) -> Tensor:
        """Return the logits; ``train_flg`` switches BatchNorm and Dropout to training mode."""
        return self._run_layers(x, train_flg)

    def forward(self, x: Any) -> Tensor:
        """Return the logits in the mode given by :attr:`training` (``train()``/``eval()``)."""
        return self.predict(x, self.training)

    def loss(self, x: Any, t: Any, train_flg: bool = False) -> Tensor:
        """Return the cross-entropy plus ``0.5 * lambda * sum(W**2)`` over every ``W``."""
        return self.lastLayer.loss_tensor(self.predict(x, train_flg), t) + self._decay()

    def _loss_for_grad(self, x: Any, t: Any) -> Tensor:
        return self.loss(x, t, train_flg=True)
