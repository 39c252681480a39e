"""Matrix products: ``matmul`` (2-D, 1-D vectors, batched) and the fused ``linear``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from minigrad.autograd import Function, OpError, OpTypeError
from minigrad.ops.catalogue import REFLECTED, op
from minigrad.ops.shape import broadcast_to, reshape, sum_to, transpose
from minigrad.tensor import Tensor, as_tensor

__all__ = ["matmul", "linear", "einsum", "outer", "dot", "tensordot"]


def _swap_last(x: Tensor) -> Tensor:
    """Transpose the last two axes."""
    if x.ndim == 2:
        return transpose(x, None)
    axes = list(range(x.ndim))
    axes[-1], axes[-2] = axes[-2], axes[-1]
    return transpose(x, axes)


class MatMul(Function):
    """``a @ b`` with NumPy's matmul semantics."""

    def forward(self, a: np.ndarray, b: np.ndarray) -> np.ndarray:
        if a.ndim == 0 or b.ndim == 0:
            raise OpError("matmul does not accept 0-d operands; use * instead")
        return a @ b

    def backward(self, gy: Tensor) -> tuple[Tensor | None, Tensor | None]:
        a, b = self.inputs
        na, nb = self.needs_input_grad
        if a.ndim == 2 and b.ndim == 2:  # the common case, kept plain
            return (gy @ b.T if na else None, a.T @ gy if nb else None)
        # Treat vectors as matrices: a (n,) -> (1, n), b (n,) -> (n, 1).
        a2 = reshape(a, (1,) + a.shape) if a.ndim == 1 else a
        b2 = reshape(b, b.shape + (1,)) if b.ndim == 1 else b
        gshape = gy.shape
        if a.ndim == 1:
            gshape = gshape[:-1] + (1,) + gshape[-1:] if b.ndim > 1 else gshape + (1,)
        if b.ndim == 1:
            gshape = gshape + (1,)
        g2 = reshape(gy, gshape)
        ga = gb = None
        if na:
            ga = reshape(sum_to(g2 @ _swap_last(b2), a2.shape), a.shape)
        if nb:
            gb = reshape(sum_to(_swap_last(a2) @ g2, b2.shape), b.shape)
        return ga, gb


class Linear(Function):
    """The fused affine map ``x @ W + b`` (``b`` optional), one op instead of two.

    ``Linear(out_in=True)`` takes ``W`` in PyTorch's layout ``(out, in)`` and
    computes ``x @ W.T + b`` (what :class:`minigrad.nn.Linear` records).
    """

    broadcasting = (2,)

    def __init__(self, out_in: bool = False) -> None:
        self.out_in = out_in

    def attrs(self) -> dict[str, Any]:
        return {"weight": "(out, in)"} if self.out_in else {}

    def forward(self, x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None) -> np.ndarray:  # noqa: N803
        y = x @ (W.T if self.out_in else W)
        if b is not None:
            if b.dtype == y.dtype:
                y += b  # in place: no second output-sized array
            else:  # NumPy's result dtype, as in the unfused x @ W + b
                out = y + b
                if out.shape != y.shape:
                    raise OpError(f"bias of shape {b.shape} would broadcast the output of "
                                  f"shape {y.shape} to {out.shape}")
                y = out
        return y

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        x, W = self.inputs[0], self.inputs[1]
        needs = self.needs_input_grad
        if self.out_in:
            gx = gy @ W if needs[0] else None
        else:
            gx = gy @ W.T if needs[0] else None
        gW = None
        if needs[1]:
            if x.ndim == 2:
                gW = gy.T @ x if self.out_in else x.T @ gy
            else:
                x2 = reshape(x, (-1, x.shape[-1]))
                gy2 = reshape(gy, (-1, gy.shape[-1]))
                gW = gy2.T @ x2 if self.out_in else x2.T @ gy2
        if len(self.inputs) == 2:
            return gx, gW
        gb = gy if needs[2] else None
        return gx, gW, gb


@op("matmul", torch="matmul", method={"matmul": True, "__matmul__": True, "__rmatmul__": REFLECTED})
def matmul(a: Any, b: Any) -> Tensor:
    """Matrix product ``a @ b`` (2-D, 1-D vectors, batched), differentiable in both."""
    return MatMul()(a, b)


@op(torch="linear", mg=False)
def linear(x: Any, W: Any, b: Any = None) -> Tensor:  # noqa: N803
    """Return ``x @ W + b`` as one op (``x``: (..., in), ``W``: (in, out), ``b``: (out,))."""
    if b is None:
        return Linear()(x, W)
    return Linear()(x, W, b)


# -- op library: einsum and the products built on it --------------------------------------------

_LETTERS = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"


