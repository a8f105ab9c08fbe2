"""The typer application: one function per ``calcml`` subcommand.

Heavy libraries (SymPy, matplotlib, scikit-learn) are imported inside the commands so
that ``calcml --help`` stays fast.
"""
from __future__ import annotations

from typing import List, Optional

import typer

from calcml.cli._io import _escape as esc_text
from calcml.cli._io import (CheckFailed, InputError, OneLineErrorsGroup, assignments,
                            check_plot, class_labels, console, emit_json, fmt, guard,
                            model_error, number, numbers, point_for, progress, read_csv,
                            save_figure, table, time_limit, variables)

app = typer.Typer(
    name="calcml",
    help="Calculus for machine learning, verified: symbolic, automatic and numeric "
         "derivatives, integrals, optima, models and sensitivities.",
    cls=OneLineErrorsGroup, add_completion=False, no_args_is_help=True,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]})

JSON = typer.Option(False, "--json", help="Machine-readable JSON output on stdout.")
PLOT = typer.Option(None, "--plot", metavar="FILE", help="Save a figure (.png/.pdf/.svg).")
AT = typer.Option(None, "--at", metavar="x=2,y=3", help="Evaluate at this point.")


def _version(value: bool) -> None:
    if value:
        from calcml import __version__
        typer.echo(f"calcml {__version__}")
        raise typer.Exit()


@app.callback()
def _root(version: bool = typer.Option(False, "--version", "-V", callback=_version,
                                       is_eager=True, help="Show the version and exit.")
          ) -> None:
    """Calculus for machine learning, verified."""


def esc(v) -> str:
    """Text of ``v`` with rich markup characters escaped."""
    return esc_text(str(v))


def _parse(text: str):
    from calcml.sym import parse

    return parse(text)


def _choose_var(var: Optional[str], names: list, extra: str = "") -> str:
    """--var, checked against the expression's variables (default: its only one)."""
    if var is None:
        if len(names) > 1:
            raise InputError(f"the expression has variables {', '.join(names)}: choose one "
                             f"with --var{extra}")
        return names[0] if names else "x"
    var = var.strip()
    if not var.isidentifier():
        raise InputError(f"--var: {var!r} is not a variable name")
    if names and var not in names:
        raise InputError(f"--var: {var} is not a variable of the expression (its variables: "
                         f"{', '.join(names)})")
    return var


def _exact_and_float(exact, value) -> str:
    """``"pi/2 ≈ 1.5707963267949"``, or just ``"4"`` when the float says nothing more."""
    ex = str(exact)
    fl = fmt(value)
    try:
        same = float(ex) == float(value) or ex == fl
    except (TypeError, ValueError):
        same = False
    return ex if same else f"{ex} ≈ {fl}"


def _sympy_value(v):
    """A computed value (a SymPy result or a Python number) as a SymPy number; never text."""
    import sympy
    if isinstance(v, sympy.Basic):
        return v
    if isinstance(v, (int, float)) and not isinstance(v, bool):
        return sympy.Integer(v) if isinstance(v, int) else sympy.Float(v)
    raise TypeError(f"expected a computed value, got {type(v).__name__}")


def _is_finite_real(v) -> bool:
    import sympy
    v = _sympy_value(v)
    return bool(v.is_number and v.is_finite is not False and v.is_real is not False
                and not v.has(sympy.nan, sympy.zoo, sympy.oo, -sympy.oo))


def _out(data: dict, as_json: bool, render) -> None:
    if as_json:
        emit_json(data)
    else:
        render(console())


# ------------------------------------------------------------------------------ calculus
@app.command()
@guard
def diff(expr: str = typer.Argument(..., help='Expression, e.g. "x^3 - 2x^2 + 1".'),
         var: Optional[str] = typer.Option(None, "--var", "-v", help="Variable (default: "
                                           "the only one)."),
         order: int = typer.Option(1, "--order", "-n", min=1, max=20, help="Order."),
         at: Optional[str] = AT, as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """Differentiate an expression symbolically (checked by autodiff at --at).

    Example: calcml diff "x^3 - 2x^2 + 1" --at x=2
    """
    import calcml.sym as sym

    check_plot(plot)
    e = _parse(expr)
    names = variables(e)
    var = _choose_var(var, names, " (or use `calcml grad`)")
    d = sym.diff(e, var, order=order)
    data = {"expression": str(e), "variable": var, "order": order, "derivative": str(d)}
    ver = None
    if at is not None:
        point = assignments(at, "--at")
        point_for(e, point, names=names or [var])
        exact_at = assignments(at, "--at", exact=True)
        v = sym.diff(e, var, order=order, at=exact_at)
        if not _is_finite_real(v):
            raise InputError(f"the derivative is not defined at {_point_text(exact_at)} "
                             f"(it is {_undefined(v)})")
        data["at"] = point
        data["value"] = float(v)
        data["exact_value"] = str(v)
        if len(names) <= 1 and order == 1 and _finite(data["value"]):
            from calcml import verify
            ver = verify(e, point[var])
            data["verified"] = bool(ver.agree)
            data["methods"] = {m: float(x) for m, x in ver.values.items()}
    if plot:
        if len(names) > 1:
            raise InputError("--plot: a function of one variable is needed")
        from calcml.plot import function_and_derivative
        save_figure(function_and_derivative(e, order=order), plot)
        data["plot"] = plot

    def render(c):
        sup = f"^{order}" if order > 1 else ""
        c.print(f"d{sup}/d{var}{sup} ({esc(e)}) = [bold green]{esc(d)}[/]")
        if at is not None:
            c.print(f"at {esc(_point_text(exact_at))}: "
                    f"[bold]{esc(_exact_and_float(data['exact_value'], data['value']))}[/]")
            if not _finite(data["value"]):
                c.print("[yellow]too large for floating point: not checked by autodiff[/]")
            elif ver is not None:
                c.print("symbolic, autodiff and numeric values agree" if ver.agree else
                        "[red]symbolic, autodiff and numeric values DISAGREE[/]")
        if plot:
            c.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)
    if ver is not None and not ver.agree:
        raise CheckFailed(_disagreement(ver))


