"""Exercise (chapter 5): the backward pass of the affine layer out = x @ W + b.

Write backward so that it returns dx and stores self.dW and self.db, each of
the shape of what it is the gradient of (x, W, b). Check your work with:

    python -m minigrad.book.exercises exercises/affine.py
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
        # TODO: dx, then self.dW and self.db (b was added to every row of the batch)
        raise NotImplementedError("write Affine.backward")
