"""calcml.models.SVC: seed 004's hard-margin SVMs, agreement with libsvm (scikit-learn),
SMO against an independent QP solve and against the SLSQP solver, the kernel cache and
shrinking, input errors, and scikit-learn's estimator checks."""
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.optimize import minimize as scipy_minimize
from sklearn import svm as sk_svm
from sklearn.base import clone
from sklearn.datasets import make_blobs, make_classification, make_moons
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn.utils._param_validation import InvalidParameterError
from sklearn.utils.estimator_checks import estimator_checks_generator, parametrize_with_checks

from calcml.errors import CalcmlError, ConvergenceError, InvalidInputError
from calcml.models import SVC
from calcml.models._kernels import KernelRows, kernel_matrix
from calcml.models._smo import smo

INF = float("inf")
# Seed 004 lesson 7: (0, 0) in class -1, (1, 2) and (2, 1) in class +1.
X3 = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]])
y3 = np.array([-1, 1, 1])
# The six-point variant: (-1, -1), (-3, -1) join (0, 0); (3, 3) joins (1, 2), (2, 1).
X6 = np.array([[0.0, 0.0], [-1.0, -1.0], [-3.0, -1.0], [1.0, 2.0], [2.0, 1.0], [3.0, 3.0]])
y6 = np.array([-1, -1, -1, 1, 1, 1])


# ------------------------------------------------------------------------- seed 004
@pytest.mark.parametrize("X, y", [(X3, y3), (X6, y6)], ids=["three", "six"])
def test_seed_hard_margin_exact(X, y):
    """w = (2/3, 2/3), b = -1, ||w||^2 = 8/9 (the seed's objective); the extra points of
    the six-point variant lie outside the margin, so the solution does not change."""
    clf = SVC(C=INF, kernel="linear", tol=1e-10).fit(X, y)
    np.testing.assert_allclose(clf.coef_, [[2 / 3, 2 / 3]], atol=1e-9)
    np.testing.assert_allclose(clf.intercept_, [-1.0], atol=1e-9)
    # the dual optimum is -||w||^2 / 2
    np.testing.assert_allclose(clf.dual_objective_, [-4 / 9], atol=1e-9)
    np.testing.assert_allclose(np.sum(clf.coef_ ** 2), 8 / 9, atol=1e-9)
    # support vectors: (0, 0), (1, 2), (2, 1), with multipliers 4/9, 2/9, 2/9
    np.testing.assert_array_equal(X[clf.support_], X3)
    np.testing.assert_allclose(clf.dual_coef_, [[-4 / 9, 2 / 9, 2 / 9]], atol=1e-9)
    np.testing.assert_allclose(clf.n_support_, [1, 2])
    # every point on or outside the margin, the support vectors on it
    margins = y * clf.decision_function(X)
    assert np.all(margins >= 1 - 1e-9)
    np.testing.assert_allclose(margins[clf.support_], 1.0, atol=1e-9)


@pytest.mark.parametrize("C", [INF, 1e6])
@pytest.mark.parametrize("X, y", [(X3, y3), (X6, y6)], ids=["three", "six"])
def test_seed_matches_sklearn(X, y, C):
    ours = SVC(C=C, kernel="linear").fit(X, y)
    ref = sk_svm.SVC(kernel="linear", C=1e6).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-3)
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-3)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_allclose(ours.coef_, [[2 / 3, 2 / 3]], atol=1e-3)
    np.testing.assert_allclose(ours.intercept_, [-1.0], atol=1e-3)


# ----------------------------------------------------------- agreement with libsvm
def _small(n=80, seed=0):
    return make_classification(n_samples=n, n_features=4, n_informative=3, n_redundant=0,
                               flip_y=0.05, random_state=seed)


