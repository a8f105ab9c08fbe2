"""SymPy expression -> plain-NumPy function that calcml's AD engine can differentiate.

The generated code calls NumPy functions (``np.exp``, ``np.sin``, ``np.maximum``...) and
operators on its arguments, so :func:`calcml.grad` traces it like hand-written code.
``sigmoid`` and ``softplus`` are computed stably with ``np.logaddexp``; ``max``/``min``
become nested ``np.maximum``/``np.minimum``.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
import sympy
from sympy.printing.numpy import NumPyPrinter

from calcml.errors import DimensionError
from calcml.sym._inputs import as_expr, as_vars

__all__ = ["lambdify"]


def _sigmoid(z):
    return np.exp(-np.logaddexp(0.0, -z))


def _softplus(z):
    return np.logaddexp(0.0, z)


def _relu(z):
    return np.maximum(z, 0.0)


def _erf(z):
    from scipy.special import erf

    return erf(z)


_NAMESPACE = {"sigmoid": _sigmoid, "softplus": _softplus, "relu": _relu, "erf": _erf}


class _Printer(NumPyPrinter):
    """NumPy printer whose Max/Min are elementwise binary calls (traceable by AD)."""

    def _nested(self, name: str, args) -> str:
        code = self._print(args[0])
        for a in args[1:]:
            code = f"numpy.{name}({code}, {self._print(a)})"
        return code

    def _print_Max(self, expr):
        return self._nested("maximum", expr.args)

    def _print_Min(self, expr):
        return self._nested("minimum", expr.args)

    def _print_erf(self, expr):
        return f"erf({self._print(expr.args[0])})"


def lambdify(expr: Any, vars: Any = None) -> Callable:
    """A NumPy function computing ``expr``, differentiable by :func:`calcml.grad`.

    Parameters
    ----------
    expr : str or sympy.Expr or sympy.Matrix
    vars : sequence of str or Symbol, optional
        Argument order; default: the free symbols sorted by name.

    Returns
    -------
    callable
        One variable: ``f(x)``, elementwise. Several: ``f(x, y, ...)`` with one argument
        per variable, or ``f(v)`` with one vector (``v[0], v[1], ...`` in ``vars``
        order). A Matrix expression returns ``np.stack`` of its components (shape
        ``(m,) + shape of the arguments``). A constant returns a float array of the
        arguments' shape.

    Examples
    --------
    >>> import numpy as np
    >>> import calcml as cm
    >>> f = lambdify("x^2 + y^3")
    >>> float(f(np.array([2.0, 3.0])))
    31.0
    >>> cm.grad(f)(np.array([2.0, 3.0]))
    array([ 4., 27.])
    >>> lambdify("5")(np.zeros(3))
    array([5., 5., 5.])
    """
    f = as_expr(expr)
    symbols = as_vars(vars, f)
    matrix = isinstance(f, sympy.MatrixBase)
    parts = list(f) if matrix else [f]
    n = len(symbols)
    free = set(symbols)
    if any(p.free_symbols - free for p in parts):
        extra = sorted({str(s) for p in parts for s in p.free_symbols - free})
        raise DimensionError(f"the expression uses {', '.join(extra)}, which are not among "
                             f"vars {[str(s) for s in symbols]}")
    args = symbols or [sympy.Symbol("x")]
    printer = _Printer({"fully_qualified_modules": True, "inline": True,
                        "allow_unknown_functions": True})
    compiled = []
    for p in parts:
        if p.free_symbols:
            compiled.append(sympy.lambdify(args, p, modules=[_NAMESPACE, "numpy"],
                                           printer=printer))
        else:
            value = complex(p)
            if value.imag:
                raise DimensionError(f"the constant {p} is not real")
            compiled.append(value.real)

    def shape_of(values) -> tuple:
        return np.broadcast_shapes(*(np.shape(v) for v in values))

    def evaluate(values) -> Any:
        outs = [np.full(shape_of(values), c, dtype=float) if isinstance(c, float)
                else c(*values) for c in compiled]
        if not matrix:
            return outs[0]
        shape = shape_of(values)
        outs = [o if np.shape(o) == shape else np.broadcast_to(o, shape) for o in outs]
        return np.stack(outs)

    def fn(*values):
        if n <= 1:
            if len(values) != 1:
                raise DimensionError(f"this function takes 1 argument ({args[0]}), got "
                                     f"{len(values)}")
            return evaluate(values)
        if len(values) == n:
            return evaluate(values)
        if len(values) == 1:
            v = values[0]
            if np.shape(v)[:1] != (n,):
                raise DimensionError(f"expected {n} arguments ({', '.join(map(str, symbols))})"
                                     f" or one vector of length {n}; got shape {np.shape(v)}")
            return evaluate([v[i] for i in range(n)])
        raise DimensionError(f"expected {n} arguments ({', '.join(map(str, symbols))}) or one "
                             f"vector of length {n}; got {len(values)} arguments")

    fn.__doc__ = f"{f} as a NumPy function of ({', '.join(map(str, args))})"
    fn.variables = tuple(args)
    fn.expr = f
    return fn
