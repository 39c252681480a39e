"""Second book, items 8.6-8.7: attention seq2seq on dates, and its attention maps.

The book's ``ch08/train.py``: reversed questions, D 16, H 256, batch 128, max_grad 5.0,
Adam, 10 epochs of ``Trainer.fit(max_epoch=1)``, each followed by the exact-match
accuracy over the 5,000 test questions (the first 10 printed). Then, as
``ch08/visualize_attention.py``, the attention maps of five test questions drawn with
``np.random.seed(1984)`` (indices 4316, 1779, 1817, 3848, 138): for each decoder step,
the weights over the input characters, in reading order.

    python examples/book2_ch08_attention.py [--model attention|peeky|seq2seq]
        [--epochs N] [--out DIR] [--load PKL] [--quick]

``--out`` (default ``examples/out/book2_ch08``) receives ``<Model>.pkl`` (the book's float16
pickle), ``results.json`` (accuracy and last loss per epoch), ``accuracy.png`` and
``attention_map.png``. ``--load`` skips training and draws the maps from saved parameters.

The book's code (seed 1984), as book2.md records it: 0.00, 51.76, 99.90% after epochs 1-3,
100% at epoch 10. Run on the same machine as this example, with one BLAS thread, the book's
``ch08/train.py`` prints exactly what this example prints: 0.00, 51.66, 99.90% after epochs
1-3 and 99.96% at epoch 10 (the float rounding of another machine's BLAS parts the runs).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from minigrad.book2.attention_seq2seq import AttentionSeq2seq  # noqa: E402
from minigrad.book2.dataset import sequence  # noqa: E402
from minigrad.book2.optimizer import Adam  # noqa: E402
from minigrad.book2.peeky_seq2seq import PeekySeq2seq  # noqa: E402
from minigrad.book2.seq2seq import Seq2seq  # noqa: E402
from minigrad.book2.trainer import Trainer  # noqa: E402
from minigrad.book2.util import eval_seq2seq  # noqa: E402

MODELS = {"attention": AttentionSeq2seq, "peeky": PeekySeq2seq, "seq2seq": Seq2seq}


#: where results go without --out (examples/out/ is ignored by git)
OUT = Path(__file__).resolve().parent / "out" / "book2_ch08"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--model", choices=sorted(MODELS), default="attention")
    p.add_argument("--epochs", type=int, default=None)
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=OUT)
    p.add_argument("--load", type=Path, default=None,
                   help="parameters saved by an earlier run: draw the maps without training")
    p.add_argument("--quick", action="store_true",
                   help="1 epoch on 1,280 questions, H 32, 20 test questions")
    args = p.parse_args(argv)
    if args.model != "attention" and args.load is not None:
        p.error("--load draws attention maps: it needs --model attention")
    (x_train, t_train), (x_test, t_test) = sequence.load_data("date.txt",
                                                              data_dir=args.data_dir)
    _, id_to_char = sequence.get_vocab()
    x_train, x_test = x_train[:, ::-1], x_test[:, ::-1]  # the book's is_reverse = True
    hidden, epochs = 256, 10
    # the five questions of visualize_attention.py, drawn before any training shuffle
    map_rng = np.random.RandomState(1984)
    map_ids = [int(map_rng.randint(0, len(x_test))) for _ in range(5)]
    if args.quick:
        x_train, t_train = x_train[:1280], t_train[:1280]
        map_ids = [i % 20 for i in map_ids]
        x_test, t_test = x_test[:20], t_test[:20]
        hidden, epochs = 32, 1
    if args.epochs is not None:
        epochs = args.epochs
    model = MODELS[args.model](len(id_to_char), 16, hidden)
    args.out.mkdir(parents=True, exist_ok=True)
    if args.load is not None:
        model.load_params(str(args.load))
        acc = accuracy(model, x_test, t_test, id_to_char, verbose=False)
        print(f"loaded {args.load}: val acc {acc * 100:.3f}%")
    else:
        train(model, args, x_train, t_train, x_test, t_test, id_to_char, epochs)
    if args.model == "attention":
        draw_attention_maps(model, x_test, t_test, id_to_char, map_ids,
                            args.out / "attention_map.png")
    return 0


def accuracy(model, x_test, t_test, id_to_char, verbose: bool) -> float:
    """Exact-match accuracy, one question at a time, the first 10 printed if ``verbose``."""
    correct = 0
    for i in range(len(x_test)):
        question, answer = x_test[[i]], t_test[[i]]
        correct += eval_seq2seq(model, question, answer, id_to_char, verbose and i < 10,
                                is_reverse=True)
    return correct / len(x_test)


def train(model, args, x_train, t_train, x_test, t_test, id_to_char, epochs: int) -> None:
    """The book's loop: one epoch of ``Trainer.fit``, then the test accuracy; saved as it goes."""
    trainer = Trainer(model, Adam())
    results: dict = {"model": type(model).__name__, "epochs_planned": epochs,
                     "train_questions": len(x_train), "test_questions": len(x_test),
                     "acc": [], "last_loss": [], "seconds": []}
    start = time.time()
    for _ in range(epochs):
        trainer.fit(x_train, t_train, max_epoch=1, batch_size=128, max_grad=5.0)
        acc = accuracy(model, x_test, t_test, id_to_char, verbose=True)
        print(f"val acc {acc * 100:.3f}%", flush=True)
        results["acc"].append(acc)
        results["last_loss"].append(trainer.loss_list[-1])
        results["seconds"].append(round(time.time() - start, 1))
        # after every epoch, so an interrupted run keeps what it reached
        model.save_params(str(args.out / f"{type(model).__name__}.pkl"))
        (args.out / "results.json").write_text(json.dumps(results, indent=1) + "\n")
    plot_accuracy(results["acc"], args.out / "accuracy.png")


