"""Property tests of calcml.num against exact answers (SymPy) and independent methods.

Found by these properties (regression tests below): stencil weights solved in floating
point (5th derivatives off by ~1e-3, twice the reported error), Richardson tableau entries
that agreed by coincidence (status 0 with the true error 70 times the estimate), the
complex-step second derivative ignoring the rounding of its real part, the cumulative
Simpson rule with a > b, one-coordinate gradients by mp and from one-variable strings,
steps of the wrong shape and misbehaving f in the integrals escaping as NumPy/SciPy errors.
"""
from __future__ import annotations

import math
from fractions import Fraction

import mpmath
import numpy as np
import pytest
import sympy as sp
from hypothesis import HealthCheck, assume, given, settings
from hypothesis import strategies as st

import calcml.num as num
from calcml.errors import CalcmlError
from calcml.num import (cumulative_integral, derivative, fd_weights, gradient, hessian,
                        integrate, jacobian, riemann_sum)

X = sp.Symbol("x")
# well-conditioned atoms: positive values, no cancellation inside f, so that evaluating f
# costs a few ulps and an honest error estimate must bound the true error
ATOMS = [sp.exp(X / 2), X**2 + 1, sp.log(3 + X**2), 1 / (1 + X**2), sp.exp(-X**2),
         sp.sqrt(X**2 + 1), 2 + sp.sin(X), sp.cosh(X / 2)]


@st.composite
def smooth_functions(draw):
    e = draw(st.sampled_from(ATOMS))
    for _ in range(draw(st.integers(0, 2))):
        b = draw(st.sampled_from(ATOMS))
        op = draw(st.sampled_from(["+", "*", "compose"]))
        e = e + draw(st.sampled_from([1, 2, 3])) * b if op == "+" else \
            e * b if op == "*" else b.subs(X, e / 3)
    return e


def _exact(expr, order, x):
    return float(sp.diff(expr, X, order).evalf(30, subs={X: sp.Float(x, 30)}))


# ------------------------------------------------------------------- derivatives
def test_fd_weights_satisfy_the_moment_conditions_exactly():
    # regression: np.linalg.solve on the Vandermonde matrix gave sum(w) = 1.8e-14 for the
    # 7-point 5th derivative, a bias of 1.8e-14 f / h**5 ~ 1e-3 at the default step
    for order in range(1, 7):
        m = (order + 1) // 2
        for offsets in (np.arange(-m, m + 1), np.arange(order + 1), np.arange(-order, 1)):
            w = fd_weights(offsets, order)
            for j in range(offsets.size):
                moment = float(np.sum(w * offsets.astype(float) ** j))
                assert moment == (math.factorial(order) if j == order else 0.0) or j > order
    assert fd_weights([-2, -1, 0, 1, 2], 1) == pytest.approx([1 / 12, -2 / 3, 0, 2 / 3, -1 / 12])
    with pytest.raises(CalcmlError):
        fd_weights([0, 1, 1], 1)


@pytest.mark.parametrize("expr, x, order, method", [
    (sp.log(X**2 + 2), 1.181, 5, "central"),        # float stencil weights
    (sp.sqrt(X**2 + 1), -0.06, 5, "central"),
    ((X**2 - X) * sp.atan(X) + 3 * sp.exp(X / 2), -1.974, 5, "richardson"),  # coincidence
    ((X**2 + 1)**sp.Rational(3, 2), 0.993, 4, "richardson"),
    (sp.sin(X), 1.539, 2, "complex-step"),          # rounding of x + h exp(i pi/4)
])
def test_error_estimate_bounds_the_true_error_regressions(expr, x, order, method):
    est = derivative(sp.lambdify(X, expr, "numpy"), x, order=order, method=method)
    assert abs(est.value - _exact(expr, order, x)) <= est.error


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(smooth_functions(), st.floats(-2.0, 2.0))
def test_derivative_error_estimates_bound_the_true_error(expr, x):
    assume(expr.free_symbols)  # complex-step refuses a constant f (its output is real)
    fn = sp.lambdify(X, expr, "numpy")
    fm = sp.lambdify(X, expr, "mpmath")
    for order in range(1, 7):
        exact = _exact(expr, order, x)
        methods = ["richardson", "central"] + (["forward", "backward"] if order <= 4 else []) \
            + (["complex-step"] if order <= 2 else []) + (["mp"] if order <= 2 else [])
        for method in methods:
            est = derivative(fm if method == "mp" else fn, x, order=order, method=method)
            err = abs(float(est.value) - exact)
            # the fixed steps' safety factor 2 covers the next Taylor term only roughly;
            # richardson's status -1 (round-off stop) returns an estimate, not a bound
            slack = 2.0 if method in ("central", "forward", "backward") else \
                4.0 if method == "richardson" and est.status != 0 else 1.0
            # complex-step order 2 sums Im f(x +- h e^{i pi/4}) whose O(h) parts cancel;
            # terms that cancel inside f' (a stationary inner function) leave eps/h ~ 3e-13
            # that its round-off bound cannot see
            floor = 1e-12 * (1 + abs(float(fn(x)))) if method == "complex-step" else 0.0
            assert err <= slack * est.error + floor, (method, order, err, est.error, est.status)


