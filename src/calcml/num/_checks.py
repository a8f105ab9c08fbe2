"""Input validation shared by :mod:`calcml.num`: one helper per kind of argument.

Every check raises a :mod:`calcml.errors` exception whose message says which argument
is wrong, what was received and how to fix it.
"""
from __future__ import annotations

from typing import Any, Callable, Sequence

import numpy as np

from calcml.errors import InvalidFunctionError, InvalidInputError, NonFiniteError

__all__ = [
    "InvalidInputError", "InvalidFunctionError", "NonFiniteError",
    "check_method", "check_order", "check_points", "check_step", "check_positive_int",
    "step_for",
    "as_function", "as_mp_function",
]


def check_method(method: Any, allowed: Sequence[str], what: str = "method") -> str:
    """Return ``method`` if it is one of ``allowed``, else raise with the list."""
    if not isinstance(method, str) or method not in allowed:
        options = ", ".join(repr(m) for m in allowed)
        raise InvalidInputError(f"unknown {what} {method!r}; choose one of {options}")
    return method


def check_positive_int(value: Any, name: str, maximum: int | None = None) -> int:
    """Return ``value`` as an int ``>= 1`` (and ``<= maximum``), else raise."""
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise InvalidInputError(f"{name} must be a positive integer, got {value!r}")
    if maximum is not None and value > maximum:
        raise InvalidInputError(f"{name} must be at most {maximum}, got {value}")
    return int(value)


def check_order(order: Any, maximum: int = 8) -> int:
    """Derivative order: an integer 1..maximum."""
    return check_positive_int(order, "order (the derivative order)", maximum)


def check_points(x: Any, name: str = "x") -> np.ndarray:
    """Points as a finite float64 array; raise on text, complex or non-finite input."""
    try:
        arr = np.asarray(x)
    except Exception as exc:  # ragged lists etc.
        raise InvalidInputError(f"{name} must be a number or an array of numbers: {exc}") from exc
    if arr.dtype == object or not (np.issubdtype(arr.dtype, np.number)
                                   or arr.dtype == bool):
        raise InvalidInputError(
            f"{name} must be a real number or an array of real numbers, got {x!r}")
    if np.iscomplexobj(arr):
        raise InvalidInputError(f"{name} must be real, got the complex value(s) {x!r}")
    arr = arr.astype(np.float64)
    if not np.all(np.isfinite(arr)):
        bad = np.argwhere(~np.isfinite(arr))
        where = "" if arr.ndim == 0 else f" at index {tuple(int(i) for i in bad[0])}"
        raise InvalidInputError(
            f"{name} must be finite, got {arr if arr.ndim == 0 else arr[tuple(bad[0])]}{where}; "
            "numeric derivatives and integrals need finite points")
    return arr


def check_step(h: Any, name: str = "h") -> np.ndarray | None:
    """A step size: ``None`` (choose automatically) or positive finite number(s)."""
    if h is None:
        return None
    try:
        arr = np.asarray(h, dtype=float) if not isinstance(h, str) else None
    except (TypeError, ValueError, OverflowError):
        arr = None
    if arr is None or not np.all(np.isfinite(arr)) or np.any(arr <= 0):
        raise InvalidInputError(
            f"step {name} must be a positive finite number, got {h!r}; "
            f"leave {name}=None to let calcml choose it")
    return arr


def step_for(h: np.ndarray | None, shape: tuple, name: str = "h") -> np.ndarray | None:
    """A checked step (scalar or array) for points of ``shape``, flattened like them."""
    if h is None or h.ndim == 0:
        return h
    try:
        return np.broadcast_to(h, shape).ravel()
    except ValueError:
        raise InvalidInputError(f"step {name} has shape {h.shape}, which does not fit the "
                                f"point's shape {shape}; give one number or one per "
                                "coordinate") from None


def _expression(f: Any):
    """A SymPy expression for ``f`` if it is a string or a SymPy object, else None."""
    if isinstance(f, str):
        try:
            from calcml.sym import parse  # lazy: SymPy is slow to import
        except ImportError as exc:  # pragma: no cover - only while calcml.sym is missing
            raise InvalidFunctionError(
                f"expression strings need calcml.sym.parse, which is not available ({exc}); "
                "pass a callable instead") from exc
        return parse(f)
    try:
        import sympy
    except ImportError:  # pragma: no cover - sympy is a core dependency
        return None
    if isinstance(f, (sympy.Basic, sympy.MatrixBase)):
        return f
    return None


