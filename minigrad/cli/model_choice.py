"""The models of ``minigrad train --model``: which network each name builds, and how.

``minigrad train --model NAME`` builds ``MODELS[NAME](args, input_size, output_size, rng)``;
a new model is one more entry (its options go in the "model" argument group of
:mod:`minigrad.cli.arguments`). :data:`MODEL_OPTIONS` says which values of the model
options each model takes (any other given value is refused, exit 2, naming the option
and the model), and :data:`MODEL_DEFAULTS` holds the book's settings of a model for
the options not given.
"""

from __future__ import annotations

import argparse
from collections.abc import Callable, Collection
from typing import Any

import numpy as np

from .errors import CLIError

__all__ = ["MODELS", "MODEL_DEFAULTS", "MODEL_OPTIONS", "Takes"]


class Takes:
    """Which values of one option a model takes (an entry of :data:`MODEL_OPTIONS`).

    Parameters
    ----------
    says : str
        What the refusal of another value says the model takes ("only relu").
    accepts : callable
        ``accepts(value) -> bool`` for the option's parsed value.
    """

    def __init__(self, says: str, accepts: Callable[[Any], bool]) -> None:
        self.says = says
        self.accepts = accepts

    def __repr__(self) -> str:
        return f"Takes({self.says!r})"


#: Every value the option's type accepts.
ANY = Takes("any value", lambda value: True)
#: A number (not xavier, he, ...).
NUMBER = Takes("a number", lambda value: isinstance(value, (int, float))
               and not isinstance(value, bool))


def only(*values: Any, why: str = "") -> Takes:
    """The option takes only ``values`` (the model's own, fixed): ``only("relu")``."""
    says = "only " + " or ".join(str(v) for v in values) + (f" ({why})" if why else "")
    return Takes(says, lambda value: value in values)


#: The options of the "model" group, by destination, and the flag that gives each.
MODEL_OPTION_FLAGS: dict[str, str] = {
    "hidden_size": "--hidden-size", "hidden_sizes": "--hidden-sizes",
    "activation": "--activation", "weight_init_std": "--weight-init-std",
    "batchnorm": "--batchnorm", "dropout": "--dropout", "weight_decay": "--weight-decay",
}

#: Which model options each model takes, and which of their values: ``ANY`` value, a
#: ``NUMBER``, or ``only(...)`` the model's own. An option missing from a model's entry
#: is one that model does not have; it is refused whatever its value. Everything else
#: (``--iters``, ``--lr``, ``--optimizer``, the data and output options, ...) applies to
#: every model. ``minigrad train`` refuses (exit 2) a given value that the model does
#: not take, naming the option and the model.
MODEL_OPTIONS: dict[str, dict[str, Takes]] = {
    "two-layer": {"hidden_size": ANY, "activation": ANY, "weight_init_std": ANY},
    "multi-layer": {"hidden_size": ANY, "hidden_sizes": ANY, "batchnorm": ANY, "dropout": ANY,
                    "weight_decay": ANY, "activation": only("relu", "sigmoid"),
                    "weight_init_std": ANY},
    "simple-convnet": {"hidden_size": ANY, "activation": only("relu", why="the book's layers"),
                       "weight_init_std": NUMBER},
    "deep-convnet": {"hidden_size": ANY, "activation": only("relu", why="the book's layers"),
                     "weight_init_std": only("he", "relu", why="the book's He scales"),
                     "dropout": only(0.5, why="the book's layers")},
}

#: The value of a model option that a model does not have (nothing given).
_OFF: dict[str, Any] = {"hidden_sizes": None, "batchnorm": False, "dropout": None,
                        "weight_decay": None}


def _shown(flag: str, value: Any) -> str:
    if isinstance(value, bool):
        return flag
    if isinstance(value, list):
        return f"{flag} {','.join(map(str, value))}"
    return f"{flag} {value}"


def _takes(model: str, dest: str, value: Any) -> bool:
    takes = MODEL_OPTIONS[model].get(dest)
    return takes.accepts(value) if takes is not None else value == _OFF[dest]


def _check_model_options(args: argparse.Namespace, given: Collection[str]) -> None:
    """Refuse (exit 2) the model options given in ``args`` that ``args.model`` does not take.

    The message names each such option with its value, and the model. An option
    not ``given`` whose value the model does not take (a setting recorded by an
    older version in a ``--resume`` checkpoint) gets the value the model uses.
    """
    model = args.model
    refused = []
    for dest, flag in MODEL_OPTION_FLAGS.items():
        value = getattr(args, dest, _OFF.get(dest))
        if _takes(model, dest, value):
            continue
        takes = MODEL_OPTIONS[model].get(dest)
        if dest not in given:
            setattr(args, dest, MODEL_DEFAULTS.get(model, {}).get(dest, _OFF.get(dest)))
        elif takes is None:
            having = [m for m, options in MODEL_OPTIONS.items() if dest in options]
            refused.append(f"{_shown(flag, value)}: not an option of --model {model} "
                           f"(only with --model {' or '.join(having)})")
        else:
            refused.append(f"{_shown(flag, value)}: --model {model} takes {takes.says}")
    if refused:
        raise CLIError("; ".join(refused))


