"""Training checkpoints: what a run saves so that an interrupted one can continue.

A training checkpoint is a :func:`minigrad.serialization.save` file holding
:func:`training_state_dict`: the model's and the optimizer's state dicts, the
mini-batch generator's state, the history and the iteration counter, under
``kind`` :data:`TRAINING_KIND`. :func:`load_training_state` checks all of it
against the run before it changes anything, so a checkpoint that does not fit
(another model, optimizer or random generator, damaged values) changes nothing.

Examples
--------
>>> import os, tempfile, numpy as np
>>> from minigrad.models import TwoLayerNet
>>> from minigrad.train import Trainer
>>> from minigrad.training_checkpoint import load_training_state, save_training_state
>>> rng = np.random.default_rng(0)
>>> x, t = rng.random((20, 4)), np.eye(3)[rng.integers(0, 3, 20)]
>>> def trainer():
...     return Trainer(TwoLayerNet(4, 5, 3, seed=0), ((x, t), (x, t)), iters=6,
...                    batch_size=5, lr=0.1, seed=1, progress=False, log=lambda line: None)
>>> first = trainer()
>>> path = os.path.join(tempfile.mkdtemp(), "checkpoint.npz")
>>> _ = first.run()
>>> save_training_state(first.state, path)
>>> second = trainer()
>>> load_training_state(second.state, path)
>>> second.state.iteration
6
"""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from typing import Any

import numpy as np

from minigrad._fileio import PathLike
from minigrad.serialization import CheckpointError, _short, load, save
from minigrad.tensor import Tensor

__all__ = ["TRAINING_KIND", "training_state_dict", "save_training_state", "load_training_state"]

#: The ``kind`` stored in a training checkpoint.
TRAINING_KIND = "minigrad-training-state"


def training_state_dict(state: Any) -> dict[str, Any]:
    """Return what a :class:`~minigrad.train.TrainState` needs to continue, ready for :func:`save`.

    Parameters
    ----------
    state : TrainState
        The state of a run (``Trainer.state``, or what a callback receives).

    Returns
    -------
    dict
        ``{"kind", "model", "optimizer", "rng", "history", "progress"}``: the model's
        and optimizer's state dicts, the mini-batch generator's
        ``bit_generator.state``, the history so far and the iteration counter
        (with the early-stopping bookkeeping).
    """
    return {
        "kind": TRAINING_KIND,
        "model": state.model.state_dict(),
        "optimizer": state.optimizer.state_dict(),
        "rng": state.rng.bit_generator.state,
        "history": state.history.to_dict(),
        "progress": {
            "iteration": int(state.iteration),
            "loss": None if state.loss is None else float(state.loss),
            "best_test_acc": float(state.best_test_acc),
            "best_epoch": None if state.best_epoch is None else float(state.best_epoch),
            "evals_since_best": int(state.evals_since_best),
        },
    }


def save_training_state(state: Any, path: PathLike) -> None:
    """Save :func:`training_state_dict` of ``state`` to ``path`` atomically (see :func:`save`).

    Parameters
    ----------
    state : TrainState
        The state of a run.
    path : str or os.PathLike
        The checkpoint file (e.g. ``<out>/checkpoint.npz``).
    """
    save(training_state_dict(state), path)


def load_training_state(state: Any, checkpoint: Mapping[str, Any] | PathLike) -> None:
    """Restore a run's state from a training checkpoint, so that ``Trainer.run()`` continues it.

    Everything is checked before anything changes: if the checkpoint does
    not fit (another model's weights, another optimizer, another random
    generator), an error names the problems and ``state`` is left as it was.

    Parameters
    ----------
    state : TrainState
        The state to overwrite (``Trainer.state`` of a trainer built with the
        same model and optimizer settings).
    checkpoint : dict or str or os.PathLike
        What :func:`training_state_dict` returned, or a file written by
        :func:`save_training_state`.

    Raises
    ------
    CheckpointError
        If the checkpoint is not a training checkpoint or its random
        generator or history does not fit.
    ValueError
        From the model's or optimizer's ``load_state_dict`` when their state
        does not fit (nothing is changed).
    """
    where = "the checkpoint"
    if not isinstance(checkpoint, Mapping):
        where = os.fspath(checkpoint)
        checkpoint = load(checkpoint)
    if not isinstance(checkpoint, Mapping) or checkpoint.get("kind") != TRAINING_KIND:
        raise CheckpointError(f"{where}: not a training checkpoint (no kind {TRAINING_KIND!r})")
    missing = [k for k in ("model", "optimizer", "rng", "history", "progress")
               if k not in checkpoint]
    if missing:
        raise CheckpointError(f"{where}: training checkpoint lacks {missing}")
    rng_state = checkpoint["rng"]
    own_bitgen = type(state.rng.bit_generator).__name__
    if not isinstance(rng_state, Mapping) or rng_state.get("bit_generator") != own_bitgen:
        got = rng_state.get("bit_generator") if isinstance(rng_state, Mapping) else rng_state
        raise CheckpointError(f"{where}: the random generator state is for {got!r}, but the "
                              f"run uses {own_bitgen}")
    try:  # try the state on a fresh generator first: the run's own is changed only at the end
        probe = type(state.rng.bit_generator)()
        probe.state = dict(rng_state)
    except Exception as e:  # noqa: BLE001 - NumPy raises ValueError, TypeError, KeyError...
        raise CheckpointError(f"{where}: bad random generator state ({type(e).__name__}: "
                              f"{e})") from None
    problems = _optimizer_state_problems(state.optimizer, checkpoint["optimizer"])
    try:
        history = type(state.history).from_dict(dict(checkpoint["history"]))
        progress = checkpoint["progress"]
        iteration = progress["iteration"]
        extra = {k: progress[k] for k in ("loss", "best_test_acc", "best_epoch",
                                          "evals_since_best")}
    except (TypeError, ValueError, KeyError) as e:
        raise CheckpointError(f"{where}: bad history or progress in the checkpoint ({e})") \
            from None
    problems += _history_problems(history)
    for key, value in (("iteration", iteration), ("evals_since_best", extra["evals_since_best"])):
        if not _is_int(value) or value < 0:
            problems.append(f"progress {key!r}: expected an integer >= 0, got {_short(value)}")
    for key in ("loss", "best_test_acc", "best_epoch"):
        value = extra[key]
        if not (value is None and key != "best_test_acc") and not _is_real(value):
            problems.append(f"progress {key!r}: expected a number, got {_short(value)}")
    if problems:
        raise CheckpointError(f"{where}: the training state does not fit (nothing was "
                              "loaded):\n  " + "\n  ".join(problems))
    model_before = state.model.state_dict()
    state.model.load_state_dict(checkpoint["model"])  # checks everything first
    try:
        state.optimizer.load_state_dict(checkpoint["optimizer"])
    except BaseException:
        state.model.load_state_dict(model_before)  # roll back: nothing changes on error
        raise
    state.rng.bit_generator.state = dict(rng_state)
    state.history = history
    state.iteration = int(iteration)
    state.loss = extra["loss"]
    state.best_test_acc = float(extra["best_test_acc"])
    state.best_epoch = extra["best_epoch"]
    state.evals_since_best = int(extra["evals_since_best"])
    state.stop, state.stop_reason = False, None