@settings(max_examples=25, deadline=None)
@given(st.integers(1, 4), st.integers(0, 2**32 - 1))
def test_gradient_jacobian_hessian_of_random_cubics(n, seed):
    rng = np.random.default_rng(seed)
    A = rng.integers(-3, 4, (n, n)).astype(float)
    A = A + A.T
    b, c = rng.integers(-3, 4, n).astype(float), rng.integers(-2, 3, n).astype(float)
    B = rng.integers(-3, 4, (3, n)).astype(float)
    x = np.round(rng.uniform(-2, 2, n), 2)

    def f(v):
        return 0.5 * v @ A @ v + b @ v + np.sum(c * v**3)

    def F(v):
        return B @ v + np.stack([np.sum(v**2), v[0] ** 3, np.sum(c * v)])

    # exact references (float arithmetic here would itself be off by ~1e-15)
    xf = [Fraction(float(v)) for v in x]
    g_true = np.array([float(sum(Fraction(A[i, j]) * xf[j] for j in range(n)) + Fraction(b[i])
                             + 3 * Fraction(c[i]) * xf[i] ** 2) for i in range(n)])
    H_true = A + np.diag([float(6 * Fraction(c[i]) * xf[i]) for i in range(n)])
    J_true = B + np.stack([[float(2 * v) for v in xf], np.eye(n)[0] * float(3 * xf[0] ** 2), c])
    for est, true in ((gradient(f, x), g_true), (jacobian(F, x), J_true),
                      (hessian(f, x), H_true)):
        assert est.value.shape == true.shape
        # (+1e-13: the round-off bound follows |f|, not the terms of size ~10 that cancel
        # in these random polynomials)
        assert np.all(np.abs(est.value - true) <= est.error + 1e-13)
    for est, true in ((gradient(f, x, method="complex-step"), g_true),
                      (jacobian(F, x, method="complex-step"), J_true),
                      (hessian(f, x, method="complex-step"), H_true)):
        # its round-off estimate is relative to f and f', not to the terms that cancel
        # in them (|A x| + 3 |c| x**2 ~ 10 summing to 0.6): closeness only
        assert est.value.shape == true.shape
        np.testing.assert_allclose(est.value, true, rtol=1e-10, atol=1e-10)
    for method in ("central", "forward", "backward"):
        # f may cancel (terms of size 5 summing to 1e-3): only closeness is promised
        np.testing.assert_allclose(gradient(f, x, method=method).value, g_true, atol=1e-5)
        np.testing.assert_allclose(hessian(f, x, method=method).value, H_true, atol=1e-3)
    fl = lambda v: sum(0.5 * A[i, j] * v[i] * v[j] for i in range(n) for j in range(n)) \
        + sum(b[i] * v[i] + c[i] * v[i] ** 3 for i in range(n))  # noqa: E731
    np.testing.assert_allclose(np.array(gradient(fl, x, method="mp").value, float), g_true,
                               atol=1e-12)
    np.testing.assert_allclose(np.array(hessian(fl, x, method="mp").value, float), H_true,
                               atol=1e-12)


