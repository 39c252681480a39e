"""minigrad.func against torch.func and torch.autograd.functional, in float64.

A table of functions (elementwise, reductions, matmul, softmax, a two-layer net's loss),
each written once for minigrad and once for PyTorch, goes through every transform on both
sides; hypothesis picks the shapes and values where the function allows any shape.
"""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402
import torch.autograd.functional as TAF  # noqa: E402
import torch.func as TF  # noqa: E402
import torch.nn.functional as TNF  # noqa: E402
from hypothesis import given  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402
from minigrad import func  # noqa: E402
from tests.differential.helpers import DIFF, assert_close, seeds  # noqa: E402
from tests.strategies import float_arrays, shapes  # noqa: E402

# torch.func uses torch.jit.script internally, which warns in torch 2.13
pytestmark = pytest.mark.filterwarnings(
    "ignore:`torch.jit.script` is deprecated:DeprecationWarning")


def _np(value):
    """A nest of minigrad or torch tensors as a nest of arrays."""
    if isinstance(value, (tuple, list)):
        return [_np(v) for v in value]
    if isinstance(value, dict):
        return {k: _np(v) for k, v in value.items()}
    if isinstance(value, torch.Tensor):
        return value.detach().numpy()
    return value if isinstance(value, np.ndarray) else value.data


def close(actual, expected, what):
    a, e = _np(actual), _np(expected)
    if isinstance(e, list):
        assert isinstance(a, list) and len(a) == len(e), f"{what}: structure {a!r} != {e!r}"
        for k, (x, y) in enumerate(zip(a, e)):
            close(x, y, f"{what}[{k}]")
    elif isinstance(e, dict):
        assert isinstance(a, dict) and list(a) == list(e), what
        for k in e:
            close(a[k], e[k], f"{what}[{k!r}]")
    else:
        assert_close(a, e, what)


def mg_args(arrays):
    return tuple(mg.tensor(a.copy()) for a in arrays)


def torch_args(arrays):
    return tuple(torch.tensor(a.copy()) for a in arrays)


# -- the table: (name, minigrad function, torch function, the shapes of its inputs) ----------
# Each returns a scalar; the vector-valued ones are below.

W_SOFT = np.linspace(-1.0, 1.0, 12).reshape(3, 4)


def _two_layer_mg(w1, b1, w2, b2, x, t):
    h = mg.tanh(x @ w1 + b1)
    return F.cross_entropy(h @ w2 + b2, t)


def _two_layer_torch(w1, b1, w2, b2, x, t):
    h = torch.tanh(x @ w1 + b1)
    return TNF.cross_entropy(h @ w2 + b2, torch.from_numpy(t))


NET_X = np.random.default_rng(7).standard_normal((5, 3))
NET_T = np.array([0, 2, 1, 1, 0])
NET_SHAPES = [(3, 4), (4,), (4, 3), (3,)]

SCALAR_FUNCTIONS = [
    ("elementwise", lambda x: (mg.sin(x) * mg.exp(x)).sum(),
     lambda x: (torch.sin(x) * torch.exp(x)).sum(), [(2, 3)]),
    ("reductions", lambda x: mg.logsumexp(x) + (x * x).mean() + mg.var(x),
     lambda x: torch.logsumexp(x.reshape(-1), 0) + (x * x).mean() + x.var(unbiased=False),
     [(3, 2)]),
    ("matmul", lambda a, b: mg.tanh(a @ b).sum(), lambda a, b: torch.tanh(a @ b).sum(),
     [(2, 3), (3, 4)]),
    ("softmax", lambda x: (F.softmax(x, axis=-1) * mg.tensor(W_SOFT)).sum(),
     lambda x: (torch.softmax(x, -1) * torch.from_numpy(W_SOFT)).sum(), [(3, 4)]),
    ("two-layer net loss",
     lambda w1, b1, w2, b2: _two_layer_mg(w1, b1, w2, b2, mg.tensor(NET_X), NET_T),
     lambda w1, b1, w2, b2: _two_layer_torch(w1, b1, w2, b2, torch.from_numpy(NET_X), NET_T),
     NET_SHAPES),
    ("three inputs", lambda x, y, z: (x * y).sum() * F.sigmoid(z).sum() + (z ** 3).sum(),
     lambda x, y, z: (x * y).sum() * torch.sigmoid(z).sum() + (z ** 3).sum(),
     [(2,), (2,), (3,)]),
]
IDS = [row[0] for row in SCALAR_FUNCTIONS]


