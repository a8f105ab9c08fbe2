"""Expression strings in calcml.num (parsed by calcml.sym.parse)."""
from __future__ import annotations

import math

import mpmath
import numpy as np
import pytest
import sympy as sp

from calcml.num import derivative, gradient, hessian, integrate, jacobian, steepest_direction


def test_string_derivative_all_methods():
    for method in ("richardson", "central", "complex-step"):
        est = derivative("x**3 - 2*x**2 + 1", [0.0, 1.0, 2.0], method=method)
        assert est.value == pytest.approx([0.0, -1.0, 4.0], abs=1e-8)


def test_string_mp_derivative_is_mpmath_at_30_digits():
    est = derivative("log(1 + x^2)", 0.7, method="mp", dps=30)
    with mpmath.workdps(40):
        exact = 2 * mpmath.mpf(0.7) / (1 + mpmath.mpf(0.7) ** 2)
        assert abs(est.value - exact) <= 1e-25 * abs(exact)


def test_string_sigmoid_mp():
    x = sp.Symbol("x")
    exact_expr = sp.diff(1 / (1 + sp.exp(-x)), x)
    est = derivative("sigmoid(x)", 0.3, method="mp", dps=30)
    exact = exact_expr.evalf(40, subs={x: sp.Float(0.3, 40)})
    assert abs(float(est.value) - float(exact)) <= 1e-15
    with mpmath.workdps(40):
        assert abs(est.value - mpmath.mpf(str(exact))) <= 1e-25


def test_string_multivariate():
    g = gradient("x**2 + y**3", [2.0, 3.0])
    assert g.value == pytest.approx([4.0, 27.0], rel=1e-12)
    H = hessian("x**2 * y**3", [2.0, 3.0])
    assert np.allclose(H.value, [[54.0, 108.0], [108.0, 72.0]], rtol=1e-8)
    J = jacobian("2*x*y, x**2*y", [1.5, -2.0])
    assert np.allclose(J.value, [[-4.0, 3.0], [-6.0, 2.25]], rtol=1e-11)
    res = steepest_direction("x**2 + y**3", [2, 3])
    assert res.gradient == pytest.approx([4.0, 27.0], rel=1e-10) and res.angle_error <= 0.05


def test_string_integrals():
    est = integrate("exp(-x^2)", -np.inf, np.inf)
    assert est.value == pytest.approx(math.sqrt(math.pi), rel=1e-12)
    mp = integrate("exp(-x^2)", 0, 1, method="mp", dps=30)
    with mpmath.workdps(40):
        assert abs(mp.value - mpmath.sqrt(mpmath.pi) / 2 * mpmath.erf(1)) < 1e-28
