"""Second book, items 5.7-5.8 and 6.6: RNN and LSTM language models with ``RnnlmTrainer``.

``--model simple``: SimpleRnnlm on the first 1,000 PTB training words (D = H = 100,
batch 10, T 5, SGD lr 0.1, 100 epochs). ``--model lstm``: Rnnlm on all of PTB (D = H =
100, batch 20, T 35, SGD lr 20, 4 epochs, clipping 0.25), then the test perplexity.
``--quick`` uses a small built-in text instead of PTB; ``--corpus small`` runs the
book's settings on a small text in PTB's format (``_book2.write_small_ptb``, written
into ``--out``).

    python examples/book2_ch05_rnnlm.py [--model simple|lstm] [--corpus ptb|small]
        [--epochs N] [--quick]

Book: SimpleRnnlm perplexity from about 400 to under 10; Rnnlm test perplexity about 136.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book2 import SMALL_TEXT, write_small_ptb  # noqa: E402

from minigrad.book2.optimizer import SGD  # noqa: E402
from minigrad.book2.rnnlm import Rnnlm  # noqa: E402
from minigrad.book2.simple_rnnlm import SimpleRnnlm  # noqa: E402
from minigrad.book2.trainer import RnnlmTrainer  # noqa: E402
from minigrad.book2.util import eval_perplexity, preprocess  # noqa: E402

#: where results go without --out (examples/out/ is ignored by git)
OUT = Path(__file__).resolve().parent / "out" / "book2_ch05"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["simple", "lstm"], default="simple")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--corpus", choices=["ptb", "small"], default="ptb")
    p.add_argument("--out", type=Path, default=OUT,
                   help="where --corpus small writes its text")
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    if args.corpus == "small" and not args.quick:
        from minigrad.book2.dataset import ptb
        write_small_ptb(args.out / "small_ptb")
        corpus, word_to_id, _ = ptb.load_data("train", data_dir=args.out / "small_ptb",
                                              verify=False)
        test = ptb.load_data("test", data_dir=args.out / "small_ptb", verify=False)[0]
    elif args.quick:
        corpus, word_to_id, _ = preprocess(SMALL_TEXT.strip())
        test = corpus
    else:
        from minigrad.book2.dataset import ptb
        corpus, word_to_id, _ = ptb.load_data("train", data_dir=args.data_dir)
        test = ptb.load_data("test", data_dir=args.data_dir)[0]
    if args.model == "simple":
        corpus = corpus[:1000]
        vocab_size = int(max(corpus)) + 1
        print(f"corpus size: {len(corpus)}, vocabulary size: {vocab_size}")
        model = SimpleRnnlm(vocab_size, 100, 100)
        trainer = RnnlmTrainer(model, SGD(0.1))
        epochs = args.epochs if args.epochs is not None else (10 if args.quick else 100)
        trainer.fit(corpus[:-1], corpus[1:], epochs, batch_size=10, time_size=5)
        print(f"perplexity first {trainer.ppl_list[0]:.2f}, last {trainer.ppl_list[-1]:.2f}")
        return 0
    model = Rnnlm(len(word_to_id), 100, 100)
    trainer = RnnlmTrainer(model, SGD(20.0))
    epochs = args.epochs if args.epochs is not None else (2 if args.quick else 4)
    batch, time_size = (4, 10) if args.quick else (20, 35)
    trainer.fit(corpus[:-1], corpus[1:], epochs, batch, time_size, max_grad=0.25)
    model.reset_state()
    ppl = eval_perplexity(model, test, batch_size=4 if args.quick else 10,
                          time_size=time_size)
    print("test perplexity:", ppl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
