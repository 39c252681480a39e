"""Numerical differentiation as in the chapter: central differences and gradient descent."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np

from minigrad.autograd import no_grad
from minigrad.tensor import Tensor

__all__ = [
    "numerical_diff",
    "numerical_gradient",
    "gradient_descent",
    "compare_gradients",
    "gradient_report",
    "finite_differences",
    "classify_errors",
    "judge_gradient",
    "max_difference",
    "kink_text",
]


def _scalar(value: Any, where: str) -> float:
    """Turn f's result (number, array or tensor of one element) into a float."""
    arr = np.asarray(value.data if isinstance(value, Tensor) else value)
    if arr.size != 1:
        raise ValueError(f"{where}: f must return a scalar, got shape {arr.shape}")
    return float(arr.reshape(()))


def numerical_diff(f: Callable[[Any], Any], x: Any, h: float = 1e-4) -> Any:
    """Central difference ``(f(x + h) - f(x - h)) / (2h)``.

    Parameters
    ----------
    f : callable
        A function of one variable.
    x : float or array_like
        Where to differentiate.
    h : float
        The step (the book's 1e-4; much smaller steps lose everything to rounding).

    Returns
    -------
    float or ndarray
        The approximate derivative.

    Examples
    --------
    >>> import minigrad as mg
    >>> round(mg.numerical_diff(lambda x: 0.01 * x**2 + 0.1 * x, 5.0), 6)
    0.2
    """
    return (f(x + h) - f(x - h)) / (2 * h)


def numerical_gradient(f: Callable[[Any], Any], x: Any, h: float = 1e-4) -> np.ndarray:
    """Gradient of a scalar function by central differences, element by element.

    Each element of ``x`` is perturbed in place by ``+h`` and ``-h``, ``f(x)``
    is evaluated (without recording a graph), and the element is restored,
    even when ``f`` raises. Works for arrays and tensors of any shape.

    Parameters
    ----------
    f : callable
        Called as ``f(x)``; returns a scalar (number, array or tensor). It may
        ignore its argument and read ``x`` through a closure, as the book's
        ``lambda w: net.loss(x, t)`` does.
    x : ndarray or Tensor
        A floating-point array (perturbed in place, then restored).
    h : float
        The step.

    Returns
    -------
    ndarray
        The gradient, of ``x``'s shape and dtype.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> mg.numerical_gradient(lambda x: (x ** 2).sum(), np.array([3.0, 4.0])).round(6)
    array([6., 8.])
    """
    arr = x.data if isinstance(x, Tensor) else x
    if not isinstance(arr, np.ndarray):
        raise TypeError(
            f"numerical_gradient: x must be an ndarray or Tensor (perturbed in place), got "
            f"{type(x).__name__}"
        )
    if arr.dtype.kind != "f":
        raise TypeError(
            f"numerical_gradient: x has dtype {arr.dtype}; a step of h={h} on an integer array "
            "would be truncated. Use a floating-point array (e.g. x.astype(np.float64))"
        )
    if not arr.flags.writeable:
        raise ValueError(
            f"numerical_gradient: x (shape {arr.shape}) is read-only, but each element is "
            "perturbed in place; pass a writeable array (e.g. x.copy())"
        )
    if not (isinstance(h, (int, float, np.floating)) and np.isfinite(h) and h > 0):
        raise ValueError(f"numerical_gradient: h must be a positive number, got {h!r}")
    with no_grad():
        central, _, _ = finite_differences(lambda: _scalar(f(x), "numerical_gradient"), arr, h)
    return central.reshape(arr.shape).astype(arr.dtype, copy=False)


