"""Shared surface of the book's convolutional networks: batched accuracy, npz parameters."""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.book._net import BookNet
from minigrad.nn.module import assign_
from minigrad.serialization import CheckpointError, load, save

#: The checkpoint kind written by :meth:`ConvNet.save_params`.
PARAMS_KIND = "book-params"


def labels_or_one_hot(t: Any, n_classes: int) -> Any:
    """Integer labels of shape (N, 1) (the book's gradient check passes ``[[1]]``) become (N,)."""
    if isinstance(t, np.ndarray) and t.dtype.kind in "iu" and t.ndim == 2 \
            and t.shape[1] == 1 and n_classes != 1:
        return t.reshape(-1)
    return t


class ConvNet(BookNet):
    """Base of :class:`SimpleConvNet` and :class:`DeepConvNet` (not used directly)."""

    @property
    def last_layer(self) -> Any:
        """The final :class:`~minigrad.book.layers.SoftmaxWithLoss` (the book's ``last_layer``)."""
        return self.lastLayer

    def accuracy(self, x: Any, t: Any, batch_size: int = 100) -> float:
        """Return the accuracy over ``int(N / batch_size)`` batches, divided by N (the book's G6).

        As in the book, samples after the last full batch are not counted (but
        N still divides), so N should be a multiple of ``batch_size``.
        """
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        x = np.asarray(x)
        acc = 0.0
        with no_grad():
            for i in range(int(x.shape[0] / batch_size)):
                tx = x[i * batch_size:(i + 1) * batch_size]
                tt = t[i * batch_size:(i + 1) * batch_size]
                y = self.predict(tx, train_flg=False).data  # type: ignore[call-arg]
                acc += float(np.sum(np.argmax(y, axis=1) == tt))
        return acc / x.shape[0]

    def save_params(self, file_name: str | os.PathLike[str] = "params.npz") -> None:
        """Save ``params`` (name -> array) to a minigrad checkpoint (npz, no pickle), atomically."""
        save({"kind": PARAMS_KIND, "model": type(self).__name__,
              "params": {k: p.data for k, p in self.params.items()}}, file_name)

    def load_params(self, file_name: str | os.PathLike[str] = "params.npz") -> None:
        """Load parameters saved by :meth:`save_params` into ``params`` in place.

        The layers share the same tensors, so they see the new values. Every
        name and shape is checked before anything is changed.

        Raises
        ------
        CheckpointError
            If the file is not such a checkpoint or its names/shapes differ.
        """
        obj = load(file_name)
        if not isinstance(obj, dict) or obj.get("kind") != PARAMS_KIND:
            raise CheckpointError(f"{os.fspath(file_name)}: not a parameter file written by "
                                  "save_params")
        arrays = obj["params"]
        if set(arrays) != set(self.params):
            raise CheckpointError(
                f"{os.fspath(file_name)}: parameters {sorted(arrays)} do not match the "
                f"network's {sorted(self.params)}")
        for k, p in self.params.items():
            a = np.asarray(arrays[k])
            if a.shape != p.shape:
                raise CheckpointError(f"{os.fspath(file_name)}: {k} has shape {a.shape}, the "
                                      f"network's has {p.shape}")
        for k, p in self.params.items():
            assign_(p, np.asarray(arrays[k]).astype(p.dtype, copy=False))
