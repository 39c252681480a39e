"""The book's ``common/multi_layer_net_extend.py``: :class:`MultiLayerNetExtend` (item 6.14).

The network is defined in :mod:`minigrad.layerwise.multi_layer_net_extend`, below
both this package and :mod:`minigrad.models` (whose ``MultiLayerNet`` extends it);
the book's form here ends in the book's loss
(:class:`minigrad.book.layers.SoftmaxWithLoss`).
"""

import os
import sys
from collections import OrderedDict

from minigrad.book.gradient import numerical_gradient
from minigrad.book.layers import *  # noqa: F403
from minigrad.book.layers import SoftmaxWithLoss
from minigrad.book.layers import __all__ as _layers_all
from minigrad.layerwise import multi_layer_net_extend as _extend

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "OrderedDict", *_layers_all, "numerical_gradient",
           "MultiLayerNetExtend"]


class MultiLayerNetExtend(_extend.MultiLayerNetExtend):
    """The book's fully connected network with BatchNorm, Dropout and weight decay.

    :class:`minigrad.layerwise.multi_layer_net_extend.MultiLayerNetExtend` (same
    parameters, layers and modes) ending in the book's loss,
    :class:`minigrad.book.layers.SoftmaxWithLoss`.

    Examples
    --------
    >>> from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend
    >>> net = MultiLayerNetExtend(4, [3, 3], 2, use_batchnorm=True, seed=0)
    >>> list(net.params)
    ['W1', 'b1', 'W2', 'b2', 'W3', 'b3', 'gamma1', 'beta1', 'gamma2', 'beta2']
    """

    loss_layer = SoftmaxWithLoss
