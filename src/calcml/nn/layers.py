"""Layers as plain functions: a dense (affine) layer and its hand-written backward pass.

>>> import numpy as np
>>> from calcml.nn import dense, dense_backward
>>> x = np.array([[1.0, 2.0]]); W = np.array([[1.0], [-1.0]]); b = np.array([0.5])
>>> dense(x, W, b)
array([[-0.5]])
>>> dx, dW, db = dense_backward(x, W, np.array([[1.0]]))
>>> dx, dW.ravel(), db
(array([[ 1., -1.]]), array([1., 2.]), array([1.]))
"""
from __future__ import annotations

from typing import Any

import numpy as np

from calcml.errors import DimensionError
from calcml.nn.activations import ACTIVATIONS

__all__ = ["dense", "dense_backward", "dense_jacobian"]


def dense(x: Any, W: Any, b: Any | None = None, activation: str | None = None) -> Any:
    """Affine layer ``x @ W + b``, optionally followed by an activation.

    Parameters
    ----------
    x : array_like, shape (n_samples, n_in)
        Inputs (one row per sample).
    W : array_like, shape (n_in, n_out)
        Weights (scikit-learn's ``coefs_`` layout).
    b : array_like, shape (n_out,), optional
        Bias.
    activation : str, optional
        A key of :data:`calcml.nn.ACTIVATIONS` applied to the result.

    Returns
    -------
    ndarray, shape (n_samples, n_out)

    Examples
    --------
    >>> dense(np.ones((1, 2)), np.ones((2, 3)), np.zeros(3), activation="relu")
    array([[2., 2., 2.]])
    """
    if np.shape(x)[-1] != np.shape(W)[0]:
        raise DimensionError(f"dense: x has {np.shape(x)[-1]} features but W has "
                             f"{np.shape(W)[0]} rows; W must have shape (n_in, n_out)")
    z = x @ W
    if b is not None:
        z = z + b
    if activation is not None:
        if activation not in ACTIVATIONS:
            raise KeyError(f"dense: unknown activation {activation!r}; choose one of "
                           f"{sorted(ACTIVATIONS)}")
        z = ACTIVATIONS[activation](z)
    return z


def dense_backward(x: np.ndarray, W: np.ndarray,
                   dz: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Backward pass of ``z = x @ W + b``: ``(dL/dx, dL/dW, dL/db)`` from ``dz = dL/dz``.

    ``dL/dx = dz W^T`` (the layer's Jacobian transposed, applied to ``dz``),
    ``dL/dW = x^T dz`` and ``dL/db = sum(dz, axis=0)``.

    Parameters
    ----------
    x : ndarray, shape (n_samples, n_in)
    W : ndarray, shape (n_in, n_out)
    dz : ndarray, shape (n_samples, n_out)

    Returns
    -------
    tuple of ndarray
        Shapes ``(n_samples, n_in)``, ``(n_in, n_out)``, ``(n_out,)``.

    Examples
    --------
    >>> [a.shape for a in dense_backward(np.ones((4, 3)), np.ones((3, 2)), np.ones((4, 2)))]
    [(4, 3), (3, 2), (2,)]
    """
    return dz @ W.T, x.T @ dz, dz.sum(axis=0)


def dense_jacobian(x: np.ndarray, W: np.ndarray, b: np.ndarray | None = None,
                   activation: str | None = None) -> np.ndarray:
    """Per-sample Jacobian of ``dense(x, W, b, activation)`` with respect to ``x``.

    Returns shape ``(n_samples, n_out, n_in)``: ``J[s, k, i] = d out_k / d x_i`` for
    sample ``s`` — ``W^T`` scaled row-wise by the activation's derivative (seed 004
    lesson 5's Jacobian of a layer).

    Examples
    --------
    >>> dense_jacobian(np.zeros((1, 2)), np.array([[1.0], [2.0]]), activation="sigmoid")
    array([[[0.25, 0.5 ]]])
    """
    from calcml.nn.activations import DERIVATIVES, ELEMENTWISE

    x = np.asarray(x, dtype=float)
    W = np.asarray(W, dtype=float)
    z = x @ W + (0.0 if b is None else b)
    J = np.broadcast_to(W.T, (x.shape[0],) + W.T.shape)
    if activation is None or activation == "identity":
        return J.copy()
    d = DERIVATIVES[activation](z)
    if activation in ELEMENTWISE:
        return d[:, :, None] * J
    return np.einsum("skj,sji->ski", d, J)
