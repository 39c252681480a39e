"""The book's ``common/np.py``: the array module, NumPy here (no GPU switch).

``from minigrad.book2.np import *`` binds ``np`` to NumPy, as the book's
star import does when ``config.GPU`` is false.
"""

import numpy as np

__all__ = ["np"]
