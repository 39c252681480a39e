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

# the book's common/functions.py, which its layers module star-imports
from minigrad.book.functions import *  # noqa: F403
from minigrad.book.functions import __all__ as _functions_all
from minigrad.book.util import col2im, im2col
from minigrad.layerwise import layers as _layers
from minigrad.layerwise.layers import (
    Dropout,
    Pooling,
    Relu,
    Sigmoid,
    as_parameter,
)
from minigrad.nn.module import Parameter
from minigrad.tensor import Tensor, mark_modified

# what a star import of the book's module brings (it has no __all__): numpy, the
# functions of common/functions.py, im2col/col2im and the layers
__all__ = ["np", *(n for n in _functions_all if n != "np"), "im2col", "col2im",
           "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "BatchNormalization", "Dropout",
           "as_parameter", "Convolution", "Pooling", "BookParameter", "book_parameter"]


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


# ---------------------------------------------------------------------------
# Parameters as the book's scripts use them: plain arrays in, item assignment.

class BookParameter(Parameter):
    """A :class:`~minigrad.nn.Parameter` that also takes item assignment, as an ndarray does.

    The book's parameters are ndarrays that scripts write into, e.g.
    ``param[...] = param.astype(np.float16)`` (ch08/half_float_network.py):
    the values are cast to the parameter's dtype and broadcast by NumPy's rules,
    the change is counted like any in-place update (graphs that saved the old
    values refuse a later backward). The book's networks and layers hold these;
    elsewhere minigrad's parameters stay read-only to indexing.

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.book.layers import BookParameter
    >>> w = BookParameter(np.array([0.1, 0.2]))
    >>> w[...] = w.astype(np.float16)
    >>> w.dtype, float(w.data[0])
    (dtype('float64'), 0.0999755859375)
    """

    __slots__ = ()

    def __setitem__(self, index: Any, value: Any) -> None:
        self.data[index] = value.data if isinstance(value, Tensor) else value
        mark_modified(self, "setitem")


def book_parameter(value: Any, where: str, size: int | None = None) -> Parameter:
    """``value`` as a layer's parameter, taking what the book's layers take.

    A Parameter is used as it is (shared by reference, how a network's
    ``params`` and its layers stay the same tensor). Anything else (an ndarray,
    a Tensor such as a slice of a network's parameter, a Python number)
    becomes a :class:`BookParameter` over the same data where it can: integers
    are converted to float64, and a single number becomes ``size`` copies of it
    when ``size`` is given (the book's ``out + b`` broadcasts an integer bias).
    """
    if isinstance(value, Parameter):
        return value
    arr = value.data if isinstance(value, Tensor) else np.asarray(value)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind != "f":
        raise TypeError(f"{where}: expected numbers, got dtype {arr.dtype}")
    if arr.ndim == 0 and size is not None:
        arr = np.full(size, arr, dtype=arr.dtype)
    return BookParameter(arr)


class Affine(_layers.Affine):
    """``x @ W + b`` with ``x`` flattened to ``(N, -1)`` first (item 5.12), as the book takes it.

    :class:`minigrad.layerwise.layers.Affine` (backward by autodiff; ``dW``,
    ``db`` after it), built from whatever the book's layer takes: ndarrays of
    any number type, Tensors, a number as the bias (see :func:`book_parameter`).
    """

    def __init__(self, W: Any, b: Any) -> None:  # noqa: N803 - the book's names
        W = book_parameter(W, "Affine: W")
        super().__init__(W, book_parameter(b, "Affine: b", W.shape[-1] if W.ndim else None))


class Convolution(_layers.Convolution):
    """The book's convolution layer (item 7.4), taking what the book's layer takes.

    :class:`minigrad.layerwise.layers.Convolution` (``im2col`` and one matmul;
    backward by autodiff) built from ndarrays or Tensors, e.g. one filter of a
    trained network with an integer bias, ``Convolution(w, 0)``
    (ch07/apply_filter.py; see :func:`book_parameter`).

    Examples
    --------
    >>> import numpy as np
    >>> from minigrad.book.layers import Convolution
    >>> conv = Convolution(np.ones((1, 1, 3, 3)), 0)
    >>> conv.forward(np.arange(16.0).reshape(1, 1, 4, 4)).data[0, 0]
    array([[45., 54.],
           [81., 90.]])
    """

    def __init__(self, W: Any, b: Any, stride: int = 1, pad: int = 0) -> None:  # noqa: N803
        W = book_parameter(W, "Convolution: W")
        super().__init__(W, book_parameter(b, "Convolution: b", W.shape[0] if W.ndim else None),
                         stride, pad)


class BatchNormalization(_layers.BatchNormalization):
    """The book's batch normalisation (item 6.13), taking ``gamma``/``beta`` as the book does.

    :class:`minigrad.layerwise.layers.BatchNormalization` built from ndarrays
    of any number type or Tensors (see :func:`book_parameter`).
    """

    def __init__(self, gamma: Any, beta: Any, momentum: float = 0.9,
                 running_mean: np.ndarray | None = None,
                 running_var: np.ndarray | None = None) -> None:
        super().__init__(book_parameter(gamma, "BatchNormalization: gamma"),
                         book_parameter(beta, "BatchNormalization: beta"), momentum,
                         running_mean, running_var)
