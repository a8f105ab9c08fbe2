"""Numeric derivatives, gradients, Jacobians and Hessians with error estimates.

Methods (``method=``):

``"forward"``, ``"backward"``, ``"central"``
    The textbook fixed-step finite differences. ``h`` defaults to
    ``eps**(1/(order + p)) * max(1, |x|)`` (``p`` = 1 one-sided, 2 central), the step
    that balances truncation (``~h**p``) against round-off (``~eps/h**order``). The
    error estimate is ``2 |D(h) - D(2h)| / (2**p - 1)`` (the truncation error from the
    known order ``p``, with a safety factor 2 for the next term) plus a round-off
    bound ``4 eps sum|w_k f_k| / h**order``.
``"richardson"`` (default)
    Adaptive: a sequence of steps ``h0, h0/2, h0/4, ...`` and Richardson extrapolation.
    For a first derivative of an elementwise function this is
    :func:`scipy.differentiate.derivative` (order-8 stencils on geometric steps, run
    to ``rtol``), whose error estimate calcml widens by a round-off term. For orders
    2 and higher, and for gradients, Jacobians and Hessians (whose functions need
    not be elementwise, nor scalar-valued), calcml runs its own Neville/Ridders
    tableau on central differences: column ``j`` removes the ``h**(2j)`` error term,
    the error estimate of an entry is its distance to its two parents and to the
    entry of its column one step back, plus a round-off bound (entries count from the
    fourth step on: the first steps can agree by coincidence while ``h`` is still
    large), and the iteration stops when the error
    estimate meets the tolerance or has not decreased for two steps (round-off),
    returning the best entry.
``"complex-step"``
    For real-analytic ``f`` that accepts complex input: ``Im f(x + ih) / h`` with
    ``h = 1e-20`` has no subtractive cancellation, so it is exact to rounding. Order 2
    uses the eighth root of unity ``w = exp(i pi/4)``:
    ``f'' ~ Im(f(x + hw) + f(x - hw)) / h**2`` with ``O(h**4)`` error.
``"mp"``
    :func:`mpmath.diff` at ``dps`` significant digits (default 30); ``f`` is called with
    mpmath numbers, or is an expression string. The error is the difference from a
    second run at higher precision; values are mpmath numbers.

Every method evaluates ``f`` at the point itself once: NaN or infinity there (or
anywhere in the stencil) raises :class:`calcml.num.NonFiniteError`.
"""
from __future__ import annotations

import math
from fractions import Fraction
from typing import Any, Callable

import numpy as np

from calcml.errors import CalcmlError
from calcml.num._checks import (
    InvalidInputError,
    NonFiniteError,
    as_function,
    as_mp_function,
    check_method,
    check_order,
    check_points,
    check_positive_int,
    check_step,
    step_for,
)
from calcml.num._problem import DOMAIN_ERRORS, Problem, directional, pointwise
from calcml.num.estimate import Estimate

__all__ = ["derivative", "gradient", "jacobian", "hessian", "fd_weights", "default_step",
           "METHODS"]

METHODS = ("richardson", "central", "forward", "backward", "complex-step", "mp")
_FIXED = ("central", "forward", "backward")
EPS = np.finfo(float).eps
MAX_ORDER = 6
#: first tableau row (0-based) whose entries may be returned with an error bound
_TRUSTED_ROW = 3
_ROUND_FACTOR = 4.0  # round-off bound: this many eps per |w_k f_k| term


# --------------------------------------------------------------------------- stencils
def fd_weights(offsets: Any, order: int) -> np.ndarray:
    """Finite-difference weights for the ``order``-th derivative on integer ``offsets``.

    ``f^(order)(x) ~ sum_k w_k f(x + offsets[k] h) / h**order``.

    Parameters
    ----------
    offsets : sequence of int
        Distinct stencil points in units of ``h``.
    order : int
        Derivative order, less than ``len(offsets)``.

    Returns
    -------
    ndarray
        The weights (exact zeros where the weight vanishes).

    Examples
    --------
    >>> fd_weights([-1, 0, 1], 1)
    array([-0.5,  0. ,  0.5])
    >>> fd_weights([-1, 0, 1], 2)
    array([ 1., -2.,  1.])
    """
    try:
        o = [Fraction(float(v)) for v in np.ravel(np.asarray(offsets, dtype=float))]
    except (TypeError, ValueError, OverflowError) as exc:
        raise InvalidInputError(f"stencil offsets must be finite numbers, got {offsets!r}") \
            from exc
    n = len(o)
    order = check_positive_int(order, "order (the derivative order)") if order != 0 else 0
    if order >= n:
        raise InvalidInputError(f"a stencil of {n} points cannot give derivative order {order}")
    if len(set(o)) != n:
        raise InvalidInputError(f"stencil offsets must be distinct, got {offsets!r}")
    # Exact rational arithmetic: weights solved in floating point (a Vandermonde system)
    # miss the moment conditions by ~1e-14, e.g. sum(w) != 0, which divided by h**5
    # biased 5th derivatives by ~1e-3. w_k = order! [t^order] prod_{m!=k} (t - o_m)/(o_k - o_m).
    w = []
    for k, ok in enumerate(o):
        poly = [Fraction(1)]  # coefficients of prod (t - o_m), lowest power first
        denom = Fraction(1)
        for m, om in enumerate(o):
            if m == k:
                continue
            poly = [Fraction(0)] + poly  # times t
            for p in range(len(poly) - 1):
                poly[p] -= om * poly[p + 1]
            denom *= ok - om
        w.append(math.factorial(order) * poly[order] / denom)
    return np.array([float(v) for v in w])


