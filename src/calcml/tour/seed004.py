"""Seed 004, "Calculus for machine learning (7-day mini-course)": seven chapters.

1. derivative by rule vs by rate of change; 2. integration as a running sum; 3. the
gradient of x² + y³, its vector field and the steepest-ascent search; 4. the Jacobian
of (2xy, x²y); 5. backpropagation in a NumPy MLP on two circles; 6. critical points of
x³ − 2x² + 1; 7. a hard-margin SVM as constrained optimization (three and six points).
"""
from __future__ import annotations

import numpy as np

from calcml.tour.framework import Context, chapter

SEED = "004"


def _cubic(x):
    return x ** 3 - 2 * x ** 2 + 1


def _dcubic(x):
    return 3 * x ** 2 - 4 * x


# --------------------------------------------------------------------------- 1
@chapter("004-1-derivative", "Lesson 1: the derivative by rule and by rate of change", SEED,
         "The derivative of f(x) = x² from the rate of change (f(x + δx) − f(x))/δx with "
         "δx = 10⁻⁴, against the power rule 2x; then the lesson's task, "
         "f(x) = x³ − 2x² + 1 with f'(x) = 3x² − 4x, checked three ways.")
def derivative_lesson(ctx: Context) -> None:
    import calcml as cm

    x = np.linspace(-10, 10, 500)
    dx = 1e-4
    rate = ((x + dx) ** 2 - x ** 2) / dx
    rule = 2 * x
    ctx.close("rate of change ≈ rule 2x: the forward difference of x² is exactly 2x + δx "
              "(up to rounding)", rate - rule, np.full_like(x, dx), rtol=0, atol=1e-8)
    ctx.close("cm.derivative (AD) of x² is exactly 2x", cm.derivative(lambda t: t ** 2)(x), rule,
              rtol=0, atol=0)
    r3 = (_cubic(x + dx) - _cubic(x)) / dx
    ctx.close("task: the rate of change of x³ − 2x² + 1 approaches 3x² − 4x (error ≤ (3|x|+2)δx)",
              np.abs(r3 - _dcubic(x)) <= (3 * np.abs(x) + 2) * dx * 1.01, np.ones_like(x))
    ctx.close("task: cm.derivative (AD) equals the rule 3x² − 4x", cm.derivative(_cubic)(x),
              _dcubic(x), rtol=1e-14, atol=1e-12)
    chk = cm.check_grad(_cubic, x[::25], grad=_dcubic)
    ctx.check("cm.check_grad accepts the rule 3x² − 4x (vs finite differences)", chk.passed,
              str(chk))
    sym = ctx.optional("calcml.sym", "diff", "parse")
    if sym is not None:
        import sympy as sp

        xs = sp.Symbol("x")
        d = sym.diff("x^3 - 2x^2 + 1", "x")
        ctx.check("cm.sym.diff('x^3 - 2x^2 + 1') = 3x² − 4x",
                  sp.expand(d - (3 * xs ** 2 - 4 * xs)) == 0, f"{d}")
    if sym is not None:
        target = "x^3 - 2x^2 + 1"
    else:
        import sympy as sp

        target = _cubic(sp.Symbol("x"))          # a SymPy expression: symbolic method too
    for x0 in (-1.5, 0.5, 2.0):
        v = cm.verify(target, x0, expected=float(_dcubic(x0)))
        ctx.check(f"cm.verify at x = {x0}: {', '.join(v.values)} agree", v.agree, str(v))

    fig, (ax1, ax2) = ctx.new_figure(9, 3.4, ncols=2)
    ax1.plot(x, _cubic(x))
    ax1.set(title="$y = x^3 - 2x^2 + 1$", xlabel="$x$")
    ax2.plot(x, r3, c="r", alpha=0.5, lw=3, label="rate")
    ax2.plot(x, _dcubic(x), c="b", alpha=0.7, label="rule")
    ax2.set(title="$y = f'(x)$", xlabel="$x$")
    ax2.legend()
    ctx.figure(fig, "derivative", "The lesson's task: the derivative by the rate of change "
               "and by the rule coincide.")
    plot = ctx.optional("calcml.plot", "function_and_derivative")
    if plot is not None:
        fig = plot.function_and_derivative("x^3 - 2x^2 + 1", -1, 2.5, points=[0, 4 / 3])
        xd, yd = fig.axes[0].lines[1].get_xdata(), fig.axes[0].lines[1].get_ydata()
        ctx.close("calcml.plot.function_and_derivative draws f' = 3x² − 4x", yd, _dcubic(xd),
                  rtol=1e-12, atol=1e-12)
        ctx.figure(fig, "function-and-derivative", "calcml.plot.function_and_derivative, "
                   "with the critical points 0 and 4/3 marked (lesson 6).")


# --------------------------------------------------------------------------- 2
@chapter("004-2-integration", "Lesson 2: integration as a running sum", SEED,
         "The running sum Σ f(x)·δx of f(x) = 2x from −10 (δx = 0.1) traces the "
         "antiderivative x² (shifted). The seed says \"the antiderivative of f(x) = x is x²\": "
         "it is of f(x) = 2x, and the check catches the claim.")
