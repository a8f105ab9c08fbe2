"""Derivatives worked out rule by rule, as a textbook would.

:func:`explain` walks the expression tree and applies, at each node, the rule a person
would use: constant, identity, power, sum/difference, constant multiple, product,
quotient, exponential, logarithm, trigonometric, inverse trigonometric, hyperbolic,
inverse hyperbolic and activation-function rules, each combined with the chain rule
when its argument is not the variable itself. Steps are recorded innermost first, so
every sub-derivative appears before the step that uses it. Functions without a textbook
rule (``abs``, ``sign``, ``min``/``max``...) are differentiated by SymPy and the step
says so. The result equals ``sympy.diff(expr, var)``.
"""
from __future__ import annotations

from typing import Any

import sympy

from calcml.sym._inputs import as_scalar, one_var
from calcml.sym.functions import relu, sigmoid, softplus
from calcml.sym.results import Explanation, Step

__all__ = ["explain", "RULE_NAMES"]

#: SymPy function class -> the rule for its outer derivative
RULE_NAMES: dict = {
    sympy.exp: "exponential rule", sympy.log: "logarithm rule",
    **{f: "trigonometric rule" for f in (sympy.sin, sympy.cos, sympy.tan, sympy.cot,
                                         sympy.sec, sympy.csc)},
    **{f: "inverse trigonometric rule" for f in (sympy.asin, sympy.acos, sympy.atan,
                                                 sympy.acot)},
    **{f: "hyperbolic rule" for f in (sympy.sinh, sympy.cosh, sympy.tanh, sympy.coth)},
    **{f: "inverse hyperbolic rule" for f in (sympy.asinh, sympy.acosh, sympy.atanh)},
    sympy.erf: "error function rule", sigmoid: "sigmoid rule", softplus: "softplus rule",
}
_SYMPY_ONLY = (sympy.Abs, sympy.sign, sympy.Heaviside, sympy.Max, sympy.Min, relu)


class _Explainer:
    def __init__(self, x):
        self.x = x
        self.steps: list[Step] = []

    def add(self, rule: str, e, d, note: str = ""):
        self.steps.append(Step(rule, e, d, note))
        return d

    def d(self, e):
        x = self.x
        if not e.has(x):
            return self.add("constant rule", e, sympy.Integer(0))
        if e == x:
            return self.add("identity rule", e, sympy.Integer(1), f"d/d{x} {x} = 1")
        if isinstance(e, sympy.Add):
            ds = [self.d(t) for t in e.args]
            minus = any(t.could_extract_minus_sign() for t in e.args)
            return self.add("difference rule" if minus else "sum rule", e, sympy.Add(*ds),
                            "the derivative of a sum is the sum of the derivatives")
        if isinstance(e, sympy.Mul):
            return self.mul(e)
        if isinstance(e, sympy.Pow):
            return self.pow(e)
        if isinstance(e, sympy.Function) and len(e.args) == 1 and e.func in RULE_NAMES:
            return self.function(e)
        return self.add("differentiated by SymPy", e, sympy.diff(e, x),
                        "no textbook rule is implemented for this function")

    def mul(self, e):
        x = self.x
        coeff, rest = e.as_independent(x, as_Add=False)
        if coeff != 1:
            dr = self.d(rest)
            return self.add("constant multiple rule", e, coeff * dr,
                            f"d/d{x} (c f) = c f', c = {coeff}")
        num = [a for a in e.args if not (isinstance(a, sympy.Pow) and a.exp.is_number
                                         and a.exp.is_negative and a.base.has(x))]
        den = [1 / a for a in e.args if a not in num]
        if num and den:
            u, v = sympy.Mul(*num), sympy.Mul(*den)
            du, dv = self.d(u), self.d(v)
            return self.add("quotient rule", e, (du * v - u * dv) / v ** 2,
                            f"(u/v)' = (u'v - uv')/v^2 with u = {u}, v = {v}")
        factors = list(e.args)
        ds = [self.d(f) for f in factors]
        terms = [sympy.Mul(*(ds[i] if j == i else f for j, f in enumerate(factors)))
                 for i in range(len(factors))]
        return self.add("product rule", e, sympy.Add(*terms), "(uv)' = u'v + uv'")

    def pow(self, e):
        x = self.x
        b, p = e.base, e.exp
        if not p.has(x):
            outer = p * b ** (p - 1)
            if b == x:
                return self.add("power rule", e, outer, f"d/d{x} {x}^n = n {x}^(n-1), n = {p}")
            db = self.d(b)
            return self.add("chain rule", e, outer * db,
                            f"outer: power rule, d/du u^{p} = {p} u^({p - 1}); u = {b}")
        if not b.has(x) and b.is_zero:
            return self.add("differentiated by SymPy", e, sympy.diff(e, x), "0 to a power")
        if not b.has(x):
            dp = self.d(p)
            return self.add("exponential rule" + ("" if p == x else " + chain rule"), e,
                            e * sympy.log(b) * dp, f"d/du a^u = a^u ln(a), a = {b}")
        inner = p * sympy.log(b)
        di = self.d(inner)
        return self.add("logarithmic differentiation", e, e * di,
                        f"{e} = exp({inner}), so its derivative is {e} * ({inner})'")

    def function(self, e):
        x = self.x
        (arg,) = e.args
        u = sympy.Dummy("u")
        outer = sympy.diff(e.func(u), u)
        rule = RULE_NAMES[e.func]
        if arg == x:
            return self.add(rule, e, outer.subs(u, x),
                            f"d/d{x} {e.func.__name__}({x}) = {outer.subs(u, x)}")
        da = self.d(arg)
        shown = outer.subs(u, sympy.Symbol("u"))
        return self.add("chain rule", e, outer.subs(u, arg) * da,
                        f"outer: {rule}, d/du {e.func.__name__}(u) = {shown}; u = {arg}")


def explain(expr: Any, var: Any = None) -> Explanation:
    """Differentiate ``expr`` step by step.

    Parameters
    ----------
    expr : str or sympy.Expr
    var : str or Symbol, optional
        Needed when the expression has several variables.

    Returns
    -------
    Explanation
        ``steps`` (rule name, sub-expression, its derivative; innermost first) and
        ``result`` (equal to ``sympy.diff(expr, var)``); ``str()`` gives text,
        ``to_latex()`` a LaTeX ``aligned`` block.

    Examples
    --------
    >>> e = explain("x^2 sin(x)")
    >>> print(e)
    d/dx (x**2*sin(x))
      1. power rule: d/dx (x**2) = 2*x  [d/dx x^n = n x^(n-1), n = 2]
      2. trigonometric rule: d/dx (sin(x)) = cos(x)  [d/dx sin(x) = cos(x)]
      3. product rule: d/dx (x**2*sin(x)) = x**2*cos(x) + 2*x*sin(x)  [(uv)' = u'v + uv']
    result: x**2*cos(x) + 2*x*sin(x)
    >>> [s.rule for s in explain("exp(3x)").steps]
    ['identity rule', 'constant multiple rule', 'chain rule']
    """
    f = as_scalar(expr)
    x = one_var(var, f, "explain")
    ex = _Explainer(x)
    result = ex.d(f)
    return Explanation(f, x, ex.steps, result)
