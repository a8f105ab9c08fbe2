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

import warnings
from typing import Any, Callable

import numpy as np

from calcml.errors import CalcmlError
from calcml.num._checks import InvalidFunctionError, InvalidInputError, NonFiniteError

__all__ = ["Problem", "pointwise", "directional"]

#: exceptions of a user's ``f`` that mean "not defined here" (``math.log(0)``, ``1/0``)
DOMAIN_ERRORS = (ArithmeticError, ValueError)


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
        self.complex_ok = False  # complex values allowed (method="complex-step")
        self.failures: list[str] = []  # why f failed at points (filled by phi)

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
        self.failures.clear()
        with np.errstate(invalid="ignore", divide="ignore", over="ignore"):
            values = self.phi(t, idx)  # non-finite values are reported below, not warned
        np.add.at(self.nfev, idx, 1)
        if not self.complex_ok and np.iscomplexobj(values):
            if np.any(np.imag(values) != 0):
                k = int(np.argwhere((np.imag(values) != 0).reshape(len(t), -1).any(axis=1))[0, 0])
                raise InvalidInputError(
                    f"f returned a complex value at {self.describe(t[k], int(idx[k]))}: a real "
                    "derivative needs real values; is x outside the real domain of f?")
            values = np.real(values)
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
            what = f"f returned {value}" if not self.failures else \
                f"f failed ({self.failures[0]})"
            error = NonFiniteError(f"{what} at {where}: {hint}")
            error.at_base = bool(at_base)
            raise error
        return values


def _call_elementwise(f: Callable, t: np.ndarray, failures: list | None = None) -> np.ndarray:
    """``f`` applied to every entry of ``t``: one vectorized call, else a loop.

    With a list ``failures``, a point where ``f`` raises an arithmetic or domain error
    (``math.log(0.0)``, ``1 / 0``) gets NaN, and the reason is appended to the list.
    """
    try:
        with warnings.catch_warnings():
            # NumPy < 2.3 converts a size-1 array to a scalar (math.log(t)) with only a
            # DeprecationWarning: treat it as the not-vectorized f it is
            warnings.simplefilter("error", DeprecationWarning)
            out = np.asarray(f(t))
        if out.shape == t.shape:
            return out
    except (TypeError, ValueError, ArithmeticError, DeprecationWarning):
        pass  # f is not vectorized (math.sin, if-statements...): loop below
    if failures is None:
        return np.array([np.asarray(f(ti))[()] for ti in t])
    values = []
    for ti in t:
        try:
            values.append(np.asarray(f(ti))[()])
        except DOMAIN_ERRORS as exc:
            if isinstance(exc, CalcmlError):
                raise
            failures.append(f"{type(exc).__name__}: {exc}")
            values.append(np.nan)
    return np.array(values)


def _check_output(value: Any) -> np.ndarray:
    arr = np.asarray(value)
    if arr.dtype == object or not np.issubdtype(arr.dtype, np.number):
        raise InvalidInputError(f"f must return numbers, got {value!r}")
    return arr


def pointwise(f: Callable, x: np.ndarray) -> Problem:
    """Problem for derivatives of an elementwise scalar ``f`` at every entry of ``x``."""
    t0 = x.ravel()

    def phi(t: np.ndarray, idx: np.ndarray) -> np.ndarray:
        out = _check_output(_call_elementwise(f, t, problem.failures))
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

    problem = Problem(phi, t0, (), np.maximum(1.0, np.abs(t0)), describe)
    return problem


def directional(f: Callable, x0: np.ndarray, directions: np.ndarray) -> Problem:
    """Problem for ``d^k/dt^k f(x0 + t v)`` at ``t = 0`` for each row ``v`` of ``directions``.

    ``f`` takes an array shaped like ``x0`` and returns a number or an array (all of
    one shape).
    """
    n_dir = directions.shape[0]
    flat_x0 = x0.ravel()
    out_shape: list[tuple] = []

    failures: list[str] = []

    def call(point: np.ndarray) -> np.ndarray:
        try:
            out = _check_output(f(point.reshape(x0.shape)))
        except DOMAIN_ERRORS as exc:  # math.log(0.0), 1 / 0: f is not defined here
            if isinstance(exc, CalcmlError) or not out_shape:
                raise
            failures.append(f"{type(exc).__name__}: {exc}")
            return np.full(out_shape[0], np.nan)
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
    problem.failures = failures
    try:
        first = call(flat_x0.astype(float))
    except DOMAIN_ERRORS as exc:
        if isinstance(exc, CalcmlError):
            raise
        raise NonFiniteError(
            f"f failed at x = {x0.tolist()} ({type(exc).__name__}: {exc}): the derivative "
            "needs f to be defined at the point itself; check the domain of f") from exc
    except TypeError as exc:  # math.log(v) of a vector, a wrong signature...
        if isinstance(exc, CalcmlError):
            raise
        raise InvalidFunctionError(
            f"f could not be called with the point x = {x0.tolist()} ({exc}): gradients, "
            "Jacobians and Hessians call f once with the whole point as one NumPy array; "
            "write f with NumPy functions (np.log, not math.log)") from exc
    if np.iscomplexobj(first):
        if np.any(np.imag(first) != 0):
            raise InvalidInputError(
                f"f returned a complex value at x = {x0.tolist()}: a real derivative needs "
                "real values; is x outside the real domain of f?")
        first = np.real(first)  # f(x0): the shared base value of every element
    if not np.all(np.isfinite(first)):
        raise NonFiniteError(
            f"f returned {first} at {describe(0.0, 0) if n_dir else x0}: the derivative needs "
            "f to be finite at the point itself; check the domain of f")
    problem.out_shape = first.shape
    problem.extra_calls = 1
    problem._base = np.broadcast_to(first, (n_dir,) + first.shape).copy()
    return problem
