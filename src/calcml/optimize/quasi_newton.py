"""BFGS (dense inverse-Hessian update) and L-BFGS (two-loop recursion), with a
strong-Wolfe line search (Nocedal & Wright, Algorithms 6.1 and 7.5).

The first inverse-Hessian approximation is scaled by ``s·y / y·y`` after the first
step (Nocedal & Wright eq. 6.20). Updates with ``s·y <= 0`` are skipped. Stopping
rule: ``max|g| <= tol``. A line search that finds no acceptable step (after one restart
from steepest descent) stops with ``success=False`` ("precision loss").
"""
from __future__ import annotations

from collections import deque
from typing import Callable

import numpy as np

from calcml.optimize._problem import Problem
from calcml.optimize._run import (CONVERGED, MAXITER, NO_PROGRESS, NONFINITE, Run, inf_norm,
                                  nonfinite_message)
from calcml.optimize.linesearch import armijo, wolfe


def _search(prob, x, d, f, g, alpha0, kind):
    if kind == "armijo":
        return armijo(prob.fun_grad, x, d, f, g, alpha0=alpha0)
    return wolfe(prob.fun_grad, x, d, f, g, alpha0=alpha0)


def quasi_newton(prob: Problem, method: str, *, tol: float, maxiter: int,
                 callback: Callable | None, line_search: str = "wolfe", memory: int = 10,
                 scale_init: bool = True):
    x = prob.flat.x0.copy()
    n = x.size
    f, g = prob.fun_grad(x)
    run = Run(prob, method, callback, x, f)
    Hinv = None                       # bfgs: dense inverse Hessian (None = gamma * I)
    gamma = 1.0
    pairs: deque = deque(maxlen=memory)   # lbfgs: (s, y, rho)
    for k in range(maxiter + 1):
        if not (np.isfinite(f) and np.all(np.isfinite(g))):
            return run.result(x, f, g, NONFINITE, nonfinite_message(
                method, f, g, k, "start elsewhere or check the objective"))
        if inf_norm(g) <= tol:
            return run.result(x, f, g, CONVERGED,
                              f"converged: max|gradient| <= tol={tol:g} after {k} iterations")
        if k == maxiter:
            break
        if method == "bfgs":
            d = -(Hinv @ g) if Hinv is not None else -gamma * g
        else:
            d = _two_loop(g, pairs, gamma)
        first = Hinv is None and not pairs
        alpha0 = min(1.0, 1.0 / max(np.linalg.norm(g), 1e-300)) if first else 1.0
        ls = _search(prob, x, d, f, g, alpha0, line_search) if g @ d < 0 else None
        if ls is None and not first:      # restart from steepest descent once
            Hinv, gamma = None, 1.0
            pairs.clear()
            d = -g
            ls = _search(prob, x, d, f, g, min(1.0, 1.0 / np.linalg.norm(g)), line_search)
        if ls is None:
            return run.result(x, f, g, NO_PROGRESS,
                              f"{method}: line search found no acceptable step (precision "
                              f"loss); max|gradient|={inf_norm(g):.3g} > tol={tol:g}")
        s = ls.x - x
        y = ls.g - g
        sy = float(s @ y)
        if sy > 1e-12 * np.linalg.norm(s) * np.linalg.norm(y) and sy > 0:
            if method == "bfgs":
                if Hinv is None:
                    Hinv = (sy / float(y @ y) if scale_init else 1.0) * np.eye(n)
                rho = 1.0 / sy
                Hy = Hinv @ y
                Hinv += (rho * rho * (sy + float(y @ Hy))) * np.outer(s, s) \
                    - rho * (np.outer(Hy, s) + np.outer(s, Hy))
            else:
                pairs.append((s, y, 1.0 / sy))
                gamma = sy / float(y @ y)
        x, f, g = ls.x, ls.f, ls.g
        if run.step(x, f):
            return run.result(x, f, g, NO_PROGRESS, "stopped by callback")
    return run.result(x, f, g, MAXITER,
                      f"{method}: not converged in maxiter={maxiter} iterations "
                      f"(max|gradient|={inf_norm(g):.3g} > tol={tol:g})")


def _two_loop(g: np.ndarray, pairs: deque, gamma: float) -> np.ndarray:
    q = g.copy()
    alphas = []
    for s, y, rho in reversed(pairs):
        a = rho * float(s @ q)
        alphas.append(a)
        q -= a * y
    r = gamma * q
    for (s, y, rho), a in zip(pairs, reversed(alphas)):
        b = rho * float(y @ r)
        r += (a - b) * s
    return -r
