"""Headless figures for the chapter: loss and accuracy curves, tangents, surfaces, fields.

Matplotlib is an optional dependency (``pip install minigrad[plot]``); it is
imported only when a function here is called. Figures are built with the
object-oriented API (:class:`matplotlib.figure.Figure` on an Agg canvas), so
no pyplot state is touched and nothing needs a display: the functions work
the same in scripts, servers, CI and notebooks.

Every ``save_*`` function writes through :func:`save_figure`, which renders
to a temporary file beside the target and renames it into place, so a failed
write never leaves a partial file and never clobbers the previous one.

Examples
--------
>>> from minigrad.plotting import save_loss_curve
>>> save_loss_curve([2.3, 1.2, 0.7, 0.5], "out/loss.png")  # doctest: +SKIP
PosixPath('out/loss.png')
"""

from __future__ import annotations

import pathlib
from collections.abc import Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import numpy as np

from minigrad._fileio import PathLike, atomic_write

if TYPE_CHECKING:  # pragma: no cover
    from matplotlib.figure import Figure

__all__ = [
    "FORMATS",
    "new_figure",
    "save_figure",
    "save_loss_curve",
    "save_accuracy_curves",
    "save_curves",
    "save_tangent_plot",
    "save_surface",
    "save_gradient_field",
    "save_descent_path",
]


#: File extensions :func:`save_figure` understands, mapped to matplotlib formats.
FORMATS: dict[str, str] = {".png": "png", ".svg": "svg", ".pdf": "pdf"}

_INSTALL_HINT = (
    "minigrad.plotting needs matplotlib, which is an optional dependency: "
    "pip install minigrad[plot]"
)


def _figure_class() -> Any:
    """Import matplotlib lazily and return ``(Figure, FigureCanvasAgg)``."""
    try:
        from matplotlib.backends.backend_agg import FigureCanvasAgg
        from matplotlib.figure import Figure
    except ImportError as exc:  # pragma: no cover - depends on the environment
        raise ImportError(_INSTALL_HINT) from exc
    return Figure, FigureCanvasAgg


def new_figure(figsize: tuple[float, float] = (6.4, 4.8), dpi: float = 100) -> Figure:
    """Create a matplotlib figure on an Agg canvas, outside pyplot.

    Parameters
    ----------
    figsize : (float, float)
        Width and height in inches.
    dpi : float
        Dots per inch used when rendering raster formats.

    Returns
    -------
    matplotlib.figure.Figure
        A figure that can be drawn on with ``fig.add_subplot()`` and written
        with :func:`save_figure`. It is not registered with pyplot, so it is
        garbage-collected like any other object.

    Raises
    ------
    ImportError
        If matplotlib is not installed.
    """
    figure_cls, canvas_cls = _figure_class()
    fig = figure_cls(figsize=figsize, dpi=dpi)
    canvas_cls(fig)
    return fig


def _format_for(path: pathlib.Path) -> str:
    fmt = FORMATS.get(path.suffix.lower())
    if fmt is None:
        known = ", ".join(sorted(FORMATS))
        shown = path.suffix or "(no extension)"
        raise ValueError(
            f"save_figure: cannot write {str(path)!r}: unknown extension {shown!r}; "
            f"use one of {known}"
        )
    return fmt


def _output_path(path: PathLike) -> pathlib.Path:
    """Return ``path`` as a Path, after checking (before any drawing) that its format is known."""
    target = pathlib.Path(path)
    _format_for(target)
    return target


