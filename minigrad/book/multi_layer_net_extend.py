"""The book's ``common/multi_layer_net_extend.py``: :class:`MultiLayerNetExtend` (item 6.14).

The network is defined in :mod:`minigrad.layerwise.multi_layer_net_extend`, below
both this package and :mod:`minigrad.models` (whose ``MultiLayerNet`` extends it).
"""

import os
import sys
from collections import OrderedDict

from minigrad.book.gradient import numerical_gradient
from minigrad.book.layers import *  # noqa: F403
from minigrad.book.layers import __all__ as _layers_all
from minigrad.layerwise.multi_layer_net_extend import MultiLayerNetExtend

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "OrderedDict", *_layers_all, "numerical_gradient",
           "MultiLayerNetExtend"]
