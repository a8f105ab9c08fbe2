"""Forward sensitivities of any ODE ``dy/dt = rhs(t, y, p)`` written in plain NumPy.

The Jacobians ``J = d rhs/dy`` and ``d rhs/dp`` come from calcml's automatic
differentiation (:func:`calcml.ad.jacobian`), so ``rhs`` needs no hand-written
derivatives; :func:`check_jacobian` checks a hand-written Jacobian against them and
against finite differences.

>>> import numpy as np
>>> from calcml.sensitivity import ode_sensitivities
>>> decay = lambda t, y, p: -p[0] * y
>>> S = ode_sensitivities(decay, [1.0], [2.0], [0.0, 1.0])
>>> round(float(S[-1, 0, 0]), 7), round(float(-np.exp(-2.0)), 7)   # d/dk e^{-kt} = -t e^{-kt}
(-0.1353353, -0.1353353)
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.ad import jacobian, numeric_jacobian
from calcml.ad.check import GradientCheck, _compare
from calcml.errors import CalcmlError, DimensionError, GradientCheckError
from calcml.sensitivity.network import coerce_values
from calcml.sensitivity.trajectory import integrate_sensitivities, time_grid

__all__ = ["ode_sensitivities", "check_jacobian"]


def _as_vector(values: Any, where: str, what: str) -> tuple:
    """A dict (names kept) or a 1-D array of floats -> (array, names or None)."""
    if isinstance(values, dict):
        names = tuple(values)
        return coerce_values(values, names, what, where, nonnegative=False), names
    try:
        arr = np.atleast_1d(np.asarray(values, dtype=float))
    except (TypeError, ValueError):
        raise CalcmlError(f"{where}: {what} must be an array of real numbers (or a dict for "
                          "params)") from None
    if arr.ndim != 1:
        raise DimensionError(f"{where}: {what} must be a 1-D array (or a dict for params), "
                             f"got shape {arr.shape}")
    return coerce_values(arr, tuple(f"{what}[{i}]" for i in range(arr.size)), what, where,
                         nonnegative=False), None


def _named(p: Any, names: tuple | None) -> Any:
    """A flat parameter vector as the user gave it: the array, or a dict by ``names``."""
    return p if names is None else {name: p[i] for i, name in enumerate(names)}


def ode_sensitivities(rhs: Callable, y0: Any, params: Any, t: Any, normalized: bool = False, *,
                      method: str = "LSODA", rtol: float = 1e-8, atol: Any = 1e-10,
                      jac: str | None = "ad", return_trajectory: bool = False,
                      **options: Any) -> Any:
    """Forward sensitivities ``dy_i(t)/dp_j`` of ``dy/dt = rhs(t, y, p)``.

    Integrates the states and S = dy/dp together: dS/dt = J S + df/dp, S(t0) = 0, with
    ``J = d rhs/dy`` and ``df/dp`` from automatic differentiation of ``rhs``.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, p) -> dy/dt`` of shape (n,), written with NumPy functions (calcml
        traces it; do not convert ``y`` or ``p`` with ``float()`` or ``np.array()``).
    y0 : array_like, shape (n,)
        Initial state (independent of ``p``).
    params : array_like, shape (m,), or dict
        Parameter values; a dict is passed to ``rhs`` as a dict and the result's last axis
        follows its key order.
    t : float or array_like
        A final time (start at 0) or strictly increasing output times (the first is the
        initial time).
    normalized : bool, default: False
        Return ``(p_j / y_i) dy_i/dp_j`` instead; NaN where ``y_i == 0``.
    method : str, default: "LSODA"
        A ``solve_ivp`` method.
    rtol, atol : float, default: 1e-8, 1e-10
    jac : {"ad", "block", None}, default: "ad"
        Jacobian of the augmented system for the implicit methods: "ad" exact (nested
        automatic differentiation, second derivatives of ``rhs`` included), "block" the
        cheaper approximation ``diag(J, J, ..., J)`` without the coupling of S to y,
        None to let the solver difference.
    return_trajectory : bool, default: False
        Also return the states, as ``(Trajectory, S)``.
    **options
        Passed to ``solve_ivp``.

    Returns
    -------
    ndarray, shape (n_t, n, m)
        ``S[time, state, parameter]``; or ``(Trajectory, S)``.

    Raises
    ------
    DimensionError
        When ``rhs`` does not return an array shaped like ``y0``.
    ConvergenceError
        When the solver fails.

    Examples
    --------
    Logistic growth y' = r y (1 - y / K); dy/dK at long times tends to 1:

    >>> import numpy as np
    >>> logistic = lambda t, y, p: p["r"] * y * (1 - y / p["K"])
    >>> S = ode_sensitivities(logistic, [0.1], {"r": 1.0, "K": 2.0}, [0.0, 30.0])
    >>> S[-1].round(6)
    array([[0., 1.]])
    """
    if not callable(rhs):
        raise CalcmlError(f"ode_sensitivities: rhs must be callable rhs(t, y, p), got "
                          f"{type(rhs).__name__}")
    if jac not in ("ad", "block", None):
        raise CalcmlError(f"ode_sensitivities: jac must be 'ad', 'block' or None, got {jac!r}")
    y0v, _ = _as_vector(y0, "ode_sensitivities", "y0")
    pv, names = _as_vector(params, "ode_sensitivities", "params")

    def f(t_, y, p):
        return rhs(t_, y, _named(p, names))

    n, m = y0v.size, pv.size
    t0 = time_grid(t, "ode_sensitivities")[0][0]
    out0 = np.asarray(f(t0, y0v, pv), dtype=float)
    if out0.shape != (n,):
        raise DimensionError(f"ode_sensitivities: rhs(t, y0, p) returned shape {out0.shape}; "
                             f"it must return dy/dt of shape ({n},), like y0")

    def aug(t_, z, mode="auto"):
        y, S = z[:n], np.reshape(z[n:], (n, m))
        J, Fp = jacobian(lambda y, p: f(t_, y, p), argnums=(0, 1), mode=mode)(y, pv)
        return np.concatenate([f(t_, y, pv), np.ravel(J @ S + Fp)])

    if jac == "ad":
        # inner forward mode: calcml.ad's reverse mode nested under another derivative
        # fails on repeated indexing of y (NonDifferentiableError in cotangent accumulation)
        jac_aug = jacobian(lambda z, t_: aug(t_, z, mode="fwd"))

        def jac_fn(t_, z):
            return jac_aug(z, t_)
    elif jac == "block":
        def jac_fn(t_, z):
            J = jacobian(lambda y: f(t_, y, pv))(z[:n])
            out = np.zeros((n * (1 + m), n * (1 + m)))
            out[:n, :n] = J
            out[n:, n:] = np.kron(J, np.eye(m))
            return out
    else:
        jac_fn = None
    return integrate_sensitivities(aug, jac_fn, y0v, pv, t, tuple(f"y{i}" for i in range(n)),
                                   normalized, return_trajectory, method, rtol, atol, options,
                                   "ode_sensitivities")


def check_jacobian(rhs: Callable, claimed: Any, y: Any, params: Any, t: float = 0.0,
                   rtol: float = 1e-6, atol: float = 1e-8) -> GradientCheck:
    """Check a claimed Jacobian ``d rhs/dy`` against AD and finite differences.

    The reference is the AD Jacobian of ``rhs(t, y, params)``, itself checked against a
    Richardson-extrapolated central difference; an entry fails when
    ``|claimed - reference| > atol + rtol * |reference|``.

    Parameters
    ----------
    rhs : callable
        ``rhs(t, y, p)`` in plain NumPy.
    claimed : array_like, shape (n, n)
        The Jacobian to check, ``claimed[i, j] = d(dy_i/dt)/dy_j``.
    y, params : array_like
        Where to check (use values without symmetry, not all ones).
    t : float, default: 0.0
    rtol, atol : float, default: 1e-6, 1e-8

    Returns
    -------
    GradientCheck
        The compared entries (``str()`` shows the table).

    Raises
    ------
    GradientCheckError
        On a mismatch; the message lists the worst entries and says whether the claimed
        matrix is the transpose or the negative of the right one.

    Examples
    --------
    >>> import numpy as np
    >>> rhs = lambda t, y, k: np.stack([-k[0] * y[0], k[0] * y[0] - k[1] * y[1]])
    >>> y, k = np.array([1.0, 0.5]), np.array([2.0, 3.0])
    >>> check_jacobian(rhs, [[-2.0, 0.0], [2.0, -3.0]], y, k).passed
    True
    >>> check_jacobian(rhs, [[-2.0, 2.0], [0.0, -3.0]], y, k)
    Traceback (most recent call last):
    ...
    calcml.errors.GradientCheckError: Jacobian check FAILED (the claimed matrix is the transpose...
    """
    yv, _ = _as_vector(y, "check_jacobian", "y")
    try:
        pv = np.asarray(params, dtype=float)
        claimed = np.asarray(claimed, dtype=float)
    except (TypeError, ValueError):
        raise CalcmlError("check_jacobian: claimed and params must be arrays of real "
                          "numbers") from None
    n = yv.size
    if claimed.shape != (n, n):
        raise DimensionError(f"check_jacobian: the claimed Jacobian has shape {claimed.shape}, "
                             f"expected ({n}, {n}) for {n} states")
    ad = np.asarray(jacobian(lambda v: rhs(t, v, pv))(yv), dtype=float).reshape(n, n)
    num = numeric_jacobian(lambda v: np.asarray(rhs(t, v, pv), dtype=float), yv)
    result = GradientCheck()
    _compare(result, "ad", 0, ad, num, rtol, atol)
    if not result.passed:
        raise GradientCheckError(f"check_jacobian: AD and finite differences disagree on rhs "
                                 f"itself (is it smooth at y?)\n{result}")
    _compare(result, "claimed", 0, claimed, num, rtol, atol)
    result.rows.sort(key=lambda row: -row[-1])
    if not result.passed:
        close = lambda a: np.allclose(a, num, rtol=rtol, atol=atol)  # noqa: E731
        hint = ("the transpose of the Jacobian" if close(claimed.T) else
                "the negative of the Jacobian" if close(-claimed) else
                "the negative transpose of the Jacobian" if close(-claimed.T) else "")
        msg = str(result).replace("gradient check FAILED", "Jacobian check FAILED" +
                                  (f" (the claimed matrix is {hint})" if hint else ""))
        raise GradientCheckError(msg + "\nexpected claimed[i, j] = d(dy_i/dt)/dy_j")
    return result