def integration_lesson(ctx: Context) -> None:
    import calcml as cm

    dx = 0.1
    x = np.arange(-10, 10, dx)
    y = np.cumsum(2 * x * dx)                   # the seed's running sum
    # y[k] is the left sum over [-10, x[k] + dx]; its error is O(dx).
    F_next = (x + dx) ** 2 - 100
    ctx.check("the seed's running sum follows x² − 100 (evaluated at x + δx) within the "
              "left-sum error 20·δx = 2", np.max(np.abs(y - F_next)) <= 20 * dx + 1e-9,
              f"max |difference| {np.max(np.abs(y - F_next)):.4f}")
    xg, F = cm.num.cumulative_integral(lambda t: 2 * t, -10, 10, 200, rule="trapezoid")
    ctx.close("cm.num.cumulative_integral (trapezoid, exact for a line) gives x² − 100", F,
              xg ** 2 - 100, rtol=1e-12, atol=1e-10)
    xl, Fl = cm.num.cumulative_integral(lambda t: 2 * t, -10, 10, 200)
    ctx.close("… and its left running sum is off by exactly (x + 10)·δx (first order)",
              (xl ** 2 - 100) - Fl, (xl + 10) * dx, rtol=1e-9, atol=1e-9)
    claim = cm.verify(lambda t: t, (0.0, 3.0), what="integral", methods=("numeric", "simpson"),
                      expected=lambda t: t ** 2)
    ctx.check("the seed's claim \"the antiderivative of x is x²\" is caught by cm.verify",
              not claim.agree, str(claim), catches_bug=True)
    right = cm.verify(lambda t: 2 * t, (0.0, 3.0), what="integral",
                      methods=("numeric", "simpson"), expected=lambda t: t ** 2)
    ctx.check("x² is the antiderivative of 2x: cm.verify agrees", right.agree, str(right))
    ctx.close("… and d/dx x² = 2x by AD, not x", cm.derivative(lambda t: t ** 2)(x), 2 * x,
              rtol=0, atol=0)
    # The task: f(x) = 3x^2 - 4x, antiderivative x^3 - 2x^2 (+ C).
    xs, Fs = cm.num.cumulative_integral(lambda t: 3 * t ** 2 - 4 * t, -10, 10, 200,
                                        rule="simpson")
    ctx.close("task: the running integral of 3x² − 4x is x³ − 2x² − (−1000 − 200)", Fs,
              xs ** 3 - 2 * xs ** 2 - (-1000 - 200), rtol=1e-12, atol=1e-8)
    task = cm.verify(lambda t: 3 * t ** 2 - 4 * t, (-2.0, 3.0), what="integral",
                     methods=("numeric", "simpson"), expected=lambda t: t ** 3 - 2 * t ** 2)
    ctx.check("task: cm.verify confirms x³ − 2x² as the antiderivative", task.agree, str(task))
    sym = ctx.optional("calcml.sym", "integrate", "parse")
    if sym is not None:
        import sympy as sp

        t = sp.Symbol("x")
        anti = sym.integrate("3x^2 - 4x", "x")
        ctx.check("cm.sym.integrate('3x^2 - 4x') = x³ − 2x²",
                  sp.simplify(sp.diff(anti, t) - (3 * t ** 2 - 4 * t)) == 0 and
                  sp.simplify(anti - (t ** 3 - 2 * t ** 2)).is_constant(), f"{anti}")

    fig, (ax1, ax2) = ctx.new_figure(9, 3.4, ncols=2)
    ax1.plot(x, y, lw=3, alpha=0.6, label=r"running sum $\sum 2x\,\delta x$")
    ax1.plot(x, x ** 2 - 100, "k--", label="$x^2 - 100$")
    ax1.set(xlabel="$x$", title="Antiderivative of $2x$")
    ax1.legend()
    ax2.plot(xs, Fs, lw=3, alpha=0.6, label="running integral")
    ax2.plot(xs, xs ** 3 - 2 * xs ** 2 + 1200, "k--", label="$x^3 - 2x^2 + C$")
    ax2.plot(xs, 3 * xs ** 2 - 4 * xs, label="$3x^2 - 4x$")
    ax2.set(xlabel="$x$", title="The task: $3x^2 - 4x$")
    ax2.legend()
    ctx.figure(fig, "running-sum", "Running sums are antiderivatives up to a constant "
               "(and an O(δx) error for the left sum).")
    plot = ctx.optional("calcml.plot", "antiderivative")
    if plot is not None:
        fig = plot.antiderivative("3x^2 - 4x", -2, 3)
        xa, Fa = fig.axes[0].lines[1].get_xdata(), fig.axes[0].lines[1].get_ydata()
        h = xa[1] - xa[0]
        ctx.close("calcml.plot.antiderivative draws x³ − 2x² − F(−2), up to the trapezoid "
                  "rule's exact error (x + 2)·h²·f''/12 for this quadratic integrand",
                  Fa - (xa ** 3 - 2 * xa ** 2 - (-8 - 8)), (xa + 2) * h ** 2 * 6 / 12,
                  rtol=1e-6, atol=1e-10)
        ctx.figure(fig, "antiderivative", "calcml.plot.antiderivative of the task's 3x² − 4x.")


# --------------------------------------------------------------------------- 3
SEED_FIELD = """\
# Compute the gradient of f(x,y)
fx = 2*xv
fy = 2*yv          # wrong: d/dy y^3 = 3 y^2"""


@chapter("004-3-gradient", "Lesson 3: the gradient of x² + y³ and steepest ascent", SEED,
         "∇f = (2x, 3y²) for f(x, y) = x² + y³; at (2, 3) it is (4, 27). The seed's "
         "vector-field code uses fy = 2y; the check over the grid catches it. The seed's "
         "search over directions at 0.1° steps finds the gradient direction.")
