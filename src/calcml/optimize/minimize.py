"""``minimize``: one entry point for every method in :mod:`calcml.optimize`."""
from __future__ import annotations

import numbers
from typing import Any, Callable, Sequence

import numpy as np

from calcml.errors import CalcmlError
from calcml.optimize._problem import Problem, parse_bounds
from calcml.optimize.constrained import (Constraint, as_constraints, compile_expr, free_names,
                                         lbfgsb, parse_objective, slsqp)
from calcml.optimize.first_order import first_order
from calcml.optimize.newton import newton, newton_trust
from calcml.optimize.quasi_newton import quasi_newton
from calcml.optimize.result import OptimizeResult

__all__ = ["minimize", "METHODS", "Constraint"]

#: Method names accepted by :func:`minimize`, with a one-line description.
METHODS: dict[str, str] = {
    "gd": "gradient descent: fixed step lr, or Armijo backtracking when lr is None",
    "momentum": "heavy-ball momentum (fixed step lr, momentum 0.9)",
    "nesterov": "Nesterov accelerated gradient (fixed step lr, momentum 0.9)",
    "adam": "Adam (fixed step lr, b1=0.9, b2=0.999)",
    "newton": "damped Newton with AD Hessian and Hessian modification (Armijo)",
    "bfgs": "BFGS, dense inverse-Hessian update, strong-Wolfe line search",
    "lbfgs": "L-BFGS (m=10) with strong-Wolfe line search; SciPy's L-BFGS-B with bounds",
    "slsqp": "SciPy's SLSQP with AD gradients of objective and constraints",
    "auto": "slsqp with bounds/constraints, newton for n <= 20, else lbfgs",
}


def _iv(method, lr, tol, maxiter, line_search, callback):
    if not isinstance(method, str) or method.lower() not in METHODS:
        raise CalcmlError(f"unknown method {method!r}; choose one of {list(METHODS)}")
    if lr is not None:
        if isinstance(lr, bool) or not isinstance(lr, numbers.Real) or not np.isfinite(lr) \
                or lr <= 0:
            raise CalcmlError(f"lr must be a positive finite number (or None); got {lr!r}")
    if isinstance(tol, bool) or not isinstance(tol, numbers.Real) or not tol >= 0:
        raise CalcmlError(f"tol must be a number >= 0; got {tol!r}")
    if isinstance(maxiter, bool) or not isinstance(maxiter, numbers.Integral) or maxiter < 0:
        raise CalcmlError(f"maxiter must be an integer >= 0; got {maxiter!r}")
    if line_search not in ("armijo", "wolfe", None):
        raise CalcmlError(f"line_search must be 'armijo', 'wolfe' or None; got {line_search!r}")
    if callback is not None and not callable(callback):
        raise CalcmlError("callback must be callable: callback(x) -> stop? (truthy stops)")
    return method.lower()


def _named_callable(expr: Any, names: Sequence[str]) -> Callable:
    vec = compile_expr(expr, names)

    def f(x: Any) -> Any:
        if isinstance(x, dict):
            x = np.stack([np.reshape(x[n], ()) for n in names])
        return vec(x)

    return f



_OPTIONS = {  # the method options each method reads; anything else is a typo
    "gd": {"alpha0"}, "momentum": {"momentum", "alpha0"},
    "nesterov": {"momentum", "alpha0"}, "adam": {"b1", "b2", "eps", "alpha0"},
    "newton": {"trust_region", "radius"}, "bfgs": {"scale_init"}, "lbfgs": {"memory"},
    "slsqp": set(),
}

