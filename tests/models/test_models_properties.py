"""Property tests of calcml.models against numpy.linalg.lstsq and scikit-learn."""
from __future__ import annotations

import warnings

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sklearn.linear_model import LogisticRegression as SkLogistic
from sklearn.svm import SVC as SkSVC

from calcml.models import SVC, LinearRegression, LogisticRegression, MLPClassifier, MLPRegressor
from calcml.models._kernels import kernel_matrix
from calcml.models._validation import InvalidInputError

SETTINGS = dict(deadline=None, suppress_health_check=[HealthCheck.too_slow])
SEED = st.integers(0, 2**32 - 1)


@settings(max_examples=10, **SETTINGS)
@given(seed=SEED, n=st.integers(5, 40), p=st.integers(1, 4), fit_intercept=st.booleans())
@pytest.mark.parametrize("solver", ["normal", "newton", "gd"])
def test_linear_regression_equals_lstsq(solver, seed, n, p, fit_intercept):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = X @ rng.standard_normal(p) + rng.standard_normal() + 0.1 * rng.standard_normal(n)
    Xb = np.column_stack([np.ones(n), X]) if fit_intercept else X
    if n <= Xb.shape[1]:
        return
    ref = np.linalg.lstsq(Xb, y, rcond=None)[0]
    m = LinearRegression(solver=solver, fit_intercept=fit_intercept, max_iter=20000).fit(X, y)
    got = np.r_[m.intercept_, m.coef_] if fit_intercept else m.coef_
    np.testing.assert_allclose(got, ref, atol=1e-6)
    np.testing.assert_allclose(m.predict(X), Xb @ ref, atol=1e-5)


@settings(max_examples=5, **SETTINGS)
@given(seed=SEED, n=st.integers(10, 60), p=st.integers(1, 4), k=st.integers(2, 4),
       log_alpha=st.floats(-3, 0), fit_intercept=st.booleans())
@pytest.mark.parametrize("solver", ["newton", "lbfgs", "gd"])
def test_logistic_regression_equals_sklearn(solver, seed, n, p, k, log_alpha, fit_intercept):
    """alpha = 1 / (C n): calcml's alpha/2 ||W||^2 on the mean loss is scikit-learn's
    1/2 ||W||^2 + C * (summed loss) divided by C n; neither penalizes the intercept."""
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = np.argmax(X @ (2 * rng.standard_normal((p, k))) + rng.gumbel(size=(n, k)), axis=1)
    if np.unique(y).size < 2:
        return
    alpha = 10.0 ** log_alpha
    sk = SkLogistic(C=1 / (alpha * n), tol=1e-12, max_iter=10000,
                    fit_intercept=fit_intercept).fit(X, y)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        m = LogisticRegression(alpha=alpha, solver=solver, tol=1e-10, fit_intercept=fit_intercept,
                               max_iter=20000 if solver == "gd" else 500).fit(X, y)
    np.testing.assert_allclose(m.coef_, sk.coef_, atol=1e-5)
    np.testing.assert_allclose(m.intercept_, sk.intercept_, atol=1e-5)
    P = m.predict_proba(X)
    np.testing.assert_allclose(P.sum(axis=1), 1.0, rtol=0, atol=1e-12)
    np.testing.assert_allclose(P, sk.predict_proba(X), atol=1e-6)


ACTS = ["identity", "sigmoid", "logistic", "tanh", "relu", "softplus"]


@settings(max_examples=20, **SETTINGS)
@given(seed=SEED, n=st.integers(3, 15), p=st.integers(1, 3),
       hidden=st.lists(st.integers(1, 4), max_size=2), act=st.sampled_from(ACTS),
       task=st.sampled_from(["binary", "multiclass", "multiclass-mse", "regression",
                             "regression-2d"]),
       alpha=st.sampled_from([0.0, 0.1]), log_scale=st.floats(-1, 2))
def test_mlp_manual_backprop_equals_ad(seed, n, p, hidden, act, task, alpha, log_scale):
    rng = np.random.default_rng(seed)
    X = 3 * rng.standard_normal((n, p))
    kw = dict(hidden_layer_sizes=tuple(hidden), activation=act, alpha=alpha, max_iter=1,
              random_state=0)
    if task == "binary":
        y = rng.integers(0, 2, n)
        y[:2] = [0, 1]
        est = MLPClassifier(**kw)
    elif task.startswith("multiclass"):
        y = rng.integers(0, 3, max(n, 3))[:n] if n >= 3 else np.arange(n)
        y[:3] = [0, 1, 2]
        est = MLPClassifier(**kw, loss="mse" if task.endswith("mse") else "log_loss")
    else:
        y = rng.standard_normal((n, 2)) if task.endswith("2d") else rng.standard_normal(n)
        est = MLPRegressor(**kw)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        est.fit(X, y)
    est.coefs_ = [W * 10.0 ** log_scale for W in est.coefs_]    # saturate activations
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        la, ga = est.loss_gradient(X, y, "ad")
        lm, gm = est.loss_gradient(X, y, "manual")
    assert lm == pytest.approx(la, rel=1e-10, abs=1e-12)
    for a, m in zip(ga, gm):
        np.testing.assert_allclose(m, a, rtol=1e-10, atol=1e-10)
    if task != "regression" and task != "regression-2d":
        np.testing.assert_allclose(est.predict_proba(X).sum(axis=1), 1.0, atol=1e-12)


