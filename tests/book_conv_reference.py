"""Chapters 7 and 8 in plain NumPy, every backward pass derived by hand.

The reference that ``tests/book/test_convnet.py``, ``tests/book/test_book_form.py`` and
``benchmarks/conv_step.py`` compare minigrad with. No autodiff is involved. It follows the
book's algorithms operation for operation, so that its numbers and its cost are those of
the book's code:

* a convolution unrolls the input windows into rows (``im2col``), applies the filters as
  one matrix product, and its backward folds the row gradients back onto the image
  (``col2im``, adding where windows overlap);
* max pooling keeps the first maximum of each window and routes the gradient there;
* dropout draws its keep-mask from ``np.random.rand`` in training and scales by
  ``1 - ratio`` at inference (not inverted);
* the loss is the batch mean of ``-log(p_right + 1e-7)`` after a softmax, and its
  gradient with respect to the scores is ``(probabilities - targets) / N``;
* Adam keeps one step counter for all parameters and puts the bias correction into the
  step size;
* the two networks draw their weights from ``np.random.randn`` in the book's order, so
  one seed gives the book's starting point.
"""

import numpy as np
from book_reference import cross_entropy_error, softmax


def _out_size(size, kernel, stride, pad):
    return (size + 2 * pad - kernel) // stride + 1


def im2col(images, kh, kw, stride=1, pad=0):
    """Rows of ``(N * OH * OW, C * kh * kw)``: one row per output position, in float64."""
    n, c, h, w = images.shape
    oh, ow = _out_size(h, kh, stride, pad), _out_size(w, kw, stride, pad)
    padded = np.pad(images, ((0, 0), (0, 0), (pad, pad), (pad, pad)))
    windows = np.zeros((n, c, kh, kw, oh, ow))
    for i in range(kh):  # one strided copy per kernel offset
        for j in range(kw):
            windows[:, :, i, j] = padded[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride]
    return windows.transpose(0, 4, 5, 1, 2, 3).reshape(n * oh * ow, -1)


def col2im(rows, shape, kh, kw, stride=1, pad=0):
    """The adjoint of :func:`im2col`: rows summed back onto an image of ``shape``."""
    n, c, h, w = shape
    oh, ow = _out_size(h, kh, stride, pad), _out_size(w, kw, stride, pad)
    windows = rows.reshape(n, oh, ow, c, kh, kw).transpose(0, 3, 4, 5, 1, 2)
    canvas = np.zeros((n, c, h + 2 * pad + stride - 1, w + 2 * pad + stride - 1))
    for i in range(kh):
        for j in range(kw):
            canvas[:, :, i:i + stride * oh:stride, j:j + stride * ow:stride] += windows[:, :, i, j]
    return canvas[:, :, pad:h + pad, pad:w + pad]


class Relu:
    """``max(x, 0)``; the backward zeroes the incoming gradient in place where ``x <= 0``."""

    def forward(self, x):
        self._off = x <= 0
        out = x.copy()
        out[self._off] = 0
        return out

    def backward(self, dout):
        dout[self._off] = 0
        return dout


class Affine:
    """``x @ W + b`` on the input flattened to one row per example."""

    def __init__(self, W, b):  # noqa: N803 - the layer's usual name
        self.W, self.b = W, b
        self.dW = self.db = None

    def forward(self, x):
        self._in_shape = x.shape
        self._rows = x.reshape(x.shape[0], -1)
        return np.dot(self._rows, self.W) + self.b

    def backward(self, dout):
        self.dW = np.dot(self._rows.T, dout)
        self.db = np.sum(dout, axis=0)
        return np.dot(dout, self.W.T).reshape(*self._in_shape)


class SoftmaxWithLoss:
    """Softmax then :func:`cross_entropy_error`; the backward is ``(p - t) / N``."""

    def forward(self, scores, t):
        self._t = t
        self._probs = softmax(scores)
        return cross_entropy_error(self._probs, t)

    def backward(self, dout=1):
        n = self._t.shape[0]
        if self._t.size == self._probs.size:  # one-hot rows
            return (self._probs - self._t) / n
        grad = self._probs.copy()
        grad[np.arange(n), self._t] -= 1
        return grad / n


