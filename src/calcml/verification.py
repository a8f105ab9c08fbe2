"""Three-way verification: symbolic, automatic and numeric answers, compared.

:func:`verify` computes a derivative, gradient or definite integral by independent
methods and judges every pair of answers against their error estimates:

* ``"symbolic"`` -- exact, with :mod:`calcml.sym` (needs an expression string or a
  SymPy expression);
* ``"ad"`` -- the autodiff engine :mod:`calcml.ad` on a NumPy callable;
* ``"numeric"`` -- :mod:`calcml.num` (Richardson extrapolation for derivatives,
  QUADPACK for integrals), with an error estimate;
* ``"simpson"`` -- for integrals, a composite Simpson sum with a Richardson error
  estimate ``|S(n) - S(n/2)| / 15``.

Two answers *agree* when ``|a - b| <= err_a + err_b + atol + rtol * max(|a|, |b|)``
entry by entry (``err`` is a method's error estimate: a few ``eps`` for the exact and
autodiff values, the reported estimate for the numeric ones).
"""
from __future__ import annotations

import html
import itertools
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from calcml.errors import CalcmlError, DimensionError, InvalidInputError
from calcml.num._checks import _elementary

__all__ = ["verify", "Verification", "MethodResult", "Discrepancy"]

EPS = np.finfo(float).eps
_DERIVATIVE_METHODS = ("symbolic", "ad", "numeric")
_INTEGRAL_METHODS = ("symbolic", "numeric", "simpson")


class VerificationInputError(InvalidInputError):
    """Arguments of :func:`verify` that cannot work together."""


@dataclass(frozen=True)
class MethodResult:
    """One method's answer.

    Attributes
    ----------
    method : str
    value : float or ndarray or None
        ``None`` when the method did not run (see ``note``).
    error : float or ndarray
        Error estimate of ``value``.
    note : str
        How it was obtained (the symbolic derivative, nfev...), or why it failed.
    ok : bool
        Whether a value was obtained.
    """

    method: str
    value: Any
    error: Any
    note: str = ""
    ok: bool = True
    one_sided: tuple | None = None  # (left, right, allowed) when a kink was looked for


@dataclass(frozen=True)
class Discrepancy:
    """The comparison of two methods: ``difference`` (max over entries) vs ``allowed``."""

    a: str
    b: str
    difference: float
    allowed: float
    agree: bool
    note: str = ""  #: why the pair cannot agree beyond the numbers (e.g. a value is inf)


