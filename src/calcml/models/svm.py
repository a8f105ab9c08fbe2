"""Support vector classifier: the dual problem solved by SMO or by SLSQP.

For labels ``y_i = +-1`` the soft-margin SVM ``min 1/2 ||w||^2 + C sum xi_i`` subject to
``y_i (w . phi(x_i) + b) >= 1 - xi_i``, ``xi_i >= 0`` has the dual::

    minimize    1/2 a^T Q a - sum(a),   Q_ij = y_i y_j K(x_i, x_j)
    subject to  y^T a = 0,  0 <= a_i <= C

and the classifier ``f(x) = sum_i y_i a_i K(x_i, x) + b``. The samples with
``a_i > 0`` are the support vectors. ``C = inf`` is the hard margin (seed 004 lesson 7:
the three points give ``w = (2/3, 2/3)``, ``b = -1``).

``solver="smo"`` is :func:`calcml.models._smo.smo` (second-order working-set selection,
an LRU cache of kernel rows); ``solver="slsqp"`` hands the same dual to
:func:`calcml.optimize.minimize` (``method="slsqp"``) -- dense and cubic in the number
of samples, meant for small problems and for checking SMO. More than two classes are
handled one-vs-one, as libsvm does, and the fitted attributes follow scikit-learn's
layout, so ``dual_coef_``, ``intercept_`` and ``support_`` can be compared with
``sklearn.svm.SVC`` directly.
"""
from __future__ import annotations

import warnings
from numbers import Integral, Real
from typing import Any

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, _fit_context
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from calcml.errors import ConvergenceError
from calcml.models._kernels import KernelRows, kernel_diag, kernel_matrix
from calcml.models._smo import intercept_from_gradient, smo
from calcml.models._validation import InvalidInputError, check_data, encode_classes

__all__ = ["SVC"]

# C=inf, kernel="poly": up to this many samples per binary problem an LP in the span of
# the kernel checks first that the classes are separable (else SMO's multipliers would
# grow without bound until max_iter); ~0.1 s at 500 samples, ~2.7 s at 2000.
_SPAN_LP_MAX = 500