def _undefined(v) -> str:
    """Words for SymPy's nan / zoo / oo / complex values."""
    import sympy
    v = _sympy_value(v)
    if v.has(sympy.zoo):
        return "infinite (a division by zero)"
    if v.has(sympy.nan):
        return "undefined (0/0 or similar)"
    if v.has(sympy.oo, -sympy.oo):
        return "infinite"
    if v.is_number:
        return f"not a real number ({v})"
    return str(v)


def _approx(v) -> Optional[float]:
    """float(v), or None for a value that is not a finite real number (a free coordinate
    of a continuum of critical points, oo, ...)."""
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if _finite(f) else None


def _point_text(point: dict) -> str:
    return ", ".join(f"{k} = {fmt(v)}" for k, v in point.items())


def _disagreement(ver) -> str:
    """Why a calcml.verify check failed, in one line."""
    bad = [f"{d.a} vs {d.b}" for d in ver.discrepancies if not d.agree]
    notes = [f"{m}: {r.note}" for m, r in ver.results.items()
             if r.note and ("NOT" in r.note or "failed" in r.note)]
    text = "methods disagree: " + (", ".join(bad) or "fewer than two values")
    return text + (f" ({'; '.join(notes)})" if notes else "")


@app.command()
@guard
def explain(expr: str = typer.Argument(..., help="Expression to differentiate."),
            var: Optional[str] = typer.Option(None, "--var", "-v", help="Variable."),
            as_json: bool = JSON) -> None:
    """Differentiate step by step, naming each rule (power, product, chain, ...).

    Example: calcml explain "sin(x^2) * exp(x)"
    """
    from calcml.sym import explain as sym_explain

    e = _parse(expr)
    ex = sym_explain(e, _choose_var(var, variables(e)))
    data = {"expression": str(ex.expr), "variable": str(ex.var), "derivative": str(ex.result),
            "steps": [s.text(ex.var) for s in ex.steps]}
    _out(data, as_json, lambda c: c.print(esc(ex)))


@app.command()
@guard
def integrate(expr: str = typer.Argument(..., help="Expression to integrate."),
              var: Optional[str] = typer.Option(None, "--var", "-v", help="Variable."),
              lower: Optional[str] = typer.Option(None, "--from", help="Lower bound "
                                                  "(-oo allowed)."),
              upper: Optional[str] = typer.Option(None, "--to", help="Upper bound (oo)."),
              as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """An antiderivative, or a definite integral checked numerically (--from/--to).

    Example: calcml integrate "x^2" --from 0 --to 1
    """
    import calcml.sym as sym

    check_plot(plot)
    e = _parse(expr)
    names = variables(e)
    var = _choose_var(var, names)
    if (lower is None) != (upper is None):
        raise InputError("give both --from and --to for a definite integral, or neither")
    data: dict = {"expression": str(e), "variable": var}
    if lower is None:
        F = sym.integrate(e, var)
        data["antiderivative"] = str(F)
    else:
        a, b = (_bound(lower, "--from"), _bound(upper, "--to"))
        from calcml import verify
        if len(names) > 1:
            raise InputError("a definite integral needs a function of one variable")
        ver = verify(e, (a, b), what="integral")
        sres = ver.results.get("symbolic")
        if sres is not None and sres.ok and not _finite(float(sres.value)):
            exact = sres.note.strip().lstrip("=").strip()
            if "oo" in exact or "nan" in exact:
                raise InputError(f"the integral of {e} from {lower} to {upper} diverges "
                                 f"(its value is {exact})")
            raise InputError(f"the integral of {e} from {lower} to {upper} is too large for "
                             f"floating point ({exact[:12]}..., {len(exact)} characters)")
        data.update(bounds=[a, b], values={m: float(v) for m, v in ver.values.items()},
                    agree=bool(ver.agree))
        ok = [r for r in ver.results.values() if r.ok]
        data["value"] = float(ok[0].value) if ok else None
        if sres is not None and sres.ok:
            data["exact"] = sres.note.strip().lstrip("=").strip()
    if plot:
        from calcml.plot import antiderivative, riemann
        if lower is None:
            fig = antiderivative(e)
        else:
            if not all(map(_finite, (a, b))):
                raise InputError("--plot: the bounds must be finite to draw the sum")
            fig = riemann(e, a, b, n=12, rule="midpoint")
        save_figure(fig, plot)
        data["plot"] = plot

    def render(c):
        if lower is None:
            c.print(f"∫ {esc(e)} d{var} = [bold green]{esc(data['antiderivative'])}[/] + C")
        else:
            head = f"∫ from {esc(lower)} to {esc(upper)} of {esc(e)} d{var}"
            if "exact" in data and data["value"] is not None:
                head += f" = [bold green]{esc(_exact_and_float(data['exact'], data['value']))}[/]"
            c.print(head)
            c.print(table("", ["method", "value"],
                          [[m, fmt(v)] for m, v in data["values"].items()]))
            c.print("the methods agree" if data["agree"] else "[red]the methods DISAGREE[/]")
        if plot:
            c.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)
    if lower is not None and not data["agree"]:
        raise CheckFailed("the integration " + _disagreement(ver))


