"""Numeric calculus benchmarks (issue 5).

W5: accuracy per function evaluation of calcml's ``richardson`` derivative against
    ``scipy.differentiate.derivative`` and ``numdifftools.Derivative`` (when installed)
    on sin, exp, x^3 - 2x^2 + 1, the sigmoid and log(1 + x^2) at 20 points each, orders
    1 to 4; exact values from SymPy evaluated at 50 digits.
W7: ``calcml.num.integrate`` (adaptive, mp) against ``scipy.integrate.quad`` and
    ``mpmath.quad``: error and evaluations on integrals with known values.

Every number is measured in this run; times are medians of repeats.
Run: .venv/bin/python benchmarks/bench_num.py  (writes benchmarks/results/num.md)
"""
from __future__ import annotations

import math
import time
from pathlib import Path

import mpmath
import numpy as np
import sympy as sp
from scipy.differentiate import derivative as scipy_derivative
from scipy.integrate import quad

import calcml as cm

try:
    import numdifftools as nd
except ImportError:  # optional (pip install numdifftools, or the [bench] extra)
    nd = None

RESULTS = Path(__file__).parent / "results"
X = sp.Symbol("x")
FUNCS = {
    "sin": (sp.sin(X), np.sin),
    "exp": (sp.exp(X), np.exp),
    "cubic": (X**3 - 2 * X**2 + 1, lambda x: x**3 - 2 * x**2 + 1),
    "sigmoid": (1 / (1 + sp.exp(-X)), lambda x: 1 / (1 + np.exp(-x))),
    "log(1+x^2)": (sp.log(1 + X**2), lambda x: np.log(1 + x**2)),
}
POINTS = np.linspace(-3.0, 3.0, 20) + 0.0123


def median_time(fn, repeat=5):
    fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def exact_derivative(expr, order):
    g = sp.lambdify(X, sp.diff(expr, X, order), "mpmath")
    with mpmath.workdps(50):
        return np.array([float(g(mpmath.mpf(float(p)))) for p in POINTS])


class Counter:
    """Wraps f and counts the points it is evaluated at (array calls count each entry)."""

    def __init__(self, f):
        self.f, self.n = f, 0

    def __call__(self, x, *args):
        self.n += np.size(x)
        return self.f(x)


def run_calcml(f, order):
    est = cm.num.derivative(f, POINTS, order=order)
    return est.value, est.error, float(np.mean(est.nfev))


def run_scipy(f, order):
    if order != 1:
        return None
    res = scipy_derivative(f, POINTS)
    return res.df, res.error, float(np.mean(res.nfev))


def run_numdifftools(f, order):
    if nd is None:
        return None
    values, errors, nfev = [], [], []
    for p in POINTS:
        c = Counter(f)
        r = nd.Derivative(c, n=order, full_output=True)(p)
        values.append(float(r.estimate))
        errors.append(float(r.error_estimate))
        nfev.append(c.n)
    return np.array(values), np.array(errors), float(np.mean(nfev))


def w5():
    rows = []
    for order in (1, 2, 3, 4):
        for name, (expr, f) in FUNCS.items():
            exact = exact_derivative(expr, order)
            scale = np.maximum(np.abs(exact), 1.0)  # relative error, absolute near zero
            runners = (("calcml richardson", run_calcml), ("scipy derivative", run_scipy),
                       ("numdifftools", run_numdifftools))
            for label, runner in runners:
                out = runner(f, order)
                if out is None:
                    continue
                value, error, nfev = out
                rel = np.abs(value - exact) / scale
                covered = float(np.mean(np.abs(value - exact) <= error))
                t = median_time(lambda: runner(f, order), repeat=3)
                rows.append((order, name, label, float(np.median(rel)), float(rel.max()), nfev,
                             covered, t * 1e3))
    return rows


def w5_summary(rows):
    """Per order and library: worst and median error over all functions, mean nfev."""
    out = []
    for order in (1, 2, 3, 4):
        for label in ("calcml richardson", "scipy derivative", "numdifftools"):
            sel = [r for r in rows if r[0] == order and r[2] == label]
            if sel:
                out.append((order, label, float(np.median([r[3] for r in sel])),
                            max(r[4] for r in sel), float(np.mean([r[5] for r in sel])),
                            float(np.mean([r[6] for r in sel]))))
    return out