def finite_differences(value: Callable[[], float], arr: np.ndarray, h: float,
                       elements: np.ndarray | None = None, one_sided: bool = False,
                       f0: float | None = None
                       ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | None]:
    """The finite-difference core of minigrad: perturb ``arr`` element by element.

    Used by :func:`numerical_gradient`, :func:`~minigrad.gradcheck` and
    :func:`~minigrad.debug.check_graph`. Each element is set to ``old + h``
    and ``old - h`` in place, ``value()`` is evaluated, and the element is
    restored even when ``value`` raises.

    Parameters
    ----------
    value : callable
        Returns the scalar at the current contents of ``arr``.
    arr : ndarray
        A writeable floating-point array.
    h : float
        The step.
    elements : ndarray of int, optional
        Flat indices to perturb (all elements when None).
    one_sided : bool
        Also return the forward and backward differences (needs ``f0``).
    f0 : float, optional
        ``value()`` at the unperturbed point.

    Returns
    -------
    central, forward, backward : ndarray
        Flat arrays over ``elements``; forward and backward are None unless
        ``one_sided``.
    """
    flat = np.arange(arr.size) if elements is None else elements
    central = np.empty(flat.size)
    fwd = np.empty(flat.size) if one_sided else None
    bwd = np.empty(flat.size) if one_sided else None
    for j, p in enumerate(flat):
        idx = np.unravel_index(p, arr.shape) if arr.ndim else ()
        old = arr[idx]
        try:
            arr[idx] = old + h
            fp = value()
            arr[idx] = old - h
            fm = value()
        finally:
            arr[idx] = old
        central[j] = (fp - fm) / (2 * h)
        if fwd is not None and bwd is not None and f0 is not None:
            fwd[j] = (fp - f0) / h
            bwd[j] = (f0 - fm) / h
    return central, fwd, bwd


def _out_of_tolerance(analytic: np.ndarray, central: np.ndarray, atol: float,
                      rtol: float) -> np.ndarray:
    """True where ``|analytic - central| > atol + rtol * |central|`` (or either is NaN)."""
    return ~(np.abs(analytic - central) <= atol + rtol * np.abs(central))


def classify_errors(analytic: np.ndarray, central: np.ndarray, fwd: np.ndarray | None,
                    bwd: np.ndarray | None, atol: float, rtol: float,
                    fwd_half: np.ndarray | None = None, bwd_half: np.ndarray | None = None
                    ) -> tuple[np.ndarray, np.ndarray]:
    """The one rule for comparing gradients: which elements are wrong, which sit at a kink.

    An element is out of tolerance when ``|analytic - central| > atol + rtol *
    |central|``. Such an element is still accepted when the analytic gradient
    lies between the two one-sided derivatives, each estimated from one-sided
    differences at two steps, ``h`` and ``h/2``, and extrapolated to a zero
    step (Richardson extrapolation)::

        right = 2 * fwd_half - fwd        # fwd = (f(x + h) - f(x)) / h
        left = 2 * bwd_half - bwd         # bwd = (f(x) - f(x - h)) / h

    A one-sided difference of a smooth function is off by a term proportional
    to the step (``h * f''(x) / 2``, the curvature); the extrapolation removes
    that term exactly, so for a smooth function ``right`` and ``left`` both
    equal ``f'(x)`` up to ``h**2`` and rounding, and the rule accepts nothing
    the central difference would not. Only a jump of the derivative (a kink:
    relu or abs at 0, a tie of max, clip at a bound) survives the
    extrapolation. Elements whose one-sided derivatives differ by more than
    the tolerance, with the analytic gradient between them, are reported as
    kinks (flagged, not failed), whether or not the central difference
    happened to agree.

    Parameters
    ----------
    analytic, central : ndarray
        Flat arrays: the analytic gradient and the central differences at step ``h``.
    fwd, bwd : ndarray or None
        The forward and backward differences at step ``h``.
    atol, rtol : float
        The tolerances.
    fwd_half, bwd_half : ndarray, optional
        The forward and backward differences at step ``h/2`` (NaN where they
        were not computed: such an element is never at a kink). Without them
        no element can be told to sit at a kink, and every element out of
        tolerance is wrong.

    Returns
    -------
    wrong, kink : ndarray of bool
        ``wrong``: out of tolerance and not between the one-sided
        derivatives; ``kink``: at a jump of the derivative, with the
        analytic gradient between its sides.
    """
    bad = _out_of_tolerance(analytic, central, atol, rtol)
    if fwd is None or bwd is None or fwd_half is None or bwd_half is None:
        return bad, np.zeros_like(bad)
    with np.errstate(invalid="ignore", over="ignore"):
        right = 2 * fwd_half - fwd
        left = 2 * bwd_half - bwd
        tol = atol + rtol * np.maximum(np.abs(right), np.abs(left))
        between = ((analytic >= np.minimum(right, left) - tol)
                   & (analytic <= np.maximum(right, left) + tol))
        jump = np.abs(right - left) > tol
    return bad & ~between, between & jump


