"""The functional interface: ``import minigrad.functional as F``, as ``torch.nn.functional``.

A façade only, derived from the catalogue of ops (:mod:`minigrad.ops.catalogue`):
``torch.nn.functional``'s names (activations, losses, convolution and pooling,
padding, attention), the elementwise math PyTorch users reach for through ``torch.*``
(``F.exp``, ``F.log2``, ``F.matmul``, ...) and the book's functions
(``softmax_cross_entropy``, ``cross_entropy_error``, ``sum_squares_error``,
``accuracy``, ``step_function``, ``identity_function``). Every op lives in its family
module under :mod:`minigrad.ops`.
"""

from typing import Any

from minigrad.ops import catalogue as _catalogue

# The op classes and constants that were defined in this module before it became a façade.
from minigrad.ops.activation import (  # noqa: F401
    SELU_ALPHA,
    SELU_SCALE,
    Hardswish,
    Hardtanh,
    LeakyReLU,
    LogSigmoid,
    LogSoftmax,
    Softmax,
)
from minigrad.ops.loss import (  # noqa: F401
    CROSS_ENTROPY_DELTA,
    BinaryCrossEntropy,
    SoftmaxCrossEntropy,
    sum_squared_error,
)

_OPS = _catalogue.namespace("functional")
globals().update(_OPS)

__all__ = sorted({*_OPS, "sum_squared_error"})


def __getattr__(name: str) -> Any:
    raise AttributeError(f"module 'minigrad.functional' has no attribute {name!r}")
