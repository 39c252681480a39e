"""The ``minigrad`` command line (``minigrad train``, also ``python -m minigrad train``).

``minigrad train`` runs the chapter's experiment: a 784-50-10 ``TwoLayerNet``
with sigmoid, trained on MNIST for 10,000 iterations of mini-batch SGD
(batch 100, learning rate 0.1), with the training and test accuracy printed
every epoch. Everything the run produces goes into one folder (``--out``,
by default ``runs/<YYYYmmdd-HHMMSS>``, with ``runs/latest`` pointing at the
newest run):

``history.json``, ``history.csv``
    Per-iteration losses and per-epoch accuracies (:class:`minigrad.train.History`).
``weights.npz``
    The trained parameters, keyed by their dotted names (``fc1.W``, ...);
    load with ``model.load_state_dict(np.load(path))``.
``loss.png``, ``accuracy.png``
    The chapter's figures 4-11 and 4-12 (needs matplotlib).
``loss_graph.svg``
    The computational graph of one loss (needs Graphviz's ``dot``).
``checkpoint.npz``
    The whole training state (``--checkpoint-every N``, and on Ctrl-C);
    ``minigrad train --resume <out>/checkpoint.npz`` continues the run and
    ends with exactly the weights an uninterrupted run would have.

``--model multi-layer`` trains chapter 6's ``MultiLayerNetExtend`` instead
(:class:`minigrad.models.MultiLayerNet`: ``--hidden-sizes``, ``--batchnorm``,
``--dropout``, ``--weight-decay``); ``--model simple-convnet`` and
``--model deep-convnet`` train chapters 7 and 8's networks with the book's
settings unless given (:data:`MODEL_DEFAULTS`: Adam, lr 0.001, 20 epochs;
accuracy on 1,000 samples per epoch, then on the whole test set).
:data:`MODELS` maps each ``--model`` name to the function that builds it.

Errors print a message on stderr, without a traceback, and end the command
with one of these exit statuses (also listed by ``minigrad train --help``):

0
    The run finished (or stopped early by ``--early-stopping``).
2
    Bad options, missing or corrupt data or checkpoint, sizes that cannot fit
    in memory, or an output folder in use by another run.
3
    The run diverged: the loss became non-finite. The message names the
    iteration; the last checkpoint written before it is kept.
4
    A result could not be written (disk full, permissions): the message names
    the file and the system's reason; the previous checkpoint is kept.
130
    Interrupted by Ctrl-C (SIGINT); the training state is saved to
    ``checkpoint.npz`` first (a second Ctrl-C stops at once).
143
    Terminated by SIGTERM (``kill``, ``timeout``, a batch scheduler, a closed
    terminal); the state is saved like on Ctrl-C.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import shlex
import signal
import socket
import sys
import threading
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from minigrad._fileio import atomic_write
from minigrad._validate import integer, number, positive_int

__all__ = ["main", "build_parser", "add_train_parser", "run_train", "CLIError"]

#: The chapter's settings.
BOOK_DEFAULTS: dict[str, Any] = {
    "iters": 10000,
    "batch_size": 100,
    "lr": 0.1,
    "hidden_size": 50,
    "activation": "sigmoid",
    "optimizer": "sgd",
    "weight_init_std": "0.01",
}


#: Exit statuses of ``minigrad train`` (see the module docstring).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_WRITE_FAILED = 4
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

EXIT_CODES_HELP = """exit status:
  0    the run finished
  2    bad options, missing or corrupt data or checkpoint, sizes that cannot fit
       in memory, or an output folder in use by another run
  3    the loss became non-finite (the message names the iteration; the last
       checkpoint before it is kept)
  4    a result could not be written (disk full, ...); the previous checkpoint
       is kept
  130  interrupted by Ctrl-C: the state is saved to <out>/checkpoint.npz
  143  terminated by SIGTERM: the state is saved like on Ctrl-C"""

#: The lock file that marks an output folder in use by a running ``minigrad train``.
LOCK_NAME = ".minigrad-train.lock"


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status ``code`` (2 by default)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _arg_type(parse: Any, check: Any, expected: str, name: str) -> Any:
    """An argparse ``type=``: ``check(parse(text))``, any failure an ``expected ...`` error.

    ``check`` is one of the package's validators (:mod:`minigrad._validate`), so the
    command line accepts exactly what the API does.
    """
    def convert(text: str) -> Any:
        try:
            return check(parse(text))
        except (TypeError, ValueError):
            raise argparse.ArgumentTypeError(f"expected {expected}, got {text!r}") from None

    convert.__name__ = name
    return convert


_positive_int = _arg_type(int, lambda v: positive_int(v, "value"), "a positive integer",
                          "positive_int")
_non_negative_int = _arg_type(int, lambda v: integer(v, "value", 0), "an integer >= 0",
                              "non_negative_int")
_positive_float = _arg_type(float, lambda v: number(v, "value", low_open=True),
                            "a positive number", "positive_float")
_non_negative_float = _arg_type(float, lambda v: number(v, "value"), "a number >= 0",
                                "non_negative_float")
_ratio = _arg_type(float, lambda v: number(v, "value", high=np.nextafter(1.0, 0.0)),
                   "a ratio in [0, 1)", "ratio")


def _init_std(text: str) -> float | str:
    if text.lower() in ("xavier", "he", "sigmoid", "relu"):
        return text.lower()
    try:
        float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or one of xavier, he; got {text!r}") from None
    return float(_non_negative_float(text))


def _sizes(text: str) -> list[int]:
    try:
        return [positive_int(int(v), "size") for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 100,100,100, got {text!r}"
        ) from None


# -- models ----------------------------------------------------------------------------
# ``minigrad train --model NAME`` builds MODELS[NAME](args, input_size, output_size, rng);
# a new model is one more entry (its options go in the "model" argument group).

def _build_two_layer(args: argparse.Namespace, n_in: int, n_out: int, rng: Any) -> Any:
    from minigrad.models import TwoLayerNet

    only_multi = [flag for flag, value in (("--hidden-sizes", args.hidden_sizes),
                                           ("--batchnorm", args.batchnorm),
                                           ("--dropout", args.dropout),
                                           ("--weight-decay", args.weight_decay))
                  if value not in (None, False, 0.0)]
    if only_multi:
        raise CLIError(f"{', '.join(only_multi)}: only with --model multi-layer")
    return TwoLayerNet(n_in, args.hidden_size, n_out, weight_init_std=args.weight_init_std,
                       activation=args.activation, seed=rng)


def _build_multi_layer(args: argparse.Namespace, n_in: int, n_out: int, rng: Any) -> Any:
    from minigrad.book.multi_layer_net import ACTIVATION_LAYERS
    from minigrad.models import MultiLayerNet

    if args.activation not in ACTIVATION_LAYERS:
        raise CLIError(f"--activation {args.activation}: --model multi-layer has "
                       f"{', '.join(sorted(ACTIVATION_LAYERS))}")
    return MultiLayerNet(n_in, list(args.hidden_sizes or [args.hidden_size]), n_out,
                         activation=args.activation, weight_init_std=args.weight_init_std,
                         weight_decay_lambda=args.weight_decay or 0.0,
                         use_dropout=args.dropout is not None,
                         dropout_ration=args.dropout if args.dropout is not None else 0.5,
                         use_batchnorm=args.batchnorm, seed=rng)


def _build_convnet(args: argparse.Namespace, n_in: int, n_out: int, rng: Any) -> Any:
    from minigrad.book._convnet import FlatImageModel
    from minigrad.book.deep_convnet import DeepConvNet
    from minigrad.book.simple_convnet import SimpleConvNet

    unused = [flag for flag, value in (("--hidden-sizes", args.hidden_sizes),
                                       ("--batchnorm", args.batchnorm),
                                       ("--dropout", args.dropout),
                                       ("--weight-decay", args.weight_decay))
              if value not in (None, False, 0.0)]
    if unused or args.activation != "relu":
        raise CLIError(f"{', '.join(unused) or '--activation ' + args.activation}: not with "
                       f"--model {args.model} (ReLU, the book's layers)")
    side = int(round(np.sqrt(n_in)))
    if side * side != n_in:
        raise CLIError(f"--model {args.model} needs square images, got {n_in} inputs")
    if args.model == "simple-convnet":
        if not isinstance(args.weight_init_std, (int, float)):
            raise CLIError(f"--weight-init-std {args.weight_init_std}: simple-convnet takes a "
                           "number (the book's 0.01)")
        net: Any = SimpleConvNet((1, side, side), hidden_size=args.hidden_size, output_size=n_out,
                                 weight_init_std=args.weight_init_std, seed=rng)
    else:
        net = DeepConvNet((1, side, side), hidden_size=args.hidden_size, output_size=n_out,
                          seed=rng)
    return FlatImageModel(net, evaluate=1000, dropout_seed=int(rng.integers(2**63)))


#: Models of ``minigrad train --model``: name -> builder(args, input_size, output_size, rng).
MODELS: dict[str, Any] = {
    "two-layer": _build_two_layer,
    "multi-layer": _build_multi_layer,
    "simple-convnet": _build_convnet,
    "deep-convnet": _build_convnet,
}

#: The book's settings of a model for the options left at their defaults (chapters 7-8:
#: Adam, lr 0.001, batch 100, 20 epochs; accuracy on 1,000 samples per epoch).
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "simple-convnet": {"optimizer": "adam", "lr": 0.001, "epochs": 20, "hidden_size": 100,
                       "activation": "relu", "weight_init_std": 0.01},
    "deep-convnet": {"optimizer": "adam", "lr": 0.001, "epochs": 20, "hidden_size": 50,
                     "activation": "relu"},
}


class _EpilogAsIs(argparse.HelpFormatter):
    """Wrap one-paragraph texts as usual; print texts with line breaks (exit codes) as is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to ``subparsers`` and return its parser.

    Arguments are grouped ("model", "training", "data and output") so that
    further options can be added to the matching group with
    ``parser.add_argument_group`` lookups or directly on the returned parser.
    """
    from minigrad.models import ACTIVATIONS
    from minigrad.optim import OPTIMIZERS

    p = subparsers.add_parser(
        "train",
        help="train chapter 4's TwoLayerNet (or chapter 6's multi-layer network) on MNIST",
        description=(
            "Train the chapter's two-layer network on MNIST with mini-batch SGD (section 5 of "
            "chapter 4 of Deep Learning from Scratch). The defaults are the book's: 784-50-10, "
            "sigmoid, 10000 iterations, batch 100, learning rate 0.1. Training and test "
            "accuracy are printed every epoch; the history, weights and figures are written "
            "to the output folder. --model multi-layer trains chapter 6's network instead "
            "(--hidden-sizes, --batchnorm, --dropout, --weight-decay)."),
        epilog=EXIT_CODES_HELP,
        formatter_class=_EpilogAsIs,
    )
    model = p.add_argument_group("model")
    model.add_argument("--model", choices=list(MODELS), default="two-layer",
                       help="two-layer: chapter 4's TwoLayerNet; multi-layer: chapter 6's "
                            "MultiLayerNetExtend; simple-convnet, deep-convnet: chapters 7 "
                            "and 8 (Adam, lr 0.001, 20 epochs unless given) "
                            "(default: %(default)s)")
    model.add_argument("--hidden-sizes", type=_sizes, default=None, metavar="N,N,...",
                       help="multi-layer: the hidden layer sizes, e.g. 100,100,100 "
                            "(default: one layer of --hidden-size)")
    model.add_argument("--batchnorm", action="store_true",
                       help="multi-layer: BatchNorm before every hidden activation")
    model.add_argument("--dropout", type=_ratio, default=None, metavar="RATIO",
                       help="multi-layer: the book's Dropout after every hidden activation")
    model.add_argument("--weight-decay", type=_non_negative_float, default=None,
                       metavar="LAMBDA",
                       help="multi-layer: add 0.5 * LAMBDA * sum(W**2) to the loss")
    model.add_argument("--hidden-size", type=_positive_int, default=BOOK_DEFAULTS["hidden_size"],
                       metavar="N", help="hidden layer size (default: %(default)s)")
    model.add_argument("--activation", choices=sorted(ACTIVATIONS),
                       default=BOOK_DEFAULTS["activation"],
                       help="hidden activation (default: %(default)s)")
    model.add_argument("--weight-init-std", type=_init_std,
                       default=BOOK_DEFAULTS["weight_init_std"], metavar="STD",
                       help="scale of the initial weights: a number, or xavier / he "
                            "(default: %(default)s)")
    model.add_argument("--weight-init", dest="weight_init_std", type=_init_std,
                       default=argparse.SUPPRESS, metavar="STD",
                       help="the same as --weight-init-std (STD, xavier or he)")
    tr = p.add_argument_group("training")
    tr.add_argument("--iters", type=_positive_int, default=BOOK_DEFAULTS["iters"], metavar="N",
                    help="number of iterations (default: %(default)s)")
    tr.add_argument("--epochs", type=_positive_int, default=None, metavar="N",
                    help="train for N epochs (int(N * max(train size / batch, 1)) iterations) "
                         "instead of --iters")
    tr.add_argument("--batch-size", type=_positive_int, default=BOOK_DEFAULTS["batch_size"],
                    metavar="N", help="mini-batch size (default: %(default)s)")
    tr.add_argument("--lr", type=_positive_float, default=BOOK_DEFAULTS["lr"], metavar="F",
                    help="learning rate (default: %(default)s)")
    tr.add_argument("--optimizer", choices=sorted(OPTIMIZERS), default=BOOK_DEFAULTS["optimizer"],
                    help="update rule (default: %(default)s)")
    tr.add_argument("--seed", type=_non_negative_int, default=None, metavar="N",
                    help="seed of the initial weights and the mini-batch draws (a run is "
                         "repeatable bit for bit); random when omitted, and recorded in "
                         "history.json")
    tr.add_argument("--early-stopping", type=_positive_int, default=None, metavar="PATIENCE",
                    help="stop when the test accuracy has not improved for PATIENCE epochs")
    tr.add_argument("--eval-every", type=_positive_int, default=None, metavar="N",
                    help="evaluate every N iterations instead of once per epoch")
    tr.add_argument("--checkpoint-every", type=_positive_int, default=None, metavar="N",
                    help="save the training state to <out>/checkpoint.npz every N iterations "
                         "(atomically); Ctrl-C saves it too")
    tr.add_argument("--resume", type=Path, default=None, metavar="PATH",
                    help="continue an interrupted run from its checkpoint, with that run's "
                         "settings (data folder included); options given here override them "
                         "(each override is printed); results go to the checkpoint's folder "
                         "unless --out is given")
    io_group = p.add_argument_group("data and output")
    io_group.add_argument("--data-dir", type=Path, default=None, metavar="PATH",
                          help="folder with the MNIST files (default: $MINIGRAD_DATA, then "
                               "~/.cache/minigrad/mnist)")
    io_group.add_argument("--no-download", action="store_true",
                          help="fail instead of downloading missing MNIST files")
    io_group.add_argument("--out", type=Path, default=None, metavar="DIR",
                          help="output folder (default: runs/<YYYYmmdd-HHMMSS>, and runs/latest "
                               "links to it)")
    io_group.add_argument("--overwrite", action="store_true",
                          help="write into --out even while another minigrad train holds its "
                               "lock (by default the second run refuses)")
    io_group.add_argument("--no-progress", action="store_true", help="hide the progress bar")
    io_group.add_argument("--no-figures", action="store_true",
                          help="do not write loss.png, accuracy.png and loss_graph.svg")
    io_group.add_argument("--profile-memory", action="store_true",
                          help="print the memory one training step's graph holds, then train")
    p.set_defaults(handler=run_train)
    return p


def build_parser() -> argparse.ArgumentParser:
    """Return the ``minigrad`` argument parser with its subcommands."""
    from minigrad import __version__

    parser = argparse.ArgumentParser(
        prog="minigrad",
        description="minigrad: a small define-by-run autodiff framework on NumPy.",
    )
    parser.add_argument("--version", action="version", version=f"minigrad {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    sub.required = True
    add_train_parser(sub)
    return parser


# ---------------------------------------------------------------------------
# minigrad train

def _default_out_dir() -> Path:
    root = Path("runs")
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = root / stamp
    k = 1
    while out.exists():
        k += 1
        out = root / f"{stamp}-{k}"
    return out


def _link_latest(out: Path) -> None:
    """Point ``runs/latest`` at ``out`` (best effort: skipped where symlinks are not possible)."""
    latest = out.parent / "latest"
    tmp = out.parent / f".latest.{os.getpid()}"
    try:
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(out.name, target_is_directory=True)
        os.replace(tmp, latest)
    except OSError:
        pass
    finally:  # after a failure (e.g. ``latest`` is a real folder), leave no stray link
        with contextlib.suppress(OSError):
            if tmp.is_symlink():
                tmp.unlink()


def _prepare_out_dir(out: Path | None) -> tuple[Path, bool]:
    default = out is None
    path = _default_out_dir() if out is None else out
    if path.exists() and not path.is_dir():
        raise CLIError(f"--out {str(path)!r} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CLIError(
            f"cannot create the output folder {str(path)!r}: {e.strerror or e}") from None
    if not os.access(path, os.W_OK):
        raise CLIError(f"the output folder {str(path)!r} is not writable")
    return path, default


def _load_data(args: argparse.Namespace) -> Any:
    from minigrad.datasets import DatasetError, load_mnist

    try:
        return load_mnist(normalize=True, one_hot_label=True, data_dir=args.data_dir,
                          download=not args.no_download,
                          progress=False if args.no_progress else None)
    except DatasetError as e:
        raise CLIError(f"cannot load MNIST: {e}") from None
    except OSError as e:
        raise CLIError(f"cannot load MNIST: {e}") from None


def _save_weights(model: Any, path: Path) -> Path:
    with atomic_write(path, parents=True) as f:
        np.savez(f, **model.state_dict())
    return path


def _warn(message: str) -> None:
    print(f"minigrad train: warning: {message}", file=sys.stderr)


def _save_figures(history: Any, out: Path) -> list[Path]:
    written: list[Path] = []
    try:
        from minigrad import plotting
    except ImportError as e:  # pragma: no cover - plotting is part of the package
        _warn(f"figures skipped ({e})")
        return written
    try:
        if history.losses:
            written.append(plotting.save_loss_curve(history.losses, out / "loss.png"))
        if history.train_acc:
            written.append(plotting.save_accuracy_curves(history.train_acc, history.test_acc,
                                                         out / "accuracy.png"))
    except ImportError as e:
        _warn(f"loss.png and accuracy.png skipped: {e}")
    return written


def _save_loss_graph(model: Any, data: Any, batch_size: int, out: Path) -> Path | None:
    try:
        from minigrad import viz
    except ImportError as e:
        _warn(f"loss_graph.svg skipped: {e}")
        return None
    draw = getattr(viz, "draw_graph", None)
    if draw is None:
        return None
    (x_train, t_train), _ = data
    loss = model.loss(x_train[:batch_size], t_train[:batch_size])
    try:
        return Path(draw(loss, path=out / "loss_graph.svg"))
    except Exception as e:  # noqa: BLE001 - a missing `dot` must not fail the run
        _warn(f"loss_graph.svg skipped: {e}")
        return None


# -- checkpoints and resuming ----------------------------------------------------------

#: Options that are not settings of the run (not recorded, not restored by --resume).
_NOT_SETTINGS = frozenset({"command", "handler", "resume", "out", "overwrite", "no_progress",
                           "no_figures", "profile_memory", "given"})


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices.get(command)
            return sub if isinstance(sub, argparse.ArgumentParser) else None
    return None


def _given_options(argv: Sequence[str], command: str) -> set[str]:
    """The destinations of the options that ``argv`` gives explicitly (not by default)."""
    parser = build_parser()
    sub = _subparser(parser, command)
    if sub is None:
        return set()
    for action in sub._actions:
        action.default = argparse.SUPPRESS
    sub.set_defaults(handler=argparse.SUPPRESS)
    try:
        ns = parser.parse_args(list(argv))
    except SystemExit:  # pragma: no cover - argv was parsed once already
        return set()
    return set(vars(ns)) - {"command", "handler"}


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


def _read_resume_checkpoint(args: argparse.Namespace) -> dict[str, Any]:
    """Load ``--resume``'s checkpoint and take the run's settings from it (into ``args``).

    Every setting recorded in the checkpoint (the data folder included) is
    used, except those given on the command line: they override the
    checkpoint's, and each override is printed.
    """
    from minigrad.serialization import TRAINING_KIND, CheckpointError, load

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
    defaults = build_parser().parse_args(["train"])
    given = getattr(args, "given", None)
    sub = _subparser(build_parser(), "train")
    types = {a.dest: a.type for a in (sub._actions if sub is not None else [])}
    for k, v in settings.items():
        if k in _NOT_SETTINGS or not hasattr(args, k):
            continue  # an option this version does not have
        if v is not None and types.get(k) is Path:
            v = Path(v)
        current = getattr(args, k)
        explicit = k in given if given is not None else current != getattr(defaults, k)
        if not explicit:
            setattr(args, k, v)
        elif current != v:
            flag = "--" + k.replace("_", "-")
            shown = "" if isinstance(current, bool) else f" {current}"
            print(f"resume: {flag}{shown} overrides the checkpoint's setting ({v})")
    if args.out is None:
        args.out = path.parent
    return ckpt


def _checkpoint_saver(every: int | None, path: Path) -> Any:
    """A training callback that saves the state to ``path`` every ``every`` iterations."""
    if not every:
        return None
    from minigrad.serialization import save_training_state

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
    from minigrad.serialization import save_training_state

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


# -- sizes -----------------------------------------------------------------------------

def _available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def _human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def _memory_needed(n_in: int, hidden: int, n_out: int, batch: int, n_eval: int,
                   optimizer: str, itemsize: int = 8) -> int:
    """A lower estimate of the bytes one training step and one evaluation need at once.

    The parameters with their gradients and optimizer buffers, one
    mini-batch with the graph's activations (about four arrays of the hidden
    layer's size and four of the output's), and the forward pass over the
    largest evaluation set.
    """
    params = n_in * hidden + hidden + hidden * n_out + n_out
    copies = 2 + {"momentum": 1, "adagrad": 1, "adam": 2}.get(optimizer, 0)
    step = batch * (2 * n_in + 4 * hidden + 4 * n_out)
    evaluation = n_eval * (2 * hidden + 2 * n_out)
    return itemsize * (params * copies + step + evaluation)


def _check_sizes(args: argparse.Namespace, n_in: int, n_out: int, n_eval: int) -> None:
    """Refuse (exit 2) sizes whose memory is more than is available, before allocating."""
    sizes = getattr(args, "hidden_sizes", None)
    hidden = max(sizes or [args.hidden_size])  # the widest hidden layer
    need = _memory_needed(n_in, hidden, n_out, args.batch_size, n_eval, str(args.optimizer))
    have = _available_memory()
    if have is not None and need > have:
        flag = (f"--hidden-sizes {','.join(map(str, sizes))}" if sizes
                else f"--hidden-size {args.hidden_size}")
        raise CLIError(
            f"{flag} with --batch-size {args.batch_size} "
            f"({n_in}-{hidden}-{n_out}, {args.optimizer}) needs at least "
            f"{_human(need)} of memory ({need} bytes), but only {_human(have)} is available; "
            "choose smaller sizes")


# -- the output folder's lock ------------------------------------------------------------

def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    except OSError:  # pragma: no cover
        return True
    return True


def _read_lock(lock: Path) -> tuple[int | None, str]:
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, ""
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        return int(fields.get("pid", "")), fields.get("host", "")
    except ValueError:
        return None, fields.get("host", "")


class _OutputLock:
    """``<out>/.minigrad-train.lock``: one ``minigrad train`` at a time writes into a folder.

    The lock file holds the owner's pid and host. A lock whose process has
    ended (on this host) is stale and taken over; a live one makes the
    second run refuse, unless ``overwrite``. The lock is removed when the
    run ends, however it ends (a SIGKILL leaves a stale lock behind).
    """

    def __init__(self, folder: Path, overwrite: bool) -> None:
        self.path = folder / LOCK_NAME
        self.overwrite = overwrite
        self.held = False

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"pid={os.getpid()}\nhost={socket.gethostname()}\n")
        return True

    def __enter__(self) -> _OutputLock:
        try:
            for _ in range(3):
                if self._create():
                    self.held = True
                    return self
                pid, host = _read_lock(self.path)
                here = host == socket.gethostname()
                if pid is not None and here and not _pid_alive(pid):
                    print(f"removing the stale lock of an ended run (pid {pid}) in "
                          f"{self.path.parent}")
                elif self.overwrite:
                    _warn(f"--overwrite: taking over {self.path} from pid {pid} on {host!r}; "
                          "two runs now write into the same folder")
                else:
                    who = f"pid {pid}" + ("" if here else f" on host {host!r}")
                    raise CLIError(
                        f"the output folder {str(self.path.parent)!r} is in use by another "
                        f"minigrad train ({who}); wait for it to end, choose another --out, or "
                        f"pass --overwrite (the lock is {self.path})")
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
        except OSError as e:
            raise CLIError(f"cannot lock the output folder: {e}", EXIT_WRITE_FAILED) from None
        raise CLIError(f"cannot lock the output folder {str(self.path.parent)!r}: another run "
                       "keeps taking it")

    def __exit__(self, *exc: object) -> None:
        if not self.held:
            return
        pid, _ = _read_lock(self.path)
        if pid == os.getpid():
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.held = False


# -- minigrad train ---------------------------------------------------------------------

def _write_error(e: OSError, what: str, ckpt_path: Path) -> CLIError:
    msg = f"cannot save {what}: {e}"
    if e.errno is not None and e.strerror and e.strerror not in str(e):
        msg += f" ({e.strerror})"
    if ckpt_path.exists():
        msg += f"; the previous checkpoint {ckpt_path} is kept"
    return CLIError(msg, EXIT_WRITE_FAILED)


def run_train(args: argparse.Namespace) -> int:
    """Run ``minigrad train`` with parsed arguments; returns the exit status."""
    ckpt = _read_resume_checkpoint(args) if args.resume is not None else None
    if args.model in MODEL_DEFAULTS:
        defaults = build_parser().parse_args(["train"])
        for k, v in MODEL_DEFAULTS[args.model].items():
            if getattr(args, k) == getattr(defaults, k) and not (k == "epochs" and
                                                                 args.iters != defaults.iters):
                setattr(args, k, v)
    out, default_out = _prepare_out_dir(args.out)
    with _OutputLock(out, getattr(args, "overwrite", False)):
        return _train_in(args, ckpt, out, default_out)


def _train_in(args: argparse.Namespace, ckpt: dict[str, Any] | None, out: Path,
              default_out: bool) -> int:
    from minigrad.datasets import mnist_data_dir
    from minigrad.train import Trainer

    ckpt_path = out / "checkpoint.npz"
    data = _load_data(args)
    (x_train, t_train), (x_test, t_test) = data
    _check_sizes(args, int(x_train.shape[1]), int(t_train.shape[1]),
                 max(len(x_train), len(x_test)))
    seed = args.seed if args.seed is not None else int(np.random.default_rng().integers(2**63))
    args.seed = seed
    if args.data_dir is None:  # record where the data was, so that --resume finds it
        args.data_dir = mnist_data_dir(None).expanduser().resolve()
    model_seq, batch_seq = np.random.SeedSequence(seed).spawn(2)
    if args.epochs is not None:
        given = getattr(args, "given", None)
        iters_given = ("iters" in given) if given is not None else \
            args.iters != BOOK_DEFAULTS["iters"]
        if iters_given and args.resume is None:
            raise CLIError("give either --epochs or --iters, not both")
        args.iters = max(int(args.epochs * max(len(x_train) / args.batch_size, 1)), 1)
    model = MODELS[args.model](args, x_train.shape[1], t_train.shape[1],
                               np.random.default_rng(model_seq))
    trainer = Trainer(model, data, iters=args.iters, batch_size=args.batch_size, lr=args.lr,
                      optimizer=args.optimizer, seed=np.random.default_rng(batch_seq),
                      early_stopping=args.early_stopping, progress=not args.no_progress,
                      eval_every=args.eval_every,
                      callback=_checkpoint_saver(args.checkpoint_every, ckpt_path))
    history = trainer.state.history
    history.config.update({
        "seed": seed, "model": type(model).__name__, "model_kind": args.model,
        "sizes": [int(v) for v in model.sizes], "hidden_sizes": args.hidden_sizes,
        "batchnorm": args.batchnorm, "dropout": args.dropout, "weight_decay": args.weight_decay,
        "epochs": args.epochs,
        "activation": args.activation, "weight_init_std": args.weight_init_std,
        "data_dir": str(args.data_dir),
        "checkpoint_every": args.checkpoint_every,
        "cli": _run_settings(args),
    })
    if ckpt is not None:
        from minigrad.serialization import load_training_state

        if history.config["train_size"] != ckpt["history"]["config"].get("train_size"):
            raise CLIError(f"--resume: the checkpoint's run had "
                           f"{ckpt['history']['config'].get('train_size')} training samples, "
                           f"this data has {len(x_train)}")
        config = dict(history.config)
        try:
            load_training_state(trainer.state, ckpt)
        except ValueError as e:
            raise CLIError(f"--resume: {e}") from None
        trainer.state.history.config.update(config)  # this run's settings, overrides included
        history = trainer.state.history
        print(f"resuming {args.resume} at iteration {trainer.state.iteration}")
    extras = "".join([", batchnorm" if args.batchnorm else "",
                      f", dropout {args.dropout}" if args.dropout is not None else "",
                      f", weight decay {args.weight_decay}" if args.weight_decay else ""])
    print(f"minigrad train: {args.model} {'-'.join(str(v) for v in model.sizes)} "
          f"{args.activation}{extras}, {args.iters} iterations, batch {args.batch_size}, "
          f"lr {args.lr}, "
          f"{args.optimizer}, seed {seed}, {len(x_train)} training / {len(x_test)} test "
          f"samples -> {out}")
    if args.profile_memory:
        from minigrad.debug import memory_profile_of_step

        n = args.batch_size
        print(memory_profile_of_step(model, x_train[:n], t_train[:n]))
    with _DeferredInterrupt(trainer.state) as sig:
        try:
            history = trainer.run()
        except OSError as e:
            raise _write_error(e, "the checkpoint", ckpt_path) from None
    interrupted = history.stop_reason is not None and "interrupted" in history.stop_reason
    if hasattr(model, "full_accuracy") and not history.diverged:  # a subset per epoch
        history.config["final_full_test_acc"] = float(model.full_accuracy(x_test, t_test))
        print(f"test acc on all {len(x_test)} test images: "
              f"{history.config['final_full_test_acc']}")
    try:
        if interrupted:
            what = "interrupted" if sig.exit_code == EXIT_SIGINT else "terminated (SIGTERM)"
            _checkpoint_on_interrupt(trainer.state, ckpt_path, args.iters, sig.count, what)
        history.save_json(out / "history.json")
        history.save_csv(out / "history.csv")
        if not history.diverged:
            _save_weights(model, out / "weights.npz")
    except OSError as e:
        raise _write_error(e, "the results", ckpt_path) from None
    if history.diverged:
        kept = (f"the last checkpoint before it, {ckpt_path}, is kept" if ckpt_path.exists()
                else "no checkpoint was saved before it")
        print(f"minigrad train: error: {history.stop_reason}; weights.npz was not written; "
              f"{kept}; try a smaller --lr", file=sys.stderr)
        return EXIT_DIVERGED
    if not args.no_figures:
        try:
            _save_figures(history, out)
        except OSError as e:
            raise _write_error(e, "the figures", ckpt_path) from None
        _save_loss_graph(model, data, args.batch_size, out)
    if default_out:
        _link_latest(out)

    if history.stopped_early:
        print(f"stopped after {history.iterations} iterations: {history.stop_reason}")
    print(f"final train acc, test acc | {history.final_train_acc}, {history.final_test_acc}")
    print(f"{history.iterations} iterations in {history.seconds:.1f} s; results in {out}")
    return sig.exit_code if interrupted else EXIT_OK


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``minigrad`` command; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success; 2 for a usage, data or size error; 3 when training
        diverged; 4 when a result could not be written; 130 when interrupted
        by Ctrl-C, 143 by SIGTERM (see ``minigrad train --help``).
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error (already printed)
        return int(e.code) if isinstance(e.code, int) else 2
    args.given = _given_options(argv, args.command)
    try:
        return int(args.handler(args))
    except CLIError as e:
        print(f"minigrad {args.command}: error: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print(f"minigrad {args.command}: interrupted", file=sys.stderr)
        return 130
