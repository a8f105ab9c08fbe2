"""Numeric integration: Riemann sums, the running-sum antiderivative, adaptive quadrature.

* :func:`riemann_sum` -- the teaching rules on ``n`` equal pieces: ``left`` and
  ``right`` (error ``O(h)``), ``midpoint`` and ``trapezoid`` (``O(h**2)``), ``simpson``
  (``O(h**4)``).
* :func:`cumulative_integral` -- "integration as a running sum" (seed 004, lesson 2):
  the numeric antiderivative ``F(x_k) = integral of f from a to x_k`` on a grid; the
  trapezoid and Simpson rules use :func:`scipy.integrate.cumulative_trapezoid` and
  :func:`scipy.integrate.cumulative_simpson`.
* :func:`integrate` -- :func:`scipy.integrate.quad` (``"adaptive"``, infinite bounds
  allowed) or :func:`mpmath.quad` (``"mp"``), returning an :class:`Estimate`.
"""
from __future__ import annotations

import math
import warnings
from typing import Any, Callable

import numpy as np

from calcml.num._checks import (
    InvalidInputError,
    NonFiniteError,
    as_function,
    as_mp_function,
    check_method,
    check_positive_int,
)
from calcml.errors import CalcmlError
from calcml.num._problem import DOMAIN_ERRORS, _call_elementwise, _check_output
from calcml.num.estimate import Estimate

__all__ = ["riemann_sum", "cumulative_integral", "integrate", "RULES", "RULE_ORDERS"]

RULES = ("left", "right", "midpoint", "trapezoid", "simpson")
#: convergence order of each rule: error ~ h**order for smooth f
RULE_ORDERS = {"left": 1, "right": 1, "midpoint": 2, "trapezoid": 2, "simpson": 4}


def _bound(value: Any, name: str, allow_inf: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError) as exc:
        raise InvalidInputError(f"bound {name} must be a real number, got {value!r}") from exc
    if np.isnan(v) or (np.isinf(v) and not allow_inf):
        what = "finite" if not allow_inf else "a number (infinity is allowed, NaN is not)"
        hint = "" if allow_inf else "; use calcml.num.integrate for infinite bounds"
        raise InvalidInputError(f"bound {name} must be {what}, got {value!r}{hint}")
    return v


def _real(out: Any, where: str) -> np.ndarray:
    """``f``'s output as a float array; non-numbers and complex values are refused."""
    arr = _check_output(out)  # InvalidInputError for text, None, objects
    if np.iscomplexobj(arr):
        if np.any(np.imag(arr) != 0):
            raise InvalidInputError(f"f returned a complex value at {where}: integrals here "
                                    "are of real functions; is x outside the real domain of f?")
        arr = np.real(arr)
    return arr.astype(float)


def _failed_at(t: Any, exc: Exception) -> None:
    """Re-raise a domain error of f (math.log(0), 1/0) at ``t`` as a NonFiniteError
    saying where; calcml's own errors pass unchanged."""
    if isinstance(exc, CalcmlError):
        raise exc
    raise NonFiniteError(f"f failed at x = {t} ({type(exc).__name__}: {exc}); integrate "
                         "where f is defined, or split the interval there") from exc


def _values(f: Callable, x: np.ndarray) -> np.ndarray:
    failures: list = []  # f raising a domain error (math.log(0), 1/0) gives NaN and a reason
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
        y = _real(_call_elementwise(f, x, failures), "the grid points")
    if y.shape != x.shape:
        raise InvalidInputError(f"f must return one number per point, got shape {y.shape} "
                                f"for {x.size} points")
    bad = ~np.isfinite(y)
    if bad.any():
        k = int(np.argmax(bad))
        what = f"f failed ({failures[0]})" if failures else f"f returned {y[k]}"
        raise NonFiniteError(f"{what} at x = {x[k]!r}; integrate over a range "
                             "where f is finite, or split the interval at the singularity")
    return y


