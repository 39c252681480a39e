import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from minigrad.datasets import BatchSampler, iterate_minibatches, random_batch


def test_random_batch_matches_book_global_state():
    np.random.seed(42)
    expected = np.random.choice(60000, 100)
    np.random.seed(42)
    np.testing.assert_array_equal(random_batch(60000, 100), expected)
    np.testing.assert_array_equal(
        random_batch(60000, 100, np.random.RandomState(3)),
        np.random.RandomState(3).choice(60000, 100),
    )


def test_random_batch_seeded_and_with_replacement():
    a = random_batch(10, 1000, 123)
    b = random_batch(10, 1000, 123)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (1000,) and np.issubdtype(a.dtype, np.integer)
    assert a.min() >= 0 and a.max() < 10
    assert len(np.unique(a)) < len(a)  # duplicates: with replacement
    assert set(np.unique(a).tolist()) == set(range(10))
    assert not np.array_equal(random_batch(60000, 50, 1), random_batch(60000, 50, 2))


def test_random_batch_generator_stream_is_reproducible():
    g1, g2 = np.random.default_rng(5), np.random.default_rng(5)
    s1 = [random_batch(100, 8, g1) for _ in range(3)]
    s2 = [random_batch(100, 8, g2) for _ in range(3)]
    for a, b in zip(s1, s2, strict=True):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(s1[0], s1[1])


def test_random_batch_larger_than_n():
    assert random_batch(3, 10, 0).shape == (10,)


@pytest.mark.parametrize(("n", "bs"), [(0, 1), (-1, 1), (10, 0), (10, -5)])
def test_random_batch_rejects_non_positive(n, bs):
    with pytest.raises(ValueError):
        random_batch(n, bs)


@pytest.mark.parametrize("bad", [1.5, "3", True])
def test_random_batch_rejects_non_integers(bad):
    with pytest.raises(TypeError):
        random_batch(10, bad)


def test_bad_seed_type():
    with pytest.raises(TypeError, match="seed"):
        random_batch(10, 2, "seed")
    with pytest.raises(TypeError, match="seed"):
        BatchSampler(10, 2, seed=1.0)


def test_sampler_in_order():
    assert [b.tolist() for b in BatchSampler(7, 3, shuffle=False)] == [[0, 1, 2], [3, 4, 5], [6]]
    s = BatchSampler(7, 3, shuffle=False, drop_last=True)
    assert [b.tolist() for b in s] == [[0, 1, 2], [3, 4, 5]]
    assert len(s) == 2 and len(BatchSampler(7, 3)) == 3
    assert list(BatchSampler(0, 3)) == [] and len(BatchSampler(0, 3)) == 0
    assert "batch_size=3" in repr(s)


def test_sampler_epochs_differ_but_are_reproducible():
    a, b = BatchSampler(20, 4, seed=9), BatchSampler(20, 4, seed=9)
    ea1, ea2 = np.concatenate(list(a)), np.concatenate(list(a))
    eb1, eb2 = np.concatenate(list(b)), np.concatenate(list(b))
    np.testing.assert_array_equal(ea1, eb1)
    np.testing.assert_array_equal(ea2, eb2)
    assert not np.array_equal(ea1, ea2)


@settings(max_examples=100, deadline=None)
@given(
    n=st.integers(0, 60),
    bs=st.integers(1, 70),
    shuffle=st.booleans(),
    drop_last=st.booleans(),
    seed=st.integers(0, 2**32),
)
def test_epoch_covers_each_index_exactly_once(n, bs, shuffle, drop_last, seed):
    sampler = BatchSampler(n, bs, shuffle=shuffle, seed=seed, drop_last=drop_last)
    for _ in range(2):
        batches = list(sampler)
        assert len(batches) == len(sampler)
        sizes = [len(b) for b in batches]
        if drop_last:
            assert all(s == bs for s in sizes) and sum(sizes) == n - n % bs
        else:
            assert all(s == bs for s in sizes[:-1]) and sum(sizes) == n
        seen = np.concatenate(batches) if batches else np.array([], dtype=int)
        assert len(np.unique(seen)) == len(seen)
        if not drop_last:
            assert sorted(seen.tolist()) == list(range(n))


def test_iterate_minibatches_pairs_and_coverage():
    x = np.arange(23 * 2).reshape(23, 2)
    t = np.arange(23) * 10
    batches = list(iterate_minibatches(x, t, 5, seed=0))
    assert [len(tb) for _, tb in batches] == [5, 5, 5, 5, 3]
    for xb, tb in batches:
        np.testing.assert_array_equal(xb[:, 0] * 5, tb)  # rows stay paired
    seen = np.concatenate([tb for _, tb in batches]) // 10
    assert sorted(seen.tolist()) == list(range(23))
    assert seen.tolist() != list(range(23))  # shuffled


def test_iterate_minibatches_deterministic_and_unshuffled():
    x, t = np.random.default_rng(0).random((30, 3)), np.arange(30)
    a = [tb.tolist() for _, tb in iterate_minibatches(x, t, 7, seed=11)]
    b = [tb.tolist() for _, tb in iterate_minibatches(x, t, 7, seed=np.random.default_rng(11))]
    assert a == b
    plain = [tb.tolist() for _, tb in iterate_minibatches(x, t, 10, shuffle=False)]
    assert plain == [list(range(0, 10)), list(range(10, 20)), list(range(20, 30))]
    dropped = list(iterate_minibatches(x, t, 8, drop_last=True, seed=1))
    assert len(dropped) == 3 and all(len(xb) == 8 for xb, _ in dropped)


def test_iterate_minibatches_validates_eagerly():
    x = np.zeros((5, 2))
    with pytest.raises(ValueError, match="same length"):
        iterate_minibatches(x, np.zeros(4), 2)
    with pytest.raises(ValueError, match="batch_size"):
        iterate_minibatches(x, np.zeros(5), 0)
    with pytest.raises(ValueError, match="batch_size"):
        iterate_minibatches(x, np.zeros(5), -1)
    with pytest.raises(ValueError, match="dimension"):
        iterate_minibatches(np.float64(1.0), np.zeros(1), 1)
