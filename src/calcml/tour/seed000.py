"""Seed 000, "Advanced applications of calculus in machine learning": five chapters.

1. gradient descent for linear regression (MSE); 2. partial derivatives of the sigmoid;
3. Newton's method with the Hessian; 4. the chain rule through a two-layer network;
5. the Jacobian of the reaction network A -> B -> C and its sensitivities.
"""
from __future__ import annotations

import numpy as np

from calcml.tour.framework import Context, chapter

SEED = "000"

# --------------------------------------------------------------------------- 1
SEED_GD = """\
for iteration in range(n_iterations):
    gradients = 2/m * - y)          # garbled in the seed
    theta = theta - eta * gradients
plt.plot(X,, "r-", linewidth=2, label="Predictions")   # garbled too"""

FIXED_GD = """\
Xb = np.c_[np.ones(m), X]                        # a column of ones for the intercept
for iteration in range(n_iterations):
    gradients = 2/m * Xb.T @ (Xb @ theta - y)   # d/dtheta mean((Xb theta - y)^2)
    theta = theta - eta * gradients
plt.plot(X, Xb @ theta, "r-", linewidth=2, label="Predictions")"""


@chapter("000-1-gradient-descent", "Gradient descent for linear regression (MSE)", SEED,
         "Seed 000 §1 fits y = 4 + 3x + noise by gradient descent on the mean squared "
         "error. Its update line is garbled; the gradient written out by hand is checked "
         "against automatic differentiation and finite differences, and the descent "
         "against the exact least-squares solution.")
def gradient_descent(ctx: Context) -> None:
    from calcml.ad import check_grad, grad
    from calcml.datasets import linear

    X, y, _ = linear(n_samples=100, random_state=0)       # the seed's y = 4 + 3x + randn
    m = y.size
    Xb = np.c_[np.ones(m), X[:, 0]]

    def mse(theta):
        return np.mean((Xb @ theta - y) ** 2)

    def hand_grad(theta):
        return 2 / m * Xb.T @ (Xb @ theta - y)

    ctx.code(SEED_GD, "seed 000 §1, as printed")
    ctx.does_not_compile("the seed's update line is garbled: Python rejects it", SEED_GD)
    ctx.code(FIXED_GD, "corrected")
    theta0 = ctx.rng.standard_normal(2)
    ctx.close("hand-written MSE gradient 2/m·Xbᵀ(Xb·θ − y) equals cm.grad of the MSE",
              hand_grad(theta0), grad(mse)(theta0), rtol=1e-12)
    chk = check_grad(mse, theta0, grad=hand_grad)
    ctx.check("cm.check_grad accepts the hand-written gradient (vs finite differences)",
              chk.passed, str(chk))

    eta, n_iter = 0.1, 1000
    theta = theta0.copy()
    losses = []
    for _ in range(n_iter):
        losses.append(mse(theta))
        theta = theta - eta * hand_grad(theta)
    exact = np.linalg.lstsq(Xb, y, rcond=None)[0]
    ctx.table(["", "intercept", "slope", "MSE"],
              [["gradient descent (η = 0.1, 1000 steps)", theta[0], theta[1], mse(theta)],
               ["least squares (normal equations)", exact[0], exact[1], mse(exact)],
               ["the generating line", 4.0, 3.0, mse(np.array([4.0, 3.0]))]])
    ctx.close("gradient descent reaches the least-squares solution", theta, exact, rtol=1e-8)
    ctx.check("the loss never increases along the descent (η = 0.1 < 2/L)",
              np.all(np.diff(losses) <= 1e-15), f"first {losses[0]:.4g}, last {losses[-1]:.6g}")
    # The fitted line is within three standard errors of the generating 4 + 3x.
    sigma2 = np.sum((Xb @ exact - y) ** 2) / (m - 2)
    se = np.sqrt(np.diag(sigma2 * np.linalg.inv(Xb.T @ Xb)))
    ctx.check("the fit recovers y = 4 + 3x within 3 standard errors",
              np.all(np.abs(exact - [4.0, 3.0]) <= 3 * se),
              f"estimate {exact.round(4)}, standard errors {se.round(4)}")

    models = ctx.optional("calcml.models", "LinearRegression")
    if models is not None:
        est = models.LinearRegression(solver="gd").fit(X, y)
        ctx.close("calcml.models.LinearRegression(solver='gd') gives the same line",
                  [est.intercept_, est.coef_[0]], exact, rtol=1e-6)
    opt = ctx.optional("calcml.optimize", "minimize")
    if opt is not None:
        res = opt.minimize(mse, theta0, method="gd", lr=eta, maxiter=5000, tol=1e-10)
        ctx.close("cm.optimize.minimize(method='gd') gives the same line", res.x, exact,
                  rtol=1e-6)

    fig, (ax1, ax2) = ctx.new_figure(9, 3.6, ncols=2)
    ax1.plot(X[:, 0], y, "b.", label="data")
    xs = np.array([0.0, 2.0])
    ax1.plot(xs, theta[0] + theta[1] * xs, "r-", lw=2, label="gradient descent")
    ax1.set(xlabel="$x_1$", ylabel="$y$", title="Gradient descent fit")
    ax1.legend(loc="upper left")
    ax2.semilogy(np.array(losses) - mse(exact) + 1e-16)
    ax2.set(xlabel="iteration", ylabel="MSE − min MSE", title="Convergence")
    ctx.figure(fig, "fit", "The data, the line found by gradient descent, and the excess "
               "loss per iteration (linear convergence).")


