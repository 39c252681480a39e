"""The book's ``dataset/`` loaders: ``ptb``, ``sequence`` (addition, date) and ``spiral``.

``from dataset import ptb`` becomes ``from minigrad.book2.dataset import ptb``.
Files are looked for, in order, in ``$MINIGRAD_BOOK2_DATA``, in
``$MINIGRAD_DATA/book2`` and in the user cache (``~/.cache/minigrad/book2``);
when none holds them they are downloaded into the cache once and checked
against their SHA-256 pins (``addition.txt``, ``date.txt``, PTB's validation
and test files; PTB's training file has no pin).
"""

from minigrad.book2.dataset import ptb, sequence, spiral
from minigrad.book2.dataset._files import ENV_VAR

__all__ = ["ptb", "sequence", "spiral", "ENV_VAR"]