@dataclass(frozen=True, repr=False)
class Verification:
    """Result of :func:`verify`.

    Attributes
    ----------
    what : str
        ``"derivative"``, ``"gradient"`` or ``"integral"``.
    point : Any
        Where (``x``, or the bounds ``(a, b)``).
    results : dict
        ``method -> MethodResult``.
    discrepancies : list of Discrepancy
        Every pair of methods that produced a value.
    agree : bool
        At least two methods produced values and every pair agrees.
    rtol, atol : float
        The tolerance used on top of the error estimates.
    expression : str
        The function as text.
    """

    what: str
    point: Any
    results: dict
    discrepancies: list
    agree: bool
    rtol: float
    atol: float
    expression: str = ""
    variables: tuple = field(default=())

    @property
    def values(self) -> dict:
        """``method -> value`` for the methods that produced one."""
        return {m: r.value for m, r in self.results.items() if r.ok}

    def __getitem__(self, method: str) -> MethodResult:
        return self.results[method]

    # ------------------------------------------------------------------ display
    def _title(self) -> str:
        verdict = "AGREE" if self.agree else "DISAGREE"
        return f"verify {self.what} of {self.expression} at {_fmt_point(self.point)}: {verdict}"

    def _rows(self) -> list[tuple[str, str, str, str]]:
        return [(m, _fmt(r.value) if r.ok else "—", _fmt(r.error, 2) if r.ok else "—", r.note)
                for m, r in self.results.items()]

    def _pair_rows(self) -> list[tuple[str, str, str, str]]:
        return [(f"{d.a} vs {d.b}", f"{d.difference:.3g}", f"{d.allowed:.3g}",
                 "yes" if d.agree else f"NO ({d.note})" if d.note else "NO")
                for d in self.discrepancies]

    def __rich__(self) -> Any:
        from rich.console import Group
        from rich.table import Table

        table = Table(title=self._title(), title_justify="left")
        for name in ("method", "value", "error estimate", "note"):
            table.add_column(name, overflow="fold")
        for row in self._rows():
            table.add_row(*row)
        pairs = Table(title="pairwise", title_justify="left")
        for name in ("pair", "|difference|", "allowed", "agree"):
            pairs.add_column(name)
        for row in self._pair_rows():
            pairs.add_row(*row, style=None if row[3] == "yes" else "bold red")
        return Group(table, pairs)

    def __str__(self) -> str:
        from rich.console import Console

        console = Console(width=110, record=True, color_system=None, force_terminal=False,
                          file=_Sink())
        console.print(self.__rich__())
        return console.export_text().rstrip()

    def __repr__(self) -> str:
        worst = max((d.difference for d in self.discrepancies), default=float("nan"))
        return (f"Verification(what={self.what!r}, agree={self.agree}, "
                f"methods={list(self.values)}, max_difference={worst:.3g})")

    def _repr_html_(self) -> str:
        def table(head: Sequence[str], rows: list, bad: Callable[[tuple], bool]) -> str:
            th = "".join(f"<th>{html.escape(h)}</th>" for h in head)
            body = "".join(
                "<tr{}>{}</tr>".format(' style="color:#b00;font-weight:bold"' if bad(r) else "",
                                       "".join(f"<td>{html.escape(c)}</td>" for c in r))
                for r in rows)
            return f"<table><thead><tr>{th}</tr></thead><tbody>{body}</tbody></table>"

        colour = "#080" if self.agree else "#b00"
        return (f'<div><p><b style="color:{colour}">{html.escape(self._title())}</b></p>'
                + table(("method", "value", "error estimate", "note"), self._rows(),
                        lambda r: False)
                + table(("pair", "|difference|", "allowed", "agree"), self._pair_rows(),
                        lambda r: r[3] != "yes")
                + "</div>")


class _Sink:
    """A file that discards what rich writes (we only want the recorded text)."""

    def write(self, text: str) -> int:
        return len(text)

    def flush(self) -> None:
        pass


def _fmt(value: Any, digits: int = 15) -> str:
    if value is None:
        return "—"
    arr = np.asarray(value, dtype=float)
    if arr.ndim == 0:
        return f"{float(arr):.{digits}g}"
    return np.array2string(arr, precision=digits, separator=", ", max_line_width=60)


def _fmt_point(point: Any) -> str:
    if isinstance(point, tuple) and len(point) == 2 and not isinstance(point[0], tuple):
        return f"[{point[0]}, {point[1]}]"
    arr = np.asarray(point, dtype=float)
    return f"{float(arr):g}" if arr.ndim == 0 else np.array2string(arr, separator=", ")


# ---------------------------------------------------------------------- inputs
def _expression(f: Any):
    """(SymPy expression or None, display text); strings go through calcml.sym.parse."""
    from calcml.num._checks import InvalidFunctionError
    from calcml.num._checks import _expression as as_expression

    expr = as_expression(f)
    if expr is not None:
        return expr, f if isinstance(f, str) else str(f)
    if not callable(f):
        raise InvalidFunctionError(
            f"verify needs f as an expression string, a SymPy expression or a callable; "
            f"got {type(f).__name__} {f!r}")
    return None, getattr(f, "__name__", "f")


def _variables(expr: Any, vars: Any) -> list:
    import sympy

    if vars is None:
        return sorted(expr.free_symbols, key=lambda s: s.name)
    if isinstance(vars, (str, sympy.Symbol)):
        vars = [vars]
    return [sympy.Symbol(v) if isinstance(v, str) else v for v in vars]


def _safe(method: str, run: Callable[[], MethodResult]) -> MethodResult:
    """Run one method; a failure becomes a row that says why (verification goes on)."""
    try:
        return run()
    except (CalcmlError, ArithmeticError, ValueError, TypeError) as exc:
        return MethodResult(method, None, None, f"failed: {type(exc).__name__}: {exc}", False)


def _exact_error(value: Any) -> Any:
    """Error of an exact or autodiff value: its float rounding, a few eps."""
    return 8 * EPS * np.abs(np.asarray(value, dtype=float))


