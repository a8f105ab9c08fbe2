"""Sensitivity benchmarks (issue 8).

S1: sensitivities of a 10-species linear chain A0 -> A1 -> ... -> A9 (9 rate constants)
    at 21 output times: forward sensitivity equations (``ReactionNetwork.sensitivities``,
    and ``ode_sensitivities`` with AD Jacobians) against central finite differences of
    ``simulate`` (2 x 9 extra simulations). The reference is exact: the chain is linear,
    y(t) = expm(K t) y0, and dy/dk_j = expm_frechet(K t, dK/dk_j t) y0.
S2: the Robertson stiff problem to t = 1e5 with and without the exact Jacobian, for
    LSODA, Radau and BDF: right-hand-side evaluations (counted, finite-difference
    Jacobian columns included), Jacobian evaluations, time and the error of y(1e5)
    against a tight Radau run.

Every number is measured in this run; times are medians of repeats.
Run: .venv/bin/python benchmarks/bench_sensitivity.py  (writes benchmarks/results/sensitivity.md)
"""
from __future__ import annotations

import time
from pathlib import Path

import numpy as np
from scipy.linalg import expm, expm_frechet

from calcml.sensitivity import ReactionNetwork, ode_sensitivities

RESULTS = Path(__file__).parent / "results"
N_CHAIN = 10
T_CHAIN = np.linspace(0.0, 10.0, 21)
ROBERTSON = "A -> B : k1\n2B -> B + C : k2\nB + C -> A + C : k3"
ROB_P = {"k1": 0.04, "k2": 3e7, "k3": 1e4}


def median_time(fn, repeat=5):
    out = fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), out


def chain():
    text = "\n".join(f"A{i} -> A{i + 1} : k{i}" for i in range(N_CHAIN - 1))
    net = ReactionNetwork.from_string(text)
    k = 1.0 + 0.15 * np.arange(N_CHAIN - 1)
    y0 = np.zeros(N_CHAIN)
    y0[0] = 1.0
    return net, y0, k


def chain_exact(k, y0, t):
    """dy/dk_j of y' = K y by the Frechet derivative of the matrix exponential."""
    n = y0.size
    K = np.zeros((n, n))
    for j, kj in enumerate(k):
        K[j, j] -= kj
        K[j + 1, j] += kj
    out = np.zeros((t.size, n, k.size))
    for j in range(k.size):
        dK = np.zeros((n, n))
        dK[j, j], dK[j + 1, j] = -1.0, 1.0
        for i, ti in enumerate(t):
            out[i, :, j] = expm_frechet(K * ti, dK * ti, compute_expm=False) @ y0
    y = np.stack([expm(K * ti) @ y0 for ti in t])
    return y, out


def central_differences(net, y0, k, t, rel, **kw):
    cols = []
    for j in range(k.size):
        h = rel * k[j]
        up, down = k.copy(), k.copy()
        up[j] += h
        down[j] -= h
        cols.append((net.simulate(y0, up, t, **kw).y - net.simulate(y0, down, t, **kw).y)
                    / (2 * h))
    return np.stack(cols, axis=-1)


def rel_error(S, exact):
    return float(np.max(np.abs(S - exact)) / np.max(np.abs(exact)))


def s1():
    net, y0, k = chain()
    y_exact, exact = chain_exact(k, y0, T_CHAIN)
    assert np.allclose(net.simulate(y0, k, T_CHAIN, rtol=1e-12, atol=1e-14).y, y_exact, atol=1e-9)
    rows = []
    for rtol in (1e-6, 1e-8, 1e-10):
        atol = rtol * 1e-2
        t_fwd, S = median_time(lambda: net.sensitivities(y0, k, T_CHAIN, rtol=rtol, atol=atol))
        rows.append(("forward equations (exact Jacobians)", rtol, 1, t_fwd, rel_error(S, exact)))
        for rel in (1e-4, 1e-6):
            t_fd, S = median_time(lambda: central_differences(net, y0, k, T_CHAIN, rel,
                                                               rtol=rtol, atol=atol))
            rows.append((f"central differences of simulate, h = {rel:g} k", rtol,
                         2 * k.size, t_fd, rel_error(S, exact)))
    t_ad, S = median_time(lambda: ode_sensitivities(net.rhs, y0, k, T_CHAIN), repeat=1)
    rows.append(("ode_sensitivities (AD Jacobians of net.rhs)", 1e-8, 1, t_ad,
                 rel_error(S, exact)))
    return rows


