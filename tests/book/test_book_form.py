"""What the book's own scripts rely on, held in ``minigrad.book`` (their imports changed only).

Each test re-expresses one behaviour of the book's code (oreilly-japan/deep-learning-from-scratch)
that a script depends on: the names a star import brings, plain numbers in the optimizers,
NumPy's types in the naive layers, losses as numbers, the book's loss formula, the order of
gradient keys, plain arrays into the layers and item assignment into ``params``, and the
book's pickled weight files.
"""

from __future__ import annotations

import importlib

import numpy as np
import pytest

# The names a star import of each of the book's modules brings (its top-level definitions
# and imports; the book's modules have no __all__). ``FUNCTIONS`` are common/functions.py's,
# which common/layers.py star-imports.
FUNCTIONS = ["identity_function", "step_function", "sigmoid", "sigmoid_grad", "relu",
             "relu_grad", "softmax", "sum_squared_error", "cross_entropy_error", "softmax_loss"]
LAYERS = ["np", "im2col", "col2im", "Relu", "Sigmoid", "Affine", "SoftmaxWithLoss", "Dropout",
          "BatchNormalization", "Convolution", "Pooling"]
OPTIMIZERS = ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"]
BOOK_NAMES = {
    "layer_naive": ["MulLayer", "AddLayer"],
    "layers": LAYERS,
    "gradient": ["np", "numerical_gradient_2d", "numerical_gradient"],
    "optimizer": ["np", *OPTIMIZERS],
    "trainer": ["sys", "os", "np", *OPTIMIZERS, "Trainer"],
    "util": ["np", "smooth_curve", "shuffle_dataset", "conv_output_size", "im2col", "col2im"],
    "two_layer_net": ["sys", "os", "OrderedDict", *LAYERS, "numerical_gradient", "TwoLayerNet"],
    "multi_layer_net": ["sys", "os", "OrderedDict", *LAYERS, "numerical_gradient",
                        "MultiLayerNet"],
    "multi_layer_net_extend": ["sys", "os", "OrderedDict", *LAYERS, "numerical_gradient",
                               "MultiLayerNetExtend"],
    "simple_convnet": ["sys", "os", "pickle", "OrderedDict", *LAYERS, "numerical_gradient",
                       "SimpleConvNet"],
    "deep_convnet": ["sys", "os", "pickle", "OrderedDict", *LAYERS, "DeepConvNet"],
}
# modules whose book counterpart star-imports common/layers.py (and so common/functions.py)
WITH_FUNCTIONS = ["layers", "two_layer_net", "multi_layer_net", "multi_layer_net_extend",
                  "simple_convnet", "deep_convnet"]


def star(module: str) -> dict:
    namespace: dict = {}
    exec(f"from minigrad.book.{module} import *", namespace)
    return namespace


@pytest.mark.parametrize("module", sorted(BOOK_NAMES))
def test_star_import_brings_what_the_books_module_brings(module):
    namespace = star(module)
    missing = [n for n in BOOK_NAMES[module] if n not in namespace]
    assert missing == [], f"from minigrad.book.{module} import * lacks {missing}"
    assert namespace["np"] is np if "np" in BOOK_NAMES[module] else True
    layers = importlib.import_module("minigrad.book.layers")
    for name in set(LAYERS) & set(BOOK_NAMES[module]):
        assert namespace[name] is getattr(layers, name), (module, name)
    for name in ("sys", "os", "pickle"):
        if name in BOOK_NAMES[module]:
            assert namespace[name] is importlib.import_module(name)


@pytest.mark.parametrize("module", WITH_FUNCTIONS)
def test_star_import_of_layers_brings_the_book_functions(module):
    namespace = star(module)
    assert [n for n in FUNCTIONS if n not in namespace] == []


def test_optimizer_star_import_serves_a_script_that_uses_np():
    # ch06/optimizer_compare_mnist.py uses np after star-importing the optimizers only
    namespace = star("optimizer")
    exec("opt = SGD(lr=0.5)\np = {'W': np.ones(2)}\nopt.update(p, {'W': np.ones(2)})",
         namespace)
    np.testing.assert_array_equal(namespace["p"]["W"], [0.5, 0.5])


