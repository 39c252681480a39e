"""Activation functions: sigmoid, ReLU and its family, softmax, GELU, SiLU, ...

Each is a :class:`~minigrad.Function` of its own where a fused backward pays (sigmoid,
ReLU, softmax, leaky ReLU, ...), else a composition of differentiable ops. PyTorch's
names and conventions (``torch.nn.functional``); the book's ``step_function`` and
``identity_function`` too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import Function, OpError, OpTypeError
from minigrad.grad_mode import is_grad_enabled
from minigrad.ops import indexing
from minigrad.ops.catalogue import op
from minigrad.ops.elementwise import (
    abs,
    clip,
    erf,
    exp,
    expm1,
    log1p,
    tanh,
)
from minigrad.ops.linalg import matmul
from minigrad.ops.reduce import norm
from minigrad.ops.shape import concatenate, getitem, pick_alias
from minigrad.tensor import Tensor, _make, as_tensor

__all__ = [
    "sigmoid", "relu", "softmax", "log_softmax", "softmin",
    "leaky_relu", "elu", "celu", "selu", "gelu", "quick_gelu", "silu", "mish", "softplus",
    "softsign", "logsigmoid", "hardtanh", "relu6", "hardsigmoid", "hardswish",
    "step_function", "identity_function", "normalize", "lstm_cell",
]

#: SELU's constants (Klambauer et al., 2017), as in PyTorch.
SELU_ALPHA = 1.6732632423543772848170429916717
SELU_SCALE = 1.0507009873554804934193349852946


class Sigmoid(Function):
    """Logistic sigmoid ``1 / (1 + e**-x)``.

    For very negative x, ``e**-x`` overflows to inf and the result is the
    correct limit 0; that overflow is expected, so its warning is silenced.
    """

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        with np.errstate(over="ignore"):
            return 1 / (1 + np.exp(-x))

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        return gy * (1 - y) * y  # the books' (and PyTorch's) order of the two factors


class ReLU(Function):
    """``max(x, 0)``; the gradient at 0 is taken as 0."""

    elementwise = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.maximum(x, 0)

    def backward(self, gy: Tensor) -> Tensor:
        # a bool mask: NumPy multiplies it in gy's dtype without a full-size converted copy
        return gy * (self.inputs[0].data > 0)


@op(torch="sigmoid", method=True)
def sigmoid(x: Tensor) -> Tensor:
    """Elementwise logistic sigmoid."""
    return Sigmoid()(x)


@op(torch="relu", method=True)
def relu(x: Tensor) -> Tensor:
    """Elementwise ``max(x, 0)``."""
    return ReLU()(x)


def _softmax_array(x: np.ndarray, axis: int) -> np.ndarray:
    if x.size == 0:  # an empty batch: nothing to normalise (and no maximum to subtract)
        return x.copy()
    e = np.asarray(x - x.max(axis=axis, keepdims=True))  # (a 0-d x gives a NumPy scalar)
    np.exp(e, out=e)  # in place: one array of x's size, not two
    e /= e.sum(axis=axis, keepdims=True)
    return e


class Softmax(Function):
    """``exp(x) / sum(exp(x))`` along an axis, with the maximum subtracted first."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        return _softmax_array(x, self.axis)

    def backward(self, gy: Tensor) -> Tensor:
        y = self.output()
        gx = y * gy
        return gx - y * gx.sum(axis=self.axis, keepdims=True)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


class LogSoftmax(Function):
    """``log(softmax(x))`` along an axis, computed stably."""

    def __init__(self, axis: int) -> None:
        self.axis = axis

    def forward(self, x: np.ndarray) -> np.ndarray:
        if x.size == 0:  # an empty batch
            return x.copy()
        z = x - x.max(axis=self.axis, keepdims=True)
        return z - np.log(np.exp(z).sum(axis=self.axis, keepdims=True))

    def backward(self, gy: Tensor) -> Tensor:
        return gy - exp(self.output()) * gy.sum(axis=self.axis, keepdims=True)

    def attrs(self) -> dict[str, Any]:
        return {"axis": self.axis}


