"""minigrad.models: SimpleNet and TwoLayerNet against NumPy with a hand-derived backward."""

from pathlib import Path

import numpy as np
import pytest
from book_reference import cross_entropy_error, softmax
from book_reference import gradient as book_gradient
from book_reference import predict as book_predict
from conftest import MNIST_DIR, have_mnist  # the suite's one MNIST location
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
from minigrad import nn
from minigrad.gradcheck import graph_op_names
from minigrad.models import SimpleNet, TwoLayerNet

REPO = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="module")
def mnist():
    from minigrad.datasets import load_mnist

    if not have_mnist():
        pytest.skip(reason=f"MNIST not found in {MNIST_DIR} (set MINIGRAD_DATA)")
    return load_mnist(normalize=True, one_hot_label=True, data_dir=MNIST_DIR, download=False)


def arrays(net):
    return {k: v.data.copy() for k, v in net.params.items()}


# --- SimpleNet ---------------------------------------------------------------------------

def test_simple_net_book_example():
    net = SimpleNet(seed=0)
    assert net.W.shape == (2, 3)
    np.testing.assert_array_equal(net.W.data, np.random.default_rng(0).standard_normal((2, 3)))
    x = np.array([0.6, 0.9])
    t = np.array([0, 0, 1])
    np.testing.assert_allclose(net.predict(x).data, x @ net.W.data, rtol=1e-15)
    assert net.loss(x, t).item() == pytest.approx(
        cross_entropy_error(softmax(x @ net.W.data), t), rel=1e-13)
    dW = mg.numerical_gradient(lambda w: net.loss(x, t), net.W)
    np.testing.assert_allclose(dW, net.gradient(x, t), atol=1e-7)
    # the analytic gradient of the chapter's loss (with the 1e-7 inside the log)
    y = softmax(x @ net.W.data)
    expected = np.outer(x, (y - t) * y[2] / (y[2] + 1e-7))
    expected[:, 2] = x * (y[2] - 1) * y[2] / (y[2] + 1e-7)
    np.testing.assert_allclose(net.gradient(x, t), expected, rtol=1e-12)


def test_simple_net_uses_global_random_state_without_seed():
    np.random.seed(3)
    net = SimpleNet()
    np.random.seed(3)
    np.testing.assert_array_equal(net.W.data, np.random.randn(2, 3))


# --- TwoLayerNet ----------------------------------------------------------------------------

def test_two_layer_net_params_are_the_module_parameters():
    net = TwoLayerNet(784, 50, 10, seed=0)
    assert list(net.params) == ["W1", "b1", "W2", "b2"]
    assert net.params["W1"] is net.fc1.W and net.params["b2"] is net.fc2.b
    assert [p for p in net.parameters()] == list(net.params.values())
    assert [n for n, _ in net.named_parameters()] == ["fc1.W", "fc1.b", "fc2.W", "fc2.b"]
    assert net.params["W1"].name == "fc1.W"
    assert all(isinstance(p, nn.Parameter) and p.requires_grad for p in net.params.values())
    assert net.params["W1"].shape == (784, 50) and net.params["b1"].shape == (50,)
    assert net.params["W2"].shape == (50, 10) and net.params["b2"].shape == (10,)
    assert np.all(net.params["b1"].data == 0) and np.all(net.params["b2"].data == 0)
    assert repr(net).startswith(
        "TwoLayerNet(input_size=784, hidden_size=50, output_size=10, activation='sigmoid'")


def test_two_layer_net_init_equals_the_books_under_the_same_seed():
    np.random.seed(42)
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    np.random.seed(42)
    W1 = 0.01 * np.random.randn(784, 50)
    W2 = 0.01 * np.random.randn(50, 10)
    np.testing.assert_array_equal(net.params["W1"].data, W1)
    np.testing.assert_array_equal(net.params["W2"].data, W2)
    a, b = TwoLayerNet(5, 4, 3, seed=1), TwoLayerNet(5, 4, 3, seed=1)
    np.testing.assert_array_equal(a.params["W2"].data, b.params["W2"].data)


def test_forward_is_four_ops_and_tagged():
    net = TwoLayerNet(6, 5, 3, seed=0)
    x = np.random.default_rng(0).random((4, 6))
    loss = net.loss(x, np.array([0, 1, 2, 0]))
    assert sorted(graph_op_names(loss)) == ["Linear", "Sigmoid", "SoftmaxCrossEntropy"]
    f = loss.creator
    n, chain = 0, []
    while f is not None:
        chain.append((f.name, f.scope))
        n += 1
        f = f.inputs[0].creator
    assert chain == [("SoftmaxCrossEntropy", None), ("Linear", "fc2"),
                     ("Sigmoid", "TwoLayerNet"), ("Linear", "fc1")]


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 8), st.integers(1, 7), st.integers(2, 5), st.integers(0, 2**31),
       st.booleans())
