"""minigrad.func: what the transforms return, when their results are differentiable, and
the errors they give (their values against PyTorch are in tests/differential)."""

import subprocess
import sys
from collections import namedtuple

import numpy as np
import pytest

import minigrad as mg
from minigrad import func


def cube_sum(x):
    return (x ** 3).sum()


def test_import_paths():
    out = subprocess.run([sys.executable, "-c",
                          "import sys, minigrad as mg; assert 'minigrad.func' not in sys.modules;"
                          " import minigrad.func; assert mg.func is sys.modules['minigrad.func'];"
                          " print(mg.func.grad.__module__)"],
                         capture_output=True, text=True)
    assert out.stdout.strip() == "minigrad.func", out.stderr


def test_values_of_each_transform():
    x = mg.tensor([1.0, 2.0])
    np.testing.assert_allclose(func.grad(cube_sum)(x).data, [3.0, 12.0])
    np.testing.assert_allclose(func.hessian(cube_sum, x).data, [[6.0, 0.0], [0.0, 12.0]])
    out, hv = func.hvp(cube_sum, x, mg.tensor([1.0, -1.0]))
    assert out.item() == 9.0
    np.testing.assert_allclose(hv.data, [6.0, -12.0])
    np.testing.assert_allclose(func.jacobian(lambda x: x ** 3, x).data, np.diag([3.0, 12.0]))
    out, jt = func.jvp(lambda x: x ** 3, (x,), (mg.tensor([1.0, 1.0]),))
    np.testing.assert_allclose(jt.data, [3.0, 12.0])
    out, vjp_fn = func.vjp(lambda x: x ** 3, x)
    np.testing.assert_allclose(out.data, [1.0, 8.0])
    # vjp_fn may be called again, with another cotangent
    np.testing.assert_allclose(vjp_fn(mg.tensor([1.0, 0.0]))[0].data, [3.0, 0.0])
    np.testing.assert_allclose(vjp_fn(mg.tensor([0.0, 2.0]))[0].data, [0.0, 24.0])


def test_arrays_and_numbers_are_taken_as_float64_tensors():
    assert func.grad(lambda x: x * x)(3.0).item() == 6.0
    np.testing.assert_allclose(func.grad(cube_sum)(np.array([1.0, 2.0])).data, [3.0, 12.0])
    np.testing.assert_allclose(func.hessian(lambda x: x ** 3, 2).data, 12.0)


def test_float32_stays_float32():
    x = mg.tensor(np.array([1.0, 2.0], dtype=np.float32))
    assert func.grad(cube_sum)(x).dtype == np.float32
    assert func.hessian(cube_sum, x).dtype == np.float32


def test_results_are_not_differentiable_unless_they_depend_on_an_outside_tensor():
    x = mg.tensor([1.0, 2.0])
    g = func.grad(cube_sum)(x)
    assert not g.requires_grad and g.creator is None
    out, vjp_fn = func.vjp(mg.sin, x)
    assert not out.requires_grad and not vjp_fn(mg.ones(2))[0].requires_grad
    # an argument that requires grad: the gradient is a function of it
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    g = func.grad(cube_sum)(w)
    assert g.requires_grad
    (gg,) = mg.grad(g.sum(), w)
    np.testing.assert_allclose(gg.data, 6 * w.data)
    # a tensor the function closes over, likewise
    g = func.grad(lambda x: (x * w).sum() ** 2)(x)
    assert g.requires_grad
    # under no_grad, nothing is recorded, but the gradient is still computed
    with mg.no_grad():
        g = func.grad(cube_sum)(w)
    assert not g.requires_grad
    np.testing.assert_allclose(g.data, 3 * w.data ** 2)


def test_nested_grad_counts_only_its_own_argument():
    # d/dx [d/dy (x * y)] = d/dx x = 1, not 2: the inner grad does not see the outer x
    x = mg.tensor(2.0)
    assert func.grad(lambda x: func.grad(lambda y: x * y)(x))(x).item() == 1.0
    assert func.grad(func.grad(lambda x: x ** 4))(x).item() == 48.0


def test_structures_of_tensors():
    params = {"w": mg.tensor([1.0, 2.0]), "b": (mg.tensor(3.0), [mg.tensor([4.0])])}

    def f(p, scale):
        return ((p["w"] ** 2).sum() + p["b"][0] * p["b"][1][0].sum()) * scale

    g = func.grad(f)(params, 2.0)
    assert list(g) == ["w", "b"] and isinstance(g["b"], tuple) and isinstance(g["b"][1], list)
    np.testing.assert_allclose(g["w"].data, [4.0, 8.0])
    assert g["b"][0].item() == 8.0 and g["b"][1][0].data.tolist() == [6.0]
    Pair = namedtuple("Pair", "a b")
    g = func.grad(lambda p: p.a * p.b)(Pair(mg.tensor(2.0), mg.tensor(5.0)))
    assert isinstance(g, Pair) and (g.a.item(), g.b.item()) == (5.0, 2.0)


def test_unused_inputs_get_zeros_or_a_strict_error():
    x, y = mg.tensor([1.0, 2.0]), mg.tensor([3.0])
    gx, gy = func.grad(lambda x, y: x.sum(), argnums=(0, 1))(x, y)
    np.testing.assert_array_equal(gy.data, [0.0])
    assert func.grad(lambda x: mg.tensor(5.0))(x).data.tolist() == [0.0, 0.0]
    j = func.jacobian(lambda x, y: x * 2, (x, y))
    assert j[1].shape == (2, 1) and not j[1].data.any()
    with pytest.raises(RuntimeError, match=r"jacobian: output 0 of func does not depend on "
                                           r"input 1; this is not allowed with strict=True"):
        func.jacobian(lambda x, y: x * 2, (x, y), strict=True)
    with pytest.raises(RuntimeError, match="hvp: the output of func does not depend on input 1"):
        func.hvp(lambda x, y: (x ** 2).sum(), (x, y), (x, y), strict=True)


