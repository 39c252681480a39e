"""minigrad.book.functions: the activations and losses of chapters 3 and 4, on arrays and Tensors.

Expected values are written out from the formulas element by element with
:mod:`math`, never through the functions under test.
"""

import math

import numpy as np
import pytest

import minigrad as mg
from minigrad.book import functions as bf
from minigrad.numerical import numerical_gradient
from minigrad.tensor import Tensor


def _logistic(v):
    return 1.0 / (1.0 + math.exp(-v))


def _softmax_row(row):
    m = max(row)
    e = [math.exp(v - m) for v in row]
    s = sum(e)
    return [v / s for v in e]


def test_star_import_brings_np_and_the_functions():
    scope = {}
    exec("from minigrad.book.functions import *", scope)  # noqa: S102 - the star import itself
    assert scope["np"] is np
    for name in ("identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu",
                 "relu_grad", "softmax", "sum_squared_error", "mean_squared_error",
                 "cross_entropy_error", "softmax_loss"):
        assert callable(scope[name]), name


def test_step_function_integers_on_arrays_and_tensors():
    x = np.array([-1.5, 0.0, 1e-9, 3.0])
    y = bf.step_function(x)
    assert isinstance(y, np.ndarray) and y.dtype == np.array([1]).dtype
    assert y.tolist() == [0, 0, 1, 1]
    yt = bf.step_function(Tensor(x))
    assert isinstance(yt, Tensor) and yt.data.dtype.kind == "i"
    assert yt.data.tolist() == [0, 0, 1, 1]


def test_step_function_on_a_python_float_gives_a_0d_integer_array():
    # item 3.2 applies it to single numbers too; NumPy >= 1.24 has no np.int to spell the type
    for value, expected in ((3.0, 1), (-0.5, 0), (0.0, 0)):
        y = bf.step_function(value)
        assert isinstance(y, np.ndarray) and y.shape == () and y.dtype == np.array(1).dtype
        assert int(y) == expected


def test_identity_returns_its_argument():
    x = np.array([1.0, -2.0])
    assert bf.identity_function(x) is x
    t = Tensor(x)
    assert bf.identity_function(t) is t


def test_sigmoid_relu_values_on_arrays(rng):
    x = rng.normal(size=(3, 4)) * 3
    s = bf.sigmoid(x)
    assert isinstance(s, np.ndarray)
    np.testing.assert_allclose(s, [[_logistic(v) for v in row] for row in x], rtol=1e-14)
    r = bf.relu(x)
    np.testing.assert_array_equal(r, [[v if v > 0 else 0.0 for v in row] for row in x])
    np.testing.assert_allclose(bf.sigmoid_grad(x),
                               [[_logistic(v) * (1 - _logistic(v)) for v in row] for row in x],
                               rtol=1e-13)


def test_relu_grad_is_one_from_zero_up():
    x = np.array([-2.0, 0.0, 0.5])
    g = bf.relu_grad(x)
    assert g.tolist() == [0.0, 1.0, 1.0] and g.dtype == x.dtype
    gt = bf.relu_grad(Tensor(x))
    assert isinstance(gt, Tensor) and gt.data.tolist() == [0.0, 1.0, 1.0]


def test_softmax_rows_and_single_vector(rng):
    x = rng.normal(size=(5, 3)) * 10
    y = bf.softmax(x)
    np.testing.assert_allclose(y, [_softmax_row(list(row)) for row in x], rtol=1e-13)
    v = np.array([1010.0, 1000.0, 990.0])  # overflows without the max shift
    np.testing.assert_allclose(bf.softmax(v), _softmax_row(list(v)), rtol=1e-13)


def test_array_results_match_tensor_results(rng):
    x = rng.normal(size=(4, 5))
    for fn in (bf.sigmoid, bf.relu, bf.softmax, bf.sigmoid_grad):
        out = fn(Tensor(x))
        assert isinstance(out, Tensor), fn.__name__
        np.testing.assert_allclose(out.data, fn(x), rtol=1e-14, err_msg=fn.__name__)


def test_sum_squared_error_and_its_korean_name():
    y = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t = np.zeros(10)
    t[2] = 1
    expected = 0.5 * sum((a - b) ** 2 for a, b in zip(y, t))
    assert bf.sum_squared_error(y, t) == pytest.approx(expected, rel=1e-15)
    assert bf.mean_squared_error is bf.sum_squared_error
    out = bf.sum_squared_error(Tensor(y), t)
    assert isinstance(out, Tensor) and out.item() == pytest.approx(expected, rel=1e-15)


