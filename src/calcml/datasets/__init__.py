"""Small synthetic data sets with a fixed ``random_state`` (default 0).

``circles``, ``moons`` and ``blobs`` are thin wrappers over scikit-learn's generators;
``linear`` draws ``y = X w + b + noise`` and returns the true ``w``.

>>> from calcml import datasets
>>> X, y = datasets.circles(n_samples=10)
>>> X.shape, sorted(set(y.tolist()))
((10, 2), [0, 1])
>>> X, y, w = datasets.linear(n_samples=100)    # seed 000: y = 4 + 3 x + N(0, 1)
>>> w
array([3.])
"""
from __future__ import annotations

from typing import Any

import numpy as np
from sklearn import datasets as _skd
from sklearn.utils import check_random_state

from calcml.errors import DimensionError

__all__ = ["circles", "moons", "blobs", "linear"]


def _positive(name: str, value: Any) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, np.integer)) or value < 1:
        raise DimensionError(f"{name} must be a positive integer, got {value!r}")
    return int(value)


def circles(n_samples: int = 1000, *, noise: float = 0.1, factor: float = 0.5,
            random_state: Any = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (seed 004 lesson 5's data), ``sklearn.datasets.make_circles``.

    Parameters
    ----------
    n_samples : int, default: 1000
    noise : float, default: 0.1
        Standard deviation of the Gaussian noise added to the points.
    factor : float, default: 0.5
        Radius of the inner circle relative to the outer one (0 < factor < 1).
    random_state : int, RandomState or None, default: 0

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)
        1 for the inner circle, 0 for the outer.

    Examples
    --------
    >>> X, y = circles(n_samples=4, noise=0.0)
    >>> bool(np.allclose(np.hypot(X[:, 0], X[:, 1]), np.where(y == 1, 0.5, 1.0)))
    True
    """
    n = _positive("n_samples", n_samples)
    return _skd.make_circles(n_samples=n, noise=noise, factor=factor, random_state=random_state)


def moons(n_samples: int = 1000, *, noise: float = 0.1,
          random_state: Any = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles, ``sklearn.datasets.make_moons``.

    Parameters
    ----------
    n_samples : int, default: 1000
    noise : float, default: 0.1
    random_state : int, RandomState or None, default: 0

    Returns
    -------
    X : ndarray, shape (n_samples, 2)
    y : ndarray of int, shape (n_samples,)

    Examples
    --------
    >>> X, y = moons(n_samples=6)
    >>> X.shape, int(y.sum())
    ((6, 2), 3)
    """
    n = _positive("n_samples", n_samples)
    return _skd.make_moons(n_samples=n, noise=noise, random_state=random_state)


def blobs(n_samples: int = 1000, *, centers: Any = 2, n_features: int = 2,
          cluster_std: float = 1.0, random_state: Any = 0) -> tuple[np.ndarray, np.ndarray]:
    """Gaussian blobs, ``sklearn.datasets.make_blobs``.

    Parameters
    ----------
    n_samples : int, default: 1000
    centers : int or array of shape (n_centers, n_features), default: 2
    n_features : int, default: 2
    cluster_std : float, default: 1.0
    random_state : int, RandomState or None, default: 0

    Returns
    -------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray of int, shape (n_samples,)

    Examples
    --------
    >>> X, y = blobs(n_samples=30, centers=3, n_features=4)
    >>> X.shape, sorted(set(y.tolist()))
    ((30, 4), [0, 1, 2])
    """
    n = _positive("n_samples", n_samples)
    _positive("n_features", n_features)
    return _skd.make_blobs(n_samples=n, centers=centers, n_features=n_features,
                           cluster_std=cluster_std, random_state=random_state)


def linear(n_samples: int = 100, n_features: int = 1, *, w: Any = None, b: float = 4.0,
           noise: float = 1.0, x_range: tuple[float, float] = (0.0, 2.0),
           random_state: Any = 0) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Linear-regression data ``y = X w + b + noise`` (seed 000 section 1).

    ``X`` is uniform on ``x_range`` and the noise is ``N(0, noise**2)``. The defaults
    give the seed's ``y = 4 + 3 x + randn`` with ``x`` uniform on ``[0, 2)``.

    Parameters
    ----------
    n_samples : int, default: 100
    n_features : int, default: 1
    w : array_like of shape (n_features,), optional
        True weights; default 3 for every feature.
    b : float, default: 4.0
        True intercept.
    noise : float, default: 1.0
        Standard deviation of the Gaussian noise (0 gives exact data).
    x_range : (float, float), default: (0.0, 2.0)
    random_state : int, RandomState or None, default: 0

    Returns
    -------
    X : ndarray, shape (n_samples, n_features)
    y : ndarray, shape (n_samples,)
    w : ndarray, shape (n_features,)
        The true weights.

    Examples
    --------
    >>> X, y, w = linear(n_samples=5, n_features=2, w=[1.0, -2.0], b=0.5, noise=0.0)
    >>> bool(np.allclose(y, X @ w + 0.5))
    True
    """
    n = _positive("n_samples", n_samples)
    p = _positive("n_features", n_features)
    w = np.full(p, 3.0) if w is None else np.asarray(w, dtype=float).ravel()
    if w.shape != (p,):
        raise DimensionError(f"linear: w has {w.size} entries but n_features={p}; pass one "
                             f"weight per feature")
    if noise < 0:
        raise DimensionError(f"linear: noise must be >= 0, got {noise}")
    rng = check_random_state(random_state)
    lo, hi = x_range
    X = lo + (hi - lo) * rng.rand(n, p)
    y = X @ w + b + noise * rng.randn(n)
    return X, y, w
