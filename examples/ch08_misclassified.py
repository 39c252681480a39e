"""Item 8.3 (``misclassified_mnist.py``, figure 8-2): the test images DeepConvNet gets wrong.

Loads minigrad's own trained weights (``--params``, written by ``ch08_train_deepnet.py``;
the book loads its shipped pickle), predicts the 10,000 test images in batches of 100 in
inference mode, prints the accuracy and the number of mistakes, and shows the first 20
misclassified images in test-set order in a 4x5 grid with their (label, prediction).
Without a parameter file the network is trained briefly first (a warning says so).

    python examples/ch08_misclassified.py [--params FILE] [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _convnets import image_grid, load_or_none, mnist_images, train  # noqa: E402

import minigrad as mg  # noqa: E402
from minigrad.book.deep_convnet import DeepConvNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def trained_deepnet(params: Path | None, data_dir: Path | None, out: Path, quick: bool,
                    seed: int) -> DeepConvNet:
    """DeepConvNet with weights from ``params``, else briefly trained here (not the book's run)."""
    np.random.seed(seed)
    network = DeepConvNet()
    if load_or_none(network, params):
        print(f"loaded {params}")
        return network
    size = 200 if quick else 3000
    print(f"warning: {params} not found; training 1 epoch on {size} images instead "
          "(run ch08_train_deepnet.py for the book's network)")
    train(network, mnist_images(data_dir, size, 100), epochs=1, out=out,
          name="deep_convnet_short", seed=seed, evaluate=None)
    return network


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--params", type=Path, default=DEFAULT_OUT / "deep_convnet_params.npz")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--test-size", type=int, default=None, help="10000 (500 with --quick)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    network = trained_deepnet(args.params, args.data_dir, args.out, args.quick, args.seed)
    n = args.test_size if args.test_size is not None else (500 if args.quick else None)
    _, _, x_test, t_test = mnist_images(args.data_dir, 1, n)
    print("calculating test accuracy ... ")
    classified = []
    acc = 0.0
    batch_size = 100
    with mg.no_grad():
        for i in range(int(x_test.shape[0] / batch_size)):
            tx = x_test[i * batch_size:(i + 1) * batch_size]
            tt = t_test[i * batch_size:(i + 1) * batch_size]
            y = np.argmax(network.predict(tx, train_flg=False), axis=1)
            classified.append(y)
            acc += np.sum(y == tt)
    acc = acc / x_test.shape[0]
    print("test accuracy:" + str(acc))
    pred = np.concatenate(classified)
    wrong = np.flatnonzero(pred != t_test[:pred.size])
    print(f"misclassified: {wrong.size} of {pred.size}")
    first = wrong[:20]
    pairs = {i + 1: (int(t_test[j]), int(pred[j])) for i, j in enumerate(first)}
    print("======= misclassified result =======")
    print("{view index: (label, inference), ...}")
    print(pairs)
    print("test indices:", [int(j) for j in first])
    if first.size:
        path = image_grid(x_test[first, 0], args.out / "fig8-2_misclassified.png", cols=5,
                          labels=[f"{i + 1}: {t_test[j]} -> {pred[j]}"
                                  for i, j in enumerate(first)],
                          title="first misclassified test images (label -> prediction)")
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
