"""Logistic regression with an L2 penalty: Newton (IRLS), gradient descent, L-BFGS.

Loss (mean over samples, intercept not penalised)::

    L(W, b) = cross_entropy(Y, softmax(X W + b)) + alpha / 2 * ||W||^2

with the sigmoid and one weight vector for two classes. Gradient
``X^T (P - Y) / n + alpha W``; Hessian ``X_b^T diag(p (1 - p)) X_b / n + alpha I``
(two classes) or its softmax block form ``sum_i x_i x_i^T (diag(p_i) - p_i p_i^T) / n``.
Newton's method with that Hessian is iteratively reweighted least squares (IRLS).
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from calcml.errors import ConvergenceError
from calcml.models._validation import (check_data, encode_classes, minimize_lbfgs,
                                       warn_not_converged)
from calcml.nn.activations import log_softmax, sigmoid, softmax, softplus

__all__ = ["LogisticRegression"]

_AUTO_NEWTON_MAX = 1000   # solver="auto": Newton up to this many parameters, else L-BFGS


class _Objective:
    """Loss, gradient and Hessian of penalised logistic regression in ``theta``.

    ``theta`` stacks ``W`` (p, k) row by row and then ``b`` (k,), i.e. it is the
    ravelled ``(p + 1, k)`` matrix ``[W; b]``; ``k = 1`` means the binary sigmoid model.
    """

    def __init__(self, X: np.ndarray, Y: np.ndarray, alpha: float, fit_intercept: bool):
        self.X, self.Y, self.alpha = X, Y, alpha
        self.n, self.p = X.shape
        self.k = Y.shape[1]
        self.fit_intercept = fit_intercept
        self.Xb = np.hstack([X, np.ones((self.n, 1))]) if fit_intercept else X
        self.penalty = np.ones((self.Xb.shape[1], 1)) * alpha
        if fit_intercept:
            self.penalty[-1] = 0.0

    def unpack(self, theta: np.ndarray) -> np.ndarray:
        return theta.reshape(self.Xb.shape[1], self.k)

    def loss(self, theta: np.ndarray) -> float:
        T = self.unpack(theta)
        Z = self.Xb @ T
        if self.k == 1:
            data = np.sum(softplus(Z) - self.Y * Z) / self.n
        else:
            data = -np.sum(self.Y * log_softmax(Z)) / self.n
        return float(data + 0.5 * np.sum(self.penalty * T * T))

    def probabilities(self, theta: np.ndarray) -> np.ndarray:
        Z = self.Xb @ self.unpack(theta)
        return sigmoid(Z) if self.k == 1 else softmax(Z)

    def gradient(self, theta: np.ndarray, P: np.ndarray | None = None) -> np.ndarray:
        T = self.unpack(theta)
        P = self.probabilities(theta) if P is None else P
        return (self.Xb.T @ (P - self.Y) / self.n + self.penalty * T).ravel()

    def hessian(self, theta: np.ndarray, P: np.ndarray | None = None) -> np.ndarray:
        P = self.probabilities(theta) if P is None else P
        d = self.Xb.shape[1]
        if self.k == 1:
            H = (self.Xb.T * (P[:, 0] * (1.0 - P[:, 0]))) @ self.Xb / self.n
        else:
            S = P[:, :, None] * np.eye(self.k) - P[:, :, None] * P[:, None, :]
            H = np.einsum("ia,ib,icd->acbd", self.Xb, self.Xb, S, optimize=True).reshape(
                d * self.k, d * self.k) / self.n
        return H + np.diag(np.repeat(self.penalty[:, 0], self.k))

    def lipschitz(self) -> float:
        """An upper bound of the Hessian's largest eigenvalue (for the gd step)."""
        s = np.linalg.norm(self.Xb, 2) ** 2 / self.n
        return (0.25 if self.k == 1 else 0.5) * s + self.alpha


