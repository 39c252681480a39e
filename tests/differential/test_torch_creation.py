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
