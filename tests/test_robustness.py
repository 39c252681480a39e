import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import minigrad as mg
import minigrad.functional as F

# -- print options ------------------------------------------------------------------------------


@pytest.fixture
def printoptions():
    saved = mg.get_printoptions()
    yield
    mg.set_printoptions(**saved)


def test_repr_of_a_big_tensor_is_short(printoptions):
    t = mg.Tensor(np.arange(1_000_000, dtype=np.float64).reshape(1000, 1000))
    text = repr(t)
    assert len(text) < 600
    assert "..." in text and "shape=(1000, 1000)" in text


def test_threshold_controls_summarisation(printoptions):
    t = mg.Tensor(np.arange(20.0))
    assert "..." not in repr(t)  # 20 <= default threshold
    mg.set_printoptions(threshold=10)
    assert mg.get_printoptions()["threshold"] == 10
    text = repr(t)
    assert "..." in text and "shape=(20,)" in text
    assert "0." in text and "19." in text and "10." not in text
    mg.set_printoptions(threshold=1000)
    assert "..." not in repr(mg.Tensor(np.arange(500.0)))


def test_edgeitems(printoptions):
    mg.set_printoptions(threshold=5, edgeitems=1)
    assert repr(mg.Tensor(np.arange(10.0))) == "Tensor([0., ..., 9.], shape=(10,))"


def test_precision(printoptions):
    t = mg.tensor([1.23456789, -2.5])
    mg.set_printoptions(precision=2)
    assert repr(t) == "Tensor([ 1.23, -2.5 ])"
    mg.set_printoptions(precision=6)
    assert "1.234568" in repr(t)


def test_repr_shows_dtype_and_grad_fn(printoptions):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2).endswith("grad_fn=<Mul>)")
    assert "dtype=float32" in repr(mg.Tensor(np.ones(2, dtype=np.float32)))


@pytest.mark.parametrize("bad", [{"precision": -1}, {"threshold": 1.5}, {"edgeitems": "3"}])
def test_set_printoptions_rejects_bad_values_without_changing_anything(printoptions, bad):
    before = mg.get_printoptions()
    with pytest.raises(ValueError, match=next(iter(bad))):
        mg.set_printoptions(**bad)
    assert mg.get_printoptions() == before


# -- numerical robustness at extreme inputs ------------------------------------------------------

EXTREMES = np.array([[1000.0, -1000.0, 0.0], [-1000.0, -1000.0, -1000.0],
                     [1000.0, 1000.0, 999.0], [-1000.0, 1000.0, -999.0]])


def _finite_value_and_grad(fn, x):
    y = fn(x)
    assert np.isfinite(y.data).all(), y
    (g,) = mg.grad(y.sum() if y.ndim else y, [x])
    assert np.isfinite(g.data).all(), g
    assert y.dtype == x.dtype and g.dtype == x.dtype
    return y, g


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
@pytest.mark.parametrize("name", ["softmax", "log_softmax", "softmax_cross_entropy", "sigmoid"])
def test_extreme_inputs_stay_finite_without_warnings(name, dtype):
    labels = np.array([1, 0, 2, 0])
    fns = {
        "softmax": lambda x: F.softmax(x, axis=1) * mg.Tensor(np.arange(3.0, dtype=dtype)),
        "log_softmax": lambda x: F.log_softmax(x, axis=1),
        "softmax_cross_entropy": lambda x: F.softmax_cross_entropy(x, labels),
        "sigmoid": F.sigmoid,
    }
    x = mg.Tensor(EXTREMES.astype(dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _finite_value_and_grad(fns[name], x)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_extreme_values_are_right(dtype):
    x = mg.Tensor(np.array([1000.0, -1000.0, 0.0], dtype=dtype))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        np.testing.assert_array_equal(F.softmax(x).data, np.array([1, 0, 0], dtype=dtype))
        np.testing.assert_allclose(F.log_softmax(x).data, [0.0, -2000.0, -1000.0], rtol=1e-6)
        np.testing.assert_array_equal(F.sigmoid(x).data, np.array([1, 0, 0.5], dtype=dtype))
        loss = F.softmax_cross_entropy(x.reshape(1, 3), np.array([1]))
        assert loss.item() == pytest.approx(2000.0, rel=1e-6)
        one_hot = F.softmax_cross_entropy(x.reshape(1, 3), np.array([[0.0, 1.0, 0.0]],
                                                                    dtype=dtype))
        assert one_hot.item() == pytest.approx(2000.0, rel=1e-6)


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_softmax_cross_entropy_gradient_at_extremes_is_exact(dtype):
    x = mg.Tensor(np.array([[1000.0, -1000.0]], dtype=dtype), requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        F.softmax_cross_entropy(x, np.array([1])).backward()
    np.testing.assert_array_equal(x.grad.data, np.array([[1.0, -1.0]], dtype=dtype))


@settings(max_examples=40, deadline=None)
@given(data=st.data(), dtype=st.sampled_from([np.float64, np.float32]))
def test_large_random_logits_stay_finite(data, dtype):
    shape = data.draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=6))
    x = data.draw(hnp.arrays(dtype, shape, elements=st.floats(
        -1e4, 1e4, width=32, allow_nan=False, allow_infinity=False)))
    labels = np.array(data.draw(st.lists(st.integers(0, shape[1] - 1), min_size=shape[0],
                                         max_size=shape[0])))
    t = mg.Tensor(x, requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for fn in (lambda z: F.softmax(z, axis=1), lambda z: F.log_softmax(z, axis=1),
                   lambda z: F.softmax_cross_entropy(z, labels), F.sigmoid):
            _finite_value_and_grad(fn, t)


def _cross_entropy_error():
    return F.cross_entropy_error


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_cross_entropy_error_with_zero_probability_stays_finite(dtype):
    cross_entropy_error = _cross_entropy_error()
    y = mg.Tensor(np.array([[0.0, 1.0, 0.0], [0.5, 0.5, 0.0]], dtype=dtype), requires_grad=True)
    t = np.array([[1, 0, 0], [0, 0, 1]], dtype=dtype)  # the right class has probability 0
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy_error(y, t)
        loss.backward()
    # -log(0 + 1e-7) per sample: about 16.118, the book's value
    assert loss.item() == pytest.approx(-np.log(1e-7), rel=1e-5)
    assert np.isfinite(y.grad.data).all()
    assert y.grad.data[0, 0] == pytest.approx(-1 / (2 * 1e-7), rel=1e-5)
    assert loss.dtype == dtype and y.grad.dtype == dtype


def test_cross_entropy_error_with_integer_labels_and_zero_probability():
    cross_entropy_error = _cross_entropy_error()
    y = mg.tensor([[0.0, 1.0], [1.0, 0.0]], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        loss = cross_entropy_error(y, np.array([0, 1]))
        loss.backward()
    assert np.isfinite(loss.item()) and np.isfinite(y.grad.data).all()


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_and_exp_overflow_is_not_silent_inside_detect_anomaly(dtype):
    # exp overflows to inf at 1000: anomaly mode points at it instead of a warning
    x = mg.Tensor(np.array([1000.0], dtype=dtype), requires_grad=True)
    with pytest.raises(mg.AnomalyError, match="Exp produced 1 inf"), mg.detect_anomaly():
        x.exp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _finite_value_and_grad(F.tanh, x)
