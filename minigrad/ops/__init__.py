"""Primitive operations, one :class:`~minigrad.Function` each, grouped by meaning.

Each op's ``backward`` sits right below its ``forward`` and is written with
tensor operations, so every op is differentiable any number of times.

==============  ==============================================================
module          what it holds
==============  ==============================================================
elementwise     arithmetic, exp/log, roots, trigonometry, rounding, remainders,
                clip, maximum/minimum, value tests, logical and bitwise ops
reduce          sum, mean, max, var, logsumexp, prod, norm, cumulative ops
shape           reshape, transpose, broadcasting, views, indexing ``x[...]``,
                concatenation and splitting, repeats, flips, diagonals
indexing        where, masked_fill, gather/scatter, sort, topk, one_hot, argmax,
                the triangles tril and triu
linalg          matmul, linear, einsum, dot, outer, tensordot
conv            conv2d, conv_transpose2d, pooling, unfold/fold, im2col/col2im
padding         pad, np_pad, interpolate
activation      sigmoid, relu, softmax, gelu, silu, ... and normalize
normalization   batch_norm and dropout (under nn's and the book's layers)
loss            the book's and PyTorch's loss functions, accuracy
attention       scaled_dot_product_attention
creation        arange, linspace, eye, full, the ``*_like`` and random tensors
==============  ==============================================================

``numpy_dispatch`` holds no ops: it lets NumPy's functions run them on tensors
(``np.exp(t)`` is ``mg.exp(t)``), looking them up by the NumPy names declared in the
catalogue.

Each public op is declared once in :mod:`minigrad.ops.catalogue`, from which
``mg.*``, ``minigrad.functional`` and the Tensor methods are derived.
"""

from minigrad.ops import (
    activation,
    attention,
    catalogue,
    conv,
    creation,
    elementwise,
    indexing,
    linalg,
    loss,
    normalization,
    numpy_dispatch,
    padding,
    reduce,
    shape,
)
from minigrad.tensor import Tensor

__all__ = ["activation", "attention", "catalogue", "conv", "creation", "elementwise", "indexing",
           "linalg", "loss", "normalization", "numpy_dispatch", "padding", "reduce", "shape"]

# Every op module has declared its ops by now: give the Tensor its methods and operators,
# and NumPy's dispatch protocols (np.exp(t) runs minigrad's exp).
catalogue.install_methods(Tensor)
numpy_dispatch.install(Tensor)
