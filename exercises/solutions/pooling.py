"""Solution (chapter 7): the backward pass of max pooling.

forward takes the largest value of each window and remembers where it was.
Write backward so that it returns dx: each window's gradient goes to the
position of its maximum, and nowhere else. Checked with:

    python -m minigrad.book.exercises exercises/solutions/pooling.py
"""

import numpy as np

from minigrad.book.util import col2im, im2col


class Pooling:
    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h = pool_h
        self.pool_w = pool_w
        self.stride = stride
        self.pad = pad

    def forward(self, x):
        n, c, h, w = x.shape
        oh = (h + 2 * self.pad - self.pool_h) // self.stride + 1
        ow = (w + 2 * self.pad - self.pool_w) // self.stride + 1
        self.x_shape = x.shape
        col = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        col = col.reshape(-1, self.pool_h * self.pool_w)      # one window per row
        self.argmax = col.argmax(axis=1)
        return col.max(axis=1).reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        size = self.pool_h * self.pool_w
        d = dout.transpose(0, 2, 3, 1).reshape(-1)           # one value per window
        dcol = np.zeros((d.size, size))
        dcol[np.arange(d.size), self.argmax] = d
        dcol = dcol.reshape(-1, self.x_shape[1] * size)     # back to im2col's rows
        return col2im(dcol, self.x_shape, self.pool_h, self.pool_w, self.stride, self.pad)
