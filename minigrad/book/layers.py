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

from typing import Any

import numpy as np

from minigrad.book.util import col2im, im2col
from minigrad.layerwise import layers as _layers
from minigrad.layerwise.layers import (
    Affine,
    BatchNormalization,
    Convolution,
    Dropout,
    Pooling,
    Relu,
    Sigmoid,
    as_parameter,
)
from minigrad.tensor import Tensor

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


def book_cross_entropy(y: np.ndarray, t: np.ndarray) -> Any:
    """The book's batch-mean cross-entropy of probabilities ``y``: ``-sum(log(y_t + 1e-7)) / N``.

    A 1-D ``y`` is one sample; one-hot ``t`` (as many entries as ``y``) is
    turned into labels by ``argmax``. Returns a NumPy scalar of ``y``'s dtype.
    """
    if y.ndim == 1:
        y, t = y.reshape(1, y.size), t.reshape(1, t.size)
    if t.size == y.size:
        t = t.argmax(axis=1)
    n = y.shape[0]
    return -np.sum(np.log(y[np.arange(n), t] + 1e-7)) / n


class SoftmaxWithLoss(_layers.SoftmaxWithLoss):
    """Softmax and the book's cross-entropy, ``-sum(log(y_t + 1e-7)) / N`` (item 5.13).

    ``forward(x, t)`` returns the loss as a number (an ``np.float64``), the
    book's value to the last bit; ``backward()`` returns ``(y - t) / N`` by
    autodiff, as the book's backward does (it ignores the ``1e-7``). Inside a
    network the loss Tensor is :meth:`loss_tensor`: the fused, stable softmax
    cross-entropy shifted by a constant to the book's value, so its gradient
    is ``(y - t) / N`` exactly.
    """

    def forward(self, x: Any, t: Any) -> Any:  # type: ignore[override]
        """Return the book's loss of logits ``x`` against labels or one-hot ``t``, a number."""
        loss = self.loss_tensor(x, t).data
        self.loss = loss[()] if loss.ndim == 0 else loss
        return self.loss

    def _loss_of(self, x: Tensor, t: np.ndarray) -> Tensor:
        fused = super()._loss_of(x, t)
        assert self.y is not None
        value = np.asarray(book_cross_entropy(self.y, t), dtype=fused.dtype)
        return fused + (value - fused.data)  # a constant: the gradient stays (y - t) / N
