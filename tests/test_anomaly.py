import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import autograd


def _line_of(marker):
    """The line number in this file of the line containing ``marker``."""
    with open(__file__) as f:
        for i, line in enumerate(f, start=1):
            if marker in line and "_line_of" not in line:
                return i
    raise AssertionError(marker)


def model_with_bad_log(x):
    h = x * 2.0 - 3.0
    return h.log()  # BAD-LOG


def test_is_floating_point_error_subclass():
    assert issubclass(mg.AnomalyError, FloatingPointError)


def test_forward_nan_names_op_shapes_and_user_line():
    x = mg.tensor(np.array([[1.0, 2.0, 3.0], [0.5, 2.5, 4.0]]), requires_grad=True)
    with pytest.raises(mg.AnomalyError) as info, mg.detect_anomaly():
        model_with_bad_log(x)
    msg = str(info.value)
    assert msg.startswith("Log produced 2 NaN of 6 values")
    assert "float64 (2, 3)" in msg
    line = _line_of("# BAD-LOG")
    assert f"{__file__}\", line {line}" in msg
    assert "return h.log()" in msg
    assert info.value.location == f"{__file__}:{line}"
    assert info.value.phase == "forward"
    assert info.value.function.name == "Log"


def test_forward_inf_is_reported():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with pytest.raises(mg.AnomalyError, match=r"Log produced 1 inf of 2 values"), \
            mg.detect_anomaly():
        x.log()


def test_no_numpy_warning_inside_mode():
    x = mg.tensor([-1.0], requires_grad=True)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(mg.AnomalyError), mg.detect_anomaly():
            x.log()


def test_first_bad_op_is_reported_not_later_ones():
    x = mg.tensor([-1.0, 4.0], requires_grad=True)
    with pytest.raises(mg.AnomalyError) as info, mg.detect_anomaly():
        y = x.sqrt()  # FIRST-BAD
        y.exp().sum()
    assert info.value.function.name == "Sqrt"
    assert info.value.location.endswith(f":{_line_of('# FIRST-BAD')}")


def test_backward_nan_names_op_and_forward_site():
    x = mg.tensor([0.0, 4.0], requires_grad=True)
    with mg.detect_anomaly():
        y = x.sqrt().sum()  # SQRT-AT-ZERO
        with pytest.raises(mg.AnomalyError) as info:
            y.backward()
    err = info.value
    assert err.phase == "backward"
    assert err.function.name == "Sqrt"
    msg = str(err)
    assert msg.startswith("the backward of Sqrt returned 1 inf of 2 values in the gradient of "
                          "input 0 (shape (2,))")
    assert f"line {_line_of('# SQRT-AT-ZERO')}" in msg
    assert "y = x.sqrt().sum()" in msg


def test_backward_op_created_in_a_function_points_at_that_function():
    def loss_fn(w):
        return (w.abs() ** 0.5).sum()  # POW-HALF

    w = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.detect_anomaly():
        loss = loss_fn(w)
        with pytest.raises(mg.AnomalyError) as info:
            loss.backward()
    assert info.value.function.name == "Pow"
    assert info.value.location.endswith(f":{_line_of('# POW-HALF')}")


def test_create_graph_backward_op_names_the_enclosing_backward():
    x = mg.tensor([0.0, 1.0], requires_grad=True)
    with mg.detect_anomaly():
        y = x.sqrt().sum()  # SQRT-CREATED
        with pytest.raises(mg.AnomalyError) as info:
            mg.grad(y, x, create_graph=True)
    msg = str(info.value)
    assert "created while computing the backward of Sqrt" in msg
    assert f"line {_line_of('# SQRT-CREATED')}" in msg


def test_nan_from_outside_the_graph_is_flagged_at_first_recorded_op():
    data = np.array([np.nan, 1.0])
    w = mg.tensor([1.0, 1.0], requires_grad=True)
    with pytest.raises(mg.AnomalyError, match="already held NaN or inf") as info, \
            mg.detect_anomaly():
        w * data
    assert info.value.function.name == "Mul"


def test_unrecorded_ops_are_not_checked():
    x = mg.tensor([-1.0])  # does not require grad: nothing is recorded
    with mg.detect_anomaly():
        y = x.log()
        w = mg.tensor([-1.0], requires_grad=True)
        with mg.no_grad():
            z = w.log()
    assert np.isnan(y.data).all() and np.isnan(z.data).all()


def test_finite_computation_passes_and_matches_normal_mode():
    rng = np.random.default_rng(0)
    x = mg.tensor(rng.standard_normal((4, 3)), requires_grad=True)
    t = np.array([0, 2, 1, 1])
    with mg.detect_anomaly():
        loss = F.softmax_cross_entropy(x.tanh() * 3, t)
        loss.backward()
    g1 = x.grad.data.copy()
    x.zero_grad()
    F.softmax_cross_entropy(x.tanh() * 3, t).backward()
    np.testing.assert_array_equal(g1, x.grad.data)