# (name, numpy f, mpmath f, a, b, exact value as a function of the mpmath context)
INTEGRALS = [
    ("exp on [0, 1]", np.exp, mpmath.exp, 0.0, 1.0, lambda: mpmath.e - 1),
    ("exp(-x^2) on R", lambda x: np.exp(-x * x), lambda x: mpmath.exp(-x * x), -np.inf, np.inf,
     lambda: mpmath.sqrt(mpmath.pi)),
    ("1/(1+x^2) on [0, inf)", lambda x: 1 / (1 + x * x), lambda x: 1 / (1 + x * x), 0.0, np.inf,
     lambda: mpmath.pi / 2),
    ("sqrt(x) on [0, 1]", np.sqrt, mpmath.sqrt, 0.0, 1.0, lambda: mpmath.mpf(2) / 3),
    ("log(x) on (0, 1]", lambda x: np.log(x), mpmath.log, 0.0, 1.0, lambda: mpmath.mpf(-1)),
    ("cos(30x) on [0, pi/2]", lambda x: np.cos(30 * x), lambda x: mpmath.cos(30 * x), 0.0,
     math.pi / 2, lambda: mpmath.sin(30 * mpmath.mpf(math.pi / 2)) / 30),
    ("x^3-2x^2+1 on [0, 2]", lambda x: x**3 - 2 * x**2 + 1, lambda x: x**3 - 2 * x**2 + 1, 0.0,
     2.0, lambda: mpmath.mpf(2) / 3),
]


def w7():
    rows = []
    for name, f, fm, a, b, exact in INTEGRALS:
        with mpmath.workdps(60):
            exact_mp = exact()
        exact_v = float(exact_mp)
        est = cm.num.integrate(f, a, b)
        t_cm = median_time(lambda: cm.num.integrate(f, a, b))
        c = Counter(f)
        q = quad(c, a, b, full_output=1)
        t_q = median_time(lambda: quad(f, a, b))
        with mpmath.workdps(15):
            c_mp = Counter(fm)
            lo = mpmath.mpf(a) if np.isfinite(a) else (mpmath.inf if a > 0 else -mpmath.inf)
            hi = mpmath.mpf(b) if np.isfinite(b) else (mpmath.inf if b > 0 else -mpmath.inf)
            v_mp = float(mpmath.quad(c_mp, [lo, hi]))
            t_mp = median_time(lambda: mpmath.quad(fm, [lo, hi]))
        est_mp = cm.num.integrate(fm, a, b, method="mp", dps=30)
        t_cmmp = median_time(lambda: cm.num.integrate(fm, a, b, method="mp", dps=30), repeat=3)
        err = lambda v: abs(float(v) - exact_v)
        with mpmath.workdps(60):
            err_cmmp = float(abs(est_mp.value - exact_mp))
        rows.append((name, err(est.value), est.error, est.nfev, t_cm * 1e3,
                     err(q[0]), q[2]["neval"], t_q * 1e3,
                     err(v_mp), c_mp.n, t_mp * 1e3,
                     err_cmmp, est_mp.error, est_mp.nfev, t_cmmp * 1e3))
    return rows


def main():
    lines = ["# Numeric calculus benchmarks (calcml.num)", "",
             f"numdifftools: {'installed' if nd else 'not installed (skipped)'}", "",
             "## W5: derivative accuracy per evaluation, 5 functions x 20 points", "",
             "Error: |value - exact| / max(|exact|, 1), exact = SymPy at 50 digits. "
             "nfev: mean evaluations per point. covered: share of points where the reported "
             "error estimate bounds the true error.", "",
             "### Summary (over the 5 functions)", "",
             "| order | method | median error | worst error | mean nfev | covered |",
             "| --- | --- | --- | --- | --- | --- |"]
    rows = w5()
    for order, label, med, worst, nfev, cov in w5_summary(rows):
        lines.append(f"| {order} | {label} | {med:.1e} | {worst:.1e} | {nfev:.1f} | {cov:.2f} |")
    lines += ["", "### Per function", "",
              "| order | function | method | median error | worst error | mean nfev | covered "
              "| time (ms, 20 points) |", "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    for order, name, label, med, worst, nfev, cov, t in rows:
        lines.append(f"| {order} | {name} | {label} | {med:.1e} | {worst:.1e} | {nfev:.1f} | "
                     f"{cov:.2f} | {t:.2f} |")
    lines += ["", "## W7: integrals, error and evaluations", "",
              "| integral | calcml adaptive err | est. err | nfev | ms | scipy quad err | nfev "
              "| ms | mpmath.quad (15 dig) err | nfev | ms | calcml mp (30 dig) err | est. err | "
              "nfev | ms |", "| --- " * 16 + "|"]
    for r in w7():
        lines.append(f"| {r[0]} | {r[1]:.1e} | {r[2]:.1e} | {r[3]} | {r[4]:.2f} | {r[5]:.1e} | "
                     f"{r[6]} | {r[7]:.2f} | {r[8]:.1e} | {r[9]} | {r[10]:.2f} | {r[11]:.1e} | "
                     f"{r[12]:.1e} | {r[13]} | {r[14]:.2f} |")
    lines.append("")
    lines.append("Errors of float64 results are against the exact value rounded to float64; "
                 "the calcml mp column is compared at 60 digits. The cos(30x) integral is "
                 "exactly 0 on [0, pi/2] but pi/2 itself is rounded, so the reference is "
                 "sin(30 fl(pi/2))/30.")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "num.md").write_text(text)


if __name__ == "__main__":
    main()
