"""Constraints and the constrained / bounded solvers (SciPy's SLSQP and L-BFGS-B driven
with gradients from the AD engine).

A :class:`Constraint` is ``fun(x) >= 0`` (``kind="ineq"``) or ``fun(x) == 0``
(``kind="eq"``), or a string such as ``"x + 2*y - 1 >= 0"`` or ``"x + y = 1"`` parsed by
the safe parser of :mod:`calcml.sym` (never ``eval``).

>>> import numpy as np
>>> c = Constraint(lambda w: -w[2] - 1)        # seed 004: the point (0, 0) in class -1
>>> c.kind, c(np.array([0.0, 0.0, -2.0]))
('ineq', np.float64(1.0))
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from calcml.ad import jacobian
from calcml.errors import CalcmlError, DimensionError, ParseError
from calcml.optimize._problem import Problem
from calcml.optimize._run import CONVERGED, MAXITER, NONFINITE, OTHER, Run, inf_norm

__all__ = ["Constraint", "as_constraints", "slsqp", "lbfgsb", "split_relation"]

_RELATIONS = (">=", "<=", "==", "=", ">", "<")


def split_relation(text: str) -> tuple[str, str, str]:
    """``"lhs >= rhs"`` -> ``("lhs", ">=", "rhs")`` (one relation, outside parentheses).

    Examples
    --------
    >>> split_relation("x + 2*y - 1 >= 0")
    ('x + 2*y - 1 ', '>=', ' 0')
    """
    found = []
    depth, i = 0, 0
    while i < len(text):
        ch = text[i]
        if ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and ch in "<>=!":
            op = text[i:i + 2] if text[i:i + 2] in (">=", "<=", "==", "!=") else ch
            found.append((i, op))
            i += len(op)
            continue
        i += 1
    if not found:
        raise ParseError("a constraint needs one relation (>=, <=, =); e.g. 'x + y - 1 >= 0'",
                         text, len(text))
    if len(found) > 1:
        raise ParseError("a constraint may hold only one relation (>=, <=, =)", text,
                         found[1][0])
    pos, op = found[0]
    if op == "!=":
        raise ParseError("'!=' is not a constraint SLSQP can handle; use >=, <= or =",
                         text, pos)
    lhs, rhs = text[:pos], text[pos + len(op):]
    if not lhs.strip() or not rhs.strip():
        raise ParseError(f"nothing on the {'left' if not lhs.strip() else 'right'} of "
                         f"{op!r}", text, pos)
    return lhs, op, rhs


def _sym():
    try:
        import calcml.sym as sym
        sym.parse, sym.lambdify  # noqa: B018
    except (ImportError, AttributeError):
        raise CalcmlError("string objectives and constraints need calcml.sym (parse and "
                          "lambdify), which is not available; pass a Python callable") from None
    return sym


def parse_objective(text: str) -> Any:
    """String -> SymPy expression, with the safe parser."""
    if any(op in text for op in ("<", ">")) or ("=" in text):
        raise ParseError("an objective is an expression, not a relation; put relations "
                         "in constraints=", text, max(text.find(c) for c in "<>="))
    return _sym().parse(text)


def free_names(expr: Any) -> list[str]:
    return sorted(str(s) for s in getattr(expr, "free_symbols", ()))


def compile_expr(expr: Any, names: Sequence[str]) -> Callable:
    """SymPy expression -> ``f(x)`` taking the unknowns as ``x[0], x[1], ...`` in the
    order of ``names`` (built with :func:`calcml.sym.lambdify`, so AD can trace it)."""
    import sympy

    sym = _sym()
    symbols = [sympy.Symbol(n) for n in names]
    by_name = {str(s): s for s in getattr(expr, "free_symbols", ())}
    symbols = [by_name.get(n, s) for n, s in zip(names, symbols)]
    fn = sym.lambdify(expr, symbols)

    mode: list = []   # "vector" (fn(x)) or "args" (fn(x0, x1, ...)), found on first call

    def f(x: Any) -> Any:
        x = np.reshape(x, (-1,))
        if x.shape[0] != len(names):
            raise DimensionError(f"the expression has {len(names)} variables {names} but x "
                                 f"has {x.shape[0]} entries")
        if not mode:
            try:
                out = fn(x)
                mode.append("vector")
                return out
            except TypeError:
                mode.append("args")
        if mode[0] == "vector":
            return fn(x)
        return fn(*[x[i] for i in range(len(names))])

    return f


class Constraint:
    """A constraint ``fun(x) >= 0`` (``kind="ineq"``) or ``fun(x) == 0`` (``kind="eq"``).

    Parameters
    ----------
    fun : callable or str
        ``fun(x)`` returning a scalar or a 1-D array (one constraint per entry), with
        ``x`` shaped like ``x0``; or text with one relation, ``"x + 2*y - 1 >= 0"``,
        ``"x + y = 1"``, ``"x^2 + y^2 <= 4"`` (the kind then comes from the relation; its
        variables are the free symbols sorted by name unless ``vars`` is given, and
        :func:`minimize` uses the sorted union over the objective and all constraints).
    kind : {"ineq", "eq"}, default: "ineq"
    jac : callable, optional
        Jacobian of ``fun`` (shape ``(m, n)``); by default from the AD engine.
    vars : sequence of str, optional
        Variable order for a string constraint.

    Examples
    --------
    >>> Constraint(lambda x: x[0] + x[1] - 1, kind="eq").kind
    'eq'
    """

    def __init__(self, fun: Callable | str, kind: str = "ineq", *, jac: Callable | None = None,
                 vars: Sequence[str] | None = None):
        self.text = None
        self.expr = None
        if isinstance(fun, str):
            self.text = fun
            lhs, op, rhs = split_relation(fun)
            sym = _sym()
            left, right = sym.parse(lhs), sym.parse(rhs)
            kind = "eq" if op in ("=", "==") else "ineq"
            self.expr = (right - left) if op in ("<=", "<") else (left - right)
            self.names = list(vars) if vars is not None else free_names(self.expr)
            self._fun = None
        elif callable(fun):
            self._fun = fun
        else:
            raise CalcmlError(f"Constraint needs a callable or a string; got "
                              f"{type(fun).__name__}")
        if kind not in ("ineq", "eq"):
            raise CalcmlError(f"Constraint kind must be 'ineq' (fun(x) >= 0) or 'eq' "
                              f"(fun(x) == 0); got {kind!r}")
        self.kind = kind
        self.jac = jac

    def bind(self, names: Sequence[str]) -> Callable:
        """The constraint function over the unknowns ``names`` (string constraints)."""
        if self.expr is None:
            return self._fun
        missing = set(free_names(self.expr)) - set(names)
        if missing:
            raise CalcmlError(f"constraint {self.text!r} uses {sorted(missing)}, which are not "
                              f"among the unknowns {list(names)}")
        return compile_expr(self.expr, names)

    @property
    def fun(self) -> Callable:
        if self._fun is None:
            self._fun = self.bind(self.names)
        return self._fun

    def __call__(self, x: Any) -> Any:
        return self.fun(x)

    def __repr__(self) -> str:
        body = repr(self.text) if self.text is not None else getattr(self._fun, "__name__", "fun")
        return f"Constraint({body}, kind={self.kind!r})"


def as_constraints(constraints: Any) -> list[Constraint]:
    """Normalize ``constraints``: a Constraint, a string, a SciPy-style dict, or a list."""
    if constraints is None:
        return []
    if isinstance(constraints, (Constraint, str, dict)) or callable(constraints):
        constraints = [constraints]
    out = []
    for i, c in enumerate(constraints):
        if isinstance(c, Constraint):
            out.append(c)
        elif isinstance(c, str):
            out.append(Constraint(c))
        elif isinstance(c, dict) and "fun" in c:
            out.append(Constraint(c["fun"], kind=c.get("type", "ineq"), jac=c.get("jac")))
        elif callable(c):
            out.append(Constraint(c))
        else:
            raise CalcmlError(f"constraints[{i}] = {c!r}: give Constraint(fun, kind), a string "
                              "like 'x + y - 1 >= 0', or {'type': 'ineq', 'fun': fun}")
    return out


def _flat_constraint(c: Constraint, fun: Callable, prob: Problem, i: int) -> dict:
    flat = prob.flat

    def cfun(v):
        out = fun(flat.unravel(v))
        if np.ndim(out) > 1:
            raise DimensionError(f"constraint {i} returned shape {np.shape(out)}; return a "
                                 "scalar or a 1-D array")
        return np.reshape(out, (-1,))

    def cval(v):
        return np.asarray(cfun(np.asarray(v, dtype=float)), dtype=float)

    if c.jac is not None:
        def cjac(v):
            J = np.asarray(c.jac(flat.unravel(v)), dtype=float)
            return J.reshape(-1, prob.n)
    else:
        jf = jacobian(cfun)

        def cjac(v):
            return np.asarray(jf(np.asarray(v, dtype=float)), dtype=float).reshape(-1, prob.n)

    return {"type": c.kind, "fun": cval, "jac": cjac}


def _not_finite_at_x0(method: str, f0: float) -> str:
    what = f"the objective is {f0}" if not np.isfinite(f0) else "the gradient has NaN/inf entries"
    return (f"{method}: the objective or its gradient is not finite at x0 ({what}); start "
            "elsewhere or check the objective")


def _last_point_cache(prob: Problem) -> Callable:
    """``prob.fun_grad`` remembering its last point (SciPy asks for f and g separately)."""
    cache: dict = {}

    def fg(v):
        key = v.tobytes()
        if key not in cache:
            cache.clear()
            cache[key] = prob.fun_grad(np.array(v, dtype=float))
        return cache[key]

    return fg


def slsqp(prob: Problem, constraints: list[Constraint], funs: list[Callable], bounds, *,
          tol: float, maxiter: int, callback: Callable | None):
    """SciPy's SLSQP with AD gradients of the objective and the constraints."""
    from scipy.optimize import minimize as sp_minimize

    x0 = prob.flat.x0.copy()
    fg = _last_point_cache(prob)
    f0, g0 = fg(x0)
    run = Run(prob, "slsqp", callback, x0, f0)
    if not (np.isfinite(f0) and np.all(np.isfinite(g0))):
        return run.result(x0, f0, g0, NONFINITE, _not_finite_at_x0("slsqp", f0))
    cons = [_flat_constraint(c, fn, prob, i) for i, (c, fn) in enumerate(zip(constraints, funs))]
    sizes = []
    for i, c in enumerate(cons):
        v = c["fun"](x0)
        if not np.all(np.isfinite(v)):
            raise CalcmlError(f"constraint {i} is not finite at x0: {v}")
        sizes.append(v.size)
    sp_bounds = None
    if bounds is not None:
        sp_bounds = [(None if not np.isfinite(a) else a, None if not np.isfinite(b) else b)
                     for a, b in zip(*bounds)]
    stop = [False]
    last = [x0, 0]   # the last iterate the callback saw, and how many it saw

    def cb(xk):
        xk = np.asarray(xk, dtype=float)
        last[0], last[1] = xk.copy(), last[1] + 1
        f, _ = fg(xk)
        if run.step(xk, f):
            stop[0] = True
            raise StopIteration

    try:
        res = sp_minimize(lambda v: fg(v)[0], x0, jac=lambda v: fg(v)[1], method="SLSQP",
                          bounds=sp_bounds, constraints=cons, callback=cb,
                          options={"maxiter": maxiter, "ftol": tol})
    except StopIteration:  # SciPy < 1.16 lets the callback's StopIteration through
        res = None
    x = np.asarray(last[0] if res is None else res.x, dtype=float)
    f, g = fg(x)
    run.nit = last[1] if res is None else int(res.nit)
    mult = _multipliers(res, cons, sizes, x, g)
    if stop[0]:
        status, msg = OTHER, "stopped by callback"
    elif res.success and np.isfinite(f):
        status, msg = CONVERGED, f"converged: {res.message}"
    elif not np.isfinite(f):
        status, msg = NONFINITE, f"slsqp: the objective is {f} at the last iterate"
    elif "Iteration limit" in str(res.message):
        status, msg = MAXITER, f"slsqp: not converged in maxiter={maxiter} ({res.message})"
    else:
        status, msg = OTHER, f"slsqp: {res.message}"
    return run.result(x, f, g, status, msg, multipliers=mult)


