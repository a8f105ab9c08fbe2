"""One-variable figures: f and f', the antiderivative, Riemann sums, the step-error V."""
from __future__ import annotations

from typing import Any

import numpy as np

from calcml.errors import CalcmlError
from calcml.plot._common import PALETTE, as_function, expr_latex, interval, mathtext, new_figure

__all__ = ["function_and_derivative", "antiderivative", "riemann", "step_error"]


def function_and_derivative(f: Any, a: float = -3.0, b: float = 3.0, *, n: int = 400,
                            order: int = 1, points: Any = None):
    """Plot ``f`` and its derivative (by calcml's automatic differentiation) on ``[a, b]``.

    Parameters
    ----------
    f : str or callable
        An expression in one variable (``"x^3 - 2x^2 + 1"``) or an elementwise function.
    a, b : float, default: -3, 3
        The interval.
    n : int, default: 400
        Number of sample points.
    order : int, default: 1
        Derivative order (nested ``calcml.derivative``).
    points : sequence of float, optional
        x values to mark on both curves (critical points, say).

    Returns
    -------
    matplotlib.figure.Figure
        One axes holding two lines, ``f`` then ``f^(order)``.

    Examples
    --------
    >>> fig = function_and_derivative("x^3 - 2x^2 + 1", -1, 2)
    >>> [round(float(v), 6) for v in fig.axes[0].lines[1].get_ydata()[[0, -1]]]
    [7.0, 4.0]
    """
    from calcml.ad import derivative

    a, b = interval((a, b), "(a, b)")
    g = as_function(f, 1)
    d = g
    for _ in range(int(order)):
        d = derivative(d)
    x = np.linspace(a, b, int(n))
    fig, (ax,) = new_figure()
    tex = expr_latex(f)
    prime = "'" * order if order <= 3 else f"^{{({order})}}"
    ax.plot(x, np.broadcast_to(g(x), x.shape), color=PALETTE[0], lw=2,
            label=mathtext(f"f(x) = {tex}", "f(x)") if tex else "$f(x)$")
    ax.plot(x, np.broadcast_to(d(x), x.shape), color=PALETTE[1], lw=2, ls="--",
            label=f"$f{prime}(x)$")
    ax.axhline(0, color="black", lw=0.8)
    if points is not None:
        p = np.atleast_1d(np.asarray(points, dtype=float))
        ax.plot(p, np.broadcast_to(g(p), p.shape), "o", color=PALETTE[2], label="marked points")
    ax.set_xlabel("$x$")
    ax.set_title(f"A function and its derivative $f{prime}$")
    ax.legend()
    return fig


def antiderivative(f: Any, a: float = 0.0, b: float = 3.0, *, n: int = 200,
                   exact: Any = None):
    """Plot ``f`` and its running integral ``F(x) = ∫_a^x f`` (integration as a running sum).

    Parameters
    ----------
    f : str or callable
    a, b : float, default: 0, 3
    n : int, default: 200
        Pieces of the cumulative trapezoid sum (``calcml.num.cumulative_integral``).
    exact : str or callable, optional
        An antiderivative to compare with (shifted so that it is 0 at ``a``). For an
        expression string ``f`` the symbolic one is used by default.

    Returns
    -------
    matplotlib.figure.Figure
        Lines: ``f``, the numeric ``F``, and the exact ``F`` when known.

    Examples
    --------
    >>> fig = antiderivative("2x", 0, 3)
    >>> round(float(fig.axes[0].lines[1].get_ydata()[-1]), 6)   # x^2 at 3
    9.0
    """
    from calcml.num import cumulative_integral

    a, b = interval((a, b), "(a, b)")
    g = as_function(f, 1)
    x, F = cumulative_integral(g, a, b, int(n), rule="trapezoid")
    if exact is None and isinstance(f, str):
        try:
            from calcml.sym import integrate
            exact = integrate(f)
        except Exception:   # no closed form: show the numeric curve only
            exact = None
    fig, (ax,) = new_figure()
    ax.plot(x, np.broadcast_to(g(x), x.shape), color=PALETTE[0], lw=2, label="$f(x)$")
    ax.plot(x, F, color=PALETTE[1], lw=2, label=r"$F(x)=\int_a^x f(t)\,dt$ (running sum)")
    if exact is not None:
        try:
            G = as_function(exact, 1)
            ex = np.broadcast_to(G(x), x.shape) - float(np.asarray(G(np.array([a])))[0])
            ax.plot(x, ex, color="black", lw=1, ls=":", label="exact antiderivative")
        except Exception:
            pass
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("$x$")
    tex = expr_latex(f)
    ax.set_title(mathtext(f"\\int {tex}\\,dx", "Antiderivative") if tex else "Antiderivative")
    ax.legend()
    return fig


