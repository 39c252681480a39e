"""Atomic file writes: a temporary file beside the target, renamed over it when complete.

Every file minigrad writes (checkpoints, IDX files, downloads, figures,
graph pictures, training histories) goes through :func:`atomic_write`, so a
reader, a crash or a Ctrl-C never sees a half-written file: the target is
either left as it was or replaced whole.

This module imports only the standard library, so that light sub-packages
such as :mod:`minigrad.datasets` can use it.
"""

from __future__ import annotations

import contextlib
import errno
import os
import secrets
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Any

__all__ = ["atomic_write", "atomic_write_bytes"]

PathLike = str | os.PathLike[str]

_MODES = {"wb": "xb", "w": "x"}
# Errors of writing (not of what the block computes): re-raised naming the file.
_WRITE_ERRNOS = frozenset(getattr(errno, name) for name in
                          ("ENOSPC", "EDQUOT", "EFBIG", "EIO", "EROFS") if hasattr(errno, name))
_ATTEMPTS = 100


def _cannot_write(exc: OSError, path: Path) -> OSError:
    """The error for a temporary file that could not be created, naming ``path``'s directory."""
    folder = str(path.parent)
    if isinstance(exc, FileNotFoundError):
        reason = f"the directory {folder!r} does not exist"
    elif isinstance(exc, NotADirectoryError):
        reason = f"{folder!r} is not a directory"
    elif isinstance(exc, PermissionError) or exc.errno == errno.EROFS:
        reason = f"the directory {folder!r} is not writable ({exc.strerror})"
    else:
        reason = exc.strerror or str(exc)
    return type(exc)(exc.errno, f"cannot write {str(path)!r}: {reason}")


def _open_temp(path: Path, mode: str, suffix: str, create_mode: int,
               encoding: str | None, newline: str | None) -> IO[Any]:
    """Create and open a new file ``.<name>.<random><suffix>`` in ``path``'s directory.

    The file is created with ``create_mode`` (less the umask, applied by the
    operating system), so no umask has to be read. Its ``name`` is its path.
    """
    def opener(name: str, flags: int) -> int:
        return os.open(name, flags | getattr(os, "O_BINARY", 0), create_mode)

    for _ in range(_ATTEMPTS):
        name = os.path.join(path.parent, f".{path.name}.{secrets.token_hex(4)}{suffix}")
        try:
            return open(name, _MODES[mode], encoding=encoding, newline=newline, opener=opener)
        except FileExistsError:
            continue
        except OSError as exc:
            raise _cannot_write(exc, path) from exc
    raise FileExistsError(  # pragma: no cover - 100 collisions of 32 random bits
        f"cannot write {str(path)!r}: no unused temporary file name in {str(path.parent)!r}"
    )


def _fsync_dir(directory: Path) -> None:
    """Make a rename durable (POSIX; a no-op where directories cannot be opened)."""
    try:
        fd = os.open(directory, os.O_RDONLY)
    except OSError:  # pragma: no cover - e.g. Windows
        return
    try:
        os.fsync(fd)
    except OSError:  # pragma: no cover
        pass
    finally:
        os.close(fd)


@contextlib.contextmanager
def atomic_write(
    path: PathLike,
    mode: str = "wb",
    *,
    suffix: str = ".tmp",
    file_mode: int | None = None,
    parents: bool = False,
    encoding: str | None = None,
    newline: str | None = None,
) -> Iterator[IO[Any]]:
    """Write a file atomically: yield a temporary file, then rename it over ``path``.

    The temporary file ``.<name>.<random><suffix>`` is created in the
    directory of ``path`` (so the rename never crosses file systems). When
    the ``with`` block ends normally, the file is flushed, synced to disk,
    closed, given its permissions and moved over ``path`` with
    :func:`os.replace`; the directory is then synced too. When the block
    raises anything, including :class:`KeyboardInterrupt`, the temporary file
    is closed and removed, ``path`` is left untouched and the exception
    propagates. Raising inside the block is therefore the way to abandon a
    write, for example after a failed checksum.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. An existing file is replaced.
    mode : {"wb", "w"}
        Binary or text (see ``encoding`` and ``newline``).
    suffix : str
        The end of the temporary file's name.
    file_mode : int, optional
        Permission bits of the written file, set exactly (e.g. ``0o644``). By
        default the file gets those of any newly created file: ``0o666``
        less the process umask (or the directory's default ACL), applied by
        the operating system when the temporary file is created.
    parents : bool
        Create missing parent directories first.
    encoding, newline : str, optional
        Passed to :func:`open` in text mode; ``encoding`` defaults to UTF-8 there.

    Yields
    ------
    file object
        The open temporary file; its ``name`` is its path. Write to it, but
        do not close it.

    Raises
    ------
    ValueError
        If ``mode`` is not ``"wb"`` or ``"w"``.
    FileNotFoundError, NotADirectoryError, PermissionError, OSError
        If the temporary file cannot be created, with a message naming
        ``path`` and its directory; also whatever the block raises, or an
        error from the final rename (e.g. :class:`IsADirectoryError`). A
        write that fails for want of space or on an I/O error (``ENOSPC``,
        ``EDQUOT``, ``EFBIG``, ``EIO``, ``EROFS``) raises :class:`OSError`
        with that errno, the system's message and ``filename`` set to ``path``;
        ``path`` keeps its old content.

    Examples
    --------
    >>> import os, tempfile
    >>> from minigrad._fileio import atomic_write
    >>> path = os.path.join(tempfile.mkdtemp(), "greeting.txt")
    >>> with atomic_write(path, "w") as f:
    ...     _ = f.write("hello")
    >>> open(path).read()
    'hello'
    """
    if mode not in _MODES:
        raise ValueError(f"atomic_write: mode must be 'wb' or 'w', got {mode!r}")
    if mode == "w" and encoding is None:
        encoding = "utf-8"
    target = Path(path)
    if parents:
        target.parent.mkdir(parents=True, exist_ok=True)
    create_mode = 0o666 if file_mode is None else file_mode & 0o777
    f = _open_temp(target, mode, suffix, create_mode, encoding, newline)
    tmp = f.name
    try:
        yield f
        f.flush()
        os.fsync(f.fileno())
        f.close()
        if file_mode is not None:
            os.chmod(tmp, file_mode)  # exactly, whatever the umask took away
        os.replace(tmp, target)
    except BaseException as exc:
        with contextlib.suppress(Exception):
            f.close()
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        if isinstance(exc, OSError) and exc.errno in _WRITE_ERRNOS and exc.filename is None:
            # e.g. a full disk: say which file could not be written, with the system's reason
            raise type(exc)(exc.errno, exc.strerror or os.strerror(exc.errno or 0),
                            str(target)) from exc
        raise
    _fsync_dir(target.parent)


def atomic_write_bytes(
    path: PathLike, data: bytes, *, file_mode: int | None = None, parents: bool = False
) -> Path:
    """Write ``data`` to ``path`` atomically (see :func:`atomic_write`) and return the path.

    Parameters
    ----------
    path : str or os.PathLike
        The file to write. An existing file is replaced.
    data : bytes
        The contents.
    file_mode : int, optional
        Permission bits of the written file; by default ``0o666`` less the umask.
    parents : bool
        Create missing parent directories first.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`pathlib.Path`.
    """
    with atomic_write(path, "wb", file_mode=file_mode, parents=parents) as f:
        f.write(data)
    return Path(path)
