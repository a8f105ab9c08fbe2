"""Two-variable figures: surfaces, gradient fields, optimizer paths on contours."""
from __future__ import annotations

from typing import Any

import numpy as np

from calcml.errors import CalcmlError
from calcml.plot._common import (PALETTE, as_function, eval_grid, interval, label_of,
                                 new_figure, true_gradient)

__all__ = ["surface", "gradient_field", "contour_path"]


def _grid(xlim: Any, ylim: Any, n: int) -> tuple[np.ndarray, np.ndarray]:
    x0, x1 = interval(xlim, "xlim")
    y0, y1 = interval(ylim, "ylim")
    return np.meshgrid(np.linspace(x0, x1, int(n)), np.linspace(y0, y1, int(n)))


def surface(f: Any, xlim: Any = (-3, 3), ylim: Any = (-3, 3), *, n: int = 60,
            vars: Any = None):
    """A 3-D surface plot of ``z = f(x, y)``.

    Parameters
    ----------
    f : str or callable
        An expression in two variables, or ``f(v)`` with ``v[0] = x``, ``v[1] = y``.
    xlim, ylim : (float, float), default: (-3, 3)
    n : int, default: 60
        Grid points per axis.
    vars : pair of str, optional
        Variable order for a string (default: sorted by name).

    Returns
    -------
    matplotlib.figure.Figure
        One 3-D axes with one surface.

    Examples
    --------
    >>> fig = surface("x^2 + y^3", n=10)
    >>> fig.axes[0].name
    '3d'
    """
    g = as_function(f, 2, vars)
    X, Y = _grid(xlim, ylim, n)
    Z = eval_grid(g, X, Y)
    fig, (ax,) = new_figure(projection="3d", figsize=(6.4, 5.2))
    ax.plot_surface(X, Y, Z, cmap="viridis", linewidth=0, antialiased=True, alpha=0.9)
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_zlabel("$z$")
    ax.set_title(label_of(f, "z"))
    return fig


def gradient_field(f: Any, xlim: Any = (-3, 3), ylim: Any = (-3, 3), *, n: int = 15,
                   point: Any = None, vars: Any = None):
    """Contours of ``f`` and the arrows of its TRUE gradient (calcml's autodiff).

    Seed 004 drew this field for ``x^2 + y^3`` with ``2y`` as the second component; here
    the arrows are the gradient computed by :func:`calcml.grad`, so they are ``(2x, 3y^2)``.

    Parameters
    ----------
    f : str or callable
        An expression in two variables, or ``f(v)`` with ``v[0] = x``, ``v[1] = y``.
    xlim, ylim : (float, float), default: (-3, 3)
    n : int, default: 15
        Arrows per axis.
    point : (float, float), optional
        A point at which to draw the gradient (the steepest-ascent direction) in red.
    vars : pair of str, optional

    Returns
    -------
    matplotlib.figure.Figure
        Axes holding a contour set and a ``Quiver`` (``U``, ``V`` = the gradient).

    Examples
    --------
    >>> import numpy as np
    >>> fig = gradient_field("x^2 + y^3", n=5)
    >>> q = fig.axes[0].collections[-1]
    >>> bool(np.allclose(q.V, 3 * q.Y.reshape(q.V.shape) ** 2))
    True
    """
    g = as_function(f, 2, vars)
    X, Y = _grid(xlim, ylim, 80)
    Z = eval_grid(g, X, Y)
    Xq, Yq = _grid(xlim, ylim, n)
    U, V = true_gradient(g, Xq, Yq)
    fig, (ax,) = new_figure(figsize=(6.0, 5.0))
    cs = ax.contourf(X, Y, Z, levels=20, cmap="viridis", alpha=0.75)
    fig.colorbar(cs, ax=ax, label="$f(x, y)$")
    if point is not None:
        p = np.asarray(point, dtype=float)
        gp = np.asarray(true_gradient(g, p[:1].reshape(1, 1), p[1:2].reshape(1, 1)))
        gp = gp.reshape(2)
        span = max(np.ptp(Xq), np.ptp(Yq))
        tip = p + 0.15 * span * gp / (np.linalg.norm(gp) or 1.0)   # unit direction, visible
        ax.annotate("", xy=tuple(tip), xytext=tuple(p),
                    arrowprops={"arrowstyle": "->", "color": PALETTE[1], "lw": 2.5})
        ax.plot(*p, "o", color=PALETTE[1],
                label=rf"$\nabla f$ at ({p[0]:g}, {p[1]:g}) = ({gp[0]:.4g}, {gp[1]:.4g})")
        ax.legend(loc="upper left")
    ax.quiver(Xq, Yq, U, V, color="white", pivot="mid", angles="xy")
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title(r"$\nabla f$ for " + label_of(f))
    return fig


