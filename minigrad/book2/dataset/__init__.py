"""The book's ``dataset/`` loaders: ``ptb``, ``sequence`` (addition, date) and ``spiral``.

``from dataset import ptb`` becomes ``from minigrad.book2.dataset import ptb``.
Files are looked for, in order, in ``$MINIGRAD_BOOK2_DATA``, in
``$MINIGRAD_DATA/book2`` and in the user cache (``~/.cache/minigrad/book2``);
when none holds them they are downloaded into the cache once and checked
against their pins (SHA-256 for ``addition.txt``, ``date.txt`` and PTB's
validation and test files; the git blob id for every PTB file).
"""

from minigrad.book2.dataset import ptb, sequence, spiral
from minigrad.book2.dataset._files import ENV_VAR

__all__ = ["ptb", "sequence", "spiral", "ENV_VAR"]
