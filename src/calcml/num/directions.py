"""The direction of steepest ascent, found by searching directions (seed 004, lesson 3).

The seed tries every direction in the plane at 0.1-degree steps, measures the rate of
change ``(f(p + h u) - f(p)) / h`` along each and keeps the largest: at (2, 3) for
``x**2 + y**3`` it finds the direction of the gradient (4, 27). calcml does the same
search with a central difference (error ``O(h**2)`` instead of ``O(h)``) and reports
how far the searched direction is from the gradient direction.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

from calcml.errors import DimensionError
from calcml.num._checks import (
    NonFiniteError,
    as_function,
    check_points,
    check_positive_int,
    check_step,
)
from calcml.num.differentiate import gradient as numeric_gradient

__all__ = ["DirectionResult", "steepest_direction"]


@dataclass(frozen=True, repr=False)
class DirectionResult:
    """Result of :func:`steepest_direction`.

    Attributes
    ----------
    direction : ndarray, shape (2,)
        Unit vector of the best direction searched.
    angle : float
        Its angle in degrees, counter-clockwise from the +x axis.
    rate : float
        The directional derivative along ``direction`` (the largest rate found).
    gradient : ndarray, shape (2,)
        The gradient at the point (numeric, :func:`calcml.num.gradient`).
    angle_error : float
        Degrees between ``direction`` and ``gradient`` (at most half the angle step
        plus the finite-difference error).
    searched_gradient : ndarray, shape (2,)
        ``rate * direction``: the gradient as the search sees it (the seed prints this).
    angles, rates : ndarray
        Every angle tried (degrees) and its rate of change, for plots.
    nfev : int
        Calls of ``f`` (search plus gradient).
    """

    direction: np.ndarray
    angle: float
    rate: float
    gradient: np.ndarray
    angle_error: float
    searched_gradient: np.ndarray
    angles: np.ndarray = field(repr=False)
    rates: np.ndarray = field(repr=False)
    nfev: int = 0

    def __repr__(self) -> str:
        return (f"DirectionResult(direction={np.round(self.direction, 6).tolist()}, "
                f"angle={self.angle:.4g} deg, rate={self.rate:.10g}, "
                f"gradient={np.round(self.gradient, 10).tolist()}, "
                f"angle_error={self.angle_error:.3g} deg, nfev={self.nfev})")


def _vector_callable(f: Any) -> Callable:
    """``f(v)`` for a callable taking a vector, or one taking the coordinates ``f(x, y)``."""
    fn = as_function(f)
    if isinstance(f, str) or not callable(f):
        return fn

    def g(v: np.ndarray) -> Any:
        try:
            return fn(v)
        except TypeError:
            return fn(*v)

    return g


def steepest_direction(f: Callable | str, x: Any, n_angles: int = 3600,
                       h: float | None = None) -> DirectionResult:
    """Search ``n_angles`` directions in the plane for the steepest ascent of ``f`` at ``x``.

    Parameters
    ----------
    f : callable or str
        ``f(v)`` of a 2-vector (``f(x, y)`` also works), or an expression such as
        ``"x**2 + y**3"``.
    x : array_like, shape (2,)
        The point.
    n_angles : int, default: 3600
        Directions tried, evenly spaced over 360 degrees (3600 = the seed's 0.1 degree).
    h : float, optional
        Step of the central difference along each direction; default
        ``eps**(1/3) * max(1, |x|)``.

    Returns
    -------
    DirectionResult
        ``direction``, ``angle``, ``rate``, ``gradient``, ``angle_error`` and the rates
        of all directions.

    Examples
    --------
    >>> from calcml.num import steepest_direction
    >>> res = steepest_direction(lambda x, y: x**2 + y**3, [2, 3])
    >>> res.gradient.round(8)
    array([ 4., 27.])
    >>> res.searched_gradient.round(2)           # the seed prints (3.987, 27.003)
    array([ 3.99, 27.  ])
    >>> bool(res.angle_error <= 0.05)
    True
    >>> steepest_direction("x^2 + y^2", [1, 1], n_angles=8).angle   # seed's task: (2, 2)
    45.0
    """
    fn = _vector_callable(f)
    p = check_points(x, "x").reshape(-1)
    if p.size != 2:
        raise DimensionError(f"steepest_direction searches directions in the plane: x must "
                             f"have 2 coordinates, got {p.size}; use calcml.num.gradient "
                             "in higher dimensions")
    n_angles = check_positive_int(n_angles, "n_angles", 10_000_000)
    step = check_step(h)
    step = float(np.finfo(float).eps ** (1 / 3) * max(1.0, np.abs(p).max())) \
        if step is None else float(step)
    angles = np.arange(n_angles) * (360.0 / n_angles)
    rad = np.deg2rad(angles)
    units = np.stack([np.cos(rad), np.sin(rad)], axis=1)
    plus = np.array([float(fn(p + step * u)) for u in units])
    minus = np.array([float(fn(p - step * u)) for u in units])
    rates = (plus - minus) / (2 * step)
    if not np.all(np.isfinite(rates)):
        k = int(np.argmax(~np.isfinite(rates)))
        raise NonFiniteError(f"f is not finite near x = {p.tolist()} along the direction "
                             f"{angles[k]} degrees; pass a smaller h")
    best = int(np.argmax(rates))
    grad = numeric_gradient(fn, p)
    g = np.asarray(grad.value, dtype=float)
    direction = units[best]
    norm = np.linalg.norm(g)
    if norm == 0:
        angle_error = float("nan")  # a stationary point: every direction is as steep
    else:
        cross = direction[0] * g[1] - direction[1] * g[0]
        angle_error = float(np.degrees(np.arctan2(abs(cross), direction @ g)))
    return DirectionResult(direction=direction, angle=float(angles[best]),
                           rate=float(rates[best]), gradient=g, angle_error=angle_error,
                           searched_gradient=rates[best] * direction, angles=angles,
                           rates=rates, nfev=2 * n_angles + int(grad.nfev))
