"""Optimization on top of the AD engine: :func:`minimize` (gd, momentum, nesterov, adam,
newton, bfgs, lbfgs, slsqp, auto), :class:`Constraint`, and the steppers :func:`sgd` and
:func:`adam` for training loops.

>>> import numpy as np, calcml as cm
>>> r = cm.optimize.minimize(lambda x: np.sum((x - 3.0) ** 2), np.zeros(2), method="bfgs")
>>> r.success, r.x
(True, array([3., 3.]))
"""
from calcml.optimize.constrained import Constraint
from calcml.optimize.linesearch import armijo, wolfe
from calcml.optimize.minimize import METHODS, minimize
from calcml.optimize.result import OptimizeResult
from calcml.optimize.steppers import OPTIMIZERS, Adam, AdamState, SGD, adam, get_optimizer, sgd

__all__ = ["minimize", "OptimizeResult", "Constraint", "METHODS", "sgd", "adam", "SGD", "Adam",
           "AdamState", "OPTIMIZERS", "get_optimizer", "armijo", "wolfe"]
