"""critical_points and lagrange: seed 004 lessons 6 and 7, checked independently."""
import numpy as np
import pytest
import sympy
from scipy.optimize import minimize

from calcml.errors import CalcmlError
from calcml.sym import critical_points, lagrange

x, y, a, b, c = sympy.symbols("x y a b c")
R = sympy.Rational


def test_seed004_critical_points():
    pts = critical_points("x^3 - 2x^2 + 1")
    assert [(p.point[x], p.kind) for p in pts] == [(0, "maximum"), (R(4, 3), "minimum")]
    assert [p.value for p in pts] == [1, R(-5, 27)]
    assert pts[0].as_dict() == {"x": 0}
    assert "maximum" in str(pts[0]) and "maximum" in pts[0]._repr_latex_()


@pytest.mark.parametrize("expr, kinds", [
    ("x^2 + y^2", ["minimum"]),
    ("-(x^2) - y^2 + 3", ["maximum"]),
    ("x^2 - y^2", ["saddle"]),
    ("x^4", ["minimum"]),       # f'' = 0: the 4th derivative decides
    ("-x^6", ["maximum"]),
    ("x^3", ["saddle"]),        # stationary inflection point
    ("x^4 + y^4", ["degenerate"]),
    ("x^3 - 3x + y^2", ["saddle", "minimum"]),
])
def test_classification(expr, kinds):
    assert [p.kind for p in critical_points(expr)] == kinds


def test_classification_agrees_with_sampling():
    # independent check: around each minimum/maximum the function is not lower/higher
    expr = "x^3 - 3x + y^3 - 3y"
    f = sympy.lambdify((x, y), x ** 3 - 3 * x + y ** 3 - 3 * y)
    rng = np.random.default_rng(0)
    pts = critical_points(expr)
    assert len(pts) == 4
    for p in pts:
        x0, y0 = float(p.point[x]), float(p.point[y])
        d = rng.normal(size=(200, 2)) * 1e-3
        vals = f(x0 + d[:, 0], y0 + d[:, 1]) - f(x0, y0)
        if p.kind == "minimum":
            assert np.all(vals >= -1e-12)
        elif p.kind == "maximum":
            assert np.all(vals <= 1e-12)
        else:
            assert p.kind == "saddle" and vals.min() < 0 < vals.max()


def test_continuum_is_degenerate():
    (p,) = critical_points("(x - y)^2")
    assert p.kind == "degenerate"


SVM3 = ["-c - 1 >= 0", "a + 2b + c - 1 >= 0", "2a + b + c - 1 >= 0"]


def _svm_constraints(points):
    return [f"{lab}*({px}*a + {py}*b + c) >= 1" for (px, py), lab in points]


def _scipy_svm(points):
    cons = [{"type": "ineq", "fun": (lambda w, p=p, l=l: l * (p[0] * w[0] + p[1] * w[1] + w[2])
                                     - 1)} for p, l in points]
    res = minimize(lambda w: w[0] ** 2 + w[1] ** 2, np.array([1.0, 1.0, 1.0]),
                   method="SLSQP", constraints=cons, options={"ftol": 1e-12})
    return res.x, res.fun


def test_seed004_svm_three_points():
    r = lagrange("a^2 + b^2", SVM3)
    assert r.point == {a: R(2, 3), b: R(2, 3), c: -1}
    assert r.value == R(8, 9)
    mu = r.multipliers
    assert [mu[sympy.Symbol(f"mu_{j}")] for j in (1, 2, 3)] == [R(8, 9), R(4, 9), R(4, 9)]
    # KKT stationarity, checked by hand: grad f = sum mu_j grad h_j
    grad_f = sympy.Matrix([2 * R(2, 3), 2 * R(2, 3), 0])
    grads = [sympy.Matrix([0, 0, -1]), sympy.Matrix([1, 2, 1]), sympy.Matrix([2, 1, 1])]
    assert grad_f == sum((m * g for m, g in zip((R(8, 9), R(4, 9), R(4, 9)), grads)),
                         sympy.zeros(3, 1))
    w, fun = _scipy_svm([((0, 0), -1), ((1, 2), 1), ((2, 1), 1)])   # the seed's SciPy run
    np.testing.assert_allclose(w, [2 / 3, 2 / 3, -1], atol=1e-6)
    assert fun == pytest.approx(8 / 9, abs=1e-9)
    d = r.as_dict()
    assert d["point"] == {"a": R(2, 3), "b": R(2, 3), "c": -1} and d["value"] == R(8, 9)
    assert sum(cand.feasible for cand in r.candidates) >= 1
    assert "8/9" in str(r) and r._repr_latex_().startswith("$")


