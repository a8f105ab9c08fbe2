"""What a GPU would give, for reference (not a calcml target): the W1 MLP gradient and the
W2 Rosenbrock gradient of bench_ad.py, at their sizes and at larger ones, computed by
calcml (NumPy on the CPU), by hand-written NumPy (the baseline of every ratio), and by
JAX, PyTorch and CuPy on the GPU where they are installed and see one.

calcml's engine traces whatever array type NumPy's protocols hand it, so the script also
tries calcml on CuPy arrays and reports whether that works (and how fast), or the error.

Runs only where a GPU is visible (JAX's gpu backend, torch.cuda or CuPy); elsewhere it
prints why it skipped and writes nothing. Writes benchmarks/results/gpu.md.
"""
from __future__ import annotations

import platform
import sys
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).parent))
from bench_ad import hand_value_and_grad, make_loss, rosenbrock  # noqa: E402

import calcml as cm  # noqa: E402

RESULTS = Path(__file__).parent / "results"


def median_time(fn, sync=lambda r: r, repeat=15):
    sync(fn())                               # warm up (and compile, for jit)
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        sync(fn())
        times.append(time.perf_counter() - t0)
    return float(np.median(times))


def mlp_problem(batch, sizes, seed=0):
    rng = np.random.default_rng(seed)
    params = {f"W{i}": rng.standard_normal((a, b)) * np.sqrt(1.0 / a)
              for i, (a, b) in enumerate(zip(sizes[:-1], sizes[1:]))}
    params.update({f"b{i}": np.zeros(b) for i, b in enumerate(sizes[1:])})
    X = rng.standard_normal((batch, sizes[0]))
    y = rng.integers(0, sizes[-1], batch)
    return params, X, y


def backends():
    """name -> (module-like namespace, to_device, sync) for each GPU library found."""
    found = {}
    try:
        import jax
        import jax.numpy as jnp
        jax.config.update("jax_enable_x64", True)
        if jax.default_backend() == "gpu":
            found["jax"] = (jax, jnp)
    except Exception as exc:  # noqa: BLE001 - any import or backend failure means "absent"
        print(f"jax: {exc}")
    try:
        import torch
        if torch.cuda.is_available():
            found["torch"] = torch
    except Exception as exc:  # noqa: BLE001
        print(f"torch: {exc}")
    try:
        import cupy
        cupy.zeros(1)
        found["cupy"] = cupy
    except Exception as exc:  # noqa: BLE001
        print(f"cupy: {exc}")
    return found


def torch_loss(torch):
    def loss(p, X, y):
        h = torch.tanh(X @ p["W0"] + p["b0"])
        h = torch.tanh(h @ p["W1"] + p["b1"])
        z = h @ p["W2"] + p["b2"]
        return torch.nn.functional.cross_entropy(z, y)
    return loss


def bench_mlp(rows, found, batch, sizes):
    params, X, y = mlp_problem(batch, sizes)
    label = f"MLP loss+grad, batch {batch}, {'-'.join(map(str, sizes))}, float64"
    l_ref, g_ref = hand_value_and_grad(params, X, y)
    t_hand = median_time(lambda: hand_value_and_grad(params, X, y))
    rows.append((label, "hand-written NumPy (CPU)", t_hand, 1.0, "baseline"))
    vg = cm.value_and_grad(make_loss(np))
    l_cm, g_cm = vg(params, X, y)
    ok = abs(l_cm - l_ref) < 1e-10 and all(np.allclose(g_cm[k], g_ref[k]) for k in g_ref)
    t = median_time(lambda: vg(params, X, y))
    rows.append(("", "calcml (CPU)", t, t / t_hand, "same as hand" if ok else "DIFFERS"))
    if "jax" in found:
        jax, jnp = found["jax"]
        jp = {k: jnp.asarray(v) for k, v in params.items()}
        jX, jy = jnp.asarray(X), jnp.asarray(y)
        jj = jax.jit(jax.value_and_grad(make_loss(jnp)))
        l_j, g_j = jj(jp, jX, jy)
        ok = abs(float(l_j) - l_ref) < 1e-8
        t = median_time(lambda: jj(jp, jX, jy), sync=jax.block_until_ready)
        rows.append(("", "JAX jit (GPU)", t, t / t_hand, "same loss" if ok else "DIFFERS"))
    if "torch" in found:
        torch = found["torch"]
        tp = {k: torch.tensor(v, device="cuda", requires_grad=True) for k, v in params.items()}
        tX = torch.tensor(X, device="cuda")
        ty = torch.tensor(y, device="cuda")
        loss = torch_loss(torch)

        def step():
            out = loss(tp, tX, ty)
            grads = torch.autograd.grad(out, list(tp.values()))
            return out, grads

        ok = abs(float(step()[0]) - l_ref) < 1e-8
        t = median_time(step, sync=lambda r: torch.cuda.synchronize())
        rows.append(("", "PyTorch eager (GPU)", t, t / t_hand, "same loss" if ok else "DIFFERS"))
    if "cupy" in found:
        cp = found["cupy"]
        cpp = {k: cp.asarray(v) for k, v in params.items()}
        cX, cy = cp.asarray(X), cp.asarray(y)
        try:
            l_c, g_c = vg(cpp, cX, cy)
            ok = abs(float(l_c) - l_ref) < 1e-8 and all(
                np.allclose(cp.asnumpy(g_c[k]), g_ref[k]) for k in g_ref)
            t = median_time(lambda: vg(cpp, cX, cy),
                            sync=lambda r: cp.cuda.Device().synchronize())
            rows.append(("", "calcml on CuPy arrays (GPU)", t, t / t_hand,
                         "same as hand" if ok else "DIFFERS"))
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            rows.append(("", "calcml on CuPy arrays (GPU)", None, None,
                         f"fails: {type(exc).__name__}: {str(exc)[:80]}"))