def gradient_lesson(ctx: Context) -> None:
    import calcml as cm
    from calcml.errors import GradientCheckError

    def f(p):
        return p[0] ** 2 + p[1] ** 3

    p0 = np.array([2.0, 3.0])
    ctx.close("cm.grad at (2, 3) is (4, 27)", cm.grad(f)(p0), [4.0, 27.0], rtol=0, atol=0)
    est = cm.num.gradient(f, p0)
    ctx.check("cm.num.gradient at (2, 3) is (4, 27) within its error estimate",
              np.all(np.abs(est.value - [4, 27]) <= est.error + 1e-12),
              f"{est.value} ± {est.error}")
    sym = ctx.optional("calcml.sym", "gradient", "parse")
    if sym is not None:
        target = "x^2 + y^3"
    else:
        import sympy as sp

        target = sp.Symbol("x") ** 2 + sp.Symbol("y") ** 3
    v = cm.verify(target, [2.0, 3.0], expected=[4.0, 27.0])
    ctx.check(f"cm.verify: {', '.join(v.values)} gradients agree", v.agree, str(v))
    if sym is not None:
        g = sym.gradient("x^2 + y^3")
        ctx.check("cm.sym.gradient('x^2 + y^3') = (2x, 3y²)", str(list(g)) == "[2*x, 3*y**2]",
                  f"{list(g)}")

    # The vector field on the seed's grid.
    grid = np.linspace(-10, 10, 20)
    xv, yv = np.meshgrid(grid, grid, indexing="ij")

    def field_f(X, Y):
        return np.sum(X ** 2 + Y ** 3)     # the gradient of the sum is the field, pointwise

    fx_ad, fy_ad = cm.grad(field_f, argnums=(0, 1))(xv, yv)
    ctx.code(SEED_FIELD, "seed 004 lesson 3, as printed")
    ctx.close("the seed's fy = 2y is caught: it differs from ∂f/∂y by AD on the grid",
              2 * yv, fy_ad, catches_bug=True)

    def seed_field(X, Y):
        return 2 * X, 2 * Y

    ctx.raises("cm.check_grad rejects the seed's field as the gradient of x² + y³",
               lambda: cm.check_grad(field_f, xv[:3, :3], yv[:3, :3], grad=seed_field),
               (GradientCheckError,))
    ctx.close("the corrected field (2x, 3y²) equals the AD gradient", [2 * xv, 3 * yv ** 2],
              [fx_ad, fy_ad], rtol=0, atol=0)
    chk = cm.check_grad(field_f, xv[:3, :3], yv[:3, :3], grad=lambda X, Y: (2 * X, 3 * Y ** 2))
    ctx.check("cm.check_grad accepts the corrected field", chk.passed, str(chk))

    # Steepest ascent by searching directions (the seed's 0.1-degree search).
    res = cm.num.steepest_direction(lambda x, y: x ** 2 + y ** 3, [2, 3], n_angles=3600)
    seed_angle = np.degrees(np.arctan2(4, 27))        # the seed measures from the y axis
    ctx.table(["", "value"],
              [["searched gradient (rate × direction)", res.searched_gradient],
               ["seed's printed result", [3.987419245872443, 27.002750276227097]],
               ["gradient (formula)", [4.0, 27.0]],
               ["angle from +x axis (deg)", res.angle],
               ["angle error vs the gradient (deg)", res.angle_error]])
    ctx.check("the direction search finds the gradient direction within 0.05° (step 0.1°)",
              res.angle_error <= 0.05, f"{res}")
    ctx.close("… its rate × direction is (4, 27) to 0.5 %", res.searched_gradient, [4, 27],
              rtol=5e-3)
    ctx.check("the seed's '8.4 degrees' is measured from the y axis: atan(4/27) = 8.43°, and "
              "90° − calcml's angle agrees to 0.1°",
              abs((90 - res.angle) - seed_angle) <= 0.1 and abs(seed_angle - 8.4) < 0.05,
              f"atan2(4, 27) = {seed_angle:.3f}°, 90 − angle = {90 - res.angle:.2f}°")
    task = cm.num.steepest_direction(lambda x, y: x ** 2 + y ** 2, [1, 1])
    ctx.close("task: for x² + y² at (1, 1) the search gives (2, 2)", task.searched_gradient,
              [2.0, 2.0], rtol=5e-3)
    ctx.close("… and cm.grad gives exactly (2, 2)",
              cm.grad(lambda p: p[0] ** 2 + p[1] ** 2)(np.array([1.0, 1.0])), [2.0, 2.0],
              rtol=0, atol=0)

    fig = ctx.new_figure(11, 3.8, ncols=3)[0]
    fig.clear()
    ax0 = fig.add_subplot(1, 3, 1, projection="3d")
    g2 = np.linspace(-10, 10, 40 if ctx.fast else 80)
    sx, sy = np.meshgrid(g2, g2, indexing="ij")
    ax0.plot_surface(sx, sy, sx ** 2 + sy ** 3, cmap="viridis")
    ax0.set(title="$f(x,y) = x^2 + y^3$", xlabel="$x$", ylabel="$y$")
    for k, (title, fx, fy) in enumerate(((r"true $\nabla f = (2x, 3y^2)$", fx_ad, fy_ad),
                                         (r"seed's field $(2x, 2y)$ (wrong)", 2 * xv, 2 * yv))):
        ax = fig.add_subplot(1, 3, k + 2)
        size = np.sqrt(fx ** 2 + fy ** 2)
        ax.quiver(xv, yv, fx / size, fy / size, size, cmap="viridis")
        ax.set(title=title, xlabel="$x$", ylabel="$y$", aspect="equal")
    ctx.figure(fig, "gradient-field", "The surface, its true gradient field (directions, "
               "colour = size) and the seed's wrong field, which points radially.")
    plot = ctx.optional("calcml.plot", "gradient_field")
    if plot is not None:
        fig = plot.gradient_field("x^2 + y^3", (-4, 4), (-4, 4), n=12, point=(2, 3))
        q = fig.axes[0].collections[-1]
        Xq, Yq = (np.asarray(q.X).reshape(np.shape(q.U)), np.asarray(q.Y).reshape(np.shape(q.V)))
        ctx.close("calcml.plot.gradient_field draws the true field: V = 3y² (not the seed's 2y)",
                  [q.U, q.V], [2 * Xq, 3 * Yq ** 2], rtol=1e-12, atol=1e-12)
        ctx.figure(fig, "true-field", "calcml.plot.gradient_field: contours, the true "
                   "gradient arrows, and ∇f(2, 3) = (4, 27).")


