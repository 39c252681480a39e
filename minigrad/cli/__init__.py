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
settings for the options not given (:data:`MODEL_DEFAULTS`: Adam, lr 0.001,
20 epochs; accuracy on 1,000 samples per epoch, then on the whole test set);
an option given with the default's value counts as given.
:data:`MODELS` maps each ``--model`` name to the function that builds it, and
:data:`MODEL_OPTIONS` says which values of ``--hidden-size``, ``--activation``,
``--weight-init-std``, ... each model takes: a value the model cannot use is
refused (exit 2, naming the option and the model), never ignored, so
``history.json`` records what the run used.

``--dtype float32`` loads MNIST as float32 (as the book does), creates the model's
parameters and buffers in float32 (drawn as for float64, then rounded) and trains in
float32; the default is float64. ``history.json`` records it, and ``--resume`` keeps it.

The progress bar is shown only when its output (stderr) is a terminal; in a
log or a pipe only the per-epoch lines are printed.

Errors print a message on stderr, without a traceback, and end the command
with one of the exit statuses of :data:`minigrad.cli.errors.EXIT_CODES`, the
list that ``minigrad train --help`` prints. On Ctrl-C or SIGTERM the run
ends after the running iteration and saves its state to ``checkpoint.npz``
first; a second signal stops at once.

The package holds one part of the command per module: :mod:`~minigrad.cli.arguments`
(the options), :mod:`~minigrad.cli.model_choice` (``--model``),
:mod:`~minigrad.cli.rundir` (the output folder and its lock),
:mod:`~minigrad.cli.checkpoints` (saving and ``--resume``),
:mod:`~minigrad.cli.memory` (the size check), :mod:`~minigrad.cli.results`
(weights and figures) and :mod:`~minigrad.cli.errors` (exit statuses); this
module puts them together.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from .arguments import (
    BOOK_DEFAULTS,
    _given_options,
    _given_or_changed,
    _one_of_each_pair,
    _train_parser,
)
from .checkpoints import (
    _checkpoint_on_interrupt,
    _checkpoint_saver,
    _DeferredInterrupt,
    _read_resume_checkpoint,
    _resume,
    _run_settings,
)
from .errors import (
    EXIT_CODES,
    EXIT_CODES_HELP,
    EXIT_DIVERGED,
    EXIT_OK,
    EXIT_SIGINT,
    EXIT_SIGTERM,
    EXIT_USAGE,
    EXIT_WRITE_FAILED,
    CLIError,
    _write_error,
)
from .memory import _available_memory, _check_sizes
from .memory import _memory_needed as _memory_needed  # importable from here, as before
from .model_choice import (
    MODEL_DEFAULTS,
    MODEL_OPTIONS,
    MODELS,
    _apply_model_defaults,
    _check_model_options,
)
from .results import _save_figures, _save_loss_graph, _save_weights
from .rundir import LOCK_NAME, _link_latest, _OutputLock, _prepare_out_dir

__all__ = ["main", "build_parser", "add_train_parser", "run_train", "CLIError",
           "BOOK_DEFAULTS", "MODELS", "MODEL_DEFAULTS", "MODEL_OPTIONS", "LOCK_NAME", "EXIT_CODES",
           "EXIT_CODES_HELP", "EXIT_OK", "EXIT_USAGE", "EXIT_DIVERGED", "EXIT_WRITE_FAILED",
           "EXIT_SIGINT", "EXIT_SIGTERM"]


def add_train_parser(subparsers: Any) -> argparse.ArgumentParser:
    """Add the ``train`` subcommand to ``subparsers`` and return its parser.

    Arguments are grouped ("model", "training", "data and output") so that
    further options can be added to the matching group with
    ``parser.add_argument_group`` lookups or directly on the returned parser.
    """
    p = _train_parser(subparsers)
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


# The run below finds _load_data, _available_memory and _checkpoint_saver in this module's
# namespace when it runs, so replacing them on minigrad.cli (as the tests do) takes effect.

