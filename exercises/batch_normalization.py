"""Exercise (chapter 6): the backward pass of batch normalisation (training mode).

forward normalises each feature over the batch, then scales by gamma and shifts
by beta. Write backward so that it returns dx and stores self.dgamma and
self.dbeta. The mean and the variance depend on every x of the batch: dx has
three paths. Check your work with:

    python -m minigrad.book.exercises exercises/batch_normalization.py
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
        # TODO: self.dbeta, self.dgamma, then dx through xn, std and the mean
        raise NotImplementedError("write BatchNormalization.backward")
