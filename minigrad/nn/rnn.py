"""Recurrent layers as ``torch.nn``'s: :class:`RNN`, :class:`LSTM`, :class:`GRU` and their cells.

Everything PyTorch users rely on is the same: the arguments (``num_layers``,
``nonlinearity``, ``bias``, ``batch_first``, ``dropout`` between layers,
``bidirectional``), the input and state shapes (``(L, N, H_in)``, or ``(N, L,
H_in)`` with ``batch_first``, or an unbatched ``(L, H_in)``; states ``(num_layers
* num_directions, N, H)``), what is returned (``output, h_n`` and, for the LSTM,
``output, (h_n, c_n)``), the parameter names and layouts (``weight_ih_l0``
``(gates * hidden_size, input_size)``, ``weight_hh_l0``, ``bias_ih_l0``,
``bias_hh_l0``, ``..._reverse``; gates in the order ``i, f, g, o`` for the LSTM
and ``r, z, n`` for the GRU) and the initialisation (every parameter
``uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``, drawn in parameter
order), so state dicts move between the two libraries.

The equations, per step, with ``x`` the input and ``h``, ``c`` the states::

    RNN:   h = tanh(W_ih x + b_ih + W_hh h + b_hh)            (or relu)
    LSTM:  i, f, g, o = W_ih x + b_ih + W_hh h + b_hh          (split in four)
           c = sigmoid(f) * c + sigmoid(i) * tanh(g);  h = sigmoid(o) * tanh(c)
    GRU:   r = sigmoid(W_ir x + b_ir + W_hr h + b_hr);  z likewise
           n = tanh(W_in x + b_in + r * (W_hn h + b_hn));  h = (1 - z) * n + z * h

They are written with minigrad's ops (one matrix product for the input of
every step at once, then a few ops a step; an LSTM step is the one fused op
:func:`minigrad.functional.lstm_cell`), so the backward pass through time is
automatic differentiation, and so are gradients of gradients.
"""

from __future__ import annotations

import math
import warnings
from typing import Any

import numpy as np

from minigrad._rng import SeedLike, make_rng
from minigrad._validate import positive_int
from minigrad.nn.module import Module, Parameter
from minigrad.ops.activation import lstm_cell, relu, sigmoid
from minigrad.ops.elementwise import tanh
from minigrad.ops.linalg import linear, matmul
from minigrad.ops.normalization import dropout as _dropout
from minigrad.ops.shape import concatenate, reshape, stack, swapaxes, unbind
from minigrad.tensor import Tensor

__all__ = ["RNNBase", "RNN", "LSTM", "GRU", "RNNCellBase", "RNNCell", "LSTMCell", "GRUCell"]

#: The number of gate blocks stacked in the weights of each mode.
_GATES = {"RNN_TANH": 1, "RNN_RELU": 1, "LSTM": 4, "GRU": 3}


def _nonlinearity_mode(nonlinearity: Any, where: str) -> str:
    if nonlinearity == "tanh":
        return "RNN_TANH"
    if nonlinearity == "relu":
        return "RNN_RELU"
    raise ValueError(f"{where}: unknown nonlinearity {nonlinearity!r}; use 'tanh' or 'relu'")


def _as_input(x: Any, dtype: np.dtype) -> Tensor:
    """A tensor of ``x``; integer or bool data become the parameters' dtype."""
    if isinstance(x, Tensor):
        return x if x.dtype.kind == "f" else Tensor(x.data.astype(dtype))
    arr = np.asarray(x)
    return Tensor(arr if arr.dtype.kind == "f" else arr.astype(dtype))


