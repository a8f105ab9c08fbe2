"""Local sensitivity of an algebraic model: Jacobian and elasticities at one point.

>>> from calcml.sensitivity import local
>>> res = local(lambda p: p["a"] * p["b"] ** 2, {"a": 3.0, "b": 2.0})
>>> res.jacobian, res.elasticities          # df/da = b^2, df/db = 2ab; elasticities 1 and 2
(array([ 4., 12.]), array([1., 2.]))
"""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Callable

import numpy as np

from calcml.ad import check_grad, jacobian
from calcml.errors import CalcmlError
from calcml.sensitivity.ode import _as_vector, _named

__all__ = ["LocalSensitivity", "local"]


@dataclass
class LocalSensitivity:
    """What :func:`local` computed.

    Attributes
    ----------
    value : ndarray
        ``f(params)``, shape ``out_shape`` (``()`` for a scalar model).
    jacobian : ndarray, shape out_shape + (n_params,)
        ``df/dp`` by automatic differentiation.
    elasticities : ndarray, shape out_shape + (n_params,)
        ``(p_j / f) df/dp_j``: the relative change of ``f`` per relative change of
        ``p_j``; NaN where ``f == 0``.
    parameters : tuple of str
        Names along the last axis (``"p[0]"``... for array parameters).
    """

    value: np.ndarray
    jacobian: np.ndarray
    elasticities: np.ndarray
    parameters: tuple

    def as_dict(self) -> dict:
        """``{parameter: (derivative, elasticity)}`` (entries shaped like ``value``)."""
        return {p: (self.jacobian[..., i], self.elasticities[..., i])
                for i, p in enumerate(self.parameters)}


def local(f: Callable, params: Any, *, check: bool = False) -> LocalSensitivity:
    """Local sensitivity of ``f(params)`` to each parameter.

    Parameters
    ----------
    f : callable
        ``f(params)`` in plain NumPy, returning a scalar or an array.
    params : dict or array_like, shape (m,)
        Where to differentiate; a dict is passed to ``f`` as a dict.
    check : bool, default: False
        Also compare the AD Jacobian with finite differences (:func:`calcml.check_grad`),
        raising :class:`~calcml.errors.GradientCheckError` on a mismatch.

    Returns
    -------
    LocalSensitivity
        ``value``, ``jacobian`` (``df/dp``), ``elasticities`` (``(p / f) df/dp``),
        ``parameters``.

    Examples
    --------
    Michaelis-Menten rate v = Vmax S / (Km + S) at S = Km: the elasticity to Vmax is 1,
    to Km it is -Km / (Km + S) = -1/2.

    >>> res = local(lambda p: p[0] * 2.0 / (p[1] + 2.0), [5.0, 2.0], check=True)
    >>> res.elasticities
    array([ 1. , -0.5])
    """
    if not callable(f):
        raise CalcmlError(f"local: f must be callable f(params), got {type(f).__name__}")
    pv, names = _as_vector(params, "local", "p")

    def flat(p):
        return f(_named(p, names))

    try:
        value = np.asarray(flat(pv), dtype=float)
    except (TypeError, ValueError):
        raise CalcmlError("local: f(params) must return a real number or an array of "
                          "them") from None
    if not np.all(np.isfinite(value)):
        raise CalcmlError(f"local: f(params) is not finite ({value}); pick another point")
    jac = np.asarray(jacobian(flat)(pv), dtype=float).reshape(value.shape + pv.shape)
    if check:
        check_grad(lambda p: np.reshape(flat(p), (-1,)), pv, modes=("rev",))
    with np.errstate(divide="ignore", invalid="ignore"):
        elast = jac * pv / value[..., None]
    elast[np.broadcast_to((value == 0)[..., None], elast.shape)] = np.nan
    return LocalSensitivity(value, jac, elast,
                            names or tuple(f"p[{i}]" for i in range(pv.size)))
