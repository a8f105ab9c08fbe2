"""diff, gradient, jacobian, hessian, integrate, limit, taylor (seeds 003 and 004)."""
import math
import threading

import numpy as np
import pytest
import sympy
from scipy.integrate import quad

import calcml as cm
from calcml.errors import CalcmlError, DimensionError, TimeoutError
from calcml.sym import (NoClosedForm, diff, gradient, hessian, integrate, jacobian, limit,
                        parse, sigmoid, taylor)

x, y, h, n = sympy.symbols("x y h n")


def test_seed004_gradient_at_2_3():
    g = gradient("x^2 + y^3")
    assert g == sympy.Matrix([2 * x, 3 * y ** 2])
    assert gradient("x^2 + y^3", at=(2, 3)) == sympy.Matrix([4, 27])
    assert gradient("x^2 + y^3", at={"y": 3, "x": 2}) == sympy.Matrix([4, 27])
    assert gradient("x^2 + y^3", vars=["y", "x"], at=(3, 2)) == sympy.Matrix([27, 4])


def test_seed004_jacobian():
    expected = sympy.Matrix([[2 * y, 2 * x], [2 * x * y, x ** 2]])
    assert jacobian("2x y, x^2 y") == expected
    assert jacobian(["2*x*y", "x^2*y"]) == expected
    assert jacobian(sympy.Matrix([2 * x * y, x ** 2 * y]), [x, y]) == expected
    assert jacobian("2x y, x^2 y") == sympy.Matrix([2 * x * y, x ** 2 * y]).jacobian([x, y])


def test_jacobian_of_the_seed_sigmoid_layer_task():
    p, q, r, s, t, u = sympy.symbols("p q r s t u")
    J = jacobian("sigmoid(p x + q y), sigmoid(r x + s y), sigmoid(t x + u y)", [x, y])
    by_hand = sympy.Matrix([1 / (1 + sympy.exp(-(a * x + b * y)))
                            for a, b in ((p, q), (r, s), (t, u))]).jacobian([x, y])
    diff_ = (J.applyfunc(lambda e: e.rewrite(sympy.exp)) - by_hand).applyfunc(sympy.simplify)
    assert diff_ == sympy.zeros(3, 2)


def test_sigmoid_derivative_is_s_one_minus_s_not_twice():
    d = diff("sigmoid(x)")
    s = sigmoid(x)
    assert sympy.simplify(d - s * (1 - s)) == 0
    assert sympy.simplify(d - 2 * s * (1 - s)) != 0
    # and it agrees with differentiating the elementary form
    elem = 1 / (1 + sympy.exp(-x))
    assert sympy.simplify(d.rewrite(sympy.exp) - sympy.diff(elem, x)) == 0
    assert diff("softplus(x)") == s
    assert diff("relu(x)") == sympy.Heaviside(x)


def test_diff_options():
    assert diff("x^3 - 2x^2 + 1") == 3 * x ** 2 - 4 * x
    assert diff("x^3", order=2) == 6 * x
    assert diff("x^3 y^2", "x", "y") == 6 * x ** 2 * y
    assert diff("x^2 y", y) == x ** 2
    assert diff("sin(x)", order=2, at={"x": "pi/2"}) == -1
    assert diff("x^2 + 2x + 1", at=[3]) == 8   # seed 003's derivative at 3
    assert diff("x^2, x^3") == sympy.Matrix([2 * x, 3 * x ** 2])
    with pytest.raises(CalcmlError, match="several variables"):
        diff("x y")
    with pytest.raises(CalcmlError, match="order"):
        diff("x", order=-1)


def test_hessian():
    H = hessian("x^2 y + y^3")
    assert H == sympy.Matrix([[2 * y, 2 * x], [2 * x, 6 * y]])
    # seed 000 Newton quadratic: f = x'Ax/2 - b'x with A = [[4,2],[2,2]]
    assert hessian("2x^2 + 2x y + y^2 - x - 2y") == sympy.Matrix([[4, 2], [2, 2]])
    with pytest.raises(DimensionError):
        gradient("x + y", at=(1, 2, 3))


