"""calcml.datasets: shapes, fixed seeds, agreement with scikit-learn, the linear truth."""
import numpy as np
import pytest
from sklearn import datasets as skd

from calcml import datasets
from calcml.errors import DimensionError


@pytest.mark.parametrize("name", ["circles", "moons", "blobs"])
def test_wrappers_are_deterministic_and_match_sklearn(name):
    X1, y1 = getattr(datasets, name)(n_samples=50)
    X2, y2 = getattr(datasets, name)(n_samples=50)
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(y1, y2)
    defaults = {"circles": {"noise": 0.1, "factor": 0.5}, "moons": {"noise": 0.1},
                "blobs": {"centers": 2}}[name]
    X3, y3 = getattr(skd, f"make_{name}")(n_samples=50, random_state=0, **defaults)
    np.testing.assert_array_equal(X1, X3)
    np.testing.assert_array_equal(y1, y3)
    assert X1.shape == (50, 2) and set(y1.tolist()) == {0, 1}


def test_circles_geometry_without_noise():
    X, y = datasets.circles(n_samples=40, noise=0.0, factor=0.3)
    np.testing.assert_allclose(np.hypot(*X.T), np.where(y == 1, 0.3, 1.0))


def test_linear_returns_the_truth():
    X, y, w = datasets.linear(n_samples=2000, n_features=3, w=[1.0, -2.0, 0.5], b=1.5,
                              noise=0.1, random_state=1)
    Xb = np.column_stack([np.ones(len(X)), X])
    theta = np.linalg.lstsq(Xb, y, rcond=None)[0]
    np.testing.assert_allclose(theta, [1.5, 1.0, -2.0, 0.5], atol=0.03)
    np.testing.assert_array_equal(w, [1.0, -2.0, 0.5])
    X0, y0, _ = datasets.linear(n_samples=10, noise=0.0)
    np.testing.assert_allclose(y0, 4.0 + 3.0 * X0[:, 0])          # seed 000's line
    assert X0.min() >= 0.0 and X0.max() < 2.0


def test_bad_arguments():
    with pytest.raises(DimensionError, match="n_samples"):
        datasets.circles(n_samples=0)
    with pytest.raises(DimensionError, match="one weight per feature"):
        datasets.linear(n_features=2, w=[1.0])
    with pytest.raises(DimensionError, match="noise"):
        datasets.linear(noise=-1.0)