# --------------------------------------------------------------------------- 2
@chapter("000-2-sigmoid", "Partial derivatives of the sigmoid", SEED,
         "Seed 000 §2: σ'(z) = σ(z)(1 − σ(z)) at z = 1, 2, 3, checked three ways "
         "(symbolic, automatic, numeric) with cm.verify, and with cm.check_grad.")
def sigmoid_partials(ctx: Context) -> None:
    import calcml as cm

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def sigmoid_derivative(z):
        return sigmoid(z) * (1 - sigmoid(z))

    z = np.array([1.0, 2.0, 3.0])
    seed_out = sigmoid_derivative(z)
    ctx.code("z = np.array([1.0, 2.0, 3.0])\nprint(sigmoid_derivative(z))\n"
             f"# {np.array2string(seed_out, precision=8)}", "seed 000 §2 (correct)")
    exact = np.exp(-z) / (1 + np.exp(-z)) ** 2           # closed form e^-z / (1 + e^-z)^2
    ctx.close("the seed's σ(1−σ) equals the closed form e^{-z}/(1+e^{-z})²", seed_out, exact,
              rtol=1e-14)
    ctx.close("cm.derivative(sigmoid) (AD) equals it", cm.derivative(sigmoid)(z), exact,
              rtol=1e-14)
    est = cm.num.derivative(sigmoid, z)
    ctx.check("cm.num.derivative (Richardson) is within its error estimate",
              np.all(np.abs(est.value - exact) <= est.error + 1e-15),
              f"values {est.value}, error estimates {est.error}, true errors "
              f"{np.abs(est.value - exact)}")
    chk = cm.check_grad(sigmoid, z, grad=sigmoid_derivative)
    ctx.check("cm.check_grad accepts sigmoid_derivative", chk.passed, str(chk))
    rows = []
    # Text goes through calcml.sym's parser; without it, a SymPy expression still gives
    # cm.verify its symbolic method.
    if ctx.optional("calcml.sym", "parse", "diff") is not None:
        target = "sigmoid(x)"
    else:
        import sympy as sp

        target = 1 / (1 + sp.exp(-sp.Symbol("x")))
    for zi in z:
        v = cm.verify(target, float(zi))
        rows.append([zi, *(v.values.get(k, "—") for k in ("symbolic", "ad", "numeric")),
                     "agree" if v.agree else "DISAGREE"])
        ctx.check(f"cm.verify: {', '.join(v.values)} σ'({zi:g}) agree", v.agree, str(v))
    ctx.table(["z", "symbolic", "AD", "numeric", "verdict"], rows, "cm.verify('sigmoid(x)', z)")

    fig, ax = ctx.new_figure(6, 3.6)
    zz = np.linspace(-6, 6, 300)
    ax.plot(zz, sigmoid(zz), label=r"$\sigma(z)$")
    ax.plot(zz, cm.derivative(sigmoid)(zz), label=r"$\sigma'(z)$ (AD)")
    ax.plot(z, seed_out, "ko", label="seed's points")
    ax.set(xlabel="$z$", title="The sigmoid and its derivative")
    ax.legend()
    ctx.figure(fig, "sigmoid", "σ and σ′ = σ(1 − σ); the dots are the seed's three values.")


