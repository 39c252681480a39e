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

# -- op library: creation, shape, selection, reductions
from minigrad.ops.creation import (
    arange,
    empty,
    eye,
    full,
    full_like,
    linspace,
    meshgrid,
    normal,
    ones_like,
    rand,
    randint,
    uniform,
    zeros_like,
)
from minigrad.ops.reduce import (
    all,
    any,
    cummax,
    cummin,
    cumprod,
    cumsum,
    logcumsumexp,
    logsumexp,
    max,
    mean,
    min,
    norm,
    prod,
    std,
    sum,
    var,
)
from minigrad.ops.select import (
    argmax,
    argmin,
    argsort,
    argwhere,
    clamp,
    clip,
    gather,
    index_add,
    masked_fill,
    masked_select,
    maximum,
    minimum,
    nonzero,
    one_hot,
    scatter_add,
    sort,
    take_along_axis,
    topk,
    where,
)
from minigrad.ops.shape import (
    AxisError,
    broadcast_to,
    cat,
    chunk,
    concatenate,
    diag,
    diagonal,
    expand,
    expand_dims,
    flatten,
    flip,
    moveaxis,
    permute,
    repeat,
    repeat_interleave,
    reshape,
    roll,
    split,
    squeeze,
    stack,
    swapaxes,
    tile,
    transpose,
    tril,
    triu,
    unflatten,
    unsqueeze,
    view,
)
from minigrad.printing import get_printoptions, set_printoptions
from minigrad.serialization import CheckpointError, load, save
from minigrad.tensor import Tensor, as_tensor, ones, randn, tensor, zeros

__version__ = "0.1.0"

# Submodules available as mg.functional, mg.nn, mg.optim, mg.models (the core is loaded above).
from minigrad import functional, models, nn, optim  # noqa: E402

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
    # -- op library: creation, shape, selection, reductions
    "AxisError",
    "arange", "linspace", "eye", "full", "zeros_like", "ones_like", "full_like", "empty",
    "rand", "randint", "normal", "uniform", "meshgrid",
    "reshape", "transpose", "broadcast_to", "concatenate", "cat", "stack", "split", "chunk",
    "squeeze", "expand_dims", "unsqueeze", "flatten", "unflatten", "permute", "swapaxes",
    "moveaxis", "expand", "repeat", "tile", "repeat_interleave", "flip", "roll", "tril",
    "triu", "diagonal", "diag", "view",
    "where", "masked_fill", "clip", "clamp", "maximum", "minimum", "gather",
    "take_along_axis", "scatter_add", "index_add", "masked_select", "nonzero", "argwhere",
    "sort", "argsort", "topk", "one_hot", "argmax", "argmin",
    "sum", "mean", "max", "min", "var", "std", "logsumexp", "prod", "cumsum", "cumprod",
    "cummax", "cummin", "logcumsumexp", "any", "all", "norm",
]
