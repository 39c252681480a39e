"""The catalogue of ops and what each op declares about itself."""

import inspect
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad.autograd import Function
from minigrad.ops import catalogue


def _all_subclasses(cls):
    for sub in cls.__subclasses__():
        yield sub
        yield from _all_subclasses(sub)


def test_metadata_is_written_only_where_it_says_something():
    builtin = [c for c in _all_subclasses(Function) if c.__module__.startswith("minigrad.")]
    assert len(builtin) >= 25
    restated = [(c.__qualname__, attr) for c in builtin for attr in ("elementwise", "broadcasting")
                if attr in vars(c) and vars(c)[attr] == getattr(c.__mro__[1], attr)]
    assert restated == []


def test_declared_metadata_is_seen_by_the_tools():
    assert mg.ops.elementwise.Add.elementwise and mg.ops.elementwise.Add.broadcasting is True
    assert mg.ops.linalg.Linear.broadcasting == (2,) and not mg.ops.linalg.Linear.elementwise
    assert not mg.ops.linalg.MatMul.elementwise and not mg.ops.linalg.MatMul.broadcasting


def test_an_op_cannot_be_declared_twice_under_one_name():
    def exp(x):
        """Another exp."""

    exp.__module__ = "minigrad.ops.elsewhere"
    with pytest.raises(ValueError, match="op 'exp' is declared twice"):
        catalogue.op("exp")(exp)
    assert mg.exp is mg.ops.elementwise.exp


def test_namespace_names_a_bad_choice():
    with pytest.raises(ValueError, match="which must be 'mg' or 'functional', got 'torch'"):
        catalogue.namespace("torch")


def test_reflected_operators_swap_their_arguments():
    x = mg.tensor([2.0, 3.0], requires_grad=True)
    np.testing.assert_allclose((2.0 ** x).data, [4.0, 8.0])
    np.testing.assert_allclose((7.0 % x).data, [1.0, 1.0])
    np.testing.assert_allclose((np.eye(2) @ x).data, [2.0, 3.0])
    assert mg.Tensor.__rpow__.__name__ == "reflected_pow"


def test_entries_describe_themselves():
    (entry,) = [e for e in catalogue.entries() if e.name == "divide"]
    assert entry.family == "elementwise" and "true_divide" in entry.numpy
    assert entry.names == ("divide", "true_divide", "div")
    assert entry.functional == ("div", "divide", "true_divide")
    assert entry.summary.startswith("Elementwise ``a / b``")


# -- float32 in, float32 out: every op of the catalogue ---------------------------------------
#
# Each op is called on float32 inputs by its argument maker (the default calls it on one
# float32 tensor); the result must be float32, and so must the gradient of every float32
# input. A maker returns ``(args, kwargs)``; a list of makers calls the op once for each
# (the variants where a dtype could slip: Python scalars, constant weights, label
# smoothing, ...). Mixed with float64 or int64 arrays, NumPy's promotion rules apply
# (float64), as the comparison page says; the losses' constant targets and weights
# take the input's dtype, as PyTorch's.

_RNG = np.random.default_rng(0)


def _f32(*shape, low=0.2, high=0.8):
    """A float32 leaf of ``shape`` with values in [low, high] (in every op's domain)."""
    return mg.tensor(_RNG.uniform(low, high, shape).astype(np.float32), requires_grad=True)


def _c32(*shape, low=0.2, high=0.8):
    """A float32 constant (an array, as users pass weights and targets)."""
    return _RNG.uniform(low, high, shape).astype(np.float32)


def _labels(n, c):
    return np.arange(n, dtype=np.int64) % c


def _one(x=None):
    return lambda: ((_f32(2, 3) if x is None else x(),), {})


def _two(*, scalar=None):
    if scalar is None:
        return lambda: ((_f32(2, 3), _f32(3)), {})
    return lambda: ((_f32(2, 3), scalar), {})


_BINARY = [_two(), _two(scalar=2.0), _two(scalar=3)]
_X = lambda: _f32(2, 3)  # noqa: E731
_IMG = lambda: _f32(1, 2, 4, 4)  # noqa: E731