# --------------------------------------------------------------------------- 3
SEED_NEWTON = """\
def newtons_method(x, A, b, tol=1e-6, max_iter=100):
    for i in range(max_iter):
        gradient = A @ x - b
        hessian = A
        x = x - np.linalg.inv(hessian) @ gradient
        if np.linalg.norm(gradient) < tol:
    return x                      # the `if` has no body: a SyntaxError"""

FIXED_NEWTON = """\
def newtons_method(f, x, tol=1e-6, max_iter=100):
    for i in range(max_iter):
        gradient = cm.grad(f)(x)
        if np.linalg.norm(gradient) < tol:      # test *before* stepping
            return x, i                          # i Newton steps were taken
        x = x - np.linalg.solve(cm.hessian(f)(x), gradient)
    raise ConvergenceError(...)"""


@chapter("000-3-newton", "Newton's method with the Hessian", SEED,
         "Seed 000 §3 minimizes f(x) = ½xᵀAx − bᵀx (gradient Ax − b, Hessian A) with "
         "A = [[4, 2], [2, 2]], b = [1, 2]. Newton's method lands on A⁻¹b = [−0.5, 1.5] in one "
         "step. The seed's loop does not compile (its `if` has no body) and tests the "
         "gradient after updating.")
def newton(ctx: Context) -> None:
    import calcml as cm
    from calcml.errors import ConvergenceError

    A = np.array([[4.0, 2.0], [2.0, 2.0]])
    b = np.array([1.0, 2.0])

    def f(x):
        return 0.5 * x @ A @ x - b @ x

    ctx.code(SEED_NEWTON, "seed 000 §3, as printed")
    ctx.does_not_compile("the seed's Newton loop is rejected by Python (empty `if`)",
                         SEED_NEWTON)
    ctx.code(FIXED_NEWTON, "corrected: gradient and Hessian by automatic differentiation")

    x0 = np.array([0.0, 0.0])
    ctx.close("cm.grad of ½xᵀAx − bᵀx is Ax − b", cm.grad(f)(np.array([0.3, -0.7])),
              A @ np.array([0.3, -0.7]) - b, rtol=1e-14)
    ctx.close("cm.hessian of f is A", cm.hessian(f)(x0), A, rtol=1e-14)

    def newtons_method(fun, x, tol=1e-6, max_iter=100):
        for i in range(max_iter):
            gradient = cm.grad(fun)(x)
            if np.linalg.norm(gradient) < tol:
                return x, i
            x = x - np.linalg.solve(cm.hessian(fun)(x), gradient)
        raise ConvergenceError("Newton's method did not converge")

    x, steps = newtons_method(f, x0)
    ctx.close("Newton's method reaches [−0.5, 1.5]", x, [-0.5, 1.5], rtol=1e-12, atol=1e-14)
    ctx.check("… in exactly one step (f is quadratic)", steps == 1, f"{steps} step(s)")
    ctx.close("… which solves Ax = b", x, np.linalg.solve(A, b), rtol=1e-12)

    # The seed's order (update, then test the *old* gradient), with the body filled in.
    xs, seed_steps = x0.copy(), 0
    for _ in range(100):
        gradient = A @ xs - b
        xs = xs - np.linalg.inv(A) @ gradient
        seed_steps += 1
        if np.linalg.norm(gradient) < 1e-6:
            break
    ctx.check("testing after the update costs the seed's order an extra Hessian solve",
              seed_steps == steps + 1, f"seed's order: {seed_steps} updates; corrected: {steps}")
    eig = np.linalg.eigvalsh(cm.hessian(f)(x))
    ctx.check("the Hessian is positive definite, so [−0.5, 1.5] is the minimum",
              np.all(eig > 0), f"eigenvalues {eig}")
    ctx.close("the minimum value is −½bᵀA⁻¹b = −1.25", f(x), -1.25, rtol=1e-12)

    path_gd = [x0.copy()]
    xg = x0.copy()
    for _ in range(40):
        xg = xg - 0.2 * (A @ xg - b)
        path_gd.append(xg.copy())
    opt = ctx.optional("calcml.optimize", "minimize")
    plot = ctx.optional("calcml.plot", "contour_path")
    if opt is not None:
        res = opt.minimize(f, x0, method="newton")
        ctx.close("cm.optimize.minimize(method='newton') gives the same point", res.x,
                  [-0.5, 1.5], rtol=1e-10, atol=1e-12)
        ctx.check("… in one iteration", res.nit == 1, f"nit = {res.nit}")
        res_gd = opt.minimize(f, x0, method="gd", lr=0.2, maxiter=40)
        ctx.close("cm.optimize gradient descent (lr 0.2, 40 steps) follows the same path "
                  "as the hand-written loop", np.asarray(res_gd.path)[:len(path_gd)],
                  np.array(path_gd)[:len(res_gd.path)], rtol=1e-12, atol=1e-14)
        if plot is not None:
            fig = plot.contour_path(f, {"gradient descent (lr 0.2, 40 steps)": res_gd,
                                        "Newton (1 step)": res}, (-2, 1.5), (-0.5, 3))
            ctx.figure(fig, "paths", "calcml.plot.contour_path of cm.optimize's iterates: "
                       "one Newton step goes straight to the minimum; gradient descent "
                       "needs many steps along the elongated valley.")
            return

    fig, ax = ctx.new_figure(5.5, 4.5)
    gx, gy = np.meshgrid(np.linspace(-2, 1.5, 120), np.linspace(-0.5, 3, 120))
    pts = np.stack([gx, gy], -1)
    fz = 0.5 * np.einsum("...i,ij,...j->...", pts, A, pts) - pts @ b
    ax.contour(gx, gy, fz, levels=20, cmap="viridis")
    pg = np.array(path_gd)
    ax.plot(pg[:, 0], pg[:, 1], "o-", ms=3, color="tab:orange", label="gradient descent (40 steps)")
    ax.plot([0, x[0]], [0, x[1]], "s-", color="tab:red", label="Newton (1 step)")
    ax.set(xlabel="$x_1$", ylabel="$x_2$", title=r"$\frac{1}{2}x^TAx - b^Tx$")
    ax.legend(loc="upper right")
    ctx.figure(fig, "paths", "One Newton step goes straight to the minimum; gradient "
               "descent (step 0.2) needs many steps along the elongated valley.")


