"""Loss functions ``loss(y_true, y_pred)`` and their hand-written derivatives.

As in scikit-learn the target comes first, and each loss is the **mean over samples**
(axis 0): ``mse`` averages over every entry (``sklearn.metrics.mean_squared_error``),
the cross-entropies sum over classes/outputs and divide by the number of samples
(``sklearn.metrics.log_loss``). Each ``d_<loss>(y_true, y_pred)`` is the gradient with
respect to ``y_pred``, shaped like it, so manual backpropagation can start from it.

Probabilities are clipped to ``[eps, 1 - eps]`` (``eps`` = machine epsilon), so the
losses stay finite at ``p = 0`` or ``1``; the ``*_from_logits`` variants take the
pre-activation instead and are exact everywhere (log-sum-exp), which is what the
models use.

>>> import numpy as np
>>> from calcml.nn import binary_cross_entropy, binary_cross_entropy_from_logits
>>> y = np.array([1.0, 0.0])
>>> float(binary_cross_entropy(y, np.array([1.0, 0.0])))      # finite at p = 0 and 1
2.220446049250313e-16
>>> float(binary_cross_entropy_from_logits(y, np.array([1000.0, -1000.0])))
0.0
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.errors import DimensionError
from calcml.nn.activations import log_softmax, sigmoid, softmax, softplus

__all__ = [
    "mse", "d_mse", "binary_cross_entropy", "d_binary_cross_entropy",
    "binary_cross_entropy_from_logits", "d_binary_cross_entropy_from_logits",
    "cross_entropy", "d_cross_entropy", "cross_entropy_from_logits",
    "d_cross_entropy_from_logits", "one_hot", "LOSSES", "LOSS_DERIVATIVES",
    "LOGIT_LOSSES", "LOGIT_LOSS_DERIVATIVES",
]

EPS = float(np.finfo(float).eps)


def _n_samples(y_pred: Any) -> int:
    shape = np.shape(y_pred)
    return shape[0] if len(shape) else 1


def _match(y_true: Any, y_pred: Any, name: str) -> np.ndarray:
    """``y_true`` as a float array shaped like ``y_pred``; DimensionError otherwise.

    The shapes may differ only by axes of length 1 (``(n,)`` targets for ``(n, 1)``
    predictions); a ``(2, 3)`` target is not silently reshaped to ``(3, 2)``.
    """
    y_true = np.asarray(y_true, dtype=float)
    shape = np.shape(y_pred)
    if y_true.shape != shape:
        if [d for d in y_true.shape if d != 1] != [d for d in shape if d != 1]:
            raise DimensionError(
                f"{name}: y_true has shape {y_true.shape} but y_pred has shape {shape}; "
                f"pass one target per prediction (the same shape, or one differing only "
                f"by axes of length 1)")
        y_true = y_true.reshape(shape)
    return y_true


def one_hot(y: Any, n_classes: int | None = None) -> np.ndarray:
    """Rows of the identity matrix picked by integer labels ``0 .. n_classes-1``.

    >>> one_hot([0, 2, 1])
    array([[1., 0., 0.],
           [0., 0., 1.],
           [0., 1., 0.]])
    """
    y = np.asarray(y)
    if y.ndim != 1 or (y.size and (y.dtype.kind not in "iub" and not np.all(y == np.round(y)))):
        raise DimensionError(f"one_hot: expected a 1-D array of integer class labels, got "
                             f"shape {y.shape} and dtype {y.dtype}")
    y = y.astype(int)
    k = int(y.max()) + 1 if n_classes is None else int(n_classes)
    if y.size and (y.min() < 0 or y.max() >= k):
        raise DimensionError(f"one_hot: labels must lie in 0..{k - 1}, got {y.min()}..{y.max()}")
    return np.eye(k)[y]


def _targets_for(y_true: Any, y_pred: Any, name: str) -> np.ndarray:
    """Class targets as a one-hot/probability matrix shaped like ``y_pred`` (n, k)."""
    shape = np.shape(y_pred)
    y_arr = np.asarray(y_true)
    if len(shape) == 2 and y_arr.ndim == 1 and shape[1] > 1:
        if y_arr.shape[0] != shape[0]:
            raise DimensionError(f"{name}: {y_arr.shape[0]} labels for {shape[0]} samples")
        return one_hot(y_arr, shape[1])
    return _match(y_arr, y_pred, name)


def mse(y_true: Any, y_pred: Any) -> Any:
    """Mean squared error ``mean((y_pred - y_true)**2)`` over every entry.

    Parameters
    ----------
    y_true : array_like
        Targets, shaped like ``y_pred`` (or with as many entries).
    y_pred : array_like
        Predictions (may be traced by :func:`calcml.grad`).

    Returns
    -------
    float
        The mean of the squared errors.

    Examples
    --------
    >>> float(mse([1.0, 2.0], np.array([1.0, 4.0])))
    2.0
    """
    d = y_pred - _match(y_true, y_pred, "mse")
    return np.mean(d * d)


def d_mse(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`mse` in ``y_pred``: ``2 (y_pred - y_true) / size``.

    >>> d_mse([1.0, 2.0], np.array([1.0, 4.0]))
    array([0., 2.])
    """
    y_pred = np.asarray(y_pred, dtype=float)
    return 2.0 * (y_pred - _match(y_true, y_pred, "mse")) / max(y_pred.size, 1)