# ---------------------------------------------------------------------- verify
def verify(f: Any, x: Any, methods: Sequence[str] = _DERIVATIVE_METHODS, *,
           what: str = "derivative", rtol: float = 1e-8, atol: float = 1e-12,
           vars: Any = None, numeric_method: str = "richardson", n: int = 1000,
           expected: Any = None) -> Verification:
    """Compute a derivative, gradient or integral several ways and check they agree.

    Parameters
    ----------
    f : str, sympy.Expr or callable
        An expression (parsed once with :func:`calcml.sym.parse` and turned into each
        form: :func:`calcml.sym.diff` / :func:`calcml.sym.gradient` for the symbolic
        answer, :func:`calcml.sym.lambdify` for the AD and numeric ones), or a
        plain-NumPy callable (then there is no symbolic answer).
    x : float, array_like or dict
        Derivative: a scalar gives ``f'(x)``; a vector (or ``{name: value}``) gives the
        gradient, variables in sorted-name order (``vars`` to choose). For a
        one-variable expression an array of points gives ``f'`` at each point.
        Integral: the bounds ``(a, b)`` (infinite bounds allowed).
    methods : sequence of str, default: ("symbolic", "ad", "numeric")
        For integrals the default becomes ``("symbolic", "numeric", "simpson")``.
    what : str, default: "derivative"
        ``"derivative"`` (or ``"gradient"``) or ``"integral"``.
    rtol, atol : float
        Tolerance added to the error estimates when judging a pair.
    vars : sequence of str or Symbol, optional
        Variable order for expressions (default: sorted by name).
    numeric_method : str, default: "richardson"
        Method of :func:`calcml.num.derivative` for ``"numeric"``.
    n : int, default: 1000
        Pieces of the Simpson sum.
    expected : float, array_like, callable, str or sympy.Expr, optional
        A claimed answer to check as one more method, ``"expected"``: a value; or a
        callable or an expression (text is read by the safe parser) -- a hand-written
        derivative evaluated at ``x``, or for integrals a claimed antiderivative ``F``
        (compared as ``F(b) - F(a)``).

    Returns
    -------
    Verification
        ``results``, ``discrepancies``, ``agree``; prints as a table, shows as HTML in
        Jupyter.

    Examples
    --------
    A callable has no symbolic form, so AD and numeric are compared:

    >>> import numpy as np
    >>> import calcml as cm
    >>> v = cm.verify(lambda t: np.sin(t) * np.exp(t), 0.5)
    >>> v.agree, sorted(v.values)
    (True, ['ad', 'numeric'])
    >>> bool(abs(v.values["ad"] - np.exp(0.5) * (np.sin(0.5) + np.cos(0.5))) < 1e-14)
    True
    >>> cm.verify(lambda p: p[0] ** 2 + p[1] ** 3, [2.0, 3.0]).values["ad"]
    array([ 4., 27.])

    A wrong hand-written derivative (seed 004's ``dsigmoid = 2 s (1 - s)``) is caught:

    >>> sigmoid = lambda z: 1 / (1 + np.exp(-z))
    >>> cm.verify(sigmoid, 0.3, expected=lambda z: 2 * sigmoid(z) * (1 - sigmoid(z))).agree
    False
    >>> cm.verify(sigmoid, 0.3, expected=lambda z: sigmoid(z) * (1 - sigmoid(z))).agree
    True
    """
    if what not in ("derivative", "gradient", "integral"):
        raise VerificationInputError(
            f"unknown what={what!r}; choose 'derivative', 'gradient' or 'integral'")
    methods = tuple(methods)
    if what == "integral" and methods == _DERIVATIVE_METHODS:
        methods = _INTEGRAL_METHODS
    allowed = _INTEGRAL_METHODS if what == "integral" else _DERIVATIVE_METHODS
    for m in methods:
        if m not in allowed:
            hint = " (AD gives derivatives, not integrals)" if m == "ad" else ""
            raise VerificationInputError(
                f"unknown method {m!r} for what={what!r}; choose from {allowed}{hint}")
    expr, text = _expression(f)
    # overflow and division by zero show up as non-finite values in the table instead
    with np.errstate(all="ignore"):
        if what == "integral":
            results, point, variables = _integral(f, expr, x, methods, vars, n)
        else:
            results, point, variables, what = _derivative(f, expr, x, methods, vars,
                                                           numeric_method)
        if expected is not None:
            results["expected"] = _safe("expected",
                                        lambda: _expected(expected, point, what, variables))
    pairs = []
    done = [r for r in results.values() if r.ok]
    for r in done:
        if r.one_sided is not None:  # a kink: the one-sided derivatives differ
            left, right, allowed_lr = r.one_sided
            gap = np.abs(left - right) - allowed_lr
            if np.any(gap > 0):
                k = np.unravel_index(int(np.argmax(gap)), np.shape(gap)) if np.ndim(gap) else ()
                pairs.append(Discrepancy(f"{r.method} (left)", f"{r.method} (right)",
                                         float(np.abs(left - right)[k]),
                                         float(np.asarray(allowed_lr)[k]), False))
    for ra, rb in itertools.combinations(done, 2):
        va, vb = np.asarray(ra.value, float), np.asarray(rb.value, float)
        if not (np.all(np.isfinite(va)) and np.all(np.isfinite(vb))):
            # inf - inf is nan and inf <= rtol * inf holds: neither can judge agreement
            why = "an integral that diverges, or a value beyond float64" \
                if what == "integral" else "a value beyond float64 (overflow) or undefined"
            pairs.append(Discrepancy(ra.method, rb.method, float("nan"), float("nan"),
                                     False, f"not finite: {why}"))
            continue
        diff = np.abs(va - vb)
        allowed_diff = (np.asarray(ra.error, float) + np.asarray(rb.error, float) + atol
                        + rtol * np.maximum(np.abs(va), np.abs(vb)))
        ok = bool(np.all(diff <= allowed_diff))
        k = np.unravel_index(int(np.argmax(diff - allowed_diff)), diff.shape) if diff.ndim \
            else ()
        pairs.append(Discrepancy(ra.method, rb.method, float(diff[k]), float(allowed_diff[k]),
                                 ok))
    agree = len(done) >= 2 and all(p.agree for p in pairs)
    return Verification(what=what, point=point, results=results, discrepancies=pairs,
                        agree=agree, rtol=rtol, atol=atol, expression=text,
                        variables=tuple(str(v) for v in variables))