class Dropout:
    """Keep each unit with probability ``1 - ratio`` in training; scale by it at inference."""

    def __init__(self, dropout_ratio=0.5):
        self.ratio = dropout_ratio

    def forward(self, x, train_flg=True):
        if not train_flg:
            return x * (1.0 - self.ratio)
        self._keep = np.random.rand(*x.shape) > self.ratio
        return x * self._keep

    def backward(self, dout):
        return dout * self._keep


class Convolution:
    """Filters ``W`` of shape ``(FN, C, FH, FW)`` and biases ``b``, through :func:`im2col`."""

    def __init__(self, W, b, stride=1, pad=0):  # noqa: N803 - the layer's usual name
        self.W, self.b, self.stride, self.pad = W, b, stride, pad
        self.dW = self.db = None

    def forward(self, x):
        fn, _, fh, fw = self.W.shape
        n, _, h, w = x.shape
        oh, ow = _out_size(h, fh, self.stride, self.pad), _out_size(w, fw, self.stride, self.pad)
        rows = im2col(x, fh, fw, self.stride, self.pad)
        kernel = self.W.reshape(fn, -1).T
        self._saved = (x, rows, kernel)  # the input stays referenced, as in the book's layer
        out = np.dot(rows, kernel) + self.b
        return out.reshape(n, oh, ow, -1).transpose(0, 3, 1, 2)

    def backward(self, dout):
        fn, c, fh, fw = self.W.shape
        x, rows, kernel = self._saved
        flat = dout.transpose(0, 2, 3, 1).reshape(-1, fn)
        self.db = np.sum(flat, axis=0)
        self.dW = np.dot(rows.T, flat).T.reshape(fn, c, fh, fw)
        return col2im(np.dot(flat, kernel.T), x.shape, fh, fw, self.stride, self.pad)


class Pooling:
    """Max pooling over ``pool_h x pool_w`` windows; the first maximum wins a tie."""

    def __init__(self, pool_h, pool_w, stride=2, pad=0):
        self.pool_h, self.pool_w, self.stride, self.pad = pool_h, pool_w, stride, pad

    def forward(self, x):
        n, c, h, w = x.shape
        oh = _out_size(h, self.pool_h, self.stride, self.pad)
        ow = _out_size(w, self.pool_w, self.stride, self.pad)
        rows = im2col(x, self.pool_h, self.pool_w, self.stride, self.pad)
        rows = rows.reshape(-1, self.pool_h * self.pool_w)  # one window of one channel a row
        self._input = x  # referenced until the next forward, as in the book's layer
        self._winner = np.argmax(rows, axis=1)
        out = np.max(rows, axis=1)
        return out.reshape(n, oh, ow, c).transpose(0, 3, 1, 2)

    def backward(self, dout):
        flat = dout.transpose(0, 2, 3, 1).flatten()  # the windows' order: (N, OH, OW, C)
        area = self.pool_h * self.pool_w
        grad = np.zeros((flat.size, area))
        grad[np.arange(self._winner.size), self._winner] = flat
        n, oh, ow = dout.shape[0], dout.shape[2], dout.shape[3]
        return col2im(grad.reshape(n * oh * ow, -1), self._input.shape, self.pool_h,
                      self.pool_w, self.stride, self.pad)


class Adam:
    """Adam with one step counter for every parameter, bias correction in the step size."""

    def __init__(self, lr=0.001, beta1=0.9, beta2=0.999):
        self.lr, self.beta1, self.beta2 = lr, beta1, beta2
        self.iter = 0
        self._m = self._v = None

    def update(self, params, grads):
        if self._m is None:
            self._m = {key: np.zeros_like(value) for key, value in params.items()}
            self._v = {key: np.zeros_like(value) for key, value in params.items()}
        self.iter += 1
        step = self.lr * np.sqrt(1.0 - self.beta2 ** self.iter) / (1.0 - self.beta1 ** self.iter)
        for key in params:
            g = grads[key]
            self._m[key] += (1 - self.beta1) * (g - self._m[key])
            self._v[key] += (1 - self.beta2) * (g ** 2 - self._v[key])
            params[key] -= step * self._m[key] / (np.sqrt(self._v[key]) + 1e-7)