@settings(max_examples=10, **SETTINGS)
@given(seed=SEED, n=st.integers(6, 25), p=st.integers(1, 3),
       kernel=st.sampled_from(["linear", "rbf", "poly"]), log_C=st.floats(-1, 1.5),
       degree=st.integers(1, 3), coef0=st.sampled_from([0.0, 1.0]))
def test_svc_smo_slsqp_and_sklearn_agree(seed, n, p, kernel, log_C, degree, coef0):
    rng = np.random.default_rng(seed)
    X = rng.standard_normal((n, p))
    y = rng.integers(0, 2, n)
    y[:2] = [0, 1]
    X += y[:, None] * rng.uniform(0, 2)
    kw = dict(kernel=kernel, C=10.0 ** log_C, degree=degree, coef0=coef0, gamma=0.5)
    sk = SkSVC(tol=1e-7, **kw).fit(X, y)      # libsvm at 1e-10 takes seconds per problem
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        smo = SVC(solver="smo", tol=1e-9, **kw).fit(X, y)
        sq = SVC(solver="slsqp", tol=1e-9, **kw).fit(X, y)
    # the dual optimum is unique in value (not always in a, nor b when no a is free)
    K = kernel_matrix(kernel, X, X, gamma=0.5, degree=degree, coef0=coef0)

    def objective(est):                     # 1/2 a'Qa - sum(a) from y_i a_i
        ya = np.zeros(n)
        ya[est.support_] = est.dual_coef_[0]
        return 0.5 * ya @ K @ ya - np.abs(ya).sum()

    ref, sk_obj = objective(smo), objective(sk)
    assert smo.dual_objective_[0] == pytest.approx(ref, rel=1e-9, abs=1e-9)
    assert sq.dual_objective_[0] == pytest.approx(ref, rel=1e-6, abs=1e-6)
    assert objective(sq) == pytest.approx(ref, rel=1e-6, abs=1e-6)
    assert ref <= sk_obj + 1e-9 * max(1.0, abs(sk_obj))        # SMO at least as good
    assert sk_obj <= ref + 1e-4 * max(1.0, abs(ref))
    # the decision function w.x (without b) is unique: compare it up to a constant
    d_sk, d_smo, d_sq = (e.decision_function(X) - e.intercept_[0] for e in (sk, smo, sq))
    np.testing.assert_allclose(d_smo, d_sk, atol=1e-2 * max(1.0, kw["C"]))
    np.testing.assert_allclose(d_sq, d_smo, atol=1e-3 * max(1.0, kw["C"]))


def test_svc_predict_breaks_vote_ties_as_sklearn():
    """Regression: with three classes each winning one one-vs-one vote, scikit-learn's
    SVC (break_ties=False) predicts the first class; calcml took the argmax of the "ovr"
    scores (break_ties=True's answer). Points near the centre of three classes give
    such ties."""
    rng = np.random.default_rng(1)
    X = rng.standard_normal((12, 2))
    y = np.tile([0, 1, 2], 4)
    X += 1.5 * np.eye(3)[y][:, :2]
    grid = np.vstack([X, rng.uniform(X.min(axis=0), X.max(axis=0), (400, 2))])
    ties = 0
    for kw in (dict(kernel="linear", C=1.0), dict(kernel="rbf", C=10.0, gamma=1.0)):
        sk = SkSVC(tol=1e-10, **kw).fit(X, y)
        ours = SVC(tol=1e-10, **kw).fit(X, y)
        np.testing.assert_array_equal(ours.predict(grid), sk.predict(grid))
        sk_bt = SkSVC(tol=1e-10, break_ties=True, **kw).fit(X, y)
        ours_bt = SVC(tol=1e-10, break_ties=True, **kw).fit(X, y)
        np.testing.assert_array_equal(ours_bt.predict(grid), sk_bt.predict(grid))
        np.testing.assert_array_equal(ours_bt.predict(grid),
                                      ours.classes_[ours.decision_function(grid).argmax(1)])
        ties += int(np.sum(sk.predict(grid) != sk_bt.predict(grid)))
    assert ties > 0
    with pytest.raises(InvalidInputError, match="break_ties"):
        SVC(break_ties=True, decision_function_shape="ovo").fit(X, y).predict(X)
