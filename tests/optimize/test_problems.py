"""Classic test functions: each method converges where it should and says so honestly
where it does not."""
import numpy as np
import pytest
from scipy.optimize import rosen, rosen_der, rosen_hess

from calcml.errors import CalcmlError
from calcml.optimize import minimize


def rosen_np(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def beale(p):
    x, y = p[0], p[1]
    return ((1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2
            + (2.625 - x + x * y ** 3) ** 2)


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


def himmelblau_grad(p):  # by hand, an independent check of stationarity
    x, y = p
    a, b = x * x + y - 11, x + y * y - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


HIMMELBLAU_MINIMA = np.array([[3.0, 2.0], [-2.805118086952745, 3.131312518250573],
                              [-3.779310253377747, -3.283185991286170],
                              [3.584428340330492, -1.848126526964404]])


@pytest.mark.parametrize("n", [2, 10, 100])
@pytest.mark.parametrize("method", ["bfgs", "lbfgs"])
def test_rosenbrock_quasi_newton(n, method):
    """From (-1.2, 1, ...) in 10-D and 100-D, BFGS (like SciPy's BFGS in 10-D) may end at
    the other local minimum near x1 = -1 (f = 3.9866): which basin the path enters
    depends on rounding-level details of the first steps. Either way a true minimum."""
    x0 = np.tile([-1.2, 1.0], n // 2)
    r = minimize(rosen_np, x0, method=method)
    assert r.success, r.message
    assert np.max(np.abs(rosen_der(r.x))) <= 1e-8          # SciPy's own gradient
    assert r.fun == pytest.approx(rosen(r.x))
    if method == "bfgs" and n > 2 and r.x[0] < -0.9:
        assert 3.98 < r.fun < 3.99
        assert np.linalg.eigvalsh(rosen_hess(r.x))[0] > 0
    else:
        np.testing.assert_allclose(r.x, np.ones(n), atol=1e-7)
        assert r.fun < 1e-15
    assert r.nfev == r.njev and r.nhev == 0
    assert all(b <= a for a, b in zip(r.losses, r.losses[1:]))   # monotone descent


@pytest.mark.parametrize("n", [2, 10])
def test_rosenbrock_newton_ad_hessian(n):
    r = minimize(rosen_np, np.zeros(n), method="newton")
    assert r.success, r.message
    np.testing.assert_allclose(r.x, np.ones(n), atol=1e-9)
    assert r.nhev >= 1 and r.nit < 50
    assert all(b <= a for a, b in zip(r.losses, r.losses[1:]))


def test_rosenbrock_100_newton_explicit_hessian():
    r = minimize(rosen_np, np.zeros(100), method="newton", hess=rosen_hess)
    assert r.success, r.message
    np.testing.assert_allclose(r.x, np.ones(100), atol=1e-9)


def test_rosenbrock_local_minimum_is_a_minimum():
    """From (-1.2, 1, ...) in 10-D Newton finds the other local minimum near x1 = -1: a
    true minimum (gradient zero, Hessian positive definite), not the global one."""
    r = minimize(rosen_np, np.tile([-1.2, 1.0], 5), method="newton")
    assert r.success and r.x[0] < -0.9 and r.fun > 3.0
    assert np.max(np.abs(rosen_der(r.x))) <= 1e-8
    assert np.linalg.eigvalsh(rosen_hess(r.x))[0] > 0


@pytest.mark.parametrize("method", ["newton", "bfgs", "lbfgs", "gd"])
def test_beale(method):
    r = minimize(beale, np.array([1.0, 1.0]), method=method, maxiter=5000, tol=1e-8)
    assert r.success, r.message
    np.testing.assert_allclose(r.x, [3.0, 0.5], atol=1e-6 if method == "gd" else 1e-9)


@pytest.mark.parametrize("method", ["newton", "bfgs", "lbfgs"])
def test_himmelblau_all_four_minima(method):
    found = []
    for x0 in [(4, 4), (-4, 4), (-4, -4), (4, -4)]:
        r = minimize(himmelblau, np.array(x0, float), method=method)
        assert r.success, (x0, r.message)
        assert np.max(np.abs(himmelblau_grad(r.x))) < 1e-7
        assert r.fun < 1e-15
        found.append(int(np.argmin(np.linalg.norm(HIMMELBLAU_MINIMA - r.x, axis=1))))
        np.testing.assert_allclose(r.x, HIMMELBLAU_MINIMA[found[-1]], atol=1e-9)
    assert sorted(found) == [0, 1, 2, 3]


def test_newton_never_steps_uphill_on_indefinite_hessian():
    """f = x^2 + y^4/4 - y^2/2: at y = 0.1 the Hessian is indefinite, and a pure Newton
    step would head for the saddle at y = 0. The modified step descends to y = +-1."""
    f = lambda p: p[0] ** 2 + p[1] ** 4 / 4 - p[1] ** 2 / 2  # noqa: E731
    r = minimize(f, np.array([1.0, 0.1]), method="newton")
    assert r.success, r.message
    np.testing.assert_allclose(np.abs(r.x), [0.0, 1.0], atol=1e-10)
    assert all(b < a for a, b in zip(r.losses, r.losses[1:]))
    assert r.fun == pytest.approx(-0.25)


def test_newton_at_saddle_reports_failure():
    f = lambda p: p[0] ** 2 - p[1] ** 2  # noqa: E731
    r = minimize(f, np.zeros(2), method="newton")
    assert not r.success and "saddle" in r.message and r.nit == 0


def test_ill_conditioned_quadratic():
    d = np.logspace(0, 6, 8)  # condition number 1e6
    x_star = np.linspace(-1, 1, 8)
    f = lambda x: 0.5 * np.sum(d * (x - x_star) ** 2)  # noqa: E731
    r = minimize(f, np.zeros(8), method="newton")
    assert r.success and r.nit == 1
    np.testing.assert_allclose(r.x, x_star, atol=1e-12)
    for method in ("bfgs", "lbfgs"):
        r = minimize(f, np.zeros(8), method=method, tol=1e-6)
        assert r.success, r.message
        np.testing.assert_allclose(r.x, x_star, atol=1e-6)
    # steepest descent zig-zags: honest failure after maxiter
    r = minimize(f, np.zeros(8), method="gd", maxiter=300, tol=1e-6)
    assert not r.success and r.status == 1 and "maxiter" in r.message
    assert r.fun < r.losses[0]


def test_fixed_step_methods_on_a_quadratic():
    """Eigenvalues mu = 1, L = 10 with the textbook-optimal parameters: gd lr = 2/(L+mu)
    (rate 9/11), heavy ball lr = 4/(sqrt L + sqrt mu)^2 with momentum
    ((sqrt k - 1)/(sqrt k + 1))^2, Nesterov lr = 1/L with momentum (sqrt k - 1)/(sqrt k + 1)."""
    d = np.array([1.0, 4.0, 10.0])
    f = lambda x: 0.5 * np.sum(d * x ** 2)  # noqa: E731
    x0 = np.ones(3)
    q = (np.sqrt(10) - 1) / (np.sqrt(10) + 1)
    runs = {"gd": (2 / 11, {}), "momentum": (4 / (np.sqrt(10) + 1) ** 2, {"momentum": q * q}),
            "nesterov": (0.1, {"momentum": q}), "adam": (0.05, {})}
    nits = {}
    for method, (lr, opts) in runs.items():
        r = minimize(f, x0, method=method, lr=lr, maxiter=5000, tol=1e-8, options=opts)
        assert r.success, (method, r.message)
        np.testing.assert_allclose(r.x, 0.0, atol=1e-7)
        nits[method] = r.nit
    # gd contracts by 9/11 per step: about log(1e-8 * ...)/log(9/11) steps
    assert 80 < nits["gd"] < 110
    assert nits["momentum"] < 0.6 * nits["gd"] and nits["nesterov"] < 0.8 * nits["gd"]


def test_gd_too_large_lr_diverges_honestly():
    r = minimize(lambda x: np.sum(x ** 2), np.ones(2), method="gd", lr=1.5)
    assert not r.success and r.status == 3
    assert "too large" in r.message and "lr=1.5" in r.message
    assert np.isinf(r.fun) or not np.isfinite(r.jac).all()


def test_gd_slightly_too_large_lr_reports_divergence():
    r = minimize(lambda x: np.sum(x ** 2), np.ones(2), method="gd", lr=1.01, maxiter=50)
    assert not r.success and "diverges" in r.message and r.fun > r.losses[0]


def test_adam_on_rosenbrock_does_not_claim_success():
    r = minimize(rosen_np, np.array([-1.2, 1.0]), method="adam", maxiter=500)
    assert not r.success and r.status == 1 and r.nit == 500


def test_nan_objective_stops_with_message():
    r = minimize(lambda x: np.sum(np.log(x)), np.array([-1.0, 2.0]), method="gd", lr=0.1)
    assert not r.success and r.status == 3 and "nan" in r.message and r.nit == 0
    for method in ("bfgs", "lbfgs", "newton"):
        r = minimize(lambda x: np.sum(np.log(x)), np.array([-1.0]), method=method)
        assert not r.success and "nan" in r.message, method


def test_line_search_avoids_nan_region():
    """log barrier: the first trial steps leave the domain; the searches shorten them."""
    f = lambda x: np.sum(x - np.log(x))  # noqa: E731   minimum at x = 1
    for method in ("gd", "newton", "bfgs", "lbfgs"):
        r = minimize(f, np.array([0.05, 3.0]), method=method)
        assert r.success, (method, r.message)
        np.testing.assert_allclose(r.x, [1.0, 1.0], atol=1e-8)


@pytest.mark.parametrize("n", [2, 10])
def test_newton_trust_region_rosenbrock(n):
    r = minimize(rosen_np, np.tile([-1.2, 1.0], n // 2), method="newton", options={
        "trust_region": True}, hess=rosen_hess)
    assert r.success, r.message
    assert np.max(np.abs(rosen_der(r.x))) <= 1e-8
    assert np.linalg.eigvalsh(rosen_hess(r.x))[0] > 0
    assert r.nfev == r.nit + 1        # one evaluation per iteration
    assert all(b <= a for a, b in zip(r.losses, r.losses[1:]))


def test_newton_trust_region_hard_case_and_saddle():
    """At (1, 0) on x^2 - y^2/2 + y^4/4 the gradient has no y component and the Hessian
    is indefinite (the hard case): the step leaves the line y = 0 along the negative
    curvature direction and reaches a minimum (0, +-1)."""
    f = lambda p: p[0] ** 2 - p[1] ** 2 / 2 + p[1] ** 4 / 4  # noqa: E731
    r = minimize(f, np.array([1.0, 0.0]), method="newton", options={"trust_region": True})
    assert r.success, r.message
    np.testing.assert_allclose(np.abs(r.x), [0.0, 1.0], atol=1e-9)
    r = minimize(lambda p: p[0] ** 2 - p[1] ** 2, np.zeros(2), method="newton",
                 options={"trust_region": True})
    assert not r.success and "saddle" in r.message


BADLY_SCALED = [
    (np.logspace(0, 6, 8), np.linspace(-1, 1, 8)),        # the benchmark's quadratic
    (np.logspace(0, 4, 20), np.cos(np.arange(20.0))),
    (np.logspace(-3, 3, 12), np.ones(12)),
]


@pytest.mark.parametrize("d, xstar", BADLY_SCALED)
def test_bfgs_badly_scaled_quadratic_no_slower_than_scipy(d, xstar):
    """Condition numbers 1e4-1e6: the default BFGS (start from I, scaled only upwards;
    eq. 3.60 initial steps) takes at most as many iterations and evaluations as SciPy's
    BFGS from the same start, both run here; the always-scaled start (s.y/y.y) I, the
    old default, is still available and converges, more slowly."""
    from scipy.optimize import minimize as sp_minimize

    f = lambda x: 0.5 * np.sum(d * (x - xstar) ** 2)  # noqa: E731
    jac = lambda x: d * (x - xstar)  # noqa: E731
    x0 = np.zeros(d.size)
    sp = sp_minimize(f, x0, jac=jac, method="BFGS", options={"gtol": 1e-8})
    for kw in ({}, {"jac": jac}):
        r = minimize(f, x0, method="bfgs", tol=1e-8, **kw)
        assert r.success, r.message
        np.testing.assert_allclose(r.x, xstar, atol=2e-8 / d.min())
        assert r.nit <= sp.nit and r.nfev <= sp.nfev, (r.nit, r.nfev, sp.nit, sp.nfev)
    scaled = minimize(f, x0, method="bfgs", jac=jac, options={"scale_init": True})
    plain = minimize(f, x0, method="bfgs", jac=jac, options={"scale_init": False})
    for r in (scaled, plain):
        assert r.success, r.message
        np.testing.assert_allclose(r.x, xstar, atol=2e-8 / d.min())


def test_bfgs_scale_init_option_is_checked():
    with pytest.raises(CalcmlError, match="scale_init must be 'up', True or False"):
        minimize(lambda x: x @ x, np.ones(2), method="bfgs", options={"scale_init": "yes"})


def test_lbfgs_compact_direction_equals_two_loop_recursion():
    """The compact form (Byrd, Nocedal & Schnabel) gives the two-loop recursion's -H g,
    also after the memory wraps around."""
    from calcml.optimize.quasi_newton import _Memory

    rng = np.random.default_rng(0)
    n, m = 7, 4
    A = rng.standard_normal((n, n))
    A = A @ A.T + n * np.eye(n)
    mem, pairs = _Memory(m, n), []
    for _ in range(6):
        s = rng.standard_normal(n)
        y = A @ s
        mem.append(s, y)
        pairs = (pairs + [(s, y)])[-m:]
        g, gamma = rng.standard_normal(n), float(s @ y / (y @ y))
        q, alphas = g.copy(), []
        for s_, y_ in reversed(pairs):
            a = (s_ @ q) / (s_ @ y_)
            alphas.append(a)
            q -= a * y_
        r = gamma * q
        for (s_, y_), a in zip(pairs, reversed(alphas)):
            r += (a - (y_ @ r) / (s_ @ y_)) * s_
        np.testing.assert_allclose(mem.direction(g, gamma), -r, rtol=1e-10, atol=1e-12)
    assert len(_Memory(0, n)) == 0


def test_wolfe_accepts_a_step_within_rounding_near_the_minimum():
    """Near the minimum f's decrease drowns in rounding; the approximate Wolfe test
    (f within eps_f |f0|, strong curvature condition) still accepts a good step, where
    the exact sufficient-decrease test alone fails."""
    from calcml.optimize import wolfe

    c = 1e8                                  # f = c + x^2 / 2: f's rounding ~1e-8
    fg = lambda x: (c + 0.5 * float(x @ x), x.copy())  # noqa: E731
    x = np.array([1e-6])
    f0, g0 = fg(x)
    ls = wolfe(fg, x, -g0, f0, g0)
    assert ls is not None and ls.wolfe and abs(ls.x[0]) < 1e-6


def test_unknown_option_is_an_error_naming_the_known_ones():
    with pytest.raises(CalcmlError, match=r"no option\(s\) scale_inti; its options: scale_init"):
        minimize(lambda x: x @ x, np.ones(2), method="bfgs", options={"scale_inti": False})
    with pytest.raises(CalcmlError, match="its options: none"):
        minimize(lambda x: x @ x, np.ones(2), method="slsqp", options={"memory": 3})
