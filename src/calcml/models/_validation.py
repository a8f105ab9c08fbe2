"""Input checks and small numerical helpers shared by linear, logistic and MLP models.

Input errors keep scikit-learn's messages (so ``check_estimator`` recognises them) but
are raised as :class:`InvalidInputError`, a :class:`calcml.errors.CalcmlError` that is
also a ``ValueError``.
"""
from __future__ import annotations

import warnings
from typing import Any, Callable

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import validate_data

from calcml.errors import InvalidInputError

__all__ = ["InvalidInputError", "check_data", "encode_classes", "warn_not_converged",
           "minimize_lbfgs"]


def check_data(est: Any, X: Any, y: Any = "no_validation", *, reset: bool = True,
               **kwargs: Any) -> Any:
    """``sklearn.utils.validation.validate_data`` in float64, errors as InvalidInputError."""
    kwargs.setdefault("dtype", np.float64)
    try:
        return validate_data(est, X, y, reset=reset, **kwargs)
    except InvalidInputError:
        raise
    except ValueError as exc:
        raise InvalidInputError(f"{type(est).__name__}: {exc}") from exc


def encode_classes(est: Any, y: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """``(classes_, y as indices 0..k-1)``; at least two classes, else InvalidInputError."""
    try:
        check_classification_targets(y)
    except ValueError as exc:
        raise InvalidInputError(f"{type(est).__name__}: {exc}") from exc
    classes, y_idx = np.unique(y, return_inverse=True)
    if classes.size < 2:
        raise InvalidInputError(
            f"{type(est).__name__} needs samples of at least 2 classes in the data, but the "
            f"data contains only one class: {getattr(classes[0], 'item', lambda: classes[0])()!r}"
            "; add samples of another class")
    return classes, y_idx


def warn_not_converged(est: Any, what: str) -> None:
    warnings.warn(f"{type(est).__name__}: {what}", ConvergenceWarning, stacklevel=3)


def minimize_lbfgs(fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                   *, maxiter: int, tol: float) -> tuple[np.ndarray, int, bool, list[float]]:
    """L-BFGS on ``fun_grad(x) -> (f, g)``; returns ``(x, n_iter, success, losses)``.

    :func:`calcml.optimize.minimize` with ``method="lbfgs"`` and ``jac=True`` (the
    objective returns its value and gradient together, as the models compute them).
    """
    from calcml.optimize import minimize

    res = minimize(fun_grad, x0, method="lbfgs", jac=True, tol=tol, maxiter=maxiter)
    losses = [float(v) for v in (getattr(res, "losses", None) or [res.fun])]
    return np.asarray(res.x, dtype=float), int(res.nit), bool(res.success), losses
