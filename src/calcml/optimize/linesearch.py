"""Line searches: Armijo backtracking and a strong-Wolfe search (Nocedal & Wright 3.5/3.6).

Both take ``fg(x) -> (f, g)`` and never accept a point whose objective is NaN or inf
(such a trial step is treated as "too long" and shortened).

>>> import numpy as np
>>> fg = lambda x: (float(x @ x), 2 * x)
>>> x = np.array([1.0, 1.0]); f, g = fg(x)
>>> ls = wolfe(fg, x, -g, f, g)
>>> ls.alpha, ls.f          # exact minimizer along -g is alpha = 1/2
(0.5, 0.0)
"""
from __future__ import annotations

from typing import Callable, NamedTuple

import numpy as np

__all__ = ["LineSearchResult", "armijo", "wolfe"]


class LineSearchResult(NamedTuple):
    """An accepted step: ``x_new = x + alpha * d`` with its value and gradient."""
    alpha: float
    x: np.ndarray
    f: float
    g: np.ndarray
    wolfe: bool  # curvature condition met (False: only sufficient decrease)


def armijo(fg: Callable, x: np.ndarray, d: np.ndarray, f0: float, g0: np.ndarray, *,
           alpha0: float = 1.0, c1: float = 1e-4, shrink: float = 0.5, maxsteps: int = 60,
           project: Callable | None = None) -> LineSearchResult | None:
    """Backtracking from ``alpha0`` until ``f(x_a) <= f0 + c1 * g0 @ (x_a - x)``, where
    ``x_a = project(x + alpha d)``; each rejected step is replaced by the minimizer of the
    quadratic interpolant, kept within ``[alpha/10, shrink * alpha]``.

    Returns ``None`` if no such step is found in ``maxsteps`` halvings.
    """
    alpha = alpha0
    for _ in range(maxsteps):
        xa = x + alpha * d
        if project is not None:
            xa = project(xa)
        f, g = fg(xa)
        slope = float(g0 @ (xa - x))
        if np.isfinite(f) and f <= f0 + c1 * slope:
            return LineSearchResult(float(alpha), xa, f, g, False)
        # Near the minimum the decrease drowns in rounding error; then use the
        # derivative form (Hager & Zhang's approximate Armijo condition): f within
        # rounding of f0 and a directional derivative that shows no overshoot.
        if np.isfinite(f) and f <= f0 + 1e-10 * abs(f0) and np.all(np.isfinite(g)) \
                and float(g @ (xa - x)) <= -(1.0 - 2.0 * c1) * slope and slope < 0:
            return LineSearchResult(float(alpha), xa, f, g, False)
        # minimizer of the quadratic through f0, slope and f(alpha), kept in
        # [alpha/10, alpha * shrink]; plain shrinking when f is not finite
        den = 2.0 * (f - f0 - slope)
        new = -slope * alpha / den if np.isfinite(f) and den > 0 and slope < 0 else np.nan
        alpha = min(max(new, 0.1 * alpha), shrink * alpha) if np.isfinite(new) \
            else shrink * alpha
    return None


def _interpolate(lo, hi, f_lo, f_hi, d_lo, d_hi, near_lo: bool = False):
    """Cubic (or quadratic) minimizer in the bracket, at least a tenth of it away from
    both ends (from ``hi`` only, when ``near_lo``); bisection when the model gives no such
    point."""
    a = None
    span = hi - lo
    if np.isfinite(f_hi):
        if d_hi is not None and np.isfinite(d_hi):
            d1 = d_lo + d_hi - 3 * (f_lo - f_hi) / (lo - hi)
            rad = d1 * d1 - d_lo * d_hi
            if rad >= 0:
                d2 = np.sign(span) * np.sqrt(rad)
                den = d_hi - d_lo + 2 * d2
                if den != 0:
                    a = hi - span * (d_hi + d2 - d1) / den
        if a is None or not np.isfinite(a):
            den = 2 * (f_hi - f_lo - d_lo * span)
            if den > 0:
                a = lo - d_lo * span * span / den
    # With ``near_lo`` (the zoom's first trial) the point may be as close to ``lo`` as
    # the model says: when the first step overshoots by orders of magnitude (a badly
    # scaled direction), one interpolation lands near the minimizer instead of a tenth
    # of the way per trial. Later trials keep the usual safeguard, else a model that
    # keeps pointing at ``lo`` shrinks the bracket too slowly and the search stalls.
    t = (a - lo) / span if a is not None and np.isfinite(a) else np.nan
    if not (0.0 if near_lo else 0.1) < t <= 0.9:
        a = lo + 0.5 * span
    return a


