"""What a refused call must leave alone: the data, gradient and version of tensors.

``primed`` (in conftest.py) gives two leaves that already hold a gradient; a test takes
``state(a, b)`` before the bad call and checks ``same(before, state(a, b))`` after it.
"""

from __future__ import annotations

import numpy as np


def state(*ts):
    """The data, gradient and version of each tensor, copied."""
    return [(t.data.copy(), None if t.grad is None else t.grad.data.copy(), t.version)
            for t in ts]


def same(before, after):
    """Assert that two :func:`state` results are equal (True, for use in ``assert``)."""
    for (d0, g0, v0), (d1, g1, v1) in zip(before, after):
        assert np.array_equal(d0, d1) and v0 == v1
        assert (g0 is None and g1 is None) or np.array_equal(g0, g1)
    return True