class _Network:
    """Layers run in order into a :class:`SoftmaxWithLoss`; gradients walk them back.

    Subclasses set ``params``, ``_layers`` and ``_weighted`` (the layers holding ``W`` and
    ``b``, whose gradients are reported as ``W1``, ``b1``, ``W2``, ...).
    """

    def predict(self, x, train_flg=False):
        for layer in self._layers:
            x = layer.forward(x, train_flg) if isinstance(layer, Dropout) else layer.forward(x)
        return x

    def loss(self, x, t):
        return self._head.forward(self.predict(x, train_flg=True), t)

    def gradient(self, x, t):
        self.loss(x, t)
        grad = self._head.backward(1)
        for layer in reversed(self._layers):
            grad = layer.backward(grad)
        grads = {}
        for i, layer in enumerate(self._weighted, start=1):
            grads[f"W{i}"], grads[f"b{i}"] = layer.dW, layer.db
        return grads


class SimpleConvNet(_Network):
    """Convolution, ReLU, 2x2 max pooling, affine, ReLU, affine (section 7.5)."""

    def __init__(self, input_dim=(1, 28, 28), conv_param=None, hidden_size=100,
                 output_size=10, weight_init_std=0.01):
        conv = {"filter_num": 30, "filter_size": 5, "pad": 0, "stride": 1, **(conv_param or {})}
        filters, size, pad, stride = (conv["filter_num"], conv["filter_size"], conv["pad"],
                                      conv["stride"])
        side = (input_dim[1] - size + 2 * pad) / stride + 1  # a float, as the book computes it
        pooled = int(filters * (side / 2) * (side / 2))

        def draw(*shape):
            return weight_init_std * np.random.randn(*shape)

        # drawn in this order: the filters, then the two affine weights
        self.params = {"W1": draw(filters, input_dim[0], size, size), "b1": np.zeros(filters)}
        self.params.update(W2=draw(pooled, hidden_size), b2=np.zeros(hidden_size))
        self.params.update(W3=draw(hidden_size, output_size), b3=np.zeros(output_size))
        p = self.params
        conv_layer = Convolution(p["W1"], p["b1"], stride, pad)
        hidden, out = Affine(p["W2"], p["b2"]), Affine(p["W3"], p["b3"])
        self._layers = [conv_layer, Relu(), Pooling(2, 2, 2), hidden, Relu(), out]
        self._weighted = [conv_layer, hidden, out]
        self._head = SoftmaxWithLoss()


class DeepConvNet(_Network):
    """Six 3x3 convolutions with ReLU (pooling after every second), then two affine layers
    with dropout (section 8.1); He initial weights."""

    CHANNELS = (16, 16, 32, 32, 64, 64)
    PADS = (1, 1, 1, 2, 1, 1)

    def __init__(self, input_dim=(1, 28, 28), hidden_size=50, output_size=10):
        # fan-in of each layer (the first counts one input channel, as the book's does)
        fan_in = [9] + [ch * 9 for ch in self.CHANNELS[:-1]] + [64 * 4 * 4, hidden_size]
        scales = np.sqrt(2.0 / np.array(fan_in))
        self.params = {}
        before = input_dim[0]
        for i, ch in enumerate(self.CHANNELS):
            self.params[f"W{i + 1}"] = scales[i] * np.random.randn(ch, before, 3, 3)
            self.params[f"b{i + 1}"] = np.zeros(ch)
            before = ch
        self.params["W7"] = scales[6] * np.random.randn(64 * 4 * 4, hidden_size)
        self.params["b7"] = np.zeros(hidden_size)
        self.params["W8"] = scales[7] * np.random.randn(hidden_size, output_size)
        self.params["b8"] = np.zeros(output_size)

        p = self.params
        self._layers, self._weighted = [], []
        for i, pad in enumerate(self.PADS):
            conv = Convolution(p[f"W{i + 1}"], p[f"b{i + 1}"], 1, pad)
            self._weighted.append(conv)
            self._layers += [conv, Relu()]
            if i % 2:
                self._layers.append(Pooling(2, 2, 2))
        hidden, out = Affine(p["W7"], p["b7"]), Affine(p["W8"], p["b8"])
        self._weighted += [hidden, out]
        self._layers += [hidden, Relu(), Dropout(0.5), out, Dropout(0.5)]
        self._head = SoftmaxWithLoss()
