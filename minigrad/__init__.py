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
from minigrad.ops.conv import np_pad as pad
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
    "pad",
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
]
