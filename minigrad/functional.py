"""The functional interface: ``import minigrad.functional as F``, as ``torch.nn.functional``.

A façade only: every op lives in its family module under :mod:`minigrad.ops`. Besides
``torch.nn.functional``'s names it offers the elementwise math PyTorch users reach for
through ``torch.*`` (``F.exp``, ``F.matmul``, ...) and the book's functions
(``softmax_cross_entropy``, ``cross_entropy_error``, ``sum_squares_error``,
``accuracy``, ``step_function``, ``identity_function``).
"""

from __future__ import annotations

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
    celu,
    elu,
    gelu,
    hardsigmoid,
    hardswish,
    hardtanh,
    identity_function,
    leaky_relu,
    log_softmax,
    logsigmoid,
    mish,
    normalize,
    quick_gelu,
    relu,
    relu6,
    selu,
    sigmoid,
    silu,
    softmax,
    softmin,
    softplus,
    softsign,
    step_function,
)
from minigrad.ops.attention import scaled_dot_product_attention
from minigrad.ops.conv import (
    adaptive_avg_pool2d,
    avg_pool2d,
    col2im,
    conv2d,
    conv_output_size,
    conv_transpose2d,
    fold,
    im2col,
    max_pool2d,
    unfold,
)
from minigrad.ops.elementwise import (
    abs,
    add,
    cos,
    div,
    erf,
    exp,
    expm1,
    log,
    log1p,
    mul,
    neg,
    pow,
    sin,
    sqrt,
    sub,
    tanh,
)
from minigrad.ops.linalg import dot, einsum, linear, matmul, outer, tensordot
from minigrad.ops.loss import (  # noqa: F401
    CROSS_ENTROPY_DELTA,
    BinaryCrossEntropy,
    SoftmaxCrossEntropy,
    accuracy,
    binary_cross_entropy,
    binary_cross_entropy_with_logits,
    cross_entropy,
    cross_entropy_error,
    huber_loss,
    l1_loss,
    mse_loss,
    nll_loss,
    smooth_l1_loss,
    softmax_cross_entropy,
    sum_squared_error,
    sum_squares_error,
)
from minigrad.ops.padding import interpolate, pad
from minigrad.ops.reduce import max, mean, min, sum
from minigrad.ops.shape import broadcast_to, getitem, reshape, sum_to, transpose

__all__ = [
    "add", "sub", "mul", "div", "neg", "pow", "matmul", "linear",
    "exp", "log", "sqrt", "sin", "cos", "tanh", "sigmoid", "relu", "abs",
    "sum", "mean", "max", "min", "reshape", "transpose", "broadcast_to", "sum_to", "getitem",
    "softmax", "log_softmax", "softmax_cross_entropy",
    "sum_squares_error", "cross_entropy_error", "accuracy",
    "conv2d", "conv_transpose2d", "max_pool2d", "avg_pool2d", "adaptive_avg_pool2d", "pad",
    "unfold", "fold", "im2col", "col2im", "interpolate", "conv_output_size",
    "leaky_relu", "elu", "celu", "selu", "gelu", "quick_gelu", "silu", "mish", "softplus",
    "softsign", "logsigmoid", "hardtanh", "relu6", "hardsigmoid", "hardswish", "softmin",
    "normalize", "step_function", "identity_function",
    "cross_entropy", "nll_loss", "binary_cross_entropy", "binary_cross_entropy_with_logits",
    "mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss", "sum_squared_error",
    "scaled_dot_product_attention", "einsum", "outer", "dot", "tensordot",
    "erf", "expm1", "log1p",
]
