"""Checkpoints of ``minigrad train``: saving every N iterations, on a signal, and resuming.

``--checkpoint-every N`` saves the training state to ``<out>/checkpoint.npz``
every N iterations; Ctrl-C (SIGINT) and SIGTERM end the run after the running
iteration and save it too (:class:`_DeferredInterrupt`); ``--resume PATH``
reads one back together with the run's recorded settings.
"""

from __future__ import annotations

import argparse
import shlex
import signal
import threading
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from .arguments import _subparser
from .errors import EXIT_SIGINT, CLIError
from .model_choice import MODELS

#: Options that are not settings of the run (not recorded, not restored by --resume).
_NOT_SETTINGS = frozenset({"command", "handler", "resume", "out", "overwrite", "no_progress",
                           "no_figures", "profile_memory", "given", "restored"})


def _run_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The run's settings as plain JSON values (recorded in the history and the checkpoint)."""
    out: dict[str, Any] = {}
    for k, v in sorted(vars(args).items()):
        if k in _NOT_SETTINGS or k.startswith("_"):
            continue
        if isinstance(v, Path):
            v = str(v)
        if v is None or isinstance(v, (bool, int, float, str)):
            out[k] = v
        elif isinstance(v, list) and all(isinstance(i, int) for i in v):  # --hidden-sizes
            out[k] = list(v)
    return out


def _legacy_settings(cfg: Mapping[str, Any]) -> dict[str, Any]:
    """The settings of a checkpoint written before they were recorded as a whole."""
    return {
        "hidden_size": cfg["sizes"][1], "activation": cfg["activation"],
        "weight_init_std": cfg["weight_init_std"], "iters": cfg["iters"],
        "batch_size": cfg["batch_size"], "lr": cfg["lr"],
        "optimizer": str(cfg["optimizer"]).lower(), "seed": cfg["seed"],
        "early_stopping": cfg["early_stopping"], "eval_every": cfg["eval_every"],
        "checkpoint_every": cfg.get("checkpoint_every"),
        "data_dir": cfg.get("data_dir"),
    }


def _read_resume_checkpoint(args: argparse.Namespace,
                            parser: argparse.ArgumentParser) -> dict[str, Any]:
    """Load ``--resume``'s checkpoint and take the run's settings from it (into ``args``).

    Every setting recorded in the checkpoint (the data folder included) is
    used, except those given on the command line: they override the
    checkpoint's, and each override is printed; ``args.restored`` names the settings
    taken from the checkpoint. ``parser`` is
    :func:`~minigrad.cli.build_parser`'s, for the options' defaults and types.
    """
    from minigrad.serialization import CheckpointError, load
    from minigrad.training_checkpoint import TRAINING_KIND

    path = args.resume
    try:
        ckpt = load(path)
    except FileNotFoundError:
        raise CLIError(f"--resume: no checkpoint at {str(path)!r}") from None
    except CheckpointError as e:
        raise CLIError(f"--resume: {e}") from None
    try:
        if ckpt.get("kind") != TRAINING_KIND:
            raise KeyError("kind")
        cfg = ckpt["history"]["config"]
        settings = cfg["cli"] if isinstance(cfg.get("cli"), Mapping) else _legacy_settings(cfg)
    except (AttributeError, KeyError, TypeError, IndexError):
        raise CLIError(f"--resume: {str(path)!r} is not a checkpoint written by minigrad "
                       "train") from None
    if settings.get("model", "two-layer") not in MODELS:
        raise CLIError(f"--resume: the checkpoint's model {settings.get('model')!r} is not one "
                       f"of {', '.join(MODELS)}")
    defaults = parser.parse_args(["train"])
    given = getattr(args, "given", None)
    sub = _subparser(parser, "train")
    types = {a.dest: a.type for a in (sub._actions if sub is not None else [])}
    restored = set()
    for k, v in settings.items():
        if k in _NOT_SETTINGS or not hasattr(args, k):
            continue  # an option this version does not have
        if v is not None and types.get(k) is Path:
            v = Path(v)
        current = getattr(args, k)
        explicit = k in given if given is not None else current != getattr(defaults, k)
        if not explicit:
            setattr(args, k, v)
            restored.add(k)
        elif current != v:
            flag = "--" + k.replace("_", "-")
            shown = "" if isinstance(current, bool) else f" {current}"
            print(f"resume: {flag}{shown} overrides the checkpoint's setting ({v})")
    if args.out is None:
        args.out = path.parent
    args.restored = restored
    return ckpt


def _checkpoint_saver(every: int | None, path: Path) -> Any:
    """A training callback that saves the state to ``path`` every ``every`` iterations."""
    if not every:
        return None
    from minigrad.training_checkpoint import save_training_state

    def save_every(state: Any) -> None:
        if state.iteration % every == 0:
            save_training_state(state, path)

    return save_every


class _DeferredInterrupt:
    """Ctrl-C or SIGTERM during training ends the run after the current iteration.

    A second signal stops at once. Stopping between iterations leaves a
    whole state that a checkpoint can hold; ``count`` tells how many signals
    came and ``signum`` which was the first.
    """

    SIGNALS = tuple(s for s in (signal.SIGINT, getattr(signal, "SIGTERM", None)) if s is not None)

    def __init__(self, state: Any) -> None:
        self.state = state
        self.count = 0
        self.signum: int | None = None
        self._previous: dict[int, Any] = {}

    def _handle(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.signum is None:
            self.signum = signum
        if self.count > 1:
            raise KeyboardInterrupt
        self.state.stop = True
        name = "KeyboardInterrupt" if signum == signal.SIGINT else signal.Signals(signum).name
        self.state.stop_reason = f"interrupted ({name})"

    @property
    def exit_code(self) -> int:
        """130 after Ctrl-C, 143 after SIGTERM."""
        return EXIT_SIGINT if self.signum in (None, signal.SIGINT) else 128 + int(self.signum)

    def __enter__(self) -> _DeferredInterrupt:
        if threading.current_thread() is threading.main_thread():
            for s in self.SIGNALS:
                self._previous[s] = signal.signal(s, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        for s, previous in self._previous.items():
            signal.signal(s, previous)
        self._previous.clear()


def _checkpoint_on_interrupt(state: Any, path: Path, iters: int, presses: int,
                             what: str = "interrupted") -> None:
    from minigrad.training_checkpoint import save_training_state

    resume = f"minigrad train --resume {shlex.quote(str(path))}"
    if presses > 1:
        msg = f"{what} twice: stopped inside an iteration, so no checkpoint was saved for it"
        if path.exists():
            msg += f"; the last checkpoint is {path} (resume with: {resume})"
        print(msg)
        return
    save_training_state(state, path)
    print(f"{what} after {state.iteration} of {iters} iterations; checkpoint saved to "
          f"{path}\nresume with: {resume}")


def _resume(state: Any, ckpt: Mapping[str, Any], resume: Path, n_train: int) -> None:
    """Load ``--resume``'s checkpoint ``ckpt`` into ``state``, keeping this run's settings."""
    from minigrad.training_checkpoint import load_training_state

    if state.history.config["train_size"] != ckpt["history"]["config"].get("train_size"):
        raise CLIError(f"--resume: the checkpoint's run had "
                       f"{ckpt['history']['config'].get('train_size')} training samples, "
                       f"this data has {n_train}")
    config = dict(state.history.config)
    try:
        load_training_state(state, ckpt)
    except ValueError as e:
        raise CLIError(f"--resume: {e}") from None
    state.history.config.update(config)  # this run's settings, overrides included
    print(f"resuming {resume} at iteration {state.iteration}")
