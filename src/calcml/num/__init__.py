"""Numeric calculus with error estimates: derivatives, gradients, integrals.

Every result is an :class:`Estimate` (``value``, ``error``, ``nfev``, ``method``,
``status``/``success``), so that a numeric answer always says how far off it may be —
the third, independent way (after :mod:`calcml.sym` and :mod:`calcml.ad`) that
:func:`calcml.verify` compares.

>>> import numpy as np
>>> import calcml as cm
>>> est = cm.num.derivative(np.exp, 1.0)
>>> bool(abs(est.value - np.e) <= est.error), est.nfev
(True, ...)
"""
from calcml.num._checks import InvalidFunctionError, InvalidInputError, NonFiniteError
from calcml.num.differentiate import (
    METHODS,
    default_step,
    derivative,
    fd_weights,
    gradient,
    hessian,
    jacobian,
)
from calcml.num.directions import DirectionResult, steepest_direction
from calcml.num.estimate import STATUS_MESSAGES, Estimate
from calcml.num.integrate import RULES, cumulative_integral, integrate, riemann_sum
from calcml.num.stability import StepError, step_error

__all__ = [
    "Estimate", "STATUS_MESSAGES", "METHODS", "RULES",
    "derivative", "gradient", "jacobian", "hessian", "fd_weights", "default_step",
    "riemann_sum", "cumulative_integral", "integrate",
    "steepest_direction", "DirectionResult", "step_error", "StepError",
    "InvalidInputError", "InvalidFunctionError", "NonFiniteError",
]