def test_util_conv_helpers_match_the_books_definitions(rng):
    from minigrad.book.util import col2im, conv_output_size, im2col
    from tests.book_conv_reference import col2im as book_col2im
    from tests.book_conv_reference import im2col as book_im2col

    assert conv_output_size(28, 5) == 24.0 and isinstance(conv_output_size(7, 2, 2), float)
    assert conv_output_size(7, 2, 2) == 3.5  # the book's true division
    x = rng.standard_normal((2, 3, 7, 6))
    col = im2col(x, 3, 2, stride=2, pad=1)
    np.testing.assert_array_equal(col, book_im2col(x, 3, 2, 2, 1))
    np.testing.assert_array_equal(im2col(np.arange(16).reshape(1, 1, 4, 4), 2, 2).dtype,
                                  np.float64)
    np.testing.assert_allclose(col2im(col, x.shape, 3, 2, 2, 1),
                               book_col2im(col, x.shape, 3, 2, 2, 1), rtol=1e-15, atol=0)


def test_numerical_gradient_2d_rows():
    from minigrad.book.gradient import numerical_gradient_2d

    x = np.array([[1.0, -2.0], [3.0, 0.5]])
    g = numerical_gradient_2d(lambda v: float(np.sum(v ** 2)), x)
    np.testing.assert_allclose(g, 2 * x, rtol=1e-8)
    np.testing.assert_allclose(numerical_gradient_2d(lambda v: float(np.sum(v ** 3)),
                                                     np.array([1.0, 2.0])), [3, 12], rtol=1e-7)


# --- plain numbers in the optimizers (ch06/optimizer_compare_naive.py) ----------------------

def _book_path(opt, start=(-7.0, 2.0), steps=30):
    """The naive comparison: params are Python floats, the gradient of x**2/20 + y**2."""
    params = {"x": start[0], "y": start[1]}
    history = []
    for _ in range(steps):
        history.append((params["x"], params["y"]))
        grads = {"x": params["x"] / 10.0, "y": 2.0 * params["y"]}
        opt.update(params, grads)
    return params, history


def _reference_update(name, state, params, grads, lr):
    """The book's rules written out for scalars (the same operations, the same order)."""
    for key in params:
        g = grads[key]
        if name == "SGD":
            params[key] -= lr * g
        elif name == "Momentum":
            state.setdefault(key, 0.0)
            state[key] = 0.9 * state[key] - lr * g
            params[key] += state[key]
        elif name == "AdaGrad":
            state[key] = state.get(key, 0.0) + g * g
            params[key] -= lr * g / (np.sqrt(state[key]) + 1e-7)
        elif name == "Adam":
            m, v = state.get(key, (0.0, 0.0))
            m += (1 - 0.9) * (g - m)
            v += (1 - 0.999) * (g ** 2 - v)
            state[key] = (m, v)
            it = state["iter"]
            lr_t = lr * np.sqrt(1.0 - 0.999 ** it) / (1.0 - 0.9 ** it)
            params[key] -= lr_t * m / (np.sqrt(v) + 1e-7)


@pytest.mark.parametrize("name,lr", [("SGD", 0.95), ("Momentum", 0.1), ("AdaGrad", 1.5),
                                     ("Adam", 0.3)])
def test_optimizers_update_plain_floats_in_the_dict(name, lr):
    from minigrad.book import optimizer

    params, history = _book_path(getattr(optimizer, name)(lr=lr))
    ref = {"x": -7.0, "y": 2.0}
    state: dict = {"iter": 0}
    for got in history:
        assert got == (ref["x"], ref["y"])  # bitwise the book's path
        state["iter"] += 1
        _reference_update(name, state, ref, {"x": ref["x"] / 10.0, "y": 2.0 * ref["y"]}, lr)
    assert (params["x"], params["y"]) == (ref["x"], ref["y"])
    assert all(isinstance(v, float) for v in params.values())


def test_sgd_keeps_a_python_float_a_python_float():
    from minigrad.book.optimizer import SGD

    params = {"x": -7.0}
    SGD(lr=0.95).update(params, {"x": -0.7})
    assert type(params["x"]) is float and params["x"] == -7.0 - 0.95 * -0.7


