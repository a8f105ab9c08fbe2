"""Weight initializers (Glorot/Xavier, He) with a ``random_state``.

Each returns ``(W, b)`` for a dense layer with ``W.shape == (n_in, n_out)`` and a zero
bias, drawn from ``sklearn.utils.check_random_state(random_state)``.

>>> from calcml.nn import glorot_uniform
>>> W, b = glorot_uniform(2, 3, random_state=0)
>>> W.shape, b.tolist(), bool(abs(W).max() <= (6 / 5) ** 0.5)
((2, 3), [0.0, 0.0, 0.0], True)
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np
from sklearn.utils import check_random_state

from calcml.errors import DimensionError

__all__ = ["glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "INITIALIZERS"]


def _check(n_in: int, n_out: int) -> None:
    if int(n_in) < 1 or int(n_out) < 1:
        raise DimensionError(f"initializer: layer sizes must be positive, got n_in={n_in}, "
                             f"n_out={n_out}")


def glorot_uniform(n_in: int, n_out: int, random_state: Any = None,
                   gain: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Glorot/Xavier uniform: ``W ~ U(-a, a)``, ``a = gain * sqrt(6 / (n_in + n_out))``.

    Parameters
    ----------
    n_in, n_out : int
        Fan-in and fan-out.
    random_state : None, int or numpy.random.RandomState, default: None
        Seed or generator (``sklearn.utils.check_random_state``).
    gain : float, default: 1.0
        Scale factor (scikit-learn's MLP uses ``sqrt(2)`` for sigmoid layers).

    Returns
    -------
    W : ndarray, shape (n_in, n_out)
    b : ndarray, shape (n_out,)
        Zeros.

    Examples
    --------
    >>> W1, _ = glorot_uniform(4, 4, random_state=1); W2, _ = glorot_uniform(4, 4, random_state=1)
    >>> bool((W1 == W2).all())
    True
    """
    _check(n_in, n_out)
    a = gain * np.sqrt(6.0 / (n_in + n_out))
    return check_random_state(random_state).uniform(-a, a, (n_in, n_out)), np.zeros(n_out)


def glorot_normal(n_in: int, n_out: int, random_state: Any = None,
                  gain: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Glorot/Xavier normal: ``W ~ N(0, gain^2 * 2 / (n_in + n_out))``.

    >>> glorot_normal(3, 2, random_state=0)[0].shape
    (3, 2)
    """
    _check(n_in, n_out)
    std = gain * np.sqrt(2.0 / (n_in + n_out))
    return check_random_state(random_state).normal(0.0, std, (n_in, n_out)), np.zeros(n_out)


def he_uniform(n_in: int, n_out: int, random_state: Any = None,
               gain: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """He uniform (for ReLU): ``W ~ U(-a, a)``, ``a = gain * sqrt(6 / n_in)``.

    >>> bool(abs(he_uniform(6, 2, random_state=0)[0]).max() <= 1.0)
    True
    """
    _check(n_in, n_out)
    a = gain * np.sqrt(6.0 / n_in)
    return check_random_state(random_state).uniform(-a, a, (n_in, n_out)), np.zeros(n_out)


def he_normal(n_in: int, n_out: int, random_state: Any = None,
              gain: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """He normal (for ReLU): ``W ~ N(0, gain^2 * 2 / n_in)``.

    >>> he_normal(3, 2, random_state=0)[1]
    array([0., 0.])
    """
    _check(n_in, n_out)
    std = gain * np.sqrt(2.0 / n_in)
    return check_random_state(random_state).normal(0.0, std, (n_in, n_out)), np.zeros(n_out)


INITIALIZERS: dict[str, Callable] = {
    "glorot_uniform": glorot_uniform, "glorot_normal": glorot_normal,
    "he_uniform": he_uniform, "he_normal": he_normal,
}
