"""Section 2: loss functions.

The sum of squared errors and the cross-entropy error on the chapter's example
vectors (a right guess: 0.6 on the true class 2; a wrong one: 0.6 on class 7),
the batched cross-entropy with one-hot targets and with integer labels, the
gradient of the loss by autodiff, and, given MNIST, a random mini-batch drawn
the book's way. Writes a plot of ``-log(y)``: the loss of a sample whose true
class gets probability y.

    python examples/loss_functions.py [--out DIR] [--quick] [--data-dir DIR]
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
import minigrad.functional as F  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"

T = np.array([0, 0, 1, 0, 0, 0, 0, 0, 0, 0], dtype=np.float64)  # the answer is "2"
Y_RIGHT = np.array([0.1, 0.05, 0.6, 0.0, 0.05, 0.1, 0.0, 0.1, 0.0, 0.0])  # "2" most likely
Y_WRONG = np.array([0.1, 0.05, 0.1, 0.0, 0.05, 0.1, 0.0, 0.6, 0.0, 0.0])  # "7" most likely


def book_sum_squares_error(y, t):
    return 0.5 * np.sum((y - t) ** 2)


def book_cross_entropy_error(y, t):
    delta = 1e-7
    return -np.sum(t * np.log(y + delta))


def parse_args(argv):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT,
                        help="directory for the figures (default: examples/out)")
    parser.add_argument("--quick", action="store_true", help="fewer sample points")
    parser.add_argument("--data-dir", type=Path, default=None,
                        help="MNIST directory for the mini-batch demo (default: $MINIGRAD_DATA; "
                             "skipped when neither is set)")
    parser.add_argument("--seed", type=int, default=0, help="seed of the mini-batch draw")
    return parser.parse_args(argv)


def minibatch_demo(data_dir: Path, seed: int) -> None:
    from minigrad.datasets import load_mnist

    (x_train, t_train), _ = load_mnist(normalize=True, one_hot_label=True,
                                       data_dir=data_dir, download=False)
    train_size = x_train.shape[0]
    batch_size = 10
    np.random.seed(seed)
    batch_mask = np.random.choice(train_size, batch_size)  # with replacement, as in the book
    x_batch, t_batch = x_train[batch_mask], t_train[batch_mask]
    print(f"MNIST: x_train {x_train.shape}, t_train {t_train.shape}")
    print(f"batch_mask = np.random.choice({train_size}, {batch_size}) = {batch_mask}")
    print(f"x_batch {x_batch.shape}, t_batch {t_batch.shape}, labels {t_batch.argmax(1)}")
    uniform = np.full(t_batch.shape, 0.1)
    print(f"cross_entropy_error(uniform 0.1, t_batch) = "
          f"{F.cross_entropy_error(uniform, t_batch).item():.4f}  (= -log 0.1 = "
          f"{-np.log(0.1):.4f}, the loss of an untrained network)")


def main(argv=None) -> int:
    args = parse_args(argv)
    from minigrad import plotting

    print(f"t = {T.astype(int).tolist()}")
    for name, y in (("right guess (0.6 on 2)", Y_RIGHT), ("wrong guess (0.6 on 7)", Y_WRONG)):
        sse = F.sum_squares_error(y, T).item()
        cee = F.cross_entropy_error(y, T).item()
        print(f"{name}: y = {y.tolist()}")
        print(f"  sum_squares_error   = {sse:.4f}  ({sse!r}; NumPy as in the book: "
              f"{float(book_sum_squares_error(y, T))!r})")
        print(f"  cross_entropy_error = {cee:.4f}  ({cee!r}; NumPy as in the book: "
              f"{float(book_cross_entropy_error(y, T))!r})")
    print()

    y_batch = np.stack([Y_RIGHT, Y_WRONG])
    t_onehot = np.stack([T, T])
    t_labels = np.array([2, 2])
    ce_onehot = F.cross_entropy_error(y_batch, t_onehot).item()
    ce_labels = F.cross_entropy_error(y_batch, t_labels).item()
    print("batch of both guesses (mean over N=2):")
    print(f"  one-hot targets: cross_entropy_error = {ce_onehot:.4f}")
    print(f"  labels [2, 2]:   cross_entropy_error = {ce_labels:.4f}")
    print(f"  book's label form -sum(log(y[arange(N), t] + 1e-7)) / N = "
          f"{-np.sum(np.log(y_batch[np.arange(2), t_labels] + 1e-7)) / 2:.4f}")
    print()

    y = mg.Tensor(Y_RIGHT.copy(), requires_grad=True)
    F.cross_entropy_error(y, T).backward()
    print("d cross_entropy_error / dy (right guess, autodiff):")
    print(f"  {np.round(y.grad.data, 4).tolist()}")
    print(f"  only the true class moves the loss: -1 / (0.6 + 1e-7) = {-1 / (0.6 + 1e-7):.4f}")
    print()

    data_dir = args.data_dir or (Path(os.environ["MINIGRAD_DATA"])
                                 if os.environ.get("MINIGRAD_DATA") else None)
    if data_dir is None:
        print("MNIST mini-batch demo skipped (pass --data-dir or set MINIGRAD_DATA)")
    else:
        minibatch_demo(data_dir, args.seed)
    print()

    ys = np.linspace(1e-3, 1.0, 100 if args.quick else 1000)
    path = plotting.save_curves(
        ys, {"-log(y)": -np.log(ys), "-log(y + 1e-7)": -np.log(ys + 1e-7)},
        args.out / "cross_entropy_neg_log.png", xlabel="y (probability of the true class)",
        ylabel="cross-entropy error", ylim=(0, 7), linestyles={"-log(y + 1e-7)": "--"},
        title="cross-entropy of one sample: large when y is small, 0 at y = 1")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