def test_seed004_svm_six_points_same_line():
    pts = [((0, 0), -1), ((-1, -1), -1), ((-3, -1), -1), ((1, 2), 1), ((2, 1), 1), ((3, 3), 1)]
    r = lagrange("a^2 + b^2", _svm_constraints(pts))
    assert r.point == {a: R(2, 3), b: R(2, 3), c: -1} and r.value == R(8, 9)
    # only the three original points are support vectors (positive multipliers)
    support = [j for j in range(1, 7) if r.multipliers[sympy.Symbol(f"mu_{j}")] > 0]
    assert support == [1, 4, 5]
    w, fun = _scipy_svm(pts)
    np.testing.assert_allclose(w, [2 / 3, 2 / 3, -1], atol=1e-6)


def test_equality_constraints_and_max():
    r = lagrange("x + y", "x^2 + y^2 = 2", sense="max")
    assert r.point == {x: 1, y: 1} and r.value == 2
    r = lagrange("x + y", "x^2 + y^2 = 2")
    assert r.point == {x: -1, y: -1} and r.value == -2
    assert len(r.candidates) == 2
    r = lagrange("(x - 3)^2 + (y - 3)^2", ["x + y <= 2", "x - y = 0"])
    assert r.point == {x: 1, y: 1} and r.value == 8
    assert r.multipliers[sympy.Symbol("mu_1")] == 4


def test_inactive_constraint_gives_zero_multiplier():
    r = lagrange("x^2 + y^2", ["x + y >= -5"])
    assert r.point == {x: 0, y: 0} and r.multipliers == {sympy.Symbol("mu_1"): 0}


def test_lagrange_errors():
    with pytest.raises(CalcmlError, match="not a relation"):
        lagrange("x^2", ["x + 1"])
    with pytest.raises(CalcmlError, match="no feasible"):
        lagrange("x", ["x >= 1", "x <= 0"])
    with pytest.raises(CalcmlError, match="sense"):
        lagrange("x^2", [], sense="best")


def test_real_roots_written_with_i_are_classified():
    # f' = 4x^3 - 6x + 1 has three real roots that SymPy writes with I (Cardano)
    f = x ** 4 - 3 * x ** 2 + x
    pts = critical_points("x^4 - 3x^2 + x")
    roots = sorted(float(r) for r in sympy.Poly(sympy.diff(f, x), x).nroots())
    assert [float(p.point[x]) for p in pts] == pytest.approx(roots, abs=1e-12)
    assert [p.kind for p in pts] == ["minimum", "maximum", "minimum"]
    assert [float(p.value) for p in pts] == pytest.approx([float(f.subs(x, r)) for r in roots])
    two = critical_points("x^4 - 3x^2 + x + y^2")
    assert [p.kind for p in two] == ["minimum", "saddle", "minimum"]
    r = lagrange("x^4 - 3x^2 + x", ["x >= -5"])
    assert float(r.point[x]) == pytest.approx(roots[0], abs=1e-12)
    assert float(r.value) == pytest.approx(float(f.subs(x, roots[0])))


def test_critical_points_sympy_cannot_solve_is_a_calcml_error():
    with pytest.raises(CalcmlError, match="cannot solve"):
        critical_points("abs(x)")


def test_lagrange_symbolic_values():
    k = sympy.Symbol("k")
    r = lagrange("x^2 + k", ["x >= 1"], ["x"])
    assert r.point == {x: 1} and r.value == k + 1
    with pytest.raises(CalcmlError, match="rename"):
        lagrange("mu_1^2 + x^2", ["mu_1 + x >= 1"])


def test_lagrange_refuses_a_minimum_that_does_not_exist():
    # x y on x + y = 2 is x (2 - x): unbounded below; its only KKT point is the maximum
    with pytest.raises(CalcmlError, match="no minimum .* second-order test"):
        lagrange("x y", "x + y = 2")
    r = lagrange("x y", "x + y = 2", sense="max")
    assert r.point == {x: 1, y: 1} and r.candidates[0].second_order is True


def test_second_order_test_picks_the_minimum_on_a_circle():
    r = lagrange("x + y", "x^2 + y^2 = 1")
    assert r.point == {x: -sympy.sqrt(2) / 2, y: -sympy.sqrt(2) / 2}
    flags = {tuple(c.point.values()): c.second_order for c in r.candidates}
    assert sorted(flags.values()) == [False, True]