def _expected(expected: Any, point: Any, what: str, variables: list) -> MethodResult:
    name = getattr(expected, "__name__", "callable")
    name = "the given function" if name == "<lambda>" else name
    if isinstance(expected, str) or (hasattr(expected, "free_symbols")
                                     and not isinstance(expected, np.ndarray)):
        from calcml.sym import lambdify, parse

        claim = parse(expected) if isinstance(expected, str) else expected
        names = [str(v) for v in variables] or ["x"]
        extra = sorted(str(s) for s in getattr(claim, "free_symbols", ()) if str(s) not in names)
        if extra:
            raise VerificationInputError(f"expected uses {', '.join(extra)}, not a variable "
                                         f"of f ({', '.join(names)})")
        fn, name = lambdify(claim, names), str(claim)
        expected = (lambda v: fn(*np.atleast_1d(v))) if len(names) > 1 else fn
        expected.__name__ = name
    if callable(expected) and what == "integral":  # a claimed antiderivative F
        a, b = point
        value = np.asarray(expected(b), dtype=float) - np.asarray(expected(a), dtype=float)
        note = f"claimed antiderivative: F(b) - F(a), F = {name}"
    elif callable(expected):
        arg = np.asarray(point, dtype=float)
        value = expected(arg if arg.ndim else float(arg))
        note = f"claimed: {name}"
    else:
        value, note = expected, "claimed value"
    value = np.asarray(value, dtype=float)
    return MethodResult("expected", value if value.ndim else float(value), _exact_error(value),
                        note)


