"""The second book's code (``common/``, ``dataset/`` and the chapter models), on minigrad.

Each module mirrors a file of the book's repository, so a script runs with
its imports changed mechanically::

    # from common.time_layers import *            (the book)
    from minigrad.book2.time_layers import *      # minigrad

=========================================  =============================================
the book                                   minigrad
=========================================  =============================================
``common/np.py``                          :mod:`minigrad.book2.np`
``common/config.py``                      :mod:`minigrad.book2.config`
``common/functions.py``                    :mod:`minigrad.book2.functions`
``common/layers.py``                       :mod:`minigrad.book2.layers`
``common/time_layers.py``                  :mod:`minigrad.book2.time_layers`
``common/optimizer.py``                    :mod:`minigrad.book2.optimizer`
``common/trainer.py``                      :mod:`minigrad.book2.trainer`
``common/util.py``                         :mod:`minigrad.book2.util`
``common/base_model.py``                   :mod:`minigrad.book2.base_model`
``ch01/two_layer_net.py``                  :mod:`minigrad.book2.two_layer_net`
``ch03/simple_cbow.py``                    :mod:`minigrad.book2.simple_cbow`
``ch03/simple_skip_gram.py``               :mod:`minigrad.book2.simple_skip_gram`
``ch04/negative_sampling_layer.py``        :mod:`minigrad.book2.negative_sampling_layer`
``ch04/cbow.py``                           :mod:`minigrad.book2.cbow`
``ch04/skip_gram.py``                      :mod:`minigrad.book2.skip_gram`
``ch05/simple_rnnlm.py``                   :mod:`minigrad.book2.simple_rnnlm`
``ch06/rnnlm.py``                         :mod:`minigrad.book2.rnnlm`
``ch06/better_rnnlm.py``                  :mod:`minigrad.book2.better_rnnlm`
``ch07/seq2seq.py``                       :mod:`minigrad.book2.seq2seq`
``ch07/peeky_seq2seq.py``                 :mod:`minigrad.book2.peeky_seq2seq`
``ch07/rnnlm_gen.py``                      :mod:`minigrad.book2.rnnlm_gen`
``ch08/attention_layer.py``                :mod:`minigrad.book2.attention_layer`
``ch08/attention_seq2seq.py``              :mod:`minigrad.book2.attention_seq2seq`
``dataset/ptb.py`` etc.                    :mod:`minigrad.book2.dataset`
=========================================  =============================================

The layers keep the book's surface: ``params`` and ``grads`` are lists of
NumPy arrays, gradients are written into the ``grads`` arrays in place, and
``forward``/``backward`` take and return arrays. Underneath, ``forward``
records minigrad ops and ``backward`` is automatic differentiation of them;
no derivative is written by hand.
"""
