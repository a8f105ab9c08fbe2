"""steepest_direction (seed 004 lesson 3) and step_error (seed 003's stability lesson)."""
from __future__ import annotations

import math

import numpy as np
import pytest

from calcml.num import default_step, steepest_direction, step_error


def test_seed_direction_search_finds_the_gradient_direction():
    res = steepest_direction(lambda v: v[0] ** 2 + v[1] ** 3, [2, 3])
    assert res.gradient == pytest.approx([4.0, 27.0], rel=1e-10)
    exact_angle = math.degrees(math.atan2(27, 4))
    assert abs(res.angle - exact_angle) <= 0.05 + 1e-9  # half of the 0.1-degree grid
    assert res.angle_error == pytest.approx(abs(res.angle - exact_angle), abs=1e-6)
    assert res.rate == pytest.approx(math.hypot(4, 27), rel=1e-6)
    assert np.linalg.norm(res.direction) == pytest.approx(1.0)
    assert res.searched_gradient == pytest.approx([4.0, 27.0], abs=0.03)
    assert res.angles.shape == res.rates.shape == (3600,)
    assert res.nfev > 7200  # the search (2 per angle) and the gradient
    assert "angle_error" in repr(res)


def test_two_argument_function_and_coarse_search():
    res = steepest_direction(lambda x, y: x**2 + y**2, (1.0, 1.0), n_angles=8)
    assert res.angle == 45.0 and res.angle_error == pytest.approx(0.0, abs=1e-6)
    assert res.rate == pytest.approx(2 * math.sqrt(2), rel=1e-8)


def test_stationary_point_has_no_direction_error():
    res = steepest_direction(lambda v: v @ v, [0.0, 0.0], n_angles=36)
    assert math.isnan(res.angle_error)


@pytest.mark.parametrize("method,order,p", [("forward", 1, 1), ("central", 1, 2),
                                            ("central", 2, 2)])
def test_step_error_is_a_v(method, order, p):
    curve = step_error(np.exp, 1.0, method=method, order=order, exact=math.e)
    left, right = curve.slopes()
    assert right == pytest.approx(p, abs=0.25)              # truncation ~ h^p
    assert left == pytest.approx(-order, abs=0.5)           # round-off ~ eps / h^order
    assert curve.best_h == pytest.approx(default_step(method, order, 1.0), rel=30)
    assert curve.best_error < 1e-3 * np.nanmax(curve.errors)
    assert curve.default_error <= 20 * curve.best_error
    assert curve.reference == "given"
    assert curve.hs.shape == curve.errors.shape == curve.estimated.shape


def test_step_error_reference_from_complex_step():
    curve = step_error(np.sin, 0.5, hs=[1e-1, 1e-3, 1e-5])
    assert curve.reference == "complex-step" and curve.exact == pytest.approx(math.cos(0.5))
    # central difference: error ~ h^2/6 |cos| shrinks 1e4 per factor 100 in h
    assert curve.errors[0] / curve.errors[1] == pytest.approx(1e4, rel=0.01)


def test_complex_step_has_no_v():
    curve = step_error(np.exp, 1.0, hs=np.logspace(-30, -9, 8), method="complex-step",
                       exact=math.e)
    assert np.all(curve.errors <= 4 * np.finfo(float).eps * math.e)
