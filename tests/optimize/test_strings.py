"""String objectives and constraints (parsed by calcml.sym's safe parser)."""
import numpy as np
import pytest

from calcml.errors import CalcmlError
from calcml.optimize import Constraint, minimize


def _has_sym():
    try:
        import calcml.sym as sym
        return hasattr(sym, "parse") and hasattr(sym, "lambdify")
    except ImportError:
        return False


def test_string_svm_seed004_or_clear_error():
    cons = ["-c - 1 >= 0", "a + 2*b + c - 1 >= 0", "2*a + b + c - 1 >= 0"]
    if not _has_sym():
        with pytest.raises(CalcmlError, match="calcml.sym"):
            minimize("a^2 + b^2", np.ones(3), constraints=cons)
        return
    r = minimize("a^2 + b^2", np.ones(3), constraints=cons)
    assert r.success and r.method == "slsqp"
    np.testing.assert_allclose(r.x, [2 / 3, 2 / 3, -1], atol=1e-8)   # variables a, b, c
    np.testing.assert_allclose(r.multipliers, [8 / 9, 4 / 9, 4 / 9], atol=1e-7)


def test_string_equality_with_callable_objective_or_clear_error():
    if not _has_sym():
        with pytest.raises(CalcmlError, match="calcml.sym"):
            Constraint("x + y = 1")
        return
    c = Constraint("x + y = 1")
    assert c.kind == "eq"
    r = minimize(lambda p: p[0] ** 2 + p[1] ** 2, np.zeros(2), constraints=[c, "x <= 0.25"])
    np.testing.assert_allclose(r.x, [0.25, 0.75], atol=1e-8)


def test_string_objective_unconstrained_or_clear_error():
    if not _has_sym():
        with pytest.raises(CalcmlError, match="calcml.sym"):
            minimize("(1 - x)^2 + 100*(y - x^2)^2", np.array([-1.2, 1.0]))
        return
    r = minimize("(1 - x)^2 + 100*(y - x^2)^2", {"x": -1.2, "y": 1.0}, method="bfgs")
    assert r.success
    assert r.x["x"] == pytest.approx(1.0, abs=1e-7) and r.x["y"] == pytest.approx(1.0, abs=1e-7)
