"""The book's ``common/util.py`` (second book): text, counts, evaluation.

Examples
--------
>>> from minigrad.book2.util import preprocess, create_co_matrix
>>> corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
>>> corpus.tolist()
[0, 1, 2, 3, 4, 1, 5, 6]
>>> create_co_matrix(corpus, len(word_to_id))[1].tolist()
[1, 0, 1, 0, 1, 1, 0]
"""

from __future__ import annotations

import os
import sys
from collections.abc import Sequence
from typing import Any

import numpy as np

__all__ = ["preprocess", "cos_similarity", "most_similar", "convert_one_hot", "create_co_matrix",
           "ppmi", "create_contexts_target", "to_cpu", "to_gpu", "clip_grads", "eval_perplexity",
           "eval_seq2seq", "analogy", "normalize", "np"]


def preprocess(text: str) -> tuple[np.ndarray, dict[str, int], dict[int, str]]:
    """Lower-case, split off ``.``, split on spaces; ids in order of first appearance.

    Returns
    -------
    corpus : ndarray
        The word ids of the text.
    word_to_id, id_to_word : dict
        The vocabulary both ways.
    """
    words = text.lower().replace(".", " .").split(" ")
    word_to_id: dict[str, int] = {}
    id_to_word: dict[int, str] = {}
    for w in words:
        if w not in word_to_id:
            id_to_word[len(word_to_id)] = w
            word_to_id[w] = len(word_to_id)
    return np.array([word_to_id[w] for w in words]), word_to_id, id_to_word


def cos_similarity(x: Any, y: Any, eps: float = 1e-8) -> float:
    """Cosine similarity ``x / (|x| + eps) . y / (|y| + eps)``."""
    x, y = np.asarray(x), np.asarray(y)
    nx = x / (np.sqrt(np.sum(x ** 2)) + eps)
    ny = y / (np.sqrt(np.sum(y ** 2)) + eps)
    return float(np.dot(nx, ny))


def most_similar(query: str, word_to_id: dict[str, int], id_to_word: dict[int, str],
                 word_matrix: np.ndarray, top: int = 5) -> None:
    """Print the ``top`` words most cosine-similar to ``query`` (the query itself skipped)."""
    if query not in word_to_id:
        print(f"{query} is not found")
        return
    print("\n[query] " + query)
    qid = word_to_id[query]
    qv = word_matrix[qid]
    sim = np.array([cos_similarity(word_matrix[i], qv) for i in range(len(id_to_word))])
    shown = 0
    for i in (-1 * sim).argsort():
        if id_to_word[int(i)] == query:
            continue
        print(f" {id_to_word[int(i)]}: {sim[i]}")
        shown += 1
        if shown >= top:
            return


def convert_one_hot(corpus: Any, vocab_size: int) -> np.ndarray:
    """One-hot int32 rows: ``(N,)`` to ``(N, V)`` and ``(N, C)`` to ``(N, C, V)``."""
    corpus = np.asarray(corpus)
    if corpus.ndim not in (1, 2):
        raise ValueError(f"convert_one_hot: expected ids of rank 1 or 2, got shape {corpus.shape}")
    out = np.zeros((*corpus.shape, vocab_size), dtype=np.int32)
    np.put_along_axis(out, corpus[..., None], 1, axis=-1)
    return out


def create_co_matrix(corpus: Any, vocab_size: int, window_size: int = 1) -> np.ndarray:
    """Co-occurrence counts ``(V, V)`` int32 of neighbours within ``window_size`` (no wrap)."""
    corpus = np.asarray(corpus)
    n = len(corpus)
    co = np.zeros((vocab_size, vocab_size), dtype=np.int32)
    for k in range(1, window_size + 1):
        if k >= n:
            break
        np.add.at(co, (corpus[k:], corpus[:-k]), 1)  # left neighbour at distance k
        np.add.at(co, (corpus[:-k], corpus[k:]), 1)  # right neighbour at distance k
    return co


