"""The traced value (:class:`Box`) and how NumPy calls reach the rule table.

Users write plain NumPy. When a function receives a :class:`Box`, NumPy hands the call
to ``Box.__array_ufunc__`` or ``Box.__array_function__``; both are one dict lookup into
:mod:`calcml.ad.registry`. Operators (``+``, ``@``, ``x[i]``, ``.T``, ``.sum()``) go
straight to the same primitives.
"""
from __future__ import annotations

from typing import Any

import numpy as np

from calcml.ad import core, registry
from calcml.ad.core import apply
from calcml.errors import NonDifferentiableError, UnsupportedOperationError

__all__ = ["Box", "unbox", "is_traced"]

_P = registry.PRIMS


def unbox(x: Any) -> Any:
    """The plain value inside any number of boxes."""
    while type(x) is Box:
        x = x._value
    return x


def is_traced(x: Any) -> bool:
    """Whether ``x`` is a value being differentiated."""
    return type(x) is Box


def _fully_unbox(obj: Any) -> Any:
    if type(obj) is Box:
        return unbox(obj)
    if type(obj) in (list, tuple):
        return type(obj)(_fully_unbox(o) for o in obj)
    return obj


def _escape(what: str, fix: str) -> NonDifferentiableError:
    return NonDifferentiableError(
        f"{what} of a traced value would silently drop its derivative; {fix}")


def _ufunc_options(ufunc: Any, kwargs: dict) -> None:
    """Check the keyword arguments of a differentiable ufunc call (``out=`` aside).

    ``casting``, ``order``, ``subok`` and a float ``dtype`` do not change the derivative
    and are dropped (the result keeps the inputs' precision: no silent downcasting);
    anything else would be ignored by the rules, so it is refused.
    """
    for key, value in kwargs.items():
        if key in ("casting", "order", "subok") or (key == "where" and value is True):
            continue
        if key == "dtype":
            if value is None or np.issubdtype(np.dtype(value), np.inexact):
                continue
            raise _escape(f"np.{ufunc.__name__}(..., dtype={np.dtype(value).name})",
                          "only float dtypes keep a derivative")
        fix = ("compute it everywhere and select with np.where(mask, result, other)"
               if key == "where" else "call it without that argument")
        raise UnsupportedOperationError(
            f"np.{ufunc.__name__}(..., {key}=...) is not supported for traced values; {fix}")


