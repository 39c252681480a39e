"""Creation ops against PyTorch: meshgrid."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

import numpy as np  # noqa: E402

import minigrad as mg  # noqa: E402

from .helpers import (  # noqa: E402
    compare,
)


@pytest.mark.parametrize("indexing", ["xy", "ij"])
def test_meshgrid_matches_torch(indexing):
    a, b, c = np.arange(3.0), np.arange(2.0) + 5, np.arange(4.0) - 1
    compare(f"meshgrid {indexing}",
            lambda x, y, z: sum((g * (i + 1)).sum() for i, g in
                                enumerate(mg.meshgrid(x, y, z, indexing=indexing))),
            lambda x, y, z: sum((g * (i + 1)).sum() for i, g in
                                enumerate(torch.meshgrid(x, y, z, indexing=indexing))),
            [a, b, c], 1)


@pytest.mark.parametrize("dtype", ["int64", "int32", "int16", "uint8"])
def test_linspace_into_integer_dtypes_rounds_as_torch(dtype):
    rng = np.random.default_rng(3)
    cases = [(0, 10, 7), (-3.5, 10, 7), (5, 10, 3), (0, 1, 50), (10, 0, 4), (2.7, 2.7, 1),
             (0, 100, 0)] + [(*rng.uniform(-60, 60, 2), int(rng.integers(1, 40)))
                             for _ in range(300)]
    for start, stop, num in cases:
        if dtype == "uint8":
            start, stop = abs(start), abs(stop)
        got = mg.linspace(start, stop, num, dtype=dtype)
        want = torch.linspace(start, stop, num, dtype=getattr(torch, dtype)).numpy()
        assert got.dtype == np.dtype(dtype)
        np.testing.assert_array_equal(got.data, want, err_msg=f"linspace({start}, {stop}, {num})")