def _finite(v: float) -> bool:
    import math
    return math.isfinite(v)


def _bound(text: str, where: str) -> float:
    t = text.strip().lower()
    if t in ("oo", "inf", "+oo", "+inf", "infinity"):
        return float("inf")
    if t in ("-oo", "-inf", "-infinity"):
        return float("-inf")
    return number(text, where)


def _matrix_rows(M) -> list[list[str]]:
    return [[str(M[i, j]) for j in range(M.shape[1])] for i in range(M.shape[0])]


def _derivative_command(kind: str, expr: str, at: Optional[str], vars_: Optional[str],
                        as_json: bool, plot: Optional[str]) -> None:
    import numpy as np

    import calcml.sym as sym
    from calcml import ad

    check_plot(plot)
    e = _parse(expr)
    if kind == "jacobian":
        import sympy
        comps = list(e) if isinstance(e, sympy.MatrixBase) else [e]
        free = sorted({s.name for c in comps for s in c.free_symbols})
    else:
        if not hasattr(e, "free_symbols") or hasattr(e, "shape"):
            raise InputError(f"{kind} needs one scalar expression (use `calcml jacobian` for "
                             "several)")
        free = variables(e)
    names = _vars_option(vars_, free)
    func = {"grad": sym.gradient, "jacobian": sym.jacobian, "hessian": sym.hessian}[kind]
    M = func(e, names)
    text = (", ".join(str(c) for c in comps) if kind == "jacobian" else str(e))
    data: dict = {"expression": text, "variables": names,
                  kind: _matrix_rows(M) if kind != "grad" else [str(v) for v in M]}
    if at is not None:
        point = assignments(at, "--at")
        exact_at = assignments(at, "--at", exact=True)
        x = np.array(point_for(e, point, names=names), dtype=float)
        exact_m = func(e, names, at=exact_at)
        bad = [(i, v) for i, v in enumerate(exact_m) if not _is_finite_real(v)]
        if bad:
            i, v = bad[0]
            entry = (f"∂/∂{names[i]}" if kind == "grad"
                     else f"entry ({i // len(names) + 1}, {i % len(names) + 1})")
            what = {"grad": "gradient"}.get(kind, kind.capitalize())
            raise InputError(f"the {what} is not defined at {_point_text(exact_at)}: {entry} "
                             f"is {_undefined(v)}")
        exact = np.array(exact_m.evalf(), dtype=float)
        data["exact"] = ([str(v) for v in exact_m] if kind == "grad"
                         else _matrix_rows(exact_m))
        f = sym.lambdify(e, names)
        auto = {"grad": ad.grad, "jacobian": ad.jacobian, "hessian": ad.hessian}[kind](f)(x)
        auto = np.asarray(auto, dtype=float)
        if kind == "grad":
            exact = exact.ravel()
        ok = bool(np.allclose(auto, exact.reshape(auto.shape), rtol=1e-9, atol=1e-12))
        data.update(at=point, value=exact.reshape(auto.shape), autodiff=auto,
                    agree=ok)
    if plot:
        if kind != "grad" or len(names) != 2:
            raise InputError("--plot: drawn for `grad` of a function of two variables")
        from calcml.plot import gradient_field
        pt = None
        lim = ((-3, 3), (-3, 3))
        if at is not None:
            pt = [point[n] for n in names]
            lim = tuple((p - 3 - abs(p), p + 3 + abs(p)) for p in pt)
        save_figure(gradient_field(e, lim[0], lim[1], point=pt, vars=names), plot)
        data["plot"] = plot

    def render(c):
        title = {"grad": "gradient", "jacobian": "Jacobian", "hessian": "Hessian"}[kind]
        c.print(f"{title} of {esc(data['expression'])}  (variables {', '.join(names)})")
        cols = ["∂/∂" + n for n in names]
        rows = [data["grad"]] if kind == "grad" else data[kind]
        if kind == "jacobian":
            cols, rows = ["f"] + cols, [[str(cp)] + r for cp, r in zip(comps, rows)]
        elif kind == "hessian":
            cols, rows = [""] + cols, [["∂/∂" + n] + r for n, r in zip(names, rows)]
        c.print(table("", cols, rows))
        if at is not None:
            val = np.asarray(data["value"]).reshape(len(rows), -1)
            ex = [data["exact"]] if kind == "grad" else data["exact"]
            vrows = [[_exact_and_float(ex[i][j], val[i, j]) for j in range(val.shape[1])]
                     for i in range(val.shape[0])]
            if kind != "grad":
                vrows = [[r[0]] + v for r, v in zip(rows, vrows)]
            c.print(table(f"at {_point_text(exact_at)}", cols, vrows))
            c.print("symbolic and autodiff values agree" if data["agree"]
                    else "[red]symbolic and autodiff values DISAGREE[/]")
        if plot:
            c.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)
    if at is not None and not data["agree"]:
        raise CheckFailed("symbolic and autodiff values disagree")