def _step(mode: str, xw: Tensor, h: Tensor, c: Tensor | None, whh_t: Tensor,
          b_hh: Tensor | None, hidden: int) -> tuple[Tensor, Tensor | None]:
    """One time step from the input's projection ``xw`` (with its biases), giving ``h, c``.

    ``b_hh`` is only needed where it cannot be folded into ``xw``: the GRU's,
    and a cell's.
    """
    if mode == "GRU":
        hw = linear(h, whh_t, b_hh)
        xr, xz, xn = unbind(reshape(xw, (-1, 3, hidden)), 1)
        hr, hz, hn = unbind(reshape(hw, (-1, 3, hidden)), 1)
        r = sigmoid(xr + hr)
        z = sigmoid(xz + hz)
        n = tanh(xn + r * hn)
        return n + z * (h - n), None
    if mode == "LSTM":  # one recorded op: the matrix product, the gates and the new state
        return lstm_cell(xw, h, c, whh_t, b_hh, gate_order="ifgo")
    g = xw + matmul(h, whh_t)
    if b_hh is not None:
        g = g + b_hh
    return (tanh(g) if mode == "RNN_TANH" else relu(g)), None


class RNNBase(Module):
    """What :class:`RNN`, :class:`LSTM` and :class:`GRU` share: parameters, checks and the loop.

    Parameters
    ----------
    mode : str
        ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
    input_size, hidden_size : int
        Features of the input and of the hidden state.
    num_layers : int
        Stacked layers; each one's output sequence is the next one's input.
    bias : bool
        Whether the layers have ``bias_ih_l*`` and ``bias_hh_l*``.
    batch_first : bool
        Input and output are ``(N, L, features)`` instead of ``(L, N, features)``
        (the states are not affected).
    dropout : float
        Dropout probability on the output of every layer but the last, in
        training mode only.
    bidirectional : bool
        Run a second layer over the reversed sequence at every level and
        concatenate the two outputs (``..._reverse`` parameters).
    rng : None, int or numpy.random.Generator
        Source of the initial weights and of the dropout masks (see
        :func:`minigrad.nn.make_rng`).
    dtype : numpy dtype
        Parameter dtype (float64 by default).
    """

    def __init__(self, mode: str, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, *, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        name = type(self).__name__
        if mode not in _GATES:
            raise ValueError(f"{name}: unknown mode {mode!r}; use one of {sorted(_GATES)}")
        self.mode = mode
        self.input_size = positive_int(input_size, f"{name}: input_size")
        self.hidden_size = positive_int(hidden_size, f"{name}: hidden_size")
        self.num_layers = positive_int(num_layers, f"{name}: num_layers")
        if isinstance(dropout, bool) or not isinstance(dropout, (int, float, np.floating)) \
                or not 0.0 <= float(dropout) <= 1.0:
            raise ValueError(f"{name}: dropout must be a probability in [0, 1], got {dropout!r}")
        if dropout > 0 and self.num_layers == 1:
            warnings.warn(f"{name}: dropout is applied after every layer but the last, so "
                          f"dropout={dropout} with num_layers=1 does nothing", UserWarning,
                          stacklevel=3)
        self.bias = bool(bias)
        self.batch_first = bool(batch_first)
        self.dropout = float(dropout)
        self.bidirectional = bool(bidirectional)
        self._rng = make_rng(rng)
        num_directions = 2 if self.bidirectional else 1
        gate_size = _GATES[mode] * self.hidden_size
        self._flat_weights_names: list[str] = []
        self._all_weights: list[list[str]] = []
        k = 1.0 / math.sqrt(self.hidden_size)
        for layer in range(self.num_layers):
            in_size = self.input_size if layer == 0 else self.hidden_size * num_directions
            for direction in range(num_directions):
                suffix = f"_l{layer}" + ("_reverse" if direction else "")
                shapes: list[tuple[str, tuple[int, ...]]] = [
                    ("weight_ih", (gate_size, in_size)),
                    ("weight_hh", (gate_size, self.hidden_size))]
                if self.bias:
                    shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
                names = []
                for pname, shape in shapes:
                    values = np.asarray(self._rng.uniform(-k, k, shape)).astype(dtype)
                    setattr(self, pname + suffix, Parameter(values))
                    names.append(pname + suffix)
                self._flat_weights_names += names
                self._all_weights.append(names)

    @property
    def all_weights(self) -> list[list[Parameter]]:
        """The parameters per layer and direction: ``[[w_ih, w_hh, b_ih, b_hh], ...]``."""
        return [[getattr(self, n) for n in names] for names in self._all_weights]

    def flatten_parameters(self) -> None:
        """Do nothing (PyTorch packs the weights for cuDNN here); kept so that models call it."""

    @property
    def _dtype(self) -> np.dtype:
        """The parameters' dtype (that of ``weight_ih_l0``)."""
        return getattr(self, self._flat_weights_names[0]).dtype  # type: ignore[no-any-return]

    def _weights(self, layer: int, direction: int) -> list[Parameter]:
        return self.all_weights[layer * (2 if self.bidirectional else 1) + direction]

    def _check_state(self, h: Any, what: str, expected: tuple[int, ...]) -> Tensor:
        name = type(self).__name__
        t = h if isinstance(h, Tensor) else Tensor(np.asarray(h, dtype=self._dtype))
        if t.shape != expected:
            raise ValueError(
                f"{name}: expected {what} of shape {tuple(expected)} (num_layers * "
                f"num_directions, {'batch, ' if len(expected) == 3 else ''}hidden_size), got "
                f"{tuple(t.shape)}")
        return t

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Any]:  # noqa: A002
        """Run the layers over a whole sequence.

        Parameters
        ----------
        input : array_like or Tensor
            ``(L, N, input_size)`` (``(N, L, input_size)`` with ``batch_first``),
            or an unbatched ``(L, input_size)``.
        hx : Tensor, tuple of two Tensors (LSTM), or None
            The initial hidden state ``h0`` (LSTM: ``(h0, c0)``), of shape
            ``(num_layers * num_directions, N, hidden_size)`` (unbatched:
            without ``N``); zeros when None.

        Returns
        -------
        output : Tensor
            The last layer's hidden state at every step, ``(L, N, num_directions
            * hidden_size)`` (``batch_first``: ``(N, L, ...)``; unbatched: ``(L,
            ...)``); a bidirectional layer's reverse half is at the step it read.
        h_n : Tensor or tuple of two Tensors (LSTM)
            The final states of every layer and direction, shaped like ``hx``
            (the reverse direction's final state is the one after step 0).

        Raises
        ------
        ValueError
            If the input is not 2-D or 3-D, has the wrong number of features
            or no steps, or a state has the wrong shape.
        TypeError
            If an LSTM's ``hx`` is not a pair ``(h0, c0)``.
        """
        name = type(self).__name__
        dtype = self._dtype
        x = _as_input(input, dtype)
        if x.ndim not in (2, 3):
            raise ValueError(f"{name}: expected a 3-D (batched) or 2-D (unbatched) input, got "
                             f"shape {tuple(x.shape)}")
        if x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input with input_size={self.input_size} "
                             f"features in its last axis, got shape {tuple(x.shape)}")
        batched = x.ndim == 3
        given_shape = x.shape
        if not batched:
            x = reshape(x, (x.shape[0], 1, x.shape[1]))
        elif self.batch_first:
            x = swapaxes(x, 0, 1)
        steps, batch = x.shape[0], x.shape[1]
        if steps == 0:
            raise ValueError(f"{name}: the input sequence has no steps (shape "
                             f"{tuple(given_shape)})")
        num_directions = 2 if self.bidirectional else 1
        n_states = self.num_layers * num_directions
        state_shape = (n_states, batch, self.hidden_size) if batched \
            else (n_states, self.hidden_size)
        lstm = self.mode == "LSTM"
        h0: Tensor | None = None
        c0: Tensor | None = None
        if hx is not None:
            if lstm:
                if not isinstance(hx, (tuple, list)) or len(hx) != 2:
                    raise TypeError(f"{name}: hx must be a pair (h0, c0), got "
                                    f"{type(hx).__name__}")
                h0 = self._check_state(hx[0], "h0", state_shape)
                c0 = self._check_state(hx[1], "c0", state_shape)
            else:
                if isinstance(hx, (tuple, list)):
                    raise TypeError(f"{name}: hx must be one tensor h0, got a "
                                    f"{type(hx).__name__}")
                h0 = self._check_state(hx, "h0", state_shape)
        zeros = Tensor(np.zeros((batch, self.hidden_size), dtype=dtype))
        hs0 = unbind(reshape(h0, (n_states, batch, self.hidden_size)), 0) if h0 is not None \
            else (zeros,) * n_states
        cs0 = unbind(reshape(c0, (n_states, batch, self.hidden_size)), 0) if c0 is not None \
            else (zeros,) * n_states

        h_n: list[Tensor] = []
        c_n: list[Tensor] = []
        layer_input = x
        for layer in range(self.num_layers):
            outputs = []
            for direction in range(num_directions):
                weights = self._weights(layer, direction)
                w_ih, w_hh = weights[0], weights[1]
                b_ih, b_hh = (weights[2], weights[3]) if self.bias else (None, None)
                if self.mode == "GRU" or b_ih is None:
                    xw = linear(layer_input, w_ih.T, b_ih)
                    step_bias = b_hh
                else:  # both biases once, with the input's projection of every step
                    xw = linear(layer_input, w_ih.T, b_ih + b_hh)
                    step_bias = None
                xws = unbind(xw, 0)
                whh_t = w_hh.T
                index = layer * num_directions + direction
                h: Tensor = hs0[index]
                c: Tensor | None = cs0[index] if lstm else None
                seq: list[Tensor] = [zeros] * steps
                order = range(steps - 1, -1, -1) if direction else range(steps)
                for t in order:
                    h, c = _step(self.mode, xws[t], h, c, whh_t, step_bias, self.hidden_size)
                    seq[t] = h
                outputs.append(stack(seq, 0))
                h_n.append(h)
                if c is not None:
                    c_n.append(c)
            layer_input = outputs[0] if num_directions == 1 else concatenate(outputs, 2)
            if self.dropout and self.training and layer < self.num_layers - 1:
                layer_input = _dropout(layer_input, self.dropout, True, self._rng)
        output = layer_input
        hn = stack(h_n, 0)
        cn = stack(c_n, 0) if lstm else None
        if not batched:
            output = reshape(output, (steps, output.shape[-1]))
            hn = reshape(hn, state_shape)
            cn = reshape(cn, state_shape) if cn is not None else None
        elif self.batch_first:
            output = swapaxes(output, 0, 1)
        if lstm:
            return output, (hn, cn)
        return output, hn

    def extra_repr(self) -> str:
        """Return the settings that differ from the defaults, as PyTorch shows them."""
        s = f"{self.input_size}, {self.hidden_size}"
        if self.num_layers != 1:
            s += f", num_layers={self.num_layers}"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        if not self.bias:
            s += ", bias=False"
        if self.batch_first:
            s += ", batch_first=True"
        if self.dropout:
            s += f", dropout={self.dropout}"
        if self.bidirectional:
            s += ", bidirectional=True"
        return s