def _grid_iv(f: Any, a: Any, b: Any, n: Any, rule: Any, rules: tuple) -> tuple:
    fn = as_function(f)
    a, b = _bound(a, "a"), _bound(b, "b")
    n = check_positive_int(n, "n (the number of pieces)", 100_000_000)
    rule = check_method(rule, rules, "rule")
    if rule == "simpson" and n % 2:
        raise InvalidInputError(f"Simpson's rule needs an even number of pieces, got n={n}; "
                                f"use n={n + 1}")
    h = (b - a) / n
    if a != b and (h == 0 or a + h == a or b - h == b):
        raise InvalidInputError(f"[{a!r}, {b!r}] is too short to split into n={n} pieces in "
                                "float64 (neighbouring grid points coincide); use a smaller n "
                                "or rescale x")
    return fn, a, b, n, rule


def riemann_sum(f: Callable | str, a: float, b: float, n: int, rule: str = "left") -> float:
    """Approximate the integral of ``f`` over ``[a, b]`` with ``n`` equal pieces.

    Parameters
    ----------
    f : callable or str
        ``f(x)``, elementwise over arrays (or called point by point); or an expression.
    a, b : float
        Finite bounds (``a > b`` gives the negative of the integral over ``[b, a]``).
    n : int
        Number of pieces, ``h = (b - a) / n``; even for ``"simpson"``.
    rule : str, default: "left"
        ``"left"``, ``"right"``, ``"midpoint"``, ``"trapezoid"`` or ``"simpson"``;
        their errors shrink like ``h``, ``h``, ``h**2``, ``h**2``, ``h**4``
        (:data:`RULE_ORDERS`).

    Returns
    -------
    float

    Examples
    --------
    The integral of ``x**2`` over ``[0, 1]`` is 1/3:

    >>> from calcml.num import riemann_sum
    >>> for rule in ("left", "right", "midpoint", "trapezoid", "simpson"):
    ...     print(f"{rule:9s} {riemann_sum(lambda x: x**2, 0, 1, 10, rule):.6f}")
    left      0.285000
    right     0.385000
    midpoint  0.332500
    trapezoid 0.335000
    simpson   0.333333
    """
    fn, a, b, n, rule = _grid_iv(f, a, b, n, rule, RULES)
    h = (b - a) / n
    k = np.arange(n + 1)
    nodes = {"left": k[:-1], "right": k[1:], "midpoint": k[:-1] + 0.5}.get(rule, k)
    y = _values(fn, a + nodes * h)
    if rule in ("left", "right", "midpoint"):
        return float(h * y.sum())
    if rule == "trapezoid":
        return float(h * (y.sum() - 0.5 * (y[0] + y[-1])))
    weights = np.where(k % 2 == 1, 4.0, 2.0)
    weights[0] = weights[-1] = 1.0
    return float(h / 3 * (weights * y).sum())


