"""calcml: calculus for machine learning, verified.

Derivatives, gradients, Jacobians, Hessians and integrals three independent ways —
symbolically (:mod:`calcml.sym`), by automatic differentiation of plain NumPy code
(:mod:`calcml.ad`, re-exported here) and numerically (:mod:`calcml.num`) — and
:func:`verify`, which tells whether they agree.

>>> import numpy as np
>>> import calcml as cm
>>> cm.grad(lambda x: np.sum(x ** 2))(np.array([1.0, 2.0]))
array([2., 4.])
"""
from __future__ import annotations

import importlib
from typing import Any

from calcml import errors
from calcml.errors import (
    CalcmlError,
    DimensionError,
    GradientCheckError,
    InvalidFunctionError,
    InvalidInputError,
    NonDifferentiableError,
    NonFiniteError,
    ParseError,
    UnsupportedOperationError,
)

__version__ = "0.1.0"

_SUBPACKAGES = (
    "ad", "sym", "num", "optimize", "models", "nn", "sensitivity",
    "datasets", "plot", "cli", "tour",
)
# Public names that live in a sub-package, loaded on first use so that
# `import calcml` stays fast (SymPy and matplotlib are slow to import).
_LAZY = {
    "grad": "calcml.ad", "value_and_grad": "calcml.ad", "jacobian": "calcml.ad",
    "hessian": "calcml.ad", "hvp": "calcml.ad", "jvp": "calcml.ad", "vjp": "calcml.ad",
    "derivative": "calcml.ad", "check_grad": "calcml.ad", "stop_gradient": "calcml.ad",
    "verify": "calcml.verification", "Verification": "calcml.verification",
}

__all__ = [
    "__version__", "errors", "CalcmlError", "DimensionError", "GradientCheckError",
    "NonDifferentiableError", "ParseError", "UnsupportedOperationError", "InvalidInputError",
    "InvalidFunctionError", "NonFiniteError",
    *_LAZY, *_SUBPACKAGES,
]


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
    elif name in _SUBPACKAGES:
        value = importlib.import_module(f"calcml.{name}")
    else:
        raise AttributeError(f"module 'calcml' has no attribute {name!r}")
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
