"""SVC benchmark (issue 7): calcml's SMO (pure NumPy) against scikit-learn's libsvm (C++).

Data: two Gaussian blobs in 20 dimensions (``calcml.datasets.blobs``), standardized;
cluster_std 5 (the classes barely overlap: few support vectors, ~99 % accuracy) and 10
(they overlap: many multipliers at the bound C, ~91 %). Fit on ``n`` training samples,
accuracy on 1,000 held-out ones. Both use C=1, tol=1e-3, gamma="scale", shrinking, a
200 MB kernel cache, and one BLAS thread (libsvm is single-threaded; calcml's kernel rows
are BLAS matrix-vector products). Times are medians of repeats; the ratio is calcml /
scikit-learn measured in the same run. The sweep over ``n`` gives the largest size
where SMO stays under 10x.

Run: .venv/bin/python benchmarks/bench_svc.py  (writes benchmarks/results/svc.md)
"""
from __future__ import annotations

import platform
import time
from pathlib import Path

import numpy as np
from sklearn.preprocessing import StandardScaler
from sklearn.svm import SVC as SkSVC
from threadpoolctl import threadpool_limits

from calcml.datasets import blobs
from calcml.models import SVC

RESULTS = Path(__file__).parent / "results"
N_TEST = 1000


def data(n: int, std: float = 5.0):
    X, y = blobs(n_samples=n + N_TEST, centers=2, n_features=20, cluster_std=std,
                 random_state=0)
    X = StandardScaler().fit_transform(X)
    return X[:n], y[:n], X[n:], y[n:]


def timed(make, X, y, repeat):
    times, model = [], None
    for _ in range(repeat):
        model = make()
        t0 = time.perf_counter()
        model.fit(X, y)
        times.append(time.perf_counter() - t0)
    return float(np.median(times)), model


def compare(kernel: str, n: int, std: float, repeat: int = 5):
    X, y, Xt, yt = data(n, std)
    t_sk, sk = timed(lambda: SkSVC(kernel=kernel), X, y, repeat)
    t_cm, cm = timed(lambda: SVC(kernel=kernel), X, y, max(repeat // 2, 1))
    agree = float(np.mean(cm.predict(Xt) == sk.predict(Xt)))
    ddec = float(np.max(np.abs(cm.decision_function(Xt) - sk.decision_function(Xt))))
    return dict(kernel=kernel, n=n, std=std, t_cm=t_cm, t_sk=t_sk, ratio=t_cm / t_sk,
                acc_cm=cm.score(Xt, yt), acc_sk=sk.score(Xt, yt), agree=agree, ddec=ddec,
                it_cm=int(cm.n_iter_[0]), it_sk=int(sk.n_iter_[0]),
                sv_cm=int(cm.n_support_.sum()), sv_sk=int(sk.n_support_.sum()))


def main() -> None:
    lines = [f"# SVC: calcml SMO vs scikit-learn libsvm ({platform.machine()}, "
             f"Python {platform.python_version()}, one BLAS thread)", ""]
    lines += ["## 2,000 x 20 blobs", "",
              "| kernel | cluster_std | calcml SMO | sklearn libsvm | ratio | test acc calcml "
              "| test acc sklearn | same predictions | max abs diff decision "
              "| iterations calcml / libsvm | support vectors calcml / libsvm |",
              "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
    for std in (5.0, 10.0):
        for kernel in ("linear", "rbf"):
            r = compare(kernel, 2000, std, repeat=5)
            lines.append(
                f"| {kernel} | {std:g} | {r['t_cm'] * 1e3:.1f} ms | {r['t_sk'] * 1e3:.1f} ms "
                f"| {r['ratio']:.1f}x | {r['acc_cm']:.3f} | {r['acc_sk']:.3f} "
                f"| {r['agree']:.3f} | {r['ddec']:.1e} | {r['it_cm']} / {r['it_sk']} "
                f"| {r['sv_cm']} / {r['sv_sk']} |")
            print(lines[-1], flush=True)
    lines += ["", "## Size sweep (cluster_std 10, n training samples)", "",
              "| kernel | n | calcml SMO | sklearn libsvm | ratio | iterations calcml / libsvm "
              "| time per iteration calcml / libsvm | support vectors |",
              "| --- | --- | --- | --- | --- | --- | --- | --- |"]
    from_n = {}
    for kernel in ("linear", "rbf"):
        for n in (100, 250, 500, 1000, 2000, 4000, 8000, 16000):
            r = compare(kernel, n, 10.0, repeat=5 if n <= 1000 else 3 if n <= 4000 else 1)
            lines.append(f"| {kernel} | {n} | {r['t_cm'] * 1e3:.1f} ms | {r['t_sk'] * 1e3:.1f} ms "
                         f"| {r['ratio']:.1f}x | {r['it_cm']} / {r['it_sk']} "
                         f"| {r['t_cm'] / r['it_cm'] * 1e6:.1f} / "
                         f"{r['t_sk'] / r['it_sk'] * 1e6:.1f} us | {r['sv_cm']} |")
            print(lines[-1], flush=True)
            if r["ratio"] >= 10:
                from_n.pop(kernel, None)
            else:
                from_n.setdefault(kernel, n)
    lines += ["", "Under 10x libsvm at every size of the sweep from n = "
              + ", ".join(f"{from_n.get(k, 'never')} ({k})" for k in ("linear", "rbf"))
              + " up to 16,000 (the sweep's end).", ""]
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "svc.md").write_text("\n".join(lines))
    print("\n".join(lines))


if __name__ == "__main__":
    with threadpool_limits(1):
        main()