def s2():
    net = ReactionNetwork.from_string(ROBERTSON)
    y0, t = [1.0, 0.0, 0.0], [0.0, 1e5]
    ref = net.simulate(y0, ROB_P, t, method="Radau", rtol=1e-12, atol=1e-16).y[-1]
    kern = net._kernel
    original = kern.rhs
    rows = []
    for method in ("LSODA", "Radau", "BDF"):
        for exact in (True, False):
            calls = [0]

            def counted(*args, **kwargs):
                calls[0] += 1
                return original(*args, **kwargs)

            kern.rhs = counted
            try:
                tr = net.simulate(y0, ROB_P, t, method=method, exact_jacobian=exact)
                n_rhs = calls[0]
            finally:
                kern.rhs = original
            elapsed, tr2 = median_time(lambda: net.simulate(y0, ROB_P, t, method=method,
                                                            exact_jacobian=exact), repeat=3)
            err = float(np.max(np.abs(tr2.y[-1] - ref) / np.abs(ref)))
            cons = float(np.max(np.abs(tr2.y.sum(axis=1) - 1.0)))
            rows.append((method, "exact" if exact else "finite differences", n_rhs, tr.njev,
                         elapsed, err, cons))
    t_sens, _ = median_time(lambda: net.sensitivities(y0, ROB_P, t), repeat=3)
    return rows, t_sens


def main():
    lines = ["# Sensitivity benchmarks (calcml.sensitivity)", "",
             f"## S1: {N_CHAIN}-species chain A0 -> ... -> A9, 9 rate constants, "
             f"{T_CHAIN.size} output times on [0, 10]", "",
             "Error: max |S - exact| / max |exact| over all times, species and parameters; "
             "exact = Frechet derivative of expm(K t). Default solver LSODA, atol = rtol / 100. "
             "Integrations: how many ODE solves the method needs; time / forward: against the "
             "forward equations at the same rtol.", "",
             "| method | rtol | integrations | time (ms) | time / forward | error |",
             "| --- | --- | --- | --- | --- | --- |"]
    base = {}
    for name, rtol, nsim, t, err in s1():
        base.setdefault(rtol, t)      # the forward equations come first at each rtol
        lines.append(f"| {name} | {rtol:.0e} | {nsim} | {1e3 * t:.1f} | {t / base[rtol]:.1f}x "
                     f"| {err:.1e} |")
    rows, t_sens = s2()
    lines += ["", "## S2: Robertson problem to t = 1e5, exact Jacobian vs finite differences",
              "", "rhs evaluations are counted in calcml's kernel (the solver's finite-difference "
              "Jacobian columns included); error: max relative error of y(1e5) against Radau "
              "at rtol 1e-12; conservation: max |A + B + C - 1|. rtol 1e-8, atol 1e-10.", "",
              "| method | Jacobian | rhs evaluations | Jacobian evaluations | time (ms) | error "
              "| conservation |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for method, jac, nfev, njev, t, err, cons in rows:
        lines.append(f"| {method} | {jac} | {nfev} | {njev} | {1e3 * t:.1f} | {err:.1e} | "
                     f"{cons:.1e} |")
    lines += ["", f"Robertson forward sensitivities to t = 1e5 (3 states x 3 rates, LSODA, exact "
              f"augmented Jacobian): {1e3 * t_sens:.1f} ms."]
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "sensitivity.md").write_text(text)


if __name__ == "__main__":
    main()