@pytest.mark.parametrize("expr, anti", [
    ("3x^2 - 4x", "x^3 - 2x^2"),           # seed 004 lesson 2 task
    ("2x", "x^2"),                           # seed 004: the antiderivative of 2x is x^2
    ("cos(x)", "sin(x)"),
    ("1/x", "log(x)"),
    ("x exp(x)", "(x - 1) exp(x)"),
])
def test_antiderivatives(expr, anti):
    F = integrate(expr)
    assert sympy.simplify(F - parse(anti)) == 0
    assert sympy.simplify(sympy.diff(F, x) - parse(expr)) == 0


@pytest.mark.parametrize("expr, a, b, exact", [
    ("x^2", 0, 1, sympy.Rational(1, 3)),                          # seed 003
    ("x^3 + x^2", 0, 1, sympy.Rational(7, 12)),                   # seed 003 Riemann sums
    ("exp(-x^2)", "-oo", "oo", sympy.sqrt(sympy.pi)),
    ("1/x^2", 1, "oo", sympy.Integer(1)),
    ("sin(x)", 0, "pi", sympy.Integer(2)),
    ("2x", -10, 10, sympy.Integer(0)),                            # seed 004 lesson 2
    ("sigmoid(x)", 0, 1, sympy.log((1 + sympy.E) / 2)),
])
def test_definite_integrals(expr, a, b, exact):
    val = integrate(expr, bounds=(a, b))
    assert sympy.simplify(val - exact) == 0, val
    fn = cm.sym.lambdify(expr)
    lo = -np.inf if a == "-oo" else float(a)
    hi = np.inf if b == "oo" else (math.pi if b == "pi" else float(b))
    assert quad(fn, lo, hi)[0] == pytest.approx(float(exact), rel=1e-8, abs=1e-10)


def test_no_closed_form_says_so_and_gives_a_number():
    r = integrate("sin(sin(x))", bounds=(0, 1))
    assert isinstance(r, NoClosedForm) and isinstance(r, sympy.Integral)
    assert float(r.numeric) == pytest.approx(quad(lambda t: math.sin(math.sin(t)), 0, 1)[0],
                                             rel=1e-12)
    assert "no closed form" in str(r)
    anti = integrate("sin(sin(x))")
    assert isinstance(anti, NoClosedForm) and anti.numeric is None
    assert "no closed form" in str(anti)


def test_integrate_needs_a_variable_and_pairs():
    with pytest.raises(CalcmlError, match="several variables"):
        integrate("x y")
    assert integrate("x y", "y") == x * y ** 2 / 2
    with pytest.raises(CalcmlError, match="pair"):
        integrate("x", bounds=(0, 1, 2))


def test_seed003_limits():
    assert limit("sin(x)/x", "x", 0) == 1
    dq = ((x + h) ** 2 + 2 * (x + h) + 1 - (x ** 2 + 2 * x + 1)) / h
    assert sympy.expand(limit(dq, h, 0) - (2 * x + 2)) == 0
    assert limit(dq.subs(x, 3), h, 0) == 8
    assert limit("(1 + 1/n)^n", "n", "oo") == sympy.E
    assert limit("1/x", "x", 0, dir="+") == sympy.oo
    assert limit("1/x", "x", 0, dir="-") == -sympy.oo
    assert limit("sigmoid(x)", "x", "oo") == 1
    with pytest.raises(CalcmlError, match="does not exist"):
        limit("abs(x)/x", "x", 0)
    with pytest.raises(CalcmlError, match="dir"):
        limit("x", "x", 0, dir="up")


@pytest.mark.parametrize("expr, x0, order", [
    ("exp(x)", 0, 4), ("sin(x)", 0, 5), ("log(x)", 1, 3), ("sqrt(x)", 4, 3),
    ("sigmoid(x)", 0, 3), ("1/(1-x)", 0, 4),
])
def test_taylor_matches_sympy_series(expr, x0, order):
    f = parse(expr)
    T = taylor(expr, "x", x0, order)
    ref = sympy.series(f.rewrite(sympy.exp) if f.has(sigmoid) else f, x, x0, order + 1).removeO()
    assert sympy.simplify(T - ref) == 0
    assert sympy.degree(sympy.expand(T), x) <= order


def test_taylor_sin_seed003_coefficients():
    assert taylor("sin(x)", "x", 0, 5) == x - x ** 3 / 6 + x ** 5 / 120