@pytest.mark.parametrize("params", [
    dict(kernel="linear", C=0.5),
    dict(kernel="rbf", C=2.0, gamma="scale"),
    dict(kernel="rbf", C=1.0, gamma=0.3),
    dict(kernel="poly", C=1.0, degree=3, gamma="auto", coef0=1.0),
    dict(kernel="poly", C=0.7, degree=2, gamma=0.5, coef0=0.0),
], ids=lambda p: f"{p['kernel']}-C{p['C']}")
def test_binary_matches_sklearn(params):
    X, y = _small()
    ours = SVC(tol=1e-7, **params).fit(X, y)
    ref = sk_svm.SVC(tol=1e-7, **params).fit(X, y)
    np.testing.assert_array_equal(ours.support_, ref.support_)
    np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
    np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-5 * params["C"])
    np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
    Xt = np.random.default_rng(1).normal(size=(50, 4))
    np.testing.assert_allclose(ours.decision_function(Xt), ref.decision_function(Xt),
                               atol=1e-5)
    np.testing.assert_array_equal(ours.predict(Xt), ref.predict(Xt))


def test_multiclass_one_vs_one_matches_sklearn():
    X, y = make_blobs(n_samples=150, centers=4, cluster_std=2.5, random_state=3)
    labels = np.array(["a", "b", "c", "d"])[y]
    for shape in ("ovr", "ovo"):
        ours = SVC(tol=1e-7, decision_function_shape=shape).fit(X, labels)
        ref = sk_svm.SVC(tol=1e-7, decision_function_shape=shape).fit(X, labels)
        np.testing.assert_array_equal(ours.classes_, ref.classes_)
        np.testing.assert_array_equal(ours.support_, ref.support_)
        np.testing.assert_array_equal(ours.n_support_, ref.n_support_)
        np.testing.assert_allclose(ours.dual_coef_, ref.dual_coef_, atol=1e-5)
        np.testing.assert_allclose(ours.intercept_, ref.intercept_, atol=1e-5)
        np.testing.assert_allclose(ours.decision_function(X), ref.decision_function(X),
                                   atol=1e-5)
        np.testing.assert_array_equal(ours.predict(X), ref.predict(X))
    assert ours.decision_function(X).shape == (150, 6)


def test_multiclass_linear_coef_matches_sklearn():
    X, y = make_blobs(n_samples=90, centers=3, random_state=0)
    ours = SVC(kernel="linear", tol=1e-7).fit(X, y)
    ref = sk_svm.SVC(kernel="linear", tol=1e-7).fit(X, y)
    assert ours.coef_.shape == (3, 2)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-5)


# ---------------------------------------------------- independent checks of the SMO
def _dual_by_scipy(K, y, C):
    """The binary dual solved by SciPy's SLSQP (an independent method)."""
    Q = np.outer(y, y) * K
    res = scipy_minimize(lambda a: 0.5 * a @ Q @ a - a.sum(), np.zeros(y.size),
                         jac=lambda a: Q @ a - 1.0, method="SLSQP",
                         bounds=[(0.0, C)] * y.size,
                         constraints=[{"type": "eq", "fun": lambda a: y @ a,
                                       "jac": lambda a: y}],
                         options={"ftol": 1e-12, "maxiter": 500})
    assert res.success, res.message
    return res.x, res.fun


@pytest.mark.parametrize("kernel", ["linear", "rbf", "poly"])
def test_smo_optimum_equals_independent_qp(kernel):
    X, y = _small(n=40, seed=2)
    ys = np.where(y == 1, 1.0, -1.0)
    params = dict(gamma=0.25, degree=2, coef0=1.0)
    K = kernel_matrix(kernel, X, X, **params)
    res = smo(KernelRows(kernel, X, **params), ys, 1.0, tol=1e-9)
    alpha_ref, f_ref = _dual_by_scipy(K, ys, 1.0)
    assert res.status == 0
    assert abs(res.objective - f_ref) <= 1e-8 * max(1.0, abs(f_ref))
    np.testing.assert_allclose(res.alpha, alpha_ref, atol=1e-4)
    assert abs(ys @ res.alpha) < 1e-10 and res.alpha.min() >= 0 and res.alpha.max() <= 1.0


@settings(max_examples=25, deadline=None)
@given(seed=st.integers(0, 10_000), C=st.sampled_from([0.1, 1.0, 10.0]),
       kernel=st.sampled_from(["linear", "rbf", "poly"]))
