"""The result of a simulation, and the checked call to ``scipy.integrate.solve_ivp``.

>>> import numpy as np
>>> from calcml.sensitivity import Trajectory
>>> tr = Trajectory(np.array([0.0, 1.0]), np.array([[1.0, 0.0], [0.5, 0.5]]), ("A", "B"))
>>> tr["B"]
array([0. , 0.5])
"""
from __future__ import annotations

from dataclasses import dataclass
from numbers import Integral, Real
from typing import Any, Callable

import numpy as np
from scipy.integrate import solve_ivp

from calcml.errors import CalcmlError, ConvergenceError, DimensionError

__all__ = ["Trajectory"]

#: solve_ivp methods that use a Jacobian.
IMPLICIT = ("LSODA", "Radau", "BDF")
METHODS = ("LSODA", "Radau", "BDF", "RK45", "RK23", "DOP853")
#: solve_ivp arguments that calcml sets itself (or that would break its right-hand side).
RESERVED = frozenset({"fun", "t_span", "y0", "t_eval", "jac", "args", "vectorized", "method",
                      "rtol", "atol"})  # (max_nfev is calcml's own option)


@dataclass
class Trajectory:
    """States of an ODE system at output times.

    Attributes
    ----------
    t : ndarray, shape (n_t,)
        Output times (the first is the initial time).
    y : ndarray, shape (n_t, n_species)
        States, one row per time, columns in ``species`` order.
    species : tuple of str
        Column names.
    method : str
        The ``solve_ivp`` method used.
    nfev, njev, nlu : int
        Right-hand-side evaluations, Jacobian evaluations and LU decompositions, as
        reported by ``solve_ivp``.
    """

    t: np.ndarray
    y: np.ndarray
    species: tuple
    method: str = ""
    nfev: int = 0
    njev: int = 0
    nlu: int = 0

    def __getitem__(self, name: str) -> np.ndarray:
        """The column of one species, by name."""
        try:
            return self.y[:, self.species.index(name)]
        except ValueError:
            raise CalcmlError(f"no species {name!r} in this trajectory; it has "
                              f"{', '.join(self.species)}") from None

    def as_dict(self) -> dict:
        """``{species: column}``."""
        return {s: self.y[:, i] for i, s in enumerate(self.species)}

    def plot(self, **kwargs: Any) -> Any:
        """Plot the trajectory with :func:`calcml.plot.sensitivity` (a matplotlib Figure)."""
        import calcml.plot as plot   # upper layer: imported on use only
        fn = getattr(plot, "sensitivity", None)
        if fn is None:
            raise CalcmlError("calcml.plot.sensitivity is not available in this installation")
        return fn(self, **kwargs)


class _NonFinite(Exception):
    """Raised inside the solver's callback to stop it; turned into ConvergenceError."""


class _TooManyEvaluations(Exception):
    """Raised inside the solver's callback after ``max_nfev`` evaluations."""


def time_grid(t: Any, where: str) -> tuple:
    """``t`` (a final time, or an increasing array of output times) -> (t_span, t_eval)."""
    if t is None:
        raise CalcmlError(f"{where}: give t, a final time or an array of output times")
    try:
        arr = np.asarray(t, dtype=float) if not isinstance(t, str) else None
    except (TypeError, ValueError):
        arr = None
    if arr is None or arr.ndim > 1:
        raise DimensionError(f"{where}: t must be a final time or a 1-D array of output times")
    if not np.all(np.isfinite(arr)):
        raise CalcmlError(f"{where}: t must be finite, got {t!r}")
    if arr.ndim == 0:
        if arr <= 0:
            raise CalcmlError(f"{where}: a final time t must be > 0 (the start is t = 0), "
                              f"got {float(arr)}; pass an array to start elsewhere")
        return (0.0, float(arr)), None
    if arr.size == 0:
        raise DimensionError(f"{where}: t is empty; give at least the initial time")
    if arr.size > 1 and np.any(np.diff(arr) <= 0):
        raise CalcmlError(f"{where}: output times must be strictly increasing; the first is "
                          "the initial time of y0")
    return (float(arr[0]), float(arr[-1])), arr


