"""Every PyTorch-style optimizer against torch.optim: the same trajectory, weight decay included."""

import numpy as np
import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import minigrad as mg  # noqa: E402
from minigrad import optim  # noqa: E402

CASES = [
    ("SGD", dict(lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    ("SGD", dict(lr=0.05, weight_decay=0.1),
     lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=0.1)),
    ("Momentum", dict(lr=0.05, momentum=0.9),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    ("Momentum", dict(lr=0.05, momentum=0.8, weight_decay=0.1),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.1)),
    ("Nesterov", dict(lr=0.05, momentum=0.9),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9, nesterov=True)),
    ("Nesterov", dict(lr=0.03, momentum=0.7, weight_decay=0.2),
     lambda ps: torch.optim.SGD(ps, lr=0.03, momentum=0.7, nesterov=True, weight_decay=0.2)),
    ("AdaGrad", dict(lr=0.3), lambda ps: torch.optim.Adagrad(ps, lr=0.3)),
    ("AdaGrad", dict(lr=0.3, weight_decay=0.05),
     lambda ps: torch.optim.Adagrad(ps, lr=0.3, weight_decay=0.05)),
    ("RMSprop", dict(lr=0.01), lambda ps: torch.optim.RMSprop(ps, lr=0.01)),
    ("RMSprop", dict(lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.1),
     lambda ps: torch.optim.RMSprop(ps, lr=0.02, alpha=0.9, eps=1e-6, weight_decay=0.1)),
    ("Adam", dict(lr=0.05), lambda ps: torch.optim.Adam(ps, lr=0.05)),
    ("Adam", dict(lr=0.02, beta1=0.8, beta2=0.99, eps=1e-6, weight_decay=0.1),
     lambda ps: torch.optim.Adam(ps, lr=0.02, betas=(0.8, 0.99), eps=1e-6, weight_decay=0.1)),
]


def loss_mg(w, b, x, t):
    h = (x @ w + b).tanh()
    return ((h - t) ** 2).sum() + (w * w * w).sum() * 0.01


def loss_torch(w, b, x, t):
    h = torch.tanh(x @ w + b)
    return ((h - t) ** 2).sum() + (w * w * w).sum() * 0.01


