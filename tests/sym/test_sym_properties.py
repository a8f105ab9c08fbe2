"""Properties of calcml.sym on random inputs, checked by independent means
(numpy roots and eigenvalues, sampling, SciPy's SLSQP, differentiation back)."""
from __future__ import annotations

import numpy as np
import pytest
import sympy
from hypothesis import HealthCheck, assume, given, settings, strategies as st
from scipy.optimize import minimize

import calcml as cm
from calcml.sym import critical_points, diff, integrate, lagrange

x, y = sympy.symbols("x y")
small = st.integers(-4, 4)
fast = settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def poly_text(coeffs):
    return " + ".join(f"({c})*x^{k}" for k, c in enumerate(coeffs))


@fast
@given(st.lists(small, min_size=3, max_size=6))
def test_critical_points_of_random_polynomials(coeffs):
    assume(any(coeffs[2:]))                      # not linear: finitely many critical points
    text = poly_text(coeffs)
    f = sympy.Poly(list(reversed(coeffs)), x).as_expr()
    fnum = sympy.lambdify(x, f)
    pts = critical_points(text)
    found = sorted(float(p.point[x]) for p in pts)
    dp = np.polyder(np.array(list(reversed(coeffs)), dtype=float))
    roots = np.roots(np.trim_zeros(dp, "f")) if np.any(dp) else np.array([])
    real = []
    for r in sorted(r.real for r in roots if abs(r.imag) < 1e-5):   # multiple roots once
        if not real or r - real[-1] > 1e-4:
            real.append(r)
    np.testing.assert_allclose(found, real, atol=1e-4)
    for p in pts:
        x0, d = float(p.point[x]), 1e-3
        left, mid, right = fnum(x0 - d), fnum(x0), fnum(x0 + d)
        scale = 1e-9 * max(1.0, abs(mid))
        if p.kind == "minimum":
            assert left >= mid - scale and right >= mid - scale
        elif p.kind == "maximum":
            assert left <= mid + scale and right <= mid + scale
        else:                                    # an inflection: one side up, one down
            assert p.kind == "saddle" and (left - mid) * (right - mid) <= scale


@fast
@given(st.tuples(small, small, small, small, small))
def test_critical_point_of_a_random_quadratic_form(v):
    a11, a12, a22, b1, b2 = v
    A = np.array([[a11, a12], [a12, a22]], dtype=float)
    eig = np.linalg.eigvalsh(A)
    assume(np.all(np.abs(eig) > 1e-9))
    text = f"1/2 ({a11} x^2 + 2 ({a12}) x y + {a22} y^2) + ({b1}) x + ({b2}) y"
    [p] = critical_points(text)
    np.testing.assert_allclose([float(p.point[x]), float(p.point[y])],
                               np.linalg.solve(A, [-b1, -b2]), rtol=1e-12, atol=1e-12)
    expected = "minimum" if eig.min() > 0 else "maximum" if eig.max() < 0 else "saddle"
    assert p.kind == expected


@settings(max_examples=20, deadline=None)
@given(st.tuples(small, small), st.tuples(small, small), st.integers(-3, 3))
def test_lagrange_projection_onto_a_half_plane_matches_slsqp(target, normal, offset):
    """min |v - p|^2 / 2 subject to n.v >= c: calcml's KKT answer equals SciPy's."""
    p, n = np.array(target, float), np.array(normal, float)
    assume(np.any(n))
    objective = f"1/2 ((x - ({p[0]:g}))^2 + (y - ({p[1]:g}))^2)"
    constraint = f"({n[0]:g}) x + ({n[1]:g}) y - ({offset}) >= 0"
    res = lagrange(objective, [constraint])
    got = np.array([float(res.point[x]), float(res.point[y])])
    ref = minimize(lambda v: 0.5 * np.sum((v - p) ** 2), np.zeros(2), method="SLSQP",
                   constraints=[{"type": "ineq", "fun": lambda v: n @ v - offset}],
                   options={"ftol": 1e-12})
    np.testing.assert_allclose(got, ref.x, atol=1e-6)
    [mu] = res.multipliers.values()
    assert float(mu) >= 0                              # dual feasible
    # stationarity: v - p = mu n
    np.testing.assert_allclose(got - p, float(mu) * n, atol=1e-12)


INTEGRANDS = ["x^{k} exp({a} x)", "x^{k} sin({a} x)", "x^{k} cos({a} x)", "x^{k} / (1 + x^2)",
              "exp({a} x) sin(x)", "x^{k} log(1 + x)", "sqrt(1 + x) x^{k}", "({a} x + 1)^{k}"]


@settings(max_examples=25, deadline=None)
@given(st.sampled_from(INTEGRANDS), st.integers(0, 3), st.integers(1, 3))
def test_antiderivatives_differentiate_back_and_match_quadrature(template, k, a):
    text = template.format(k=k, a=a)
    F = integrate(text)
    f = cm.sym.parse(text)
    assert sympy.simplify(diff(F, "x") - f) == 0
    exact = integrate(text, "x", (0, 1))
    num = cm.num.integrate(text, 0, 1)
    assert float(exact) == pytest.approx(num.value, rel=1e-12, abs=1e-14)
    assert float(F.subs(x, 1) - F.subs(x, 0)) == pytest.approx(float(exact), rel=1e-10,
                                                               abs=1e-12)
