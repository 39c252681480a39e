"""Primitive operations, one :class:`~minigrad.Function` each, grouped by family.

Each op's ``backward`` sits right below its ``forward`` and is written with
tensor operations, so every op is differentiable any number of times.
"""

from minigrad.ops import arith, conv, creation, elementwise, linalg, reduce, select, shape, unary

__all__ = ["arith", "conv", "creation", "elementwise", "linalg", "reduce", "select", "shape",
           "unary"]