@pytest.mark.parametrize(("name", "kw", "make_torch"), CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_trajectory_matches_torch(name, kw, make_torch):
    rng = np.random.default_rng(7)
    w0, b0 = rng.standard_normal((4, 3)), rng.standard_normal(3)
    x, t = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    w, b = mg.tensor(w0.copy(), requires_grad=True), mg.tensor(b0.copy(), requires_grad=True)
    tw = torch.tensor(w0.copy(), requires_grad=True)
    tb = torch.tensor(b0.copy(), requires_grad=True)
    opt = getattr(optim, name)([w, b], **kw)
    topt = make_torch([tw, tb])
    for step in range(25):
        opt.zero_grad()
        loss_mg(w, b, x, t).backward()
        opt.step()
        topt.zero_grad()
        loss_torch(tw, tb, torch.tensor(x), torch.tensor(t)).backward()
        topt.step()
        np.testing.assert_allclose(w.data, tw.detach().numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{name} step {step}")
        np.testing.assert_allclose(b.data, tb.detach().numpy(), rtol=1e-9, atol=1e-12,
                                   err_msg=f"{name} step {step}")


@pytest.mark.parametrize(("name", "torch_cls", "torch_kw"), [
    ("SGD", "SGD", {}), ("AdaGrad", "Adagrad", {}), ("RMSprop", "RMSprop", {}),
    ("Adam", "Adam", {}),
])
def test_defaults_are_torch_defaults(name, torch_cls, torch_kw):
    w = mg.tensor([1.0], requires_grad=True)
    ours = getattr(optim, name)([w])
    theirs = getattr(torch.optim, torch_cls)([torch.zeros(1, requires_grad=True)], **torch_kw)
    d = theirs.defaults
    assert ours.lr == d["lr"]
    assert ours.weight_decay == d["weight_decay"]
    if "eps" in d:
        assert ours.eps == d["eps"]
    if "alpha" in d:
        assert ours.alpha == d["alpha"]
    if "betas" in d:
        assert (ours.beta1, ours.beta2) == tuple(d["betas"])


# -- per-parameter state: parameters that join late or skip steps ------------------------------

#: Every optimizer with state (buffers or a step count), in a plain and a weight-decay setting.
STATEFUL = [case for case in CASES if case[0] != "SGD"]  # plain SGD keeps no state
STATEFUL_IDS = [f"{c[0]}-{i}" for i, c in enumerate(STATEFUL)]

#: Which of the parameters (w, b, u) get a gradient at each of 12 steps.
SCHEDULES = {
    # b first used at step 2, u at step 5 (the others have no gradient, grad None, before)
    "late-join": [("w", "b", "u")[:1 + (k >= 2) + (k >= 5)] for k in range(12)],
    # u used at steps 0 and 1, skipped at 2..6, used again; b skipped at step 4 only
    "skipped-steps": [tuple(n for n, used in (("w", True), ("b", k != 4),
                                              ("u", k < 2 or k > 6)) if used)
                      for k in range(12)],
}


def test_stateful_list_is_every_optimizer_with_state():
    stateful = {name for name, cls in optim.OPTIMIZERS.items() if cls.buffers}
    assert {c[0].lower() for c in STATEFUL} == stateful


def _schedule_loss(lib, p, x, t, used):
    """A loss in which only the parameters named in ``used`` take part."""
    tanh = torch.tanh if lib is torch else (lambda a: a.tanh())
    h = x @ p["w"] + p["b"] if "b" in used else x @ p["w"]
    loss = ((tanh(h) - t) ** 2).sum() + (p["w"] * p["w"] * p["w"]).sum() * 0.01
    if "u" in used:
        loss = loss + ((p["u"] - 0.5) ** 2 * 3.0).sum() + (p["u"] * p["u"] * p["u"]).sum() * 0.1
    return loss


def _schedule_run(name, kw, make_torch, schedule, reload_at=None):
    """Run minigrad and torch side by side on ``schedule``; return both and their last values.

    With ``reload_at``, minigrad's optimizer is rebuilt from its state dict (through
    ``np.savez``-like plain values) after that many steps; torch's runs on.
    """
    rng = np.random.default_rng(11)
    init = {"w": rng.standard_normal((4, 3)), "b": rng.standard_normal(3),
            "u": rng.standard_normal(3)}
    x, t = rng.standard_normal((5, 4)), rng.standard_normal((5, 3))
    ours = {k: mg.tensor(v.copy(), requires_grad=True) for k, v in init.items()}
    theirs = {k: torch.tensor(v.copy(), requires_grad=True) for k, v in init.items()}
    opt = getattr(optim, name)(ours, **kw)
    topt = make_torch(list(theirs.values()))
    for k, used in enumerate(schedule):
        if k == reload_at:
            sd = {key: (np.array(v) if isinstance(v, np.ndarray) else v)
                  for key, v in opt.state_dict().items()}
            opt = getattr(optim, name)(ours, lr=0.5)
            opt.load_state_dict(sd)
        opt.zero_grad()
        _schedule_loss(mg, ours, x, t, used).backward()
        opt.step()
        topt.zero_grad()
        _schedule_loss(torch, theirs, torch.tensor(x), torch.tensor(t), used).backward()
        topt.step()
        for key in ours:
            np.testing.assert_allclose(ours[key].data, theirs[key].detach().numpy(),
                                       rtol=1e-9, atol=1e-12, err_msg=f"{name} {key} step {k}")
    return opt, topt, theirs


@pytest.mark.parametrize("schedule", sorted(SCHEDULES))
@pytest.mark.parametrize(("name", "kw", "make_torch"), STATEFUL, ids=STATEFUL_IDS)
def test_late_and_skipping_parameters_match_torch(name, kw, make_torch, schedule):
    opt, topt, theirs = _schedule_run(name, kw, make_torch, SCHEDULES[schedule])
    for key, tp in theirs.items():  # the per-parameter step count, where torch keeps one
        updates = sum(key in used for used in SCHEDULES[schedule])
        assert opt.param_steps[key] == updates
        if "step" in topt.state[tp]:
            assert opt.param_steps[key] == int(topt.state[tp]["step"])


@pytest.mark.parametrize(("name", "kw", "make_torch"), STATEFUL, ids=STATEFUL_IDS)
def test_state_dict_carries_the_per_parameter_steps(name, kw, make_torch):
    # reloaded after step 3: b has 2 updates, u none yet; torch runs uninterrupted
    opt, _, _ = _schedule_run(name, kw, make_torch, SCHEDULES["late-join"], reload_at=4)
    sd = opt.state_dict()
    assert (sd["steps"], sd["step.w"], sd["step.b"], sd["step.u"]) == (12, 12, 10, 7)