# --------------------------------------------------------------------------- 4
SEED_CHAIN = """\
def softmax(z):
    exp_z = np.exp(z - np.max(z))          # the max of the whole array, not per row
    return exp_z / exp_z.sum(axis=1, keepdims=True)

def gradient_composite_function(X, W1, b1, W2, b2):
    Z1 = + b1                               # garbled
    A1 = sigmoid(Z1)
    Z2 = + b2                               # garbled
    A2 = softmax(Z2)
    dZ2 = A2 - y
    dW2 =                                   # missing
    db2 = np.sum(dZ2, axis=0, keepdims=True)
    dZ1 = * sigmoid_derivative(Z1)          # garbled
    dW1 =                                   # missing
    ..."""

FIXED_CHAIN = """\
Z1 = X @ W1 + b1;  A1 = sigmoid(Z1)
Z2 = A1 @ W2 + b2; A2 = softmax(Z2)         # row-wise: exp(z - logsumexp(z))
dZ2 = (A2 - Y) / n                          # loss = mean cross-entropy
dW2 = A1.T @ dZ2;  db2 = dZ2.sum(0)
dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)          # chain rule through the sigmoid
dW1 = X.T @ dZ1;   db1 = dZ1.sum(0)"""


@chapter("000-4-chain-rule", "The chain rule through a two-layer network", SEED,
         "Seed 000 §4: a sigmoid hidden layer and a softmax output, trained by gradient "
         "descent on the cross-entropy. The seed's gradient function is garbled; written "
         "out by the chain rule it must equal the gradient automatic differentiation "
         "gives, parameter by parameter.")
