"""Exercise (chapter 5): the backward pass of the sigmoid.

Write backward so that it returns dx given dout. Hint: the derivative of
y = 1 / (1 + exp(-x)) can be written with y alone. Check your work with:

    python -m minigrad.book.exercises exercises/sigmoid.py
"""

import numpy as np


class Sigmoid:
    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout):
        # TODO
        raise NotImplementedError("write Sigmoid.backward")
