"""Seed cases: 000 §1 (GD linear regression), 000 §3 (Newton on a quadratic), 004 lesson 7
(hard-margin SVM on three and six points)."""
import numpy as np
import pytest

from calcml.optimize import Constraint, minimize


# ---------------------------------------------------------------- seed 000 §1
@pytest.fixture(scope="module")
def linreg():
    rng = np.random.default_rng(0)
    X = 2 * rng.random((100, 1))
    y = 4 + 3 * X[:, 0] + rng.standard_normal(100)
    Xb = np.c_[np.ones(100), X]
    theta_ls = np.linalg.lstsq(Xb, y, rcond=None)[0]
    return Xb, y, theta_ls


def mse(Xb, y):
    return lambda theta: np.mean((Xb @ theta - y) ** 2)


def test_gd_linear_regression_recovers_lstsq(linreg):
    Xb, y, theta_ls = linreg
    # The seed's loop: eta = 0.1, gradients 2/m X^T (X theta - y), 1000 iterations.
    r = minimize(mse(Xb, y), np.zeros(2), method="gd", lr=0.1, maxiter=5000, tol=1e-10)
    assert r.success, r.message
    np.testing.assert_allclose(r.x, theta_ls, rtol=0, atol=1e-8)
    # the seed's hand-written gradient agrees with the AD gradient used here
    np.testing.assert_allclose(r.jac, 2 / 100 * Xb.T @ (Xb @ r.x - y), atol=1e-13)
    assert r.losses[0] > r.losses[-1] and len(r.path) == r.nit + 1


def test_gd_linear_regression_seed_iterations(linreg):
    """Exactly the seed's 1000 fixed steps of eta=0.1, written out by hand, vs minimize."""
    Xb, y, theta_ls = linreg
    theta = np.zeros(2)
    for _ in range(1000):
        theta = theta - 0.1 * (2 / 100 * Xb.T @ (Xb @ theta - y))
    r = minimize(mse(Xb, y), np.zeros(2), method="gd", lr=0.1, maxiter=1000, tol=0.0)
    assert not r.success and r.nit == 1000 and "maxiter" in r.message
    np.testing.assert_allclose(r.x, theta, rtol=1e-12)


def test_gd_linesearch_and_other_methods_agree(linreg):
    Xb, y, theta_ls = linreg
    for method in ("gd", "newton", "bfgs", "lbfgs", "auto"):
        r = minimize(mse(Xb, y), np.zeros(2), method=method, tol=1e-10, maxiter=20000)
        assert r.success, (method, r.message)
        np.testing.assert_allclose(r.x, theta_ls, atol=1e-8, err_msg=method)


# ---------------------------------------------------------------- seed 000 §3
A = np.array([[4.0, 2.0], [2.0, 2.0]])
b = np.array([1.0, 2.0])


def quad(x):
    return 0.5 * x @ A @ x - b @ x


def test_newton_seed_one_step():
    r = minimize(quad, np.zeros(2), method="newton")
    assert r.success and r.nit == 1 and r.nhev == 1
    np.testing.assert_allclose(r.x, np.linalg.solve(A, b), rtol=0, atol=1e-14)
    np.testing.assert_allclose(r.x, [-0.5, 1.5], atol=1e-14)
    np.testing.assert_allclose(r.jac, [0.0, 0.0], atol=1e-14)
    assert r.fun == pytest.approx(-0.5 * b @ np.linalg.solve(A, b), abs=1e-14)


def test_newton_seed_with_explicit_derivatives():
    """The seed's gradient A x - b and Hessian A, given by hand: same one step."""
    r = minimize(quad, np.zeros(2), method="newton", jac=lambda x: A @ x - b, hess=lambda x: A)
    assert r.success and r.nit == 1
    np.testing.assert_allclose(r.x, [-0.5, 1.5], atol=1e-14)


def test_seed_broken_newton_loop_fixed():
    """The seed's loop tests the gradient after the update (and has an empty if): the
    fixed loop checks first, so it stops after one step with a zero gradient."""
    x, steps = np.zeros(2), 0
    for _ in range(100):
        gradient = A @ x - b
        if np.linalg.norm(gradient) < 1e-6:
            break
        x = x - np.linalg.solve(A, gradient)
        steps += 1
    r = minimize(quad, np.zeros(2), method="newton", tol=1e-6)
    assert steps == r.nit == 1
    np.testing.assert_allclose(r.x, x, atol=1e-14)


# ---------------------------------------------------------------- seed 004 lesson 7
def svm_constraints(points, labels):
    return [Constraint(lambda w, p=p, s=s: s * (p[0] * w[0] + p[1] * w[1] + w[2]) - 1)
            for p, s in zip(points, labels)]


def svm_objective(w):
    return w[0] ** 2 + w[1] ** 2


THREE = ([(0, 0), (1, 2), (2, 1)], [-1, 1, 1])
SIX = ([(0, 0), (-1, -1), (-3, -1), (1, 2), (2, 1), (3, 3)], [-1, -1, -1, 1, 1, 1])


def test_svm_three_points_slsqp():
    r = minimize(svm_objective, np.array([1.0, 1.0, 1.0]), method="slsqp",
                 constraints=svm_constraints(*THREE), bounds=[(-10, 10)] * 3)
    assert r.success, r.message
    np.testing.assert_allclose(r.x, [2 / 3, 2 / 3, -1], atol=1e-8)
    assert r.fun == pytest.approx(8 / 9, abs=1e-10)
    # KKT by hand: 2a = l2 + 2 l3, 2b = 2 l2 + l3, 0 = -l1 + l2 + l3 -> (8/9, 4/9, 4/9)
    np.testing.assert_allclose(r.multipliers, [8 / 9, 4 / 9, 4 / 9], atol=1e-7)


def test_svm_six_points_same_line():
    r = minimize(svm_objective, np.array([1.0, 1.0, 1.0]), method="slsqp",
                 constraints=svm_constraints(*SIX))
    assert r.success, r.message
    np.testing.assert_allclose(r.x, [2 / 3, 2 / 3, -1], atol=1e-8)
    lam = np.array(r.multipliers)
    # the new points lie beyond the margin: inactive, zero multipliers
    np.testing.assert_allclose(lam[[1, 2, 5]], 0.0, atol=1e-8)
    np.testing.assert_allclose(lam[[0, 3, 4]], [8 / 9, 4 / 9, 4 / 9], atol=1e-7)
    margins = [s * (p[0] * r.x[0] + p[1] * r.x[1] + r.x[2]) for p, s in zip(*SIX)]
    assert min(margins) >= 1 - 1e-8


def test_svm_vector_constraint_and_auto():
    """One vector-valued constraint (all points at once) and method='auto'."""
    P = np.array(SIX[0], float)
    s = np.array(SIX[1], float)
    con = Constraint(lambda w: s * (P @ w[:2] + w[2]) - 1)
    r = minimize(svm_objective, np.ones(3), constraints=con)
    assert r.method == "slsqp" and r.success
    np.testing.assert_allclose(r.x, [2 / 3, 2 / 3, -1], atol=1e-8)
    np.testing.assert_allclose(r.multipliers[0], [8 / 9, 0, 0, 4 / 9, 4 / 9, 0], atol=1e-7)