#: evaluations of the right-hand side before a solve is given up (``max_nfev=``); the
#: stiff Robertson problem to t = 1e5 needs about 1,100
MAX_NFEV = 100_000
#: the largest |J| (t_end - t0) the solvers are given; beyond it their step sizes and
#: norms under/overflow and solve_ivp runs for minutes (rates of 1e150 per time unit)
MAX_STIFFNESS = 1e125


def _check_time_scale(fun: Callable, jac: Callable | None, z0: np.ndarray, t_span: tuple,
                      where: str) -> None:
    """Refuse problems whose fastest time scale is absurdly shorter than the time span."""
    span = abs(t_span[1] - t_span[0])
    with np.errstate(over="ignore", invalid="ignore"):
        if jac is not None:
            scale = np.max(np.abs(np.asarray(jac(t_span[0], z0), dtype=float)), initial=0.0)
        else:
            f0 = np.abs(np.asarray(fun(t_span[0], z0), dtype=float))
            scale = np.max(f0 / np.maximum(np.abs(z0), 1.0), initial=0.0)
        stiffness = scale * span
    if not np.isfinite(stiffness) or stiffness > MAX_STIFFNESS:
        raise CalcmlError(f"{where}: the fastest rate at t0 (|dF/dy| ~ {scale:.3g} per time "
                          f"unit) over the time span {span:.3g} is beyond what an ODE solver "
                          "can step through; rescale the time unit, the rate constants or "
                          "the concentrations")


def integrate(fun: Callable, jac: Callable | None, z0: np.ndarray, t: Any, method: str,
              rtol: float, atol: Any, options: dict, where: str) -> tuple:
    """Run ``solve_ivp`` and check it; returns (times, states (n_t, n), solution object)."""
    if method not in METHODS:
        raise CalcmlError(f"{where}: unknown method {method!r}; use one of {', '.join(METHODS)}")
    if isinstance(rtol, bool) or not isinstance(rtol, Real) or not 0 < rtol < 1:
        raise CalcmlError(f"{where}: rtol must be a number in (0, 1), got {rtol!r}")
    try:
        atol_arr = np.asarray(atol, dtype=float)
    except (TypeError, ValueError):
        atol_arr = None
    if atol_arr is None or atol_arr.shape not in ((), z0.shape):
        raise DimensionError(f"{where}: atol must be a positive number or an array of "
                             f"{z0.size} of them, got {atol!r}")
    if not np.all((atol_arr > 0) & np.isfinite(atol_arr)):
        raise CalcmlError(f"{where}: atol must be positive and finite, got {atol!r}")
    reserved = sorted(RESERVED.intersection(options))
    if reserved:
        raise CalcmlError(f"{where}: {reserved[0]!r} cannot be passed through to solve_ivp; "
                          "give output times as t, and use exact_jacobian= (simulate) or "
                          "jac= (ode_sensitivities) for the Jacobian")
    t_span, t_eval = time_grid(t, where)
    if t_eval is not None and t_eval.size == 1:
        return t_eval, z0[None, :].copy(), None
    kw = dict(options)
    max_nfev = kw.pop("max_nfev", MAX_NFEV)
    if isinstance(max_nfev, bool) or not isinstance(max_nfev, Integral) or max_nfev < 1:
        raise CalcmlError(f"{where}: max_nfev must be a positive integer, got {max_nfev!r}")
    if method in IMPLICIT and jac is not None:
        kw["jac"] = jac
    _check_time_scale(fun, jac, z0, t_span, where)
    nfev = [0]

    def checked(t_, z):
        # LSODA keeps stepping on inf/NaN (and fills memory) where the solution blows up
        nfev[0] += 1
        if nfev[0] > max_nfev:
            raise _TooManyEvaluations(t_)
        out = fun(t_, z)
        if not np.all(np.isfinite(out)):
            raise _NonFinite(t_)
        return out

    try:
        with np.errstate(over="ignore", invalid="ignore"):
            sol = solve_ivp(checked, t_span, z0, method=method, t_eval=t_eval, rtol=rtol,
                            atol=atol, **kw)
    except _TooManyEvaluations as stop:
        raise ConvergenceError(f"{where}: the ODE solver ({method}) used {max_nfev} "
                               f"evaluations of dy/dt and reached only t = "
                               f"{stop.args[0]:.6g}; the problem is too stiff or its values too "
                               "large for these tolerances (rescale concentrations or rates, "
                               "or pass max_nfev= to allow more)") from None
    except _NonFinite as stop:
        raise ConvergenceError(f"{where}: the solution blows up (dy/dt is not finite) near "
                               f"t = {stop.args[0]:.6g}; check the rates and initial values, "
                               "or end the time span earlier") from None
    if not sol.success:
        other = "BDF" if method == "Radau" else "Radau"
        raise ConvergenceError(f"{where}: the ODE solver ({method}) stopped at "
                               f"t = {sol.t[-1] if sol.t.size else t_span[0]:.6g}: "
                               f"{str(sol.message).rstrip('.')}. If the solution blows up there, "
                               f"end the time span earlier; else try method='{other}' or "
                               "looser rtol/atol")
    z = sol.y.T
    if not np.all(np.isfinite(z)):
        raise ConvergenceError(f"{where}: the solution became non-finite; check the rates and "
                               "initial values")
    return sol.t, z, sol


