"""A hand-written NumPy LSTM language model, as the second book builds it (chapter 6), and
chapter 5's RNN one.

Written here from the book's equations (the layer protocol of its ``common/time_layers.py``:
``params``/``grads`` lists filled in place, a cache per step, a hand-written backward),
not taken from its code. It is what ``benchmarks/lstm_step.py`` times
:class:`minigrad.book2.rnnlm.Rnnlm` against, and what the tests compare one step of that
model with.

The structure follows the book where it matters for speed:

* the LSTM computes ``x_t @ Wx + h @ Wh + b`` step by step, keeping one cache per step;
* the embedding's backward clears a full ``(V, D)`` gradient array at every step and
  adds it up (``np.add.at``), as the book's time-distributed embedding does;
* the output affine and the softmax loss work on all ``N * T`` rows at once.

It also adds and multiplies in the book's order (each gate's derivative a factor of its
own, the loss gradient divided by the count after the ``dout`` product, the embedding's
steps added ``t = 0, 1, ...``, the clipping norm summed in the gradients' precision), so a
float32 step of :class:`minigrad.book2.rnnlm.Rnnlm` equals this one bit for bit.
"""

from __future__ import annotations

import numpy as np


def _sigmoid(x: np.ndarray) -> np.ndarray:
    return 1 / (1 + np.exp(-x))


class TimeEmbedding:
    """``W[xs[:, t]]`` per step; backward sums one full-size gradient per step."""

    def __init__(self, W):  # noqa: N803
        self.params = [W]
        self.grads = [np.zeros_like(W)]
        self.ids = []

    def forward(self, xs):
        W = self.params[0]  # noqa: N806
        N, T = xs.shape  # noqa: N806
        out = np.empty((N, T, W.shape[1]), dtype=W.dtype)
        self.ids = []
        for t in range(T):
            idx = xs[:, t]
            self.ids.append(idx)
            out[:, t, :] = W[idx]
        return out

    def backward(self, dout):
        total = None
        step_grad = np.zeros_like(self.params[0])
        for t, idx in enumerate(self.ids):
            step_grad[...] = 0
            np.add.at(step_grad, idx, dout[:, t, :])
            if total is None:
                total = step_grad.copy()
            else:
                total += step_grad
        self.grads[0][...] = total


class TimeLSTM:
    """Gates ``[f, g, i, o]`` of ``A = x @ Wx + h @ Wh + b``; stateful ``h`` and ``c``."""

    def __init__(self, Wx, Wh, b, stateful=False):  # noqa: N803
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.stateful = stateful
        self.h = self.c = None
        self.dh = None
        self.caches = []

    def forward(self, xs):
        Wx, Wh, b = self.params  # noqa: N806
        N, T, _ = xs.shape  # noqa: N806
        H = Wh.shape[0]  # noqa: N806
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, H), dtype="f")
        if not self.stateful or self.c is None:
            self.c = np.zeros((N, H), dtype="f")
        hs = np.empty((N, T, H), dtype=Wx.dtype)
        h, c = self.h, self.c
        self.caches = []
        for t in range(T):
            x = xs[:, t, :]
            a = x @ Wx + h @ Wh + b
            f = _sigmoid(a[:, :H])
            g = np.tanh(a[:, H:2 * H])
            i = _sigmoid(a[:, 2 * H:3 * H])
            o = _sigmoid(a[:, 3 * H:])
            c_next = f * c + g * i
            tanh_c = np.tanh(c_next)
            h_next = o * tanh_c
            self.caches.append((x, h, c, f, g, i, o, tanh_c))
            h, c = h_next, c_next
            hs[:, t, :] = h
        self.h, self.c = h, c
        return hs

    def backward(self, dhs):
        Wx, Wh, _ = self.params  # noqa: N806
        N, T, _ = dhs.shape  # noqa: N806
        D = Wx.shape[0]  # noqa: N806
        dxs = np.empty((N, T, D), dtype=dhs.dtype)
        dWx, dWh, db = (np.zeros_like(p) for p in self.params)  # noqa: N806
        dh = np.zeros_like(self.caches[0][1])
        dc = np.zeros_like(self.caches[0][2])
        for t in reversed(range(T)):
            x, h_prev, c_prev, f, g, i, o, tanh_c = self.caches[t]
            dh_next = dhs[:, t, :] + dh
            ds = dc + dh_next * o * (1 - tanh_c ** 2)
            dc = ds * f
            da = np.hstack((ds * c_prev * (f * (1 - f)), ds * i * (1 - g ** 2),
                            ds * g * (i * (1 - i)), dh_next * tanh_c * (o * (1 - o))))
            dWx += x.T @ da
            dWh += h_prev.T @ da
            db += da.sum(axis=0)
            dxs[:, t, :] = da @ Wx.T
            dh = da @ Wh.T
        for grad, value in zip(self.grads, (dWx, dWh, db)):
            grad[...] = value
        self.dh = dh
        return dxs

    def reset_state(self):
        self.h = self.c = None