class RNN(RNNBase):
    """A multi-layer Elman RNN: ``h = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ``relu``).

    Parameters are those of :class:`RNNBase` (in PyTorch's order, ``nonlinearity``
    fourth), with ``nonlinearity`` ``"tanh"`` (default) or ``"relu"``.
    Parameters of layer ``k``: ``weight_ih_lk`` ``(hidden_size, input_size)``
    (layers above the first: ``num_directions * hidden_size`` inputs),
    ``weight_hh_lk`` ``(hidden_size, hidden_size)``, ``bias_ih_lk`` and
    ``bias_hh_lk`` ``(hidden_size,)``, and ``..._reverse`` for the reverse
    direction. :meth:`RNNBase.forward` returns ``output, h_n``.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> rnn = nn.RNN(4, 3, num_layers=2, batch_first=True, rng=0)
    >>> out, h_n = rnn(np.ones((5, 7, 4)))        # batch 5, 7 steps, 4 features
    >>> out.shape, h_n.shape
    ((5, 7, 3), (2, 5, 3))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 nonlinearity: str = "tanh", bias: bool = True, batch_first: bool = False,
                 dropout: float = 0.0, bidirectional: bool = False, *, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        mode = _nonlinearity_mode(nonlinearity, "RNN")
        super().__init__(mode, input_size, hidden_size, num_layers, bias, batch_first, dropout,
                         bidirectional, rng=rng, dtype=dtype)
        self.nonlinearity = nonlinearity


class LSTM(RNNBase):
    """A multi-layer long short-term memory network, as ``torch.nn.LSTM``.

    Per step: ``i, f, g, o = W_ih x + b_ih + W_hh h + b_hh`` (four blocks of
    ``hidden_size``, in that order), ``c = sigmoid(f) * c + sigmoid(i) *
    tanh(g)`` and ``h = sigmoid(o) * tanh(c)``. Parameters are those of
    :class:`RNNBase`; the weights have ``4 * hidden_size`` rows. The initial
    state is the pair ``(h0, c0)`` and :meth:`RNNBase.forward` returns
    ``output, (h_n, c_n)``. (PyTorch's ``proj_size`` is not supported.)

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> lstm = nn.LSTM(4, 3, bidirectional=True, rng=0)
    >>> out, (h_n, c_n) = lstm(np.ones((7, 5, 4)))  # 7 steps, batch 5
    >>> out.shape, h_n.shape, c_n.shape
    ((7, 5, 6), (2, 5, 3), (2, 5, 3))
    >>> lstm.weight_ih_l0.shape, lstm.weight_hh_l0_reverse.shape
    ((12, 4), (12, 3))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, proj_size: int = 0, *, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        if proj_size:
            raise NotImplementedError(f"LSTM: proj_size={proj_size!r} is not supported")
        super().__init__("LSTM", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, rng=rng, dtype=dtype)


class GRU(RNNBase):
    """A multi-layer gated recurrent unit network, as ``torch.nn.GRU``.

    Per step, with the weights' three blocks in the order ``r, z, n``:
    ``r = sigmoid(W_ir x + b_ir + W_hr h + b_hr)``, ``z`` likewise, ``n =
    tanh(W_in x + b_in + r * (W_hn h + b_hn))`` and ``h = (1 - z) * n + z * h``.
    Parameters are those of :class:`RNNBase`; the weights have ``3 *
    hidden_size`` rows. :meth:`RNNBase.forward` returns ``output, h_n``.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> gru = nn.GRU(4, 3, rng=0)
    >>> out, h_n = gru(np.ones((7, 4)))             # unbatched: 7 steps
    >>> out.shape, h_n.shape
    ((7, 3), (1, 3))
    """

    def __init__(self, input_size: int, hidden_size: int, num_layers: int = 1,
                 bias: bool = True, batch_first: bool = False, dropout: float = 0.0,
                 bidirectional: bool = False, *, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        super().__init__("GRU", input_size, hidden_size, num_layers, bias, batch_first,
                         dropout, bidirectional, rng=rng, dtype=dtype)


class RNNCellBase(Module):
    """What the cells share: ``weight_ih``, ``weight_hh``, ``bias_ih``, ``bias_hh`` and checks.

    Parameters
    ----------
    mode : str
        ``"RNN_TANH"``, ``"RNN_RELU"``, ``"LSTM"`` or ``"GRU"``.
    input_size, hidden_size : int
        Features of the input and of the hidden state.
    bias : bool
        Whether the cell has ``bias_ih`` and ``bias_hh``.
    rng : None, int or numpy.random.Generator
        Source of the initial ``uniform(-1/sqrt(hidden_size), 1/sqrt(hidden_size))``
        weights.
    dtype : numpy dtype
        Parameter dtype (float64 by default).
    """

    weight_ih: Parameter
    weight_hh: Parameter

    def __init__(self, mode: str, input_size: int, hidden_size: int, bias: bool = True, *,
                 rng: SeedLike = None, dtype: Any = np.float64) -> None:
        super().__init__()
        name = type(self).__name__
        if mode not in _GATES:
            raise ValueError(f"{name}: unknown mode {mode!r}; use one of {sorted(_GATES)}")
        self.mode = mode
        self.input_size = positive_int(input_size, f"{name}: input_size")
        self.hidden_size = positive_int(hidden_size, f"{name}: hidden_size")
        self.bias = bool(bias)
        gate_size = _GATES[mode] * self.hidden_size
        gen = make_rng(rng)
        k = 1.0 / math.sqrt(self.hidden_size)
        shapes: list[tuple[str, tuple[int, ...]]] = [
            ("weight_ih", (gate_size, self.input_size)),
            ("weight_hh", (gate_size, self.hidden_size))]
        if self.bias:
            shapes += [("bias_ih", (gate_size,)), ("bias_hh", (gate_size,))]
        self.bias_ih: Parameter | None = None
        self.bias_hh: Parameter | None = None
        for pname, shape in shapes:
            setattr(self, pname, Parameter(np.asarray(gen.uniform(-k, k, shape)).astype(dtype)))

    def _input(self, input: Any) -> tuple[Tensor, bool]:  # noqa: A002
        name = type(self).__name__
        x = _as_input(input, self.weight_ih.dtype)
        if x.ndim not in (1, 2) or x.shape[-1] != self.input_size:
            raise ValueError(f"{name}: expected input of shape (batch, {self.input_size}) or "
                             f"({self.input_size},), got {tuple(x.shape)}")
        batched = x.ndim == 2
        return (x if batched else reshape(x, (1, self.input_size))), batched

    def _state(self, h: Any, what: str, batch: int, batched: bool) -> Tensor:
        name = type(self).__name__
        dtype = self.weight_ih.dtype
        if h is None:
            return Tensor(np.zeros((batch, self.hidden_size), dtype=dtype))
        t = h if isinstance(h, Tensor) else Tensor(np.asarray(h, dtype=dtype))
        expected = (batch, self.hidden_size) if batched else (self.hidden_size,)
        if t.shape != expected:
            raise ValueError(f"{name}: expected {what} of shape {tuple(expected)} "
                             f"({'batch, ' if batched else ''}hidden_size), got "
                             f"{tuple(t.shape)}")
        return t if batched else reshape(t, (1, self.hidden_size))

    def _cell(self, x: Tensor, h: Tensor, c: Tensor | None) -> tuple[Tensor, Tensor | None]:
        xw = linear(x, self.weight_ih.T, self.bias_ih)
        return _step(self.mode, xw, h, c, self.weight_hh.T, self.bias_hh, self.hidden_size)

    def extra_repr(self) -> str:
        """Return the sizes (and the settings that differ from the defaults) for ``repr``."""
        s = f"{self.input_size}, {self.hidden_size}"
        if not self.bias:
            s += ", bias=False"
        if self.mode == "RNN_RELU":
            s += ", nonlinearity='relu'"
        return s


class RNNCell(RNNCellBase):
    """One step of an Elman RNN: ``h' = tanh(W_ih x + b_ih + W_hh h + b_hh)`` (or ``relu``).

    Parameters
    ----------
    input_size, hidden_size : int
        Features of the input and of the hidden state.
    bias : bool
        Whether to have ``bias_ih`` and ``bias_hh`` (``(hidden_size,)``).
    nonlinearity : str
        ``"tanh"`` or ``"relu"``.
    rng, dtype
        As for :class:`RNNCellBase`.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> cell = nn.RNNCell(4, 3, rng=0)
    >>> h = cell(np.ones((5, 4)))                     # h0 = zeros
    >>> cell(np.ones((5, 4)), h).shape
    (5, 3)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True,
                 nonlinearity: str = "tanh", *, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        mode = _nonlinearity_mode(nonlinearity, "RNNCell")
        super().__init__(mode, input_size, hidden_size, bias, rng=rng, dtype=dtype)
        self.nonlinearity = nonlinearity

    def forward(self, input: Any, hx: Any = None) -> Tensor:  # noqa: A002
        """Return the next hidden state for ``input`` ``(N, input_size)`` or ``(input_size,)``.

        ``hx`` (zeros when None) has shape ``(N, hidden_size)`` (unbatched:
        ``(hidden_size,)``), as does the result.
        """
        x, batched = self._input(input)
        h, _ = self._cell(x, self._state(hx, "hx", x.shape[0], batched), None)
        return h if batched else reshape(h, (self.hidden_size,))


class LSTMCell(RNNCellBase):
    """One step of an LSTM (gates ``i, f, g, o``); returns the pair ``(h', c')``.

    Parameters are those of :class:`RNNCell` without ``nonlinearity``; the
    weights have ``4 * hidden_size`` rows.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> cell = nn.LSTMCell(4, 3, rng=0)
    >>> h, c = cell(np.ones((5, 4)))
    >>> h, c = cell(np.ones((5, 4)), (h, c))
    >>> h.shape, c.shape
    ((5, 3), (5, 3))
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, *,
                 rng: SeedLike = None, dtype: Any = np.float64) -> None:
        super().__init__("LSTM", input_size, hidden_size, bias, rng=rng, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> tuple[Tensor, Tensor]:  # noqa: A002
        """Return ``(h', c')`` for ``input`` ``(N, input_size)`` or ``(input_size,)``.

        ``hx`` is the pair ``(h, c)`` of shape ``(N, hidden_size)`` each
        (unbatched: ``(hidden_size,)``), zeros when None.
        """
        x, batched = self._input(input)
        if hx is None:
            hx = (None, None)
        elif not isinstance(hx, (tuple, list)) or len(hx) != 2:
            raise TypeError(f"LSTMCell: hx must be a pair (h, c), got {type(hx).__name__}")
        n = x.shape[0]
        h, c = self._cell(x, self._state(hx[0], "h", n, batched),
                          self._state(hx[1], "c", n, batched))
        assert c is not None
        if not batched:
            return reshape(h, (self.hidden_size,)), reshape(c, (self.hidden_size,))
        return h, c


class GRUCell(RNNCellBase):
    """One step of a GRU (gates ``r, z, n``): ``h' = (1 - z) * n + z * h``.

    Parameters are those of :class:`RNNCell` without ``nonlinearity``; the
    weights have ``3 * hidden_size`` rows.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> cell = nn.GRUCell(4, 3, rng=0)
    >>> cell(np.ones(4)).shape                        # unbatched
    (3,)
    """

    def __init__(self, input_size: int, hidden_size: int, bias: bool = True, *,
                 rng: SeedLike = None, dtype: Any = np.float64) -> None:
        super().__init__("GRU", input_size, hidden_size, bias, rng=rng, dtype=dtype)

    def forward(self, input: Any, hx: Any = None) -> Tensor:  # noqa: A002
        """Return the next hidden state for ``input`` ``(N, input_size)`` or ``(input_size,)``."""
        x, batched = self._input(input)
        h, _ = self._cell(x, self._state(hx, "hx", x.shape[0], batched), None)
        return h if batched else reshape(h, (self.hidden_size,))
