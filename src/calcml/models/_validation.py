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

from calcml.errors import CalcmlError

__all__ = ["InvalidInputError", "check_data", "encode_classes", "warn_not_converged",
           "minimize_lbfgs"]


class InvalidInputError(CalcmlError, ValueError):
    """Data an estimator cannot use (NaN/inf, wrong shape, a single class...)."""


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
            f"data contains only one class: {classes[0]!r}; add samples of another class")
    return classes, y_idx


def warn_not_converged(est: Any, what: str) -> None:
    warnings.warn(f"{type(est).__name__}: {what}", ConvergenceWarning, stacklevel=3)


def minimize_lbfgs(fun_grad: Callable[[np.ndarray], tuple[float, np.ndarray]], x0: np.ndarray,
                   *, maxiter: int, tol: float) -> tuple[np.ndarray, int, bool, list[float]]:
    """L-BFGS on ``fun_grad(x) -> (f, g)``; returns ``(x, n_iter, success, losses)``.

    Uses :func:`calcml.optimize.minimize` (``method="lbfgs"``) when it is available,
    else SciPy's L-BFGS-B.
    """
    cache: dict = {}

    def fg(x: np.ndarray) -> tuple[float, np.ndarray]:
        key = x.tobytes()
        if cache.get("key") != key:
            cache["key"], cache["val"] = key, fun_grad(x)
        return cache["val"]

    try:
        from calcml.optimize import minimize  # type: ignore[attr-defined]
    except ImportError:
        minimize = None
    if minimize is not None:
        res = minimize(lambda x: fg(x)[0], x0, method="lbfgs", jac=lambda x: fg(x)[1],
                       tol=tol, maxiter=maxiter)
        losses = [float(v) for v in (getattr(res, "losses", None) or [res.fun])]
        return np.asarray(res.x, dtype=float), int(res.nit), bool(res.success), losses
    from scipy.optimize import minimize as sp_minimize

    losses: list[float] = []
    res = sp_minimize(fg, x0, jac=True, method="L-BFGS-B",
                      callback=lambda intermediate_result: losses.append(
                          float(intermediate_result.fun)),
                      options={"maxiter": maxiter, "gtol": tol, "ftol": tol * 1e-3})
    x = np.asarray(res.x, dtype=float)
    return x, int(res.nit), bool(res.success), losses or [float(res.fun)]
