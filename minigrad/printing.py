"""How tensors print: short for big tensors, with the op that made them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import numpy as np

if TYPE_CHECKING:  # pragma: no cover
    from minigrad.tensor import Tensor

__all__ = ["set_printoptions", "get_printoptions", "tensor_repr"]

_options: dict[str, Any] = {"precision": 4, "threshold": 100, "edgeitems": 3, "linewidth": 80}


def set_printoptions(precision: int | None = None, threshold: int | None = None,
                     edgeitems: int | None = None, linewidth: int | None = None) -> None:
    """Set how ``repr(Tensor)`` prints data.

    Parameters
    ----------
    precision : int, optional
        Digits after the decimal point (default 4).
    threshold : int, optional
        Tensors with more elements than this are summarised with ``...`` (default 100).
    edgeitems : int, optional
        Items shown at each edge of a summarised axis (default 3).
    linewidth : int, optional
        Characters per line (default 80).
    """
    for key, value in (("precision", precision), ("threshold", threshold),
                       ("edgeitems", edgeitems), ("linewidth", linewidth)):
        if value is not None:
            if not isinstance(value, int) or value < 0:
                raise ValueError(f"set_printoptions: {key} must be a non-negative int, "
                                 f"got {value!r}")
            _options[key] = value


def get_printoptions() -> dict[str, Any]:
    """Return a copy of the current print options."""
    return dict(_options)


def tensor_repr(t: Tensor) -> str:
    """Return ``Tensor([...], dtype=..., grad_fn=<Op>)`` with data summarised per the options."""
    prefix = "Tensor("
    body = np.array2string(
        t.data, separator=", ", prefix=prefix, precision=_options["precision"],
        threshold=_options["threshold"], edgeitems=_options["edgeitems"],
        max_line_width=_options["linewidth"],
    )
    extras = []
    if t.data.dtype != np.float64:
        extras.append(f"dtype={t.data.dtype}")
    if t.data.size > _options["threshold"]:
        extras.append(f"shape={t.shape}")
    if t.creator is not None:
        extras.append(f"grad_fn=<{t.creator.name}>")
    elif t.requires_grad:
        extras.append("requires_grad=True")
    if t.name:
        extras.append(f"name={t.name!r}")
    return prefix + body + "".join(", " + e for e in extras) + ")"
