"""The namespaces hold every op where a NumPy or PyTorch user looks for it.

``mg.*`` is NumPy's namespace, ``minigrad.functional`` is ``torch.nn.functional``'s
(plus the elementwise math of ``torch.*``), and the Tensor methods are those of
``ndarray`` and ``torch.Tensor`` where the two agree. All three are derived from the
catalogue of ops; these tests hold them against written lists of NumPy's and PyTorch's
names (tests/api_names.py) and against the names minigrad 0.1 had.
"""

import importlib
import inspect

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad.ops import catalogue
from tests import api_names

ENTRIES = catalogue.entries()
#: Every name an op of minigrad goes by, anywhere.
IMPLEMENTED = {n for e in ENTRIES for n in (*e.names, *e.functional, *e.methods)}

#: Where NumPy and PyTorch give one name two meanings, the Tensor method is left out or
#: has one of them (the docstring and the comparison page say which).
METHOD_CONFLICTS = {
    "sort": "ndarray.sort sorts in place, torch.Tensor.sort returns (values, indices); "
            "minigrad's sort returns the values: mg.sort(x)",
}


def test_every_public_function_of_an_op_module_is_in_the_catalogue():
    declared = {e.function for e in ENTRIES}
    for family in ("elementwise", "reduce", "shape", "indexing", "linalg", "conv", "padding",
                   "activation", "normalization", "loss", "attention", "creation"):
        module = importlib.import_module(f"minigrad.ops.{family}")
        for name in module.__all__:
            value = getattr(module, name)
            if inspect.isfunction(value) and value.__module__ == module.__name__ \
                    and name not in ("normalize_axis", "normalize_one_axis", "sum_to_array"):
                assert value in declared, f"minigrad.ops.{family}.{name} has no @op declaration"


def test_each_entry_is_where_it_says():
    for e in ENTRIES:
        for name in e.numpy:
            assert getattr(mg, name) is e.function, f"mg.{name}"
        if e.mg:
            for name in e.names:
                owner = getattr(mg, name)
                # a name NumPy gives another op belongs to that op
                assert owner is e.function or any(
                    name in o.numpy and o.function is owner for o in ENTRIES), f"mg.{name}"
        for name in e.functional:
            assert getattr(F, name) is e.function, f"F.{name}"
        for name in e.methods:
            assert hasattr(mg.Tensor, name), f"Tensor.{name}"


def test_the_written_lists_are_true():
    import torch
    import torch.nn.functional as TF

    written = tuple(int(v) for v in "2.4".split("."))
    if tuple(int(v) for v in np.__version__.split(".")[:2]) >= written:
        assert [n for n in api_names.NUMPY_FUNCTIONS if not hasattr(np, n)] == []
    assert [n for n in api_names.NDARRAY_METHODS if not hasattr(np.ndarray, n)] == []
    assert [n for n in api_names.TORCH_FUNCTIONS if not hasattr(torch, n)] == []
    assert [n for n in api_names.TORCH_NN_FUNCTIONAL if not hasattr(TF, n)] == []
    assert [n for n in api_names.TORCH_TENSOR_METHODS if not hasattr(torch.Tensor, n)] == []


def test_numpy_names_are_in_mg():
    missing = sorted(n for n in set(api_names.NUMPY_FUNCTIONS) & IMPLEMENTED if not hasattr(mg, n))
    assert missing == []


def test_the_first_numpy_calls_of_a_new_user_work():
    x = mg.tensor([[1.0, 4.0], [9.0, 16.0]])
    for f in (mg.exp, mg.log, mg.sqrt, mg.abs, mg.sin, mg.tanh):
        np.testing.assert_allclose(f(x).data, getattr(np, f.__name__)(x.data))
    np.testing.assert_allclose(mg.matmul(x, x).data, x.data @ x.data)
    np.testing.assert_allclose(mg.add(x, 1.0).data, x.data + 1)
    np.testing.assert_allclose(mg.power(x, 2).data, x.data ** 2)
    np.testing.assert_allclose(mg.arcsin(x / 20).data, np.arcsin(x.data / 20))
    np.testing.assert_allclose(mg.concat([x, x]).data, np.concatenate([x.data, x.data]))
    np.testing.assert_allclose(mg.pad(x, 1).data, np.pad(x.data, 1))  # NumPy's pad


def test_torch_functional_names_are_in_functional():
    missing = sorted(n for n in set(api_names.TORCH_NN_FUNCTIONAL) & IMPLEMENTED
                     if not hasattr(F, n))
    assert missing == []


def test_torch_elementwise_math_is_in_functional():
    torch_names = set(api_names.TORCH_FUNCTIONS)
    missing = sorted(n for e in ENTRIES if e.family == "elementwise"
                     for n in e.torch if n in torch_names and not hasattr(F, n))
    assert missing == []
    assert F.log2 is mg.log2 and F.exp is mg.exp


def test_methods_where_ndarray_and_torch_agree():
    both = set(api_names.NDARRAY_METHODS) & set(api_names.TORCH_TENSOR_METHODS) & IMPLEMENTED
    missing = sorted(n for n in both - set(METHOD_CONFLICTS) if not hasattr(mg.Tensor, n))
    assert missing == []


def test_torch_tensor_methods_of_catalogued_ops_are_methods():
    # an op PyTorch has as a Tensor method is one here too, under that name
    torch_methods = set(api_names.TORCH_TENSOR_METHODS)
    missing = sorted(n for e in ENTRIES if e.methods for n in e.torch
                     if n in torch_methods and not hasattr(mg.Tensor, n))
    assert missing == []


