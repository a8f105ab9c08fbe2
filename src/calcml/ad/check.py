"""One gradient checker: AD (both modes) or a user's gradient against finite differences."""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np

from calcml.ad.api import _as_float, _ravel_tree, jacobian, jvp, vjp
from calcml.ad.pytree import tree_flatten, tree_map
from calcml.errors import CalcmlError, DimensionError, GradientCheckError

__all__ = ["check_grad", "GradientCheck", "numeric_jacobian"]

# Step for a Richardson-extrapolated central difference (error O(h^4) + O(eps/h)).
_STEP = np.finfo(float).eps ** 0.2


def numeric_jacobian(fun: Callable, x: np.ndarray) -> np.ndarray:
    """Jacobian of ``fun: R^n -> R^m`` (flat arrays) by extrapolated central differences.

    >>> numeric_jacobian(lambda v: v ** 3, np.array([2.0])).round(8)
    array([[12.]])
    """
    x = np.asarray(x, dtype=float)
    cols = []
    for j in range(x.size):
        h = _STEP * max(1.0, abs(x[j]))

        def central(step: float) -> np.ndarray:
            e = np.zeros_like(x)
            e[j] = step
            return (np.asarray(fun(x + e), float) - np.asarray(fun(x - e), float)) / (2 * step)

        cols.append((4.0 * central(h / 2) - central(h)) / 3.0)
    return np.stack(cols, axis=-1) if cols else np.zeros((np.size(fun(x)), 0))


@dataclass
class GradientCheck:
    """What :func:`check_grad` compared; ``str()`` prints the table."""

    rows: list = field(default_factory=list)   # (method, argument, index, analytic, numeric, rel)
    max_rel_error: float = 0.0
    passed: bool = True

    def table(self, limit: int = 12) -> str:
        head = (f"{'method':<8} {'arg':>3} {'index':<10} {'analytic':>16} {'numeric':>16} "
                f"{'rel. error':>10}")
        lines = [head, "-" * len(head)]
        for method, arg, index, a, n, rel in self.rows[:limit]:
            lines.append(f"{method:<8} {arg:>3} {str(index):<10} {a:>16.9g} {n:>16.9g} "
                         f"{rel:>10.2e}")
        if len(self.rows) > limit:
            lines.append(f"... {len(self.rows) - limit} more")
        return "\n".join(lines)

    def __str__(self) -> str:
        status = "passed" if self.passed else "FAILED"
        return (f"gradient check {status}, max relative error {self.max_rel_error:.2e}\n"
                f"{self.table()}")


def _flat_output(out: Any) -> np.ndarray:
    leaves = tree_flatten(out)[0]
    if len(leaves) == 1:
        return np.ravel(leaves[0])
    return np.concatenate([np.ravel(leaf) for leaf in leaves])