FLOAT32_CALLS = {
    # elementwise
    **dict.fromkeys(["add", "sub", "mul", "pow", "atan2", "hypot", "logaddexp", "copysign",
                     "mod", "fmod", "floor_divide", "divide", "maximum", "minimum"], _BINARY),
    "astype": lambda: ((_X(), np.float32), {}),
    "acosh": _one(lambda: _f32(2, 3, low=1.2, high=2.0)),
    "lerp": [lambda: ((_X(), _f32(3), _f32(2, 3)), {}), lambda: ((_X(), _f32(3), 0.3), {})],
    "round": [_one(), lambda: ((_X(), 2), {})],
    "clip": [lambda: ((_X(), 0.3, 0.6), {}), lambda: ((_X(), _f32(3), None), {})],
    "clamp": [lambda: ((_X(), 0.3, 0.6), {}), lambda: ((_X(), None, _f32(3)), {})],
    # reductions and cumulative ops
    "var": [_one(), lambda: ((_X(), 1, 1), {})],
    "std": [_one(), lambda: ((_X(), 1, 1), {})],
    "norm": [_one(), lambda: ((_X(), 3, 1), {}), lambda: ((_X(), np.inf), {})],
    "cummax": lambda: ((_X(), 1), {}),
    "cummin": lambda: ((_X(), 1), {}),
    # shape
    "reshape": lambda: ((_X(), (3, 2)), {}),
    "broadcast_to": lambda: ((_X(), (2, 2, 3)), {}),
    "sum_to": lambda: ((_X(), (1, 3)), {}),
    "getitem": [lambda: ((_X(), (0,)), {}), lambda: ((_X(), np.array([1, 1, 0])), {})],
    "concatenate": lambda: (([_X(), _X()],), {}),
    "cat": lambda: (([_X(), _X()],), {}),
    "stack": lambda: (([_X(), _X()],), {}),
    "split": lambda: ((_X(), [1], 1), {}),
    "chunk": lambda: ((_X(), 2), {}),
    "squeeze": _one(lambda: _f32(1, 3)),
    "expand_dims": lambda: ((_X(), 0), {}),
    "unsqueeze": lambda: ((_X(), 0), {}),
    "unflatten": lambda: ((_X(), 1, (3, 1)), {}),
    "permute": lambda: ((_X(), 1, 0), {}),
    "swapaxes": lambda: ((_X(), 0, 1), {}),
    "moveaxis": lambda: ((_X(), 0, 1), {}),
    "expand": lambda: ((_f32(1, 3), 2, 3), {}),
    "tile": lambda: ((_X(), 2), {}),
    "repeat": lambda: ((_X(), 2, 1), {}),
    "repeat_interleave": lambda: ((_X(), 2), {}),
    "roll": lambda: ((_X(), 1), {}),
    "unfold_windows": lambda: ((_X(), 1, 2, 1), {}),
    "diag": _one(lambda: _f32(3)),
    "view": lambda: ((_X(), 3, 2), {}),
    # indexing
    "where": [lambda: ((np.array([True, False, True]), _X(), _f32(3)), {}),
              lambda: ((np.array([True, False, True]), _X(), 0.0), {})],
    "masked_fill": lambda: ((_X(), np.array([True, False, True]), 0.5), {}),
    "gather": lambda: ((_X(), 1, np.array([[0, 2], [1, 1]])), {}),
    "take_along_axis": lambda: ((_X(), np.array([[0, 2], [1, 1]]), 1), {}),
    "scatter_add": lambda: ((_X(), 1, np.array([[0, 2], [1, 1]]), _f32(2, 2)), {}),
    "scatter": [lambda: ((_X(), 1, np.array([[0, 2], [1, 1]]), _f32(2, 2)), {}),
                lambda: ((_X(), 1, np.array([[0, 2], [1, 1]]), 0.5), {})],
    "scatter_reduce": [lambda r=r: ((_X(), 1, np.array([[0, 2], [1, 1]]), _f32(2, 2), r), {})
                       for r in ("sum", "prod", "mean", "amax", "amin")],
    "index_add": [lambda: ((_X(), 0, np.array([1, 1]), _f32(2, 3)), {}),
                  lambda: ((_X(), 0, np.array([1, 1]), _f32(2, 3)), {"alpha": 0.5})],
    "masked_select": lambda: ((_X(), np.array([True, False, True])), {}),
    "topk": lambda: ((_X(), 2), {}),
    # linear algebra
    "matmul": lambda: ((_X(), _f32(3, 4)), {}),
    "linear": lambda: ((_X(), _f32(3, 4), _f32(4)), {}),
    "einsum": lambda: (("ij,jk->ik", _X(), _f32(3, 4)), {}),
    "outer": lambda: ((_f32(3), _f32(2)), {}),
    "tensordot": lambda: ((_X(), _f32(3, 4), 1), {}),
    "dot": lambda: ((_f32(3), _f32(3)), {}),
    # activations
    "leaky_relu": [_one(), lambda: ((_X(), 0.2), {})],
    "softplus": [_one(), lambda: ((_X(), 2.0, 0.5), {})],
    "gelu": [_one(), lambda: ((_X(), "tanh"), {})],
    "lstm_cell": [lambda: ((_f32(2, 12), _f32(2, 3), _f32(2, 3), _f32(3, 12), _f32(12)), {}),
                  lambda: ((_f32(2, 12), _f32(2, 3), _f32(2, 3), _f32(3, 12)),
                           {"gate_order": "fgio"})],
    # normalization
    "batch_norm_with_stats": lambda: ((_f32(4, 3), _f32(3), _f32(3)), {}),
    "batch_norm": [lambda: ((_f32(4, 3), _c32(3), _c32(3), _f32(3), _f32(3)), {}),
                   lambda: ((_f32(4, 3), _c32(3), _c32(3)), {"training": True})],
    "dropout_with_mask": lambda: ((_X(), 0.5), {"rng": np.random.default_rng(0)}),
    "dropout": lambda: ((_X(), 0.5), {"rng": np.random.default_rng(0)}),
    "layer_norm": lambda: ((_f32(2, 3), 3, _f32(3), _f32(3)), {}),
    "embedding": lambda: ((np.array([[0, 2], [1, 1]]), _f32(3, 2)), {"padding_idx": 1}),
    # attention
    "scaled_dot_product_attention": [
        lambda: ((_f32(2, 3, 4), _f32(2, 5, 4), _f32(2, 5, 4)), {}),
        lambda: ((_f32(2, 3, 4), _f32(2, 3, 4), _f32(2, 3, 4)), {"is_causal": True}),
        lambda: ((_f32(2, 3, 4), _f32(2, 5, 4), _f32(2, 5, 4)),
                 {"attn_mask": _c32(3, 5), "scale": 0.5}),
        lambda: ((_f32(2, 3, 4), _f32(2, 5, 4), _f32(2, 5, 4)),
                 {"attn_mask": np.tri(3, 5, dtype=bool)}),
        lambda: ((_f32(2, 3, 4), _f32(2, 5, 4), _f32(2, 5, 4)), {"dropout_p": 0.5, "rng": 0}),
    ],
    # convolution and pooling
    "unfold": lambda: ((_IMG(), 2), {}),
    "fold": lambda: ((_f32(1, 8, 9), (4, 4), 2), {}),
    "im2col": lambda: ((_IMG(), 2, 2), {}),
    "col2im": lambda: ((_f32(9, 8), (1, 2, 4, 4), 2, 2), {}),
    "conv2d": [lambda: ((_IMG(), _f32(3, 2, 2, 2), _f32(3)), {}),
               lambda: ((_IMG(), _f32(3, 2, 2, 2)), {"stride": 2, "padding": 1})],
    "conv_transpose2d": lambda: ((_f32(1, 2, 3, 3), _f32(2, 3, 2, 2), _f32(3)), {"stride": 2}),
    "max_pool2d": [lambda: ((_IMG(), 2), {}), lambda: ((_IMG(), 3), {"padding": 1})],
    "avg_pool2d": [lambda: ((_IMG(), 2), {}),
                   lambda: ((_IMG(), 3), {"padding": 1, "count_include_pad": False})],
    "adaptive_avg_pool2d": lambda: ((_IMG(), 3), {}),
    "conv1d": [lambda: ((_f32(1, 2, 5), _f32(3, 2, 2), _f32(3)), {}),
               lambda: ((_f32(1, 2, 5), _f32(3, 2, 2)), {"padding": "same"})],
    "conv3d": [lambda: ((_f32(1, 2, 3, 4, 4), _f32(3, 2, 2, 2, 2), _f32(3)), {}),
               lambda: ((_f32(1, 2, 3, 4, 4), _f32(3, 2, 2, 2, 2)),
                        {"padding": (1, 0, 0, 1, 1, 0)})],
    "conv_transpose1d": lambda: ((_f32(1, 2, 3), _f32(2, 3, 2), _f32(3)), {"stride": 2}),
    "conv_transpose3d": lambda: ((_f32(1, 2, 2, 3, 3), _f32(2, 3, 2, 2, 2), _f32(3)),
                                 {"stride": 2, "output_padding": 1}),
    "max_pool1d": [lambda: ((_f32(1, 2, 5), 2), {}),
                   lambda: ((_f32(1, 2, 5), 2), {"ceil_mode": True})],
    "max_pool3d": lambda: ((_f32(1, 2, 3, 4, 4), 2), {"ceil_mode": True}),
    "avg_pool1d": lambda: ((_f32(1, 2, 5), 2), {"ceil_mode": True}),
    "avg_pool3d": [lambda: ((_f32(1, 2, 3, 4, 4), 2), {"ceil_mode": True, "padding": 1}),
                   lambda: ((_f32(1, 2, 3, 4, 4), 2), {"divisor_override": 3})],
    "max_unpool1d": lambda: ((*F.max_pool1d(_f32(1, 2, 6), 2, return_indices=True), 2), {}),
    "max_unpool2d": lambda: ((*F.max_pool2d(_f32(1, 2, 4, 4), 2, return_indices=True), 2), {}),
    "max_unpool3d": lambda: ((*F.max_pool3d(_f32(1, 2, 2, 4, 4), 2, return_indices=True), 2),
                             {}),
    "adaptive_avg_pool1d": lambda: ((_f32(1, 2, 5), 3), {}),
    "adaptive_avg_pool3d": lambda: ((_f32(1, 2, 3, 4, 5), (2, None, 3)), {}),
    # padding
    "np_pad": [lambda: ((_X(), 1), {}), lambda: ((_X(), 1), {"mode": "reflect"})],
    "pad": [lambda: ((_IMG(), (1, 1)), {"value": 0.5}),
            lambda: ((_IMG(), (1, 1, 2, 0)), {"mode": "reflect"})],
    "interpolate": [lambda: ((_IMG(),), {"scale_factor": 2}),
                    lambda: ((_IMG(),), {"size": 3, "mode": "bilinear",
                                         "align_corners": False}),
                    lambda: ((_IMG(),), {"size": 5, "mode": "bicubic"}),
                    lambda: ((_f32(1, 2, 3),), {"scale_factor": 1.5, "mode": "linear"}),
                    lambda: ((_f32(1, 2, 2, 3, 3),), {"size": 4, "mode": "trilinear"}),
                    lambda: ((_f32(1, 2, 5),), {"size": 3, "mode": "nearest-exact"}),
                    lambda: ((_IMG(),), {"size": 3, "mode": "area"})],
    # losses
    "softmax_cross_entropy": [lambda: ((_f32(3, 4), _labels(3, 4)), {}),
                              lambda: ((_f32(3, 4), np.eye(4)[:3]), {}),
                              lambda: ((_f32(3, 4), _f32(3, 4)), {})],
    "sum_squares_error": [lambda: ((_X(), _c32(2, 3)), {}), lambda: ((_X(), _f32(2, 3)), {})],
    "cross_entropy_error": [lambda: ((_f32(3, 4), _labels(3, 4)), {}),
                            lambda: ((_f32(3, 4), np.eye(4)[:3]), {})],
    "nll_loss": [lambda: ((_f32(3, 4), _labels(3, 4)), {}),
                 lambda: ((_f32(3, 4), _labels(3, 4)), {"weight": _c32(4)}),
                 lambda: ((_f32(3, 4), _labels(3, 4)), {"weight": np.ones(4)}),
                 lambda: ((_f32(3, 4), np.full(3, -100)), {})],
    "cross_entropy": [
        lambda: ((_f32(3, 4), _labels(3, 4)), {}),
        lambda: ((_f32(3, 4), _labels(3, 4)), {"label_smoothing": 0.1}),
        lambda: ((_f32(3, 4), _labels(3, 4)), {"weight": np.ones(4), "label_smoothing": 0.1}),
        lambda: ((_f32(2, 4, 3), _labels(6, 4).reshape(2, 3)), {"reduction": "sum"}),
        lambda: ((_f32(3, 4), np.full(3, -100)), {"label_smoothing": 0.1}),
        lambda: ((_f32(3, 4), _f32(3, 4)), {}),
        lambda: ((_f32(3, 4), _c32(3, 4)), {"label_smoothing": 0.2, "weight": np.ones(4)}),
    ],
    "binary_cross_entropy": [lambda: ((_X(), _c32(2, 3)), {}),
                             lambda: ((_X(), _f32(2, 3)), {"weight": _c32(2, 3)}),
                             lambda: ((_X(), np.ones((2, 3))), {"weight": np.ones(3)})],
    "binary_cross_entropy_with_logits": [
        lambda: ((_X(), _c32(2, 3)), {}),
        lambda: ((_X(), _f32(2, 3)), {"weight": _c32(2, 3), "pos_weight": _c32(3)}),
        lambda: ((_X(), _c32(2, 3)), {"weight": np.ones(3), "pos_weight": np.ones(3)})],
    **dict.fromkeys(["mse_loss", "l1_loss", "huber_loss", "smooth_l1_loss"], [
        lambda: ((_X(), _c32(2, 3)), {}), lambda: ((_X(), _f32(2, 3)), {"reduction": "none"}),
        lambda: ((_X(), np.zeros((2, 3))), {})]),
    # creation: float32 asked for, or taken from a float32 input
    "arange": lambda: ((0, 3), {"dtype": np.float32}),
    "linspace": lambda: ((0, 1, 5), {"dtype": np.float32}),
    "eye": lambda: ((3,), {"dtype": np.float32}),
    "full": [lambda: (((2, 3), 0.5), {"dtype": np.float32}),
             lambda: (((2, 3), np.float32(0.5)), {})],
    "full_like": lambda: ((_X(), 0.5), {}),
    "empty": lambda: ((2, 3), {"dtype": np.float32}),
    "meshgrid": lambda: ((_f32(3), _f32(2)), {}),
}

