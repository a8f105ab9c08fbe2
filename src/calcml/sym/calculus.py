"""Derivatives, gradients, Jacobians, Hessians, integrals, limits and Taylor polynomials.

Every function takes expression text (parsed with the safe :func:`~calcml.sym.parse`)
or SymPy objects. Variables default to the free symbols sorted by name. SymPy calls
that can run for ever (integrate, limit, series) run under a time limit
(``timeout=`` seconds, default :data:`~calcml.sym.timeout.DEFAULT_TIMEOUT`).
"""
from __future__ import annotations

from typing import Any, Sequence

import sympy

from calcml.errors import CalcmlError, DimensionError
from calcml.sym._inputs import (as_expr, as_scalar, as_symbol, as_value, as_vars, one_var,
                                real_diff, with_real_variables)
from calcml.sym.functions import elementary
from calcml.sym.timeout import DEFAULT_TIMEOUT, run_with_timeout

__all__ = ["diff", "gradient", "jacobian", "hessian", "integrate", "limit", "taylor",
           "NoClosedForm", "substitute"]


def substitute(expr, at: Any, vars: Sequence):
    """``expr`` at a point: ``at`` is a dict (names or Symbols) or a sequence in ``vars``
    order."""
    if at is None:
        return expr
    if isinstance(at, dict):
        subs = {as_symbol(k, expr): as_value(v, "point") for k, v in at.items()}
    else:
        values = list(at) if hasattr(at, "__iter__") else [at]
        if len(values) != len(vars):
            raise DimensionError(f"the point has {len(values)} coordinates but there are "
                                 f"{len(vars)} variables ({', '.join(map(str, vars))})")
        subs = {v: as_value(p if not hasattr(p, "item") else p.item(), "point")
                for v, p in zip(vars, values)}
    return expr.subs(subs)


def diff(expr: Any, *vars: Any, order: int = 1, at: Any = None):
    """The derivative of ``expr``.

    Parameters
    ----------
    expr : str or sympy.Expr or sympy.Matrix
        What to differentiate (a Matrix elementwise).
    *vars : str or sympy.Symbol
        Differentiate with respect to each in turn (``diff(f, "x", "y")`` is the mixed
        partial). None given: the only variable (an error if there are several).
    order : int, default: 1
        How many times to differentiate with respect to each variable.
    at : dict or sequence, optional
        Evaluate at this point (names or Symbols -> values, or values in ``vars`` order).

    Returns
    -------
    sympy.Expr or sympy.Matrix

    Examples
    --------
    >>> diff("x^3 - 2x^2 + 1")
    3*x**2 - 4*x
    >>> diff("sigmoid(x)")
    (1 - sigmoid(x))*sigmoid(x)
    >>> diff("x^2 y", "x", "y")
    2*x
    >>> diff("sin(x)", order=2, at={"x": "pi/2"})
    -1
    """
    f = as_expr(expr)
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise CalcmlError(f"order must be a non-negative integer; got {order!r}")
    symbols = [as_symbol(v, f) for v in vars] or [one_var(None, f, "diff")]
    def derive(e, vs):
        for v in vs:
            e = sympy.diff(e, v, order)
        return e

    return substitute(with_real_variables(derive, f, symbols), at, symbols)


def gradient(expr: Any, vars: Any = None, at: Any = None):
    """The gradient as a column Matrix, in the order of ``vars``.

    Parameters
    ----------
    expr : str or sympy.Expr
    vars : sequence of str or Symbol, optional
        Default: the free symbols sorted by name.
    at : dict or sequence, optional
        Evaluate at this point (in ``vars`` order when a sequence).

    Returns
    -------
    sympy.Matrix
        Shape (n, 1).

    Examples
    --------
    >>> gradient("x^2 + y^3").T
    Matrix([[2*x, 3*y**2]])
    >>> gradient("x^2 + y^3", at=(2, 3)).T
    Matrix([[4, 27]])
    """
    f = as_scalar(expr)
    symbols = as_vars(vars, f)
    g = with_real_variables(lambda e, vs: sympy.Matrix([sympy.diff(e, v) for v in vs]),
                            f, symbols)
    return substitute(g, at, symbols)


