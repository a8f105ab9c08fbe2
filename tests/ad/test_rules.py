"""Every rule in the registry: reverse and forward mode against finite differences,
to second order. The sweep at the bottom fails when a rule is added without a case."""
import numpy as np
import pytest
from scipy import special

import calcml as cm
from calcml.ad import supported_functions

rng = np.random.default_rng(0)


def R(*shape, lo=-2.0, hi=2.0):
    return rng.uniform(lo, hi, size=shape)


POS = dict(lo=0.5, hi=2.0)
UNIT = dict(lo=-0.8, hi=0.8)
SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])

# name -> (function, args); each function uses the rule named (plus arithmetic).
CASES = {
    "absolute": (np.abs, [R(3, lo=0.3)]),
    "fabs": (np.fabs, [-R(3, **POS)]),
    "add": (np.add, [R(3, 1), R(4)]),
    "subtract": (np.subtract, [R(2, 3), R(3)]),
    "multiply": (np.multiply, [R(3, 1), R(1, 4)]),
    "divide": (np.divide, [R(3), R(2, 3, **POS)]),
    "power": (np.power, [R(3, **POS), R(3)]),
    "remainder": (lambda x, y: np.remainder(x, y), [np.array([2.3, 5.7]), np.array([1.1, 1.7])]),
    "negative": (np.negative, [R(3)]),
    "positive": (np.positive, [R(3)]),
    "conjugate": (np.conjugate, [R(3)]),
    "exp": (np.exp, [R(3)]), "exp2": (np.exp2, [R(3)]), "expm1": (np.expm1, [R(3)]),
    "log": (np.log, [R(3, **POS)]), "log2": (np.log2, [R(3, **POS)]),
    "log10": (np.log10, [R(3, **POS)]), "log1p": (np.log1p, [R(3, **POS)]),
    "sqrt": (np.sqrt, [R(3, **POS)]), "cbrt": (np.cbrt, [R(3, **POS)]),
    "square": (np.square, [R(3)]), "reciprocal": (np.reciprocal, [R(3, **POS)]),
    "sin": (np.sin, [R(3)]), "cos": (np.cos, [R(3)]), "tan": (np.tan, [R(3, **UNIT)]),
    "arcsin": (np.arcsin, [R(3, **UNIT)]), "arccos": (np.arccos, [R(3, **UNIT)]),
    "arctan": (np.arctan, [R(3)]), "sinh": (np.sinh, [R(3)]), "cosh": (np.cosh, [R(3)]),
    "tanh": (np.tanh, [R(3)]), "arcsinh": (np.arcsinh, [R(3)]),
    "arccosh": (np.arccosh, [R(3, lo=1.5, hi=3.0)]), "arctanh": (np.arctanh, [R(3, **UNIT)]),
    "deg2rad": (np.deg2rad, [R(3)]), "rad2deg": (np.rad2deg, [R(3)]),
    "arctan2": (np.arctan2, [R(3), R(2, 3, **POS)]),
    "hypot": (np.hypot, [R(3, **POS), R(3, **POS)]),
    "logaddexp": (np.logaddexp, [R(3), R(2, 3)]),
    "logaddexp2": (np.logaddexp2, [R(3), R(3)]),
    "maximum": (np.maximum, [R(4), R(3, 4)]), "minimum": (np.minimum, [R(4), R(3, 4)]),
    "fmax": (np.fmax, [R(4), R(4)]), "fmin": (np.fmin, [R(4), R(4)]),
    "matmul": (np.matmul, [R(2, 3, 4), R(4, 2)]),
    "sum": (lambda x: np.sum(x, axis=1, keepdims=True) ** 2, [R(2, 3)]),
    "mean": (lambda x: np.mean(x ** 2, axis=(0, 2)), [R(2, 3, 2)]),
    "var": (lambda x: np.var(x, axis=0, ddof=1), [R(4, 2)]),
    "std": (lambda x: np.std(x, axis=-1), [R(2, 4)]),
    "max": (lambda x: np.max(x, axis=0), [R(3, 4)]),
    "amax": (lambda x: np.amax(x), [R(3, 4)]),
    "min": (lambda x: np.min(x, axis=1, keepdims=True), [R(3, 4)]),
    "amin": (lambda x: np.amin(x, axis=0), [R(3, 4)]),
    "prod": (lambda x: np.prod(x, axis=0), [R(3, 2, **POS)]),
    "cumsum": (lambda x: np.cumsum(x ** 2, axis=1), [R(2, 3)]),
    "reshape": (lambda x: np.reshape(x, (3, -1)) ** 2, [R(2, 3)]),
    "transpose": (lambda x: np.transpose(x, (2, 0, 1)) @ np.ones(3), [R(2, 3, 2)]),
    "swapaxes": (lambda x: np.swapaxes(x ** 2, 0, 1), [R(2, 3)]),
    "moveaxis": (lambda x: np.moveaxis(x ** 2, 0, -1), [R(2, 3, 4)]),
    "expand_dims": (lambda x: np.expand_dims(x, 1) * x, [R(3)]),
    "squeeze": (lambda x: np.squeeze(x ** 2), [R(1, 3, 1)]),
    "ravel": (lambda x: np.ravel(x) ** 2, [R(2, 2)]),
    "atleast_1d": (lambda x: np.atleast_1d(x) ** 2, [np.float64(1.5)]),
    "atleast_2d": (lambda x: np.atleast_2d(x) ** 2, [R(3)]),
    "atleast_3d": (lambda x: np.atleast_3d(x) ** 2, [R(3)]),
    "broadcast_to": (lambda x: np.broadcast_to(x, (2, 3)) ** 2, [R(3)]),
    "take": (lambda x: np.take(x, [0, 2, 2], axis=1) ** 2, [R(2, 3)]),
    "take_along_axis": (lambda x: np.take_along_axis(x, np.array([[1, 0], [0, 0]]), 1) ** 2,
                        [R(2, 3)]),
    "sort": (lambda x: np.sort(x) * np.arange(1.0, 5.0), [np.array([0.3, -1.2, 2.0, 0.7])]),
    "flip": (lambda x: np.flip(x, 0) * x, [R(4)]),
    "roll": (lambda x: np.roll(x, 1) * x, [R(4)]),
    "repeat": (lambda x: np.repeat(x, 2) ** 2, [R(3)]),
    "tile": (lambda x: np.tile(x, (2, 1)) ** 2, [R(3)]),
    "diagonal": (lambda x: np.diagonal(x) ** 2, [R(3, 3)]),
    "trace": (lambda x: np.trace(x @ x), [R(3, 3)]),
    "diag": (lambda x: np.diag(x) @ x, [R(3)]),
    "triu": (lambda x: np.triu(x) ** 2, [R(3, 3)]),
    "tril": (lambda x: np.tril(x, -1) ** 2, [R(3, 3)]),
    "diff": (lambda x: np.diff(x ** 2, n=2), [R(5)]),
    "split": (lambda x: np.split(x, 2)[1] ** 2, [R(4)]),
    "array_split": (lambda x: np.array_split(x, 2)[0] ** 2, [R(5)]),
    "concatenate": (lambda x, y: np.concatenate([x, y ** 2], axis=0), [R(2, 2), R(1, 2)]),
    "stack": (lambda x, y: np.stack([x, x * y], axis=1), [R(3), R(3)]),
    "hstack": (lambda x, y: np.hstack([x, y]) ** 2, [R(2), R(3)]),
    "vstack": (lambda x, y: np.vstack([x, y]) ** 2, [R(3), R(2, 3)]),
    "column_stack": (lambda x, y: np.column_stack([x, y]) ** 2, [R(3), R(3, 2)]),
    "where": (lambda x, y: np.where(x > 0, x ** 2, y), [R(4), R(4)]),
    "clip": (lambda x: np.clip(x, -1.0, 1.0) ** 2, [np.array([-1.5, -0.5, 0.2, 1.7])]),
    "einsum": (lambda a, b: np.einsum("ij,jk->ik", a, b), [R(2, 3), R(3, 2)]),
    "dot": (lambda a, b: np.dot(a, b), [R(2, 3), R(3)]),
    "vdot": (lambda a, b: np.vdot(a, b), [R(2, 2), R(2, 2)]),
    "inner": (lambda a, b: np.inner(a, b), [R(2, 3), R(3)]),
    "outer": (lambda a, b: np.outer(a, b), [R(2), R(3)]),
    "tensordot": (lambda a, b: np.tensordot(a, b, axes=([1, 2], [0, 1])), [R(2, 3, 2), R(3, 2)]),
    "cross": (lambda a, b: np.cross(a, b), [R(3), R(3)]),
    "average": (lambda x: np.average(x, axis=0, weights=np.array([1.0, 2.0, 3.0])), [R(3, 2)]),
    "copy": (lambda x: np.copy(x) * x, [R(3)]),
    "real": (lambda x: np.real(x) ** 2, [R(3)]),
    "inv": (lambda a: np.linalg.inv(a), [SPD + 0.1 * R(3, 3)]),
    "solve": (lambda a, b: np.linalg.solve(a, b), [SPD + 0.1 * R(3, 3), R(3)]),
    "det": (lambda a: np.linalg.det(a), [SPD + 0.1 * R(3, 3)]),
    "slogdet": (lambda a: np.linalg.slogdet(a)[1], [SPD + 0.1 * R(3, 3)]),
    "norm": (lambda x: np.linalg.norm(x), [R(2, 3)]),
    "multi_dot": (lambda a, b: np.linalg.multi_dot([a, b, a.T]), [R(2, 3), R(3, 3)]),
    # scipy.special ufuncs (rules registered once scipy.special is loaded)
    "erf": (special.erf, [R(3)]), "erfc": (special.erfc, [R(3)]),
    "expit": (special.expit, [R(3)]), "log_expit": (special.log_expit, [R(3)]),
    "logit": (special.logit, [R(3, lo=0.2, hi=0.8)]),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_rule_matches_finite_differences(name):
    f, args = CASES[name]
    cm.check_grad(f, *args, order=2, rtol=1e-5, atol=1e-7)


def test_every_rule_has_a_case():
    """Adding a rule without a test case above fails here."""
    names = {s.rsplit(".", 1)[1] for s in supported_functions()}
    missing = names - set(CASES)
    assert not missing, f"rules without a test case: {sorted(missing)}"


MORE = {
    "solve matrix rhs": (np.linalg.solve, [SPD, R(3, 2)]),
    "batched inv": (np.linalg.inv, [np.stack([SPD, SPD.T + np.eye(3)])]),
    "norm ord=1": (lambda x: np.linalg.norm(x, ord=1), [np.array([0.5, -1.0, 2.0])]),
    "norm ord=inf": (lambda x: np.linalg.norm(x, ord=np.inf), [np.array([0.5, -1.0, 2.0])]),
    "norm ord=3": (lambda x: np.linalg.norm(x, ord=3), [np.array([0.5, -1.0, 2.0])]),
    "norm axis": (lambda x: np.linalg.norm(x, axis=1), [R(2, 3)]),
    "matrix norm 1": (lambda x: np.linalg.norm(x, ord=1), [np.array([[1.0, -2.0], [0.5, 3.0]])]),
    "matrix norm inf": (lambda x: np.linalg.norm(x, ord=np.inf),
                        [np.array([[1.0, -2.0], [0.5, 3.0]])]),
    "matmul vec-mat": (np.matmul, [R(3), R(3, 2)]),
    "matmul mat-vec": (np.matmul, [R(2, 3), R(3)]),
    "matmul vec-vec": (np.matmul, [R(3), R(3)]),
    "einsum implicit": (lambda a, b: np.einsum("ij,jk", a, b), [R(2, 3), R(3, 2)]),
    "einsum reduce": (lambda a, b: np.einsum("ij,k->i", a, b), [R(2, 3), R(4)]),
    "dot 3d": (np.dot, [R(2, 3), R(2, 3, 2)]),
    "dot scalar": (np.dot, [np.float64(2.0), R(3)]),
    "fancy index repeats": (lambda x: x[np.array([0, 0, 2])] ** 2, [R(3)]),
    "boolean mask": (lambda x: x[np.array([True, False, True])] ** 3, [R(3)]),
    "slice step": (lambda x: x[::-2, 1:] ** 2, [R(4, 3)]),
    "newaxis ellipsis": (lambda x: x[None, ..., 0] ** 2, [R(2, 3)]),
    "T attribute": (lambda x: x.T @ x, [R(3, 2)]),
    "methods": (lambda x: x.sum(axis=0) * x.mean() + x.max() - x.min(axis=1).sum()
                + x.reshape(-1).prod() + x.var() + x.std(axis=0).sum(), [R(2, 3, **POS)]),
    "more methods": (lambda x: x.cumsum() + x.dot(x.T).ravel() + x.transpose().flatten()
                     + x.squeeze().clip(-1, 1).ravel() + x.trace() + x.diagonal().sum(),
                     [R(2, 2)]),
    "swapaxes method": (lambda x: x.swapaxes(0, 1).reshape(6) * x.copy().conj().ravel()
                        + x.astype(float).ravel(), [R(2, 3)]),
    "reduce add": (lambda x: np.add.reduce(x ** 2, axis=0), [R(3, 2)]),
    "reduce multiply": (lambda x: np.multiply.reduce(x), [R(3, **POS)]),
    "reduce maximum": (lambda x: np.maximum.reduce(x), [R(3)]),
    "python scalars": (lambda x: 2.0 ** x + 3 - x / 4 + 1 / x - (x % 1.5), [R(3, **POS)]),
    "cumsum flat": (lambda x: np.cumsum(x), [R(2, 2)]),
    "sort axis none": (lambda x: np.sort(x, axis=None), [np.array([[3.0, 1.0], [2.0, 0.5]])]),
    "take flat": (lambda x: np.take(x, [3, 0]), [R(2, 2)]),
    "roll axis": (lambda x: np.roll(x, 1, axis=1) * x, [R(2, 3)]),
    "diag offset": (lambda x: np.diag(x, 1), [R(2)]),
    "diag of matrix": (lambda x: np.diag(x), [R(3, 3)]),
    "repeat flat": (lambda x: np.repeat(x, 2), [R(2, 2)]),
    "concat axis none": (lambda x: np.concatenate([x, x], axis=None), [R(2, 2)]),
    "inner scalar": (lambda x: np.inner(x, 2.0), [R(2)]),
    "average unweighted": (lambda x: np.average(x), [R(3)]),
    "where one traced": (lambda x: np.where(x > 0, x, 0.0), [R(5)]),
    "clip traced bounds": (lambda x, lo: np.clip(x, lo, 1.0),
                           [np.array([-1.5, 0.2]), np.array(-1.0)]),
    "take_along none": (lambda x: np.take_along_axis(x, np.array([2, 0]), None), [R(3)]),
    "atleast_1d many": (lambda x, y: np.atleast_1d(x, y)[1] * x, [np.float64(1.0), R(2)]),
    "reshape newshape kw": (lambda x: np.reshape(x, shape=(4,)), [R(2, 2)]),
    "reshape int": (lambda x: np.reshape(x, 4), [R(2, 2)]),
    "broadcast_to int": (lambda x: np.broadcast_to(x, 3), [np.float64(1.0)]),
    "det batched": (np.linalg.det, [np.stack([SPD, 2 * SPD])]),
}


@pytest.mark.parametrize("name", sorted(MORE))
def test_more_cases(name):
    f, args = MORE[name]
    cm.check_grad(f, *args, order=2, rtol=1e-5, atol=1e-7)


def test_scipy_special_rules_are_registered_lazily():
    import subprocess
    import sys

    code = ("import sys, numpy as np, calcml as cm; assert 'scipy.special' not in sys.modules; "
            "from scipy.special import erf, expit; "
            "g = cm.grad(lambda x: np.sum(erf(x) * expit(x)))(np.array([0.5])); "
            "print(float(g[0]))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         check=True).stdout
    x = 0.5
    s = 1 / (1 + np.exp(-x))
    exact = 2 / np.sqrt(np.pi) * np.exp(-x * x) * s + special.erf(x) * s * (1 - s)
    assert float(out) == pytest.approx(exact, rel=1e-14)


def test_log_expit_stays_accurate_for_large_inputs():
    g = cm.grad(lambda x: np.sum(special.log_expit(x)))(np.array([40.0, -40.0]))
    np.testing.assert_allclose(g, [np.exp(-40.0), 1.0], rtol=1e-14)