#: Ops whose result is not floating point by nature, with how they are called.
NON_FLOAT_RESULTS = {
    "isnan": (_one(), "a bool test"),
    "isinf": (_one(), "a bool test"),
    "isfinite": (_one(), "a bool test"),
    "isposinf": (_one(), "a bool test"),
    "isneginf": (_one(), "a bool test"),
    "isclose": (_two(), "a bool test"),
    "logical_and": (_two(), "a bool test"),
    "logical_or": (_two(), "a bool test"),
    "logical_xor": (_two(), "a bool test"),
    "logical_not": (_one(), "a bool test"),
    "any": (_one(), "a bool reduction"),
    "all": (_one(), "a bool reduction"),
    "nonzero": (_one(), "indices"),
    "argwhere": (_one(), "indices"),
    "argsort": (_one(), "indices"),
    "argmax": (_one(), "indices"),
    "argmin": (_one(), "indices"),
    "step_function": (_one(), "the book's step function: int64 0 and 1"),
    "accuracy": (lambda: ((_f32(3, 4), _labels(3, 4)), {}), "a metric: a Python float"),
}

#: Ops that take no float input at all, and why.
NO_FLOAT_INPUT = {
    **dict.fromkeys(["bitwise_and", "bitwise_or", "bitwise_xor", "bitwise_not", "left_shift",
                     "right_shift"], "integers and bools only (floats refused, as PyTorch)"),
    "one_hot": "takes integer labels; returns integers (as PyTorch)",
    "conv_output_size": "arithmetic on Python ints (a size, not a tensor)",
    "randint": "random integers",
    **dict.fromkeys(["rand", "normal", "uniform"],
                    "no array input and no dtype argument: float64, NumPy's default"),
}


