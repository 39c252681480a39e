"""Reading and writing files in the IDX format used by MNIST.

An IDX file is a big-endian binary format::

    bytes 0-1   zero
    byte  2     element type code (0x08 uint8, 0x09 int8, 0x0B int16,
                0x0C int32, 0x0D float32, 0x0E float64)
    byte  3     number of dimensions ``ndim``
    ndim x 4    the size of each dimension, big-endian uint32
    ...         the elements, big-endian, row-major (C order)

MNIST images use magic ``0x00000803`` (uint8, 3 dimensions) and labels use
``0x00000801`` (uint8, 1 dimension). Files may be gzip-compressed; this is
detected from the content, not the file name.

The reader validates the header against the amount of data actually present
*before* allocating anything, so random, truncated or hostile input raises
:class:`IDXError` rather than ``MemoryError`` or a NumPy/struct error.
"""

from __future__ import annotations

import gzip
import os
import zlib
from pathlib import Path

import numpy as np
import numpy.typing as npt

from minigrad._fileio import PathLike, atomic_write_bytes

from .errors import DatasetError, IDXError

__all__ = [
    "DatasetError",
    "IDXError",
    "IDX_TYPE_CODES",
    "decode_idx",
    "encode_idx",
    "idx_size",
    "read_idx",
    "read_idx_bytes",
    "write_idx",
]

BytesLike = bytes | bytearray | memoryview

#: Element type code (byte 2 of the magic number) -> big-endian NumPy dtype.
IDX_TYPE_CODES: dict[int, np.dtype] = {
    0x08: np.dtype("u1"),
    0x09: np.dtype("i1"),
    0x0B: np.dtype(">i2"),
    0x0C: np.dtype(">i4"),
    0x0D: np.dtype(">f4"),
    0x0E: np.dtype(">f8"),
}

_GZIP_MAGIC = b"\x1f\x8b"
# NumPy refuses arrays with more dimensions than this (32 before NumPy 2, 64 after).
_MAX_NDIM = 32
_MAX_DIM = 2**32 - 1


def _describe(name: str | None) -> str:
    return name if name is not None else "<IDX data>"


def idx_size(prefix: BytesLike) -> int | None:
    """The total size (header and data) that an IDX header declares, once ``prefix`` holds it.

    Parameters
    ----------
    prefix : bytes, bytearray or memoryview
        The first bytes of uncompressed IDX content.

    Returns
    -------
    int or None
        ``4 + 4 * ndim + prod(dims) * itemsize``; None while ``prefix`` is
        too short to hold the whole header. A prefix that is not an IDX
        header (bad magic, unknown type, bad ``ndim``) gives its own length
        plus one: no more than that is worth reading to report the error.
    """
    buf = memoryview(prefix).cast("B")
    if len(buf) < 4:
        return None
    if buf[0] != 0 or buf[1] != 0 or buf[2] not in IDX_TYPE_CODES or not 1 <= buf[3] <= _MAX_NDIM:
        return 4
    ndim = buf[3]
    header = 4 + 4 * ndim
    if len(buf) < header:
        return None
    count = 1
    for i in range(ndim):
        count *= int.from_bytes(bytes(buf[4 + 4 * i : 8 + 4 * i]), "big")
    return header + count * IDX_TYPE_CODES[buf[2]].itemsize


def _gunzip(data: BytesLike, name: str | None) -> bytes:
    """Decompress gzip data, but never more than the IDX header declares plus one byte.

    A small file that would inflate to gigabytes (a "gzip bomb") is thus
    rejected after reading a few bytes past what its header promised.
    """
    out = bytearray()
    limit: int | None = None
    pending = bytes(data)
    try:
        while True:
            d = zlib.decompressobj(16 + zlib.MAX_WBITS)
            tail = pending
            while True:
                want = (limit + 1 if limit is not None else len(out) + 1024) - len(out)
                out += d.decompress(tail, min(max(want, 1), 1 << 24))
                tail = d.unconsumed_tail
                if limit is None:
                    limit = idx_size(out)
                if limit is not None and len(out) > limit:
                    return bytes(out)  # more than declared: decode_idx names the problem
                if d.eof or not tail:
                    break
            if not d.eof:
                out += d.flush()
                raise EOFError("the compressed stream ends before its end marker")
            pending = d.unused_data.lstrip(b"\0")  # another gzip member may follow
            if not pending:
                return bytes(out)
    except (OSError, EOFError, zlib.error, ValueError) as exc:
        raise IDXError(
            f"{_describe(name)}: looks gzip-compressed but could not be decompressed "
            f"(corrupt or truncated gzip stream: {exc})"
        ) from exc


