"""Losses: values against scikit-learn's metrics, hand derivatives against AD, stability."""
import warnings

import numpy as np
import pytest
from sklearn.metrics import log_loss, mean_squared_error

import calcml as cm
from calcml.errors import DimensionError
from calcml.nn import (LOGIT_LOSS_DERIVATIVES, LOGIT_LOSSES, LOSS_DERIVATIVES, LOSSES,
                       binary_cross_entropy, binary_cross_entropy_from_logits, cross_entropy,
                       cross_entropy_from_logits, mse, one_hot, sigmoid, softmax)

rng = np.random.default_rng(0)
Y_BIN = np.array([1.0, 0.0, 1.0, 1.0, 0.0])
P_BIN = np.array([0.9, 0.2, 0.6, 0.35, 0.05])
LABELS = np.array([0, 2, 1, 2])
P_MULTI = softmax(rng.normal(size=(4, 3)))
Y_REG = rng.normal(size=(6, 2))
P_REG = rng.normal(size=(6, 2))

CASES = {  # name -> (y_true, y_pred) with y_pred away from the clipping bounds
    "mse": (Y_REG, P_REG),
    "squared_error": (Y_REG[:, 0], P_REG[:, 0]),
    "binary_cross_entropy": (Y_BIN, P_BIN),
    "cross_entropy": (one_hot(LABELS), P_MULTI),
    "log_loss": (LABELS, P_MULTI),
}


def test_registries():
    assert set(LOSSES) == set(LOSS_DERIVATIVES) == set(CASES)
    assert set(LOGIT_LOSSES) == set(LOGIT_LOSS_DERIVATIVES)


def test_values_match_sklearn_metrics():
    assert mse(Y_REG, P_REG) == pytest.approx(mean_squared_error(Y_REG, P_REG), rel=1e-14)
    assert binary_cross_entropy(Y_BIN, P_BIN) == pytest.approx(log_loss(Y_BIN, P_BIN), rel=1e-14)
    assert cross_entropy(LABELS, P_MULTI) == pytest.approx(log_loss(LABELS, P_MULTI), rel=1e-14)
    assert cross_entropy(one_hot(LABELS), P_MULTI) == cross_entropy(LABELS, P_MULTI)
    # seed 004's cross_entropy divided by y.shape[1] (= 1): ours is the mean over samples
    seed_sum = -np.sum(Y_BIN * np.log(P_BIN) + (1 - Y_BIN) * np.log(1 - P_BIN))
    assert binary_cross_entropy(Y_BIN, P_BIN) == pytest.approx(seed_sum / Y_BIN.size, rel=1e-14)


@pytest.mark.parametrize("name", sorted(CASES))
def test_derivative_matches_ad(name):
    y, p = CASES[name]
    expected = cm.grad(lambda q: LOSSES[name](y, q))(p)
    np.testing.assert_allclose(LOSS_DERIVATIVES[name](y, p), expected, rtol=1e-12, atol=1e-15)
    cm.check_grad(lambda q: LOSSES[name](y, q), p)


@pytest.mark.parametrize("name", sorted(LOGIT_LOSSES))
def test_logit_losses_match_probability_losses_and_ad(name):
    if name == "binary_cross_entropy":
        y, z, act = Y_BIN, np.array([2.0, -1.0, 0.3, -0.6, -3.0]), sigmoid
    else:
        y, z, act = one_hot(LABELS), rng.normal(size=(4, 3)), softmax
    assert LOGIT_LOSSES[name](y, z) == pytest.approx(LOSSES[name](y, act(z)), rel=1e-13)
    ad = cm.grad(lambda q: LOGIT_LOSSES[name](y, q))(z)
    np.testing.assert_allclose(LOGIT_LOSS_DERIVATIVES[name](y, z), ad, rtol=1e-12, atol=1e-15)


def test_finite_at_probability_zero_and_one():
    with np.errstate(all="raise", under="ignore"):
        assert np.isfinite(binary_cross_entropy([1.0, 0.0], np.array([0.0, 1.0])))   # worst case
        assert binary_cross_entropy([1.0, 0.0], np.array([1.0, 0.0])) < 1e-15
        assert np.isfinite(cross_entropy([0], np.array([[0.0, 1.0]])))
        g = cm.grad(lambda q: binary_cross_entropy([1.0, 0.0], q))(np.array([0.0, 1.0]))
    assert np.all(np.isfinite(g))
    hand = LOSS_DERIVATIVES["binary_cross_entropy"]([1.0, 0.0], np.array([0.0, 1.0]))
    np.testing.assert_array_equal(g, hand)


def test_logit_losses_exact_at_large_logits():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            assert binary_cross_entropy_from_logits([1.0, 0.0], np.array([1000.0, -1000.0])) == 0.0
            # the wrong side of a huge logit costs exactly |z|
            assert binary_cross_entropy_from_logits([0.0], np.array([1000.0])) == 1000.0
            assert cross_entropy_from_logits([1], np.array([[1000.0, -1000.0]])) == 2000.0
            g = cm.grad(lambda z: cross_entropy_from_logits([1], z))(np.array([[1000.0, -1000.0]]))
    np.testing.assert_array_equal(g, [[1.0, -1.0]])


@pytest.mark.parametrize("name", sorted(LOGIT_LOSSES))
def test_logit_loss_derivatives_no_overflow_at_large_logits(name):
    """Hand and AD derivatives at |z| = 1000: no warning, and the exact (p - y) / n."""
    if name == "binary_cross_entropy":
        y, z = np.array([1.0, 0.0, 1.0, 0.0]), np.array([1000.0, -1000.0, -1000.0, 1000.0])
        expected = np.array([0.0, 0.0, -1.0, 1.0]) / 4
    else:
        y = one_hot([0, 1])
        z = np.array([[1000.0, -1000.0], [1000.0, -1000.0]])
        expected = np.array([[0.0, 0.0], [1.0, -1.0]]) / 2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with np.errstate(all="raise", under="ignore"):
            value = LOGIT_LOSSES[name](y, z)
            hand = LOGIT_LOSS_DERIVATIVES[name](y, z)
            ad = cm.grad(lambda q: LOGIT_LOSSES[name](y, q))(z)
    assert value == pytest.approx(2000.0 / (4 if name == "binary_cross_entropy" else 2))
    np.testing.assert_array_equal(hand, expected)
    np.testing.assert_array_equal(ad, expected)


def test_mismatched_shapes_raise():
    with pytest.raises(DimensionError, match="y_true has shape"):
        mse(np.ones(3), np.ones(4))
    # as many entries but another layout: refused, not silently reshaped
    with pytest.raises(DimensionError, match=r"y_true has shape \(2, 3\)"):
        mse(np.ones((2, 3)), np.ones((3, 2)))
    with pytest.raises(DimensionError, match="y_true has shape"):
        binary_cross_entropy(np.ones(6), np.full((3, 2), 0.5))
    with pytest.raises(DimensionError, match="labels"):
        cross_entropy(np.array([0, 1]), P_MULTI)
    with pytest.raises(DimensionError, match="0..2"):
        one_hot([0, 3], 3)
    with pytest.raises(DimensionError, match="integer class labels"):
        one_hot([0.5, 1.0])


def test_column_and_flat_targets_agree():
    assert mse(Y_REG[:, 0], P_REG[:, :1]) == mse(Y_REG[:, :1], P_REG[:, :1])
    assert mse(Y_REG[:1, :], P_REG[0]) == mse(Y_REG[0], P_REG[0])