def _float32_calls():
    for e in catalogue.entries():
        if e.name in NO_FLOAT_INPUT or e.name in NON_FLOAT_RESULTS:
            continue
        makers = FLOAT32_CALLS.get(e.name, _one())
        for i, maker in enumerate(makers if isinstance(makers, list) else [makers]):
            yield pytest.param(e.name, maker, id=f"{e.name}-{i}")


def _tensors(value):
    """The tensors in an op's result or arguments (lists and tuples unpacked)."""
    if isinstance(value, mg.Tensor):
        return [value]
    if isinstance(value, (list, tuple)):
        return [t for v in value for t in _tensors(v)]
    if isinstance(value, dict):
        return [t for v in value.values() for t in _tensors(v)]
    return []


def _without_float32_call(entries):
    """The ops that have neither a row above nor the default call's one-tensor signature."""
    listed = set(FLOAT32_CALLS) | set(NON_FLOAT_RESULTS) | set(NO_FLOAT_INPUT)

    def one_argument(function):
        params = inspect.signature(function).parameters.values()
        required = [p for p in params if p.default is p.empty
                    and p.kind in (p.POSITIONAL_ONLY, p.POSITIONAL_OR_KEYWORD)]
        return len(required) == 1 and not any(p.kind is p.VAR_POSITIONAL for p in params)

    return sorted(e.name for e in entries if e.name not in listed and not one_argument(e.function))


