"""Optimization benchmark (issue 6): calcml.optimize.minimize vs scipy.optimize.minimize.

Problems: Rosenbrock in 2, 10 and 100 dimensions (from (-1.2, 1, -1.2, 1, ...)), Beale
from (1, 1), Himmelblau from (4, -4), and a quadratic with condition number 1e6 in 8
dimensions from 0. All runs stop at max|gradient| <= 1e-8 (SciPy: ``gtol=1e-8``;
L-BFGS-B also ``ftol=0`` so it does not stop earlier on the objective; Newton-CG has no
gradient test and gets ``xtol=1e-10``).

Pairs: calcml ``bfgs`` vs SciPy ``BFGS``; calcml ``lbfgs`` vs SciPy ``L-BFGS-B``;
calcml ``newton`` (line search on the modified Hessian, and with
``options={"trust_region": True}``) vs SciPy ``trust-exact`` and ``Newton-CG`` (both with
the exact Hessian). SciPy gets exact hand-written gradients/Hessians (``scipy.optimize.rosen_der``
...). calcml runs twice: with gradients and Hessians from its AD engine ("AD"), and with
the same hand-written derivatives as SciPy ("exact"), which isolates the algorithm from
the AD overhead. nfev/njev/nhev are counted by each library (one calcml value-and-gradient
call counts as one nfev and one njev). Times are medians of repeats, measured in this
run; ratio = calcml time / SciPy time for the same pair.

Run: .venv/bin/python benchmarks/bench_optimize.py  (writes benchmarks/results/optimize.md)
"""
from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np
import scipy
from scipy.optimize import minimize as sp_minimize
from scipy.optimize import rosen_der, rosen_hess

from calcml.optimize import minimize

RESULTS = Path(__file__).parent / "results"
TOL = 1e-8


def rosen_np(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1 - x[:-1]) ** 2)


def beale(p):
    x, y = p[0], p[1]
    return (1.5 - x + x * y) ** 2 + (2.25 - x + x * y ** 2) ** 2 + (2.625 - x + x * y ** 3) ** 2


def beale_grad(p):
    x, y = p
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
    return np.array([2 * a * (y - 1) + 2 * b * (y ** 2 - 1) + 2 * c * (y ** 3 - 1),
                     2 * a * x + 4 * b * x * y + 6 * c * x * y ** 2])


def beale_hess(p):
    x, y = p
    a, b, c = 1.5 - x + x * y, 2.25 - x + x * y ** 2, 2.625 - x + x * y ** 3
    hxx = 2 * (y - 1) ** 2 + 2 * (y ** 2 - 1) ** 2 + 2 * (y ** 3 - 1) ** 2
    hxy = (2 * x * (y - 1) + 2 * a + 4 * x * y * (y ** 2 - 1) + 4 * b * y
           + 6 * x * y ** 2 * (y ** 3 - 1) + 6 * c * y ** 2)
    hyy = 2 * x * x + 8 * x * x * y * y + 4 * b * x + 18 * x * x * y ** 4 + 12 * c * x * y
    return np.array([[hxx, hxy], [hxy, hyy]])


def himmelblau(p):
    return (p[0] ** 2 + p[1] - 11) ** 2 + (p[0] + p[1] ** 2 - 7) ** 2


def himmelblau_grad(p):
    x, y = p
    a, b = x * x + y - 11, x + y * y - 7
    return np.array([4 * x * a + 2 * b, 2 * a + 4 * y * b])


def himmelblau_hess(p):
    x, y = p
    return np.array([[12 * x * x + 4 * y - 42, 4 * (x + y)],
                     [4 * (x + y), 4 * x + 12 * y * y - 26]])


D = np.logspace(0, 6, 8)
XSTAR = np.linspace(-1, 1, 8)


def quad(x):
    return 0.5 * np.sum(D * (x - XSTAR) ** 2)