def _arrays(shape_list, seed):
    rng = np.random.default_rng(seed)
    return [rng.standard_normal(s) * 0.8 for s in shape_list]


@pytest.mark.parametrize(("name", "f", "ft", "shape_list"), SCALAR_FUNCTIONS, ids=IDS)
@given(seed=seeds)
@DIFF
def test_grad_with_every_argnums_agrees_with_torch_func(name, f, ft, shape_list, seed):
    arrays = _arrays(shape_list, seed)
    n = len(arrays)
    for argnums in [0, -1, tuple(range(n)), tuple(reversed(range(n)))]:
        got = func.grad(f, argnums=argnums)(*mg_args(arrays))
        want = TF.grad(ft, argnums=argnums)(*torch_args(arrays))
        close(got, want, f"{name}: grad, argnums={argnums}")
    g, value = func.grad_and_value(f, argnums=tuple(range(n)))(*mg_args(arrays))
    tg, tvalue = TF.grad_and_value(ft, argnums=tuple(range(n)))(*torch_args(arrays))
    close(g, tg, f"{name}: grad_and_value, gradient")
    close(value, tvalue, f"{name}: grad_and_value, value")


@pytest.mark.parametrize(("name", "f", "ft", "shape_list"), SCALAR_FUNCTIONS, ids=IDS)
def test_hessian_and_hvp_agree_with_torch(name, f, ft, shape_list):
    arrays = _arrays(shape_list, 3)
    inputs = mg_args(arrays) if len(arrays) > 1 else mg_args(arrays)[0]
    tinputs = torch_args(arrays) if len(arrays) > 1 else torch_args(arrays)[0]
    close(func.hessian(f, inputs), TAF.hessian(ft, tinputs), f"{name}: hessian")
    vs = _arrays(shape_list, 4)
    v = mg_args(vs) if len(vs) > 1 else mg_args(vs)[0]
    tv = torch_args(vs) if len(vs) > 1 else torch_args(vs)[0]
    out, hv = func.hvp(f, inputs, v)
    tout, thv = TAF.hvp(ft, tinputs, tv)
    close(out, tout, f"{name}: hvp, output")
    close(hv, thv, f"{name}: hvp")
    # torch.func's spelling of the Hessian: the Jacobian of the gradient
    argnums = tuple(range(len(arrays)))
    close(func.hessian(f, mg_args(arrays)),
          TF.hessian(ft, argnums=argnums)(*torch_args(arrays)), f"{name}: torch.func.hessian")


def test_hessian_of_a_two_layer_nets_loss_wrt_its_weights():
    arrays = _arrays(NET_SHAPES, 11)
    h = func.hessian(lambda w1, b1, w2, b2: _two_layer_mg(w1, b1, w2, b2, mg.tensor(NET_X),
                                                          NET_T), mg_args(arrays))
    th = TAF.hessian(lambda w1, b1, w2, b2: _two_layer_torch(w1, b1, w2, b2,
                                                             torch.from_numpy(NET_X), NET_T),
                     torch_args(arrays))
    close(h, th, "hessian of the net's loss")
    assert h[0][2].shape == (3, 4, 4, 3)
    # the whole matrix, flattened, is symmetric
    sizes = [a.size for a in arrays]
    full = np.block([[h[i][j].data.reshape(sizes[i], sizes[j]) for j in range(4)]
                     for i in range(4)])
    np.testing.assert_allclose(full, full.T, atol=1e-12)


