"""Layers: :class:`Linear`, :class:`Sequential` and activation modules."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

import numpy as np

from minigrad import functional as F
from minigrad._rng import SeedLike, make_rng, standard_normal
from minigrad._validate import positive_int
from minigrad.nn.module import Module, Parameter, _renamed_parameter
from minigrad.ops.linalg import Linear as _LinearOp
from minigrad.tensor import Tensor

__all__ = [
    "Linear",
    "Sequential",
    "Sigmoid",
    "ReLU",
    "Tanh",
    "Softmax",
    "init_std",
    "make_rng",
    "InitLike",
    "SeedLike",
]

#: A weight scale: a standard deviation, a scheme name, or None for the chapter's 0.01.
InitLike = float | str | None
#: A source of random numbers: None (NumPy's global state, as the book), a seed or a Generator.

_SCHEMES = {"xavier": 1.0, "sigmoid": 1.0, "he": 2.0, "relu": 2.0}


def init_std(weight_init_std: InitLike, fan_in: int) -> float:
    """Return the standard deviation of a weight initialisation.

    Parameters
    ----------
    weight_init_std : float, str or None
        A number is used as is; ``None`` means the chapter's ``0.01``;
        ``"xavier"`` (or ``"sigmoid"``) gives ``sqrt(1 / fan_in)`` and
        ``"he"`` (or ``"relu"``) gives ``sqrt(2 / fan_in)``, as in the book's
        chapter 6.
    fan_in : int
        The number of inputs of the layer.

    Returns
    -------
    float
        The standard deviation.
    """
    if weight_init_std is None:
        return 0.01
    if isinstance(weight_init_std, str):
        key = weight_init_std.lower()
        if key not in _SCHEMES:
            raise ValueError(
                f"unknown weight_init_std {weight_init_std!r}; use a number or one of "
                f"{sorted(_SCHEMES)}"
            )
        return float(np.sqrt(_SCHEMES[key] / max(fan_in, 1)))
    if isinstance(weight_init_std, bool) or not isinstance(weight_init_std, (int, float)):
        raise TypeError(f"weight_init_std must be a number, a scheme name or None, got "
                        f"{type(weight_init_std).__name__}")
    if not np.isfinite(weight_init_std) or weight_init_std < 0:
        raise ValueError(f"weight_init_std must be a finite number >= 0, got {weight_init_std}")
    return float(weight_init_std)


def _randn(rng: Any, shape: tuple[int, ...]) -> np.ndarray:
    return standard_normal(rng, shape)


_positive = positive_int


class Linear(Module):
    """The affine layer ``y = x @ weight.T + bias`` (one fused op), as PyTorch's.

    ``weight`` has PyTorch's shape ``(out_features, in_features)``: it is the
    transpose of a ``std * randn(in_features, out_features)`` draw (the book's
    layout, so a seed gives the same numbers as before); ``bias`` starts at
    zero. The book's ``(in, out)`` weights are :mod:`minigrad.book`'s.

    Parameters
    ----------
    in_features, out_features : int
        Sizes of the input and output.
    weight_init_std : float, str or None
        See :func:`init_std` (None: the chapter's 0.01).
    bias : bool
        Whether to add a bias.
    rng : None, int or numpy.random.Generator
        Source of the initial weights (see :func:`make_rng`).
    dtype : numpy dtype
        Parameter dtype (float64 by default).

    Attributes
    ----------
    weight : Parameter
        Shape ``(out_features, in_features)``.
    bias : Parameter or None
        Shape ``(out_features,)``.
    W, b
        Deprecated: ``W`` is a read-only view of ``weight.T`` (assigning to
        it copies the transposed values into ``weight``) and ``b`` is
        ``bias``; both warn :class:`DeprecationWarning`. State dicts with the
        old keys ``W``/``b`` still load (``W`` transposed), with a warning.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> fc = nn.Linear(3, 2, rng=0)
    >>> fc(np.ones((4, 3))).shape
    (4, 2)
    >>> [(name, p.shape) for name, p in fc.named_parameters()]
    [('weight', (2, 3)), ('bias', (2,))]
    """

    _renamed_state = {"W": ("weight", True), "b": ("bias", False)}
    W = _renamed_parameter("W", "weight", transposed=True)
    b = _renamed_parameter("b", "bias")

    def __init__(self, in_features: int, out_features: int, weight_init_std: InitLike = None,
                 bias: bool = True, rng: SeedLike = None, dtype: Any = np.float64) -> None:
        super().__init__()
        self.in_features = _positive(in_features, "Linear: in_features")
        self.out_features = _positive(out_features, "Linear: out_features")
        std = init_std(weight_init_std, self.in_features)
        gen = make_rng(rng)
        # drawn in the book's (in, out) order, stored transposed: seeded runs keep their numbers
        draw = (std * _randn(gen, (self.in_features, self.out_features))).astype(dtype,
                                                                                copy=False)
        self.weight = Parameter(np.ascontiguousarray(draw.T))
        self.bias: Parameter | None = (
            Parameter(np.zeros(self.out_features, dtype=dtype)) if bias else None)

    def forward(self, x: Any) -> Tensor:
        """Return ``x @ weight.T + bias`` for ``x`` of shape ``(..., in_features)``."""
        if self.bias is None:
            return _LinearOp(out_in=True)(x, self.weight)
        return _LinearOp(out_in=True)(x, self.weight, self.bias)

    def extra_repr(self) -> str:
        """Return the sizes for ``repr``."""
        return (f"in_features={self.in_features}, out_features={self.out_features}"
                f"{'' if self.bias is not None else ', bias=False'}")


class Sequential(Module):
    """Chain modules: the output of each is the input of the next.

    Children are named ``"0"``, ``"1"``, ... or, given a single mapping,
    after its keys.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> net = nn.Sequential(nn.Linear(4, 3, rng=0), nn.ReLU(), nn.Linear(3, 2, rng=1))
    >>> net(np.ones((5, 4))).shape
    (5, 2)
    >>> [name for name, _ in net.named_parameters()]
    ['0.weight', '0.bias', '2.weight', '2.bias']
    """

    def __init__(self, *modules: Module | Mapping[str, Module]) -> None:
        super().__init__()
        items: list[tuple[str, Any]]
        if len(modules) == 1 and isinstance(modules[0], Mapping):
            items = [(str(k), v) for k, v in modules[0].items()]
        else:
            items = [(str(i), m) for i, m in enumerate(modules)]
        for name, m in items:
            if not isinstance(m, Module):
                raise TypeError(f"Sequential: item {name!r} is a {type(m).__name__}, not a "
                                "Module")
            self.add_module(name, m)

    def forward(self, x: Any) -> Any:
        """Apply the modules in order."""
        for m in self._modules.values():
            x = m(x)
        return x

    def __getitem__(self, i: int) -> Module:
        return list(self._modules.values())[i]

    def __len__(self) -> int:
        return len(self._modules)

    def __iter__(self) -> Iterator[Module]:
        return iter(list(self._modules.values()))


class Sigmoid(Module):
    """Elementwise logistic sigmoid (the chapter's hidden activation)."""

    def forward(self, x: Any) -> Tensor:
        """Return ``1 / (1 + exp(-x))``."""
        return F.sigmoid(x)


class ReLU(Module):
    """Elementwise ``max(x, 0)``."""

    def forward(self, x: Any) -> Tensor:
        """Return ``max(x, 0)``."""
        return F.relu(x)


class Tanh(Module):
    """Elementwise hyperbolic tangent."""

    def forward(self, x: Any) -> Tensor:
        """Return ``tanh(x)``."""
        return F.tanh(x)


class Softmax(Module):
    """Softmax along ``axis`` (default: the last).

    Parameters
    ----------
    axis : int
        The axis that sums to one.
    """

    def __init__(self, axis: int = -1) -> None:
        super().__init__()
        self.axis = axis

    def forward(self, x: Any) -> Tensor:
        """Return ``softmax(x, axis)``."""
        return F.softmax(x, axis=self.axis)

    def extra_repr(self) -> str:
        """Return the axis for ``repr``."""
        return f"axis={self.axis}"
