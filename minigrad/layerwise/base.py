"""Shared machinery of the book's layers: ``backward`` by automatic differentiation."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, ClassVar

import numpy as np

from minigrad.autograd import backward, is_grad_enabled
from minigrad.nn.module import Module
from minigrad.tensor import Tensor, _make


def leaf(x: Any) -> Any:
    """Return ``x`` as a Tensor that requires grad when recording (so ``backward`` can give ``dx``).

    A Tensor is returned unchanged (it is the previous layer's output, or the
    caller's own leaf); anything else becomes a new leaf tensor. Outside a
    graph-recording context the value is returned as a plain Tensor.
    """
    if isinstance(x, Tensor):
        return x
    arr = np.asarray(x)
    if arr.dtype.kind != "f":
        arr = arr.astype(np.float64)
    return Tensor(arr, requires_grad=is_grad_enabled())


class BookLayer(Module):
    """A layer with the book's ``forward``/``backward`` surface over minigrad ops.

    ``forward`` records ops on Tensors and calls :meth:`_remember` with the
    tensors ``backward`` must differentiate with respect to; ``backward(dout)``
    then runs reverse-mode autodiff from the remembered output with ``dout``
    as its gradient and returns the input gradients as ndarrays (parameter
    gradients land in ``dW``/``db``/``dgamma``/``dbeta`` via :meth:`_store`).
    """

    #: Give ``dout`` to the graph in its own floating dtype (a float64 gradient reaching a
    #: float32 layer stays float64, NumPy's promotion, as the second book's NumPy layers
    #: compute), instead of casting it to the output's dtype first (the default).
    _seed_keeps_dtype: ClassVar[bool] = False

    def _remember(self, out: Tensor, inputs: Sequence[Any], params: dict[str, Tensor]) -> None:
        d = self.__dict__
        d["_out"] = out
        d["_inputs"] = list(inputs)
        d["_grad_params"] = dict(params)

    def _backward(self, dout: Any) -> list[np.ndarray | None]:
        d = self.__dict__
        out = d.get("_out")
        if out is None:
            raise RuntimeError(f"{type(self).__name__}.backward: call forward first")
        if not out.requires_grad:
            raise RuntimeError(f"{type(self).__name__}.backward: the last forward was run "
                               "without recording a graph (inside no_grad)")
        inputs = [x for x in d["_inputs"] if isinstance(x, Tensor) and x.requires_grad]
        pnames = [k for k, p in d["_grad_params"].items() if p.requires_grad]
        targets = inputs + [d["_grad_params"][k] for k in pnames]
        g = np.asarray(dout.data if isinstance(dout, Tensor) else dout)
        if not (self._seed_keeps_dtype and g.dtype.kind == "f"):
            g = g.astype(out.dtype, copy=False)
        if g.shape != out.shape:
            g = np.broadcast_to(g, out.shape).copy()
        # the engine's pass itself: grad() would cast a seed of another dtype to the output's
        grads = (backward([out], [_make(g)], retain_graph=True, inputs=targets) or ()) \
            if targets else ()
        by_id = {id(t): gt for t, gt in zip(targets, grads)}
        for k in pnames:
            gp = by_id[id(d["_grad_params"][k])]
            object.__setattr__(self, "d" + k, None if gp is None else gp.data)
        result: list[np.ndarray | None] = []
        for x in d["_inputs"]:
            gx = by_id.get(id(x)) if isinstance(x, Tensor) else None
            result.append(None if gx is None else gx.data)
        return result