def test_cross_entropy_adds_1e7_inside_the_log():
    y = np.array([[0.1, 0.7, 0.2], [0.0, 0.5, 0.5]])
    t_idx = np.array([1, 0])
    expected = -(math.log(0.7 + 1e-7) + math.log(0.0 + 1e-7)) / 2
    loss = bf.cross_entropy_error(y, t_idx)
    assert isinstance(loss, np.floating)
    assert loss == pytest.approx(expected, rel=1e-15)
    one_hot = np.eye(3)[t_idx]
    assert bf.cross_entropy_error(y, one_hot) == pytest.approx(expected, rel=1e-15)
    # one sample as a 1-D vector
    assert bf.cross_entropy_error(y[0], one_hot[0]) == pytest.approx(-math.log(0.7 + 1e-7))
    # the book's example of item 4.2: 0.510825457099338
    y1 = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])
    t1 = np.eye(10)[2]
    assert bf.cross_entropy_error(y1, t1) == pytest.approx(-math.log(0.6 + 1e-7), rel=1e-15)


def test_cross_entropy_on_tensors_differentiates(rng):
    y = rng.uniform(0.05, 1.0, size=(3, 4))
    t = np.array([0, 3, 1])
    yt = mg.tensor(y, requires_grad=True)
    loss = bf.cross_entropy_error(yt, t)
    assert isinstance(loss, Tensor)
    assert loss.item() == pytest.approx(float(bf.cross_entropy_error(y, t)), rel=1e-14)
    loss.backward()
    expected = np.zeros_like(y)
    for n, k in enumerate(t):
        expected[n, k] = -1.0 / (3 * (y[n, k] + 1e-7))
    np.testing.assert_allclose(yt.grad, expected, rtol=1e-12)


def test_cross_entropy_names_mismatched_targets():
    with pytest.raises(ValueError, match="cross_entropy_error: y has shape"):
        bf.cross_entropy_error(np.full((2, 3), 1 / 3), np.array([0, 1, 2, 0, 1]))


def test_softmax_loss_gradient_matches_numerical(rng):
    x = rng.normal(size=(2, 3))
    t = np.array([2, 0])
    xt = mg.tensor(x.copy(), requires_grad=True)
    loss = bf.softmax_loss(xt, t)
    assert loss.item() == pytest.approx(float(bf.softmax_loss(x, t)), rel=1e-14)
    loss.backward()
    num = numerical_gradient(lambda _: bf.softmax_loss(x, t), x)
    np.testing.assert_allclose(xt.grad, num, rtol=1e-5, atol=1e-8)


def test_sigmoid_and_relu_tensor_gradients(rng):
    x = rng.normal(size=(6,))
    x[0] = 0.0
    xt = mg.tensor(x, requires_grad=True)
    bf.sigmoid(xt).sum().backward()
    np.testing.assert_allclose(xt.grad, [_logistic(v) * (1 - _logistic(v)) for v in x],
                               rtol=1e-12)
    xr = mg.tensor(x, requires_grad=True)
    bf.relu(xr).sum().backward()
    np.testing.assert_array_equal(xr.grad, [1.0 if v > 0 else 0.0 for v in x])


def test_chapter3_forward_pass_keeps_float32_and_agrees_on_tensors(rng):
    # the shapes of the book's sample_weight.pkl, float32 as it ships
    shapes = {"W1": (784, 50), "b1": (50,), "W2": (50, 100), "b2": (100,),
              "W3": (100, 10), "b3": (10,)}
    net = {k: (rng.normal(size=s) * 0.1).astype(np.float32) for k, s in shapes.items()}
    x = rng.random((5, 784)).astype(np.float32)

    def predict(f, x):
        z1 = f.sigmoid(x @ f.W1 + f.b1)
        z2 = f.sigmoid(z1 @ f.W2 + f.b2)
        return f.softmax(z2 @ f.W3 + f.b3)

    class Arrays:
        sigmoid, softmax = staticmethod(bf.sigmoid), staticmethod(bf.softmax)
        W1, b1, W2, b2, W3, b3 = (net[k] for k in ("W1", "b1", "W2", "b2", "W3", "b3"))

    class Tensors(Arrays):
        W1, b1, W2, b2, W3, b3 = (Tensor(net[k]) for k in ("W1", "b1", "W2", "b2", "W3", "b3"))

    y = predict(Arrays, x)
    assert y.dtype == np.float32 and y.shape == (5, 10)
    np.testing.assert_allclose(y.sum(axis=1), 1.0, rtol=1e-6)
    # the same forward pass written out with math, for the first sample's last layer
    a1 = x[0].astype(np.float64) @ net["W1"] + net["b1"]
    z1 = np.array([_logistic(v) for v in a1])
    z2 = np.array([_logistic(v) for v in z1 @ net["W2"] + net["b2"]])
    np.testing.assert_allclose(y[0], _softmax_row(list(z2 @ net["W3"] + net["b3"])), rtol=1e-5)
    yt = predict(Tensors, Tensor(x))
    assert isinstance(yt, Tensor)
    np.testing.assert_allclose(yt.data, y, rtol=1e-6)