def test_optimizers_still_update_arrays_and_tensors_in_place():
    import minigrad as mg
    from minigrad.book.optimizer import Momentum

    arr, t = np.array([1.0, 2.0]), mg.tensor([1.0, 2.0], requires_grad=True)
    params = {"a": arr, "t": t, "x": 3.0}
    Momentum(lr=0.5).update(params, {"a": np.ones(2), "t": mg.tensor([1.0, 1.0]), "x": 1.0})
    assert params["a"] is arr and params["t"] is t
    np.testing.assert_array_equal(arr, [0.5, 1.5])
    np.testing.assert_array_equal(t.data, [0.5, 1.5])
    assert params["x"] == 2.5


def test_optimizer_refuses_what_is_not_a_number():
    from minigrad.book.optimizer import SGD

    with pytest.raises(TypeError, match=r"params\['x'\] must be a number, an ndarray or a Tensor"):
        SGD().update({"x": "7"}, {"x": 1.0})
    with pytest.raises(TypeError, match=r"grads\['x'\]"):
        SGD().update({"x": 7.0}, {"x": None})


# --- NumPy's types in the naive layers (ch05/buy_apple.py, buy_apple_orange.py) --------------

def test_buy_apple_keeps_python_integers():
    from minigrad.book.layer_naive import MulLayer

    mul_apple, mul_tax = MulLayer(), MulLayer()
    apple_price = mul_apple.forward(100, 2)
    price = mul_tax.forward(apple_price, 1.1)
    assert type(apple_price) is int and apple_price == 200
    assert type(price) is float and price == 100 * 2 * 1.1
    dapple_price, dtax = mul_tax.backward(1)
    dapple, dapple_num = mul_apple.backward(dapple_price)
    assert type(dtax) is int and str(dtax) == "200"  # the book prints "dTax: 200"
    assert (type(dapple_price), type(dapple), type(dapple_num)) == (float, float, float)
    assert (dapple_price, dapple, dapple_num) == (1 * 1.1, 1.1 * 2, 1.1 * 100)


def test_buy_apple_orange_types_are_the_books():
    from minigrad.book.layer_naive import AddLayer, MulLayer

    mul_apple, mul_orange, add, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    all_price = add.forward(mul_apple.forward(100, 2), mul_orange.forward(150, 3))
    assert type(all_price) is int and all_price == 650
    mul_tax.forward(all_price, 1.1)
    dall_price, dtax = mul_tax.backward(1)
    assert type(dtax) is int and dtax == 650
    assert add.backward(dall_price) == (1.1, 1.1)
    assert add.backward(3) == (3, 3) and type(add.backward(3)[0]) is int


def test_naive_layers_keep_numpy_dtypes():
    from minigrad.book.layer_naive import AddLayer, MulLayer

    mul = MulLayer()
    out = mul.forward(np.int32(3), 4)
    assert type(out) is np.int32 and out == 12
    dx, dy = mul.backward(np.int64(2))
    assert (type(dx), type(dy)) == (np.int64, np.int64) and (dx, dy) == (8, 6)
    arr = mul.forward(np.array([1, 2], dtype=np.int16), 3)
    assert arr.dtype == np.int16 and arr.tolist() == [3, 6]
    add = AddLayer()
    half = add.forward(np.float32(1.5), 2)
    assert type(half) is np.float32 and half == 3.5
    assert type(add.backward(1.0)[0]) is float


# --- the book's cross-entropy, 1e-7 inside the log (common/functions.py) --------------------

def _book_loss(logits, t, eps=1e-7):
    """The book's value written out: softmax, then -sum(log(p_t + 1e-7)) / N."""
    z = logits - logits.max(axis=-1, keepdims=True)
    p = np.exp(z) / np.exp(z).sum(axis=-1, keepdims=True)
    if p.ndim == 1:
        p, t = p[None, :], np.reshape(t, (1, -1))
    labels = t.argmax(axis=1) if t.size == p.size else t
    return -np.log(p[np.arange(p.shape[0]), labels] + eps).sum() / p.shape[0]