def test_one_coordinate_and_scalar_points():
    # regressions: mp crashed on one coordinate (mpmath.diff got the order (1,)); a
    # one-variable string was called with the vector; a 0-d x gave shape (1,)
    assert float(gradient(lambda v: v[0] ** 2, [1.5], method="mp").value[0]) == 3.0
    assert float(hessian(lambda v: v[0] ** 3, [1.5], method="mp").value[0, 0]) == 9.0
    assert gradient("x^2", [1.5]).value == pytest.approx([3.0])
    np.testing.assert_allclose(hessian("x^3", [1.5]).value, [[9.0]])
    assert jacobian("x^2, 3*x", [1.5]).value.shape == (2, 1)
    for method in ("richardson", "central", "complex-step"):
        est = gradient(lambda v: v**2, 1.5, method=method)
        assert np.shape(est.value) == () and est.value == pytest.approx(3.0)
    assert np.shape(hessian(lambda v: v**3, 1.5).value) == ()
    assert jacobian(lambda v: np.stack([v**2, 3 * v]), 1.5).value == pytest.approx([3.0, 3.0])
    assert float(hessian("x^2", 1.5, method="mp").value) == 2.0
    assert gradient("3", [1.0, 2.0]).value == pytest.approx([0.0, 0.0])
    with pytest.raises(CalcmlError, match="2 variables"):
        gradient("x + y", [1.0])


# --------------------------------------------------------------------- integrals
@st.composite
def integrands(draw):
    coeffs = draw(st.lists(st.integers(-3, 3), min_size=1, max_size=5))
    poly = sum(cf * X**i for i, cf in enumerate(coeffs))
    factor = draw(st.sampled_from([sp.exp(X), sp.exp(-X), sp.exp(X / 2), sp.sin(2 * X),
                                   sp.cos(X), sp.Integer(1)]))
    return poly * factor


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(integrands(), st.floats(-2, 1), st.floats(0.1, 3), st.booleans())
def test_integrate_equals_sympy_within_its_error(expr, a, width, flip):
    b = a + width
    a, b = (b, a) if flip else (a, b)
    exact = sp.integrate(expr, (X, sp.Rational(a), sp.Rational(b)))
    est = integrate(sp.lambdify(X, expr, "numpy"), a, b)
    assert abs(est.value - float(exact)) <= max(est.error, 1e-14)
    mp = integrate(sp.lambdify(X, expr, "mpmath"), a, b, method="mp", dps=30)
    with mpmath.workdps(40):
        assert abs(mp.value - mpmath.mpf(str(sp.N(exact, 40)))) <= mp.error
    x, F = cumulative_integral(sp.lambdify(X, expr, "numpy"), a, b, 200, "simpson")
    assert F[0] == 0.0 and abs(F[-1] - float(exact)) <= 1e-6 * max(1.0, abs(float(exact)))


@settings(max_examples=60, deadline=None)
@given(st.lists(st.integers(-5, 5), min_size=1, max_size=4), st.floats(-3, 3),
       st.floats(-3, 3), st.sampled_from([2, 4, 6, 10]))
def test_riemann_rules_are_exact_for_polynomials_of_their_degree(coeffs, a, b, n):
    # a grid finer than float64 can hold is refused (tested in test_num_integrate.py)
    assume(a == b or abs(b - a) / n > 4 * np.spacing(max(abs(a), abs(b))))
    poly = sum(cf * X**i for i, cf in enumerate(coeffs))
    fn = sp.lambdify(X, poly, "numpy")
    exact = float(sp.integrate(poly, (X, sp.Rational(a), sp.Rational(b))))
    degree = len(coeffs) - 1
    scale = 1e-12 * max(1.0, float(sum(abs(cf) * 3.0**i for i, cf in enumerate(coeffs))))
    for rule, exact_up_to in (("midpoint", 1), ("trapezoid", 1), ("simpson", 3)):
        value = riemann_sum(fn, a, b, n, rule)
        if degree <= exact_up_to:
            assert abs(value - exact) <= scale * 10
    for rule in ("left", "right", "midpoint", "trapezoid", "simpson"):
        x, F = cumulative_integral(fn, a, b, n, rule)
        assert x[0] == a and x[-1] == b and F[0] == 0.0
        assert F[-1] == pytest.approx(riemann_sum(fn, a, b, n, rule), rel=1e-12, abs=1e-12)