@op(torch="softmax")
def softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Softmax along ``axis`` (PyTorch's ``dim=``; the last axis by default).

    Finite for any finite input (no overflow at x = 1000).

    Examples
    --------
    >>> import minigrad as mg, minigrad.functional as F
    >>> F.softmax(mg.tensor([0.3, 2.9, 4.0])).data.round(3)
    array([0.018, 0.245, 0.737])
    """
    return Softmax(pick_alias(axis, dim, "axis", "dim", "softmax", default=-1))(x)


@op(torch="log_softmax")
def log_softmax(x: Any, axis: int | None = None, *, dim: int | None = None) -> Tensor:
    """Logarithm of the softmax along ``axis`` (or ``dim=``), without overflow or log(0)."""
    return LogSoftmax(pick_alias(axis, dim, "axis", "dim", "log_softmax", default=-1))(x)


def _mask(cond: np.ndarray, like: Tensor) -> Tensor:
    """A constant 0/1 tensor of ``like``'s float dtype (a piece of a piecewise function)."""
    return Tensor(cond.astype(like.dtype if like.dtype.kind == "f" else np.float64))


def _zero(like: Tensor) -> np.ndarray:
    """A 0-d zero of ``like``'s dtype: the constant branch of a ``indexing.where``."""
    return np.zeros((), dtype=like.dtype)


def _float_input(x: Any) -> Tensor:
    """``x`` as a tensor; integers and bools become float64 (the activations are real-valued)."""
    t = as_tensor(x)
    if t.dtype.kind not in "f":
        t = Tensor(t.data.astype(np.float64))
    return t


class LeakyReLU(Function):
    """``x`` for ``x > 0``, else ``negative_slope * x``.

    The gradient at 0 is ``negative_slope`` (PyTorch's convention).
    """

    elementwise: ClassVar[bool] = True

    def __init__(self, negative_slope: float) -> None:
        self.negative_slope = negative_slope

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.where(x > 0, x, x * self.negative_slope)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0].data
        return gy * np.where(x > 0, 1.0, self.negative_slope).astype(gy.dtype)

    def attrs(self) -> dict[str, Any]:
        return {"negative_slope": self.negative_slope}


class Hardtanh(Function):
    """``clip(x, min_val, max_val)``.

    The gradient is 1 strictly inside and 0 at and beyond the bounds (PyTorch's convention).
    """

    elementwise: ClassVar[bool] = True

    def __init__(self, min_val: float, max_val: float) -> None:
        self.min_val, self.max_val = min_val, max_val

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.clip(x, self.min_val, self.max_val)

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0].data
        return gy * ((x > self.min_val) & (x < self.max_val)).astype(gy.dtype)

    def attrs(self) -> dict[str, Any]:
        return {"min_val": self.min_val, "max_val": self.max_val}


class Hardswish(Function):
    """``x * relu6(x + 3) / 6``.

    The gradient is 0 up to -3, ``x / 3 + 0.5`` strictly between -3 and 3, and 1 from 3 on
    (PyTorch's convention at the two kinks).
    """

    elementwise: ClassVar[bool] = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return x * np.clip(x + 3, 0, 6) / 6

    def backward(self, gy: Tensor) -> Tensor:
        x = self.inputs[0]
        mid = _mask((x.data > -3) & (x.data < 3), gy)
        high = _mask(x.data >= 3, gy)
        return gy * (mid * (x / 3 + 0.5) + high)


class LogSigmoid(Function):
    """``log(sigmoid(x))`` computed as ``min(x, 0) - log1p(exp(-|x|))``.

    Gradient ``sigmoid(-x)``.
    """

    elementwise: ClassVar[bool] = True

    def forward(self, x: np.ndarray) -> np.ndarray:
        return np.minimum(x, 0) - np.log1p(np.exp(-np.abs(x)))

    def backward(self, gy: Tensor) -> Tensor:
        return gy * sigmoid(-self.inputs[0])


@op(torch="leaky_relu")
def leaky_relu(x: Any, negative_slope: float = 0.01) -> Tensor:
    """Leaky ReLU: ``x`` where ``x > 0``, else ``negative_slope * x``.

    The gradient at 0 is ``negative_slope`` (PyTorch's convention).

    Examples
    --------
    >>> import minigrad as mg, minigrad.functional as F
    >>> F.leaky_relu(mg.tensor([-2.0, 3.0]), 0.1).data
    array([-0.2,  3. ])
    """
    return LeakyReLU(float(negative_slope))(x)


def _elu(x: Any, alpha: float, scale: float, input_scale: float) -> Tensor:
    """``scale * x`` for ``x > 0``, else ``scale * alpha * expm1(input_scale * x)``."""
    xt = _float_input(x)
    pos = xt.data > 0
    # the exponential only sees the non-positive part, so it never overflows
    neg = indexing.where(pos, _zero(xt), xt)
    return indexing.where(pos, xt * scale, expm1(neg * input_scale) * (scale * alpha))


