"""The shared validators (minigrad._validate) and the one path type."""

from __future__ import annotations

import pytest

from minigrad import optim

# -- one path type, one set of validators ------------------------------------------------------

def test_one_path_type_and_one_set_of_validators():
    from minigrad import _fileio, _validate, plotting, train
    from minigrad.nn import layers

    assert plotting.PathLike is train.PathLike is _fileio.PathLike
    assert optim._number is _validate.number and layers._positive is _validate.positive_int
    with pytest.raises(ValueError, match="train: iters must be a positive integer"):
        train._positive_int(0, "iters")
