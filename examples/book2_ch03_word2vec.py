"""Second book, items 3.1-3.5: CBOW's forward pass, then SimpleCBOW (or SimpleSkipGram) trained.

On the book's sentence "You say goodbye and I say hello.": first the inference of
``ch03/cbow_predict.py`` (two one-hot contexts through one shared ``W_in``), then the
training of ``ch03/train.py``: window 1, hidden 5, batch 3, 1,000 epochs, Adam, one loss
record per epoch; then each word's vector (the rows of ``W_in``).

    python examples/book2_ch03_word2vec.py [--model cbow|skipgram] [--epochs N]
        [--seed S] [--quick]

Book: the loss falls from ln 7 = 1.946 (CBOW; 2 ln 7 = 3.892 for skip-gram); after 1,000
epochs, you and hello (and goodbye and i) have nearly equal vectors.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad.book2.layers import MatMul  # noqa: E402
from minigrad.book2.optimizer import Adam  # noqa: E402
from minigrad.book2.simple_cbow import SimpleCBOW  # noqa: E402
from minigrad.book2.simple_skip_gram import SimpleSkipGram  # noqa: E402
from minigrad.book2.trainer import Trainer  # noqa: E402
from minigrad.book2.util import (  # noqa: E402
    convert_one_hot,
    cos_similarity,
    create_contexts_target,
    preprocess,
)

MODELS = {"cbow": SimpleCBOW, "skipgram": SimpleSkipGram}


def cbow_predict() -> None:
    """Item 3.1: the scores of one CBOW forward pass (contexts "you" and "goodbye")."""
    c0 = np.array([[1, 0, 0, 0, 0, 0, 0]])
    c1 = np.array([[0, 0, 1, 0, 0, 0, 0]])
    W_in = np.random.randn(7, 3)  # noqa: N806
    W_out = np.random.randn(3, 7)  # noqa: N806
    in_layer0, in_layer1, out_layer = MatMul(W_in), MatMul(W_in), MatMul(W_out)
    h = 0.5 * (in_layer0.forward(c0) + in_layer1.forward(c1))
    s = out_layer.forward(h)
    print("h is the mean of rows 0 and 2 of W_in:",
          bool(np.allclose(h, 0.5 * (W_in[0] + W_in[2]))))
    with np.printoptions(precision=3):
        print("scores", s)


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=sorted(MODELS), default="cbow")
    p.add_argument("--epochs", type=int, default=None, help="1000 (300 with --quick)")
    p.add_argument("--seed", type=int, default=None,
                   help="seed NumPy's global generator first (the book's script does not)")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.seed is not None:
        np.random.seed(args.seed)
    cbow_predict()
    window_size, hidden_size, batch_size = 1, 5, 3
    epochs = args.epochs if args.epochs is not None else (300 if args.quick else 1000)
    corpus, word_to_id, id_to_word = preprocess("You say goodbye and I say hello.")
    vocab_size = len(word_to_id)
    contexts, target = create_contexts_target(corpus, window_size)
    target = convert_one_hot(target, vocab_size)
    contexts = convert_one_hot(contexts, vocab_size)
    model = MODELS[args.model](vocab_size, hidden_size)
    trainer = Trainer(model, Adam())
    trainer.fit(contexts, target, max_epoch=epochs, batch_size=batch_size)
    print(f"records {len(trainer.loss_list)}, first {trainer.loss_list[0]:.3f}, "
          f"last {trainer.loss_list[-1]:.3f}")
    word_vecs = model.word_vecs
    with np.printoptions(precision=2, suppress=True):
        for word_id, word in id_to_word.items():
            print(word, word_vecs[word_id])
    for a, b in (("you", "hello"), ("goodbye", "i"), ("you", "say")):
        sim = cos_similarity(word_vecs[word_to_id[a]], word_vecs[word_to_id[b]])
        print(f"cos({a}, {b}): {sim:.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