def _stencil(kind: str, order: int) -> tuple[np.ndarray, int]:
    """Integer offsets and accuracy order ``p`` of the textbook stencil."""
    if kind == "central":
        m = (order + 1) // 2
        return np.arange(-m, m + 1), 2
    if kind == "forward":
        return np.arange(0, order + 1), 1
    return np.arange(-order, 1), 1


def default_step(method: str = "central", order: int = 1, x: Any = 0.0) -> Any:
    """The step a fixed-step ``method`` uses by default at ``x``.

    ``eps**(1/(order + p)) * max(1, |x|)``, with ``p`` the accuracy order of the
    stencil (1 for forward/backward, 2 for central): the minimum of the truncation
    plus round-off error ``C1 h**p + C2 eps / h**order``.

    Examples
    --------
    >>> float(default_step("forward", 1))   # sqrt(eps)
    1.4901161193847656e-08
    >>> round(float(default_step("central", 1)), 9)  # eps**(1/3)
    6.055e-06
    """
    check_method(method, _FIXED + ("complex-step",))
    scale = np.maximum(1.0, np.abs(np.asarray(x, dtype=float)))
    if method == "complex-step":
        return (1e-20 if order == 1 else EPS ** 0.2) * scale
    p = _stencil(method, order)[1]
    return EPS ** (1.0 / (order + p)) * scale


class _Grid:
    """Cached evaluations ``phi_k(t0[k] + m * h[k])`` keyed by the multiplier ``m``."""

    def __init__(self, prob: Problem, h: np.ndarray):
        self.prob, self.h = prob, h
        self.store: dict[float, tuple[np.ndarray, np.ndarray]] = {}

    def __call__(self, m: float, act: np.ndarray) -> np.ndarray:
        prob = self.prob
        if m == 0:
            return prob.base_values()[act]
        if m not in self.store:
            self.store[m] = (np.empty((prob.n,) + prob.out_shape), np.zeros(prob.n, bool))
        vals, done = self.store[m]
        need = act[~done[act]]
        if need.size:
            vals[need] = prob(prob.t0[need] + m * self.h[need], need)
            done[need] = True
        return vals[act]


def _expand(a: np.ndarray, out_shape: tuple) -> np.ndarray:
    """Reshape a per-element array (N,) to broadcast against (N,) + out_shape."""
    return a.reshape(a.shape + (1,) * len(out_shape))


# --------------------------------------------------------------------- the methods
def _fixed(prob: Problem, order: int, kind: str, h: np.ndarray | None) -> dict:
    offsets, p = _stencil(kind, order)
    w = fd_weights(offsets, order)
    if h is None:
        h = default_step(kind, order, prob.scale)
    h = np.broadcast_to(h, prob.t0.shape).astype(float)
    h = (prob.t0 + h) - prob.t0  # a step that is exact in floating point
    if np.any(h <= 0):
        raise InvalidInputError("the step h is below the spacing of floating-point numbers "
                                "at x; pass a larger h")
    prob.base_values()  # f at the point itself, checked
    grid = _Grid(prob, h)
    act = np.arange(prob.n)
    hd = _expand(h, prob.out_shape) ** order

    def estimate(scale: int) -> tuple[np.ndarray, np.ndarray]:
        acc = np.zeros((prob.n,) + prob.out_shape)
        size = np.zeros_like(acc)
        for o, wk in zip(offsets, w):
            if wk:
                vals = grid(float(o * scale), act)
                acc += wk * vals
                size += abs(wk * vals)
        return acc / (hd * scale ** order), size / (hd * scale ** order)

    d1, size1 = estimate(1)
    d2, _ = estimate(2)
    # the O(h^p) extrapolation misses the next term: a safety factor of 2
    error = 2 * np.abs(d1 - d2) / (2 ** p - 1) + _ROUND_FACTOR * EPS * (size1 + np.abs(d1))
    return dict(value=d1, error=error, status=np.zeros(d1.shape, dtype=int),
                model=f"2 |D(h) - D(2h)|/{2 ** p - 1} (truncation, O(h^{p})) + round-off bound",
                info={"h": h})