def test_kkt_conditions_hold(seed, C, kernel):
    """At the solution: y f(x) >= 1 where a = 0, <= 1 where a = C, = 1 in between."""
    rng = np.random.default_rng(seed)
    X = rng.normal(size=(30, 3))
    y = np.where(X[:, 0] + 0.5 * rng.normal(size=30) > 0, 1, -1)
    if np.unique(y).size < 2:
        y[0] = -y[0]
    tol = 1e-6
    clf = SVC(C=C, kernel=kernel, tol=tol, gamma=0.5, degree=2, coef0=1.0).fit(X, y)
    m = y * clf.decision_function(X)
    alpha = np.zeros(30)
    alpha[clf.support_] = np.abs(clf.dual_coef_[0])
    assert np.all(m[alpha == 0] >= 1 - tol)
    assert np.all(m[alpha >= C] <= 1 + tol)
    free = (alpha > 0) & (alpha < C)
    np.testing.assert_allclose(m[free], 1.0, atol=tol)
    assert abs(np.sum(clf.dual_coef_)) < 1e-9            # y^T a = 0


def test_tiny_cache_and_no_shrinking_give_the_same_solution():
    X, y = make_blobs(n_samples=300, centers=2, cluster_std=3.0, random_state=0)
    ref = SVC(tol=1e-9).fit(X, y)
    # room for 4 of the 300 rows: rows are evicted and recomputed, same iterations
    tiny = SVC(tol=1e-9, cache_size=4 * 2 * 8 * 300 / 2**20).fit(X, y)
    plain = SVC(tol=1e-9, shrinking=False).fit(X, y)
    assert ref.n_support_.sum() > 100
    np.testing.assert_array_equal(tiny.n_iter_, ref.n_iter_)
    # same iterations with a tiny cache: the very same solution
    np.testing.assert_array_equal(tiny.support_, ref.support_)
    np.testing.assert_allclose(tiny.dual_coef_, ref.dual_coef_, atol=1e-12)
    np.testing.assert_allclose(tiny.intercept_, ref.intercept_, atol=1e-12)
    # without shrinking the path differs, so the two agree to the solver's accuracy
    # (a KKT gap of 1e-9 leaves the alphas ~1e-8 apart, more with threaded BLAS)
    np.testing.assert_array_equal(plain.support_, ref.support_)
    np.testing.assert_allclose(plain.dual_coef_, ref.dual_coef_, atol=1e-6)
    np.testing.assert_allclose(plain.intercept_, ref.intercept_, atol=1e-6)


def test_kernel_rows_lru_evicts_and_recomputes():
    X = np.random.default_rng(0).normal(size=(10, 3))
    rows = KernelRows("rbf", X, gamma=0.7, cache_size=3 * 2 * 10 * 8 / 2**20)
    assert rows.capacity == 3
    K = kernel_matrix("rbf", X, X, gamma=0.7)
    for i in [0, 1, 2, 0, 3, 1]:        # 3 evicts 1 (least recent), so 1 is recomputed
        np.testing.assert_allclose(rows[i], K[i], atol=1e-14)
    assert rows.n_computed == 5
    assert list(rows._rows) == [0, 3, 1]
    np.testing.assert_allclose(rows.quad(4), np.maximum(2 - 2 * K[4], 1e-12), atol=1e-14)


