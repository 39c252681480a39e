"""The book's layers: check values, autodiff backward against the book's formulas, gradcheck."""

import numpy as np
import pytest

import minigrad as mg
from minigrad.book.layer_naive import AddLayer, MulLayer
from minigrad.book.layers import (
    Affine,
    BatchNormalization,
    Dropout,
    Relu,
    Sigmoid,
    SoftmaxWithLoss,
)
from minigrad.layerwise.layers import SoftmaxWithLoss as FusedSoftmaxWithLoss


def test_buy_apple_orange_numbers():
    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    apple_price = mul_apple.forward(100, 2)
    orange_price = mul_orange.forward(150, 3)
    all_price = add.forward(apple_price, orange_price)
    price = mul_tax.forward(all_price, 1.1)
    assert float(price) == 715.0000000000001
    dall, dtax = mul_tax.backward(1)
    dapple_price, dorange_price = add.backward(dall)
    dorange, dorange_num = mul_orange.backward(dorange_price)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert (dapple, dapple_num, dorange, dorange_num, dtax) == (
        2.2, 110.00000000000001, 3.3000000000000003, 165.0, 650.0)
    assert int(dapple_num) == 110 and int(dorange_num) == 165


def test_mul_add_node_rules():
    m, a = MulLayer(), AddLayer()
    m.forward(10.0, 5.0)
    a.forward(10.0, 5.0)
    assert m.backward(1.3) == (6.5, 13.0)
    assert a.backward(1.3) == (1.3, 1.3)


def test_backward_before_forward_is_an_error():
    with pytest.raises(RuntimeError, match="call forward first"):
        Relu().backward(np.ones(2))


def test_relu_mask_and_zero_derivative_at_zero():
    relu = Relu()
    out = relu.forward(np.array([[1.0, -0.5], [-2.0, 3.0], [0.0, 0.0]]))
    np.testing.assert_array_equal(out.data, [[1, 0], [0, 3], [0, 0]])
    np.testing.assert_array_equal(relu.backward(np.full((3, 2), 2.0)),
                                  [[2, 0], [0, 2], [0, 0]])


def test_sigmoid_backward_is_y_one_minus_y(rng):
    x = rng.standard_normal((3, 4))
    s = Sigmoid()
    y = s.forward(x).data
    dout = rng.standard_normal((3, 4))
    np.testing.assert_allclose(s.backward(dout), dout * y * (1 - y), rtol=1e-12)


def test_affine_bias_example_and_4d_input(rng):
    aff = Affine(np.zeros((2, 3)), np.array([1.0, 2.0, 3.0]))
    x = np.array([[0.0, 0.0], [1.0, 0.0]])
    aff.W.data[...] = [[10, 10, 10], [0, 0, 0]]
    np.testing.assert_array_equal(aff.forward(x).data, [[1, 2, 3], [11, 12, 13]])
    aff.backward(np.array([[1.0, 2, 3], [4, 5, 6]]))
    np.testing.assert_array_equal(aff.db, [5, 7, 9])
    W, b = rng.standard_normal((12, 5)), rng.standard_normal(5)
    aff = Affine(W, b)
    x4 = rng.standard_normal((2, 3, 2, 2))
    out = aff.forward(x4)
    assert out.shape == (2, 5)
    dout = rng.standard_normal((2, 5))
    dx = aff.backward(dout)
    assert dx.shape == x4.shape
    np.testing.assert_allclose(dx, (dout @ W.T).reshape(x4.shape))
    np.testing.assert_allclose(aff.dW, x4.reshape(2, -1).T @ dout)
    np.testing.assert_allclose(aff.db, dout.sum(axis=0))


def test_affine_shares_parameters_by_reference():
    W = mg.nn.Parameter(np.ones((2, 2)))
    b = mg.nn.Parameter(np.zeros(2))
    aff = Affine(W, b)
    assert aff.W is W and aff.b is b


@pytest.mark.parametrize("one_hot", [False, True])
def test_softmax_with_loss_check_values(one_hot):
    x = np.array([[0.3, 2.9, 4.0]])
    t = np.array([[0, 0, 1.0]]) if one_hot else np.array([2])
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    np.testing.assert_allclose(layer.y, [[0.01821127, 0.24519181, 0.73659691]], atol=1e-8)
    assert loss.item() == pytest.approx(0.3057143, abs=1e-6)
    np.testing.assert_allclose(layer.backward(), [[0.01821127, 0.24519181, -0.26340309]],
                               atol=1e-8)


def test_batchnorm_check_values():
    bn = BatchNormalization(np.ones(2), np.zeros(2))
    x = np.array([[1.0, 2.0], [3.0, 6.0]])
    out = bn.forward(x)
    np.testing.assert_allclose(out.data, [[-0.9999995, -0.99999988], [0.9999995, 0.99999988]],
                               atol=1e-8)
    np.testing.assert_allclose(bn.running_mean, [0.2, 0.4])
    np.testing.assert_allclose(bn.running_var, [0.1, 0.4])
    np.testing.assert_allclose(bn.forward(x, train_flg=False).data,
                               [[2.5298, 2.5298], [8.8543, 8.8544]], atol=1e-4)
    # inference does not move the running statistics
    np.testing.assert_allclose(bn.running_mean, [0.2, 0.4])


def test_batchnorm_running_average_every_training_forward(rng):
    bn = BatchNormalization(np.ones(3), np.zeros(3))
    rm, rv = np.zeros(3), np.zeros(3)
    for _ in range(4):
        x = rng.standard_normal((5, 3))
        bn.forward(x)
        rm = 0.9 * rm + 0.1 * x.mean(0)
        rv = 0.9 * rv + 0.1 * x.var(0)
    np.testing.assert_allclose(bn.running_mean, rm, rtol=1e-12)
    np.testing.assert_allclose(bn.running_var, rv, rtol=1e-12)


