"""What ``minigrad train`` writes besides its checkpoint: weights, figures, the loss's graph.

The figures and the graph are best effort: without matplotlib or Graphviz's
``dot`` they are skipped with a warning, and the run still succeeds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

from minigrad._fileio import atomic_write

from .errors import _warn


def _save_weights(model: Any, path: Path) -> Path:
    with atomic_write(path, parents=True) as f:
        np.savez(f, **model.state_dict())
    return path


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

