"""The book's ``dataset/ptb.py``: the Penn Treebank language-model corpus (Mikolov's text).

Each newline becomes the token ``<eos>``; the vocabulary is built from the
training file in order of first appearance. Files are found in the data
folders (see :mod:`minigrad.book2.dataset`) or downloaded once.
``load_data('val')`` means the validation file.
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from minigrad.book2.dataset._files import locate

__all__ = ["load_data", "load_vocab", "read_words", "URL", "SHA256", "GIT_BLOB_SHA1", "FILES"]

URL = "https://raw.githubusercontent.com/tomsercu/lstm/master/data/"

FILES = {"train": "ptb.train.txt", "test": "ptb.test.txt", "valid": "ptb.valid.txt"}

#: SHA-256 pins; the training file is pinned by its git blob id instead (:data:`GIT_BLOB_SHA1`).
SHA256: dict[str, str | None] = {
    "ptb.train.txt": None,
    "ptb.valid.txt": "c9fe6985fe0d4ccb578183407d7668fc6066c20700cb4cf87d8ff1cc34df1bf2",
    "ptb.test.txt": "dd65dff31e70846b2a6030a87482edcd5d199130cdcfa1f3dccbb033728deee0",
}


#: Git blob ids of the files in the source repository (the training file's only pin).
GIT_BLOB_SHA1 = {
    "ptb.train.txt": "04d78dc94771b5c04adc40b3be08bd8c82942e7f",
    "ptb.valid.txt": "7b3d9d9fd705825715695328b2de872ffbc14a84",
    "ptb.test.txt": "8079cdf342f8d103e5647e1160a8fe3b58a213d5",
}


def read_words(path: str | os.PathLike[str]) -> list[str]:
    """The tokens of a PTB-format text: newlines become ``<eos>``, split on whitespace."""
    with open(path, encoding="utf-8") as fh:
        return fh.read().replace("\n", "<eos>").strip().split()


def _path(data_type: str, data_dir: Any, verify: bool) -> Any:
    name = FILES[data_type]
    return locate(name, URL + name, SHA256[name] if verify else None, data_dir,
                  blob_sha1=GIT_BLOB_SHA1[name] if verify else None)


def load_vocab(data_dir: str | os.PathLike[str] | None = None,
               verify: bool = True) -> tuple[dict[str, int], dict[int, str]]:
    """Return ``(word_to_id, id_to_word)`` built from the training file.

    ``data_dir`` names the folder with the files; ``verify=False`` skips the
    SHA-256 check of local copies (for texts of one's own in PTB's format).
    """
    word_to_id: dict[str, int] = {}
    id_to_word: dict[int, str] = {}
    for word in read_words(_path("train", data_dir, verify)):
        if word not in word_to_id:
            id_to_word[len(word_to_id)] = word
            word_to_id[word] = len(word_to_id)
    return word_to_id, id_to_word


def load_data(data_type: str = "train", data_dir: str | os.PathLike[str] | None = None,
              verify: bool = True) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Return ``(corpus, word_to_id, id_to_word)`` of ``'train'``, ``'val'`` or ``'test'``."""
    if data_type == "val":
        data_type = "valid"
    if data_type not in FILES:
        raise ValueError(f"ptb.load_data: data_type must be 'train', 'val' or 'test', "
                         f"got {data_type!r}")
    word_to_id, id_to_word = load_vocab(data_dir, verify)
    words = read_words(_path(data_type, data_dir, verify))
    missing = sorted({w for w in words if w not in word_to_id})
    if missing:
        raise ValueError(f"ptb.load_data: {data_type} has words outside the training vocabulary: "
                         f"{missing[:5]}")
    corpus = np.array([word_to_id[w] for w in words])
    return corpus, word_to_id, id_to_word