def test_every_op_has_a_float32_call_or_a_reason():
    """An op added to the catalogue needs a row here (the default call takes one tensor)."""
    names = {e.name for e in catalogue.entries()}
    listed = set(FLOAT32_CALLS) | set(NON_FLOAT_RESULTS) | set(NO_FLOAT_INPUT)
    assert listed - names == set(), "rows for ops that are not in the catalogue"
    assert set(FLOAT32_CALLS) & (set(NON_FLOAT_RESULTS) | set(NO_FLOAT_INPUT)) == set()
    assert _without_float32_call(catalogue.entries()) == []

    def new_op(x, y):
        """An op of two arguments that nobody gave a row."""

    entry = catalogue.Entry(new_op, "elementwise", (), (), True, ())
    assert _without_float32_call([*catalogue.entries(), entry]) == ["new_op"]


@pytest.mark.parametrize(("name", "maker"), list(_float32_calls()))
def test_float32_in_float32_out(name, maker):
    """float32 inputs give a float32 result and float32 gradients, as PyTorch."""
    (entry,) = [e for e in catalogue.entries() if e.name == name]
    args, kwargs = maker()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        out = entry.function(*args, **kwargs)
    outs = [t for t in _tensors(out) if t.dtype.kind == "f"]
    assert outs, f"{name}: no floating-point result"
    for t in outs:
        assert t.dtype == np.float32, f"{name}: float32 in, {t.dtype} out"
    arrays = [a for a in (out if isinstance(out, tuple) else ()) if isinstance(a, np.ndarray)]
    for a in arrays:
        if a.dtype.kind == "f":
            assert a.dtype == np.float32, f"{name}: float32 in, {a.dtype} statistics out"
    inputs = [t for t in _tensors((args, kwargs)) if t.requires_grad]
    live = [t for t in outs if t.requires_grad]
    if not inputs or not live:
        return
    loss = live[0].sum()
    for t in live[1:]:
        loss = loss + t.sum()
    grads = mg.grad(loss, inputs, allow_unused=True)
    for i, g in enumerate(grads):
        if g is not None:
            assert g.dtype == np.float32, f"{name}: the gradient of input {i} is {g.dtype}"


