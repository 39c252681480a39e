"""Second book, item 7.1: sampling text from a trained language model (``RnnlmGen``).

``ch07/generate_text.py`` loads the ``Rnnlm.pkl`` trained on PTB, starts from "you",
draws 100 words one at a time from the model's softmax (skipping "N", "<unk>" and "$")
and prints them with each "<eos>" as a line break. Here the model is trained first on
a corpus (the small PTB-format text by default, or PTB with ``--corpus ptb``) with
chapter 6's settings, or loaded from ``--load`` (parameters saved by
``book2_ch06_rnnlm.py`` on the same corpus).

    python examples/book2_ch07_generate.py [--corpus small|ptb] [--start WORD]
        [--epochs N] [--load PKL] [--seed S] [--quick]

Book: PTB-like sentences that read grammatically in places; BetterRnnlm reads better.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book2 import ptb_folder  # noqa: E402

from minigrad.book2.dataset import ptb  # noqa: E402
from minigrad.book2.optimizer import SGD  # noqa: E402
from minigrad.book2.rnnlm_gen import RnnlmGen  # noqa: E402
from minigrad.book2.trainer import RnnlmTrainer  # noqa: E402

#: where results go without --out (examples/out/ is ignored by git)
OUT = Path(__file__).resolve().parent / "out" / "book2_ch07"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--corpus", choices=["small", "ptb"], default="small")
    p.add_argument("--data-dir", type=Path, default=None, help="where PTB is (--corpus ptb)")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--start", default=None, help='"you" on PTB, "the" on the small text')
    p.add_argument("--epochs", type=int, default=None, help="4 (2 with --quick)")
    p.add_argument("--load", type=Path, default=None, help="Rnnlm parameters to sample from")
    p.add_argument("--seed", type=int, default=None, help="seed NumPy's global generator")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.seed is not None:
        np.random.seed(args.seed)
    data_dir, verify = ptb_folder(args.corpus, args.data_dir, args.out,
                                  train_words=3000 if args.quick else 20000)
    corpus, word_to_id, id_to_word = ptb.load_data("train", data_dir=data_dir, verify=verify)
    vocab_size = len(word_to_id)
    hidden = 32 if args.quick else 100
    model = RnnlmGen(vocab_size, hidden, hidden)
    if args.load is not None:
        model.load_params(str(args.load))
    else:
        epochs = args.epochs if args.epochs is not None else (2 if args.quick else 4)
        batch, time_size = (10, 10) if args.quick else (20, 35)
        trainer = RnnlmTrainer(model, SGD(20.0))
        trainer.fit(corpus[:-1], corpus[1:], epochs, batch, time_size, max_grad=0.25)
        model.reset_state()
    start = args.start or ("you" if args.corpus == "ptb" else "the")
    if start not in word_to_id:
        p.error(f"--start {start!r} is not in the corpus's vocabulary")
    skip_ids = [word_to_id[w] for w in ("N", "<unk>", "$") if w in word_to_id]
    word_ids = model.generate(word_to_id[start], skip_ids, sample_size=100)
    txt = " ".join(id_to_word[i] for i in word_ids).replace(" <eos>", ".\n")
    print(txt)
    return 0


if __name__ == "__main__":
    sys.exit(main())