def chain_rule(ctx: Context) -> None:
    import calcml as cm
    from calcml.datasets import blobs
    from calcml.nn import cross_entropy, d_softmax, one_hot, softmax

    X, labels = blobs(n_samples=300, centers=3, cluster_std=0.8, random_state=0)
    X = (X - X.mean(0)) / X.std(0)
    Y = one_hot(labels, 3)
    n, hidden = X.shape[0], 6
    rng = np.random.default_rng(0)
    params = [rng.normal(0, 0.5, (2, hidden)), np.zeros(hidden),
              rng.normal(0, 0.5, (hidden, 3)), np.zeros(3)]

    def sigmoid(z):
        return 1 / (1 + np.exp(-z))

    def loss(W1, b1, W2, b2):
        A1 = sigmoid(X @ W1 + b1)
        return cross_entropy(Y, softmax(A1 @ W2 + b2))

    def manual(W1, b1, W2, b2):
        A1 = sigmoid(X @ W1 + b1)
        A2 = softmax(A1 @ W2 + b2)
        dZ2 = (A2 - Y) / n
        dW2, db2 = A1.T @ dZ2, dZ2.sum(0)
        dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
        return X.T @ dZ1, dZ1.sum(0), dW2, db2

    ctx.code(SEED_CHAIN, "seed 000 §4, as printed")
    ctx.does_not_compile("the seed's gradient function is garbled: Python rejects it",
                         SEED_CHAIN)
    ctx.code(FIXED_CHAIN, "corrected (manual backpropagation)")
    ad = cm.grad(loss, argnums=(0, 1, 2, 3))(*params)
    hand = manual(*params)
    for name, g_ad, g_hand in zip(("W1", "b1", "W2", "b2"), ad, hand):
        ctx.close(f"∂loss/∂{name}: manual chain rule equals cm.grad (AD)", g_hand, g_ad,
                  rtol=1e-10, atol=1e-15)
    chk = cm.check_grad(loss, *params, grad=manual)
    ctx.check("cm.check_grad accepts the manual gradients (vs finite differences)",
              chk.passed, str(chk))
    z = rng.normal(size=3)
    ctx.close("softmax Jacobian diag(s) − ssᵀ equals cm.jacobian(softmax)",
              d_softmax(z), cm.jacobian(softmax)(z), rtol=1e-12, atol=1e-15)

    def seed_softmax(zz):
        exp_z = np.exp(zz - np.max(zz))
        return exp_z / exp_z.sum(axis=1, keepdims=True)

    big = np.array([[1000.0, 0.0], [0.0, 1.0]])
    with np.errstate(all="ignore"):
        bad = seed_softmax(big)
    ctx.check("the seed's softmax (global max) gives NaN for a row far below the maximum",
              np.isnan(bad).any() and np.all(np.isfinite(softmax(big))),
              f"seed: {bad.tolist()}, calcml.nn.softmax: {softmax(big).round(6).tolist()}",
              catches_bug=True)

    lr, n_iter = 1.0, (150 if ctx.fast else 1000)
    curve = []
    p = [q.copy() for q in params]
    for _ in range(n_iter):
        curve.append(float(loss(*p)))
        p = [q - lr * g for q, g in zip(p, manual(*p))]
    A2 = softmax(sigmoid(X @ p[0] + p[1]) @ p[2] + p[3])
    acc = float(np.mean(A2.argmax(1) == labels))
    ctx.check("training lowers the loss", curve[-1] < 0.5 * curve[0],
              f"loss {curve[0]:.4f} -> {curve[-1]:.4f} in {n_iter} steps")
    ctx.check("the trained network classifies the three blobs (accuracy ≥ 0.95)", acc >= 0.95,
              f"accuracy {acc:.3f}")
    models = ctx.optional("calcml.models", "MLPClassifier")
    if models is not None:
        clf = models.MLPClassifier((hidden,), activation="logistic", solver="gd",
                                   learning_rate=1.0, max_iter=20, random_state=0,
                                   alpha=0.0).fit(X, labels)
        _, ga = clf.loss_gradient(X, labels, "ad")
        _, gm = clf.loss_gradient(X, labels, "manual")
        ctx.close("MLPClassifier: manual backprop gradient equals the AD gradient",
                  np.concatenate([g.ravel() for g in gm]),
                  np.concatenate([g.ravel() for g in ga]), rtol=1e-10, atol=1e-14)

    fig, (ax1, ax2) = ctx.new_figure(9, 3.6, ncols=2)
    ax1.plot(curve)
    ax1.set(xlabel="iteration", ylabel="cross-entropy", title="Training loss")
    gx, gy = np.meshgrid(np.linspace(-2.5, 2.5, 150), np.linspace(-2.5, 2.5, 150))
    G = np.c_[gx.ravel(), gy.ravel()]
    pred = softmax(sigmoid(G @ p[0] + p[1]) @ p[2] + p[3]).argmax(1).reshape(gx.shape)
    ax2.contourf(gx, gy, pred, levels=[-0.5, 0.5, 1.5, 2.5], alpha=0.3, cmap="viridis")
    ax2.scatter(X[:, 0], X[:, 1], c=labels, s=8, cmap="viridis")
    ax2.set(title=f"Decision regions (accuracy {acc:.2f})", xlabel="$x_1$", ylabel="$x_2$")
    ctx.figure(fig, "training", "Gradient descent with the chain-rule gradients: loss and "
               "the learned regions.")


