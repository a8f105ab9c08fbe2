"""Critical points: solve grad f = 0 exactly, then classify each point.

Several variables: the signs of the Hessian's eigenvalues (all positive: minimum, all
negative: maximum, both signs: saddle, otherwise degenerate). One variable: the
higher-order derivative test -- the first derivative of order n >= 2 that is not zero
at the point decides (n even: minimum if positive, maximum if negative; n odd: a
stationary inflection point, reported as ``"saddle"``).
"""
from __future__ import annotations

from typing import Any

import numpy as np
import sympy

from calcml.errors import CalcmlError
from calcml.sym._inputs import as_scalar, as_vars, real_diff, real_form, real_number
from calcml.sym.functions import elementary
from calcml.sym.results import CriticalPoint
from calcml.sym.timeout import DEFAULT_TIMEOUT, run_with_timeout

__all__ = ["critical_points", "classify"]

MAX_ORDER = 12  #: highest derivative order the one-variable test looks at


def critical_points(expr: Any, vars: Any = None, *,
                    timeout: float | None = DEFAULT_TIMEOUT) -> list[CriticalPoint]:
    """All real critical points of ``expr`` with their values and kinds.

    Parameters
    ----------
    expr : str or sympy.Expr
    vars : sequence of str or Symbol, optional
        Default: the free symbols sorted by name.
    timeout : float or None, default: 10
        Seconds for solving and classifying; then :class:`calcml.errors.TimeoutError`.

    Returns
    -------
    list of CriticalPoint
        The real solutions ``sympy.solve`` finds (for a periodic function, those of
        one period), sorted by coordinates. A continuum of solutions is returned with the
        undetermined coordinates left as symbols and kind ``"degenerate"``.

    Examples
    --------
    >>> for p in critical_points("x^3 - 2x^2 + 1"):
    ...     print(p)
    maximum at (x = 0), value 1 (f''(0) = -4 < 0)
    minimum at (x = 4/3), value -5/27 (f''(4/3) = 4 > 0)
    >>> [p.kind for p in critical_points("x^2 - y^2")]
    ['saddle']
    """
    f = as_scalar(expr)
    symbols = as_vars(vars, f)
    work = elementary(f)

    def run() -> list[CriticalPoint]:
        grad = [real_diff(work, v) for v in symbols]
        solutions = _polynomial_roots(grad[0], symbols[0]) if len(symbols) == 1 else None
        if solutions is None:
            try:
                solutions = sympy.solve(grad, symbols, dict=True)
            except (NotImplementedError, ValueError) as exc:
                reason = " ".join(str(exc).split())
                raise CalcmlError(f"SymPy cannot solve grad f = 0 for {f} ({reason}); try "
                                  "calcml.optimize.minimize") from None
        out = []
        for sol in solutions:
            point = {v: sol.get(v, v) for v in symbols}   # missing: a free coordinate
            if any(_not_real(val) for val in point.values()):
                continue
            point = {v: real_form(val) for v, val in point.items()}
            value = _value_at(f, point)
            kind, test = classify(work, symbols, point)
            out.append(CriticalPoint(point, value, kind, test))
        return sorted(out, key=_sort_key)

    return run_with_timeout(run, timeout, f"the critical points of {f}")


def _polynomial_roots(derivative, x) -> list[dict] | None:
    """The real roots of a one-variable polynomial derivative with rational coefficients,
    each once: exact and fast. Roots of irreducible factors of degree 3 and more stay
    ``CRootOf`` objects (Cardano's radicals are huge and slow to classify). None when
    ``derivative`` is not such a polynomial (then ``solve`` is used)."""
    if not derivative.is_polynomial(x) or derivative.free_symbols - {x}:
        return None
    poly = sympy.Poly(derivative, x)
    if poly.is_zero or poly.degree() < 1 or poly.domain not in (sympy.ZZ, sympy.QQ):
        return None
    return [{x: r} for r in dict.fromkeys(sympy.real_roots(poly))]


def _value_at(f, point: dict):
    """``f`` at the point, simplified; at a ``CRootOf`` r of q, a polynomial ``f`` is
    first reduced modulo q (so the value reads as a polynomial of degree < deg q in r)."""
    if len(point) == 1:
        (x, r), = point.items()
        if isinstance(r, sympy.CRootOf) and f.is_polynomial(x) and not f.free_symbols - {x}:
            gen = r.poly.gens[0]
            q = sympy.Poly(r.poly.as_expr().subs(gen, x), x)
            reduced = sympy.Poly(f, x).rem(q).as_expr()
            return sympy.expand(reduced.subs(x, r))
    return sympy.simplify(f.subs(point))


def _not_real(v) -> bool:
    """A coordinate known not to be real (numbers written with I but real are kept)."""
    return v.is_real is False or (v.is_number and real_number(v) is None)


def _sort_key(p: CriticalPoint):
    key = []
    for v in p.point.values():
        r = real_number(v)
        key.append(float("inf") if r is None else r)
    return key


def classify(f, symbols: list, point: dict) -> tuple[str, str]:
    """(kind, how it was decided) of the critical point ``point`` of ``f``."""
    if any(v in point[v].free_symbols for v in symbols):
        return "degenerate", "a continuum of critical points"
    if len(symbols) == 1:
        (x,) = symbols
        d = f
        for n in range(1, MAX_ORDER + 1):
            d = real_diff(d, x)
            if n == 1:
                continue
            c = _value_at(d, point)
            if c.is_zero:
                continue
            primes = "'" * n if n <= 3 else f"^({n})"
            test = f"f{primes}({point[x]}) = {c}"
            if n % 2:
                return "saddle", test + " != 0 at odd order: inflection point"
            positive, negative = c.is_positive, c.is_negative
            if positive is None and negative is None and real_number(c) is not None:
                positive, negative = real_number(c) > 0, real_number(c) < 0   # Cardano roots
                test = f"f{primes}({point[x]}) = {c} ~ {real_number(c):.6g}"
            if positive:
                return "minimum", test + " > 0"
            if negative:
                return "maximum", test + " < 0"
            return "degenerate", test + ": sign unknown"
        return "degenerate", f"derivatives up to order {MAX_ORDER} vanish"
    H = sympy.hessian(f, symbols).subs(point)
    entries = [real_number(h) for h in H]
    if any(e is None for e in entries):
        return "degenerate", "the Hessian is not numeric"
    eig = np.linalg.eigvalsh(np.array(entries, dtype=float).reshape(H.shape))
    tol = 1e-10 * max(1.0, float(np.max(np.abs(eig))))
    pos, neg = bool(np.any(eig > tol)), bool(np.any(eig < -tol))
    shown = "Hessian eigenvalues " + ", ".join(f"{e:.6g}" for e in eig)
    if pos and neg:
        return "saddle", shown
    if np.any(np.abs(eig) <= tol):
        return "degenerate", shown + " (a zero eigenvalue)"
    return ("minimum", shown) if pos else ("maximum", shown)