PROBLEMS = [
    ("Rosenbrock 2-D", rosen_np, rosen_der, rosen_hess, np.array([-1.2, 1.0])),
    ("Rosenbrock 10-D", rosen_np, rosen_der, rosen_hess, np.tile([-1.2, 1.0], 5)),
    ("Rosenbrock 100-D", rosen_np, rosen_der, rosen_hess, np.tile([-1.2, 1.0], 50)),
    ("Beale", beale, beale_grad, beale_hess, np.array([1.0, 1.0])),
    ("Himmelblau", himmelblau, himmelblau_grad, himmelblau_hess, np.array([4.0, -4.0])),
    ("quadratic, cond 1e6", quad, lambda x: D * (x - XSTAR), lambda x: np.diag(D),
     np.zeros(8)),
]

PAIRS = [("bfgs", "BFGS"), ("lbfgs", "L-BFGS-B"), ("newton", "trust-exact"),
         ("newton", "Newton-CG")]


def sp_options(method):
    return {"BFGS": {"gtol": TOL}, "L-BFGS-B": {"gtol": TOL, "ftol": 0.0, "maxiter": 15000},
            "trust-exact": {"gtol": TOL}, "Newton-CG": {"xtol": 1e-10}}[method]


def median_time(run, budget=0.5, max_repeat=7):
    """Result of one warm-up run, and the median time of up to ``max_repeat`` more."""
    t0 = time.perf_counter()
    out = run()
    first = time.perf_counter() - t0
    times = []
    for _ in range(max(1, min(max_repeat, int(budget / max(first, 1e-6))))):
        t0 = time.perf_counter()
        run()
        times.append(time.perf_counter() - t0)
    return out, float(np.median(times))


def main() -> str:
    rows = []
    for name, f, g, h, x0 in PROBLEMS:
        for ours, theirs in PAIRS:
            sp_kw = {"jac": g}
            if theirs in ("trust-exact", "Newton-CG"):
                sp_kw["hess"] = h
            rs, ts = median_time(lambda: sp_minimize(f, x0, method=theirs,
                                                     options=sp_options(theirs), **sp_kw))
            if ours == "newton" and theirs == "Newton-CG":
                rows.append((name, theirs, "SciPy", rs, ts, ts))
                continue
            ra, ta = median_time(lambda: minimize(f, x0, method=ours, tol=TOL, maxiter=15000))
            exact_kw = {"jac": g, "hess": h} if ours == "newton" else {"jac": g}
            re, te = median_time(lambda: minimize(f, x0, method=ours, tol=TOL, maxiter=15000,
                                                  **exact_kw))
            rows.append((name, ours, "calcml AD", ra, ta, ts))
            rows.append((name, ours, "calcml exact", re, te, ts))
            if theirs == "trust-exact":
                rt, tt = median_time(lambda: minimize(f, x0, method="newton", tol=TOL,
                                                      maxiter=15000, jac=g, hess=h,
                                                      options={"trust_region": True}))
                rows.append((name, "newton, trust_region", "calcml exact", rt, tt, ts))
            rows.append((name, theirs, "SciPy", rs, ts, ts))
    lines = [
        "# calcml.optimize vs scipy.optimize.minimize",
        "",
        f"Python {platform.python_version()}, NumPy {np.__version__}, SciPy {scipy.__version__}, "
        f"{platform.machine()}. Stop at max|gradient| <= {TOL:g}. "
        "Time: median of repeats, in ms; ratio = time / SciPy's time for the same pair.",
        "",
        "| problem | method | implementation | success | nit | nfev | njev | nhev | "
        "max|grad| | time (ms) | ratio |",
        "| --- | --- | --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for name, meth, impl, r, t, tref in rows:
        gfinal = float(np.max(np.abs(r.jac))) if r.jac is not None else float("nan")
        nhev = getattr(r, "nhev", 0) or 0
        njev = getattr(r, "njev", 0) or 0
        lines.append(f"| {name} | {meth} | {impl} | {bool(r.success)} | {r.nit} | {r.nfev} | "
                     f"{njev} | {nhev} | {gfinal:.1e} | {1e3 * t:.2f} | {t / tref:.2f} |")
    table = "\n".join(lines) + "\n"
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "optimize.md").write_text(table)
    return table


if __name__ == "__main__":
    print(main())
