"""Riemann sums, the running-sum antiderivative and adaptive / mpmath integration."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest

from calcml.num import RULES, cumulative_integral, integrate, riemann_sum
from calcml.num.integrate import RULE_ORDERS


@pytest.mark.parametrize("rule,expected_order", [("left", 1), ("right", 1), ("midpoint", 2),
                                                 ("trapezoid", 2), ("simpson", 4)])
def test_riemann_rules_converge_at_their_order(rule, expected_order):
    exact = math.e - 1  # integral of exp over [0, 1]
    errors = [abs(riemann_sum(np.exp, 0, 1, n, rule) - exact) for n in (8, 16, 32, 64)]
    orders = [math.log2(a / b) for a, b in zip(errors, errors[1:])]
    assert RULE_ORDERS[rule] == expected_order
    assert all(abs(o - expected_order) < 0.1 for o in orders), orders


def test_riemann_exact_values():
    assert riemann_sum(lambda t: 2 * t, 0, 1, 4, "left") == pytest.approx(0.75)
    assert riemann_sum(lambda t: 2 * t, 0, 1, 4, "right") == pytest.approx(1.25)
    assert riemann_sum(lambda t: t**3, 0, 2, 2, "simpson") == pytest.approx(4.0)  # exact on cubics
    assert riemann_sum(lambda t: t, 1, 0, 10, "trapezoid") == pytest.approx(-0.5)
    assert riemann_sum(math.sin, 0, math.pi, 200, "midpoint") == pytest.approx(2.0, rel=1e-4)


@pytest.mark.parametrize("rule", RULES)
def test_cumulative_integral_is_the_antiderivative(rule):
    # seed 004 lesson 2: f = 3x^2 - 4x, antiderivative x^3 - 2x^2 (+ C)
    xg, F = cumulative_integral(lambda t: 3 * t**2 - 4 * t, -2, 2, 400, rule)
    exact = xg**3 - 2 * xg**2 - ((-2) ** 3 - 2 * 4)
    assert xg.shape == F.shape == (401,) and F[0] == 0.0 and xg[-1] == 2.0
    tol = {"left": 0.2, "right": 0.2, "midpoint": 1e-3, "trapezoid": 1e-3, "simpson": 1e-9}[rule]
    assert np.abs(F - exact).max() <= tol
    total = riemann_sum(lambda t: 3 * t**2 - 4 * t, -2, 2, 400, rule)
    assert F[-1] == pytest.approx(total, rel=1e-9, abs=1e-12)


def test_seed_running_sum_is_shifted_by_one_step():
    dx = 0.1
    xs = np.arange(-10, 10, dx)
    seed = np.cumsum(2 * xs * dx)  # the seed's code
    xg, F = cumulative_integral(lambda t: 2 * t, -10, 10, 200)
    assert np.allclose(seed[:-1], F[1:-1])  # seed[k] = F(x_{k+1})


def test_adaptive_integrate_finite_and_infinite():
    est = integrate(np.exp, 0, 1)
    assert abs(est.value - (math.e - 1)) <= max(est.error, 1e-15)
    assert est.success and est.nfev == 21 and est.method == "adaptive"
    g = integrate(lambda t: np.exp(-t * t), -np.inf, np.inf)
    assert g.value == pytest.approx(math.sqrt(math.pi), rel=1e-12)
    half = integrate(lambda t: 1 / (1 + t * t), 0, np.inf)
    assert half.value == pytest.approx(math.pi / 2, rel=1e-12)


def test_adaptive_reports_trouble_in_status():
    est = integrate(lambda t: np.sin(1 / t) / t if t else 0.0, 1e-6, 1, limit=5)
    assert est.status in (-1, -2, -3) and not est.success


def test_mp_integrate():
    est = integrate(lambda t: mpmath.exp(-t * t), 0, mpmath.inf, method="mp", dps=40)
    with mpmath.workdps(50):
        assert abs(est.value - mpmath.sqrt(mpmath.pi) / 2) < 1e-35
    assert est.nfev > 0 and est.method == "mp"


def test_an_interval_too_short_for_its_grid_is_refused():
    from calcml.errors import InvalidInputError

    for fn in (riemann_sum, cumulative_integral):
        with pytest.raises(InvalidInputError, match="too short to split"):
            fn("x", 0.0, 5e-324, 2, rule="simpson")
    assert riemann_sum("1", 0.0, 1e-300, 2, rule="simpson") == pytest.approx(1e-300)