def cumulative_integral(f: Callable | str, a: float, b: float, n: int,
                        rule: str = "left") -> tuple[np.ndarray, np.ndarray]:
    """The numeric antiderivative ``F(x) = integral of f from a to x`` on ``n + 1`` points.

    Seed 004 (lesson 2) computes it as a running sum: ``F = cumsum(f(x) * dx)``. That
    sum *includes* ``f(x_k)`` in ``F(x_k)``, so it is the integral up to ``x_k + dx``;
    here ``F[0] = 0`` and ``F[k]`` is the left sum over ``[a, x_k]``, so ``F`` estimates
    the antiderivative at the grid points themselves.

    Parameters
    ----------
    f : callable or str
        ``f(x)``, elementwise.
    a, b : float
        Finite bounds (``a > b`` runs the grid from ``a`` down to ``b``, as in
        :func:`riemann_sum`).
    n : int
        Number of pieces.
    rule : str, default: "left"
        ``"left"``/``"right"``/``"midpoint"`` running sums, ``"trapezoid"``
        (:func:`scipy.integrate.cumulative_trapezoid`) or ``"simpson"``
        (:func:`scipy.integrate.cumulative_simpson`, any ``n >= 2``).

    Returns
    -------
    x : ndarray, shape (n + 1,)
        The grid ``a, a + h, ..., b``.
    F : ndarray, shape (n + 1,)
        ``F[k]`` estimates the integral over ``[a, x[k]]``; ``F[0] = 0``.

    Examples
    --------
    The antiderivative of ``2x`` that vanishes at -10 is ``x**2 - 100``:

    >>> import numpy as np
    >>> from calcml.num import cumulative_integral
    >>> x, F = cumulative_integral(lambda x: 2 * x, -10, 10, 200, rule="trapezoid")
    >>> bool(np.allclose(F, x**2 - 100))
    True
    >>> x, F = cumulative_integral(lambda x: 2 * x, -10, 10, 200)    # left running sum
    >>> float(np.max(np.abs(F - (x**2 - 100))))                     # error O(h)
    2.0...
    """
    fn, a, b, n, rule = _grid_iv(f, a, b, n, rule, RULES)
    if rule == "simpson" and n < 2:
        raise InvalidInputError("the cumulative Simpson rule needs n >= 2")
    h = (b - a) / n
    x = a + np.arange(n + 1) * h
    x[-1] = b
    if rule == "midpoint":
        y = _values(fn, x[:-1] + 0.5 * h)
        return x, np.concatenate([[0.0], np.cumsum(y) * h])
    y = _values(fn, x)
    if rule == "left":
        return x, np.concatenate([[0.0], np.cumsum(y[:-1]) * h])
    if rule == "right":
        return x, np.concatenate([[0.0], np.cumsum(y[1:]) * h])
    from scipy import integrate as si

    if rule == "trapezoid":
        return x, si.cumulative_trapezoid(y, x, initial=0.0)
    if a == b:  # cumulative_simpson needs strictly increasing x
        return x, np.zeros_like(x)
    if b < a:  # integral of f from a to x = -(integral of f(-u) from -a to -x)
        return x, 0.0 - si.cumulative_simpson(y, x=-x, initial=0.0)
    return x, si.cumulative_simpson(y, x=x, initial=0.0)


_QUAD_STATUS = {0: 0, 1: -2, 2: -1}  # quad's ier -> calcml status; others -> -3


def integrate(f: Callable | str, a: float, b: float, method: str = "adaptive", *,
              epsabs: float = 1.49e-8, epsrel: float = 1.49e-8, limit: int = 200,
              dps: int | None = None) -> Estimate:
    """The definite integral of ``f`` over ``[a, b]`` with an error estimate.

    Parameters
    ----------
    f : callable or str
        ``f(x) -> float``; for ``method="mp"`` it is called with mpmath numbers
        (or pass an expression string).
    a, b : float
        Bounds; ``-inf``/``inf`` are allowed.
    method : str, default: "adaptive"
        ``"adaptive"``: :func:`scipy.integrate.quad` (QUADPACK, Gauss-Kronrod 21-point
        on adaptively bisected pieces; infinite ranges mapped to finite ones).
        ``"mp"``: :func:`mpmath.quad` (tanh-sinh) at ``dps`` digits.
    epsabs, epsrel : float
        Tolerances for ``"adaptive"``: it stops when ``error <= max(epsabs, epsrel * |value|)``.
    limit : int, default: 200
        Most subintervals for ``"adaptive"``.
    dps : int, optional
        Digits for ``"mp"`` (default 30).

    Returns
    -------
    Estimate
        ``value`` (an mpmath number for ``"mp"``), ``error``, ``nfev``, ``status``:
        0 success; -1 round-off prevented the tolerance; -2 the subdivision limit was
        reached; -3 QUADPACK reported a divergent, slowly converging or bad integrand.

    Examples
    --------
    >>> import numpy as np
    >>> from calcml.num import integrate
    >>> est = integrate(lambda x: np.exp(-x**2), -np.inf, np.inf)
    >>> print(f"{est.value:.12f} (sqrt(pi) = {np.sqrt(np.pi):.12f}), error < {est.error:.0e}")
    1.772453850906 (sqrt(pi) = 1.772453850906), error < ...
    >>> import mpmath
    >>> mp = integrate(lambda x: mpmath.exp(-x**2), 0, 1, method="mp", dps=25)
    >>> str(mp.value)[:22]
    '0.74682413281242702539'
    """
    method = check_method(method, ("adaptive", "mp"))
    a, b = _bound(a, "a", allow_inf=True), _bound(b, "b", allow_inf=True)
    if method == "mp":
        return _integrate_mp(f, a, b, 30 if dps is None else check_positive_int(dps, "dps"))
    fn = as_function(f)
    limit = check_positive_int(limit, "limit")

    def g(t: float) -> float:
        try:
            out = fn(t)
        except DOMAIN_ERRORS as exc:
            _failed_at(t, exc)
        if not isinstance(out, float):  # (np.float64 is a float) ints, 0-d or 1-element arrays
            arr = _real(out, f"x = {t!r}")
            if arr.size != 1:
                raise InvalidInputError(
                    f"f must return one number per point, got shape {arr.shape}")
            out = float(arr.reshape(-1)[0])
        v = out
        if not math.isfinite(v):
            raise NonFiniteError(f"f returned {v} at x = {t!r}; integrate where f is finite "
                                 "or split the interval at the singularity")
        return v

    from scipy.integrate import IntegrationWarning, quad

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", IntegrationWarning)
        out = quad(g, a, b, epsabs=epsabs, epsrel=epsrel, limit=limit, full_output=1)
    value, error, info = out[0], out[1], out[2]
    ier = 0 if len(out) < 4 else _ier(out[3])
    status = _QUAD_STATUS.get(ier, -3)
    return Estimate(value=float(value), error=float(error), nfev=int(info["neval"]),
                    method="adaptive", status=status,
                    error_model="QUADPACK: Gauss-Kronrod 21 minus Gauss 10, summed over pieces",
                    info={"subintervals": int(info.get("last", 0)),
                          "message": out[3] if len(out) > 3 else ""})


