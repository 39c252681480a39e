"""Shared surface of the book's convolutional networks: batched accuracy, saved parameters."""

from __future__ import annotations

import os
import zipfile
from typing import Any

import numpy as np

from minigrad.autograd import is_grad_enabled, no_grad
from minigrad.book._form import BookFormNet
from minigrad.book.weights import load_pickle, save_pickle
from minigrad.nn.module import Module, assign_
from minigrad.serialization import CheckpointError, load, save

#: The checkpoint kind written by :meth:`ConvNet.save_params`.
PARAMS_KIND = "book-params"
#: File name suffixes :meth:`ConvNet.save_params` writes as the book's pickle.
PICKLE_SUFFIXES = (".pkl", ".pickle")


def labels_or_one_hot(t: Any, n_classes: int) -> Any:
    """Integer labels of shape (N, 1) (the book's gradient check passes ``[[1]]``) become (N,)."""
    if isinstance(t, np.ndarray) and t.dtype.kind in "iu" and t.ndim == 2 \
            and t.shape[1] == 1 and n_classes != 1:
        return t.reshape(-1)
    return t


class ConvNet(BookFormNet):
    """Base of :class:`SimpleConvNet` and :class:`DeepConvNet` (not used directly)."""

    @property
    def last_layer(self) -> Any:
        """The final :class:`~minigrad.book.layers.SoftmaxWithLoss` (the book's ``last_layer``)."""
        return self.lastLayer

    def accuracy(self, x: Any, t: Any, batch_size: int = 100) -> Any:  # type: ignore[override]
        """Return the accuracy over ``int(N / batch_size)`` batches, divided by N (the book's G6).

        An ``np.float64``, as the book's.

        As in the book, samples after the last full batch are not counted (but
        N still divides), so N should be a multiple of ``batch_size``.
        """
        t = np.asarray(t)
        if t.ndim != 1:
            t = np.argmax(t, axis=1)
        x = np.asarray(x)
        acc: Any = 0.0
        with no_grad():
            for i in range(int(x.shape[0] / batch_size)):
                tx = x[i * batch_size:(i + 1) * batch_size]
                tt = t[i * batch_size:(i + 1) * batch_size]
                y = self.predict(tx, train_flg=False)  # type: ignore[call-arg]
                acc += np.sum(np.argmax(y, axis=1) == tt)
        return np.float64(acc) / x.shape[0]

    def save_params(self, file_name: str | os.PathLike[str] = "params.npz") -> None:
        """Save ``params`` (name -> array), atomically, in the format the name's suffix says.

        ``.pkl`` or ``.pickle``: a pickle of a dict of ndarrays, the book's
        ``params.pkl`` layout, which the book's ``load_params`` reads (and
        :meth:`load_params` reads safely). Any other name: a minigrad
        checkpoint (npz, no pickle; see :func:`minigrad.save`).
        """
        arrays = {k: np.array(p.data) for k, p in self.params.items()}
        if os.fspath(file_name).lower().endswith(PICKLE_SUFFIXES):
            save_pickle(arrays, file_name)
        else:
            save({"kind": PARAMS_KIND, "model": type(self).__name__, "params": arrays},
                 file_name)

    def load_params(self, file_name: str | os.PathLike[str] = "params.npz") -> None:
        """Load parameters into ``params`` in place, from a checkpoint or the book's pickle.

        A minigrad checkpoint written by :meth:`save_params` (npz), or a pickle
        of a dict name -> ndarray (the book's ``params.pkl`` and
        ``deep_convnet_params.pkl``), read by
        :func:`minigrad.book.weights.load_pickle`, which never runs a pickle's
        code. The format is told by the file's content, not its name. The
        layers share the same tensors, so they see the new values (converted
        to the network's dtype). Every name and shape is checked before
        anything is changed.

        Raises
        ------
        CheckpointError
            If the file is neither, names a global outside the pickle
            allow-list, or its names/shapes differ from the network's.
        """
        name = os.fspath(file_name)
        if zipfile.is_zipfile(name):
            obj = load(file_name)
            if not isinstance(obj, dict) or obj.get("kind") != PARAMS_KIND:
                raise CheckpointError(f"{name}: not a parameter file written by save_params")
            arrays = obj["params"]
        else:
            arrays = load_pickle(name)
            if not isinstance(arrays, dict) or not all(
                    isinstance(k, str) and isinstance(v, np.ndarray) for k, v in arrays.items()):
                raise CheckpointError(f"{name}: a parameter pickle holds a dict of name -> "
                                      f"ndarray, got {_describe(arrays)}")
        if set(arrays) != set(self.params):
            raise CheckpointError(
                f"{name}: parameters {sorted(arrays)} do not match the "
                f"network's {sorted(self.params)}")
        for k, p in self.params.items():
            a = np.asarray(arrays[k])
            if a.shape != p.shape:
                raise CheckpointError(f"{name}: {k} has shape {a.shape}, the "
                                      f"network's has {p.shape}")
            if a.dtype.kind not in "fiub":
                raise CheckpointError(f"{name}: {k} has dtype {a.dtype}, not a number type")
        for k, p in self.params.items():
            assign_(p, np.asarray(arrays[k]).astype(p.dtype, copy=False))


