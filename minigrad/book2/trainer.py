"""The book's ``common/trainer.py`` (second book): the two trainers.

Both trainers call the model's ``forward`` and ``backward``, merge shared
parameters with :func:`remove_duplicate`, optionally clip with
:func:`~minigrad.book2.util.clip_grads` and update with the optimizer, and
print their progress lines as the book does.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.book2.util import clip_grads

__all__ = ["Trainer", "RnnlmTrainer", "remove_duplicate", "np"]


class Trainer:
    """Mini-batch training with a fresh shuffle every epoch (the remainder is dropped).

    Parameters
    ----------
    model : object
        With ``params``, ``grads``, ``forward(x, t)`` and ``backward()``.
    optimizer : object
        With ``update(params, grads)``.

    Attributes
    ----------
    loss_list : list of float
        The mean loss since the previous record, one entry every ``eval_interval``
        iterations (counted from 0 within each epoch).
    current_epoch : int
        Epochs trained so far, across :meth:`fit` calls.
    """

    def __init__(self, model: Any, optimizer: Any) -> None:
        self.model = model
        self.optimizer = optimizer
        self.loss_list: list[float] = []
        self.eval_interval: int | None = None
        self.current_epoch = 0

    def fit(self, x: Any, t: Any, max_epoch: int = 10, batch_size: int = 32,
            max_grad: float | None = None, eval_interval: int | None = 20) -> None:
        """Train for ``max_epoch`` epochs of ``len(x) // batch_size`` iterations."""
        x, t = np.asarray(x), np.asarray(t)
        if len(x) != len(t):
            raise ValueError(f"Trainer.fit: {len(x)} inputs but {len(t)} targets")
        data_size = len(x)
        max_iters = data_size // batch_size
        if max_iters < 1:
            raise ValueError(f"Trainer.fit: {data_size} samples make no batch of {batch_size}")
        self.eval_interval = eval_interval
        model, optimizer = self.model, self.optimizer
        total_loss: Any = 0  # the losses' own type: float32 losses sum in float32, as in the book
        loss_count = 0
        start_time = time.time()
        for _ in range(max_epoch):
            idx = np.random.permutation(np.arange(data_size))
            x, t = x[idx], t[idx]
            for iters in range(max_iters):
                batch_x = x[iters * batch_size:(iters + 1) * batch_size]
                batch_t = t[iters * batch_size:(iters + 1) * batch_size]
                loss = model.forward(batch_x, batch_t)
                model.backward()
                params, grads = remove_duplicate(model.params, model.grads)
                if max_grad is not None:
                    clip_grads(grads, max_grad)
                optimizer.update(params, grads)
                total_loss += _scalar(loss)
                loss_count += 1
                if eval_interval is not None and iters % eval_interval == 0:
                    avg_loss = total_loss / loss_count
                    elapsed = time.time() - start_time
                    print(f"| epoch {self.current_epoch + 1} |  iter {iters + 1} / {max_iters} "
                          f"| time {int(elapsed)}[s] | loss {avg_loss:.2f}")
                    self.loss_list.append(float(avg_loss))
                    total_loss, loss_count = 0, 0
            self.current_epoch += 1

    def plot(self, ylim: Any = None) -> None:
        """Plot ``loss_list`` against iterations (in units of ``eval_interval``)."""
        _plot_curve(self.loss_list, "loss", self.eval_interval, ylim)