def check_grad(f: Callable, *args: Any, grad: Callable | None = None, rtol: float = 1e-6,
               atol: float = 1e-8, order: int = 1, modes: Sequence[str] = ("rev", "fwd"),
               argnums: int | Sequence[int] | None = None) -> GradientCheck:
    """Check derivatives of ``f`` at ``args`` against central finite differences.

    With ``grad=None`` the AD Jacobian in every mode of ``modes`` is compared with a
    Richardson-extrapolated central difference; with ``grad`` given (as in
    ``scipy.optimize.check_grad``) the user's gradient is compared instead: for a
    scalar ``f`` that is the gradient, for an elementwise ``f`` the elementwise
    derivative (both are the gradient of ``sum(f)``). An entry fails when
    ``|analytic - numeric| > atol + rtol * |numeric|``.

    Parameters
    ----------
    f : callable
    *args : arrays, scalars or pytrees
    grad : callable, optional
        ``grad(*args)`` returning the claimed derivative (shaped like the argument, a
        tuple of them when several arguments are checked).
    rtol, atol : float, default: 1e-6, 1e-8
    order : int, default: 1
        2 also checks, in each mode, the derivatives of the AD derivatives: of a random
        vector-Jacobian product (``"rev^2"``/``"fwd^2"``; the Hessian for a scalar
        ``f``) and of a random Jacobian-vector product (``"rev^2 jvp"``/``"fwd^2 jvp"``),
        so the reverse and the forward rules are both checked to be differentiable.
    modes : sequence of {"rev", "fwd"}, default: ("rev", "fwd")
    argnums : int or sequence of int, optional
        Arguments to check (default: all).

    Returns
    -------
    GradientCheck
        The table of compared entries (``str()`` shows it).

    Raises
    ------
    GradientCheckError
        On a mismatch; its message is the table of the worst entries.

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> sigmoid = lambda x: 1 / (1 + np.exp(-x))
    >>> x = np.array([-1.0, 0.0, 2.0])
    >>> cm.check_grad(sigmoid, x).passed
    True
    >>> seed_dsigmoid = lambda x: 2 * sigmoid(x) * (1 - sigmoid(x))   # seed 004's bug
    >>> cm.check_grad(sigmoid, x, grad=seed_dsigmoid)
    Traceback (most recent call last):
    ...
    calcml.errors.GradientCheckError: gradient check FAILED, max relative error 1.00e+00...
    """
    if not callable(f):
        raise CalcmlError(f"check_grad: f must be callable, got {type(f).__name__}")
    if order not in (1, 2):
        raise CalcmlError(f"check_grad: order must be 1 or 2, got {order!r}")
    for m in modes:
        if m not in ("rev", "fwd"):
            raise CalcmlError(f"check_grad: unknown mode {m!r}; use 'rev' and/or 'fwd'")
    nums = tuple(range(len(args))) if argnums is None else (
        (argnums,) if isinstance(argnums, int) else tuple(argnums))
    args = tuple(tree_map(_as_float, a) if i in nums else a for i, a in enumerate(args))
    result = GradientCheck()
    for k, n in enumerate(nums):
        x_flat, unravel = _ravel_tree(args[n])

        def f_flat(v, _n=n, _unravel=unravel):
            call = list(args)
            call[_n] = _unravel(v)
            return _flat_output(f(*call))

        numeric = numeric_jacobian(f_flat, x_flat)
        if grad is not None:
            claimed = grad(*args)
            claimed = claimed[k] if len(nums) > 1 else claimed
            analytic = _ravel_tree(tree_map(_as_float, claimed))[0]
            if np.size(analytic) != x_flat.size:
                raise DimensionError(f"check_grad: grad returned {np.size(analytic)} numbers for "
                                     f"argument {n} of size {x_flat.size}")
            _compare(result, "user", n, np.ravel(analytic), numeric.sum(axis=0), rtol, atol)
            continue
        for mode in modes:
            _compare(result, mode, n, jacobian(f_flat, mode=mode)(x_flat), numeric, rtol, atol)
            if order == 2:
                u = np.random.default_rng(0).standard_normal(numeric.shape[0])

                def pulled(v, _u=u):
                    return vjp(f_flat, v)[1](_u)[0]

                _compare(result, mode + "^2", n, jacobian(pulled, mode=mode)(x_flat),
                         numeric_jacobian(pulled, x_flat), rtol * 100, atol * 100)
                w = np.random.default_rng(1).standard_normal(x_flat.size)

                def pushed(v, _w=w):
                    return jvp(f_flat, (v,), (_w,))[1]

                _compare(result, mode + "^2 jvp", n, jacobian(pushed, mode=mode)(x_flat),
                         numeric_jacobian(pushed, x_flat), rtol * 100, atol * 100)
    result.rows.sort(key=lambda row: -row[-1])
    if not result.passed:
        raise GradientCheckError(str(result))
    return result


def _compare(result, method, arg, analytic, numeric, rtol, atol):
    analytic = np.asarray(analytic, float).reshape(np.shape(numeric))
    diff = np.abs(analytic - numeric)
    rel = diff / np.maximum(np.abs(numeric), atol / max(rtol, 1e-300))
    bad = diff > atol + rtol * np.abs(numeric)
    for index in np.ndindex(*np.shape(numeric)):
        result.rows.append((method, arg, index if len(index) != 1 else index[0],
                            float(analytic[index]), float(numeric[index]), float(rel[index])))
    if rel.size:
        result.max_rel_error = max(result.max_rel_error, float(np.max(rel)))
    if np.any(bad) or not np.all(np.isfinite(analytic)):
        result.passed = False