def test_grad_of_a_dict_of_parameters_agrees_with_torch_func():
    arrays = _arrays(NET_SHAPES, 5)
    names = ["w1", "b1", "w2", "b2"]
    params = dict(zip(names, mg_args(arrays)))
    tparams = dict(zip(names, torch_args(arrays)))

    def loss(p, x):
        return _two_layer_mg(p["w1"], p["b1"], p["w2"], p["b2"], x, NET_T)

    def tloss(p, x):
        return _two_layer_torch(p["w1"], p["b1"], p["w2"], p["b2"], x, NET_T)

    g = func.grad(loss)(params, mg.tensor(NET_X))
    tg = TF.grad(tloss)(tparams, torch.from_numpy(NET_X))
    assert list(g) == names
    close(g, tg, "grad of a dict")


# -- vector-valued functions: vjp, jvp, jacobian ---------------------------------------------

VECTOR_FUNCTIONS = [
    ("elementwise", lambda x: mg.sin(x) * x, lambda x: torch.sin(x) * x),
    ("reduction", lambda x: (x * x).sum(axis=0), lambda x: (x * x).sum(0)),
    ("softmax", lambda x: F.softmax(x, axis=-1), lambda x: torch.softmax(x, -1)),
    ("cumulative", lambda x: mg.cumsum(mg.exp(x), axis=-1),
     lambda x: torch.cumsum(torch.exp(x), -1)),
]
VIDS = [row[0] for row in VECTOR_FUNCTIONS]


@pytest.mark.parametrize(("name", "f", "ft"), VECTOR_FUNCTIONS, ids=VIDS)
@given(shape=shapes(min_dims=1, max_dims=3), data=st.data())
@DIFF
def test_vjp_jvp_and_jacobian_agree_with_torch(name, f, ft, shape, data):
    x = data.draw(float_arrays(shape), label="x")
    t = data.draw(float_arrays(shape), label="tangent")
    out, vjp_fn = func.vjp(f, mg.tensor(x))
    tout, tvjp_fn = TF.vjp(ft, torch.tensor(x))
    close(out, tout, f"{name}: vjp output")
    u = data.draw(float_arrays(tout.shape), label="cotangent")
    close(vjp_fn(mg.tensor(u)), tvjp_fn(torch.tensor(u)), f"{name}: vjp")
    o, jt = func.jvp(f, (mg.tensor(x),), (mg.tensor(t),))
    to, tjt = TF.jvp(ft, (torch.tensor(x),), (torch.tensor(t),))
    close(o, to, f"{name}: jvp output")
    close(jt, tjt, f"{name}: jvp")
    close(func.jacobian(f, mg.tensor(x)), TAF.jacobian(ft, torch.tensor(x)),
          f"{name}: jacobian")
    close(func.jacobian(f, mg.tensor(x)), TF.jacrev(ft)(torch.tensor(x)), f"{name}: jacrev")


def _pair_mg(a, b):
    return a @ b, mg.tanh(a).sum(axis=1) * 2.0


def _pair_torch(a, b):
    return a @ b, torch.tanh(a).sum(1) * 2.0


def test_several_inputs_and_outputs_agree_with_torch():
    a, b = _arrays([(2, 3), (3, 2)], 9)
    ta, tb = torch_args([a, b])
    ma, mb = mg_args([a, b])
    close(func.jacobian(_pair_mg, (ma, mb)), TAF.jacobian(_pair_torch, (ta, tb)),
          "jacobian, two inputs, two outputs")
    close(func.jacobian(lambda a: _pair_mg(a, mb)[0], (ma,)),
          TAF.jacobian(lambda a: _pair_torch(a, tb)[0], (ta,)), "jacobian, a 1-tuple of inputs")
    out, vjp_fn = func.vjp(_pair_mg, ma, mb)
    tout, tvjp_fn = TF.vjp(_pair_torch, ta, tb)
    close(out, tout, "vjp output pair")
    cot = _arrays([(2, 2), (2,)], 10)
    close(vjp_fn(mg_args(cot)), tvjp_fn(torch_args(cot)), "vjp of a pair")
    tan = _arrays([(2, 3), (3, 2)], 12)
    close(func.jvp(_pair_mg, (ma, mb), mg_args(tan)),
          TF.jvp(_pair_torch, (ta, tb), torch_args(tan)), "jvp of a pair")
    close(TAF.jvp(_pair_torch, (ta, tb), torch_args(tan)),
          func.jvp(_pair_mg, (ma, mb), mg_args(tan)), "torch.autograd.functional.jvp")


