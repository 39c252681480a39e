"""Chapters 7 and 8: the book's Convolution/Pooling layers, SimpleConvNet and DeepConvNet.

Compared with a NumPy reference that performs the book's operations with hand-derived
backward passes (tests/book_conv_reference.py) on the same parameters and batches,
and with finite differences on item 7.7's sizes.
"""

import sys
from pathlib import Path

import numpy as np
import pytest

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
import book_conv_reference as ref  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.book.deep_convnet import DeepConvNet  # noqa: E402
from minigrad.book.layers import Convolution, Pooling  # noqa: E402
from minigrad.book.simple_convnet import SimpleConvNet  # noqa: E402


def test_convolution_layer_matches_the_books():
    rng = np.random.default_rng(0)
    W, b = rng.standard_normal((4, 3, 3, 3)), rng.standard_normal(4)
    x, dout = rng.standard_normal((2, 3, 6, 5)), rng.standard_normal((2, 4, 4, 4))
    mine, book = Convolution(W, b, stride=2, pad=2), ref.Convolution(W, b, stride=2, pad=2)
    np.testing.assert_allclose(mine.forward(x).data, book.forward(x), rtol=1e-12)
    np.testing.assert_allclose(mine.backward(dout), book.backward(dout), rtol=1e-12, atol=1e-13)
    np.testing.assert_allclose(mine.dW, book.dW, rtol=1e-12)
    np.testing.assert_allclose(mine.db, book.db, rtol=1e-12)


def test_pooling_layer_matches_the_books_with_ties():
    x = np.random.default_rng(1).integers(0, 3, (2, 3, 6, 6)).astype(float)
    dout = np.random.default_rng(2).standard_normal((2, 3, 3, 3))
    mine, book = Pooling(2, 2, 2), ref.Pooling(2, 2, 2)
    np.testing.assert_array_equal(mine.forward(x).data, book.forward(x))
    np.testing.assert_array_equal(mine.backward(dout), book.backward(dout.copy()))
    with pytest.raises(ValueError, match="pad"):
        Pooling(2, 2, 2, pad=1)


def test_im2col_col2im_match_the_books():
    x = np.random.default_rng(3).standard_normal((2, 3, 7, 6))
    col = mg.functional.im2col(x, 3, 2, 2, 1).data
    np.testing.assert_array_equal(col, ref.im2col(x, 3, 2, 2, 1))
    np.testing.assert_allclose(mg.functional.col2im(col, x.shape, 3, 2, 2, 1).data,
                               ref.col2im(col, x.shape, 3, 2, 2, 1), rtol=1e-13)


def test_simple_convnet_shapes_and_init():
    net = SimpleConvNet(seed=0)
    shapes = {k: v.shape for k, v in net.params.items()}
    assert shapes == {"W1": (30, 1, 5, 5), "b1": (30,), "W2": (4320, 100), "b2": (100,),
                      "W3": (100, 10), "b3": (10,)}
    assert list(net.layers) == ["Conv1", "Relu1", "Pool1", "Affine1", "Relu2", "Affine2"]
    assert net.params["W2"].data.std() == pytest.approx(0.01, rel=0.05)
    assert net.layers["Conv1"].W is net.params["W1"]
    assert net.predict(np.zeros((3, 1, 28, 28), np.float32)).shape == (3, 10)
    # np.random order: the book's weights after np.random.seed
    np.random.seed(5)
    a = SimpleConvNet()
    np.random.seed(5)
    b = ref.SimpleConvNet()
    for k in b.params:
        np.testing.assert_array_equal(a.params[k].data, b.params[k])


