"""Sections 5.1-5.4: the apple computational graph, forward and backward, by autodiff.

Items 5.1, 5.3, 5.4, 5.5, 5.8 of the specification. Two apples at 100 each
with 10% tax: ``price = apple * apple_num * tax``. One ``backward()`` gives every
derivative the book propagates by hand through the graph of figure 5-16, and the
book's ``MulLayer`` (``minigrad.book.layer_naive``) gives the same numbers. Prints
the book's four lines (``price: 220``, ``dApple: 2.2``, ``dApple_num: 110``,
``dTax: 200``) and draws the graph with values and gradients
(``fig5-16_buy_apple.svg``, or its DOT source ``.dot`` when Graphviz's ``dot`` is not
installed).

    python examples/ch05_buy_apple.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import shutil
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad import viz  # noqa: E402
from minigrad._fileio import atomic_write  # noqa: E402
from minigrad.book.layer_naive import AddLayer, MulLayer  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def fmt(v) -> str:
    """Print a number as the book does: integers without a decimal point."""
    v = float(v)
    return str(int(v)) if v == int(v) else repr(v)


def save_graph(root, out: Path, stem: str) -> None:
    """Write ``stem.svg`` with Graphviz, or its DOT source ``stem.dot`` when ``dot`` is missing."""
    options = dict(show_values=True, show_grads=True, rankdir="LR", show_shapes=False,
                   legend=False)
    if shutil.which("dot"):
        viz.draw_graph(root, path=out / f"{stem}.svg", **options)
        print(f"wrote {out / (stem + '.svg')}")
        return
    with atomic_write(out / f"{stem}.dot", mode="w", parents=True) as fh:
        fh.write(viz.to_dot(root, **options).source)
    print(f"wrote {out / (stem + '.dot')} (install Graphviz to render it)")


def apple_graph():
    """Build price = apple * apple_num * tax from tensors and differentiate it."""
    apple = mg.tensor(100.0, requires_grad=True, name="apple")
    apple_num = mg.tensor(2.0, requires_grad=True, name="apple_num")
    tax = mg.tensor(1.1, requires_grad=True, name="tax")
    apple_price = apple * apple_num
    apple_price.name = "apple_price"
    apple_price.retain_grad()
    price = apple_price * tax
    price.name = "price"
    price.backward(retain_graph=True)
    return price, apple, apple_num, tax, apple_price


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--quick", action="store_true", help="same run (it is instant)")
    args = parser.parse_args(argv)

    price, apple, apple_num, tax, apple_price = apple_graph()
    print("price:", int(price))
    print("dApple:", fmt(apple.grad))
    print("dApple_num:", int(apple_num.grad))
    print("dTax:", fmt(tax.grad))
    print(f"(raw values: price {price.item()!r}, dApple_num {apple_num.grad.item()!r}, "
          f"d price / d apple_price {apple_price.grad.item()!r})")

    # the same with the book's MulLayer, whose backward is autodiff of one op
    mul_apple_layer, mul_tax_layer = MulLayer(), MulLayer()
    p = mul_tax_layer.forward(mul_apple_layer.forward(100.0, 2.0), 1.1)
    dapple_price, dtax = mul_tax_layer.backward(1)
    dapple, dapple_num = mul_apple_layer.backward(dapple_price)
    same = (float(p), dapple, dapple_num, dtax) == (
        price.item(), apple.grad.item(), apple_num.grad.item(), tax.grad.item())
    print("MulLayer gives the same numbers:", same)

    # item 5.4: z = (x + y)**2 gives dz/dx = dz/dy = 2(x + y)
    x = mg.tensor(3.0, requires_grad=True)
    y = mg.tensor(4.0, requires_grad=True)
    ((x + y) ** 2).backward()
    print(f"chain rule, z = (x + y)**2 at (3, 4): dz/dx = {fmt(x.grad)}, dz/dy = {fmt(y.grad)}")
    # item 5.5: an add node passes the upstream gradient on; a mul node swaps its inputs
    add_layer, mul_layer = AddLayer(), MulLayer()
    add_layer.forward(10.0, 5.0)
    mul_layer.forward(10.0, 5.0)
    print("add node, upstream 1.3:", tuple(fmt(g) for g in add_layer.backward(1.3)))
    print("mul node, upstream 1.3:", tuple(fmt(g) for g in mul_layer.backward(1.3)))

    save_graph(price, args.out, "fig5-16_buy_apple")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