def book_bn_backward(x, gamma, dout, eps=1e-6):
    """The book's hand-written backward (item 6.13), as the reference."""
    n = x.shape[0]
    mu = x.mean(0)
    xc = x - mu
    std = np.sqrt((xc ** 2).mean(0) + eps)
    xn = xc / std
    dbeta = dout.sum(0)
    dgamma = (xn * dout).sum(0)
    dxn = gamma * dout
    dxc = dxn / std
    dstd = -((dxn * xc) / (std * std)).sum(0)
    dvar = 0.5 * dstd / std
    dxc += (2.0 / n) * xc * dvar
    dmu = dxc.sum(0)
    return dxc - dmu / n, dgamma, dbeta


def test_batchnorm_backward_matches_the_books(rng):
    x = rng.standard_normal((6, 4))
    gamma, beta = rng.standard_normal(4), rng.standard_normal(4)
    bn = BatchNormalization(gamma.copy(), beta.copy())
    bn.forward(x)
    dout = rng.standard_normal((6, 4))
    dx = bn.backward(dout)
    rdx, rdg, rdb = book_bn_backward(x, gamma, dout)
    np.testing.assert_allclose(dx, rdx, rtol=1e-9, atol=1e-12)
    np.testing.assert_allclose(bn.dgamma, rdg, rtol=1e-10)
    np.testing.assert_allclose(bn.dbeta, rdb, rtol=1e-12)


def test_batchnorm_4d_is_per_flattened_feature(rng):
    x = rng.standard_normal((4, 2, 3, 3))
    bn = BatchNormalization(np.ones(18), np.zeros(18))
    out = bn.forward(x)
    assert out.shape == x.shape
    flat = out.data.reshape(4, -1)
    np.testing.assert_allclose(flat.mean(0), 0, atol=1e-12)
    with pytest.raises(ValueError, match="18 features"):
        BatchNormalization(np.ones(2), np.zeros(2)).forward(x)


@pytest.mark.parametrize("n", [2, 5])
def test_gradcheck_batchnorm(n, rng):
    x = rng.standard_normal((n, 3))
    gamma = mg.nn.Parameter(rng.standard_normal(3))
    beta = mg.nn.Parameter(rng.standard_normal(3))

    def f(xx, g, b):
        layer = BatchNormalization(g, b)
        layer.__dict__["gamma"], layer.__dict__["beta"] = g, b
        return layer.forward(xx)

    mg.gradcheck(f, [mg.tensor(x, requires_grad=True), gamma, beta])


def test_gradcheck_other_layers(rng):
    x = mg.tensor(rng.standard_normal((3, 4)) + 0.1, requires_grad=True)
    mg.gradcheck(lambda a: Sigmoid().forward(a), [x])
    mg.gradcheck(lambda a: Relu().forward(a), [x])
    W = mg.nn.Parameter(rng.standard_normal((4, 2)))
    b = mg.nn.Parameter(rng.standard_normal(2))
    mg.gradcheck(lambda a, w, bb: Affine(w, bb).forward(a), [x, W, b])
    # the fused loss (the book's adds 1e-7 inside the log, which its backward ignores)
    mg.gradcheck(lambda a: FusedSoftmaxWithLoss().forward(a, np.array([0, 3, 1])), [x])
    # the same mask on every call: a fresh generator with a fixed seed
    mg.gradcheck(lambda a: Dropout(0.5, rng=np.random.default_rng(3)).forward(a), [x])


def test_dropout_training_and_inference():
    np.random.seed(0)
    d = Dropout(0.5)
    x = np.ones((4, 6))
    out = d.forward(x)
    np.random.seed(0)
    expected_mask = np.random.rand(4, 6) > 0.5
    np.testing.assert_array_equal(d.mask, expected_mask)
    np.testing.assert_array_equal(out.data, expected_mask.astype(float))  # no rescaling
    np.testing.assert_array_equal(d.backward(np.full((4, 6), 3.0)), 3.0 * expected_mask)
    np.testing.assert_array_equal(Dropout(0.5).forward(x, train_flg=False).data, 0.5)
    np.testing.assert_allclose(Dropout(0.2).forward(x, train_flg=False).data, 0.8)
    with pytest.raises(ValueError, match="dropout_ratio"):
        Dropout(1.0)


def test_pooling_arg_max_is_each_windows_first_maximum():
    """``arg_max`` after ``forward`` (recorded or under no_grad), and the backward it gives."""
    from minigrad.book.layers import Pooling

    x = np.array([[1, 2, 0, 1], [0, 1, 2, 4], [3, 0, 1, 2], [2, 4, 0, 1.0],
                  [5, 5, 1, 0], [5, 0, 0, 1]]).reshape(1, 1, 6, 4)
    expected = np.array([[1, 7], [13, 11], [16, 18]]).reshape(1, 1, 3, 2)  # ties: the first
    pool = Pooling(2, 2, stride=2)
    assert pool.arg_max is None
    pool.forward(x)
    np.testing.assert_array_equal(pool.arg_max, expected)
    dx = pool.backward(np.ones((1, 1, 3, 2)))
    assert dx.ravel()[expected.ravel()].tolist() == [1] * 6 and dx.sum() == 6
    pool.forward(x[..., :2])  # a second forward: its own indices
    np.testing.assert_array_equal(pool.arg_max, [[[[1], [7], [8]]]])
    with mg.no_grad():
        pool.forward(x)
    np.testing.assert_array_equal(pool.arg_max, expected)