def _vars_option(vars_: Optional[str], free: list) -> list:
    """--vars: the variable order; it must name every variable of the expression."""
    if vars_ is None:
        return free
    names = [v.strip() for v in vars_.split(",") if v.strip()]
    if not names:
        raise InputError("--vars: give variable names such as x,y")
    for n in names:
        if not n.isidentifier():
            raise InputError(f"--vars: {n!r} is not a variable name")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise InputError(f"--vars: {', '.join(dup)} is given twice")
    missing = [n for n in free if n not in names]
    if missing:
        raise InputError(f"--vars: {', '.join(missing)} missing (the expression's variables: "
                         f"{', '.join(free)})")
    return names


VARS = typer.Option(None, "--vars", metavar="x,y", help="Variable order (default: sorted).")


@app.command()
@guard
def grad(expr: str = typer.Argument(..., help='Expression, e.g. "x^2 + y^3".'),
         at: Optional[str] = AT, vars_: Optional[str] = VARS, as_json: bool = JSON,
         plot: Optional[str] = PLOT) -> None:
    """The gradient, symbolic; at --at also by autodiff, checked against each other.

    Example: calcml grad "x^2 + y^3" --at x=2,y=3
    """
    _derivative_command("grad", expr, at, vars_, as_json, plot)


@app.command()
@guard
def jacobian(exprs: str = typer.Argument(..., help='Components, e.g. "2*x*y, x^2*y".'),
             at: Optional[str] = AT, vars_: Optional[str] = VARS,
             as_json: bool = JSON) -> None:
    """The Jacobian matrix of "f1, f2, ..." (row i: the gradient of f_i).

    Example: calcml jacobian "2*x*y, x^2*y" --at x=1,y=2
    """
    _derivative_command("jacobian", expr=exprs, at=at, vars_=vars_, as_json=as_json,
                        plot=None)


@app.command()
@guard
def hessian(expr: str = typer.Argument(..., help="Scalar expression."),
            at: Optional[str] = AT, vars_: Optional[str] = VARS,
            as_json: bool = JSON) -> None:
    """The Hessian matrix of second derivatives.

    Example: calcml hessian "2x^2 + 2x*y + y^2 - x - 2y"
    """
    _derivative_command("hessian", expr, at, vars_, as_json, None)


