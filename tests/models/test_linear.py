"""LinearRegression: seed 000's gradient descent, normal equations and Newton agree."""
import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.linear_model import LinearRegression as SkLinearRegression
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import calcml as cm
from calcml.datasets import linear
from calcml.errors import CalcmlError, ConvergenceError
from calcml.models import LinearRegression
from calcml.models.linear import mse_gradient, mse_hessian


@pytest.fixture(scope="module")
def seed000():
    # seed 000 section 1: X = 2 * rand(100, 1), y = 4 + 3 X + randn
    X, y, w = linear(n_samples=100, n_features=1, w=[3.0], b=4.0, noise=1.0, random_state=42)
    return X, y


def test_seed000_gradient_descent_reaches_least_squares(seed000):
    X, y = seed000
    Xb = np.column_stack([np.ones(len(X)), X])
    exact = np.linalg.solve(Xb.T @ Xb, Xb.T @ y)        # normal equations by hand
    with pytest.warns(ConvergenceWarning):            # tol=0: runs all 1000 iterations
        gd = LinearRegression(solver="gd", learning_rate=0.1, max_iter=1000, tol=0).fit(X, y)
    np.testing.assert_allclose([gd.intercept_, gd.coef_[0]], exact, rtol=1e-9)
    # the seed's eta = 0.1 and 1000 iterations: loss decreases monotonically
    assert np.all(np.diff(gd.loss_curve_) <= 1e-15)
    assert gd.n_iter_ == 1000
    # and the fit is close to the true line y = 4 + 3 x
    assert abs(gd.intercept_ - 4) < 0.5 and abs(gd.coef_[0] - 3) < 0.5


@pytest.mark.parametrize("solver", ["normal", "gd", "newton"])
def test_solvers_match_sklearn(solver, seed000):
    X, y, _ = linear(n_samples=80, n_features=3, w=[1.0, -2.0, 0.5], noise=0.3, random_state=3)
    ours = LinearRegression(solver=solver, max_iter=5000).fit(X, y)
    ref = SkLinearRegression().fit(X, y)
    np.testing.assert_allclose(ours.coef_, ref.coef_, rtol=1e-7)
    assert ours.intercept_ == pytest.approx(ref.intercept_, rel=1e-7)
    np.testing.assert_allclose(ours.predict(X), ref.predict(X), rtol=1e-7)


def test_newton_takes_one_step_on_a_quadratic(seed000):
    X, y = seed000
    newton = LinearRegression(solver="newton").fit(X, y)
    assert newton.n_iter_ == 1          # one step, then the gradient test stops it
    assert len(newton.loss_curve_) == 2 and newton.loss_curve_[1] < newton.loss_curve_[0]


def test_gradient_and_hessian_match_ad(seed000):
    X, y = seed000
    Xb = np.column_stack([np.ones(len(X)), X])
    theta = np.array([0.5, -1.0])
    loss = lambda t: np.mean((Xb @ t - y) ** 2)  # noqa: E731
    np.testing.assert_allclose(mse_gradient(Xb, y, theta), cm.grad(loss)(theta), rtol=1e-13)
    np.testing.assert_allclose(mse_hessian(Xb), cm.hessian(loss)(theta), rtol=1e-13)


def test_multi_output_and_no_intercept():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(40, 3))
    Y = X @ rng.normal(size=(3, 2)) + np.array([1.0, -1.0])
    for solver in ("normal", "gd", "newton"):
        est = LinearRegression(solver=solver, max_iter=5000).fit(X, Y)
        assert est.coef_.shape == (2, 3) and est.predict(X).shape == (40, 2)
        np.testing.assert_allclose(est.predict(X), Y, atol=1e-6)
    no_b = LinearRegression(fit_intercept=False).fit(X, X @ np.array([1.0, 2.0, 3.0]))
    assert no_b.intercept_ == 0.0
    np.testing.assert_allclose(no_b.coef_, [1.0, 2.0, 3.0], rtol=1e-12)


def test_divergent_step_raises(seed000):
    X, y = seed000
    with pytest.raises(ConvergenceError, match="learning_rate"):
        LinearRegression(solver="gd", learning_rate=10.0, max_iter=2000).fit(X, y)


def test_not_converged_warns():
    X, y, _ = linear(n_samples=50, n_features=3, w=[1.0, 2.0, 3.0], random_state=0)
    with pytest.warns(ConvergenceWarning, match="max_iter"):
        LinearRegression(solver="gd", max_iter=3).fit(X, y)


def test_bad_input_errors(seed000):
    X, y = seed000
    Xn = X.copy()
    Xn[0, 0] = np.nan
    with pytest.raises(CalcmlError, match="NaN"):
        LinearRegression().fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        LinearRegression().fit(X, y[:-1])
    est = LinearRegression().fit(X, y)
    with pytest.raises(ValueError, match="features"):
        est.predict(np.ones((2, 2)))
    with pytest.raises(ValueError, match="solver"):
        LinearRegression(solver="qr").fit(X, y)


def test_pipeline_gridsearch_clone(seed000):
    X, y = seed000
    pipe = make_pipeline(StandardScaler(), LinearRegression(solver="gd"))
    search = GridSearchCV(pipe, {"linearregression__solver": ["gd", "normal", "newton"]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.5
    fresh = clone(LinearRegression(solver="newton", tol=1e-3))
    assert fresh.get_params()["solver"] == "newton" and not hasattr(fresh, "coef_")
