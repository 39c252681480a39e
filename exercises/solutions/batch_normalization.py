"""Solution (chapter 6): the backward pass of batch normalisation (training mode).

forward normalises each feature over the batch, then scales by gamma and shifts
by beta. Write backward so that it returns dx and stores self.dgamma and
self.dbeta. The mean and the variance depend on every x of the batch: dx has
three paths. Checked with:

    python -m minigrad.book.exercises exercises/solutions/batch_normalization.py
"""

import numpy as np


class BatchNormalization:
    def __init__(self, gamma, beta, eps=1e-6):
        self.gamma = gamma
        self.beta = beta
        self.eps = eps

    def forward(self, x, train_flg=True):
        mu = x.mean(axis=0)
        self.xc = x - mu
        self.std = np.sqrt((self.xc ** 2).mean(axis=0) + self.eps)
        self.xn = self.xc / self.std
        return self.gamma * self.xn + self.beta

    def backward(self, dout):
        n = dout.shape[0]
        self.dbeta = dout.sum(axis=0)
        self.dgamma = (dout * self.xn).sum(axis=0)
        dxn = dout * self.gamma
        # xn = xc / std: xc directly, and std through the variance of xc
        dxc = dxn / self.std
        dstd = -(dxn * self.xc).sum(axis=0) / self.std ** 2
        dxc += self.xc * dstd / (n * self.std)      # d std / d xc = xc / (n std)
        # xc = x - mean(x): every x also moves the mean
        return dxc - dxc.mean(axis=0)