def _load_data(args: argparse.Namespace) -> Any:
    from minigrad.datasets import DatasetError, load_mnist

    try:
        return load_mnist(normalize=True, one_hot_label=True, data_dir=args.data_dir,
                          download=not args.no_download,
                          progress=False if args.no_progress else None,
                          dtype=np.dtype(getattr(args, "dtype", "float64")))
    except DatasetError as e:
        raise CLIError(f"cannot load MNIST: {e}") from None
    except OSError as e:
        raise CLIError(f"cannot load MNIST: {e}") from None


def _in_dtype(data: Any, dtype: np.dtype) -> Any:
    """The data set's float arrays (images, one-hot labels) in ``dtype`` (``--dtype``)."""
    return tuple(tuple(a.astype(dtype, copy=False)
                       if isinstance(a, np.ndarray) and a.dtype.kind == "f" else a
                       for a in pair) for pair in data)


def run_train(args: argparse.Namespace) -> int:
    """Run ``minigrad train`` with parsed arguments; returns the exit status.

    ``args.given`` names the options given on the command line (:func:`main` sets
    it); without it, the options whose value differs from the default count as
    given. A model's preset fills only the options neither given nor restored by
    ``--resume``, and a given option the model cannot use is refused (exit 2).
    """
    parser = build_parser()
    given = _given_or_changed(args, parser)
    ckpt = _read_resume_checkpoint(args, parser) if args.resume is not None else None
    restored = set(getattr(args, "restored", ()))
    _one_of_each_pair(args, given, restored)
    _apply_model_defaults(args, given | restored)
    _check_model_options(args, given)
    out, default_out = _prepare_out_dir(args.out)
    with _OutputLock(out, getattr(args, "overwrite", False)):
        return _train_in(args, ckpt, out, default_out)


def _train_in(args: argparse.Namespace, ckpt: dict[str, Any] | None, out: Path,
              default_out: bool) -> int:
    from minigrad.datasets import mnist_data_dir
    from minigrad.train import Trainer

    ckpt_path = out / "checkpoint.npz"
    data = _in_dtype(_load_data(args), np.dtype(args.dtype))
    (x_train, t_train), (x_test, t_test) = data
    _check_sizes(args, int(x_train.shape[1]), int(t_train.shape[1]),
                 max(len(x_train), len(x_test)), _available_memory())
    seed = args.seed if args.seed is not None else int(np.random.default_rng().integers(2**63))
    args.seed = seed
    if args.data_dir is None:  # record where the data was, so that --resume finds it
        args.data_dir = mnist_data_dir(None).expanduser().resolve()
    model_seq, batch_seq = np.random.SeedSequence(seed).spawn(2)
    if args.epochs is not None:
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
        "epochs": args.epochs, "dtype": args.dtype,
        "activation": args.activation, "weight_init_std": args.weight_init_std,
        "data_dir": str(args.data_dir),
        "checkpoint_every": args.checkpoint_every,
        "cli": _run_settings(args),
    })
    if ckpt is not None:
        _resume(trainer.state, ckpt, args.resume, len(x_train))
        history = trainer.state.history
    extras = "".join([f", {args.dtype}" if args.dtype != BOOK_DEFAULTS["dtype"] else "",
                      ", batchnorm" if args.batchnorm else "",
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
        before = {k: np.array(v, copy=True) for k, v in model.state_dict().items()}
        print(memory_profile_of_step(model, x_train[:n], t_train[:n]))
        model.load_state_dict(before)  # its forward moved BatchNorm's statistics, dropout's step
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
        The exit status: one of :data:`~minigrad.cli.errors.EXIT_CODES`
        (listed by ``minigrad train --help``).
    """
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # --help, --version, or a usage error (already printed)
        return int(e.code) if isinstance(e.code, int) else EXIT_USAGE
    args.given = _given_options(build_parser(), argv, args.command)
    try:
        return int(args.handler(args))
    except CLIError as e:
        print(f"minigrad {args.command}: error: {e}", file=sys.stderr)
        return e.code
    except KeyboardInterrupt:
        print(f"minigrad {args.command}: interrupted", file=sys.stderr)
        return EXIT_SIGINT