def to_trajectory(t: np.ndarray, y: np.ndarray, species: tuple, method: str,
                  sol: Any) -> Trajectory:
    """A :class:`Trajectory` with the solver's counters (zero when nothing was solved)."""
    return Trajectory(np.asarray(t, float), y, tuple(species), method,
                      int(getattr(sol, "nfev", 0)), int(getattr(sol, "njev", 0)),
                      int(getattr(sol, "nlu", 0)))


def normalize(S: np.ndarray, y: np.ndarray, p: np.ndarray) -> np.ndarray:
    """``(p_j / y_i) S[t, i, j]``, NaN where ``y_i == 0``."""
    with np.errstate(divide="ignore", invalid="ignore"):
        out = S * p[None, None, :] / y[:, :, None]
    out[np.broadcast_to(y[:, :, None] == 0, out.shape)] = np.nan
    return out


def integrate_sensitivities(fun: Callable, jac: Callable | None, y0: np.ndarray, p: np.ndarray,
                            t: Any, species: tuple, normalized: bool, return_trajectory: bool,
                            method: str, rtol: float, atol: Any, options: dict,
                            where: str) -> Any:
    """Integrate z = [y, vec(S)] from [y0, 0]; -> S (n_t, n, m), or (Trajectory, S).

    ``fun(t, z)`` and ``jac(t, z)`` are the augmented right-hand side and its Jacobian,
    with ``S`` flattened row-major (``S[i, j]`` at ``n + i * m + j``). An ``atol`` of one
    value per state is used for that state's sensitivities too.
    """
    n, m = y0.size, p.size
    z0 = np.concatenate([y0, np.zeros(n * m)])
    if m and np.ndim(atol) == 1 and np.size(atol) == n:
        try:
            per_state = np.asarray(atol, dtype=float)
        except (TypeError, ValueError):
            per_state = None
        if per_state is not None:
            atol = np.concatenate([per_state, np.repeat(per_state, m)])
    t_out, z, sol = integrate(fun, jac, z0, t, method, rtol, atol, options, where)
    y, S = z[:, :n], z[:, n:].reshape(-1, n, m)
    if normalized:
        S = normalize(S, y, p)
    if return_trajectory:
        return to_trajectory(t_out, y, species, method, sol), S
    return S
