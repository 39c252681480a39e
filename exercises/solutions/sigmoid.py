"""Solution (chapter 5): the backward pass of the sigmoid.

Write backward so that it returns dx given dout. Hint: the derivative of
y = 1 / (1 + exp(-x)) can be written with y alone. Checked with:

    python -m minigrad.book.exercises exercises/solutions/sigmoid.py
"""

import numpy as np


class Sigmoid:
    def forward(self, x):
        self.out = 1.0 / (1.0 + np.exp(-x))
        return self.out

    def backward(self, dout):
        # dy/dx = y (1 - y)
        return dout * self.out * (1.0 - self.out)
