"""The book's ``common/optimizer.py``: optimizers of the form ``update(params, grads)``.

``params`` and ``grads`` are dictionaries with the same keys (``W1``, ``b1``,
...). Each ``params[key]`` that is an ndarray or a minigrad Tensor is updated in
place, which is how the layers that share it see the new values; a plain number
(the book's ``params['x'] = -7.0``) is replaced in the dictionary by its new
value, exactly as the book's ``params[key] -= ...`` does, with the type Python
and NumPy give it. The rules and defaults are the book's, operation for operation:

=============  ==============================================================
SGD            ``W -= lr * g``
Momentum       ``v = momentum * v - lr * g``; ``W += v``
Nesterov       ``W += momentum**2 * v``; ``W -= (1 + momentum) * lr * g``;
               ``v = momentum * v - lr * g`` (the Japanese repository's order)
AdaGrad        ``h += g * g``; ``W -= lr * g / (sqrt(h) + 1e-7)``
RMSprop        ``h = decay_rate * h + (1 - decay_rate) * g * g``;
               ``W -= lr * g / (sqrt(h) + 1e-7)``
Adam           ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``;
               ``m += (1 - beta1) * (g - m)``; ``v += (1 - beta2) * (g**2 - v)``;
               ``W -= lr_t * m / (sqrt(v) + 1e-7)``
=============  ==============================================================

State (``v``, ``h``, ``m``) is created as zeros at the first ``update``.
:mod:`minigrad.optim` holds the PyTorch-style optimizers.

Examples
--------
>>> import numpy as np
>>> from minigrad.book.optimizer import AdaGrad
>>> params = {"x": np.array([-7.0, 2.0])}
>>> AdaGrad(lr=1.5).update(params, {"x": np.array([-0.7, 4.0])})
>>> params["x"].round(4)
array([-5.5,  0.5])
"""

from __future__ import annotations

import operator
from collections.abc import Mapping, MutableMapping
from typing import Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.tensor import Tensor

