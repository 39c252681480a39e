"""A hand-written NumPy CBOW with negative sampling, as the second book builds it (chapter 4).

Written here from the book's description (layers with ``params``/``grads`` lists and a
hand-written backward), not taken from its code. It computes in NumPy's dtypes as the
book's layers do: the sigmoid loss's gradient against integer labels is float64 although
the weights are float32, flows on as float64, and is added row by row (``np.add.at``) into
float32 gradient arrays. The tests compare float32 steps of :class:`minigrad.book2.cbow.CBOW`
with this one bit for bit.
"""

from __future__ import annotations

import numpy as np


class Rows:
    """``W[ids]``; the gradient added up row by row in ``W``'s dtype."""

    def __init__(self, W):  # noqa: N803
        self.params, self.grads = [W], [np.zeros_like(W)]
        self.ids = None

    def forward(self, ids):
        self.ids = ids
        return self.params[0][ids]

    def backward(self, dout):
        self.grads[0][...] = 0
        np.add.at(self.grads[0], self.ids, dout)


class NegativeSampling:
    """The positive word's logistic loss plus the given negatives' (their sum)."""

    def __init__(self, W, n_negative):  # noqa: N803
        self.rows = [Rows(W) for _ in range(n_negative + 1)]
        self.params = [p for r in self.rows for p in r.params]
        self.grads = [g for r in self.rows for g in r.grads]
        self.cache = []

    def forward(self, h, target, negatives):
        loss, self.cache = 0, []
        ids = [target] + [negatives[:, i] for i in range(negatives.shape[1])]
        for k, (rows, idx) in enumerate(zip(self.rows, ids)):
            w = rows.forward(idx)
            y = 1 / (1 + np.exp(-np.sum(w * h, axis=1)))
            label = np.full(len(idx), 1 if k == 0 else 0, dtype=np.int32)
            pair = np.c_[1 - y, y]
            loss += -np.sum(np.log(pair[np.arange(len(idx)), label] + 1e-7)) / len(idx)
            self.cache.append((h, w, y, label))
        return loss

    def backward(self):
        dh = 0
        for rows, (h, w, y, label) in zip(self.rows, self.cache):
            dscore = ((y - label) * 1 / len(label)).reshape(-1, 1)
            rows.backward(dscore * h)
            dh += dscore * w
        return dh


class CBOW:
    """Context rows averaged, then negative sampling against ``W_out``."""

    def __init__(self, W_in, W_out, n_context, n_negative):  # noqa: N803
        self.inputs = [Rows(W_in) for _ in range(n_context)]
        self.loss = NegativeSampling(W_out, n_negative)
        self.params = [p for r in self.inputs for p in r.params] + self.loss.params
        self.grads = [g for r in self.inputs for g in r.grads] + self.loss.grads

    def forward(self, contexts, target, negatives):
        h = 0
        for i, rows in enumerate(self.inputs):
            h += rows.forward(contexts[:, i])
        h *= 1 / len(self.inputs)
        return self.loss.forward(h, target, negatives)

    def backward(self):
        dh = self.loss.backward()
        dh *= 1 / len(self.inputs)
        for rows in self.inputs:
            rows.backward(dh)