def test_numpy_meaning_wins_a_conflict():
    x = mg.tensor(np.arange(6.0).reshape(2, 3))
    assert mg.transpose(x).shape == (3, 2) and x.transpose().shape == (3, 2)
    assert x.transpose(1, 0).shape == (3, 2)  # every axis listed, as ndarray.transpose
    assert mg.swapaxes(x, 0, 1).shape == (3, 2)
    np.testing.assert_array_equal(mg.max(x, axis=0).data, [3.0, 4.0, 5.0])  # values only
    np.testing.assert_array_equal(mg.sort(-x, axis=1).data, np.sort(-x.data, axis=1))


# The public names of minigrad 0.1: each still works.
OLD_MG = """
AccumulationWarning AnomalyError AxisError CheckpointError Function GradcheckError Tensor acos
acosh all anomaly any arange argmax argmin argsort argwhere as_tensor asin asinh atan atan2
atanh autograd bitwise_and bitwise_not bitwise_or bitwise_xor book broadcast_to cat ceil
check_graph chunk clamp clip concatenate copysign cosh cummax cummin cumprod cumsum debug
detect_anomaly diag diagonal div divide dot einsum empty enable_grad erf exp2 expand expand_dims
expm1 eye flatten flip floor floor_divide fmod full full_like functional gather get_printoptions
grad gradcheck gradgradcheck gradient_descent graph_memory index_add invert is_anomaly_enabled
is_grad_enabled isclose isfinite isinf isnan left_shift lerp linspace load log10 log1p log2
logaddexp logcumsumexp logical_and logical_not logical_or logical_xor logsumexp masked_fill
masked_select max maximum mean meshgrid min minimum mod models moveaxis nn no_grad nonzero norm
normal numerical numerical_diff numerical_gradient one_hot ones ones_like ops optim outer pad
permute printing prod rand randint randn reciprocal remainder repeat repeat_interleave reshape
right_shift roll round rsqrt save scatter_add serialization set_debug set_grad_enabled
set_printoptions sign sinh sort split square squeeze stack std sum swapaxes take_along_axis tan
tensor tensordot tile topk trace_backward transpose tril triu trunc unflatten uniform unsqueeze
var view where zeros zeros_like
""".split()
OLD_F = """
BinaryCrossEntropy CROSS_ENTROPY_DELTA Hardswish Hardtanh LeakyReLU LogSigmoid LogSoftmax
SELU_ALPHA SELU_SCALE Softmax SoftmaxCrossEntropy abs accuracy adaptive_avg_pool2d add
avg_pool2d binary_cross_entropy binary_cross_entropy_with_logits broadcast_to celu col2im conv2d
conv_output_size conv_transpose2d cos cross_entropy cross_entropy_error div dot einsum elu erf
exp expm1 fold gelu getitem hardsigmoid hardswish hardtanh huber_loss identity_function im2col
interpolate l1_loss leaky_relu linear log log1p log_softmax logsigmoid matmul max max_pool2d
mean min mish mse_loss mul neg nll_loss normalize outer pad pow quick_gelu relu relu6 reshape
scaled_dot_product_attention selu sigmoid silu sin smooth_l1_loss softmax softmax_cross_entropy
softmin softplus softsign sqrt step_function sub sum sum_squared_error sum_squares_error sum_to
tanh tensordot transpose unfold
""".split()
OLD_METHODS = """
T __abs__ __add__ __and__ __array__ __bool__ __eq__ __float__ __floordiv__ __getitem__ __iadd__
__imul__ __index__ __int__ __invert__ __isub__ __iter__ __itruediv__ __len__ __lshift__ __lt__
__matmul__ __mod__ __mul__ __neg__ __or__ __pos__ __pow__ __radd__ __rand__ __rfloordiv__
__rlshift__ __rmatmul__ __rmod__ __rmul__ __ror__ __rpow__ __rrshift__ __rshift__ __rsub__
__rtruediv__ __rxor__ __sub__ __truediv__ __xor__ abs acos acosh all any argmax argmin argsort
asin asinh astype atan atan2 atanh backward broadcast_to ceil chunk clamp clip copysign cos cosh
creator cummax cummin cumprod cumsum data detach diag diagonal div dot dtype erf exp exp2 expand
expm1 flatten flip floor fmod gather grad grad_fn index_add is_leaf isfinite isinf isnan item
lerp log log10 log1p log2 logaddexp logcumsumexp logsumexp mT masked_fill masked_select matmul
max maximum mean min minimum moveaxis name ndim nonzero norm numpy permute prod reciprocal relu
remainder repeat repeat_interleave requires_grad reshape retain_grad roll round rsqrt
scatter_add shape sigmoid sign sin sinh size sqrt square squeeze std sum sum_to swapaxes
take_along_axis tan tanh tile tolist topk transpose tril triu trunc unflatten unsqueeze var
version view where zero_grad
""".split()


@pytest.mark.parametrize("name", OLD_MG)
def test_old_mg_name_still_works(name):
    assert getattr(mg, name) is not None


@pytest.mark.parametrize("name", OLD_F)
def test_old_functional_name_still_works(name):
    assert getattr(F, name) is not None


@pytest.mark.parametrize("name", OLD_METHODS)
def test_old_tensor_method_still_works(name):
    assert hasattr(mg.Tensor, name)


def test_the_type_checking_operators_match_the_installed_ones():
    # tensor.py names the operators for type checkers; the catalogue installs them
    source = inspect.getsource(importlib.import_module("minigrad.tensor"))
    typed = {line.split("def ")[1].split("(")[0] for line in source.splitlines()
             if line.strip().startswith("def __") and line.rstrip().endswith(": ...")}
    typed.discard("__getattr__")
    installed = {n for e in ENTRIES for n in e.methods if n.startswith("__")}
    assert typed == installed
