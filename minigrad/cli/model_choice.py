"""The models of ``minigrad train --model``: which network each name builds, and how.

``minigrad train --model NAME`` builds ``MODELS[NAME](args, input_size, output_size, rng)``;
a new model is one more entry (its options go in the "model" argument group of
:mod:`minigrad.cli.arguments`). :data:`MODEL_DEFAULTS` holds the book's settings
of a model for the options left at their defaults.
"""

from __future__ import annotations

import argparse
from typing import Any

import numpy as np

from .errors import CLIError

__all__ = ["MODELS", "MODEL_DEFAULTS"]


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


def _apply_model_defaults(args: argparse.Namespace, defaults: argparse.Namespace) -> None:
    """Give the options left at their ``defaults`` the book's settings of ``args.model``.

    ``--epochs`` keeps its default when ``--iters`` is given.
    """
    for k, v in MODEL_DEFAULTS.get(args.model, {}).items():
        if getattr(args, k) == getattr(defaults, k) and not (k == "epochs" and
                                                             args.iters != defaults.iters):
            setattr(args, k, v)