def test_grad_refuses_a_non_scalar_output():
    with pytest.raises(RuntimeError, match=r"grad: func must return a scalar \(0-d\) Tensor, "
                                           r"got shape \(2,\); for a non-scalar output use vjp "
                                           r"or jacobian"):
        func.grad(lambda x: x * 2)(mg.tensor([1.0, 2.0]))
    with pytest.raises(TypeError, match="grad: func must return a Tensor .*got a float"):
        func.grad(lambda x: 1.0)(mg.tensor(1.0))
    with pytest.raises(TypeError, match=r"grad: with has_aux=True, func must return a pair "
                                        r"\(output, aux\), got a Tensor"):
        func.grad(lambda x: x * 2, has_aux=True)(mg.tensor(1.0))


def test_grad_refuses_wrong_argnums():
    with pytest.raises(TypeError, match="grad: argnums must be an int or a non-empty tuple of "
                                        "ints, got 'x'"):
        func.grad(cube_sum, argnums="x")
    with pytest.raises(TypeError, match=r"grad: argnums .* got \[0, 1\]"):
        func.grad(cube_sum, argnums=[0, 1])
    with pytest.raises(TypeError, match=r"got \(\)"):
        func.grad(cube_sum, argnums=())
    with pytest.raises(ValueError, match=r"grad: argnums 2 asks for argument 2, but func was "
                                         r"called with 2 positional arguments"):
        func.grad(lambda x, y: x * y, argnums=2)(mg.tensor(1.0), mg.tensor(2.0))
    with pytest.raises(ValueError, match=r"grad: argnums \(0, -3\) asks for argument -3"):
        func.grad(lambda x, y: x * y, argnums=(0, -3))(mg.tensor(1.0), mg.tensor(2.0))
    with pytest.raises(ValueError, match=r"grad: argnums must not repeat an argument, got "
                                         r"\(0, -2\)"):
        func.grad(lambda x, y: x * y, argnums=(0, -2))(mg.tensor(1.0), mg.tensor(2.0))
    with pytest.raises(ValueError, match="grad: func was called with no positional arguments"):
        func.grad(lambda: mg.tensor(1.0))()
    with pytest.raises(TypeError, match="grad: func must be callable, got Tensor"):
        func.grad(mg.tensor(1.0))


def test_refuses_values_it_cannot_differentiate():
    with pytest.raises(TypeError, match=r"grad: argument 0 has dtype int64; only "
                                        r"floating-point values can be differentiated"):
        func.grad(cube_sum)(mg.Tensor(np.array([1, 2])))
    with pytest.raises(TypeError, match=r"grad: argument 1 must be a Tensor \(or a NumPy array "
                                        r"or a number\), got str"):
        func.grad(lambda x, y: x, argnums=1)(mg.tensor(1.0), "y")
    with pytest.raises(TypeError, match="jacobian: input 1 must be a Tensor"):
        func.jacobian(lambda x, y: x, (mg.tensor(1.0), None))


def test_vjp_and_jvp_check_their_vectors():
    x = mg.tensor([1.0, 2.0])
    _, vjp_fn = func.vjp(lambda x: (x * 2, x.sum()), x)
    with pytest.raises(ValueError, match=r"vjp_fn: cotangent must have the structure of output "
                                         r"\(a tuple \(a Tensor of shape \(2,\), a Tensor of "
                                         r"shape \(\)\)\), got a Tensor of shape \(2,\)"):
        vjp_fn(mg.ones(2))
    with pytest.raises(ValueError, match=r"vjp_fn: cotangent 1 has shape \(2,\) but output 1 "
                                         r"has shape \(\)"):
        vjp_fn((mg.ones(2), mg.ones(2)))
    with pytest.raises(TypeError, match="jvp: primals must be a tuple .* got Tensor"):
        func.jvp(mg.sin, x, (x,))
    with pytest.raises(ValueError, match=r"jvp: tangent 0 has shape \(3,\) but primal 0 has "
                                         r"shape \(2,\)"):
        func.jvp(mg.sin, (x,), (mg.ones(3),))
    with pytest.raises(ValueError, match="vjp: no primals given"):
        func.vjp(mg.sin)
    with pytest.raises(TypeError, match="vjp: func must return a Tensor or a tuple, list or "
                                        "dict of Tensors, got a float"):
        func.vjp(lambda x: 1.0, x)


def test_hessian_and_hvp_check_their_output_and_vector():
    x = mg.tensor([1.0, 2.0])
    with pytest.raises(RuntimeError, match=r"hessian: func must return a Tensor with one "
                                           r"element, got shape \(2,\)"):
        func.hessian(lambda x: x * 2, x)
    with pytest.raises(TypeError, match="hessian: func must return a single Tensor, got a tuple"):
        func.hessian(lambda x: (x.sum(), x.sum()), x)
    with pytest.raises(ValueError, match="hvp: v can be left out only when inputs is a single "
                                         "Tensor with one element"):
        func.hvp(cube_sum, x)
    with pytest.raises(ValueError, match=r"hvp: v 0 has shape \(3,\) but input 0 has shape "
                                         r"\(2,\)"):
        func.hvp(cube_sum, x, mg.ones(3))
    assert func.hvp(lambda x: x ** 3, mg.tensor(2.0))[1].item() == 12.0


def test_the_transforms_leave_their_inputs_alone():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    func.grad(cube_sum)(w)
    func.hessian(cube_sum, w)
    assert w.grad is None and w.is_leaf
