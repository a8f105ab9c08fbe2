"""First-order methods for :func:`calcml.optimize.minimize`: gd, momentum, nesterov, adam.

Stopping rule: ``max|g| <= tol`` (with bounds, the projected gradient
``max|x - P(x - g)| <= tol``). Fixed-step methods stop with ``success=False`` when the
objective or gradient becomes NaN/inf (the step is too large) or when ``maxiter`` is
reached.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.optimize._problem import Problem
from calcml.optimize._run import (CONVERGED, MAXITER, NO_PROGRESS, NONFINITE, Run, inf_norm,
                                  nonfinite_message)
from calcml.optimize.linesearch import armijo, wolfe
from calcml.optimize.steppers import adam, sgd

DEFAULT_LR = {"gd": None, "momentum": 1e-2, "nesterov": 1e-2, "adam": 1e-3}


def _stationarity(x, g, bounds):
    if bounds is None:
        return inf_norm(g)
    lo, hi = bounds
    return inf_norm(x - np.clip(x - g, lo, hi))


def first_order(prob: Problem, method: str, *, lr: float | None, tol: float, maxiter: int,
                line_search: str | None, bounds: tuple | None, callback: Callable | None,
                options: dict[str, Any]) -> Any:
    x = np.clip(prob.flat.x0, *bounds) if bounds is not None else prob.flat.x0.copy()
    f, g = prob.fun_grad(x)
    run = Run(prob, method, callback, x, f)
    project = (lambda z: np.clip(z, *bounds)) if bounds is not None else None
    if lr is None:
        lr = DEFAULT_LR[method]
    use_ls = method == "gd" and lr is None
    if method == "gd" and not use_ls:
        stepper = sgd(lr)
    elif method == "gd":
        stepper = None
    elif method == "momentum":
        stepper = sgd(lr, momentum=options.get("momentum", 0.9))
    elif method == "nesterov":
        stepper = sgd(lr, momentum=options.get("momentum", 0.9), nesterov=True)
    else:
        stepper = adam(lr, **{k: options[k] for k in ("b1", "b2", "eps") if k in options})
    state = stepper.init(x) if stepper is not None else None
    alpha = float(options.get("alpha0", 1.0))
    hint = (f"the step lr={lr} is too large for this function: lower lr, or use "
            "method='gd' without lr (Armijo line search)" if not use_ls else
            "the objective is not finite near the iterates")
    label = f"{method}" + (f"(lr={lr})" if not use_ls else f" with {line_search} line search")
    for k in range(maxiter + 1):
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return run.result(x, f, g, NONFINITE, nonfinite_message(label, f, g, k, hint))
        if _stationarity(x, g, bounds) <= tol:
            return run.result(x, f, g, CONVERGED,
                              f"converged: max|gradient| <= tol={tol:g} after {k} iterations")
        if k == maxiter:
            break
        if use_ls:
            if line_search == "wolfe" and project is None:
                ls = wolfe(prob.fun_grad, x, -g, f, g, alpha0=min(2 * alpha, 1e10))
            else:
                # c1 = 0.3 (Boyd & Vandenberghe's backtracking): steps at most ~1.4x the
                # exact line minimizer on a quadratic, so no zig-zag at 2/L
                ls = armijo(prob.fun_grad, x, -g, f, g, alpha0=min(2 * alpha, 1e10),
                            c1=0.3, project=project)
            if ls is None:
                return run.result(x, f, g, NO_PROGRESS,
                                  f"gd: {line_search} line search found no decrease along "
                                  "-gradient "
                                  f"(precision loss); max|gradient|={inf_norm(g):.3g} > "
                                  f"tol={tol:g}")
            alpha, x, f, g = ls.alpha, ls.x, ls.f, ls.g
        else:
            x, state = stepper.update(x, g, state)
            if project is not None:
                x = project(x)
            f, g = prob.fun_grad(x)
        if run.step(x, f):
            return run.result(x, f, g, NO_PROGRESS, "stopped by callback")
    msg = (f"{label}: not converged in maxiter={maxiter} iterations "
           f"(max|gradient|={_stationarity(x, g, bounds):.3g} > tol={tol:g})")
    if run.losses[-1] > run.losses[0]:
        msg += "; the objective increased: the iteration diverges, lower lr"
    return run.result(x, f, g, MAXITER, msg)
