"""Solution (chapter 5): the backward pass of ReLU.

forward keeps what backward needs; write backward so that it returns dx, the
gradient of the loss with respect to x, given dout, the gradient with respect
to the output. Checked with:

    python -m minigrad.book.exercises exercises/solutions/relu.py
"""

import numpy as np


class Relu:
    def forward(self, x):
        self.negative = x <= 0          # where the output is cut to 0
        return np.where(self.negative, 0.0, x)

    def backward(self, dout):
        # the output is x itself where x > 0 (slope 1) and a constant elsewhere (slope 0)
        return np.where(self.negative, 0.0, dout)
