"""The book's ``common/`` and ``dataset/`` modules (chapters 3 to 8), on minigrad.

Each module mirrors a file of the book's code, so its scripts run with only
their imports changed::

    # from common.layers import Affine, Relu      (the book)
    from minigrad.book.layers import Affine, Relu  # minigrad

=========================================  =========================================
the book                                   minigrad
=========================================  =========================================
``common/functions.py``                    :mod:`minigrad.book.functions`
``ch05/layer_naive.py``                    :mod:`minigrad.book.layer_naive`
``common/layers.py``                       :mod:`minigrad.book.layers`
``common/gradient.py``                     :mod:`minigrad.book.gradient`
``common/optimizer.py``                    :mod:`minigrad.book.optimizer`
``common/trainer.py``                      :mod:`minigrad.book.trainer`
``common/util.py``                         :mod:`minigrad.book.util`
``ch05/two_layer_net.py``                  :mod:`minigrad.book.two_layer_net`
``common/multi_layer_net.py``              :mod:`minigrad.book.multi_layer_net`
``common/multi_layer_net_extend.py``       :mod:`minigrad.book.multi_layer_net_extend`
``ch07/simple_convnet.py``                 :mod:`minigrad.book.simple_convnet`
``ch08/deep_convnet.py``                   :mod:`minigrad.book.deep_convnet`
``dataset/mnist.py``                       :mod:`minigrad.book.mnist` (the book's types)
=========================================  =========================================

What is different underneath: every layer is a :class:`minigrad.nn.Module`
whose ``forward`` records minigrad ops, and every ``backward`` is automatic
differentiation of what ``forward`` recorded; no derivative is written by
hand. A network's ``gradient(x, t)`` differentiates its whole loss at once.
Parameters are :class:`~minigrad.nn.Parameter` tensors shared by reference
between ``network.params`` and the layers, as the book's arrays are; the
book's optimizers (:mod:`minigrad.book.optimizer`) update them in place.

The rule for a script's imports: ``common.X`` becomes ``minigrad.book.X``,
``dataset.mnist`` becomes ``minigrad.book.mnist``, and the chapter-local
modules above (``layer_naive``, ``two_layer_net`` of chapter 5,
``simple_convnet``, ``deep_convnet``) become ``minigrad.book.<name>``.

Where the book's behaviour and minigrad's differ, the book's wins here: ``loss()``
and ``accuracy()`` return ``np.float64``, the loss is the book's formula (``1e-7``
inside the log), parameters take item assignment, layers take plain arrays and
integer biases, the optimizers take plain numbers, and a star import brings
``np``. The book's pickled weights load through an allow-list that never runs a
pickle's code (:mod:`minigrad.book.weights`).

The optimizers here follow the book's rules and defaults exactly (e.g. Adam's
``1e-7`` after the square root); :mod:`minigrad.optim` has the PyTorch-style
ones (``step()`` on parameters, ``torch.optim``'s rules and defaults).
"""
