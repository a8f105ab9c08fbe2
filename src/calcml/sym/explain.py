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

from calcml.sym._inputs import as_scalar, one_var, real_diff
from calcml.sym.functions import elementary, relu, sigmoid, softplus
from calcml.sym.results import Explanation, Step
from calcml.sym.timeout import DEFAULT_TIMEOUT, run_with_timeout

__all__ = ["explain", "explain_integral", "RULE_NAMES"]

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
        if isinstance(e, sympy.Abs):
            (u,) = e.args
            if u == x:
                return self.add("absolute value rule", e, sympy.sign(x),
                                f"d/d{x} |{x}| = sign({x}) (undefined at 0; calcml's autodiff "
                                "takes 0 there)")
            du = self.d(u)
            return self.add("chain rule", e, sympy.sign(u) * du,
                            f"outer: absolute value rule, d/du |u| = sign(u); u = {u}")
        return self.add("differentiated by SymPy", e, real_diff(e, x),
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
            return self.add("differentiated by SymPy", e, real_diff(e, x), "0 to a power")
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


_BASE_INTEGRALS = {
    sympy.exp: ("exponential rule", sympy.exp),
    sympy.sin: ("trigonometric rule", lambda u: -sympy.cos(u)),
    sympy.cos: ("trigonometric rule", sympy.sin),
    sympy.sinh: ("hyperbolic rule", sympy.cosh),
    sympy.cosh: ("hyperbolic rule", sympy.sinh),
}


class _Integrator:
    """Textbook antiderivative rules; anything else is integrated by SymPy."""

    def __init__(self, x, depth: int = 0):
        self.x = x
        self.depth = depth
        self.steps: list[Step] = []

    def add(self, rule: str, e, F, note: str = ""):
        self.steps.append(Step(rule, e, F, note))
        return F

    def linear(self, u):
        """a if u = a x + b (a != 0, a and b constants), else None."""
        a = sympy.diff(u, self.x)
        return a if a != 0 and not a.has(self.x) else None

    def i(self, e):
        x = self.x
        if not e.has(x):
            return self.add("constant rule", e, e * x, f"integral of c is c {x}")
        if e == x:
            return self.add("power rule", e, x ** 2 / 2, f"integral of {x}^n is {x}^(n+1)/(n+1)")
        if isinstance(e, sympy.Add):
            parts = [self.i(t) for t in e.args]
            return self.add("sum rule", e, sympy.Add(*parts),
                            "the integral of a sum is the sum of the integrals")
        coeff, rest = e.as_independent(x, as_Add=False)
        if coeff != 1:
            inner = self.i(rest)
            return self.add("constant multiple rule", e, coeff * inner, f"c = {coeff}")
        if isinstance(e, sympy.Pow) and not e.exp.has(x) and (a := self.linear(e.base)):
            n, u = e.exp, e.base
            F = sympy.log(u) / a if n == -1 else u ** (n + 1) / ((n + 1) * a)
            rule = "logarithm rule" if n == -1 else "power rule"
            note = "" if u == x else f"linear substitution u = {u}, du = {a} d{x}"
            return self.add(rule, e, F, note)
        if isinstance(e, sympy.Pow) and not e.base.has(x) and (a := self.linear(e.exp)):
            return self.add("exponential rule", e, e / (a * sympy.log(e.base)),
                            "integral of b^u is b^u / ln(b)")
        if isinstance(e, sympy.Function) and e.func in _BASE_INTEGRALS and len(e.args) == 1:
            (u,) = e.args
            a = self.linear(u)
            if a is not None:
                rule, F = _BASE_INTEGRALS[e.func]
                note = "" if u == x else f"linear substitution u = {u}, du = {a} d{x}"
                return self.add(rule, e, F(u) / a, note)
        if self.depth < 3:
            found = self.substitution(e)
            if found is not None:
                return found
            found = self.parts(e)
            if found is not None:
                return found
        return self.add("integrated by SymPy", e, sympy.integrate(elementary(e), x),
                        "no textbook rule applies directly")

    def substitution(self, e):
        """u-substitution: e = g(u) u' for an inner expression u of e."""
        x = self.x
        U = sympy.Dummy("u")
        candidates = {a for f in sympy.preorder_traversal(e)
                      if isinstance(f, (sympy.Function, sympy.Pow)) for a in f.args
                      if a.has(x) and a != x}
        for u in sorted(candidates, key=sympy.count_ops, reverse=True):
            du = sympy.diff(u, x)
            g = sympy.simplify((e / du).subs(u, U))
            if g.has(x) or not g.has(U):
                continue
            sub = _Integrator(U, self.depth + 1)
            G = sub.i(g)
            if G.has(sympy.Integral):
                continue
            self.steps.extend(Step(s.rule, s.expr.subs(U, sympy.Symbol("u")),
                                   s.derivative.subs(U, sympy.Symbol("u")), s.note)
                              for s in sub.steps)
            return self.add("substitution rule", e, G.subs(U, u),
                            f"u = {u}, du = ({du}) d{x}")
        return None

    def parts(self, e):
        """Integration by parts, integral u dv = u v - integral v du, for
        x^n * (exp | sin | cos)(linear) and x^n * log(x)."""
        x = self.x
        if not isinstance(e, sympy.Mul):
            return None
        poly = [f for f in e.args if f == x or (isinstance(f, sympy.Pow) and f.base == x
                                                 and f.exp.is_Integer and f.exp > 0)]
        if len(poly) != 1:
            return None
        other = e / poly[0]
        if isinstance(other, sympy.log) and other.args[0] == x:
            u, dv = other, poly[0]
        elif isinstance(other, sympy.Function) and other.func in _BASE_INTEGRALS \
                and self.linear(other.args[0]) is not None:
            u, dv = poly[0], other
        else:
            return None
        v = self.i(dv)
        rest = sympy.expand(v * sympy.diff(u, x))
        R = self.i(rest)
        return self.add("integration by parts", e, u * v - R,
                        f"u = {u}, dv = {dv} d{x}, v = {v}")


def explain_integral(expr: Any, var: Any = None, *,
                     timeout: float | None = DEFAULT_TIMEOUT) -> Explanation:
    """An antiderivative worked out rule by rule (optional companion of :func:`explain`).

    Rules: constant, power (and ``1/x -> log(x)``), sum, constant multiple, exponential,
    trigonometric and hyperbolic integrals of a linear argument, u-substitution and
    integration by parts (``x^n`` times exp/sin/cos of a linear argument, ``x^n log x``);
    anything else is integrated by SymPy, and the step says so. The result
    differentiates back to ``expr`` (no constant of integration is added).

    Parameters
    ----------
    expr : str or sympy.Expr
    var : str or Symbol, optional
    timeout : float or None, default: 10
        Seconds allowed; then :class:`calcml.errors.TimeoutError`.

    Returns
    -------
    Explanation
        With ``operation="integral"``; each step's ``derivative`` field holds the
        antiderivative of its ``expr``.

    Examples
    --------
    >>> e = explain_integral("2x cos(x^2)")
    >>> [s.rule for s in e.steps]
    ['trigonometric rule', 'constant multiple rule', 'substitution rule', 'constant multiple rule']
    >>> e.result
    sin(x**2)
    >>> explain_integral("x exp(x)").result
    x*exp(x) - exp(x)
    """
    f = as_scalar(expr)
    x = one_var(var, f, "explain_integral")

    def run() -> Explanation:
        ig = _Integrator(x)
        return Explanation(f, x, ig.steps, ig.i(f), "integral")

    return run_with_timeout(run, timeout, f"the step-by-step integral of {f}")
