"""The :class:`Embedding` layer, as ``torch.nn.Embedding``: a table of vectors looked up by index.

Its ``weight`` has PyTorch's name and layout ``(num_embeddings, embedding_dim)``
and starts as ``normal(0, 1)`` draws (row ``padding_idx``, if given, zeros), so
state dicts move between the two libraries. The lookup is
:func:`minigrad.functional.embedding`, whose backward adds up the gradients
of repeated indices.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from minigrad._rng import SeedLike, make_rng, standard_normal
from minigrad._validate import positive_int
from minigrad.nn.module import Module, Parameter
from minigrad.ops.indexing import embedding
from minigrad.tensor import Tensor

__all__ = ["Embedding"]


def _padding_idx(padding_idx: Any, num_embeddings: int) -> int | None:
    if padding_idx is None:
        return None
    if isinstance(padding_idx, bool) or not isinstance(padding_idx, (int, np.integer)) \
            or not -num_embeddings <= padding_idx < num_embeddings:
        raise ValueError(f"Embedding: padding_idx must be an int in [{-num_embeddings}, "
                         f"{num_embeddings}), got {padding_idx!r}")
    return int(padding_idx) % num_embeddings


class Embedding(Module):
    """A lookup table: row ``i`` of ``weight`` is the vector of index ``i``.

    Parameters
    ----------
    num_embeddings : int
        The number of rows (the vocabulary size).
    embedding_dim : int
        The length of each vector.
    padding_idx : int, optional
        A row that starts at zero and gets no gradient (negative counts from
        the end), for the padding token of variable-length sequences.
    max_norm : None
        Not supported (renormalising rows during the lookup); must be None.
    rng : None, int or numpy.random.Generator
        Source of the initial ``normal(0, 1)`` weights (see
        :func:`minigrad.nn.make_rng`).
    dtype : numpy dtype
        Parameter dtype (float64 by default).

    Attributes
    ----------
    weight : Parameter
        The table, shape ``(num_embeddings, embedding_dim)``.

    Raises
    ------
    ValueError
        If a size is not a positive int or ``padding_idx`` is out of range.
    NotImplementedError
        If ``max_norm`` is given.

    Examples
    --------
    >>> import numpy as np, minigrad.nn as nn
    >>> emb = nn.Embedding(10, 3, padding_idx=0, rng=0)
    >>> emb(np.array([[1, 2, 0], [4, 0, 0]])).shape
    (2, 3, 3)
    >>> emb.weight.data[0]
    array([0., 0., 0.])
    """

    def __init__(self, num_embeddings: int, embedding_dim: int, padding_idx: int | None = None,
                 max_norm: float | None = None, *, rng: SeedLike = None,
                 dtype: Any = np.float64) -> None:
        super().__init__()
        self.num_embeddings = positive_int(num_embeddings, "Embedding: num_embeddings")
        self.embedding_dim = positive_int(embedding_dim, "Embedding: embedding_dim")
        if max_norm is not None:
            raise NotImplementedError("Embedding: max_norm is not supported")
        self.padding_idx = _padding_idx(padding_idx, self.num_embeddings)
        w = standard_normal(make_rng(rng), (self.num_embeddings, self.embedding_dim))
        w = np.asarray(w).astype(dtype, copy=False)
        if self.padding_idx is not None:
            w[self.padding_idx] = 0
        self.weight = Parameter(w)

    @classmethod
    def from_pretrained(cls, embeddings: Any, freeze: bool = True,
                        padding_idx: int | None = None) -> Embedding:
        """Make an embedding whose table is a copy of ``embeddings`` (2-D).

        ``freeze=True`` (PyTorch's default) sets ``weight.requires_grad`` to
        False, so the table is not trained.

        Raises
        ------
        ValueError
            If ``embeddings`` is not 2-D.
        """
        arr = np.array(embeddings.data if isinstance(embeddings, Tensor) else embeddings)
        if arr.ndim != 2:
            raise ValueError(f"Embedding.from_pretrained: embeddings must be 2-D, got shape "
                             f"{arr.shape}")
        if arr.dtype.kind != "f":
            arr = arr.astype(np.float64)
        emb = cls(arr.shape[0], arr.shape[1], padding_idx, rng=0, dtype=arr.dtype)
        emb.weight.data[...] = arr
        emb.weight.requires_grad = not freeze
        return emb

    def forward(self, input: Any) -> Tensor:  # noqa: A002
        """Return the rows of ``weight`` at ``input``, of shape ``input.shape + (dim,)``."""
        return embedding(input, self.weight, self.padding_idx)

    def extra_repr(self) -> str:
        """Return the sizes for ``repr``."""
        pad = "" if self.padding_idx is None else f", padding_idx={self.padding_idx}"
        return f"{self.num_embeddings}, {self.embedding_dim}{pad}"