# The book's module has no ``__all__``: a star import of it brings ``np`` too (scripts use it).
__all__ = ["np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "BOOK_OPTIMIZERS"]


def _value(value: Any) -> Any:
    """A Tensor's array; anything else as it is (ndarray, NumPy scalar or Python number)."""
    return value.data if isinstance(value, Tensor) else value


def _numeric(value: Any) -> bool:
    v = _value(value)
    return (isinstance(v, (np.ndarray, np.number)) or
            (isinstance(v, (int, float)) and not isinstance(v, bool)))


def _check(params: Mapping[str, Any], grads: Mapping[str, Any], who: str) -> None:
    if not isinstance(params, MutableMapping) or not isinstance(grads, Mapping):
        raise TypeError(f"{who}.update: params and grads must be dictionaries")
    missing = [k for k in params if k not in grads]
    if missing:
        raise KeyError(f"{who}.update: grads has no entry for {missing}")
    for key in params:
        if not _numeric(params[key]):
            raise TypeError(f"{who}: params[{key!r}] must be a number, an ndarray or a Tensor, "
                            f"got {type(params[key]).__name__}")
        if not _numeric(grads[key]):
            raise TypeError(f"{who}: grads[{key!r}] must be a number, an ndarray or a Tensor, "
                            f"got {type(grads[key]).__name__}")
        p_shape, g_shape = np.shape(_value(params[key])), np.shape(_value(grads[key]))
        if p_shape != g_shape:
            raise ValueError(f"{who}.update: params[{key!r}] has shape {p_shape} but "
                             f"grads[{key!r}] has shape {g_shape}")


def _grad(grads: Mapping[str, Any], key: str) -> Any:
    """``grads[key]`` as the book uses it: a Tensor's array, anything else unchanged."""
    return _value(grads[key])


def _add_(params: MutableMapping[str, Any], key: str, delta: Any) -> None:
    """The book's ``params[key] += delta``.

    An ndarray (or a Tensor, bumping its version counter) is updated in place;
    a number is replaced by the sum in the dictionary, as Python's ``+=`` does.
    """
    p = params[key]
    if isinstance(p, Tensor):
        with no_grad():
            p += delta
    else:
        params[key] = operator.iadd(p, delta)


def _sub_(params: MutableMapping[str, Any], key: str, delta: Any) -> None:
    """The book's ``params[key] -= delta`` (in place, or a number replaced; see :func:`_add_`)."""
    p = params[key]
    if isinstance(p, Tensor):
        with no_grad():
            p -= delta
    else:
        params[key] = operator.isub(p, delta)


class _BookOptimizer:
    """Shared checks; subclasses implement :meth:`update`."""

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        raise NotImplementedError

    def _validate(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        _check(params, grads, type(self).__name__)

    @staticmethod
    def _zeros(params: Mapping[str, Any]) -> dict[str, np.ndarray]:
        """A zero array like each ``params[key]``: a state buffer's first value."""
        return {key: np.zeros_like(_value(val)) for key, val in params.items()}

    def __repr__(self) -> str:
        fields = ", ".join(f"{k}={v!r}" for k, v in vars(self).items()
                           if isinstance(v, (int, float)) and k != "iter")
        return f"{type(self).__name__}({fields})"


class SGD(_BookOptimizer):
    """Stochastic gradient descent: ``W -= lr * g`` (item 6.1).

    Parameters
    ----------
    lr : float
        The learning rate.
    """

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        self._validate(params, grads)
        for key in params.keys():
            _sub_(params, key, self.lr * _grad(grads, key))


class Momentum(_BookOptimizer):
    """Momentum SGD: ``v = momentum * v - lr * g``; ``W += v`` (item 6.2).

    Parameters
    ----------
    lr : float
        The learning rate.
    momentum : float
        The decay of the velocity ``v``.
    """

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr = lr
        self.momentum = momentum
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        self._validate(params, grads)
        if self.v is None:
            self.v = self._zeros(params)
        for key in params.keys():
            self.v[key] = self.momentum * self.v[key] - self.lr * _grad(grads, key)
            _add_(params, key, self.v[key])


class Nesterov(Momentum):
    """Nesterov's accelerated gradient, in the book's Japanese repository's order (item 6.3).

    ``W += momentum**2 * v``; ``W -= (1 + momentum) * lr * g``; then
    ``v = momentum * v - lr * g``. (The Korean repository updates ``v``
    first; see Appendix B of the specification.) This is the same trajectory
    as ``torch.optim.SGD(nesterov=True)``.

    Parameters
    ----------
    lr : float
        The learning rate.
    momentum : float
        The decay of the velocity ``v``.
    """

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        self._validate(params, grads)
        if self.v is None:
            self.v = self._zeros(params)
        for key in params.keys():
            g = _grad(grads, key)
            _add_(params, key, self.momentum * self.momentum * self.v[key])
            _sub_(params, key, (1 + self.momentum) * self.lr * g)
            self.v[key] *= self.momentum
            self.v[key] -= self.lr * g


class AdaGrad(_BookOptimizer):
    """AdaGrad: ``h += g * g``; ``W -= lr * g / (sqrt(h) + 1e-7)`` (item 6.4).

    Parameters
    ----------
    lr : float
        The learning rate.
    """

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr
        self.h: dict[str, np.ndarray] | None = None

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        self._validate(params, grads)
        if self.h is None:
            self.h = self._zeros(params)
        for key in params.keys():
            g = _grad(grads, key)
            self.h[key] += g * g
            _sub_(params, key, self.lr * g / (np.sqrt(self.h[key]) + 1e-7))


class RMSprop(_BookOptimizer):
    """RMSprop (item 6.5).

    ``h = decay_rate * h + (1 - decay_rate) * g * g``; ``W -= lr * g / (sqrt(h) + 1e-7)``.

    Parameters
    ----------
    lr : float
        The learning rate.
    decay_rate : float
        The decay of the running mean of squared gradients.
    """

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        self.lr = lr
        self.decay_rate = decay_rate
        self.h: dict[str, np.ndarray] | None = None

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        self._validate(params, grads)
        if self.h is None:
            self.h = self._zeros(params)
        for key in params.keys():
            g = _grad(grads, key)
            self.h[key] *= self.decay_rate
            self.h[key] += (1 - self.decay_rate) * g * g
            _sub_(params, key, self.lr * g / (np.sqrt(self.h[key]) + 1e-7))


class Adam(_BookOptimizer):
    """Adam in the book's form (item 6.6): bias correction folded into the step size.

    At update ``t`` (counted from 1):
    ``lr_t = lr * sqrt(1 - beta2**t) / (1 - beta1**t)``,
    ``m += (1 - beta1) * (g - m)``, ``v += (1 - beta2) * (g**2 - v)``,
    ``W -= lr_t * m / (sqrt(v) + 1e-7)``. The ``1e-7`` is added after the
    square root of the *uncorrected* ``v``, so this differs slightly from
    ``torch.optim.Adam`` (see :class:`minigrad.optim.Adam`).

    Parameters
    ----------
    lr : float
        The learning rate.
    beta1, beta2 : float
        Decay rates of the first and second moment estimates.
    """

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr = lr
        self.beta1 = beta1
        self.beta2 = beta2
        self.iter = 0
        self.m: dict[str, np.ndarray] | None = None
        self.v: dict[str, np.ndarray] | None = None

    def update(self, params: MutableMapping[str, Any], grads: Mapping[str, Any]) -> None:
        """Update every ``params[key]`` in place from ``grads[key]``."""
        self._validate(params, grads)
        if self.m is None or self.v is None:
            self.m, self.v = self._zeros(params), self._zeros(params)
        self.iter += 1
        # a Python float, so that float32 parameters are updated in float32 (a NumPy float64
        # scalar would promote every array it multiplies)
        lr_t = float(self.lr * np.sqrt(1.0 - self.beta2 ** self.iter)
                     / (1.0 - self.beta1 ** self.iter))
        for key in params.keys():
            g = _grad(grads, key)
            self.m[key] += (1 - self.beta1) * (g - self.m[key])
            self.v[key] += (1 - self.beta2) * (g ** 2 - self.v[key])
            _sub_(params, key, lr_t * self.m[key] / (np.sqrt(self.v[key]) + 1e-7))


#: The book's optimizers by the lower-case names :class:`~minigrad.book.trainer.Trainer` accepts.
BOOK_OPTIMIZERS: dict[str, type[_BookOptimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}