@pytest.mark.parametrize("form", ["labels", "one-hot", "one sample"])
def test_softmax_with_loss_is_the_books_formula(rng, form):
    from minigrad.book.layers import SoftmaxWithLoss

    x = rng.standard_normal((6, 10)) * 4  # some confident rows: y_t far from 1 and from 0
    labels = rng.integers(0, 10, 6)
    t = {"labels": labels, "one-hot": np.eye(10)[labels], "one sample": np.eye(10)[labels[0]]}[
        form]
    if form == "one sample":
        x = x[0]
    layer = SoftmaxWithLoss()
    loss = layer.forward(x, t)
    assert type(loss) is np.float64 and loss == layer.loss
    assert loss == pytest.approx(_book_loss(x, t), rel=1e-12, abs=1e-12)
    # the fused loss without the 1e-7 is measurably different here
    fused = _book_loss(x, t, eps=0.0)
    assert abs(loss - fused) > 1e-9
    # backward is the book's (y - t) / N, which ignores the 1e-7
    n = 1 if form == "one sample" else 6
    expected = layer.y.reshape(n, 10) - (np.eye(10)[labels[:n]])
    np.testing.assert_allclose(np.reshape(layer.backward(), (n, 10)), expected / n,
                               rtol=1e-12, atol=1e-15)


def test_networks_losses_are_the_books_formula(rng):
    from minigrad.book.multi_layer_net import MultiLayerNet
    from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend
    from minigrad.book.simple_convnet import SimpleConvNet
    from minigrad.book.two_layer_net import TwoLayerNet

    x, t = rng.random((5, 16)), rng.integers(0, 4, 5)
    for net in (TwoLayerNet(16, 8, 4, weight_init_std=1.0, seed=0),
                MultiLayerNet(16, [8, 8], 4, weight_decay_lambda=0.1, seed=0),
                MultiLayerNetExtend(16, [8, 8], 4, use_batchnorm=True, seed=0)):
        logits = net.predict(x)
        decay = sum(0.5 * net.weight_decay_lambda * np.sum(p.data ** 2)
                    for k, p in net.params.items() if k.startswith("W"))
        assert float(net.loss(x, t)) == pytest.approx(_book_loss(logits, t) + decay,
                                                      rel=1e-12)
    conv = SimpleConvNet((1, 6, 6), {"filter_num": 2, "filter_size": 3, "pad": 0, "stride": 1},
                         hidden_size=5, output_size=3, weight_init_std=0.5, seed=0)
    xi, ti = rng.random((4, 1, 6, 6)), rng.integers(0, 3, 4)
    assert float(conv.loss(xi, ti)) == pytest.approx(_book_loss(conv.predict(xi), ti),
                                                     rel=1e-12)


def test_fused_softmax_with_loss_outside_the_book_is_unchanged(rng):
    import minigrad.functional as F
    from minigrad.layerwise.layers import SoftmaxWithLoss
    from minigrad.models import MultiLayerNet

    x, t = rng.standard_normal((4, 5)) * 4, np.array([0, 1, 2, 3])
    fused = F.softmax_cross_entropy(x, t).item()
    assert SoftmaxWithLoss().forward(x, t).item() == fused
    net = MultiLayerNet(5, [4], 5, seed=0)
    assert type(net.lastLayer) is SoftmaxWithLoss


# --- losses and accuracies are numbers, as the book's (ch06/weight_init_compare.py) ---------

def _book_networks():
    from minigrad.book.deep_convnet import DeepConvNet
    from minigrad.book.multi_layer_net import MultiLayerNet
    from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend
    from minigrad.book.simple_convnet import SimpleConvNet
    from minigrad.book.two_layer_net import TwoLayerNet

    flat, images = np.random.default_rng(1).random((4, 784)), np.random.default_rng(2).random(
        (100, 1, 28, 28))
    return [
        (TwoLayerNet(784, 10, 10, seed=0), flat),
        (MultiLayerNet(784, [10, 10], 10, seed=0), flat),
        (MultiLayerNet(784, [10], 10, weight_decay_lambda=0.1, seed=0), flat),
        (MultiLayerNetExtend(784, [10, 10], 10, use_batchnorm=True, use_dropout=True, seed=0),
         flat),
        (SimpleConvNet(seed=0), images),
        (DeepConvNet(seed=0), images[:2]),
    ]


