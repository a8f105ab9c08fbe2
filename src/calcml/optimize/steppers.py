"""Optimizer steppers for training loops: ``sgd`` (with momentum / Nesterov) and ``adam``.

A stepper is an object with ``init(params) -> state`` and
``update(params, grads, state) -> (params, state)``; ``params`` and ``grads`` are
pytrees (an array, or dicts / lists / tuples of arrays) of the same structure.

>>> import numpy as np
>>> opt = sgd(0.1)
>>> p = {"w": np.array([1.0, -2.0])}
>>> state = opt.init(p)
>>> p, state = opt.update(p, {"w": 2 * p["w"]}, state)   # one step on |w|^2
>>> p["w"]
array([ 0.8, -1.6])
"""
from __future__ import annotations

from typing import Any, Callable, NamedTuple

import numpy as np

from calcml.ad import tree_flatten, tree_map
from calcml.errors import CalcmlError, DimensionError

__all__ = ["sgd", "adam", "SGD", "Adam", "AdamState", "OPTIMIZERS", "get_optimizer"]


def _check_positive(name: str, value: Any, *, allow_zero: bool = False) -> float:
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise CalcmlError(f"{name} must be a number; got {value!r}") from None
    if not np.isfinite(v) or v < 0 or (v == 0 and not allow_zero):
        raise CalcmlError(f"{name} must be {'>= 0' if allow_zero else '> 0'} and finite; "
                          f"got {value!r}")
    return v


def _same_structure(params: Any, grads: Any) -> None:
    lp, tp = tree_flatten(params)
    lg, tg = tree_flatten(grads)
    if len(lp) != len(lg):
        raise DimensionError(f"grads has {len(lg)} arrays but params has {len(lp)}; "
                             "they must have the same structure")
    for i, (p, g) in enumerate(zip(lp, lg)):
        if np.shape(p) != np.shape(g):
            raise DimensionError(f"grads leaf {i} has shape {np.shape(g)} but params leaf "
                                 f"{i} has shape {np.shape(p)}")


class SGD:
    """Gradient descent, optionally with heavy-ball or Nesterov momentum.

    Velocity ``v <- momentum * v - lr * g``; step ``p <- p + v`` (heavy ball) or
    ``p <- p + momentum * v - lr * g`` (Nesterov, Sutskever et al. 2013 form, which
    evaluates the gradient at the stored parameters).
    """

    def __init__(self, lr: float, momentum: float = 0.0, nesterov: bool = False):
        self.lr = _check_positive("lr", lr)
        self.momentum = _check_positive("momentum", momentum, allow_zero=True)
        if self.momentum >= 1:
            raise CalcmlError(f"momentum must be in [0, 1); got {momentum!r}")
        if nesterov and self.momentum == 0:
            raise CalcmlError("nesterov=True needs momentum > 0 (e.g. momentum=0.9)")
        self.nesterov = bool(nesterov)

    def __repr__(self) -> str:
        return f"sgd(lr={self.lr}, momentum={self.momentum}, nesterov={self.nesterov})"

    def init(self, params: Any) -> Any:
        """Zero velocity with the structure of ``params``."""
        return tree_map(lambda p: np.zeros_like(np.asarray(p, dtype=np.float64)), params)

    def update(self, params: Any, grads: Any, state: Any) -> tuple[Any, Any]:
        """One step; returns new ``(params, state)`` (inputs are not modified)."""
        _same_structure(params, grads)
        lr, mu = self.lr, self.momentum
        if mu == 0:
            return tree_map(lambda p, g: p - lr * g, params, grads), state
        vel = tree_map(lambda v, g: mu * v - lr * g, state, grads)
        if self.nesterov:
            new = tree_map(lambda p, v, g: p + mu * v - lr * g, params, vel, grads)
        else:
            new = tree_map(lambda p, v: p + v, params, vel)
        return new, vel


class AdamState(NamedTuple):
    """Adam's state: step count, first and second moment estimates (pytrees)."""
    count: int
    m: Any
    v: Any


