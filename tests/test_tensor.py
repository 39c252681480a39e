"""The Tensor: construction, dtypes, array protocol, printing, comparisons, in-place updates."""

from __future__ import annotations

import numpy as np
import pytest
from conftest import make_leaf  # the suite's one leaf maker
from hypothesis import given
from state_support import same as _same
from state_support import state as _state
from strategies import VALUES, float_arrays, shapes

import minigrad as mg

leaf = make_leaf


# -- construction and dtypes ------------------------------------------------------------


@pytest.mark.parametrize("data", [3, 2.5, True, [1, 2, 3], [[1, 2], [3, 4]], (1, 2), []])
def test_python_numbers_and_lists_become_float64(data):
    t = mg.tensor(data)
    assert t.dtype == np.float64
    np.testing.assert_array_equal(t.data, np.asarray(data, dtype=np.float64))
    assert mg.Tensor(data).dtype == np.float64


@pytest.mark.parametrize("dtype", [np.float32, np.float64, np.int64, np.int32, np.uint8, np.bool_])
def test_ndarrays_keep_their_dtype_and_are_not_copied(dtype):
    a = np.zeros(3, dtype=dtype)
    t = mg.Tensor(a)
    assert t.dtype == dtype and t.data is a
    assert mg.tensor([1, 2], dtype=dtype).dtype == dtype


@pytest.mark.parametrize("op", [
    lambda x: x * 2.0, lambda x: 2.0 * x, lambda x: 2.0 - x, lambda x: x - 1,
    lambda x: x + 0.5, lambda x: x**2, lambda x: x**0.5, lambda x: x / 3, lambda x: 3 / x,
    lambda x: -x, lambda x: x.exp(), lambda x: x.sum(), lambda x: x.mean(axis=0),
    lambda x: x @ x.T, lambda x: 2**x, lambda x: x * x,
], ids=["x*2.0", "2.0*x", "2.0-x", "x-1", "x+0.5", "x**2", "x**0.5", "x/3", "3/x", "-x", "exp",
        "sum", "mean", "x@x.T", "2**x", "x*x"])
def test_float32_stays_float32_through_ops_and_gradients(op):
    x = mg.tensor(np.array([[0.5, 1.0], [1.5, 2.0]], dtype=np.float32), requires_grad=True)
    y = op(x)
    assert y.dtype == np.float32
    y.backward(np.ones(y.shape))  # a float64 seed is cast to the output's dtype
    assert x.grad.dtype == np.float32


def test_float32_second_derivative_stays_float32():
    x = mg.tensor(np.array([1.5, 2.0], dtype=np.float32), requires_grad=True)
    (g,) = mg.grad((x**3).sum(), x, create_graph=True)
    (gg,) = mg.grad(g.sum(), x)
    assert g.dtype == gg.dtype == np.float32
    np.testing.assert_allclose(gg.data, 6 * x.data)


@pytest.mark.parametrize("arr", [np.array([1, 2]), np.array([True, False]),
                                 np.array([1, 2], dtype=np.uint8), np.array(3, dtype=np.int32)],
                         ids=["int64", "bool", "uint8", "int32-0d"])
def test_requires_grad_on_integer_or_bool_raises(arr):
    with pytest.raises(TypeError, match="floating-point"):
        mg.Tensor(arr, requires_grad=True)
    with pytest.raises(TypeError, match="floating-point"):
        mg.tensor([1, 2], dtype=arr.dtype, requires_grad=True)
    t = mg.Tensor(arr)
    with pytest.raises(TypeError, match=str(t.dtype)):
        t.requires_grad = True
    assert not t.requires_grad


def test_integer_ops_give_no_graph():
    i = mg.Tensor(np.array([1, 2, 3]))
    w = leaf([1.0, 2.0, 3.0])
    assert not (i * 2).requires_grad
    y = w * i
    assert y.requires_grad and y.dtype == np.float64
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [1.0, 2.0, 3.0])


# -- attributes, protocols, printing --------------------------------------------------------


@VALUES
@given(x=shapes().flatmap(float_arrays))
def test_array_attributes(x):
    t = mg.tensor(x)
    assert t.shape == x.shape and t.ndim == x.ndim and t.size == x.size and t.dtype == x.dtype
    assert np.asarray(t) is t.data and t.numpy() is t.data
    np.testing.assert_array_equal(np.asarray(t, dtype=np.float32), x.astype(np.float32))
    assert t.tolist() == x.tolist()
    if x.ndim:
        assert len(t) == x.shape[0]
    else:
        with pytest.raises(TypeError):
            len(t)
    if x.size == 1:
        assert t.item() == x.item() and float(t) == float(x.item())
    else:
        with pytest.raises(ValueError, match=str(x.shape)):
            t.item()


def test_leaf_and_non_leaf_attributes():
    x = leaf([1.0, 2.0], name="x")
    y = x * 2
    assert x.is_leaf and x.creator is None and x.requires_grad and x.name == "x"
    assert not y.is_leaf and y.creator.name == "Mul" and y.requires_grad
    d = y.detach()
    assert d.is_leaf and not d.requires_grad and d.data is y.data
    with pytest.raises(RuntimeError, match="leaf"):
        y.requires_grad = False


