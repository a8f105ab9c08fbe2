"""Shared helpers of calcml.plot: the look, figure creation, turning strings into callables."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.errors import CalcmlError, DimensionError

#: colours used everywhere (function, derivative, accent, secondary, ...).
PALETTE = ("#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2",
           "#7f7f7f")


def new_figure(ncols: int = 1, *, figsize: tuple = (6.4, 4.4), projection: str | None = None):
    """A headless ``matplotlib.figure.Figure`` with ``ncols`` axes side by side (no pyplot)."""
    from matplotlib.figure import Figure

    fig = Figure(figsize=(figsize[0] * ncols, figsize[1]), layout="constrained")
    kw = {"projection": projection} if projection else {}
    axes = [fig.add_subplot(1, ncols, i + 1, **kw) for i in range(ncols)]
    for ax in axes:
        if projection is None:
            ax.grid(True, alpha=0.3, linewidth=0.6)
            for side in ("top", "right"):
                ax.spines[side].set_visible(False)
    return fig, axes


def mathtext(latex: str, fallback: str) -> str:
    """``$latex$`` if matplotlib's mathtext can render it, else ``fallback``."""
    from matplotlib.mathtext import MathTextParser

    s = f"${latex}$"
    try:
        MathTextParser("path").parse(s)
    except Exception:  # mathtext lacks some LaTeX commands SymPy emits
        return fallback
    return s


def expr_latex(f: Any) -> str | None:
    """LaTeX of an expression string / SymPy expression, None for a callable."""
    if callable(f) and not hasattr(f, "free_symbols"):
        return None
    import sympy

    from calcml.sym import parse

    e = parse(f) if isinstance(f, str) else f
    return sympy.latex(e)


def label_of(f: Any, name: str = "f") -> str:
    """A mathtext label ``$f(x) = ...$`` for a string, or ``$f$`` for a callable."""
    tex = expr_latex(f)
    if tex is None:
        return f"${name}$"
    return mathtext(f"{name} = {tex}", f"{name} = {f}")


def as_function(f: Any, nvars: int, vars: Any = None) -> Callable:
    """A NumPy callable from an expression string, a SymPy expression or a callable.

    One variable: ``g(x)`` elementwise. Several: ``g(v)`` with ``v[0], v[1], ...`` the
    variables (``vars`` order, default: sorted by name), as calcml.optimize expects.
    """
    if isinstance(f, str) or hasattr(f, "free_symbols"):
        from calcml.sym import lambdify, parse

        e = parse(f) if isinstance(f, str) else f
        if vars is None:
            syms = sorted(e.free_symbols, key=lambda s: s.name)
            if len(syms) > nvars:
                raise DimensionError(
                    f"the expression has {len(syms)} variables "
                    f"({', '.join(s.name for s in syms)}); this plot needs {nvars}")
            names = [s.name for s in syms]
            for extra in ("x", "y", "z", "w"):
                if len(names) >= nvars:
                    break
                if extra not in names:
                    names.append(extra)
            vars = sorted(names)
        return lambdify(e, vars)
    if not callable(f):
        raise CalcmlError(f"expected a function or an expression string, got {type(f).__name__}")
    return f


def eval_grid(f: Callable, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    """``f`` at every grid point: vectorized call ``f(stack([X, Y]))`` or a loop."""
    try:
        Z = np.asarray(f(np.stack([X, Y])), dtype=float)
        if Z.shape == X.shape:
            return Z
    except Exception:
        pass
    return np.array([[float(f(np.array([x, y]))) for x, y in zip(rx, ry)]
                     for rx, ry in zip(X, Y)])


def true_gradient(f: Callable, X: np.ndarray, Y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The gradient of ``f(v)`` at every grid point, by calcml's automatic differentiation.

    Points are independent, so one reverse pass of ``sum f`` over the stacked grid gives
    every gradient at once; a function that is not vectorized is done point by point.
    """
    from calcml.ad import grad

    P = np.stack([X, Y]).astype(float)
    try:
        G = np.asarray(grad(lambda v: f(v).sum())(P), dtype=float)
        if G.shape == P.shape:
            return G[0], G[1]
    except CalcmlError:
        pass
    except Exception:
        pass
    g = grad(f)
    U = np.empty_like(X, dtype=float)
    V = np.empty_like(Y, dtype=float)
    for idx in np.ndindex(X.shape):
        u, v = np.asarray(g(np.array([X[idx], Y[idx]], dtype=float)), dtype=float)
        U[idx], V[idx] = u, v
    return U, V


def interval(lim: Any, name: str) -> tuple[float, float]:
    """Check a ``(lo, hi)`` pair."""
    try:
        lo, hi = (float(v) for v in lim)
    except (TypeError, ValueError):
        raise CalcmlError(f"{name} must be a pair (lo, hi) of numbers, got {lim!r}") from None
    if not (np.isfinite(lo) and np.isfinite(hi) and lo < hi):
        raise CalcmlError(f"{name} must satisfy lo < hi (finite), got ({lo}, {hi})")
    return lo, hi
