"""Soak test: a long training run keeps memory flat and emits no warning.

Graphs free themselves by reference counting (no cycles), so the run is done
with the cyclic garbage collector switched off: anything a step leaked would
pile up, and show in the process's resident memory, in the count of live
Python memory blocks and in the number of live tensors and functions.
"""

import gc
import os
import sys
import warnings

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import nn, optim

STEPS = 20_000
CHECK_AT = 2_000


def _rss_bytes():
    try:
        with open("/proc/self/statm") as f:
            return int(f.read().split()[1]) * os.sysconf("SC_PAGE_SIZE")
    except (OSError, ValueError, AttributeError):  # pragma: no cover - not Linux
        return None


def _live_graph_objects():
    counts = {"Tensor": 0, "Function": 0}
    for obj in gc.get_objects():
        cls = type(obj)  # not isinstance: some library objects warn when their __class__ is read
        if issubclass(cls, mg.Tensor):
            counts["Tensor"] += 1
        elif issubclass(cls, mg.Function):
            counts["Function"] += 1
    return counts


@pytest.mark.slow
def test_training_20000_steps_memory_stays_flat_and_no_warnings():
    rng = np.random.default_rng(0)
    X = rng.standard_normal((2000, 20))
    centers = rng.standard_normal((3, 20)) * 0.8
    labels = ((X @ centers.T) + 0.3 * rng.standard_normal((2000, 3))).argmax(axis=1)
    net = nn.Sequential(nn.Linear(20, 10, weight_init_std=0.3, rng=1), nn.Sigmoid(),
                        nn.Linear(10, 3, weight_init_std=0.3, rng=2))
    opt = optim.SGD(net, lr=0.5)
    losses = np.empty(STEPS)  # preallocated: the record itself must not grow
    batches = rng.integers(0, len(X), size=(STEPS, 32))

    was_enabled = gc.isenabled()
    gc.collect()
    gc.disable()
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            for step in range(STEPS):
                idx = batches[step]
                loss = F.softmax_cross_entropy(net(X[idx]), labels[idx])
                net.zero_grad()
                loss.backward()
                opt.step()
                losses[step] = loss.item()
                if step + 1 == CHECK_AT:
                    rss_early = _rss_bytes()
                    blocks_early = sys.getallocatedblocks()
                    live_early = _live_graph_objects()
            rss_late = _rss_bytes()
            blocks_late = sys.getallocatedblocks()
            live_late = _live_graph_objects()
    finally:
        if was_enabled:
            gc.enable()

    assert [str(w.message) for w in caught] == []
    assert np.isfinite(losses).all()
    assert losses[-1000:].mean() < 0.6 * losses[:100].mean()  # it really trained
    # nothing accumulates from one step to the next
    assert live_late == live_early, (live_early, live_late)
    assert blocks_late - blocks_early < 2_000, (blocks_early, blocks_late)
    if rss_early is not None:
        grown = rss_late - rss_early
        assert grown < 4 * 2**20, f"resident memory grew by {grown / 2**20:.1f} MiB"
