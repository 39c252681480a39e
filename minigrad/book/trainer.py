"""The book's ``common/trainer.py``: :class:`Trainer` (item 6.21)."""

from __future__ import annotations

import os
import sys
from typing import Any

import numpy as np

from minigrad.book.optimizer import (
    BOOK_OPTIMIZERS,
    SGD,
    AdaGrad,
    Adam,
    Momentum,
    Nesterov,
    RMSprop,
)
from minigrad.train import TrainingLoop

# what a star import of the book's module brings (its imports included)
__all__ = ["sys", "os", "np", "SGD", "Momentum", "Nesterov", "AdaGrad", "RMSprop", "Adam",
           "Trainer"]


class Trainer(TrainingLoop):
    """Train a book network with the book's schedule and printed lines.

    Each step draws ``mini_batch_size`` indices **with replacement**, computes
    ``network.gradient``, calls ``optimizer.update(network.params, grads)``,
    then recomputes ``network.loss`` on the same batch (after the update) and
    appends it to :attr:`train_loss_list`. Whenever the step counter (from 0)
    is a multiple of ``iter_per_epoch = max(train_size / mini_batch_size, 1)``
    the epoch counter is incremented and the accuracies on the first
    ``evaluate_sample_num_per_epoch`` training and test samples (all if None)
    are recorded. :meth:`train` runs ``int(epochs * iter_per_epoch)`` steps
    and then prints the accuracy on the full test set.

    The iteration itself (batch, update, loss after the update, evaluation
    when due) is :class:`minigrad.train.TrainingLoop`'s, shared with
    :class:`minigrad.train.Trainer`; this class supplies the book's pieces.
    The two differ where the book does: it evaluates when ``step %
    iter_per_epoch == 0`` (for a fractional ``iter_per_epoch`` that is rarer
    than once an epoch), on leading samples only if asked, with the book's
    optimizers (``update(params, grads)`` with ``network.gradient``), its
    printed lines and no divergence checks, so the outer loop is its own.

    Parameters
    ----------
    network : object
        Has ``params``, ``gradient(x, t)``, ``loss(x, t)``, ``accuracy(x, t)``.
    x_train, t_train, x_test, t_test : ndarray
        The data.
    epochs : int
        Number of epochs.
    mini_batch_size : int
        Batch size.
    optimizer : str
        ``'sgd'``, ``'momentum'``, ``'nesterov'``, ``'adagrad'``, ``'rmsprop'`` or
        ``'adam'`` (case-insensitive), from :mod:`minigrad.book.optimizer`.
    optimizer_param : dict
        Keyword arguments of the optimizer (default ``{'lr': 0.01}``).
    evaluate_sample_num_per_epoch : int, optional
        Evaluate on this many leading samples only.
    verbose : bool
        Print the book's lines.
    rng : None or numpy.random.Generator
        Source of the batches; None draws with ``np.random.choice`` like the book.
    """

    def __init__(self, network: Any, x_train: np.ndarray, t_train: np.ndarray,
                 x_test: np.ndarray, t_test: np.ndarray, epochs: int = 20,
                 mini_batch_size: int = 100, optimizer: str = "SGD",
                 optimizer_param: dict[str, Any] | None = None,
                 evaluate_sample_num_per_epoch: int | None = None, verbose: bool = True,
                 rng: Any = None) -> None:
        self.network = network
        self.verbose = verbose
        self.x_train, self.t_train = x_train, t_train
        self.x_test, self.t_test = x_test, t_test
        self.epochs = epochs
        self.batch_size = mini_batch_size
        self.evaluate_sample_num_per_epoch = evaluate_sample_num_per_epoch
        if len(x_train) != len(t_train) or len(x_test) != len(t_test):
            raise ValueError(f"Trainer: x_train/t_train have {len(x_train)}/{len(t_train)} "
                             f"samples and x_test/t_test {len(x_test)}/{len(t_test)}")
        cls = BOOK_OPTIMIZERS.get(str(optimizer).lower())
        if cls is None:
            raise ValueError(f"Trainer: unknown optimizer {optimizer!r}; use one of "
                             f"{sorted(BOOK_OPTIMIZERS)}")
        self.optimizer = cls(**(optimizer_param if optimizer_param is not None
                                else {"lr": 0.01}))
        self.train_size = x_train.shape[0]
        self.iter_per_epoch = max(self.train_size / mini_batch_size, 1)
        self.max_iter = int(epochs * self.iter_per_epoch)
        self.current_iter = 0
        self.current_epoch = 0
        self.train_loss_list: list[float] = []
        self.train_acc_list: list[float] = []
        self.test_acc_list: list[float] = []
        self._rng = rng

    def train_step(self) -> None:
        """One update, the loss after it, and an evaluation at each epoch boundary."""
        self._iteration(self.current_iter)
        self.current_iter += 1

    def train(self) -> None:
        """Run every step, then print the accuracy on the full test set."""
        for _ in range(self.max_iter):
            self.train_step()
        test_acc = self.network.accuracy(self.x_test, self.t_test)
        if self.verbose:
            print("=============== Final Test Accuracy ===============")
            print("test acc:" + str(test_acc))

    # -- the book's pieces of the shared iteration (see TrainingLoop) --------------------
    @property
    def _loss_model(self) -> Any:
        return self.network

    @property
    def _batch_rng(self) -> Any:
        return self._rng

    def _update(self, x_batch: np.ndarray, t_batch: np.ndarray, i: int) -> bool:
        grads = self.network.gradient(x_batch, t_batch)
        self.optimizer.update(self.network.params, grads)
        return True

    def _record_loss(self, i: int, value: float) -> bool:
        self.train_loss_list.append(np.float64(value))  # the book's loss() gives np.float64
        if self.verbose:
            print("train loss:" + str(value))
        return True

    def _eval_due(self, i: int) -> bool:
        return bool(i % self.iter_per_epoch == 0)

    def _evaluate_and_record(self, i: int) -> None:
        self.current_epoch += 1
        x_train_sample, t_train_sample = self.x_train, self.t_train
        x_test_sample, t_test_sample = self.x_test, self.t_test
        if self.evaluate_sample_num_per_epoch is not None:
            t = self.evaluate_sample_num_per_epoch
            x_train_sample, t_train_sample = self.x_train[:t], self.t_train[:t]
            x_test_sample, t_test_sample = self.x_test[:t], self.t_test[:t]
        train_acc = self.network.accuracy(x_train_sample, t_train_sample)
        test_acc = self.network.accuracy(x_test_sample, t_test_sample)
        self.train_acc_list.append(train_acc)
        self.test_acc_list.append(test_acc)
        if self.verbose:
            print("=== epoch:" + str(self.current_epoch) + ", train acc:" + str(train_acc)
                  + ", test acc:" + str(test_acc) + " ===")
