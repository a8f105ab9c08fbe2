"""calcml.num.derivative: accuracy against SymPy's exact derivatives, error estimates."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from num_cases import MPMATH, NUMPY, POINTS, exact, exact_float

from calcml.num import Estimate, default_step, derivative, fd_weights

NAMES = sorted(NUMPY)


def relerr(value, ref):
    return np.abs(value - ref) / np.abs(ref)


@pytest.mark.parametrize("name", NAMES)
def test_richardson_first_derivative_rel_error_1e10(name):
    est = derivative(NUMPY[name], POINTS)
    ref = exact_float(name, 1, POINTS)
    assert est.value.shape == POINTS.shape
    assert relerr(est.value, ref).max() <= 1e-10
    assert np.all(est.success)


@pytest.mark.parametrize("name", NAMES)
def test_complex_step_rel_error_1e14(name):
    est = derivative(NUMPY[name], POINTS, method="complex-step")
    assert relerr(est.value, exact_float(name, 1, POINTS)).max() <= 1e-14
    assert np.all(est.nfev == 2)  # f(x + ih) and the check of f(x)


@pytest.mark.parametrize("name", NAMES)
def test_mp_30_digits_rel_error_1e25(name):
    est = derivative(MPMATH[name], POINTS, method="mp", dps=30)
    ref = exact(name, 1, POINTS)
    with mpmath.workdps(50):
        worst = max(abs(v - r) / abs(r) for v, r in zip(est.value, ref))
    assert worst <= 1e-25
    assert est.value.dtype == object and isinstance(est.value[0], mpmath.mpf)
    assert np.all(est.error < 1e-25 * np.abs(exact_float(name, 1, POINTS)))


@pytest.mark.parametrize("order", [2, 3, 4])
def test_mp_higher_orders(order):
    est = derivative(mpmath.sin, 0.7, order=order, method="mp", dps=30)
    ref = exact("sin", order, [0.7])[0]
    with mpmath.workdps(40):
        assert abs(est.value - ref) <= 1e-25 * abs(ref)


# accuracy reached by the adaptive method for orders 2-4 on these smooth functions
HIGH_ORDER_TOL = {2: 1e-10, 3: 1e-8, 4: 1e-6}


@pytest.mark.parametrize("order", [2, 3, 4])
@pytest.mark.parametrize("name", NAMES)
def test_richardson_higher_orders(name, order):
    est = derivative(NUMPY[name], POINTS, order=order)
    ref = exact_float(name, order, POINTS)
    err = np.abs(est.value - ref)
    assert np.all(err <= HIGH_ORDER_TOL[order] * np.maximum(np.abs(ref), 1.0))
    assert np.all(err <= est.error)  # the error estimate bounds the true error here


@pytest.mark.parametrize("method", ["central", "forward", "backward"])
@pytest.mark.parametrize("order", [1, 2, 3, 4])
def test_fixed_step_methods_are_accurate_to_their_truncation_order(method, order):
    est = derivative(np.exp, POINTS, order=order, method=method)
    ref = exact_float("exp", order, POINTS)
    p = 2 if method == "central" else 1
    # at the default step the error is about eps**(p/(order+p)) relative
    bound = 50 * np.finfo(float).eps ** (p / (order + p))
    assert relerr(est.value, ref).max() <= bound
    assert np.mean(np.abs(est.value - ref) <= est.error) >= 0.9


def test_complex_step_second_order():
    est = derivative(NUMPY["sigmoid"], POINTS, order=2, method="complex-step")
    ref = exact_float("sigmoid", 2, POINTS)
    assert np.abs(est.value - ref).max() <= 1e-11
    assert np.all(np.abs(est.value - ref) <= est.error)


def test_error_estimate_bounds_true_error_in_95_percent_of_random_cases():
    rng = np.random.default_rng(2024)
    hits = total = 0
    for name in NAMES:
        for order in (1, 2, 3, 4):
            x = rng.uniform(-4, 4, size=16)
            est = derivative(NUMPY[name], x, order=order)
            err = np.abs(est.value - exact_float(name, order, x))
            hits += int(np.sum(err <= est.error))
            total += x.size
    assert total == 320
    assert hits / total >= 0.95


def test_fixed_step_error_estimates_bound_in_95_percent():
    rng = np.random.default_rng(7)
    hits = total = 0
    for name in NAMES:
        for method in ("central", "forward"):
            x = rng.uniform(-4, 4, size=20)
            est = derivative(NUMPY[name], x, method=method)
            hits += int(np.sum(np.abs(est.value - exact_float(name, 1, x)) <= est.error))
            total += x.size
    assert hits / total >= 0.95


def test_estimate_fields_and_aliases():
    est = derivative(np.sin, 1.0)
    assert isinstance(est, Estimate)
    assert est.df == est.value and est.method == "richardson"
    assert est.status == 0 and est.success is True and "success" in est.message
    assert float(est) == pytest.approx(math.cos(1.0), rel=1e-13)
    assert "richardson" in repr(est) and est.error_model
    vec = derivative(np.sin, [[0.1, 0.2], [0.3, 0.4]])
    assert vec.value.shape == vec.error.shape == vec.nfev.shape == (2, 2)
    assert vec.success.shape == (2, 2) and vec.success.all()
    with pytest.raises(TypeError, match="single-value"):
        float(vec)


def test_non_vectorized_function_is_called_point_by_point():
    est = derivative(lambda t: math.sin(t) if t > 0 else t**2, [-1.0, 2.0])
    assert est.value == pytest.approx([-2.0, math.cos(2.0)], rel=1e-10)


def test_nfev_counts_real_calls():
    calls = []

    def f(t):
        calls.append(np.size(t))
        return np.exp(t)

    est = derivative(f, 0.5, method="central")
    assert est.nfev == sum(calls) == 5  # f(x), f(x +- h), f(x +- 2h)
    calls.clear()
    est = derivative(f, 0.5, method="forward")
    assert est.nfev == sum(calls) == 3  # f(x), f(x + h), f(x + 2h)


def test_default_step_balances_truncation_and_round_off():
    eps = np.finfo(float).eps
    assert default_step("forward", 1) == pytest.approx(eps ** 0.5)
    assert default_step("central", 1) == pytest.approx(eps ** (1 / 3))
    assert default_step("central", 2) == pytest.approx(eps ** 0.25)
    assert default_step("central", 4, 100.0) == pytest.approx(100 * eps ** (1 / 6))


def test_fd_weights_match_textbook_stencils():
    assert fd_weights([-2, -1, 0, 1, 2], 1) == pytest.approx([1 / 12, -2 / 3, 0, 2 / 3, -1 / 12])
    assert fd_weights([-2, -1, 0, 1, 2], 4) == pytest.approx([1, -4, 6, -4, 1])
    assert fd_weights([0, 1, 2], 1) == pytest.approx([-1.5, 2, -0.5])


def test_explicit_step_is_used():
    coarse = derivative(np.sin, 1.0, method="central", h=0.1)
    # central difference: sin(1) * h**2 / 6 truncation... of cos: error ~ cos(1) h^2/6
    assert abs(coarse.value - math.cos(1.0)) == pytest.approx(math.cos(1.0) * 0.01 / 6, rel=0.01)
    assert abs(coarse.value - math.cos(1.0)) <= coarse.error


def test_richardson_initial_step_near_a_boundary():
    est = derivative(np.log, 0.1, h=0.05)
    assert est.value == pytest.approx(10.0, rel=1e-10)


def test_adaptive_step_shrinks_when_the_stencil_leaves_the_domain():
    est = derivative(np.log, [0.01, 0.1, 3.0])  # the default first step 0.25 crosses 0
    assert est.value == pytest.approx([100.0, 10.0, 1 / 3], rel=1e-10)
    assert np.all(np.abs(est.value - [100.0, 10.0, 1 / 3]) <= est.error)
    second = derivative(np.sqrt, 0.02, order=2)
    assert second.value == pytest.approx(-0.25 * 0.02 ** -1.5, rel=1e-7)


@settings(max_examples=30, deadline=None)
@given(coefs=st.lists(st.floats(-3, 3), min_size=1, max_size=7),
       x=st.floats(-2, 2), order=st.integers(1, 4))
def test_polynomials_property(coefs, x, order):
    p = np.polynomial.Polynomial(coefs)
    exact = p.deriv(order)(x)
    est = derivative(p, x, order=order)
    scale = max(1.0, float(np.abs(coefs).max()))
    assert abs(est.value - exact) <= 1e-6 * scale
    assert abs(est.value - exact) <= est.error + 1e-12 * scale


def test_sympy_expression_mp_30_digits():
    import sympy as sp

    x = sp.Symbol("x")
    est = derivative(sp.log(1 + x**2), 0.7, method="mp", dps=30)
    with mpmath.workdps(40):
        exact = 2 * mpmath.mpf(0.7) / (1 + mpmath.mpf(0.7) ** 2)
        assert abs(est.value - exact) <= 1e-25 * abs(exact)
    assert derivative(sp.sin(x), 0.3).value == pytest.approx(math.cos(0.3), rel=1e-13)
