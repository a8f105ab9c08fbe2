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
