"""minigrad.data and the spiral dataset: what they hold, what they refuse, a training run.

(Batches, lengths and collated types against torch.utils.data: tests/differential.)
"""

import subprocess
import sys

import numpy as np
import pytest

import minigrad as mg
import minigrad.functional as F
from minigrad import data, datasets
from minigrad.optim import Adam


def test_import_paths():
    code = ("import sys, minigrad as mg; assert 'minigrad.data' not in sys.modules; "
            "from minigrad.data import DataLoader; assert mg.data.DataLoader is DataLoader; "
            "from minigrad.datasets import BatchSampler, Spiral; "
            "assert BatchSampler is mg.data.BatchSampler; print('ok')")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert out.stdout.strip() == "ok", out.stderr


def test_tensor_dataset_rows_and_errors():
    x, t = mg.tensor(np.arange(6.0).reshape(3, 2)), np.array([2, 0, 1])
    ds = data.TensorDataset(x, t)
    assert len(ds) == 3 and ds.tensors == (x, t)
    xi, ti = ds[2]
    np.testing.assert_array_equal(xi.data, [4.0, 5.0])
    assert ti == 1 and isinstance(ti, np.integer)
    assert repr(ds) == "TensorDataset((3, 2), (3,))"
    with pytest.raises(ValueError, match="TensorDataset: size mismatch between tensors: tensor "
                                         "0 has 3 rows, tensor 1 has 2"):
        data.TensorDataset(x, t[:2])
    with pytest.raises(TypeError, match="TensorDataset: tensor 1 must be a Tensor or a NumPy "
                                        "array, got list"):
        data.TensorDataset(x, [1, 2, 3])
    with pytest.raises(ValueError, match="TensorDataset: tensor 0 is 0-d"):
        data.TensorDataset(np.array(1.0))
    with pytest.raises(ValueError, match="TensorDataset: give at least one tensor"):
        data.TensorDataset()


def test_a_dataset_must_define_getitem():
    class Empty(data.Dataset):
        def __len__(self):
            return 2

    with pytest.raises(NotImplementedError, match="Empty must define __getitem__"):
        list(data.DataLoader(Empty()))
    with pytest.raises(TypeError, match=r"DataLoader: dataset \(Dataset\) has no __len__"):
        data.DataLoader(data.Dataset())
    assert len(list(data.DataLoader(data.Dataset(), batch_sampler=[]))) == 0


def test_loader_refuses_bad_arguments():
    ds = data.TensorDataset(np.arange(4))
    for bad in (0, -1, 1.5, True, None):
        with pytest.raises(ValueError, match=rf"DataLoader: batch_size must be a positive int, "
                                             rf"got {bad!r}"):
            data.DataLoader(ds, batch_size=bad)
    with pytest.raises(TypeError, match="DataLoader: dataset must support dataset"):
        data.DataLoader(5)
    with pytest.raises(TypeError, match="DataLoader: collate_fn must be callable, got str"):
        data.DataLoader(ds, collate_fn="stack")
    with pytest.raises(TypeError, match="seed must be None, an int or a numpy.random.Generator"):
        data.DataLoader(ds, shuffle=True, generator="seven")


def test_a_generator_is_used_and_advanced():
    rng = np.random.default_rng(5)
    loader = data.DataLoader(data.TensorDataset(np.arange(20)), batch_size=20, shuffle=True,
                             generator=rng)
    (first,) = next(iter(loader))
    np.testing.assert_array_equal(first.data, np.random.default_rng(5).permutation(20))
    before = rng.bit_generator.state
    next(iter(loader))
    assert rng.bit_generator.state != before


def test_collated_tensors_keep_their_graph():
    w = mg.tensor([1.0, 2.0], requires_grad=True)
    batch = data.default_collate([w * 2, w * 3])
    batch.sum().backward()
    np.testing.assert_array_equal(w.grad.data, [5.0, 5.0])


