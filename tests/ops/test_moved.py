"""The former homes of ops still give every name they had, with a DeprecationWarning."""

import importlib

import pytest

import minigrad.ops as ops

MOVED = {
    "minigrad.ops.arith": ("elementwise", ["Add", "Sub", "Mul", "Div", "Neg", "Pow", "PowTensor",
                                           "add", "sub", "mul", "div", "neg", "pow"]),
    "minigrad.ops.unary": ("elementwise", ["Exp", "Log", "Sqrt", "Sin", "Cos", "Tanh", "Abs",
                                           "Cast", "exp", "log", "sqrt", "sin", "cos", "tanh",
                                           "abs", "astype"]),
    "minigrad.ops.select": ("indexing", ["Where", "Gather", "ScatterAdd", "where", "masked_fill",
                                         "gather", "take_along_axis", "scatter_add",
                                         "index_add", "masked_select", "nonzero", "argwhere",
                                         "sort", "argsort", "topk", "one_hot", "argmax",
                                         "argmin"]),
    "minigrad.ops.conv": ("padding", ["ConstantPad", "np_pad", "pad", "interpolate"]),
    "minigrad.ops.shape": ("indexing", ["tril", "triu"]),
}
ELSEWHERE = {
    ("minigrad.ops.unary", "sigmoid"): "activation", ("minigrad.ops.unary", "relu"): "activation",
    ("minigrad.ops.unary", "Sigmoid"): "activation", ("minigrad.ops.unary", "ReLU"): "activation",
    ("minigrad.ops.select", "clip"): "elementwise", ("minigrad.ops.select", "clamp"): "elementwise",
    ("minigrad.ops.select", "maximum"): "elementwise",
    ("minigrad.ops.select", "minimum"): "elementwise",
    ("minigrad.ops.select", "Clip"): "elementwise",
    ("minigrad.ops.select", "Maximum"): "elementwise",
    ("minigrad.ops.select", "Minimum"): "elementwise",
}
CASES = [(old, name, ELSEWHERE.get((old, name), home))
         for old, (home, names) in MOVED.items() for name in names]
CASES += [(old, name, home) for (old, name), home in ELSEWHERE.items()]


@pytest.mark.parametrize("old, name, home", CASES)
def test_old_name_warns_and_is_the_new_object(old, name, home):
    module = importlib.import_module(old)
    with pytest.warns(DeprecationWarning, match=rf"{old}\.{name} has moved to "
                                                rf"minigrad\.ops\.{home}\.{name}"):
        value = getattr(module, name)
    assert value is getattr(getattr(ops, home), name)


def test_from_import_of_an_old_name_works():
    with pytest.warns(DeprecationWarning):
        from minigrad.ops.arith import add
    assert add is ops.elementwise.add


def test_unknown_name_of_an_old_module_is_an_attribute_error():
    module = importlib.import_module("minigrad.ops.select")
    with pytest.raises(AttributeError, match="'minigrad.ops.select' has no attribute 'nope'"):
        module.nope  # noqa: B018


@pytest.mark.parametrize("name", ["TRAINING_KIND", "training_state_dict", "save_training_state",
                                  "load_training_state"])
def test_the_training_checkpoint_names_of_serialization_moved(name):
    from minigrad import serialization, training_checkpoint

    with pytest.warns(DeprecationWarning, match=rf"minigrad\.serialization\.{name} has moved to "
                                                rf"minigrad\.training_checkpoint\.{name}"):
        value = getattr(serialization, name)
    assert value is getattr(training_checkpoint, name)
