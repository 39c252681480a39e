"""minigrad: a small, readable define-by-run reverse-mode autodiff framework on NumPy.

>>> import numpy as np
>>> import minigrad as mg
>>> x = mg.Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
>>> y = (x * x + 3 * x).sum()
>>> y.backward()
>>> x.grad.data
array([[5., 7.]])
"""

from minigrad.anomaly import AnomalyError, detect_anomaly, is_anomaly_enabled
from minigrad.autograd import (
    Function,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.debug import (
    AccumulationWarning,
    check_graph,
    graph_memory,
    set_debug,
    trace_backward,
)
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.numerical import gradient_descent, numerical_diff, numerical_gradient
from minigrad.printing import get_printoptions, set_printoptions
from minigrad.serialization import CheckpointError, load, save
from minigrad.tensor import Tensor, as_tensor, ones, randn, tensor, zeros

__version__ = "0.1.0"

# Submodules available as mg.functional, mg.nn, mg.optim, mg.models (the core is loaded above).
from minigrad import functional, models, nn, optim  # noqa: E402

# -- op library: elementwise math
from minigrad.ops.elementwise import (  # noqa: E402
    acos,
    acosh,
    asin,
    asinh,
    atan,
    atan2,
    atanh,
    bitwise_and,
    bitwise_not,
    bitwise_or,
    bitwise_xor,
    ceil,
    copysign,
    cosh,
    divide,
    erf,
    exp2,
    expm1,
    floor,
    floor_divide,
    fmod,
    invert,
    isclose,
    isfinite,
    isinf,
    isnan,
    left_shift,
    lerp,
    log1p,
    log2,
    log10,
    logaddexp,
    logical_and,
    logical_not,
    logical_or,
    logical_xor,
    mod,
    reciprocal,
    remainder,
    right_shift,
    round,
    rsqrt,
    sign,
    sinh,
    square,
    tan,
    trunc,
)
from minigrad.ops.linalg import dot, einsum, outer, tensordot  # noqa: E402

div = divide

__all__ = [
    "Tensor",
    "tensor",
    "as_tensor",
    "zeros",
    "ones",
    "randn",
    "Function",
    "no_grad",
    "enable_grad",
    "set_grad_enabled",
    "is_grad_enabled",
    "grad",
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "gradcheck",
    "gradgradcheck",
    "GradcheckError",
    "set_printoptions",
    "get_printoptions",
    "detect_anomaly",
    "is_anomaly_enabled",
    "AnomalyError",
    "save",
    "load",
    "CheckpointError",
    "check_graph",
    "trace_backward",
    "graph_memory",
    "set_debug",
    "AccumulationWarning",
    "functional",
    "nn",
    "optim",
    "models",
    # -- op library: elementwise math
    "log2",
    "log10",
    "exp2",
    "log1p",
    "expm1",
    "rsqrt",
    "reciprocal",
    "square",
    "sign",
    "floor",
    "ceil",
    "round",
    "trunc",
    "tan",
    "asin",
    "acos",
    "atan",
    "atan2",
    "sinh",
    "cosh",
    "asinh",
    "acosh",
    "atanh",
    "erf",
    "lerp",
    "logaddexp",
    "copysign",
    "mod",
    "remainder",
    "fmod",
    "floor_divide",
    "divide",
    "isnan",
    "isinf",
    "isfinite",
    "isclose",
    "logical_and",
    "logical_or",
    "logical_xor",
    "logical_not",
    "bitwise_and",
    "bitwise_or",
    "bitwise_xor",
    "bitwise_not",
    "invert",
    "left_shift",
    "right_shift",
    "div",
    "einsum",
    "outer",
    "dot",
    "tensordot",
]