def save_figure(fig: Any, path: PathLike, **savefig_kwargs: Any) -> pathlib.Path:
    """Write a figure atomically; the format follows the file extension.

    The figure is rendered into a temporary file in the target's directory,
    flushed to disk, then moved over ``path`` with :func:`os.replace`. If
    rendering fails the temporary file is removed and any existing file at
    ``path`` is left untouched.

    Parameters
    ----------
    fig : matplotlib.figure.Figure
        The figure (anything with a matplotlib-compatible ``savefig``).
    path : str or os.PathLike
        Destination ending in ``.png``, ``.svg`` or ``.pdf`` (case-insensitive).
        Missing parent directories are created.
    **savefig_kwargs
        Passed to ``fig.savefig`` (for example ``dpi`` or ``bbox_inches``);
        ``format`` is chosen from the extension and may not be given.

    Returns
    -------
    pathlib.Path
        ``path`` as a :class:`pathlib.Path`.

    Raises
    ------
    ValueError
        If the extension is not one of :data:`FORMATS`, or ``format`` is passed.
    TypeError
        If ``fig`` has no ``savefig`` method.
    """
    target = pathlib.Path(path)
    fmt = _format_for(target)
    if "format" in savefig_kwargs:
        raise ValueError(
            f"save_figure: the format comes from the extension of {str(target)!r} ({fmt}); "
            "do not pass format="
        )
    if not callable(getattr(fig, "savefig", None)):
        raise TypeError(
            f"save_figure: expected a matplotlib Figure, got {type(fig).__name__}"
        )
    if target.exists() and target.is_dir():
        raise IsADirectoryError(f"save_figure: {str(target)!r} is a directory")
    with atomic_write(target, parents=True) as fh:
        fig.savefig(fh, format=fmt, **savefig_kwargs)
    return target


def _axes(figsize: tuple[float, float] = (6.4, 4.8), projection: str | None = None
          ) -> tuple[Any, Any]:
    """The figure scaffold every plotting function starts with: a figure and its axes."""
    fig = new_figure(figsize=figsize)
    ax = fig.add_subplot(projection=projection) if projection else fig.add_subplot()
    return fig, ax


def _finish(fig: Any, ax: Any, path: pathlib.Path, title: str | None,
            grid: bool = True) -> pathlib.Path:
    """The scaffold's end: the title, a light grid, and the file written atomically."""
    if grid:
        ax.grid(True, alpha=0.3)
    if title:
        ax.set_title(title)
    return save_figure(fig, path)


def _as_1d(values: Sequence[float] | np.ndarray, what: str, where: str) -> np.ndarray:
    arr = np.asarray(getattr(values, "data", values), dtype=np.float64)
    if arr.ndim != 1:
        raise ValueError(
            f"{where}: {what} must be a 1-D sequence of numbers, got shape {arr.shape}"
        )
    if arr.size == 0:
        raise ValueError(f"{where}: {what} is empty; nothing to plot")
    return arr


def _moving_average(values: np.ndarray, window: int) -> np.ndarray:
    """Trailing moving average; the first points average over what is available."""
    csum = np.cumsum(np.insert(values, 0, 0.0))
    idx = np.arange(1, values.size + 1)
    lo = np.maximum(idx - window, 0)
    return (csum[idx] - csum[lo]) / (idx - lo)


