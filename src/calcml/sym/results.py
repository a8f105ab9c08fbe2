"""Result objects of calcml.sym: readable in a terminal, LaTeX in Jupyter."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import sympy

__all__ = ["CriticalPoint", "KKTCandidate", "LagrangeResult", "Step", "Explanation",
           "point_text", "point_latex"]


def approx_text(v: Any) -> str:
    """``v``, followed by ``~ 0.123457`` when it is an irrational or implicit number."""
    if isinstance(v, sympy.Expr) and v.is_number and not isinstance(v, sympy.Rational) \
            and not v.is_Float and v.is_real is not False:
        try:
            return f"{v} ~ {float(v):.6g}"
        except (TypeError, ValueError):
            pass
    return str(v)


def point_text(point: dict) -> str:
    return "(" + ", ".join(f"{k} = {approx_text(v)}" for k, v in point.items()) + ")"


def point_latex(point: dict) -> str:
    return r"\left(" + ", ".join(f"{sympy.latex(k)} = {sympy.latex(v)}"
                                 for k, v in point.items()) + r"\right)"


def _by_name(d: dict) -> dict:
    return {str(k): v for k, v in d.items()}


@dataclass(frozen=True)
class CriticalPoint:
    """A point where the gradient vanishes, its value and its kind.

    Attributes
    ----------
    point : dict
        Symbol -> exact coordinate.
    value : sympy.Expr
        The function's value there.
    kind : str
        ``"minimum"``, ``"maximum"``, ``"saddle"`` (neither; in one variable a stationary
        inflection point) or ``"degenerate"`` (the test cannot tell).
    test : str
        How the kind was decided (Hessian eigenvalue signs, or the order of the first
        non-zero derivative in one variable).
    """

    point: dict
    value: Any
    kind: str
    test: str = ""

    def as_dict(self) -> dict:
        """The point keyed by variable name."""
        return _by_name(self.point)

    def __str__(self) -> str:
        return f"{self.kind} at {point_text(self.point)}, value {approx_text(self.value)}" + (
            f" ({self.test})" if self.test else "")

    def _repr_latex_(self) -> str:
        return (f"$\\text{{{self.kind} at }} {point_latex(self.point)},\\ "
                f"f = {sympy.latex(self.value)}$")


@dataclass(frozen=True)
class KKTCandidate:
    """A KKT point of one active set: primal and dual feasibility are recorded, and
    ``second_order``: whether the Hessian of the Lagrangian is positive semidefinite on
    the tangent space of the active constraints (a local minimum of the goal needs it;
    ``None`` when it could not be evaluated)."""

    point: dict
    value: Any
    multipliers: dict
    active: tuple
    feasible: bool
    second_order: bool | None = None

    def as_dict(self) -> dict:
        return _by_name(self.point)

    def __str__(self) -> str:
        mult = ", ".join(f"{k} = {v}" for k, v in self.multipliers.items()) or "none"
        flag = "feasible" if self.feasible else "infeasible"
        if self.feasible and self.second_order is False:
            flag += ", not a local optimum (second-order test)"
        return (f"{point_text(self.point)} value {self.value}; multipliers {mult}; "
                f"active {list(self.active)}; {flag}")


@dataclass(frozen=True)
class LagrangeResult:
    """The optimum of a constrained problem found from the KKT conditions.

    Attributes
    ----------
    point : dict
        Symbol -> exact optimum coordinate.
    value : sympy.Expr
        The objective at the optimum.
    multipliers : dict
        Multiplier symbol (``lambda_i`` for equality ``i``, ``mu_j`` for inequality ``j``,
        numbered in the order the constraints were given) -> value, with the convention
        ``grad f = sum lambda_i grad g_i + sum mu_j grad h_j`` (``g_i = 0``,
        ``h_j >= 0``, ``mu_j >= 0`` for a minimum).
    candidates : list of KKTCandidate
        Every KKT point found (all active sets), feasible or not.
    sense : str
        ``"min"`` or ``"max"``.
    """

    point: dict
    value: Any
    multipliers: dict
    candidates: list = field(default_factory=list)
    sense: str = "min"

    def as_dict(self) -> dict:
        """``{"point": {name: value}, "value": value, "multipliers": {name: value}}``."""
        return {"point": _by_name(self.point), "value": self.value,
                "multipliers": _by_name(self.multipliers)}

    def __str__(self) -> str:
        mult = ", ".join(f"{k} = {v}" for k, v in self.multipliers.items()) or "none"
        n_ok = sum(c.feasible for c in self.candidates)
        return (f"{self.sense}imum at {point_text(self.point)}, value {self.value}\n"
                f"multipliers: {mult}\n"
                f"{len(self.candidates)} KKT candidates, {n_ok} feasible")

    def _repr_latex_(self) -> str:
        mult = ", ".join(f"{sympy.latex(k)} = {sympy.latex(v)}"
                         for k, v in self.multipliers.items())
        return (f"$\\text{{{self.sense}imum at }} {point_latex(self.point)},\\ "
                f"f = {sympy.latex(self.value)},\\ {mult}$")


@dataclass(frozen=True)
class Step:
    """One rule application: ``d/dvar expr = derivative`` by ``rule``."""

    rule: str
    expr: Any
    derivative: Any
    note: str = ""

    def text(self, var, operation: str = "derivative") -> str:
        extra = f"  [{self.note}]" if self.note else ""
        head = f"d/d{var} ({self.expr})" if operation == "derivative" else \
            f"integral of ({self.expr}) d{var}"
        return f"{self.rule}: {head} = {self.derivative}{extra}"

    def latex(self, var, operation: str = "derivative") -> str:
        v, e = sympy.latex(var), sympy.latex(self.expr)
        head = f"\\frac{{d}}{{d{v}}}\\left({e}\\right)" if operation == "derivative" else \
            f"\\int {e} \\, d{v}"
        return f"{head} &= {sympy.latex(self.derivative)} && \\text{{{self.rule}}}"


@dataclass(frozen=True)
class Explanation:
    """A derivative worked out rule by rule, innermost steps first.

    Attributes
    ----------
    expr : sympy.Expr
        What was differentiated.
    var : sympy.Symbol
        With respect to what.
    steps : list of Step
        The rules applied, in the order a textbook would write them down (each
        sub-expression's derivative before the expression that uses it).
    result : sympy.Expr
        The derivative (equal to ``sympy.diff(expr, var)``), or the antiderivative.
    operation : str
        ``"derivative"`` (:func:`~calcml.sym.explain`) or ``"integral"``
        (:func:`~calcml.sym.explain.explain_integral`).
    """

    expr: Any
    var: Any
    steps: list
    result: Any
    operation: str = "derivative"

    def __str__(self) -> str:
        head = f"d/d{self.var} ({self.expr})" if self.operation == "derivative" else \
            f"integral of ({self.expr}) d{self.var}"
        lines = [head]
        lines += [f"  {i}. {s.text(self.var, self.operation)}"
                  for i, s in enumerate(self.steps, 1)]
        lines.append(f"result: {self.result}")
        return "\n".join(lines)

    def as_dict(self) -> dict:
        """Plain strings, for JSON: expression, variable, steps and result."""
        return {"operation": self.operation, "expr": str(self.expr), "var": str(self.var),
                "result": str(self.result),
                "steps": [{"rule": s.rule, "expr": str(s.expr),
                           "derivative": str(s.derivative), "note": s.note}
                          for s in self.steps]}

    def to_latex(self) -> str:
        """The steps as a LaTeX ``aligned`` block."""
        rows = [s.latex(self.var, self.operation) for s in self.steps]
        return "\\begin{aligned}\n" + " \\\\\n".join(rows) + "\n\\end{aligned}"

    def _repr_latex_(self) -> str:
        return "$$" + self.to_latex() + "$$"
