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

Errors (missing data, bad options) print a message on stderr and exit with
status 2.
"""

from __future__ import annotations

import argparse
import contextlib
import datetime as _dt
import os
import shlex
import signal
import sys
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from minigrad._fileio import atomic_write

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


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status 2."""


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}") from None
    if value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {text!r}")
    return value


def _non_negative_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected an integer >= 0, got {text!r}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}") from None
    if not np.isfinite(value) or value <= 0:
        raise argparse.ArgumentTypeError(f"expected a positive number, got {text!r}")
    return value


def _init_std(text: str) -> float | str:
    if text.lower() in ("xavier", "he", "sigmoid", "relu"):
        return text.lower()
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected a number or one of xavier, he; got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _non_negative_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}") from None
    if not np.isfinite(value) or value < 0:
        raise argparse.ArgumentTypeError(f"expected a number >= 0, got {text!r}")
    return value


def _ratio(text: str) -> float:
    value = _non_negative_float(text)
    if value >= 1:
        raise argparse.ArgumentTypeError(f"expected a ratio in [0, 1), got {text!r}")
    return value


def _sizes(text: str) -> list[int]:
    try:
        sizes = [int(v) for v in text.split(",")]
    except ValueError:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 100,100,100, got {text!r}"
        ) from None
    if not sizes or min(sizes) <= 0:
        raise argparse.ArgumentTypeError(
            f"expected comma-separated positive integers such as 100,100,100, got {text!r}")
    return sizes


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
                         "settings; results go to the checkpoint's folder unless --out is given")
    io_group = p.add_argument_group("data and output")
    io_group.add_argument("--data-dir", type=Path, default=None, metavar="PATH",
                          help="folder with the MNIST files (default: $MINIGRAD_DATA, then "
                               "~/.cache/minigrad/mnist)")
    io_group.add_argument("--no-download", action="store_true",
                          help="fail instead of downloading missing MNIST files")
    io_group.add_argument("--out", type=Path, default=None, metavar="DIR",
                          help="output folder (default: runs/<YYYYmmdd-HHMMSS>, and runs/latest "
                               "links to it)")
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

def _read_resume_checkpoint(args: argparse.Namespace) -> dict[str, Any]:
    """Load ``--resume``'s checkpoint and take the run's settings from it (into ``args``)."""
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
        kind = cfg.get("model_kind", "two-layer")
        settings = {
            "model": kind, "hidden_size": cfg["sizes"][1], "activation": cfg["activation"],
            "hidden_sizes": cfg.get("hidden_sizes"), "batchnorm": cfg.get("batchnorm", False),
            "dropout": cfg.get("dropout"), "weight_decay": cfg.get("weight_decay"),
            "epochs": cfg.get("epochs"),
            "weight_init_std": cfg["weight_init_std"], "iters": cfg["iters"],
            "batch_size": cfg["batch_size"], "lr": cfg["lr"],
            "optimizer": str(cfg["optimizer"]).lower(), "seed": cfg["seed"],
            "early_stopping": cfg["early_stopping"], "eval_every": cfg["eval_every"],
        }
    except (AttributeError, KeyError, TypeError, IndexError):
        raise CLIError(f"--resume: {str(path)!r} is not a checkpoint written by minigrad "
                       "train") from None
    if kind not in MODELS:
        raise CLIError(f"--resume: the checkpoint's model {kind!r} is not one of "
                       f"{', '.join(MODELS)}")
    defaults = build_parser().parse_args(["train"])
    conflicts = [f"--{k.replace('_', '-')} {getattr(args, k)} (the checkpoint's run has {v})"
                 for k, v in settings.items()
                 if getattr(args, k) != getattr(defaults, k) and getattr(args, k) != v]
    if conflicts:
        raise CLIError("--resume continues a run with its own settings, but these options "
                       "differ: " + "; ".join(conflicts))
    for k, v in settings.items():
        setattr(args, k, v)
    if args.checkpoint_every is None:
        args.checkpoint_every = cfg.get("checkpoint_every")
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
    """Ctrl-C during training ends the run after the current iteration (a second one at once).

    Stopping between iterations leaves a whole state that a checkpoint can
    hold; ``count`` tells how many Ctrl-C were pressed.
    """

    def __init__(self, state: Any) -> None:
        self.state = state
        self.count = 0
        self._previous: Any = None

    def _handle(self, signum: int, frame: Any) -> None:
        self.count += 1
        if self.count > 1:
            raise KeyboardInterrupt
        self.state.stop = True
        self.state.stop_reason = "interrupted (KeyboardInterrupt)"

    def __enter__(self) -> _DeferredInterrupt:
        if threading.current_thread() is threading.main_thread():
            self._previous = signal.signal(signal.SIGINT, self._handle)
        return self

    def __exit__(self, *exc: object) -> None:
        if self._previous is not None:
            signal.signal(signal.SIGINT, self._previous)