def test_make_spiral_is_the_examples_generator_and_checks_its_arguments():
    points, labels = datasets.make_spiral(n_per_class=10, n_classes=4, seed=0)
    assert points.shape == (40, 2) and points.dtype == np.float64 and labels.dtype == np.int64
    assert np.bincount(labels).tolist() == [10] * 4
    radius = np.hypot(points[:, 0], points[:, 1])
    np.testing.assert_allclose(radius, np.tile(np.linspace(0, 1, 10), 4), atol=1e-15)
    a, _ = datasets.make_spiral(seed=3)
    b, _ = datasets.make_spiral(seed=3)
    np.testing.assert_array_equal(a, b)
    assert not np.array_equal(a, datasets.make_spiral(seed=4)[0])
    with pytest.raises(ValueError, match="make_spiral: n_classes must be >= 1, got 0"):
        datasets.make_spiral(n_classes=0)
    with pytest.raises(ValueError, match="make_spiral: noise must be >= 0"):
        datasets.make_spiral(noise=-1.0)


def test_spiral_dataset():
    spiral = datasets.Spiral(n_per_class=50, n_classes=3, seed=1)
    assert isinstance(spiral, data.TensorDataset) and len(spiral) == 150
    assert repr(spiral) == "Spiral(150 points, 3 classes)"
    point, label = spiral[60]
    np.testing.assert_array_equal(point, spiral.points[60])
    assert label == 1
    points, labels = datasets.make_spiral(n_per_class=50, n_classes=3, seed=1)
    np.testing.assert_array_equal(spiral.points, points)
    np.testing.assert_array_equal(spiral.labels, labels)


def test_a_small_net_learns_the_spiral_from_a_loader():
    spiral = datasets.Spiral(seed=0)
    loader = data.DataLoader(spiral, batch_size=30, shuffle=True, generator=0)
    rng = np.random.default_rng(0)
    w1 = mg.tensor(rng.standard_normal((2, 32)), requires_grad=True)
    b1 = mg.zeros(32, requires_grad=True)
    w2 = mg.tensor(rng.standard_normal((32, 3)) * 0.1, requires_grad=True)
    b2 = mg.zeros(3, requires_grad=True)
    opt = Adam([w1, b1, w2, b2], lr=0.03)

    def logits(x):
        return mg.tanh(x @ w1 + b1) @ w2 + b2

    for _ in range(150):
        for x, t in loader:
            loss = F.cross_entropy(logits(x), t)
            opt.zero_grad()
            loss.backward()
            opt.step()
    with mg.no_grad():
        acc = F.accuracy(logits(mg.tensor(spiral.points)), spiral.labels)
    assert acc > 0.9  # a linear model gets about a third of the spiral right


def test_a_tensor_datasets_batches_are_those_of_collating_each_sample():
    rng = np.random.default_rng(2)
    w = mg.tensor(rng.standard_normal((9, 2)), requires_grad=True)
    ds = data.TensorDataset(rng.standard_normal((9, 3)).astype(np.float32),
                            np.arange(9, dtype=np.int32), np.arange(9) % 2 == 0,
                            mg.tensor(rng.standard_normal(9)), w)
    fast = data.DataLoader(ds, batch_size=4, shuffle=True, generator=3)
    slow = data.DataLoader(ds, batch_size=4, shuffle=True, generator=3,
                           collate_fn=lambda b: data.default_collate(b))
    for a, b in zip(fast, slow, strict=True):
        assert [(f.shape, f.dtype) for f in a] == [(f.shape, f.dtype) for f in b]
        for f, g in zip(a, b):
            np.testing.assert_array_equal(f.data, g.data)
        (ga,) = mg.grad((a[4] ** 2).sum(), w)
        (gb,) = mg.grad((b[4] ** 2).sum(), w)
        np.testing.assert_array_equal(ga.data, gb.data)


def test_a_tensor_dataset_that_changes_its_samples_is_asked_for_each():
    class Doubled(data.TensorDataset):
        def __getitem__(self, i):
            (x,) = super().__getitem__(i)
            return (2 * x,)

    (batch,) = next(iter(data.DataLoader(Doubled(np.arange(4.0)), batch_size=4)))
    np.testing.assert_array_equal(batch.data, [0.0, 2.0, 4.0, 6.0])
    with pytest.raises(TypeError, match="default_collate: batch must contain tensors"):
        next(iter(data.DataLoader(data.TensorDataset(np.array(["a", "b"])), batch_size=2)))
