"""Property: for random smooth expressions, the three derivatives of cm.verify agree.

This is calcml's promise end to end: the safe parser, SymPy's derivative (symbolic),
``lambdify`` + the AD engine (automatic) and Richardson extrapolation (numeric) must give
the same number within the numeric error estimate, for any expression people can type.
"""
from __future__ import annotations

import numpy as np
import sympy
from hypothesis import HealthCheck, given, settings, strategies as st

import calcml as cm

# Functions that are smooth on the whole real line (arguments are bounded below).
UNARY = ["sin({})", "cos({})", "tanh({})", "atan({})", "sigmoid({})", "softplus({})",
         "exp({} / 4)", "log(1 + ({})^2)", "sqrt(1 + ({})^2)", "erf({})", "({})^2",
         "({})^3", "-({})"]
BINARY = ["({}) + ({})", "({}) - ({})", "({}) * ({})", "({}) / (1 + ({})^2)",
          "2({})({})", "max({}, {})"]

leaves = st.sampled_from(["x", "y", "2", "0.5", "3x", "x y", "pi", "e"])
expressions = st.recursive(
    leaves,
    lambda inner: st.one_of(
        st.builds(lambda f, a: f.format(a), st.sampled_from(UNARY), inner),
        st.builds(lambda f, a, b: f.format(a, b), st.sampled_from(BINARY[:-1]), inner, inner)),
    max_leaves=6)
coordinate = st.floats(-1.5, 1.5, allow_nan=False).map(lambda v: round(v, 3))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(expressions, coordinate, coordinate)
def test_three_derivatives_agree_on_random_expressions(text, x, y):
    expr = cm.sym.parse(text)
    names = sorted(s.name for s in expr.free_symbols)
    point = [{"x": x, "y": y}[n] for n in names]
    if not names:                                   # a constant: its derivative is zero
        assert cm.sym.diff(text, "x") == 0
        return
    v = cm.verify(text, point[0] if len(point) == 1 else point)
    assert v.agree, f"{text} at {dict(zip(names, point))}:\n{v}"
    exact = cm.sym.gradient(text, names, at=dict(zip(names, point)))
    np.testing.assert_allclose(np.atleast_1d(v.values["ad"]).astype(float),
                               np.array(exact, dtype=float).ravel(), rtol=1e-10, atol=1e-12)


@settings(max_examples=25, deadline=None)
@given(expressions, coordinate)
def test_ad_hessian_of_lambdify_equals_symbolic_hessian(text, x):
    expr = cm.sym.parse(text)
    names = sorted(s.name for s in expr.free_symbols)
    if not names:
        return
    point = np.array([x, -x / 2][:len(names)])
    f = cm.sym.lambdify(expr, names)
    H_ad = cm.hessian(lambda p: f(*[p[i] for i in range(len(names))]))(point)
    H_sym = np.array(cm.sym.hessian(expr, names, at=dict(zip(names, point))), dtype=float)
    np.testing.assert_allclose(H_ad, H_sym, rtol=1e-9, atol=1e-10)
