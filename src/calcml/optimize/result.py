"""The result object every :func:`calcml.optimize.minimize` method returns.

>>> r = OptimizeResult(x=[1.0], fun=0.0, success=True, message="converged", nit=3)
>>> r.success, r.nit
(True, 3)
"""
from __future__ import annotations

from typing import Any

import numpy as np

__all__ = ["OptimizeResult"]

_FIELDS = ("x", "fun", "jac", "nit", "nfev", "njev", "nhev", "success", "status",
           "message", "path", "losses", "multipliers", "method")


class OptimizeResult(dict):
    """Outcome of :func:`calcml.optimize.minimize` (a dict with attribute access).

    Attributes
    ----------
    x : array or pytree
        The last iterate, with the structure of ``x0``.
    fun : float
        Objective value at ``x``.
    jac : array or pytree or None
        Gradient at ``x``, with the structure of ``x0`` (``None`` if never computed).
    nit : int
        Iterations taken.
    nfev, njev, nhev : int
        Objective, gradient and Hessian evaluations (one ``value_and_grad`` call counts
        as one of each of ``nfev`` and ``njev``).
    success : bool
        Whether the stopping rule (documented per method in :func:`minimize`) was met.
    status : int
        0 converged, 1 iteration limit, 2 no further progress (line search failed or
        precision loss), 3 non-finite objective or gradient, 4 other failure.
    message : str
        Why the method stopped, in words.
    path : list of ndarray
        Flat iterates ``x_0, x_1, ...`` (as 1-D float arrays).
    losses : list of float
        Objective values along ``path``.
    multipliers : dict or None
        For constrained problems: ``{"eq": array, "ineq": array}`` Lagrange multipliers of
        the constraints, in the order given (KKT sign convention
        ``grad f = sum(lambda_i grad c_i)``, ``lambda_ineq >= 0``).
    method : str
        The method that ran (useful with ``method="auto"``).
    """

    def __getattr__(self, name: str) -> Any:
        try:
            return self[name]
        except KeyError:
            raise AttributeError(name) from None

    def __setattr__(self, name: str, value: Any) -> None:
        self[name] = value

    def __dir__(self) -> list[str]:
        return list(self.keys())

    def __repr__(self) -> str:
        lines = []
        for k in _FIELDS:
            if k not in self or k in ("path", "losses"):
                continue
            v = self[k]
            if isinstance(v, np.ndarray):
                v = np.array2string(v, precision=6, threshold=8)
            lines.append(f"{k:>12}: {v}")
        if "path" in self:
            lines.append(f"{'path':>12}: [{len(self['path'])} iterates]")
        return "OptimizeResult(\n" + "\n".join(lines) + "\n)"