@pytest.mark.parametrize("name", sorted(NON_FLOAT_RESULTS))
def test_non_float_results_stay_non_float(name):
    (entry,) = [e for e in catalogue.entries() if e.name == name]
    args, kwargs = NON_FLOAT_RESULTS[name][0]()
    out = entry.function(*args, **kwargs)
    for t in _tensors(out) or [np.asarray(out)]:
        assert t.dtype.kind in "biu" or isinstance(out, float), f"{name}: {t.dtype}"


# -- refusals: NumPy's class and PyTorch's RuntimeError at once ------------------------------

def _m(*shape):
    return mg.tensor(np.ones(shape))


REFUSALS = {
    "matmul of shapes that do not fit": (ValueError, lambda: _m(2, 4) @ _m(1, 3)),
    "einsum sizes that differ": (ValueError, lambda: mg.einsum("ij,jk", _m(2, 3), _m(4, 2))),
    "reshape with two -1": (ValueError, lambda: _m(3, 4).reshape(-1, -1, 2)),
    "an int to a negative int power": (
        ValueError, lambda: mg.tensor(np.array([2, 3], dtype=np.int32)) ** -2),
    "flip a repeated axis": (ValueError, lambda: mg.flip(_m(3, 4), (0, 0))),
    "permute not a permutation": (ValueError, lambda: _m(3, 4, 5).permute(0, 2)),
    "unfold a window larger than the axis": (ValueError, lambda: _m(8).unfold(0, 9, 3)),
    "unfold a negative step": (ValueError, lambda: _m(8).unfold(0, 1, -1)),
    "meshgrid indexing": (ValueError, lambda: mg.meshgrid(_m(3), indexing="bad")),
    "gather index of another rank": (ValueError, lambda: _m(4, 5).gather(0, np.array([1]))),
    "attention mask and causal": (
        ValueError, lambda: F.scaled_dot_product_attention(
            _m(2, 3), _m(2, 3), _m(2, 3), attn_mask=np.ones((2, 2), bool), is_causal=True)),
    "div rounding mode": (ValueError, lambda: mg.div(_m(2), _m(2), rounding_mode="typo")),
    "clip without bounds": (ValueError, lambda: mg.clip(_m(2), None, None)),
    "einsum two ellipses": (ValueError, lambda: mg.einsum("...i...,i", _m(2, 3), _m(3))),
    "cross_entropy target shape": (ValueError, lambda: F.cross_entropy(_m(4, 3), _m(4, 1))),
    "scatter_reduce reduction": (ValueError, lambda: _m(2, 3).scatter_reduce(
        0, np.zeros((1, 3), np.int64), _m(1, 3), "INVALID")),
    "scatter legacy reduce": (ValueError, lambda: _m(2, 3).scatter(
        0, np.zeros((1, 3), np.int64), 1.0, reduce="mean")),
    "pad tuple of odd length": (ValueError, lambda: F.pad(_m(2, 2), (1, 2, 3))),
    "linspace of negative length": (ValueError, lambda: mg.linspace(1, 2, -1)),
    "layer_norm shape": (ValueError, lambda: F.layer_norm(_m(2, 3), (4,))),
    "nll_loss reduction": (ValueError, lambda: F.nll_loss(_m(2, 3), np.array([0, 1]),
                                                          reduction="typo")),
    "dropout probability": (ValueError, lambda: F.dropout(_m(2), p=1.5)),
    "celu alpha": (ValueError, lambda: F.celu(_m(2), alpha=0)),
    "norm ord": (ValueError, lambda: mg.norm(_m(2), ord="bad")),
    "stack of other shapes": (ValueError, lambda: mg.stack([_m(2), _m(3)])),
    "topk k out of range": (ValueError, lambda: mg.topk(_m(4), 5)),
    "lstm_cell state shape": (ValueError, lambda: F.lstm_cell(_m(2, 8), _m(2, 2), _m(2, 3, 1),
                                                            _m(2, 8))),
    "lstm_cell integer state": (TypeError, lambda: F.lstm_cell(_m(2, 8), _m(2, 2),
                                                             np.zeros((2, 2), np.int64), _m(2, 8))),
    "bitwise ops on floats": (TypeError, lambda: mg.bitwise_xor(_m(2), _m(2))),
    "pool padding of three ints": (TypeError, lambda: F.max_pool2d(_m(1, 1, 4, 4), 2,
                                                                  padding=(1, 1, 1))),
    "conv padding of three ints": (TypeError, lambda: F.conv2d(_m(1, 1, 4, 4), _m(1, 1, 2, 2),
                                                              padding=(1, 1, 1))),
}


@pytest.mark.parametrize("case", list(REFUSALS))
def test_refusals_are_numpys_error_class_and_a_runtime_error_as_pytorchs(case):
    numpy_class, call = REFUSALS[case]
    with pytest.raises(numpy_class) as info:
        call()
    assert isinstance(info.value, RuntimeError), f"{case}: {type(info.value).__name__}"
    assert isinstance(info.value, mg.OpError if numpy_class is ValueError else mg.OpTypeError)
