"""scikit-learn compatible estimators built on calcml's calculus.

Estimators are loaded on first use, so importing one does not import the others.
"""
from __future__ import annotations

import importlib
from typing import Any

_LAZY = {
    "LinearRegression": "calcml.models.linear",
    "LogisticRegression": "calcml.models.logistic",
    "MLPClassifier": "calcml.models.mlp",
    "MLPRegressor": "calcml.models.mlp",
    "SVC": "calcml.models.svm",
}
__all__ = list(_LAZY)


def __getattr__(name: str) -> Any:
    if name not in _LAZY:
        raise AttributeError(f"module 'calcml.models' has no attribute {name!r}")
    value = getattr(importlib.import_module(_LAZY[name]), name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return sorted(__all__)