@op(torch="elu")
def elu(x: Any, alpha: float = 1.0) -> Tensor:
    """ELU: ``x`` for ``x > 0``, else ``alpha * (exp(x) - 1)``.

    The gradient at 0 is ``alpha`` (PyTorch's convention).
    """
    return _elu(x, float(alpha), 1.0, 1.0)


@op(torch="celu")
def celu(x: Any, alpha: float = 1.0) -> Tensor:
    """CELU: ``max(0, x) + min(0, alpha * (exp(x / alpha) - 1))``; gradient 1 at 0."""
    if alpha == 0:
        raise OpError("celu: alpha must not be 0")
    return _elu(x, float(alpha), 1.0, 1.0 / alpha)


@op(torch="selu")
def selu(x: Any) -> Tensor:
    """SELU: ``scale * elu(x, alpha)`` with the self-normalising constants.

    The gradient at 0 is ``scale * alpha`` (PyTorch's convention).
    """
    return _elu(x, SELU_ALPHA, SELU_SCALE, 1.0)


@op(torch="gelu")
def gelu(x: Any, approximate: str = "none") -> Tensor:
    """GELU: ``x * Phi(x)`` with the standard normal CDF ``Phi``.

    Parameters
    ----------
    x : Tensor
        Input.
    approximate : {"none", "tanh"}
        ``"none"``: exact, ``0.5 * x * (1 + erf(x / sqrt(2)))``; ``"tanh"``:
        ``0.5 * x * (1 + tanh(sqrt(2 / pi) * (x + 0.044715 * x**3)))``.
    """
    xt = _float_input(x)
    if approximate == "none":
        return xt * 0.5 * (1 + erf(xt * 0.7071067811865476))
    if approximate == "tanh":
        inner = (xt + xt * xt * xt * 0.044715) * 0.7978845608028654
        return xt * 0.5 * (1 + tanh(inner))
    raise OpError(f"gelu: approximate must be 'none' or 'tanh', got {approximate!r}")


@op()
def quick_gelu(x: Any) -> Tensor:
    """The sigmoid approximation of GELU, ``x * sigmoid(1.702 * x)`` (as in CLIP)."""
    xt = _float_input(x)
    return xt * sigmoid(xt * 1.702)


@op(torch="silu")
def silu(x: Any) -> Tensor:
    """SiLU (swish): ``x * sigmoid(x)``."""
    xt = _float_input(x)
    return xt * sigmoid(xt)


@op(torch="softplus")
def softplus(x: Any, beta: float = 1.0, threshold: float = 20.0) -> Tensor:
    """Softplus ``log(1 + exp(beta * x)) / beta``.

    ``x`` itself where ``beta * x > threshold`` (PyTorch's convention, for stability).
    """
    if beta == 0:
        raise OpError("softplus: beta must not be 0")
    xt = _float_input(x)
    lin = xt.data * beta > threshold
    # the exponential only sees the part below the threshold, so it never overflows
    soft = indexing.where(lin, _zero(xt), xt)
    return indexing.where(lin, xt, log1p(exp(soft * beta)) / beta)


@op(torch="mish")
def mish(x: Any) -> Tensor:
    """Mish: ``x * tanh(softplus(x))``."""
    xt = _float_input(x)
    return xt * tanh(softplus(xt))


@op(torch="softsign")
def softsign(x: Any) -> Tensor:
    """Softsign: ``x / (1 + |x|)``."""
    xt = _float_input(x)
    return xt / (abs(xt) + 1)


@op(torch="logsigmoid")
def logsigmoid(x: Any) -> Tensor:
    """``log(sigmoid(x))``, stable for large ``|x|``."""
    return LogSigmoid()(_float_input(x))


@op(torch="hardtanh")
def hardtanh(x: Any, min_val: float = -1.0, max_val: float = 1.0) -> Tensor:
    """``clip(x, min_val, max_val)``; the gradient is 0 at the bounds (PyTorch's convention)."""
    if min_val > max_val:
        raise OpError(f"hardtanh: min_val {min_val} is larger than max_val {max_val}")
    return Hardtanh(float(min_val), float(max_val))(x)


@op(torch="relu6")
def relu6(x: Any) -> Tensor:
    """``min(max(x, 0), 6)``; the gradient is 0 at 0 and at 6 (PyTorch's convention)."""
    return Hardtanh(0.0, 6.0)(x)