# ---------------------------------------------------------------- hard margin
def test_hard_margin_not_separable_raises(monkeypatch):
    X = np.array([[0.0, 0.0], [1.0, 1.0], [1.0, 0.0], [0.0, 1.0]])   # XOR
    y = np.array([0, 0, 1, 1])
    for solver in ("smo", "slsqp"):
        with pytest.raises(ConvergenceError, match="not separable"):
            SVC(C=INF, kernel="linear", solver=solver).fit(X, y)
    # the quadratic kernel (x . z)^2 has the features x1^2, x2^2, x1 x2, which separate
    # XOR; degree 1 (a linear kernel plus a constant) does not
    clf = SVC(C=INF, kernel="poly", degree=2, gamma=1.0, coef0=0.0).fit(X, y)
    assert clf.score(X, y) == 1.0
    with pytest.raises(ConvergenceError, match="not separable"):          # span LP
        SVC(C=INF, kernel="poly", degree=1, gamma=1.0, coef0=1.0).fit(X, y)
    # the rbf kernel separates XOR, but not one point given both labels
    clf = SVC(C=INF, kernel="rbf", gamma=1.0).fit(X, y)
    assert clf.score(X, y) == 1.0
    np.testing.assert_allclose(np.abs(clf.decision_function(X)), 1.0, atol=1e-3)
    with pytest.raises(ConvergenceError, match="not separable"):
        SVC(C=INF).fit(np.vstack([X, X[:1]]), np.append(y, 1))
    # without the checks (poly beyond 500 samples): SMO's multipliers grow, max_iter ends it
    monkeypatch.setattr("calcml.models.svm._SPAN_LP_MAX", 0)
    with pytest.raises(ConvergenceError, match="probably not separable"):
        SVC(C=INF, kernel="poly", degree=1, gamma=1.0, coef0=1.0, max_iter=2000).fit(X, y)
    ys = np.where(y == 1, 1.0, -1.0)
    sums = [smo(KernelRows("linear", X), ys, INF, max_iter=k).alpha.sum()
            for k in (500, 1000, 2000)]
    assert sums[0] > 100 and sums[1] > 1.5 * sums[0] and sums[2] > 1.5 * sums[1]


def test_max_iter_warns():
    X, y = _small()
    with pytest.warns(ConvergenceWarning, match="max_iter=3"):
        clf = SVC(max_iter=3).fit(X, y)
    assert clf.n_iter_[0] == 3


# -------------------------------------------------------------- API and errors
def test_coef_only_for_linear_kernel():
    clf = SVC(kernel="rbf").fit(X6, y6)
    with pytest.raises(AttributeError, match="kernel='linear'"):
        clf.coef_
    assert not hasattr(clf, "coef_")
    assert hasattr(SVC(kernel="linear").fit(X6, y6), "coef_")


def test_bad_input_errors():
    with pytest.raises(CalcmlError, match="NaN"):
        SVC().fit(np.array([[0.0, np.nan], [1.0, 1.0]]), [0, 1])
    with pytest.raises(ValueError, match="infinity"):
        SVC().fit(np.array([[0.0, np.inf], [1.0, 1.0]]), [0, 1])
    with pytest.raises(CalcmlError, match="only one class"):
        SVC().fit(X6, np.ones(6))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        SVC().fit(X6, y6[:4])
    with pytest.raises(ValueError, match="Expected 2D array"):
        SVC().fit(X6[:, 0], y6)
    with pytest.raises(ValueError, match="Unknown label type"):
        SVC().fit(X6, np.linspace(0, 1, 6))
    clf = SVC().fit(X6, y6)
    with pytest.raises(CalcmlError, match="3 features, but SVC is expecting 2"):
        clf.predict(np.zeros((2, 3)))
    with pytest.raises(InvalidParameterError, match="'kernel' parameter"):
        SVC(kernel="sigmoid").fit(X6, y6)
    with pytest.raises(InvalidParameterError, match="'C' parameter"):
        SVC(C=0.0).fit(X6, y6)
    with pytest.raises(AttributeError):       # NotFittedError is an AttributeError
        SVC().predict(X6)


def test_pipeline_gridsearch_clone():
    X, y = make_moons(n_samples=120, noise=0.15, random_state=0)
    grid = {"svc__C": [0.1, 1.0, 10.0], "svc__kernel": ["linear", "rbf"]}
    ours = GridSearchCV(make_pipeline(StandardScaler(), SVC()), grid, cv=3).fit(X, y)
    ref = GridSearchCV(make_pipeline(StandardScaler(), sk_svm.SVC()), grid, cv=3).fit(X, y)
    assert ours.best_score_ > 0.9 and ours.best_params_["svc__kernel"] == "rbf"
    np.testing.assert_allclose(ours.cv_results_["mean_test_score"],
                               ref.cv_results_["mean_test_score"])
    c = clone(SVC(C=3.0, kernel="poly", degree=2))
    assert c.get_params()["degree"] == 2 and not hasattr(c, "support_")


