"""minigrad.data against torch.utils.data: the same batches, lengths and collated types."""

import pytest

torch = pytest.importorskip(
    "torch", reason="the differential tests compare against PyTorch: pip install minigrad[torch]"
)

from collections import namedtuple  # noqa: E402

import numpy as np  # noqa: E402
import torch.utils.data as tud  # noqa: E402
from hypothesis import given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad import data  # noqa: E402

Point = namedtuple("Point", "x label")


def same(batch, tbatch, where="batch"):
    """A minigrad batch equals a torch one: container types, keys, shapes, dtypes, values."""
    if isinstance(tbatch, torch.Tensor):
        assert isinstance(batch, mg.Tensor), f"{where}: {type(batch).__name__}, not a Tensor"
        expected = tbatch.numpy()
        assert batch.shape == expected.shape, f"{where}: shape {batch.shape} != {expected.shape}"
        assert batch.dtype == expected.dtype, f"{where}: dtype {batch.dtype} != {expected.dtype}"
        np.testing.assert_array_equal(batch.data, expected, err_msg=where)
    elif isinstance(tbatch, dict):
        assert type(batch) is dict and list(batch) == list(tbatch), where
        for k in tbatch:
            same(batch[k], tbatch[k], f"{where}[{k!r}]")
    elif isinstance(tbatch, (list, tuple)):
        assert type(batch) is type(tbatch) and len(batch) == len(tbatch), \
            f"{where}: {type(batch).__name__} of {len(batch)} != {type(tbatch).__name__}"
        for k, (b, tb) in enumerate(zip(batch, tbatch)):
            same(b, tb, f"{where}[{k}]")
    else:
        assert batch == tbatch, where


def _samples():
    rng = np.random.default_rng(0)
    return [
        [(rng.standard_normal((2, 3)), int(k)) for k in range(4)],  # array and int label
        [(rng.standard_normal(3).astype(np.float32), np.int32(k), k * 0.5, k % 2 == 0)
         for k in range(3)],  # NumPy scalars keep their dtype; Python floats, bools
        [{"x": rng.standard_normal(2), "name": f"s{k}", "pair": (k, [1.0 * k, 2.0])}
         for k in range(3)],  # dicts, strings, nested tuples and lists
        [Point(rng.standard_normal(2), k) for k in range(2)],  # a namedtuple stays one
        [np.float64(k) for k in range(3)],
        [[k, k + 1] for k in range(3)],
    ]


@pytest.mark.parametrize("samples", _samples(), ids=["array-int", "numpy-scalars",
                                                     "dict", "namedtuple", "np.float64",
                                                     "lists"])
def test_default_collate_agrees_with_torch(samples):
    same(data.default_collate(samples), tud.default_collate(samples))


def test_collating_tensors_agrees_with_torch():
    rows = np.arange(12.0).reshape(4, 3)
    batch = data.default_collate([mg.tensor(r) for r in rows])
    tbatch = tud.default_collate([torch.tensor(r) for r in rows])
    same(batch, tbatch)


def test_collate_refuses_what_torch_refuses():
    for bad in ([object(), object()], [np.array(["a"]), np.array(["b"])]):
        with pytest.raises(TypeError, match="default_collate: batch must contain tensors, "
                                            "numpy arrays, numbers, dicts or lists; found"):
            data.default_collate(bad)
        with pytest.raises(TypeError, match="default_collate: batch must contain"):
            tud.default_collate(bad)
    with pytest.raises(ValueError, match="each element in list of batch should be of equal "
                                         r"size, got lengths \[1, 2\]"):
        data.default_collate([[1, 2], [3]])
    with pytest.raises(RuntimeError, match="each element in list of batch should be of equal"):
        tud.default_collate([[1, 2], [3]])
    with pytest.raises(ValueError, match=r"the samples must all have one shape to be stacked, "
                                         r"got shapes \[\(2,\), \(3,\)\]"):
        data.default_collate([np.zeros(2), np.zeros(3)])


@given(n=st.integers(1, 23), batch_size=st.integers(1, 9), drop_last=st.booleans(),
       shuffle=st.booleans())
