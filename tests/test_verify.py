"""calcml.verify: symbolic, AD and numeric answers compared against error estimates."""
from __future__ import annotations

import math

import numpy as np
import pytest
import sympy as sp

import calcml as cm
from calcml.errors import CalcmlError, DimensionError
from calcml.verification import Discrepancy, MethodResult, Verification

sigmoid = lambda z: 1 / (1 + np.exp(-z))


def test_callable_scalar_derivative_agrees():
    v = cm.verify(lambda t: np.log(1 + t**2) * np.cos(t), 0.7)
    assert isinstance(v, Verification) and v.what == "derivative" and v.agree
    assert isinstance(v["ad"], MethodResult) and v["ad"].ok
    assert not v["symbolic"].ok and "callable" in v["symbolic"].note
    exact = 2 * 0.7 / (1 + 0.49) * math.cos(0.7) - math.log(1.49) * math.sin(0.7)
    assert v.values["ad"] == pytest.approx(exact, rel=1e-14)
    assert v.values["numeric"] == pytest.approx(exact, rel=1e-11)
    assert v["numeric"].error > 0 and "richardson" in v["numeric"].note
    [pair] = v.discrepancies
    assert isinstance(pair, Discrepancy) and (pair.a, pair.b) == ("ad", "numeric")
    assert pair.agree and pair.difference <= pair.allowed


def test_callable_gradient_seed_point():
    v = cm.verify(lambda p: p[0] ** 2 + p[1] ** 3, [2.0, 3.0])
    assert v.what == "gradient" and v.agree
    assert np.allclose(v.values["numeric"], [4.0, 27.0], rtol=1e-12)
    assert np.array_equal(v.values["ad"], [4.0, 27.0])


def test_wrong_hand_derivative_is_caught():
    bad = cm.verify(sigmoid, 0.3, expected=lambda z: 2 * sigmoid(z) * (1 - sigmoid(z)))
    assert not bad.agree
    assert {(d.a, d.b) for d in bad.discrepancies if not d.agree} == {("ad", "expected"),
                                                                      ("numeric", "expected")}
    good = cm.verify(sigmoid, 0.3, expected=lambda z: sigmoid(z) * (1 - sigmoid(z)))
    assert good.agree and len(good.discrepancies) == 3


def test_kink_is_not_silently_agreed():
    v = cm.verify(np.abs, 0.0)
    assert not v.agree
    assert "NOT differentiable" in v["numeric"].note
    kink = [d for d in v.discrepancies if "left" in d.a][0]
    assert kink.difference == pytest.approx(2.0, rel=1e-8) and not kink.agree
    assert cm.verify(np.abs, 0.5).agree


def test_integral_of_callable():
    v = cm.verify(lambda t: np.exp(-t * t), (0.0, 1.0), what="integral")
    assert v.what == "integral" and v.agree
    assert set(v.values) == {"numeric", "simpson"}
    assert v.values["numeric"] == pytest.approx(0.746824132812427, rel=1e-14)
    assert abs(v.values["simpson"] - v.values["numeric"]) <= v["simpson"].error


def test_integral_infinite_bounds_skip_simpson():
    v = cm.verify(lambda t: np.exp(-t * t), (-np.inf, np.inf), what="integral",
                  methods=("numeric", "simpson"))
    assert not v["simpson"].ok and "infinite" in v["simpson"].note
    assert not v.agree  # one value: nothing was compared
    assert v.values["numeric"] == pytest.approx(math.sqrt(math.pi), rel=1e-12)


def test_wrong_antiderivative_is_caught():
    # seed 004 lesson 2 says "the antiderivative of f(x)=x is x^2"; it is x^2/2
    bad = cm.verify(lambda t: t, (0.0, 3.0), what="integral", expected=lambda t: t**2)
    good = cm.verify(lambda t: t, (0.0, 3.0), what="integral", expected=lambda t: t**2 / 2)
    assert not bad.agree and good.agree


def test_display_text_and_html():
    v = cm.verify(sigmoid, 0.3, expected=lambda z: 2 * sigmoid(z) * (1 - sigmoid(z)))
    text = str(v)
    assert "DISAGREE" in text and "ad vs expected" in text and "NO" in text
    assert "0.244458" in text  # sigmoid'(0.3)
    html = v._repr_html_()
    assert html.startswith("<div>") and "<table>" in html and "DISAGREE" in html
    assert "&lt;lambda&gt;" in html  # escaped
    assert "agree=False" in repr(v)


def test_bad_arguments():
    with pytest.raises(CalcmlError, match="unknown what"):
        cm.verify(np.sin, 1.0, what="limit")
    with pytest.raises(CalcmlError, match="AD gives derivatives"):
        cm.verify(np.sin, (0, 1), what="integral", methods=("ad", "numeric"))
    with pytest.raises(CalcmlError, match=r"x=\(a, b\)"):
        cm.verify(np.sin, 1.0, what="integral")
    with pytest.raises(CalcmlError, match="callable"):
        cm.verify(3.0, 1.0)
    with pytest.raises(CalcmlError, match="finite"):
        cm.verify(np.sin, np.nan)


def test_failing_method_is_reported_not_raised():
    def f(t):
        return float(np.sin(t))  # float() of a traced value: AD cannot follow it

    v = cm.verify(f, 0.4)
    assert not v["ad"].ok and "failed" in v["ad"].note
    assert v["numeric"].ok and not v.agree


# ------------------------------------------------------------- SymPy expressions
X, Y = sp.symbols("x y")


