"""Every PyTorch-style optimizer against torch.optim: the same trajectory, weight decay included."""

import numpy as np
import pytest

torch = pytest.importorskip("torch")

import minigrad as mg  # noqa: E402
from minigrad import optim  # noqa: E402

CASES = [
    ("SGD", dict(lr=0.1), lambda ps: torch.optim.SGD(ps, lr=0.1)),
    ("SGD", dict(lr=0.05, weight_decay=0.1),
     lambda ps: torch.optim.SGD(ps, lr=0.05, weight_decay=0.1)),
    ("Momentum", dict(lr=0.05, momentum=0.9),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.9)),
    ("Momentum", dict(lr=0.05, momentum=0.8, weight_decay=0.01),
     lambda ps: torch.optim.SGD(ps, lr=0.05, momentum=0.8, weight_decay=0.01)),
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