def _in_dtype(model: Any, args: argparse.Namespace) -> Any:
    """``model`` with every floating parameter and buffer in ``args.dtype`` (``--dtype``).

    The initial values are drawn as for float64 and rounded, so a seed starts both
    dtypes from the same weights. Parameters are converted in place (the book's
    networks share them between ``params`` and their layers).
    """
    dtype = np.dtype(getattr(args, "dtype", "float64"))
    for p in model.parameters():
        if p.dtype.kind == "f" and p.dtype != dtype:
            p.data = p.data.astype(dtype)
    for module in model.modules():
        for name, b in list(module._buffers.items()):
            if b is not None and b.dtype.kind == "f" and b.dtype != dtype:
                setattr(module, name, b.astype(dtype))
    return model


def _build_two_layer(args: argparse.Namespace, n_in: int, n_out: int, rng: Any) -> Any:
    from minigrad.models import TwoLayerNet

    _check_model_options(args, MODEL_OPTION_FLAGS)
    return _in_dtype(TwoLayerNet(n_in, args.hidden_size, n_out,
                                 weight_init_std=args.weight_init_std,
                                 activation=args.activation, seed=rng), args)


def _build_multi_layer(args: argparse.Namespace, n_in: int, n_out: int, rng: Any) -> Any:
    from minigrad.models import MultiLayerNet

    _check_model_options(args, MODEL_OPTION_FLAGS)
    return _in_dtype(MultiLayerNet(n_in, list(args.hidden_sizes or [args.hidden_size]), n_out,
                                   activation=args.activation,
                                   weight_init_std=args.weight_init_std,
                                   weight_decay_lambda=args.weight_decay or 0.0,
                                   use_dropout=args.dropout is not None,
                                   dropout_ration=args.dropout if args.dropout is not None
                                   else 0.5,
                                   use_batchnorm=args.batchnorm, seed=rng), args)


def _build_convnet(args: argparse.Namespace, n_in: int, n_out: int, rng: Any) -> Any:
    from minigrad.book._convnet import FlatImageModel
    from minigrad.book.deep_convnet import DeepConvNet
    from minigrad.book.simple_convnet import SimpleConvNet

    _check_model_options(args, MODEL_OPTION_FLAGS)
    side = int(round(np.sqrt(n_in)))
    if side * side != n_in:
        raise CLIError(f"--model {args.model} needs square images, got {n_in} inputs")
    if args.model == "simple-convnet":
        net: Any = SimpleConvNet((1, side, side), hidden_size=args.hidden_size, output_size=n_out,
                                 weight_init_std=args.weight_init_std, seed=rng)
    else:
        net = DeepConvNet((1, side, side), hidden_size=args.hidden_size, output_size=n_out,
                          seed=rng)
    return _in_dtype(FlatImageModel(net, evaluate=1000, dropout_seed=int(rng.integers(2**63))),
                     args)


#: Models of ``minigrad train --model``: name -> builder(args, input_size, output_size, rng).
#: A builder refuses (:class:`CLIError`) model options its model does not take
#: (:data:`MODEL_OPTIONS`).
MODELS: dict[str, Any] = {
    "two-layer": _build_two_layer,
    "multi-layer": _build_multi_layer,
    "simple-convnet": _build_convnet,
    "deep-convnet": _build_convnet,
}

#: The book's settings of a model for the options not given (chapters 7-8: Adam, lr 0.001,
#: batch 100, 20 epochs; accuracy on 1,000 samples per epoch), and the values of the
#: options it takes only one value of (recorded in ``history.json`` as what was used).
MODEL_DEFAULTS: dict[str, dict[str, Any]] = {
    "simple-convnet": {"optimizer": "adam", "lr": 0.001, "epochs": 20, "hidden_size": 100,
                       "activation": "relu", "weight_init_std": 0.01},
    "deep-convnet": {"optimizer": "adam", "lr": 0.001, "epochs": 20, "hidden_size": 50,
                     "activation": "relu", "weight_init_std": "he", "dropout": 0.5},
}


def _apply_model_defaults(args: argparse.Namespace, kept: Collection[str]) -> None:
    """Give the options not in ``kept`` the book's settings of ``args.model``.

    ``kept`` are the options given, and those restored by ``--resume``;
    ``--epochs`` is not set when ``--iters`` is kept.
    """
    for k, v in MODEL_DEFAULTS.get(args.model, {}).items():
        if k not in kept and not (k == "epochs" and "iters" in kept):
            setattr(args, k, v)
