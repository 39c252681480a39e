"""What the training-run tests share: a small synthetic data set and a hook into one iteration."""

from __future__ import annotations

import numpy as np

import minigrad as mg


def synthetic_data(seed=0, n=400, d=12, c=3, n_test=100):
    """Gaussian blobs: ``((x_train, t_train), (x_test, t_test))`` with one-hot labels."""
    rng = np.random.default_rng(seed)
    centers = rng.standard_normal((c, d))
    labels = rng.integers(0, c, size=n + n_test)
    x = centers[labels] + 0.8 * rng.standard_normal((n + n_test, d))
    t = np.eye(c)[labels]
    return (x[:n], t[:n]), (x[n:], t[n:])


def at_iteration(monkeypatch, iteration, action):
    """Run ``action()`` in the middle of the given 0-based training iteration.

    The hook sits in ``TwoLayerNet.loss`` and counts only the training step's calls (not
    the no-grad recomputations); a value ``action`` returns multiplies that loss (e.g.
    ``nan``). Returns a function that removes the hook.
    """
    from minigrad.models import TwoLayerNet

    real_loss = TwoLayerNet.loss
    calls = {"n": 0}

    def loss(self, x, t):
        out = real_loss(self, x, t)
        if mg.is_grad_enabled():
            if calls["n"] == iteration:
                replaced = action()
                if replaced is not None:
                    out = out * replaced
            calls["n"] += 1
        return out

    monkeypatch.setattr(TwoLayerNet, "loss", loss)
    return lambda: monkeypatch.setattr(TwoLayerNet, "loss", real_loss)


def weights(out):
    """The bytes of every array in ``out/weights.npz``, by name."""
    with np.load(out / "weights.npz", allow_pickle=False) as npz:
        return {k: npz[k].tobytes() for k in npz.files}
