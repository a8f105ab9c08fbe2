"""LogisticRegression: three solvers, one optimum; against scikit-learn; derivatives vs AD."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LogisticRegression as SkLogisticRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import calcml as cm
from calcml.datasets import blobs, moons
from calcml.errors import CalcmlError
from calcml.models import LogisticRegression
from calcml.models.logistic import _Objective
from calcml.nn import binary_cross_entropy_from_logits, cross_entropy_from_logits


@pytest.fixture(scope="module")
def binary():
    return moons(n_samples=120, noise=0.3, random_state=0)


@pytest.fixture(scope="module")
def multi():
    X, y = blobs(n_samples=150, centers=3, cluster_std=2.5, random_state=1)
    return StandardScaler().fit_transform(X), y


@pytest.mark.parametrize("data", ["binary", "multi"])
def test_newton_matches_sklearn(data, request):
    X, y = request.getfixturevalue(data)
    alpha = 0.05
    ours = LogisticRegression(alpha=alpha, tol=1e-10).fit(X, y)
    # scikit-learn minimises C * sum(log-loss) + ||W||^2 / 2: the same optimum for C = 1/(alpha n)
    ref = SkLogisticRegression(C=1 / (alpha * len(X)), tol=1e-12, max_iter=10_000).fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, atol=1e-6)
    # softmax intercepts are defined up to a common shift: compare them centred
    shift = data == "multi"
    np.testing.assert_allclose(ours.intercept_ - ours.intercept_.mean() * shift,
                               ref.intercept_ - ref.intercept_.mean() * shift, atol=1e-6)
    np.testing.assert_allclose(ours.predict_proba(X), ref.predict_proba(X), atol=1e-7)


@pytest.mark.parametrize("data", ["binary", "multi"])
def test_three_solvers_agree(data, request):
    X, y = request.getfixturevalue(data)
    fits = {s: LogisticRegression(alpha=0.01, solver=s, tol=1e-7, max_iter=20_000).fit(X, y)
            for s in ("newton", "lbfgs", "gd")}
    for s in ("lbfgs", "gd"):
        np.testing.assert_allclose(fits[s].coef_, fits["newton"].coef_, atol=1e-4)
        assert fits[s].loss_curve_[-1] == pytest.approx(fits["newton"].loss_curve_[-1], abs=1e-9)
    # Newton converges quadratically: a handful of iterations, gd needs hundreds
    assert fits["newton"].n_iter_ <= 10 < fits["gd"].n_iter_
    assert fits["newton"].score(X, y) > 0.8


@pytest.mark.parametrize("k", [1, 3])
def test_objective_derivatives_match_ad(k):
    rng = np.random.default_rng(k)
    X = rng.normal(size=(30, 4))
    Y = (rng.random((30, 1)) < 0.5).astype(float) if k == 1 else np.eye(3)[rng.integers(0, 3, 30)]
    obj = _Objective(X, Y, alpha=0.3, fit_intercept=True)
    theta = rng.normal(size=5 * k)
    penalty = obj.penalty

    def loss(t):
        T = t.reshape(5, k)
        Z = obj.Xb @ T
        data = (binary_cross_entropy_from_logits(Y, Z) if k == 1
                else cross_entropy_from_logits(Y, Z))
        return data + 0.5 * np.sum(penalty * T * T)

    assert obj.loss(theta) == pytest.approx(loss(theta), rel=1e-13)
    np.testing.assert_allclose(obj.gradient(theta), cm.grad(loss)(theta), rtol=1e-11, atol=1e-14)
    np.testing.assert_allclose(obj.hessian(theta), cm.hessian(loss)(theta), rtol=1e-10, atol=1e-13)


def test_probabilities_and_labels(multi):
    X, y = multi
    labels = np.array(["a", "b", "c"])[y]
    clf = LogisticRegression().fit(X, labels)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    np.testing.assert_allclose(clf.predict_log_proba(X), np.log(proba), rtol=1e-10, atol=1e-15)
    assert set(clf.predict(X)) <= {"a", "b", "c"}


def test_separable_data_with_small_alpha_stays_finite():
    X = np.array([[-2.0], [-1.0], [1.0], [2.0]])
    y = np.array([0, 0, 1, 1])
    clf = LogisticRegression(alpha=1e-8, max_iter=200).fit(X, y)
    assert clf.score(X, y) == 1.0
    assert np.all(np.isfinite(clf.predict_log_proba(X * 1e6)))


def test_input_errors(binary):
    X, y = binary
    with pytest.raises(CalcmlError, match="at least 2 classes"):
        LogisticRegression().fit(X, np.zeros(len(X)))
    with pytest.raises(ValueError, match="Unknown label type"):
        LogisticRegression().fit(X, np.linspace(0, 1, len(X)))
    Xi = X.copy()
    Xi[3, 1] = np.inf
    with pytest.raises(CalcmlError, match="infinity"):
        LogisticRegression().fit(Xi, y)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        LogisticRegression(solver="gd", max_iter=2).fit(X, y)


def test_pipeline_gridsearch_clone(binary):
    X, y = binary
    pipe = make_pipeline(StandardScaler(), LogisticRegression())
    search = GridSearchCV(pipe, {"logisticregression__alpha": [1e-3, 1e-1],
                                 "logisticregression__solver": ["newton", "lbfgs"]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.75
    assert clone(LogisticRegression(alpha=0.5)).alpha == 0.5


def test_auto_solver_picks_by_size(binary):
    X, y = binary
    assert LogisticRegression().fit(X, y).solver_ == "newton"
    rng = np.random.default_rng(0)
    Xw = rng.normal(size=(60, 1200))
    yw = (Xw[:, 0] > 0).astype(int)
    wide = LogisticRegression(alpha=0.1).fit(Xw, yw)
    assert wide.solver_ == "lbfgs" and wide.score(Xw, yw) == 1.0
