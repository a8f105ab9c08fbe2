"""Activation functions and their hand-written derivatives.

Every activation is plain NumPy, so :func:`calcml.grad` differentiates it; every one
has a derivative written by hand for manual backpropagation (``DERIVATIVES[name]``).
They are numerically stable: no overflow warnings at ``|z| = 1000``, no NaN.

Elementwise activations have elementwise derivatives ``d(z)`` (the diagonal of the
Jacobian). ``softmax`` and ``log_softmax`` act on the last axis; their derivatives
return the full Jacobian, shape ``z.shape + (k,)``, and :func:`activation_vjp` applies
any activation's derivative to an upstream gradient without forming that Jacobian.

>>> import numpy as np
>>> from calcml.nn import sigmoid, d_sigmoid
>>> sigmoid(np.array([-1000.0, 0.0, 1000.0]))
array([0. , 0.5, 1. ])
>>> d_sigmoid(np.array([0.0]))       # s (1 - s) at 0
array([0.25])
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.ad import stop_gradient

__all__ = [
    "identity", "sigmoid", "tanh", "relu", "softplus", "softmax", "log_softmax",
    "logsumexp", "d_identity", "d_sigmoid", "d_tanh", "d_relu", "d_softplus",
    "d_softmax", "d_log_softmax", "activation_vjp", "ACTIVATIONS", "DERIVATIVES",
    "ELEMENTWISE",
]


def identity(z: Any) -> Any:
    """Return ``z`` unchanged (the output activation of a regressor).

    >>> identity(np.array([1.0, -2.0]))
    array([ 1., -2.])
    """
    return z


def sigmoid(z: Any) -> Any:
    """Logistic sigmoid ``1 / (1 + exp(-z))``, computed as ``exp(-log(1 + exp(-z)))``.

    The ``logaddexp`` form never overflows: at ``z = -1000`` it gives ``exp(-1000) = 0``
    where the textbook form computes ``1 / (1 + inf)`` with an overflow warning.

    Parameters
    ----------
    z : array_like
        Pre-activations (any shape; may be traced by :func:`calcml.grad`).

    Returns
    -------
    ndarray
        Values in ``[0, 1]``, same shape as ``z``.

    Examples
    --------
    >>> sigmoid(np.array([0.0, 2.0]))
    array([0.5       , 0.88079708])
    """
    return np.exp(-np.logaddexp(0.0, -z))


def d_sigmoid(z: Any) -> Any:
    """Derivative of :func:`sigmoid`: ``s (1 - s)`` with ``s = sigmoid(z)``.

    Computed as ``sigmoid(z) * sigmoid(-z)``: ``1 - s`` rounds to 0 for ``z > 37``,
    where the derivative is ``exp(-z)``, still a normal number up to ``z = 708``.
    (Seed 004's ``dsigmoid`` returns ``2 s (1 - s)``, which is wrong by a factor 2.)

    >>> d_sigmoid(np.array([0.0, 1000.0]))
    array([0.25, 0.  ])
    >>> float(d_sigmoid(np.array([50.0]))[0])       # exp(-50), not 0
    1.9287498479639178e-22
    """
    return sigmoid(z) * sigmoid(-z)


def tanh(z: Any) -> Any:
    """Hyperbolic tangent.

    >>> tanh(np.array([0.0, 1000.0]))
    array([0., 1.])
    """
    return np.tanh(z)


def d_tanh(z: Any) -> Any:
    """Derivative of :func:`tanh`: ``1 - tanh(z)**2 = sech(z)**2``.

    Computed as ``4 u / (1 + u)**2`` with ``u = exp(-2|z|)``: ``1 - tanh(z)**2`` rounds
    to 0 for ``|z| > 19``, where the derivative is about ``4 exp(-2|z|)``; this form
    keeps its relative accuracy and never overflows.

    >>> d_tanh(np.array([0.0, 1000.0]))
    array([1., 0.])
    >>> float(d_tanh(np.array([20.0]))[0])          # 4 exp(-40), not 0
    1.6993417021166355e-17
    """
    u = np.exp(-2.0 * np.abs(z))
    return 4.0 * u / ((1.0 + u) * (1.0 + u))


def relu(z: Any) -> Any:
    """Rectified linear unit ``max(z, 0)``.

    The derivative at 0 is taken as 0 (``z > 0``), by hand and by AD alike.

    >>> relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 2.])
    """
    return np.where(z > 0, z, 0.0)


def d_relu(z: Any) -> Any:
    """Derivative of :func:`relu`: 1 where ``z > 0``, else 0.

    >>> d_relu(np.array([-1.0, 0.0, 2.0]))
    array([0., 0., 1.])
    """
    return np.where(z > 0, 1.0, 0.0)


def softplus(z: Any) -> Any:
    """Smooth ReLU ``log(1 + exp(z))``, as ``logaddexp(0, z)`` (no overflow).

    >>> softplus(np.array([0.0, 1000.0])).tolist()
    [0.6931471805599453, 1000.0]
    """
    return np.logaddexp(0.0, z)


def d_softplus(z: Any) -> Any:
    """Derivative of :func:`softplus`: the sigmoid.

    >>> d_softplus(np.array([0.0]))
    array([0.5])
    """
    return sigmoid(z)


def logsumexp(z: Any, axis: int = -1, keepdims: bool = False) -> Any:
    """``log(sum(exp(z)))`` along ``axis``, shifted by the maximum so it never overflows.

    >>> float(logsumexp(np.array([1000.0, 1000.0])))    # 1000 + log 2
    1000.6931471805599
    """
    m = stop_gradient(np.max(z, axis=axis, keepdims=True))
    out = m + np.log(np.sum(np.exp(z - m), axis=axis, keepdims=True))
    return out if keepdims else np.squeeze(out, axis=axis)


def softmax(z: Any, axis: int = -1) -> Any:
    """Softmax along ``axis``: ``exp(z - logsumexp(z))``.

    >>> softmax(np.array([[1000.0, 1000.0, -1000.0]]))
    array([[0.5, 0.5, 0. ]])
    """
    return np.exp(z - logsumexp(z, axis=axis, keepdims=True))


def log_softmax(z: Any, axis: int = -1) -> Any:
    """Logarithm of :func:`softmax`, ``z - logsumexp(z)`` (finite where softmax is 0).

    >>> log_softmax(np.array([[0.0, 1000.0]]))
    array([[-1000.,     0.]])
    """
    return z - logsumexp(z, axis=axis, keepdims=True)


def d_identity(z: Any) -> Any:
    """Derivative of :func:`identity`: ones.

    >>> d_identity(np.array([3.0]))
    array([1.])
    """
    return np.ones(np.shape(z))


def d_softmax(z: Any) -> np.ndarray:
    """Jacobian of :func:`softmax` over the last axis: ``diag(s) - s s^T`` per row.

    Returns an array of shape ``z.shape + (k,)`` with ``J[..., i, j] = ds_i / dz_j``.

    >>> d_softmax(np.zeros(2))
    array([[ 0.25, -0.25],
           [-0.25,  0.25]])
    """
    s = softmax(z)
    return s[..., :, None] * np.eye(s.shape[-1]) - s[..., :, None] * s[..., None, :]


def d_log_softmax(z: Any) -> np.ndarray:
    """Jacobian of :func:`log_softmax`: ``I - 1 s^T`` per row (``s = softmax(z)``).

    >>> d_log_softmax(np.zeros(2))
    array([[ 0.5, -0.5],
           [-0.5,  0.5]])
    """
    s = softmax(z)
    return np.eye(s.shape[-1]) - s[..., None, :]


# Name -> function tables (scikit-learn's ACTIVATIONS/DERIVATIVES habit). "logistic" is
# scikit-learn's name for the sigmoid.
ACTIVATIONS: dict[str, Callable] = {
    "identity": identity, "sigmoid": sigmoid, "logistic": sigmoid, "tanh": tanh,
    "relu": relu, "softplus": softplus, "softmax": softmax, "log_softmax": log_softmax,
}
DERIVATIVES: dict[str, Callable] = {
    "identity": d_identity, "sigmoid": d_sigmoid, "logistic": d_sigmoid, "tanh": d_tanh,
    "relu": d_relu, "softplus": d_softplus, "softmax": d_softmax,
    "log_softmax": d_log_softmax,
}
ELEMENTWISE = frozenset(ACTIVATIONS) - {"softmax", "log_softmax"}


def activation_vjp(name: str, z: np.ndarray, g: np.ndarray,
                   a: np.ndarray | None = None) -> np.ndarray:
    """Pull an upstream gradient ``g = dL/da`` back through ``a = ACTIVATIONS[name](z)``.

    Elementwise activations multiply by the derivative; ``softmax`` uses
    ``s * (g - sum(g s))`` and ``log_softmax`` ``g - s sum(g)``, the Jacobian-vector
    products of :func:`d_softmax` and :func:`d_log_softmax` without forming them.

    Parameters
    ----------
    name : str
        A key of :data:`ACTIVATIONS`.
    z : ndarray
        The pre-activation.
    g : ndarray
        ``dL/da``, shaped like ``z``.
    a : ndarray, optional
        ``ACTIVATIONS[name](z)`` if already computed (saves work for the sigmoid and
        softmax).

    Returns
    -------
    ndarray
        ``dL/dz``, shaped like ``z``.

    Examples
    --------
    >>> z = np.array([[0.0, 1.0, -1.0]]); g = np.array([[1.0, 0.0, 0.0]])
    >>> np.allclose(activation_vjp("softmax", z, g), g @ d_softmax(z)[0])
    True
    """
    if name in ("sigmoid", "logistic"):
        s = sigmoid(z) if a is None else a
        return g * s * sigmoid(-z)          # not s (1 - s): 1 - s is 0 for z > 37
    if name == "tanh":
        return g * d_tanh(z)                # not 1 - a**2: that is 0 for |z| > 19
    if name == "softmax":
        s = softmax(z) if a is None else a
        return s * (g - np.sum(g * s, axis=-1, keepdims=True))
    if name == "log_softmax":
        return g - softmax(z) * np.sum(g, axis=-1, keepdims=True)
    if name == "relu":
        return g * (z > 0)
    if name == "identity":
        return g
    return g * DERIVATIVES[name](z)
