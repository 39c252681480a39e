"""Find a data file of the second book locally, or download it once with a SHA-256 check."""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

from minigrad._fileio import atomic_write_bytes
from minigrad.datasets.errors import ChecksumError, DatasetError
from minigrad.datasets.mnist import DOWNLOAD_TIMEOUT, _urlopen

#: Environment variable naming a folder that holds the second book's data files.
ENV_VAR = "MINIGRAD_BOOK2_DATA"

_MAX_BYTES = 64 << 20


def data_dirs() -> list[Path]:
    """Folders searched in order: ``$MINIGRAD_BOOK2_DATA``, ``$MINIGRAD_DATA/book2``, the cache."""
    dirs = []
    if os.environ.get(ENV_VAR):
        dirs.append(Path(os.environ[ENV_VAR]).expanduser())
    if os.environ.get("MINIGRAD_DATA"):
        dirs.append(Path(os.environ["MINIGRAD_DATA"]).expanduser() / "book2")
    xdg = os.environ.get("XDG_CACHE_HOME", "")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".cache"
    dirs.append(base / "minigrad" / "book2")
    return dirs


def git_blob_sha1(data: bytes) -> str:
    """The id git gives a file of these bytes: SHA-1 of a ``blob <size>`` header, NUL, the bytes."""
    return hashlib.sha1(b"blob %d\0" % len(data) + data, usedforsecurity=False).hexdigest()


def _check(where: object, data: bytes, sha256: str | None, blob: str | None) -> None:
    if sha256 is not None and (got := hashlib.sha256(data).hexdigest()) != sha256:
        raise ChecksumError(f"{where}: SHA-256 {got} differs from the pinned {sha256}")
    if blob is not None and (got := git_blob_sha1(data)) != blob:
        raise ChecksumError(f"{where}: git blob id {got} differs from the pinned {blob}")


def locate(name: str, url: str, sha256: str | None, data_dir: str | os.PathLike[str] | None = None,
           download: bool = True, blob_sha1: str | None = None) -> Path:
    """Return the path of ``name``: an existing copy, else a verified download into the cache.

    Parameters
    ----------
    name : str
        File name.
    url : str
        Where to download it from.
    sha256 : str or None
        The pinned SHA-256; a local copy or a download that differs is refused.
    data_dir : path, optional
        Search only this folder (and download into it).
    download : bool
        Download when no copy is found.
    blob_sha1 : str, optional
        A pinned git blob id, checked like ``sha256`` (for a file known by that id only).
    """
    dirs = [Path(data_dir).expanduser()] if data_dir is not None else data_dirs()
    for d in dirs:
        path = d / name
        if path.is_file():
            if sha256 is not None or blob_sha1 is not None:
                _check(path, path.read_bytes(), sha256, blob_sha1)
            return path
    if not download:
        raise DatasetError(f"{name} not found in {', '.join(map(str, dirs))} (set ${ENV_VAR} to "
                           "the folder that holds it)")
    target = dirs[-1] / name
    print(f"Downloading {name} ...")
    try:
        response = _urlopen(url, DOWNLOAD_TIMEOUT)
        try:
            data = response.read(_MAX_BYTES + 1)
        finally:
            response.close()
    except OSError as e:
        raise DatasetError(f"could not download {name} from {url}: {e}; put the file in "
                           f"${ENV_VAR} to work offline") from None
    if len(data) > _MAX_BYTES:
        raise DatasetError(f"{url}: more than {_MAX_BYTES} bytes, refusing it")
    _check(url, data, sha256, blob_sha1)
    atomic_write_bytes(target, data, file_mode=0o644, parents=True)
    print("Done")
    return target