def jacobian(exprs: Any, vars: Any = None, at: Any = None):
    """The Jacobian ``J[i, j] = d f_i / d x_j``.

    Parameters
    ----------
    exprs : str ("f1, f2"), list of str/expressions, or sympy.Matrix
    vars : sequence, optional
        Default: the free symbols of all components sorted by name.
    at : dict or sequence, optional

    Returns
    -------
    sympy.Matrix
        Shape (m, n).

    Examples
    --------
    >>> jacobian("2x y, x^2 y")
    Matrix([
    [   2*y,  2*x],
    [2*x*y, x**2]])
    """
    f = as_expr(exprs, "exprs")
    if not isinstance(f, sympy.MatrixBase):
        f = sympy.Matrix([f])
    f = sympy.Matrix(list(f))
    symbols = as_vars(vars, f)
    J = with_real_variables(lambda e, vs: e.jacobian(vs), f, symbols)
    return substitute(J, at, symbols)


def hessian(expr: Any, vars: Any = None, at: Any = None):
    """The Hessian matrix of second partial derivatives.

    Examples
    --------
    >>> hessian("x^2 y + y^3")
    Matrix([
    [2*y,  2*x],
    [2*x, 6*y]])
    """
    f = as_scalar(expr)
    symbols = as_vars(vars, f)
    H = with_real_variables(sympy.hessian, f, symbols)
    return substitute(H, at, symbols)


class NoClosedForm(sympy.Integral):
    """An integral SymPy could not do in closed form; ``numeric`` holds its value when the
    bounds are given (else None). It is a :class:`sympy.Integral`, so ``.doit()`` and
    ``.evalf()`` work as usual."""

    numeric: Any = None

    def __str__(self) -> str:
        base = sympy.sstr(sympy.Integral(*self.args))
        if self.numeric is None:
            return f"{base}  (no closed form found)"
        return f"{base}  (no closed form found; numerically {self.numeric})"

    __repr__ = __str__


def integrate(expr: Any, var: Any = None, bounds: Any = None, *,
              timeout: float | None = DEFAULT_TIMEOUT):
    """An antiderivative, or the definite integral over ``bounds``.

    Parameters
    ----------
    expr : str or sympy.Expr
    var : str or Symbol, optional
        Needed when the expression has several variables.
    bounds : (a, b), optional
        Numbers, SymPy values or text (``"oo"``, ``"-oo"``, ``"pi/2"``); infinite bounds
        are allowed.
    timeout : float or None, default: 10
        Seconds SymPy may take; then :class:`calcml.errors.TimeoutError`.

    Returns
    -------
    sympy.Expr
        The antiderivative (without the constant) or the exact value. When SymPy finds no
        closed form: a :class:`NoClosedForm` (an unevaluated Integral) whose ``numeric``
        attribute holds the numeric value when bounds are given.

    Examples
    --------
    >>> integrate("3x^2 - 4x")
    x**3 - 2*x**2
    >>> integrate("exp(-x^2)", bounds=("-oo", "oo"))
    sqrt(pi)
    >>> r = integrate("sin(sin(x))", bounds=(0, 1))
    >>> r.numeric
    0.430606103120690
    """
    f = elementary(as_scalar(expr))
    x = one_var(var, f, "integrate")
    if bounds is None:
        what = f"the antiderivative of {f} with respect to {x}"
        out = run_with_timeout(lambda: sympy.integrate(f, x), timeout, what)
        if out.has(sympy.Integral):
            return NoClosedForm(f, x)
        return out
    if not isinstance(bounds, (tuple, list)) or len(bounds) != 2:
        raise CalcmlError(f"bounds must be a pair (a, b); got {bounds!r}")
    a, b = (as_value(v, "bound") for v in bounds)
    what = f"the integral of {f} for {x} from {a} to {b}"
    out = run_with_timeout(lambda: sympy.integrate(f, (x, a, b)), timeout, what)
    if out.has(sympy.nan, sympy.AccumBounds):
        raise CalcmlError(f"the integral of {f} for {x} from {a} to {b} does not converge "
                          f"(SymPy gives {out})")
    if out.has(sympy.Integral):
        result = NoClosedForm(f, (x, a, b))
        result.numeric = run_with_timeout(lambda: sympy.Integral(f, (x, a, b)).evalf(15),
                                          timeout, "the numeric value of " + what)
        return result
    return out