def _derivative(f: Any, expr: Any, x: Any, methods: tuple, vars: Any,
                numeric_method: str) -> tuple[dict, Any, list, str]:
    from calcml import num

    variables: list = []
    if isinstance(x, dict):
        if expr is None:
            raise VerificationInputError("x as a dict {name: value} needs an expression f")
        variables = _variables(expr, vars)  # sorted by name unless vars says otherwise
        missing = [str(v) for v in variables if str(v) not in x and v not in x]
        if missing:
            raise DimensionError(f"x has no value for the variable(s) {missing} of {expr}")
        x = [x[str(v)] if str(v) in x else x[v] for v in variables]
    point = num._checks.check_points(x)
    if expr is not None:
        variables = variables or _variables(expr, vars)
        if len(variables) > 1 and (point.ndim != 1 or point.size != len(variables)):
            raise DimensionError(
                f"{expr} has {len(variables)} variables {[str(v) for v in variables]} but x "
                f"has shape {point.shape}; give one value per variable")
    gradient = point.ndim >= 1 and (expr is None or len(variables) > 1)
    what = "gradient" if gradient else "derivative"
    fn = _callable(f, expr, variables)
    results: dict = {}
    for m in methods:
        if m == "symbolic":
            results[m] = _symbolic_derivative(expr, variables, point, gradient)
        elif m == "ad":
            results[m] = _safe(m, lambda: _ad_derivative(fn, point, gradient))
        else:
            results[m] = _safe(m, lambda: _numeric_derivative(fn, point, gradient,
                                                              numeric_method))
    shown = point if point.ndim else float(point)
    return results, shown, variables, what


def _callable(f: Any, expr: Any, variables: list) -> Callable:
    if expr is None:
        return f
    from calcml.num._checks import _lambdify

    return _lambdify(expr, "numpy", variables)


def _sym():
    """calcml.sym, or None while it is not available (SymPy itself is used then)."""
    try:
        from calcml import sym

        sym.diff  # noqa: B018 - the API, not just the placeholder package
    except (ImportError, AttributeError):
        return None
    return sym


_NO_SYMBOLIC = MethodResult("symbolic", None, None,
                            "skipped: f is a callable (pass a string for a symbolic answer)",
                            False)


def _symbolic_derivative(expr: Any, variables: list, point: np.ndarray,
                         gradient: bool) -> MethodResult:
    if expr is None:
        return _NO_SYMBOLIC

    def run() -> MethodResult:
        import sympy

        sym = _sym()
        if gradient:
            g = sym.gradient(expr, variables) if sym else \
                [sympy.diff(expr, v) for v in variables]
            subs = {v: sympy.Float(float(p), 30) for v, p in zip(variables, point)}
            value = np.array([float(sympy.N(_elementary(gi).subs(subs), 20)) for gi in g])
            note = f"grad = ({', '.join(str(gi) for gi in g)})"
        else:
            var = variables[0] if variables else sympy.Symbol("x")
            d = sym.diff(expr, var) if sym else sympy.diff(expr, var)
            de = _elementary(d)
            value = np.array([float(sympy.N(de.subs(var, sympy.Float(float(p), 30)), 20))
                              for p in point.ravel()]).reshape(point.shape)
            value = value if value.ndim else float(value)
            note = f"d/d{var} = {d}"
        return MethodResult("symbolic", value, _exact_error(value), note)

    return _safe("symbolic", run)


def _ad_derivative(fn: Callable, point: np.ndarray, gradient: bool) -> MethodResult:
    from calcml.ad import derivative, grad

    if gradient:
        value = np.asarray(grad(fn)(point.copy()), dtype=float)
    elif point.ndim == 0:
        value = float(grad(fn)(float(point)))
    else:
        value = np.asarray(derivative(fn)(point.copy()), dtype=float)
    return MethodResult("ad", value, _exact_error(value), "reverse mode (calcml.ad)")


def _numeric_derivative(fn: Callable, point: np.ndarray, gradient: bool,
                        method: str) -> MethodResult:
    from calcml import num

    est = num.gradient(fn, point, method=method) if gradient else \
        num.derivative(fn, point, method=method)
    value = np.asarray(est.value, dtype=float)
    error = np.asarray(est.error, dtype=float)
    nfev = int(np.sum(est.nfev))
    note = f"{method}, nfev={nfev}, status={np.min(est.status)}"
    one_sided = None if gradient else _one_sided(fn, point)
    if one_sided is not None and np.any(np.abs(one_sided[0] - one_sided[1]) > one_sided[2]):
        note += (f"; NOT differentiable: left derivative {_fmt(one_sided[0], 6)}, "
                 f"right {_fmt(one_sided[1], 6)}")
    return MethodResult("numeric", value if value.ndim else float(value),
                        error if error.ndim else float(error), note, one_sided=one_sided)


