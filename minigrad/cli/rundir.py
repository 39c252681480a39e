"""The run folder of ``minigrad train``: where it is, ``runs/latest``, and its lock.

By default a run writes into ``runs/<YYYYmmdd-HHMMSS>`` and, when it ends
well, points ``runs/latest`` at it. While it runs, ``<out>/.minigrad-train.lock``
(:data:`LOCK_NAME`) keeps a second ``minigrad train`` out of the same folder.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import os
import socket
from pathlib import Path

from .errors import EXIT_WRITE_FAILED, CLIError, _warn

__all__ = ["LOCK_NAME"]

#: The lock file that marks an output folder in use by a running ``minigrad train``.
LOCK_NAME = ".minigrad-train.lock"


def _default_out_dir() -> Path:
    root = Path("runs")
    stamp = _dt.datetime.now().strftime("%Y%m%d-%H%M%S")
    out = root / stamp
    k = 1
    while out.exists():
        k += 1
        out = root / f"{stamp}-{k}"
    return out


def _link_latest(out: Path) -> None:
    """Point ``runs/latest`` at ``out`` (best effort: skipped where symlinks are not possible)."""
    latest = out.parent / "latest"
    tmp = out.parent / f".latest.{os.getpid()}"
    try:
        if tmp.is_symlink():
            tmp.unlink()
        tmp.symlink_to(out.name, target_is_directory=True)
        os.replace(tmp, latest)
    except OSError:
        pass
    finally:  # after a failure (e.g. ``latest`` is a real folder), leave no stray link
        with contextlib.suppress(OSError):
            if tmp.is_symlink():
                tmp.unlink()


def _prepare_out_dir(out: Path | None) -> tuple[Path, bool]:
    default = out is None
    path = _default_out_dir() if out is None else out
    if path.exists() and not path.is_dir():
        raise CLIError(f"--out {str(path)!r} exists and is not a folder")
    try:
        path.mkdir(parents=True, exist_ok=True)
    except OSError as e:
        raise CLIError(
            f"cannot create the output folder {str(path)!r}: {e.strerror or e}") from None
    if not os.access(path, os.W_OK):
        raise CLIError(f"the output folder {str(path)!r} is not writable")
    return path, default


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # somebody else's process: alive
        return True
    except OSError:  # pragma: no cover
        return True
    return True


def _read_lock(lock: Path) -> tuple[int | None, str]:
    try:
        text = lock.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None, ""
    fields = dict(line.split("=", 1) for line in text.splitlines() if "=" in line)
    try:
        return int(fields.get("pid", "")), fields.get("host", "")
    except ValueError:
        return None, fields.get("host", "")


class _OutputLock:
    """``<out>/.minigrad-train.lock``: one ``minigrad train`` at a time writes into a folder.

    The lock file holds the owner's pid and host. A lock whose process has
    ended (on this host) is stale and taken over; a live one makes the
    second run refuse, unless ``overwrite``. The lock is removed when the
    run ends, however it ends (a SIGKILL leaves a stale lock behind).
    """

    def __init__(self, folder: Path, overwrite: bool) -> None:
        self.path = folder / LOCK_NAME
        self.overwrite = overwrite
        self.held = False

    def _create(self) -> bool:
        try:
            fd = os.open(self.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o644)
        except FileExistsError:
            return False
        with os.fdopen(fd, "w", encoding="utf-8") as f:
            f.write(f"pid={os.getpid()}\nhost={socket.gethostname()}\n")
        return True

    def __enter__(self) -> _OutputLock:
        try:
            for _ in range(3):
                if self._create():
                    self.held = True
                    return self
                pid, host = _read_lock(self.path)
                here = host == socket.gethostname()
                if pid is not None and here and not _pid_alive(pid):
                    print(f"removing the stale lock of an ended run (pid {pid}) in "
                          f"{self.path.parent}")
                elif self.overwrite:
                    _warn(f"--overwrite: taking over {self.path} from pid {pid} on {host!r}; "
                          "two runs now write into the same folder")
                else:
                    who = f"pid {pid}" + ("" if here else f" on host {host!r}")
                    raise CLIError(
                        f"the output folder {str(self.path.parent)!r} is in use by another "
                        f"minigrad train ({who}); wait for it to end, choose another --out, or "
                        f"pass --overwrite (the lock is {self.path})")
                with contextlib.suppress(FileNotFoundError):
                    self.path.unlink()
        except OSError as e:
            raise CLIError(f"cannot lock the output folder: {e}", EXIT_WRITE_FAILED) from None
        raise CLIError(f"cannot lock the output folder {str(self.path.parent)!r}: another run "
                       "keeps taking it")

    def __exit__(self, *exc: object) -> None:
        if not self.held:
            return
        pid, _ = _read_lock(self.path)
        if pid == os.getpid():
            with contextlib.suppress(OSError):
                self.path.unlink()
        self.held = False

