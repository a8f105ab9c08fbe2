"""Numerical stability of finite differences: the error as a function of the step.

Seed 003 warns that numerical derivatives suffer from round-off. A finite difference
with step ``h`` has two errors: truncation, ``~ C1 h**p`` (smaller ``h`` is better), and
round-off, ``~ C2 eps / h**order`` (smaller ``h`` is worse: ``f(x + h) - f(x)`` cancels
digits). On a log-log plot the total error is a V: slope ``p`` on the right, slope
``-order`` on the left, the bottom near ``h* ~ eps**(1/(order + p))``.
:func:`step_error` measures that V against an exact or high-precision derivative.
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from calcml.num._checks import (
    InvalidInputError,
    check_method,
    check_order,
    check_points,
    check_step,
)
from calcml.num.differentiate import default_step, derivative

__all__ = ["StepError", "step_error"]


@dataclass(frozen=True, repr=False)
class StepError:
    """Result of :func:`step_error` (arrays ready to plot on log-log axes).

    Attributes
    ----------
    hs : ndarray
        The steps tried.
    errors : ndarray
        True absolute error ``|D(h) - f^(order)(x)|`` for each step (NaN where ``x + h``
        rounds to ``x``).
    estimated : ndarray
        calcml's error estimate for each step (truncation + round-off model).
    values : ndarray
        The finite-difference values ``D(h)``.
    best_h, best_error : float
        The step with the smallest true error, and that error.
    default_h : float
        The step calcml picks by default (``eps**(1/(order + p)) * max(1, |x|)``).
    default_error : float
        True error at ``default_h``.
    exact : float
        The reference derivative.
    reference : str
        Where ``exact`` came from ("given", "mp", "complex-step", "richardson").
    method : str
    order : int
    """

    hs: np.ndarray
    errors: np.ndarray
    estimated: np.ndarray
    values: np.ndarray
    best_h: float
    best_error: float
    default_h: float
    default_error: float
    exact: float
    reference: str
    method: str
    order: int

    def __repr__(self) -> str:
        return (f"StepError(method={self.method!r}, order={self.order}, best_h={self.best_h:.3g}, "
                f"best_error={self.best_error:.3g}, default_h={self.default_h:.3g}, "
                f"default_error={self.default_error:.3g}, reference={self.reference!r}, "
                f"{self.hs.size} steps)")

    def slopes(self) -> tuple[float, float]:
        """Log-log slopes of the error left and right of ``best_h`` (about ``-order`` and ``p``).

        Fitted on the steps at least 100 times away from ``best_h`` (round-off side) and
        ten times (truncation side), where one error dominates, and only where the
        error is below 10 % of the derivative (beyond, the difference is all noise).
        """
        logh, loge = np.log10(self.hs), np.log10(np.maximum(self.errors, 1e-300))
        ok = np.isfinite(self.errors) & (self.errors > 0) & \
            (self.errors < 0.1 * max(abs(self.exact), 1e-300))
        left = (self.hs < self.best_h / 100) & ok
        right = (self.hs > self.best_h * 10) & ok
        fit = lambda m: float(np.polyfit(logh[m], loge[m], 1)[0]) if m.sum() >= 2 else np.nan
        return fit(left), fit(right)


def _reference(f: Any, x: float, order: int) -> tuple[float, str]:
    if isinstance(f, str) or not callable(f):
        return float(derivative(f, x, order, method="mp", dps=30).value), "mp"
    if order <= 2:
        try:
            return float(derivative(f, x, order, method="complex-step").value), "complex-step"
        except InvalidInputError:
            pass  # f does not take complex numbers
    return float(derivative(f, x, order, method="richardson").value), "richardson"


def step_error(f: Callable | str, x: float, hs: Any = None, method: str = "central",
               order: int = 1, exact: float | None = None) -> StepError:
    """Error of a finite difference as a function of the step ``h`` (the V curve).

    Parameters
    ----------
    f : callable or str
        Scalar function, or an expression string (then the reference is mpmath at
        30 digits).
    x : float
        The point.
    hs : array_like, optional
        Steps to try; default ``logspace(-16, 0, 65)``.
    method : str, default: "central"
        ``"forward"``, ``"backward"``, ``"central"`` or ``"complex-step"``.
    order : int, default: 1
        Derivative order.
    exact : float, optional
        The exact derivative. Default: mpmath for expression strings, else the
        complex-step derivative (orders 1-2, when f takes complex input), else
        ``richardson``.

    Returns
    -------
    StepError

    Examples
    --------
    >>> import numpy as np
    >>> from calcml.num import step_error
    >>> curve = step_error(np.exp, 1.0, method="forward", exact=np.e)
    >>> bool(1e-10 < curve.best_h < 1e-6), bool(curve.best_error < 1e-7)
    (True, True)
    >>> left, right = curve.slopes()           # round-off ~ 1/h, truncation ~ h
    >>> bool(-1.5 < left < -0.5), bool(0.8 < right < 1.2)
    (True, True)
    """
    method = check_method(method, ("forward", "backward", "central", "complex-step"))
    order = check_order(order)
    xa = check_points(x)
    if xa.ndim != 0:
        raise InvalidInputError("step_error takes one point x (a scalar)")
    x0 = float(xa)
    hs = np.logspace(-16, 0, 65) if hs is None else check_step(hs, "hs").reshape(-1)
    if exact is None:
        exact, reference = _reference(f, x0, order)
    else:
        exact, reference = float(exact), "given"
    values, estimated = np.empty(hs.size), np.empty(hs.size)
    for k, h in enumerate(hs):
        try:
            est = derivative(f, x0, order, method=method, h=float(h))
        except InvalidInputError:  # h below the float spacing at x: no such step exists
            values[k] = estimated[k] = np.nan
            continue
        values[k], estimated[k] = float(est.value), float(est.error)
    errors = np.abs(values - exact)
    if np.all(np.isnan(errors)):
        raise InvalidInputError(f"every step in hs is below the float spacing at x = {x0}")
    k = int(np.nanargmin(errors))
    h_def = float(default_step(method, order, x0))
    err_def = abs(float(derivative(f, x0, order, method=method).value) - exact)
    return StepError(hs=hs, errors=errors, estimated=estimated, values=values,
                     best_h=float(hs[k]), best_error=float(errors[k]), default_h=h_def,
                     default_error=err_def, exact=exact, reference=reference, method=method,
                     order=order)
