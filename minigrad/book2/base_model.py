"""The book's ``common/base_model.py``: ``BaseModel`` with ``save_params``/``load_params``."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

__all__ = ["BaseModel", "np"]


class BaseModel:
    """A model with ``params``/``grads`` lists, saved as float16 like the book's files.

    Subclasses set ``params`` and ``grads`` and define ``forward`` and ``backward``.
    """

    params: list[np.ndarray]
    grads: list[np.ndarray]

    def __init__(self) -> None:
        self.params, self.grads = [], []

    def forward(self, *args: Any) -> Any:
        """Implemented by subclasses."""
        raise NotImplementedError

    def backward(self, *args: Any) -> Any:
        """Implemented by subclasses."""
        raise NotImplementedError

    def save_params(self, file_name: str | None = None) -> None:
        """Pickle the list ``params`` cast to float16 (default name ``<ClassName>.pkl``).

        Written atomically by :func:`minigrad.book.weights.save_pickle`.
        """
        if file_name is None:
            file_name = type(self).__name__ + ".pkl"
        from minigrad.book.weights import save_pickle

        save_pickle([np.asarray(p).astype(np.float16) for p in self.params], file_name)

    def load_params(self, file_name: str | None = None) -> None:
        """Copy a saved list of arrays into ``params`` in place (cast to float32).

        The file is read with the safe weight-file reader of
        :mod:`minigrad.book.weights` (arrays and containers only, no code runs).
        """
        if file_name is None:
            file_name = type(self).__name__ + ".pkl"
        if "/" in file_name:
            file_name = file_name.replace("/", os.sep)
        if not os.path.exists(file_name):
            raise OSError("No file: " + file_name)
        from minigrad.book.weights import load_pickle

        saved = load_pickle(file_name)
        if not isinstance(saved, (list, tuple)) or len(saved) != len(self.params):
            raise ValueError(f"{file_name}: expected a list of {len(self.params)} arrays")
        for i, (param, value) in enumerate(zip(self.params, saved)):
            value = np.asarray(value).astype("f")
            if value.shape != param.shape:
                raise ValueError(f"{file_name}: array {i} has shape {value.shape}, the model's "
                                 f"parameter has {param.shape}")
            param[...] = value