def test_every_networks_loss_and_accuracy_are_numpy_floats():
    for net, x in _book_networks():
        t = np.arange(len(x)) % 10
        name = type(net).__name__
        loss = net.loss(x, t)
        assert type(loss) is np.float64, name  # the book's np.float64, printed as a number
        assert str(loss) == str(float(loss)) and "Tensor" not in str(loss), name
        assert type(net.accuracy(x, t)) is np.float64, name
        if name == "MultiLayerNetExtend":
            assert type(net.loss(x, t, train_flg=True)) is np.float64
        # the Tensor that autodiff differentiates is there for whoever wants it
        assert net.loss_tensor(x, t).requires_grad



def test_every_networks_predict_returns_an_ndarray_of_the_books_dtype():
    for net, x in _book_networks():
        name = type(net).__name__
        for dtype in (np.float64, np.float32):  # load_mnist's images are float32
            xd = x.astype(dtype)
            y = net.predict(xd)
            assert type(y) is np.ndarray, name
            # the book's NumPy promotion: float32 images against float64 weights
            assert y.dtype == np.result_type(xd, net.params["W1"].data), name
            assert y.shape == (len(x), 10), name
        if name in ("MultiLayerNetExtend", "SimpleConvNet", "DeepConvNet"):
            assert type(net.predict(x, train_flg=True)) is np.ndarray, name
        # the logits are those of the Tensor forward (inference mode) that the loss uses
        net.eval()
        np.testing.assert_array_equal(net.predict(x), net.forward(x).data, err_msg=name)


def test_misclassified_mnist_pattern_prints_a_plain_accuracy():
    # ch08/misclassified_mnist.py: argmax of predict, a sum of equalities, printed
    for net, x in _book_networks():
        t = np.arange(len(x)) % 10
        y = net.predict(x, train_flg=False) if hasattr(net, "last_layer") else net.predict(x)
        y = np.argmax(y, axis=1)
        assert type(y) is np.ndarray and y.dtype.kind == "i"
        acc = 0.0
        acc += np.sum(y == t)
        acc = acc / x.shape[0]
        assert type(acc) is np.float64
        assert "test accuracy:" + str(acc) == f"test accuracy:{float(acc)}"
        assert acc == np.mean(y == t)

def test_book_trainer_lists_hold_numpy_floats(rng):
    from minigrad.book.multi_layer_net import MultiLayerNet
    from minigrad.book.trainer import Trainer

    x, t = rng.random((20, 6)), rng.integers(0, 3, 20)
    trainer = Trainer(MultiLayerNet(6, [5], 3, seed=0), x, t, x, t, epochs=1,
                      mini_batch_size=10, verbose=False, rng=np.random.default_rng(0))
    trainer.train()
    lists = trainer.train_loss_list + trainer.train_acc_list + trainer.test_acc_list
    assert lists and all(type(v) is np.float64 for v in lists)


# --- gradient keys layer by layer (ch06/batch_norm_gradient_check.py) ------------------------

def test_gradient_keys_come_layer_by_layer_as_the_books(rng):
    from minigrad.book.multi_layer_net_extend import MultiLayerNetExtend

    net = MultiLayerNetExtend(6, [5, 4], 3, use_batchnorm=True, seed=0)
    x, t = rng.random((3, 6)), np.eye(3)[[0, 2, 1]]
    book_order = ["W1", "b1", "gamma1", "beta1", "W2", "b2", "gamma2", "beta2", "W3", "b3"]
    assert list(net.gradient(x, t)) == book_order
    assert list(net.numerical_gradient(x, t)) == book_order
    # params keep the book's order (every W, b first, then gamma, beta)
    assert list(net.params) == ["W1", "b1", "W2", "b2", "W3", "b3", "gamma1", "beta1",
                                "gamma2", "beta2"]
    for net, x in _book_networks():
        t = np.arange(len(x)) % 10
        if not any(k.startswith("gamma") for k in net.params):
            assert list(net.gradient(x, t)) == list(net.params), type(net).__name__


