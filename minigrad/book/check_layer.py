"""Check a hand-written ``backward``: which gradient is wrong, where, and the usual mistake.

Chapter 5 of the book asks the reader to write the backward pass of ``Relu``,
``Sigmoid``, ``Affine`` and ``SoftmaxWithLoss`` by hand (chapter 6 adds
``BatchNormalization``, chapter 7 ``Convolution`` and ``Pooling``).
:func:`check_layer` runs such a layer's ``forward`` and ``backward`` and
compares every gradient it gives (``dx`` and each ``dW``, ``db``,
``dgamma``, ...) with two references:

* the central-difference gradient of the layer's own ``forward``
  (:func:`minigrad.numerical_gradient`'s formula), which needs nothing but
  the forward, and
* minigrad's automatic differentiation of the same forward, from the
  :mod:`minigrad.book.layers` layer of the same name, built with the same
  weights (when the class is one of the book's layers and its forward
  computes what minigrad's does).

A gradient that disagrees is named with the first wrong element, the shapes,
and, when the difference has the shape of a usual mistake, that mistake: a
bias gradient not summed over the batch, a transposed product, a gradient
that is off by the batch size (the loss is a batch mean), a flipped sign, a
forward that overwrites its input (a cached input changed in place), a
backward that changes what forward cached.

The layer needs the book's surface: ``forward(x, *args)`` returning an array
(a loss layer returns a number), ``backward(dout)`` returning ``dx``, and its
parameters as attributes (``W``, ``b``, ...) whose gradients ``backward``
stores as ``d`` + the name (``dW``, ``db``, ...).

Examples
--------
A correct layer:

>>> import numpy as np
>>> from minigrad.book.check_layer import check_layer
>>> class MyAffine:
...     def __init__(self, W, b):
...         self.W, self.b = W, b
...     def forward(self, x):
...         self.x = x
...         return x @ self.W + self.b
...     def backward(self, dout):
...         self.dW = self.x.T @ dout
...         self.db = dout.sum(axis=0)
...         return dout @ self.W.T
>>> rng = np.random.default_rng(0)
>>> layer = MyAffine(rng.standard_normal((3, 2)), rng.standard_normal(2))
>>> report = check_layer(layer, rng.standard_normal((4, 3)))
>>> report.ok
True

The same layer with ``db = dout`` (not summed over the batch):

>>> class Wrong(MyAffine):
...     def backward(self, dout):
...         dx = super().backward(dout)
...         self.db = dout
...         return dx
>>> report = check_layer(Wrong(layer.W, layer.b), rng.standard_normal((4, 3)))
>>> report.ok
False
>>> print(report.failures[0].message)                     # doctest: +ELLIPSIS
db is not summed over the batch: it has one row per sample, shape (4, 2); ...
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from minigrad.numerical import finite_differences

__all__ = ["check_layer", "LayerCheck", "GradientCheck"]

#: The attribute names that hold a layer's parameters in the book's layers.
PARAMETER_NAMES = ("W", "b", "gamma", "beta")


@dataclass
class GradientCheck:
    """The verdict on one gradient of a layer.

    Attributes
    ----------
    name : str
        ``"dx"`` or ``"d"`` + the parameter's name (``"dW"``, ``"db"``, ...).
    ok : bool
        Whether the layer's gradient agrees with the reference.
    message : str
        What is wrong and, where it is recognisable, the usual mistake behind it
        (empty when ``ok``).
    index : tuple of int or None
        The first wrong element (in C order), when the shapes agree.
    got, expected : ndarray or None
        The layer's gradient and the reference gradient.
    reference : str
        Which reference decided: ``"autodiff"`` or ``"central differences"``.
    """

    name: str
    ok: bool
    message: str = ""
    index: tuple[int, ...] | None = None
    got: np.ndarray | None = None
    expected: np.ndarray | None = None
    reference: str = "central differences"


@dataclass
class LayerCheck:
    """What :func:`check_layer` found; print it for a readable report.

    Attributes
    ----------
    layer : str
        The class name of the checked layer.
    gradients : list of GradientCheck
        One verdict per gradient (``dx`` first).
    problems : list of str
        Problems that are not one gradient's: a forward that changes its input,
        a backward that changes what forward cached, a random forward, a
        forward that differs from minigrad's layer of the same name.
    notes : list of str
        Things worth knowing that are not errors.
    """

    layer: str
    gradients: list[GradientCheck] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """True when every gradient is right and no problem was found."""
        return not self.problems and all(g.ok for g in self.gradients)

    @property
    def failures(self) -> list[GradientCheck]:
        """The gradients that are wrong."""
        return [g for g in self.gradients if not g.ok]

    def __str__(self) -> str:
        lines = [f"check_layer({self.layer}): " + ("all gradients right" if self.ok else
                                                  "something is wrong")]
        for g in self.gradients:
            mark = "ok   " if g.ok else "WRONG"
            lines.append(f"  {mark} {g.name:<8} " + (f"(checked by {g.reference})" if g.ok
                                                     else g.message))
        lines += [f"  problem: {p}" for p in self.problems]
        lines += [f"  note: {n}" for n in self.notes]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return str(self)


def check_layer(layer: Any, x: Any, *args: Any, dout: Any = None, seed: int = 0,
                eps: float = 1e-6, rtol: float = 1e-4, atol: float = 1e-6,
                reference: Any = "auto", raise_exception: bool = False,
                **kwargs: Any) -> LayerCheck:
    """Check the hand-written ``backward`` of a book-style layer.

    Parameters
    ----------
    layer : object
        The layer: ``forward(x, *args, **kwargs)``, ``backward(dout)`` returning
        ``dx``, parameters as attributes with their gradients as ``d`` + name.
    x : array_like
        The input to check at (converted to a float64 array; the layer gets a
        copy, so a forward that writes into its input is caught).
    *args, **kwargs
        Further arguments of ``forward``: the targets ``t`` of a loss layer,
        ``train_flg`` of BatchNormalization.
    dout : array_like, optional
        The upstream gradient. Default: 1 for a layer whose forward returns a
        number (a loss), else random normal values of the output's shape.
    seed : int
        Seed of the random ``dout``.
    eps : float
        Step of the central differences.
    rtol, atol : float
        Tolerances of the comparison with the central differences (the
        comparison with automatic differentiation is 100 times tighter).
    reference : object, "auto" or None
        A layer with the same surface whose backward is trusted, typically a
        :mod:`minigrad.book.layers` layer. ``"auto"`` builds minigrad's layer of
        the same class name with the same weights when there is one; None uses
        the central differences only.
    raise_exception : bool
        Raise ``AssertionError`` with the report when something is wrong,
        instead of returning the report.

    Returns
    -------
    LayerCheck
        The verdict on every gradient, printable.

    Raises
    ------
    TypeError
        If ``layer`` has no ``forward`` or ``backward`` method.
    AssertionError
        With ``raise_exception``, when a gradient is wrong.
    """
    for method in ("forward", "backward"):
        if not callable(getattr(layer, method, None)):
            raise TypeError(f"check_layer: {type(layer).__name__} has no {method}() method; "
                            "a book-style layer has forward(x) and backward(dout)")
    report = LayerCheck(type(layer).__name__)
    x = np.array(_array(x), dtype=np.float64)  # a copy, so the caller's array is never touched
    names = [n for n in _parameter_names(layer)]
    saved = {n: _array(getattr(layer, n)).copy() for n in names}

    def run_forward(xv: np.ndarray) -> np.ndarray:
        return _array(layer.forward(xv, *args, **kwargs))

    # 1. forward and backward once, as the learner's code would run them
    x_in = x.copy()
    out = run_forward(x_in)
    if not np.array_equal(x_in, x, equal_nan=True):
        report.problems.append(
            "forward changed its input x in place (a cached input overwritten): "
            "compute into a new array, e.g. out = x.copy() before out[self.mask] = 0, "
            "so that x and the values backward relies on stay as they were")
    # a second call on the untouched input: its caches are those backward is checked with
    second = run_forward(x.copy())
    if not np.array_equal(second, out, equal_nan=True):
        report.problems.append(
            "forward gives another output for the same input (random, like Dropout in "
            "training mode, or it depends on an earlier call): fix its randomness or check "
            "it in inference mode; the gradients below could not be checked")
        return _finish(report, raise_exception)
    out = second
    if dout is None:  # a loss (a number) gets 1, as the book's backward(dout=1)
        dout_arr = np.ones(out.shape) if out.ndim == 0 else \
            np.random.default_rng(seed).standard_normal(out.shape)
    else:
        dout_arr = np.array(_array(dout), dtype=np.float64)
    dout_given = dout_arr.copy()
    got_dx = layer.backward(dout_given)
    if not np.array_equal(dout_given, dout_arr):
        report.notes.append("backward changed dout in place (harmless here, but a caller that "
                            "reuses dout would see the change)")
    got = {"dx": None if got_dx is None else _array(got_dx)}
    for n in names:
        g = getattr(layer, "d" + n, None)
        got["d" + n] = None if g is None else _array(g)
    # a second backward must give the same answer: it reads only what forward cached
    again = layer.backward(dout_arr.copy())
    if got["dx"] is not None and again is not None and \
            not np.allclose(_array(again), got["dx"], rtol=1e-12, atol=0, equal_nan=True):
        report.problems.append(
            "a second backward with the same dout gives another dx: backward changes the "
            "values forward cached (for example self.x or self.out updated in place)")

    # 2. the references: central differences of this forward, and autodiff when it applies
    def objective() -> float:
        return float(np.sum(run_forward(x_work.copy()) * dout_arr))

    x_work = x.copy()
    expected = {"dx": _central(objective, x_work, eps)}
    for n in names:
        expected["d" + n] = _central(objective, _array(getattr(layer, n)), eps)
    for n in names:  # leave the weights exactly as they were
        _array(getattr(layer, n))[...] = saved[n]
    exact = _autodiff(layer, reference, saved, x, args, kwargs, dout_arr, out, report)

    # 3. the verdicts
    batch = x.shape[0] if x.ndim else 1
    for name in ["dx"] + ["d" + n for n in names]:
        verdict = _verdict(name, got[name], expected[name], "central differences",
                           (rtol, atol), batch)
        if exact is not None and exact.get(name) is not None:
            # automatic differentiation is exact: it names the mistake more precisely, and
            # a gradient it confirms is right even where the differences are coarse
            by_autodiff = _verdict(name, got[name], exact[name], "autodiff",
                                   (rtol / 100, atol / 100), batch)
            if by_autodiff.ok or not verdict.ok:
                verdict = by_autodiff
        report.gradients.append(verdict)
    return _finish(report, raise_exception)


def _finish(report: LayerCheck, raise_exception: bool) -> LayerCheck:
    if raise_exception and not report.ok:
        raise AssertionError(str(report))
    return report


def _array(v: Any) -> np.ndarray:
    """The ndarray behind ``v`` (a Tensor's data, or ``np.asarray``)."""
    data = getattr(v, "data", None)
    if isinstance(data, np.ndarray):
        return data
    return np.asarray(v)


def _parameter_names(layer: Any) -> list[str]:
    """The layer's parameter attributes: the book's names, then other arrays with a ``d`` twin."""
    names = [n for n in PARAMETER_NAMES if _is_float_array(getattr(layer, n, None))]
    for n, v in vars(layer).items() if hasattr(layer, "__dict__") else ():
        if n not in names and not n.startswith("_") and _is_float_array(v) and \
                hasattr(layer, "d" + n) and n not in ("x", "out", "y", "t", "mask"):
            names.append(n)
    return names


def _is_float_array(v: Any) -> bool:
    if v is None or isinstance(v, (int, float, bool, str)):
        return False
    try:
        return _array(v).dtype.kind == "f"
    except Exception:  # noqa: BLE001 - anything that is not an array is not a parameter
        return False


def _central(f: Callable[[], float], v: np.ndarray, eps: float) -> np.ndarray:
    """Central differences of ``f`` in each element of ``v`` (changed in place, then restored)."""
    return finite_differences(f, v, eps)[0].reshape(v.shape)


# the book layers minigrad can build with a learner's weights, by class name
def _builders() -> dict[str, Callable[[Any, dict[str, np.ndarray]], Any]]:
    from minigrad.book import layers as L

    def get(layer: Any, name: str, default: Any) -> Any:
        return getattr(layer, name, default)

    return {
        "Relu": lambda layer, p: L.Relu(),
        "Sigmoid": lambda layer, p: L.Sigmoid(),
        "Affine": lambda layer, p: L.Affine(p["W"].copy(), p["b"].copy()),
        "SoftmaxWithLoss": lambda layer, p: L.SoftmaxWithLoss(),
        "Convolution": lambda layer, p: L.Convolution(
            p["W"].copy(), p["b"].copy(), get(layer, "stride", 1), get(layer, "pad", 0)),
        "Pooling": lambda layer, p: L.Pooling(layer.pool_h, layer.pool_w,
                                              get(layer, "stride", 1), get(layer, "pad", 0)),
        "BatchNormalization": lambda layer, p: L.BatchNormalization(
            p["gamma"].copy(), p["beta"].copy(), get(layer, "momentum", 0.9)),
    }


def _autodiff(layer: Any, reference: Any, params: dict[str, np.ndarray], x: np.ndarray,
              args: Sequence[Any], kwargs: dict, dout: np.ndarray, out: np.ndarray,
              report: LayerCheck) -> dict[str, np.ndarray] | None:
    """The gradients by minigrad's automatic differentiation, or None where it does not apply."""
    name = type(layer).__name__
    if reference is None:
        return None
    if isinstance(reference, str):
        build = _builders().get(name)
        if build is None:
            report.notes.append(f"minigrad has no book layer named {name}: checked by central "
                                "differences only")
            return None
        try:
            reference = build(layer, params)
        except (AttributeError, KeyError, TypeError, ValueError) as e:
            report.notes.append(f"could not build minigrad's {name} with this layer's settings "
                                f"({e}): checked by central differences only")
            return None
    ref_out = _array(reference.forward(x.copy(), *args, **kwargs))
    if ref_out.shape != out.shape or not np.allclose(ref_out, out, rtol=1e-7, atol=1e-10):
        where = _first_bad(out, ref_out, 1e-7, 1e-10) if ref_out.shape == out.shape else None
        report.notes.append(
            f"forward differs from minigrad's {type(reference).__name__}: output shape "
            f"{out.shape}" + (f" vs {ref_out.shape}" if ref_out.shape != out.shape else
                              f", first different element {where}: {float(out[where]):.10g} vs "
                              f"{float(ref_out[where]):.10g}")
            + "; the gradients below are checked against your forward by central differences")
        return None
    grads = {"dx": _array(reference.backward(dout.copy()))}
    for n in params:
        g = getattr(reference, "d" + n, None)
        if g is not None:
            grads["d" + n] = _array(g)
    return grads


def _first_bad(got: np.ndarray, want: np.ndarray, rtol: float, atol: float) -> tuple[int, ...]:
    bad = ~np.isclose(got, want, rtol=rtol, atol=atol)
    return tuple(int(i) for i in np.unravel_index(int(np.argmax(bad)), got.shape))


def _close(a: np.ndarray, b: np.ndarray, tol: tuple[float, float]) -> bool:
    return a.shape == b.shape and bool(np.allclose(a, b, rtol=tol[0], atol=tol[1] * max(
        1.0, float(np.max(np.abs(b)) if b.size else 0.0))))


def _verdict(name: str, got: np.ndarray | None, want: np.ndarray, by: str,
             tol: tuple[float, float], batch: int) -> GradientCheck:
    """Compare one gradient and name the usual mistake its difference looks like."""
    def wrong(message: str, index: tuple[int, ...] | None = None) -> GradientCheck:
        return GradientCheck(name, False, message, index, got, want, by)

    if got is None:
        if name == "dx":
            return wrong("backward returned None: it must return dx, the gradient for x")
        return wrong(f"the layer has no {name} after backward: store it as self.{name} "
                     "in backward")
    if got.dtype.kind not in "fiu":
        return wrong(f"{name} is not a numeric array (dtype {got.dtype})")
    got = got.astype(np.float64)
    if got.shape != want.shape:
        if got.ndim == want.ndim + 1 and got.shape[1:] == want.shape and \
                _close(got.sum(axis=0), want, tol):
            return wrong(f"{name} is not summed over the batch: it has one row per sample, "
                         f"shape {got.shape}; sum over axis 0 to get shape {want.shape} "
                         f"(e.g. {name} = np.sum(dout, axis=0))")
        if got.ndim == 2 and got.shape == want.shape[::-1] and _close(got.T, want, tol):
            return wrong(f"{name} is transposed: shape {got.shape}, expected {want.shape}. "
                         "For out = x @ W, dW = x.T @ dout and dx = dout @ W.T")
        if got.size == want.size and _close(got.reshape(want.shape), want, tol):
            return wrong(f"{name} has the right values in the wrong shape {got.shape}; "
                         f"expected {want.shape} (reshape it back to the input's shape)")
        return wrong(f"{name} has shape {got.shape}, expected {want.shape}")
    if _close(got, want, tol):
        return GradientCheck(name, True, "", None, got, want, by)
    index = _first_bad(got, want, tol[0], tol[1])
    n_bad = int(np.sum(~np.isclose(got, want, rtol=tol[0], atol=tol[1])))
    where = (f"first wrong element {name}[{', '.join(map(str, index))}] = {got[index]:.6g}, "
             f"expected {want[index]:.6g}; {n_bad} of {got.size} elements wrong")
    if got.ndim == 2 and got.shape[0] == got.shape[1] and _close(got.T, want, tol):
        return wrong(f"{name} is transposed (the shapes agree because it is square). "
                     "For out = x @ W, dW = x.T @ dout and dx = dout @ W.T; " + where, index)
    denom = float(np.sum(want * want))
    if denom > 0:
        k = float(np.sum(got * want)) / denom
        if _close(got, k * want, tol) and not math.isclose(k, 1.0, rel_tol=1e-6):
            if math.isclose(k, -1.0, rel_tol=1e-3):
                hint = "its sign is flipped"
            elif batch > 1 and math.isclose(k, batch, rel_tol=1e-3):
                hint = (f"it is {batch} times too large, the batch size: the loss is the mean "
                        f"over the batch, so divide by the batch size ({name} / batch_size)")
            elif batch > 1 and math.isclose(k, 1 / batch, rel_tol=1e-3):
                hint = f"it is {batch} times too small: divided by the batch size once too often"
            elif math.isclose(k, 0.0, abs_tol=1e-12):
                hint = "it is all zeros"
            else:
                hint = f"it is {k:.6g} times the right gradient"
            return wrong(f"{name}: {hint}; " + where, index)
    if not np.any(got):
        return wrong(f"{name} is all zeros; " + where, index)
    return wrong(f"{name} is wrong; " + where, index)