def _multipliers(res, cons, sizes, x, g):
    """Per-constraint multipliers (float for a scalar constraint), KKT sign convention."""
    lam = getattr(res, "multipliers", None)   # SciPy >= 1.16; equality ones first
    scipy_order = lam is not None and np.size(lam) == sum(sizes)
    if not scipy_order:
        # Least squares on the active constraints: g = sum(lambda_i grad c_i).
        J = np.vstack([c["jac"](x) for c in cons]) if cons else np.zeros((0, x.size))
        vals = np.concatenate([c["fun"](x) for c in cons]) if cons else np.zeros(0)
        kinds = np.concatenate([[c["type"]] * s for c, s in zip(cons, sizes)]) if cons else []
        active = np.array([k == "eq" or abs(v) < 1e-6 for k, v in zip(kinds, vals)], bool)
        lam = np.zeros(vals.size)
        if active.any():
            lam[active] = np.linalg.lstsq(J[active].T, g, rcond=None)[0]
    lam = np.asarray(lam, dtype=float)
    # SciPy orders its multipliers: equality constraints first, then inequalities (the
    # least-squares ones above are in the constraints' own order).
    order = [i for i, c in enumerate(cons) if c["type"] == "eq"] + \
            [i for i, c in enumerate(cons) if c["type"] == "ineq"] if scipy_order else \
        list(range(len(cons)))
    out: list = [None] * len(cons)
    start = 0
    for i in order:
        part = lam[start:start + sizes[i]]
        out[i] = float(part[0]) if sizes[i] == 1 else part.copy()
        start += sizes[i]
    return out


