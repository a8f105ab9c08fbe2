"""lambdify: plain-NumPy callables that agree with SymPy and that cm.grad differentiates."""
import numpy as np
import pytest
import sympy

import calcml as cm
from calcml.errors import DimensionError
from calcml.sym import gradient, lambdify, parse
from calcml.sym.functions import elementary

X = np.array([0.3, 1.7, 2.5])


@pytest.mark.parametrize("text", [
    "x^3 - 2x^2 + 1", "sin(x) exp(-x)", "log(x) + sqrt(x)", "sigmoid(x)", "softplus(x)",
    "relu(x - 1)", "tanh(x) + atan(x) + asin(x/3)", "abs(x - 1)", "max(x, 1, x^2/2)",
    "min(x, 2)", "cosh(x)/x", "2^x", "x^x", "e^x + pi",
])
def test_values_and_ad_derivative_match_sympy(text):
    xr = sympy.Symbol("x", real=True)
    f = elementary(parse(text)).subs(sympy.Symbol("x"), xr)   # independent of lambdify
    fn = lambdify(text)
    np.testing.assert_allclose(fn(X), [float(sympy.N(f.subs(xr, sympy.Float(v, 30)), 20))
                                       for v in X], rtol=1e-12)
    d = sympy.diff(f, xr)
    d_ref = [float(sympy.N(d.subs(xr, sympy.Float(v, 30)), 20)) for v in X]
    np.testing.assert_allclose(cm.derivative(fn)(X), d_ref, rtol=1e-9, atol=1e-12)


def test_seed004_gradient_by_ad_equals_symbolic():
    fn = lambdify("x^2 + y^3")
    p = np.array([2.0, 3.0])
    np.testing.assert_allclose(cm.grad(fn)(p), [4.0, 27.0])
    exact = np.array(gradient("x^2 + y^3", at=(2, 3)), dtype=float).ravel()
    np.testing.assert_array_equal(cm.grad(fn)(p), exact)
    assert fn(2.0, 3.0) == 31.0     # one argument per variable works too


def test_seed004_jacobian_by_ad():
    fn = lambdify("2x y, x^2 y")
    p = np.array([1.5, -2.0])
    J = cm.jacobian(fn)(p)
    np.testing.assert_allclose(J, [[2 * p[1], 2 * p[0]], [2 * p[0] * p[1], p[0] ** 2]])


def test_sigmoid_ad_derivative_is_s_one_minus_s():
    s = lambdify("sigmoid(x)")
    z = np.linspace(-30, 30, 13)
    t = np.exp(-np.abs(z))
    exact = t / (1 + t) ** 2        # s (1 - s), written without cancellation
    np.testing.assert_allclose(cm.derivative(s)(z), exact, rtol=1e-10, atol=0)
    sv = 1 / (1 + np.exp(-z[5:8]))
    assert not np.allclose(cm.derivative(s)(z[5:8]), 2 * sv * (1 - sv))   # the seed's bug
    assert np.all(np.isfinite(s(np.array([-1000.0, 1000.0]))))   # stable


def test_constant_returns_float_array_of_input_shape():
    out = lambdify("5")(np.zeros((2, 3)))
    assert out.shape == (2, 3) and out.dtype == np.float64
    np.testing.assert_array_equal(out, 5.0)
    out = lambdify("pi", ["x"])(np.arange(4))
    assert out.shape == (4,) and out.dtype == np.float64
    out = lambdify("x, 2")(np.arange(3.0))
    np.testing.assert_array_equal(out, [[0, 1, 2], [2, 2, 2]])


def test_vars_order_and_errors():
    fn = lambdify("x - y", ["y", "x"])
    assert fn(1.0, 5.0) == 4.0
    assert fn(np.array([1.0, 5.0])) == 4.0
    with pytest.raises(DimensionError, match="not among"):
        lambdify("x + z", ["x"])
    with pytest.raises(DimensionError):
        lambdify("x + y")(1.0, 2.0, 3.0)
    with pytest.raises(DimensionError):
        lambdify("x + y")(np.ones(3))


def test_hessian_by_ad_equals_symbolic():
    text = "x^2 y + sin(y) exp(x)"
    fn = lambdify(text)
    p = np.array([0.4, -1.1])
    H = np.array(cm.sym.hessian(text, at=tuple(p)), dtype=float)
    np.testing.assert_allclose(cm.hessian(fn)(p), H, rtol=1e-12)