# --- plain arrays into the layers, item assignment into params (ch07/apply_filter.py,
#     ch08/half_float_network.py) ------------------------------------------------------------

def test_convolution_of_a_trained_filter_with_an_integer_bias(rng):
    from minigrad.book.layers import Convolution
    from minigrad.book.simple_convnet import SimpleConvNet
    from tests.book_conv_reference import Convolution as BookConvolution

    net = SimpleConvNet(seed=0)
    img = rng.random((1, 1, 28, 28))
    for i in (0, 7):
        w = net.params["W1"][i]  # a slice of a parameter: a Tensor, not a Parameter
        w = w.reshape(1, *w.shape)
        conv = Convolution(w, 0)
        assert np.shares_memory(conv.W.data, net.params["W1"].data)
        out = conv.forward(img)
        out = out.reshape(out.shape[2], out.shape[3])
        expected = BookConvolution(net.params["W1"].data[i][None], 0).forward(img)[0, 0]
        np.testing.assert_allclose(np.asarray(out.data), expected, rtol=1e-12, atol=1e-15)
        np.testing.assert_array_equal(conv.b.data, [0.0])


def test_affine_and_batchnorm_take_integer_arrays_and_number_biases():
    from minigrad.book.layers import Affine, BatchNormalization

    aff = Affine(np.array([[1, 2], [3, 4]]), 1)
    np.testing.assert_array_equal(aff.forward(np.array([[1.0, 1.0]])).data, [[5.0, 7.0]])
    aff.backward(np.ones((1, 2)))
    np.testing.assert_array_equal(aff.db, [1.0, 1.0])
    bn = BatchNormalization(np.array([1, 1]), np.array([0, 0]))
    out = bn.forward(np.array([[1.0, 2.0], [3.0, 6.0]]))
    np.testing.assert_allclose(out.data, [[-1, -1], [1, 1]], atol=1e-5)
    with pytest.raises(TypeError, match="Affine: W: expected numbers, got dtype <U1"):
        Affine(np.array([["a"]]), 0)


def test_params_take_item_assignment_as_the_books_arrays(rng):
    from minigrad.autograd import grad
    from minigrad.book.deep_convnet import DeepConvNet
    from tests.book_conv_reference import DeepConvNet as BookDeepConvNet

    net = DeepConvNet(seed=0)
    x, t = rng.random((20, 1, 28, 28)), np.arange(20) % 10
    stale = net.loss_tensor(x[:2], t[:2])
    for param in net.params.values():
        param[...] = param.astype(np.float16)  # the half-float script's loop
    for p in net.params.values():
        assert p.dtype == np.float64  # written into, as an ndarray: its dtype stays
        np.testing.assert_array_equal(p.data, p.data.astype(np.float16).astype(np.float64))
    assert net.layers[0].W is net.params["W1"]  # the layers see the new values
    with pytest.raises(RuntimeError):  # a graph that saved the old values is refused
        grad(stale, [net.params["W1"]])
    book = BookDeepConvNet()
    for k in book.params:
        book.params[k][...] = net.params[k].data
    x16 = x.astype(np.float16)
    np.testing.assert_allclose(net.predict(x16), book.predict(x16), rtol=1e-9, atol=1e-12)
    assert net.accuracy(x16, t, batch_size=10) == np.sum(
        book.predict(x16).argmax(axis=1) == t) / 20
    from minigrad.book.layers import BookParameter

    for other, _ in _book_networks():
        assert all(type(q) is BookParameter for q in other.params.values()), type(other)


def test_item_assignment_and_plain_arrays_stay_book_only():
    import minigrad as mg
    from minigrad.layerwise.layers import Convolution
    from minigrad.models import MultiLayerNet

    p = mg.nn.Parameter(np.zeros(2))
    with pytest.raises(TypeError):
        p[0] = 1.0
    with pytest.raises(TypeError, match="non-parameter Tensor"):
        Convolution(mg.tensor(np.ones((1, 1, 2, 2))), np.zeros(1))
    net = MultiLayerNet(4, [3], 2, seed=0)
    assert all(type(q) is mg.nn.Parameter for q in net.params.values())