class Adam:
    """Adam (Kingma & Ba 2015): bias-corrected moment estimates, step
    ``lr * m_hat / (sqrt(v_hat) + eps)``."""

    def __init__(self, lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8):
        self.lr = _check_positive("lr", lr)
        self.b1 = _check_positive("b1", b1, allow_zero=True)
        self.b2 = _check_positive("b2", b2, allow_zero=True)
        if self.b1 >= 1 or self.b2 >= 1:
            raise CalcmlError(f"b1 and b2 must be in [0, 1); got b1={b1!r}, b2={b2!r}")
        self.eps = _check_positive("eps", eps, allow_zero=True)

    def __repr__(self) -> str:
        return f"adam(lr={self.lr}, b1={self.b1}, b2={self.b2}, eps={self.eps})"

    def init(self, params: Any) -> AdamState:
        """Zero moments with the structure of ``params``."""
        z = tree_map(lambda p: np.zeros_like(np.asarray(p, dtype=np.float64)), params)
        return AdamState(0, z, tree_map(np.copy, z))

    def update(self, params: Any, grads: Any, state: AdamState) -> tuple[Any, AdamState]:
        """One step; returns new ``(params, state)`` (inputs are not modified)."""
        _same_structure(params, grads)
        b1, b2 = self.b1, self.b2
        t = state.count + 1
        m = tree_map(lambda m_, g: b1 * m_ + (1 - b1) * g, state.m, grads)
        v = tree_map(lambda v_, g: b2 * v_ + (1 - b2) * g * g, state.v, grads)
        c1, c2 = 1 - b1 ** t, 1 - b2 ** t
        lr, eps = self.lr, self.eps
        new = tree_map(lambda p, m_, v_: p - lr * (m_ / c1) / (np.sqrt(v_ / c2) + eps),
                       params, m, v)
        return new, AdamState(t, m, v)


def sgd(lr: float, momentum: float = 0.0, nesterov: bool = False) -> SGD:
    """Gradient-descent stepper.

    Parameters
    ----------
    lr : float
        Step size (> 0).
    momentum : float, default: 0.0
        Heavy-ball coefficient in [0, 1).
    nesterov : bool, default: False
        Nesterov's accelerated gradient (needs ``momentum > 0``).

    Returns
    -------
    SGD
        ``init(params)`` / ``update(params, grads, state)`` on pytrees.

    Examples
    --------
    >>> import numpy as np
    >>> opt = sgd(0.25, momentum=0.5)
    >>> p = np.array([4.0]); s = opt.init(p)
    >>> for _ in range(60):
    ...     p, s = opt.update(p, 2 * p, s)     # minimize p^2
    >>> bool(abs(p[0]) < 1e-8)
    True
    """
    return SGD(lr, momentum, nesterov)


def adam(lr: float = 1e-3, b1: float = 0.9, b2: float = 0.999, eps: float = 1e-8) -> Adam:
    """Adam stepper.

    Parameters
    ----------
    lr : float, default: 1e-3
        Step size (> 0).
    b1, b2 : float, default: 0.9, 0.999
        Decay rates of the first and second moment estimates, in [0, 1).
    eps : float, default: 1e-8
        Added to the root of the second moment.

    Returns
    -------
    Adam
        ``init(params)`` / ``update(params, grads, state)`` on pytrees.

    Examples
    --------
    >>> import numpy as np
    >>> opt = adam(0.1)
    >>> p = {"a": np.array([1.0, -1.0])}; s = opt.init(p)
    >>> p, s = opt.update(p, {"a": np.array([0.5, -3.0])}, s)
    >>> p["a"]        # the first Adam step moves each coordinate by about lr
    array([ 0.9, -0.9])
    """
    return Adam(lr, b1, b2, eps)


#: Name-keyed stepper factories: ``OPTIMIZERS[name](lr, **options)``.
OPTIMIZERS: dict[str, Callable[..., Any]] = {
    "sgd": sgd,
    "gd": sgd,
    "momentum": lambda lr, momentum=0.9: sgd(lr, momentum=momentum),
    "nesterov": lambda lr, momentum=0.9: sgd(lr, momentum=momentum, nesterov=True),
    "adam": adam,
}


def get_optimizer(name: str, lr: float, **options: Any) -> Any:
    """Stepper by name (``"sgd"``, ``"momentum"``, ``"nesterov"``, ``"adam"``).

    Examples
    --------
    >>> get_optimizer("nesterov", 0.1)
    sgd(lr=0.1, momentum=0.9, nesterov=True)
    """
    try:
        factory = OPTIMIZERS[name]
    except (KeyError, TypeError):
        raise CalcmlError(f"unknown optimizer {name!r}; choose one of "
                          f"{sorted(OPTIMIZERS)}") from None
    return factory(lr, **options)