def wolfe(fg: Callable, x: np.ndarray, d: np.ndarray, f0: float, g0: np.ndarray, *,
          alpha0: float = 1.0, c1: float = 1e-4, c2: float = 0.9, amax: float = 1e10,
          maxiter: int = 40, eps_f: float = 1e-10) -> LineSearchResult | None:
    """Strong-Wolfe line search: ``f(x + a d) <= f0 + c1 a g0·d`` and
    ``|g(x + a d)·d| <= c2 |g0·d|``, by bracketing and cubic-interpolation zoom.

    Near a minimum the decrease ``c1 a g0·d`` drowns in the rounding error of ``f``;
    then a step is also accepted when ``f(x + a d) <= f0 + eps_f |f0|`` and the strong
    curvature condition holds (Hager & Zhang's approximate Wolfe conditions: for a
    quadratic, ``|g·d| <= c2 |g0·d|`` alone implies a decrease). ``eps_f=0`` turns this off.

    Returns ``None`` when ``d`` is not a descent direction or no acceptable step is
    found; if only sufficient decrease was reached, that step is returned with
    ``wolfe=False``.
    """
    dphi0 = float(g0 @ d)
    if not dphi0 < 0:
        return None
    evals = [0]
    f_round = f0 + eps_f * abs(f0)

    def approx(f, dphi):
        """Approximate Wolfe: f within rounding of f0, strong curvature condition met."""
        return eps_f > 0 and f <= f_round and abs(dphi) <= -c2 * dphi0

    def phi(a):
        evals[0] += 1
        xa = x + a * d
        f, g = fg(xa)
        dphi = float(g @ d) if np.isfinite(f) and np.all(np.isfinite(g)) else np.nan
        return xa, f, g, dphi

    def zoom(lo, hi, f_lo, f_hi, d_lo, d_hi, best):
        for j in range(maxiter):
            if abs(hi - lo) <= 1e-14 * max(abs(lo), abs(hi)):
                break
            a = _interpolate(lo, hi, f_lo, f_hi, d_lo, d_hi, near_lo=j == 0)
            xa, f, g, dphi = phi(a)
            if not np.isfinite(f) or np.isnan(dphi) or f > f0 + c1 * a * dphi0 or f >= f_lo:
                if np.isfinite(f) and not np.isnan(dphi) and approx(f, dphi):
                    return LineSearchResult(float(a), xa, f, g, True)
                hi, f_hi, d_hi = a, f, (dphi if np.isfinite(f) else None)
            else:
                if abs(dphi) <= -c2 * dphi0:
                    return LineSearchResult(float(a), xa, f, g, True)
                if dphi * (hi - lo) >= 0:
                    hi, f_hi, d_hi = lo, f_lo, d_lo
                lo, f_lo, d_lo = a, f, dphi
                best = LineSearchResult(float(a), xa, f, g, False)
        return best

    a_prev, f_prev, d_prev, best = 0.0, f0, dphi0, None
    a = alpha0
    for i in range(maxiter):
        xa, f, g, dphi = phi(a)
        if not np.isfinite(f) or np.isnan(dphi):
            return zoom(a_prev, a, f_prev, np.inf, d_prev, None, best)
        if f > f0 + c1 * a * dphi0 or (i > 0 and f >= f_prev):
            if approx(f, dphi):
                return LineSearchResult(a, xa, f, g, True)
            return zoom(a_prev, a, f_prev, f, d_prev, dphi, best)
        if abs(dphi) <= -c2 * dphi0:
            return LineSearchResult(a, xa, f, g, True)
        best = LineSearchResult(a, xa, f, g, False)
        if dphi >= 0:
            return zoom(a, a_prev, f, f_prev, dphi, d_prev, best)
        a_prev, f_prev, d_prev = a, f, dphi
        if a >= amax:
            break
        a = min(4.0 * a, amax)
    return best
