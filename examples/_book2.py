"""What the second book's example scripts share: a small text for quick runs."""

from __future__ import annotations

#: A few sentences in PTB's style, repeated, for runs without the PTB download.
SMALL_TEXT = (
    "the company said it expects sales to rise next year . "
    "the market fell sharply as investors sold shares . "
    "you say goodbye and i say hello . "
    "the board approved the plan to buy back shares next month . "
) * 25
