"""Second book, item 4.8: CBOW with negative sampling (PTB, or a small text with --quick).

Window 5, hidden 100, batch 100, 10 epochs, Adam defaults; then the nearest words of a
few queries. PTB is downloaded on first use (see minigrad.book2.dataset).

    python examples/book2_ch04_cbow.py [--epochs 10] [--data-dir DIR] [--quick]

Book: the loss starts at 4.16 (6 ln 2) and falls; neighbours such as you -> we, i.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book2 import SMALL_TEXT  # noqa: E402

from minigrad.book2.cbow import CBOW  # noqa: E402
from minigrad.book2.optimizer import Adam  # noqa: E402
from minigrad.book2.trainer import Trainer  # noqa: E402
from minigrad.book2.util import create_contexts_target, most_similar, preprocess  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--epochs", type=int, default=None, help="10 (3 with --quick)")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--quick", action="store_true", help="a small built-in text, hidden 20")
    args = p.parse_args(argv)
    if args.quick:
        corpus, word_to_id, id_to_word = preprocess(SMALL_TEXT.strip())
        window, hidden, batch, queries = 2, 20, 20, ["you", "shares"]
    else:
        from minigrad.book2.dataset import ptb
        corpus, word_to_id, id_to_word = ptb.load_data("train", data_dir=args.data_dir)
        window, hidden, batch, queries = 5, 100, 100, ["you", "year", "car", "toyota"]
    epochs = args.epochs if args.epochs is not None else (3 if args.quick else 10)
    contexts, target = create_contexts_target(corpus, window)
    model = CBOW(len(word_to_id), hidden, window, corpus)
    trainer = Trainer(model, Adam())
    trainer.fit(contexts, target, epochs, batch)
    print(f"first record {trainer.loss_list[0]:.3f}, last {trainer.loss_list[-1]:.3f}")
    for q in queries:
        most_similar(q, word_to_id, id_to_word, model.word_vecs, top=5)
    return 0


if __name__ == "__main__":
    sys.exit(main())
