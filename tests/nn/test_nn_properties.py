"""Property tests: hand-written derivatives of calcml.nn equal exact values (mpmath) and
calcml.grad on random inputs, extreme ones (|z| up to 1e3) included, without warnings."""
from __future__ import annotations

import warnings

import mpmath
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calcml as cm
from calcml.nn import activations as A
from calcml.nn import losses as L

Z = st.lists(st.one_of(st.floats(-1000, 1000), st.floats(-50, 50), st.sampled_from(
    [0.0, 20.0, -20.0, 37.0, 40.0, 87.0, 700.0, -745.0, 1000.0, -1000.0])),
    min_size=1, max_size=12).map(np.array)

EXACT = {  # d/dz, in 50 digits
    "sigmoid": lambda v: mpmath.exp(-abs(v)) / (1 + mpmath.exp(-abs(v))) ** 2,
    "tanh": lambda v: mpmath.sech(v) ** 2,
    "softplus": lambda v: 1 / (1 + mpmath.exp(-v)),
}


@settings(max_examples=20, deadline=None)
@given(z=Z)
@pytest.mark.parametrize("name", sorted(EXACT))
def test_hand_derivative_is_exact_to_rounding(name, z):
    """Regression: d_sigmoid was s (1 - s), 0 for z > 37 where it is exp(-z); d_tanh was
    1 - tanh^2, 0 for |z| > 19 where it is 4 exp(-2|z|)."""
    mpmath.mp.dps = 50
    exact = np.array([float(EXACT[name](mpmath.mpf(float(v)))) for v in z])
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        hand = A.DERIVATIVES[name](z)
        g = np.random.default_rng(0).standard_normal(z.shape)
        vjp = A.activation_vjp(name, z, g, A.ACTIVATIONS[name](z))
    np.testing.assert_allclose(hand, exact, rtol=1e-13, atol=1e-300)  # subnormals: absolute
    np.testing.assert_allclose(vjp, g * exact, rtol=1e-13, atol=1e-300)


@settings(max_examples=20, deadline=None)
@given(z=Z)
@pytest.mark.parametrize("name", sorted(A.ELEMENTWISE - {"tanh"}))
def test_hand_derivative_equals_ad(name, z):
    # (tanh is left out: the AD rule's 1 - tanh^2 underflows for |z| > 19; see above)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ad = cm.grad(lambda v: np.sum(A.ACTIVATIONS[name](v)))(z)
        hand = A.DERIVATIVES[name](z)
    np.testing.assert_allclose(hand, ad, rtol=1e-13, atol=0)


@settings(max_examples=10, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), scale=st.sampled_from([1e-2, 1.0, 30.0, 1e3]),
       n=st.integers(1, 6), k=st.integers(2, 5))
def test_softmax_jacobians_and_losses_equal_ad(seed, scale, n, k):
    rng = np.random.default_rng(seed)
    z = scale * rng.standard_normal((n, k))
    g = rng.standard_normal((n, k))
    y = rng.integers(0, k, n)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for name in ("softmax", "log_softmax"):
            f = A.ACTIVATIONS[name]
            np.testing.assert_allclose(A.DERIVATIVES[name](z[0]), cm.jacobian(f)(z[0]),
                                       rtol=1e-12, atol=1e-14)
            # s (g - s.g) cancels where a probability is near 1 (both ways): entries of
            # size ~1e-5 may differ by a few 1e-14
            np.testing.assert_allclose(A.activation_vjp(name, z, g),
                                       cm.grad(lambda v: np.sum(g * f(v)))(z),
                                       rtol=1e-12, atol=1e-12)
        p = A.softmax(z / scale)      # probabilities away from 0 and 1
        s = A.sigmoid(z[:, 0] / scale)
        cases = [(L.cross_entropy_from_logits, L.d_cross_entropy_from_logits, y, z),
                 (L.cross_entropy_from_logits, L.d_cross_entropy_from_logits, np.eye(k)[y], z),
                 (L.binary_cross_entropy_from_logits, L.d_binary_cross_entropy_from_logits,
                  y % 2, z[:, 0]),
                 (L.mse, L.d_mse, z[:, 1], z[:, 0]),
                 (L.binary_cross_entropy, L.d_binary_cross_entropy, y % 2, s),
                 (L.cross_entropy, L.d_cross_entropy, y, p)]
        for fn, dfn, target, pred in cases:
            ad = cm.grad(lambda v: fn(target, v))(pred)
            # entries of size ~1 computed two ways: their difference is a few eps
            np.testing.assert_allclose(dfn(target, pred), ad, rtol=1e-10, atol=1e-13)
    # values: scikit-learn's log_loss, and the logit forms equal the probability forms
    from sklearn.metrics import log_loss
    assert L.cross_entropy(y, p) == pytest.approx(log_loss(y, p, labels=range(k)), rel=1e-12)
    assert L.cross_entropy_from_logits(y, z / scale) == pytest.approx(
        log_loss(y, p, labels=range(k)), rel=1e-10)
