"""Former home of the unary math and of ``sigmoid`` and ``relu`` (deprecated).

``exp``, ``log``, ``sqrt``, ``sin``, ``cos``, ``tanh``, ``abs`` and ``astype`` are in
:mod:`minigrad.ops.elementwise` now, ``sigmoid`` and ``relu`` in
:mod:`minigrad.ops.activation`; the names here still work and warn.
"""

from minigrad._moved import forward_names

_MATH = ["Exp", "Log", "Sqrt", "Sin", "Cos", "Tanh", "Abs", "Cast",
         "exp", "log", "sqrt", "sin", "cos", "tanh", "abs", "astype"]
_ACT = ["Sigmoid", "ReLU", "sigmoid", "relu"]
__getattr__ = forward_names(__name__, {**dict.fromkeys(_MATH, "minigrad.ops.elementwise"),
                                       **dict.fromkeys(_ACT, "minigrad.ops.activation")})
