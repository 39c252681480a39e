"""The book's ``common/layers.py`` as :class:`minigrad.nn.Module` layers.

Every layer keeps the book's surface (``forward``; ``backward(dout)``
returning ``dx``; ``dW``/``db``/``dgamma``/``dbeta`` after ``backward``), but
``forward`` records minigrad ops and ``backward`` is automatic
differentiation of them: nothing is derived by hand. Inside a network the
layers are simply chained and the whole loss is differentiated at once.

The layers are defined in :mod:`minigrad.layerwise.layers`, below both this
package and :mod:`minigrad.models`; this module is the book's name for them.

Examples
--------
>>> import numpy as np
>>> from minigrad.layerwise.layers import Relu
>>> relu = Relu()
>>> relu.forward(np.array([[1.0, -0.5], [-2.0, 3.0]])).data
array([[1., 0.],
       [0., 3.]])
>>> relu.backward(np.ones((2, 2)))
array([[1., 0.],
       [0., 1.]])
"""

from minigrad.layerwise.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Pooling,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
    as_parameter,
)

__all__ = ["Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "BatchNormalization", "Dropout",
           "as_parameter", "Convolution", "Pooling"]
