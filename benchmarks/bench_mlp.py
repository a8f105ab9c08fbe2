"""MLPClassifier benchmark (issue 7): calcml (backprop "manual" and "ad") against
scikit-learn's MLPClassifier, same architecture, solver (adam), batch size, learning
rate, L2 penalty and number of epochs. Reports the median time per epoch, its ratio to
scikit-learn measured in the same run, and train/test accuracy.

Goals (issue 7): time per epoch <= 1.5x scikit-learn with backprop="manual", <= 2x
with "ad"; final accuracy within 1 point.

Run: .venv/bin/python benchmarks/bench_mlp.py  (writes benchmarks/results/mlp.md)
"""
from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
from sklearn.datasets import make_classification
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import train_test_split
from sklearn.neural_network import MLPClassifier as SkMLP
from sklearn.preprocessing import StandardScaler

from calcml.datasets import circles
from calcml.models import MLPClassifier

RESULTS = Path(__file__).parent / "results"
REPEAT = 5


def problems():
    X, y = make_classification(n_samples=4000, n_features=20, n_informative=10, n_classes=3,
                               random_state=0)
    Xc, yc = circles(n_samples=4000, noise=0.1, factor=0.5, random_state=0)
    return [
        ("classification 4000x20, 3 classes", X, y, (100,), 15),
        ("circles 4000x2 (seed 004), 2 classes", Xc, yc, (64, 32), 15),
    ]


def run(make, X_tr, y_tr, X_te, y_te, epochs):
    times, model = [], None
    for _ in range(REPEAT):
        model = make()
        t0 = time.perf_counter()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", ConvergenceWarning)
            model.fit(X_tr, y_tr)
        times.append((time.perf_counter() - t0) / model.n_iter_)
        assert model.n_iter_ == epochs
    return float(np.median(times)), model.score(X_tr, y_tr), model.score(X_te, y_te)


def main() -> None:
    rows = ["| problem | hidden | implementation | time / epoch | ratio to sklearn | train acc "
            "| test acc |", "| --- | --- | --- | --- | --- | --- | --- |"]
    for name, X, y, hidden, epochs in problems():
        X = StandardScaler().fit_transform(X)
        X_tr, X_te, y_tr, y_te = train_test_split(X, y, test_size=0.25, random_state=0)
        common = dict(hidden_layer_sizes=hidden, solver="adam", alpha=1e-4, batch_size=200,
                      max_iter=epochs, tol=0.0, n_iter_no_change=epochs + 1, random_state=0)
        impls = [
            ("scikit-learn", lambda: SkMLP(learning_rate_init=1e-3, **common)),
            ('calcml backprop="manual"',
             lambda: MLPClassifier(learning_rate=1e-3, backprop="manual", **common)),
            ('calcml backprop="ad"',
             lambda: MLPClassifier(learning_rate=1e-3, backprop="ad", **common)),
        ]
        base = None
        for label, make in impls:
            t, acc_tr, acc_te = run(make, X_tr, y_tr, X_te, y_te, epochs)
            base = t if base is None else base
            rows.append(f"| {name} | {hidden} | {label} | {t * 1e3:.2f} ms | {t / base:.2f} | "
                        f"{acc_tr:.3f} | {acc_te:.3f} |")
            name = hidden = ""
    notes = (f"\nadam, lr 1e-3, alpha 1e-4, batch 200, a fixed number of epochs (no early stop), "
             f"median of {REPEAT} fits; 75/25 train/test split of standardised data.\n")
    table = "\n".join(rows) + "\n" + notes
    print(table)
    RESULTS.mkdir(exist_ok=True)
    (RESULTS / "mlp.md").write_text("# MLPClassifier: calcml vs scikit-learn\n\n" + table)


if __name__ == "__main__":
    main()