# --------------------------------------------------------------------------- 4
@chapter("004-4-jacobian", "Lesson 4: the Jacobian of (2xy, x²y)", SEED,
         "J = [[2y, 2x], [2xy, x²]] by SymPy (the seed's way), by calcml's reverse and "
         "forward modes and numerically; then the lesson's task, a layer of three "
         "sigmoids, whose Jacobian is diag(σ'(Wx)) W.")
def jacobian_lesson(ctx: Context) -> None:
    import sympy as sp

    import calcml as cm

    x, y = sp.symbols("x y")
    J_sp = sp.Matrix([2 * x * y, x ** 2 * y]).jacobian(sp.Matrix([x, y]))
    ctx.check("SymPy (the seed's code) gives [[2y, 2x], [2xy, x²]]",
              J_sp == sp.Matrix([[2 * y, 2 * x], [2 * x * y, x ** 2]]), f"{J_sp}")

    def F(p):
        return np.stack([2 * p[0] * p[1], p[0] ** 2 * p[1]])

    p0 = np.array([1.5, -2.0])
    exact = np.array(J_sp.subs({x: 1.5, y: -2.0}).tolist(), dtype=float)
    ctx.close("cm.jacobian (reverse mode) at (1.5, −2) equals SymPy's", cm.jacobian(F)(p0),
              exact, rtol=1e-15)
    ctx.close("cm.jacobian (forward mode) too", cm.jacobian(F, mode="fwd")(p0), exact,
              rtol=1e-15)
    est = cm.num.jacobian(F, p0)
    ctx.check("cm.num.jacobian agrees within its error estimate",
              np.all(np.abs(est.value - exact) <= est.error + 1e-12), f"{est.value}")
    sym = ctx.optional("calcml.sym", "jacobian", "parse")
    if sym is not None:
        Jc = sym.jacobian("2x y, x^2 y")
        ctx.check("cm.sym.jacobian('2x y, x^2 y') equals SymPy's", sp.simplify(Jc - J_sp) ==
                  sp.zeros(2, 2), f"{Jc}")

    # Task: f(x, y) = (σ(px + qy), σ(rx + sy), σ(tx + uy)).
    W = np.array([[0.5, -1.0], [2.0, 0.3], [-0.7, 1.2]])   # rows (p, q), (r, s), (t, u)

    def layer(v):
        return 1 / (1 + np.exp(-(W @ v)))

    v0 = np.array([0.4, -0.9])
    s = layer(v0)
    formula = (s * (1 - s))[:, None] * W
    ctx.close("task: the sigmoid layer's Jacobian diag(σ(1−σ))·W equals cm.jacobian",
              cm.jacobian(layer)(v0), formula, rtol=1e-14)
    P = sp.Matrix(3, 2, sp.symbols("p q r s t u"))
    layer_sym = (P * sp.Matrix([x, y])).applyfunc(lambda e: 1 / (1 + sp.exp(-e)))
    J_layer = layer_sym.jacobian(sp.Matrix([x, y]))
    subs = dict(zip(sp.symbols("p q r s t u"), W.ravel())) | {x: v0[0], y: v0[1]}
    ctx.close("… and SymPy's Jacobian of the symbolic layer, evaluated", np.array(
        J_layer.subs(subs).evalf().tolist(), dtype=float), formula, rtol=1e-13)

    fig, ax = ctx.new_figure(5, 4.5)
    t = np.linspace(0, 2 * np.pi, 60)
    circle = np.stack([np.cos(t), np.sin(t)]) * 0.1
    J = cm.jacobian(F)(p0)
    img = np.array([F(p0 + c) - F(p0) for c in circle.T])
    lin = (J @ circle).T
    ax.plot(img[:, 0], img[:, 1], lw=3, alpha=0.5, label="image of a small circle")
    ax.plot(lin[:, 0], lin[:, 1], "k--", label="J · circle (linearisation)")
    ax.set(aspect="equal", title="The Jacobian maps small circles to ellipses",
           xlabel="$\\Delta p$", ylabel="$\\Delta q$")
    ax.legend(fontsize=8)
    ctx.figure(fig, "linearisation", "Near (1.5, −2) the map (2xy, x²y) is its Jacobian.")


# --------------------------------------------------------------------------- 5
SEED_BUGS = """\
def dsigmoid(z):
    s = sigmoid(z)
    return 2 * s * (1-s)                      # wrong: s (1 - s)

def cross_entropy(y, yhat):
    return ( -(y.T @ np.log(yhat.clip(epsilon)) +
              (1-y.T) @ np.log((1-yhat).clip(epsilon))) / y.shape[1] )   # / 1, not / n

def backward(self, y, yhat):
    ...
    self.dW[l] = self.a[l-1].T @ self.dz[l]                   # a sum over samples
    self.db[l] = np.mean(self.dz[l], axis=0, keepdims=True)   # ... but a mean here"""


