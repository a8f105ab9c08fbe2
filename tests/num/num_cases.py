"""Shared test functions for tests/num: NumPy callables with SymPy exact derivatives."""
from __future__ import annotations

import functools

import mpmath
import numpy as np
import sympy as sp

X = sp.Symbol("x")
EXPRS = {
    "sin": sp.sin(X),
    "exp": sp.exp(X),
    "cubic": X**3 - 2 * X**2 + 1,
    "sigmoid": 1 / (1 + sp.exp(-X)),
    "log1px2": sp.log(1 + X**2),
}
NUMPY = {
    "sin": np.sin,
    "exp": np.exp,
    "cubic": lambda x: x**3 - 2 * x**2 + 1,
    "sigmoid": lambda x: 1 / (1 + np.exp(-x)),
    "log1px2": lambda x: np.log(1 + x**2),
}
MPMATH = {
    "sin": mpmath.sin,
    "exp": mpmath.exp,
    "cubic": lambda x: x**3 - 2 * x**2 + 1,
    "sigmoid": lambda x: 1 / (1 + mpmath.exp(-x)),
    "log1px2": lambda x: mpmath.log(1 + x**2),
}
# 20 points in [-3, 3], none a zero of the derivatives tested relative to their value
POINTS = np.linspace(-3.0, 3.0, 20) + 0.0123


@functools.lru_cache(maxsize=None)
def _exact_fn(name: str, order: int):
    return sp.lambdify(X, sp.diff(EXPRS[name], X, order), "mpmath")


def exact(name: str, order: int, points, dps: int = 50):
    """SymPy's exact derivative evaluated by mpmath at ``dps`` digits (mpf list)."""
    g = _exact_fn(name, order)
    with mpmath.workdps(dps):
        return [+g(mpmath.mpf(float(p))) for p in np.ravel(points)]


def exact_float(name: str, order: int, points) -> np.ndarray:
    return np.array([float(v) for v in exact(name, order, points)]).reshape(np.shape(points))