def test_timeout_raises_calcml_error_quickly():
    import time

    t0 = time.perf_counter()
    with pytest.raises(TimeoutError, match="could not finish") as info:
        integrate("exp(x^3) sin(x^7) / (x^2 + 1)", bounds=(0, "oo"), timeout=0.05)
    assert isinstance(info.value, CalcmlError)
    assert "integral of" in str(info.value)
    assert time.perf_counter() - t0 < 1.0
    # the abandoned SymPy worker is cancelled, not left running in the background
    deadline = time.perf_counter() + 2.0
    while any(t.name == "calcml-sym" for t in threading.enumerate()) \
            and time.perf_counter() < deadline:
        time.sleep(0.01)
    assert not any(t.name == "calcml-sym" for t in threading.enumerate())


def test_run_with_timeout_passes_values_and_errors():
    from calcml.sym.timeout import run_with_timeout

    assert run_with_timeout(lambda: 42, 1.0, "answer") == 42
    assert run_with_timeout(lambda: 42, None, "answer") == 42
    with pytest.raises(ZeroDivisionError):
        run_with_timeout(lambda: 1 / 0, 1.0, "dividing")
    with pytest.raises(ValueError, match="timeout"):
        run_with_timeout(lambda: 1, 0, "nothing")


def test_divergent_or_oscillating_results_raise():
    with pytest.raises(CalcmlError, match="does not converge"):
        integrate("1/x", bounds=(-1, 1))
    with pytest.raises(CalcmlError, match="does not converge"):
        integrate("sin(x)", bounds=(0, "oo"))
    assert integrate("1/x", bounds=(0, 1)) == sympy.oo      # divergent to +oo: said exactly
    with pytest.raises(CalcmlError, match="does not exist"):
        limit("sin(1/x)", "x", 0)
    with pytest.raises(CalcmlError, match="does not exist"):
        limit("sin(x)", "x", "oo")


@pytest.mark.parametrize("expr", ["sqrt(x)", "1/x", "abs(x)", "log(x)"])
def test_taylor_at_a_singular_point_raises(expr):
    with pytest.raises(CalcmlError):
        taylor(expr, "x", 0, 2)


def test_variables_are_real_so_abs_has_the_textbook_derivative():
    x, y = sympy.symbols("x y")
    assert diff("abs(x)") == sympy.sign(x)
    assert diff("abs(x^2 - 1)") == 2 * x * sympy.sign(x ** 2 - 1)
    assert gradient("abs(x y)").T == sympy.Matrix([[y * sympy.sign(x * y),
                                                    x * sympy.sign(x * y)]])
    assert diff("sqrt(x^2)") == sympy.sign(x)
    # nothing complex leaks into the results, and the caller's symbols come back
    assert not diff("abs(sin(x))").has(sympy.re, sympy.im)
    assert diff("abs(x)").free_symbols == {x}


@pytest.mark.parametrize("expr, x0, expected", [("abs(x^3)", 0, 0), ("abs(x)^2", 0, "x^2"),
                                                ("abs(x)", 1, "x"), ("relu(x)", 2, "x")])
def test_taylor_through_a_kink_that_is_smooth_enough(expr, x0, expected):
    assert sympy.simplify(taylor(expr, "x", x0, 2) - sympy.sympify(expected)) == 0


@pytest.mark.parametrize("expr, order", [("x abs(x)", 2), ("relu(x)", 1), ("abs(x^3)", 3)])
def test_taylor_where_a_derivative_jumps_raises(expr, order):
    with pytest.raises(CalcmlError, match="jumps there"):
        taylor(expr, "x", 0, order)


def test_activation_functions_evaluate_numerically():
    from calcml.sym.functions import relu, sigmoid, softplus
    assert float(softplus(sympy.Float(1.0))) == pytest.approx(math.log1p(math.e), rel=1e-15)
    assert float(softplus(sympy.pi).evalf(30)) == pytest.approx(math.log1p(math.exp(math.pi)))
    assert float(sigmoid(sympy.Float(1.0))) == pytest.approx(1 / (1 + math.exp(-1)))
    assert relu(sympy.Float(-1.5)) == 0
    # a Hessian at a float point is a number, not softplus(1.0) left unevaluated
    H = hessian("sin(softplus(x))", ["x"], at={"x": 1.0})
    s = 1 / (1 + math.exp(-1.0))
    sp1 = math.log1p(math.e)
    assert float(H[0, 0]) == pytest.approx(-math.sin(sp1) * s * s + math.cos(sp1) * s * (1 - s))
