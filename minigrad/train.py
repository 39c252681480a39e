"""The chapter's training loop (section 5.3) as a reusable :class:`Trainer`.

Each iteration draws a random mini-batch *with replacement* (the book's
``np.random.choice(train_size, batch_size)``), computes the gradient of the
model's loss, updates the parameters, and records the loss of that batch
after the update, as the book does. Every epoch
(``iter_per_epoch = max(train_size / batch_size, 1)`` iterations, starting
at iteration 0) the accuracy on the full training and test sets is computed
and printed as ``train acc, test acc | <a>, <b>``.

>>> from minigrad.datasets import load_mnist           # doctest: +SKIP
>>> from minigrad.models import TwoLayerNet             # doctest: +SKIP
>>> from minigrad.train import train                    # doctest: +SKIP
>>> data = load_mnist(one_hot_label=True)               # doctest: +SKIP
>>> history = train(TwoLayerNet(784, 50, 10, seed=0), data, seed=0)  # doctest: +SKIP
>>> history.test_acc[-1]                                # doctest: +SKIP
0.94...

A run is reproducible bit for bit from its ``seed`` (given the same model
initialisation and BLAS thread count). Everything the loop needs to go on
lives in :class:`TrainState` (model, optimizer, random generator, history,
iteration counter), which ``callback(state)`` receives after every
iteration; :meth:`Trainer.run` continues from ``state.iteration``, so a
checkpoint only has to save and restore that state.
"""

from __future__ import annotations

import csv
import io
import json
import math
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from minigrad import _fileio
from minigrad._rng import make_generator
from minigrad._validate import positive_int
from minigrad.autograd import no_grad
from minigrad.datasets import random_batch
from minigrad.optim import Optimizer, make_optimizer
from minigrad.tensor import Tensor

__all__ = ["History", "TrainState", "Trainer", "TrainingLoop", "train", "atomic_write_bytes"]

PathLike = _fileio.PathLike


def atomic_write_bytes(path: PathLike, data: bytes) -> Path:
    """Write ``data`` to ``path`` through a temporary file and a rename.

    The target is either left untouched or completely replaced, never half
    written. Parent directories are created.

    Parameters
    ----------
    path : str or os.PathLike
        The destination.
    data : bytes
        The contents.

    Returns
    -------
    pathlib.Path
        ``path``.
    """
    return _fileio.atomic_write_bytes(path, data, parents=True)


@dataclass
class History:
    """What a training run recorded.

    Attributes
    ----------
    losses : list of float
        The mini-batch loss of every iteration (after that iteration's update).
    train_acc, test_acc : list of float
        Accuracy on the full training and test sets at each evaluation.
    epochs : list of float
        The epoch (iteration / iter_per_epoch) of each evaluation: 0, 1, 2, ...
    eval_iterations : list of int
        The (0-based) iteration after which each evaluation was made.
    iterations : int
        Iterations completed.
    stopped_early : bool
        True if the run ended before ``iters`` (early stopping, callback, Ctrl-C).
    stop_reason : str or None
        Why it stopped early.
    seconds : float
        Wall time spent in :meth:`Trainer.run` (summed over resumed runs).
    final_train_acc, final_test_acc : float or None
        Accuracy after the last iteration (equal to the last evaluation when
        the run ended on one).
    config : dict
        The run's settings (iters, batch_size, lr, optimizer, seed, ...).
    """

    losses: list[float] = field(default_factory=list)
    train_acc: list[float] = field(default_factory=list)
    test_acc: list[float] = field(default_factory=list)
    epochs: list[float] = field(default_factory=list)
    eval_iterations: list[int] = field(default_factory=list)
    iterations: int = 0
    stopped_early: bool = False
    stop_reason: str | None = None
    seconds: float = 0.0
    final_train_acc: float | None = None
    final_test_acc: float | None = None
    config: dict[str, Any] = field(default_factory=dict)

    @property
    def diverged(self) -> bool:
        """True if the run stopped at a non-finite loss."""
        return bool(self.stop_reason and self.stop_reason.startswith("diverged"))

    def to_dict(self) -> dict[str, Any]:
        """Return the history as a JSON-compatible dict."""
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> History:
        """Rebuild a history from :meth:`to_dict` output (unknown keys are rejected)."""
        names = set(cls.__dataclass_fields__)
        unknown = sorted(set(d) - names)
        if unknown:
            raise ValueError(f"History.from_dict: unknown keys {unknown}")
        return cls(**d)

    def save_json(self, path: PathLike) -> Path:
        """Write the history as JSON (atomically); returns the path.

        The file is always valid JSON: a non-finite number (the loss of a
        diverged run, an infinite best accuracy) is written as ``null``.
        """
        text = json.dumps(_finite_or_null(self.to_dict()), indent=1, allow_nan=False)
        return atomic_write_bytes(path, (text + "\n").encode())

    @classmethod
    def load_json(cls, path: PathLike) -> History:
        """Read a history written by :meth:`save_json`."""
        with open(path, encoding="utf-8") as f:
            return cls.from_dict(json.load(f))

    def save_csv(self, path: PathLike) -> Path:
        """Write one row per iteration: ``iteration,loss,epoch,train_acc,test_acc``.

        The accuracy columns are filled on the rows of the iterations after
        which an evaluation was made, and empty elsewhere. Written atomically.
        """
        evals = {it: k for k, it in enumerate(self.eval_iterations)}
        buf = io.StringIO()
        w = csv.writer(buf, lineterminator="\n")
        w.writerow(["iteration", "loss", "epoch", "train_acc", "test_acc"])
        for i, loss in enumerate(self.losses):
            k = evals.get(i)
            if k is None:
                w.writerow([i, repr(loss), "", "", ""])
            else:
                w.writerow([i, repr(loss), repr(self.epochs[k]), repr(self.train_acc[k]),
                            repr(self.test_acc[k])])
        return atomic_write_bytes(path, buf.getvalue().encode())


