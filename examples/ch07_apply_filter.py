"""Item 7.10 (``apply_filter.py``): the first 16 learned filters applied to an MNIST digit.

The book filters a photograph (``lena_gray.png`` / ``cactus_gray.png``); here the image is
an MNIST test digit (``--index``), upscaled to 112x112 with bilinear ``interpolate`` so the
edges are visible. Each of the first 16 first-layer filters is a one-filter
``Convolution`` (stride 1, pad 0, bias 0); the 16 response maps and the filters are shown
in 4x4 grids ("gray_r"). Trained weights come from ``--params`` or a short run (as in
``ch07_visualize_filter.py``).

    python examples/ch07_apply_filter.py [--params FILE] [--index 0] [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from _convnets import filter_grid, image_grid, mnist_images  # noqa: E402
from ch07_visualize_filter import DEFAULT_OUT, trained_network  # noqa: E402

import minigrad.functional as F  # noqa: E402
from minigrad.book.layers import Convolution  # noqa: E402


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--params", type=Path, default=DEFAULT_OUT / "simple_convnet_params.npz")
    p.add_argument("--data-dir", type=Path, default=None)
    p.add_argument("--index", type=int, default=0, help="test image to filter")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--seed", type=int, default=0)
    p.add_argument("--quick", action="store_true")
    args = p.parse_args(argv)
    network = trained_network(args.params, args.data_dir, args.out, args.quick, args.seed)
    x_test = mnist_images(args.data_dir, 1, args.index + 1)[2]
    img = F.interpolate(x_test[args.index:args.index + 1].astype(np.float64), size=(112, 112),
                        mode="bilinear").data
    filters = network.params["W1"].data[:16]
    maps = []
    for i in range(16):
        w = filters[i:i + 1]  # (1, 1, 5, 5)
        conv = Convolution(w, np.zeros(1))
        maps.append(conv.forward(img).data[0, 0])
    out = np.stack(maps)
    written = [filter_grid(filters[:, 0], args.out / "ch07_apply_filter_filters.png", cols=4,
                           title="first 16 filters"),
               image_grid(out, args.out / "ch07_apply_filter_responses.png", cols=4,
                          title=f"responses on test image {args.index}")]
    print(f"response maps {out.shape}; min {out.min():.3f}, max {out.max():.3f}")
    for path in written:
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