def riemann(f: Any, a: float = 0.0, b: float = 1.0, n: int = 8, rule: str = "left"):
    """Rectangles (or trapezoids) of a Riemann sum under the curve of ``f``.

    Parameters
    ----------
    f : str or callable
    a, b : float, default: 0, 1
    n : int, default: 8
        Number of pieces.
    rule : {"left", "right", "midpoint", "trapezoid"}, default: "left"

    Returns
    -------
    matplotlib.figure.Figure
        The curve, ``n`` patches, and the sum (``calcml.num.riemann_sum``) in the title.

    Examples
    --------
    >>> fig = riemann("x^2", 0, 1, n=4)
    >>> len(fig.axes[0].patches)
    4
    """
    from matplotlib.patches import Polygon, Rectangle

    from calcml.num import riemann_sum

    rules = ("left", "right", "midpoint", "trapezoid")
    if rule not in rules:
        raise CalcmlError(f"rule must be one of {', '.join(rules)}, got {rule!r}")
    n = int(n)
    if n < 1:
        raise CalcmlError(f"n must be a positive number of pieces, got {n}")
    a, b = interval((a, b), "(a, b)")
    g = as_function(f, 1)
    total = riemann_sum(g, a, b, n, rule=rule)
    edges = np.linspace(a, b, n + 1)
    fig, (ax,) = new_figure()
    xs = np.linspace(a, b, 400)
    ax.plot(xs, np.broadcast_to(g(xs), xs.shape), color=PALETTE[0], lw=2, label="$f(x)$")
    for lo, hi in zip(edges[:-1], edges[1:]):
        if rule == "trapezoid":
            ylo, yhi = (float(v) for v in np.broadcast_to(g(np.array([lo, hi])), (2,)))
            ax.add_patch(Polygon([(lo, 0), (lo, ylo), (hi, yhi), (hi, 0)], closed=True,
                                 facecolor=PALETTE[3], alpha=0.35, edgecolor=PALETTE[3]))
            continue
        at = {"left": lo, "right": hi, "midpoint": (lo + hi) / 2}[rule]
        h = float(np.broadcast_to(g(np.array([at])), (1,))[0])
        ax.add_patch(Rectangle((lo, min(0.0, h)), hi - lo, abs(h), facecolor=PALETTE[3],
                               alpha=0.35, edgecolor=PALETTE[3]))
    ax.axhline(0, color="black", lw=0.8)
    ax.set_xlabel("$x$")
    ax.set_title(f"{rule} Riemann sum, $n={n}$: {total:.6g}")
    ax.legend()
    return fig


def step_error(result: Any, x: float | None = None, **kwargs: Any):
    """The V-shaped curve of finite-difference error against the step ``h`` (log-log).

    Parameters
    ----------
    result : calcml.num.StepError, or str / callable
        The output of :func:`calcml.num.step_error`; a function is passed to it with
        ``x`` and ``kwargs``.
    x : float, optional
        The point, when ``result`` is a function.

    Returns
    -------
    matplotlib.figure.Figure
        Lines: the true error, calcml's error estimate; markers at the best step and at
        calcml's default step.

    Examples
    --------
    >>> import calcml as cm
    >>> r = cm.num.step_error("sin(x)", 1.0)
    >>> fig = step_error(r)
    >>> fig.axes[0].get_xscale(), fig.axes[0].get_yscale()
    ('log', 'log')
    """
    from calcml.num import StepError
    from calcml.num import step_error as compute

    if not isinstance(result, StepError):
        if x is None:
            raise CalcmlError("step_error needs the point x when given a function")
        result = compute(result, x, **kwargs)
    r = result
    ok = np.isfinite(r.errors) & (r.errors > 0)
    fig, (ax,) = new_figure()
    ax.loglog(r.hs[ok], r.errors[ok], "o-", ms=3, color=PALETTE[0], label="true error")
    est = np.isfinite(r.estimated) & (r.estimated > 0)
    ax.loglog(r.hs[est], r.estimated[est], "--", color=PALETTE[1], label="estimated error")
    ax.loglog([r.best_h], [max(r.best_error, 1e-300)], "*", ms=14, color=PALETTE[2],
              label=f"best $h$ = {r.best_h:.2g}")
    if np.isfinite(r.default_error) and r.default_error > 0:
        ax.loglog([r.default_h], [r.default_error], "s", ms=8, color=PALETTE[3],
                  label=f"calcml default $h$ = {r.default_h:.2g}")
    ax.set_xlabel("step $h$")
    ax.set_ylabel("absolute error")
    ax.set_title(f"{r.method} difference, order {r.order}: truncation vs round-off")
    ax.legend()
    return fig
