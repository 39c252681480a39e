"""The chapter's networks: :class:`SimpleNet` and :class:`TwoLayerNet`.

Both keep the book's surface (``net.W``; ``network.params['W1']``,
``predict``, ``loss``, ``accuracy``, ``numerical_gradient``, ``gradient``),
so the book's code runs unchanged, but they are :class:`~minigrad.nn.Module`
objects whose gradients come from automatic differentiation.

Examples
--------
The book's training step::

    grad = network.gradient(x_batch, t_batch)
    for key in ('W1', 'b1', 'W2', 'b2'):
        network.params[key] -= learning_rate * grad[key]
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from minigrad import functional as F
from minigrad.autograd import grad, is_grad_enabled, no_grad
from minigrad.layerwise.multi_layer_net_extend import MultiLayerNetExtend
from minigrad.nn.layers import InitLike, SeedLike, _positive, _randn, init_std, make_rng
from minigrad.nn.module import Module, Parameter
from minigrad.numerical import numerical_gradient
from minigrad.ops.linalg import linear, matmul
from minigrad.tensor import Tensor

__all__ = ["SimpleNet", "TwoLayerNet", "BookLinear", "MultiLayerNet", "ACTIVATIONS"]

#: Hidden-layer activations understood by :class:`TwoLayerNet`.
ACTIVATIONS: dict[str, Callable[[Any], Tensor]] = {
    "sigmoid": F.sigmoid,
    "relu": F.relu,
    "tanh": F.tanh,
}


class SimpleNet(Module):
    """The chapter's ``simpleNet``: one 2x3 weight matrix, no bias.

    Parameters
    ----------
    seed : None, int or numpy.random.Generator
        Source of the standard-normal initial ``W`` (None: ``np.random.randn``,
        as in the book).

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> from minigrad.models import SimpleNet
    >>> net = SimpleNet(seed=0)
    >>> x, t = np.array([0.6, 0.9]), np.array([0, 0, 1])
    >>> dW = mg.numerical_gradient(lambda w: net.loss(x, t), net.W)
    >>> dW.shape
    (2, 3)
    >>> bool(np.allclose(dW, net.gradient(x, t), atol=1e-6))
    True
    """

    def __init__(self, seed: SeedLike = None) -> None:
        super().__init__()
        self.W = Parameter(_randn(make_rng(seed), (2, 3)))

    def forward(self, x: Any) -> Tensor:
        """Return ``x @ W``."""
        return matmul(x, self.W)

    def predict(self, x: Any) -> Tensor:
        """Return the scores ``x @ W``."""
        return self(x)

    def loss(self, x: Any, t: Any) -> Tensor:
        """Return ``cross_entropy_error(softmax(x @ W), t)``."""
        return F.cross_entropy_error(F.softmax(self(x)), t)

    def gradient(self, x: Any, t: Any) -> np.ndarray:
        """Return ``dL/dW`` by automatic differentiation (an ndarray of W's shape)."""
        (gW,) = grad(self.loss(x, t), [self.W])
        assert gW is not None
        return gW.data


class BookLinear(Module):
    """The book's affine layer ``x @ W + b``, with ``W`` of shape ``(in_features, out_features)``.

    :class:`TwoLayerNet`'s ``fc1`` and ``fc2``: the book's layout, so that
    ``params['W1']`` (784, 50) is the very tensor the layer uses and updates,
    and saved runs keep their ``fc1.W`` keys. For PyTorch's layout use
    :class:`minigrad.nn.Linear`. The weights are ``std * randn(in, out)``
    (the same draw as :class:`minigrad.nn.Linear`, untransposed); ``b``
    starts at zero.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and output.
    weight_init_std : float, str or None
        See :func:`minigrad.nn.init_std`.
    rng : None, int or numpy.random.Generator
        Source of the initial weights.
    """

    def __init__(self, in_features: int, out_features: int, weight_init_std: InitLike = None,
                 rng: SeedLike = None) -> None:
        super().__init__()
        self.in_features = _positive(in_features, "BookLinear: in_features")
        self.out_features = _positive(out_features, "BookLinear: out_features")
        std = init_std(weight_init_std, self.in_features)
        self.W = Parameter(std * _randn(make_rng(rng), (self.in_features, self.out_features)))
        self.b = Parameter(np.zeros(self.out_features))

    def forward(self, x: Any) -> Tensor:
        """Return ``x @ W + b``."""
        return linear(x, self.W, self.b)

    def extra_repr(self) -> str:
        """Return the sizes for ``repr``."""
        return f"in_features={self.in_features}, out_features={self.out_features}"


class TwoLayerNet(Module):
    """The chapter's two-layer network: ``softmax(act(x @ W1 + b1) @ W2 + b2)``.

    Parameters
    ----------
    input_size, hidden_size, output_size : int
        Layer sizes (784, 50, 10 for MNIST in the book).
    weight_init_std : float or str
        Scale of the initial weights, ``W = std * randn(...)`` (the book's
        0.01), or ``"xavier"``/``"he"`` (see :func:`minigrad.nn.init_std`).
        Biases start at zero.
    activation : {"sigmoid", "relu", "tanh"}
        The hidden activation (the book's is sigmoid).
    seed : None, int or numpy.random.Generator
        Source of the initial weights. None draws from ``np.random`` in the
        book's order (W1 then W2), so after ``np.random.seed(s)`` the weights
        equal the book's ``TwoLayerNet``'s.

    Attributes
    ----------
    params : dict of str to Parameter
        ``W1``, ``b1``, ``W2``, ``b2``: the very tensors of ``fc1`` and
        ``fc2``, so ``network.params[key] -= lr * grad[key]`` trains the
        module in place.
    fc1, fc2 : BookLinear
        The two affine layers, in the book's layout (``fc1.W`` is ``W1``).

    Notes
    -----
    :meth:`loss` applies the fused, stable :func:`~minigrad.functional.softmax_cross_entropy`
    to the logits (four ops forward: linear, activation, linear, loss). Its
    gradient is exactly the book's hand-written ``dy = (y - t) / N``, which is
    the derivative of the cross-entropy *without* the ``1e-7`` inside the
    logarithm; the loss values differ from the book's by at most about 1e-7.
    """

    def __init__(self, input_size: int, hidden_size: int, output_size: int,
                 weight_init_std: InitLike = 0.01, activation: str = "sigmoid",
                 seed: SeedLike = None) -> None:
        super().__init__()
        if activation not in ACTIVATIONS:
            raise ValueError(f"TwoLayerNet: unknown activation {activation!r}; use one of "
                             f"{sorted(ACTIVATIONS)}")
        rng = make_rng(seed)
        self.fc1 = BookLinear(input_size, hidden_size, weight_init_std, rng=rng)
        self.fc2 = BookLinear(hidden_size, output_size, weight_init_std, rng=rng)
        self.activation = activation
        self._act = ACTIVATIONS[activation]
        self.params: dict[str, Parameter] = {
            "W1": self.fc1.W, "b1": self.fc1.b, "W2": self.fc2.W, "b2": self.fc2.b,
        }

    @property
    def sizes(self) -> tuple[int, int, int]:
        """``(input_size, hidden_size, output_size)``."""
        return self.fc1.in_features, self.fc1.out_features, self.fc2.out_features

    def forward(self, x: Any) -> Tensor:
        """Return the logits ``act(x @ W1 + b1) @ W2 + b2`` (before the softmax)."""
        return self.fc2(self._act(self.fc1(x)))

    def predict(self, x: Any) -> Tensor:
        """Return the class probabilities ``softmax(forward(x))``, as the book's ``predict``."""
        return F.softmax(self(x))

    def loss(self, x: Any, t: Any) -> Tensor:
        """Return the batch-mean cross-entropy of ``softmax(forward(x))`` against ``t``.

        ``t`` holds one-hot targets (N, C) or integer labels (N,).
        """
        return F.softmax_cross_entropy(self(x), t)

    def accuracy(self, x: Any, t: Any) -> float:
        """Return the share of samples whose most likely class is ``t``'s (labels or one-hot)."""
        with no_grad():
            y = self.predict(x)
        return F.accuracy(y, t)

    def numerical_gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Return the loss gradient by central differences, keyed like ``params`` (very slow)."""
        def loss_w(_: Any) -> Tensor:
            return self.loss(x, t)

        return {key: numerical_gradient(loss_w, p) for key, p in self.params.items()}

    def gradient(self, x: Any, t: Any) -> dict[str, np.ndarray]:
        """Return the loss gradient by backpropagation, keyed like ``params``.

        Nothing is hand-written: the gradient comes from differentiating
        :meth:`loss`. The parameters' ``.grad`` are left untouched.

        Returns
        -------
        dict of str to numpy.ndarray
            ``W1``, ``b1``, ``W2``, ``b2`` gradients (fresh arrays).
        """
        params = self.params
        grads = grad(self.loss(x, t), list(params.values()))
        return {key: g.data for key, g in zip(params, grads)}  # type: ignore[union-attr]

    def extra_repr(self) -> str:
        """Return the sizes and activation for ``repr``."""
        i, h, o = self.sizes
        return (f"input_size={i}, hidden_size={h}, output_size={o}, "
                f"activation={self.activation!r}")


class MultiLayerNet(MultiLayerNetExtend):
    """Chapter 6's fully connected network for :class:`minigrad.train.Trainer` and the CLI.

    The book's :class:`~minigrad.book.multi_layer_net_extend.MultiLayerNetExtend`
    (``W1``, ``b1``, ..., ``gamma1``, ``beta1``; optional BatchNorm, the book's
    non-inverted Dropout, weight decay ``0.5 * lambda * sum(W**2)`` in the loss)
    with two conventions the generic trainer needs:

    * :meth:`loss` without ``train_flg`` runs in training mode when it records
      a graph (the loss that is differentiated) and the module is in
      :meth:`~minigrad.nn.Module.train` mode, and in inference mode otherwise
      (the loss recorded after the update, as the book's ``Trainer`` does, and
      every evaluation);
    * dropout masks come from ``numpy.random.default_rng((seed, step))`` with
      ``step`` a buffer counted in :meth:`state_dict`, so a run resumed from a
      checkpoint draws the same masks as an uninterrupted one.

    Parameters
    ----------
    input_size, hidden_size_list, output_size : int, list of int, int
        Layer sizes.
    activation : {"relu", "sigmoid"}
        Hidden activation.
    weight_init_std : float or str
        A number, ``"xavier"``/``"sigmoid"`` or ``"he"``/``"relu"``.
    weight_decay_lambda : float
        Weight decay ``lambda``.
    use_dropout : bool
        Insert Dropout after every hidden activation.
    dropout_ration : float
        The dropout ratio.
    use_batchnorm : bool
        Insert BatchNorm before every hidden activation.
    seed : None, int or numpy.random.Generator
        Source of the initial weights; the dropout seed is drawn from it.
    """

    def __init__(self, input_size: int, hidden_size_list: list[int], output_size: int,
                 activation: str = "relu", weight_init_std: InitLike = "relu",
                 weight_decay_lambda: float = 0, use_dropout: bool = False,
                 dropout_ration: float = 0.5, use_batchnorm: bool = False,
                 seed: SeedLike = None) -> None:
        rng = make_rng(seed)
        super().__init__(input_size, hidden_size_list, output_size, activation=activation,
                         weight_init_std=weight_init_std,
                         weight_decay_lambda=weight_decay_lambda, use_dropout=use_dropout,
                         dropout_ration=dropout_ration, use_batchnorm=use_batchnorm, seed=rng)
        draw = (rng.integers(2**63) if isinstance(rng, np.random.Generator)
                else np.random.randint(2**31))
        self.dropout_seed = int(draw)
        self.dropout_step: np.ndarray | None
        self.register_buffer("dropout_step", np.zeros((), dtype=np.int64))

    @property
    def sizes(self) -> tuple[int, ...]:
        """``(input_size, *hidden_size_list, output_size)``."""
        return (self.input_size, *self.hidden_size_list, self.output_size)

    def loss(self, x: Any, t: Any, train_flg: bool | None = None) -> Tensor:
        """Cross-entropy plus weight decay; see the class notes for the default mode."""
        if train_flg is None:
            train_flg = self.training and is_grad_enabled()
        if train_flg and self.use_dropout:
            step = self.dropout_step
            assert step is not None
            mask_rng = np.random.default_rng((self.dropout_seed, int(step)))
            for layer in self.layers.values():
                if hasattr(layer, "dropout_ratio"):
                    layer.__dict__["_rng"] = mask_rng
            step += 1
        return super().loss(x, t, train_flg=train_flg)  # type: ignore[no-any-return]

    def _loss_for_grad(self, x: Any, t: Any) -> Tensor:
        return self.loss(x, t, train_flg=True)

    def extra_repr(self) -> str:
        """Return the sizes and options for ``repr``."""
        return (f"sizes={list(self.sizes)}, activation={self.activation!r}, "
                f"batchnorm={self.use_batchnorm}, dropout="
                f"{self.dropout_ration if self.use_dropout else None}, "
                f"weight_decay={self.weight_decay_lambda}")
