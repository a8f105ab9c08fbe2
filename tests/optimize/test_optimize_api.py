"""minimize's interface: pytrees, explicit derivatives, bounds, constraints, callback,
auto, errors; the steppers and the registry."""
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import calcml as cm
from calcml.errors import CalcmlError, DimensionError, ParseError
from calcml.optimize import (METHODS, OPTIMIZERS, Constraint, adam, get_optimizer, minimize,
                             sgd, wolfe)
from calcml.optimize.constrained import split_relation


def test_pytree_x0_keeps_structure():
    target = {"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": [np.array([-1.0]), 0.5]}

    def f(p):
        return (np.sum((p["w"] - target["w"]) ** 2) + np.sum((p["b"][0] - target["b"][0]) ** 2)
                + (p["b"][1] - 0.5) ** 2)

    x0 = {"w": np.zeros((2, 2)), "b": [np.zeros(1), 0.0]}
    for method in ("bfgs", "lbfgs", "newton", "gd"):
        r = minimize(f, x0, method=method)
        assert r.success, (method, r.message)
        assert set(r.x) == {"w", "b"} and r.x["w"].shape == (2, 2)
        assert r.x["b"][0].shape == (1,) and isinstance(r.x["b"][1], float)
        np.testing.assert_allclose(r.x["w"], target["w"], atol=1e-8)
        np.testing.assert_allclose(r.x["b"][0], [-1.0], atol=1e-8)
        assert r.x["b"][1] == pytest.approx(0.5, abs=1e-8)
        assert r.jac["w"].shape == (2, 2)


def test_list_of_numbers_is_a_vector():
    A = np.array([[4.0, 2.0], [2.0, 2.0]])
    r = minimize(lambda x: 0.5 * x @ A @ x - x @ np.array([1.0, 2.0]), [0, 0], method="newton")
    assert isinstance(r.x, np.ndarray) and r.x.dtype == np.float64
    np.testing.assert_allclose(r.x, [-0.5, 1.5], atol=1e-14)
    # a list holding arrays stays a pytree
    r = minimize(lambda p: np.sum((p[0] - 1) ** 2) + (p[1] + 2) ** 2, [np.zeros(2), 0.0],
                 method="bfgs")
    assert isinstance(r.x, list) and r.x[0].shape == (2,) and isinstance(r.x[1], float)
    assert r.x[1] == pytest.approx(-2.0)


def test_scalar_x0_and_seed004_cubic():
    r = minimize(lambda x: x ** 3 - 2 * x ** 2 + 1, 2.0, method="bfgs")
    assert isinstance(r.x, float) and r.x == pytest.approx(4 / 3, abs=1e-9)


def test_explicit_jac_is_used_and_matches_ad():
    calls = []

    def jac(x):
        calls.append(1)
        return 2 * (x - 1.5)

    f = lambda x: np.sum((x - 1.5) ** 2)  # noqa: E731
    r1 = minimize(f, np.zeros(3), method="bfgs", jac=jac)
    r2 = minimize(f, np.zeros(3), method="bfgs")
    assert len(calls) == r1.njev > 0
    np.testing.assert_allclose(r1.x, r2.x, atol=1e-12)


def test_jac_true_scipy_convention():
    fg = lambda x: (np.sum((x - 2.0) ** 2), 2 * (x - 2.0))  # noqa: E731
    for method in ("bfgs", "lbfgs", "gd", "slsqp", "auto"):
        r = minimize(fg, np.zeros(2), method=method, jac=True)
        assert r.success, (method, r.message)
        np.testing.assert_allclose(r.x, [2.0, 2.0], atol=1e-8)
    with pytest.raises(CalcmlError, match="hess"):
        minimize(fg, np.zeros(2), method="newton", jac=True)
    with pytest.raises(CalcmlError, match="jac"):
        minimize(lambda x: np.sum(x ** 2), np.zeros(2), jac="2-point")


def test_bounds_projected_first_order_lbfgs_slsqp():
    f = lambda x: np.sum((x - np.array([2.0, -3.0])) ** 2)  # noqa: E731
    for method in ("gd", "momentum", "adam", "lbfgs", "slsqp"):
        r = minimize(f, np.array([0.5, 0.5]), method=method, bounds=[(0, 1), (-1, None)],
                     lr=0.1 if method != "gd" else None, maxiter=5000)
        assert r.success, (method, r.message)
        np.testing.assert_allclose(r.x, [1.0, -1.0], atol=1e-6)
    r = minimize(f, np.array([0.5, 0.5]), bounds=(0, 1))     # one pair for all -> slsqp
    assert r.method == "slsqp"
    np.testing.assert_allclose(r.x, [1.0, 0.0], atol=1e-8)