@op(torch="hardsigmoid")
def hardsigmoid(x: Any) -> Tensor:
    """``relu6(x + 3) / 6``; the gradient is 1/6 strictly inside (-3, 3), else 0."""
    return Hardtanh(0.0, 6.0)(_float_input(x) + 3) / 6


@op(torch="hardswish")
def hardswish(x: Any) -> Tensor:
    """``x * relu6(x + 3) / 6``; the gradient at -3 is 0 and at 3 is 1 (PyTorch's)."""
    return Hardswish()(_float_input(x))


@op(torch="softmin")
def softmin(x: Any, axis: int = -1, dim: int | None = None) -> Tensor:
    """``softmax(-x)`` along ``axis`` (``dim``: PyTorch's spelling)."""
    return softmax(-as_tensor(x), axis=axis if dim is None else dim)


def _axis_error(op: str, axis: int, ndim: int) -> Exception:
    """NumPy's AxisError (both an IndexError and a ValueError), naming the op."""
    return np.exceptions.AxisError(axis, ndim, op)


@op()
def step_function(x: Any) -> Tensor:
    """The book's step function: 1 where ``x > 0``, else 0 (an int64 tensor, no gradient).

    Examples
    --------
    >>> import minigrad.functional as F
    >>> F.step_function([-1.0, 0.0, 2.0]).data
    array([0, 0, 1])
    """
    return Tensor((as_tensor(x).data > 0).astype(np.int64))


@op()
def identity_function(x: Any) -> Tensor:
    """The book's identity (output-layer) function: returns ``x`` unchanged (as a Tensor)."""
    return as_tensor(x)


# -- the normalization of vectors (torch.nn.functional.normalize)


@op(torch="normalize")
def normalize(x: Any, p: float = 2.0, axis: int = 1, eps: float = 1e-12,
              dim: int | None = None) -> Tensor:
    """Divide by the ``p``-norm along ``axis`` (PyTorch's default axis 1), at least ``eps``.

    ``x / max(||x||_p, eps)``: a vector of norm below ``eps`` is divided by ``eps`` and
    gets no gradient through the norm (PyTorch's ``clamp_min`` convention); the norm of a
    zero vector has gradient 0.
    """
    xt = _float_input(x)
    ax = axis if dim is None else dim
    if p <= 0:
        raise OpError(f"normalize: p must be positive, got {p}")
    if xt.ndim == 0 or not -xt.ndim <= ax < xt.ndim:
        raise _axis_error("normalize", ax, xt.ndim)
    return xt / clip(norm(xt, float(p), axis=ax, keepdims=True), min=eps)


# -- one step of an LSTM (the gates and the cell update, fused)

#: The gate orders :func:`lstm_cell` knows: PyTorch's ``i, f, g, o`` and the book's ``f, g, i, o``.
LSTM_GATE_ORDERS = ("ifgo", "fgio")


def _lstm_input_grads(gh: Any, gc: Any, c: Any, gates: dict[str, Any], tanh_c: Any
                      ) -> tuple[Any, dict[str, Any]]:
    """The gradients of ``c`` and of the four pre-activations, from those of ``h'`` and ``c'``.

    One formula for arrays (the first-order backward) and for tensors (gradients of
    gradients): ``gates`` holds the activations ``f, g, i, o`` (sigmoid, tanh, sigmoid,
    sigmoid) and ``tanh_c`` is ``tanh(c')``.
    """
    f, g, i, o = gates["f"], gates["g"], gates["i"], gates["o"]
    # grouped as the book's LSTM layer groups them (each gate's derivative a factor of its
    # own), so that a float32 model rounds as the book's does, bit for bit
    ds = gc + gh * o * (1 - tanh_c * tanh_c)
    da = {"f": ds * c * (f * (1 - f)), "g": ds * i * (1 - g * g),
          "i": ds * g * (i * (1 - i)), "o": gh * tanh_c * (o * (1 - o))}
    return ds * f, da