def _ier(message: str) -> int:
    """quad's error code from its message (quad returns the message, not ier)."""
    text = message.lower()
    if "maximum number of subdivisions" in text:
        return 1
    if "roundoff" in text:
        return 2
    return 3


def _integrate_mp(f: Any, a: float, b: float, dps: int) -> Estimate:
    import mpmath

    fm = as_mp_function(f)
    count = [0]
    fmax = [mpmath.mpf(0)]

    def g(t: Any) -> Any:
        count[0] += 1
        try:
            v = fm(t)
        except (TypeError, AttributeError) as exc:
            raise InvalidInputError(
                "method='mp' calls f with mpmath numbers: write f with mpmath functions "
                f"or pass an expression string ({type(exc).__name__}: {exc})") from exc
        except DOMAIN_ERRORS as exc:
            _failed_at(t, exc)
        if isinstance(v, np.generic):
            v = v.item()
        if isinstance(v, bool) or not isinstance(v, (mpmath.mpf, mpmath.mpc, int, float,
                                                     complex)):
            raise InvalidInputError(f"method='mp' needs f to return one number, got {v!r}")
        if isinstance(v, (mpmath.mpc, complex)):
            if v.imag != 0:
                raise InvalidInputError(f"f returned a complex value ({v}) at x = {t}: "
                                        "outside its real domain?")
            v = mpmath.mpf(v.real)
        if not mpmath.isfinite(v):
            raise NonFiniteError(f"f returned {v} at x = {t}; integrate where f is finite")
        fmax[0] = max(fmax[0], abs(mpmath.mpf(v)))
        return v

    with mpmath.workdps(dps):
        lo = mpmath.mpf(a) if np.isfinite(a) else (mpmath.inf if a > 0 else -mpmath.inf)
        hi = mpmath.mpf(b) if np.isfinite(b) else (mpmath.inf if b > 0 else -mpmath.inf)
        value, err = mpmath.quad(g, [lo, hi], error=True)
        # floor: the working precision relative to the size of the integrand, which
        # mpmath's level-to-level difference misses when the integral cancels
        width = min(abs(b - a), 1.0) if np.isfinite(b - a) else 1.0
        floor = max(abs(value), fmax[0] * width) * mpmath.mpf(10) ** (1 - dps)
        err = max(float(err), float(floor))
    return Estimate(value=value, error=err, nfev=count[0], method="mp", status=0,
                    error_model="mpmath.quad: difference between the last two tanh-sinh "
                                "levels, at least 10**(1-dps) times the integrand's size",
                    info={"dps": dps})