class Box:
    """A value being traced by one differentiation (reverse or forward mode).

    Behaves like the NumPy array (or scalar) it wraps: arithmetic, indexing, ``.T``,
    ``.shape``, reductions and ``np.*`` functions all work and are recorded.
    """

    __slots__ = ("_value", "_trace", "_aux")
    __array_priority__ = 100.0

    def __init__(self, value: Any, trace: Any, aux: Any):
        self._value = value
        self._trace = trace
        self._aux = aux

    # ----------------------------------------------------------------- NumPy protocols
    def __array_ufunc__(self, ufunc, method, *inputs, **kwargs):
        if "out" in kwargs:
            raise _escape(f"np.{ufunc.__name__}(..., out=...)",
                          "write the result to a new variable instead of out=")
        if method == "__call__":
            if ufunc in registry.NOGRAD_UFUNCS:
                return ufunc(*_fully_unbox(inputs), **kwargs)
            prim = registry.UFUNCS.get(ufunc) or registry.late_ufunc(ufunc)
            if prim is not None:
                if kwargs:
                    _ufunc_options(ufunc, kwargs)
                return apply(prim, inputs, {})
        elif method == "reduce" and ufunc in registry.UFUNC_REDUCTIONS:
            kwargs.setdefault("axis", 0)  # ufunc.reduce reduces axis 0 by default
            return registry.UFUNC_REDUCTIONS[ufunc](*inputs, **kwargs)
        name = f"numpy.{ufunc.__name__}" + ("" if method == "__call__" else f".{method}")
        raise UnsupportedOperationError(registry.missing_rule_message(name))

    def __array_function__(self, func, types, args, kwargs):
        handler = registry.FUNCTIONS.get(func)
        if handler is not None:
            return handler(*args, **kwargs)
        if func in registry.NOGRAD_FUNCTIONS:
            return func(*_fully_unbox(args), **{k: _fully_unbox(v) for k, v in kwargs.items()})
        name = f"{func.__module__}.{func.__name__}".replace("numpy.linalg._linalg", "numpy.linalg")
        raise UnsupportedOperationError(registry.missing_rule_message(name))

    def __array__(self, dtype=None, copy=None):
        raise _escape("np.asarray()/np.array()",
                      "use NumPy functions on it directly (np.stack([...]) instead of "
                      "np.array([...])), or calcml.stop_gradient(x) if no derivative is wanted")

    # --------------------------------------------------------------- escapes
    def __float__(self):
        raise _escape("float()", "keep it an array, or use calcml.stop_gradient(x) first")

    def __int__(self):
        raise _escape("int()", "use calcml.stop_gradient(x) first")

    def __complex__(self):
        raise _escape("complex()", "use calcml.stop_gradient(x) first")

    def __index__(self):
        raise _escape("using as an index", "indices cannot be differentiated; use "
                      "calcml.stop_gradient(x) first")

    def item(self, *args):
        raise _escape(".item()", "index it instead (x[0]) or use calcml.stop_gradient(x)")

    def tolist(self):
        raise _escape(".tolist()", "keep it an array, or use calcml.stop_gradient(x)")

    def __setitem__(self, key, value):
        raise _escape("in-place assignment x[i] = v",
                      "build a new array instead: np.where(mask, v, x), np.concatenate, "
                      "or calcml.ad.index_update(x, i, v)")

    def _no_inplace(self, *args):
        raise _escape("an in-place operator (+=, *=, ...)", "write x = x + y instead")

    __iadd__ = __isub__ = __imul__ = __itruediv__ = __ipow__ = __imatmul__ = _no_inplace

    def sort(self, *args, **kwargs):
        raise _escape("the in-place x.sort()", "write x = np.sort(x) instead")

    def _no_inplace_method(self, *args, **kwargs):
        raise _escape("an in-place method (x.fill, x.put, x.resize, x.itemset)",
                      "build a new array instead (np.full_like, calcml.ad.index_update, "
                      "np.resize)")

    fill = put = resize = itemset = _no_inplace_method

    def __bool__(self):
        return bool(unbox(self))

    def __len__(self):
        return len(self._value)

    def __iter__(self):
        return (self[i] for i in range(len(self)))

    def __repr__(self):
        return f"Box({unbox(self)!r}, level={self._trace.level})"

    # ------------------------------------------------------------ array attributes
    @property
    def shape(self):
        return np.shape(unbox(self))

    @property
    def ndim(self):
        return np.ndim(unbox(self))

    @property
    def size(self):
        return np.size(unbox(self))

    @property
    def dtype(self):
        return np.result_type(unbox(self))

    @property
    def T(self):
        return apply(_P["transpose"], (self,), {})

    @property
    def real(self):
        return np.real(self)

    def __neg__(self): return apply(_P["negative"], (self,), {})
    def __pos__(self): return self
    def __abs__(self): return apply(_P["absolute"], (self,), {})
    def __add__(self, o): return apply(_P["add"], (self, o), {})
    def __radd__(self, o): return apply(_P["add"], (o, self), {})
    def __sub__(self, o): return apply(_P["subtract"], (self, o), {})
    def __rsub__(self, o): return apply(_P["subtract"], (o, self), {})
    def __mul__(self, o): return apply(_P["multiply"], (self, o), {})
    def __rmul__(self, o): return apply(_P["multiply"], (o, self), {})
    def __truediv__(self, o): return apply(_P["divide"], (self, o), {})
    def __rtruediv__(self, o): return apply(_P["divide"], (o, self), {})
    def __pow__(self, o): return apply(_P["power"], (self, o), {})
    def __rpow__(self, o): return apply(_P["power"], (o, self), {})
    def __matmul__(self, o): return apply(_P["matmul"], (self, o), {})
    def __rmatmul__(self, o): return apply(_P["matmul"], (o, self), {})
    def __mod__(self, o): return apply(_P["remainder"], (self, o), {})
    def __rmod__(self, o): return apply(_P["remainder"], (o, self), {})
    def __floordiv__(self, o): return np.floor_divide(self, o)    # piecewise constant
    def __rfloordiv__(self, o): return np.floor_divide(o, self)
    def __getitem__(self, idx): return registry.getitem(self, idx)

    def __lt__(self, o): return unbox(self) < unbox(o)
    def __le__(self, o): return unbox(self) <= unbox(o)
    def __gt__(self, o): return unbox(self) > unbox(o)
    def __ge__(self, o): return unbox(self) >= unbox(o)
    def __eq__(self, o): return unbox(self) == unbox(o)
    def __ne__(self, o): return unbox(self) != unbox(o)
    __hash__ = None  # like ndarray

    # ------------------------------------------------------------- array methods
    def sum(self, axis=None, keepdims=False, **kw):
        return np.sum(self, axis=axis, keepdims=keepdims, **kw)

    def mean(self, axis=None, keepdims=False, **kw):
        return np.mean(self, axis=axis, keepdims=keepdims, **kw)

    def prod(self, axis=None, keepdims=False): return np.prod(self, axis=axis, keepdims=keepdims)
    def max(self, axis=None, keepdims=False): return np.max(self, axis=axis, keepdims=keepdims)
    def min(self, axis=None, keepdims=False): return np.min(self, axis=axis, keepdims=keepdims)
    def var(self, axis=None, ddof=0, keepdims=False):
        return np.var(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def std(self, axis=None, ddof=0, keepdims=False):
        return np.std(self, axis=axis, ddof=ddof, keepdims=keepdims)

    def cumsum(self, axis=None): return np.cumsum(self, axis=axis)
    def dot(self, other): return np.dot(self, other)
    def clip(self, a_min=None, a_max=None): return np.clip(self, a_min, a_max)
    def ravel(self): return np.ravel(self)
    def flatten(self): return np.ravel(self)
    def squeeze(self, axis=None): return np.squeeze(self, axis=axis)
    def trace(self, offset=0, axis1=0, axis2=1): return np.trace(self, offset, axis1, axis2)
    def diagonal(self, offset=0, axis1=0, axis2=1): return np.diagonal(self, offset, axis1, axis2)
    def swapaxes(self, a, b): return np.swapaxes(self, a, b)
    def copy(self): return self
    def conj(self): return self
    def round(self, decimals=0): return np.round(unbox(self), decimals)  # derivative 0
    def take(self, indices, axis=None, mode="raise"): return np.take(self, indices, axis, mode=mode)
    def repeat(self, repeats, axis=None): return np.repeat(self, repeats, axis)
    def argmax(self, axis=None): return np.argmax(unbox(self), axis=axis)
    def argmin(self, axis=None): return np.argmin(unbox(self), axis=axis)
    def argsort(self, axis=-1): return np.argsort(unbox(self), axis=axis)
    def any(self, axis=None): return np.any(unbox(self), axis=axis)
    def all(self, axis=None): return np.all(unbox(self), axis=axis)
    def nonzero(self): return np.nonzero(unbox(self))

    def reshape(self, *shape, order="C"):
        if len(shape) == 1 and not isinstance(shape[0], int):
            shape = shape[0]
        return np.reshape(self, shape, order=order)

    def transpose(self, *axes):
        if len(axes) == 1 and not isinstance(axes[0], int):
            axes = axes[0]
        return np.transpose(self, axes or None)

    def astype(self, dtype, copy=True):
        if np.issubdtype(np.dtype(dtype), np.inexact):
            return self
        raise _escape(f".astype({np.dtype(dtype).name})", "only float dtypes keep a derivative")


core.Box = Box
