"""Shared by the chapter 7 and 8 examples: MNIST as the book loads it, training with
epoch checkpoints, and image grids.

Not an example itself (the leading underscore keeps it out of the example list).
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import numpy as np

import minigrad as mg
from minigrad._fileio import atomic_write
from minigrad.book.trainer import Trainer
from minigrad.datasets import load_mnist


def mnist_images(data_dir: Path | None, train_size: int | None = None,
                 test_size: int | None = None) -> tuple[np.ndarray, ...]:
    """The book's ``load_mnist(flatten=False)``: float32 pixels / 255, (N, 1, 28, 28), labels."""
    (x_train, t_train), (x_test, t_test) = load_mnist(
        normalize=True, flatten=False, data_dir=data_dir, dtype=np.float32)
    if train_size is not None:
        x_train, t_train = x_train[:train_size], t_train[:train_size]
    if test_size is not None:
        x_test, t_test = x_test[:test_size], t_test[:test_size]
    return x_train, t_train, x_test, t_test


def train(network: Any, data: tuple[np.ndarray, ...], *, epochs: int, out: Path, name: str,
          evaluate: int | None = 1000, seed: int = 0) -> dict[str, Any]:
    """Train with the book's Trainer (Adam, lr 0.001, batch 100), saving at every epoch.

    After each evaluation the parameters (``<name>_params.npz``) and the history
    (``<name>_history.json``) are written atomically to ``out``, so an interrupted
    run leaves its last finished epoch on disk. Returns the history.
    """
    x_train, t_train, x_test, t_test = data
    np.random.seed(seed)
    trainer = Trainer(network, x_train, t_train, x_test, t_test, epochs=epochs,
                      mini_batch_size=100, optimizer="Adam", optimizer_param={"lr": 0.001},
                      evaluate_sample_num_per_epoch=evaluate, verbose=False)
    out.mkdir(parents=True, exist_ok=True)
    start = time.perf_counter()
    history: dict[str, Any] = {}
    for i in range(trainer.max_iter):
        epoch_before = trainer.current_epoch
        trainer.train_step()
        if trainer.current_epoch != epoch_before:
            history = {
                "epoch": trainer.current_epoch, "iteration": i + 1,
                "train_acc": trainer.train_acc_list, "test_acc": trainer.test_acc_list,
                "train_loss": trainer.train_loss_list[-1],
                "seconds": time.perf_counter() - start,
            }
            print(f"=== epoch:{trainer.current_epoch}, train acc:{trainer.train_acc_list[-1]}, "
                  f"test acc:{trainer.test_acc_list[-1]}, loss {trainer.train_loss_list[-1]:.4f}"
                  f", {history['seconds']:.0f} s ===", flush=True)
            network.save_params(out / f"{name}_params.npz")
            _write_json(out / f"{name}_history.json", history)
    final = network.accuracy(x_test, t_test)
    elapsed = time.perf_counter() - start
    history.update({"final_test_acc": final, "seconds": elapsed,
                    "train_loss_list": trainer.train_loss_list,
                    "iterations": trainer.max_iter})
    print("=============== Final Test Accuracy ===============")
    print("test acc:" + str(final))
    print(f"time: {elapsed:.1f} s for {trainer.max_iter} iterations")
    network.save_params(out / f"{name}_params.npz")
    _write_json(out / f"{name}_history.json", history)
    print("Saved Network Parameters!")
    return history


def _write_json(path: Path, obj: Any) -> None:
    with atomic_write(path) as f:
        f.write(json.dumps(obj).encode("utf-8"))


def filter_grid(filters: np.ndarray, path: Path, cols: int = 8, title: str | None = None) -> Path:
    """Show filters (FN, H, W) in a grid, "gray_r", nearest interpolation, no ticks (fig. 7-24)."""
    from minigrad import plotting

    n = filters.shape[0]
    rows = int(np.ceil(n / cols))
    fig = plotting.new_figure(figsize=(cols * 0.9, rows * 0.9 + (0.4 if title else 0)))
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        ax.imshow(filters[i], cmap="gray_r", interpolation="nearest")
    if title:
        fig.suptitle(title)
    return plotting.save_figure(fig, path)


def image_grid(images: np.ndarray, path: Path, cols: int, labels: list[str] | None = None,
               title: str | None = None) -> Path:
    """Show images (N, H, W) in a grid with optional captions, "gray_r", no ticks."""
    from minigrad import plotting

    n = images.shape[0]
    rows = max(int(np.ceil(n / cols)), 1)
    fig = plotting.new_figure(figsize=(cols * 1.4, rows * 1.5 + (0.4 if title else 0)))
    for i in range(n):
        ax = fig.add_subplot(rows, cols, i + 1, xticks=[], yticks=[])
        ax.imshow(images[i], cmap="gray_r", interpolation="nearest")
        if labels:
            ax.set_title(labels[i], fontsize=8)
    if title:
        fig.suptitle(title)
    return plotting.save_figure(fig, path)


def load_or_none(network: Any, path: Path | None) -> bool:
    """Load ``path`` into ``network`` if given and present; say whether it was loaded."""
    if path is None or not Path(path).exists():
        return False
    network.load_params(path)
    return True


__all__ = ["mnist_images", "train", "filter_grid", "image_grid", "load_or_none", "mg"]
