"""Shared plumbing of the chapter 5-6 example scripts: arguments, MNIST, figures."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import Any

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad import plotting  # noqa: E402
from minigrad.datasets import load_mnist  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def parser(doc: str) -> argparse.ArgumentParser:
    """An argument parser with ``--data-dir``, ``--out``, ``--seed`` and ``--quick``."""
    p = argparse.ArgumentParser(description=doc.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None,
                   help="MNIST directory (default: $MINIGRAD_DATA, then the user cache)")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT,
                   help="directory for the figures (default: examples/out)")
    p.add_argument("--seed", type=int, default=0,
                   help="seed of np.random (weights, batches, masks); the book fixes none")
    p.add_argument("--quick", action="store_true",
                   help="a small, seeded run for testing (the default is the book's sizes)")
    return p


def mnist(args: argparse.Namespace, **kw: Any) -> tuple[tuple[np.ndarray, np.ndarray],
                                                         tuple[np.ndarray, np.ndarray]]:
    """``load_mnist(normalize=True, **kw)`` from ``args.data_dir``, as float32 like the book."""
    kw.setdefault("normalize", True)
    kw.setdefault("dtype", np.float32)
    return load_mnist(data_dir=args.data_dir, **kw)


def figure(figsize: tuple[float, float] = (6.4, 4.8)) -> Any:
    """A matplotlib figure outside pyplot."""
    return plotting.new_figure(figsize=figsize)


def save(fig: Any, path: Path) -> None:
    """Write ``fig`` atomically and say where."""
    plotting.save_figure(fig, path, bbox_inches="tight")
    print(f"wrote {path}")


def compare_training(networks: dict[str, Any], optimizers: dict[str, Any], x_train: np.ndarray,
                     t_train: np.ndarray, batch_size: int, max_iterations: int,
                     quick: bool) -> dict[str, list[float]]:
    """The book's comparison loop of figures 6-9 and 6-15; return each network's losses.

    Every iteration draws one mini-batch of ``batch_size`` with replacement
    (``np.random.choice``) and, for each key, updates ``networks[key]`` with
    ``optimizers[key]`` and records its loss on that batch after the update.
    Prints the book's ``===========iteration:i===========`` block every 100
    iterations (and at the last one with ``quick``), then the time taken and
    the mean loss over the last 100 iterations.
    """
    from minigrad.autograd import no_grad

    train_size = x_train.shape[0]
    train_loss: dict[str, list[float]] = {key: [] for key in networks}
    start = time.perf_counter()
    for i in range(max_iterations):
        batch_mask = np.random.choice(train_size, batch_size)
        x_batch = x_train[batch_mask]
        t_batch = t_train[batch_mask]

        for key in networks.keys():
            grads = networks[key].gradient(x_batch, t_batch)
            optimizers[key].update(networks[key].params, grads)
            with no_grad():
                loss = float(networks[key].loss(x_batch, t_batch))
            train_loss[key].append(loss)

        if i % 100 == 0 or (quick and i == max_iterations - 1):
            print("===========" + "iteration:" + str(i) + "===========")
            for key in networks.keys():
                print(key + ":" + str(train_loss[key][-1]))
    elapsed = time.perf_counter() - start
    print(f"({max_iterations} iterations x {len(networks)} networks in {elapsed:.1f} s)")
    for key in networks.keys():
        last = train_loss[key][-min(100, max_iterations):]
        print(f"mean loss over the last {len(last)} iterations, {key}: {np.mean(last):.4f}")
    return train_loss


def plot_losses(train_loss: dict[str, list[float]], markers: dict[str, str], ylim: float,
                path: Path) -> None:
    """Plot each key's smoothed loss curve (raw under 11 iterations); save to ``path``."""
    from minigrad.book.util import smooth_curve

    fig = figure()
    ax = fig.add_subplot(1, 1, 1)
    for key, losses in train_loss.items():
        curve = smooth_curve(losses) if len(losses) >= 11 else losses
        ax.plot(np.arange(len(losses)), curve, marker=markers[key], markevery=100, label=key)
    ax.set_xlabel("iterations")
    ax.set_ylabel("loss")
    ax.set_ylim(0, ylim)
    ax.legend()
    save(fig, path)