def bench_rosenbrock(rows, found, n):
    x = np.random.default_rng(0).uniform(-1, 1, n)
    label = f"Rosenbrock gradient, n = {n:.0e}"
    t_f = median_time(lambda: rosenbrock(x), repeat=9)
    rows.append((label, "f(x) in NumPy (CPU)", t_f, 1.0, "baseline"))
    g = cm.grad(rosenbrock)
    g_ref = g(x)
    t = median_time(lambda: g(x), repeat=9)
    rows.append(("", "calcml grad (CPU)", t, t / t_f, ""))
    if "jax" in found:
        jax, jnp = found["jax"]
        jg = jax.jit(jax.grad(lambda v: jnp.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2
                                                + (1.0 - v[:-1]) ** 2)))
        jx = jnp.asarray(x)
        ok = np.allclose(np.asarray(jg(jx)), g_ref)
        t = median_time(lambda: jg(jx), sync=jax.block_until_ready, repeat=9)
        rows.append(("", "JAX jit grad (GPU)", t, t / t_f, "same" if ok else "DIFFERS"))
    if "cupy" in found:
        cp = found["cupy"]
        cx = cp.asarray(x)
        try:
            ok = np.allclose(cp.asnumpy(g(cx)), g_ref)
            t = median_time(lambda: g(cx), sync=lambda r: cp.cuda.Device().synchronize(),
                            repeat=9)
            rows.append(("", "calcml grad on CuPy (GPU)", t, t / t_f,
                         "same" if ok else "DIFFERS"))
        except Exception as exc:  # noqa: BLE001 - reported, not hidden
            rows.append(("", "calcml grad on CuPy (GPU)", None, None,
                         f"fails: {type(exc).__name__}: {str(exc)[:80]}"))


def main() -> int:
    found = backends()
    if not found:
        print("bench_gpu: no GPU library sees a GPU here; skipped (results/gpu.md unchanged)")
        return 0
    rows: list = []
    bench_mlp(rows, found, 256, (64, 256, 256, 10))
    bench_mlp(rows, found, 8192, (512, 1024, 1024, 10))
    bench_rosenbrock(rows, found, 10**6)
    bench_rosenbrock(rows, found, 10**7)
    lines = ["# GPU reference (not a calcml target)", "",
             f"Machine: {platform.machine()}, Python {platform.python_version()}, NumPy "
             f"{np.__version__}; GPU libraries: {', '.join(sorted(found))}. Medians; ratio = "
             "time / the CPU baseline of the same row group, measured in the same run.", "",
             "| workload | implementation | time | ratio to baseline | check |",
             "| --- | --- | --- | --- | --- |"]
    for a, b, t, r, note in rows:
        ts = "-" if t is None else (f"{t * 1e3:.3f} ms" if t < 1 else f"{t:.2f} s")
        rs = "-" if r is None else f"{r:.3g}"
        lines.append(f"| {a} | {b} | {ts} | {rs} | {note} |")
    text = "\n".join(lines) + "\n"
    print(text)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "gpu.md").write_text(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())