def save_loss_curve(
    losses: Sequence[float],
    path: PathLike,
    *,
    smooth: int | None = None,
    title: str | None = None,
    ylim: tuple[float, float] | None = None,
) -> pathlib.Path:
    """Plot the training loss against the iteration (the chapter's figure 4-11).

    Parameters
    ----------
    losses : sequence of float
        One loss per iteration (NaN or inf from a diverging run are allowed
        and simply leave gaps).
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    smooth : int, optional
        Window of a trailing moving average drawn over the raw curve. By
        default one is drawn when there are at least 50 points (window
        ``len(losses) // 50``, at least 10); pass 0 to draw none.
    title : str, optional
        Figure title.
    ylim : (float, float), optional
        Limits of the loss axis; by default from 0 to a little above the
        largest finite loss.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        If ``losses`` is empty or not 1-D, ``smooth`` is negative, or the
        extension is unknown.
    """
    where = "save_loss_curve"
    pathlib_path = _output_path(path)
    y = _as_1d(losses, "losses", where)
    if smooth is not None and smooth < 0:
        raise ValueError(f"{where}: smooth must be >= 0, got {smooth}")
    if smooth is None:
        smooth = max(10, y.size // 50) if y.size >= 50 else 0
    fig, ax = _axes()
    x = np.arange(y.size)
    ax.plot(x, y, color="tab:blue", linewidth=0.8, alpha=0.45 if smooth else 1.0, label="loss")
    if smooth and smooth > 1:
        ax.plot(x, _moving_average(y, smooth), color="tab:blue", linewidth=1.8,
                label=f"moving average ({smooth})")
        ax.legend(loc="upper right")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    if ylim is not None:
        ax.set_ylim(*ylim)
    else:
        finite = y[np.isfinite(y)]
        if finite.size and finite.min() >= 0:
            ax.set_ylim(0, max(float(finite.max()) * 1.05, 1e-12))
    return _finish(fig, ax, pathlib_path, title)


def save_accuracy_curves(
    train_acc: Sequence[float],
    test_acc: Sequence[float],
    path: PathLike,
    *,
    title: str | None = None,
) -> pathlib.Path:
    """Plot training and test accuracy per epoch (the chapter's figure 4-12).

    The training curve is solid, the test curve dashed, the accuracy axis
    runs from 0 to 1 and the legend sits in the lower right, as in the book.

    Parameters
    ----------
    train_acc, test_acc : sequence of float
        One accuracy in ``[0, 1]`` per epoch, the same number of each.
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        If either sequence is empty or not 1-D, their lengths differ, or the
        extension is unknown.
    """
    where = "save_accuracy_curves"
    pathlib_path = _output_path(path)
    tr = _as_1d(train_acc, "train_acc", where)
    te = _as_1d(test_acc, "test_acc", where)
    if tr.size != te.size:
        raise ValueError(
            f"{where}: train_acc has {tr.size} epochs but test_acc has {te.size}; "
            "pass one value per epoch for each"
        )
    fig, ax = _axes()
    x = np.arange(tr.size)
    marker = "o" if tr.size <= 30 else None
    ax.plot(x, tr, label="train acc", marker=marker, markersize=4)
    ax.plot(x, te, label="test acc", linestyle="--", marker="s" if marker else None,
            markersize=4)
    ax.set_xlabel("epochs")
    ax.set_ylabel("accuracy")
    ax.set_ylim(0, 1.0)
    ax.legend(loc="lower right")
    return _finish(fig, ax, pathlib_path, title)


def save_curves(
    x: Sequence[float],
    curves: Mapping[str, Sequence[float]],
    path: PathLike,
    *,
    xlabel: str = "x",
    ylabel: str = "y",
    title: str | None = None,
    xlim: tuple[float, float] | None = None,
    ylim: tuple[float, float] | None = None,
    linestyles: Mapping[str, str] | None = None,
    logx: bool = False,
    logy: bool = False,
) -> pathlib.Path:
    """Plot one or more labelled curves over a shared x axis.

    Parameters
    ----------
    x : sequence of float
        The abscissae.
    curves : mapping of str to sequence of float
        Label -> values, each of ``len(x)`` points, drawn in order.
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    xlabel, ylabel, title : str
        Axis labels and an optional title.
    xlim, ylim : (float, float), optional
        Axis limits.
    linestyles : mapping of str to str, optional
        Matplotlib line styles per label (``"--"`` for dashed ...).
    logx, logy : bool
        Logarithmic axes.

    Returns
    -------
    pathlib.Path
        The written file.

    Raises
    ------
    ValueError
        If there are no curves, a curve's length differs from ``x``'s, or
        the extension is unknown.
    """
    where = "save_curves"
    pathlib_path = _output_path(path)
    xs = _as_1d(x, "x", where)
    if not curves:
        raise ValueError(f"{where}: no curves given")
    arrays = {}
    for label, values in curves.items():
        arr = _as_1d(values, f"curve {label!r}", where)
        if arr.size != xs.size:
            raise ValueError(
                f"{where}: curve {label!r} has {arr.size} points but x has {xs.size}"
            )
        arrays[label] = arr
    styles = dict(linestyles or {})
    fig, ax = _axes()
    for label, arr in arrays.items():
        ax.plot(xs, arr, label=label, linestyle=styles.get(label, "-"))
    if logx:
        ax.set_xscale("log")
    if logy:
        ax.set_yscale("log")
    ax.set_xlabel(xlabel)
    ax.set_ylabel(ylabel)
    if xlim is not None:
        ax.set_xlim(*xlim)
    if ylim is not None:
        ax.set_ylim(*ylim)
    if len(arrays) > 1 or next(iter(arrays)):
        ax.legend()
    return _finish(fig, ax, pathlib_path, title)


def save_tangent_plot(
    f: Callable[[Any], Any],
    x0: float,
    path: PathLike,
    *,
    slope: float | None = None,
    xlim: tuple[float, float] = (0.0, 20.0),
    num: int = 200,
    title: str | None = None,
) -> pathlib.Path:
    """Plot ``f`` and its tangent line at ``x0`` (the chapter's figure 4-5).

    Parameters
    ----------
    f : callable
        A function of one variable, applied elementwise to a NumPy array.
    x0 : float
        Where the tangent touches.
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    slope : float, optional
        The derivative at ``x0``; by default computed with
        :func:`minigrad.numerical.numerical_diff`, as the book does.
    xlim : (float, float)
        The plotted interval (the book's ``np.arange(0.0, 20.0, 0.1)``).
    num : int
        Number of sample points.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    pathlib_path = _output_path(path)
    if num < 2:
        raise ValueError(f"save_tangent_plot: num must be >= 2, got {num}")
    if slope is None:
        from minigrad.numerical import numerical_diff

        slope = float(numerical_diff(f, float(x0)))
    xs = np.linspace(xlim[0], xlim[1], num)
    ys = np.asarray(f(xs), dtype=np.float64)
    y0 = float(f(float(x0)))
    fig, ax = _axes()
    ax.plot(xs, ys, label="f(x)")
    ax.plot(xs, slope * (xs - x0) + y0, linestyle="--", label=f"tangent at x={x0:g}")
    ax.plot([x0], [y0], "o", color="black", markersize=4)
    ax.set_xlabel("x")
    ax.set_ylabel("f(x)")
    ax.legend(loc="upper left")
    return _finish(fig, ax, pathlib_path, title)


def save_surface(
    f: Callable[[np.ndarray, np.ndarray], np.ndarray],
    path: PathLike,
    *,
    xlim: tuple[float, float] = (-3.0, 3.0),
    ylim: tuple[float, float] = (-3.0, 3.0),
    num: int = 40,
    title: str | None = None,
) -> pathlib.Path:
    """Plot a function of two variables as a 3-D surface (the chapter's figure 4-8).

    Parameters
    ----------
    f : callable
        ``f(x0, x1)`` evaluated elementwise on two grids of equal shape.
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    xlim, ylim : (float, float)
        Ranges of ``x0`` and ``x1``.
    num : int
        Grid points per axis.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    pathlib_path = _output_path(path)
    if num < 2:
        raise ValueError(f"save_surface: num must be >= 2, got {num}")
    g0, g1 = np.meshgrid(np.linspace(*xlim, num), np.linspace(*ylim, num))
    z = np.asarray(f(g0, g1), dtype=np.float64)
    if z.shape != g0.shape:
        raise ValueError(
            f"save_surface: f(x0, x1) on grids of shape {g0.shape} returned shape {z.shape}; "
            "it must work elementwise"
        )
    fig, ax = _axes((6.4, 5.2), projection="3d")
    ax.plot_surface(g0, g1, z, cmap="viridis", edgecolor="none", alpha=0.9)
    ax.plot_wireframe(g0, g1, z, color="black", linewidth=0.2, rstride=max(1, num // 15),
                      cstride=max(1, num // 15))
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_zlabel("f(x)")
    return _finish(fig, ax, pathlib_path, title, grid=False)


def save_gradient_field(
    x0: np.ndarray,
    x1: np.ndarray,
    g0: np.ndarray,
    g1: np.ndarray,
    path: PathLike,
    *,
    negate: bool = True,
    title: str | None = None,
) -> pathlib.Path:
    """Draw a gradient field as arrows (the chapter's figure 4-9).

    Parameters
    ----------
    x0, x1 : ndarray
        Coordinates of the arrow tails (grids from :func:`numpy.meshgrid` or
        flat arrays), all of one shape.
    g0, g1 : ndarray
        The gradient's components at those points.
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    negate : bool
        Draw ``-grad`` (the direction of steepest descent), as the book does.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    pathlib_path = _output_path(path)
    arrays = [np.asarray(a, dtype=np.float64) for a in (x0, x1, g0, g1)]
    shapes = {a.shape for a in arrays}
    if len(shapes) != 1:
        raise ValueError(
            "save_gradient_field: x0, x1, g0, g1 must share one shape, got "
            + ", ".join(str(a.shape) for a in arrays)
        )
    px, py, gx, gy = arrays
    sign = -1.0 if negate else 1.0
    fig, ax = _axes((5.6, 5.6))
    ax.quiver(px, py, sign * gx, sign * gy, angles="xy", color="#666666")
    pad = 0.25
    ax.set_xlim(px.min() - pad, px.max() + pad)
    ax.set_ylim(py.min() - pad, py.max() + pad)
    ax.set_xlabel("x0")
    ax.set_ylabel("x1")
    ax.set_aspect("equal")
    return _finish(fig, ax, pathlib_path, title)


def save_descent_path(
    paths: np.ndarray | Mapping[str, np.ndarray],
    path: PathLike,
    *,
    f: Callable[[np.ndarray, np.ndarray], np.ndarray] | None = None,
    xlim: tuple[float, float] = (-3.5, 3.5),
    ylim: tuple[float, float] = (-4.5, 4.5),
    levels: int | Sequence[float] = 12,
    title: str | None = None,
) -> pathlib.Path:
    """Draw gradient-descent paths in the plane, over contours (the chapter's figure 4-10).

    Parameters
    ----------
    paths : ndarray or mapping of str to ndarray
        One path of shape ``(steps + 1, 2)`` (as returned by
        ``gradient_descent(..., return_history=True)``), or several keyed by
        a legend label.
    path : str or os.PathLike
        Output file (``.png``, ``.svg`` or ``.pdf``).
    f : callable, optional
        ``f(x0, x1)`` evaluated elementwise on grids; when given, its
        contour lines are drawn under the paths.
    xlim, ylim : (float, float)
        The visible window (the book's (-3.5, 3.5) and (-4.5, 4.5)).
    levels : int or sequence of float
        Contour levels passed to matplotlib.
    title : str, optional
        Figure title.

    Returns
    -------
    pathlib.Path
        The written file.
    """
    pathlib_path = _output_path(path)
    named = dict(paths) if isinstance(paths, Mapping) else {"": paths}
    if not named:
        raise ValueError("save_descent_path: no paths given")
    arrays = {}
    for label, pts in named.items():
        arr = np.asarray(pts, dtype=np.float64)
        if arr.ndim != 2 or arr.shape[1] != 2 or arr.shape[0] == 0:
            raise ValueError(
                f"save_descent_path: path {label!r} must have shape (steps + 1, 2), got {arr.shape}"
            )
        arrays[label] = arr
    fig, ax = _axes((5.6, 6.4))
    if f is not None:
        g0, g1 = np.meshgrid(np.linspace(*xlim, 200), np.linspace(*ylim, 200))
        z = np.asarray(f(g0, g1), dtype=np.float64)
        ax.contour(g0, g1, z, levels=levels, colors="#bbbbbb", linewidths=0.8)
    ax.plot(list(xlim), [0, 0], "--b", linewidth=0.8)
    ax.plot([0, 0], list(ylim), "--b", linewidth=0.8)
    for label, arr in arrays.items():
        ax.plot(arr[:, 0], arr[:, 1], "o-", markersize=3, linewidth=0.8, label=label or None)
    if any(arrays):
        ax.legend(loc="upper right")
    ax.set_xlim(*xlim)
    ax.set_ylim(*ylim)
    ax.set_aspect("equal")
    ax.set_xlabel("X0")
    ax.set_ylabel("X1")
    return _finish(fig, ax, pathlib_path, title, grid=False)