class TimeRNN:
    """``h = tanh(h @ Wh + x @ Wx + b)`` step by step; stateful ``h``."""

    def __init__(self, Wx, Wh, b, stateful=False):  # noqa: N803
        self.params = [Wx, Wh, b]
        self.grads = [np.zeros_like(Wx), np.zeros_like(Wh), np.zeros_like(b)]
        self.stateful = stateful
        self.h = None
        self.caches = []

    def forward(self, xs):
        Wx, Wh, b = self.params  # noqa: N806
        N, T, _ = xs.shape  # noqa: N806
        if not self.stateful or self.h is None:
            self.h = np.zeros((N, Wh.shape[0]), dtype="f")
        hs = np.empty((N, T, Wh.shape[0]), dtype=Wx.dtype)
        h = self.h
        self.caches = []
        for t in range(T):
            h_next = np.tanh(h @ Wh + xs[:, t, :] @ Wx + b)
            self.caches.append((xs[:, t, :], h, h_next))
            h = hs[:, t, :] = h_next
        self.h = h
        return hs

    def backward(self, dhs):
        Wx, Wh, _ = self.params  # noqa: N806
        N, T, _ = dhs.shape  # noqa: N806
        dxs = np.empty((N, T, Wx.shape[0]), dtype=dhs.dtype)
        dWx, dWh, db = (np.zeros_like(p) for p in self.params)  # noqa: N806
        dh = np.zeros_like(self.caches[0][1])
        for t in reversed(range(T)):
            x, h_prev, h_next = self.caches[t]
            dt = (dhs[:, t, :] + dh) * (1 - h_next ** 2)
            db += dt.sum(axis=0)
            dWh += h_prev.T @ dt
            dWx += x.T @ dt
            dh = dt @ Wh.T
            dxs[:, t, :] = dt @ Wx.T
        for grad, value in zip(self.grads, (dWx, dWh, db)):
            grad[...] = value
        return dxs


class TimeAffine:
    """``x @ W + b`` on the ``(N * T, D)`` rows at once."""

    def __init__(self, W, b):  # noqa: N803
        self.params = [W, b]
        self.grads = [np.zeros_like(W), np.zeros_like(b)]
        self.x = None

    def forward(self, x):
        W, b = self.params  # noqa: N806
        N, T, D = x.shape  # noqa: N806
        self.x = x
        return (x.reshape(N * T, D) @ W + b).reshape(N, T, -1)

    def backward(self, dout):
        W, _ = self.params  # noqa: N806
        N, T, D = self.x.shape  # noqa: N806
        d2 = dout.reshape(N * T, -1)
        x2 = self.x.reshape(N * T, D)
        self.grads[0][...] = x2.T @ d2
        self.grads[1][...] = d2.sum(axis=0)
        return (d2 @ W.T).reshape(N, T, D)


class TimeSoftmaxWithLoss:
    """Mean cross-entropy of the softmax over every step; label -1 is skipped."""

    def __init__(self):
        self.params, self.grads = [], []
        self.cache = None

    def forward(self, xs, ts):
        N, T, V = xs.shape  # noqa: N806
        x2 = xs.reshape(N * T, V)
        t = ts.reshape(N * T)
        mask = t != -1
        e = np.exp(x2 - x2.max(axis=1, keepdims=True))
        y = e / e.sum(axis=1, keepdims=True)
        picked = np.log(y[np.arange(N * T), t]) * mask
        self.cache = (t, y, mask, (N, T, V))
        return -picked.sum() / mask.sum()

    def backward(self, dout=1):
        t, y, mask, shape = self.cache
        dx = y.copy()
        dx[np.arange(len(t)), t] -= 1
        dx *= dout
        dx /= mask.sum()
        dx *= mask[:, None]
        return dx.reshape(shape)


class Rnnlm:
    """Embedding, a stateful LSTM and an output affine (the book's sizes by default)."""

    def __init__(self, vocab_size=10000, wordvec_size=100, hidden_size=100):
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        self.layers = [
            TimeEmbedding((rn(V, D) / 100).astype("f")),
            TimeLSTM((rn(D, 4 * H) / np.sqrt(D)).astype("f"),
                     (rn(H, 4 * H) / np.sqrt(H)).astype("f"), np.zeros(4 * H, dtype="f"),
                     stateful=True),
            TimeAffine((rn(H, V) / np.sqrt(H)).astype("f"), np.zeros(V, dtype="f")),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]

    def forward(self, xs, ts):
        for layer in self.layers:
            xs = layer.forward(xs)
        return self.loss_layer.forward(xs, ts)

    def backward(self, dout=1):
        dout = self.loss_layer.backward(dout)
        for layer in reversed(self.layers):
            dout = layer.backward(dout)
        return dout

    def reset_state(self):
        self.layers[1].reset_state()


class SimpleRnnlm(Rnnlm):
    """Chapter 5's model: the LSTM replaced by a plain RNN."""

    def __init__(self, vocab_size=10000, wordvec_size=100, hidden_size=100):
        V, D, H = vocab_size, wordvec_size, hidden_size  # noqa: N806
        rn = np.random.randn
        self.layers = [
            TimeEmbedding((rn(V, D) / 100).astype("f")),
            TimeRNN((rn(D, H) / np.sqrt(D)).astype("f"), (rn(H, H) / np.sqrt(H)).astype("f"),
                    np.zeros(H, dtype="f"), stateful=True),
            TimeAffine((rn(H, V) / np.sqrt(H)).astype("f"), np.zeros(V, dtype="f")),
        ]
        self.loss_layer = TimeSoftmaxWithLoss()
        self.params = [p for layer in self.layers for p in layer.params]
        self.grads = [g for layer in self.layers for g in layer.grads]


def clip_grads(grads, max_norm):
    """Scale every gradient by ``max_norm / (norm + 1e-6)`` when the global norm is larger."""
    total = np.sqrt(sum(np.sum(g ** 2) for g in grads))
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


class SGD:
    """``W -= lr * g`` on lists of arrays."""

    def __init__(self, lr=0.01):
        self.lr = lr

    def update(self, params, grads):
        for p, g in zip(params, grads):
            p -= self.lr * g
