"""Exercise (chapter 5): the backward pass of ReLU.

forward keeps what backward needs; write backward so that it returns dx, the
gradient of the loss with respect to x, given dout, the gradient with respect
to the output. Check your work with:

    python -m minigrad.book.exercises exercises/relu.py
"""

import numpy as np


class Relu:
    def forward(self, x):
        self.negative = x <= 0          # where the output is cut to 0
        return np.where(self.negative, 0.0, x)

    def backward(self, dout):
        # TODO: the output is x where x > 0 and 0 elsewhere; what reaches x?
        raise NotImplementedError("write Relu.backward")
