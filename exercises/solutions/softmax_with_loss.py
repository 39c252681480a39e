"""Solution (chapter 5): the backward pass of softmax followed by cross-entropy.

forward returns the mean loss over the batch; backward(dout=1) returns the
gradient of that loss with respect to the scores x. Checked with:

    python -m minigrad.book.exercises exercises/solutions/softmax_with_loss.py
"""

import numpy as np


class SoftmaxWithLoss:
    def forward(self, x, t):
        shifted = x - x.max(axis=1, keepdims=True)      # the same softmax, no overflow
        e = np.exp(shifted)
        self.y = e / e.sum(axis=1, keepdims=True)
        self.t = t                                       # one-hot targets
        return -np.sum(t * np.log(self.y + 1e-7)) / x.shape[0]

    def backward(self, dout=1):
        # softmax and cross-entropy together have the gradient y - t per sample;
        # the loss is the batch mean, so each sample's share is divided by the batch size
        return dout * (self.y - self.t) / self.y.shape[0]
