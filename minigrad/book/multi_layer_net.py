"""The book's ``common/multi_layer_net.py``: :class:`MultiLayerNet` (item 6.9)."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

from minigrad.book._net import BookNet, affine, init_weights
from minigrad.book.layers import Relu, Sigmoid, SoftmaxWithLoss
from minigrad.nn.layers import InitLike, SeedLike, make_rng
from minigrad.tensor import Tensor

__all__ = ["MultiLayerNet"]

#: Hidden activations by the book's names.
ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "relu": Relu}


class MultiLayerNet(BookNet):
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

    def __init__(self, input_size: int, hidden_size_list: list[int], output_size: int,
                 activation: str = "relu", weight_init_std: InitLike = "relu",
                 weight_decay_lambda: float = 0, seed: SeedLike = None) -> None:
        super().__init__()
        if activation not in ACTIVATION_LAYERS:
            raise ValueError(f"MultiLayerNet: unknown activation {activation!r}; use one of "
                             f"{sorted(ACTIVATION_LAYERS)}")
        self.input_size = input_size
        self.output_size = output_size
        self.hidden_size_list = list(hidden_size_list)
        self.hidden_layer_num = len(self.hidden_size_list)
        self.activation = activation
        self.weight_decay_lambda = float(weight_decay_lambda)
        self.params = OrderedDict()
        init_weights(self.params, [input_size, *self.hidden_size_list, output_size],
                     weight_init_std, make_rng(seed))
        self.layers = OrderedDict()
        for idx in range(1, self.hidden_layer_num + 1):
            self.layers[f"Affine{idx}"] = affine(self.params, idx)
            self.layers[f"Activation_function{idx}"] = ACTIVATION_LAYERS[activation]()
        self.layers[f"Affine{self.hidden_layer_num + 1}"] = affine(
            self.params, self.hidden_layer_num + 1)
        self.lastLayer = SoftmaxWithLoss()
        self._register()

    def predict(self, x: Any) -> Tensor:
        """Return the logits."""
        return self._run_layers(x, True)

    def forward(self, x: Any) -> Tensor:
        """Same as :meth:`predict`."""
        return self.predict(x)

    def loss(self, x: Any, t: Any) -> Tensor:
        """Return the cross-entropy plus ``0.5 * lambda * sum(W**2)`` over every ``W``."""
        return self.lastLayer.forward(self.predict(x), t) + self._decay()
