"""Loading data in mini-batches, as ``torch.utils.data`` does it.

* :class:`Dataset`: anything with ``__getitem__`` (and ``__len__``) returning one sample;
* :class:`TensorDataset`: samples are the rows of a few tensors (or arrays) of one length;
* :class:`DataLoader`: batches of a dataset, shuffled or in order, put together by a
  collate function (:func:`default_collate` stacks them as PyTorch's does);
* :class:`BatchSampler`: the index batches of an epoch (the DataLoader's sampler).

This is minigrad's ``torch.utils.data``: ``minigrad.data.DataLoader`` is
``torch.utils.data.DataLoader``, without worker processes. Shuffling draws from a NumPy
random source given as ``generator=``: a ``numpy.random.Generator``, an int (a seed for
a new one), or None for NumPy's global state (so ``np.random.seed(s)`` repeats a run).
A loader's epochs differ from each other, and a new loader with the same seed repeats
them. The datasets themselves (MNIST, the spiral) are in :mod:`minigrad.datasets`.

Examples
--------
>>> import numpy as np
>>> from minigrad.data import DataLoader, TensorDataset
>>> ds = TensorDataset(np.arange(10.0).reshape(5, 2), np.arange(5))
>>> loader = DataLoader(ds, batch_size=2)
>>> len(loader)
3
>>> x, t = next(iter(loader))
>>> x
Tensor([[0., 1.],
        [2., 3.]])
>>> t
Tensor([0, 1], dtype=int64)
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any

import numpy as np

from minigrad._rng import SeedLike, make_rng
from minigrad._validate import integer
from minigrad.ops.shape import stack
from minigrad.tensor import Tensor

__all__ = ["Dataset", "TensorDataset", "DataLoader", "BatchSampler", "default_collate"]


class Dataset:
    """A map-style dataset: ``dataset[i]`` is sample ``i`` (``torch.utils.data.Dataset``).

    Subclasses define ``__getitem__`` and, for a :class:`DataLoader` to know how many
    batches there are, ``__len__``. Any object with these two works as a dataset;
    subclassing only documents the intent.

    Examples
    --------
    >>> class Squares(Dataset):
    ...     def __len__(self):
    ...         return 4
    ...     def __getitem__(self, i):
    ...         return float(i), float(i * i)
    >>> [b for b in DataLoader(Squares(), batch_size=4)]
    [[Tensor([0., 1., 2., 3.]), Tensor([0., 1., 4., 9.])]]
    """

    def __getitem__(self, index: int) -> Any:
        raise NotImplementedError(f"{type(self).__name__} must define __getitem__")


class TensorDataset(Dataset):
    """Samples that are the rows of tensors of one length (``torch.utils.data.TensorDataset``).

    ``dataset[i]`` is ``(tensors[0][i], tensors[1][i], ...)``.

    Parameters
    ----------
    *tensors : Tensor or numpy.ndarray
        At least one, each with at least one dimension, all of the same length
        along the first. Arrays stay arrays (a sample's rows are arrays), and
        :func:`default_collate` turns a batch of them into a Tensor.

    Attributes
    ----------
    tensors : tuple
        The tensors, as given.

    Raises
    ------
    TypeError
        If an argument is not a Tensor or an array.
    ValueError
        If none is given, one is 0-d, or their lengths differ.

    Examples
    --------
    >>> import minigrad as mg
    >>> ds = TensorDataset(mg.tensor([[1.0, 2.0], [3.0, 4.0]]), mg.tensor([0, 1]))
    >>> len(ds), ds[1]
    (2, (Tensor([3., 4.]), Tensor(1.)))
    """

    def __init__(self, *tensors: Tensor | np.ndarray) -> None:
        if not tensors:
            raise ValueError("TensorDataset: give at least one tensor")
        for k, t in enumerate(tensors):
            if not isinstance(t, (Tensor, np.ndarray)):
                raise TypeError(f"TensorDataset: tensor {k} must be a Tensor or a NumPy array, "
                                f"got {type(t).__name__}")
            if t.ndim == 0:
                raise ValueError(f"TensorDataset: tensor {k} is 0-d; samples are the rows "
                                 "along the first dimension")
            if len(t) != len(tensors[0]):
                raise ValueError(f"TensorDataset: size mismatch between tensors: tensor 0 has "
                                 f"{len(tensors[0])} rows, tensor {k} has {len(t)}")
        self.tensors = tensors

    def __getitem__(self, index: int) -> tuple[Any, ...]:
        return tuple(t[index] for t in self.tensors)

    def _collated(self, indices: np.ndarray) -> list[Tensor] | None:
        """``default_collate`` of the samples at ``indices``, in one indexing per tensor.

        None where the rows must go one by one (``__getitem__`` overridden, or an array
        that ``default_collate`` refuses).
        """
        if type(self).__getitem__ is not TensorDataset.__getitem__:
            return None
        if any(isinstance(t, np.ndarray) and t.dtype.kind not in "biuf" for t in self.tensors):
            return None
        return [t[indices] if isinstance(t, Tensor) and t.requires_grad
                else Tensor((t.data if isinstance(t, Tensor) else t)[indices])
                for t in self.tensors]

    def __len__(self) -> int:
        return len(self.tensors[0])

    def __repr__(self) -> str:
        shapes = ", ".join(str(tuple(t.shape)) for t in self.tensors)
        return f"TensorDataset({shapes})"


class BatchSampler:
    """Iterate over index batches, one epoch per iteration.

    Each ``iter(sampler)`` yields index arrays covering ``range(n)`` exactly
    once (or all but the last ``n % batch_size`` indices when ``drop_last``).
    With ``shuffle``, each epoch uses a new permutation drawn from the same
    random source, so a seeded sampler gives a reproducible sequence of epochs.
    (It is also ``minigrad.datasets.BatchSampler``.)

    Parameters
    ----------
    n : int
        Number of examples (non-negative).
    batch_size : int
        Size of each batch (positive). The last batch may be smaller unless
        ``drop_last`` is set.
    shuffle : bool, default True
        Shuffle the indices at the start of each epoch; otherwise go in order.
    seed : None, int, numpy.random.Generator or numpy.random.RandomState, optional
        Source of randomness: None is NumPy's global state, an int seeds a new
        ``numpy.random.default_rng``, a Generator is used (and advanced) as is.
    drop_last : bool, default False
        Drop the final incomplete batch.

    Raises
    ------
    ValueError
        If ``batch_size`` is not positive or ``n`` is negative.

    Examples
    --------
    >>> sampler = BatchSampler(5, 2, shuffle=False)
    >>> [b.tolist() for b in sampler]
    [[0, 1], [2, 3], [4]]
    >>> len(sampler)
    3
    """

    def __init__(
        self,
        n: int,
        batch_size: int,
        shuffle: bool = True,
        seed: SeedLike = None,
        drop_last: bool = False,
    ) -> None:
        self.n = integer(n, "n", 0)
        self.batch_size = integer(batch_size, "batch_size", 1)
        self.shuffle = bool(shuffle)
        self.drop_last = bool(drop_last)
        self._rng = make_rng(seed)

    def __len__(self) -> int:
        if self.drop_last:
            return self.n // self.batch_size
        return -(-self.n // self.batch_size)

    def __iter__(self) -> Iterator[np.ndarray]:
        order = self._rng.permutation(self.n) if self.shuffle else np.arange(self.n)
        stop = len(self) * self.batch_size
        for start in range(0, min(stop, self.n), self.batch_size):
            yield order[start : start + self.batch_size]

    def __repr__(self) -> str:
        return (
            f"BatchSampler(n={self.n}, batch_size={self.batch_size}, shuffle={self.shuffle}, "
            f"drop_last={self.drop_last})"
        )


_COLLATE_TYPES = "tensors, numpy arrays, numbers, dicts or lists"


def default_collate(batch: Sequence[Any]) -> Any:
    """Put a list of samples together into a batch, as ``torch.utils.data.default_collate``.

    By the type of the first sample:

    * Tensors are stacked along a new first axis (a Tensor; the graph is kept);
    * NumPy arrays and NumPy scalars are stacked into a Tensor of their dtype;
    * Python floats become a float64 Tensor, ints an int64 one, bools a bool one;
    * strings and bytes are left as a list;
    * a dict gives a dict of the collated values of each key;
    * a tuple or list gives a *list* of the collated fields (a namedtuple gives a
      namedtuple), as in PyTorch.

    Parameters
    ----------
    batch : sequence
        The samples (at least one), all of the same structure.

    Returns
    -------
    Tensor, list or dict
        The batch.

    Raises
    ------
    TypeError
        For a sample type not listed above (or an array of strings or objects).
    ValueError
        If the samples are not all of one shape, or the sequences of one length.

    Examples
    --------
    >>> import numpy as np
    >>> default_collate([(np.array([1.0, 2.0]), 0), (np.array([3.0, 4.0]), 1)])
    [Tensor([[1., 2.],
            [3., 4.]]), Tensor([0, 1], dtype=int64)]
    >>> default_collate([{"x": 1.0, "name": "a"}, {"x": 2.0, "name": "b"}])
    {'x': Tensor([1., 2.]), 'name': ['a', 'b']}
    """
    if not len(batch):
        raise ValueError("default_collate: the batch is empty")
    elem = batch[0]
    if isinstance(elem, Tensor):
        _same_shapes([b.shape for b in batch if isinstance(b, Tensor)], len(batch))
        return stack(list(batch))
    if isinstance(elem, (np.ndarray, np.generic)):
        if np.asarray(elem).dtype.kind in "USOV":
            raise TypeError(f"default_collate: batch must contain {_COLLATE_TYPES}; found an "
                            f"array of dtype {np.asarray(elem).dtype}")
        _same_shapes([np.shape(b) for b in batch], len(batch))
        return Tensor(np.stack([np.asarray(b) for b in batch]))
    if isinstance(elem, bool):
        return Tensor(np.array(batch, dtype=np.bool_))
    if isinstance(elem, int):
        return Tensor(np.array(batch, dtype=np.int64))
    if isinstance(elem, float):
        return Tensor(np.array(batch, dtype=np.float64))
    if isinstance(elem, (str, bytes)):
        return list(batch)
    if isinstance(elem, Mapping):
        return {key: default_collate([d[key] for d in batch]) for key in elem}
    if isinstance(elem, Sequence):
        if any(len(b) != len(elem) for b in batch):
            raise ValueError("default_collate: each element in list of batch should be of "
                             f"equal size, got lengths {sorted({len(b) for b in batch})}")
        fields = [default_collate(list(samples)) for samples in zip(*batch)]
        if isinstance(elem, tuple) and hasattr(elem, "_fields"):  # a namedtuple
            return type(elem)(*fields)
        return fields
    raise TypeError(f"default_collate: batch must contain {_COLLATE_TYPES}; found "
                    f"{type(elem).__name__}")


def _same_shapes(shapes: list[tuple[int, ...]], n: int) -> None:
    if len(shapes) != n or len(set(shapes)) > 1:
        raise ValueError(f"default_collate: the samples must all have one shape to be stacked, "
                         f"got shapes {sorted(set(shapes))}")


def _batches_of(sampler: Iterable[Any], batch_size: int, drop_last: bool) -> Iterator[list[int]]:
    """Group a sampler's indices into batches."""
    batch: list[int] = []
    for i in sampler:
        batch.append(i)
        if len(batch) == batch_size:
            yield batch
            batch = []
    if batch and not drop_last:
        yield batch


class _GroupedSampler:
    """The batches of a user's sampler (an iterable of indices)."""

    def __init__(self, sampler: Iterable[Any], batch_size: int, drop_last: bool) -> None:
        self.sampler, self.batch_size, self.drop_last = sampler, batch_size, drop_last

    def __iter__(self) -> Iterator[list[int]]:
        return _batches_of(self.sampler, self.batch_size, self.drop_last)

    def __len__(self) -> int:
        n = len(self.sampler)  # type: ignore[arg-type]
        return n // self.batch_size if self.drop_last else -(-n // self.batch_size)


class DataLoader:
    """Iterate over a dataset in mini-batches (``torch.utils.data.DataLoader``).

    Each ``iter(loader)`` is one epoch: the indices go in order, or shuffled afresh
    from ``generator``, are cut into batches, and each batch's samples are put
    together by ``collate_fn``. Data is loaded in the calling process (PyTorch's
    ``num_workers=0``).

    Parameters
    ----------
    dataset : Dataset
        Anything with ``__getitem__`` and ``__len__`` (a map-style dataset).
    batch_size : int, default 1
        Samples per batch.
    shuffle : bool, default False
        Visit the samples in a new random order each epoch.
    sampler : iterable of int, optional
        The indices to visit, in order (instead of ``shuffle``); needs ``__len__`` for
        ``len(loader)``.
    batch_sampler : iterable of sequences of int, optional
        The batches of indices themselves (instead of ``batch_size``, ``shuffle``,
        ``sampler`` and ``drop_last``).
    collate_fn : callable, optional
        Makes a batch from a list of samples; :func:`default_collate` by default.
    drop_last : bool, default False
        Leave out the last batch when it is smaller than ``batch_size``.
    generator : numpy.random.Generator, int or None, optional
        The random source of ``shuffle``: a Generator (used and advanced), an int (the
        seed of a new Generator) or None (NumPy's global state). PyTorch's argument of
        the same name takes a ``torch.Generator``.

    Raises
    ------
    ValueError
        If ``batch_size`` is not a positive int, or options that exclude each other are
        combined (``sampler`` with ``shuffle``; ``batch_sampler`` with the others).
    TypeError
        If ``dataset`` cannot be indexed, or ``collate_fn`` is not callable.

    Examples
    --------
    >>> import numpy as np
    >>> ds = TensorDataset(np.arange(5))
    >>> loader = DataLoader(ds, batch_size=2, shuffle=True, generator=0)
    >>> [b[0].data.tolist() for b in loader]  # one epoch
    [[2, 4], [3, 0], [1]]
    >>> [b[0].data.tolist() for b in loader]  # the next: another order
    [[4, 1], [2, 0], [3]]
    >>> len(DataLoader(ds, batch_size=2, drop_last=True))
    2
    """

    def __init__(self, dataset: Any, batch_size: int | None = 1, shuffle: bool = False,
                 sampler: Iterable[Any] | None = None,
                 batch_sampler: Iterable[Sequence[Any]] | None = None,
                 collate_fn: Callable[[list[Any]], Any] | None = None,
                 drop_last: bool = False, generator: SeedLike = None) -> None:
        if not hasattr(dataset, "__getitem__"):
            raise TypeError(f"DataLoader: dataset must support dataset[i] (a map-style "
                            f"dataset), got {type(dataset).__name__}")
        if collate_fn is not None and not callable(collate_fn):
            raise TypeError(f"DataLoader: collate_fn must be callable, got "
                            f"{type(collate_fn).__name__}")
        if batch_sampler is not None:
            if batch_size != 1 or shuffle or sampler is not None or drop_last:
                raise ValueError("DataLoader: batch_sampler option is mutually exclusive with "
                                 "batch_size, shuffle, sampler, and drop_last")
            batch_size = None
        elif batch_size is None or isinstance(batch_size, bool) or \
                not isinstance(batch_size, (int, np.integer)) or batch_size < 1:
            raise ValueError(f"DataLoader: batch_size must be a positive int, got "
                             f"{batch_size!r} (batches of one sample: batch_size=1)")
        if sampler is not None and shuffle:
            raise ValueError("DataLoader: sampler option is mutually exclusive with shuffle")
        self.dataset = dataset
        self.batch_size = None if batch_size is None else int(batch_size)
        self.drop_last = bool(drop_last)
        self.collate_fn: Callable[[list[Any]], Any] = collate_fn or default_collate
        self.generator = generator
        if batch_sampler is not None:
            self.batch_sampler: Iterable[Any] = batch_sampler
        elif sampler is not None:
            assert self.batch_size is not None
            self.batch_sampler = _GroupedSampler(sampler, self.batch_size, self.drop_last)
        else:
            assert self.batch_size is not None
            if not hasattr(dataset, "__len__"):
                raise TypeError(f"DataLoader: dataset ({type(dataset).__name__}) has no "
                                "__len__, so its indices are unknown; define __len__ or give "
                                "sampler= or batch_sampler=")
            self.batch_sampler = BatchSampler(len(dataset), self.batch_size,
                                              shuffle=bool(shuffle), seed=generator,
                                              drop_last=self.drop_last)

    def __iter__(self) -> Iterator[Any]:
        whole = self.collate_fn is default_collate and isinstance(self.dataset, TensorDataset)
        for indices in self.batch_sampler:
            if whole:  # the same batch as below, without a Tensor per sample
                batch = self.dataset._collated(np.asarray(indices, dtype=np.intp))
                if batch is not None:
                    yield batch
                    continue
            yield self.collate_fn([self.dataset[int(i)] for i in indices])

    def __len__(self) -> int:
        """The number of batches of an epoch."""
        return len(self.batch_sampler)  # type: ignore[arg-type]

    def __repr__(self) -> str:
        return (f"DataLoader({type(self.dataset).__name__} of {len(self.dataset)}, "
                f"batch_size={self.batch_size}, {len(self)} batches)")