def _parse_einsum(subscripts: str, shapes: Sequence[tuple[int, ...]]) -> tuple[list[str], str]:
    """Return each operand's subscripts and the output's, with ``...`` spelled out in letters.

    The output is the explicit one after ``->``, else (NumPy's implicit mode) the broadcast
    axes of ``...`` followed by the letters that occur once, in alphabetical order.
    """
    if not isinstance(subscripts, str):
        raise OpTypeError(f"einsum: subscripts must be a string, got {type(subscripts).__name__}")
    spec = subscripts.replace(" ", "")
    explicit = "->" in spec
    lhs, _, rhs = spec.partition("->")
    if "->" in rhs or "-" in lhs or ">" in lhs:
        raise OpError(f"einsum: malformed subscripts {subscripts!r}")
    ins = lhs.split(",")
    if len(ins) != len(shapes):
        raise OpError(f"einsum: {subscripts!r} names {len(ins)} operands but "
                      f"{len(shapes)} were given")
    for part in ins + [rhs]:
        rest = part.replace("...", "")
        if "." in rest or not all(ch in _LETTERS for ch in rest):
            raise OpError(f"einsum: subscripts {part!r} in {subscripts!r} may hold only "
                          "letters and one '...'")
        if part.count("...") > 1:
            raise OpError(f"einsum: more than one '...' in {part!r}")
    used = set(spec)
    free = [ch for ch in _LETTERS if ch not in used]
    n_ell = 0
    for part, shape in zip(ins, shapes):
        letters = len(part.replace("...", ""))
        if "..." in part:
            if len(shape) < letters:
                raise OpError(f"einsum: operand of shape {shape} has fewer axes than the "
                              f"{letters} letters of {part!r}")
            n_ell = max(n_ell, len(shape) - letters)
        elif len(shape) != letters:
            raise OpError(f"einsum: operand of shape {shape} has {len(shape)} axes but "
                          f"{part!r} names {letters}")
    ell = "".join(free[:n_ell])
    out_ins = []
    for part, shape in zip(ins, shapes):
        if "..." in part:
            k = len(shape) - len(part.replace("...", ""))
            part = part.replace("...", ell[n_ell - k:] if k else "")
        out_ins.append(part)
    if explicit:
        out = rhs.replace("...", ell)
        if len(set(out)) != len(out):
            raise OpError(f"einsum: output subscripts {rhs!r} repeat a letter")
        missing = [ch for ch in out if not any(ch in p for p in out_ins)]
        if missing:
            raise OpError(f"einsum: output letter {missing[0]!r} of {subscripts!r} is not "
                          "in any operand")
    else:
        counts: dict[str, int] = {}
        for p in out_ins:
            for ch in p:
                if ch not in ell:
                    counts[ch] = counts.get(ch, 0) + 1
        out = ell + "".join(sorted((ch for ch, n in counts.items() if n == 1),
                                   key=_LETTERS.index))
    return out_ins, out


class Einsum(Function):
    """Einstein summation (NumPy's ``einsum``), differentiable in every operand.

    The gradient of an operand is an einsum of the output's gradient with the other
    operands; letters summed over in that operand alone are broadcast back, and a letter
    repeated in it (a diagonal) is put back on the diagonal through identity matrices.
    """

    def __init__(self, ins: list[str], out: str) -> None:
        self.ins, self.out = ins, out

    def forward(self, *xs: np.ndarray) -> np.ndarray:
        spec = ",".join(self.ins) + "->" + self.out
        # contraction paths through BLAS pay off for three operands or large ones; for small
        # arrays their planning costs more than the sum itself
        big = len(xs) > 2 or max((x.size for x in xs), default=0) > 1024
        return np.asarray(np.einsum(spec, *xs, optimize="greedy" if big else False))

    def backward(self, gy: Tensor) -> tuple[Tensor | None, ...]:
        return tuple(self._grad(i, gy) if need else None
                     for i, need in enumerate(self.needs_input_grad))

    def _grad(self, i: int, gy: Tensor) -> Tensor:
        x, sub = self.inputs[i], self.ins[i]
        own = dict(zip(sub, x.shape))
        others = [(s, t) for j, (s, t) in enumerate(zip(self.ins, self.inputs)) if j != i]
        elsewhere = set(self.out).union(*(set(s) for s, _ in others))
        uniq = "".join(dict.fromkeys(sub))
        present = "".join(ch for ch in uniq if ch in elsewhere)
        g = Einsum([self.out] + [s for s, _ in others], present)(gy, *[t for _, t in others])
        # letters where this operand was broadcast (size 1): sum the gradient back
        wide = tuple(k for k, ch in enumerate(present) if g.shape[k] != own[ch] == 1)
        if wide:
            g = g.sum(axis=wide, keepdims=True)
        if len(present) != len(uniq):  # letters summed in this operand alone
            g = reshape(g, tuple(g.shape[present.index(ch)] if ch in present else 1
                                 for ch in uniq))
        full = tuple(own[ch] for ch in uniq)
        if g.shape != full:  # ... and letters where the other operands were broadcast
            g = broadcast_to(g, full)
        if len(uniq) == len(sub):
            return g if uniq == sub else Einsum([uniq], sub)(g)
        # a repeated letter: spread the gradient onto the diagonal with identity matrices
        used = set("".join(self.ins) + self.out)
        fresh = iter(ch for ch in _LETTERS if ch not in used)
        seen: set[str] = set()
        target, eyes, eye_subs = "", [], []
        for ch in sub:
            if ch in seen:
                f = next(fresh)
                target += f
                eyes.append(Tensor(np.eye(own[ch], dtype=g.dtype)))
                eye_subs.append(ch + f)
            else:
                seen.add(ch)
                target += ch
        return Einsum([uniq] + eye_subs, target)(g, *eyes)

    def attrs(self) -> dict[str, Any]:
        return {"subscripts": ",".join(self.ins) + "->" + self.out}


