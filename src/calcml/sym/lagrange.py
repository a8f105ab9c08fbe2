"""Constrained optimization by the KKT conditions, exactly.

Minimize ``f(x)`` subject to ``g_i(x) = 0`` and ``h_j(x) >= 0``. For every subset of the
inequalities taken as active (``h_j = 0``), solve the stationarity equations
``grad f = sum_i lambda_i grad g_i + sum_{j active} mu_j grad h_j`` together with the
active constraints; keep the solutions that are primal feasible (every inactive
``h_j >= 0``) and dual feasible (``mu_j >= 0``), and return the one with the smallest
objective. For a convex problem (such as the hard-margin SVM) that is the global
optimum; otherwise it is the best KKT point, and all are listed in ``candidates``.

Active sets whose equations leave the point undetermined (a family of solutions) are
skipped; the same optimum is then found from a smaller active set whenever the active
constraint gradients of the optimum are linearly independent.
"""
from __future__ import annotations

import itertools
from typing import Any

import sympy

from calcml.errors import CalcmlError
from calcml.sym._inputs import as_expr, as_scalar, as_vars, real_form, real_number
from calcml.sym.functions import elementary
from calcml.sym.results import KKTCandidate, LagrangeResult, point_text
from calcml.sym.timeout import DEFAULT_TIMEOUT, run_with_timeout

__all__ = ["lagrange", "MAX_INEQUALITIES"]

MAX_INEQUALITIES = 12  #: 2**12 active sets at most


def _constraint(c: Any, index: int):
    """('eq' | 'ineq', expression) with ``expr = 0`` or ``expr >= 0``."""
    rel = as_expr(c, f"constraint {index}")
    if isinstance(rel, sympy.Equality):
        return "eq", rel.lhs - rel.rhs
    if isinstance(rel, (sympy.GreaterThan, sympy.StrictGreaterThan)):
        return "ineq", rel.lhs - rel.rhs
    if isinstance(rel, (sympy.LessThan, sympy.StrictLessThan)):
        return "ineq", rel.rhs - rel.lhs
    raise CalcmlError(f"constraint {index} ({c!r}) is not a relation: write it as "
                      "'g = 0', 'h >= 0' or 'h <= 0'")


def _nonnegative(v, tol: float = 1e-12) -> bool:
    if v.is_nonnegative:
        return True
    if v.is_negative:
        return False
    r = real_number(v)   # also real numbers that SymPy writes with I (Cardano)
    return r is not None and r >= -tol


def _second_order(lagrangian, symbols: list, point: dict, active: list) -> bool | None:
    """Whether the Hessian of the Lagrangian is positive semidefinite on the null space
    of the active constraints' gradients at ``point`` (None: not numeric there)."""
    import numpy as np
    from scipy.linalg import null_space

    H = [real_number(sympy.diff(lagrangian, a, b).subs(point)) for a in symbols
         for b in symbols]
    A = [real_number(sympy.diff(c, v).subs(point)) for c in active for v in symbols]
    if any(v is None for v in H + A):
        return None
    n = len(symbols)
    H = np.array(H, dtype=float).reshape(n, n)
    Z = null_space(np.array(A, dtype=float).reshape(len(active), n)) if active else np.eye(n)
    if Z.shape[1] == 0:
        return True
    reduced = np.linalg.eigvalsh(Z.T @ H @ Z)
    return bool(reduced.min() >= -1e-9 * max(1.0, float(np.abs(H).max())))