class _SeedMLP:
    """Seed 004's ``mlp`` class, as printed (indentation restored), for the checks."""

    def __init__(self, layersizes, activations, derivatives, lossderiv):
        self.layersizes = tuple(layersizes)
        self.activations = tuple(activations)
        self.derivatives = tuple(derivatives)
        self.lossderiv = lossderiv
        L = len(self.layersizes)
        self.z, self.W, self.b, self.a = [None] * L, [None] * L, [None] * L, [None] * L
        self.dz, self.dW, self.db, self.da = [None] * L, [None] * L, [None] * L, [None] * L

    def initialize(self, seed=42):
        rng = np.random.RandomState(seed)
        for l, (n_in, n_out) in enumerate(zip(self.layersizes, self.layersizes[1:]), 1):
            self.W[l] = rng.randn(n_in, n_out) * 0.1
            self.b[l] = rng.randn(1, n_out) * 0.1

    def forward(self, x):
        self.a[0] = x
        for l, func in enumerate(self.activations, 1):
            self.z[l] = (self.a[l - 1] @ self.W[l]) + self.b[l]
            self.a[l] = func(self.z[l])
        return self.a[-1]

    def backward(self, y, yhat):
        self.da[-1] = self.lossderiv(y, yhat)
        for l, func in reversed(list(enumerate(self.derivatives, 1))):
            self.dz[l] = self.da[l] * func(self.z[l])
            self.dW[l] = self.a[l - 1].T @ self.dz[l]
            self.db[l] = np.mean(self.dz[l], axis=0, keepdims=True)
            self.da[l - 1] = self.dz[l] @ self.W[l].T

    def update(self, eta):
        for l in range(1, len(self.W)):
            self.W[l] -= eta * self.dW[l]
            self.b[l] -= eta * self.db[l]


@chapter("004-5-backprop", "Lesson 5: backpropagation in a NumPy MLP on two circles", SEED,
         "The seed's network (2-4-3-1, ReLU, ReLU, sigmoid) on make_circles. Its "
         "hand-written derivatives are checked against automatic differentiation: "
         "dsigmoid = 2s(1−s) is caught by cm.check_grad, cross_entropy divides by "
         "y.shape[1] = 1 instead of n, and backward() mixes a summed dW with a mean db. "
         "The corrected network trains to high accuracy, manual and AD backprop agree.")
