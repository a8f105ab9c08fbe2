"""Book-keeping shared by the methods: path, losses, callback, the final result."""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.optimize._problem import Problem
from calcml.optimize.result import OptimizeResult

CONVERGED, MAXITER, NO_PROGRESS, NONFINITE, OTHER = 0, 1, 2, 3, 4


def inf_norm(g: np.ndarray) -> float:
    return float(np.max(np.abs(g), initial=0.0))


class Run:
    """Records iterates; ``step`` returns True when the callback asks to stop."""

    def __init__(self, prob: Problem, method: str, callback: Callable | None, x: np.ndarray,
                 f: float):
        self.prob, self.method, self.callback = prob, method, callback
        self.path = [np.array(x, dtype=float)]
        self.losses = [float(f)]
        self.nit = 0

    def step(self, x: np.ndarray, f: float) -> bool:
        self.nit += 1
        self.path.append(np.array(x, dtype=float))
        self.losses.append(float(f))
        if self.callback is not None:
            return bool(self.callback(self.prob.callback_arg(x)))
        return False

    def result(self, x: np.ndarray, f: float, g: np.ndarray | None, status: int, message: str,
               **extra: Any) -> OptimizeResult:
        flat = self.prob.flat
        return OptimizeResult(
            x=flat.unravel_result(x), fun=float(f),
            jac=None if g is None else flat.unravel_result(g),
            nit=self.nit, nfev=self.prob.nfev, njev=self.prob.njev, nhev=self.prob.nhev,
            success=status == CONVERGED, status=status, message=message,
            path=self.path, losses=self.losses, multipliers=extra.pop("multipliers", None),
            method=self.method, **extra)


def nonfinite_message(what: str, f: float, g: np.ndarray | None, k: int, hint: str) -> str:
    bad = "objective" if not np.isfinite(f) else "gradient"
    val = f if not np.isfinite(f) else "non-finite entries"
    return f"{what}: the {bad} is {val} at iteration {k}; {hint}"
