"""calcml.plot: every function returns a Figure whose artists hold the right numbers."""
import numpy as np
import pytest
import sympy
from matplotlib.figure import Figure

import calcml as cm
import calcml.plot as cp
from calcml.errors import CalcmlError, DimensionError


def _quiver(fig):
    from matplotlib.quiver import Quiver

    qs = [c for c in fig.axes[0].collections if isinstance(c, Quiver)]
    assert len(qs) == 1
    return qs[0]


@pytest.mark.parametrize("f", ["x^2 + y^3", lambda v: v[0] ** 2 + v[1] ** 3])
def test_gradient_field_is_the_true_gradient(f):
    fig = cp.gradient_field(f, (-2, 2), (-3, 3), n=7)
    assert isinstance(fig, Figure)
    q = _quiver(fig)
    X, Y = q.X.ravel(), q.Y.ravel()
    U, V = np.asarray(q.U).ravel(), np.asarray(q.V).ravel()
    assert X.size == 49
    np.testing.assert_allclose(U, 2 * X, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(V, 3 * Y ** 2, rtol=1e-12, atol=1e-12)
    # seed 004's field used 2y for the second component: calcml's is different
    assert not np.allclose(V, 2 * Y)


def test_gradient_field_non_vectorized_callable_and_point():
    def f(v):   # Python control flow: not vectorized over a grid
        return v[0] * v[1] if v[0] > 0 else v[1] ** 2
    fig = cp.gradient_field(f, (-1, 1), (-1, 1), n=4, point=(0.5, 2.0))
    q = _quiver(fig)
    X, Y = q.X.ravel(), q.Y.ravel()
    U, V = np.asarray(q.U).ravel(), np.asarray(q.V).ravel()
    np.testing.assert_allclose(U, np.where(X > 0, Y, 0.0), atol=1e-12)
    np.testing.assert_allclose(V, np.where(X > 0, X, 2 * Y), atol=1e-12)
    assert "(2, 0.5)" in fig.axes[0].get_legend().get_texts()[0].get_text()


def test_function_and_derivative_string_and_callable():
    fig = cp.function_and_derivative("x^3 - 2x^2 + 1", -1, 2, n=50, points=[0, 4 / 3])
    f_line, d_line = fig.axes[0].lines[:2]
    x = f_line.get_xdata()
    np.testing.assert_allclose(f_line.get_ydata(), x ** 3 - 2 * x ** 2 + 1, atol=1e-12)
    np.testing.assert_allclose(d_line.get_ydata(), 3 * x ** 2 - 4 * x, atol=1e-12)
    marks = [ln for ln in fig.axes[0].lines if ln.get_marker() == "o"][0]
    np.testing.assert_allclose(marks.get_ydata(), [1.0, -5 / 27], atol=1e-12)
    assert fig.axes[0].get_legend().get_texts()[0].get_text().startswith("$")   # mathtext
    fig2 = cp.function_and_derivative(np.sin, 0, 3, n=20, order=2)
    ln = fig2.axes[0].lines[1]
    np.testing.assert_allclose(ln.get_ydata(), -np.sin(ln.get_xdata()), atol=1e-12)


def test_antiderivative_matches_exact():
    fig = cp.antiderivative("2x", 0, 3, n=30)
    lines = fig.axes[0].lines
    assert len(lines) == 4        # f, numeric F, exact F, the x axis
    x, F = lines[1].get_xdata(), lines[1].get_ydata()
    np.testing.assert_allclose(F, x ** 2, atol=1e-12)   # trapezoid is exact on a line
    np.testing.assert_allclose(lines[2].get_ydata(), x ** 2, atol=1e-12)
    fig = cp.antiderivative(np.cos, 0, np.pi, n=400)
    x, F = fig.axes[0].lines[1].get_data()
    np.testing.assert_allclose(F, np.sin(x), atol=1e-4)


@pytest.mark.parametrize("rule", ["left", "right", "midpoint"])
def test_riemann_rectangles(rule):
    n = 5
    fig = cp.riemann("x^2", 0, 1, n=n, rule=rule)
    patches = fig.axes[0].patches
    assert len(patches) == n
    area = sum(p.get_width() * p.get_height() for p in patches)
    assert area == pytest.approx(cm.num.riemann_sum(lambda t: t ** 2, 0, 1, n, rule=rule),
                                 rel=1e-12)
    exact = {"left": 6 / 25, "right": 11 / 25, "midpoint": 0.33}[rule]
    assert area == pytest.approx(exact, rel=1e-12)


def test_riemann_trapezoid_and_bad_rule():
    fig = cp.riemann(np.exp, 0, 1, n=4, rule="trapezoid")
    assert len(fig.axes[0].patches) == 4
    assert fig.axes[0].patches[0].get_xy()[1] == pytest.approx([0.0, 1.0])
    with pytest.raises(CalcmlError):
        cp.riemann("x", 0, 1, rule="upper")
    with pytest.raises(CalcmlError):
        cp.riemann("x", 1, 0)


def test_step_error_v_curve():
    r = cm.num.step_error("exp(x)", 1.0)
    fig = cp.step_error(r)
    ax = fig.axes[0]
    assert ax.get_xscale() == "log" and ax.get_yscale() == "log"
    hs, errs = ax.lines[0].get_data()
    ok = np.isfinite(r.errors) & (r.errors > 0)
    np.testing.assert_array_equal(hs, r.hs[ok])
    # the V: the smallest error is neither at the smallest nor at the largest step
    k = int(np.argmin(errs))
    assert 0 < k < len(errs) - 1
    assert ax.lines[2].get_xdata()[0] == r.best_h
    assert isinstance(cp.step_error(np.sin, x=0.5), Figure)
    with pytest.raises(CalcmlError):
        cp.step_error(np.sin)


def test_surface_values():
    fig = cp.surface("x*y", (0, 2), (0, 3), n=12)
    ax = fig.axes[0]
    assert ax.name == "3d" and len(ax.collections) == 1
    lo, hi = ax.get_zlim()
    assert lo <= 0.0 and hi >= 6.0 - 1e-9
    with pytest.raises(DimensionError):
        cp.surface("x + y + z")


def test_contour_path_draws_optimizer_paths():
    f = "(x - 1)^2 + 10*(y + 1)^2"
    gd = cm.optimize.minimize(f, {"x": 3.0, "y": 1.0}, method="gd", maxiter=200)
    nt = cm.optimize.minimize(f, {"x": 3.0, "y": 1.0}, method="newton")
    fig = cp.contour_path(f, {"gd": gd, "newton": nt})
    ax = fig.axes[0]
    paths = [ln for ln in ax.lines if ln.get_marker() == "o"]
    assert len(paths) == 2
    np.testing.assert_allclose(paths[0].get_xydata(), np.array(gd.path), atol=0)
    np.testing.assert_allclose(paths[1].get_xydata()[-1], [1.0, -1.0], atol=1e-8)
    assert len(ax.collections) >= 1     # the contours
    fig = cp.contour_path(lambda v: v[0] ** 2 + v[1] ** 2, [[1, 1], [0.5, 0.5], [0, 0]])
    assert fig.axes[0].lines[0].get_xydata().shape == (3, 2)
    with pytest.raises(CalcmlError):
        cp.contour_path(f, [[1, 2, 3], [4, 5, 6]])


def test_loss_curve():
    fig = cp.loss_curve([1.0, 0.1, 0.01, 0.001])
    assert fig.axes[0].get_yscale() == "log"
    np.testing.assert_array_equal(fig.axes[0].lines[0].get_ydata(), [1, 0.1, 0.01, 0.001])
    res = cm.optimize.minimize("x^2", {"x": 1.0}, method="gd", maxiter=20)
    fig = cp.loss_curve({"gd": res, "raw": [3.0, 2.0]}, log=False)
    assert len(fig.axes[0].lines) == 2 and fig.axes[0].get_yscale() == "linear"
    np.testing.assert_allclose(fig.axes[0].lines[0].get_ydata(), res.losses)
    with pytest.raises(CalcmlError):
        cp.loss_curve([])


def test_decision_boundary_and_svm_margin():
    from calcml.models import SVC, LogisticRegression

    X = np.array([[1.0, 1.0], [2.0, 2.0], [0.0, 3.0], [-1.0, 2.5], [3.0, 1.0], [0.5, 4.0]])
    y = np.array([1, 1, -1, -1, 1, -1])
    m = SVC(kernel="linear", C=1e6).fit(X, y)
    fig = cp.svm_margin(m, X, y, n=40)
    ax = fig.axes[0]
    sv = ax.collections[-1].get_offsets()
    np.testing.assert_allclose(np.asarray(sv), m.support_vectors_)
    levels = [c for c in ax.collections if hasattr(c, "levels")]
    assert any(len(c.levels) == 3 and np.allclose(c.levels, [-1, 0, 1]) for c in levels)
    assert "2/" in ax.get_title()
    lr = LogisticRegression().fit(X, (y > 0).astype(int))
    fig = cp.decision_boundary(lr, X, (y > 0).astype(int), n=30)
    labels = [t.get_text() for t in fig.axes[0].get_legend().get_texts()]
    assert labels == ["class 0", "class 1"]
    with pytest.raises(DimensionError):
        cp.decision_boundary(lr, np.zeros((3, 3)), [0, 1, 0])


def test_sensitivity_curves_equal_the_data():
    net = cm.sensitivity.ReactionNetwork.from_string("A -> B : k1\nB -> C : k2")
    tr, S = net.sensitivities({"A": 1.0, "B": 0.0, "C": 0.0}, {"k1": 1.0, "k2": 0.5},
                              np.linspace(0, 5, 21), return_trajectory=True)
    fig = cp.sensitivity((tr, S), parameters=net.parameters)
    a1, a2 = fig.axes
    np.testing.assert_array_equal(a1.lines[1].get_ydata(), tr.y[:, 1])
    np.testing.assert_array_equal(a2.lines[0].get_ydata(), S[:, 0, 0])
    # dA/dk1 = -t e^{-k1 t} exactly
    np.testing.assert_allclose(a2.lines[0].get_ydata(), -tr.t * np.exp(-tr.t), atol=1e-6)
    assert isinstance(tr.plot(), Figure)   # Trajectory.plot goes through calcml.plot
    with pytest.raises(DimensionError):
        cp.sensitivity(tr, S[:, :2])


def test_titles_are_mathtext_that_renders(tmp_path):
    fig = cp.gradient_field("sigmoid(x) * y^2", n=4)
    assert "$" in fig.axes[0].get_title()
    fig.savefig(tmp_path / "g.png")   # mathtext parses and renders
    assert (tmp_path / "g.png").stat().st_size > 1000
    assert sympy.latex(sympy.Symbol("x")) == "x"
