"""minigrad.optim on a quadratic bowl, against the closed-form updates."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import minigrad as mg
import minigrad.functional as F
from minigrad import optim
from minigrad.models import TwoLayerNet

# f(w) = 0.5 * sum(a * w**2): the gradient is a * w
A = np.array([1.0, 3.0, 0.5])
W0 = np.array([2.0, -1.0, 4.0])


def bowl_grad(w):
    return A * w


def run(opt_cls, steps, **kw):
    w = mg.tensor(W0.copy(), requires_grad=True)
    opt = opt_cls([w], **kw)
    path = []
    for _ in range(steps):
        opt.zero_grad()
        (0.5 * (mg.tensor(A) * w * w).sum()).backward()
        opt.step()
        path.append(w.data.copy())
    return w, opt, path


def test_sgd_closed_form():
    w, opt, path = run(optim.SGD, 5, lr=0.1)
    expected = W0 * (1 - 0.1 * A) ** np.arange(1, 6)[:, None]
    np.testing.assert_allclose(np.array(path), expected, rtol=1e-15)
    assert opt.lr == 0.1 and optim.SGD([w]).lr == 1e-3  # torch.optim.SGD's default


def test_sgd_matches_the_books_update_bit_for_bit():
    w, _, path = run(optim.SGD, 3, lr=0.1)
    ref = W0.copy()
    for _ in range(3):
        ref -= 0.1 * bowl_grad(ref)
    np.testing.assert_array_equal(path[-1], ref)


def test_momentum_closed_form():
    _, opt, path = run(optim.Momentum, 4, lr=0.1, momentum=0.9)
    w, v = W0.copy(), np.zeros(3)
    for k in range(4):  # the book's form; the same path as torch's for a constant lr
        v = 0.9 * v - 0.1 * bowl_grad(w)
        w = w + v
        np.testing.assert_allclose(path[k], w, rtol=1e-14)
    assert opt.momentum == 0.9


def test_adagrad_closed_form():
    _, opt, path = run(optim.AdaGrad, 4, lr=0.5)
    w, h = W0.copy(), np.zeros(3)
    for k in range(4):
        g = bowl_grad(w)
        h = h + g * g
        w = w - 0.5 * g / (np.sqrt(h) + 1e-10)
        np.testing.assert_allclose(path[k], w, rtol=1e-14)
    # first step moves every coordinate by lr (up to eps)
    np.testing.assert_allclose(np.abs(path[0] - W0), 0.5, rtol=1e-6)
    assert opt.eps == 1e-10  # torch.optim.Adagrad's default


def test_adam_closed_form():
    _, opt, path = run(optim.Adam, 5, lr=0.01)
    w, m, v = W0.copy(), np.zeros(3), np.zeros(3)
    b1, b2 = 0.9, 0.999
    for k in range(1, 6):
        g = bowl_grad(w)
        m = b1 * m + (1 - b1) * g
        v = b2 * v + (1 - b2) * g * g
        m_hat, v_hat = m / (1 - b1 ** k), v / (1 - b2 ** k)
        w = w - 0.01 * m_hat / (np.sqrt(v_hat) + 1e-8)
        np.testing.assert_allclose(path[k - 1], w, rtol=1e-14)
    assert opt.lr == 0.01
    assert (opt.beta1, opt.beta2) == (0.9, 0.999)
    assert opt.steps == 5


@pytest.mark.parametrize(("cls", "lr"), [(optim.SGD, 0.1), (optim.Momentum, 0.1),
                                         (optim.AdaGrad, 1.0), (optim.Adam, 0.1)])
def test_every_optimizer_descends_the_bowl(cls, lr):
    w, _, _ = run(cls, 300, lr=lr)
    assert np.abs(w.data).max() < np.abs(W0).max() * 0.1


def test_step_is_in_place_bumps_version_and_releases_graphs():
    w = mg.tensor(W0.copy(), requires_grad=True)
    data, v = w.data, w.version
    opt = optim.SGD([w], lr=0.1)
    y = (w * w).sum()
    y.backward(retain_graph=True)
    opt.step()
    assert w.data is data and w.version == v + 1
    with pytest.raises(RuntimeError, match="in-place"):
        y.backward()


def test_params_without_grad_are_skipped_and_zero_grad():
    a = mg.tensor([1.0], requires_grad=True)
    b = mg.tensor([1.0], requires_grad=True)
    opt = optim.SGD({"a": a, "b": b}, lr=1.0)
    (a * 2).sum().backward()
    opt.step()
    assert a.data[0] == -1.0 and b.data[0] == 1.0
    opt.zero_grad()
    assert a.grad is None and b.grad is None


def test_accepts_dict_module_and_iterables():
    net = TwoLayerNet(3, 2, 2, seed=0)
    assert [n for n, _ in optim.Adam(net.params).named_params] == ["W1", "b1", "W2", "b2"]
    assert [n for n, _ in optim.Adam(net).named_params] == ["fc1.W", "fc1.b", "fc2.W", "fc2.b"]
    assert [n for n, _ in optim.SGD(iter(net.parameters())).named_params] == ["0", "1", "2", "3"]


def test_bad_arguments():
    w = mg.tensor([1.0], requires_grad=True)
    with pytest.raises(TypeError, match="not a single Tensor"):
        optim.SGD(w)
    with pytest.raises(ValueError, match="empty"):
        optim.SGD([])
    with pytest.raises(ValueError, match="requires grad"):
        optim.SGD([mg.tensor([1.0])])
    with pytest.raises(ValueError, match="more than once"):
        optim.SGD([w, w])
    with pytest.raises(TypeError, match="not a Tensor"):
        optim.SGD([np.zeros(1)])
    with pytest.raises(ValueError, match="lr must be > 0"):
        optim.SGD([w], lr=0)
    with pytest.raises(ValueError, match="momentum"):
        optim.Momentum([w], momentum=1.5)
    with pytest.raises(ValueError, match="beta1 and beta2 must be < 1"):
        optim.Adam([w], beta1=1.0)
    with pytest.raises(ValueError, match="unknown optimizer 'lbfgs'"):
        optim.make_optimizer("lbfgs", [w], lr=0.1)
    assert isinstance(optim.make_optimizer("Adam", [w], lr=0.1), optim.Adam)


@pytest.mark.parametrize("cls", [optim.SGD, optim.Momentum, optim.Nesterov, optim.AdaGrad,
                                 optim.RMSprop, optim.Adam])
def test_state_dict_round_trip_continues_identically(cls, tmp_path):
    _, opt, _ = run(cls, 3, lr=0.05)
    sd = opt.state_dict()
    for k, v in sd.items():
        assert isinstance(v, (int, float, np.ndarray)), k
    np.savez(tmp_path / "opt.npz", **sd)

    def cont(o, w, steps):
        for _ in range(steps):
            o.zero_grad()
            (0.5 * (mg.tensor(A) * w * w).sum()).backward()
            o.step()
        return w.data.copy()

    w1 = opt.params[0]
    w2 = mg.tensor(w1.data.copy(), requires_grad=True)
    fresh = cls([w2], lr=0.999)
    with np.load(tmp_path / "opt.npz") as npz:
        fresh.load_state_dict(dict(npz))
    assert fresh.lr == 0.05 and fresh.steps == 3
    np.testing.assert_array_equal(cont(opt, w1, 4), cont(fresh, w2, 4))


def test_load_state_dict_reports_all_problems_and_changes_nothing():
    a = mg.tensor([1.0, 2.0], requires_grad=True)
    opt = optim.Adam({"a": a}, lr=0.1)
    sd = opt.state_dict()
    bad = dict(sd)
    del bad["m.a"]
    bad["v.a"] = np.zeros(3)
    bad["extra"] = 1
    bad["lr"] = np.zeros(2)
    with pytest.raises(ValueError) as info:
        opt.load_state_dict(bad)
    msg = str(info.value)
    for needle in ("missing key 'm.a'", "unexpected key 'extra'", "'v.a': shape (3,)",
                   "'lr': expected a number"):
        assert needle in msg
    assert opt.lr == 0.1


@settings(max_examples=20, deadline=None)
@given(st.floats(1e-3, 0.5), st.integers(0, 2**31))
def test_sgd_on_a_model_equals_the_books_loop(lr, seed):
    rng = np.random.default_rng(seed)
    a = TwoLayerNet(4, 3, 2, seed=seed)
    b = TwoLayerNet(4, 3, 2, seed=seed)
    opt = optim.SGD(b.params, lr=lr)
    for _ in range(3):
        x, t = rng.random((5, 4)), rng.integers(0, 2, 5)
        grad = a.gradient(x, t)
        for key in ("W1", "b1", "W2", "b2"):
            a.params[key] -= lr * grad[key]
        opt.zero_grad()
        F.softmax_cross_entropy(b(x), t).backward()
        opt.step()
    for k in a.params:
        np.testing.assert_array_equal(a.params[k].data, b.params[k].data)


# -- Optimizer.step validates first ------------------------------------------------------------

def test_optimizer_step_checks_every_gradient_before_updating(leaf):
    a, b = leaf([1.0, 2.0]), leaf([3.0, 4.0])
    opt = optim.SGD({"a": a, "b": b}, lr=0.1)
    a.grad = mg.tensor([1.0, 1.0])
    b.grad = mg.tensor([1.0, 1.0, 1.0])
    with pytest.raises(ValueError, match="'b'.*shape"):
        opt.step()
    np.testing.assert_array_equal(a.data, [1.0, 2.0])
    assert opt.steps == 0


# -- per-parameter step counts -----------------------------------------------------------------

def _bowl_steps(opt, w, n):
    for _ in range(n):
        opt.zero_grad()
        (0.5 * (mg.tensor(A) * w * w).sum()).backward()
        opt.step()
    return w.data.copy()


def test_a_parameter_without_gradient_keeps_its_state_and_step_count():
    a, b = mg.tensor(W0.copy(), requires_grad=True), mg.tensor(W0.copy(), requires_grad=True)
    opt = optim.Adam({"a": a, "b": b}, lr=0.1)
    for _ in range(3):  # only a is used
        opt.zero_grad()
        (a * a).sum().backward()
        opt.step()
    assert opt.steps == 3 and opt.param_steps == {"a": 3, "b": 0}
    np.testing.assert_array_equal(b.data, W0)
    assert not opt.state["m"]["b"].any() and not opt.state["v"]["b"].any()
    opt.zero_grad()
    (b * b).sum().backward()
    opt.step()
    # b's first update: m_hat = g and v_hat = g**2, so it moves by lr (up to eps) as at step 1
    np.testing.assert_allclose(W0 - b.data, 0.1 * np.sign(W0), rtol=1e-7)
    assert opt.param_steps == {"a": 3, "b": 1}


@pytest.mark.parametrize("cls", [optim.SGD, optim.Momentum, optim.Nesterov, optim.AdaGrad,
                                 optim.RMSprop, optim.Adam])
def test_a_state_dict_with_one_global_step_count_still_loads(cls):
    # state dicts written before the count was kept per parameter have "steps" only:
    # every parameter gets that count, which is how the state was used when saved
    _, opt, _ = run(cls, 3, lr=0.05)
    old = {k: v for k, v in opt.state_dict().items() if not k.startswith("step.")}
    assert "steps" in old and not any(k.startswith("step.") for k in old)
    w1 = opt.params[0]
    w2 = mg.tensor(w1.data.copy(), requires_grad=True)
    fresh = cls([w2], lr=0.999)
    fresh.load_state_dict(old)
    assert fresh.steps == 3 and fresh.param_steps == {"0": 3}
    np.testing.assert_array_equal(_bowl_steps(opt, w1, 4), _bowl_steps(fresh, w2, 4))


@pytest.mark.parametrize(("change", "needle"), [
    (lambda sd: sd.pop("step.b"), "missing key 'step.b'"),
    (lambda sd: sd.__setitem__("step.a", 1.5), "'step.a': expected an integer >= 0, got 1.5"),
    (lambda sd: sd.__setitem__("step.a", -1), "'step.a': expected an integer >= 0, got -1"),
    (lambda sd: sd.__setitem__("step.a", np.zeros(2)), "'step.a': expected a number"),
    (lambda sd: sd.__setitem__("step.b", 4), "'step.b': 4 updates of the parameter, more than "
                                             "the 3 steps taken"),
    (lambda sd: sd.__setitem__("step.c", 1), "unexpected key 'step.c'"),
])
def test_load_state_dict_checks_the_per_parameter_steps(change, needle):
    a, b = mg.tensor([1.0, 2.0], requires_grad=True), mg.tensor([3.0], requires_grad=True)
    opt = optim.Adam({"a": a, "b": b}, lr=0.1)
    for k in range(3):
        opt.zero_grad()
        (a * a).sum().backward() if k else ((a * a).sum() + (b * b).sum()).backward()
        opt.step()
    sd = opt.state_dict()
    assert (sd["step.a"], sd["step.b"]) == (3, 1)
    target = optim.Adam({"a": mg.tensor([0.0, 0.0], requires_grad=True),
                         "b": mg.tensor([0.0], requires_grad=True)}, lr=0.2)
    change(sd)
    with pytest.raises(ValueError, match="nothing was loaded") as info:
        target.load_state_dict(sd)
    assert needle in str(info.value)
    assert target.steps == 0 and target.param_steps == {"a": 0, "b": 0} and target.lr == 0.2


# -- the book's optimizers keep the book's rule: one step counter for all parameters ------------

def _book_reference(name, lr, n, grads):
    """The book's update rules written out for one parameter ``p`` from ``W0`` (its state too).

    ``grads(k, w)`` is the gradient at update ``k`` (counted from 1, for every parameter).
    """
    w, s1, s2 = W0.copy(), np.zeros(3), np.zeros(3)
    mom, rho, b1, b2 = 0.9, 0.99, 0.9, 0.999
    for k in range(1, n + 1):
        g = grads(k, w)
        if name == "SGD":
            w = w - lr * g
        elif name == "Momentum":
            s1 = mom * s1 - lr * g
            w = w + s1
        elif name == "Nesterov":  # look ahead with the old velocity, then update it
            w = w + mom * mom * s1 - (1 + mom) * lr * g
            s1 = mom * s1 - lr * g
        elif name == "AdaGrad":
            s1 = s1 + g ** 2
            w = w - lr * g / (np.sqrt(s1) + 1e-7)
        elif name == "RMSprop":
            s1 = rho * s1 + (1 - rho) * g ** 2
            w = w - lr * g / (np.sqrt(s1) + 1e-7)
        elif name == "Adam":  # bias correction by the one counter k, in the step size
            s1 = b1 * s1 + (1 - b1) * g
            s2 = b2 * s2 + (1 - b2) * g ** 2
            step = lr * np.sqrt(1 - b2 ** k) / (1 - b1 ** k)
            w = w - step * s1 / (np.sqrt(s2) + 1e-7)
    return w


@pytest.mark.parametrize("name", ["SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam"])
def test_book_optimizers_with_a_gradient_that_is_zero_in_early_steps(name):
    from minigrad.book import optimizer as book

    def grads(k, w):  # zero at the first two updates, then the bowl's
        return bowl_grad(w) if k > 2 else np.zeros(3)

    params = {"a": W0.copy(), "p": W0.copy()}
    opt = getattr(book, name)(lr=0.05)
    for k in range(1, 8):
        opt.update(params, {"a": bowl_grad(params["a"]), "p": grads(k, params["p"])})
        if k <= 2:
            np.testing.assert_array_equal(params["p"], W0)  # a zero gradient moves nothing
    np.testing.assert_allclose(params["p"], _book_reference(name, 0.05, 7, grads), rtol=1e-12)
    np.testing.assert_allclose(params["a"], _book_reference(name, 0.05, 7, lambda k, w:
                                                            bowl_grad(w)), rtol=1e-12)
    if name == "Adam":  # the book's counter is global: p's first move is not a first step's
        assert opt.iter == 7
        first_move = np.abs(_book_reference(name, 0.05, 3, grads) - W0)
        assert not np.allclose(first_move, 0.05, rtol=1e-3)


def test_adam_updates_float32_parameters_in_float32():
    """Every Adam step on float32 parameters is float32 arithmetic, no float64 promotion.

    The same steps written in NumPy float32 give the same bits; a float64 step size
    (a NumPy scalar) would promote the update and round it differently.
    """
    from minigrad.book.optimizer import Adam as BookAdam

    rng = np.random.default_rng(0)
    w0 = rng.standard_normal(1000).astype(np.float32)
    grads = [rng.standard_normal(1000).astype(np.float32) for _ in range(3)]
    # minigrad.optim.Adam (torch.optim's form)
    w = mg.tensor(w0.copy(), requires_grad=True)
    opt = optim.Adam([w], lr=0.01)
    m, v, ref = np.zeros_like(w0), np.zeros_like(w0), w0.copy()
    for k, g in enumerate(grads, 1):
        w.grad = mg.tensor(g)
        opt.step()
        m = 0.9 * m + (1 - 0.9) * g
        v = 0.999 * v + (1 - 0.999) * (g * g)
        ref -= (0.01 / (1 - 0.9 ** k)) * m / (np.sqrt(v) / float(np.sqrt(1 - 0.999 ** k))
                                              + 1e-8)
    assert w.dtype == np.float32 and ref.dtype == np.float32
    np.testing.assert_array_equal(w.data, ref)
    # the book's Adam
    params = {"W": mg.nn.Parameter(w0.copy())}
    book = BookAdam(lr=0.01)
    m, v, ref = np.zeros_like(w0), np.zeros_like(w0), w0.copy()
    for k, g in enumerate(grads, 1):
        book.update(params, {"W": g})
        lr_t = float(0.01 * np.sqrt(1.0 - 0.999 ** k) / (1.0 - 0.9 ** k))
        m += (1 - 0.9) * (g - m)
        v += (1 - 0.999) * (g ** 2 - v)
        ref -= lr_t * m / (np.sqrt(v) + 1e-7)
    assert params["W"].dtype == np.float32 and ref.dtype == np.float32
    np.testing.assert_array_equal(params["W"].data, ref)