def judge_gradient(value: Callable[[], float], arr: np.ndarray, h: float,
                   analytic: np.ndarray, atol: float, rtol: float,
                   elements: np.ndarray | None = None, f0: float | None = None
                   ) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Finite differences of ``value`` over ``arr`` and the verdict of :func:`classify_errors`.

    The check that :func:`~minigrad.gradcheck` and
    :func:`~minigrad.debug.check_graph` both run for each input: central and
    one-sided differences at step ``h`` for every element; then one-sided
    differences at ``h/2`` for the elements out of tolerance and those whose
    one-sided differences at ``h`` disagree by more than ten times the
    tolerance (a possible kink, even where the central difference agrees),
    so that :func:`classify_errors` can tell a kink from curvature.

    Parameters
    ----------
    value : callable
        Returns the scalar at the current contents of ``arr``.
    arr : ndarray
        A writeable floating-point array (perturbed in place, then restored).
    h : float
        The step.
    analytic : ndarray
        The analytic gradient over ``elements``, flat.
    atol, rtol : float
        The tolerances.
    elements : ndarray of int, optional
        Flat indices to check (all elements when None).
    f0 : float, optional
        ``value()`` at the unperturbed point (evaluated when None).

    Returns
    -------
    central, wrong, kink : ndarray
        Flat arrays over ``elements``: the central differences, and the two
        masks of :func:`classify_errors`.
    """
    if f0 is None:
        f0 = value()
    central, fwd, bwd = finite_differences(value, arr, h, elements, one_sided=True, f0=f0)
    assert fwd is not None and bwd is not None
    with np.errstate(invalid="ignore", over="ignore"):
        gap = np.abs(fwd - bwd) > 10 * (atol + rtol * np.maximum(np.abs(fwd), np.abs(bwd)))
    probe = _out_of_tolerance(analytic, central, atol, rtol) | gap
    fwd_half = np.full(central.shape, np.nan)
    bwd_half = np.full(central.shape, np.nan)
    if probe.any():
        flat = np.arange(arr.size) if elements is None else np.asarray(elements)
        _, fh, bh = finite_differences(value, arr, h / 2, flat[probe], one_sided=True, f0=f0)
        fwd_half[probe], bwd_half[probe] = fh, bh
    wrong, kink = classify_errors(analytic, central, fwd, bwd, atol, rtol, fwd_half, bwd_half)
    return central, wrong, kink


def max_difference(a: np.ndarray, b: np.ndarray) -> float:
    """The largest ``|a - b|`` between two results of the same computation.

    Equal infinities, and NaN against NaN, count as equal; arrays of
    different shapes differ by ``inf``. The gradient checks use it to tell
    whether a function gives the same result twice on the same inputs.

    Parameters
    ----------
    a, b : ndarray
        The two results.

    Returns
    -------
    float
        0.0 when they are identical.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> mg.numerical.max_difference(np.array([1.0, np.nan]), np.array([1.5, np.nan]))
    0.5
    """
    if a.shape != b.shape:
        return float("inf")
    if a.size == 0:
        return 0.0
    a64, b64 = np.asarray(a, dtype=np.float64), np.asarray(b, dtype=np.float64)
    same = (a64 == b64) | (np.isnan(a64) & np.isnan(b64))
    with np.errstate(invalid="ignore", over="ignore"):
        diff = np.where(same, 0.0, np.abs(a64 - b64))
    return float(np.max(np.where(np.isnan(diff), np.inf, diff)))


def kink_text(n: int) -> str:
    """The words both gradient checks use for elements at non-differentiable points."""
    return (f"{n} element(s) at a non-differentiable point (kink): the one-sided derivatives "
            "(extrapolated from steps eps and eps/2) disagree and the analytic gradient lies "
            "between them, so it is not a failure")


def _as_float_array(value: Any, where: str) -> np.ndarray:
    arr = value.data if isinstance(value, Tensor) else value
    try:
        arr = np.asarray(arr, dtype=np.float64)
    except (TypeError, ValueError) as e:
        raise TypeError(f"{where}: expected an array or Tensor, got {type(value).__name__} "
                        f"({e})") from None
    return arr


def compare_gradients(numerical: Mapping[str, Any], analytic: Mapping[str, Any]
                      ) -> dict[str, float]:
    """Mean absolute difference between two gradients, parameter by parameter.

    The chapter's gradient check: ``np.average(np.abs(grad_backprop[key] -
    grad_numerical[key]))`` for each key (``W1``, ``b1``, ``W2``, ``b2``).

    Parameters
    ----------
    numerical : mapping of str to array or Tensor
        Gradients by central differences (e.g. ``network.numerical_gradient(x, t)``).
    analytic : mapping of str to array or Tensor
        Gradients by backpropagation (e.g. ``network.gradient(x, t)``), same keys and shapes.

    Returns
    -------
    dict of str to float
        The mean absolute difference per key, in the order of ``numerical``.

    Raises
    ------
    KeyError
        If the two mappings do not have the same keys (the missing ones are named).
    ValueError
        If a gradient's shapes differ between the two.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> diffs = mg.numerical.compare_gradients({"W": np.array([1.0, 2.0])},
    ...                                        {"W": np.array([1.0, 2.5])})
    >>> diffs
    {'W': 0.25}
    """
    missing = [k for k in numerical if k not in analytic]
    extra = [k for k in analytic if k not in numerical]
    if missing or extra:
        raise KeyError(
            "compare_gradients: the gradients do not have the same keys"
            + (f"; missing from analytic: {missing}" if missing else "")
            + (f"; missing from numerical: {extra}" if extra else "")
        )
    out: dict[str, float] = {}
    for key in numerical:
        n = _as_float_array(numerical[key], f"compare_gradients[{key!r}] (numerical)")
        a = _as_float_array(analytic[key], f"compare_gradients[{key!r}] (analytic)")
        if n.shape != a.shape:
            raise ValueError(f"compare_gradients: {key!r} has shape {n.shape} in numerical but "
                             f"{a.shape} in analytic")
        out[key] = float(np.mean(np.abs(a - n))) if n.size else 0.0
    return out


def gradient_report(numerical: Mapping[str, Any], analytic: Mapping[str, Any]) -> str:
    """The chapter's gradient-check printout: one ``key:difference`` line per parameter.

    Each line is the mean absolute difference between the numerical and the
    backpropagated gradient (see :func:`compare_gradients`), e.g. ``W1:2.6e-13``.

    Parameters
    ----------
    numerical, analytic : mapping of str to array or Tensor
        As in :func:`compare_gradients`.

    Returns
    -------
    str
        The lines, ready to print.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> print(mg.numerical.gradient_report({"W1": np.ones(3), "b1": np.zeros(2)},
    ...                                    {"W1": np.ones(3) + 2e-13, "b1": np.zeros(2)}))
    W1:2e-13
    b1:0
    """
    diffs = compare_gradients(numerical, analytic)
    return "\n".join(f"{key}:{value:.2g}" for key, value in diffs.items())


def gradient_descent(f: Callable[[np.ndarray], Any], init_x: Any, lr: float = 0.01,
                     step_num: int = 100, return_history: bool = False) -> Any:
    """Minimise ``f`` by ``x <- x - lr * numerical_gradient(f, x)``, as in the chapter.

    Parameters
    ----------
    f : callable
        A scalar function of an array.
    init_x : array_like
        The starting point (copied; float64).
    lr : float
        The learning rate.
    step_num : int
        The number of steps.
    return_history : bool
        Also return the array of visited points (``step_num + 1`` rows), for plotting.

    Returns
    -------
    ndarray or (ndarray, ndarray)
        The final point, and the path when ``return_history`` is True.

    Examples
    --------
    >>> import numpy as np, minigrad as mg
    >>> x = mg.gradient_descent(lambda x: x[0]**2 + x[1]**2, np.array([-3.0, 4.0]), lr=0.1)
    >>> bool(np.all(np.abs(x) < 1e-8))
    True
    """
    if step_num < 0:
        raise ValueError(f"gradient_descent: step_num must be >= 0, got {step_num}")
    x = np.array(init_x, dtype=np.float64)
    history = [x.copy()]
    for _ in range(step_num):
        x -= lr * numerical_gradient(f, x)
        history.append(x.copy())
    if return_history:
        return x, np.array(history)
    return x
