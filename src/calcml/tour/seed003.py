"""Seed 003, "Mastering calculus for machine learning": three chapters.

1. the foundations: limits, derivatives, integrals; 2. the derivative SciPy no longer
provides (``scipy.misc.derivative`` is gone; :func:`calcml.num.derivative`); 3. numerical
stability: the step-error V curve, high precision with mpmath, reformulation, and
validation by independent methods.
"""
from __future__ import annotations

import math
import warnings

import numpy as np

from calcml.tour.framework import Context, chapter

SEED = "003"


def _f(x):
    return x ** 2 + 2 * x + 1


@chapter("003-1-foundations", "Limits, derivatives and integrals", SEED,
         "Seed 003's three foundations, each computed and checked: a limit "
         "(sin x / x → 1 and the difference quotient of f(x) = x² + 2x + 1 → f'(3) = 8), "
         "a derivative three ways, and integrals as limits of Riemann sums.")
def foundations(ctx: Context) -> None:
    import calcml as cm

    sym = ctx.optional("calcml.sym", "limit", "diff", "integrate", "parse")
    # -- limits
    xs = 10.0 ** -np.arange(1, 7)
    ratios = np.sin(xs) / xs
    ctx.table(["x", "sin(x)/x", "1 − sin(x)/x", "x²/6"],
              [[x, r, 1 - r, x * x / 6] for x, r in zip(xs, ratios)],
              "sin(x)/x as x → 0")
    ctx.check("|sin(x)/x − 1| ≤ x²/6 (Taylor bound) for x = 10⁻¹ … 10⁻⁶, so the limit is 1",
              np.all(np.abs(ratios - 1) <= xs ** 2 / 6 + 4e-16),
              f"largest gap {np.max(np.abs(ratios - 1)):.3g}")
    hs = 2.0 ** -np.arange(1, 21)
    quot = (_f(3 + hs) - _f(3)) / hs
    ctx.close("the difference quotient of x² + 2x + 1 at 3 equals 8 + h (exact in binary for "
              "h = 2⁻ᵏ), so its limit is f'(3) = 8", quot, 8 + hs, rtol=0, atol=1e-12)
    if sym is not None:
        import sympy as sp

        x, h = sp.symbols("x h")
        ctx.check("cm.sym.limit(sin(x)/x, x, 0) = 1",
                  sp.simplify(sym.limit("sin(x)/x", "x", 0) - 1) == 0,
                  str(sym.limit("sin(x)/x", "x", 0)))
        dq = ((x + h) ** 2 + 2 * (x + h) + 1 - (x ** 2 + 2 * x + 1)) / h
        lim = sym.limit(dq, h, 0)
        ctx.check("cm.sym.limit of the difference quotient is 2x + 2 (the derivative)",
                  sp.expand(lim - (2 * x + 2)) == 0, f"limit = {lim}")

    # -- derivative three ways
    import sympy as sp

    xs_ = sp.Symbol("x")
    target = "x**2 + 2*x + 1" if sym is not None else xs_ ** 2 + 2 * xs_ + 1
    v = cm.verify(target, 3.0, expected=8.0)
    ctx.check(f"cm.verify: {', '.join(v.values)} derivatives of x² + 2x + 1 at 3 agree with 8",
              v.agree and abs(v.values["ad"] - 8) < 1e-12, str(v))

    # -- integrals: Riemann sums converge at their orders
    exact = 1 / 3
    rows, ok = [], True
    orders = {"left": 1, "right": 1, "midpoint": 2, "trapezoid": 2, "simpson": 4}
    for rule, p in orders.items():
        e1 = abs(cm.num.riemann_sum(lambda t: t ** 3 + t ** 2, 0, 1, 16, rule) - 7 / 12)
        e2 = abs(cm.num.riemann_sum(lambda t: t ** 3 + t ** 2, 0, 1, 32, rule) - 7 / 12)
        rate = math.log2(e1 / e2) if e2 > 0 else float("inf")
        rows.append([rule, e1, e2, rate, p])
        ok &= abs(rate - p) < 0.25 or (p == 4 and e2 < 1e-14)
    ctx.table(["rule", "error n=16", "error n=32", "observed order", "theory"], rows,
              "∫₀¹ (x³ + x²) dx = 7/12 by Riemann sums")
    ctx.check("each Riemann rule converges at its order (1, 1, 2, 2, 4)", ok,
              "; ".join(f"{r[0]}: {r[3]:.2f}" for r in rows))
    est = cm.num.integrate(lambda t: t ** 2, 0, 1)
    ctx.check("cm.num.integrate(x², 0, 1) = 1/3 within its error estimate",
              abs(est.value - exact) <= est.error + 1e-16,
              f"{est.value!r} ± {est.error:.2g}")
    xg, F = cm.num.cumulative_integral(lambda t: 2 * t + 2, 0, 3, 300, rule="trapezoid")
    ctx.close("the running integral of f' = 2x + 2 from 0 gives back f(x) − f(0) "
              "(fundamental theorem)", F, _f(xg) - _f(0.0), rtol=1e-12, atol=1e-12)
    vi = cm.verify(target, (0.0, 3.0), what="integral")
    ctx.check("cm.verify: symbolic, QUADPACK and Simpson integrals over [0, 3] agree (= 21)",
              vi.agree and abs(vi.values["symbolic"] - 21) < 1e-12, str(vi))

    fig, (ax1, ax2) = ctx.new_figure(9, 3.4, ncols=2)
    xx = np.linspace(-2, 4, 200)
    ax1.plot(xx, _f(xx), label=r"$f(x)=x^2+2x+1$")
    ax1.plot(xx, 8 * (xx - 3) + 16, "--", label="tangent at 3, slope 8")
    ax1.set(xlabel="$x$", title="Derivative: the slope of the tangent", ylim=(-5, 30))
    ax1.legend()
    t = np.linspace(0, 1, 9)
    ax2.bar(t[:-1], t[:-1] ** 2, width=1 / 8, align="edge", alpha=0.4, edgecolor="k",
            label="left sum, n = 8")
    ax2.plot(xx[(xx >= 0) & (xx <= 1)], xx[(xx >= 0) & (xx <= 1)] ** 2, "r", label="$x^2$")
    ax2.set(xlabel="$x$", title=r"Integral: $\int_0^1 x^2\,dx = 1/3$")
    ax2.legend()
    ctx.figure(fig, "foundations", "A derivative is a slope; an integral is the limit of "
               "a sum of rectangles.")
    plot = ctx.optional("calcml.plot", "riemann")
    if plot is not None:
        ctx.figure(plot.riemann("x^2", 0, 1, 8, "midpoint"), "riemann",
                   "calcml.plot.riemann: the midpoint rule with 8 pieces for ∫₀¹ x² dx.")


