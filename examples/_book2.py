"""What the second book's example scripts share: a small text for quick runs."""

from __future__ import annotations

#: A few sentences in PTB's style, repeated, for runs without the PTB download.
SMALL_TEXT = (
    "the company said it expects sales to rise next year . "
    "the market fell sharply as investors sold shares . "
    "you say goodbye and i say hello . "
    "the board approved the plan to buy back shares next month . "
) * 25


def write_small_ptb(folder, train_words: int = 20000, eval_words: int = 2000,
                    seed: int = 0) -> None:
    """Write ``ptb.{train,valid,test}.txt`` in PTB's format, drawn from a small grammar.

    PTB's conventions: lower case, one sentence a line with a space at both ends, numbers
    as ``N``, rare words as ``<unk>``. The three files come from the same grammar (its own
    generator, ``seed``), so the validation and test perplexities measure generalisation
    to unseen sentences. Load them with ``ptb.load_data(kind, data_dir=folder,
    verify=False)``.
    """
    from pathlib import Path

    import numpy as np

    rng = np.random.RandomState(seed)

    def pick(words):
        return words[rng.randint(len(words))]

    def noun_phrase():
        kind = rng.randint(4)
        if kind == 0:
            return [pick(NAMES)]
        if kind == 1:
            return [pick(DETS), pick(ADJS), pick(NOUNS)]
        return [pick(DETS), pick(NOUNS)]

    def sentence():
        subject = noun_phrase()
        kind = rng.randint(6)
        if kind == 0:
            return subject + [pick(MOVES)]
        if kind == 1:
            return subject + [pick(MOVES), pick(("to", "by")), "N", "N"]
        if kind == 2:
            return subject + [pick(ACTS)] + noun_phrase()
        if kind == 3:
            return subject + ["said"] + noun_phrase() + [pick(MOVES)]
        if kind == 4:
            return subject + [pick(ACTS), "$", "N", pick(("million", "billion"))]
        return subject + ["said", "it", "expects"] + noun_phrase() + \
            ["to", pick(INFINITIVES), "next", pick(PERIODS)]

    def text(words):
        lines, count = [], 0
        while count < words:
            s = sentence()
            lines.append(" " + " ".join(s) + " \n")
            count += len(s) + 1
        return "".join(lines)

    folder = Path(folder)
    folder.mkdir(parents=True, exist_ok=True)
    for kind, words in (("train", train_words), ("valid", eval_words), ("test", eval_words)):
        (folder / f"ptb.{kind}.txt").write_text(text(words))


DETS = ("the", "a", "its", "this")
ADJS = ("big", "small", "new", "japanese", "federal")
NOUNS = ("company", "market", "bank", "board", "investor", "government", "stock", "price",
         "plan", "unit")
NAMES = ("ibm", "sony", "ford", "mr. <unk>")
MOVES = ("rose", "fell", "grew", "slipped")
ACTS = ("bought", "sold", "approved", "raised", "cut")
INFINITIVES = ("rise", "fall", "grow", "buy", "sell")
PERIODS = ("year", "month", "quarter", "week")


def ptb_folder(corpus: str, data_dir, out, **sizes):
    """Return ``(folder, verify)`` for ``ptb.load_data``: PTB itself or the small text.

    ``corpus`` ``"small"`` writes the small text in PTB's format (:func:`write_small_ptb`
    with ``sizes``) into ``out/small_ptb`` and reads it unchecked; ``"ptb"`` reads the real
    PTB from ``data_dir`` (None: the default folder or the download), checked against its
    pins.
    """
    from pathlib import Path

    if corpus == "small":
        folder = Path(out) / "small_ptb"
        write_small_ptb(folder, **sizes)
        return folder, False
    return data_dir, True