def minimize(f: Callable | str, x0: Any, method: str = "auto", *, lr: float | None = None,
             tol: float = 1e-8, maxiter: int = 1000, line_search: str | None = "armijo",
             constraints: Any = (), bounds: Any = None, callback: Callable | None = None,
             jac: Callable | None = None, hess: Callable | None = None,
             vars: Sequence[str] | None = None, options: dict | None = None
             ) -> OptimizeResult:
    """Minimize ``f(x)`` from ``x0``, with gradients (and Hessians) from the AD engine.

    Parameters
    ----------
    f : callable or str
        Scalar objective ``f(x)`` written in plain NumPy, ``x`` shaped like ``x0``; or
        an expression string such as ``"(1 - x)^2 + 100*(y - x^2)^2"`` (parsed safely,
        variables = free symbols sorted by name, with those of string constraints).
    x0 : float, array or pytree
        Starting point; a dict / list of arrays is allowed, and ``x``/``jac`` of the
        result keep its structure. For a string ``f``, a dict keyed by variable name.
    method : str, default: "auto"
        ``"gd"``, ``"momentum"``, ``"nesterov"``, ``"adam"``, ``"newton"``, ``"bfgs"``,
        ``"lbfgs"``, ``"slsqp"`` or ``"auto"`` (see ``METHODS``): auto picks slsqp with
        constraints or bounds, newton for at most 20 unknowns when a Hessian is available
        (``hess=`` given, or no ``jac=`` so AD can build it), else lbfgs.
    lr : float, optional
        Step size of the fixed-step methods (defaults: momentum/nesterov 1e-2,
        adam 1e-3). For ``gd``, ``lr=None`` means a line search instead.
    tol : float, default: 1e-8
        Stop when ``max|gradient| <= tol`` (projected gradient with bounds); for slsqp,
        SciPy's ``ftol``.
    maxiter : int, default: 1000
        Iteration limit.
    line_search : {"armijo", "wolfe", None}, default: "armijo"
        Line search of ``gd`` (when ``lr`` is None). Newton always backtracks (Armijo)
        from the full step; bfgs/lbfgs always use a strong-Wolfe search, which their
        updates need.
    constraints : Constraint, str, dict or sequence of them, default: ()
        ``Constraint(fun, kind)``, strings ``"x + 2*y - 1 >= 0"`` / ``"x + y = 1"``, or
        SciPy-style ``{"type": "ineq", "fun": fun}``. Only slsqp (and auto) accept them.
    bounds : sequence of (lo, hi), optional
        Per unknown (``None`` = unbounded), or one pair for all. Projected steps for the
        first-order methods, L-BFGS-B for lbfgs, SLSQP's bounds for slsqp.
    callback : callable, optional
        ``callback(x)`` after each iteration (``x`` shaped like ``x0``); a truthy return
        value stops the run (``success=False``, ``message="stopped by callback"``).
    jac, hess : callable, optional
        Gradient ``jac(x)`` (structure of ``x0``) and Hessian ``hess(x)`` to use instead
        of automatic differentiation; ``jac=True`` means ``f`` returns
        ``(value, gradient)`` (SciPy's convention).
    vars : sequence of str, optional
        Variable order for a string objective / string constraints.
    options : dict, optional
        Method options: ``momentum`` (momentum/nesterov), ``b1``, ``b2``, ``eps`` (adam),
        ``memory`` (lbfgs, default 10), ``scale_init`` (bfgs, default ``"up"``: the
        first inverse Hessian is ``I``, raised to ``(s·y / y·y) I`` after the first step
        when that is larger; ``True`` always uses ``(s·y / y·y) I`` (Nocedal & Wright
        eq. 6.20), which is slow on badly scaled problems; ``False`` keeps ``I``, as
        SciPy's BFGS does), ``trust_region=True`` (newton: exact trust-region
        steps instead of the modified-Hessian line search; ``radius``, default 1.0).

    Returns
    -------
    OptimizeResult
        ``x``, ``fun``, ``jac``, ``nit``, ``nfev``, ``njev``, ``nhev``, ``success``,
        ``status``, ``message``, ``path``, ``losses``, ``multipliers`` (slsqp: one per
        constraint, ``grad f = sum(lambda_i grad c_i)``), ``method``.
        Non-convergence gives ``success=False`` and a message, never an exception; a
        NaN/inf objective stops the run with a message saying so.

    Raises
    ------
    CalcmlError
        Bad arguments (unknown method, constraints with a method that cannot take them...).
    DimensionError
        ``jac``/``hess``/constraints of the wrong shape, a non-scalar objective, or an
        objective that fails on ``x0``'s shape.

    Examples
    --------
    Seed 000, Newton on ``1/2 x^T A x - b^T x``: one step to ``A^-1 b``.

    >>> import numpy as np
    >>> A = np.array([[4.0, 2.0], [2.0, 2.0]]); b = np.array([1.0, 2.0])
    >>> r = minimize(lambda x: 0.5 * x @ A @ x - b @ x, np.zeros(2), method="newton")
    >>> r.x, r.nit, r.success
    (array([-0.5,  1.5]), 1, True)

    Rosenbrock with BFGS, and a pytree ``x0``:

    >>> rosen = lambda p: (1 - p["a"]) ** 2 + 100 * (p["b"] - p["a"] ** 2) ** 2
    >>> r = minimize(rosen, {"a": -1.2, "b": 1.0}, method="bfgs")
    >>> r.success, round(r.x["a"], 6), round(r.x["b"], 6)
    (True, 1.0, 1.0)

    Seed 004's hard-margin SVM (a, b, c) with SLSQP:

    >>> cons = [Constraint(lambda w: -w[2] - 1), Constraint(lambda w: w[0] + 2*w[1] + w[2] - 1),
    ...         Constraint(lambda w: 2*w[0] + w[1] + w[2] - 1)]
    >>> r = minimize(lambda w: w[0]**2 + w[1]**2, np.ones(3), method="slsqp", constraints=cons)
    >>> np.round(r.x, 6), round(r.fun, 9)
    (array([ 0.666667,  0.666667, -1.      ]), 0.888888889)
    """
    method = _iv(method, lr, tol, maxiter, line_search, callback)
    options = dict(options or {})
    cons = as_constraints(constraints)
    if isinstance(f, str):
        expr = parse_objective(f)
        names = list(vars) if vars is not None else sorted(set(free_names(expr)).union(
            *[free_names(c.expr) for c in cons if c.expr is not None]))
        if isinstance(x0, dict):
            unknown = set(x0) - set(names)
            if unknown or len(x0) != len(names):
                raise CalcmlError(f"x0 keys {sorted(x0)} must be the variables {names}")
            x0 = {n: x0[n] for n in names}
        f = _named_callable(expr, names)
    else:
        names = list(vars) if vars is not None else sorted(set().union(
            *[free_names(c.expr) for c in cons if c.expr is not None]))
    prob = Problem(f, x0, jac=jac, hess=hess)
    cfuns = []
    for c in cons:
        cfuns.append(_named_callable(c.expr, names) if c.expr is not None else c.fun)
    box = parse_bounds(bounds, prob.n)
    if method == "auto":
        if cons or box is not None:
            method = "slsqp"
        elif prob.n <= 20 and (hess is not None or jac is None):  # Hessian available
            method = "newton"
        else:
            method = "lbfgs"
    if cons and method != "slsqp":
        raise CalcmlError(f"method {method!r} does not take constraints; use method='slsqp' "
                          "(or 'auto')")
    if box is not None and method in ("newton", "bfgs"):
        raise CalcmlError(f"method {method!r} does not take bounds; use 'lbfgs', 'slsqp' or a "
                          "first-order method (projected steps)")
    unknown = set(options) - _OPTIONS[method]
    if unknown:
        known = ", ".join(sorted(_OPTIONS[method])) or "none"
        raise CalcmlError(f"minimize: method {method!r} has no option(s) "
                          f"{', '.join(sorted(map(str, unknown)))}; its options: {known}")
    kw = dict(tol=float(tol), maxiter=int(maxiter), callback=callback)
    # Every method checks f, g and H for NaN/inf itself and stops with a message saying
    # so; NumPy's overflow warnings from its own sums on such values (g @ d, Hessians of
    # a diverging objective) would only repeat that message.
    with np.errstate(all="ignore"):
        return _dispatch(prob, method, cons, cfuns, box, lr, line_search, options, kw)


def _dispatch(prob, method, cons, cfuns, box, lr, line_search, options, kw):
    if method in ("gd", "momentum", "nesterov", "adam"):
        if method == "gd" and lr is None and line_search is None:
            raise CalcmlError("method='gd' needs lr= (fixed step) or a line_search")
        return first_order(prob, method, lr=lr, line_search=line_search, bounds=box,
                           options=options, **kw)
    if method == "newton":
        if options.get("trust_region", False):
            return newton_trust(prob, radius=float(options.get("radius", 1.0)), **kw)
        return newton(prob, **kw)
    if method == "bfgs":
        scale_init = options.get("scale_init", "up")
        if scale_init not in (True, False, "up"):
            raise CalcmlError(f"minimize: option scale_init must be 'up', True or False; "
                              f"got {scale_init!r}")
        return quasi_newton(prob, "bfgs", scale_init=scale_init, **kw)
    if method == "lbfgs":
        memory = int(options.get("memory", 10))
        if box is not None:
            return lbfgsb(prob, box, memory=memory, **kw)
        return quasi_newton(prob, "lbfgs", memory=memory, **kw)
    return slsqp(prob, cons, cfuns, box, **kw)