def test_cumulative_simpson_backwards_and_empty():
    # regression: scipy's cumulative_simpson refused decreasing x (a ValueError escaped)
    x, F = cumulative_integral(lambda t: t**2, 2.0, -1.0, 4, "simpson")
    np.testing.assert_allclose(F, (x**3 - 8.0) / 3, atol=1e-14)
    x, F = cumulative_integral(lambda t: t**2, 1.0, 1.0, 4, "simpson")
    assert np.all(F == 0.0)


# -------------------------------------------------------------------- bad input
def _bad_f():
    return [lambda t: "a", lambda t: None, lambda t: complex(1, 1), lambda t: np.nan,
            lambda t: 1 / 0, lambda t: math.log(-1.0), lambda t: 10**400, lambda t: np.inf,
            lambda t: np.ones(977), "((", 3]


@settings(max_examples=150, deadline=None)
@given(st.sampled_from(range(11)),
       st.sampled_from([0.0, 1.0, np.nan, np.inf, [1.0, np.nan], [], "1", None, 1 + 2j,
                        [1.0, 2.0]]),
       st.sampled_from([None, 0.0, -1.0, np.nan, np.inf, [0.1, 0.2, 0.3], "a", [1, "a"]]),
       st.sampled_from(["richardson", "central", "forward", "complex-step", "mp", "foo"]))
def test_bad_input_gives_a_calcml_error(fi, x, h, method):
    # 10**400 is only bad for floats: mpmath differentiates the constant (to 0) fine
    assume(not (fi == 6 and method == "mp"))
    f = _bad_f()[fi]
    with np.errstate(all="ignore"):
        # (derivative at no points, x = [], is an empty result, not an error)
        for call in ([] if x == [] else [lambda: derivative(f, x, method=method, h=h)]) + [
                     lambda: gradient(f, x, method=method, h=h),
                     lambda: jacobian(f, x, method=method, h=h) if fi != 8 else
                     jacobian(f, x, method=method, h=-1.0),  # (vector f is fine here)
                     lambda: hessian(f, x, method=method, h=h)]:
            with pytest.raises(CalcmlError):
                call()


@settings(max_examples=80, deadline=None)
@given(st.sampled_from(range(11)),
       st.sampled_from([0.0, 1.0, np.nan, np.inf, -np.inf, "a", 1e308]),
       st.sampled_from([2.0, np.nan, np.inf, -1e308]),
       st.sampled_from([1, 2, 0, -1, 2.5, "4"]),
       st.sampled_from(["left", "midpoint", "trapezoid", "simpson", "foo"]))
def test_bad_integrals_give_a_calcml_error(fi, a, b, n, rule):
    f = _bad_f()[fi]
    with np.errstate(all="ignore"):
        # (10**400 is a fine mpmath number: only the float methods refuse it)
        same = a == b  # (an empty range, inf to inf included, is 0 without calling f)
        for call in (lambda: integrate(f, a, np.nan if same else b),
                     lambda: integrate(f, a, np.nan if same or fi == 6 else b, method="mp"),
                     lambda: riemann_sum(f, a, b, n, rule),
                     lambda: cumulative_integral(f, a, b, n, rule)):
            with pytest.raises(CalcmlError):
                call()


def test_step_of_the_wrong_shape_and_real_only_f():
    with pytest.raises(CalcmlError, match="shape"):
        derivative(np.sin, [1.0, 2.0], method="central", h=[0.1, 0.2, 0.3])
    with pytest.raises(CalcmlError, match="scalar"):
        hessian(lambda v: v @ v, [1.0, 2.0], h=[0.1, 0.2])
    # a step per point/coordinate works
    est = derivative(np.sin, np.ones((2, 2)), method="central", h=np.full((2, 2), 1e-5))
    np.testing.assert_allclose(est.value, np.cos(1.0) * np.ones((2, 2)), atol=1e-8)
    with pytest.raises(CalcmlError, match="complex"):
        gradient(lambda v: math.log(v), 1.0, method="complex-step")
    with pytest.raises(CalcmlError, match="np.log"):
        gradient(lambda v: math.log(v), [1.0, 2.0])
    assert num.integrate(lambda t: 1 / t if t else 0.0, 1.0, 2.0).value == pytest.approx(
        math.log(2.0))