def test_simple_convnet_gradient_matches_the_books_backprop():
    np.random.seed(0)
    book = ref.SimpleConvNet(input_dim=(1, 12, 12), conv_param={
        "filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1}, hidden_size=8)
    net = SimpleConvNet(input_dim=(1, 12, 12), conv_param={
        "filter_num": 4, "filter_size": 3, "pad": 1, "stride": 1}, hidden_size=8, seed=0)
    for k in book.params:
        mg.nn.assign_(net.params[k], book.params[k])
    rng = np.random.default_rng(0)
    x = rng.random((5, 1, 12, 12)).astype(np.float32)
    t = rng.integers(0, 10, 5)
    assert float(net.loss(x, t)) == pytest.approx(book.loss(x, t), rel=1e-6)
    mine, theirs = net.gradient(x, t), book.gradient(x, t)
    for k in theirs:
        np.testing.assert_allclose(mine[k], theirs[k], rtol=1e-9, atol=1e-12, err_msg=k)


def test_gradient_check_item_7_7():
    """ch07/gradient_check.py: every mean |numerical - backprop| below 1e-5."""
    np.random.seed(0)
    net = SimpleConvNet(input_dim=(1, 10, 10), conv_param={
        "filter_num": 10, "filter_size": 3, "pad": 0, "stride": 1}, hidden_size=10,
        output_size=10, weight_init_std=0.01)
    X = np.random.rand(100).reshape((1, 1, 10, 10))
    T = np.array([1]).reshape((1, 1))
    num = net.numerical_gradient(X, T)
    back = net.gradient(X, T)
    assert list(back) == ["W1", "b1", "W2", "b2", "W3", "b3"]
    for k in num:
        assert np.abs(back[k] - num[k]).mean() < 1e-5, k


def test_deep_convnet_layers_shapes_and_he_init():
    net = DeepConvNet(seed=0)
    kinds = [type(layer).__name__ for layer in net.layers]
    assert kinds == ["Convolution", "Relu", "Convolution", "Relu", "Pooling",
                     "Convolution", "Relu", "Convolution", "Relu", "Pooling",
                     "Convolution", "Relu", "Convolution", "Relu", "Pooling",
                     "Affine", "Relu", "Dropout", "Affine", "Dropout"]
    assert [net.layers[i].pad for i in (0, 2, 5, 7, 10, 12)] == [1, 1, 1, 2, 1, 1]
    shapes = [net.params[f"W{i}"].shape for i in range(1, 9)]
    assert shapes == [(16, 1, 3, 3), (16, 16, 3, 3), (32, 16, 3, 3), (32, 32, 3, 3),
                      (64, 32, 3, 3), (64, 64, 3, 3), (1024, 50), (50, 10)]
    for i, n in zip((3, 6, 7), (144, 576, 1024)):
        assert net.params[f"W{i}"].data.std() == pytest.approx(np.sqrt(2 / n), rel=0.1)
    for i in range(1, 9):
        assert not net.params[f"b{i}"].data.any()
    # inference halves the logits (non-inverted dropout on them)
    h = net.layers[19].forward(np.ones((2, 10)), train_flg=False)
    np.testing.assert_allclose(h.data, 0.5)
    assert net.predict(np.zeros((2, 1, 28, 28))).shape == (2, 10)


def test_deep_convnet_gradient_matches_the_books_backprop():
    np.random.seed(1)
    book = ref.DeepConvNet()
    net = DeepConvNet(seed=0)
    for k in book.params:
        mg.nn.assign_(net.params[k], book.params[k])
    rng = np.random.default_rng(1)
    x = rng.random((3, 1, 28, 28)).astype(np.float32)
    t = rng.integers(0, 10, 3)
    np.random.seed(7)  # the same dropout masks on both sides (np.random.rand, same order)
    theirs = book.gradient(x, t)
    np.random.seed(7)
    mine = net.gradient(x, t)
    for k in theirs:
        np.testing.assert_allclose(mine[k], theirs[k], rtol=1e-9, atol=1e-12, err_msg=k)
    assert net.layers[0].dW is mine["W1"]


def test_accuracy_in_batches_of_100_and_params_roundtrip(tmp_path):
    net = SimpleConvNet(input_dim=(1, 8, 8), conv_param={
        "filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1}, hidden_size=4, seed=0)
    x = np.random.default_rng(0).random((250, 1, 8, 8))
    t = np.zeros(250, dtype=np.int64)
    pred = net.predict(x[:200]).argmax(axis=1)
    assert net.accuracy(x, t) == pytest.approx(np.sum(pred == 0) / 250)  # the book's G6
    path = tmp_path / "params.npz"
    net.save_params(path)
    other = SimpleConvNet(input_dim=(1, 8, 8), conv_param={
        "filter_num": 2, "filter_size": 3, "pad": 1, "stride": 1}, hidden_size=4, seed=1)
    other.load_params(path)
    for k in net.params:
        np.testing.assert_array_equal(other.params[k].data, net.params[k].data)
    assert other.layers["Conv1"].W is other.params["W1"]
    np.testing.assert_array_equal(other.predict(x[:5]), net.predict(x[:5]))
    with pytest.raises(mg.CheckpointError, match="shape"):
        SimpleConvNet(input_dim=(1, 8, 8), conv_param={
            "filter_num": 3, "filter_size": 3, "pad": 1, "stride": 1}, hidden_size=4,
            seed=0).load_params(path)
    mg.save({"W1": np.zeros(2)}, tmp_path / "other.npz")
    with pytest.raises(mg.CheckpointError, match="save_params"):
        net.load_params(tmp_path / "other.npz")