@app.command()
@guard
def critical(expr: str = typer.Argument(..., help='Expression, e.g. "x^3 - 2x^2 + 1".'),
             as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """Critical points (gradient = 0) and their kind: minimum, maximum, saddle.

    Example: calcml critical "x^3 - 2x^2 + 1"
    """
    import calcml.sym as sym

    check_plot(plot)
    e = _parse(expr)
    pts = sym.critical_points(e)
    names = variables(e)
    data = {"expression": str(e), "variables": names,
            "points": [{"point": {k: str(v) for k, v in p.as_dict().items()},
                        "approx": {k: _approx(v) for k, v in p.as_dict().items()},
                        "value": str(p.value), "value_approx": _approx(p.value),
                        "kind": p.kind, "test": p.test} for p in pts]}
    if plot:
        if len(names) != 1:
            raise InputError("--plot: drawn for a function of one variable")
        from calcml.plot import function_and_derivative
        xs = [d["approx"][names[0]] for d in data["points"]
              if d["approx"][names[0]] is not None]
        lo, hi = (min(xs) - 2, max(xs) + 2) if xs else (-3, 3)
        save_figure(function_and_derivative(e, lo, hi, points=xs or None), plot)
        data["plot"] = plot

    def render(c):
        def coord(k, v, a):
            return f"{k} = " + (_exact_and_float(v, a) if a is not None else v)

        rows = [[", ".join(coord(k, v, d["approx"][k]) for k, v in d["point"].items()),
                 _exact_and_float(d["value"], d["value_approx"])
                 if d["value_approx"] is not None else d["value"],
                 d["kind"] + (f" ({d['test']})" if d["test"] else "")]
                for d in data["points"]]
        if pts:
            c.print(table(f"critical points of {esc(e)}", ["point", "value", "kind"], rows))
        else:
            c.print(f"{esc(e)} has no real critical points")

    _out(data, as_json, render)


@app.command()
@guard
def minimize(expr: str = typer.Argument(..., help="Objective expression."),
             x0: str = typer.Option(..., "--x0", metavar="x=1,y=1", help="Starting point."),
             method: str = typer.Option("auto", "--method", "-m",
                                        help="gd|momentum|nesterov|adam|newton|bfgs|lbfgs|"
                                             "slsqp|auto"),
             lr: Optional[float] = typer.Option(None, "--lr", help="Step size (first-order "
                                                "methods)."),
             maxiter: int = typer.Option(1000, "--maxiter", min=1, help="Iteration limit."),
             constraint: Optional[List[str]] = typer.Option(
                 None, "--constraint", "-c", help='e.g. "x + y = 1" or "x - 1 >= 0" '
                 "(repeatable)."),
             as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """Minimize numerically (autodiff gradients and Hessians); --plot draws the path.

    Example: calcml minimize "(1 - x)^2 + 100*(y - x^2)^2" --x0 x=-1,y=1 --method newton
    """
    from calcml.errors import CalcmlError
    from calcml.optimize import minimize as opt_minimize

    check_plot(plot)
    e = _parse(expr)
    start = assignments(x0, "--x0")
    names = set(variables(e))
    for con in constraint or ():
        try:   # a relation parses as one expression; its variables count too
            names |= set(variables(_parse(con)))
        except CalcmlError:
            pass   # minimize itself reports a bad constraint
    point_for(e, start, "--x0", names=sorted(names))
    res = opt_minimize(expr, start, method=method, lr=lr, maxiter=maxiter,
                       constraints=tuple(constraint or ()))
    x = res.x
    xd = {k: float(v) for k, v in x.items()} if isinstance(x, dict) else x
    data = {"expression": str(e), "x": xd, "fun": float(res.fun), "nit": int(res.nit),
            "nfev": int(res.nfev), "success": bool(res.success), "message": str(res.message),
            "method": str(res.get("method", method))}
    if res.get("multipliers") is not None:
        data["multipliers"] = res.multipliers
    if plot:
        from calcml.plot import contour_path, loss_curve
        names = sorted(start)
        if len(names) == 2 and res.get("path"):
            fig = contour_path(e, {data["method"]: res}, vars=names)
        else:
            fig = loss_curve(res)
        save_figure(fig, plot)
        data["plot"] = plot

    def render(c):
        point = ", ".join(f"{k} = {fmt(v)}" for k, v in xd.items())
        c.print(table(f"minimize {e} (method {data['method']})", ["result", "value"],
                      [["minimum at", point], ["objective there", fmt(data["fun"])],
                       ["iterations", data["nit"]], ["function evaluations", data["nfev"]],
                       ["converged", "yes" if data["success"] else "NO"],
                       ["message", data["message"]]]))
        if plot:
            c.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)
    if not res.success:
        raise CheckFailed(f"the optimizer did not converge: {res.message}")


@app.command()
@guard
def lagrange(objective: str = typer.Argument(..., help="Objective expression."),
             constraint: List[str] = typer.Option(..., "--constraint", "-c",
                                                  help='e.g. "x + y = 1" or '
                                                  '"a + 2*b + c - 1 >= 0" (repeatable).'),
             maximize: bool = typer.Option(False, "--max", help="Maximize instead."),
             as_json: bool = JSON) -> None:
    """Exact constrained optimum from the KKT conditions (Lagrange multipliers).

    Example: calcml lagrange "x*y" -c "x + y = 2" --max
    """
    import calcml.sym as sym

    r = sym.lagrange(objective, list(constraint), sense="max" if maximize else "min")
    d = r.as_dict()
    data = {"objective": objective, "constraints": list(constraint), "sense": r.sense,
            "point": {k: str(v) for k, v in d["point"].items()},
            "approx": {k: _approx(v) for k, v in d["point"].items()},
            "value": str(r.value), "value_approx": _approx(r.value),
            "multipliers": {k: str(v) for k, v in d["multipliers"].items()},
            "candidates": len(r.candidates),
            "feasible_candidates": sum(bool(c.feasible) for c in r.candidates)}

    def render(c):
        def ex(v, a):
            return _exact_and_float(v, a) if a is not None else v

        rows = [[k, ex(v, data["approx"][k])] for k, v in data["point"].items()]
        rows.append([f"{r.sense}imum value", ex(data["value"], data["value_approx"])])
        rows += [[f"multiplier {k}", v] for k, v in data["multipliers"].items()]
        c.print(table(f"{r.sense}imize {objective} subject to " + "; ".join(constraint),
                      ["", "exact value"], rows))
        n, ok = data["candidates"], data["feasible_candidates"]
        c.print(f"KKT conditions: {n} candidate point{'s' * (n != 1)}, {ok} feasible")

    _out(data, as_json, render)


@app.command()
@guard
def verify(expr: str = typer.Argument(..., help="Expression."),
           at: Optional[str] = AT,
           lower: Optional[str] = typer.Option(None, "--from", help="Integral: lower bound."),
           upper: Optional[str] = typer.Option(None, "--to", help="Integral: upper bound."),
           expected: Optional[str] = typer.Option(None, "--expected",
                                                  help="A claimed derivative (expression) "
                                                       "to check as well."),
           as_json: bool = JSON) -> None:
    """Compute a derivative (--at) or integral (--from/--to) symbolically, by autodiff and
    numerically, and check they agree. Exit status 1 if they do not.

    Example: calcml verify "sin(x)*exp(x)" --at x=0.5 --expected "exp(x)*cos(x)"
    """
    import numpy as np

    from calcml import verify as cm_verify

    e = _parse(expr)
    names = variables(e)
    if (lower is None) == (at is None):
        raise InputError("give --at for a derivative, or --from and --to for an integral")
    if lower is not None:
        if upper is None:
            raise InputError("give both --from and --to")
        v = cm_verify(e, (_bound(lower, "--from"), _bound(upper, "--to")), what="integral")
    else:
        point = point_for(e, assignments(at, "--at"))
        x = point[0] if len(point) == 1 else np.array(point)
        exp_val = None
        if expected is not None:
            g = _parse(expected)
            extra = sorted(s.name for s in g.free_symbols if s.name not in names)
            if extra:
                raise InputError(f"--expected uses {', '.join(extra)}, not a variable of "
                                 f"the expression")
            exp_val = g
        v = cm_verify(e, x, expected=exp_val)
    data = {"what": v.what, "expression": str(e), "agree": bool(v.agree),
            "values": {m: r.value for m, r in v.results.items() if r.ok},
            "errors": {m: r.error for m, r in v.results.items() if r.ok},
            "notes": {m: r.note for m, r in v.results.items()},
            "discrepancies": [{"a": d.a, "b": d.b, "difference": d.difference,
                               "allowed": d.allowed, "agree": d.agree}
                              for d in v.discrepancies]}
    _out(data, as_json, lambda c: c.print(v))
    if not v.agree:
        bad = [f"{d.a} vs {d.b}" for d in v.discrepancies if not d.agree]
        raise CheckFailed("methods disagree: " + (", ".join(bad) or "fewer than two values"))


# ------------------------------------------------------------------------------ models
@app.command()
@guard
def svm(data_file: str = typer.Argument(..., metavar="DATA.csv",
                                        help="CSV: feature columns, then the label."),
        kernel: str = typer.Option("linear", "--kernel", "-k", help="linear|rbf|poly"),
        c: float = typer.Option(1.0, "-C", "--C", help="Penalty (large: hard margin)."),
        gamma: str = typer.Option("scale", "--gamma", help="Kernel width or 'scale'."),
        solver: str = typer.Option("smo", "--solver", help="smo|slsqp"),
        as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """Fit a support vector classifier (a constrained optimization) to a CSV file.

    Example: calcml svm points.csv --kernel linear -C 1e6 --plot margin.png
    """
    import numpy as np

    from calcml.models import SVC

    check_plot(plot)
    X, y = read_csv(data_file)
    class_labels(y, data_file, "svm")
    g = gamma if gamma in ("scale", "auto") else number(gamma, "--gamma")
    with progress("fitting SVC", not as_json):
        try:
            m = SVC(C=c, kernel=kernel, gamma=g, solver=solver).fit(X, y)
        except (ValueError, TypeError) as e:
            raise model_error(e) from None
    data = {"n_samples": len(X), "n_features": X.shape[1], "kernel": kernel, "C": c,
            "classes": np.unique(y), "support": m.support_, "support_vectors": m.support_vectors_,
            "dual_coef": m.dual_coef_, "intercept": m.intercept_,
            "accuracy": float(m.score(X, y))}
    if kernel == "linear":
        w = np.asarray(m.coef_, dtype=float)
        data["coef"] = w
        if w.shape[0] == 1 and np.linalg.norm(w) > 0:
            data["margin_width"] = 2.0 / float(np.linalg.norm(w))
    if plot:
        if X.shape[1] != 2:
            raise InputError("--plot: drawn for data with 2 features")
        from calcml.plot import svm_margin
        save_figure(svm_margin(m, X, y), plot)
        data["plot"] = plot

    def render(cons):
        rows = [["samples", data["n_samples"]], ["support vectors", len(m.support_)],
                ["training accuracy", f"{data['accuracy']:.4f}"],
                ["intercept b", fmt(_squeeze(m.intercept_))]]
        if "coef" in data:
            rows.append(["weights w", fmt(_squeeze(data["coef"]))])
        if "margin_width" in data:
            rows.append(["margin width 2/|w|", fmt(data["margin_width"])])
        cons.print(table(f"SVC(kernel={kernel}, C={c:g})", ["fit", "value"], rows))
        if plot:
            cons.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)


def _squeeze(a):
    """A one-element array as a number, else a flat array when it has one row."""
    import numpy as np
    a = np.asarray(a, dtype=float)
    if a.size == 1:
        return float(a.ravel()[0])
    return a[0] if a.ndim == 2 and a.shape[0] == 1 else a


@app.command()
@guard
def mlp(data_file: str = typer.Argument(..., metavar="DATA.csv",
                                        help="CSV: feature columns, then the label."),
        hidden: str = typer.Option("8", "--hidden", metavar="8,8", help="Hidden layer sizes."),
        activation: str = typer.Option("tanh", "--activation", "-a",
                                       help="relu|tanh|sigmoid|..."),
        solver: str = typer.Option("adam", "--solver", help="adam|sgd|lbfgs"),
        lr: float = typer.Option(0.01, "--lr", help="Step size."),
        max_iter: int = typer.Option(500, "--max-iter", min=1, help="Epochs / iterations."),
        seed: int = typer.Option(0, "--seed", min=0, help="Random state."),
        backprop: str = typer.Option("ad", "--backprop", help="ad|manual"),
        regress: bool = typer.Option(False, "--regress", help="MLPRegressor instead."),
        as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """Train a small neural network (backpropagation) on a CSV file.

    Example: calcml mlp circles.csv --hidden 8 --plot boundary.png
    """
    import warnings

    import numpy as np

    from calcml.models import MLPClassifier, MLPRegressor

    check_plot(plot)
    sizes_f = numbers(hidden, "--hidden")
    if any(s < 1 or s != int(s) for s in sizes_f):
        raise InputError(f"--hidden: layer sizes must be positive integers, got {hidden}")
    sizes = tuple(int(v) for v in sizes_f)
    X, y = read_csv(data_file)
    if not regress:
        class_labels(y, data_file, "mlp", regress_hint=True)
    widths = (X.shape[1],) + sizes + (1 if regress else max(2, len(set(y.tolist()))),)
    n_weights = sum((a + 1) * b for a, b in zip(widths, widths[1:]))
    if n_weights > MAX_WEIGHTS or max(sizes) * len(X) > 50 * MAX_WEIGHTS:
        raise InputError(f"--hidden {hidden}: the network is too large for this command "
                         f"({n_weights:.3g} weights; at most {MAX_WEIGHTS:.0e})")
    cls = MLPRegressor if regress else MLPClassifier
    model = cls(hidden_layer_sizes=sizes, activation=activation, solver=solver,
                learning_rate=lr, max_iter=max_iter, random_state=seed, backprop=backprop)
    with progress(f"training {cls.__name__}{sizes}", not as_json), warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            model.fit(X, y)
        except (ValueError, TypeError) as e:
            raise model_error(e) from None
    losses = np.asarray(getattr(model, "loss_curve_", []), dtype=float)
    data = {"model": cls.__name__, "hidden_layer_sizes": list(sizes),
            "activation": activation, "n_samples": len(X), "n_iter": int(model.n_iter_),
            "final_loss": float(losses[-1]) if losses.size else None,
            "score": float(model.score(X, y)), "loss_curve": losses}
    if plot:
        from calcml.plot import decision_boundary, loss_curve
        if not regress and X.shape[1] == 2:
            fig = decision_boundary(model, X, y)
        else:
            fig = loss_curve(losses)
        save_figure(fig, plot)
        data["plot"] = plot

    def render(c):
        c.print(table(f"{cls.__name__}(hidden={sizes}, {activation})", ["fit", "value"],
                      [["iterations", data["n_iter"]], ["final loss", fmt(data["final_loss"])],
                       ["training " + ("R²" if regress else "accuracy"),
                        f"{data['score']:.4f}"]]))
        if plot:
            c.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)


#: the largest network `calcml mlp` trains (a typo such as --hidden 100000000 would
#: otherwise allocate tens of GiB before failing).
MAX_WEIGHTS = 10_000_000


@app.command()
@guard
def sensitivity(reactions: List[str] = typer.Argument(..., help='Reactions, e.g. '
                                                      '"A -> B : k1" "B -> C : k2".'),
                params: str = typer.Option(..., "--params", metavar="k1=1,k2=0.5",
                                           help="Rate constants."),
                y0: str = typer.Option(..., "--y0", metavar="A=1",
                                       help="Initial amounts (species not named start at 0)."),
                t: float = typer.Option(10.0, "--t", help="Final time."),
                points: int = typer.Option(101, "--points", min=2, max=100_000,
                                            help="Output times."),
                normalized: bool = typer.Option(False, "--normalized",
                                                help="(k/y) dy/dk instead of dy/dk."),
                timeout: float = typer.Option(120.0, "--timeout", metavar="SECONDS",
                                              help="Give up after this long (very stiff "
                                                   "networks can take for ever)."),
                as_json: bool = JSON, plot: Optional[str] = PLOT) -> None:
    """Simulate a mass-action reaction network and its sensitivities dy/dk.

    Example: calcml sensitivity "A -> B : k1" "B -> C : k2" --params k1=1,k2=0.5 --y0 A=1 --t 10
    """
    import numpy as np

    from calcml.sensitivity import ReactionNetwork

    check_plot(plot)
    if not (timeout > 0 and np.isfinite(timeout)):
        raise InputError(f"--timeout must be a positive number of seconds, got {timeout}")
    net = ReactionNetwork.from_string("\n".join(reactions))
    y0d = assignments(y0, "--y0")
    unknown = [s for s in y0d if s not in net.species]
    if unknown:
        raise InputError(f"--y0: {', '.join(unknown)} is not a species "
                         f"(species: {', '.join(net.species)})")
    y0v = {s: y0d.get(s, 0.0) for s in net.species}
    if not (t > 0 and np.isfinite(t)):
        raise InputError(f"--t must be a positive final time, got {t}")
    times = np.linspace(0.0, t, points)
    with progress("integrating sensitivities", not as_json), \
            time_limit(timeout, "the integration"):
        tr, S = net.sensitivities(y0v, assignments(params, "--params"), times,
                                  normalized=normalized, return_trajectory=True)
    data = {"species": list(net.species), "parameters": list(net.parameters),
            "odes": {str(k): str(v) for k, v in zip(net.species, net.odes())},
            "jacobian": _matrix_rows(net.jacobian()), "t": tr.t, "y": tr.y,
            "final": {s: float(tr.y[-1, i]) for i, s in enumerate(net.species)},
            "sensitivities_final": {f"d{s}/d{p}": float(S[-1, i, j])
                                    for i, s in enumerate(net.species)
                                    for j, p in enumerate(net.parameters)},
            "sensitivities": S, "normalized": normalized}
    if plot:
        from calcml.plot import sensitivity as plot_sens
        save_figure(plot_sens(tr, S, parameters=net.parameters, normalized=normalized), plot)
        data["plot"] = plot

    def render(c):
        c.print(table("rate equations", ["species", "rate of change"], [[f"d{s}/dt", o]
                                                   for s, o in data["odes"].items()]))
        c.print(table(f"at t = {t:g}" + (" (normalized: (k/y) ∂y/∂k)" if normalized else ""),
                      ["species", "amount"] + [f"∂/∂{p}" for p in net.parameters],
                      [[s, fmt(tr.y[-1, i])] + [fmt(S[-1, i, j])
                                                for j in range(len(net.parameters))]
                       for i, s in enumerate(net.species)]))
        if plot:
            c.print(f"figure saved to {esc(plot)}")

    _out(data, as_json, render)


@app.command()
@guard
def tour(out: str = typer.Option("tour-output", "--out", "-o", help="Report folder."),
         chapter: Optional[List[str]] = typer.Option(None, "--chapter",
                                                     help="Chapter key or prefix "
                                                          "(repeatable), e.g. 004-3."),
         fast: bool = typer.Option(False, "--fast", help="Fewer iterations, same checks."),
         list_: bool = typer.Option(False, "--list", help="List the chapters and exit."),
         no_progress: bool = typer.Option(False, "--no-progress", help="No progress bar."),
         as_json: bool = JSON) -> None:
    """Run every seed lesson as a self-checking chapter and write OUT/index.html.

    Exit status 0 only if every check passes.

    Example: calcml tour --chapter 004-3 --fast --out tour-output
    """
    import calcml.tour as cm_tour

    if chapter is not None and any(not ch.strip() for ch in chapter):
        raise InputError("--chapter: give a chapter key or prefix such as 004-3 "
                         "(see calcml tour --list)")
    if list_:
        keys = cm_tour.chapters()
        _out({"chapters": keys}, as_json, lambda c: [c.print(k) for k in keys])
        return
    rep = cm_tour.run(out=out, chapters=chapter or None, fast=fast,
                      progress=not (no_progress or as_json) and console(True).is_terminal)
    if as_json:
        emit_json(rep.to_dict())
    else:
        c = console()
        c.print(table("calcml tour", ["chapter", "checks", "time (s)", ""],
                      [[r.key, f"{r.n_passed}/{r.n_checks}", f"{r.seconds:.2f}",
                        "ok" if r.passed else "FAILED"] for r in rep.chapters]))
        c.print(f"{rep.n_passed}/{rep.n_checks} checks passed; report: {rep.index}")
    if not rep.passed:
        raise CheckFailed("; ".join(f"{k}: {n}" for k, n in rep.failures()[:5]))