def binary_cross_entropy(y_true: Any, y_pred: Any) -> Any:
    """Binary cross-entropy ``-sum(y log p + (1 - y) log(1 - p)) / n_samples``.

    ``p`` is clipped to ``[eps, 1 - eps]``, so the loss is finite at ``p = 0`` or ``1``.
    (Seed 004's version divides by ``y.shape[1]``, i.e. 1, instead of the number of
    samples.)

    Parameters
    ----------
    y_true : array_like
        0/1 targets (or probabilities), shaped like ``y_pred``.
    y_pred : array_like
        Predicted probabilities of class 1, shape ``(n,)`` or ``(n, k)`` (multi-label).

    Returns
    -------
    float

    Examples
    --------
    >>> round(float(binary_cross_entropy([1, 0], np.array([0.8, 0.4]))), 6)  # -(log .8 + log .6)/2
    0.366985
    """
    y = _match(y_true, y_pred, "binary_cross_entropy")
    p = np.clip(y_pred, EPS, 1.0 - EPS)
    return -np.sum(y * np.log(p) + (1.0 - y) * np.log(1.0 - p)) / _n_samples(y_pred)


def d_binary_cross_entropy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy`: ``(p - y) / (p (1 - p)) / n``.

    Zero where ``p`` was clipped (as the derivative of the clipped loss is).

    >>> d_binary_cross_entropy([1, 0], np.array([0.8, 0.4]))
    array([-0.625     ,  0.83333333])
    """
    y_pred = np.asarray(y_pred, dtype=float)
    y = _match(y_true, y_pred, "binary_cross_entropy")
    inside = (y_pred >= EPS) & (y_pred <= 1.0 - EPS)
    p = np.clip(y_pred, EPS, 1.0 - EPS)
    return np.where(inside, (p - y) / (p * (1.0 - p)), 0.0) / _n_samples(y_pred)


def binary_cross_entropy_from_logits(y_true: Any, z: Any) -> Any:
    """Binary cross-entropy of ``sigmoid(z)``, as ``sum(softplus(z) - y z) / n``.

    Exact for any ``z`` (no clipping, no overflow).

    >>> float(binary_cross_entropy_from_logits([1.0], np.array([0.0])))   # log 2
    0.6931471805599453
    """
    y = _match(y_true, z, "binary_cross_entropy_from_logits")
    return np.sum(softplus(z) - y * z) / _n_samples(z)


def d_binary_cross_entropy_from_logits(y_true: Any, z: Any) -> np.ndarray:
    """Gradient of :func:`binary_cross_entropy_from_logits`: ``(sigmoid(z) - y) / n``.

    >>> d_binary_cross_entropy_from_logits([1.0, 0.0], np.array([0.0, 0.0]))
    array([-0.25,  0.25])
    """
    z = np.asarray(z, dtype=float)
    y = _match(y_true, z, "binary_cross_entropy_from_logits")
    return (sigmoid(z) - y) / _n_samples(z)


def cross_entropy(y_true: Any, y_pred: Any) -> Any:
    """Categorical cross-entropy ``-sum(y log p) / n_samples``.

    Parameters
    ----------
    y_true : array_like
        One-hot (or probability) rows shaped like ``y_pred``, or integer labels
        ``0 .. k-1`` of shape ``(n,)``.
    y_pred : array_like
        Predicted class probabilities, shape ``(n, k)``; clipped to ``[eps, 1]``.

    Returns
    -------
    float

    Examples
    --------
    >>> p = np.array([[0.7, 0.2, 0.1], [0.1, 0.1, 0.8]])
    >>> round(float(cross_entropy([0, 2], p)), 6)          # -(log .7 + log .8)/2
    0.289909
    """
    y = _targets_for(y_true, y_pred, "cross_entropy")
    return -np.sum(y * np.log(np.clip(y_pred, EPS, None))) / _n_samples(y_pred)


def d_cross_entropy(y_true: Any, y_pred: Any) -> np.ndarray:
    """Gradient of :func:`cross_entropy`: ``-y / p / n`` (zero where ``p`` was clipped).

    >>> d_cross_entropy([1], np.array([[0.5, 0.5]]))
    array([[ 0., -2.]])
    """
    y_pred = np.asarray(y_pred, dtype=float)
    y = _targets_for(y_true, y_pred, "cross_entropy")
    p = np.clip(y_pred, EPS, None)
    return np.where(y_pred >= EPS, 0.0 - y / p, 0.0) / _n_samples(y_pred)


def cross_entropy_from_logits(y_true: Any, z: Any) -> Any:
    """Cross-entropy of ``softmax(z)``, as ``-sum(y * log_softmax(z)) / n`` (exact).

    >>> float(cross_entropy_from_logits([0], np.array([[1000.0, -1000.0]])))
    0.0
    """
    y = _targets_for(y_true, z, "cross_entropy_from_logits")
    return -np.sum(y * log_softmax(z)) / _n_samples(z)


def d_cross_entropy_from_logits(y_true: Any, z: Any) -> np.ndarray:
    """Gradient of :func:`cross_entropy_from_logits`: ``(softmax(z) sum(y) - y) / n``.

    For one-hot rows this is the textbook ``(softmax(z) - y) / n``.

    >>> d_cross_entropy_from_logits([0], np.array([[0.0, 0.0]]))
    array([[-0.5,  0.5]])
    """
    z = np.asarray(z, dtype=float)
    y = _targets_for(y_true, z, "cross_entropy_from_logits")
    return (softmax(z) * np.sum(y, axis=-1, keepdims=True) - y) / _n_samples(z)


# Name-keyed tables; "squared_error" and "log_loss" are scikit-learn's names.
LOSSES: dict[str, Callable] = {
    "mse": mse, "squared_error": mse,
    "binary_cross_entropy": binary_cross_entropy, "cross_entropy": cross_entropy,
    "log_loss": cross_entropy,
}
LOSS_DERIVATIVES: dict[str, Callable] = {
    "mse": d_mse, "squared_error": d_mse,
    "binary_cross_entropy": d_binary_cross_entropy, "cross_entropy": d_cross_entropy,
    "log_loss": d_cross_entropy,
}
LOGIT_LOSSES: dict[str, Callable] = {
    "binary_cross_entropy": binary_cross_entropy_from_logits,
    "cross_entropy": cross_entropy_from_logits,
}
LOGIT_LOSS_DERIVATIVES: dict[str, Callable] = {
    "binary_cross_entropy": d_binary_cross_entropy_from_logits,
    "cross_entropy": d_cross_entropy_from_logits,
}
