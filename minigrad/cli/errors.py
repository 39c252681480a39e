"""How ``minigrad train`` ends when something goes wrong: exit statuses, errors, warnings.

:data:`EXIT_CODES` is the one list of the exit statuses with their meaning;
the ``EXIT_*`` constants name them in the code and :data:`EXIT_CODES_HELP`
(the end of ``minigrad train --help``) is written from it.
"""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

__all__ = ["CLIError", "EXIT_CODES", "EXIT_CODES_HELP", "EXIT_OK", "EXIT_USAGE",
           "EXIT_DIVERGED", "EXIT_WRITE_FAILED", "EXIT_SIGINT", "EXIT_SIGTERM"]

# The statuses by name; what each means is in EXIT_CODES below (and nowhere else).
EXIT_OK = 0
EXIT_USAGE = 2
EXIT_DIVERGED = 3
EXIT_WRITE_FAILED = 4
EXIT_SIGINT = 130
EXIT_SIGTERM = 143

#: Every exit status of ``minigrad train`` with the line ``--help`` shows for it.
EXIT_CODES: dict[int, str] = {
    EXIT_OK: "the run finished",
    EXIT_USAGE: "bad options, missing or corrupt data or checkpoint, sizes that cannot fit in "
                "memory, or an output folder in use by another run",
    EXIT_DIVERGED: "the loss became non-finite (the message names the iteration; the last "
                   "checkpoint before it is kept)",
    EXIT_WRITE_FAILED: "a result could not be written (disk full, ...); the previous "
                       "checkpoint is kept",
    EXIT_SIGINT: "interrupted by Ctrl-C: the state is saved to <out>/checkpoint.npz",
    EXIT_SIGTERM: "terminated by SIGTERM: the state is saved like on Ctrl-C",
}


def _exit_codes_help(codes: dict[int, str], width: int = 80) -> str:
    """The ``exit status:`` block of ``--help``: one status a paragraph, wrapped at ``width``."""
    return "\n".join(["exit status:"] + [
        textwrap.fill(text, width=width, initial_indent=f"  {code:<5}", subsequent_indent=" " * 7)
        for code, text in codes.items()])


#: The epilog of ``minigrad train --help``, printed as is.
EXIT_CODES_HELP = _exit_codes_help(EXIT_CODES)


class CLIError(Exception):
    """A user-facing error: printed without a traceback, exit status ``code`` (2 by default)."""

    def __init__(self, message: str, code: int = EXIT_USAGE) -> None:
        super().__init__(message)
        self.code = code


def _warn(message: str) -> None:
    print(f"minigrad train: warning: {message}", file=sys.stderr)


def _write_error(e: OSError, what: str, ckpt_path: Path) -> CLIError:
    """Exit 4 for a result that could not be written, naming the file and the system's reason."""
    msg = f"cannot save {what}: {e}"
    if e.errno is not None and e.strerror and e.strerror not in str(e):
        msg += f" ({e.strerror})"
    if ckpt_path.exists():
        msg += f"; the previous checkpoint {ckpt_path} is kept"
    return CLIError(msg, EXIT_WRITE_FAILED)