def _elementary(expr):
    """``expr`` with calcml's activations (sigmoid, relu, softplus) as exp/log/Max, so
    that SymPy's lambdify and evalf know them."""
    try:
        from calcml.sym.functions import elementary
    except ImportError:  # pragma: no cover - calcml.sym not there yet
        return expr
    if hasattr(expr, "applyfunc"):
        return expr.applyfunc(elementary)
    return elementary(expr)


def _variables(expr) -> list:
    return sorted(expr.free_symbols, key=lambda s: s.name)


def as_function(f: Any, name: str = "f", vector: bool = False) -> Callable:
    """Turn ``f`` (callable, expression string or SymPy expression) into a NumPy callable.

    A one-variable expression gives ``g(x)``; several variables give ``g(v)`` taking a
    vector in the order of the sorted variable names. With ``vector=True`` (gradients,
    Jacobians, Hessians) every expression gives ``g(v)``: one variable reads ``v[0]``,
    a constant ignores ``v``.
    """
    expr = _expression(f)
    if expr is not None:
        return _as_vector(_lambdify(expr, "numpy"), expr, vector, 0.0)
    if not callable(f):
        raise InvalidFunctionError(
            f"{name} must be a callable, an expression string such as 'sin(x)**2' or a "
            f"SymPy expression; got {type(f).__name__} {f!r}")
    return f


def as_mp_function(f: Any, name: str = "f", vector: bool = False) -> Callable:
    """Like :func:`as_function`, but the callable computes with mpmath numbers."""
    expr = _expression(f)
    if expr is not None:
        return _as_vector(_lambdify(expr, "mpmath"), expr, vector, 0)
    return as_function(f, name)


def _as_vector(g: Callable, expr: Any, vector: bool, zero: Any) -> Callable:
    """``g`` of one coordinate (or none) as a function of a vector ``v``."""
    names = [v.name for v in _variables(expr)]
    if not vector:
        return g
    if len(names) > 1:
        def checked(v: Any) -> Any:
            if np.size(v) != len(names):
                raise InvalidInputError(
                    f"the expression has {len(names)} variables ({', '.join(names)}, in this "
                    f"order) but the point has {np.size(v)} coordinate(s)")
            return g(v)
        return checked
    if len(_variables(expr)) == 1:
        return lambda v: g(v[0] if np.ndim(v) else v)  # a 0-d point is the coordinate
    return lambda v: g(zero)


def _lambdify(expr, backend: str, variables: list | None = None) -> Callable:
    """A callable for a SymPy expression: ``calcml.sym.lambdify`` for NumPy (so the AD
    engine can trace it), SymPy's own lambdify for mpmath (or while calcml.sym is
    missing). Several variables: the callable takes one vector, in ``variables`` order."""
    import sympy

    variables = _variables(expr) if variables is None else list(variables)
    if backend == "numpy":
        try:
            from calcml.sym import lambdify as sym_lambdify
        except ImportError:  # the symbolic layer is not there yet
            sym_lambdify = None
        if sym_lambdify is not None:
            return sym_lambdify(expr, variables or None)
    modules = "mpmath" if backend == "mpmath" else "numpy"
    expr = _elementary(expr)
    matrix = isinstance(expr, sympy.MatrixBase)
    body = list(expr) if matrix else expr
    if not variables:
        if backend == "numpy" and not matrix:
            return lambda x: np.full(np.shape(x), float(expr), dtype=float)
        variables = [sympy.Symbol("x")]
    g = sympy.lambdify(variables, body, modules=modules)
    wrap = (lambda out: np.stack(np.broadcast_arrays(*out))) if matrix and backend == "numpy" \
        else (lambda out: out)
    if len(variables) == 1:
        return lambda x: wrap(g(x))
    return lambda v: wrap(g(*[v[i] for i in range(len(variables))]))
