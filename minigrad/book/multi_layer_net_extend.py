"""The book's ``common/multi_layer_net_extend.py``: :class:`MultiLayerNetExtend` (item 6.14).

The network is defined in :mod:`minigrad.layerwise.multi_layer_net_extend`, below
both this package and :mod:`minigrad.models` (whose ``MultiLayerNet`` extends it).
"""

from minigrad.layerwise.multi_layer_net_extend import MultiLayerNetExtend

__all__ = ["MultiLayerNetExtend"]