#: Allowed ranges of the optimizers' hyperparameters: (low, high, low included).
_HYPER_RANGES: dict[str, tuple[float, float, bool]] = {
    "lr": (0.0, math.inf, False),
    "momentum": (0.0, 1.0, True),
    "beta1": (0.0, 1.0, True),
    "beta2": (0.0, 1.0, True),
    "eps": (0.0, math.inf, False),
}


def _is_int(value: Any) -> bool:
    return isinstance(value, (int, np.integer)) and not isinstance(value, (bool, np.bool_))


def _is_real(value: Any) -> bool:
    return (isinstance(value, (int, float, np.integer, np.floating))
            and not isinstance(value, (bool, np.bool_)))


def _optimizer_state_problems(opt: Any, sd: Any) -> list[str]:
    """Every value in an optimizer state dict that its ``load_state_dict`` would take wrongly.

    Keys and shapes are the optimizer's own check; this one looks at the values:
    hyperparameters in range, integer step counts, real floating-point buffers.
    """
    if not isinstance(sd, Mapping):
        return [f"the optimizer state is a {type(sd).__name__}, not a dict"]
    problems = []
    for h in getattr(opt, "hyper", ()):
        if h not in sd:
            continue
        v = sd[h]
        if isinstance(v, np.ndarray) and v.shape == () and v.dtype.kind in "iuf":
            v = v[()]
        if not _is_real(v) or not math.isfinite(float(v)):
            problems.append(f"optimizer {h!r}: expected a finite number, got {_short(v)}")
            continue
        low, high, closed = _HYPER_RANGES.get(h, (-math.inf, math.inf, True))
        if not ((low <= v if closed else low < v) and v < high):
            problems.append(f"optimizer {h!r} = {v!r} is out of range "
                            f"({'[' if closed else '('}{low:g}, {high:g}))")
    # the step counts: "steps", and "step.<param>" per parameter (absent in older checkpoints)
    for key in ["steps"] + [f"step.{name}" for name, _ in getattr(opt, "named_params", ())]:
        if key not in sd:
            continue
        v = sd[key]
        if isinstance(v, np.ndarray) and v.shape == ():
            v = v[()]
        if not _is_int(v) or v < 0:
            problems.append(f"optimizer {key!r}: expected an integer >= 0, got {_short(v)}")
    for b in getattr(opt, "buffers", ()):
        for name, _ in getattr(opt, "named_params", ()):
            key = f"{b}.{name}"
            if key not in sd:
                continue
            v = sd[key]
            a = v.data if isinstance(v, Tensor) else v
            if not isinstance(a, np.ndarray) or a.dtype.kind != "f":
                what = f"dtype {a.dtype}" if isinstance(a, np.ndarray) else type(a).__name__
                problems.append(f"optimizer buffer {key!r}: expected a real floating-point "
                                f"array, got {what}")
            elif not np.isfinite(a).all():
                problems.append(f"optimizer buffer {key!r} holds non-finite values")
    return problems


def _history_problems(history: Any) -> list[str]:
    """Values in a restored history that a continuing run could not append to or save."""
    problems = []
    for key in ("losses", "train_acc", "test_acc", "epochs", "eval_iterations"):
        values = getattr(history, key, None)
        check = _is_int if key == "eval_iterations" else _is_real
        if not isinstance(values, list) or not all(check(v) for v in values):
            problems.append(f"history {key!r}: expected a list of numbers, got "
                            f"{_short(values)}")
    evals = [len(v) for v in (history.train_acc, history.test_acc, history.epochs,
                              history.eval_iterations) if isinstance(v, list)]
    if len(set(evals)) > 1:
        problems.append(f"history: the evaluation lists have different lengths {evals}")
    if not isinstance(history.config, dict):
        problems.append(f"history 'config': expected a dict, got {_short(history.config)}")
    return problems
