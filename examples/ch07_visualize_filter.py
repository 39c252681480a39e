"""Item 7.9 (``visualize_filter.py``, figure 7-24): the 30 first-layer filters, before and after.

The filters ``W1[:, 0]`` (5x5) of a freshly initialised SimpleConvNet (random noise) and of
a trained one, in grids of 8 columns, "gray_r", nearest interpolation, no ticks. The trained
weights come from ``--params`` (written by ``ch07_train_convnet.py``); when that file does
not exist the network is trained here first (1 epoch on 5,000 images, about a minute; on
300 images with ``--quick``).

    python examples/ch07_visualize_filter.py [--params FILE] [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _convnets import filter_grid, load_or_none, mnist_images, train  # noqa: E402

from minigrad.book.simple_convnet import SimpleConvNet  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def trained_network(params: Path | None, data_dir: Path | None, out: Path, quick: bool,
                    seed: int) -> SimpleConvNet:
    """A SimpleConvNet with trained weights: loaded from ``params``, else trained briefly here."""
    np.random.seed(seed)
    network = SimpleConvNet()
    if load_or_none(network, params):
        print(f"loaded {params}")
        return network
    size = 300 if quick else 5000
    print(f"{params} not found: training 1 epoch on {size} images first")
    train(network, mnist_images(data_dir, size, 200 if quick else 1000), epochs=1, out=out,
          name="simple_convnet_short", seed=seed, evaluate=None)
    return network


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--params", type=Path, default=DEFAULT_OUT / "simple_convnet_params.npz")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    np.random.seed(args.seed)
    fresh = SimpleConvNet()
    before = filter_grid(fresh.params["W1"].data[:, 0], args.out / "fig7-24_filters_before.png",
                         title="W1 before training")
    network = trained_network(args.params, args.data_dir, args.out, args.quick, args.seed)
    after = filter_grid(network.params["W1"].data[:, 0], args.out / "fig7-24_filters_after.png",
                        title="W1 after training")
    print(f"wrote {before}\nwrote {after}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
