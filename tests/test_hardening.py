"""Bad input to tensors and ops: None operands, wrong axis types, impossible sizes."""

from __future__ import annotations

import numpy as np
import pytest

import minigrad as mg


@pytest.mark.parametrize("make", [
    lambda: mg.tensor(None),
    lambda: mg.Tensor(None),
    lambda: mg.tensor([1.0, None]),
    lambda: mg.tensor([[1.0], [None]]),
])
def test_none_never_becomes_nan_in_a_tensor(make):
    with pytest.raises(TypeError, match="None"):
        make()


@pytest.mark.parametrize("op, name", [
    (lambda x: x * None, "Mul"),
    (lambda x: None * x, "Mul"),
    (lambda x: x + None, "Add"),
    (lambda x: x - [1.0, None], "Sub"),
    (lambda x: x / None, "Div"),
])
def test_none_operand_is_a_type_error_naming_the_op(op, name):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    with pytest.raises(TypeError, match=f"{name}.*None"):
        op(x)


@pytest.mark.parametrize("opname", ["__isub__", "__iadd__", "__imul__"])
def test_inplace_none_leaves_the_parameter_unchanged(opname):
    w = mg.tensor([1.0, 2.0])
    with pytest.raises(TypeError, match="in-place.*None"):
        getattr(w, opname)(None)
    np.testing.assert_array_equal(w.data, [1.0, 2.0])


@pytest.mark.parametrize("axis", ["a", 1.0, [0.0], True, (0, "b")])
@pytest.mark.parametrize("reduction", ["sum", "mean", "max", "min"])
def test_bad_axis_type_names_op_argument_and_value(reduction, axis):
    x = mg.tensor(np.ones((2, 3)))
    with pytest.raises(TypeError) as info:
        getattr(x, reduction)(axis=axis)
    msg = str(info.value)
    assert reduction in msg and "axis" in msg and repr(axis) in msg


def test_a_broadcast_needing_terabytes_names_the_op_and_shapes():
    a = mg.tensor(np.zeros((10**7, 1)))
    b = mg.tensor(np.zeros((1, 10**7)))
    with pytest.raises(MemoryError) as info:
        a + b
    msg = str(info.value)
    assert "Add" in msg and "(10000000, 1)" in msg and "(1, 10000000)" in msg
