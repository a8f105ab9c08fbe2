"""Automatic differentiation of plain NumPy code, in reverse and forward mode.

The engine: :mod:`.core` (traces, tape, passes), :mod:`.box` (the traced value and
NumPy's dispatch protocols), :mod:`.rules` (one table of VJP/JVP rules),
:mod:`.api` (grad, jacobian, ...), :mod:`.check` (the gradient checker).

>>> import numpy as np, calcml as cm
>>> cm.grad(lambda x: x * cm.grad(lambda y: x * y)(2.0))(3.0)   # no perturbation confusion
np.float64(6.0)
"""
from calcml.ad import rules as _rules  # noqa: F401  (fills the registry)
from calcml.ad.api import (derivative, grad, hessian, hvp, jacobian, jvp, stop_gradient,
                           value_and_grad, vjp)
from calcml.ad.box import Box, is_traced, unbox
from calcml.ad.check import GradientCheck, check_grad, numeric_jacobian
from calcml.ad.pytree import tree_flatten, tree_leaves, tree_map, tree_unflatten
from calcml.ad.registry import nograd_functions, supported_functions
from calcml.ad.rules import index_update

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp",
           "derivative", "stop_gradient", "check_grad", "GradientCheck", "numeric_jacobian",
           "index_update", "supported_functions", "nograd_functions", "is_traced", "unbox",
           "Box", "tree_flatten", "tree_unflatten", "tree_map", "tree_leaves"]