def limit(expr: Any, var: Any = None, point: Any = 0, dir: str = "+-", *,
          timeout: float | None = DEFAULT_TIMEOUT):
    """The limit of ``expr`` as ``var`` tends to ``point``.

    Parameters
    ----------
    expr : str or sympy.Expr
    var : str or Symbol
    point : number, str ("oo") or SymPy value
    dir : {"+-", "+", "-"}, default: "+-"
        Two-sided, from the right, or from the left.
    timeout : float or None, default: 10

    Returns
    -------
    sympy.Expr

    Raises
    ------
    CalcmlError
        When the two one-sided limits differ (their values are in the message).

    Examples
    --------
    >>> limit("sin(x)/x", "x", 0)
    1
    >>> limit("(1 + 1/n)^n", "n", "oo")
    E
    >>> limit("1/x", "x", 0, dir="+")
    oo
    """
    if dir not in ("+-", "+", "-"):
        raise CalcmlError(f"dir must be '+-', '+' or '-'; got {dir!r}")
    f = elementary(as_scalar(expr))
    x = one_var(var, f, "limit")
    x0 = as_value(point, "point")
    if x0.is_infinite:
        dir = "-" if x0 is sympy.oo else "+"
    what = f"the limit of {f} as {x} -> {x0}"
    if dir != "+-":
        return _limit_exists(run_with_timeout(lambda: sympy.limit(f, x, x0, dir), timeout,
                                              what), what)

    def both():
        return sympy.limit(f, x, x0, "+"), sympy.limit(f, x, x0, "-")

    right, left = (_limit_exists(v, what) for v in run_with_timeout(both, timeout, what))
    if right != left and not sympy.simplify(right - left) == 0:
        raise CalcmlError(f"the limit of {f} as {x} -> {x0} does not exist: from the left "
                          f"it is {left}, from the right {right}; pass dir='+' or dir='-'")
    return right


def _limit_exists(value, what: str):
    """``value``, or CalcmlError when SymPy says the limit oscillates (AccumBounds) or is
    undefined (nan)."""
    if isinstance(value, sympy.Basic) and value.has(sympy.AccumBounds, sympy.nan):
        raise CalcmlError(f"{what} does not exist (SymPy gives {value}: the function "
                          "oscillates or is undefined there)")
    return value


def _kink_at(d, x, a) -> bool:
    """Whether ``d`` has a sign/step/delta whose argument vanishes at ``x = a``."""
    return any(sympy.simplify(k.args[0].subs(x, a)) == 0
               for k in d.atoms(sympy.sign, sympy.Heaviside, sympy.DiracDelta, sympy.Abs))


def taylor(expr: Any, var: Any = None, x0: Any = 0, order: int = 3, *,
           timeout: float | None = DEFAULT_TIMEOUT):
    """The Taylor polynomial of degree ``order`` about ``x0`` (no O() term).

    Examples
    --------
    >>> taylor("exp(x)", "x", 0, 3)
    x**3/6 + x**2/2 + x + 1
    >>> taylor("log(x)", "x", 1, 2)
    x - (x - 1)**2/2 - 1
    """
    if not isinstance(order, int) or isinstance(order, bool) or order < 0:
        raise CalcmlError(f"order must be a non-negative integer; got {order!r}")
    f = as_scalar(expr)
    x = one_var(var, f, "taylor")
    a = as_value(x0, "x0")

    def run():
        # sum f^(k)(a) (x-a)^k / k!: exact, and works for functions series() cannot expand
        terms, d = [], f
        for k in range(order + 1):
            if k and _kink_at(d, x, a):
                # |u|, relu... where u(a) = 0: the derivative exists only if both sides agree
                left, right = (sympy.limit(elementary(d), x, a, side) for side in "-+")
                if sympy.simplify(left - right) != 0:
                    raise CalcmlError(f"{f} has no Taylor polynomial of order {order} about "
                                      f"{x} = {a}: its derivative of order {k} jumps there "
                                      f"(from {left} to {right})")
                c = left
            elif d.subs(x, a).has(sympy.nan, sympy.zoo):
                c = sympy.limit(elementary(d), x, a)
            else:
                c = d.subs(x, a)
            if c.has(sympy.oo, -sympy.oo, sympy.zoo, sympy.nan, sympy.AccumBounds):
                raise CalcmlError(f"{f} has no Taylor polynomial of order {order} about "
                                  f"{x} = {a}: its derivative of order {k} is {c} there")
            terms.append(sympy.simplify(c) / sympy.factorial(k) * (x - a) ** k)
            d = real_diff(d, x)
        return sympy.Add(*terms)

    def checked():
        try:
            return run()
        except (NotImplementedError, ValueError) as exc:
            reason = " ".join(str(exc).split())
            raise CalcmlError(f"SymPy cannot expand {f} about {x} = {a} ({reason})") from None

    return run_with_timeout(checked, timeout, f"the Taylor polynomial of {f} about {x} = {a}")
