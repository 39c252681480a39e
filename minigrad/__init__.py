"""minigrad: a small, readable define-by-run reverse-mode autodiff framework on NumPy.

>>> import numpy as np
>>> import minigrad as mg
>>> x = mg.Tensor(np.array([[1.0, 2.0]]), requires_grad=True)
>>> y = (x * x + 3 * x).sum()
>>> y.backward()
>>> x.grad.data
array([[5., 7.]])

``mg.*`` is NumPy's namespace: every op minigrad has is here under its NumPy name
(``mg.exp``, ``mg.matmul``, ``mg.concatenate``, ...) and under its PyTorch name where
the meaning is the same (``mg.cat``, ``mg.clamp``, ...). The ops come from the
catalogue (:mod:`minigrad.ops.catalogue`). The tools (``save``/``load``, the debugging
tools, anomaly mode, ``minigrad.book``, ``minigrad.models``) load on first use.
"""

import importlib as _importlib
from typing import Any as _Any

from minigrad import functional, nn, ops, optim, viz  # noqa: F401 - viz: tensors' picture in Jupyter
from minigrad.autograd import (
    Function,
    OpError,
    OpTypeError,
    enable_grad,
    grad,
    is_grad_enabled,
    no_grad,
    set_grad_enabled,
)
from minigrad.gradcheck import GradcheckError, gradcheck, gradgradcheck
from minigrad.numerical import gradient_descent, numerical_diff, numerical_gradient
from minigrad.ops.shape import AxisError
from minigrad.printing import get_printoptions, set_printoptions
from minigrad.tensor import Tensor, as_tensor, ones, randn, tensor, zeros

__version__ = "0.1.0"

#: The ops of ``mg.*``, by name (derived from the catalogue).
_OPS = ops.catalogue.namespace("mg")
globals().update(_OPS)

# The tools, loaded on first use: name -> the module that defines it.
_LAZY = {
    "AnomalyError": "minigrad.anomaly", "detect_anomaly": "minigrad.anomaly",
    "is_anomaly_enabled": "minigrad.anomaly",
    "AccumulationWarning": "minigrad.debug", "check_graph": "minigrad.debug",
    "graph_memory": "minigrad.debug", "set_debug": "minigrad.debug",
    "trace_backward": "minigrad.debug",
    "CheckpointError": "minigrad.serialization", "load": "minigrad.serialization",
    "save": "minigrad.serialization",
    "save_safetensors": "minigrad.interop", "load_safetensors": "minigrad.interop",
}
_LAZY_MODULES = ("models", "book", "book2", "debug", "serialization", "plotting", "viz",
                 "datasets", "train", "cli", "anomaly", "func", "data", "interop")


def __getattr__(name: str) -> _Any:
    """Load a tool (``mg.save``, ``mg.check_graph``, ``mg.models``, ...) on first use."""
    if name in _LAZY:
        value = getattr(_importlib.import_module(_LAZY[name]), name)
    elif name in _LAZY_MODULES:
        value = _importlib.import_module(f"minigrad.{name}")
    else:
        raise AttributeError(f"module 'minigrad' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY) | set(_LAZY_MODULES))


__all__ = [
    "Tensor", "tensor", "as_tensor", "zeros", "ones", "randn",
    "Function", "no_grad", "enable_grad", "set_grad_enabled", "is_grad_enabled", "grad",
    "numerical_diff", "numerical_gradient", "gradient_descent",
    "gradcheck", "gradgradcheck", "GradcheckError", "set_printoptions", "get_printoptions",
    "detect_anomaly", "is_anomaly_enabled", "AnomalyError", "save", "load", "CheckpointError",
    "save_safetensors", "load_safetensors",
    "check_graph", "trace_backward", "graph_memory", "set_debug", "AccumulationWarning",
    "functional", "nn", "optim", "models", "AxisError", "OpError", "OpTypeError",
    *sorted(_OPS),
]
