"""PyTorch-style optimizers: SGD, Momentum, Nesterov, AdaGrad, RMSprop and Adam.

The rules and defaults are ``torch.optim``'s (``weight_decay=`` adds
``weight_decay * W`` to each gradient); the book's own optimizers, with
``update(params, grads)`` and the book's rules, are in
:mod:`minigrad.book.optimizer`.

An optimizer holds the parameters to train and updates them in place from
their ``.grad``::

    opt = optim.SGD(model.parameters(), lr=0.1)
    loss = model.loss(x, t)
    opt.zero_grad()
    loss.backward()
    opt.step()

Parameters may be given as an iterable of tensors, a dict ``name -> tensor``
(e.g. ``network.params``) or a :class:`~minigrad.nn.Module`. Updates run
under :func:`~minigrad.no_grad` through the tensors' in-place operators, so
each bumps the version counter and releases the graphs that saved the old
values. :meth:`Optimizer.state_dict` holds plain ndarrays and numbers only,
ready for ``np.savez``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.tensor import Tensor

__all__ = ["Optimizer", "SGD", "Momentum", "Nesterov", "AdaGrad", "Adagrad", "RMSprop", "Adam",
           "OPTIMIZERS", "make_optimizer"]


def _named_params(params: Any) -> list[tuple[str, Tensor]]:
    """Normalise the ``params`` argument to ``[(name, tensor), ...]``."""
    from minigrad.nn.module import Module

    items: list[tuple[str, Any]]
    if isinstance(params, Module):
        items = list(params.named_parameters())
    elif isinstance(params, Mapping):
        items = [(str(k), v) for k, v in params.items()]
    elif isinstance(params, Tensor):
        raise TypeError("optimizer: params must be an iterable of tensors, not a single Tensor; "
                        "wrap it in a list")
    elif isinstance(params, Iterable):
        items = [(str(i), p) for i, p in enumerate(params)]
    else:
        raise TypeError(f"optimizer: params must be an iterable of tensors, a dict of tensors "
                        f"or a Module, got {type(params).__name__}")
    if not items:
        raise ValueError("optimizer: got an empty parameter list")
    seen: set[int] = set()
    for name, p in items:
        if not isinstance(p, Tensor):
            raise TypeError(f"optimizer: parameter {name!r} is a {type(p).__name__}, not a "
                            "Tensor")
        if not p.requires_grad or not p.is_leaf:
            raise ValueError(f"optimizer: parameter {name!r} must be a leaf tensor that "
                             "requires grad")
        if id(p) in seen:
            raise ValueError(f"optimizer: parameter {name!r} appears more than once")
        seen.add(id(p))
    return items


def _number(value: Any, what: str, low: float = 0.0, high: float = np.inf,
            low_open: bool = False) -> float:
    if isinstance(value, bool) or not isinstance(value, (int, float, np.floating, np.integer)):
        raise TypeError(f"{what} must be a number, got {type(value).__name__}")
    v = float(value)
    if not np.isfinite(v) or v < low or (low_open and v == low) or v > high:
        raise ValueError(f"{what} must be {'>' if low_open else '>='} {low}"
                         f"{'' if high == np.inf else f' and <= {high}'}, got {value}")
    return v


class Optimizer:
    """Base class: holds named parameters, per-parameter buffers and hyperparameters.

    Subclasses set :attr:`hyper` (hyperparameter names), :attr:`buffers`
    (names of per-parameter arrays, created as zeros) and implement
    :meth:`_update`.

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate.
    """

    hyper: tuple[str, ...] = ("lr",)
    buffers: tuple[str, ...] = ()

    def __init__(self, params: Any, lr: float) -> None:
        self.named_params = _named_params(params)
        self.lr = _number(lr, f"{type(self).__name__}: lr", low_open=True)
        self.steps = 0
        self.state: dict[str, dict[str, np.ndarray]] = {
            b: {name: np.zeros_like(p.data) for name, p in self.named_params}
            for b in self.buffers
        }

    @property
    def params(self) -> list[Tensor]:
        """The parameters, in order."""
        return [p for _, p in self.named_params]

    def zero_grad(self) -> None:
        """Forget every parameter's gradient (``.grad`` becomes None)."""
        for _, p in self.named_params:
            p.grad = None

    def step(self) -> None:
        """Update every parameter that has a gradient, in place."""
        self.steps += 1
        with no_grad():
            for name, p in self.named_params:
                g = p.grad
                if g is None:
                    continue
                upd = self._update(name, p.data, g.data)
                p -= upd

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Return the amount to subtract from parameter ``name`` (values ``w``, gradient ``g``)."""
        raise NotImplementedError

    # -- checkpoints ---------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Return the hyperparameters, step count and buffers as plain numbers and ndarrays.

        Keys are ``"lr"`` (and the other hyperparameters), ``"steps"``, and
        ``"<buffer>.<param name>"`` for each buffer (e.g. ``"v.W1"``); arrays
        are copies. ``np.savez(path, **opt.state_dict())`` stores it.
        """
        sd: dict[str, Any] = {h: float(getattr(self, h)) for h in self.hyper}
        sd["steps"] = int(self.steps)
        for b, bufs in self.state.items():
            for name, arr in bufs.items():
                sd[f"{b}.{name}"] = arr.copy()
        return sd

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict` output; checks everything first, then changes state.

        Raises
        ------
        ValueError
            Listing every missing or unexpected key and every buffer of the wrong
            shape; nothing is changed.
        """
        expected = set(self.hyper) | {"steps"} | {
            f"{b}.{name}" for b in self.buffers for name, _ in self.named_params}
        keys = set(state_dict.keys())
        problems = [f"missing key {k!r}" for k in sorted(expected - keys)]
        problems += [f"unexpected key {k!r}" for k in sorted(keys - expected)]
        shapes = {f"{b}.{name}": p.shape for b in self.buffers for name, p in self.named_params}
        new_hyper: dict[str, float] = {}
        for k in sorted(expected & keys):
            v = np.asarray(state_dict[k])
            if k in shapes:
                if v.shape != shapes[k]:
                    problems.append(f"{k!r}: shape {v.shape}, expected {shapes[k]}")
            elif v.shape != () or v.dtype.kind not in "iuf":
                problems.append(f"{k!r}: expected a number, got an array of shape {v.shape} and "
                                f"dtype {v.dtype}")
            elif k != "steps":
                new_hyper[k] = float(v)
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state does not fit "
                             "(nothing was loaded):\n  " + "\n  ".join(problems))
        for k, value in new_hyper.items():
            setattr(self, k, value)
        self.steps = int(np.asarray(state_dict["steps"]))
        for b in self.buffers:
            for name, p in self.named_params:
                self.state[b][name] = np.array(state_dict[f"{b}.{name}"], dtype=p.dtype)

    def __repr__(self) -> str:
        hp = ", ".join(f"{h}={getattr(self, h)!r}" for h in self.hyper)
        return f"{type(self).__name__}({hp}, params={len(self.named_params)})"


def _decayed(opt: Any, w: np.ndarray, g: np.ndarray) -> np.ndarray:
    """``g + weight_decay * w`` (L2 penalty folded into the gradient, as ``torch.optim``)."""
    wd = opt.weight_decay
    return g + wd * w if wd else g


class SGD(Optimizer):
    """Stochastic gradient descent ``W <- W - lr * (dW + weight_decay * W)`` (``torch.optim.SGD``).

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate (``torch.optim.SGD``'s default 1e-3).
    weight_decay : float
        L2 penalty: ``weight_decay * W`` is added to every gradient.

    Examples
    --------
    >>> import minigrad as mg
    >>> from minigrad.optim import SGD
    >>> w = mg.tensor([3.0, 4.0], requires_grad=True)
    >>> opt = SGD([w], lr=0.1)
    >>> (w * w).sum().backward()
    >>> opt.step()
    >>> w.data
    array([2.4, 3.2])
    """

    hyper = ("lr", "weight_decay")

    def __init__(self, params: Any, lr: float = 1e-3, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.weight_decay = _number(weight_decay, "SGD: weight_decay")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return self.lr * _decayed(self, w, g)


class Momentum(Optimizer):
    """SGD with momentum, as ``torch.optim.SGD(momentum=...)``.

    ``g = dW + weight_decay * W``; ``v <- momentum * v + g`` (``v`` starts at
    0, so the first ``v`` is ``g``); ``W <- W - lr * v``. For a constant
    learning rate this is the book's ``v <- momentum * v - lr * dW``,
    ``W <- W + v`` with ``v`` scaled by ``-lr``.

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate (default 1e-3, ``torch.optim.SGD``'s).
    momentum : float
        The decay of the velocity, in ``[0, 1]``.
    weight_decay : float
        L2 penalty added to the gradient.
    """

    hyper = ("lr", "momentum", "weight_decay")
    buffers = ("v",)

    def __init__(self, params: Any, lr: float = 1e-3, momentum: float = 0.9,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.momentum = _number(momentum, f"{type(self).__name__}: momentum", high=1.0)
        self.weight_decay = _number(weight_decay, f"{type(self).__name__}: weight_decay")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = _decayed(self, w, g)
        v = self.state["v"][name]
        v *= self.momentum
        v += g
        return self.lr * v


class Nesterov(Momentum):
    """Nesterov momentum, as ``torch.optim.SGD(momentum=..., nesterov=True)``.

    ``g = dW + weight_decay * W``; ``v <- momentum * v + g``;
    ``W <- W - lr * (g + momentum * v)``. For a constant learning rate this
    is the trajectory of the book's ``Nesterov`` (Japanese repository's order).

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate (default 1e-3).
    momentum : float
        The decay of the velocity, in ``[0, 1]``.
    weight_decay : float
        L2 penalty added to the gradient.
    """

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = _decayed(self, w, g)
        v = self.state["v"][name]
        v *= self.momentum
        v += g
        return self.lr * (g + self.momentum * v)


class AdaGrad(Optimizer):
    """AdaGrad, as ``torch.optim.Adagrad``.

    ``g = dW + weight_decay * W``; ``h <- h + g * g``;
    ``W <- W - lr * g / (sqrt(h) + eps)``. The book's ``AdaGrad`` uses
    ``eps = 1e-7`` (:class:`minigrad.book.optimizer.AdaGrad`); PyTorch's 1e-10.

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate (default 1e-2).
    eps : float
        Added after the square root (default 1e-10).
    weight_decay : float
        L2 penalty added to the gradient.
    """

    hyper = ("lr", "eps", "weight_decay")
    buffers = ("h",)

    def __init__(self, params: Any, lr: float = 1e-2, eps: float = 1e-10,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.eps = _number(eps, "AdaGrad: eps")
        self.weight_decay = _number(weight_decay, "AdaGrad: weight_decay")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = _decayed(self, w, g)
        h = self.state["h"][name]
        h += g * g
        return self.lr * g / (np.sqrt(h) + self.eps)


class RMSprop(Optimizer):
    """RMSprop, as ``torch.optim.RMSprop`` (no momentum, not centered).

    ``g = dW + weight_decay * W``; ``h <- alpha * h + (1 - alpha) * g * g``;
    ``W <- W - lr * g / (sqrt(h) + eps)``. The book's ``RMSprop`` calls
    ``alpha`` ``decay_rate`` and uses ``eps = 1e-7``.

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate (default 1e-2).
    alpha : float
        Decay of the running mean of squared gradients (default 0.99).
    eps : float
        Added after the square root (default 1e-8).
    weight_decay : float
        L2 penalty added to the gradient.
    """

    hyper = ("lr", "alpha", "eps", "weight_decay")
    buffers = ("h",)

    def __init__(self, params: Any, lr: float = 1e-2, alpha: float = 0.99, eps: float = 1e-8,
                 weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.alpha = _number(alpha, "RMSprop: alpha", high=1.0)
        self.eps = _number(eps, "RMSprop: eps")
        self.weight_decay = _number(weight_decay, "RMSprop: weight_decay")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = _decayed(self, w, g)
        h = self.state["h"][name]
        h *= self.alpha
        h += (1 - self.alpha) * (g * g)
        return self.lr * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam`` (L2 weight decay, not AdamW).

    At step ``k``: ``g = dW + weight_decay * W``;
    ``m <- beta1 * m + (1 - beta1) * g``; ``v <- beta2 * v + (1 - beta2) * g**2``;
    ``W <- W - lr * m_hat / (sqrt(v_hat) + eps)`` with
    ``m_hat = m / (1 - beta1**k)``, ``v_hat = v / (1 - beta2**k)``.

    The book's Adam (:class:`minigrad.book.optimizer.Adam`) folds the bias
    correction into the step size and adds ``1e-7`` to ``sqrt(v)`` instead:
    the same update up to where ``eps`` enters.

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate (default 1e-3).
    beta1, beta2 : float
        Decay rates of the moment estimates (``torch``'s ``betas``), each < 1.
    eps : float
        Added to ``sqrt(v_hat)`` (default 1e-8).
    weight_decay : float
        L2 penalty added to the gradient.
    """

    hyper = ("lr", "beta1", "beta2", "eps", "weight_decay")
    buffers = ("m", "v")

    def __init__(self, params: Any, lr: float = 1e-3, beta1: float = 0.9,
                 beta2: float = 0.999, eps: float = 1e-8, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr)
        self.beta1 = _number(beta1, "Adam: beta1", high=1.0)
        self.beta2 = _number(beta2, "Adam: beta2", high=1.0)
        self.eps = _number(eps, "Adam: eps")
        self.weight_decay = _number(weight_decay, "Adam: weight_decay")
        if self.beta1 == 1.0 or self.beta2 == 1.0:
            raise ValueError("Adam: beta1 and beta2 must be < 1")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = _decayed(self, w, g)
        k = self.steps
        b1, b2 = self.beta1, self.beta2
        m, v = self.state["m"][name], self.state["v"][name]
        m *= b1
        m += (1 - b1) * g
        v *= b2
        v += (1 - b2) * (g * g)
        denom = np.sqrt(v) / np.sqrt(1 - b2 ** k) + self.eps
        return (self.lr / (1 - b1 ** k)) * m / denom


#: ``torch.optim``'s spelling.
Adagrad = AdaGrad


#: Optimizers by the names the command line uses.
OPTIMIZERS: dict[str, type[Optimizer]] = {
    "sgd": SGD,
    "momentum": Momentum,
    "nesterov": Nesterov,
    "adagrad": AdaGrad,
    "rmsprop": RMSprop,
    "adam": Adam,
}


def make_optimizer(name: str | Optimizer, params: Any, lr: float, **kwargs: Any) -> Optimizer:
    """Return ``OPTIMIZERS[name](params, lr=lr, **kwargs)``, or ``name`` if it is an optimizer."""
    if isinstance(name, Optimizer):
        return name
    cls = OPTIMIZERS.get(str(name).lower())
    if cls is None:
        raise ValueError(f"unknown optimizer {name!r}; use one of {sorted(OPTIMIZERS)}")
    return cls(params, lr=lr, **kwargs)
