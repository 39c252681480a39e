"""Solution (chapter 5): the backward pass of the affine layer out = x @ W + b.

Write backward so that it returns dx and stores self.dW and self.db, each of
the shape of what it is the gradient of (x, W, b). Checked with:

    python -m minigrad.book.exercises exercises/solutions/affine.py
"""

import numpy as np


class Affine:
    def __init__(self, W, b):
        self.W = W
        self.b = b
        self.dW = None
        self.db = None

    def forward(self, x):
        self.x = x
        return np.dot(x, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self.x.T, dout)      # (in, out), the shape of W
        self.db = dout.sum(axis=0)            # b reached every row: sum over the batch
        return np.dot(dout, self.W.T)         # (batch, in), the shape of x