def test_equality_constraint_and_multiplier():
    # min x^2 + y^2 s.t. x + y = 1: (1/2, 1/2), grad f = (1, 1) = lambda (1, 1)
    r = minimize(lambda p: p[0] ** 2 + p[1] ** 2, np.zeros(2),
                 constraints=[Constraint(lambda p: p[0] + p[1] - 1, kind="eq")])
    assert r.success and r.method == "slsqp"
    np.testing.assert_allclose(r.x, [0.5, 0.5], atol=1e-10)
    assert r.multipliers[0] == pytest.approx(1.0, abs=1e-8)


def test_mixed_constraints_multipliers_in_given_order():
    # min (x-2)^2 + (y-2)^2 s.t. x <= 1 (ineq first), x + y = 2 (eq second):
    # solution (1, 1); grad f = (-2, -2) = l_ineq (-1, 0) + l_eq (1, 1) -> l_eq = -2, l_ineq = 0
    # ... check by KKT instead of guessing the order
    cons = [{"type": "ineq", "fun": lambda p: 1 - p[0]},
            Constraint(lambda p: p[0] + p[1] - 2, kind="eq")]
    r = minimize(lambda p: (p[0] - 2) ** 2 + (p[1] - 2) ** 2, np.zeros(2), method="slsqp",
                 constraints=cons)
    assert r.success
    np.testing.assert_allclose(r.x, [1.0, 1.0], atol=1e-9)
    g = 2 * (r.x - 2)
    lam_ineq, lam_eq = r.multipliers
    np.testing.assert_allclose(g, lam_ineq * np.array([-1.0, 0.0]) + lam_eq * np.ones(2),
                               atol=1e-7)
    assert lam_ineq >= -1e-9


def test_callback_gets_structure_and_can_stop():
    seen = []
    r = minimize(lambda p: np.sum(p["a"] ** 2), {"a": np.ones(2)}, method="gd", lr=0.1,
                 callback=lambda p: seen.append(p["a"].copy()) or len(seen) >= 3)
    assert len(seen) == 3 and r.nit == 3 and not r.success
    assert r.message == "stopped by callback"
    np.testing.assert_allclose(seen[0], 0.8 * np.ones(2))


def test_auto_choices():
    assert minimize(lambda x: np.sum(x ** 2), np.ones(3)).method == "newton"
    assert minimize(lambda x: np.sum(x ** 2), np.ones(30)).method == "lbfgs"
    r = minimize(lambda x: np.sum(x ** 2), np.ones(3), jac=lambda x: 2 * x)
    assert r.method == "lbfgs" and r.success


def test_maxiter_zero_and_result_fields():
    r = minimize(lambda x: np.sum(x ** 2), np.ones(2), method="bfgs", maxiter=0)
    assert not r.success and r.nit == 0 and r.status == 1
    for key in ("x", "fun", "jac", "nit", "nfev", "njev", "nhev", "success", "message",
                "path", "losses", "multipliers"):
        assert key in r
    assert "maxiter" in repr(r) or "message" in repr(r)


def test_shape_errors():
    A = np.eye(2)
    with pytest.raises(DimensionError):
        minimize(lambda x: np.sum(A @ x), np.ones(3), method="bfgs")
    with pytest.raises(DimensionError, match="scalar"):
        minimize(lambda x: x ** 2, np.ones(3), method="bfgs")
    with pytest.raises(DimensionError):
        minimize(lambda x: np.sum(x ** 2), np.ones(3), method="bfgs", jac=lambda x: np.ones(2))
    with pytest.raises(DimensionError):
        minimize(lambda x: np.sum(x ** 2), np.ones(3), method="newton", hess=lambda x: np.eye(2))
    with pytest.raises(DimensionError):
        minimize(lambda x: np.sum(x ** 2), np.ones(3), bounds=[(0, 1)] * 2)
    with pytest.raises(DimensionError):
        minimize(lambda x: np.sum(x ** 2), np.ones(3), method="slsqp",
                 constraints=Constraint(lambda x: np.ones((2, 2))))


