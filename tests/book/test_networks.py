"""The book's networks (items 5.15, 6.9, 6.14): names, init, weight decay, modes, gradients."""

import os
from pathlib import Path

import numpy as np
import pytest

import minigrad as mg
from minigrad.book.multi_layer_net import MultiLayerNet
from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend
from minigrad.book.optimizer import SGD
from minigrad.book.trainer import Trainer
from minigrad.book.two_layer_net import TwoLayerNet
from minigrad.layerwise.layers import SoftmaxWithLoss as FusedSoftmaxWithLoss

REPO = Path(__file__).resolve().parents[2]
MNIST_DIR = Path(os.environ.get("MINIGRAD_DATA") or REPO / ".." / "shared" / "data" / "mnist")


def fused_loss(net):
    """``net`` ending in the fused softmax cross-entropy, whose gradient autodiff gives exactly.

    The book's loss adds 1e-7 inside the log and its backward (like autodiff here) leaves
    that out, so central differences of the book's loss differ from backprop by about
    1e-7 / y_t relative; the precision checks below differentiate the fused loss instead.
    """
    net.lastLayer = FusedSoftmaxWithLoss()
    return net


def max_mean_diff(net, x, t):
    fused_loss(net)
    g, n = net.gradient(x, t), net.numerical_gradient(x, t)
    assert list(g) == list(n) and set(g) == set(net.params)
    return max(float(np.mean(np.abs(g[k] - n[k]))) for k in g)


def test_two_layer_net_surface_and_gradient(rng):
    np.random.seed(0)
    net = TwoLayerNet(8, 6, 3)
    np.random.seed(0)
    W1 = 0.01 * np.random.randn(8, 6)
    W2 = 0.01 * np.random.randn(6, 3)
    np.testing.assert_array_equal(net.params["W1"].data, W1)
    np.testing.assert_array_equal(net.params["W2"].data, W2)
    assert list(net.layers) == ["Affine1", "Relu1", "Affine2"]
    assert net.layers["Affine1"].W is net.params["W1"]
    x, t = rng.random((3, 8)), np.eye(3)[[0, 2, 1]]
    assert max_mean_diff(net, x, t) < 1e-9
    # the layers hold dW/db after gradient, as after the book's backward
    g = net.gradient(x, t)
    np.testing.assert_array_equal(net.layers["Affine2"].dW, g["W2"])
    assert net.predict(x).shape == (3, 3)
    assert 0.0 <= net.accuracy(x, t) <= 1.0


def test_multi_layer_net_init_scales():
    net = MultiLayerNet(400, [300, 300], 10, weight_init_std="he", seed=0)
    assert np.std(net.params["W1"].data) == pytest.approx(np.sqrt(2 / 400), rel=0.02)
    assert np.std(net.params["W2"].data) == pytest.approx(np.sqrt(2 / 300), rel=0.02)
    net = MultiLayerNet(400, [300], 10, activation="sigmoid", weight_init_std="xavier", seed=0)
    assert np.std(net.params["W1"].data) == pytest.approx(np.sqrt(1 / 400), rel=0.02)
    assert list(net.layers) == ["Affine1", "Activation_function1", "Affine2"]
    net = MultiLayerNet(400, [300], 10, weight_init_std=0.01, seed=0)
    assert np.std(net.params["W2"].data) == pytest.approx(0.01, rel=0.05)
    assert not net.params["b1"].data.any()