def plot_accuracy(acc: list[float], path: Path) -> None:
    """Accuracy per epoch as the book plots it (marker "o", ylim -0.05 to 1.05)."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib not installed: no accuracy plot")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, ax = plt.subplots(figsize=(5, 3.5))
    ax.plot(np.arange(1, len(acc) + 1), acc, marker="o")
    ax.set_xlabel("epochs")
    ax.set_ylabel("accuracy")
    ax.set_ylim(-0.05, 1.05)
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print(f"wrote {path}")


def attention_map(model, question, answer, id_to_char):
    """One question's (decoder steps, input characters) weights, input in reading order."""
    model.forward(question, answer)
    weights = np.array([w[0] for w in model.decoder.attention.attention_weights])
    weights = weights[:, ::-1]  # the input was reversed: back to reading order
    row_labels = [id_to_char[int(c)] for c in answer[0, 1:]]
    col_labels = [id_to_char[int(c)] for c in question[0, ::-1]]
    return weights, row_labels, col_labels


def draw_attention_maps(model, x_test, t_test, id_to_char, ids: list[int], path: Path) -> None:
    """Item 8.7: one map per question, black background, ``Greys_r`` from 0 to 1."""
    try:
        import matplotlib
    except ImportError:
        print("matplotlib not installed: no attention map")
        return
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, axes = plt.subplots(len(ids), 1, figsize=(8, 2.6 * len(ids)))
    for ax, i in zip(np.atleast_1d(axes), ids):
        weights, rows, cols = attention_map(model, x_test[[i]], t_test[[i]], id_to_char)
        ax.pcolor(weights, cmap="Greys_r", vmin=0.0, vmax=1.0)
        ax.set_facecolor("k")
        ax.set_xticks(np.arange(len(cols)) + 0.5, cols)
        ax.set_yticks(np.arange(len(rows)) + 0.5, rows)
        ax.invert_yaxis()
        question = "".join(cols).strip()
        guess = "".join(id_to_char[int(c)] for c in
                        model.generate(x_test[[i]], int(t_test[i, 0]), len(rows)))
        ax.set_title(f"test question {i}: {question!r} -> {guess!r}", fontsize=9)
        best = [cols[j] for j in weights.argmax(axis=1)]
        print(f"map {i}: {question!r} -> {guess!r}; most attended input per output: "
              + " ".join(f"{r}:{b!r}" for r, b in zip(rows, best)))
    fig.tight_layout()
    fig.savefig(path)
    plt.close(fig)
    print(f"wrote {path}")


if __name__ == "__main__":
    sys.exit(main())
