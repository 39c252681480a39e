"""Shared plumbing of the chapter 5-6 example scripts: arguments, MNIST, figures."""

from __future__ import annotations

import argparse
import sys
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