def test_sympy_expression_all_three_agree():
    v = cm.verify(X**3 - 2 * X**2 + 1, 1.5)
    assert v.agree and set(v.values) == {"symbolic", "ad", "numeric"}
    assert v.values["symbolic"] == 3 * 1.5**2 - 4 * 1.5
    assert v.values["ad"] == pytest.approx(0.75, rel=1e-15)
    assert v.values["numeric"] == pytest.approx(0.75, rel=1e-12)
    assert "3*x**2 - 4*x" in v["symbolic"].note
    assert len(v.discrepancies) == 3 and all(d.agree for d in v.discrepancies)


def test_sympy_gradient_seed_point_and_dict():
    v = cm.verify(X**2 + Y**3, [2, 3])
    assert v.what == "gradient" and v.agree and v.variables == ("x", "y")
    assert np.array_equal(v.values["symbolic"], [4.0, 27.0])
    w = cm.verify(X**2 + Y**3, {"y": 3, "x": 2})
    assert np.array_equal(w.values["symbolic"], [4.0, 27.0]) and w.agree
    with pytest.raises(DimensionError, match="2 variables"):
        cm.verify(X**2 + Y**3, [1.0, 2.0, 3.0])
    with pytest.raises(DimensionError, match=r"no value for the variable\(s\) \['y'\]"):
        cm.verify(X**2 + Y**3, {"x": 2})


def test_sympy_one_variable_many_points_and_wrong_claim():
    x = np.array([0.1, 0.5, 2.0])
    v = cm.verify(sp.sin(X) * sp.exp(X), x)
    assert v.what == "derivative" and v.agree
    assert np.allclose(v.values["symbolic"], np.exp(x) * (np.sin(x) + np.cos(x)), rtol=1e-14)
    bad = cm.verify(sp.sin(X) * sp.exp(X), x, expected=lambda t: np.exp(t) * np.cos(t))
    assert not bad.agree


# ---------------------------------------------------------------- expression strings
def test_string_is_parsed_once_and_all_three_agree():
    v = cm.verify("x**3 - 2*x**2 + 1", 1.5)
    assert v.agree and set(v.values) == {"symbolic", "ad", "numeric"}
    assert v.values["symbolic"] == 3 * 1.5**2 - 4 * 1.5
    assert v.values["ad"] == pytest.approx(0.75, rel=1e-15)
    assert v.values["numeric"] == pytest.approx(0.75, rel=1e-12)
    assert "3*x**2 - 4*x" in v["symbolic"].note
    assert len(v.discrepancies) == 3 and all(d.agree for d in v.discrepancies)


def test_string_gradient_seed_and_dict_point():
    v = cm.verify("x**2 + y**3", [2, 3])
    assert v.what == "gradient" and v.agree and v.variables == ("x", "y")
    assert np.array_equal(v.values["symbolic"], [4.0, 27.0])
    w = cm.verify("x**2 + y**3", {"y": 3, "x": 2})
    assert np.array_equal(w.values["symbolic"], [4.0, 27.0]) and w.agree


def test_string_one_variable_many_points():
    v = cm.verify("sin(x) * exp(x)", [0.1, 0.5, 2.0])
    assert v.what == "derivative" and v.agree
    x = np.array([0.1, 0.5, 2.0])
    assert np.allclose(v.values["symbolic"], np.exp(x) * (np.sin(x) + np.cos(x)), rtol=1e-14)


def test_sympy_expression_input():
    x = sp.Symbol("x")
    v = cm.verify(sp.log(1 + x**2), 0.8)
    assert v.agree and v.values["symbolic"] == pytest.approx(1.6 / 1.64, rel=1e-15)


def test_string_integral_three_ways():
    v = cm.verify("x*exp(-x)", (0, 2), what="integral")
    assert v.agree and set(v.values) == {"symbolic", "numeric", "simpson"}
    assert v.values["symbolic"] == pytest.approx(1 - 3 * math.exp(-2), rel=1e-15)
    g = cm.verify("exp(-x^2)", (-np.inf, np.inf), what="integral")
    assert g.values["symbolic"] == pytest.approx(math.sqrt(math.pi), rel=1e-15)
    assert g.agree  # symbolic vs numeric (Simpson skipped)


def test_string_kink_and_wrong_dimension():
    assert not cm.verify("abs(x)", 0.0).agree
    with pytest.raises(DimensionError, match="2 variables"):
        cm.verify("x**2 + y**3", [1.0, 2.0, 3.0])


@pytest.mark.parametrize("f, bounds", [("x", (0, float("inf"))), ("1/x", (0.0, 1.0))])
def test_divergent_integral_never_agrees(f, bounds):
    v = cm.verify(f, bounds, what="integral")
    assert not v.agree
    assert any("not finite" in d.note for d in v.discrepancies)


def test_overflow_is_said_not_compared():
    v = cm.verify("exp(x)", 1000.0)
    assert not v.agree and v.values["ad"] == np.inf
    [pair] = [d for d in v.discrepancies if {d.a, d.b} == {"symbolic", "ad"}]
    assert "beyond float64" in pair.note and "beyond float64" in str(v)


def test_expected_as_text_is_parsed_and_shown():
    v = cm.verify("x^2", 1.5, expected="3*x")
    assert not v.agree and v.values["expected"] == 4.5
    assert v["expected"].note == "claimed: 3*x"
    assert cm.verify("x^2 y", [1.0, 2.0], expected="2 x y, x^2").agree
    assert cm.verify("x^2", (0, 1), what="integral", expected="x^3/3").agree
    bad = cm.verify("x^2", 1.0, expected="2*z")
    assert not bad["expected"].ok and "not a variable" in bad["expected"].note