@op("einsum", torch="einsum")
def einsum(subscripts: str, *operands: Any) -> Tensor:
    """Einstein summation over the operands, as ``numpy.einsum``; differentiable.

    Supports explicit (``"ij,jk->ik"``) and implicit (``"ij,jk"``) outputs, ``...`` for
    leading (broadcast) axes, and repeated letters within an operand (``"ii->i"``, the
    diagonal; ``"ii"``, the trace).

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> a = mg.tensor(np.arange(6.0).reshape(2, 3), requires_grad=True)
    >>> mg.einsum("ij->j", a).data
    array([3., 5., 7.])
    >>> mg.einsum("ij,kj->ik", a, a).data
    array([[ 5., 14.],
           [14., 50.]])
    """
    if len(operands) == 1 and isinstance(operands[0], (list, tuple)):
        operands = tuple(operands[0])  # PyTorch's einsum(eq, [a, b])
    ts = [as_tensor(x) for x in operands]
    ins, out = _parse_einsum(subscripts, [t.shape for t in ts])
    return Einsum(ins, out)(*ts)


@op("outer", torch="outer", method=True)
def outer(a: Any, b: Any) -> Tensor:
    """Outer product of ``a`` and ``b``, flattened first (NumPy's ``outer``)."""
    at, bt = as_tensor(a), as_tensor(b)
    return Einsum(["i", "j"], "ij")(reshape(at, (at.size,)), reshape(bt, (bt.size,)))


@op("tensordot", torch="tensordot")
def tensordot(a: Any, b: Any, axes: int | Sequence[Any] = 2) -> Tensor:
    """Sum products over the given axes (NumPy's ``tensordot``), differentiable.

    ``axes`` is an int ``N`` (the last ``N`` axes of ``a`` with the first ``N`` of ``b``)
    or a pair of axis sequences (or ints), as in NumPy.
    """
    at, bt = as_tensor(a), as_tensor(b)
    if isinstance(axes, (int, np.integer)) and not isinstance(axes, bool):
        n = int(axes)
        if n < 0 or n > min(at.ndim, bt.ndim):
            raise OpError(f"tensordot: axes={n} does not fit operands of shapes {at.shape} "
                          f"and {bt.shape}")
        ax_a, ax_b = list(range(at.ndim - n, at.ndim)), list(range(n))
    else:
        try:
            ax_a_, ax_b_ = axes  # type: ignore[misc]
        except (TypeError, ValueError):
            raise OpError(f"tensordot: axes must be an int or a pair of axis lists, got "
                          f"{axes!r}") from None
        ax_a = [int(ax_a_)] if isinstance(ax_a_, (int, np.integer)) else list(ax_a_)
        ax_b = [int(ax_b_)] if isinstance(ax_b_, (int, np.integer)) else list(ax_b_)
        if len(ax_a) != len(ax_b):
            raise OpError(f"tensordot: {len(ax_a)} axes of a but {len(ax_b)} of b")
    for axs, t, name in ((ax_a, at, "a"), (ax_b, bt, "b")):
        for k, ax in enumerate(axs):
            if not -t.ndim <= ax < t.ndim:
                raise np.exceptions.AxisError(int(ax), t.ndim, f"tensordot ({name})")
            axs[k] = int(ax) % t.ndim
    for p, q in zip(ax_a, ax_b):
        if at.shape[p] != bt.shape[q]:
            raise OpError(f"tensordot: axis {p} of a (size {at.shape[p]}) does not match "
                          f"axis {q} of b (size {bt.shape[q]}); shapes {at.shape} and "
                          f"{bt.shape}")
    letters = iter(_LETTERS)
    sa = [next(letters) for _ in range(at.ndim)]
    sb = [next(letters) for _ in range(bt.ndim)]
    for p, q in zip(ax_a, ax_b):
        sb[q] = sa[p]
    out = "".join(ch for k, ch in enumerate(sa) if k not in ax_a) + "".join(
        ch for k, ch in enumerate(sb) if k not in ax_b)
    return Einsum(["".join(sa), "".join(sb)], out)(at, bt)


@op("dot", torch="dot", method=True)
def dot(a: Any, b: Any) -> Tensor:
    """NumPy's ``dot`` product.

    The inner product of vectors, the matrix product of matrices, and in general a sum over
    the last axis of ``a`` and the second-to-last of ``b`` (the last for a vector).

    Note that PyTorch's ``dot`` accepts only vectors; for batched matrix products use
    :func:`matmul`.
    """
    at, bt = as_tensor(a), as_tensor(b)
    if at.ndim == 0 or bt.ndim == 0:
        return at * bt
    return tensordot(at, bt, ([at.ndim - 1], [max(bt.ndim - 2, 0)]))