def test_repr():
    x = leaf([1.0, 2.0, 3.0])
    assert repr(x) == "Tensor([1., 2., 3.], requires_grad=True)"
    y = x * 2
    r = repr(y)
    assert "2., 4., 6." in r and "grad_fn=<Mul>" in r and "requires_grad" not in r
    assert repr(mg.tensor(1.5)) == "Tensor(1.5)"
    assert "dtype=float32" in repr(mg.tensor(np.ones(2, dtype=np.float32)))
    assert "name='w'" in repr(leaf([1.0], name="w"))
    big = repr(mg.tensor(np.arange(1000.0)))
    assert "..." in big and "shape=(1000,)" in big and len(big) < 300
    assert "grad_fn=<Sum>" in repr(x.sum())
    assert f"{mg.tensor(2.0):.3f}" == "2.000"


def test_comparisons_and_argmax_are_not_differentiable():
    x = leaf([1.0, 5.0, 3.0])
    for r in (x > 2, x >= 3, x < 2, x <= 1, x == 5, x != 5, x > mg.tensor(2.0),
              x.argmax(), x.argmin()):
        assert isinstance(r, mg.Tensor)
        assert not r.requires_grad and r.creator is None
    np.testing.assert_array_equal((x > 2).data, [False, True, True])
    assert (x > 2).dtype == np.bool_
    assert x.argmax().item() == 1
    # a tensor stays hashable (usable as a dict key) despite ==
    assert len({x: 1, x * 1: 2}) == 2


def test_ndarray_and_scalars_on_the_left_give_tensors():
    t = leaf([1.0, 2.0, 3.0])
    for y in (np.ones(3) + t, np.ones(3) - t, np.ones(3) * t, np.ones(3) / t, 2.0 ** t,
              np.float64(2.0) * t, np.ones((2, 3)) @ leaf(np.ones((3, 2)))):
        assert isinstance(y, mg.Tensor) and y.requires_grad


def test_astype_and_helpers():
    x = mg.tensor([1.5, 2.5])
    assert x.astype(np.float32).dtype == np.float32 and not x.astype(np.float32).requires_grad
    assert mg.zeros(2, 3).shape == (2, 3) and mg.ones((2,)).data.sum() == 2
    r = mg.randn(3, 4, rng=0, requires_grad=True)
    assert r.requires_grad and r.shape == (3, 4)
    np.testing.assert_array_equal(r.data, mg.randn(3, 4, rng=0).data)
    assert mg.as_tensor(x) is x


# -- in-place updates -------------------------------------------------------------------


def test_sgd_update_is_in_place_and_bumps_the_version():
    w = leaf([1.0, 2.0])
    data = w.data
    (w * w).sum().backward()
    assert w.version == 0
    w -= 0.1 * w.grad
    assert w.data is data and w.version == 1
    np.testing.assert_allclose(w.data, [0.8, 1.6])
    assert w.is_leaf and w.requires_grad
    with mg.no_grad():
        w -= 0.5 * w.grad
        w *= 2.0
    assert w.data is data and w.version == 3
    w += np.array([1.0, 1.0])
    w /= 2
    assert w.version == 5


def test_in_place_update_invalidates_graphs_that_saved_the_old_value():
    w = leaf([1.0, 2.0])
    loss = (w * 3.0).sum()
    w -= 0.1 * mg.tensor([1.0, 1.0])
    with pytest.raises(RuntimeError, match="Mul") as info:
        loss.backward()
    assert "in-place" in str(info.value)
    assert w.grad is None


def test_in_place_on_saved_non_leaf_is_detected_by_version():
    a = leaf([1.0, 2.0])
    h = a * 2
    z = (h * h).sum()
    with mg.no_grad():
        h += 1
    assert h.version == 1
    with pytest.raises(RuntimeError, match=r"Mul.*version 1, expected version 0"):
        z.backward()
    x = mg.tensor([1.0, 2.0])  # a constant input, changed after use
    y = (a * x).sum()
    x *= 2
    with pytest.raises(RuntimeError, match="Mul"):
        y.backward()


@pytest.mark.parametrize("fn, name", [(lambda x: x.exp(), "Exp"), (lambda x: x.tanh(), "Tanh"),
                                      (lambda x: x.sigmoid(), "Sigmoid"),
                                      (lambda x: x.sqrt(), "Sqrt"),
                                      (lambda x: mg.functional.softmax(x), "Softmax")])
def test_in_place_on_a_saved_output_is_detected(fn, name):
    # these ops' backward reads their output: changing it in place must not go unnoticed
    x = leaf([1.0, 2.0])
    y = fn(x)
    with mg.no_grad():
        y *= 2
    with pytest.raises(RuntimeError, match=rf"output 0 of {name}.*version 1"):
        y.backward(np.ones(2))
    assert x.grad is None


