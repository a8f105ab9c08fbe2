"""The README's examples run verbatim and print what the README says they print."""
import contextlib
import io
import re
from pathlib import Path

import numpy as np

README = Path(__file__).resolve().parents[1] / "README.md"


def python_blocks():
    return re.findall(r"```python\n(.*?)```", README.read_text(), flags=re.S)


def test_readme_first_example_runs_and_agrees():
    blocks = python_blocks()
    assert blocks, "the README has no python example"
    out = io.StringIO()
    namespace: dict = {}
    with contextlib.redirect_stdout(out):
        exec(compile(blocks[0], str(README), "exec"), namespace)  # our own README, not user text
    text = out.getvalue()
    assert "AGREE" in text                                   # cm.verify: the three agree
    assert "exp(x)*sin(x) + exp(x)*cos(x)" in text           # cm.sym.diff
    # the gradient and Hessian of the logistic loss, against their closed forms
    X, y, w = namespace["X"], namespace["y"], namespace["w"]
    p = 1 / (1 + np.exp(-(X @ w)))
    np.testing.assert_allclose(namespace["g"], X.T @ (p - y) / len(y), rtol=1e-12)
    np.testing.assert_allclose(namespace["H"], (X.T * (p * (1 - p))) @ X / len(y), rtol=1e-12)


def test_readme_benchmark_tables_are_the_results_files():
    import importlib.util
    path = README.parent / "benchmarks" / "readme_tables.py"
    spec = importlib.util.spec_from_file_location("readme_tables", path)
    tables = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(tables)
    text = README.read_text()
    block = text.split(tables.START, 1)[1].split(tables.END, 1)[0].strip()
    assert block == tables.render().strip(), (
        "README's benchmark tables differ from benchmarks/results: run "
        "benchmarks/readme_tables.py")
