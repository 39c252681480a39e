"""Sections 5.2, 5.4.2: apples and oranges, forward and backward, by autodiff.

Items 5.2, 5.6, 5.9 of the specification: ``price = (apple * apple_num +
orange * orange_num) * tax`` at (100, 2, 150, 3, 1.1). Prints the book's lines
(``price: 715``, ``dApple: 2.2``, ``dApple_num: 110``, ``dOrange:
3.3000000000000003``, ``dOrange_num: 165``, ``dTax: 650``), the full table of
item 5.6 (every node's value and derivative), checks the book's layers
(``MulLayer``/``AddLayer``) against it, and draws figure 5-17 with values and
gradients (``fig5-17_buy_apple_orange.svg``, or its DOT source without Graphviz).

    python examples/ch05_buy_apple_orange.py [--out DIR] [--quick]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import minigrad as mg  # noqa: E402
from minigrad.book.layer_naive import AddLayer, MulLayer  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ch05_buy_apple import fmt, save_graph  # noqa: E402

DEFAULT_OUT = Path(__file__).resolve().parent / "out"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="output directory")
    parser.add_argument("--quick", action="store_true", help="same run (it is instant)")
    args = parser.parse_args(argv)

    leaves = {name: mg.tensor(v, requires_grad=True, name=name) for name, v in
              [("apple", 100.0), ("apple_num", 2.0), ("orange", 150.0), ("orange_num", 3.0),
               ("tax", 1.1)]}
    apple_price = leaves["apple"] * leaves["apple_num"]
    orange_price = leaves["orange"] * leaves["orange_num"]
    all_price = apple_price + orange_price
    price = all_price * leaves["tax"]
    for name, t in [("apple_price", apple_price), ("orange_price", orange_price),
                    ("all_price", all_price), ("price", price)]:
        t.name = name
        t.retain_grad()
    price.backward(retain_graph=True)

    print("price:", int(price))
    print("dApple:", fmt(leaves["apple"].grad))
    print("dApple_num:", int(leaves["apple_num"].grad))
    print("dOrange:", repr(leaves["orange"].grad.item()))
    print("dOrange_num:", int(leaves["orange_num"].grad))
    print("dTax:", fmt(leaves["tax"].grad))

    print("\nitem 5.6: every node, with upstream 1 at the payment")
    print(f"{'quantity':<14}{'forward':>22}{'d payment':>22}")
    rows = [("payment", price), ("all_price", all_price), ("tax", leaves["tax"]),
            ("apple_price", apple_price), ("orange_price", orange_price),
            ("apple", leaves["apple"]), ("apple_num", leaves["apple_num"]),
            ("orange", leaves["orange"]), ("orange_num", leaves["orange_num"])]
    for name, t in rows:
        print(f"{name:<14}{t.item()!r:>22}{t.grad.item()!r:>22}")

    # the book's layers, backward in reverse order of the forward calls
    mul_apple, mul_orange, add_ao, mul_tax = MulLayer(), MulLayer(), AddLayer(), MulLayer()
    p = mul_tax.forward(add_ao.forward(mul_apple.forward(100.0, 2.0),
                                       mul_orange.forward(150.0, 3.0)), 1.1)
    dall, dtax = mul_tax.backward(1)
    dap, dop = add_ao.backward(dall)
    dorange, dorange_num = mul_orange.backward(dop)
    dapple, dapple_num = mul_apple.backward(dap)
    same = (float(p), dapple, dapple_num, dorange, dorange_num, dtax) == tuple(
        t.item() if i == 0 else t.grad.item() for i, t in enumerate(
            [price, leaves["apple"], leaves["apple_num"], leaves["orange"],
             leaves["orange_num"], leaves["tax"]]))
    print("\nMulLayer/AddLayer give the same numbers:", same)

    save_graph(price, args.out, "fig5-17_buy_apple_orange")
    return 0 if same else 1


if __name__ == "__main__":
    raise SystemExit(main())