def test_bad_arguments():
    f = lambda x: np.sum(x ** 2)  # noqa: E731
    with pytest.raises(CalcmlError, match="unknown method"):
        minimize(f, np.ones(2), method="cg")
    with pytest.raises(CalcmlError, match="lr"):
        minimize(f, np.ones(2), method="gd", lr=-1)
    with pytest.raises(CalcmlError, match="tol"):
        minimize(f, np.ones(2), tol=float("nan"))
    with pytest.raises(CalcmlError, match="maxiter"):
        minimize(f, np.ones(2), maxiter=2.5)
    with pytest.raises(CalcmlError, match="constraints"):
        minimize(f, np.ones(2), method="bfgs", constraints=[Constraint(lambda x: x[0])])
    with pytest.raises(CalcmlError, match="bounds"):
        minimize(f, np.ones(2), method="newton", bounds=[(0, 1)] * 2)
    with pytest.raises(CalcmlError, match="kind"):
        Constraint(lambda x: x, kind="le")
    with pytest.raises(CalcmlError):
        minimize(f, ["a", "b"])
    with pytest.raises(CalcmlError):
        minimize(f, np.ones(2), bounds=[(1, 0), (0, 1)])
    assert set(METHODS) >= {"gd", "momentum", "nesterov", "adam", "newton", "bfgs", "lbfgs",
                            "slsqp", "auto"}


def test_split_relation():
    assert split_relation("x + y = 1") == ("x + y ", "=", " 1")
    assert split_relation("max(x, y) <= 2")[1] == "<="
    for bad in ("x + y", "x >= y >= 1", "x != 1", ">= 1"):
        with pytest.raises(ParseError):
            split_relation(bad)


# ------------------------------------------------------------------ steppers
def test_sgd_momentum_nesterov_match_formulas():
    p = {"a": np.array([1.0, -2.0]), "b": [np.array(3.0)]}
    grads = lambda q: {"a": 2 * q["a"], "b": [2 * q["b"][0]]}  # noqa: E731
    for mu, nest in [(0.0, False), (0.9, False), (0.9, True)]:
        opt = sgd(0.1, momentum=mu, nesterov=nest)
        q, s = p, opt.init(p)
        x, v = np.array([1.0, -2.0, 3.0]), np.zeros(3)
        for _ in range(5):
            q, s = opt.update(q, grads(q), s)
            g = 2 * x
            v = mu * v - 0.1 * g
            x = x + (mu * v - 0.1 * g if nest else v)
        np.testing.assert_allclose(np.r_[q["a"], q["b"][0]], x, rtol=1e-14)
    np.testing.assert_allclose(p["a"], [1.0, -2.0])  # inputs untouched


def test_adam_matches_reference():
    opt = adam(0.01, b1=0.8, b2=0.99, eps=1e-7)
    params = [np.array([0.5, -1.5])]
    state = opt.init(params)
    x, m, v = params[0].copy(), np.zeros(2), np.zeros(2)
    for t in range(1, 6):
        params, state = opt.update(params, [np.sin(params[0])], state)
        g = np.sin(x)
        m = 0.8 * m + 0.2 * g
        v = 0.99 * v + 0.01 * g * g
        x = x - 0.01 * (m / (1 - 0.8 ** t)) / (np.sqrt(v / (1 - 0.99 ** t)) + 1e-7)
    np.testing.assert_allclose(params[0], x, rtol=1e-14)
    assert state.count == 5


def test_steppers_train_a_model_with_ad():
    rng = np.random.default_rng(1)
    X = rng.standard_normal((50, 3))
    w_true = np.array([1.0, -2.0, 0.5])
    y = X @ w_true + 0.3
    params = {"w": np.zeros(3), "b": 0.0}
    loss = lambda p: np.mean((X @ p["w"] + p["b"] - y) ** 2)  # noqa: E731
    for opt in (get_optimizer("adam", 0.05), get_optimizer("nesterov", 0.05)):
        p, s = params, opt.init(params)
        for _ in range(1500):
            p, s = opt.update(p, cm.grad(loss)(p), s)
        np.testing.assert_allclose(p["w"], w_true, atol=1e-3)
        assert abs(p["b"] - 0.3) < 1e-3


def test_stepper_errors_and_registry():
    assert set(OPTIMIZERS) >= {"sgd", "momentum", "nesterov", "adam"}
    with pytest.raises(CalcmlError):
        get_optimizer("rmsprop", 0.1)
    with pytest.raises(CalcmlError):
        sgd(0.0)
    with pytest.raises(CalcmlError):
        sgd(0.1, momentum=1.0)
    with pytest.raises(CalcmlError):
        sgd(0.1, nesterov=True)
    with pytest.raises(CalcmlError):
        adam(0.1, b1=1.0)
    opt = sgd(0.1)
    with pytest.raises(DimensionError):
        opt.update({"a": np.ones(2)}, {"a": np.ones(3)}, opt.init({"a": np.ones(2)}))


