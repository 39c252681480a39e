"""Former home of the selection ops (deprecated).

They are in :mod:`minigrad.ops.indexing` now, except ``clip``, ``clamp``, ``maximum``
and ``minimum``, which are in :mod:`minigrad.ops.elementwise`; the names here still
work and warn.
"""

from minigrad._moved import forward_names

_MATH = ["Clip", "Maximum", "Minimum", "clip", "clamp", "maximum", "minimum"]
_INDEXING = ["Where", "Gather", "ScatterAdd", "where", "masked_fill", "gather",
             "take_along_axis", "scatter_add", "index_add", "masked_select", "nonzero",
             "argwhere", "sort", "argsort", "topk", "one_hot", "argmax", "argmin"]
__getattr__ = forward_names(__name__, {**dict.fromkeys(_MATH, "minigrad.ops.elementwise"),
                                       **dict.fromkeys(_INDEXING, "minigrad.ops.indexing")})
