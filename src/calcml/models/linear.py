"""Least-squares linear regression three ways: gradient descent, normal equations, Newton.

The loss is the mean squared error ``L(theta) = mean((X_b theta - y)**2)`` with
``X_b = [1, X]`` (seed 000 section 1). Its gradient is ``2/m X_b^T (X_b theta - y)`` and
its Hessian ``2/m X_b^T X_b``: gradient descent follows the first, Newton's method
uses both (and, the loss being quadratic, lands on the minimum in one step), and the
normal equations ``X_b^T X_b theta = X_b^T y`` solve for the minimum directly.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from calcml.errors import ConvergenceError
from calcml.models._validation import check_data, warn_not_converged

__all__ = ["LinearRegression", "mse_gradient", "mse_hessian"]


def mse_gradient(Xb: np.ndarray, y: np.ndarray, theta: np.ndarray) -> np.ndarray:
    """Gradient of ``mean((Xb @ theta - y)**2)``: ``2/m Xb^T (Xb theta - y)``.

    Seed 000's garbled ``gradients = 2/m * - y)`` line, written out.

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> Xb = np.array([[1.0, 0.0], [1.0, 1.0], [1.0, 2.0]]); y = np.array([1.0, 3.0, 5.0])
    >>> theta = np.array([0.5, 0.5])
    >>> mse_gradient(Xb, y, theta)
    array([-4., -6.])
    >>> cm.grad(lambda t: np.mean((Xb @ t - y) ** 2))(theta)
    array([-4., -6.])
    """
    m = Xb.shape[0]
    return 2.0 / m * (Xb.T @ (Xb @ theta - y))


def mse_hessian(Xb: np.ndarray) -> np.ndarray:
    """Hessian of the mean squared error: ``2/m Xb^T Xb`` (constant in ``theta``).

    >>> mse_hessian(np.array([[1.0, 2.0]]))
    array([[2., 4.],
           [4., 8.]])
    """
    return 2.0 / Xb.shape[0] * (Xb.T @ Xb)


class LinearRegression(RegressorMixin, BaseEstimator):
    """Ordinary least squares by gradient descent, the normal equations or Newton's method.

    Parameters
    ----------
    solver : {"normal", "gd", "newton"}, default: "normal"
        ``"normal"``: solve ``X_b^T X_b theta = X_b^T y`` (through a least-squares
        solver, so collinear features get the minimum-norm solution). ``"gd"``:
        gradient descent ``theta <- theta - learning_rate * grad`` (seed 000 section 1).
        ``"newton"``: ``theta <- theta - H^{-1} grad``, stopping when the gradient,
        tested *before* the update, is below ``tol`` (seed 000 section 3, corrected).
    fit_intercept : bool, default: True
        Fit ``b`` (a column of ones in ``X_b``). The iterative solvers work on centred
        data, which gives the same minimum with a better-conditioned Hessian.
    learning_rate : float or "auto", default: "auto"
        Step size of ``"gd"``; ``"auto"`` is ``1/L`` with ``L`` the largest eigenvalue
        of the Hessian, the largest step that always converges.
    max_iter : int, default: 1000
        Iterations of ``"gd"``/``"newton"``.
    tol : float, default: 1e-8
        Stop when ``max|grad| <= tol * (1 + max|grad at theta=0|)``.

    Attributes
    ----------
    coef_ : ndarray, shape (n_features,) or (n_targets, n_features)
    intercept_ : float or ndarray of shape (n_targets,)
    n_iter_ : int
        Iterations run (1 for ``"normal"``: one linear solve).
    loss_curve_ : list of float
        The mean squared error before each iteration (``"gd"``, ``"newton"``).
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    Examples
    --------
    >>> from calcml.datasets import linear
    >>> from calcml.models import LinearRegression
    >>> X, y, w = linear(n_samples=100, random_state=0)        # y = 4 + 3 x + noise
    >>> gd = LinearRegression(solver="gd").fit(X, y)
    >>> exact = LinearRegression(solver="normal").fit(X, y)
    >>> print(round(gd.intercept_, 6) == round(exact.intercept_, 6), gd.coef_.round(2))
    True [2.97]
    """

    _parameter_constraints: dict = {
        "solver": [StrOptions({"normal", "gd", "newton"})],
        "fit_intercept": ["boolean"],
        "learning_rate": [Interval(Real, 0, None, closed="neither"), StrOptions({"auto"})],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
    }

    def __init__(self, solver: str = "normal", *, fit_intercept: bool = True,
                 learning_rate: float | str = "auto", max_iter: int = 1000,
                 tol: float = 1e-8) -> None:
        self.solver = solver
        self.fit_intercept = fit_intercept
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.tol = tol

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> "LinearRegression":
        """Fit the model to ``X`` (n_samples, n_features) and ``y`` (n_samples[, n_targets]).

        Returns
        -------
        self
        """
        X, y = check_data(self, X, y, multi_output=True, y_numeric=True)
        y2 = y.reshape(len(y), -1)
        if self.fit_intercept:
            x_mean, y_mean = X.mean(axis=0), y2.mean(axis=0)
            Xc, yc = X - x_mean, y2 - y_mean
        else:
            x_mean, y_mean = np.zeros(X.shape[1]), np.zeros(y2.shape[1])
            Xc, yc = X, y2
        self.loss_curve_: list[float] = []
        if self.solver == "normal":
            # lstsq solves the normal equations without forming X^T X (its condition
            # number is the square of X's); for full-rank X the answers coincide.
            W = np.linalg.lstsq(Xc, yc, rcond=None)[0]
            self.n_iter_ = 1
        else:
            W = self._iterate(Xc, yc)
        b = y_mean - x_mean @ W
        if y.ndim == 1:
            self.coef_, self.intercept_ = W[:, 0], float(b[0])
        else:
            self.coef_, self.intercept_ = W.T.copy(), b
        return self

    def _iterate(self, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
        m = X.shape[0]
        W = np.zeros((X.shape[1], Y.shape[1]))
        H = mse_hessian(X)
        lr = None
        if self.solver == "gd":
            L = float(np.linalg.eigvalsh(H)[-1]) if H.size else 0.0
            if self.learning_rate == "auto":
                lr = 1.0 / L if L > 0 else 1.0
            else:
                lr = float(self.learning_rate)
        scale = 1.0 + float(np.max(np.abs(mse_gradient(X, Y, W)), initial=0.0))
        for it in range(self.max_iter):
            with np.errstate(over="ignore", invalid="ignore"):
                residual = X @ W - Y
                self.loss_curve_.append(float(np.mean(residual ** 2)))
                g = 2.0 / m * (X.T @ residual)
            if not np.all(np.isfinite(g)) or not np.isfinite(self.loss_curve_[-1]):
                raise ConvergenceError(
                    f"LinearRegression(solver={self.solver!r}) diverged at iteration {it}: the "
                    f"step size {lr!r} is too large; use learning_rate='auto' or a smaller value")
            if float(np.max(np.abs(g), initial=0.0)) <= self.tol * scale:
                self.n_iter_ = it
                return W
            if self.solver == "gd":
                W = W - lr * g
            else:
                W = W - np.linalg.lstsq(H, g, rcond=None)[0]
        self.n_iter_ = self.max_iter
        warn_not_converged(self, f"solver={self.solver!r} stopped after max_iter={self.max_iter} "
                                 f"iterations with the gradient above tol; raise max_iter")
        return W

    def predict(self, X: Any) -> np.ndarray:
        """Predict ``X @ coef_.T + intercept_``.

        Returns
        -------
        ndarray, shape (n_samples,) or (n_samples, n_targets)
        """
        check_is_fitted(self)
        X = check_data(self, X, reset=False)
        return X @ np.asarray(self.coef_).T + self.intercept_
