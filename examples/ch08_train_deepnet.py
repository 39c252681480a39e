"""Item 8.2 (``train_deepnet.py``): DeepConvNet on MNIST with the book's settings.

Trainer(epochs=20, mini_batch_size=100, Adam lr 0.001, evaluation on the first 1,000
training and test images per epoch), final accuracy on the full test set; parameters in
``<out>/deep_convnet_params.npz`` after every epoch. The printed training loss includes
the dropout on the logits and stays near 1 (item 8.1).

    python examples/ch08_train_deepnet.py [--epochs 20] [--out DIR] [--quick]

Book: test accuracy 99.38%. A full run takes hours on a CPU.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _convnets import mnist_images, train  # noqa: E402

from minigrad.book.deep_convnet import DeepConvNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--epochs", type=int, default=None, help="20 (1 with --quick)")
    p.add_argument("--train-size", type=int, default=None, help="all (200 with --quick)")
    p.add_argument("--test-size", type=int, default=None, help="all (100 with --quick)")
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (1 if args.quick else 20)
    train_size = args.train_size if args.train_size is not None else (200 if args.quick else None)
    test_size = args.test_size if args.test_size is not None else (100 if args.quick else None)
    data = mnist_images(args.data_dir, train_size, test_size)
    print(f"train {data[0].shape}, test {data[2].shape}, {epochs} epochs")
    np.random.seed(args.seed)
    network = DeepConvNet()
    history = train(network, data, epochs=epochs, out=args.out, name="deep_convnet",
                    seed=args.seed, evaluate=1000)
    from minigrad import plotting
    path = plotting.save_accuracy_curves(history["train_acc"], history["test_acc"],
                                         args.out / "ch08_accuracy.png",
                                         title="DeepConvNet on MNIST")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