def backprop_lesson(ctx: Context) -> None:
    import calcml as cm
    from calcml.datasets import circles
    from calcml.errors import GradientCheckError
    from calcml.nn import binary_cross_entropy

    eps = np.finfo(float).eps

    def sigmoid(z):
        return 1 / (1 + np.exp(-z.clip(-500, 500)))

    def seed_dsigmoid(z):
        s = sigmoid(z)
        return 2 * s * (1 - s)

    def dsigmoid(z):
        s = sigmoid(z)
        return s * (1 - s)

    def relu(z):
        return np.maximum(0, z)

    def drelu(z):
        return (z > 0).astype(float)

    def seed_cross_entropy(y, yhat):
        return (-(y.T @ np.log(yhat.clip(eps)) + (1 - y.T) @ np.log((1 - yhat).clip(eps)))
                / y.shape[1])

    def d_cross_entropy(y, yhat):
        return -np.divide(y, yhat.clip(eps)) + np.divide(1 - y, (1 - yhat).clip(eps))

    ctx.code(SEED_BUGS, "seed 004 lesson 5, the defective lines")
    z = np.linspace(-4, 4, 9)
    ctx.raises("cm.check_grad(sigmoid, z, grad=seed_dsigmoid) catches the factor 2",
               lambda: cm.check_grad(sigmoid, z, grad=seed_dsigmoid), (GradientCheckError,))
    chk = cm.check_grad(sigmoid, z, grad=dsigmoid)
    ctx.check("… and accepts the corrected dsigmoid = s(1 − s)", chk.passed, str(chk))

    n = 300 if ctx.fast else 1000
    X, y = circles(n_samples=n, noise=0.1, factor=0.5, random_state=0)
    Y = y.reshape(-1, 1).astype(float)
    model = _SeedMLP([2, 4, 3, 1], [relu, relu, sigmoid], [drelu, drelu, seed_dsigmoid],
                     d_cross_entropy)
    model.initialize()
    yhat = model.forward(X)
    seed_loss = float(np.squeeze(seed_cross_entropy(Y, yhat)))
    mean_loss = float(binary_cross_entropy(Y, yhat))
    ctx.close("the seed's cross_entropy is caught: it is not the mean over samples",
              seed_loss, mean_loss, rtol=1e-6, catches_bug=True)
    ctx.close("… it is n × the mean (it divides by y.shape[1] = 1)", seed_loss, n * mean_loss,
              rtol=1e-12)

    params = [model.W[1], model.b[1], model.W[2], model.b[2], model.W[3], model.b[3]]

    def forward(W1, b1, W2, b2, W3, b3):
        a1 = relu(X @ W1 + b1)
        a2 = relu(a1 @ W2 + b2)
        return sigmoid(a2 @ W3 + b3)

    def sum_loss(*p):        # what the seed's lossderiv differentiates (no 1/n)
        return n * binary_cross_entropy(Y, forward(*p))

    ad = cm.grad(sum_loss, argnums=tuple(range(6)))(*params)
    model.backward(Y, yhat)
    ctx.close("the seed's output-layer dW₃ is caught: twice the AD gradient (dsigmoid)",
              model.dW[3], ad[4], rtol=1e-6, catches_bug=True)
    ctx.close("… exactly twice", model.dW[3], 2 * ad[4], rtol=1e-9, atol=1e-12)
    fixed = _SeedMLP([2, 4, 3, 1], [relu, relu, sigmoid], [drelu, drelu, dsigmoid],
                     d_cross_entropy)
    fixed.initialize()
    fixed.backward(Y, fixed.forward(X))
    ctx.close("with dsigmoid fixed, every dW equals the AD gradient of the summed loss",
              np.concatenate([fixed.dW[l].ravel() for l in (1, 2, 3)]),
              np.concatenate([ad[k].ravel() for k in (0, 2, 4)]), rtol=1e-9, atol=1e-12)
    ctx.close("… but db is caught: np.mean makes it 1/n of the summed loss's gradient",
              fixed.db[3], ad[5], rtol=1e-6, catches_bug=True)
    ctx.close("… db equals the gradient of the *mean* loss: the seed mixes sum and mean",
              np.concatenate([fixed.db[l].ravel() for l in (1, 2, 3)]),
              np.concatenate([ad[k].ravel() / n for k in (1, 3, 5)]), rtol=1e-9, atol=1e-14)

    # The seed's training run, as printed (bugs included), for the record.
    model.initialize()
    for _ in range(30 if ctx.fast else 150):
        model.forward(X)
        model.backward(Y, model.a[-1])
        model.update(0.005)
    seed_acc = float(np.mean((model.forward(X) > 0.5) == Y))

    models = ctx.optional("calcml.models", "MLPClassifier")
    rows = [["seed's code as printed (150 epochs, η = 0.005)", seed_acc, "—"]]
    if models is not None:
        clf = models.MLPClassifier((4, 3), activation="relu", solver="lbfgs",
                                   max_iter=100 if ctx.fast else 300, random_state=0,
                                   backprop="manual").fit(X, y)
        acc = clf.score(X, y)
        rows.append(["calcml MLPClassifier (4, 3), manual backprop, L-BFGS", acc, clf.n_iter_])
        ctx.check("the corrected network separates the circles (accuracy ≥ 0.95)", acc >= 0.95,
                  f"accuracy {acc:.3f} after {clf.n_iter_} iterations")
        (la, ga), (lm, gm) = clf.loss_gradient(X, y, "ad"), clf.loss_gradient(X, y, "manual")
        ctx.close("MLPClassifier: manual backprop gradient equals the AD gradient",
                  np.concatenate([g.ravel() for g in gm]),
                  np.concatenate([g.ravel() for g in ga]), rtol=1e-9, atol=1e-14)
        jacs = clf.layer_jacobians(X[:5])
        total = jacs[-1]
        for Jl in reversed(jacs[:-1]):
            total = total @ Jl
        def net_out(v):        # the fitted network as plain NumPy (relu, relu, sigmoid)
            a = v
            for W, b in zip(clf.coefs_[:-1], clf.intercepts_[:-1]):
                a = np.maximum(a @ W + b, 0)
            return sigmoid(a @ clf.coefs_[-1] + clf.intercepts_[-1])[0]

        ctx.close("the plain-NumPy forward pass reproduces predict_proba",
                  [net_out(xi) for xi in X[:5]], clf.predict_proba(X[:5])[:, 1], rtol=1e-12)
        net_in = cm.jacobian(net_out)
        ctx.close("the product of the layer Jacobians diag(f'(z))·Wᵀ is the network's "
                  "input Jacobian (vs AD)", total[:, 0, :],
                  np.array([net_in(xi) for xi in X[:5]]), rtol=1e-8, atol=1e-12)
        plot = ctx.optional("calcml.plot", "decision_boundary", "loss_curve")
        if plot is not None:
            ctx.figure(plot.decision_boundary(clf, X, y, proba=True), "circles",
                       f"calcml.plot.decision_boundary: the corrected 2-4-3-1 network on the "
                       f"two circles (accuracy {acc:.3f}).")
            ctx.figure(plot.loss_curve(clf), "loss", "calcml.plot.loss_curve of the training.")
            ctx.table(["model", "training accuracy", "iterations"], rows)
            return
        fig, (ax1, ax2) = ctx.new_figure(9, 3.8, ncols=2)
        gx, gy = np.meshgrid(np.linspace(-1.5, 1.5, 120), np.linspace(-1.5, 1.5, 120))
        prob = clf.predict_proba(np.c_[gx.ravel(), gy.ravel()])[:, 1].reshape(gx.shape)
        ax1.contourf(gx, gy, prob, levels=20, cmap="RdBu_r", alpha=0.6)
        ax1.contour(gx, gy, prob, levels=[0.5], colors="k")
        ax1.scatter(X[:, 0], X[:, 1], c=y, s=6, cmap="RdBu_r", edgecolors="none")
        ax1.set(aspect="equal", title=f"Decision boundary (accuracy {acc:.3f})")
        ax2.semilogy(clf.loss_curve_)
        ax2.set(xlabel="iteration", ylabel="cross-entropy", title="Training loss")
        ctx.figure(fig, "circles", "The corrected 2-4-3-1 network on the two circles.")
    ctx.table(["model", "training accuracy", "iterations"], rows)


# --------------------------------------------------------------------------- 6
@chapter("004-6-optimization", "Lesson 6: critical points of x³ − 2x² + 1", SEED,
         "f'(x) = 3x² − 4x vanishes at x = 0 (a maximum, f = 1) and x = 4/3 (a minimum, "
         "f = −5/27); the second derivative tells which. The task: log x has no critical "
         "point.")
