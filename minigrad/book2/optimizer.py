"""The book's ``common/optimizer.py`` (second book): updates on parameter *lists*, in place.

Every optimizer's ``update(params, grads)`` takes two lists of arrays of the
same order at every call (its state is indexed by position) and changes the
parameter arrays in place, with the book's rules and defaults.

Examples
--------
>>> import numpy as np
>>> from minigrad.book2.optimizer import Adam
>>> w, g = np.array([1.0, -2.0]), np.array([0.5, -4.0])
>>> Adam(lr=0.001).update([w], [g])
>>> np.round(w, 6).tolist()
[0.999, -1.999]
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

__all__ = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam", "np"]


def _check(params: Sequence[np.ndarray], grads: Sequence[np.ndarray], who: str) -> None:
    if len(params) != len(grads):
        raise ValueError(f"{who}.update: {len(params)} parameters but {len(grads)} gradients")


class SGD:
    """``W -= lr * g``."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check(params, grads, "SGD")
        for p, g in zip(params, grads):
            p -= self.lr * g


class _Stateful:
    def _state(self, params: Sequence[np.ndarray], attr: str) -> list[np.ndarray]:
        state = getattr(self, attr)
        if state is None:
            state = [np.zeros_like(p) for p in params]
            setattr(self, attr, state)
        elif len(state) != len(params):
            raise ValueError(f"{type(self).__name__}.update: got {len(params)} parameters, "
                             f"the state holds {len(state)} (the list must not change)")
        return state


class Momentum(_Stateful):
    """``v = momentum * v - lr * g``; ``W += v``."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum
        self.v: list[np.ndarray] | None = None

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check(params, grads, "Momentum")
        v = self._state(params, "v")
        for p, g, vi in zip(params, grads, v):
            vi *= self.momentum
            vi -= self.lr * g
            p += vi


class Nesterov(_Stateful):
    """The book's Nesterov order: ``v = m v - lr g``; ``W += m^2 v - (1 + m) lr g``."""

    def __init__(self, lr: float = 0.01, momentum: float = 0.9) -> None:
        self.lr, self.momentum = lr, momentum
        self.v: list[np.ndarray] | None = None

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check(params, grads, "Nesterov")
        v = self._state(params, "v")
        m = self.momentum
        for p, g, vi in zip(params, grads, v):
            vi *= m
            vi -= self.lr * g
            p += m * m * vi
            p -= (1 + m) * self.lr * g


class AdaGrad(_Stateful):
    """``h += g^2``; ``W -= lr g / (sqrt(h) + 1e-7)``."""

    def __init__(self, lr: float = 0.01) -> None:
        self.lr = lr
        self.h: list[np.ndarray] | None = None

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check(params, grads, "AdaGrad")
        h = self._state(params, "h")
        for p, g, hi in zip(params, grads, h):
            hi += g * g
            p -= self.lr * g / (np.sqrt(hi) + 1e-7)


class RMSprop(_Stateful):
    """``h = decay h + (1 - decay) g^2``; ``W -= lr g / (sqrt(h) + 1e-7)``."""

    def __init__(self, lr: float = 0.01, decay_rate: float = 0.99) -> None:
        self.lr, self.decay_rate = lr, decay_rate
        self.h: list[np.ndarray] | None = None

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check(params, grads, "RMSprop")
        h = self._state(params, "h")
        for p, g, hi in zip(params, grads, h):
            hi *= self.decay_rate
            hi += (1 - self.decay_rate) * g * g
            p -= self.lr * g / (np.sqrt(hi) + 1e-7)


class Adam(_Stateful):
    """Adam with the book's bias correction folded into the step size and ``1e-7``."""

    def __init__(self, lr: float = 0.001, beta1: float = 0.9, beta2: float = 0.999) -> None:
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self.m: list[np.ndarray] | None = None
        self.v: list[np.ndarray] | None = None

    def update(self, params: Sequence[np.ndarray], grads: Sequence[np.ndarray]) -> None:
        """Update every array of ``params`` in place."""
        _check(params, grads, "Adam")
        m, v = self._state(params, "m"), self._state(params, "v")
        self.iter += 1
        lr_t = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for p, g, mi, vi in zip(params, grads, m, v):
            mi += (1 - self.beta1) * (g - mi)
            vi += (1 - self.beta2) * (g ** 2 - vi)
            p -= lr_t * mi / (np.sqrt(vi) + 1e-7)