def ppmi(C: np.ndarray, verbose: bool = False, eps: float = 1e-8) -> np.ndarray:  # noqa: N803
    """Positive PMI ``max(0, log2(C N / (S_j S_i) + eps))`` as float32 (vectorised).

    ``N`` is the sum of ``C`` and ``S`` its column sums, as in the book's code;
    ``verbose`` prints the book's progress lines: ``P% done`` (one decimal)
    after every ``V * V // 100 + 1`` cells of the book's cell-by-cell loop.
    """
    C = np.asarray(C)  # noqa: N806
    n = np.sum(C)
    s = np.sum(C, axis=0)
    with np.errstate(divide="ignore", invalid="ignore"):
        pmi = np.log2(C * n / (s[None, :] * s[:, None]) + eps)
    out = np.maximum(0, np.nan_to_num(pmi, nan=0.0, neginf=0.0)).astype(np.float32)
    if verbose:
        total = C.shape[0] * C.shape[1]
        for cnt in range(total // 100 + 1, total + 1, total // 100 + 1):
            print(f"{100 * cnt / total:.1f}% done")
    return out


def create_contexts_target(corpus: Any, window_size: int = 1) -> tuple[np.ndarray, np.ndarray]:
    """Contexts ``(N, 2w)`` (left neighbours, then right) and targets ``corpus[w:-w]``."""
    corpus = np.asarray(corpus)
    w = window_size
    target = corpus[w:-w]
    offsets = [o for o in range(-w, w + 1) if o != 0]
    idx = np.arange(w, len(corpus) - w)
    contexts = np.stack([corpus[idx + o] for o in offsets], axis=1)
    return contexts, target


def to_cpu(x: Any) -> np.ndarray:
    """Return ``x`` as a NumPy array (the arrays are NumPy already)."""
    return np.asarray(x)


def to_gpu(x: Any) -> np.ndarray:
    """Return ``x`` unchanged as a NumPy array (no GPU backend here)."""
    return np.asarray(x)


def clip_grads(grads: Sequence[np.ndarray], max_norm: float) -> None:
    """Scale every gradient in place by ``max_norm / (total norm + 1e-6)`` when that is below 1.

    The norm is summed in the gradients' own precision (a float32 model's in float32),
    as the book sums it.
    """
    total: Any = 0
    for g in grads:
        total += np.sum(g ** 2)
    total = np.sqrt(total)
    rate = max_norm / (total + 1e-6)
    if rate < 1:
        for g in grads:
            g *= rate


def eval_perplexity(model: Any, corpus: Any, batch_size: int = 10, time_size: int = 35) -> float:
    """Perplexity of a language model over ``corpus`` with the book's fixed windows.

    Row ``i`` of iteration ``k`` reads positions ``k * time_size + i * jump + t``
    (``jump = (len - 1) // batch_size``, wrapping); the model's state carries
    over between iterations (reset it before calling).
    """
    print("evaluating perplexity ...")
    corpus = np.asarray(corpus)
    n = len(corpus)
    max_iters = (n - 1) // (batch_size * time_size)
    if max_iters < 1:
        raise ValueError(f"eval_perplexity: a corpus of {n} ids is shorter than one batch "
                         f"({batch_size} x {time_size} + 1)")
    jump = (n - 1) // batch_size
    offsets = np.arange(batch_size) * jump
    total = 0.0
    for k in range(max_iters):
        pos = (offsets[:, None] + k * time_size + np.arange(time_size)[None, :])
        xs = corpus[pos % n].astype(np.int32)
        ts = corpus[(pos + 1) % n].astype(np.int32)
        try:
            loss = model.forward(xs, ts, train_flg=False)
        except TypeError:
            loss = model.forward(xs, ts)
        total += float(loss)
        sys.stdout.write(f"\r{k} / {max_iters}")
        sys.stdout.flush()
    print("")
    return float(np.exp(total / max_iters))


def eval_seq2seq(model: Any, question: Any, correct: Any, id_to_char: dict[int, str],
                 verbose: bool = False, is_reverse: bool = False) -> int:
    """Return 1 if the greedy answer to ``question`` (1, T) equals ``correct`` exactly, else 0."""
    correct = np.asarray(correct).flatten()
    start_id = int(correct[0])
    correct = correct[1:]
    guess = model.generate(question, start_id, len(correct))
    q = "".join(id_to_char[int(c)] for c in np.asarray(question).flatten())
    c = "".join(id_to_char[int(c)] for c in correct)
    g = "".join(id_to_char[int(c)] for c in guess)
    if verbose:
        if is_reverse:
            q = q[::-1]
        mark = {"ok": "\033[92m" + "☑" + "\033[0m", "ng": "\033[91m" + "☒" + "\033[0m"}
        if os.name == "nt":
            mark = {"ok": "O", "ng": "X"}
        print("Q", q)
        print("T", c)
        print(mark["ok"] + " " + g if c == g else mark["ng"] + " " + g)
        print("---")
    return 1 if g == c else 0


def normalize(x: np.ndarray) -> np.ndarray:
    """Divide ``x`` in place by its norm (each row's for 2-D) and return it."""
    if x.ndim == 2:
        x /= np.sqrt((x ** 2).sum(1)).reshape(-1, 1)
    elif x.ndim == 1:
        x /= np.sqrt((x ** 2).sum())
    return x


def analogy(a: str, b: str, c: str, word_to_id: dict[str, int], id_to_word: dict[int, str],
            word_matrix: np.ndarray, top: int = 5, answer: str | None = None) -> None:
    """Print the words closest to ``b - a + c`` (``a:b = c:?``), scored by ``word_matrix @ q``."""
    for word in (a, b, c):
        if word not in word_to_id:
            print(f"{word} is not found")
            return
    print("\n[analogy] " + a + ":" + b + " = " + c + ":?")
    va, vb, vc = (word_matrix[word_to_id[w]] for w in (a, b, c))
    query = vb - va + vc  # a new array in the vectors' dtype, normalised in place as the book
    query = normalize(query if query.dtype.kind == "f" else query.astype(np.float64))
    sim = np.dot(word_matrix, query)
    if answer is not None:
        print("==>" + answer + ":" + str(np.dot(word_matrix[word_to_id[answer]], query)))
    shown = 0
    for i in (-1 * sim).argsort():
        if np.isnan(sim[i]) or id_to_word[int(i)] in (a, b, c):
            continue
        print(f" {id_to_word[int(i)]}: {sim[i]}")
        shown += 1
        if shown >= top:
            return
