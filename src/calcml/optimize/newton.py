"""Damped Newton's method with a Hessian modification.

Each step solves ``(H + tau I) d = -g`` where ``tau = 0`` when the Hessian is positive
definite (its Cholesky factorization succeeds) and otherwise the eigenvalue shift
``tau = -lambda_min + 1e-3 max(1, |lambda_min|)`` (Nocedal & Wright, section 3.4), so
``d`` is always a descent direction -- Newton never steps uphill on an indefinite
Hessian. The step length comes from Armijo backtracking starting at 1 (the pure Newton step).

Stopping rule: ``max|g| <= tol``; when the last step needed a modification (or none was
taken) the Hessian is checked, and a stationary point whose Hessian has a negative
eigenvalue is reported as a saddle with ``success=False``.
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