def test_weight_decay_in_loss_and_gradient(rng):
    x, t = rng.random((4, 5)), np.array([0, 1, 2, 1])
    net0 = MultiLayerNet(5, [4, 4], 3, weight_decay_lambda=0, seed=3)
    net1 = MultiLayerNet(5, [4, 4], 3, weight_decay_lambda=0.1, seed=3)
    decay = 0.5 * 0.1 * sum(float((net1.params[k].data ** 2).sum()) for k in ("W1", "W2", "W3"))
    assert net1.loss(x, t).item() == pytest.approx(net0.loss(x, t).item() + decay, rel=1e-12)
    g0, g1 = net0.gradient(x, t), net1.gradient(x, t)
    for k in ("W1", "W2", "W3"):
        np.testing.assert_allclose(g1[k], g0[k] + 0.1 * net1.params[k].data, rtol=1e-10)
    for k in ("b1", "b2", "b3"):
        np.testing.assert_allclose(g1[k], g0[k])
    assert max_mean_diff(net1, x, t) < 1e-8


def test_extend_layer_order_names_and_modes(rng):
    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, use_dropout=True,
                              dropout_ration=0.3, seed=0)
    assert list(net.layers) == [
        "Affine1", "BatchNorm1", "Activation_function1", "Dropout1",
        "Affine2", "BatchNorm2", "Activation_function2", "Dropout2", "Affine3"]
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3",
                                "gamma1", "beta1", "gamma2", "beta2"]
    x = rng.random((4, 6))
    before = net.layers["BatchNorm1"].running_mean.copy()
    net.predict(x)  # inference: running stats unchanged, no dropout
    np.testing.assert_array_equal(net.layers["BatchNorm1"].running_mean, before)
    a, b = net.predict(x), net.predict(x)
    np.testing.assert_array_equal(a, b)
    net.predict(x, train_flg=True)
    assert not np.array_equal(net.layers["BatchNorm1"].running_mean, before)


@pytest.mark.parametrize("n", [2, 4])
def test_extend_batchnorm_gradient_check(n, rng):
    net = MultiLayerNetExtend(6, [5, 5], 3, use_batchnorm=True, weight_decay_lambda=0.05,
                              seed=1)
    x, t = rng.random((n, 6)), np.arange(n) % 3
    assert max_mean_diff(net, x, t) < 1e-7


def test_gradcheck_networks(rng):
    """mg.gradcheck over the networks' parameters (float64, the loss as the output)."""
    x, t = rng.random((3, 5)), np.array([0, 2, 1])
    for net, loss in [
        (TwoLayerNet(5, 4, 3, seed=0), None),
        (MultiLayerNet(5, [4, 4], 3, activation="sigmoid", weight_decay_lambda=0.1, seed=1),
         None),
        (MultiLayerNetExtend(5, [4, 4], 3, use_batchnorm=True, weight_decay_lambda=0.1, seed=2),
         "train"),
    ]:
        params = list(net.params.values())
        fused_loss(net)

        def f(*ps, net=net, loss=loss):
            return (net.loss_tensor(x, t, train_flg=True) if loss
                    else net.loss_tensor(x, t))

        mg.gradcheck(f, params)


def test_one_sample_batchnorm_degenerate_case():
    """Item 6.15: one sample normalises to 0 everywhere; beta2 sits on the ReLU kink."""
    np.random.seed(1)
    net = MultiLayerNetExtend(8, [6, 6], 3, use_batchnorm=True)
    x, t = np.random.rand(1, 8), np.array([[0, 1.0, 0]])
    g, n = net.gradient(x, t), net.numerical_gradient(x, t)
    for k in ("W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2"):
        assert np.abs(g[k] - n[k]).mean() == 0.0, k
    assert np.abs(g["beta2"] - n["beta2"]).mean() > 1e-3  # derivative 0 vs 0.5 at the kink


def test_extend_state_dict_round_trip_includes_running_stats(rng):
    net = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, seed=0)
    net.gradient(rng.random((4, 6)), np.array([0, 1, 2, 0]))
    sd = net.state_dict()
    assert "BatchNorm1.running_mean" in sd and "gamma1" in sd
    other = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, seed=9)
    other.load_state_dict(sd)
    x = rng.random((3, 6))
    np.testing.assert_array_equal(other.predict(x), net.predict(x))


