"""Second book, items 2.1-2.5: co-occurrence, cosine similarity, PPMI and SVD on one sentence.

    python examples/book2_ch02_count_method.py [--quick]

Book: cos(you, i) = 0.7071; PPMI you-say 1.807, hello-. 2.807; singular values
3.168, 3.168, 2.703, 2.703, 1.514, 1.514, 0.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad.book2.util import (  # noqa: E402
    cos_similarity,
    create_co_matrix,
    most_similar,
    ppmi,
    preprocess,
)


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--quick", action="store_true", help="the same (the run is instant)")
    p.parse_args(argv)
    text = "You say goodbye and I say hello."
    corpus, word_to_id, id_to_word = preprocess(text)
    C = create_co_matrix(corpus, len(word_to_id))  # noqa: N806
    print("cos(you, i):", cos_similarity(C[word_to_id["you"]], C[word_to_id["i"]]))
    most_similar("you", word_to_id, id_to_word, C, top=5)
    W = ppmi(C)  # noqa: N806
    U, S, _ = np.linalg.svd(W)  # noqa: N806
    with np.printoptions(precision=3):
        print("covariance matrix")
        print(C)
        print("-" * 50)
        print("PPMI")
        print(W)
        print("singular values", S)
        print("U[0]", U[0])
    return 0


if __name__ == "__main__":
    sys.exit(main())