def read_idx_bytes(path: PathLike) -> bytes:
    """Return the IDX bytes stored in a file, decompressing gzip if needed.

    Parameters
    ----------
    path : str or os.PathLike
        File to read. Gzip compression is detected from the first two bytes,
        so both ``*.gz`` and uncompressed files are accepted whatever their name.

    Returns
    -------
    bytes
        The uncompressed content (header and data).

    Raises
    ------
    IDXError
        If the file is gzip-compressed but the stream is corrupt or truncated.
    OSError
        If the file cannot be read (missing, permission denied...).
    """
    with open(path, "rb") as f:
        raw = f.read()
    if raw[:2] == _GZIP_MAGIC:
        return _gunzip(raw, os.fspath(path))
    return raw


def decode_idx(data: BytesLike, *, name: str | None = None) -> np.ndarray:
    """Decode uncompressed or gzip-compressed IDX bytes into an array.

    Parameters
    ----------
    data : bytes, bytearray or memoryview
        The IDX content.
    name : str, optional
        Name used in error messages (typically the file path).

    Returns
    -------
    numpy.ndarray
        A new, writable, native-endian array with the shape given by the header.

    Raises
    ------
    IDXError
        If the header is invalid or does not match the amount of data.
    """
    what = _describe(name)
    buf = memoryview(data).cast("B")
    if bytes(buf[:2]) == _GZIP_MAGIC:
        buf = memoryview(_gunzip(buf, name))
    size = len(buf)
    if size < 4:
        raise IDXError(
            f"{what}: too short for an IDX header (expected at least 4 bytes, found {size})"
        )
    z0, z1, code, ndim = buf[0], buf[1], buf[2], buf[3]
    magic = int.from_bytes(bytes(buf[:4]), "big")
    if z0 != 0 or z1 != 0:
        raise IDXError(
            f"{what}: bad IDX magic number 0x{magic:08X} (expected the first two bytes to be zero, "
            "e.g. 0x00000803 for images or 0x00000801 for labels)"
        )
    if code not in IDX_TYPE_CODES:
        known = ", ".join(f"0x{c:02X}" for c in IDX_TYPE_CODES)
        raise IDXError(
            f"{what}: unknown IDX element type code 0x{code:02X} in magic 0x{magic:08X} "
            f"(expected one of {known})"
        )
    if not 1 <= ndim <= _MAX_NDIM:
        raise IDXError(
            f"{what}: unsupported number of dimensions {ndim} in magic 0x{magic:08X} "
            f"(expected 1 to {_MAX_NDIM})"
        )
    header = 4 + 4 * ndim
    if size < header:
        raise IDXError(
            f"{what}: truncated header: {ndim} dimensions need {header} header bytes, "
            f"found only {size} bytes"
        )
    dims = tuple(int.from_bytes(bytes(buf[4 + 4 * i : 8 + 4 * i]), "big") for i in range(ndim))
    dtype = IDX_TYPE_CODES[code]
    count = 1
    for d in dims:
        count *= d  # Python ints: no overflow, nothing allocated yet.
    expected = count * dtype.itemsize
    found = size - header
    if found != expected:
        problem = "truncated" if found < expected else "has trailing bytes"
        raise IDXError(
            f"{what}: data {problem}: header claims dims {dims} of {dtype.name} "
            f"({expected} data bytes) but found {found} data bytes"
        )
    # An empty array may still claim dims NumPy cannot represent (e.g. 0 x 2**31 x 2**31...).
    nonzero = dtype.itemsize
    for d in dims:
        nonzero *= max(d, 1)
    if nonzero > np.iinfo(np.intp).max:
        raise IDXError(f"{what}: header claims dims {dims}, too large for an array")
    arr = np.frombuffer(buf, dtype=dtype, count=count, offset=header).reshape(dims)
    # astype copies: the result is writable, native-endian and owns its memory.
    return arr.astype(dtype.newbyteorder("="))


