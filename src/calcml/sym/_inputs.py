"""Input checks shared by calcml.sym's functions: expressions and variable lists."""
from __future__ import annotations

from typing import Any, Sequence

import sympy

from calcml.errors import CalcmlError
from calcml.sym.parser import parse


def as_expr(expr: Any, what: str = "expr"):
    """A SymPy object from text (safe parser), a SymPy object or a Python number."""
    if isinstance(expr, str):
        return parse(expr)
    if isinstance(expr, (sympy.Basic, sympy.MatrixBase)):
        return expr
    if isinstance(expr, bool):
        raise CalcmlError(f"{what} must be an expression, got a bool")
    if isinstance(expr, int):
        return sympy.Integer(expr)
    if isinstance(expr, float):
        return sympy.Float(expr)
    if isinstance(expr, (list, tuple)):
        return sympy.Matrix([as_expr(e, what) for e in expr])
    raise CalcmlError(f"{what} must be expression text, a SymPy expression or a number; got "
                      f"{type(expr).__name__}")


def as_scalar(expr: Any, what: str = "expr"):
    out = as_expr(expr, what)
    if isinstance(out, sympy.MatrixBase) or not isinstance(out, sympy.Expr):
        raise CalcmlError(f"{what} must be a single expression, got {out}")
    return out


def as_symbol(var: Any, expr=None):
    """A Symbol from a name or a Symbol; a name matches the expression's own symbol."""
    if isinstance(var, sympy.Symbol):
        return var
    if isinstance(var, str):
        name = var.strip()
        if not name.isidentifier() or name.startswith("_"):
            raise CalcmlError(f"{var!r} is not a variable name")
        for s in getattr(expr, "free_symbols", ()):
            if s.name == name:
                return s
        return sympy.Symbol(name)
    raise CalcmlError(f"a variable must be a name or a SymPy Symbol; got {type(var).__name__}")


def with_real_variables(derive, expr, symbols: Sequence):
    """``derive(expr, symbols)`` with the variables taken as real numbers, the result
    written back in the caller's own symbols.

    calcml's variables are real (SymPy's plain symbols are complex, which makes
    ``d|x|/dx`` come out in terms of ``re(x)`` and ``im(x)``); here ``|x|' = sign(x)``.
    ``expr`` may be a Matrix; each symbol is replaced once, whatever ``derive`` does.
    """
    real = {s: sympy.Dummy(s.name, real=True) for s in expr.free_symbols
            if isinstance(s, sympy.Symbol) and s.is_real is None}
    if not real:
        return derive(expr, list(symbols))
    back = {d: s for s, d in real.items()}
    return derive(expr.xreplace(real), [real.get(v, v) for v in symbols]).xreplace(back)


def real_diff(expr, var, order: int = 1):
    """``d^order expr / d var^order`` with real variables (see :func:`with_real_variables`)."""
    return with_real_variables(lambda e, vs: sympy.diff(e, vs[0], order), expr, [var])


def default_vars(expr) -> list:
    """The free symbols sorted by name (calcml's default variable order)."""
    return sorted(getattr(expr, "free_symbols", ()), key=lambda s: s.name)


def as_vars(vars: Any, expr) -> list:
    """``vars`` as a list of Symbols (a name, "x, y", a list of names/symbols or None)."""
    if vars is None:
        return default_vars(expr)
    if isinstance(vars, str):
        vars = vars.replace(",", " ").split()
    elif isinstance(vars, sympy.Symbol):
        vars = [vars]
    elif isinstance(vars, sympy.MatrixBase):
        vars = list(vars)
    if not isinstance(vars, Sequence):
        raise CalcmlError(f"vars must be names or Symbols; got {type(vars).__name__}")
    out = [as_symbol(v, expr) for v in vars]
    if len(set(out)) != len(out):
        raise CalcmlError(f"vars contains a variable twice: {out}")
    return out


def one_var(var: Any, expr, what: str):
    if var is not None:
        return as_symbol(var, expr)
    free = default_vars(expr)
    if len(free) == 1:
        return free[0]
    if not free:
        return sympy.Symbol("x")
    raise CalcmlError(f"{what}: the expression has several variables "
                      f"({', '.join(map(str, free))}); say which one with var=")


def as_value(v: Any, what: str):
    """A bound or point: a number, a string like 'oo' or 'pi/2', or a SymPy number."""
    out = as_scalar(v, what) if isinstance(v, str) else as_expr(v, what)
    if isinstance(out, sympy.MatrixBase):
        raise CalcmlError(f"{what} must be a single value")
    return out


def real_number(v: Any, tol: float = 1e-12):
    """``v`` as a float when it is a real number, else None.

    SymPy writes some real numbers with ``I`` (Cardano's formula for a cubic with three
    real roots), so ``is_real`` can be None for them: those are evaluated to 30 digits and
    accepted when the imaginary part is negligible. Symbolic values give None.
    """
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return float(v)
    if not getattr(v, "is_number", False) or v.is_real is False:
        return None
    if v.is_real:
        try:
            return float(v)
        except (TypeError, ValueError):
            return None
    try:
        z = complex(v.evalf(30))
    except (TypeError, ValueError):
        return None
    return z.real if abs(z.imag) <= tol * max(1.0, abs(z.real)) else None


def real_form(v: Any):
    """``v`` itself, or ``re(v)`` for a real number that SymPy wrote with ``I`` (so that
    ``float()`` and sign tests work on it)."""
    if isinstance(v, sympy.Expr) and v.is_number and v.is_real is None \
            and real_number(v) is not None:
        return sympy.re(v)
    return v