class LSTMCell(Function):
    """One LSTM step, ``a = x_proj + h @ W (+ b)`` split into four gates, as one op.

    Outputs ``(h', c')``: ``c' = sigmoid(f) * c + sigmoid(i) * tanh(g)`` and
    ``h' = sigmoid(o) * tanh(c')``. With an input weight (``has_weight_ih``, the
    op's last input) the first input is ``x`` and ``a = x @ W_ih + h @ W (+ b)``.
    The first-order backward is NumPy on the activations kept from the forward;
    when gradients of gradients are being recorded, the same formula runs on
    tensors, from the inputs.
    """

    def __init__(self, gate_order: str, has_bias: bool = False,
                 has_weight_ih: bool = False) -> None:
        self.gate_order = gate_order
        self.has_bias = has_bias
        self.has_weight_ih = has_weight_ih

    def attrs(self) -> dict[str, Any]:
        return {"gate_order": self.gate_order}

    def _operands(self, values: Sequence[Any]) -> tuple[Any, Any, Any, Any, Any, Any]:
        """``(x, h, c, w_hh, b, w_ih)`` from the inputs (None for those not given)."""
        x, h, c, w = values[:4]
        rest = list(values[4:])
        b = rest.pop(0) if self.has_bias else None
        w_ih = rest.pop(0) if self.has_weight_ih else None
        return x, h, c, w, b, w_ih

    def forward(self, *values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        x, h, c, w, b, w_ih = self._operands(values)
        a = (x if w_ih is None else x @ w_ih) + h @ w
        if b is not None:
            a = a + b
        n = c.shape[-1]
        # 1 / (1 + exp(-a)) of all four blocks at once (few calls on small arrays pay)
        s = np.negative(a)
        with np.errstate(over="ignore"):  # exp(-x) overflows to inf for very negative x: 0
            np.exp(s, out=s)
        s += 1
        np.divide(1, s, out=s)
        gates = {k: s[:, j * n:(j + 1) * n] for j, k in enumerate(self.gate_order)}
        j = self.gate_order.index("g")
        gates["g"] = g = np.tanh(a[:, j * n:(j + 1) * n])
        c_next = gates["f"] * c + gates["i"] * g
        tanh_c = np.tanh(c_next)
        self._saved = (gates, tanh_c)
        return gates["o"] * tanh_c, c_next

    def backward(self, gh: Tensor, gc: Tensor) -> tuple[Tensor | None, ...]:
        x, h, c, w, b, w_ih = self._operands(self.inputs)
        needs = self.needs_input_grad
        need_b = self.has_bias and needs[4]
        need_wih = self.has_weight_ih and needs[-1]
        if is_grad_enabled():  # gradients of gradients: the formula on tensors, from the inputs
            a = (x if w_ih is None else matmul(x, w_ih)) + matmul(h, w)
            if b is not None:
                a = a + b
            n_hidden = c.shape[-1]
            pre = {k: getitem(a, (slice(None), slice(j * n_hidden, (j + 1) * n_hidden)))
                   for j, k in enumerate(self.gate_order)}
            gates = {k: tanh(v) if k == "g" else sigmoid(v) for k, v in pre.items()}
            tanh_c = tanh(gates["f"] * c + gates["i"] * gates["g"])
            gc_prev, da = _lstm_input_grads(gh, gc, c, gates, tanh_c)
            ga = concatenate([da[k] for k in self.gate_order], axis=1)
            out: list[Tensor | None] = [
                (ga if w_ih is None else matmul(ga, w_ih.T)) if needs[0] else None,
                matmul(ga, w.T) if needs[1] else None,
                gc_prev if needs[2] else None,
                matmul(h.T, ga) if needs[3] else None]
            if b is not None:
                out.append(ga.sum(axis=0) if need_b else None)
            if w_ih is not None:
                out.append(matmul(x.T, ga) if need_wih else None)
            return tuple(out)
        gates_a, tanh_c_a = self._saved
        gc_a, da_a = _lstm_input_grads(gh.data, gc.data, c.data, gates_a, tanh_c_a)
        ga_a = np.concatenate([da_a[k] for k in self.gate_order], axis=1)
        grads: list[Tensor | None] = [
            _make(ga_a if w_ih is None else ga_a @ w_ih.data.T) if needs[0] else None,
            _make(ga_a @ w.data.T) if needs[1] else None,
            _make(gc_a) if needs[2] else None,
            _make(h.data.T @ ga_a) if needs[3] else None]
        if b is not None:
            grads.append(_make(ga_a.sum(axis=0)) if need_b else None)
        if w_ih is not None:
            grads.append(_make(x.data.T @ ga_a) if need_wih else None)
        return tuple(grads)

    def release(self, *args: Any, **kwargs: Any) -> None:
        """Free the saved inputs and the activations kept for the first-order backward."""
        self.__dict__.pop("_saved", None)
        super().release(*args, **kwargs)


def _lstm_operand(x: Any, name: str) -> Tensor:
    t = as_tensor(x)
    if t.dtype.kind != "f":
        raise OpTypeError(f"lstm_cell: {name} must be floating point, got dtype {t.dtype}")
    return t


@op()
def lstm_cell(x_proj: Any, h: Any, c: Any, weight_hh: Any, bias: Any = None, *,
              gate_order: str = "ifgo", weight_ih: Any = None) -> tuple[Tensor, Tensor]:
    """One LSTM step as one op: ``a = x_proj + h @ weight_hh (+ bias)``, gates, new state.

    ``a`` holds four blocks of ``H`` columns, the pre-activations of the gates in
    ``gate_order``; then ``c' = sigmoid(f) * c + sigmoid(i) * tanh(g)`` and
    ``h' = sigmoid(o) * tanh(c')``. One recorded op instead of a dozen, which is what
    a step of :class:`minigrad.nn.LSTM` and of the book's ``TimeLSTM`` costs; its
    backward is differentiable again (gradients of gradients).

    Parameters
    ----------
    x_proj : Tensor
        The input's projection ``x @ W_x`` (biases folded in or not), shape ``(N, 4H)``;
        with ``weight_ih``, the input ``x`` itself, shape ``(N, D)``.
    h, c : Tensor
        The previous hidden and cell states, shape ``(N, H)``.
    weight_hh : Tensor
        The recurrent weight in ``x @ W`` layout, shape ``(H, 4H)`` (PyTorch's
        ``weight_hh`` is its transpose).
    bias : Tensor, optional
        Added to ``a``, shape ``(4H,)``.
    gate_order : {"ifgo", "fgio"}
        The order of the four blocks: PyTorch's ``i, f, g, o`` or the book's ``f, g, i, o``.
    weight_ih : Tensor, optional
        The input weight in ``x @ W`` layout, shape ``(D, 4H)``: the op then computes
        ``a = x @ weight_ih + h @ weight_hh (+ bias)`` itself, step by step as the book's
        ``LSTM`` layer does (one op per step for all three parameters' gradients).

    Returns
    -------
    tuple of Tensor
        ``(h', c')``, each ``(N, H)``.

    Raises
    ------
    ValueError
        If the shapes do not fit or ``gate_order`` is unknown.
    TypeError
        If an operand is not floating point.

    Examples
    --------
    >>> import numpy as np, minigrad.functional as F
    >>> one = np.ones((1, 1))
    >>> h, c = F.lstm_cell(np.array([[0.1, 0.2, 0.3, 0.4]]), one, one,
    ...                    np.array([[0.5, 0.6, 0.7, 0.8]]), gate_order="fgio")
    >>> round(float(c.data[0, 0]), 6), round(float(h.data[0, 0]), 6)
    (1.131106, 0.623579)
    """
    if gate_order not in LSTM_GATE_ORDERS:
        raise OpError(f"lstm_cell: gate_order must be one of {LSTM_GATE_ORDERS}, got "
                      f"{gate_order!r}")
    xt = _lstm_operand(x_proj, "x_proj")
    ht, ct, wt = _lstm_operand(h, "h"), _lstm_operand(c, "c"), _lstm_operand(weight_hh, "weight_hh")
    if ct.ndim != 2:
        raise OpError(f"lstm_cell: c must be 2-D (N, H), got shape {ct.shape}")
    n, hidden = ct.shape
    expected: dict[str, tuple[Tensor, tuple[int, ...]]] = {
        "x_proj": (xt, (n, 4 * hidden)), "h": (ht, (n, hidden)),
        "weight_hh": (wt, (hidden, 4 * hidden))}
    args = [xt, ht, ct, wt]
    if bias is not None:
        bt = _lstm_operand(bias, "bias")
        expected["bias"] = (bt, (4 * hidden,))
        args.append(bt)
    if weight_ih is not None:
        wit = _lstm_operand(weight_ih, "weight_ih")
        if xt.ndim != 2:
            raise OpError(f"lstm_cell: x must be 2-D (N, D) with weight_ih, got shape {xt.shape}")
        expected["x_proj"] = (xt, (n, xt.shape[1]))
        expected["weight_ih"] = (wit, (xt.shape[1], 4 * hidden))
        args.append(wit)
    for name, (t, shape) in expected.items():
        if t.shape != shape:
            raise OpError(f"lstm_cell: {name} must have shape {shape} for c of shape "
                          f"{ct.shape} (N, H), got {t.shape}")
    return LSTMCell(gate_order, bias is not None,  # type: ignore[no-any-return]
                    weight_ih is not None)(*args)