class LogisticRegression(ClassifierMixin, BaseEstimator):
    """Binary and multinomial (softmax) logistic regression with an L2 penalty.

    Parameters
    ----------
    alpha : float, default: 1e-4
        L2 penalty on the weights (not the intercept), added to the *mean* log-loss as
        ``alpha / 2 * ||W||^2`` (scikit-learn's ``C`` corresponds to
        ``alpha = 1 / (C * n_samples)``).
    solver : {"auto", "newton", "irls", "gd", "lbfgs"}, default: "auto"
        ``"newton"`` (= ``"irls"``): Newton's method with the exact Hessian and a
        backtracking line search; ``"auto"`` picks it when there are at most
        ``1000`` parameters (the Hessian is then at most 1000 x 1000), else ``"lbfgs"``.
        ``"gd"``: gradient descent with step ``1/L``.
        ``"lbfgs"``: limited-memory BFGS (:func:`calcml.optimize.minimize`).
    fit_intercept : bool, default: True
    learning_rate : float or "auto", default: "auto"
        Step of ``"gd"``; ``"auto"`` is ``1/L`` with ``L`` a bound on the Hessian.
    max_iter : int, default: 100
    tol : float, default: 1e-6
        Stop when ``max|gradient| <= tol``.

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
    coef_ : ndarray, shape (1, n_features) for two classes, else (n_classes, n_features)
    intercept_ : ndarray, shape (1,) or (n_classes,)
    n_iter_ : int
    solver_ : str
        The solver used (what ``"auto"`` chose).
    loss_curve_ : list of float
        The penalised loss at each iteration.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    Examples
    --------
    >>> from calcml.datasets import blobs
    >>> from calcml.models import LogisticRegression
    >>> X, y = blobs(n_samples=200, centers=3, random_state=0)
    >>> clf = LogisticRegression().fit(X, y)
    >>> clf.coef_.shape, clf.score(X, y) > 0.9
    ((3, 2), True)
    >>> bool(np.allclose(clf.predict_proba(X).sum(axis=1), 1.0))
    True
    """

    _parameter_constraints: dict = {
        "alpha": [Interval(Real, 0, None, closed="left")],
        "solver": [StrOptions({"auto", "newton", "irls", "gd", "lbfgs"})],
        "fit_intercept": ["boolean"],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, alpha: float = 1e-4, *, solver: str = "auto", fit_intercept: bool = True,
                 learning_rate: float | str = "auto", max_iter: int = 100,
                 tol: float = 1e-6) -> None:
        self.alpha = alpha
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> "LogisticRegression":
        """Fit to ``X`` (n_samples, n_features) and class labels ``y`` (n_samples,).

        Returns
        -------
        self
        """
        X, y = check_data(self, X, y)
        self.classes_, y_idx = encode_classes(self, y)
        k = self.classes_.size
        Y = y_idx[:, None].astype(float) if k == 2 else np.eye(k)[y_idx]
        # Centring the features changes only the intercept (b' = b + mean @ W), and
        # makes the problem better conditioned for every solver.
        x_mean = X.mean(axis=0) if self.fit_intercept else np.zeros(X.shape[1])
        obj = _Objective(X - x_mean, Y, float(self.alpha), self.fit_intercept)
        theta = np.zeros(obj.Xb.shape[1] * obj.k)
        self.loss_curve_: list[float] = []
        solver = self.solver
        if solver == "auto":
            solver = "newton" if theta.size <= _AUTO_NEWTON_MAX else "lbfgs"
        self.solver_ = solver
        if solver in ("newton", "irls"):
            theta = self._newton(obj, theta)
        elif solver == "gd":
            theta = self._gd(obj, theta)
        else:
            theta, self.n_iter_, ok, self.loss_curve_ = minimize_lbfgs(
                lambda t: (obj.loss(t), obj.gradient(t)), theta, maxiter=self.max_iter,
                tol=self.tol)
            if not ok:
                warn_not_converged(self, f"L-BFGS did not converge in max_iter={self.max_iter} "
                                         f"iterations; raise max_iter")
        T = obj.unpack(theta)
        W = T[: X.shape[1]]
        b = T[-1] if self.fit_intercept else np.zeros(obj.k)
        self.coef_ = W.T.copy()
        self.intercept_ = b - x_mean @ W
        return self

    def _converged(self, g: np.ndarray) -> bool:
        if not np.all(np.isfinite(g)):
            raise ConvergenceError(f"LogisticRegression(solver={self.solver!r}) produced "
                                   f"non-finite gradients; scale the features or lower "
                                   f"learning_rate")
        return float(np.max(np.abs(g), initial=0.0)) <= self.tol

    def _newton(self, obj: _Objective, theta: np.ndarray) -> np.ndarray:
        f = obj.loss(theta)
        for it in range(self.max_iter):
            self.loss_curve_.append(f)
            P = obj.probabilities(theta)
            g = obj.gradient(theta, P)
            if self._converged(g):
                self.n_iter_ = it
                return theta
            step = np.linalg.lstsq(obj.hessian(theta, P), g, rcond=None)[0]
            # Backtracking (Armijo) line search: full Newton steps can overshoot when
            # the data are (nearly) separable and alpha is small.
            t, slope = 1.0, float(g @ step)
            while True:
                new = theta - t * step
                f_new = obj.loss(new)
                if f_new <= f - 1e-4 * t * slope or t < 1e-10:
                    break
                t *= 0.5
            theta, f = new, f_new
        self.n_iter_ = self.max_iter
        warn_not_converged(self, f"Newton's method stopped after max_iter={self.max_iter} "
                                 f"iterations; raise max_iter or alpha")
        return theta

    def _gd(self, obj: _Objective, theta: np.ndarray) -> np.ndarray:
        lr = 1.0 / obj.lipschitz() if self.learning_rate == "auto" else float(self.learning_rate)
        for it in range(self.max_iter):
            self.loss_curve_.append(obj.loss(theta))
            g = obj.gradient(theta)
            if self._converged(g):
                self.n_iter_ = it
                return theta
            theta = theta - lr * g
        self.n_iter_ = self.max_iter
        warn_not_converged(self, f"gradient descent stopped after max_iter={self.max_iter} "
                                 f"iterations; raise max_iter")
        return theta

    def decision_function(self, X: Any) -> np.ndarray:
        """Scores ``X @ coef_.T + intercept_``: shape (n_samples,) for two classes.

        Returns
        -------
        ndarray
        """
        check_is_fitted(self)
        X = check_data(self, X, reset=False)
        Z = X @ self.coef_.T + self.intercept_
        return Z[:, 0] if self.classes_.size == 2 else Z

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order.

        Returns
        -------
        ndarray
        """
        Z = self.decision_function(X)
        if self.classes_.size == 2:
            p = sigmoid(Z)
            return np.column_stack([1.0 - p, p])
        return softmax(Z)

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba` (computed stably from the scores).

        Returns
        -------
        ndarray
        """
        Z = self.decision_function(X)
        if self.classes_.size == 2:
            return np.column_stack([-softplus(Z), -softplus(-Z)])
        return log_softmax(Z)

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sample.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        Z = self.decision_function(X)
        idx = (Z > 0).astype(int) if self.classes_.size == 2 else np.argmax(Z, axis=1)
        return self.classes_[idx]
