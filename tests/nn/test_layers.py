"""Dense layer, its backward pass and Jacobian against AD; initializers."""
import numpy as np
import pytest

import calcml as cm
from calcml.errors import DimensionError
from calcml.nn import (INITIALIZERS, dense, dense_backward, dense_jacobian, glorot_normal,
                       glorot_uniform, he_normal, he_uniform)

rng = np.random.default_rng(1)
X = rng.normal(size=(5, 3))
W = rng.normal(size=(3, 4))
B = rng.normal(size=4)


def test_dense_is_affine_then_activation():
    np.testing.assert_allclose(dense(X, W, B), X @ W + B)
    np.testing.assert_allclose(dense(X, W, B, activation="tanh"), np.tanh(X @ W + B))
    np.testing.assert_allclose(dense(X, W), X @ W)


def test_dense_backward_matches_ad():
    g = rng.normal(size=(5, 4))
    expected = cm.grad(lambda x, w, b: np.sum(g * dense(x, w, b)), argnums=(0, 1, 2))(X, W, B)
    for mine, ad in zip(dense_backward(X, W, g), expected):
        np.testing.assert_allclose(mine, ad, rtol=1e-13, atol=1e-14)


@pytest.mark.parametrize("activation", [None, "sigmoid", "tanh", "relu", "softplus", "softmax"])
def test_dense_jacobian_matches_ad(activation):
    J = dense_jacobian(X, W, B, activation=activation)
    assert J.shape == (5, 4, 3)
    for s in range(X.shape[0]):
        ad = cm.jacobian(lambda x: dense(x[None, :], W, B, activation=activation)[0])(X[s])
        np.testing.assert_allclose(J[s], ad, rtol=1e-12, atol=1e-14)


def test_dense_errors():
    with pytest.raises(DimensionError, match="n_in, n_out"):
        dense(X, W.T)
    with pytest.raises(KeyError, match="unknown activation"):
        dense(X, W, activation="swish")


@pytest.mark.parametrize("name", sorted(INITIALIZERS))
def test_initializers_shapes_and_seed(name):
    init = INITIALIZERS[name]
    W1, b1 = init(7, 5, random_state=3)
    W2, _ = init(7, 5, random_state=3)
    W3, _ = init(7, 5, random_state=4)
    assert W1.shape == (7, 5) and b1.shape == (5,) and not b1.any()
    np.testing.assert_array_equal(W1, W2)
    assert not np.array_equal(W1, W3)
    with pytest.raises(DimensionError):
        init(0, 5)


def test_initializer_scales():
    n_in, n_out = 300, 200
    a = np.sqrt(6 / (n_in + n_out))
    W = glorot_uniform(n_in, n_out, random_state=0)[0]
    assert np.abs(W).max() <= a and np.abs(W).max() > 0.99 * a
    # variances: Glorot 2/(n_in+n_out), He 2/n_in (60,000 draws: within 2%)
    glorot_var = pytest.approx(2 / (n_in + n_out), rel=0.02)
    assert np.var(glorot_uniform(n_in, n_out, random_state=0)[0]) == glorot_var
    assert np.var(glorot_normal(n_in, n_out, random_state=0)[0]) == glorot_var
    assert np.var(he_uniform(n_in, n_out, random_state=0)[0]) == pytest.approx(2 / n_in, rel=0.02)
    assert np.var(he_normal(n_in, n_out, random_state=0)[0]) == pytest.approx(2 / n_in, rel=0.02)