def test_predict_loss_gradient_match_the_book(n, hidden, out, seed, one_hot):
    rng = np.random.default_rng(seed)
    net = TwoLayerNet(6, hidden, out, weight_init_std=0.5, seed=seed)
    p = arrays(net)
    x = rng.random((n, 6))
    labels = rng.integers(0, out, n)
    t = np.eye(out)[labels] if one_hot else labels
    np.testing.assert_allclose(net.predict(x).data, book_predict(p, x), rtol=1e-13, atol=1e-15)
    # the fused loss has no 1e-7 delta: it differs from the book's by at most ~1e-7 / y
    book_loss = cross_entropy_error(book_predict(p, x), t)
    assert abs(net.loss(x, t).item() - book_loss) < 1e-5
    g = net.gradient(x, t)
    ref = book_gradient(p, x, np.eye(out)[labels])
    assert list(g) == ["W1", "b1", "W2", "b2"]
    for k in g:
        assert g[k].shape == p[k].shape and type(g[k]) is np.ndarray
        np.testing.assert_allclose(g[k], ref[k], rtol=0, atol=1e-14)


def test_gradient_leaves_grad_and_values_untouched():
    net = TwoLayerNet(4, 3, 2, seed=0)
    before = arrays(net)
    net.gradient(np.ones((2, 4)), np.array([0, 1]))
    assert all(p.grad is None for p in net.parameters())
    for k, v in arrays(net).items():
        np.testing.assert_array_equal(v, before[k])


def test_numerical_gradient_agrees_with_gradient_on_a_tiny_net():
    rng = np.random.default_rng(5)
    net = TwoLayerNet(5, 4, 3, weight_init_std=1.0, seed=5)
    x = rng.random((6, 5))
    t = np.eye(3)[rng.integers(0, 3, 6)]
    num = net.numerical_gradient(x, t)
    ana = net.gradient(x, t)
    assert list(num) == list(ana) == ["W1", "b1", "W2", "b2"]
    for k in num:
        np.testing.assert_allclose(num[k], ana[k], rtol=1e-6, atol=1e-9)
    # numerical_gradient restores every parameter
    before = arrays(net)
    net.numerical_gradient(x, t)
    for k, v in arrays(net).items():
        np.testing.assert_array_equal(v, before[k])


def test_accuracy_book_semantics():
    net = TwoLayerNet(4, 3, 3, weight_init_std=1.0, seed=2)
    x = np.random.default_rng(2).random((20, 4))
    labels = np.random.default_rng(3).integers(0, 3, 20)
    y = book_predict(arrays(net), x)
    expected = np.sum(np.argmax(y, axis=1) == labels) / float(20)
    assert net.accuracy(x, labels) == expected
    assert net.accuracy(x, np.eye(3)[labels]) == expected
    assert isinstance(net.accuracy(x, labels), float)


def test_book_update_trains_in_place_and_bumps_versions():
    net = TwoLayerNet(4, 3, 2, seed=0)
    x, t = np.random.default_rng(0).random((5, 4)), np.array([0, 1, 1, 0, 1])
    W1 = net.params["W1"]
    v = W1.version
    expected = arrays(net)
    grad = net.gradient(x, t)
    for key in ("W1", "b1", "W2", "b2"):
        net.params[key] -= 0.1 * grad[key]
        expected[key] -= 0.1 * grad[key]
    assert net.params["W1"] is W1 is net.fc1.W and W1.version == v + 1
    for k, val in arrays(net).items():
        np.testing.assert_array_equal(val, expected[k])


def test_activation_choice():
    net = TwoLayerNet(4, 3, 2, activation="relu", seed=0)
    assert "ReLU" in graph_op_names(net.loss(np.ones((1, 4)), np.array([1])))
    x = np.random.default_rng(1).random((3, 4))
    p = arrays(net)
    expected = softmax(np.maximum(x @ p["W1"] + p["b1"], 0) @ p["W2"] + p["b2"])
    np.testing.assert_allclose(net.predict(x).data, expected, rtol=1e-14)
    with pytest.raises(ValueError, match="unknown activation 'swish'"):
        TwoLayerNet(4, 3, 2, activation="swish")
    he = TwoLayerNet(100, 50, 2, weight_init_std="he", seed=0)
    assert he.params["W1"].data.std() == pytest.approx(np.sqrt(2 / 100), rel=0.05)


def test_state_dict_round_trip():
    a, b = TwoLayerNet(4, 3, 2, seed=0), TwoLayerNet(4, 3, 2, seed=1)
    b.load_state_dict(a.state_dict())
    x = np.random.default_rng(0).random((2, 4))
    np.testing.assert_array_equal(a.predict(x).data, b.predict(x).data)


def test_gradient_equals_hand_written_backprop_on_mnist(mnist):
    (x_train, t_train), _ = mnist
    rng = np.random.default_rng(0)
    net = TwoLayerNet(input_size=784, hidden_size=50, output_size=10, seed=0)
    worst = 0.0
    for _ in range(5):
        idx = rng.choice(x_train.shape[0], 100)
        x, t = x_train[idx], t_train[idx]
        g = net.gradient(x, t)
        ref = book_gradient(arrays(net), x, t)
        for k in g:
            worst = max(worst, float(np.max(np.abs(g[k] - ref[k]))))
        for key in ("W1", "b1", "W2", "b2"):
            net.params[key] -= 0.1 * g[key]
    assert worst <= 1e-10