def optimization_lesson(ctx: Context) -> None:
    import calcml as cm

    d1 = cm.derivative(_cubic)
    d2 = cm.derivative(cm.derivative(_cubic))
    # f' is a quadratic: its coefficients from AD values at three points, then its roots.
    pts = np.array([-1.0, 0.0, 1.0])
    coef = np.polyfit(pts, d1(pts), 2)
    ctx.close("AD's f' interpolates 3x² − 4x", coef, [3.0, -4.0, 0.0], rtol=1e-12, atol=1e-12)
    roots = np.sort(np.roots(coef).real)
    ctx.close("f'(x) = 0 at x = 0 and x = 4/3", roots, [0.0, 4 / 3], rtol=1e-12, atol=1e-12)
    ctx.close("f'' = 6x − 4 by nested AD: −4 at 0 (maximum), 4 at 4/3 (minimum)",
              d2(roots), [-4.0, 4.0], rtol=1e-12, atol=1e-12)
    ctx.close("f(0) = 1 and f(4/3) = −5/27", _cubic(roots), [1.0, -5 / 27], rtol=1e-12)

    # Newton's method on f' (needs f''), from x = 2 and x = -0.5.
    found = []
    for x in (2.0, -0.5):
        for _ in range(50):
            step = d1(x) / d2(x)
            x -= step
            if abs(step) < 1e-15:
                break
        found.append(x)
    ctx.close("Newton on f' from 2 and −0.5 converges to 4/3 and 0", found, [4 / 3, 0.0],
              rtol=1e-12, atol=1e-12)
    sym = ctx.optional("calcml.sym", "critical_points", "parse")
    if sym is not None:
        cps = sym.critical_points("x^3 - 2x^2 + 1")
        got = sorted((float(list(c.point.values())[0]), c.kind) for c in cps)
        ctx.check("cm.sym.critical_points: x = 0 maximum, x = 4/3 minimum",
                  len(got) == 2 and abs(got[0][0]) < 1e-15 and got[0][1] == "maximum"
                  and abs(got[1][0] - 4 / 3) < 1e-15 and got[1][1] == "minimum", f"{got}")
    opt = ctx.optional("calcml.optimize", "minimize")
    if opt is not None:
        res = opt.minimize(lambda v: _cubic(v[0]), np.array([2.0]), method="bfgs")
        ctx.close("cm.optimize.minimize from 2 finds the local minimum 4/3", res.x, [4 / 3],
                  rtol=1e-6)

    # The task: log x.
    xs = np.linspace(0.05, 5, 200)
    dlog = cm.derivative(np.log)(xs)
    ctx.close("task: d/dx log x = 1/x (AD)", dlog, 1 / xs, rtol=1e-15)
    ctx.check("… which is > 0 for every x > 0: no critical point, log x only increases "
              "(no maximum or minimum)", np.all(dlog > 0),
              f"min of 1/x on (0, 5]: {dlog.min():.3f}")

    fig, (ax1, ax2) = ctx.new_figure(9, 3.4, ncols=2)
    x = np.linspace(-1, 2.5, 300)
    ax1.plot(x, _cubic(x), label="$f(x)$")
    ax1.plot(x, d1(x), label="$f'(x)$")
    ax1.plot(roots, _cubic(roots), "ko")
    for r, lab in zip(roots, ("max", "min")):
        ax1.annotate(lab, (r, _cubic(r)), textcoords="offset points", xytext=(5, 8))
    ax1.axhline(0, color="gray", lw=0.5)
    ax1.set(xlabel="$x$", title="$x^3 - 2x^2 + 1$: critical points")
    ax1.legend()
    ax2.plot(xs, np.log(xs), label=r"$\log x$")
    ax2.plot(xs, dlog, label="$1/x$")
    ax2.set(xlabel="$x$", title=r"$\log x$ has no critical point", ylim=(-3, 5))
    ax2.legend()
    ctx.figure(fig, "critical", "Where f' = 0, f has a maximum (f'' < 0) or a minimum (f'' > 0).")


# --------------------------------------------------------------------------- 7
@chapter("004-7-svm", "Lesson 7: the hard-margin SVM as constrained optimization", SEED,
         "Minimize a² + b² subject to yᵢ(a xᵢ + b yᵢ + c) ≥ 1 for (0, 0) in class −1 and "
         "(1, 2), (2, 1) in class +1: a = b = 2/3, c = −1, objective 8/9. The KKT "
         "conditions are checked with multipliers from the Lagrangian. With three more "
         "points, (−1, −1), (−3, −1) and (3, 3), the answer stays the same: the new points "
         "lie beyond the margin, so they are not support vectors.")