SEED_MISC = """\
from scipy import misc
derivative_at_3 = misc.derivative(f, 3)     # f(x) = x**2 + 2*x + 1"""

FIXED_MISC = """\
import calcml as cm
est = cm.num.derivative(f, 3)                # Richardson extrapolation, with error bound
est.value, est.error, est.nfev"""


@chapter("003-2-scipy-derivative", "The derivative SciPy no longer provides", SEED,
         "Seed 003 calls `scipy.misc.derivative`, removed from SciPy (1.12). calcml.num "
         "replaces it with error estimates and more methods, checked against the exact "
         "f'(3) = 8 and automatic differentiation.")
def scipy_derivative(ctx: Context) -> None:
    import scipy

    import calcml as cm

    ctx.code(SEED_MISC, "seed 003, as printed")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            from scipy import misc
            gone = not hasattr(misc, "derivative")
        except ImportError:
            gone = True
    ctx.check(f"scipy.misc.derivative does not exist in the installed SciPy {scipy.__version__}",
              gone, "the seed's code raises AttributeError" if gone else "it still exists",
              catches_bug=True)
    ctx.code(FIXED_MISC, "with calcml")
    rows = []
    for method in ("forward", "central", "richardson", "complex-step"):
        est = cm.num.derivative(_f, 3.0, method=method)
        rows.append([method, est.value, est.error, abs(est.value - 8), est.nfev])
        ctx.check(f"cm.num.derivative(method='{method}') is within its error estimate of 8",
                  abs(est.value - 8) <= est.error + 1e-15,
                  f"{est.value!r} ± {est.error:.2g} ({est.nfev} evaluations)")
    import mpmath

    mp_est = cm.num.derivative(lambda t: t ** 2 + 2 * t + 1, 3.0, method="mp", dps=30)
    rows.append(["mp (30 digits)", float(mp_est.value), float(mp_est.error),
                 abs(float(mp_est.value) - 8), mp_est.nfev])
    ctx.check("cm.num.derivative(method='mp') gives 8 to 30 digits",
              abs(mp_est.value - 8) < mpmath.mpf(10) ** -25, f"{mp_est.value}")
    ad = float(cm.derivative(_f)(3.0))
    rows.append(["automatic (cm.derivative)", ad, 0.0, abs(ad - 8), 1])
    ctx.close("automatic differentiation gives exactly 8", ad, 8.0, rtol=0, atol=0)
    ctx.table(["method", "value", "error estimate", "true error", "evaluations"], rows,
              "f'(3) for f(x) = x² + 2x + 1")
    # scipy.misc.derivative's default was a central difference with dx = 1.0: exact for
    # a quadratic, far off for anything else.
    old = (np.exp(1 + 1.0) - np.exp(1 - 1.0)) / 2
    new = cm.num.derivative(np.exp, 1.0)
    ctx.check("the old default step dx = 1 is 17 % off for exp at 1; calcml's Richardson "
              "default is within its estimate",
              abs(old - np.e) > 0.1 * np.e and abs(new.value - np.e) <= new.error + 1e-15,
              f"dx=1: {old:.6f}; calcml: {new.value!r} ± {new.error:.2g}; e = {np.e!r}")
    rows2 = []
    for order, exact in ((2, 2.0), (3, 0.0)):
        est = cm.num.derivative(_f, 3.0, order=order)
        rows2.append([order, est.value, est.error, exact])
        ctx.check(f"order-{order} derivative of f at 3 is {exact:g}",
                  abs(est.value - exact) <= est.error + 1e-9,
                  f"{est.value!r} ± {est.error:.2g}")
    ctx.table(["order", "value", "error estimate", "exact"], rows2,
              "higher derivatives (scipy.differentiate gives only the first)")

    labels, true_err, est_err = ["old default\n(central, dx=1)"], [abs(old - np.e)], [np.nan]
    for method in ("forward", "central", "richardson", "complex-step"):
        e = cm.num.derivative(np.exp, 1.0, method=method)
        labels.append(method)
        true_err.append(max(abs(e.value - np.e), 1e-17))
        est_err.append(max(e.error, 1e-17))
    fig, ax = ctx.new_figure(7, 3.6)
    pos = np.arange(len(labels))
    ax.bar(pos - 0.2, true_err, 0.4, label="true error")
    ax.bar(pos + 0.2, est_err, 0.4, label="calcml's error estimate")
    ax.set(xticks=pos, yscale="log", ylabel="|error|",
           title=r"$\frac{d}{dx}e^x$ at 1 by each method (1e-17 = exact)")
    ax.set_xticklabels(labels, fontsize=8)
    ax.legend(fontsize=8)
    ctx.figure(fig, "methods", "Each numeric method's true error and its error estimate; "
               "the estimate bounds the true error.")


