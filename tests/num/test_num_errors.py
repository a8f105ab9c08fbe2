"""Bad input to calcml.num raises calcml.errors exceptions with clear messages."""
from __future__ import annotations

import math

import numpy as np
import pytest

from calcml.errors import CalcmlError, DimensionError
from calcml.num import (
    InvalidFunctionError,
    InvalidInputError,
    NonFiniteError,
    cumulative_integral,
    derivative,
    gradient,
    hessian,
    integrate,
    riemann_sum,
    step_error,
    steepest_direction,
)


@pytest.mark.parametrize("method", ["richardson", "central", "forward", "complex-step"])
def test_nan_at_the_point(method):
    with pytest.raises(NonFiniteError, match=r"nan at x = 0\.0.*domain"):
        derivative(lambda t: np.where(t == 0, np.nan, t), 0.0, method=method)


def test_pole_at_the_point_is_not_a_silent_number():
    with pytest.raises(NonFiniteError, match="inf"):
        with np.errstate(divide="ignore"):
            derivative(lambda t: 1 / t, 0.0, method="central")


def test_stencil_leaving_the_domain_says_how_to_fix():
    with pytest.raises(NonFiniteError, match="smaller step h"):
        with np.errstate(invalid="ignore"):
            derivative(np.log, 0.1, method="central", h=0.5)


@pytest.mark.parametrize("x", [np.nan, np.inf, [1.0, np.nan]])
def test_non_finite_x(x):
    with pytest.raises(InvalidInputError, match="finite"):
        derivative(np.sin, x)


@pytest.mark.parametrize("h", [0.0, -1e-3, np.nan, "big"])
def test_bad_step(h):
    with pytest.raises(InvalidInputError, match="positive finite"):
        derivative(np.sin, 1.0, method="central", h=h)


def test_non_callable_and_bad_method_and_order():
    with pytest.raises(InvalidFunctionError, match="callable"):
        derivative(42, 1.0)
    with pytest.raises(InvalidInputError, match="unknown method 'fancy'.*richardson"):
        derivative(np.sin, 1.0, method="fancy")
    with pytest.raises(InvalidInputError, match="order"):
        derivative(np.sin, 1.0, order=0)
    with pytest.raises(InvalidInputError, match="complex-step gives orders 1 and 2"):
        derivative(np.sin, 1.0, order=3, method="complex-step")
    with pytest.raises(InvalidInputError, match="x must be a real number"):
        derivative(np.sin, "one")


def test_errors_are_calcml_errors_and_builtin_kinds():
    assert issubclass(NonFiniteError, CalcmlError) and issubclass(NonFiniteError, ValueError)
    assert issubclass(InvalidInputError, ValueError)
    assert issubclass(InvalidFunctionError, TypeError)


def test_complex_step_needs_complex_friendly_f():
    with pytest.raises(InvalidInputError, match="complex input"):
        derivative(lambda t: np.abs(t), 1.0, method="complex-step")


def test_mp_with_numpy_function_explains():
    with pytest.raises(InvalidInputError, match="mpmath numbers"):
        derivative(lambda t: np.float64(math.e) ** np.sin(t), 1.0, method="mp")


def test_vector_output_to_scalar_derivative():
    with pytest.raises(InvalidInputError, match="jacobian"):
        derivative(lambda t: np.array([1.0, 2.0]), 1.0)
    with pytest.raises(InvalidInputError, match="jacobian"):
        gradient(lambda v: v, [1.0, 2.0])
    with pytest.raises(InvalidInputError, match="single number"):
        hessian(lambda v: v, [1.0, 2.0])


def test_integration_input():
    with pytest.raises(InvalidInputError, match="even number"):
        riemann_sum(np.sin, 0, 1, 3, "simpson")
    with pytest.raises(InvalidInputError, match="unknown rule"):
        riemann_sum(np.sin, 0, 1, 4, "upper")
    with pytest.raises(InvalidInputError, match="positive integer"):
        cumulative_integral(np.sin, 0, 1, 0)
    with pytest.raises(InvalidInputError, match="finite.*integrate"):
        riemann_sum(np.sin, 0, np.inf, 4)
    with pytest.raises(NonFiniteError, match="split the interval"):
        with np.errstate(divide="ignore"):
            riemann_sum(lambda t: 1 / t, 0, 1, 4, "left")
    with pytest.raises(NonFiniteError, match="x = 0.5"):
        integrate(lambda t: np.inf if t == 0.5 else 1.0, 0, 1)
    with pytest.raises(InvalidInputError, match="NaN"):
        integrate(np.sin, np.nan, 1)


def test_direction_and_step_error_input():
    with pytest.raises(DimensionError, match="2 coordinates"):
        steepest_direction(lambda v: v @ v, [1.0, 2.0, 3.0])
    with pytest.raises(InvalidInputError, match="positive finite"):
        step_error(np.sin, 1.0, hs=[1e-3, -1.0])
    with pytest.raises(InvalidInputError, match="unknown method"):
        step_error(np.sin, 1.0, method="richardson")


def test_python_domain_errors_become_calcml_errors():
    """math.log(0) raises ValueError inside f: reported where, as a NonFiniteError."""
    with pytest.raises(NonFiniteError, match=r"math domain error.*x = 0\.0.*point itself"):
        derivative(math.log, 0.0)
    with pytest.raises(NonFiniteError, match=r"stencil left the domain"):
        derivative(math.sqrt, 0.0, method="central")
    with pytest.raises(NonFiniteError, match=r"ZeroDivisionError"):
        derivative(lambda t: 1.0 / float(t), 0.0)  # a scalar-only f
    with pytest.raises(NonFiniteError, match=r"math domain error"):
        gradient(lambda v: math.log(v[0]) + v[1], np.array([0.0, 1.0]))
    with pytest.raises(NonFiniteError, match=r"defined there"):
        derivative(lambda t: 1 / t if t != 0 else 1 / 0, 0.0, method="mp")
    # away from the boundary the same f works and is exact
    assert derivative(math.log, 2.0).value == pytest.approx(0.5, rel=1e-10)


def test_complex_values_outside_the_real_domain_are_refused():
    with pytest.raises(InvalidInputError, match=r"complex value at x = -1\.0"):
        derivative(lambda t: np.sqrt(t + 0j), -1.0)
    with pytest.raises(InvalidInputError, match="complex value"):
        gradient(lambda v: np.sqrt(v[0] + 0j), np.array([-1.0, 2.0]))
    # a complex type with zero imaginary part is fine
    assert derivative(lambda t: np.sqrt(t + 0j), 4.0).value == pytest.approx(0.25, rel=1e-10)


def test_complex_step_error_estimate_covers_a_large_step():
    est = derivative(np.exp, 1.0, method="complex-step", h=0.1)
    true_error = abs(est.value - math.e)
    assert true_error > 1e-4          # truncation is visible at h = 0.1 ...
    assert est.error >= true_error    # ... and the estimate covers it
    assert est.error < 100 * true_error