# ------------------------------------------------------------------ line search
@settings(max_examples=30, deadline=None)
@given(st.lists(st.floats(-3, 3), min_size=2, max_size=2),
       st.floats(0.01, 100.0))
def test_wolfe_conditions_hold(x0, alpha0):
    def fg(x):
        f = (1 - x[0]) ** 2 + 10 * (x[1] - x[0] ** 2) ** 2
        g = np.array([-2 * (1 - x[0]) - 40 * x[0] * (x[1] - x[0] ** 2),
                      20 * (x[1] - x[0] ** 2)])
        return f, g

    x = np.array(x0)
    f0, g0 = fg(x)
    if np.linalg.norm(g0) < 1e-8:
        return
    d = -g0
    ls = wolfe(fg, x, d, f0, g0, alpha0=alpha0)
    assert ls is not None
    assert ls.f <= f0 + 1e-4 * ls.alpha * (g0 @ d) + 1e-12
    if ls.wolfe:
        assert abs(ls.g @ d) <= 0.9 * abs(g0 @ d) + 1e-12


def test_callback_stop_and_maxiter_in_scipy_backed_methods():
    from scipy.optimize import Bounds

    f = lambda x: np.sum((x - 3) ** 2)  # noqa: E731
    con = Constraint(lambda x: 10 - x[0])
    for method, kw in (("slsqp", {"constraints": [con]}),
                       ("lbfgs", {"bounds": Bounds([0, 0], [2.5, 10])})):
        r = minimize(f, np.zeros(2), method=method, callback=lambda x: True, **kw)
        assert not r.success and r.message == "stopped by callback" and r.nit == 1
    r = minimize(f, np.zeros(2), method="slsqp", maxiter=1, constraints=[con])
    assert not r.success and r.status == 1 and "maxiter" in r.message
    r = minimize(f, np.zeros(2), method="lbfgs", bounds=Bounds([0, 0], [2.5, 10]))
    assert r.success
    np.testing.assert_allclose(r.x, [2.5, 3.0], atol=1e-8)
    r = minimize(lambda x: np.sum(np.log(x)), np.array([-1.0]), method="slsqp",
                 constraints=[con])
    assert not r.success and r.status == 3 and "not finite" in r.message


def test_multipliers_and_callback_stop_with_scipy_before_1_16(monkeypatch):
    """SciPy < 1.16 (the newest for Python 3.10) has no res.multipliers and lets a
    callback's StopIteration through: the least-squares multipliers keep the given order
    and a stop still returns a result."""
    import scipy.optimize

    real = scipy.optimize.minimize

    def old_scipy(*args, **kwargs):
        if kwargs.get("method") == "SLSQP":
            user_cb = kwargs.pop("callback")

            res = real(*args, callback=user_cb, **kwargs)
            res.pop("multipliers", None)
            return res
        return real(*args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", old_scipy)
    cons = [{"type": "ineq", "fun": lambda p: 1 - p[0]},
            Constraint(lambda p: p[0] + p[1] - 2, kind="eq")]
    r = minimize(lambda p: (p[0] - 2) ** 2 + (p[1] - 2) ** 2, np.zeros(2), method="slsqp",
                 constraints=cons)
    lam_ineq, lam_eq = r.multipliers
    np.testing.assert_allclose([lam_ineq, lam_eq], [0.0, -2.0], atol=1e-6)   # as above

    def raising_old_scipy(*args, **kwargs):   # the callback's StopIteration escapes
        return real(*args, **kwargs) if kwargs.get("method") != "SLSQP" else \
            _slsqp_letting_stop_through(real, *args, **kwargs)

    monkeypatch.setattr(scipy.optimize, "minimize", raising_old_scipy)
    seen = []
    r = minimize(lambda p: np.sum((p - 3) ** 2), np.zeros(2), method="slsqp",
                 callback=lambda p: seen.append(p.copy()) or True)
    assert not r.success and r.message == "stopped by callback" and r.nit == 1
    np.testing.assert_allclose(r.x, seen[-1])


def _slsqp_letting_stop_through(real, *args, **kwargs):
    user_cb = kwargs.pop("callback")

    def cb(xk):
        user_cb(xk)                          # StopIteration propagates out of minimize
    kwargs["callback"] = cb
    cb(np.asarray(args[1], dtype=float) + 1.0)   # one iterate; the callback stops there
    return real(*args, **kwargs)
