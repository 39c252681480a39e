"""The errors of :mod:`minigrad.datasets`: every one is a :class:`DatasetError`."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from pathlib import Path

__all__ = ["ChecksumError", "DatasetError", "IDXError", "MNISTNotFoundError"]


class DatasetError(Exception):
    """Base class of every error raised by :mod:`minigrad.datasets`."""


class IDXError(DatasetError):
    """An IDX file or buffer is malformed (bad magic, truncated, inconsistent dims...)."""


class MNISTNotFoundError(DatasetError, FileNotFoundError):
    """The MNIST files are missing and could not be downloaded.

    Attributes
    ----------
    missing : list of str
        File names (without ``.gz``) that could not be found.
    searched : list of pathlib.Path
        Directories that were looked in.
    download_errors : dict of str to list of str
        For each file whose download was attempted, one message per mirror.
    """

    def __init__(
        self,
        message: str,
        *,
        missing: Sequence[str] = (),
        searched: Sequence[Path] = (),
        download_errors: Mapping[str, list[str]] | None = None,
    ) -> None:
        super().__init__(message)
        self.missing = list(missing)
        self.searched = list(searched)
        self.download_errors = dict(download_errors or {})

    def __str__(self) -> str:
        return str(self.args[0]) if self.args else ""


class ChecksumError(DatasetError):
    """A file's SHA-256 does not match the pinned value."""