def _richardson(prob: Problem, order: int, h0: np.ndarray | None, rtol: float, atol: float,
                maxiter: int, ratio: float = 2.0, patience: int = 2) -> dict:
    """Neville/Ridders extrapolation of central differences (own implementation)."""
    offsets, _ = _stencil("central", order)
    w = fd_weights(offsets, order)
    wsum = np.abs(w).sum()
    n, shape = prob.n, prob.out_shape
    h0 = np.broadcast_to(0.25 if h0 is None else h0, (n,)).astype(float)
    base = prob.base_values()
    fmax = np.abs(base).astype(float)
    grid = _Grid(prob, h0)
    best = np.full((n,) + shape, np.nan)
    berr = np.full((n,) + shape, np.inf)
    status = np.full((n,) + shape, -2)
    improved = np.zeros((n,) + shape, dtype=int)  # last step whose row lowered the error
    act = np.arange(n)
    prev: list[np.ndarray] = []  # previous tableau row (full-size arrays)
    for i in range(maxiter):
        if act.size == 0:
            break
        hi = _expand(h0[act] / ratio ** i, shape)
        acc = np.zeros((act.size,) + shape)
        for o, wk in zip(offsets, w):
            if wk:
                vals = grid(float(o) / ratio ** i, act)
                acc += wk * vals
                fmax[act] = np.maximum(fmax[act], np.abs(vals))
        row = [acc / hi ** order]
        rounding = _ROUND_FACTOR * EPS * wsum * fmax[act] / hi ** order
        amplification = 1.0
        for j in range(1, i + 1):
            fac = ratio ** (2 * j)
            amplification *= (fac + 1) / (fac - 1)
            new = row[j - 1] + (row[j - 1] - prev[j - 1][act]) / (fac - 1)
            err = np.maximum(np.abs(new - row[j - 1]), np.abs(new - prev[j - 1][act]))
            if j < i:
                # and to the same column one step back: two parents can agree by
                # coincidence (the truncation error of D(h) crossing zero between h and
                # h/2 leaves D(h) ~ D(h/2) far from f^(d)), an estimate of the same
                # order from other steps then disagrees
                err = np.maximum(err, np.abs(new - prev[j][act]))
            err = err + rounding * amplification + EPS * np.abs(new)
            # the first rows can agree by coincidence while h is far from asymptotic
            # ((x**2 + 1)**1.5, order 4, at 0.993: rows 1-2 agree to 7e-7, 5e-6 off): an
            # entry counts only from row _TRUSTED_ROW on
            better = (err <= berr[act]) & (i >= _TRUSTED_ROW)
            berr[act] = np.where(better, err, berr[act])
            best[act] = np.where(better, new, best[act])
            improved[act] = np.where(better, i, improved[act])
            row.append(new)
        if i < _TRUSTED_ROW:  # nothing trusted yet: the latest extrapolation, no error bound
            best[act], berr[act] = row[-1], np.inf
        full_row = [np.full((n,) + shape, np.nan) for _ in row]
        for full, part in zip(full_row, row):
            full[act] = part
        if i >= _TRUSTED_ROW:
            converged = berr[act] <= atol + rtol * np.abs(best[act])
            # round-off has taken over when `patience` more steps brought no lower error
            # (a stall rule: Ridders' "the diagonal got worse" fires too early while the
            # diagonal is still settling)
            stalled = i - improved[act] >= patience
            status[act] = np.where(converged, 0, np.where(stalled, -1, -2))
            done = (converged | stalled).reshape(act.size, -1).all(axis=1)
            act = act[~done]
        prev = full_row
    return dict(value=best, error=berr, status=status,
                model="Richardson tableau: distance of the best entry to its two parents and "
                      "to its column's previous entry + round-off bound", info={"h0": h0})


