"""Creation ops: NumPy's dtypes and values, seeding by ``rng``, requires_grad, bad inputs."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import minigrad as mg


def test_ranges_and_constants_follow_numpy():
    assert mg.arange(5).dtype == np.int64
    np.testing.assert_array_equal(mg.arange(1, 2, 0.25).data, np.arange(1, 2, 0.25))
    assert mg.arange(3.0).dtype == np.float64
    np.testing.assert_array_equal(mg.linspace(0, 1, 5).data, np.linspace(0, 1, 5))
    np.testing.assert_array_equal(mg.eye(2, 3, 1).data, np.eye(2, 3, 1))
    assert mg.full((2, 2), 1).dtype == np.int64 and mg.full(3, 1.5).dtype == np.float64
    x = mg.tensor(np.ones((2, 3), dtype=np.float32))
    for t in (mg.zeros_like(x), mg.ones_like(x), mg.full_like(x, 7)):
        assert t.shape == (2, 3) and t.dtype == np.float32
    assert mg.full_like(x, 7).data[0, 0] == 7
    assert mg.empty(2, 3).shape == (2, 3) and mg.empty((4,)).dtype == np.float64


def test_requires_grad_and_gradient_flow():
    w = mg.full((2,), 0.5, requires_grad=True)
    (w * w).sum().backward()
    np.testing.assert_array_equal(w.grad.data, [1.0, 1.0])
    assert mg.rand(3, rng=0, requires_grad=True).requires_grad
    with pytest.raises(TypeError, match="floating-point"):
        mg.arange(3, requires_grad=True)


def test_random_tensors_are_seeded_by_rng():
    for make in (lambda r: mg.rand(2, 3, rng=r), lambda r: mg.normal(1.0, 2.0, (4,), rng=r),
                 lambda r: mg.uniform(-1, 1, 5, rng=r), lambda r: mg.randint(0, 10, (3,), rng=r)):
        np.testing.assert_array_equal(make(7).data, make(7).data)
        np.random.seed(3)
        a = make(None).data
        np.random.seed(3)
        np.testing.assert_array_equal(make(None).data, a)  # None: NumPy's global state
        g, ref = np.random.default_rng(1), np.random.default_rng(1)
        first, second = make(g).data, make(g).data  # a Generator is used as given, and advances
        np.testing.assert_array_equal(first, make(ref).data)
        np.testing.assert_array_equal(second, make(ref).data)
        assert not np.array_equal(first, second)
    r = mg.randint(5, size=1000, rng=0).data
    assert r.dtype == np.int64 and r.min() >= 0 and r.max() <= 4
    u = mg.uniform(2.0, 3.0, 1000, rng=0).data
    assert 2.0 <= u.min() and u.max() < 3.0
    n = mg.normal(1.0, 0.5, 20000, rng=0).data
    assert abs(n.mean() - 1.0) < 0.02 and abs(n.std() - 0.5) < 0.02


def test_meshgrid_indexing():
    a, b = mg.arange(3.0), mg.arange(2.0)
    xs, ys = mg.meshgrid(a, b)
    ref = np.meshgrid(a.data, b.data)
    np.testing.assert_array_equal(xs.data, ref[0])
    np.testing.assert_array_equal(ys.data, ref[1])
    xi, yi = mg.meshgrid(a, b, indexing="ij")
    assert xi.shape == (3, 2)
    a = mg.tensor(a.data, requires_grad=True)
    mg.meshgrid(a, b)[0].sum().backward()
    np.testing.assert_array_equal(a.grad.data, [2.0, 2.0, 2.0])


def test_bad_inputs():
    with pytest.raises(ValueError, match="arange: step must not be zero"):
        mg.arange(0, 1, 0)
    with pytest.raises(ValueError, match="full: the shape must be non-negative"):
        mg.full((-1, 2), 0.0)
    with pytest.raises(ValueError, match="randint: need low < high"):
        mg.randint(3, 3)
    with pytest.raises(ValueError, match="normal: std must be >= 0"):
        mg.normal(0, -1)
    with pytest.raises(ValueError, match="meshgrid: indexing"):
        mg.meshgrid(mg.arange(2.0), indexing="xx")
    with pytest.raises(ValueError, match="meshgrid: inputs must be 0-d or 1-D"):
        mg.meshgrid(mg.zeros(2, 2))
    with pytest.raises(TypeError, match="seed must be"):
        mg.rand(2, rng="seed")


@given(start=st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False),
       stop=st.integers(-5, 5) | st.floats(-5, 5, allow_nan=False),
       step=st.sampled_from([1, 2, -1, 0.5, -0.75]))
def test_arange_matches_numpy_values_and_dtype(start, stop, step):
    t, a = mg.arange(start, stop, step), np.arange(start, stop, step)
    assert t.dtype == a.dtype
    np.testing.assert_array_equal(t.data, a)
