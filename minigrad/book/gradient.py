"""The book's ``common/gradient.py``: :func:`numerical_gradient` (central differences)."""

from minigrad.numerical import numerical_gradient

__all__ = ["numerical_gradient"]