def _one_sided(fn: Callable, point: np.ndarray) -> tuple | None:
    """Left and right derivatives (scipy, one-sided stencils), to catch kinks."""
    from scipy.differentiate import derivative

    from calcml.num._problem import _call_elementwise

    def g(t: np.ndarray) -> np.ndarray:
        return np.asarray(_call_elementwise(fn, t.ravel()), dtype=float).reshape(t.shape)

    with np.errstate(all="ignore"):
        left = derivative(g, point, step_direction=-1, initial_step=0.25)
        right = derivative(g, point, step_direction=1, initial_step=0.25)
    if not (np.all(np.isfinite(left.df)) and np.all(np.isfinite(right.df))):
        return None  # one side leaves the domain: no verdict
    scale = np.maximum(np.abs(left.df), np.abs(right.df))
    allowed = left.error + right.error + 1e-6 * scale + 1e-9
    return left.df, right.df, allowed


def _integral(f: Any, expr: Any, x: Any, methods: tuple, vars: Any,
              n: int) -> tuple[dict, Any, list]:
    from calcml import num

    try:
        a, b = x
        a, b = float(a), float(b)
    except (TypeError, ValueError) as exc:
        raise VerificationInputError(
            f"what='integral' needs x=(a, b), the bounds; got {x!r}") from exc
    if np.isnan(a) or np.isnan(b):
        raise VerificationInputError(f"integral bounds must not be NaN, got {(a, b)}")
    variables: list = []
    if expr is not None:
        variables = _variables(expr, vars)
        if len(variables) > 1:
            raise DimensionError(f"{expr} has variables {variables}; a definite integral "
                                 "here is over one variable")
    fn = _callable(f, expr, variables)
    results: dict = {}
    for m in methods:
        if m == "symbolic":
            results[m] = _symbolic_integral(expr, variables, a, b)
        elif m == "numeric":
            def run_quad() -> MethodResult:
                est = num.integrate(fn, a, b)
                return MethodResult("numeric", float(est.value), float(est.error),
                                    f"scipy quad, nfev={est.nfev}, status={est.status}")
            results[m] = _safe(m, run_quad)
        else:
            results[m] = _safe(m, lambda: _simpson(fn, a, b, n))
    return results, (a, b), variables


def _symbolic_integral(expr: Any, variables: list, a: float, b: float) -> MethodResult:
    if expr is None:
        return _NO_SYMBOLIC

    def run() -> MethodResult:
        import sympy

        sym = _sym()
        if sym is None:  # SymPy's integrate needs calcml.sym's time limit
            return MethodResult("symbolic", None, None,
                                "skipped: calcml.sym (time-limited integrate) unavailable",
                                False)
        var = variables[0] if variables else sympy.Symbol("x")
        bound = lambda v: sympy.oo if v == np.inf else -sympy.oo if v == -np.inf \
            else sympy.Float(v, 30) if v != int(v) else sympy.Integer(int(v))
        exact = sym.integrate(expr, var, bounds=(bound(a), bound(b)))
        if isinstance(exact, sympy.Integral) or exact.has(sympy.Integral):
            return MethodResult("symbolic", None, None, "failed: no closed form found", False)
        value = float(sympy.N(_elementary(exact), 20))
        return MethodResult("symbolic", value, float(_exact_error(value)), f"= {exact}")

    return _safe("symbolic", run)


def _simpson(fn: Callable, a: float, b: float, n: int) -> MethodResult:
    from calcml import num

    if not (np.isfinite(a) and np.isfinite(b)):
        return MethodResult("simpson", None, None, "skipped: infinite bounds", False)
    n = n + n % 2
    half = n // 2 + (n // 2) % 2
    s_n = num.riemann_sum(fn, a, b, n, "simpson")
    s_half = num.riemann_sum(fn, a, b, half, "simpson")
    # S(n) - I ~ C h^4: with h ratio r = n/half, err(S(n)) ~ |S(n) - S(half)| / (r^4 - 1)
    ratio = n / half
    error = 2 * abs(s_n - s_half) / (ratio ** 4 - 1) + 4 * EPS * abs(s_n) * np.sqrt(n)
    return MethodResult("simpson", s_n, error, f"n={n}, error from n={half}")
