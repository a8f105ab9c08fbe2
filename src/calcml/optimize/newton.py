"""Damped Newton's method with a Hessian modification.

Each step solves ``(H + tau I) d = -g`` where ``tau = 0`` when the Hessian is positive
definite (its Cholesky factorization succeeds) and otherwise the eigenvalue shift
``tau = -lambda_min + 1e-3 max(1, |lambda_min|)`` (Nocedal & Wright, section 3.4), so
``d`` is always a descent direction -- Newton never steps uphill on an indefinite
Hessian. The step length comes from Armijo backtracking starting at 1 (the pure Newton step).

Stopping rule: ``max|g| <= tol``; when the last step needed a modification (or none was
taken) the Hessian is checked, and a stationary point whose Hessian has a negative
eigenvalue is reported as a saddle with ``success=False``.

:func:`newton_trust` (``options={"trust_region": True}``) instead solves the trust-region
subproblem exactly by an eigendecomposition (Nocedal & Wright 4.3, hard case included):
one objective-and-gradient evaluation per iteration; radius 1 at the start, x0.25 when
the model is poor (ratio < 1/4), x2 up to 1000 when good (> 3/4) on the boundary; steps
accepted when the ratio exceeds 0.15 (SciPy's trust-exact rules).
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.linalg import cho_factor, cho_solve

from calcml.optimize._problem import Problem
from calcml.optimize._run import (CONVERGED, MAXITER, NO_PROGRESS, NONFINITE, OTHER, Run,
                                  inf_norm, nonfinite_message)
from calcml.optimize.linesearch import armijo


def modified_cholesky(H: np.ndarray, delta: float = 1e-3) -> tuple[tuple, float]:
    """Cholesky factor of ``H + tau I``: ``tau = 0`` if ``H`` is positive definite, else
    the eigenvalue shift ``tau = -lambda_min + delta * max(1, |lambda_min|)``."""
    H = 0.5 * (H + H.T)
    n = H.shape[0]
    try:
        return cho_factor(H, lower=True, check_finite=False), 0.0
    except np.linalg.LinAlgError:
        pass
    lam = float(np.linalg.eigvalsh(H)[0])
    tau = max(-lam, 0.0) + delta * max(1.0, abs(lam))
    for _ in range(60):
        try:
            return cho_factor(H + tau * np.eye(n), lower=True, check_finite=False), tau
        except np.linalg.LinAlgError:
            tau *= 2.0
    raise np.linalg.LinAlgError("Hessian modification failed")


def newton(prob: Problem, *, tol: float, maxiter: int, callback: Callable | None):
    x = prob.flat.x0.copy()
    f, g = prob.fun_grad(x)
    run = Run(prob, "newton", callback, x, f)
    H, tau = None, np.inf      # tau of the last step (inf: no step yet)
    for k in range(maxiter + 1):
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return run.result(x, f, g, NONFINITE, nonfinite_message(
                "newton", f, g, k, "start closer to the minimum or check the objective"))
        if inf_norm(g) <= tol and tau == 0:     # last step had a positive definite H
            return run.result(x, f, g, CONVERGED,
                              f"converged: max|gradient| <= tol={tol:g} after {k} iterations")
        if inf_norm(g) <= tol:                  # check the curvature before claiming a minimum
            H = prob.hess(x) if H is None else H
            lam_min = float(np.linalg.eigvalsh(0.5 * (H + H.T))[0]) if H.size else 0.0
            if lam_min < -1e-8 * max(1.0, float(np.max(np.abs(H)))):
                return run.result(x, f, g, OTHER,
                                  f"newton: stationary point is a saddle or maximum (Hessian "
                                  f"eigenvalue {lam_min:.3g} < 0), not a minimum")
            return run.result(x, f, g, CONVERGED,
                              f"converged: max|gradient| <= tol={tol:g} after {k} iterations")
        if k == maxiter:
            break
        H = prob.hess(x)
        if not np.all(np.isfinite(H)):
            return run.result(x, f, g, NONFINITE,
                              f"newton: the Hessian has non-finite entries at iteration {k}")
        factor, tau = modified_cholesky(H)
        d = -cho_solve(factor, g, check_finite=False)
        ls = armijo(prob.fun_grad, x, d, f, g, alpha0=1.0)
        if ls is None:
            return run.result(x, f, g, NO_PROGRESS,
                              "newton: line search found no decrease (precision loss); "
                              f"max|gradient|={inf_norm(g):.3g} > tol={tol:g}")
        x, f, g = ls.x, ls.f, ls.g
        H = None
        if run.step(x, f):
            return run.result(x, f, g, NO_PROGRESS, "stopped by callback")
    return run.result(x, f, g, MAXITER,
                      f"newton: not converged in maxiter={maxiter} iterations "
                      f"(max|gradient|={inf_norm(g):.3g} > tol={tol:g})")


def _trust_step(H: np.ndarray, g: np.ndarray, radius: float) -> np.ndarray:
    """Exact solution of ``min g·p + p·H·p/2`` subject to ``|p| <= radius`` (by the
    eigendecomposition of ``H``; Nocedal & Wright, section 4.3, hard case included)."""
    from scipy.optimize import brentq

    lam, Q = np.linalg.eigh(0.5 * (H + H.T))
    gq = Q.T @ g
    if lam[0] > 0:
        p = -(Q @ (gq / lam))
        if np.linalg.norm(p) <= radius:
            return p

    def norm_p(mu):
        return float(np.linalg.norm(gq / (lam + mu)))

    mu_lo = max(0.0, -lam[0])
    eps = 1e-12 * max(1.0, abs(lam).max())
    start = mu_lo + eps
    if norm_p(start) <= radius:              # hard case: g has no component along q_min
        p = -(Q @ (gq / (lam + start)))
        tau = np.sqrt(max(radius ** 2 - float(p @ p), 0.0))
        return p + tau * Q[:, 0]
    mu_hi = mu_lo + np.linalg.norm(g) / radius + eps
    while norm_p(mu_hi) > radius:
        mu_hi *= 2.0
    mu = brentq(lambda m: norm_p(m) - radius, start, mu_hi, xtol=1e-14 * mu_hi, rtol=1e-12)
    return -(Q @ (gq / (lam + mu)))


def newton_trust(prob: Problem, *, tol: float, maxiter: int, callback: Callable | None,
                 radius: float = 1.0, max_radius: float = 1e3, eta: float = 0.15):
    """Newton's method with a trust region (exact subproblem): one objective-and-gradient
    evaluation per iteration, the Hessian only at accepted points."""
    x = prob.flat.x0.copy()
    f, g = prob.fun_grad(x)
    run = Run(prob, "newton", callback, x, f)
    H = None
    for k in range(maxiter + 1):
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return run.result(x, f, g, NONFINITE, nonfinite_message(
                "newton", f, g, k, "start closer to the minimum or check the objective"))
        if H is None:
            H = prob.hess(x)
            if not np.all(np.isfinite(H)):
                return run.result(x, f, g, NONFINITE,
                                  f"newton: the Hessian has non-finite entries at iteration {k}")
        if inf_norm(g) <= tol:
            lam_min = float(np.linalg.eigvalsh(0.5 * (H + H.T))[0])
            if lam_min < -1e-8 * max(1.0, float(np.max(np.abs(H)))):
                return run.result(x, f, g, OTHER,
                                  f"newton: stationary point is a saddle or maximum (Hessian "
                                  f"eigenvalue {lam_min:.3g} < 0), not a minimum")
            return run.result(x, f, g, CONVERGED,
                              f"converged: max|gradient| <= tol={tol:g} after {k} iterations")
        if k == maxiter:
            break
        p = _trust_step(H, g, radius)
        pred = -(float(g @ p) + 0.5 * float(p @ H @ p))
        x_new = x + p
        f_new, g_new = prob.fun_grad(x_new)
        rho = (f - f_new) / pred if pred > 0 and np.isfinite(f_new) else -1.0
        pn = float(np.linalg.norm(p))
        if rho < 0.25:
            radius = 0.25 * radius
        elif rho > 0.75 and pn >= (1 - 1e-8) * radius:
            radius = min(2.0 * radius, max_radius)
        if rho > eta:
            x, f, g, H = x_new, f_new, g_new, None
        elif radius < 1e-15 * max(1.0, float(np.linalg.norm(x))):
            return run.result(x, f, g, NO_PROGRESS,
                              "newton: trust region collapsed (precision loss); "
                              f"max|gradient|={inf_norm(g):.3g} > tol={tol:g}")
        if run.step(x, f):
            return run.result(x, f, g, NO_PROGRESS, "stopped by callback")
    return run.result(x, f, g, MAXITER,
                      f"newton: not converged in maxiter={maxiter} iterations "
                      f"(max|gradient|={inf_norm(g):.3g} > tol={tol:g})")
