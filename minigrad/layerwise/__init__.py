"""Networks as ordered dicts of layers with ``forward`` and ``backward``: the book's design.

The shared code of :mod:`minigrad.book` (the book's module names) and
:mod:`minigrad.models` (the networks of the command line and the generic
trainer), so that neither reaches into the other:

* :mod:`minigrad.layerwise.base` -- ``backward`` of a layer by automatic
  differentiation of what its ``forward`` recorded;
* :mod:`minigrad.layerwise.layers` -- ``Relu``, ``Sigmoid``, ``Affine``,
  ``SoftmaxWithLoss``, ``BatchNormalization``, ``Dropout``, ``Convolution``,
  ``Pooling``;
* :mod:`minigrad.layerwise.net` -- the networks' shared surface (``params``,
  ``layers``, ``lastLayer``, gradients);
* :mod:`minigrad.layerwise.multi_layer_net_extend` -- ``MultiLayerNetExtend``.
"""
