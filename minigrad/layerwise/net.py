"""Shared surface of the book's networks: ``params``, ``layers``, ``lastLayer``, gradients."""

from __future__ import annotations

from collections import OrderedDict
from typing import Any

import numpy as np

from minigrad.autograd import grad, no_grad
from minigrad.layerwise.layers import Affine, BatchNormalization, Relu, Sigmoid, SoftmaxWithLoss
from minigrad.nn.layers import InitLike, SeedLike, _randn, init_std, make_rng
from minigrad.nn.module import Module, Parameter
from minigrad.numerical import numerical_gradient
from minigrad.tensor import Tensor, as_tensor

#: Hidden activations by the book's names.
ACTIVATION_LAYERS = {"sigmoid": Sigmoid, "relu": Relu}


def _input(x: Any) -> Tensor:
    """The network input as a constant tensor (no gradient is needed for it)."""
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    return as_tensor(arr if arr.dtype.kind == "f" else arr.astype(np.float64))


class BookNet(Module):
    """Base of the book's networks (not used directly).

    Subclasses fill :attr:`params` (an ordered dict name -> Parameter, shared
    with the layers), :attr:`layers` (an ordered dict name -> layer) and
    :attr:`lastLayer`, and call :meth:`_register`.
    """

    params: OrderedDict[str, Parameter]
    layers: OrderedDict[str, Module]
    lastLayer: SoftmaxWithLoss  # noqa: N815 - the book's name
    weight_decay_lambda: float = 0.0
    #: The class of :attr:`lastLayer` that :meth:`_finish_multi_layer` creates.
    loss_layer: type[SoftmaxWithLoss] = SoftmaxWithLoss

    def _register(self) -> None:
        """Register the parameters under their book names and the layers as children."""
        for name, p in self.params.items():
            self.register_parameter(name, p)
        for name, layer in self.layers.items():
            self.add_module(name, layer)
        self.add_module("lastLayer", self.lastLayer)

    def _init_multi_layer(self, input_size: int, hidden_size_list: list[int], output_size: int,
                          activation: str, weight_init_std: InitLike,
                          weight_decay_lambda: float, seed: SeedLike) -> None:
        """Check ``activation``, store the sizes and fill :attr:`params` with ``W{i}``, ``b{i}``.

        The common start of ``MultiLayerNet`` and ``MultiLayerNetExtend``;
        :attr:`layers` starts empty.
        """
        if activation not in ACTIVATION_LAYERS:
            raise ValueError(f"{type(self).__name__}: unknown activation {activation!r}; use "
                             f"one of {sorted(ACTIVATION_LAYERS)}")
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

    def _finish_multi_layer(self) -> None:
        """Append the output ``Affine{L+1}`` and ``SoftmaxWithLoss``, then :meth:`_register`."""
        last = self.hidden_layer_num + 1
        self.layers[f"Affine{last}"] = affine(self.params, last)
        self.lastLayer = self.loss_layer()
        self._register()

    def _run_layers(self, x: Any, train_flg: bool) -> Tensor:
        h = _input(x)
        for layer in self.layers.values():
            if isinstance(layer, BatchNormalization) or hasattr(layer, "dropout_ratio"):
                h = layer.forward(h, train_flg)
            else:
                h = layer.forward(h)
        return h

    def _decay(self) -> Tensor | float:
        """``0.5 * lambda * sum(W**2)`` over every weight matrix (0 without decay)."""
        if not self.weight_decay_lambda:
            return 0.0
        total: Tensor | float = 0.0
        for name, p in self.params.items():
            if name.startswith("W"):
                total = total + 0.5 * self.weight_decay_lambda * (p * p).sum()
        return total

    def predict(self, x: Any, train_flg: bool = False) -> Tensor:
        """Return the logits; implemented by subclasses."""
        raise NotImplementedError

    def accuracy(self, x: Any, t: Any) -> float:
        """Return the share of samples whose arg-max output equals the label (one-hot allowed)."""
        with no_grad():
            y = self.predict(x).data
        y = np.argmax(y, axis=1)
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        return float(np.sum(y == t) / float(np.asarray(x).shape[0]))

    def _loss_for_grad(self, x: Any, t: Any) -> Tensor:
        return self.loss(x, t)  # type: ignore[attr-defined, no-any-return]

    def numerical_gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Return the loss gradient by central differences (``h = 1e-4``), keyed like ``params``.

        The loss is re-evaluated in training mode for every probe, as in the
        book (so BatchNorm running statistics move and dropout masks change).
        """
        def loss_w(_: Any) -> Any:
            return self._loss_for_grad(x, t)

        return {key: numerical_gradient(loss_w, p) for key, p in self.params.items()}

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Return the loss gradient by backpropagation (autodiff), keyed like ``params``.

        With weight decay the gradient of every ``W`` includes ``lambda * W``
        (autodiff of the ``0.5 * lambda * sum(W**2)`` term). The layers'
        ``dW``/``db``/``dgamma``/``dbeta`` are set too, as after the book's
        backward pass.
        """
        loss = self._loss_for_grad(x, t)
        keys = list(self.params)
        grads = grad(loss, [self.params[k] for k in keys])
        out = {k: (np.zeros_like(self.params[k].data) if g is None else g.data)
               for k, g in zip(keys, grads)}
        by_id = {id(self.params[k]): out[k] for k in keys}
        for layer in self.layers.values():
            for attr in ("W", "b", "gamma", "beta"):
                p = layer.__dict__.get(attr)
                if isinstance(p, Parameter) and id(p) in by_id:
                    object.__setattr__(layer, "d" + attr, by_id[id(p)])
        return out


def init_weights(params: OrderedDict[str, Parameter], sizes: list[int],
                 weight_init_std: InitLike, rng: Any) -> None:
    """Fill ``params`` with ``W{i}``, ``b{i}`` in the book's order and scales.

    ``'relu'``/``'he'``: ``sqrt(2 / n)``; ``'sigmoid'``/``'xavier'``:
    ``sqrt(1 / n)`` (``n`` the previous layer's size); a number: that std
    for every layer, the output layer included.
    """
    for idx in range(1, len(sizes)):
        scale = init_std(weight_init_std, sizes[idx - 1])
        params[f"W{idx}"] = Parameter(scale * _randn(rng, (sizes[idx - 1], sizes[idx])))
        params[f"b{idx}"] = Parameter(np.zeros(sizes[idx]))


def affine(params: OrderedDict[str, Parameter], idx: int) -> Affine:
    """The ``Affine{idx}`` layer on ``params['W{idx}']``, ``params['b{idx}']``."""
    return Affine(params[f"W{idx}"], params[f"b{idx}"])
