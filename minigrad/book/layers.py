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

import numpy as np

from minigrad.book.util import col2im, im2col
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

try:  # the book's common/functions.py, which its layers module star-imports
    from minigrad.book.functions import *  # type: ignore[import-not-found,unused-ignore]  # noqa: F403
    from minigrad.book.functions import (  # type: ignore[import-not-found,unused-ignore]
        __all__ as _functions_all,
    )
except ImportError:  # pragma: no cover - present once the chapter 3-4 module is
    _functions_all = []

# what a star import of the book's module brings (it has no __all__): numpy, the
# functions of common/functions.py, im2col/col2im and the layers
__all__ = ["np", *(n for n in _functions_all if n != "np"), "im2col", "col2im",
           "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "BatchNormalization", "Dropout",
           "as_parameter", "Convolution", "Pooling"]
