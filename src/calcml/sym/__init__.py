"""calcml.sym: exact calculus with SymPy behind a safe parser.

Strings go through :func:`parse` (Python's ``ast`` with a whitelist; never ``eval``);
SymPy calls that can run for ever have a ``timeout=`` (default 10 s) and raise
:class:`calcml.errors.TimeoutError` instead of hanging. Variables default to the free
symbols sorted by name.

>>> import calcml as cm
>>> cm.sym.gradient("x^2 + y^3", at=(2, 3)).T
Matrix([[4, 27]])
>>> cm.sym.diff("sigmoid(x)")
(1 - sigmoid(x))*sigmoid(x)
"""
from calcml.sym.calculus import (NoClosedForm, diff, gradient, hessian, integrate, jacobian,
                                 limit, taylor)
from calcml.sym.critical import critical_points
from calcml.sym.explain import explain, explain_integral
from calcml.sym.functions import relu, sigmoid, softplus
from calcml.sym.lagrange import lagrange
from calcml.sym.lambdify import lambdify
from calcml.sym.parser import parse
from calcml.sym.results import CriticalPoint, Explanation, KKTCandidate, LagrangeResult, Step
from calcml.sym.timeout import DEFAULT_TIMEOUT

__all__ = ["parse", "diff", "gradient", "jacobian", "hessian", "integrate", "limit", "taylor",
           "critical_points", "lagrange", "explain", "explain_integral", "lambdify",
           "NoClosedForm", "sigmoid", "relu", "softplus", "CriticalPoint", "Explanation",
           "Step", "KKTCandidate", "LagrangeResult", "DEFAULT_TIMEOUT"]
