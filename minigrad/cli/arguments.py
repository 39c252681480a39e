"""The options of ``minigrad train``: their types, defaults, groups and help.

Every option type checks its value with the package's validators
(:mod:`minigrad._validate`), so the command line accepts exactly what the
API does, and a bad value ends the command with exit status 2 and a message
naming the option.
"""

from __future__ import annotations

import argparse
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from minigrad._validate import integer, number, positive_int

from .errors import EXIT_CODES_HELP, CLIError
from .model_choice import MODELS

__all__ = ["BOOK_DEFAULTS", "DTYPES"]

#: The chapter's settings.
BOOK_DEFAULTS: dict[str, Any] = {
    "iters": 10000,
    "batch_size": 100,
    "lr": 0.1,
    "hidden_size": 50,
    "activation": "sigmoid",
    "optimizer": "sgd",
    "weight_init_std": "0.01",
    "dtype": "float64",
}

#: The float types ``--dtype`` takes.
DTYPES = ("float64", "float32")


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


class _EpilogAsIs(argparse.HelpFormatter):
    """Wrap one-paragraph texts as usual; print texts with line breaks (exit codes) as is."""

    def _fill_text(self, text: str, width: int, indent: str) -> str:
        if "\n" in text:
            return "".join(indent + line for line in text.splitlines(keepends=True))
        return super()._fill_text(text, width, indent)


def _train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand with all its options to ``subparsers`` (no handler)."""
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
            "(--hidden-sizes, --batchnorm, --dropout, --weight-decay). An option the chosen "
            "model cannot use is refused, never ignored."),
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
    tr.add_argument("--dtype", choices=list(DTYPES), default=BOOK_DEFAULTS["dtype"],
                    help="float type of the whole run: float32 loads MNIST as float32 (as the "
                         "book does), creates the parameters in float32 and trains in float32 "
                         "(default: %(default)s)")
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
    io_group.add_argument("--no-progress", action="store_true",
                          help="hide the progress bar (shown only when stderr is a terminal)")
    io_group.add_argument("--no-figures", action="store_true",
                          help="do not write loss.png, accuracy.png and loss_graph.svg")
    io_group.add_argument("--profile-memory", action="store_true",
                          help="print the memory one training step's graph holds, then train")
    return p


def _subparser(parser: argparse.ArgumentParser, command: str) -> argparse.ArgumentParser | None:
    for action in parser._actions:
        if isinstance(action, argparse._SubParsersAction):
            sub = action.choices.get(command)
            return sub if isinstance(sub, argparse.ArgumentParser) else None
    return None


def _given_options(parser: argparse.ArgumentParser, argv: Sequence[str],
                   command: str) -> set[str]:
    """The destinations of the options that ``argv`` gives explicitly (not by default).

    ``parser`` is a fresh :func:`~minigrad.cli.build_parser` (its defaults are changed).
    """
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


def _given_or_changed(args: argparse.Namespace, parser: argparse.ArgumentParser) -> set[str]:
    """``args.given``: the options given on the command line (set by :func:`minigrad.cli.main`).

    A namespace built without ``main`` (``parser.parse_args(...)`` passed to
    :func:`~minigrad.cli.run_train`) has no record of them: then the options whose
    value differs from the default count as given, and ``args.given`` is set to them.
    """
    given = getattr(args, "given", None)
    if given is None:
        defaults = vars(parser.parse_args(["train"]))
        given = {k for k, v in vars(args).items() if k in defaults and v != defaults[k]}
        args.given = given
    return set(given)


#: Pairs of options that say the same thing: the first wins when it is set (``--epochs``
#: sets the number of iterations; ``--hidden-sizes`` the hidden layers).
_EITHER = (("epochs", "iters"), ("hidden_sizes", "hidden_size"))


def _one_of_each_pair(args: argparse.Namespace, given: set[str], restored: set[str]) -> None:
    """Refuse both options of a pair of :data:`_EITHER` given together (exit 2).

    With ``--resume``, the one given wins over the other restored from the checkpoint.
    """
    for first, second in _EITHER:
        if first in given and second in given:
            raise CLIError(f"give either --{first.replace('_', '-')} or "
                           f"--{second.replace('_', '-')}, not both")
        if second in given and first in restored:
            setattr(args, first, None)