@settings(max_examples=40, deadline=None)
def test_lengths_and_batch_shapes_agree_with_torch(n, batch_size, drop_last, shuffle):
    x = np.arange(n * 2.0).reshape(n, 2)
    t = np.arange(n)
    loader = data.DataLoader(data.TensorDataset(x, t), batch_size=batch_size, shuffle=shuffle,
                             drop_last=drop_last, generator=1)
    tloader = tud.DataLoader(tud.TensorDataset(torch.from_numpy(x), torch.from_numpy(t)),
                             batch_size=batch_size, shuffle=shuffle, drop_last=drop_last,
                             generator=torch.Generator().manual_seed(1))
    assert len(loader) == len(tloader)
    batches, tbatches = list(loader), list(tloader)
    assert [(b[0].shape, b[1].shape) for b in batches] == \
        [(tuple(b[0].shape), tuple(b[1].shape)) for b in tbatches]
    assert [b[0].dtype for b in batches] == [np.float64] * len(batches)
    seen = np.concatenate([b[1].data for b in batches]) if batches else np.array([], int)
    tseen = np.concatenate([b[1].numpy() for b in tbatches]) if tbatches else np.array([])
    assert len(seen) == len(tseen) == (n // batch_size * batch_size if drop_last else n)
    if not shuffle:
        same(batches, [list(b) for b in tbatches])  # in order: the very same batches
    else:
        assert len(set(seen.tolist())) == len(seen)  # no sample twice in an epoch
        if not drop_last:
            assert sorted(seen.tolist()) == list(range(n))
        for b in batches:  # each sample's fields stay together
            np.testing.assert_array_equal(b[0].data, x[b[1].data])


def test_shuffle_is_repeatable_under_a_seed_and_differs_across_epochs():
    ds = data.TensorDataset(np.arange(50))

    def epochs(loader, k=3):
        return [np.concatenate([b[0].data for b in loader]).tolist() for _ in range(k)]

    first = epochs(data.DataLoader(ds, batch_size=8, shuffle=True, generator=7))
    assert first == epochs(data.DataLoader(ds, batch_size=8, shuffle=True, generator=7))
    assert first == epochs(data.DataLoader(ds, batch_size=8, shuffle=True,
                                           generator=np.random.default_rng(7)))
    assert all(sorted(e) == list(range(50)) for e in first)
    assert first[0] != first[1] != first[2]
    assert first != epochs(data.DataLoader(ds, batch_size=8, shuffle=True, generator=8))
    np.random.seed(3)  # None: NumPy's global state, like torch's global generator
    a = epochs(data.DataLoader(ds, batch_size=8, shuffle=True), 2)
    np.random.seed(3)
    assert a == epochs(data.DataLoader(ds, batch_size=8, shuffle=True), 2)
    # torch behaves alike: its shuffled epochs are permutations, repeatable and changing
    t = epochs(tud.DataLoader(tud.TensorDataset(torch.arange(50)), batch_size=8,
                              shuffle=True, generator=torch.Generator().manual_seed(7)))
    assert all(sorted(e) == list(range(50)) for e in t) and t[0] != t[1]


def test_samplers_and_collate_fn_agree_with_torch():
    ds = [(float(k), k) for k in range(7)]
    order = [6, 0, 5, 1, 4]
    for kwargs in ({"sampler": order, "batch_size": 2},
                   {"sampler": order, "batch_size": 2, "drop_last": True},
                   {"batch_sampler": [[3, 1], [0], [6, 5, 4]]},
                   {"batch_size": 3, "collate_fn": lambda b: [s[1] for s in b]}):
        loader, tloader = data.DataLoader(ds, **kwargs), tud.DataLoader(ds, **kwargs)
        assert len(loader) == len(tloader)
        same(list(loader), list(tloader), str(kwargs))


def test_loader_options_that_exclude_each_other():
    ds = data.TensorDataset(np.arange(4))
    with pytest.raises(ValueError, match="DataLoader: sampler option is mutually exclusive "
                                         "with shuffle"):
        data.DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="sampler option is mutually exclusive with shuffle"):
        tud.DataLoader(ds, sampler=[0, 1], shuffle=True)
    with pytest.raises(ValueError, match="DataLoader: batch_sampler option is mutually "
                                         "exclusive with batch_size, shuffle, sampler, and "
                                         "drop_last"):
        data.DataLoader(ds, batch_sampler=[[0]], batch_size=2)
    with pytest.raises(ValueError, match="batch_sampler option is mutually exclusive"):
        tud.DataLoader(ds, batch_sampler=[[0]], batch_size=2)