def _as_path(p: Any) -> np.ndarray:
    path = p.get("path") if isinstance(p, dict) and "path" in p else getattr(p, "path", p)
    arr = np.asarray([np.asarray(v, dtype=float).ravel() for v in path], dtype=float)
    if arr.ndim != 2 or arr.shape[1] != 2:
        raise CalcmlError(f"an optimizer path must be a sequence of 2-D points, got shape "
                          f"{arr.shape}")
    return arr


def contour_path(f: Any, paths: Any, xlim: Any = None, ylim: Any = None, *, n: int = 120,
                 levels: int = 30, vars: Any = None):
    """Optimizer paths drawn over the contours of ``f``.

    Parameters
    ----------
    f : str or callable
        The objective, in two variables (``f(v)`` for a callable).
    paths : OptimizeResult, array (k, 2), list of them, or dict ``label -> path``
        ``calcml.optimize.minimize`` results (their ``path``) or sequences of points.
    xlim, ylim : (float, float), optional
        Default: the paths' extent with a margin.
    n, levels : int, default: 120, 30
        Grid size and number of contour levels.
    vars : pair of str, optional

    Returns
    -------
    matplotlib.figure.Figure
        A contour set, then one line per path (markers on the iterates).

    Examples
    --------
    >>> import numpy as np
    >>> import calcml as cm
    >>> r = cm.optimize.minimize("(x-1)^2 + 10*(y+1)^2", np.zeros(2), method="newton")
    >>> fig = contour_path("(x-1)^2 + 10*(y+1)^2", {"newton": r})
    >>> [round(float(v), 6) for v in fig.axes[0].lines[0].get_xydata()[-1]]
    [1.0, -1.0]
    """
    g = as_function(f, 2, vars)
    if isinstance(paths, dict) and "path" not in paths:
        items = list(paths.items())
    elif isinstance(paths, (list, tuple)) and paths and (
            hasattr(paths[0], "path") or (isinstance(paths[0], dict) and "path" in paths[0])
            or np.ndim(paths[0]) == 2):
        items = [(f"path {i + 1}", p) for i, p in enumerate(paths)]
    else:
        items = [(getattr(paths, "method", None) or "path", paths)]
    arrays = [(str(lbl), _as_path(p)) for lbl, p in items]
    pts = np.vstack([a for _, a in arrays])
    lo, hi = pts.min(axis=0), pts.max(axis=0)
    pad = np.maximum(0.15 * (hi - lo), 0.5)
    xlim = xlim if xlim is not None else (lo[0] - pad[0], hi[0] + pad[0])
    ylim = ylim if ylim is not None else (lo[1] - pad[1], hi[1] + pad[1])
    X, Y = _grid(xlim, ylim, n)
    Z = eval_grid(g, X, Y)
    fig, (ax,) = new_figure(figsize=(6.0, 5.0))
    finite = Z[np.isfinite(Z)]
    if finite.size and finite.min() > 0 and finite.max() / finite.min() > 1e3:
        lv = np.geomspace(finite.min(), finite.max(), levels)
    else:
        lv = levels
    ax.contour(X, Y, Z, levels=lv, cmap="viridis", linewidths=0.8)
    for i, (lbl, a) in enumerate(arrays):
        c = PALETTE[(i + 1) % len(PALETTE)]
        ax.plot(a[:, 0], a[:, 1], "o-", ms=3, lw=1.5, color=c,
                label=f"{lbl} ({len(a) - 1} steps)")
        ax.plot(*a[0], "s", color=c, ms=7)
        ax.plot(*a[-1], "*", color=c, ms=12)
    ax.set_xlim(*interval(xlim, "xlim"))
    ax.set_ylim(*interval(ylim, "ylim"))
    ax.set_xlabel("$x$")
    ax.set_ylabel("$y$")
    ax.set_title("Optimizer paths on " + label_of(f))
    ax.legend()
    return fig
