"""Former home of ``add``, ``sub``, ``mul``, ``div``, ``neg`` and ``pow`` (deprecated).

They are in :mod:`minigrad.ops.elementwise` now; the names here still work and warn.
"""

from minigrad._moved import forward_names

_NAMES = ["Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowTensor",
          "add", "sub", "mul", "div", "neg", "pow"]
__getattr__ = forward_names(__name__, dict.fromkeys(_NAMES, "minigrad.ops.elementwise"))