def _finite_or_null(obj: Any) -> Any:
    """``obj`` with every nan, inf and -inf (in nested dicts and lists) replaced by None."""
    if isinstance(obj, float):
        return obj if math.isfinite(obj) else None
    if isinstance(obj, dict):
        return {k: _finite_or_null(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_finite_or_null(v) for v in obj]
    return obj


@dataclass
class TrainState:
    """Everything a training run needs to continue; ``callback(state)`` gets it each iteration.

    Attributes
    ----------
    model : object
        The model being trained.
    optimizer : Optimizer
        Its optimizer (with its buffers).
    rng : numpy.random.Generator
        The generator that draws the mini-batches.
    history : History
        What was recorded so far.
    iteration : int
        Iterations completed (the next one to run has this 0-based index).
    loss : float or None
        The loss of the last iteration.
    stop : bool
        Set it to True in a callback to end the run after this iteration
        (``stop_reason`` may say why).
    stop_reason : str or None
        Why the callback stopped the run.
    best_test_acc : float
        Best test accuracy so far (for early stopping).
    best_epoch : float or None
        The epoch where it was reached.
    evals_since_best : int
        Evaluations in a row without a new best test accuracy.
    """

    model: Any
    optimizer: Optimizer
    rng: np.random.Generator
    history: History
    iteration: int = 0
    loss: float | None = None
    stop: bool = False
    stop_reason: str | None = None
    best_test_acc: float = -math.inf
    best_epoch: float | None = None
    evals_since_best: int = 0


def _check_data(data: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    try:
        (x_train, t_train), (x_test, t_test) = data
    except (TypeError, ValueError):
        raise TypeError("train: data must be ((x_train, t_train), (x_test, t_test)), as "
                        "load_mnist returns") from None
    arrays = [np.asarray(a) for a in (x_train, t_train, x_test, t_test)]
    for split, x, t in (("train", arrays[0], arrays[1]), ("test", arrays[2], arrays[3])):
        if x.ndim < 2:
            raise ValueError(f"train: x_{split} must have a batch axis, got shape {x.shape}")
        if len(x) != len(t):
            raise ValueError(f"train: x_{split} has {len(x)} samples but t_{split} has "
                             f"{len(t)}")
        if len(x) == 0:
            raise ValueError(f"train: the {split} set is empty")
    return arrays[0], arrays[1], arrays[2], arrays[3]


def _positive_int(value: Any, what: str) -> int:
    return positive_int(value, f"train: {what}")


def _make_rng(seed: Any) -> np.random.Generator:
    try:
        return make_generator(seed)
    except TypeError as e:
        raise TypeError(f"train: {e}") from None


def _model_params(model: Any) -> Any:
    params = getattr(model, "params", None)
    if isinstance(params, dict) and params:
        return params  # the book's names (W1, b1, ...) for the optimizer's state
    if hasattr(model, "named_parameters"):
        return model
    raise TypeError("train: the model must be a minigrad.nn.Module or have a `params` dict")


class TrainingLoop:
    """One iteration of the chapter's loop, shared by :class:`Trainer` and the book's.

    :meth:`_iteration` draws ``batch_size`` indices *with replacement*
    (:func:`~minigrad.datasets.random_batch`, the book's
    ``np.random.choice(train_size, batch_size)``), updates the model on that
    batch, records the batch's loss after the update (computed without a
    graph), and evaluates when it is time to. What "update", "record" and
    "time to evaluate" mean is left to the subclass: :class:`Trainer` (PyTorch-style
    optimizers, a :class:`History`, divergence checks) and
    :class:`minigrad.book.trainer.Trainer` (the book's optimizers, lists and
    printed lines).
    """

    x_train: np.ndarray
    t_train: np.ndarray
    train_size: int
    batch_size: int

    @property
    def _loss_model(self) -> Any:
        """The model whose ``loss(x, t)`` is recorded after each update."""
        raise NotImplementedError

    @property
    def _batch_rng(self) -> Any:
        """The source of the mini-batch indices (None: NumPy's global state)."""
        raise NotImplementedError

    def _update(self, x_batch: np.ndarray, t_batch: np.ndarray, i: int) -> bool:
        """Update the model on one batch; False stops the run before the update's loss."""
        raise NotImplementedError

    def _record_loss(self, i: int, value: float) -> bool:
        """Record the loss after the update of iteration ``i``; False stops the run."""
        raise NotImplementedError

    def _eval_due(self, i: int) -> bool:
        """Whether iteration ``i`` (0-based) ends with an evaluation."""
        raise NotImplementedError

    def _evaluate_and_record(self, i: int) -> None:
        """Evaluate the model after iteration ``i`` and record (and show) the result."""
        raise NotImplementedError

    def _iteration(self, i: int) -> bool:
        """Run iteration ``i``: batch, update, loss after the update, evaluation when due.

        Returns False when :meth:`_update` or :meth:`_record_loss` stopped the run.
        """
        idx = random_batch(self.train_size, self.batch_size, self._batch_rng)
        x_batch, t_batch = self.x_train[idx], self.t_train[idx]
        if not self._update(x_batch, t_batch, i):
            return False
        with no_grad():
            loss = self._loss_model.loss(x_batch, t_batch)
        if not self._record_loss(i, float(loss.data if isinstance(loss, Tensor) else loss)):
            return False
        if self._eval_due(i):
            self._evaluate_and_record(i)
        return True


class Trainer(TrainingLoop):
    """Mini-batch training as in the chapter's section 5.3.

    Parameters
    ----------
    model : Module
        Must provide ``loss(x, t) -> Tensor`` and ``accuracy(x, t) -> float``
        (like :class:`~minigrad.models.TwoLayerNet`), and parameters through
        ``params`` (a dict) or ``named_parameters()``.
    data : ((x_train, t_train), (x_test, t_test))
        As :func:`~minigrad.datasets.load_mnist` returns (labels or one-hot).
    iters : int
        Number of iterations (the book's ``iters_num = 10000``).
    batch_size : int
        Mini-batch size (100).
    lr : float
        Learning rate (0.1).
    optimizer : {"sgd", "momentum", "adagrad", "adam"} or Optimizer
        The update rule (SGD in the book).
    seed : None, int or numpy.random.Generator
        Seeds the mini-batch draws; an int makes the run repeatable bit for bit.
        None draws the seed from NumPy's global state, so ``np.random.seed(s)``
        before the run reproduces it too.
    early_stopping : int, optional
        Stop when the test accuracy has not improved for this many
        evaluations in a row (nothing is restored).
    progress : bool
        Show a tqdm progress bar (when tqdm is installed and stderr is a terminal
        or a notebook; in a log or a pipe only the per-epoch lines are printed).
    eval_every : int, optional
        Evaluate every this many iterations instead of once per epoch.
    callback : callable, optional
        Called as ``callback(state)`` after every iteration with the
        :class:`TrainState`; it may set ``state.stop = True``.
    log : callable, optional
        Where the per-epoch lines go (default: ``print``, or ``tqdm.write``
        while a bar is shown).
    """

    def __init__(self, model: Any, data: Any, *, iters: int = 10000, batch_size: int = 100,
                 lr: float = 0.1, optimizer: str | Optimizer = "sgd", seed: Any = None,
                 early_stopping: int | None = None, progress: bool = True,
                 eval_every: int | None = None,
                 callback: Callable[[TrainState], Any] | None = None,
                 log: Callable[[str], Any] | None = None) -> None:
        self.x_train, self.t_train, self.x_test, self.t_test = _check_data(data)
        self.iters = _positive_int(iters, "iters")
        self.batch_size = _positive_int(batch_size, "batch_size")
        if early_stopping is not None:
            early_stopping = _positive_int(early_stopping, "early_stopping")
        if eval_every is not None:
            eval_every = _positive_int(eval_every, "eval_every")
        for name in ("loss", "accuracy"):
            if not callable(getattr(model, name, None)):
                raise TypeError(f"train: the model has no {name}(x, t) method")
        opt = make_optimizer(optimizer, _model_params(model), lr)
        self.early_stopping = early_stopping
        self.progress = progress
        self.callback = callback
        self.log = log
        self.train_size = len(self.x_train)
        #: Iterations per evaluation (the book's ``iter_per_epoch``, or ``eval_every``).
        self.iter_per_epoch = max(self.train_size / self.batch_size, 1)
        self.eval_interval = float(eval_every) if eval_every else self.iter_per_epoch
        seed_repr = seed if seed is None or isinstance(seed, (int, np.integer)) else repr(seed)
        history = History(config={
            "iters": self.iters, "batch_size": self.batch_size, "lr": opt.lr,
            "optimizer": type(opt).__name__, "seed": seed_repr,
            "early_stopping": early_stopping, "eval_every": eval_every,
            "train_size": self.train_size, "test_size": len(self.x_test),
            "iter_per_epoch": self.iter_per_epoch,
        })
        self.state = TrainState(model=model, optimizer=opt, rng=_make_rng(seed), history=history)
        self._bar: Any = None
        self._emit: Callable[[str], Any] = print
        self._next_eval = 0.0
        self._evaluated_last = False

    # -- evaluation -------------------------------------------------------------------
    def evaluate(self) -> tuple[float, float]:
        """Return the accuracy on the full training and test sets."""
        model = self.state.model
        return (float(model.accuracy(self.x_train, self.t_train)),
                float(model.accuracy(self.x_test, self.t_test)))

    def _evaluate_and_record(self, i: int) -> None:
        st, h = self.state, self.state.history
        train_acc, test_acc = self.evaluate()
        h.train_acc.append(train_acc)
        h.test_acc.append(test_acc)
        h.epochs.append(i / self.iter_per_epoch)
        h.eval_iterations.append(i)
        self._emit("train acc, test acc | " + str(train_acc) + ", " + str(test_acc))
        if test_acc > st.best_test_acc:
            st.best_test_acc, st.best_epoch = test_acc, h.epochs[-1]
            st.evals_since_best = 0
        else:
            st.evals_since_best += 1
            if self.early_stopping is not None and st.evals_since_best >= self.early_stopping:
                st.stop = True
                st.stop_reason = (
                    f"early stopping: test accuracy has not improved for "
                    f"{st.evals_since_best} evaluations (best {st.best_test_acc} at epoch "
                    f"{st.best_epoch:g})")
        self._next_eval = len(h.eval_iterations) * self.eval_interval
        if self._bar is not None:
            self._bar.set_postfix(loss=f"{st.loss:.4f}", test_acc=f"{h.test_acc[-1]:.4f}",
                                  refresh=False)

    # -- one iteration (see TrainingLoop) -----------------------------------------------
    @property
    def _loss_model(self) -> Any:
        return self.state.model

    @property
    def _batch_rng(self) -> Any:
        return self.state.rng

    def _update(self, x_batch: np.ndarray, t_batch: np.ndarray, i: int) -> bool:
        st, opt = self.state, self.state.optimizer
        loss = st.model.loss(x_batch, t_batch)
        before = float(loss.data)
        if not math.isfinite(before):  # stop before the update spoils the weights
            st.stop, st.stop_reason = True, (
                f"diverged: the loss is {before} at iteration {i + 1} of {self.iters}, "
                "before its update (the parameters were not changed by it)")
            return False
        opt.zero_grad()
        loss.backward()
        opt.step()
        return True

    def _record_loss(self, i: int, value: float) -> bool:
        st, h = self.state, self.state.history
        h.losses.append(value)
        st.loss = value
        if not math.isfinite(value):
            st.stop, st.stop_reason = True, (
                f"diverged: the loss is {value} after the update of iteration {i + 1} "
                f"of {self.iters} (the parameters are no longer finite)")
            st.iteration = h.iterations = i + 1
            return False
        return True

    def _eval_due(self, i: int) -> bool:
        self._evaluated_last = i >= self._next_eval
        return self._evaluated_last

    # -- the loop ---------------------------------------------------------------------
    def run(self) -> History:
        """Train from ``state.iteration`` up to ``iters``; returns the history.

        Ctrl-C ends the run cleanly (``stop_reason`` says so) and returns
        the history so far. So does a non-finite loss: the run stops at the
        first one, before the callback sees that iteration, and
        ``stop_reason`` starts with ``"diverged"`` and names the iteration
        (:attr:`History.diverged` is then True).
        """
        st = self.state
        h = st.history
        st.stop, st.stop_reason = False, None
        h.stopped_early, h.stop_reason = False, None
        callback = self.callback
        bar = self._bar = _progress_bar(self.iters, st.iteration) if self.progress else None
        self._emit = self.log or (bar.write if bar is not None else print)
        self._next_eval = len(h.eval_iterations) * self.eval_interval
        self._evaluated_last = False
        start = time.perf_counter()
        i = st.iteration
        try:
            while i < self.iters and not st.stop:
                if not self._iteration(i):
                    break
                i += 1
                st.iteration = h.iterations = i
                if bar is not None:
                    bar.update()
                if callback is not None:
                    callback(st)
        except KeyboardInterrupt:
            st.stop, st.stop_reason = True, "interrupted (KeyboardInterrupt)"
        finally:
            if bar is not None:
                bar.close()
            self._bar = None
            h.seconds += time.perf_counter() - start
        if st.stop and i < self.iters:
            h.stopped_early = True
            h.stop_reason = st.stop_reason or "stopped by the callback"
        if h.losses:
            if self._evaluated_last:
                h.final_train_acc, h.final_test_acc = h.train_acc[-1], h.test_acc[-1]
            else:
                h.final_train_acc, h.final_test_acc = self.evaluate()
        return h


def _progress_bar(total: int, initial: int) -> Any:
    """A tqdm bar on a terminal (or in a notebook); None elsewhere or without tqdm.

    tqdm's ``disable=None`` leaves the bar out when its output (stderr) is not a
    terminal, so a log or a pipe gets the per-epoch lines only, without
    carriage-return updates.
    """
    try:
        from tqdm.auto import tqdm
    except ImportError:
        return None
    bar = tqdm(total=total, initial=initial, unit="it", dynamic_ncols=True, leave=False,
               disable=None)
    if bar.disable:
        bar.close()
        return None
    return bar


def train(model: Any, data: Any, *, iters: int = 10000, batch_size: int = 100, lr: float = 0.1,
          optimizer: str | Optimizer = "sgd", seed: Any = None, early_stopping: int | None = None,
          progress: bool = True, eval_every: int | None = None,
          callback: Callable[[TrainState], Any] | None = None,
          log: Callable[[str], Any] | None = None) -> History:
    """Train ``model`` on ``data`` as in the chapter; see :class:`Trainer` for the parameters.

    Returns
    -------
    History
        Losses, per-epoch accuracies, timing and why it stopped.
    """
    return Trainer(model, data, iters=iters, batch_size=batch_size, lr=lr, optimizer=optimizer,
                   seed=seed, early_stopping=early_stopping, progress=progress,
                   eval_every=eval_every, callback=callback, log=log).run()