def test_hooks_are_installed_only_inside_and_nesting():
    n_fwd, n_bwd = len(autograd.forward_hooks), len(autograd.backward_hooks)
    assert not mg.is_anomaly_enabled()
    with mg.detect_anomaly():
        assert mg.is_anomaly_enabled()
        assert len(autograd.forward_hooks) == n_fwd + 1
        with mg.detect_anomaly():
            assert len(autograd.forward_hooks) == n_fwd + 1
        assert mg.is_anomaly_enabled()
        x = mg.tensor([-1.0], requires_grad=True)
        with pytest.raises(mg.AnomalyError):
            x.log()
    assert not mg.is_anomaly_enabled()
    assert len(autograd.forward_hooks) == n_fwd
    assert len(autograd.backward_hooks) == n_bwd


def test_mode_exits_cleanly_after_an_error():
    x = mg.tensor([-1.0], requires_grad=True)
    n_fwd = len(autograd.forward_hooks)
    with pytest.raises(mg.AnomalyError), mg.detect_anomaly():
        x.log()
    assert len(autograd.forward_hooks) == n_fwd
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(RuntimeWarning):
            np.log(np.array([-1.0]))  # NumPy's error state is restored


def test_decorator_form_and_reentrance():
    @mg.detect_anomaly()
    def step(x, depth):
        if depth:
            return step(x, depth - 1)
        return (x - 2.0).log()  # DECORATED

    with pytest.raises(mg.AnomalyError) as info:
        step(mg.tensor([1.0], requires_grad=True), 2)
    assert info.value.location.endswith(f":{_line_of('# DECORATED')}")
    assert not mg.is_anomaly_enabled()
    y = step(mg.tensor([3.0], requires_grad=True), 1)
    assert y.item() == 0.0


def test_module_scope_is_named():
    x = mg.tensor([-1.0], requires_grad=True)
    with pytest.raises(mg.AnomalyError, match="in module 'fc1'"), mg.detect_anomaly(), \
            autograd._scope("fc1"):
        x.log()


def test_user_function_backward_producing_nan():
    class BadGrad(mg.Function):
        def forward(self, x):
            return x.copy()

        def backward(self, gy):
            return gy * np.nan

    x = mg.tensor([1.0], requires_grad=True)
    with mg.detect_anomaly():
        y = BadGrad()(x).sum()  # BADGRAD
        with pytest.raises(mg.AnomalyError) as info:
            y.backward()
    assert info.value.function.name == "BadGrad"
    assert info.value.location.endswith(f":{_line_of('# BADGRAD')}")


def test_two_layer_net_nan_weights_caught_in_forward():
    rng = np.random.default_rng(1)
    W1 = mg.tensor(rng.standard_normal((4, 5)), requires_grad=True)
    W2 = mg.tensor(rng.standard_normal((5, 3)), requires_grad=True)
    W1.data[2, 3] = np.inf
    x = rng.standard_normal((6, 4))
    with pytest.raises(mg.AnomalyError) as info, mg.detect_anomaly():
        h = F.sigmoid(x @ W1)
        F.softmax_cross_entropy(h @ W2, np.zeros(6, dtype=np.int64))
    # x @ W1 gives inf (and -inf); MatMul is the first op with a non-finite output
    assert info.value.function.name == "MatMul"
    assert "already held NaN or inf" in str(info.value)


def test_failed_anomaly_backward_writes_no_grad(leaf):
    w, v = leaf([0.0, 1.0]), leaf([1.0, 1.0])
    y = (w.sqrt() + v).sum()
    with pytest.raises(Exception, match="(?i)nan|inf"), mg.detect_anomaly():
        y.backward()
    assert w.grad is None and v.grad is None


def _finite_value_and_grad(fn, x):
    y = fn(x)
    assert np.isfinite(y.data).all(), y
    (g,) = mg.grad(y.sum() if y.ndim else y, [x])
    assert np.isfinite(g.data).all(), g
    assert y.dtype == x.dtype and g.dtype == x.dtype
    return y, g


@pytest.mark.parametrize("dtype", [np.float64, np.float32])
def test_tanh_and_exp_overflow_is_not_silent_inside_detect_anomaly(dtype):
    # exp overflows to inf at 1000: anomaly mode points at it instead of a warning
    x = mg.Tensor(np.array([1000.0], dtype=dtype), requires_grad=True)
    with pytest.raises(mg.AnomalyError, match="Exp produced 1 inf"), mg.detect_anomaly():
        x.exp()
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        _finite_value_and_grad(F.tanh, x)
