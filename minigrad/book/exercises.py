"""Check the layers of an exercise file: ``python -m minigrad.book.exercises FILE``.

The book's layer exercises (``exercises/`` in the repository: ``relu.py``,
``sigmoid.py``, ``affine.py``, ``softmax_with_loss.py``,
``batch_normalization.py``, ``convolution.py``, ``pooling.py``) each hold one
layer whose ``backward`` is left to write. This command loads the file, builds
each layer it knows by class name with small random weights and inputs, runs
:func:`~minigrad.book.check_layer.check_layer` on it and prints the report.
The exit status is 0 when every layer is right, 1 when one is wrong or not
written yet, and 2 when the file cannot be checked.

Examples
--------
>>> from minigrad.book.exercises import CASES
>>> sorted(CASES)                                   # doctest: +NORMALIZE_WHITESPACE
['Affine', 'BatchNormalization', 'Convolution', 'Pooling', 'Relu', 'Sigmoid',
 'SoftmaxWithLoss']
"""

from __future__ import annotations

import importlib.util
import sys
import traceback
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from minigrad.book.check_layer import LayerCheck, check_layer

__all__ = ["CASES", "check_file", "main"]

# (layer, x, forward's further arguments, forward's keywords), built from the learner's class
Case = tuple[Any, np.ndarray, tuple[Any, ...], dict[str, Any]]


def _away_from_zero(x: np.ndarray) -> np.ndarray:
    """Move values away from 0, where ReLU has its kink."""
    return x + np.sign(x) * 0.1


def _relu(cls: type, rng: np.random.Generator) -> Case:
    return cls(), _away_from_zero(rng.standard_normal((4, 5))), (), {}


def _sigmoid(cls: type, rng: np.random.Generator) -> Case:
    return cls(), rng.standard_normal((4, 5)), (), {}


def _affine(cls: type, rng: np.random.Generator) -> Case:
    layer = cls(rng.standard_normal((6, 3)), rng.standard_normal(3))
    return layer, rng.standard_normal((4, 6)), (), {}


def _softmax_with_loss(cls: type, rng: np.random.Generator) -> Case:
    t = np.eye(5)[rng.integers(0, 5, size=4)]
    return cls(), rng.standard_normal((4, 5)), (t,), {}


def _batch_normalization(cls: type, rng: np.random.Generator) -> Case:
    layer = cls(1.0 + 0.1 * rng.standard_normal(5), 0.1 * rng.standard_normal(5))
    return layer, rng.standard_normal((6, 5)), (), {"train_flg": True}


def _convolution(cls: type, rng: np.random.Generator) -> Case:
    layer = cls(rng.standard_normal((3, 2, 3, 3)), rng.standard_normal(3), stride=1, pad=1)
    return layer, rng.standard_normal((2, 2, 5, 5)), (), {}


def _pooling(cls: type, rng: np.random.Generator) -> Case:
    x = rng.permutation(2 * 3 * 4 * 4).reshape(2, 3, 4, 4) / 10.0  # no ties in a window
    return cls(2, 2, stride=2), x, (), {}


#: How each layer of the exercises is built and fed, by class name.
CASES: dict[str, Callable[[type, np.random.Generator], Case]] = {
    "Relu": _relu,
    "Sigmoid": _sigmoid,
    "Affine": _affine,
    "SoftmaxWithLoss": _softmax_with_loss,
    "BatchNormalization": _batch_normalization,
    "Convolution": _convolution,
    "Pooling": _pooling,
}


def check_file(path: str | Path, seed: int = 0) -> list[LayerCheck]:
    """Check every layer of the exercise file ``path`` whose class name is in :data:`CASES`.

    Parameters
    ----------
    path : str or Path
        A Python file defining one or more of the layers.
    seed : int
        Seed of the random weights and inputs.

    Returns
    -------
    list of LayerCheck
        One report per layer found.

    Raises
    ------
    FileNotFoundError
        If ``path`` does not exist.
    ValueError
        If the file defines none of the layers of :data:`CASES`.
    """
    path = Path(path)
    if not path.is_file():
        raise FileNotFoundError(f"exercises: no file {path}")
    spec = importlib.util.spec_from_file_location(f"_exercise_{path.stem}", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    found = [(name, getattr(module, name)) for name in CASES
             if isinstance(getattr(module, name, None), type)]
    if not found:
        raise ValueError(f"exercises: {path} defines none of the layers "
                         f"{', '.join(CASES)}")
    reports = []
    for name, cls in found:
        layer, x, args, kwargs = CASES[name](cls, np.random.default_rng(seed))
        try:
            reports.append(check_layer(layer, x, *args, seed=seed, **kwargs))
        except NotImplementedError:
            report = LayerCheck(name)
            report.problems.append("backward is not written yet (it raises "
                                   "NotImplementedError)")
            reports.append(report)
    return reports


def main(argv: Sequence[str] | None = None) -> int:
    """Run the check on the files named in ``argv``; return the exit status."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args or args[0] in ("-h", "--help"):
        print(__doc__.split("\n\n")[0] if __doc__ else "")
        print("usage: python -m minigrad.book.exercises FILE [FILE ...]")
        return 0 if args else 2
    status = 0
    for arg in args:
        try:
            reports = check_file(arg)
        except (FileNotFoundError, ValueError) as e:
            print(e, file=sys.stderr)
            return 2
        except Exception:  # noqa: BLE001 - the learner's code failed: show where
            print(f"{arg}: the layer raised an error", file=sys.stderr)
            traceback.print_exc()
            status = 1
            continue
        for report in reports:
            print(f"{arg}: {report}")
            if not report.ok:
                status = 1
    return status


if __name__ == "__main__":
    sys.exit(main())
