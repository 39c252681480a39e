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

As in ``torch.optim``, the state is kept per parameter: a parameter whose
``.grad`` is None is left alone by :meth:`Optimizer.step`, its buffers and
its own step count unchanged, so a parameter that first gets a gradient at
the third step gets Adam's bias correction of a first step.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

import numpy as np

from minigrad._validate import number
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


_number = number  # the package's one number validator


class Optimizer:
    """Base class: holds named parameters, per-parameter buffers and hyperparameters.

    :attr:`steps` counts the calls of :meth:`step`; :attr:`param_steps` counts,
    per parameter, the steps that updated it (those at which its ``.grad`` was
    set), which is ``torch.optim``'s per-parameter ``step``.

    Subclasses set :attr:`hyper` (hyperparameter names), :attr:`buffers`
    (names of per-parameter arrays, created as zeros) and implement
    :meth:`_update`.

    Parameters
    ----------
    params : iterable of Tensor, dict of str to Tensor, or Module
        The tensors to train.
    lr : float
        The learning rate.
    weight_decay : float
        L2 penalty: ``weight_decay * W`` is added to every gradient
        (:meth:`_decayed`), as in ``torch.optim``.
    """

    hyper: tuple[str, ...] = ("lr", "weight_decay")
    buffers: tuple[str, ...] = ()

    def __init__(self, params: Any, lr: float, weight_decay: float = 0.0) -> None:
        self.named_params = _named_params(params)
        self.lr = _number(lr, f"{type(self).__name__}: lr", low_open=True)
        self.weight_decay = _number(weight_decay, f"{type(self).__name__}: weight_decay")
        self.steps = 0
        self.param_steps: dict[str, int] = {name: 0 for name, _ in self.named_params}
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
        """Update every parameter that has a gradient, in place.

        Every gradient is checked first (a Tensor of its parameter's shape and
        a dtype that can be stored in it); on a bad one a ``ValueError`` or
        ``TypeError`` names the parameter and nothing is updated.
        """
        self._check_grads()
        self.steps += 1
        with no_grad():
            for name, p in self.named_params:
                g = p.grad
                if g is None:
                    continue
                self.param_steps[name] += 1
                upd = self._update(name, p.data, g.data)
                p -= upd

    def _check_grads(self) -> None:
        """Raise, naming the parameter, if some gradient cannot update its parameter."""
        where = f"{type(self).__name__}.step"
        for name, p in self.named_params:
            g = p.grad
            if g is None:
                continue
            if not isinstance(g, Tensor):
                raise TypeError(f"{where}: the gradient of parameter {name!r} is a "
                                f"{type(g).__name__}, not a Tensor")
            if g.shape != p.shape:
                raise ValueError(f"{where}: the gradient of parameter {name!r} has shape "
                                 f"{g.shape} but the parameter has shape {p.shape}")
            if not np.can_cast(g.dtype, p.dtype, "same_kind"):
                raise TypeError(f"{where}: the gradient of parameter {name!r} has dtype "
                                f"{g.dtype}, which cannot update a parameter of dtype {p.dtype}")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        """Return the amount to subtract from parameter ``name`` (values ``w``, gradient ``g``)."""
        raise NotImplementedError

    def _decayed(self, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        """``g + weight_decay * w`` (L2 penalty folded into the gradient, as ``torch.optim``)."""
        wd = self.weight_decay
        return g + wd * w if wd else g

    # -- checkpoints ---------------------------------------------------------------
    def state_dict(self) -> dict[str, Any]:
        """Return the hyperparameters, step counts and buffers as plain numbers and ndarrays.

        Keys are ``"lr"`` (and the other hyperparameters), ``"steps"`` (the
        calls of :meth:`step`), ``"step.<param name>"`` for each parameter (the
        steps that updated it, :attr:`param_steps`) and ``"<buffer>.<param
        name>"`` for each buffer (e.g. ``"v.W1"``); arrays are copies.
        ``np.savez(path, **opt.state_dict())`` stores it.
        """
        sd: dict[str, Any] = {h: float(getattr(self, h)) for h in self.hyper}
        sd["steps"] = int(self.steps)
        for name, _ in self.named_params:
            sd[f"step.{name}"] = int(self.param_steps[name])
        for b, bufs in self.state.items():
            for name, arr in bufs.items():
                sd[f"{b}.{name}"] = arr.copy()
        return sd

    def load_state_dict(self, state_dict: Mapping[str, Any]) -> None:
        """Restore :meth:`state_dict` output; checks everything first, then changes state.

        A state dict without the ``"step.<param name>"`` keys (written before
        the step count was kept per parameter) gives every parameter the step
        count ``"steps"``, which is how such a state was used when it was saved.

        Raises
        ------
        ValueError
            Listing every missing or unexpected key, every buffer of the wrong
            shape and every step count that is not an integer in
            ``[0, steps]``; nothing is changed.
        """
        step_keys = {f"step.{name}": name for name, _ in self.named_params}
        keys = set(state_dict.keys())
        legacy = not keys & set(step_keys)  # one global step count: every parameter has it
        expected = set(self.hyper) | {"steps"} | {
            f"{b}.{name}" for b in self.buffers for name, _ in self.named_params}
        if not legacy:
            expected |= set(step_keys)
        problems = [f"missing key {k!r}" for k in sorted(expected - keys)]
        problems += [f"unexpected key {k!r}" for k in sorted(keys - expected)]
        shapes = {f"{b}.{name}": p.shape for b in self.buffers for name, p in self.named_params}
        new_hyper: dict[str, float] = {}
        counts: dict[str, int] = {}
        for k in sorted(expected & keys):
            v = np.asarray(state_dict[k])
            if k in shapes:
                if v.shape != shapes[k]:
                    problems.append(f"{k!r}: shape {v.shape}, expected {shapes[k]}")
            elif v.shape != () or v.dtype.kind not in "iuf":
                problems.append(f"{k!r}: expected a number, got an array of shape {v.shape} and "
                                f"dtype {v.dtype}")
            elif k == "steps" or k in step_keys:
                if v.dtype.kind == "f" and not float(v).is_integer() or v < 0:
                    problems.append(f"{k!r}: expected an integer >= 0, got {v.item()!r}")
                else:
                    counts[k] = int(v)
            else:
                new_hyper[k] = float(v)
        if "steps" in counts:
            problems += [f"{k!r}: {n} updates of the parameter, more than the {counts['steps']} "
                         "steps taken" for k, n in sorted(counts.items())
                         if k in step_keys and n > counts["steps"]]
        if problems:
            raise ValueError(f"{type(self).__name__}.load_state_dict: the state does not fit "
                             "(nothing was loaded):\n  " + "\n  ".join(problems))
        for k, value in new_hyper.items():
            setattr(self, k, value)
        self.steps = counts["steps"]
        self.param_steps = {name: counts["steps"] if legacy else counts[k]
                            for k, name in step_keys.items()}
        for b in self.buffers:
            for name, p in self.named_params:
                self.state[b][name] = np.array(state_dict[f"{b}.{name}"], dtype=p.dtype)

    def __repr__(self) -> str:
        hp = ", ".join(f"{h}={getattr(self, h)!r}" for h in self.hyper)
        return f"{type(self).__name__}({hp}, params={len(self.named_params)})"


def _average_(buf: np.ndarray, decay: float, x: np.ndarray) -> None:
    """``buf <- decay * buf + (1 - decay) * x``, in place (a running average)."""
    buf *= decay
    buf += (1 - decay) * x


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

    def __init__(self, params: Any, lr: float = 1e-3, weight_decay: float = 0.0) -> None:
        super().__init__(params, lr, weight_decay)

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return self.lr * self._decayed(w, g)


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
        super().__init__(params, lr, weight_decay)
        self.momentum = _number(momentum, f"{type(self).__name__}: momentum", high=1.0)

    def _velocity(self, name: str, g: np.ndarray) -> np.ndarray:
        """``v <- momentum * v + g`` for parameter ``name``, in place; return ``v``."""
        v = self.state["v"][name]
        v *= self.momentum
        v += g
        return v

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        return self.lr * self._velocity(name, self._decayed(w, g))


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
        g = self._decayed(w, g)
        v = self._velocity(name, g)
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
        super().__init__(params, lr, weight_decay)
        self.eps = _number(eps, "AdaGrad: eps")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = self._decayed(w, g)
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
        super().__init__(params, lr, weight_decay)
        self.alpha = _number(alpha, "RMSprop: alpha", high=1.0)
        self.eps = _number(eps, "RMSprop: eps")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = self._decayed(w, g)
        h = self.state["h"][name]
        _average_(h, self.alpha, g * g)
        return self.lr * g / (np.sqrt(h) + self.eps)


class Adam(Optimizer):
    """Adam (Kingma & Ba), as ``torch.optim.Adam`` (L2 weight decay, not AdamW).

    At a parameter's ``k``-th update (its own count, :attr:`Optimizer.param_steps`:
    steps at which its ``.grad`` was None do not count, as in ``torch.optim``):
    ``g = dW + weight_decay * W``;
    ``m <- beta1 * m + (1 - beta1) * g``; ``v <- beta2 * v + (1 - beta2) * g**2``;
    ``W <- W - lr * m_hat / (sqrt(v_hat) + eps)`` with
    ``m_hat = m / (1 - beta1**k)``, ``v_hat = v / (1 - beta2**k)``.

    The book's Adam (:class:`minigrad.book.optimizer.Adam`) folds the bias
    correction into the step size and adds ``1e-7`` to ``sqrt(v)`` instead:
    the same update up to where ``eps`` enters, for parameters updated at
    every step (the book counts its steps once for all parameters).

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
        super().__init__(params, lr, weight_decay)
        self.beta1 = _number(beta1, "Adam: beta1", high=1.0)
        self.beta2 = _number(beta2, "Adam: beta2", high=1.0)
        self.eps = _number(eps, "Adam: eps")
        if self.beta1 == 1.0 or self.beta2 == 1.0:
            raise ValueError("Adam: beta1 and beta2 must be < 1")

    def _update(self, name: str, w: np.ndarray, g: np.ndarray) -> np.ndarray:
        g = self._decayed(w, g)
        k = self.param_steps[name]  # this parameter's own count, as torch.optim.Adam
        b1, b2 = self.beta1, self.beta2
        m, v = self.state["m"][name], self.state["v"][name]
        _average_(m, b1, g)
        _average_(v, b2, g * g)
        # the correction as a Python float: a NumPy float64 scalar would promote float32 state
        denom = np.sqrt(v) / float(np.sqrt(1 - b2 ** k)) + self.eps
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
