"""A training checkpoint is validated field by field before anything of the run changes."""

from __future__ import annotations

import copy

import numpy as np
import pytest

import minigrad as mg
from minigrad import serialization


def _data(seed=0, n=200, d=6, c=3):
    rng = np.random.default_rng(seed)
    x = rng.standard_normal((n + 50, d))
    t = np.eye(c)[rng.integers(0, c, size=n + 50)]
    return (x[:n], t[:n]), (x[n:], t[n:])


def _trainer(optimizer="adam", iters=20, model_seed=0):
    from minigrad.models import TwoLayerNet
    from minigrad.train import Trainer

    data = _data()
    model = TwoLayerNet(6, 5, 3, weight_init_std=0.3, seed=model_seed)
    return Trainer(model, data, iters=iters, batch_size=8, lr=0.1, optimizer=optimizer,
                   seed=1, progress=False, log=lambda line: None)


def _snapshot(state):
    opt = state.optimizer
    return {
        "model": {k: v.tobytes() for k, v in state.model.state_dict().items()},
        "opt": {k: np.asarray(v).tobytes() for k, v in opt.state_dict().items()},
        "hyper": {h: getattr(opt, h) for h in opt.hyper},
        "steps": opt.steps,
        "rng": state.rng.bit_generator.state,
        "iteration": state.iteration,
        "history": state.history.to_dict(),
    }


def _m_key(ckpt):
    return next(k for k in ckpt["optimizer"] if k.startswith("m."))


BAD = {
    "string buffer": lambda c: c["optimizer"].__setitem__(
        _m_key(c), np.full(np.shape(c["optimizer"][_m_key(c)]), "x")),
    "complex buffer": lambda c: c["optimizer"].__setitem__(
        _m_key(c), np.asarray(c["optimizer"][_m_key(c)]) + 1j),
    "nan buffer": lambda c: c["optimizer"].__setitem__(
        _m_key(c), np.full(np.shape(c["optimizer"][_m_key(c)]), np.nan)),
    "lr -1": lambda c: c["optimizer"].__setitem__("lr", -1.0),
    "lr inf": lambda c: c["optimizer"].__setitem__("lr", float("inf")),
    "lr string": lambda c: c["optimizer"].__setitem__("lr", "0.1"),
    "beta1 5": lambda c: c["optimizer"].__setitem__("beta1", 5.0),
    "beta2 -0.1": lambda c: c["optimizer"].__setitem__("beta2", -0.1),
    "eps 0": lambda c: c["optimizer"].__setitem__("eps", 0.0),
    "steps 2.7": lambda c: c["optimizer"].__setitem__("steps", 2.7),
    "steps -1": lambda c: c["optimizer"].__setitem__("steps", -1),
    "steps bool": lambda c: c["optimizer"].__setitem__("steps", True),
    "iteration 2.5": lambda c: c["progress"].__setitem__("iteration", 2.5),
    "iteration -3": lambda c: c["progress"].__setitem__("iteration", -3),
    "best acc string": lambda c: c["progress"].__setitem__("best_test_acc", "high"),
    "rng state garbage": lambda c: c["rng"].__setitem__("state", {"state": "x", "inc": 1}),
    "optimizer not a dict": lambda c: c.__setitem__("optimizer", [1, 2]),
    "string losses": lambda c: c["history"].__setitem__("losses", ["a", "b"]),
    "uneven evaluations": lambda c: c["history"]["test_acc"].append(0.5),
}


@pytest.mark.parametrize("what", sorted(BAD))
def test_bad_field_is_refused_and_nothing_changes(tmp_path, what):
    source = _trainer()
    source.run()
    good = serialization.training_state_dict(source.state)
    bad = copy.deepcopy(good)
    BAD[what](bad)
    path = tmp_path / "c.npz"
    mg.save(bad, path)

    target = _trainer(model_seed=3)
    target.run()
    before = _snapshot(target.state)
    with pytest.raises(mg.CheckpointError, match=r"c\.npz"):
        serialization.load_training_state(target.state, path)
    assert _snapshot(target.state) == before


def test_a_good_checkpoint_still_loads(tmp_path):
    source = _trainer()
    source.run()
    path = tmp_path / "c.npz"
    serialization.save_training_state(source.state, path)
    target = _trainer(model_seed=3)
    serialization.load_training_state(target.state, path)
    assert _snapshot(target.state) == _snapshot(source.state)
