"""Figures for every calcml concept (matplotlib ``Figure`` objects, no pyplot, no show()).

Every function returns a :class:`matplotlib.figure.Figure` made without pyplot, so it
works headless; save it with ``fig.savefig("name.png")``. Functions of one or two
variables accept an expression string (parsed by :func:`calcml.sym.parse`) or a NumPy
callable; derivatives and gradients drawn are computed by calcml's autodiff.
"""
from calcml.plot.calculus import antiderivative, function_and_derivative, riemann, step_error
from calcml.plot.fields import contour_path, gradient_field, surface
from calcml.plot.learning import decision_boundary, loss_curve, sensitivity, svm_margin

__all__ = ["function_and_derivative", "antiderivative", "riemann", "step_error", "surface",
           "gradient_field", "contour_path", "loss_curve", "decision_boundary", "svm_margin",
           "sensitivity"]