@chapter("003-3-stability", "Numerical stability: step error, precision, reformulation", SEED,
         "Seed 003 warns of instability and rounding and recommends high precision "
         "(mpmath), scaling, and validation by alternative methods. Each is shown: the "
         "V-shaped error of finite differences against the step h, digits lost to "
         "cancellation and recovered by mpmath or by rewriting, and overflow avoided "
         "by the stable sigmoid.")
def stability(ctx: Context) -> None:
    import mpmath

    import calcml as cm
    from calcml.nn import sigmoid

    eps = np.finfo(float).eps
    hs = np.logspace(-15, 0, 31 if ctx.fast else 61)
    curves = {m: cm.num.step_error(np.exp, 1.0, hs=hs, method=m, exact=np.e)
              for m in ("forward", "central", "complex-step")}
    fw, ce, cs = curves["forward"], curves["central"], curves["complex-step"]
    ctx.table(["method", "best h", "best error", "theory h* ~", "slope left", "slope right"],
              [[m, c.best_h, c.best_error, th, *c.slopes()]
               for (m, c), th in zip(curves.items(), (eps ** 0.5, eps ** (1 / 3), float("nan")))],
              "error of f'(1) for f = exp, against the step h")
    ctx.check("forward difference: best step near √eps ≈ 1.5e-8 (within 30×)",
              eps ** 0.5 / 30 <= fw.best_h <= eps ** 0.5 * 30, f"best h {fw.best_h:.3g}")
    ctx.check("central difference: best step near eps^(1/3) ≈ 6e-6 (within 30×)",
              eps ** (1 / 3) / 30 <= ce.best_h <= eps ** (1 / 3) * 30, f"best h {ce.best_h:.3g}")
    lf, rf = fw.slopes()
    lc, rc = ce.slopes()
    ctx.check("the V: round-off slope ≈ −1, truncation slopes ≈ 1 (forward) and 2 (central)",
              abs(lf + 1) < 0.4 and abs(rf - 1) < 0.3 and abs(lc + 1) < 0.4 and abs(rc - 2) < 0.3,
              f"forward {lf:.2f}/{rf:.2f}, central {lc:.2f}/{rc:.2f}")
    small = cs.hs <= 1e-8
    ctx.check("complex step has no round-off side: error ≤ 4 eps·e for every h ≤ 1e-8",
              np.all(cs.errors[small] <= 4 * eps * np.e),
              f"max error {np.nanmax(cs.errors[small]):.3g}")

    # Cancellation: (1 - cos x) / x^2 -> 1/2.
    x = 1e-8
    naive = (1 - math.cos(x)) / x ** 2
    with mpmath.workdps(30):
        mp_val = float((1 - mpmath.cos(mpmath.mpf(x))) / mpmath.mpf(x) ** 2)
    rewritten = 2 * math.sin(x / 2) ** 2 / x ** 2
    ctx.table(["how", "(1 − cos x)/x² at x = 1e-8"],
              [["float64, as written", naive], ["mpmath, 30 digits", mp_val],
               ["float64, rewritten 2 sin²(x/2)/x²", rewritten], ["exact limit", 0.5]])
    ctx.check("float64 loses every digit to cancellation (gives 0, not ½)",
              abs(naive - 0.5) > 0.4, f"{naive!r}", catches_bug=True)
    ctx.close("mpmath at 30 digits recovers ½", mp_val, 0.5, rtol=1e-15)
    ctx.close("rewriting 1 − cos x = 2 sin²(x/2) recovers ½ in float64", rewritten, 0.5,
              rtol=1e-15)

    # Overflow: the textbook sigmoid at z = -1000.
    z = np.array([-1000.0, 0.0, 1000.0])
    with np.errstate(over="raise"):
        try:
            1 / (1 + np.exp(-z))
            overflowed = False
        except FloatingPointError:
            overflowed = True
        stable = sigmoid(z)
    ctx.check("the textbook 1/(1 + e^{−z}) overflows at z = −1000", overflowed,
              "np.exp(1000) = inf (FloatingPointError with overflow='raise')", catches_bug=True)
    ctx.close("calcml.nn.sigmoid (log-sum-exp form) gives [0, ½, 1] without overflow", stable,
              [0.0, 0.5, 1.0], rtol=0, atol=0)
    ctx.close("… and its AD derivative is finite there: [0, ¼, 0]",
              cm.derivative(sigmoid)(z), [0.0, 0.25, 0.0], rtol=0, atol=1e-300)

    # Validation by alternative methods.
    g = lambda t: np.sin(t) * np.exp(-t ** 2)      # noqa: E731
    v = cm.verify(g, 0.7)
    exact = np.exp(-0.49) * (np.cos(0.7) - 1.4 * np.sin(0.7))
    ctx.check("cm.verify: AD and Richardson agree for sin(x)·e^{−x²} at 0.7", v.agree, str(v))
    ctx.close("… and equal the closed form e^{−x²}(cos x − 2x sin x)", v.values["ad"], exact,
              rtol=1e-14)

    fig, ax = ctx.new_figure(6, 4)
    for m, c in curves.items():
        err = np.where(c.errors > 0, c.errors, np.nan)
        ax.loglog(c.hs, err, "o-", ms=3, label=m)
    ax.axvline(eps ** 0.5, color="gray", ls=":", lw=1)
    ax.axvline(eps ** (1 / 3), color="gray", ls="--", lw=1)
    ax.set(xlabel="step $h$", ylabel="|error|", title=r"Error of $f'(1)$, $f=e^x$: the V curve")
    ax.legend()
    ctx.figure(fig, "step-error", "Too large a step: truncation error; too small: "
               "round-off. Dotted: √eps, dashed: eps^(1/3). The complex step has no "
               "subtraction, hence no round-off side.")
    plot = ctx.optional("calcml.plot", "step_error")
    if plot is not None:
        ctx.figure(plot.step_error(ce), "step-error-estimate", "calcml.plot.step_error: the "
                   "central difference's true error and calcml's error model.")
