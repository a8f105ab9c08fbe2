"""Autodiff engine benchmarks (issue 3): W1 MLP gradient, W2 Rosenbrock, W3 per-op overhead,
peak memory, W4 dense Hessians. Every number is a ratio against a baseline measured in the same run (medians).

Run: .venv/bin/python benchmarks/bench_ad.py  (writes benchmarks/results/ad.md)
"""
from __future__ import annotations

import os
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np

import calcml as cm

RESULTS = Path(__file__).parent / "results"


def timings(fn, repeat=15, number=1, warmup=3):
    """Per-call times of ``repeat`` runs (of ``number`` calls each) after ``warmup`` calls."""
    for _ in range(warmup):
        fn()
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        for _ in range(number):
            fn()
        times.append((time.perf_counter() - t0) / number)
    return np.array(times)


def median_time(fn, repeat=15, number=1, warmup=3):
    return float(np.median(timings(fn, repeat, number, warmup)))


def spread(times):
    """'median ms (interquartile range)' of a timings() result."""
    q1, med, q3 = np.percentile(times, [25, 50, 75]) * 1e3
    return f"{med:.1f} ms (IQR {q1:.1f}-{q3:.1f})"


def peak_memory(fn):
    tracemalloc.start()
    fn()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return peak


# ------------------------------------------------------------------ W1: MLP
def mlp_setup(seed=0):
    rng = np.random.default_rng(seed)
    sizes = [64, 256, 256, 10]
    params = {f"W{i}": rng.standard_normal((a, b)) * np.sqrt(1.0 / a)
              for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))}
    params.update({f"b{i}": np.zeros(b) for i, b in enumerate(sizes[1:])})
    X = rng.standard_normal((256, 64))
    y = rng.integers(0, 10, 256)
    return params, X, y


def make_loss(xp):
    def loss(p, X, y):
        h = xp.tanh(X @ p["W0"] + p["b0"])
        h = xp.tanh(h @ p["W1"] + p["b1"])
        z = h @ p["W2"] + p["b2"]
        zmax = xp.max(z, axis=1, keepdims=True)
        logp = z - zmax - xp.log(xp.sum(xp.exp(z - zmax), axis=1, keepdims=True))
        return -xp.mean(logp[xp.arange(z.shape[0]), y])
    return loss


def hand_value_and_grad(p, X, y):
    a1 = X @ p["W0"] + p["b0"]
    h1 = np.tanh(a1)
    a2 = h1 @ p["W1"] + p["b1"]
    h2 = np.tanh(a2)
    z = h2 @ p["W2"] + p["b2"]
    z = z - z.max(axis=1, keepdims=True)
    e = np.exp(z)
    s = e.sum(axis=1, keepdims=True)
    n = X.shape[0]
    loss = -np.mean(z[np.arange(n), y] - np.log(s[:, 0]))
    dz = e / s
    dz[np.arange(n), y] -= 1.0
    dz /= n
    g = {"W2": h2.T @ dz, "b2": dz.sum(0)}
    da2 = (dz @ p["W2"].T) * (1 - h2 ** 2)
    g.update(W1=h1.T @ da2, b1=da2.sum(0))
    da1 = (da2 @ p["W1"].T) * (1 - h1 ** 2)
    g.update(W0=X.T @ da1, b0=da1.sum(0))
    return loss, g


def bench_w1(rows, ratios):
    params, X, y = mlp_setup()
    loss = make_loss(np)
    vg = cm.value_and_grad(loss)
    l_ref, g_ref = hand_value_and_grad(params, X, y)
    l_cm, g_cm = vg(params, X, y)
    assert abs(l_cm - l_ref) < 1e-10 and all(np.allclose(g_cm[k], g_ref[k], atol=1e-10) for k in g_ref)
    t_hand = median_time(lambda: hand_value_and_grad(params, X, y), repeat=30)
    t_cm = median_time(lambda: vg(params, X, y), repeat=30)
    rows.append(("W1 MLP loss+grad (256x64-256-256-10)", "hand-written NumPy", f"{t_hand*1e3:.2f} ms", "1.00"))
    rows.append(("", "calcml", f"{t_cm*1e3:.2f} ms", f"{t_cm/t_hand:.2f}"))
    ratios["W1 calcml"] = t_cm / t_hand
    try:
        import autograd
        import autograd.numpy as anp
        ag = autograd.value_and_grad(make_loss(anp))
        t_ag = median_time(lambda: ag(params, X, y), repeat=30)
        rows.append(("", "autograd", f"{t_ag*1e3:.2f} ms", f"{t_ag/t_hand:.2f}"))
        ratios["W1 autograd"] = t_ag / t_hand
    except ImportError:
        rows.append(("", "autograd", "not installed", "-"))
    try:
        os.environ.setdefault("JAX_PLATFORMS", "cpu")
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        jp = {k: jnp.asarray(v) for k, v in params.items()}
        jX, jy = jnp.asarray(X), jnp.asarray(y)
        with jax.disable_jit():
            jg = jax.value_and_grad(make_loss(jnp))
            t_jax = median_time(lambda: jax.block_until_ready(jg(jp, jX, jy)), repeat=10)
        rows.append(("", "JAX eager (disable_jit)", f"{t_jax*1e3:.2f} ms", f"{t_jax/t_hand:.2f}"))
        ratios["W1 jax eager"] = t_jax / t_hand
        jj = jax.jit(jax.value_and_grad(make_loss(jnp)))
        t_jit = median_time(lambda: jax.block_until_ready(jj(jp, jX, jy)), repeat=30)
        rows.append(("", "JAX jit (compiled, for reference)", f"{t_jit*1e3:.2f} ms", f"{t_jit/t_hand:.2f}"))
    except ImportError:
        rows.append(("", "JAX", "not installed", "-"))

    m_hand = peak_memory(lambda: hand_value_and_grad(params, X, y))
    m_cm = peak_memory(lambda: vg(params, X, y))
    rows.append(("W1 peak memory (tracemalloc)", "hand-written NumPy", f"{m_hand/2**20:.2f} MiB", "1.00"))
    rows.append(("", "calcml", f"{m_cm/2**20:.2f} MiB", f"{m_cm/m_hand:.2f}"))
    ratios["W1 memory"] = m_cm / m_hand