class SVC(ClassifierMixin, BaseEstimator):
    """Kernel support vector classifier with calcml's own SMO or an SLSQP dual solve.

    Parameters
    ----------
    C : float, default: 1.0
        Penalty on margin violations, ``> 0``; ``float("inf")`` gives the hard margin:
        fit raises :class:`calcml.errors.ConvergenceError` when the classes are not
        separable by the kernel. Separability is decided before solving for the linear
        kernel (a linear programme in ``(w, b)``), rbf (no point in both classes) and
        poly up to 500 samples (a linear programme in the kernel's span); otherwise
        the error comes when SMO reaches ``max_iter`` (the multipliers of a
        non-separable problem grow only linearly) or they sum past
        ``1e12 / max K(x, x)``.
    kernel : {"rbf", "linear", "poly"}, default: "rbf"
        ``linear``: ``x . z``; ``rbf``: ``exp(-gamma ||x - z||^2)``;
        ``poly``: ``(gamma x . z + coef0) ** degree``.
    degree : int, default: 3
        Degree of ``"poly"``.
    gamma : {"scale", "auto"} or float, default: "scale"
        ``"scale"``: ``1 / (n_features * X.var())``; ``"auto"``: ``1 / n_features``.
    coef0 : float, default: 0.0
        Constant of ``"poly"``.
    solver : {"smo", "slsqp"}, default: "smo"
        ``"smo"``: sequential minimal optimization with second-order working-set
        selection (Fan, Chen and Lin 2005), any size. ``"slsqp"``: the dual as a dense
        quadratic programme for :func:`calcml.optimize.minimize` -- ``O(n^3)`` per
        iteration, for a few hundred samples at most.
    tol : float, default: 1e-3
        ``"smo"`` stops when the KKT gap ``max_{I_up} -y G - min_{I_low} -y G`` is below
        ``tol`` (libsvm's stopping rule); ``"slsqp"`` passes ``tol * 1e-6`` to the
        optimizer (its tolerance is on the objective, whose error is quadratic in
        the multipliers').
    max_iter : int, default: -1
        Iterations per binary problem; ``-1`` means ``max(1_000_000, 100 n)`` for SMO
        (libsvm: ``max(10_000_000, 100 n)``; an SMO iteration here costs about 10 us
        plus two kernel rows) and ``1000`` for SLSQP.
    cache_size : float, default: 200
        MB of kernel rows SMO keeps (least recently used rows are dropped first).
    shrinking : bool, default: True
        SMO sets aside multipliers that will stay at a bound (libsvm's heuristic); the
        solution is the same, checked on all samples before stopping.
    decision_function_shape : {"ovr", "ovo"}, default: "ovr"
        For more than two classes: ``"ovo"`` returns the ``k (k - 1) / 2`` pairwise
        decision values, ``"ovr"`` turns them into ``k`` scores (votes plus scaled
        confidences, as scikit-learn does).
    break_ties : bool, default: False
        For more than two classes, how :meth:`predict` settles a tie in the one-vs-one
        votes: ``False`` returns the first of the tied classes (libsvm's and
        scikit-learn's default), ``True`` the one with the largest ``"ovr"`` score,
        i.e. the argmax of :meth:`decision_function` (needs
        ``decision_function_shape="ovr"``). Without ties both give the vote winner.

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
    support_ : ndarray of int, shape (n_SV,)
        Indices of the support vectors in the training data, grouped by class.
    support_vectors_ : ndarray, shape (n_SV, n_features)
    n_support_ : ndarray of int, shape (n_classes,)
        Support vectors per class.
    dual_coef_ : ndarray, shape (n_classes - 1, n_SV)
        ``y_i a_i`` of each support vector in each one-vs-one problem it takes part in
        (libsvm's layout). With two classes, positive for ``classes_[1]``.
    intercept_ : ndarray, shape (n_classes * (n_classes - 1) / 2,)
    coef_ : ndarray, shape (n_classes * (n_classes - 1) / 2, n_features)
        ``w = sum_i y_i a_i x_i``; only for ``kernel="linear"`` (else AttributeError).
    n_iter_ : ndarray of int, shape (n_classes * (n_classes - 1) / 2,)
        Solver iterations of each binary problem.
    dual_objective_ : ndarray, shape (n_classes * (n_classes - 1) / 2,)
        ``1/2 a^T Q a - sum(a)`` at the solution of each binary problem.
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    Examples
    --------
    Seed 004's hard-margin SVM: ``(0, 0)`` in one class, ``(1, 2)`` and ``(2, 1)`` in
    the other (``tol`` tighter than libsvm's default ``1e-3``, which stops 1e-4 away).

    >>> from calcml.models import SVC
    >>> X = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]]); y = np.array([-1, 1, 1])
    >>> clf = SVC(C=float("inf"), kernel="linear", tol=1e-8).fit(X, y)
    >>> clf.coef_.round(4), clf.intercept_.round(4)
    (array([[0.6667, 0.6667]]), array([-1.]))
    >>> clf.support_.tolist(), clf.dual_coef_.round(4)
    ([0, 1, 2], array([[-0.4444,  0.2222,  0.2222]]))
    >>> clf.decision_function(X).round(4), clf.predict([[3.0, 3.0]])
    (array([-1.,  1.,  1.]), array([1]))
    """

    _parameter_constraints: dict = {
        "C": [Interval(Real, 0, None, closed="right")],   # inf allowed: hard margin
        "kernel": [StrOptions({"linear", "rbf", "poly"})],
        "degree": [Interval(Integral, 0, None, closed="left")],
        "gamma": [StrOptions({"scale", "auto"}), Interval(Real, 0, None, closed="neither")],
        "coef0": [Interval(Real, None, None, closed="neither")],
        "solver": [StrOptions({"smo", "slsqp"})],
        "tol": [Interval(Real, 0, None, closed="neither")],
        "max_iter": [Interval(Integral, -1, None, closed="left")],
        "cache_size": [Interval(Real, 0, None, closed="neither")],
        "shrinking": ["boolean"],
        "decision_function_shape": [StrOptions({"ovr", "ovo"})],
        "break_ties": ["boolean"],
    }

    def __init__(self, C: float = 1.0, *, kernel: str = "rbf", degree: int = 3,
                 gamma: float | str = "scale", coef0: float = 0.0, solver: str = "smo",
                 tol: float = 1e-3, max_iter: int = -1, cache_size: float = 200,
                 shrinking: bool = True, decision_function_shape: str = "ovr",
                 break_ties: bool = False) -> None:
        self.C = C
        self.kernel = kernel
        self.degree = degree
        self.gamma = gamma
        self.coef0 = coef0
        self.solver = solver
        self.tol = tol
        self.max_iter = max_iter
        self.cache_size = cache_size
        self.shrinking = shrinking
        self.decision_function_shape = decision_function_shape
        self.break_ties = break_ties

    # ------------------------------------------------------------------ fitting
    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> "SVC":
        """Fit to ``X`` (n_samples, n_features) and class labels ``y`` (n_samples,).

        Returns
        -------
        self

        Raises
        ------
        calcml.errors.ConvergenceError
            ``C=inf`` and the classes are not separable by the kernel.
        """
        X, y = check_data(self, X, y)
        self.classes_, y_idx = encode_classes(self, y)
        k = self.classes_.size
        if self.gamma == "scale":
            with np.errstate(over="ignore", invalid="ignore"):   # checked just below
                var = float(X.var())
            self._gamma = 1.0 / (X.shape[1] * var) if var != 0 else 1.0
        elif self.gamma == "auto":
            self._gamma = 1.0 / X.shape[1]
        else:
            self._gamma = float(self.gamma)

        params = dict(gamma=self._gamma, degree=self.degree, coef0=float(self.coef0))
        with np.errstate(over="ignore", invalid="ignore"):
            finite = (np.isfinite(self._gamma)
                      and np.all(np.isfinite(np.einsum("ij,ij->i", X, X)))   # distances
                      and np.all(np.isfinite(kernel_diag(self.kernel, X, **params))))
        if not finite:
            raise InvalidInputError(
                f"SVC: the {self.kernel!r} kernel overflows float64 on this data (feature "
                f"values up to {np.max(np.abs(X)):.3g}); scale the features, e.g. with "
                "sklearn.preprocessing.StandardScaler")

        pairs = [(a, b) for a in range(k) for b in range(a + 1, k)]
        # alpha of every training sample in every pair (0 outside the pair)
        coef_by_pair = np.zeros((len(pairs), X.shape[0]))
        intercept = np.zeros(len(pairs))
        n_iter = np.zeros(len(pairs), dtype=int)
        objective = np.zeros(len(pairs))
        for p, (a, b) in enumerate(pairs):
            idx = np.flatnonzero((y_idx == a) | (y_idx == b))
            ys = np.where(y_idx[idx] == a, 1.0, -1.0)   # libsvm: the first class is +1
            alpha, rho, n_iter[p], objective[p] = self._solve(X[idx], ys, (a, b))
            coef_by_pair[p, idx] = ys * alpha
            intercept[p] = -rho

        # support vectors: samples with a multiplier in any pair, grouped by class
        is_sv = np.any(coef_by_pair != 0.0, axis=0)
        order = np.lexsort((np.arange(X.shape[0]), y_idx))
        support = order[is_sv[order]]
        sv_class = y_idx[support]
        dual = np.zeros((max(k - 1, 1), support.size))
        for p, (a, b) in enumerate(pairs):
            # libsvm layout: class-a SVs of pair (a, b) in row b - 1, class-b SVs in row a
            in_a, in_b = sv_class == a, sv_class == b
            dual[b - 1, in_a] = coef_by_pair[p, support[in_a]]
            dual[a, in_b] = coef_by_pair[p, support[in_b]]
        if k == 2:   # scikit-learn's binary convention: positive means classes_[1]
            dual, intercept = -dual, -intercept
        self.support_ = support.astype(np.int32)
        self.support_vectors_ = X[support]
        self.n_support_ = np.bincount(sv_class, minlength=k).astype(np.int32)
        self.dual_coef_ = dual
        self.intercept_ = intercept
        self.n_iter_ = n_iter
        self.dual_objective_ = objective
        self._pairs = pairs
        self._coef = self._linear_coef() if self.kernel == "linear" else None
        return self

    def _solve(self, X: np.ndarray, y: np.ndarray, pair: tuple[int, int]
               ) -> tuple[np.ndarray, float, int, float]:
        """Solve one binary dual; returns ``(alpha, rho, n_iter, objective)``."""
        C = float(self.C)
        params = dict(gamma=self._gamma, degree=self.degree, coef0=float(self.coef0))
        where = "" if len(self.classes_) == 2 else (
            f" for classes {self.classes_[pair[0]]!r} vs {self.classes_[pair[1]]!r}")
        if not np.isfinite(C) and _separable(self.kernel, X, y, params) is False:
            raise ConvergenceError(
                f"SVC(C=inf): no hard margin exists{where} -- the classes are not "
                f"separable by the {self.kernel!r} kernel; use a finite C (e.g. C=1e6) "
                f"or another kernel")
        if self.solver == "slsqp":
            return _solve_slsqp(self, kernel_matrix(self.kernel, X, X, **params), y, C)
        max_iter = self.max_iter if self.max_iter >= 0 else max(1_000_000, 100 * y.size)
        rows = KernelRows(self.kernel, X, cache_size=float(self.cache_size), **params)
        res = smo(rows, y, C, tol=float(self.tol), max_iter=max_iter, shrinking=self.shrinking)
        if res.status == 2 or (res.status == 1 and not np.isfinite(C)):
            raise ConvergenceError(
                f"SVC(C=inf): SMO did not converge{where} (KKT gap {res.gap:.3g} after "
                f"{res.n_iter} iterations, multipliers summing to {res.alpha.sum():.3g}); "
                f"the classes are probably not separable by the {self.kernel!r} kernel -- "
                f"use a finite C (e.g. C=1e6), or raise max_iter")
        if res.status == 1:
            warnings.warn(
                f"SVC: SMO stopped after max_iter={max_iter} iterations{where} with KKT gap "
                f"{res.gap:.3g} > tol={self.tol}; raise max_iter or tol, or scale the data",
                ConvergenceWarning, stacklevel=4)
        return res.alpha, res.rho, res.n_iter, res.objective

    def _linear_coef(self) -> np.ndarray:
        sv, D, V = self._sv_slices(), self.dual_coef_, self.support_vectors_
        return np.array([D[b - 1, sv[a]] @ V[sv[a]] + D[a, sv[b]] @ V[sv[b]]
                         for a, b in self._pairs])

    def _sv_slices(self) -> list[slice]:
        ends = np.cumsum(self.n_support_)
        return [slice(int(e - n), int(e)) for e, n in zip(ends, self.n_support_)]

    @property
    def coef_(self) -> np.ndarray:
        """``w = sum_i y_i a_i x_i`` of each binary problem (``kernel="linear"`` only)."""
        if self.kernel != "linear":
            raise AttributeError(
                f"coef_ is only available when kernel='linear' (this SVC has "
                f"kernel={self.kernel!r}, whose weight vector lives in feature space); "
                f"use dual_coef_ and support_vectors_")
        check_is_fitted(self)
        return self._coef

    # --------------------------------------------------------------- prediction
    def _decision_ovo(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = check_data(self, X, reset=False)
        K = kernel_matrix(self.kernel, X, self.support_vectors_, gamma=self._gamma,
                          degree=self.degree, coef0=float(self.coef0))
        sv = self._sv_slices()
        out = np.empty((X.shape[0], len(self._pairs)))
        for p, (a, b) in enumerate(self._pairs):
            out[:, p] = (K[:, sv[a]] @ self.dual_coef_[b - 1, sv[a]]
                         + K[:, sv[b]] @ self.dual_coef_[a, sv[b]] + self.intercept_[p])
        return out

    def decision_function(self, X: Any) -> np.ndarray:
        """Signed distance-like scores ``sum_i y_i a_i K(x_i, x) + b``.

        Returns
        -------
        ndarray
            Shape (n_samples,) for two classes (positive means ``classes_[1]``);
            otherwise (n_samples, n_classes) for ``"ovr"`` or (n_samples, n_pairs)
            for ``"ovo"``, pair ``(i, j)`` positive meaning ``classes_[i]``.
        """
        dec = self._decision_ovo(X)
        if self.classes_.size == 2:
            return dec[:, 0]
        if self.decision_function_shape == "ovo":
            return dec
        return _ovr_scores(dec, self._pairs, self.classes_.size)

    def predict(self, X: Any) -> np.ndarray:
        """Class of each sample (one-vs-one voting for more than two classes; ties as
        ``break_ties`` says).

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        if self.break_ties and self.decision_function_shape == "ovo":
            raise InvalidInputError("break_ties must be False when decision_function_shape "
                                    "is 'ovo' (ties are broken with the 'ovr' scores)")
        dec = self._decision_ovo(X)
        k = self.classes_.size
        if k == 2:
            return self.classes_[(dec[:, 0] > 0).astype(int)]
        if self.break_ties:
            return self.classes_[np.argmax(_ovr_scores(dec, self._pairs, k), axis=1)]
        votes = np.zeros((dec.shape[0], k), dtype=int)
        for p, (a, b) in enumerate(self._pairs):
            win_a = dec[:, p] > 0
            votes[win_a, a] += 1
            votes[~win_a, b] += 1
        return self.classes_[np.argmax(votes, axis=1)]   # first of the tied classes


def _separable(kernel: str, X: np.ndarray, y: np.ndarray, params: dict) -> bool | None:
    """Whether some ``w``, ``b`` have ``y_i (w . phi(x_i) + b) >= 1`` (None: not decided).

    ``linear``: a linear feasibility problem in ``(w, b)``. ``rbf``: the Gaussian kernel
    matrix of distinct points is positive definite, so ``K c = y`` can always be solved:
    separable unless one point carries both labels. ``poly``: a separating ``w`` can be
    projected onto the span of the ``phi(x_j)`` without changing ``w . phi(x_i) =
    (K c)_i``, so feasibility in ``(c, b)`` decides; an ``n``-variable LP, done up to
    ``_SPAN_LP_MAX`` samples.
    """
    if kernel == "rbf":
        _, inverse = np.unique(X, axis=0, return_inverse=True)
        inverse = inverse.ravel()
        pos = np.zeros(inverse.max() + 1, dtype=bool)
        neg = np.zeros_like(pos)
        pos[inverse[y > 0]] = True
        neg[inverse[y < 0]] = True
        return not np.any(pos & neg)
    if kernel == "linear":
        F = X
    elif y.size <= _SPAN_LP_MAX:
        F = kernel_matrix(kernel, X, X, **params)
    else:
        return None
    from scipy.optimize import linprog

    n, m = F.shape
    A = -y[:, None] * np.hstack([F, np.ones((n, 1))])
    res = linprog(np.zeros(m + 1), A_ub=A, b_ub=-np.ones(n), bounds=[(None, None)] * (m + 1),
                  method="highs")
    return res.status != 2          # 2: infeasible


def _ovr_scores(dec: np.ndarray, pairs: list[tuple[int, int]], k: int) -> np.ndarray:
    """Votes of the one-vs-one problems plus confidences squashed into (-1/3, 1/3).

    Ties in the votes go to the class with the larger summed decision values; the
    argmax is therefore the one-vs-one vote winner (scikit-learn's ``"ovr"`` shape).
    """
    votes = np.zeros((dec.shape[0], k))
    conf = np.zeros((dec.shape[0], k))
    for p, (a, b) in enumerate(pairs):
        win_a = dec[:, p] > 0
        votes[win_a, a] += 1
        votes[~win_a, b] += 1
        conf[:, a] += dec[:, p]
        conf[:, b] -= dec[:, p]
    return votes + conf / (3.0 * (np.abs(conf) + 1.0))


def _solve_slsqp(est: SVC, K: np.ndarray, y: np.ndarray, C: float
                 ) -> tuple[np.ndarray, float, int, float]:
    """The binary dual as a quadratic programme for ``calcml.optimize.minimize``."""
    from calcml.optimize import Constraint, minimize

    n = y.size
    Q = (y[:, None] * y[None, :]) * K

    def f(a):
        return 0.5 * (a @ (Q @ a)) - a.sum()

    def jac(a):
        return Q @ a - 1.0

    upper = C if np.isfinite(C) else None
    maxiter = est.max_iter if est.max_iter > 0 else 1000
    balance = Constraint(lambda a: y @ a, kind="eq", jac=lambda a: y[None, :])   # y^T a = 0
    res = minimize(f, np.zeros(n), method="slsqp", jac=jac, tol=float(est.tol) * 1e-6,
                   maxiter=maxiter, constraints=[balance], bounds=[(0.0, upper)] * n)
    alpha = np.clip(np.asarray(res.x, dtype=float), 0.0, C)
    scale = max(float(alpha.max(initial=0.0)), 1.0)
    atol = 1e-6 * scale
    alpha[alpha < atol] = 0.0
    if np.isfinite(C):
        alpha[alpha > C - atol] = C
    G = Q @ alpha - 1.0
    obj = 0.5 * float(alpha @ (G - 1.0))
    if not res.success or not np.all(np.isfinite(alpha)):
        if not np.isfinite(C):
            raise ConvergenceError(
                f"SVC(C=inf, solver='slsqp'): {res.message}; the classes may not be "
                f"separable by the {est.kernel!r} kernel -- use a finite C (e.g. C=1e6)")
        warnings.warn(f"SVC(solver='slsqp'): {res.message}", ConvergenceWarning, stacklevel=5)
    rho = intercept_from_gradient(alpha, -y * G, y, C, atol=atol)
    return alpha, rho, int(res.nit), obj
