"""A two-layer network in plain NumPy with a backward pass derived by hand.

The tests use it as the reference for minigrad's two-layer network of chapters 4 and 5
(affine, sigmoid, affine, softmax, cross-entropy error): no autodiff is involved here,
every derivative is the chain rule written out for this one network. It computes what
the book's network computes:

* the weights come from the global NumPy generator, ``std * np.random.randn(rows, cols)``
  for the first layer then the second, and the biases start at zero, so that one seed
  gives the same starting point;
* the loss is the batch mean of ``-log(p + 1e-7)``, ``p`` the probability of the right
  class (the small constant keeps the logarithm finite);
* the gradient of that mean with respect to the scores is ``(probabilities - one_hot) / N``.

The parameters are a dict of arrays with the keys ``"W1"``, ``"b1"``, ``"W2"``, ``"b2"``.
"""

import numpy as np

#: The constant added inside the logarithm of the loss.
LOG_FLOOR = 1e-7


def _logistic(z):
    return 1 / (1 + np.exp(-z))


def softmax(scores):
    """Probabilities over the last axis, after subtracting the row maximum."""
    shifted = scores - np.max(scores, axis=-1, keepdims=True)
    weights = np.exp(shifted)
    return weights / np.sum(weights, axis=-1, keepdims=True)


def cross_entropy_error(probs, targets):
    """Batch mean of ``-log(p_right + 1e-7)``; one-hot rows or class indices as targets."""
    targets = np.asarray(targets)
    if probs.ndim == 1:  # a single example
        probs = probs[np.newaxis, :]
        targets = targets.reshape(1, -1)
    rows = probs.shape[0]
    labels = targets.argmax(axis=1) if targets.size == probs.size else targets.reshape(rows)
    right = probs[np.arange(rows), labels]
    return -np.sum(np.log(right + LOG_FLOOR)) / rows


def init_params(input_size, hidden_size, output_size, weight_init_std=0.01):
    """Draw a starting point from ``np.random`` (first layer first), biases at zero."""
    first = weight_init_std * np.random.randn(input_size, hidden_size)
    second = weight_init_std * np.random.randn(hidden_size, output_size)
    return {"W1": first, "b1": np.zeros(hidden_size),
            "W2": second, "b2": np.zeros(output_size)}


def _forward(params, x):
    """The pre-activation and activation of the hidden layer, and the output probabilities."""
    pre = np.dot(x, params["W1"]) + params["b1"]
    hidden = _logistic(pre)
    return pre, hidden, softmax(np.dot(hidden, params["W2"]) + params["b2"])


def predict(params, x):
    """Output probabilities, one row per example."""
    return _forward(params, x)[2]


def loss(params, x, t):
    """The mean cross-entropy error of the batch."""
    return cross_entropy_error(predict(params, x), t)


def accuracy(params, x, t):
    """Share of the rows whose most probable class is the target (one-hot or indices)."""
    guesses = np.argmax(predict(params, x), axis=1)
    truth = np.argmax(t, axis=1) if np.ndim(t) == 2 else np.asarray(t)
    return np.count_nonzero(guesses == truth) / float(x.shape[0])


def gradient(params, x, t):
    """Gradient of :func:`loss` for one-hot targets ``t``, by the chain rule, layer by layer."""
    pre, hidden, probs = _forward(params, x)
    d_scores = (probs - t) / x.shape[0]               # softmax and loss together
    d_hidden = np.dot(d_scores, params["W2"].T)       # back through the second affine
    s = _logistic(pre)
    d_pre = (1.0 - s) * s * d_hidden                  # the sigmoid's derivative is s (1 - s)
    return {"W1": np.dot(x.T, d_pre), "b1": np.sum(d_pre, axis=0),
            "W2": np.dot(hidden.T, d_scores), "b2": np.sum(d_scores, axis=0)}
