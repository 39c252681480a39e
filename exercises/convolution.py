"""Exercise (chapter 7): the backward pass of a convolution computed with im2col.

forward unrolls every receptive field of x into a row (im2col) and multiplies
by the filters as a matrix. Write backward so that it returns dx (fold the
columns back with col2im) and stores self.dW and self.db. Check your work with:

    python -m minigrad.book.exercises exercises/convolution.py
"""

import numpy as np

from minigrad.book.util import col2im, im2col


class Convolution:
    def __init__(self, W, b, stride=1, pad=0):
        self.W = W            # (filters, channels, height, width)
        self.b = b            # (filters,)
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh = (h + 2 * self.pad - fh) // self.stride + 1
        ow = (w + 2 * self.pad - fw) // self.stride + 1
        self.x_shape = x.shape
        self.col = im2col(x, fh, fw, self.stride, self.pad)   # (n*oh*ow, c*fh*fw)
        self.col_W = self.W.reshape(fn, -1).T                 # (c*fh*fw, fn)
        out = self.col @ self.col_W + self.b                  # (n*oh*ow, fn)
        return out.reshape(n, oh, ow, fn).transpose(0, 3, 1, 2)

    def backward(self, dout):
        # TODO: bring dout to the (n*oh*ow, fn) layout of forward's product first
        raise NotImplementedError("write Convolution.backward")
