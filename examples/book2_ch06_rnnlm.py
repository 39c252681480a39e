"""Second book, items 6.6 and 6.10: the LSTM language models Rnnlm and BetterRnnlm.

``--model rnnlm`` is ``ch06/train_rnnlm.py``: D = H = 100, batch 20, T 35, SGD lr 20.0,
clipping 0.25, 4 epochs of ``RnnlmTrainer``, then the test perplexity.
``--model better`` is ``ch06/train_better_rnnlm.py``: two LSTM layers, dropout 0.5,
tied weights, D = H = 650, 40 epochs; after each epoch the validation perplexity, the
parameters saved when it improved, the learning rate divided by 4 when it did not; then
the test perplexity.

``--corpus ptb`` (the default) reads PTB (downloaded on first use). ``--corpus small``
writes a small text in PTB's format (a toy grammar, 20,000 training words, see
``_book2.write_small_ptb``) into the output folder and trains on it with the same
settings; ``--quick`` uses a shorter small text, smaller sizes and fewer epochs.

    python examples/book2_ch06_rnnlm.py [--model rnnlm|better] [--corpus ptb|small]
        [--epochs N] [--hidden H] [--out DIR] [--quick]

Book: Rnnlm test perplexity about 136 on PTB; BetterRnnlm about 75.76 (GPU, hours).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _book2 import ptb_folder  # noqa: E402

from minigrad.book2.better_rnnlm import BetterRnnlm  # noqa: E402
from minigrad.book2.dataset import ptb  # noqa: E402
from minigrad.book2.optimizer import SGD  # noqa: E402
from minigrad.book2.rnnlm import Rnnlm  # noqa: E402
from minigrad.book2.trainer import RnnlmTrainer  # noqa: E402
from minigrad.book2.util import eval_perplexity  # noqa: E402

#: where results go without --out (examples/out/ is ignored by git)
OUT = Path(__file__).resolve().parent / "out" / "book2_ch06"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=["rnnlm", "better"], default="rnnlm")
    p.add_argument("--corpus", choices=["ptb", "small"], default=None,
                   help="ptb (small with --quick)")
    p.add_argument("--epochs", type=int, default=None,
                   help="4 for rnnlm, 40 for better (2 and 3 with --quick)")
    p.add_argument("--hidden", type=int, default=None,
                   help="D = H: 100 for rnnlm, 650 for better (32 with --quick)")
    p.add_argument("--data-dir", type=Path, default=None, help="where PTB is (--corpus ptb)")
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    corpus_kind = args.corpus or ("small" if args.quick else "ptb")
    sizes = {"train_words": 3000, "eval_words": 800} if args.quick else {}
    data_dir, verify = ptb_folder(corpus_kind, args.data_dir, args.out, **sizes)
    corpus, word_to_id, _ = ptb.load_data("train", data_dir=data_dir, verify=verify)
    val = ptb.load_data("val", data_dir=data_dir, verify=verify)[0]
    test = ptb.load_data("test", data_dir=data_dir, verify=verify)[0]
    vocab_size = len(word_to_id)
    print(f"corpus {corpus_kind}: {len(corpus)} training words, vocabulary {vocab_size}, "
          f"validation {len(val)}, test {len(test)}")
    batch, time_size, lr, max_grad = 20, 35, 20.0, 0.25
    eval_batch = 10
    if args.quick:
        batch, time_size, eval_batch = 10, 10, 4
    if args.model == "rnnlm":
        hidden = args.hidden or (32 if args.quick else 100)
        epochs = args.epochs if args.epochs is not None else (2 if args.quick else 4)
        model = Rnnlm(vocab_size, hidden, hidden)
    else:
        hidden = args.hidden or (32 if args.quick else 650)
        epochs = args.epochs if args.epochs is not None else (3 if args.quick else 40)
        model = BetterRnnlm(vocab_size, hidden, hidden, dropout_ratio=0.5)
    args.out.mkdir(parents=True, exist_ok=True)
    results: dict = {"model": type(model).__name__, "corpus": corpus_kind, "hidden": hidden,
                     "epochs_planned": epochs}
    model.reset_state()
    before = eval_perplexity(model, val, batch_size=eval_batch, time_size=time_size)
    print(f"validation perplexity before training: {before:.2f}")
    results["valid_ppl_before"] = before
    model.reset_state()  # the evaluation's batch size is not the training's
    trainer = RnnlmTrainer(model, SGD(lr))
    if args.model == "rnnlm":
        trainer.fit(corpus[:-1], corpus[1:], epochs, batch, time_size, max_grad=max_grad)
        results["train_ppl_records"] = trainer.ppl_list
        print(f"perplexity records: first {trainer.ppl_list[0]:.2f}, "
              f"last {trainer.ppl_list[-1]:.2f}")
        model.reset_state()
        results["valid_ppl"] = [eval_perplexity(model, val, eval_batch, time_size)]
        print(f"validation perplexity: {results['valid_ppl'][0]:.2f}")
    else:
        best_ppl = float("inf")
        results["valid_ppl"], results["lr"] = [], []
        optimizer = trainer.optimizer
        for _ in range(epochs):
            trainer.fit(corpus[:-1], corpus[1:], 1, batch, time_size, max_grad=max_grad)
            model.reset_state()
            ppl = eval_perplexity(model, val, eval_batch, time_size)
            print("valid perplexity:", ppl)
            results["valid_ppl"].append(ppl)
            results["lr"].append(optimizer.lr)
            if best_ppl > ppl:
                best_ppl = ppl
                model.save_params(str(args.out / f"{type(model).__name__}.pkl"))
            else:
                optimizer.lr /= 4.0
            model.reset_state()
            print("-" * 50)
            (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    model.reset_state()
    test_ppl = eval_perplexity(model, test, eval_batch, time_size)
    results["test_ppl"] = test_ppl
    print(f"test perplexity: {test_ppl:.2f}")
    if args.model == "rnnlm":
        model.save_params(str(args.out / f"{type(model).__name__}.pkl"))
    (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    return 0 if np.isfinite(test_ppl) else 1


if __name__ == "__main__":
    sys.exit(main())
