"""Item 7.8 (``train_convnet.py``): SimpleConvNet on MNIST with the book's settings.

Trainer(epochs=20, mini_batch_size=100, Adam lr 0.001, evaluation on the first 1,000
training and test images per epoch), final accuracy on all 10,000 test images; the
parameters go to ``<out>/simple_convnet_params.npz`` (a minigrad checkpoint, no pickle)
after every epoch, and the accuracy curve to ``<out>/ch07_accuracy.png``.

    python examples/ch07_train_convnet.py [--epochs 20] [--out DIR] [--quick]

Book: train 99.82%, test 98.96% after 20 epochs (item 7.8).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _convnets import mnist_images, train  # noqa: E402

from minigrad.book.simple_convnet import SimpleConvNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--epochs", type=int, default=None, help="20 (1 with --quick)")
    p.add_argument("--train-size", type=int, default=None, help="all (300 with --quick)")
    p.add_argument("--test-size", type=int, default=None, help="all (200 with --quick)")
    p.add_argument("--seed", type=int, default=0, help="seed of np.random")
    p.add_argument("--quick", action="store_true", help="a tiny run for testing")
    args = p.parse_args(argv)
    epochs = args.epochs if args.epochs is not None else (1 if args.quick else 20)
    train_size = args.train_size if args.train_size is not None else (300 if args.quick else None)
    test_size = args.test_size if args.test_size is not None else (200 if args.quick else None)
    data = mnist_images(args.data_dir, train_size, test_size)
    print(f"train {data[0].shape}, test {data[2].shape}, {epochs} epochs")

    import numpy as np
    np.random.seed(args.seed)
    network = SimpleConvNet(input_dim=(1, 28, 28),
                            conv_param={"filter_num": 30, "filter_size": 5, "pad": 0,
                                        "stride": 1},
                            hidden_size=100, output_size=10, weight_init_std=0.01)
    history = train(network, data, epochs=epochs, out=args.out, name="simple_convnet",
                    seed=args.seed, evaluate=1000)

    from minigrad import plotting
    path = plotting.save_accuracy_curves(history["train_acc"], history["test_acc"],
                                         args.out / "ch07_accuracy.png",
                                         title="SimpleConvNet on MNIST")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
