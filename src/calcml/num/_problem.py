"""Elementwise one-dimensional problems that every derivative method works on.

A *problem* is a batch of ``N`` scalar functions ``phi_k(t)`` and base points ``t0[k]``;
the methods in :mod:`calcml.num.differentiate` estimate ``phi_k^(d)(t0[k])``.

* :func:`pointwise` -- ``phi_k(t) = f(t)`` at ``t0 = x.ravel()`` (the derivative of an
  elementwise ``f`` at many points; ``f`` is called once per batch when it vectorizes).
* :func:`directional` -- ``phi_k(t) = f(x0 + t v_k)`` at ``t0 = 0`` (partial and
  directional derivatives of a function of a vector, possibly vector-valued).

Every evaluation is counted per element (``nfev``) and checked: NaN or infinity in a
value of ``f`` raises :class:`~calcml.num._checks.NonFiniteError`, naming the point.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.num._checks import InvalidInputError, NonFiniteError

__all__ = ["Problem", "pointwise", "directional"]


class Problem:
    """A batch of scalar-argument functions; see the module docstring.

    Parameters
    ----------
    phi : callable
        ``phi(t, idx) -> values`` with ``t`` a 1-D array of arguments (real or complex)
        and ``idx`` the element index of each; returns ``(len(t),) + out_shape``.
    t0 : ndarray, shape (N,)
        Base points.
    out_shape : tuple
        Shape of one value of ``f`` (``()`` for scalar functions).
    scale : ndarray, shape (N,)
        Typical magnitude of the coordinates moved (for default steps).
    describe : callable
        ``describe(t, k) -> str``, the point in the user's terms, for messages.
    """

    def __init__(self, phi: Callable, t0: np.ndarray, out_shape: tuple, scale: np.ndarray,
                 describe: Callable[[Any, int], str], kind: str = "pointwise"):
        self.kind = kind  # "pointwise" (f elementwise at t) or "directional"
        self.phi = phi
        self.t0 = t0
        self.n = t0.shape[0]
        self.out_shape = out_shape
        self.scale = scale
        self.describe = describe
        self.nfev = np.zeros(self.n, dtype=np.int64)
        self.extra_calls = 0  # calls of f shared by all elements (directional base point)
        self._base: np.ndarray | None = None

    @property
    def total_calls(self) -> int:
        """How many times ``f`` itself was evaluated."""
        return int(self.nfev.sum()) + self.extra_calls

    def base_values(self) -> np.ndarray:
        """``phi_k(t0[k])`` for all elements, evaluated (and checked) once."""
        if self._base is None:
            self._base = self(self.t0.copy(), np.arange(self.n))
        return self._base

    def __call__(self, t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        """Evaluate at ``t`` for elements ``idx``, count and check the values."""
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            values = self.phi(t, idx)  # non-finite values are reported below, not warned
        np.add.at(self.nfev, idx, 1)
        bad = ~np.isfinite(values)
        if bad.any():
            k = int(np.argwhere(bad.reshape(len(t), -1).any(axis=1))[0, 0])
            value = values[k] if values.ndim == 1 else values[k][np.unravel_index(
                int(np.argmax(bad[k])), bad[k].shape)]
            at_base = np.real(t[k]) == self.t0[idx[k]] and np.imag(t[k]) == 0
            where = self.describe(t[k], int(idx[k]))
            if at_base:
                hint = ("the derivative needs f to be finite at the point itself; "
                        "check the domain of f (log, sqrt, division...)")
            else:
                hint = ("the stencil left the domain of f; pass a smaller step h, or use "
                        "method='forward'/'backward' next to a boundary")
            error = NonFiniteError(f"f returned {value} at {where}: {hint}")
            error.at_base = bool(at_base)
            raise error
        return values


def _call_elementwise(f: Callable, t: np.ndarray) -> np.ndarray:
    """``f`` applied to every entry of ``t``: one vectorized call, else a loop."""
    try:
        out = np.asarray(f(t))
        if out.shape == t.shape:
            return out
    except (TypeError, ValueError):
        pass  # f is not vectorized (math.sin, if-statements...): loop below
    return np.array([np.asarray(f(ti))[()] for ti in t])


def _check_output(value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise InvalidInputError(f"f must return numbers, got {value!r}")
    return arr


def pointwise(f: Callable, x: np.ndarray) -> Problem:
    """Problem for derivatives of an elementwise scalar ``f`` at every entry of ``x``."""
    t0 = x.ravel()

    def phi(t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        out = _check_output(_call_elementwise(f, t))
        if out.shape != t.shape:
            raise InvalidInputError(
                f"f must return one number per point for numeric derivatives, got shape "
                f"{out.shape} for {t.shape[0]} point(s); for vector-valued or multivariate "
                "functions use calcml.num.jacobian or calcml.num.gradient")
        return out

    def describe(t: Any, k: int) -> str:
        base = float(t0[k])
        if np.real(t) == base and np.imag(t) == 0:
            return f"x = {base!r}"
        t = complex(t) if np.iscomplexobj(t) else float(t)
        return f"x = {t!r} (step {t - base!r} from x = {base!r})"

    return Problem(phi, t0, (), np.maximum(1.0, np.abs(t0)), describe)


def directional(f: Callable, x0: np.ndarray, directions: np.ndarray) -> Problem:
    """Problem for ``d^k/dt^k f(x0 + t v)`` at ``t = 0`` for each row ``v`` of ``directions``.

    ``f`` takes an array shaped like ``x0`` and returns a number or an array (all of
    one shape).
    """
    n_dir = directions.shape[0]
    flat_x0 = x0.ravel()
    out_shape: list[tuple] = []

    def call(point: np.ndarray) -> np.ndarray:
        out = _check_output(f(point.reshape(x0.shape)))
        if not out_shape:
            out_shape.append(out.shape)
        elif out.shape != out_shape[0]:
            raise InvalidInputError(
                f"f returned shape {out.shape} at one point and {out_shape[0]} at another")
        return out

    def phi(t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        return np.stack([call(flat_x0 + t[k] * directions[idx[k]]) for k in range(len(t))])

    def describe(t: Any, k: int) -> str:
        point = flat_x0 + t * directions[k]
        if np.imag(t) == 0:
            point = np.real(point)
        return f"x = {np.array2string(point.reshape(x0.shape), precision=6, separator=', ')}"

    scale = np.array([max(1.0, float(np.max(np.abs(flat_x0[directions[k] != 0]), initial=0)))
                      for k in range(n_dir)])
    problem = Problem(phi, np.zeros(n_dir), (), scale, describe, kind="directional")
    first = call(flat_x0.astype(float))  # f(x0): the shared base value of every element
    if not np.all(np.isfinite(first)):
        raise NonFiniteError(
            f"f returned {first} at {describe(0.0, 0) if n_dir else x0}: the derivative needs "
            "f to be finite at the point itself; check the domain of f")
    problem.out_shape = first.shape
    problem.extra_calls = 1
    problem._base = np.broadcast_to(first, (n_dir,) + first.shape).copy()
    return problem
