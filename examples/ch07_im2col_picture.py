"""Items 7.2 and 7.4 drawn: how im2col turns the windows of an image into the rows of a matrix.

The digest's worked example: x = 0..17 as (1, 2, 3, 3), a 2x2 filter, stride 1. Each of
the four window positions becomes one row of ``im2col(x, 2, 2)`` (shape (4, 8)); the
columns run over (channel, kernel row, kernel column). A convolution with FN filters is
then one product ``col @ W.reshape(FN, -1).T``. Writes ``ch07_im2col.png``.

    python examples/ch07_im2col_picture.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad.functional as F  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"
COLORS = ["#f4a261", "#2a9d8f", "#e9c46a", "#8ab6d6"]


def main(argv=None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--out", type=Path, default=DEFAULT_OUT)
    p.add_argument("--quick", action="store_true", help="accepted for uniformity")
    args = p.parse_args(argv)
    from matplotlib.patches import Rectangle

    from minigrad import plotting

    x = np.arange(18.0).reshape(1, 2, 3, 3)
    col = F.im2col(x, 2, 2).data
    print("im2col(x, 2, 2) =")
    print(col.astype(int))

    fig = plotting.new_figure(figsize=(10, 3.6))
    ax = fig.add_axes((0, 0, 1, 1))
    ax.set_xlim(0, 20)
    ax.set_ylim(-1.5, 5.5)
    ax.axis("off")
    # the input: two channels of 3x3, the first window outlined in each
    for c in range(2):
        x0 = 0.5 + c * 3.6
        ax.text(x0 + 1.5, 4.6, f"channel {c}", ha="center", fontsize=10)
        for i in range(3):
            for j in range(3):
                ax.add_patch(Rectangle((x0 + j, 3 - i), 1, 1, fill=False, lw=0.8))
                ax.text(x0 + j + 0.5, 3.5 - i, str(int(x[0, c, i, j])), ha="center",
                        va="center", fontsize=10)
        for w, (oy, ox) in enumerate([(0, 0), (0, 1), (1, 0), (1, 1)]):
            off = 0.06 * (w + 1)
            ax.add_patch(Rectangle((x0 + ox + off, 2 - oy + off), 2 - 2 * off, 2 - 2 * off,
                                   fill=False, lw=2, ec=COLORS[w]))
    ax.annotate("", xy=(8.6, 2.5), xytext=(7.6, 2.5), arrowprops={"arrowstyle": "->",
                                                                  "lw": 2})
    ax.text(8.1, 3.0, "im2col", ha="center", fontsize=10)
    # the matrix: one row per window, columns (c, ky, kx)
    x1 = 9.0
    for r in range(4):
        for j in range(8):
            ax.add_patch(Rectangle((x1 + j * 1.2, 3 - r), 1.2, 1, fc=COLORS[r], alpha=0.35,
                                   ec="black", lw=0.8))
            ax.text(x1 + j * 1.2 + 0.6, 3.5 - r, str(int(col[r, j])), ha="center",
                    va="center", fontsize=10)
    for j in range(8):
        c, ky, kx = j // 4, (j // 2) % 2, j % 2
        ax.text(x1 + j * 1.2 + 0.6, 4.2, f"{c},{ky},{kx}", ha="center", fontsize=7)
    ax.text(x1 + 4.8, 4.7, "columns: (channel, kernel row, kernel column)", ha="center",
            fontsize=9)
    ax.text(x1 + 4.8, -0.6, "rows: one window each (n, out row, out column)", ha="center",
            fontsize=9)
    ax.text(4.0, -0.6, "x = 0..17 as (1, 2, 3, 3), 2x2 windows, stride 1", ha="center",
            fontsize=9)
    path = plotting.save_figure(fig, args.out / "ch07_im2col.png")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