# --------------------------------------------------------------- W2: Rosenbrock
def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def bench_w2(rows, ratios, n=10**6, repeat=41):
    """Median of many runs after a warm-up; each run allocates ~8 MB temporaries, whose
    page faults dominate and vary with the machine's load, so the spread is reported."""
    x = np.random.default_rng(0).uniform(-1, 1, n)
    g = cm.grad(rosenbrock)
    x0 = x.copy()
    np.testing.assert_allclose(g(x), _rosen_der(x), rtol=1e-12, atol=1e-9)
    assert np.array_equal(x, x0)
    t_f = timings(lambda: rosenbrock(x), repeat=repeat)
    t_g = timings(lambda: g(x), repeat=repeat)
    mf, mg = np.median(t_f), np.median(t_g)
    rows.append((f"W2 Rosenbrock n=10^6", "f(x) in NumPy", spread(t_f), "1.00"))
    rows.append(("", "calcml grad", spread(t_g), f"{mg/mf:.2f}"))
    ratios["W2 calcml"] = mg / mf
    try:
        import autograd
        import autograd.numpy as anp
        ag = autograd.grad(lambda x: anp.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2))
        t_ag = timings(lambda: ag(x), repeat=repeat)
        rows.append(("", "autograd grad", spread(t_ag), f"{np.median(t_ag)/mf:.2f}"))
    except ImportError:
        pass


def _rosen_der(x):
    from scipy.optimize import rosen_der
    return rosen_der(x)


# ------------------------------------------------------------------ W4: Hessians
def bench_w4(rows, ratios, n=100):
    from scipy.optimize import rosen_hess
    x = np.random.default_rng(0).uniform(-1, 1, n)
    H_ref = rosen_hess(x)
    t_ref = median_time(lambda: rosen_hess(x), repeat=15)
    rows.append((f"W4 Hessian, Rosenbrock n={n}", "scipy rosen_hess (hand-written)",
                 f"{t_ref*1e3:.3f} ms", "1.00"))
    for mode, label in (("rev", "reverse over reverse (default)"),
                        ("fwd", "forward over reverse")):
        H = cm.hessian(rosenbrock, mode=mode)
        assert np.allclose(H(x), H_ref, rtol=1e-12, atol=1e-9)
        t = median_time(lambda: H(x), repeat=9)
        rows.append(("", f"calcml hessian, {label}", f"{t*1e3:.2f} ms", f"{t/t_ref:.0f}"))
        ratios[f"W4 calcml {mode}"] = t / t_ref
    try:
        import autograd
        import autograd.numpy as anp
        ah = autograd.hessian(lambda v: anp.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2
                                                + (1.0 - v[:-1]) ** 2))
        t = median_time(lambda: ah(x), repeat=9)
        rows.append(("", "autograd hessian", f"{t*1e3:.2f} ms", f"{t/t_ref:.0f}"))
    except ImportError:
        pass


# -------------------------------------------------------------- W3: per-op overhead
def chain(xp, n=1000):
    def f(x):
        for i in range(n // 4):
            x = xp.sin(x) * 1.01 + 0.1
            x = x * x
        return x
    return f


def bench_w3(rows, ratios, n=1000):
    f = chain(np, n)
    t_plain = median_time(lambda: f(0.3), repeat=31)
    g = cm.grad(f)
    t_cm = median_time(lambda: g(0.3), repeat=31)
    per_op = (t_cm - t_plain) / n * 1e6
    rows.append(("W3 chain of 1000 scalar ops", "plain NumPy scalars", f"{t_plain/n*1e6:.2f} us/op", "-"))
    rows.append(("", "calcml grad overhead", f"{per_op:.2f} us/op", "-"))
    ratios["W3 calcml us/op"] = per_op
    try:
        import autograd
        import autograd.numpy as anp
        ag = autograd.grad(chain(anp, n))
        t_ag = median_time(lambda: ag(0.3), repeat=31)
        per_op_ag = (t_ag - t_plain) / n * 1e6
        rows.append(("", "autograd grad overhead", f"{per_op_ag:.2f} us/op", "-"))
        ratios["W3 autograd us/op"] = per_op_ag
    except ImportError:
        pass


def main():
    rows, ratios = [], {}
    bench_w1(rows, ratios)
    bench_w2(rows, ratios)
    bench_w3(rows, ratios)
    bench_w4(rows, ratios)
    import platform
    table = ["# Autodiff engine: calcml vs hand-written NumPy, autograd and JAX", "",
             f"{platform.machine()}, Python {platform.python_version()}, NumPy "
             f"{np.__version__}. Medians of repeated runs after warm-up calls (W2: 41 runs, "
             "interquartile range in brackets); ratio = median time / the first row's "
             "median, measured in the same run.", "",
             "| workload | implementation | time / memory | ratio to baseline |",
             "| --- | --- | --- | --- |"]
    table += [f"| {a} | {b} | {c} | {d} |" for a, b, c, d in rows]
    text = "\n".join(table)
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "ad.md").write_text(text + "\n")
    return ratios


if __name__ == "__main__":
    main()
    sys.exit(0)