# --------------------------------------------------------------------------- 5
SEED_REACTION = """\
eq1 = sp.Eq(-k1 * A, 0)
eq2 = sp.Eq(k1 * A - k2 * B, 0)
eq3 = sp.Eq(k2 * B, 0)
solution = sp.solve([eq1, eq2, eq3], (A, B, C))      # the steady state, not a Jacobian
variables = [A, B, C]
reactions = [k1 * A, -k1 * A + k2 * B, -k2 * B]      # signs flipped: dA/dt = -k1 A
for i, variable in enumerate(variables):
    for j, reaction in enumerate(reactions):
        jacobian_matrix[i, j] = sp.diff(reaction, variable)   # transposed"""


@chapter("000-5-reaction-jacobian", "Jacobian of the reaction network A → B → C", SEED,
         "Seed 000 §5: mass-action kinetics dA/dt = −k₁A, dB/dt = k₁A − k₂B, dC/dt = k₂B. "
         "The Jacobian J[i, j] = ∂fᵢ/∂yⱼ and the sensitivities ∂y(t)/∂k of the "
         "concentrations to the rates, checked against closed forms. The seed's matrix "
         "is transposed and its rates have the wrong sign.")
def reaction(ctx: Context) -> None:
    import sympy as sp
    from scipy.integrate import solve_ivp

    import calcml as cm

    k = np.array([1.0, 0.5])
    y0 = np.array([1.0, 0.0, 0.0])

    def rhs(y, kk):
        return np.stack([-kk[0] * y[0], kk[0] * y[0] - kk[1] * y[1], kk[1] * y[1]])

    J_true = np.array([[-k[0], 0, 0], [k[0], -k[1], 0], [0, k[1], 0]])
    ctx.code(SEED_REACTION, "seed 000 §5, as printed")
    A, B, C, k1, k2 = sp.symbols("A B C k1 k2")
    variables = [A, B, C]
    reactions = [k1 * A, -k1 * A + k2 * B, -k2 * B]
    seed_J = sp.zeros(3, 3)
    for i, variable in enumerate(variables):
        for j, r in enumerate(reactions):
            seed_J[i, j] = sp.diff(r, variable)
    seed_num = np.array(seed_J.subs({k1: k[0], k2: k[1]}).tolist(), dtype=float)
    y_pt = np.array([0.6, 0.3, 0.1])
    J_ad = cm.jacobian(lambda y: rhs(y, k))(y_pt)
    J_fwd = cm.jacobian(lambda y: rhs(y, k), mode="fwd")(y_pt)
    ctx.close("cm.jacobian (reverse mode) of the rate law is [[−k₁,0,0],[k₁,−k₂,0],[0,k₂,0]]",
              J_ad, J_true, rtol=1e-14)
    ctx.close("… and forward mode agrees", J_fwd, J_true, rtol=1e-14)
    ctx.close("the seed's matrix is caught: it differs from the Jacobian", seed_num, J_true,
              catches_bug=True)
    ctx.close("… it is exactly −Jᵀ (transposed, and every rate's sign flipped)",
              seed_num, -J_true.T, rtol=0, atol=0)
    rates_seed = np.array([float(r.subs({A: y_pt[0], B: y_pt[1], k1: k[0], k2: k[1]}))
                           for r in reactions])
    ctx.close("the seed's rate vector is caught: dA/dt must be −k₁A, not +k₁A", rates_seed,
              rhs(y_pt, k), catches_bug=True)
    ctx.close("mass is conserved: every column of J sums to 0", J_ad.sum(0), np.zeros(3),
              atol=1e-15)
    ctx.close("eigenvalues of J are −k₁, −k₂, 0", np.sort(np.linalg.eigvals(J_ad).real),
              [-1.0, -0.5, 0.0], atol=1e-12)
    sol = sp.solve([sp.Eq(-k1 * A, 0), sp.Eq(k1 * A - k2 * B, 0), sp.Eq(k2 * B, 0)], (A, B, C))
    ctx.check("the seed's sp.solve finds the steady state A = B = 0 (everything ends as C), "
              "not a Jacobian", sol == {A: 0, B: 0}, f"sp.solve -> {sol}")

    # Sensitivities: closed form of the solution, differentiated by AD...
    t = np.linspace(0, 10, 41 if ctx.fast else 201)

    def closed(kk):
        a = y0[0] * np.exp(-kk[0] * t)
        bb = y0[0] * kk[0] / (kk[1] - kk[0]) * (np.exp(-kk[0] * t) - np.exp(-kk[1] * t))
        return np.stack([a, bb, y0[0] - a - bb], axis=1)

    S_closed = cm.jacobian(closed)(k)                    # (t, species, parameter)
    ctx.close("∂A/∂k₁ = −t·e^{−k₁t} (closed form) equals AD of the closed-form solution",
              S_closed[:, 0, 0], -t * np.exp(-k[0] * t), rtol=1e-12, atol=1e-15)

    # ... and the forward sensitivity equations dS/dt = J S + ∂f/∂k, integrated with
    # the Jacobians from AD.
    def augmented(_, z):
        y, S = z[:3], z[3:].reshape(3, 2)
        J = cm.jacobian(lambda yy: rhs(yy, k))(y)
        Fk = cm.jacobian(lambda kk: rhs(y, kk))(k)
        return np.concatenate([rhs(y, k), (J @ S + Fk).ravel()])

    ode = solve_ivp(augmented, (0, 10), np.concatenate([y0, np.zeros(6)]), t_eval=t,
                    method="DOP853", rtol=1e-10, atol=1e-12)
    S_ode = ode.y[3:].T.reshape(-1, 3, 2)
    ctx.close("forward sensitivity equations (J from AD) match the closed form",
              S_ode, S_closed, rtol=1e-6, atol=1e-8)
    ctx.close("the trajectory matches the closed form", ode.y[:3].T, closed(k), rtol=1e-7,
              atol=1e-9)
    ctx.close("the sensitivities of A + B + C sum to 0 (mass conserved)",
              S_closed.sum(1), np.zeros((t.size, 2)), atol=1e-12)

    sens = ctx.optional("calcml.sensitivity", "ReactionNetwork", "ode_sensitivities")
    if sens is not None:
        net = sens.ReactionNetwork.from_string("A -> B : k1\nB -> C : k2")
        ctx.check("ReactionNetwork parses species A, B, C and rates k1, k2",
                  list(net.species) == ["A", "B", "C"] and list(net.parameters) == ["k1", "k2"],
                  f"species {list(net.species)}, parameters {list(net.parameters)}")
        ctx.check("ReactionNetwork.jacobian() (SymPy) is [[−k1,0,0],[k1,−k2,0],[0,k2,0]]",
                  net.jacobian() == sp.Matrix([[-k1, 0, 0], [k1, -k2, 0], [0, k2, 0]]),
                  f"{net.jacobian()}")
        ctx.close("ReactionNetwork.jacobian(y, k) equals the AD Jacobian",
                  net.jacobian(y_pt, k), J_ad, rtol=1e-14)
        ctx.close("ReactionNetwork.parameter_jacobian(y, k) equals AD's ∂f/∂k",
                  net.parameter_jacobian(y_pt, k), cm.jacobian(lambda kk: rhs(y_pt, kk))(k),
                  rtol=1e-14)
        traj = net.simulate(y0, k, t)
        ctx.close("ReactionNetwork.simulate matches the closed form", traj.y, closed(k),
                  rtol=1e-6, atol=1e-8)
        ctx.close("ReactionNetwork.sensitivities match AD of the closed form",
                  net.sensitivities(y0, k, t), S_closed, rtol=1e-5, atol=1e-7)
        if hasattr(sens, "check_jacobian"):
            from calcml.errors import GradientCheckError

            ctx.raises("cm.sensitivity.check_jacobian rejects the seed's matrix",
                       lambda: sens.check_jacobian(lambda _t, y, kk: rhs(y, kk), seed_num,
                                                   y_pt, k), (GradientCheckError,))
        S_gen = sens.ode_sensitivities(lambda _t, y, kk: rhs(y, kk), y0, k, t)
        ctx.close("cm.sensitivity.ode_sensitivities (any rhs, AD Jacobians) agrees",
                  S_gen, S_closed, rtol=1e-5, atol=1e-7)
        plot = ctx.optional("calcml.plot", "sensitivity")
        if plot is not None:
            tr, S_net = net.sensitivities(y0, k, t, return_trajectory=True)
            ctx.figure(plot.sensitivity(tr, S_net, parameters=net.parameters),
                       "network", "calcml.plot.sensitivity of ReactionNetwork.sensitivities.")

    fig, (ax1, ax2) = ctx.new_figure(9, 3.6, ncols=2)
    for i, name in enumerate("ABC"):
        ax1.plot(t, closed(k)[:, i], label=name)
    ax1.set(xlabel="$t$", ylabel="concentration", title=r"$A \to B \to C$, $k_1=1, k_2=0.5$")
    ax1.legend()
    for i, name in enumerate("ABC"):
        for j, kn in enumerate(("k_1", "k_2")):
            ax2.plot(t, S_closed[:, i, j], ls="-" if j == 0 else "--",
                     label=rf"$\partial {name}/\partial {kn}$")
    ax2.plot(t[::4], S_ode[::4, 1, 0], "k.", ms=4, label="sensitivity ODE")
    ax2.set(xlabel="$t$", title="Sensitivities")
    ax2.legend(fontsize=7, ncol=2)
    ctx.figure(fig, "sensitivity", "Concentrations and their sensitivities to the rates "
               "(lines: AD of the closed form; dots: the forward sensitivity ODE).")
