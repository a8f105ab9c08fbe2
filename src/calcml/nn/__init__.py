"""Neural-network building blocks as plain, differentiable NumPy functions.

Activations, losses ``loss(y_true, y_pred)`` (mean over samples), a dense layer and
initializers. Every function is ordinary NumPy code, so :func:`calcml.grad`
differentiates it; every activation and loss also has a hand-written derivative for
manual backpropagation. Name-keyed tables: :data:`ACTIVATIONS`, :data:`DERIVATIVES`,
:data:`LOSSES`, :data:`LOSS_DERIVATIVES`, :data:`INITIALIZERS`.

>>> import numpy as np, calcml as cm
>>> from calcml.nn import sigmoid, d_sigmoid
>>> z = np.array([1.0, 2.0, 3.0])            # seed 000, section 2
>>> d_sigmoid(z)
array([0.19661193, 0.10499359, 0.04517666])
>>> np.allclose(cm.derivative(sigmoid)(z), d_sigmoid(z))
True
"""
from calcml.nn.activations import (ACTIVATIONS, DERIVATIVES, ELEMENTWISE, activation_vjp,
                                   d_identity, d_log_softmax, d_relu, d_sigmoid, d_softmax,
                                   d_softplus, d_tanh, identity, log_softmax, logsumexp,
                                   relu, sigmoid, softmax, softplus, tanh)
from calcml.nn.init import INITIALIZERS, glorot_normal, glorot_uniform, he_normal, he_uniform
from calcml.nn.layers import dense, dense_backward, dense_jacobian
from calcml.nn.losses import (LOGIT_LOSS_DERIVATIVES, LOGIT_LOSSES, LOSS_DERIVATIVES, LOSSES,
                              binary_cross_entropy, binary_cross_entropy_from_logits,
                              cross_entropy, cross_entropy_from_logits,
                              d_binary_cross_entropy, d_binary_cross_entropy_from_logits,
                              d_cross_entropy, d_cross_entropy_from_logits, d_mse, mse,
                              one_hot)

__all__ = [
    "identity", "sigmoid", "tanh", "relu", "softplus", "softmax", "log_softmax", "logsumexp",
    "d_identity", "d_sigmoid", "d_tanh", "d_relu", "d_softplus", "d_softmax",
    "d_log_softmax", "activation_vjp", "ACTIVATIONS", "DERIVATIVES", "ELEMENTWISE",
    "mse", "d_mse", "binary_cross_entropy", "d_binary_cross_entropy",
    "binary_cross_entropy_from_logits", "d_binary_cross_entropy_from_logits",
    "cross_entropy", "d_cross_entropy", "cross_entropy_from_logits",
    "d_cross_entropy_from_logits", "one_hot", "LOSSES", "LOSS_DERIVATIVES", "LOGIT_LOSSES",
    "LOGIT_LOSS_DERIVATIVES", "dense", "dense_backward", "dense_jacobian",
    "glorot_uniform", "glorot_normal", "he_uniform", "he_normal", "INITIALIZERS",
]
