"""calcml.sym: exact calculus with SymPy behind a safe parser.

>>> import calcml as cm
>>> cm.sym.gradient("x^2 + y^3", at=(2, 3)).T
Matrix([[4, 27]])
"""
from calcml.sym.calculus import (NoClosedForm, diff, gradient, hessian, integrate, jacobian,
                                 limit, taylor)
from calcml.sym.functions import relu, sigmoid, softplus
from calcml.sym.parser import parse
from calcml.sym.results import CriticalPoint, Explanation, LagrangeResult
from calcml.sym.timeout import DEFAULT_TIMEOUT

__all__ = ["parse", "diff", "gradient", "jacobian", "hessian", "integrate", "limit", "taylor",
           "NoClosedForm", "sigmoid", "relu", "softplus", "CriticalPoint", "Explanation",
           "LagrangeResult", "DEFAULT_TIMEOUT"]