def test_has_aux_agrees_with_torch_func():
    x = np.array([0.5, -1.0, 2.0])

    def f(x):
        y = mg.exp(x)
        return y.sum(), {"y": y, "note": "kept"}

    def ft(x):
        y = torch.exp(x)
        return y.sum(), {"y": y}  # torch.func's aux holds tensors only

    g, aux = func.grad(f, has_aux=True)(mg.tensor(x))
    tg, taux = TF.grad(ft, has_aux=True)(torch.tensor(x))
    close(g, tg, "grad with aux")
    close(aux["y"], taux["y"], "aux")
    assert aux["note"] == "kept" and not aux["y"].requires_grad
    out, vjp_fn, aux = func.vjp(f, mg.tensor(x), has_aux=True)
    tout, tvjp_fn, taux = TF.vjp(ft, torch.tensor(x), has_aux=True)
    close(vjp_fn(mg.tensor(2.0)), tvjp_fn(torch.tensor(2.0, dtype=torch.float64)),
          "vjp with aux")
    o, jt, aux = func.jvp(f, (mg.tensor(x),), (mg.tensor(np.ones(3)),), has_aux=True)
    to, tjt, taux = TF.jvp(ft, (torch.tensor(x),), (torch.ones(3, dtype=torch.float64),),
                           has_aux=True)
    close(jt, tjt, "jvp with aux")


def test_higher_order_agrees_with_torch_func():
    x = np.array([0.3, -0.7])

    def f(x):
        return (mg.sin(x) * x ** 3).sum()

    def ft(x):
        return (torch.sin(x) * x ** 3).sum()

    # third derivative along a direction, grad of grad of grad
    def g2(x):
        return (func.grad(lambda y: (func.grad(f)(y) * y).sum())(x) * x).sum()

    def tg2(x):
        return (TF.grad(lambda y: (TF.grad(ft)(y) * y).sum())(x) * x).sum()

    close(func.grad(g2)(mg.tensor(x)), TF.grad(tg2)(torch.tensor(x)), "grad^3")
    close(func.jacobian(func.grad(f), mg.tensor(x)), TF.jacrev(TF.grad(ft))(torch.tensor(x)),
          "jacobian of grad")
    # jvp of grad: a Hessian-vector product through forward-over-reverse in torch
    v = np.array([1.0, -2.0])
    close(func.jvp(func.grad(f), (mg.tensor(x),), (mg.tensor(v),))[1],
          TF.jvp(TF.grad(ft), (torch.tensor(x),), (torch.tensor(v),))[1], "jvp of grad")


def test_create_graph_agrees_with_torch_autograd_functional():
    x = np.array([0.4, 1.1, -0.6])

    def f(x):
        return (mg.tanh(x) ** 2).sum() * x.sum()

    def ft(x):
        return (torch.tanh(x) ** 2).sum() * x.sum()

    xm = mg.tensor(x, requires_grad=True)
    xt = torch.tensor(x, requires_grad=True)
    h = func.hessian(f, xm, create_graph=True)
    th = TAF.hessian(ft, xt, create_graph=True)
    assert h.requires_grad and th.requires_grad
    (g,) = mg.grad((h * h).sum(), xm)
    (tg,) = torch.autograd.grad((th * th).sum(), xt)
    close(g, tg, "gradient of the Hessian's squared norm")
    j = func.jacobian(mg.sin, xm, create_graph=True)
    tj = TAF.jacobian(torch.sin, xt, create_graph=True)
    close(mg.grad(j.sum(), xm)[0], torch.autograd.grad(tj.sum(), xt)[0],
          "gradient of a Jacobian")
    out, hv = func.hvp(f, xm, mg.tensor(np.ones(3)), create_graph=True)
    tout, thv = TAF.hvp(ft, xt, torch.ones(3, dtype=torch.float64), create_graph=True)
    close(mg.grad(hv.sum(), xm)[0], torch.autograd.grad(thv.sum(), xt)[0],
          "gradient of an hvp")
    # without create_graph, nothing is differentiable, as in PyTorch
    assert not func.hessian(f, xm).requires_grad
    assert not TAF.hessian(ft, xt).requires_grad
