"""The memory ``minigrad train`` needs, checked before anything large is allocated.

Sizes whose estimate (:func:`_memory_needed`) is more than the memory
available (:func:`_available_memory`) end the command with exit status 2
and a message naming the sizes and the bytes needed.
"""

from __future__ import annotations

import argparse
import os

from .errors import CLIError


def _available_memory() -> int | None:
    """Bytes of memory available to a new allocation (Linux: MemAvailable), or None."""
    try:
        with open("/proc/meminfo", encoding="ascii") as f:
            for line in f:
                if line.startswith("MemAvailable:"):
                    return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    try:
        return int(os.sysconf("SC_AVPHYS_PAGES")) * int(os.sysconf("SC_PAGE_SIZE"))
    except (AttributeError, ValueError, OSError):  # pragma: no cover - not POSIX
        return None


def _human(n: float) -> str:
    for unit in ("bytes", "KiB", "MiB", "GiB", "TiB", "PiB"):
        if n < 1024 or unit == "PiB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.1f} {unit}"
        n /= 1024
    return f"{n:.1f} PiB"  # pragma: no cover


def _memory_needed(n_in: int, hidden: int, n_out: int, batch: int, n_eval: int,
                   optimizer: str, itemsize: int = 8) -> int:
    """A lower estimate of the bytes one training step and one evaluation need at once.

    The parameters with their gradients and optimizer buffers, one
    mini-batch with the graph's activations (about four arrays of the hidden
    layer's size and four of the output's), and the forward pass over the
    largest evaluation set.
    """
    params = n_in * hidden + hidden + hidden * n_out + n_out
    copies = 2 + {"momentum": 1, "adagrad": 1, "adam": 2}.get(optimizer, 0)
    step = batch * (2 * n_in + 4 * hidden + 4 * n_out)
    evaluation = n_eval * (2 * hidden + 2 * n_out)
    return itemsize * (params * copies + step + evaluation)


def _check_sizes(args: argparse.Namespace, n_in: int, n_out: int, n_eval: int,
                 have: int | None) -> None:
    """Refuse (exit 2) sizes needing more than ``have`` bytes of memory, before allocating.

    ``have`` is what :func:`_available_memory` says (None: unknown, nothing is refused).
    """
    sizes = getattr(args, "hidden_sizes", None)
    hidden = max(sizes or [args.hidden_size])  # the widest hidden layer
    itemsize = 4 if getattr(args, "dtype", "float64") == "float32" else 8
    need = _memory_needed(n_in, hidden, n_out, args.batch_size, n_eval, str(args.optimizer),
                          itemsize)
    if have is not None and need > have:
        flag = (f"--hidden-sizes {','.join(map(str, sizes))}" if sizes
                else f"--hidden-size {args.hidden_size}")
        raise CLIError(
            f"{flag} with --batch-size {args.batch_size} "
            f"({n_in}-{hidden}-{n_out}, {args.optimizer}) needs at least "
            f"{_human(need)} of memory ({need} bytes), but only {_human(have)} is available; "
            "choose smaller sizes")