class RnnlmTrainer:
    """Truncated-BPTT training of a language model on one long id sequence.

    Row ``i`` of each mini-batch reads ``time_size`` consecutive positions
    starting at ``i * (len(xs) // batch_size)`` plus a cursor that advances by
    ``time_size`` per iteration (wrapping); nothing is shuffled and the model's
    state is not reset inside :meth:`fit`.

    Attributes
    ----------
    ppl_list : list of float
        Perplexity ``exp(mean loss)`` since the previous record.
    """

    def __init__(self, model: Any, optimizer: Any) -> None:
        self.model = model
        self.optimizer = optimizer
        self.time_idx = 0
        self.ppl_list: list[float] = []
        self.eval_interval: int | None = None
        self.current_epoch = 0

    def get_batch(self, x: np.ndarray, t: np.ndarray, batch_size: int,
                  time_size: int) -> tuple[np.ndarray, np.ndarray]:
        """Return the next ``(batch_size, time_size)`` int32 inputs and targets."""
        data_size = len(x)
        jump = data_size // batch_size
        pos = (np.arange(batch_size)[:, None] * jump + self.time_idx
               + np.arange(time_size)[None, :]) % data_size
        self.time_idx += time_size
        return x[pos].astype(np.int32), t[pos].astype(np.int32)

    def fit(self, xs: Any, ts: Any, max_epoch: int = 10, batch_size: int = 20,
            time_size: int = 35, max_grad: float | None = None,
            eval_interval: int | None = 20) -> None:
        """Train for ``max_epoch`` epochs of ``len(xs) // (batch_size * time_size)`` iterations."""
        xs, ts = np.asarray(xs), np.asarray(ts)
        data_size = len(xs)
        max_iters = data_size // (batch_size * time_size)
        if max_iters < 1:
            raise ValueError(f"RnnlmTrainer.fit: {data_size} ids make no batch of "
                             f"{batch_size} x {time_size}")
        self.time_idx = 0
        self.ppl_list = []
        self.eval_interval = eval_interval
        model, optimizer = self.model, self.optimizer
        total_loss: Any = 0  # the losses' own type: float32 losses sum in float32, as in the book
        loss_count = 0
        start_time = time.time()
        for _ in range(max_epoch):
            for iters in range(max_iters):
                batch_x, batch_t = self.get_batch(xs, ts, batch_size, time_size)
                loss = model.forward(batch_x, batch_t)
                model.backward()
                params, grads = remove_duplicate(model.params, model.grads)
                if max_grad is not None:
                    clip_grads(grads, max_grad)
                optimizer.update(params, grads)
                total_loss += _scalar(loss)
                loss_count += 1
                if eval_interval is not None and iters % eval_interval == 0:
                    ppl = float(np.exp(total_loss / loss_count))
                    elapsed = time.time() - start_time
                    print(f"| epoch {self.current_epoch + 1} |  iter {iters + 1} / {max_iters} "
                          f"| time {int(elapsed)}[s] | perplexity {ppl:.2f}")
                    self.ppl_list.append(ppl)
                    total_loss, loss_count = 0, 0
            self.current_epoch += 1

    def plot(self, ylim: Any = None) -> None:
        """Plot ``ppl_list`` against iterations (in units of ``eval_interval``)."""
        _plot_curve(self.ppl_list, "perplexity", self.eval_interval, ylim)


def _scalar(loss: Any) -> Any:
    """A loss as the book adds it up: NumPy scalars and numbers as they are, others as float."""
    return loss if isinstance(loss, (np.generic, int, float)) else float(loss)


def _plot_curve(values: Sequence[float], ylabel: str, eval_interval: Any, ylim: Any) -> None:
    """Show a trainer's recorded curve, one point per ``eval_interval`` iterations."""
    import matplotlib.pyplot as plt

    x = np.arange(len(values))
    if ylim is not None:
        plt.ylim(*ylim)
    plt.plot(x, values, label="train")
    plt.xlabel(f"iterations (x{eval_interval})")
    plt.ylabel(ylabel)
    plt.show()


def remove_duplicate(params: Sequence[np.ndarray],
                     grads: Sequence[np.ndarray]) -> tuple[list[np.ndarray], list[np.ndarray]]:
    """Merge repeated parameters so that each array is updated once.

    An array listed twice (the same object) keeps its first entry, whose
    gradient gets the other's added in place; a 2-D array equal in value to
    the transpose of an earlier one (weight tying through ``W.T``) has its
    gradient transposed and added likewise. The survivors keep their order.
    """
    params, grads = list(params), list(grads)
    while True:
        found = False
        n = len(params)
        for i in range(n - 1):
            for j in range(i + 1, n):
                if params[i] is params[j]:
                    grads[i] += grads[j]
                elif (params[i].ndim == 2 and params[j].ndim == 2
                      and params[i].T.shape == params[j].shape
                      and np.all(params[i].T == params[j])):
                    grads[i] += grads[j].T
                else:
                    continue
                found = True
                params.pop(j)
                grads.pop(j)
                break
            if found:
                break
        if not found:
            return params, grads
