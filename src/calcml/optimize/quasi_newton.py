"""BFGS (dense inverse-Hessian update) and L-BFGS (two-loop recursion), with a
strong-Wolfe line search (Nocedal & Wright, Algorithms 6.1 and 7.5).

BFGS starts from ``H0 = I`` (as SciPy's BFGS does) and, by default, raises it to
``(s·y / y·y) I`` after the first step only when that is larger (``scale_init="up"``;
``True`` always scales, Nocedal & Wright eq. 6.20; ``False`` keeps ``I``). BFGS corrects
an inverse Hessian that is too large within a few line searches but one that is too
small only slowly (Byrd, Nocedal & Yuan 1987): on a quadratic with condition number 1e6
the scaled start ``~1e-6 I`` took 84 iterations, ``I`` takes about ``n``. Each BFGS line
search starts from ``min(1, 1.01 * 2 (f_k - f_{k-1}) / g·d)`` (Nocedal & Wright eq. 3.60,
SciPy's choice; ``f_{-1} = f_0 + |g_0| / 2``, a first step of length about 1), so the
too-large ``I`` costs few evaluations. L-BFGS scales by ``s·y / y·y`` at every
iteration and starts each search at 1 (the first at ``1 / |g_0|``).

Updates with ``s·y <= 0`` are skipped. Stopping rule: ``max|g| <= tol``. A line search
that finds no acceptable step (after one restart from steepest descent) stops with
``success=False`` ("precision loss").
"""
from __future__ import annotations

from typing import Callable

import numpy as np
from scipy.linalg.lapack import dtrtrs

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
                 scale_init: bool | str = "up"):
    x = prob.flat.x0.copy()
    n = x.size
    f, g = prob.fun_grad(x)
    run = Run(prob, method, callback, x, f)
    Hinv = None                       # bfgs: dense inverse Hessian (None = gamma * I)
    gamma = 1.0
    pairs = _Memory(memory, n)            # lbfgs: the last `memory` pairs (s, y)
    f_prev = f + 0.5 * float(np.linalg.norm(g))   # bfgs: eq. 3.60's "previous" value
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
            d = pairs.direction(g, gamma)
        first = Hinv is None and not pairs
        gd = float(g @ d)
        if method == "bfgs":
            alpha0 = 1.01 * 2.0 * (f - f_prev) / gd if gd < 0 else 1.0
            alpha0 = min(1.0, alpha0) if alpha0 > 0 else 1.0
        else:
            alpha0 = min(1.0, 1.0 / max(np.linalg.norm(g), 1e-300)) if first else 1.0
        ls = _search(prob, x, d, f, g, alpha0, line_search) if gd < 0 else None
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
                    scale = sy / float(y @ y)
                    if scale_init == "up":
                        scale = max(scale, 1.0)
                    Hinv = (scale if scale_init else 1.0) * np.eye(n)
                rho = 1.0 / sy
                Hy = Hinv @ y
                Hinv += (rho * rho * (sy + float(y @ Hy))) * np.outer(s, s) \
                    - rho * (np.outer(Hy, s) + np.outer(s, Hy))
            else:
                pairs.append(s, y)
                gamma = sy / float(y @ y)
        x, f_prev, f, g = ls.x, f, ls.f, ls.g
        if run.step(x, f):
            return run.result(x, f, g, NO_PROGRESS, "stopped by callback")
    return run.result(x, f, g, MAXITER,
                      f"{method}: not converged in maxiter={maxiter} iterations "
                      f"(max|gradient|={inf_norm(g):.3g} > tol={tol:g})")


class _Memory:
    """The last ``m`` pairs ``(s, y)`` of L-BFGS, oldest first, with their inner products
    ``S Y^T`` and ``Y Y^T`` kept up to date (O(m n) per new pair).

    :meth:`direction` applies the inverse-Hessian approximation in the compact form of
    Byrd, Nocedal & Schnabel (1994), the form L-BFGS-B uses:
    ``H g = gamma g + S^T a - gamma Y^T t`` with ``R t = S g``, ``R^T a = (D + gamma Y Y^T) t
    - gamma Y g`` (``R`` = upper triangle of ``S Y^T``, ``D`` its diagonal). It equals the
    two-loop recursion, in a dozen NumPy calls instead of four per pair.
    """

    def __init__(self, m: int, n: int):
        self.m, self.k = m, 0
        self.S, self.Y = np.zeros((m, n)), np.zeros((m, n))
        self.SY, self.YY = np.zeros((m, m)), np.zeros((m, m))

    def __len__(self) -> int:
        return self.k

    def clear(self) -> None:
        self.k = 0

    def append(self, s: np.ndarray, y: np.ndarray) -> None:
        S, Y, SY, YY = self.S, self.Y, self.SY, self.YY
        if self.m == 0:
            return
        if self.k == self.m:            # drop the oldest pair
            S[:-1], Y[:-1] = S[1:], Y[1:]
            SY[:-1, :-1], YY[:-1, :-1] = SY[1:, 1:], YY[1:, 1:]
        else:
            self.k += 1
        i, k = self.k - 1, self.k
        S[i], Y[i] = s, y
        SY[i, :k] = Y[:k] @ s
        SY[:k, i] = S[:k] @ y
        YY[i, :k] = YY[:k, i] = Y[:k] @ y

    def direction(self, g: np.ndarray, gamma: float) -> np.ndarray:
        """``-H g``."""
        k = self.k
        if k == 0:
            return -gamma * g
        S, Y = self.S[:k], self.Y[:k]
        SY = self.SY[:k, :k]        # LAPACK's trtrs reads only its upper triangle, R
        t, _ = dtrtrs(SY, S @ g, lower=0)
        w = np.diagonal(SY) * t + gamma * (self.YY[:k, :k] @ t - Y @ g)
        a, _ = dtrtrs(SY, w, lower=0, trans=1)
        return gamma * (Y.T @ t - g) - S.T @ a