def _describe(obj: Any) -> str:
    if isinstance(obj, dict):
        kinds = sorted({f"{type(k).__name__} -> {type(v).__name__}" for k, v in obj.items()})
        return "a dict of " + ", ".join(kinds)
    return f"a {type(obj).__name__}"


class FlatImageModel(Module):
    """A convolutional network seen through flat (N, C*H*W) rows, for ``minigrad train``.

    ``minigrad train`` feeds flattened MNIST rows; this adapter reshapes them
    to ``net.input_dim`` images, and evaluates ``accuracy`` on the first
    ``evaluate`` samples only (the book's ``evaluate_sample_num_per_epoch``);
    :meth:`full_accuracy` uses every sample.

    Parameters
    ----------
    net : SimpleConvNet or DeepConvNet
        The network (its ``params`` are shared, so the optimizer sees W1, b1, ...).
    evaluate : int, optional
        Samples used by :meth:`accuracy` (all if None).
    """

    def __init__(self, net: ConvNet, evaluate: int | None = 1000,
                 dropout_seed: int | None = None) -> None:
        super().__init__()
        self.net = net
        self.evaluate = evaluate
        self.params = net.params
        layers = net.layers.values() if isinstance(net.layers, dict) else net.layers
        self._dropouts = [m for m in layers if hasattr(m, "dropout_ratio")]
        # masks from default_rng((seed, step)), step counted in state_dict: a resumed run
        # draws the same masks as an uninterrupted one
        self.dropout_seed = dropout_seed
        if self._dropouts and dropout_seed is not None:
            self.register_buffer("dropout_step", np.zeros((), dtype=np.int64))
        weights = [p for k, p in net.params.items() if k.startswith("W")]
        self.sizes = (int(np.prod(net.input_dim)), int(weights[-2].shape[1]),  # type: ignore[attr-defined]
                      int(weights[-1].shape[1]))

    def _images(self, x: Any) -> np.ndarray:
        arr = np.asarray(x)
        return arr.reshape((arr.shape[0],) + tuple(self.net.input_dim))  # type: ignore[attr-defined]

    def loss(self, x: Any, t: Any) -> Any:
        """The network's training loss on the reshaped images.

        With ``dropout_seed``, each loss that records a graph (one per training
        step) first seeds the dropout masks with ``(dropout_seed, step)``.
        """
        if self.dropout_seed is not None and self._dropouts and is_grad_enabled():
            step = self.dropout_step  # type: ignore[attr-defined]
            mask_rng = np.random.default_rng((self.dropout_seed, int(step)))
            for layer in self._dropouts:
                layer.__dict__["_rng"] = mask_rng
            step += 1
        return self.net.loss_tensor(self._images(x), t)

    def accuracy(self, x: Any, t: Any) -> float:
        """Accuracy on the first ``evaluate`` samples, in batches of 100 (the book's Trainer)."""
        n = len(x) if self.evaluate is None else min(self.evaluate, len(x))
        return self.net.accuracy(self._images(x[:n]), np.asarray(t)[:n])

    def full_accuracy(self, x: Any, t: Any) -> float:
        """Accuracy on every sample (the book's final test accuracy)."""
        return self.net.accuracy(self._images(x), t)

    def forward(self, x: Any) -> Any:
        """Logits of the reshaped images (inference mode)."""
        return self.net.forward(self._images(x))