@pytest.mark.parametrize("params", [
    dict(kernel="linear", C=1.0),
    dict(kernel="rbf", C=5.0, gamma=0.5),
    dict(kernel="poly", C=2.0, gamma=0.5, coef0=1.0),
], ids=lambda p: p["kernel"])
def test_slsqp_matches_smo(params):
    """Two solvers of the same dual: calcml.optimize's SLSQP and the SMO."""
    X, y = _small(n=30, seed=4)
    a = SVC(solver="smo", tol=1e-8, **params).fit(X, y)
    b = SVC(solver="slsqp", **params).fit(X, y)
    np.testing.assert_array_equal(a.support_, b.support_)
    np.testing.assert_allclose(a.dual_coef_, b.dual_coef_, atol=1e-4)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-4)
    np.testing.assert_allclose(a.dual_objective_, b.dual_objective_, rtol=1e-7)


def test_slsqp_seed_and_multiclass():
    h = SVC(solver="slsqp", C=INF, kernel="linear").fit(X6, y6)
    np.testing.assert_allclose(h.coef_, [[2 / 3, 2 / 3]], atol=1e-5)
    np.testing.assert_allclose(h.intercept_, [-1.0], atol=1e-5)
    np.testing.assert_array_equal(h.support_, [0, 3, 4])
    X, y = make_blobs(n_samples=60, centers=3, cluster_std=2.0, random_state=0)
    a = SVC(tol=1e-8).fit(X, y)
    b = SVC(solver="slsqp").fit(X, y)
    np.testing.assert_array_equal(a.support_, b.support_)
    np.testing.assert_allclose(a.dual_coef_, b.dual_coef_, atol=1e-4)
    np.testing.assert_allclose(a.intercept_, b.intercept_, atol=1e-4)


# ------------------------------------------------------------ scikit-learn checks
# check_fit_idempotent fits a cubic kernel on features around 100 (kernel values ~1e12):
# libsvm needs 2.7 million SMO iterations there; 100,000 (1 s per fit) keep the check short
# (it compares two fits, which stop at the same point).
@parametrize_with_checks([SVC(), SVC(kernel="linear"),
                          SVC(kernel="poly", coef0=1.0, max_iter=100_000)])
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


# solver="slsqp" passes every check too, but check_classifiers_train fits dense QPs of
# 200 unknowns (three 100-sample classes, one-vs-one) and takes 4-30 s per variant, over
# this file's time budget; it is left out here for that reason only (the smo instances
# above run it, and test_slsqp_* compare the two solvers).
_SLOW_FOR_SLSQP = "check_classifiers_train"
_SLSQP_CHECKS = [(est, chk) for est, chk in estimator_checks_generator(SVC(solver="slsqp"))
                 if _SLOW_FOR_SLSQP not in str(getattr(chk, "func", chk))]


@pytest.mark.parametrize("estimator, check", _SLSQP_CHECKS,
                         ids=[str(getattr(c, "func", c).__name__) + f"-{k}"
                              for k, (_, c) in enumerate(_SLSQP_CHECKS)])
def test_sklearn_compatible_slsqp(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)


@pytest.mark.parametrize("kernel", ["linear", "rbf", "poly"])
def test_features_whose_kernel_overflows_are_refused_at_once(kernel):
    X = [[1.0, 1e308], [2.0, -1e308], [3.0, 1e308]]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        with pytest.raises(InvalidInputError, match="overflows float64"):
            SVC(kernel=kernel).fit(X, [1, 0, 1])


def test_one_class_message_shows_the_label_plainly():
    with pytest.raises(InvalidInputError, match="only one class: 1;"):
        SVC().fit([[1.0, 2.0], [3.0, 4.0]], np.array([1, 1]))