def _richardson_scipy(prob: Problem, h0: np.ndarray | None, rtol: float, atol: float,
                      maxiter: int) -> dict:
    """First derivative of an elementwise function with scipy.differentiate.derivative."""
    from scipy.differentiate import derivative as scipy_derivative

    n = prob.n
    fmax = np.zeros(n)

    def f_batch(t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        idx = np.broadcast_to(idx, t.shape).astype(np.int64)
        vals = prob(t.ravel(), idx.ravel()).reshape(t.shape)
        np.maximum.at(fmax, idx.ravel(), np.abs(vals.ravel()))
        return vals

    step = 0.25 if h0 is None else h0
    res = scipy_derivative(f_batch, prob.t0, args=(np.arange(n, dtype=float),),
                           tolerances=dict(rtol=rtol, atol=atol), maxiter=maxiter,
                           initial_step=step)
    if np.any(res.status == -3):  # pragma: no cover - prob raises on non-finite values
        raise NonFiniteError("f returned a non-finite value near x")
    h_last = np.broadcast_to(step, (n,)) / 2.0 ** res.nit
    rounding = _ROUND_FACTOR * EPS * (fmax / h_last + np.abs(res.df))
    error = np.where(np.isfinite(res.error), res.error, 0.0) + rounding
    converged = res.error <= atol + rtol * np.abs(res.df)
    status = np.where(converged, 0, np.where(res.status == -2, -2, -1))
    return dict(value=res.df, error=error, status=status,
                model="scipy.differentiate.derivative: change from the previous iterate "
                      "+ round-off bound", info={"nit": res.nit})


def _complex_step(prob: Problem, order: int, h: np.ndarray | None) -> dict:
    if order > 2:
        raise InvalidInputError(
            f"complex-step gives orders 1 and 2, not {order}; use method='richardson' "
            "or 'mp' for higher orders")
    if h is None:
        h = default_step("complex-step", order, prob.scale)
    h = np.broadcast_to(h, prob.t0.shape).astype(float)
    hx = _expand(h, prob.out_shape)
    act = np.arange(prob.n)
    base = prob.base_values()  # checked real and finite
    prob.complex_ok = True

    def call(t: np.ndarray) -> np.ndarray:
        try:
            out = prob(t, act)
        except TypeError as exc:  # math.log(1j), float(z): f is real-only
            if isinstance(exc, CalcmlError):
                raise
            raise InvalidInputError(
                "method='complex-step' needs f to accept complex input (use np.sin, not "
                f"math.sin); use method='richardson' for such an f ({exc})") from exc
        if not np.iscomplexobj(out):
            raise InvalidInputError(
                "method='complex-step' needs f to accept complex input and return complex "
                "output (use np.sin, not math.sin; no abs(), np.real or comparisons); "
                "use method='richardson' for such an f")
        return out

    if order == 1:
        out = call(prob.t0 + 1j * h)
        value = out.imag / hx
        # truncation h^2 f'''/6 is far below round-off for h = 1e-20
        scale = _expand(prob.scale, prob.out_shape)
        error = _ROUND_FACTOR * EPS * (np.abs(value) + np.abs(base) / scale)
        model = "round-off bound (truncation O(h^2) is negligible at h = 1e-20)"
        if np.any(h > 1e-8 * prob.scale):  # a large step given: truncation counts
            value2 = call(prob.t0 + 2j * h).imag / (2 * hx)
            error = error + 2 * np.abs(value - value2) / 3
            model = "2 |D(h) - D(2h)|/3 (truncation, O(h^2)) + round-off bound"
    else:
        omega = np.exp(1j * np.pi / 4)

        def second(step: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            plus, minus = call(prob.t0 + omega * step), call(prob.t0 - omega * step)
            sx = _expand(step, prob.out_shape)
            size = (np.abs(plus.imag) + np.abs(minus.imag)) / sx ** 2
            return (plus + minus).imag / sx ** 2, size

        value, size = second(h)
        value2, _ = second(2 * h)
        # round-off: of the imaginary parts, and of the real part x + h cos(pi/4) of the
        # points, which moves Im f by about f''(x) h sin(pi/4) per unit: eps |x| |f''| / h
        scale = _expand(prob.scale, prob.out_shape)
        error = (2 * np.abs(value - value2) / 15 + _ROUND_FACTOR * EPS * size
                 + EPS * scale * np.abs(value) / hx)
        model = "2 |D(h) - D(2h)|/15 (truncation, O(h^4)) + round-off bound"
    return dict(value=value, error=error, status=np.zeros(value.shape, dtype=int), model=model,
                info={"h": h})


# ------------------------------------------------------------------------ mpmath
def _mp_diff(fm: Callable, points: list, orders: tuple | int, dps: int,
             h: Any) -> tuple[Any, float]:
    import mpmath

    def run(digits: int) -> Any:
        with mpmath.workdps(digits):
            args = [mpmath.mpf(p) for p in points]
            kwargs = {} if h is None else {"h": mpmath.mpf(h)}
            if len(args) == 1:
                # one coordinate: mpmath.diff wants the order as a number, not (n,)
                n = orders[0] if isinstance(orders, tuple) else orders
                return mpmath.diff(fm, args[0], n, **kwargs)
            return mpmath.diff(fm, args, orders, **kwargs)

    lo = run(dps)
    hi_dps = dps + max(10, dps // 2)
    hi = run(hi_dps)
    with mpmath.workdps(hi_dps):
        value = +hi
        err = abs(hi - lo) + abs(hi) * mpmath.mpf(10) ** (-hi_dps)
    with mpmath.workdps(dps):
        # floor: dps digits of f itself (both runs can agree on a derivative that is all
        # round-off: x**2 + 1 at x = 6e-279 gave 0 with error 0 for 2x = 1.3e-278)
        size = abs(fm(*[mpmath.mpf(p) for p in points]))
        err = err + size * mpmath.mpf(10) ** (1 - dps)
    return value, float(err)


def _mp_function(f: Any, vector: bool,
                 component: tuple | str | None = None) -> tuple[Callable, list]:
    """mpmath-ready ``f`` that counts calls and turns failures into clear errors."""
    import mpmath

    fm = as_mp_function(f, vector=vector)
    counter = [0]

    def g(*args: Any) -> Any:
        counter[0] += 1
        try:
            out = fm(list(args)) if vector else fm(args[0])
        except DOMAIN_ERRORS as exc:
            if isinstance(exc, CalcmlError):
                raise
            raise NonFiniteError(f"f failed at {[str(a) for a in args]} "
                                 f"({type(exc).__name__}: {exc}): f must be defined there; "
                                 "check the domain of f") from exc
        except (TypeError, AttributeError) as exc:
            raise InvalidInputError(
                "method='mp' calls f with mpmath numbers: write f with mpmath functions "
                "(mpmath.sin, mpmath.exp, ...) and arithmetic, or pass an expression string "
                f"such as 'sin(x)**2' ({type(exc).__name__}: {exc})") from exc
        if component == "shape":  # the whole output, only to learn its shape
            return out
        if component is not None:
            out = np.asarray(out, dtype=object)[component]
        if isinstance(out, mpmath.mpc) and out.imag != 0:
            raise NonFiniteError(f"f is complex ({out}) at {args}: outside its real domain")
        if not isinstance(out, (mpmath.mpf, mpmath.mpc, int, float)):
            raise InvalidInputError(f"method='mp' needs f to return one mpmath number, got {out!r}")
        if not mpmath.isfinite(out):
            raise NonFiniteError(f"f returned {out} at {args}: f must be finite there")
        return out

    return g, counter


def _mp_check_point(g: Callable, points: list, dps: int) -> None:
    import mpmath

    with mpmath.workdps(dps):
        g(*[mpmath.mpf(p) for p in points])


# --------------------------------------------------------------------- public API
def _common_iv(method: Any, order: Any, h: Any, dps: Any) -> tuple[str, int, Any, int]:
    method = check_method(method, METHODS)
    order = check_order(order, MAX_ORDER)
    h = check_step(h)
    dps = 30 if dps is None else check_positive_int(dps, "dps", 10_000)
    if method == "mp" and h is not None and h.ndim > 0:
        raise InvalidInputError("method='mp' takes one scalar h")
    return method, order, h, dps


def _default_rtol(order: int, scipy: bool = False) -> float:
    """Tolerance of the adaptive method: what it reaches for smooth f.

    SciPy's order-8 stencils reach 1e-12 on first derivatives; calcml's tableau (whose
    error estimate carries a round-off bound) 1e-11.
    """
    if scipy:
        return 1e-12
    return {1: 1e-11, 2: 1e-8, 3: 1e-7, 4: 1e-6}.get(order, 1e-5)


def _run(prob: Problem, method: str, order: int, h: Any, rtol: float | None, atol: float,
         maxiter: int) -> dict:
    if method in _FIXED:
        return _fixed(prob, order, method, h)
    if method == "complex-step":
        return _complex_step(prob, order, h)
    if order == 1 and prob.kind == "pointwise":
        rtol = _default_rtol(1, scipy=True) if rtol is None else rtol
        return _shrinking(lambda h0: _richardson_scipy(prob, h0, rtol, atol, maxiter), h)
    rtol = _default_rtol(order) if rtol is None else rtol
    return _shrinking(lambda h0: _richardson(prob, order, h0, rtol, atol, maxiter), h)


def _shrinking(run: Callable[[Any], dict], h: Any, tries: int = 8) -> dict:
    """Run an adaptive method; if its default first step leaves the domain of f (a
    non-finite value away from the point), retry with the step divided by 8."""
    if h is not None:
        return run(h)
    h0 = 0.25
    for attempt in range(tries):
        try:
            return run(h0)
        except NonFiniteError as exc:
            if getattr(exc, "at_base", True) or attempt == tries - 1:
                raise
            h0 /= 8
    raise AssertionError("unreachable")  # pragma: no cover


def _shape_value(a: np.ndarray, shape: tuple) -> Any:
    a = np.asarray(a).reshape(shape)
    return a[()] if a.ndim == 0 else a


def derivative(f: Callable | str, x: Any, order: int = 1, method: str = "richardson",
               h: Any = None, dps: int | None = None, *, rtol: float | None = None,
               atol: float = 0.0, maxiter: int = 10) -> Estimate:
    """The ``order``-th derivative of a scalar function at ``x``, with an error estimate.

    Parameters
    ----------
    f : callable or str
        ``f(x) -> number``, elementwise over arrays (a non-vectorized ``f`` is called
        point by point). A string such as ``"x**3 - 2*x**2 + 1"`` is parsed safely by
        :func:`calcml.sym.parse`. For ``method="mp"`` a callable receives mpmath numbers.
    x : float or array_like
        Point(s); the result has the shape of ``x``.
    order : int, default: 1
        Derivative order, 1 to 6 (complex-step: 1 or 2).
    method : str, default: "richardson"
        ``"richardson"``, ``"central"``, ``"forward"``, ``"backward"``, ``"complex-step"``
        or ``"mp"``; see :mod:`calcml.num.differentiate`.
    h : float or array_like, optional
        Step. Fixed-step methods: the step (default ``eps**(1/(order+p)) * max(1, |x|)``);
        richardson: the initial (largest) step, default 0.25 (divided by 8, up to 7 times,
        while the stencil leaves the domain of f); complex-step: default
        ``1e-20`` (order 1); mp: passed to :func:`mpmath.diff`.
    dps : int, optional
        Decimal digits for ``method="mp"`` (default 30).
    rtol, atol : float
        Tolerance of ``richardson``: it stops once ``error <= atol + rtol * |value|``.
        Default ``rtol``: 1e-12 (order 1 through SciPy), 1e-11 (order 1 in gradients and
        Jacobians), 1e-8, 1e-7, 1e-6 (orders 2, 3, 4), 1e-5 above.
    maxiter : int, default: 10
        Most step halvings for ``richardson``.

    Returns
    -------
    Estimate
        ``value``, ``error``, ``nfev``, ``method``, ``status`` (0 success, -1 round-off
        stop, -2 iteration limit; see :mod:`calcml.num.estimate`), ``success``, ``df``.

    Raises
    ------
    NonFiniteError
        ``f`` is NaN or infinite at ``x`` or in the stencil.
    InvalidInputError
        Non-finite ``x``, ``h <= 0``, an unknown method or order.
    InvalidFunctionError
        ``f`` is not callable nor an expression.

    Examples
    --------
    The derivative of ``sin`` at 1 three ways, with error estimate and true error:

    >>> import numpy as np
    >>> from calcml.num import derivative
    >>> est = derivative(np.sin, 1.0)
    >>> print(f"{est.value:.12f}, estimated error below 1e-13: {est.error < 1e-13}")
    0.540302305868, estimated error below 1e-13: True
    >>> bool(abs(est.value - np.cos(1.0)) <= est.error)
    True
    >>> fwd = derivative(np.sin, 1.0, method="forward")  # h = sqrt(eps): ~8 digits
    >>> bool(abs(fwd.value - np.cos(1.0)) <= fwd.error < 1e-6)
    True
    >>> float(derivative(np.exp, 0.0, method="complex-step").value)
    1.0
    >>> derivative(lambda x: x**3 - 2*x**2 + 1, [0.0, 1.0, 2.0], order=2).value  # 6x - 4
    array([-4.,  2.,  8.])
    >>> derivative("x^3 - 2x^2 + 1", [0.0, 1.0, 2.0]).value  # a string: 3x^2 - 4x
    array([0., -1.,  4.])
    >>> print(derivative("sigmoid(x)", 0.0, method="mp", dps=30).value)  # 1/4, 30 digits
    0.25
    """
    method, order, h, dps = _common_iv(method, order, h, dps)
    maxiter = check_positive_int(maxiter, "maxiter", 100)
    xa = check_points(x)
    if method == "mp":
        return _derivative_mp(f, xa, order, dps, h)
    h = step_for(h, xa.shape)
    fn = as_function(f)
    prob = pointwise(fn, xa)
    res = _run(prob, method, order, h, rtol, atol, maxiter)
    return Estimate(value=_shape_value(res["value"], xa.shape),
                    error=_shape_value(res["error"], xa.shape),
                    nfev=_shape_value(prob.nfev, xa.shape), method=method,
                    status=_shape_value(res["status"], xa.shape), error_model=res["model"],
                    info=res["info"])


def _derivative_mp(f: Any, xa: np.ndarray, order: int, dps: int, h: Any) -> Estimate:
    g, counter = _mp_function(f, vector=False)
    values, errors, nfev = [], [], []
    for xi in xa.ravel():
        start = counter[0]
        _mp_check_point(g, [float(xi)], dps)
        v, e = _mp_diff(g, [float(xi)], order, dps, None if h is None else float(h))
        values.append(v)
        errors.append(e)
        nfev.append(counter[0] - start)
    if xa.ndim == 0:
        value: Any = values[0]
    else:
        value = np.empty(xa.size, dtype=object)
        value[:] = values
        value = value.reshape(xa.shape)
    return Estimate(value=value, error=_shape_value(np.array(errors), xa.shape),
                    nfev=_shape_value(np.array(nfev), xa.shape), method="mp",
                    status=_shape_value(np.zeros(xa.size, dtype=int), xa.shape),
                    error_model=f"difference between mpmath.diff at {dps} digits and at "
                                f"{dps + max(10, dps // 2)} digits + 10**(1-dps) |f(x)|",
                    info={"dps": dps})


def _vector_point(x: Any) -> np.ndarray:
    xa = check_points(x)  # a 0-d x stays 0-d: f gets a number, results have x's shape
    if xa.size == 0:
        raise InvalidInputError("x is empty: give at least one coordinate")
    return xa


def _mp_partials(f: Any, xa: np.ndarray, orders_list: list[tuple], dps: int,
                 component: tuple | None = None) -> tuple[list, list, int]:
    g, counter = _mp_function(f, vector=True, component=component)
    pts = [float(v) for v in xa.ravel()]
    _mp_check_point(g, pts, dps)
    vals, errs = [], []
    for orders in orders_list:
        v, e = _mp_diff(g, pts, orders, dps, None)
        vals.append(v)
        errs.append(e)
    return vals, errs, counter[0]


def _object_array(values: list, shape: tuple) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    out[:] = values
    return out.reshape(shape)


def gradient(f: Callable | str, x: Any, method: str = "richardson", h: Any = None,
             dps: int | None = None, *, rtol: float | None = None, atol: float = 0.0,
             maxiter: int = 10) -> Estimate:
    """Numeric gradient of a scalar function of a vector, with per-entry errors.

    Parameters
    ----------
    f : callable or str
        ``f(x) -> number`` for ``x`` shaped like the given point; a string expression
        takes its variables sorted by name (``"x**2 + y**3"`` -> ``f([x, y])``).
    x : array_like
        The point.
    method, h, dps, rtol, atol, maxiter
        As in :func:`derivative` (each partial derivative is a one-dimensional
        derivative of ``t -> f(x + t e_i)``).

    Returns
    -------
    Estimate
        ``value`` and ``error`` shaped like ``x``; ``nfev`` is the total number of
        calls of ``f``.

    Examples
    --------
    The seed's gradient of ``x**2 + y**3`` at (2, 3) is (4, 27):

    >>> from calcml.num import gradient
    >>> est = gradient(lambda v: v[0] ** 2 + v[1] ** 3, [2.0, 3.0])
    >>> est.value
    array([ 4., 27.])
    >>> bool(est.error.max() < 1e-8)
    True
    """
    return _jacobian_like(f, x, method, h, dps, rtol, atol, maxiter, scalar=True)


def jacobian(f: Callable | str, x: Any, method: str = "richardson", h: Any = None,
             dps: int | None = None, *, rtol: float | None = None, atol: float = 0.0,
             maxiter: int = 10) -> Estimate:
    """Numeric Jacobian ``J[..., j] = d f(x)[...] / d x[j]`` with per-entry errors.

    Parameters
    ----------
    f : callable or str
        ``f(x) -> array`` (any fixed shape); a string ``"2*x*y, x**2*y"`` gives the
        vector of its components, variables sorted by name.
    x : array_like
        The point.
    method, h, dps, rtol, atol, maxiter
        As in :func:`derivative`.

    Returns
    -------
    Estimate
        ``value`` of shape ``f(x).shape + x.shape`` (the convention of
        :func:`calcml.jacobian`), ``error`` alike, total ``nfev``.

    Examples
    --------
    The seed's Jacobian of ``(2xy, x**2 y)`` is ``[[2y, 2x], [2xy, x**2]]``:

    >>> import numpy as np
    >>> from calcml.num import jacobian
    >>> est = jacobian(lambda v: np.array([2 * v[0] * v[1], v[0] ** 2 * v[1]]), [1.0, 2.0])
    >>> np.round(est.value, 10)
    array([[4., 2.],
           [4., 1.]])
    """
    return _jacobian_like(f, x, method, h, dps, rtol, atol, maxiter, scalar=False)


def _jacobian_like(f: Any, x: Any, method: str, h: Any, dps: Any, rtol: Any, atol: float,
                   maxiter: int, scalar: bool) -> Estimate:
    method, order, h, dps = _common_iv(method, 1, h, dps)
    maxiter = check_positive_int(maxiter, "maxiter", 100)
    xa = _vector_point(x)
    if method == "mp":
        return _jacobian_mp(f, xa, dps, scalar)
    h = step_for(h, xa.shape)
    fn = as_function(f, vector=True)
    prob = directional(fn, xa, np.eye(xa.size))
    if scalar and prob.out_shape != ():
        raise InvalidInputError(
            f"gradient needs f to return a single number, got shape {prob.out_shape}; "
            "use calcml.num.jacobian for vector-valued f")
    res = _run(prob, method, 1, h, rtol, atol, maxiter)
    out_nd = len(prob.out_shape)

    def arrange(a: np.ndarray) -> np.ndarray:
        a = np.asarray(a).reshape(xa.shape + prob.out_shape)
        return np.moveaxis(a, tuple(range(xa.ndim)), tuple(range(out_nd, out_nd + xa.ndim)))

    return Estimate(value=arrange(res["value"]), error=arrange(res["error"]),
                    nfev=prob.total_calls, method=method, status=arrange(res["status"]),
                    error_model=res["model"], info=res["info"])


def _jacobian_mp(f: Any, xa: np.ndarray, dps: int, scalar: bool) -> Estimate:
    n = xa.size
    units = [tuple(int(i == j) for i in range(n)) for j in range(n)]
    if scalar:
        vals, errs, calls = _mp_partials(f, xa, units, dps)
        shape = xa.shape
    else:
        g, _ = _mp_function(f, vector=True, component="shape")
        out_shape = np.shape(np.asarray(g(*[float(v) for v in xa.ravel()]), dtype=object))
        vals, errs, calls = [], [], 1
        for comp in np.ndindex(out_shape):
            v, e, c = _mp_partials(f, xa, units, dps, component=comp)
            vals += v
            errs += e
            calls += c
        shape = out_shape + xa.shape
    return Estimate(value=_object_array(vals, shape), error=np.array(errs).reshape(shape),
                    nfev=calls, method="mp", status=np.zeros(shape, dtype=int),
                    error_model="difference between two mpmath.diff precisions",
                    info={"dps": dps})


def hessian(f: Callable | str, x: Any, method: str = "richardson", h: Any = None,
            dps: int | None = None, *, rtol: float | None = None, atol: float = 0.0,
            maxiter: int = 10) -> Estimate:
    """Numeric Hessian of a scalar function of a vector, with per-entry errors.

    Diagonal entries are second derivatives along ``e_i``; the mixed ones come from
    second derivatives along ``e_i + e_j`` and ``e_i - e_j``:
    ``H_ij = (D2(e_i + e_j) - D2(e_i - e_j)) / 4`` (polarization), so every entry is
    a one-dimensional second derivative with its own error estimate.

    Parameters
    ----------
    f : callable or str
        ``f(x) -> number``.
    x : array_like
        The point, a vector.
    method, h, dps, rtol, atol, maxiter
        As in :func:`derivative` (``order=2`` along each direction).

    Returns
    -------
    Estimate
        ``value`` and ``error`` of shape ``(n, n)``, total ``nfev``.

    Examples
    --------
    The seed's quadratic ``1/2 x'Ax - b'x`` with ``A = [[4, 2], [2, 2]]`` has Hessian ``A``:

    >>> import numpy as np
    >>> from calcml.num import hessian
    >>> A = np.array([[4.0, 2.0], [2.0, 2.0]])
    >>> est = hessian(lambda v: 0.5 * v @ A @ v - v @ np.array([1.0, 2.0]), [0.3, -0.7])
    >>> np.round(est.value, 8)
    array([[4., 2.],
           [2., 2.]])
    """
    method, order, h, dps = _common_iv(method, 2, h, dps)
    maxiter = check_positive_int(maxiter, "maxiter", 100)
    xa = _vector_point(x)
    if h is not None and h.ndim > 0:
        raise InvalidInputError("hessian takes one scalar step h (its directions e_i + e_j "
                                "mix coordinates)")
    n = xa.size
    pairs = [(i, j) for i in range(n) for j in range(i + 1, n)]
    if method == "mp":
        orders = [tuple(2 * (k == i) for k in range(n)) for i in range(n)]
        orders += [tuple(int(k in (i, j)) for k in range(n)) for i, j in pairs]
        vals, errs, calls = _mp_partials(f, xa.ravel(), orders, dps)
        value = np.empty((n, n), dtype=object)
        error = np.zeros((n, n))
        for i in range(n):
            value[i, i], error[i, i] = vals[i], errs[i]
        for k, (i, j) in enumerate(pairs):
            value[i, j] = value[j, i] = vals[n + k]
            error[i, j] = error[j, i] = errs[n + k]
        return Estimate(value=value.reshape(xa.shape * 2), error=error.reshape(xa.shape * 2),
                        nfev=calls, method="mp", status=np.zeros(xa.shape * 2, dtype=int),
                        error_model="difference between two mpmath.diff precisions",
                        info={"dps": dps})
    fn = as_function(f, vector=True)
    eye = np.eye(n)
    dirs = [eye[i] for i in range(n)]
    for i, j in pairs:
        dirs += [eye[i] + eye[j], eye[i] - eye[j]]
    prob = directional(fn, xa, np.array(dirs))
    if prob.out_shape != ():
        raise InvalidInputError(f"hessian needs f to return a single number, got shape "
                                f"{prob.out_shape}")
    res = _run(prob, method, 2, h, rtol, atol, maxiter)
    v, e, s = res["value"], res["error"], res["status"]
    value, error = np.diag(v[:n]).astype(float), np.diag(e[:n]).astype(float)
    status = np.diag(s[:n]).astype(int)
    for k, (i, j) in enumerate(pairs):
        p, m = n + 2 * k, n + 2 * k + 1
        value[i, j] = value[j, i] = (v[p] - v[m]) / 4
        error[i, j] = error[j, i] = (e[p] + e[m]) / 4
        status[i, j] = status[j, i] = min(s[p], s[m])
    return Estimate(value=value.reshape(xa.shape * 2), error=error.reshape(xa.shape * 2),
                    nfev=prob.total_calls, method=method, status=status.reshape(xa.shape * 2),
                    error_model=res["model"], info=res["info"])