def read_idx(source: PathLike | BytesLike, *, name: str | None = None) -> np.ndarray:
    """Read an IDX array from a file path or from bytes.

    Parameters
    ----------
    source : str, os.PathLike, bytes, bytearray or memoryview
        A path to an IDX file (optionally gzip-compressed), or the file content.
    name : str, optional
        Name used in error messages; defaults to the path, if one is given.

    Returns
    -------
    numpy.ndarray
        A new, writable, native-endian array. MNIST images come back as
        ``uint8`` of shape ``(N, 28, 28)`` and labels as ``uint8`` of shape ``(N,)``.

    Raises
    ------
    IDXError
        If the content is not valid IDX: bad magic, unknown type code, truncated
        header or data, trailing bytes, or a corrupt gzip stream.
    OSError
        If ``source`` is a path that cannot be read.

    Examples
    --------
    >>> import numpy as np
    >>> read_idx(encode_idx(np.arange(6, dtype=np.uint8).reshape(2, 3)))
    array([[0, 1, 2],
           [3, 4, 5]], dtype=uint8)
    """
    if isinstance(source, (bytes, bytearray, memoryview)):
        return decode_idx(source, name=name)
    if isinstance(source, (str, os.PathLike)):
        data = read_idx_bytes(source)
        return decode_idx(data, name=name if name is not None else os.fspath(source))
    raise TypeError(f"read_idx expects a path or bytes-like object, got {type(source).__name__}")


def _type_code(dtype: np.dtype) -> int:
    for code, idx_dtype in IDX_TYPE_CODES.items():
        if idx_dtype.kind == dtype.kind and idx_dtype.itemsize == dtype.itemsize:
            return code
    supported = ", ".join(sorted(d.newbyteorder("=").name for d in IDX_TYPE_CODES.values()))
    raise ValueError(f"dtype {dtype} cannot be stored in IDX (supported: {supported})")


def encode_idx(array: npt.ArrayLike) -> bytes:
    """Encode an array as uncompressed IDX bytes.

    Parameters
    ----------
    array : array_like
        Array with 1 to 32 dimensions and dtype uint8, int8, int16, int32,
        float32 or float64 (any byte order).

    Returns
    -------
    bytes
        Header followed by the big-endian, row-major data.

    Raises
    ------
    ValueError
        If the dtype is not representable, the array is 0-d or has too many
        dimensions, or a dimension does not fit in 32 bits.
    """
    arr = np.asarray(array)
    code = _type_code(arr.dtype)
    if not 1 <= arr.ndim <= _MAX_NDIM:
        raise ValueError(f"IDX arrays need 1 to {_MAX_NDIM} dimensions, got {arr.ndim}")
    if any(d > _MAX_DIM for d in arr.shape):
        raise ValueError(f"IDX dimensions must fit in 32 bits, got shape {arr.shape}")
    header = bytes([0, 0, code, arr.ndim]) + b"".join(d.to_bytes(4, "big") for d in arr.shape)
    data = np.ascontiguousarray(arr, dtype=IDX_TYPE_CODES[code]).tobytes()
    return header + data


def write_idx(path: PathLike, array: npt.ArrayLike, *, compress: bool | None = None) -> Path:
    """Write an array to an IDX file atomically.

    The data is written to a temporary file in the destination directory and
    moved into place with :func:`os.replace`, so readers never see a partial
    file; the temporary file is removed on any error.

    Parameters
    ----------
    path : str or os.PathLike
        Destination file. Its directory must exist.
    array : array_like
        Array to store; see :func:`encode_idx` for the supported dtypes.
    compress : bool, optional
        Gzip the output. By default, compress when ``path`` ends with ``.gz``.

    Returns
    -------
    pathlib.Path
        The path written.

    Raises
    ------
    ValueError
        If the array cannot be stored in IDX.
    OSError
        If the file cannot be written.
    """
    dest = Path(path)
    data = encode_idx(array)
    if compress is None:
        compress = dest.name.endswith(".gz")
    if compress:
        data = gzip.compress(data, mtime=0)
    return atomic_write_bytes(dest, data, file_mode=0o644)