def test_trainer_schedule_and_lines(capsys, rng):
    x, t = rng.random((250, 6)), rng.integers(0, 3, 250)
    net = MultiLayerNetExtend(6, [5], 3, use_batchnorm=True, seed=0)
    np.random.seed(0)
    tr = Trainer(net, x, t, x[:50], t[:50], epochs=3, mini_batch_size=100,
                 optimizer="Adam", optimizer_param={"lr": 0.01},
                 evaluate_sample_num_per_epoch=20)
    tr.train()
    out = capsys.readouterr().out.splitlines()
    assert tr.iter_per_epoch == 2.5 and tr.max_iter == 7
    assert len(tr.train_loss_list) == 7
    # evaluations at steps 0 and 5 (0 % 2.5 == 0, 5 % 2.5 == 0): epochs 1 and 2
    assert len(tr.train_acc_list) == 2
    assert out[0].startswith("train loss:")
    assert out[1].startswith("=== epoch:1, train acc:") and out[1].endswith(" ===")
    assert out[-2] == "=============== Final Test Accuracy ==============="
    assert out[-1].startswith("test acc:")
    with pytest.raises(ValueError, match="unknown optimizer"):
        Trainer(net, x, t, x, t, optimizer="lbfgs")


def test_sgd_training_lowers_the_loss(rng):
    x = rng.standard_normal((60, 4))
    t = (x[:, 0] > 0).astype(int)
    net = MultiLayerNet(4, [8], 2, seed=0)
    opt = SGD(lr=0.5)
    first = net.loss(x, t).item()
    for _ in range(50):
        opt.update(net.params, net.gradient(x, t))
    assert net.loss(x, t).item() < 0.5 * first


@pytest.fixture
def mnist_one_hot():
    from minigrad.datasets import load_mnist
    if not (MNIST_DIR / "train-images-idx3-ubyte.gz").exists():
        pytest.skip(reason=f"MNIST not found in {MNIST_DIR} (set MINIGRAD_DATA)")
    return load_mnist(normalize=True, one_hot_label=True, data_dir=MNIST_DIR, download=False)


def test_gradient_check_script_pattern(mnist_one_hot):
    """Item 5.16: the book's gradient_check.py on the first 3 training images."""
    (x_train, t_train), _ = mnist_one_hot
    np.random.seed(0)
    network = TwoLayerNet(input_size=784, hidden_size=50, output_size=10)
    x_batch, t_batch = x_train[:3], t_train[:3]
    grad_numerical = network.numerical_gradient(x_batch, t_batch)
    grad_backprop = network.gradient(x_batch, t_batch)
    # the book's numerical gradient is of its loss, with 1e-7 inside the log, which its
    # backprop leaves out: the printed differences are those of the book's own code
    params = {k: p.data.copy() for k, p in network.params.items()}

    def book_loss():
        h = np.maximum(x_batch @ params["W1"] + params["b1"], 0) @ params["W2"] + params["b2"]
        y = np.exp(h - h.max(axis=1, keepdims=True))
        y /= y.sum(axis=1, keepdims=True)
        return -np.sum(np.log(y[np.arange(3), t_batch.argmax(axis=1)] + 1e-7)) / 3

    for key in grad_numerical:
        diff = np.average(np.abs(grad_backprop[key] - grad_numerical[key]))
        assert diff < 1e-6, (key, diff)
        if key == "W1":
            continue  # 39,200 probes: the three others suffice
        arr, central = params[key], np.zeros_like(params[key])
        for idx in np.ndindex(arr.shape):
            keep = arr[idx]
            arr[idx] = keep + 1e-4
            up = book_loss()
            arr[idx] = keep - 1e-4
            central[idx] = (up - book_loss()) / 2e-4
            arr[idx] = keep
        np.testing.assert_allclose(grad_numerical[key], central, rtol=0, atol=1e-10)
        book_diff = np.average(np.abs(grad_backprop[key] - central))
        assert diff == pytest.approx(book_diff, rel=1e-3), key
