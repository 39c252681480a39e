"""Weight initialisers with PyTorch's formulas (``minigrad.nn.init``).

Each one overwrites its tensor in place, as an optimizer step would (the
version counter is bumped, graphs that saved the old values are released),
and returns it. ``rng`` is a seed, a Generator, or None for NumPy's global
state (see :func:`minigrad.nn.make_rng`).

Fans follow PyTorch: for a weight of shape ``(fan_out, fan_in, *kernel)``,
``fan_in = shape[1] * prod(kernel)`` and ``fan_out = shape[0] * prod(kernel)``,
which is the layout of :class:`~minigrad.nn.Linear`'s and
:class:`~minigrad.nn.Conv2d`'s ``weight``. The book's ``(in, out)`` weights
(``params['W1']`` of :mod:`minigrad.book`) are the other way round: pass
``mode="fan_out"`` when you want the fan of their inputs.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from minigrad.nn.layers import SeedLike, make_rng
from minigrad.nn.module import assign_
from minigrad.tensor import Tensor

__all__ = [
    "uniform_", "normal_", "constant_", "zeros_", "ones_", "xavier_uniform_", "xavier_normal_",
    "kaiming_uniform_", "kaiming_normal_", "calculate_gain",
]


def _check(t: Any, where: str) -> Tensor:
    if not isinstance(t, Tensor):
        raise TypeError(f"{where}: expected a Tensor, got {type(t).__name__}")
    if t.dtype.kind != "f":
        raise TypeError(f"{where}: needs a floating-point tensor, got dtype {t.dtype}")
    return t


def _fill(t: Tensor, values: Any) -> Tensor:
    return assign_(t, np.asarray(values, dtype=t.dtype).reshape(t.shape))


def _uniform(rng: SeedLike, low: float, high: float, shape: tuple[int, ...]) -> np.ndarray:
    return np.asarray(make_rng(rng).uniform(low, high, shape))


def _normal(rng: SeedLike, mean: float, std: float, shape: tuple[int, ...]) -> np.ndarray:
    return np.asarray(make_rng(rng).normal(mean, std, shape))


def uniform_(t: Tensor, a: float = 0.0, b: float = 1.0, *, rng: SeedLike = None) -> Tensor:
    """Fill with samples of U(a, b)."""
    _check(t, "uniform_")
    if b < a:
        raise ValueError(f"uniform_: need a <= b, got a={a}, b={b}")
    return _fill(t, _uniform(rng, a, b, t.shape))


def normal_(t: Tensor, mean: float = 0.0, std: float = 1.0, *, rng: SeedLike = None) -> Tensor:
    """Fill with samples of N(mean, std**2)."""
    _check(t, "normal_")
    if std < 0:
        raise ValueError(f"normal_: std must be >= 0, got {std}")
    return _fill(t, _normal(rng, mean, std, t.shape))


def constant_(t: Tensor, val: float) -> Tensor:
    """Fill with ``val``."""
    _check(t, "constant_")
    return _fill(t, np.full(t.shape, val))


def zeros_(t: Tensor) -> Tensor:
    """Fill with zeros."""
    return constant_(t, 0.0)


def ones_(t: Tensor) -> Tensor:
    """Fill with ones."""
    return constant_(t, 1.0)


def _fans(t: Tensor, where: str) -> tuple[int, int]:
    if t.ndim < 2:
        raise ValueError(f"{where}: fan in and fan out need at least 2 dimensions, got shape "
                         f"{t.shape}")
    field = int(np.prod(t.shape[2:], dtype=np.int64))
    return t.shape[1] * field, t.shape[0] * field


def calculate_gain(nonlinearity: str, param: float | None = None) -> float:
    """PyTorch's recommended gain (linear, sigmoid, tanh, relu, leaky_relu, selu)."""
    simple = {"linear": 1.0, "identity": 1.0, "conv1d": 1.0, "conv2d": 1.0, "conv3d": 1.0,
              "sigmoid": 1.0, "tanh": 5.0 / 3, "relu": math.sqrt(2.0), "selu": 3.0 / 4}
    if nonlinearity in simple:
        return simple[nonlinearity]
    if nonlinearity == "leaky_relu":
        slope = 0.01 if param is None else float(param)
        return math.sqrt(2.0 / (1 + slope ** 2))
    raise ValueError(f"calculate_gain: unsupported nonlinearity {nonlinearity!r}")


def xavier_uniform_(t: Tensor, gain: float = 1.0, *, rng: SeedLike = None) -> Tensor:
    """Glorot uniform: U(-a, a) with ``a = gain * sqrt(6 / (fan_in + fan_out))``."""
    _check(t, "xavier_uniform_")
    fan_in, fan_out = _fans(t, "xavier_uniform_")
    a = gain * math.sqrt(6.0 / max(fan_in + fan_out, 1))
    return _fill(t, _uniform(rng, -a, a, t.shape))


def xavier_normal_(t: Tensor, gain: float = 1.0, *, rng: SeedLike = None) -> Tensor:
    """Glorot normal: N(0, std**2) with ``std = gain * sqrt(2 / (fan_in + fan_out))``."""
    _check(t, "xavier_normal_")
    fan_in, fan_out = _fans(t, "xavier_normal_")
    std = gain * math.sqrt(2.0 / max(fan_in + fan_out, 1))
    return _fill(t, _normal(rng, 0.0, std, t.shape))


def _kaiming_std(t: Tensor, a: float, mode: str, nonlinearity: str, where: str) -> float:
    if mode not in ("fan_in", "fan_out"):
        raise ValueError(f"{where}: mode must be 'fan_in' or 'fan_out', got {mode!r}")
    fan_in, fan_out = _fans(t, where)
    fan = fan_in if mode == "fan_in" else fan_out
    return calculate_gain(nonlinearity, a) / math.sqrt(max(fan, 1))


def kaiming_uniform_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                     nonlinearity: str = "leaky_relu", *, rng: SeedLike = None) -> Tensor:
    """He uniform: U(-b, b) with ``b = gain * sqrt(3 / fan)`` (PyTorch's defaults)."""
    _check(t, "kaiming_uniform_")
    bound = math.sqrt(3.0) * _kaiming_std(t, a, mode, nonlinearity, "kaiming_uniform_")
    return _fill(t, _uniform(rng, -bound, bound, t.shape))


def kaiming_normal_(t: Tensor, a: float = 0.0, mode: str = "fan_in",
                    nonlinearity: str = "leaky_relu", *, rng: SeedLike = None) -> Tensor:
    """He normal: N(0, std**2) with ``std = gain / sqrt(fan)`` (PyTorch's defaults)."""
    _check(t, "kaiming_normal_")
    std = _kaiming_std(t, a, mode, nonlinearity, "kaiming_normal_")
    return _fill(t, _normal(rng, 0.0, std, t.shape))