def _checkpoint_on_interrupt(state: Any, path: Path, iters: int, presses: int) -> None:
    from minigrad.serialization import save_training_state

    resume = f"minigrad train --resume {shlex.quote(str(path))}"
    if presses > 1:
        msg = "interrupted twice: stopped inside an iteration, so no checkpoint was saved for it"
        if path.exists():
            msg += f"; the last checkpoint is {path} (resume with: {resume})"
        print(msg)
        return
    save_training_state(state, path)
    print(f"interrupted after {state.iteration} of {iters} iterations; checkpoint saved to "
          f"{path}\nresume with: {resume}")


def run_train(args: argparse.Namespace) -> int:
    """Run ``minigrad train`` with parsed arguments; returns the exit status."""
    from minigrad.train import Trainer

    ckpt = _read_resume_checkpoint(args) if args.resume is not None else None
    if args.model in MODEL_DEFAULTS:
        defaults = build_parser().parse_args(["train"])
        for k, v in MODEL_DEFAULTS[args.model].items():
            if getattr(args, k) == getattr(defaults, k) and not (k == "epochs" and
                                                                 args.iters != defaults.iters):
                setattr(args, k, v)
    out, default_out = _prepare_out_dir(args.out)
    ckpt_path = out / "checkpoint.npz"
    data = _load_data(args)
    (x_train, t_train), (x_test, t_test) = data
    seed = args.seed if args.seed is not None else int(np.random.default_rng().integers(2**63))
    model_seq, batch_seq = np.random.SeedSequence(seed).spawn(2)
    if args.epochs is not None:
        if args.iters != BOOK_DEFAULTS["iters"] and args.resume is None:
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
        "data_dir": str(args.data_dir) if args.data_dir is not None else None,
        "checkpoint_every": args.checkpoint_every,
    })
    if ckpt is not None:
        from minigrad.serialization import load_training_state

        if history.config["train_size"] != ckpt["history"]["config"].get("train_size"):
            raise CLIError(f"--resume: the checkpoint's run had "
                           f"{ckpt['history']['config'].get('train_size')} training samples, "
                           f"this data has {len(x_train)}")
        try:
            load_training_state(trainer.state, ckpt)
        except ValueError as e:
            raise CLIError(f"--resume: {e}") from None
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
    with _DeferredInterrupt(trainer.state) as sigint:
        history = trainer.run()
    interrupted = history.stop_reason is not None and "interrupted" in history.stop_reason
    if interrupted:
        _checkpoint_on_interrupt(trainer.state, ckpt_path, args.iters, sigint.count)

    if hasattr(model, "full_accuracy"):  # evaluated on a subset per epoch: the full test set
        history.config["final_full_test_acc"] = float(model.full_accuracy(x_test, t_test))
        print(f"test acc on all {len(x_test)} test images: "
              f"{history.config['final_full_test_acc']}")
    history.save_json(out / "history.json")
    history.save_csv(out / "history.csv")
    _save_weights(model, out / "weights.npz")
    if not args.no_figures:
        _save_figures(history, out)
        _save_loss_graph(model, data, args.batch_size, out)
    if default_out:
        _link_latest(out)

    if history.stopped_early:
        print(f"stopped after {history.iterations} iterations: {history.stop_reason}")
    print(f"final train acc, test acc | {history.final_train_acc}, {history.final_test_acc}")
    print(f"{history.iterations} iterations in {history.seconds:.1f} s; results in {out}")
    return 130 if interrupted else 0


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``minigrad`` command; returns the exit status.

    Parameters
    ----------
    argv : sequence of str, optional
        The arguments (default: ``sys.argv[1:]``).

    Returns
    -------
    int
        0 on success, 2 for a usage or data error, 130 when interrupted.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error (already printed)
        return int(e.code) if isinstance(e.code, int) else 2
    try:
        return int(args.handler(args))
    except CLIError as e:
        print(f"minigrad {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"minigrad {args.command}: interrupted", file=sys.stderr)
        return 130