def lbfgsb(prob: Problem, bounds, *, tol: float, maxiter: int, callback: Callable | None,
           memory: int = 10):
    """SciPy's L-BFGS-B (for ``method="lbfgs"`` with bounds) with AD gradients."""
    from scipy.optimize import minimize as sp_minimize

    lo, hi = bounds
    x0 = np.clip(prob.flat.x0, lo, hi)
    fg = _last_point_cache(prob)
    f0, g0 = fg(x0)
    run = Run(prob, "lbfgs", callback, x0, f0)
    if not (np.isfinite(f0) and np.all(np.isfinite(g0))):
        return run.result(x0, f0, g0, NONFINITE, _not_finite_at_x0("lbfgs", f0))
    stop = [False]

    def cb(intermediate_result):
        xk = np.asarray(intermediate_result.x, dtype=float)
        if run.step(xk, float(intermediate_result.fun)):
            stop[0] = True
            raise StopIteration

    sp_bounds = [(None if not np.isfinite(a) else a, None if not np.isfinite(b) else b)
                 for a, b in zip(lo, hi)]
    # ftol=0: stop on the projected gradient (tol), or when f no longer decreases at all.
    # A relative-decrease test (ftol > 0) fires before max|projected gradient| reaches
    # 1e-8 on about one well-conditioned bounded quadratic in seven (f's decrease is
    # then ~|g|^2, below eps |f|), which reported success=False at an accurate point.
    res = sp_minimize(fg, x0, jac=True, method="L-BFGS-B", bounds=sp_bounds, callback=cb,
                      options={"maxiter": maxiter, "gtol": tol, "ftol": 0.0,
                               "maxcor": memory, "maxls": 40})
    x = np.asarray(res.x, dtype=float)
    f, g = fg(x)
    run.nit = int(res.nit)
    pg = inf_norm(x - np.clip(x - g, lo, hi))
    if stop[0]:
        return run.result(x, f, g, OTHER, "stopped by callback")
    if not np.isfinite(f):
        return run.result(x, f, g, NONFINITE, f"lbfgs: the objective is {f} at the last iterate")
    if pg <= tol:
        return run.result(x, f, g, CONVERGED,
                          f"converged: projected max|gradient| <= tol={tol:g} ({res.message})")
    if res.nit >= maxiter:
        return run.result(x, f, g, MAXITER, f"lbfgs: not converged in maxiter={maxiter} "
                          f"(projected max|gradient|={pg:.3g} > tol={tol:g})")
    return run.result(x, f, g, OTHER, f"lbfgs: stopped with projected max|gradient|={pg:.3g} "
                      f"> tol={tol:g}: {res.message}")