def svm_lesson(ctx: Context) -> None:
    from scipy.optimize import minimize

    import calcml as cm

    P3 = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]])
    y3 = np.array([-1.0, 1.0, 1.0])
    P6 = np.vstack([P3, [[-1.0, -1.0], [-3.0, -1.0], [3.0, 3.0]]])
    y6 = np.concatenate([y3, [-1.0, -1.0, 1.0]])

    def objective(w):
        return w[0] ** 2 + w[1] ** 2

    def margins(w, P, yy):
        return yy * (P @ w[:2] + w[2]) - 1

    def solve(P, yy):          # the seed's SciPy SLSQP call, generalised to N points
        cons = [{"type": "ineq", "fun": (lambda w, i=i: margins(w, P, yy)[i])}
                for i in range(len(yy))]
        return minimize(objective, np.array([1.0, 1.0, 1.0]), method="SLSQP",
                        bounds=((-10, 10),) * 3, constraints=cons)

    w_star = np.array([2 / 3, 2 / 3, -1.0])
    sol3 = solve(P3, y3)
    ctx.close("SciPy SLSQP (the seed's code): a = b = 2/3, c = −1", sol3.x, w_star, rtol=1e-6,
              atol=1e-7)
    ctx.close("… objective 8/9", objective(sol3.x), 8 / 9, rtol=1e-6)

    # KKT at the exact answer: grad f = sum lambda_i grad g_i, lambda >= 0, g_i(w*) = 0.
    G = cm.jacobian(lambda w: margins(w, P3, y3))(w_star)       # rows: grad g_i
    gf = cm.grad(objective)(w_star)
    lam = np.linalg.solve(G.T, gf)
    ctx.close("Lagrange multipliers from ∇f = Σλᵢ∇gᵢ (gradients by AD): λ = (8/9, 4/9, 4/9)",
              lam, [8 / 9, 4 / 9, 4 / 9], rtol=1e-12)
    ctx.check("KKT: every λᵢ ≥ 0 and every constraint active (gᵢ = 0), so w* is optimal "
              "for this convex problem", np.all(lam >= 0) and
              np.allclose(margins(w_star, P3, y3), 0, atol=1e-15),
              f"λ = {lam}, g(w*) = {margins(w_star, P3, y3)}")
    ctx.close("the margin width 2/‖(a, b)‖ = 3/√2 (distance from (0,0) to the line is 1/‖(a,b)‖)",
              2 / np.hypot(*w_star[:2]), 3 / np.sqrt(2), rtol=1e-14)

    sol6 = solve(P6, y6)
    ctx.close("six points: the solution is the same", sol6.x, w_star, rtol=1e-6, atol=1e-7)
    slack = margins(w_star, P6, y6)
    ctx.check("… because the three new points lie strictly beyond the margin "
              "(yᵢ(axᵢ + byᵢ + c) − 1 > 0): they are not support vectors",
              np.all(slack[3:] > 0.5) and np.allclose(slack[:3], 0, atol=1e-15),
              f"margins − 1 at the six points: {slack.round(4)}")

    opt = ctx.optional("calcml.optimize", "minimize", "Constraint")
    if opt is not None:
        cons = [opt.Constraint(lambda w, i=i: margins(w, P3, y3)[i]) for i in range(3)]
        res = opt.minimize(objective, np.array([1.0, 1.0, 1.0]), method="slsqp",
                           constraints=cons)
        ctx.close("cm.optimize.minimize(method='slsqp') agrees", res.x, w_star, rtol=1e-6,
                  atol=1e-7)
    sym = ctx.optional("calcml.sym", "lagrange")
    if sym is not None:
        lg = sym.lagrange("a^2 + b^2", ["-c - 1 >= 0", "a + 2*b + c - 1 >= 0",
                                        "2*a + b + c - 1 >= 0"])
        d = {str(k): v for k, v in lg.point.items()}
        ctx.close("cm.sym.lagrange: exact a = b = 2/3, c = −1, value 8/9",
                  [float(d["a"]), float(d["b"]), float(d["c"]), float(lg.value)],
                  [2 / 3, 2 / 3, -1.0, 8 / 9], rtol=1e-14)
        mult = [float(v) for _, v in sorted(lg.multipliers.items(), key=lambda kv: str(kv[0]))]
        ctx.check("… with multipliers 8/9, 4/9, 4/9 (as found from the KKT system above)",
                  len(mult) == 3 and np.allclose(sorted(mult), [4 / 9, 4 / 9, 8 / 9],
                                                 rtol=1e-12), f"{lg.multipliers}")
    models = ctx.optional("calcml.models", "SVC")
    if models is not None:
        svc = models.SVC(kernel="linear", C=1e6, tol=1e-8).fit(P6, y6)
        ctx.close("calcml.models.SVC (linear, C = 10⁶, SMO) on the six points: coef (2/3, 2/3), "
                  "intercept −1", [*np.ravel(svc.coef_), float(np.ravel(svc.intercept_)[0])],
                  w_star, rtol=1e-6, atol=1e-7)
        ctx.close("… its dual coefficients yᵢαᵢ are yᵢλᵢ/2 (the seed minimizes ‖w‖², not "
                  "½‖w‖²): (−4/9, 2/9, 2/9)", np.ravel(svc.dual_coef_), y3 * lam / 2,
                  rtol=1e-6, atol=1e-7)
        ctx.check("… with support vectors (0,0), (1,2), (2,1) only",
                  sorted(np.ravel(svc.support_).tolist()) == [0, 1, 2], f"{svc.support_}")
        plot = ctx.optional("calcml.plot", "svm_margin")
        if plot is not None:
            ctx.figure(plot.svm_margin(svc, P6, y6), "svc-margin", "calcml.plot.svm_margin "
                       "of calcml.models.SVC on the six points.")

    fig, axes = ctx.new_figure(9, 4, ncols=2)
    for ax, P, yy, title in ((axes[0], P3, y3, "three points"), (axes[1], P6, y6, "six points")):
        xs = np.linspace(-3.5, 3.5, 10)
        a, b, c = w_star
        for off, style in ((0, "k-"), (1, "k--"), (-1, "k--")):
            ax.plot(xs, (off - c - a * xs) / b, style, lw=1)
        ax.scatter(P[:, 0], P[:, 1], c=yy, cmap="coolwarm", s=50, edgecolors="k", zorder=3)
        sv = np.isclose(margins(w_star, P, yy), 0, atol=1e-9)
        ax.scatter(P[sv, 0], P[sv, 1], s=200, facecolors="none", edgecolors="g",
                   label="support vectors")
        ax.set(xlim=(-3.5, 3.5), ylim=(-3.5, 3.5), aspect="equal", title=title)
        ax.legend(loc="upper left", fontsize=8)
    ctx.figure(fig, "margin", r"The line $\frac{2}{3}x + \frac{2}{3}y - 1 = 0$, its margin "
               "(dashed) and the support vectors, for both variants.")
