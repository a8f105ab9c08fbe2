"""The result object of every numeric method: :class:`Estimate`.

A numeric derivative or integral is a number *and* how far off it may be. Every
function of :mod:`calcml.num` that computes one returns an :class:`Estimate` holding
the value, an error estimate, the number of function evaluations and a status code,
in the spirit of SciPy's ``scipy.differentiate.derivative`` result.

Status codes (``Estimate.status``, elementwise for array results):

* ``0`` -- success: the method finished and, for the adaptive methods, the error
  estimate met the requested tolerance (``error <= atol + rtol * |value|``).
* ``-1`` -- the error estimate started to grow (round-off took over from truncation)
  before the tolerance was met; the best value seen is returned with its error.
* ``-2`` -- the iteration or subdivision limit was reached before the tolerance was
  met; the best value seen is returned with its error.
* ``-3`` -- the integrator reported a problem (round-off, a divergent or very slowly
  converging integral); the value may be poor and its error estimate is what the
  integrator gave.

``success`` is ``status == 0``.

>>> import numpy as np
>>> from calcml.num import derivative
>>> est = derivative(np.sin, 0.5)
>>> est.success, est.method
(True, 'richardson')
>>> bool(abs(est.df - np.cos(0.5)) <= est.error)
True
"""
from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = ["Estimate", "STATUS_MESSAGES"]

STATUS_MESSAGES = {
    0: "success: the error estimate meets the tolerance (or a fixed-step formula was applied)",
    -1: "stopped: the error estimate began to grow (round-off) before the tolerance was met",
    -2: "stopped: the iteration limit was reached before the tolerance was met",
    -3: "the integrator reported a problem; the value may be inaccurate",
}


@dataclass(frozen=True, repr=False, eq=False)
class Estimate:
    """A numeric value with its error estimate.

    Attributes
    ----------
    value : float, ndarray or mpmath.mpf
        The estimate (shape of the input points, plus output/gradient axes). For
        ``method="mp"`` the values are mpmath numbers at the requested precision
        (an object array when vectorized); ``float(est)`` converts a scalar one.
    error : float or ndarray
        Estimated absolute error of ``value``, same shape. How it was obtained is
        described by ``error_model``.
    nfev : int or ndarray
        Number of evaluations of the function, per entry.
    method : str
        The method that produced the value.
    status : int or ndarray
        Exit status, see the module docstring: ``0`` success, ``-1`` round-off stop,
        ``-2`` iteration limit, ``-3`` integrator warning.
    error_model : str
        One sentence on how ``error`` was estimated.
    info : dict
        Method-specific extras (final step, iterations, ...).
    """

    value: Any
    error: Any
    nfev: Any
    method: str
    status: Any = 0
    error_model: str = ""
    info: dict = field(default_factory=dict)

    @property
    def df(self) -> Any:
        """Alias of ``value`` (the name SciPy's derivative result uses)."""
        return self.value

    @property
    def success(self) -> Any:
        """``True`` where ``status == 0``."""
        ok = np.asarray(self.status) == 0
        return bool(ok) if ok.ndim == 0 else ok

    @property
    def message(self) -> str:
        """The meaning of the (worst) status code."""
        worst = int(np.min(np.asarray(self.status)))
        return STATUS_MESSAGES.get(worst, f"status {worst}")

    def __float__(self) -> float:
        value = self.value
        if isinstance(value, np.ndarray):
            if value.size != 1:
                raise TypeError(f"only a single-value Estimate converts to float; this one "
                                f"has shape {value.shape} (use est.value)")
            value = value.item()
        return float(value)

    def __repr__(self) -> str:
        def show(v: Any) -> str:
            if isinstance(v, np.generic):
                v = v.item()
            text = repr(v) if not isinstance(v, np.ndarray) else np.array2string(
                v, precision=12, separator=", ", threshold=20)
            return text.replace("\n", "\n" + " " * 14)

        rows = [("value", self.value), ("error", self.error), ("nfev", self.nfev),
                ("method", self.method), ("status", self.status),
                ("success", self.success)]
        body = "\n".join(f"{name:>12}: {show(v)}" for name, v in rows)
        return f"Estimate(\n{body}\n)"