def test_in_place_with_operand_requiring_grad_on_leaf_raises():
    w = leaf([1.0, 2.0])
    v = leaf([3.0, 4.0])
    data = w.data.copy()
    with pytest.raises(RuntimeError, match="in-place"):
        w -= v * 2
    np.testing.assert_array_equal(w.data, data)
    assert w.version == 0


def test_in_place_on_non_leaf_in_grad_mode_is_out_of_place():
    w = leaf([1.0, 2.0])
    y = w * 2
    y_data, y_id = y.data, id(y)
    y += 1
    assert id(y) != y_id and y.creator.name == "Add"
    np.testing.assert_array_equal(y_data, [2.0, 4.0])
    y.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [2.0, 2.0])


def test_bad_in_place_updates_raise_before_changing_anything():
    w = leaf([1.0, 2.0])
    data = w.data.copy()
    with pytest.raises(ValueError, match=r"\(3,\).*\(2,\)"):
        w -= np.ones(3)
    with pytest.raises(ValueError, match=r"\(2, 2\)"):
        w += np.ones((2, 2))
    i = mg.Tensor(np.array([1, 2]))
    with pytest.raises(TypeError, match="int64"):
        i += 0.5
    np.testing.assert_array_equal(w.data, data)
    assert w.version == 0 and i.version == 0
    np.testing.assert_array_equal(i.data, [1, 2])


def test_python_number_operands_share_one_read_only_constant():
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    a, b = x * 1.0001, x * 1.0001
    ca, cb = a.creator.inputs[1], b.creator.inputs[1]
    assert ca is cb and not ca.requires_grad and ca.dtype == np.float64
    assert not ca.data.flags.writeable
    # float32 tensors get float32 constants, ints stay apart from floats
    x32 = mg.Tensor(np.ones(2, np.float32))
    assert (x32 * 1.0001).dtype == np.float32
    assert (mg.Tensor(np.array([3])) * 2).dtype.kind == "i"
    assert (x * 2).creator.inputs[1] is not (x * 2.0).creator.inputs[1]


def test_signed_zero_and_nan_constants_keep_their_value():
    x = mg.tensor([1.0])
    assert np.signbit((x * 0.0).data[0]) == np.signbit(0.0)
    assert np.signbit((x * -0.0).data[0])
    with np.errstate(divide="ignore"):
        assert (1.0 / (x * -0.0)).data[0] == -np.inf
    assert np.isnan((x + float("nan")).data[0])


# -- aliases share the version counter ---------------------------------------------------------

def test_in_place_change_through_detach_is_detected(leaf):
    w = leaf([1.0, 2.0])
    y = (w * w).sum()
    d = w.detach()
    d += 10
    assert w.version == d.version == 1
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()
    assert w.grad is None


def test_in_place_change_through_a_view_is_detected(leaf):
    w = leaf([1.0, 2.0, 3.0])
    y = (w * w).sum()
    with mg.no_grad():
        v = w[0:2]
        v += 10
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_in_place_change_of_the_base_is_seen_by_its_view(leaf):
    w = leaf([1.0, 2.0, 3.0, 4.0])
    c = mg.tensor([1.0, 2.0, 3.0, 4.0])
    v = c.reshape(2, 2)
    y = (v * w.reshape(2, 2)).sum()
    with mg.no_grad():
        c += 1  # changes what y's Mul saved through the view
    with pytest.raises(RuntimeError, match="modified by an in-place"):
        y.backward()


# -- bad data and operands --------------------------------------------------------------------

@pytest.mark.parametrize("make", [
    lambda: mg.tensor(None),
    lambda: mg.Tensor(None),
    lambda: mg.tensor([1.0, None]),
    lambda: mg.tensor([[1.0], [None]]),
])
def test_none_never_becomes_nan_in_a_tensor(make):
    with pytest.raises(TypeError, match="None"):
        make()


@pytest.mark.parametrize("opname", ["__isub__", "__iadd__", "__imul__"])
def test_inplace_none_leaves_the_parameter_unchanged(opname):
    w = mg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="in-place.*None"):
        getattr(w, opname)(None)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


@pytest.mark.parametrize("data", ["abc", b"abc", [1.0, "x"], [object()], object(),
                                  [[1.0, 2.0], [3.0]], {"a": 1}, np.array(["a", "b"]),
                                  np.array([object()], dtype=object), np.array([1 + 2j])],
                         ids=["str", "bytes", "mixed-list", "object-list", "object", "ragged",
                              "dict", "str-array", "object-array", "complex"])
def test_non_numeric_data_raises_type_error(data):
    with pytest.raises(TypeError) as info:
        mg.Tensor(data)
    assert "Tensor" in str(info.value)
    t = leaf([1.0, 2.0])
    before = _state(t)
    for op, name in ((lambda: t + data, "Add"), (lambda: data * t, "Mul")):
        with pytest.raises(TypeError) as info:
            op()
        assert name in str(info.value)
    assert _same(before, _state(t))


def test_item_of_many_elements():
    with pytest.raises(ValueError, match=r"\(2,\)"):
        mg.tensor([1.0, 2.0]).item()
