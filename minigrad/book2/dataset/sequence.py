"""The book's ``dataset/sequence.py``: the addition and date-format character data.

``load_data`` reads ``addition.txt`` or ``date.txt`` (a local copy found as
described in :mod:`minigrad.book2.dataset`, or a verified download), grows
the module-level character vocabulary in order of first appearance, and
shuffles with ``numpy.random.seed(seed)`` on NumPy's global generator, as the
book does (so everything drawn afterwards is seeded too).
"""

from __future__ import annotations

import os
from typing import Any

import numpy as np

from minigrad.book2.dataset._files import locate

__all__ = ["load_data", "get_vocab", "SHA256", "URL"]

#: Where the files are downloaded from (the book's repository).
URL = "https://raw.githubusercontent.com/oreilly-japan/deep-learning-from-scratch-2/master/dataset/"

#: SHA-256 of each file.
SHA256 = {
    "addition.txt": "34e0746f5014c11311c9452ee9050bf14e38eca44ec4aaf4d81eba2b38674009",
    "date.txt": "62e66a301ce8537868e725512d2a45663fc366526b7e42028cb703bda2b1c79a",
}

id_to_char: dict[int, str] = {}
char_to_id: dict[str, int] = {}


def _update_vocab(txt: str) -> None:
    for ch in txt:
        if ch not in char_to_id:
            tmp_id = len(char_to_id)
            char_to_id[ch] = tmp_id
            id_to_char[tmp_id] = ch


def load_data(file_name: str = "addition.txt", seed: int = 1984,
              data_dir: str | os.PathLike[str] | None = None) -> Any:
    """Return ``(x_train, t_train), (x_test, t_test)`` of character ids (last 10% is test).

    Parameters
    ----------
    file_name : str
        ``addition.txt`` or ``date.txt`` (another name is read from the data
        folders without a checksum, and is not downloaded).
    seed : int
        Passed to ``numpy.random.seed`` before the shuffle.
    data_dir : path, optional
        Folder holding the file (else the data folders, else a download).
    """
    sha = SHA256.get(file_name)
    path = locate(file_name, URL + file_name, sha, data_dir, download=sha is not None)
    questions, answers = [], []
    with open(path, encoding="utf-8") as fh:
        for line in fh:
            idx = line.find("_")
            if idx < 0:
                raise ValueError(f"{path}: a line without '_': {line!r}")
            questions.append(line[:idx])
            answers.append(line[idx:-1])
    for q, a in zip(questions, answers):
        _update_vocab(q)
        _update_vocab(a)
    x = np.zeros((len(questions), len(questions[0])), dtype=int)
    t = np.zeros((len(questions), len(answers[0])), dtype=int)
    for i, q in enumerate(questions):
        x[i] = [char_to_id[c] for c in q]
    for i, a in enumerate(answers):
        t[i] = [char_to_id[c] for c in a]
    indices = np.arange(len(x))
    if seed is not None:
        np.random.seed(seed)
    np.random.shuffle(indices)
    x, t = x[indices], t[indices]
    split = len(x) - len(x) // 10
    return (x[:split], t[:split]), (x[split:], t[split:])


def get_vocab() -> tuple[dict[str, int], dict[int, str]]:
    """Return ``(char_to_id, id_to_char)`` (the module's dictionaries themselves)."""
    return char_to_id, id_to_char