def lagrange(objective: Any, constraints: Any = (), vars: Any = None, *,
             sense: str = "min", timeout: float | None = DEFAULT_TIMEOUT) -> LagrangeResult:
    """Optimum of ``objective`` under equality and inequality constraints (KKT).

    Parameters
    ----------
    objective : str or sympy.Expr
    constraints : str, relation, or sequence of them
        ``"x + y = 1"`` (or ``==``), ``"a + 2*b + c - 1 >= 0"``, ``"x <= 3"``; strict
        inequalities are treated as their closures.
    vars : sequence of str or Symbol, optional
        Default: the free symbols of objective and constraints sorted by name.
    sense : {"min", "max"}, default: "min"
        For "max" the multipliers are those of minimizing ``-objective``.
    timeout : float or None, default: 10
        Seconds for the whole enumeration; then :class:`calcml.errors.TimeoutError`.

    Returns
    -------
    LagrangeResult
        ``point``, ``value``, ``multipliers`` (``lambda_i`` for the i-th equality,
        ``mu_j`` for the j-th inequality, numbered from 1 in the given order) and
        ``candidates`` (every KKT point of every active set).

    Raises
    ------
    CalcmlError
        When no feasible KKT point exists (infeasible or unbounded problem, or a
        degenerate one this method cannot resolve).

    Examples
    --------
    The hard-margin SVM on the three points of the seed:

    >>> r = lagrange("a^2 + b^2", ["-c - 1 >= 0", "a + 2b + c - 1 >= 0",
    ...                            "2a + b + c - 1 >= 0"])
    >>> r.point, r.value
    ({a: 2/3, b: 2/3, c: -1}, 8/9)
    >>> r.multipliers
    {mu_1: 8/9, mu_2: 4/9, mu_3: 4/9}
    >>> lagrange("x y", "x + y = 2", sense="max").point
    {x: 1, y: 1}
    """
    if sense not in ("min", "max"):
        raise CalcmlError(f"sense must be 'min' or 'max'; got {sense!r}")
    f = as_scalar(objective, "objective")
    if isinstance(constraints, (str, sympy.Basic)):
        constraints = [constraints]
    parsed = [_constraint(c, i) for i, c in enumerate(constraints, 1)]
    eqs = [e for k, e in parsed if k == "eq"]
    ineqs = [e for k, e in parsed if k == "ineq"]
    if len(ineqs) > MAX_INEQUALITIES:
        raise CalcmlError(f"{len(ineqs)} inequality constraints: at most {MAX_INEQUALITIES} "
                          "(2^n active sets are enumerated); use calcml.optimize.minimize "
                          "with method='slsqp' for larger problems")
    symbols = as_vars(vars, sympy.Matrix([f, *eqs, *ineqs]))
    if not symbols:
        raise CalcmlError("the problem has no variables")
    goal = elementary(f if sense == "min" else -f)
    eqs = [elementary(g) for g in eqs]
    ineqs = [elementary(h) for h in ineqs]
    lam = [sympy.Symbol(f"lambda_{i}") for i in range(1, len(eqs) + 1)]
    mu = [sympy.Symbol(f"mu_{j}") for j in range(1, len(ineqs) + 1)]
    clash = sorted({m.name for m in lam + mu} & {v.name for v in symbols})
    if clash:
        raise CalcmlError(f"the variable name(s) {', '.join(clash)} are used for the "
                          "multipliers (lambda_i, mu_j): rename the variable(s)")

    def run() -> list[KKTCandidate]:
        found: list[KKTCandidate] = []
        seen = set()
        for size in range(len(ineqs) + 1):
            for active in itertools.combinations(range(len(ineqs)), size):
                lagr = goal - sum(l * g for l, g in zip(lam, eqs)) \
                    - sum(mu[j] * ineqs[j] for j in active)
                unknowns = symbols + lam + [mu[j] for j in active]
                system = [sympy.diff(lagr, v) for v in symbols] + eqs + \
                    [ineqs[j] for j in active]
                for sol in sympy.solve(system, unknowns, dict=True):
                    if any(u not in sol or sol[u].free_symbols & set(unknowns)
                           for u in unknowns):
                        continue   # a family of solutions: undetermined
                    point = {v: sol[v] for v in symbols}
                    if any(v.is_real is False or (v.is_number and real_number(v) is None)
                           for v in point.values()):
                        continue
                    point = {v: real_form(val) for v, val in point.items()}
                    mult = {l: real_form(sol[l]) for l in lam}
                    mult.update({mu[j]: (real_form(sol[mu[j]]) if j in active
                                         else sympy.Integer(0))
                                 for j in range(len(ineqs))})
                    key = (tuple(point.values()), tuple(mult.values()))
                    if key in seen:
                        continue
                    seen.add(key)
                    feasible = all(_nonnegative(mult[mu[j]]) for j in active) and all(
                        _nonnegative(sympy.simplify(ineqs[j].subs(point)))
                        for j in range(len(ineqs)) if j not in active)
                    value = sympy.simplify(f.subs(point))
                    second = _second_order(lagr.subs(mult), symbols, point,
                                           eqs + [ineqs[j] for j in active]) \
                        if feasible else None
                    found.append(KKTCandidate(point, value, mult,
                                              tuple(j + 1 for j in active), feasible, second))
        return found

    candidates = run_with_timeout(run, timeout, f"the KKT conditions of {f}")
    feasible = [c for c in candidates if c.feasible]
    if not feasible:
        raise CalcmlError(f"no feasible KKT point of {f} under the constraints "
                          f"({len(candidates)} candidates violate primal or dual "
                          "feasibility): the problem may be infeasible or unbounded")
    optima = [c for c in feasible if c.second_order is not False]
    if not optima:
        word = "minimum" if sense == "min" else "maximum"
        raise CalcmlError(f"no {word} of {f} under the constraints: every feasible KKT point "
                          f"({', '.join(point_text(c.point) for c in feasible)}) fails the "
                          f"second-order test (it is a {'maximum' if sense == 'min' else 'minimum'}"
                          f" or a saddle along the constraints), so the problem is unbounded "
                          f"or its {word} is not a KKT point")
    feasible = optima
    sign = 1 if sense == "min" else -1
    gaps = [real_number(sympy.simplify(c.value - feasible[0].value)) for c in feasible]
    if any(g is None for g in gaps):
        raise CalcmlError(f"cannot compare the objective values of the feasible KKT points "
                          f"({', '.join(str(c.value) for c in feasible)}): they are not "
                          "numbers; pass vars= with every variable, or substitute parameters")
    best = feasible[min(range(len(feasible)), key=lambda i: sign * gaps[i])]
    return LagrangeResult(best.point, best.value, best.multipliers, candidates, sense)
