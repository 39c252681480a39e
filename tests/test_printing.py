"""Print options and the repr of tensors (minigrad.printing)."""

import numpy as np
import pytest

import minigrad as mg


@pytest.fixture
def printoptions():
    saved = mg.get_printoptions()
    yield
    mg.set_printoptions(**saved)


def test_repr_of_a_big_tensor_is_short(printoptions):
    t = mg.Tensor(np.arange(1_000_000, dtype=np.float64).reshape(1000, 1000))
    text = repr(t)
    assert len(text) < 600
    assert "..." in text and "shape=(1000, 1000)" in text


def test_threshold_controls_summarisation(printoptions):
    t = mg.Tensor(np.arange(20.0))
    assert "..." not in repr(t)  # 20 <= default threshold
    mg.set_printoptions(threshold=10)
    assert mg.get_printoptions()["threshold"] == 10
    text = repr(t)
    assert "..." in text and "shape=(20,)" in text
    assert "0." in text and "19." in text and "10." not in text
    mg.set_printoptions(threshold=1000)
    assert "..." not in repr(mg.Tensor(np.arange(500.0)))


def test_edgeitems(printoptions):
    mg.set_printoptions(threshold=5, edgeitems=1)
    assert repr(mg.Tensor(np.arange(10.0))) == "Tensor([0., ..., 9.], shape=(10,))"


def test_precision(printoptions):
    t = mg.tensor([1.23456789, -2.5])
    mg.set_printoptions(precision=2)
    assert repr(t) == "Tensor([ 1.23, -2.5 ])"
    mg.set_printoptions(precision=6)
    assert "1.234568" in repr(t)


def test_repr_shows_dtype_and_grad_fn(printoptions):
    x = mg.tensor([1.0, 2.0], requires_grad=True)
    assert repr(x) == "Tensor([1., 2.], requires_grad=True)"
    assert repr(x * 2).endswith("grad_fn=<Mul>)")
    assert "dtype=float32" in repr(mg.Tensor(np.ones(2, dtype=np.float32)))


@pytest.mark.parametrize("bad", [{"precision": -1}, {"threshold": 1.5}, {"edgeitems": "3"}])
def test_set_printoptions_rejects_bad_values_without_changing_anything(printoptions, bad):
    before = mg.get_printoptions()
    with pytest.raises(ValueError, match=next(iter(bad))):
        mg.set_printoptions(**bad)
    assert mg.get_printoptions() == before

