"""Activations: values against closed forms/SciPy, hand derivatives against AD, stability."""
import warnings

import numpy as np
import pytest
import scipy.special as sps
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

import calcml as cm
from calcml.errors import GradientCheckError
from calcml.nn import (ACTIVATIONS, DERIVATIVES, ELEMENTWISE, activation_vjp, d_sigmoid,
                       log_softmax, logsumexp, relu, sigmoid, softmax, softplus)

Z = np.array([-3.0, -0.7, 0.4, 1.5, 2.9])          # no exact zeros (relu's kink)
ZM = np.array([[0.3, -1.2, 2.0], [1.1, 0.5, -0.4]])

REFERENCE = {
    "identity": lambda z: z,
    "sigmoid": sps.expit,
    "logistic": sps.expit,
    "tanh": np.tanh,
    "relu": lambda z: np.maximum(z, 0.0),
    "softplus": lambda z: np.log1p(np.exp(z)),
    "softmax": lambda z: sps.softmax(z, axis=-1),
    "log_softmax": lambda z: sps.log_softmax(z, axis=-1),
}


def test_registries_cover_the_same_names():
    assert set(ACTIVATIONS) == set(DERIVATIVES) == set(REFERENCE)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_values_match_reference(name):
    np.testing.assert_allclose(ACTIVATIONS[name](ZM), REFERENCE[name](ZM), rtol=1e-14, atol=1e-15)


@pytest.mark.parametrize("name", sorted(ELEMENTWISE))
def test_elementwise_derivative_matches_ad(name):
    np.testing.assert_allclose(DERIVATIVES[name](Z), cm.derivative(ACTIVATIONS[name])(Z),
                               rtol=1e-13, atol=1e-15)
    # and the AD derivative itself agrees with finite differences
    cm.check_grad(lambda z: np.sum(ACTIVATIONS[name](z)), Z)


@pytest.mark.parametrize("name", ["softmax", "log_softmax"])
def test_softmax_jacobians_match_ad(name):
    f, df = ACTIVATIONS[name], DERIVATIVES[name]
    for row in ZM:
        np.testing.assert_allclose(df(row), cm.jacobian(f)(row), rtol=1e-13, atol=1e-15)
    batched = df(ZM)
    assert batched.shape == (2, 3, 3)
    np.testing.assert_allclose(batched[1], cm.jacobian(f)(ZM[1]), rtol=1e-13, atol=1e-15)
    cm.check_grad(f, ZM[0])


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activation_vjp_matches_ad_vjp(name):
    g = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.75]])
    _, pullback = cm.vjp(ACTIVATIONS[name], ZM)
    np.testing.assert_allclose(activation_vjp(name, ZM, g), pullback(g)[0], rtol=1e-13, atol=1e-15)


def test_seed000_sigmoid_partial_derivatives_exact():
    """Seed 000 section 2: sigmoid'(z) at z = 1, 2, 3 against SymPy's exact derivative."""
    x = sp.Symbol("x")
    exact = sp.diff(1 / (1 + sp.exp(-x)), x)
    z = np.array([1.0, 2.0, 3.0])
    expected = np.array([float(exact.subs(x, int(v))) for v in z])
    np.testing.assert_allclose(d_sigmoid(z), expected, rtol=1e-14)
    np.testing.assert_allclose(cm.derivative(sigmoid)(z), expected, rtol=1e-14)


def test_check_grad_rejects_seed004_dsigmoid():
    """Seed 004 lesson 5's dsigmoid is 2 s (1 - s): calcml's gradient check catches it."""
    x = np.array([-2.0, -0.5, 0.0, 1.0, 3.0])

    def seed_dsigmoid(z):
        s = sigmoid(z)
        return 2 * s * (1 - s)

    with pytest.raises(GradientCheckError, match="FAILED"):
        cm.check_grad(sigmoid, x, grad=seed_dsigmoid)
    assert cm.check_grad(sigmoid, x, grad=d_sigmoid).passed


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_no_overflow_at_large_inputs(name):
    z = np.array([[-1000.0, 0.0, 1000.0], [1000.0, 999.0, -1000.0]])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            value = ACTIVATIONS[name](z)
            deriv = DERIVATIVES[name](z)
            pulled = cm.vjp(ACTIVATIONS[name], z)[1](np.ones_like(z))[0]
    assert np.all(np.isfinite(value)) and np.all(np.isfinite(deriv)) and np.all(np.isfinite(pulled))


def test_large_input_values_are_right():
    big = np.array([-1000.0, 1000.0])
    np.testing.assert_array_equal(sigmoid(big), [0.0, 1.0])
    np.testing.assert_array_equal(softplus(big), [0.0, 1000.0])
    np.testing.assert_array_equal(log_softmax(np.array([[0.0, 1000.0]])), [[-1000.0, 0.0]])
    lse = float(logsumexp(np.array([1000.0, 1000.0])))
    assert lse == pytest.approx(1000 + np.log(2), abs=1e-12)


def test_relu_kink_convention_is_zero_both_ways():
    z = np.array([0.0])
    assert DERIVATIVES["relu"](z)[0] == 0.0
    assert cm.derivative(relu)(z)[0] == 0.0


@settings(max_examples=30, deadline=None)
@given(arrays(np.float64, (3, 4), elements=st.floats(-50, 50)))
def test_softmax_properties(z):
    s = softmax(z)
    np.testing.assert_allclose(s.sum(axis=-1), 1.0, rtol=1e-12)
    # softmax is invariant to adding a constant to each row
    np.testing.assert_allclose(softmax(z + 7.5), s, rtol=1e-10, atol=1e-300)
    np.testing.assert_allclose(log_softmax(z), sps.log_softmax(z, axis=-1), rtol=1e-12, atol=1e-12)
