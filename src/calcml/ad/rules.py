"""The derivative rules: one entry per NumPy function, its VJP and JVP side by side.

Rules are written with NumPy calls on possibly traced values, so they are themselves
differentiable (``grad(grad(f))`` needs no second-order rules). A VJP has the signature
``vjp(g, ans, *args, **kwargs)`` and returns a cotangent shaped like its argument; a JVP
``jvp(t, ans, *args, **kwargs)`` returns a tangent shaped like ``ans``.

Conventions at non-differentiable points (the same as autograd and JAX):

- ``abs(x)`` at 0: derivative 0 (``sign(0) = 0``);
- ``maximum``/``minimum`` (and so ``relu = maximum(x, 0)``) at a tie: the derivative is
  split evenly, 1/2 to each side; ``max``/``min`` reductions split it evenly among
  the tied entries;
- ``clip(x, lo, hi)``: derivative 1 on the closed interval ``[lo, hi]``, 0 outside;
- ``floor``, ``ceil``, ``round``, ``sign``, comparisons, ``argmax``…: derivative 0, the
  result is a plain (untraced) array.
"""
from __future__ import annotations

import math
import string

import numpy as np

from calcml.ad.box import Box, unbox
from calcml.ad.core import IndexedCotangent, apply
from calcml.ad.registry import (FUNCTIONS, LAZY, NOGRAD_FUNCTIONS, NOGRAD_UFUNCS, PRIMS,
                                QUALNAMES, UFUNC_REDUCTIONS, UFUNCS, new_primitive)
from calcml.errors import DimensionError, NonDifferentiableError, UnsupportedOperationError


# ------------------------------------------------------------------------- helpers
def shape(x):
    s = getattr(x, "shape", None)
    return s if type(s) is tuple else np.shape(x)


def ndim(x):
    return len(shape(x))


def unbroadcast(g, target):
    """Sum ``g`` over the axes that broadcasting added or stretched to reach ``target``."""
    gshape = shape(g)
    if gshape == target:
        return g
    extra = len(gshape) - len(target)
    if extra > 0:
        g = np.sum(g, axis=tuple(range(extra)))
    axes = tuple(i for i, n in enumerate(target) if n == 1 and shape(g)[i] != 1)
    if axes:
        g = np.sum(g, axis=axes, keepdims=True)
    return g


def fit(t, ans):
    """Broadcast a tangent to the output's shape (a JVP must be shaped like ``ans``)."""
    s = shape(ans)
    return t if shape(t) == s else np.broadcast_to(t, s)


def swap(a):
    return np.swapaxes(a, -1, -2)


def call(name, *args, **kwargs):
    return apply(PRIMS[name], args, kwargs)


# --------------------------------------------------------------- rule definers
def defrule(name, fun, vjps, jvps, ufunc=None, functions=()):
    """Register primitive ``name`` computing ``fun`` with its VJPs and JVPs by argnum."""
    prim = new_primitive(name, fun)
    prim.vjps.update(vjps)
    prim.jvps.update(jvps)
    if ufunc is not None:
        UFUNCS[ufunc] = prim
    for f in functions:
        FUNCTIONS[f] = lambda *a, _p=prim, **k: apply(_p, a, k)
    return prim


def elementwise(ufunc, *derivs):
    """An elementwise ufunc from its partial derivatives ``d_i(ans, *args)``."""
    vjps, jvps = {}, {}
    for i, d in enumerate(derivs):
        if d is None:
            vjps[i] = jvps[i] = None
            continue
        vjps[i] = lambda g, ans, *a, _d=d, _i=i: unbroadcast(g * _d(ans, *a), shape(a[_i]))
        jvps[i] = lambda t, ans, *a, _d=d: fit(t * _d(ans, *a), ans)
    prim = defrule(ufunc.__name__, ufunc, vjps, jvps, ufunc=ufunc)
    for i, d in enumerate(derivs):
        if d is not None:
            prim.vjps_into[i] = (lambda g, g_free, free, ans, *a, _d=d, _i=i:
                                 unbroadcast(_times(g, g_free, _d(ans, *a)), shape(a[_i])))
    return prim


# ------------------------------------------------- in-place VJPs (plain arrays only)
# The backward pass calls a primitive's ``vjps_into`` variant with ``g_free`` (``g`` is a
# plain array nothing else references) and ``free`` (indices of saved arguments in the
# same position). They compute what the ordinary rule computes, writing into such a
# buffer instead of allocating; with boxes they fall back to the ordinary formula.
def _fits(buf, other):
    """Whether ``buf op other`` can be written into ``buf`` (same shape and dtype)."""
    return (type(other) is not Box and np.ndim(other) <= buf.ndim
            and (np.ndim(other) == 0 or np.shape(other) == buf.shape)
            and np.result_type(buf, other) == buf.dtype)


def _times(g, g_free, d):
    """``g * d``, written into ``g`` when it is free."""
    if g_free and _fits(g, d):
        return np.multiply(g, d, out=g)
    return g * d


def _negate_into(g, g_free, free, ans, *args, _target):
    if g_free:
        return unbroadcast(np.negative(g, out=g), shape(args[_target]))
    return unbroadcast(-g, shape(args[_target]))


def composite(*functions):
    """Register a handler that computes a NumPy function from other primitives."""
    def register(handler):
        for f in functions:
            FUNCTIONS[f] = handler
        return handler
    return register


def plain(x):
    return unbox(x)


# ------------------------------------------------------------- elementwise ufuncs
elementwise(np.negative, lambda ans, x: -1.0)
PRIMS["negative"].vjps[0] = lambda g, ans, x: -g
PRIMS["negative"].jvps[0] = lambda t, ans, x: -t
elementwise(np.positive, lambda ans, x: 1.0)
elementwise(np.conjugate, lambda ans, x: 1.0)
elementwise(np.exp, lambda ans, x: ans)
elementwise(np.exp2, lambda ans, x: ans * math.log(2.0))
elementwise(np.expm1, lambda ans, x: ans + 1.0)
elementwise(np.log, lambda ans, x: 1.0 / x)
elementwise(np.log2, lambda ans, x: 1.0 / (x * math.log(2.0)))
elementwise(np.log10, lambda ans, x: 1.0 / (x * math.log(10.0)))
elementwise(np.log1p, lambda ans, x: 1.0 / (1.0 + x))
elementwise(np.sqrt, lambda ans, x: 0.5 / ans)
elementwise(np.cbrt, lambda ans, x: 1.0 / (3.0 * ans ** 2))
elementwise(np.square, lambda ans, x: 2.0 * x)
elementwise(np.reciprocal, lambda ans, x: -ans ** 2)
elementwise(np.sin, lambda ans, x: np.cos(x))
elementwise(np.cos, lambda ans, x: -np.sin(x))
elementwise(np.tan, lambda ans, x: 1.0 + ans ** 2)
elementwise(np.arcsin, lambda ans, x: 1.0 / np.sqrt(1.0 - x ** 2))
elementwise(np.arccos, lambda ans, x: -1.0 / np.sqrt(1.0 - x ** 2))
elementwise(np.arctan, lambda ans, x: 1.0 / (1.0 + x ** 2))
elementwise(np.sinh, lambda ans, x: np.cosh(x))
elementwise(np.cosh, lambda ans, x: np.sinh(x))
elementwise(np.tanh, lambda ans, x: 1.0 - ans ** 2)
elementwise(np.arcsinh, lambda ans, x: 1.0 / np.sqrt(x ** 2 + 1.0))
elementwise(np.arccosh, lambda ans, x: 1.0 / np.sqrt(x ** 2 - 1.0))
elementwise(np.arctanh, lambda ans, x: 1.0 / (1.0 - x ** 2))
elementwise(np.absolute, lambda ans, x: np.sign(plain(x)))
elementwise(np.fabs, lambda ans, x: np.sign(plain(x)))
elementwise(np.deg2rad, lambda ans, x: math.pi / 180.0)
elementwise(np.rad2deg, lambda ans, x: 180.0 / math.pi)

elementwise(np.add, lambda ans, x, y: 1.0, lambda ans, x, y: 1.0)
elementwise(np.subtract, lambda ans, x, y: 1.0, lambda ans, x, y: -1.0)
for _name, _sign in (("add", 1.0), ("subtract", -1.0)):
    PRIMS[_name].vjps[0] = lambda g, ans, x, y: unbroadcast(g, shape(x))
    PRIMS[_name].jvps[0] = lambda t, ans, x, y: fit(t, ans)
PRIMS["add"].vjps[1] = lambda g, ans, x, y: unbroadcast(g, shape(y))
PRIMS["add"].jvps[1] = lambda t, ans, x, y: fit(t, ans)
PRIMS["subtract"].vjps[1] = lambda g, ans, x, y: unbroadcast(-g, shape(y))
PRIMS["subtract"].vjps_into[1] = lambda g, g_free, free, ans, x, y: _negate_into(
    g, g_free, free, ans, x, y, _target=1)
PRIMS["negative"].vjps_into[0] = lambda g, g_free, free, ans, x: _negate_into(
    g, g_free, free, ans, x, _target=0)
del PRIMS["add"].vjps_into[0], PRIMS["add"].vjps_into[1], PRIMS["subtract"].vjps_into[0]
PRIMS["subtract"].jvps[1] = lambda t, ans, x, y: fit(-t, ans)
elementwise(np.multiply, lambda ans, x, y: y, lambda ans, x, y: x)
elementwise(np.divide, lambda ans, x, y: 1.0 / y, lambda ans, x, y: -ans / y)
def _const_power_derivative(x, y):
    """d/dx x**y for a Python number y, one array operation for the common y = 2."""
    if y == 0:
        return 0.0
    if y == 1:
        return 1.0
    if y == 2:
        return 2.0 * x
    return y * x ** (y - 1)


def _power_d0(ans, x, y):
    if not isinstance(y, (int, float)):
        return y * x ** np.where(plain(y) == 0, 1.0, y - 1.0)
    return _const_power_derivative(x, y)


elementwise(np.power, _power_d0,
            lambda ans, x, y: ans * np.log(np.where(plain(x) > 0, x, 1.0)))


def _power_into(g, g_free, free, ans, x, y):
    """``g * y * x**(y-1)`` for a constant number ``y``, with at most one new array."""
    if type(x) is not np.ndarray or not isinstance(y, (int, float)) or y in (0, 1) \
            or g.shape != x.shape or np.result_type(g, x, y) != g.dtype:
        return unbroadcast(g * _power_d0(ans, x, y), shape(x))
    if y == 2:
        if g_free:
            np.multiply(g, x, out=g)
            return np.add(g, g, out=g)
        if 0 in free:
            np.multiply(x, 2.0, out=x)
            return np.multiply(x, g, out=x)
        t = np.multiply(x, 2.0)
        return np.multiply(t, g, out=t)
    t = np.power(x, y - 1, out=x) if 0 in free else x ** (y - 1)
    np.multiply(t, y, out=t)
    return np.multiply(t, g, out=t)


PRIMS["power"].vjps_into[0] = _power_into
# `x ** y` (not np.power) keeps NumPy's fast paths for y in {2, 0.5, -1, ...}.
PRIMS["power"].fun = lambda x, y: x ** y
elementwise(np.remainder, lambda ans, x, y: 1.0,
            lambda ans, x, y: -np.floor_divide(plain(x), plain(y)))
elementwise(np.arctan2, lambda ans, y, x: x / (x ** 2 + y ** 2),
            lambda ans, y, x: -y / (x ** 2 + y ** 2))
elementwise(np.hypot, lambda ans, x, y: x / ans, lambda ans, x, y: y / ans)
elementwise(np.logaddexp, lambda ans, x, y: np.exp(x - ans), lambda ans, x, y: np.exp(y - ans))
elementwise(np.logaddexp2, lambda ans, x, y: 2.0 ** (x - ans), lambda ans, x, y: 2.0 ** (y - ans))


def _balanced(first_wins, ignore_nan=False):
    """Derivative of max/min in one argument: 1 where it wins, 1/2 at ties, else 0.

    ``fmax``/``fmin`` ignore NaN, so there a number facing a NaN wins.
    """
    def d(ans, x, y, _first=first_wins):
        a, b = plain(x), plain(y)
        win = (a > b) if _first else (a < b)
        if ignore_nan:
            win = win | (np.isnan(b) & ~np.isnan(a))
        return np.where(win, 1.0, np.where(a == b, 0.5, 0.0))
    return d


for _uf, _first in ((np.maximum, True), (np.fmax, True), (np.minimum, False),
                    (np.fmin, False)):
    _d = _balanced(_first, ignore_nan=_uf in (np.fmax, np.fmin))
    elementwise(_uf, _d, lambda ans, x, y, _d=_d: _d(ans, y, x))

NOGRAD_UFUNCS.update({
    np.sign, np.floor, np.ceil, np.trunc, np.rint, np.floor_divide, np.isfinite, np.isnan,
    np.isinf, np.signbit, np.greater, np.greater_equal, np.less, np.less_equal, np.equal,
    np.not_equal, np.logical_and, np.logical_or, np.logical_not, np.logical_xor,
    np.heaviside,
})


# -------------------------------------------------------------------- matmul
def _matmul_vjp(g, x, y, wrt_x):
    """Cotangent of ``x @ y`` for any mix of 1-D, 2-D and batched operands."""
    xnd, ynd = ndim(x), ndim(y)
    if ynd == 1:
        g = np.expand_dims(g, -1)
    if xnd == 1:
        g = np.expand_dims(g, -2)
    if wrt_x:
        out = g @ swap(np.reshape(y, (shape(y)[0], 1)) if ynd == 1 else y)
        return np.squeeze(out, -2) if xnd == 1 else out
    out = swap(np.reshape(x, (1, shape(x)[0])) if xnd == 1 else x) @ g
    return np.squeeze(out, -1) if ynd == 1 else out


defrule("matmul", np.matmul,
        {0: lambda g, ans, x, y: unbroadcast(_matmul_vjp(g, x, y, True), shape(x)),
         1: lambda g, ans, x, y: unbroadcast(_matmul_vjp(g, x, y, False), shape(y))},
        {0: lambda t, ans, x, y: t @ y, 1: lambda t, ans, x, y: x @ t},
        ufunc=np.matmul)


# ---------------------------------------------------------------- reductions
def _axes(axis, nd):
    if axis is None:
        return tuple(range(nd))
    axis = axis if isinstance(axis, tuple) else (axis,)
    return tuple(sorted(a % nd if nd else 0 for a in axis))


def _keep(g, xshape, axes, keepdims):
    """Reshape a reduced ``g`` so it broadcasts against the unreduced input."""
    if keepdims:
        return g
    return np.reshape(g, tuple(1 if i in axes else n for i, n in enumerate(xshape)))


def _restore(g, xshape, axes, keepdims):
    return np.broadcast_to(_keep(g, xshape, axes, keepdims), xshape)


defrule("sum", lambda x, axes, keepdims: np.sum(x, axis=axes, keepdims=keepdims),
        {0: lambda g, ans, x, axes, keepdims: _restore(g, shape(x), axes, keepdims)},
        {0: lambda t, ans, x, axes, keepdims: np.sum(t, axis=axes, keepdims=keepdims)})


def _check_out(out, name):
    if out is not None:
        raise NonDifferentiableError(
            f"np.{name}(..., out=...) would write a traced value into a plain array; "
            f"assign the result to a new variable instead")


_NO_VALUE = getattr(np, "_NoValue", None)


def _check_where(kw, name):
    if kw.pop("where", True) is not True:
        raise UnsupportedOperationError(
            f"np.{name}(..., where=...) is not supported for traced arrays: select the "
            f"entries first (np.where(mask, x, neutral) or x[mask])")


def _initial(kw):
    """The ``initial=`` of a reduction, or None when not given."""
    initial = kw.pop("initial", None)
    return None if initial is _NO_VALUE else initial


@composite(np.sum)
def _sum(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _check_out(out, "sum")
    _check_where(kw, "sum")
    initial = _initial(kw)
    total = call("sum", a, axes=_axes(axis, ndim(a)), keepdims=bool(keepdims))
    return total if initial is None else total + initial


@composite(np.mean)
def _mean(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _check_out(out, "mean")
    _check_where(kw, "mean")
    axes = _axes(axis, ndim(a))
    count = math.prod(shape(a)[i] for i in axes)
    return _sum(a, axes, keepdims=keepdims) / count


@composite(np.var)
def _var(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    _check_out(out, "var")
    _check_where(kw, "var")
    if kw.get("mean", _NO_VALUE) is not _NO_VALUE:
        raise UnsupportedOperationError("np.var(..., mean=...) is not supported for traced "
                                        "arrays; leave the mean to np.var")
    ddof = kw.get("correction", ddof)
    axes = _axes(axis, ndim(a))
    count = math.prod(shape(a)[i] for i in axes)
    centered = a - _mean(a, axes, keepdims=True)
    return _sum(centered * centered, axes, keepdims=keepdims) / (count - ddof)


@composite(np.std)
def _std(a, axis=None, dtype=None, out=None, ddof=0, keepdims=False, **kw):
    return np.sqrt(_var(a, axis, dtype, out, ddof, keepdims, **kw))


def _extreme_derivative(g, ans, x, axes, keepdims):
    xs = shape(x)
    mask = plain(x) == plain(_keep(ans, xs, axes, keepdims))
    share = mask / np.sum(mask, axis=axes, keepdims=True)
    return _restore(g, xs, axes, keepdims) * share


def _extreme_tangent(t, ans, x, axes, keepdims):
    xs = shape(x)
    mask = plain(x) == plain(_keep(ans, xs, axes, keepdims))
    share = mask / np.sum(mask, axis=axes, keepdims=True)
    return np.sum(t * share, axis=axes, keepdims=keepdims)


for _name, _fun in (("max", np.max), ("min", np.min)):
    defrule(_name, lambda x, axes, keepdims, _f=_fun: _f(x, axis=axes, keepdims=keepdims),
            {0: _extreme_derivative}, {0: _extreme_tangent})


def _extreme(name):
    def handler(a, axis=None, out=None, keepdims=False, **kw):
        _check_out(out, name)
        _check_where(kw, name)
        initial = _initial(kw)
        result = call(name, a, axes=_axes(axis, ndim(a)), keepdims=bool(keepdims))
        if initial is None:
            return result
        return (np.maximum if name == "max" else np.minimum)(result, initial)
    return handler


composite(np.max, np.amax)(_extreme("max"))
composite(np.min, np.amin)(_extreme("min"))
UFUNC_REDUCTIONS.update({
    np.add: _sum, np.maximum: _extreme("max"), np.minimum: _extreme("min"),
})


def _prod_of_others(ans, x, axes, keepdims):
    """d prod(x) / dx: for each entry, the product of the other entries along ``axes``.

    ``ans / x`` when no entry is zero; otherwise each entry is left out in turn (an
    ``n x n`` product along the reduced axes), which is exact at zeros and, being written
    with ``np.prod`` again, differentiable to any order.
    """
    xs = shape(x)
    if np.all(plain(x) != 0):
        return _keep(ans, xs, axes, keepdims) / x
    rest = [i for i in range(len(xs)) if i not in axes]
    batch, reduced = tuple(xs[i] for i in rest), tuple(xs[i] for i in axes)
    n = math.prod(reduced)
    rows = np.reshape(np.transpose(x, rest + list(axes)), batch + (1, n))
    left_out = np.where(np.eye(n, dtype=bool), 1.0, rows)        # batch + (n, n)
    others = np.reshape(np.prod(left_out, axis=-1), batch + reduced)
    return np.transpose(others, tuple(np.argsort(rest + list(axes))))


defrule("prod", lambda x, axes, keepdims: np.prod(x, axis=axes, keepdims=keepdims),
        {0: lambda g, ans, x, axes, keepdims:
            _restore(g, shape(x), axes, keepdims) * _prod_of_others(ans, x, axes, keepdims)},
        {0: lambda t, ans, x, axes, keepdims:
            np.sum(t * _prod_of_others(ans, x, axes, keepdims), axis=axes, keepdims=keepdims)})


@composite(np.prod)
def _prod(a, axis=None, dtype=None, out=None, keepdims=False, **kw):
    _check_out(out, "prod")
    _check_where(kw, "prod")
    initial = _initial(kw)
    result = call("prod", a, axes=_axes(axis, ndim(a)), keepdims=bool(keepdims))
    return result if initial is None else result * initial


UFUNC_REDUCTIONS[np.multiply] = _prod


def _reverse_cumsum(g, axis):
    flipped = np.flip(g, axis)
    return np.flip(np.cumsum(flipped, axis=axis), axis)


defrule("cumsum", lambda x, axis: np.cumsum(x, axis=axis),
        {0: lambda g, ans, x, axis: _reverse_cumsum(g, axis)},
        {0: lambda t, ans, x, axis: np.cumsum(t, axis=axis)})


@composite(np.cumsum)
def _cumsum(a, axis=None, dtype=None, out=None):
    _check_out(out, "cumsum")
    if axis is None:
        a, axis = np.ravel(a), 0
    return call("cumsum", a, axis=axis % ndim(a))


# ------------------------------------------------------------- shape changes
defrule("reshape", lambda x, newshape: np.reshape(x, newshape),
        {0: lambda g, ans, x, newshape: np.reshape(g, shape(x))},
        {0: lambda t, ans, x, newshape: np.reshape(t, newshape)})


@composite(np.reshape)
def _reshape(a, shape_=None, order="C", *, newshape=None, copy=None, **kw):
    target = kw.get("shape", shape_ if shape_ is not None else newshape)
    if order != "C":
        raise UnsupportedOperationError("np.reshape with order other than 'C' is not supported")
    if isinstance(target, int):
        target = (target,)
    return call("reshape", a, newshape=tuple(np.empty(shape(a), dtype=bool).reshape(target).shape))


defrule("transpose", lambda x, axes=None: np.transpose(x, axes),
        {0: lambda g, ans, x, axes=None:
            np.transpose(g, None if axes is None else np.argsort(axes))},
        {0: lambda t, ans, x, axes=None: np.transpose(t, axes)})


@composite(np.transpose)
def _transpose(a, axes=None):
    if axes is not None:
        axes = tuple(int(i) % ndim(a) for i in axes)
    return call("transpose", a, axes=axes)


@composite(np.swapaxes)
def _swapaxes(a, axis1, axis2):
    perm = list(range(ndim(a)))
    perm[axis1], perm[axis2] = perm[axis2], perm[axis1]
    return _transpose(a, perm)


@composite(np.moveaxis)
def _moveaxis(a, source, destination):
    return _transpose(a, _moveaxis_perm(ndim(a), source, destination))


def _moveaxis_perm(nd, source, destination):
    src = [s % nd for s in np.atleast_1d(source)]
    dst = [d % nd for d in np.atleast_1d(destination)]
    order = [n for n in range(nd) if n not in src]
    for d, s in sorted(zip(dst, src)):
        order.insert(d, s)
    return order


def _reshaped(a, new_shape):
    return a if shape(a) == tuple(new_shape) else call("reshape", a, newshape=tuple(new_shape))


@composite(np.expand_dims)
def _expand_dims(a, axis):
    return _reshaped(a, np.expand_dims(np.empty(shape(a), dtype=bool), axis).shape)


@composite(np.squeeze)
def _squeeze(a, axis=None):
    return _reshaped(a, np.squeeze(np.empty(shape(a), dtype=bool), axis).shape)


@composite(np.ravel)
def _ravel(a, order="C"):
    return _reshaped(a, (int(np.prod(shape(a))),))


for _f in (np.atleast_1d, np.atleast_2d, np.atleast_3d):
    def _handler(*arys, _f=_f):
        out = [_reshaped(a, _f(np.empty(shape(a), dtype=bool)).shape) for a in arys]
        return out[0] if len(out) == 1 else out
    FUNCTIONS[_f] = _handler

defrule("broadcast_to", lambda x, target: np.broadcast_to(x, target),
        {0: lambda g, ans, x, target: unbroadcast(g, shape(x))},
        {0: lambda t, ans, x, target: np.broadcast_to(t, target)})


@composite(np.broadcast_to)
def _broadcast_to(array, shape_=None, subok=False, **kw):
    target = kw.get("shape", shape_)
    target = (target,) if isinstance(target, int) else tuple(target)
    return array if shape(array) == target else call("broadcast_to", array, target=target)


# ---------------------------------------------------------------- indexing
def _plain_index(idx):
    if type(idx) is tuple:
        return tuple(_plain_index(i) for i in idx)
    if type(idx) is Box:
        raise NonDifferentiableError(
            "a traced value cannot be used as an index; use calcml.stop_gradient(i) first")
    return idx


def _is_basic(idx):
    items = idx if type(idx) is tuple else (idx,)
    return all(i is None or i is Ellipsis or isinstance(i, (int, np.integer, slice))
               or (isinstance(i, np.ndarray) and i.dtype == bool) for i in items)


def _scatter_add(g, idx, target):
    """A zero array of shape ``target`` with ``g`` added at ``idx`` (repeats accumulate)."""
    if type(g) is Box:  # a value of an outer trace: record the scatter there too
        return call("scatter_add", g, idx=idx, target=target)
    out = np.zeros(target, dtype=np.result_type(g, np.float64))
    if _is_basic(idx):
        out[idx] = g
    else:
        np.add.at(out, idx, g)
    return out


def _getitem_vjp(g, ans, x, idx):
    if type(g) is Box:
        return call("scatter_add", g, idx=idx, target=shape(x))
    return IndexedCotangent(idx, g, shape(x), _is_basic(idx))


defrule("getitem", lambda x, idx: x[idx],
        {0: _getitem_vjp},
        {0: lambda t, ans, x, idx: t[idx]})
defrule("scatter_add", _scatter_add,
        {0: lambda g, ans, u, idx, target: g[idx]},
        {0: lambda t, ans, u, idx, target: call("scatter_add", t, idx=idx, target=target)})
PRIMS["getitem"].fun = lambda x, idx: x[_plain_index(idx)]


def index_update(x, idx, value):
    """A copy of ``x`` with ``x[idx]`` replaced by ``value``, differentiable in both.

    The functional form of ``x[idx] = value`` (which is an in-place change and cannot
    be traced). Indices must not repeat.

    >>> import numpy as np
    >>> index_update(np.zeros(3), 1, 5.0)
    array([0., 5., 0.])
    """
    x_at = x[idx]
    return x + call("scatter_add", value - x_at, idx=idx, target=shape(x)) if (
        type(x) is Box or type(value) is Box) else _set_copy(x, idx, value)


def _set_copy(x, idx, value):
    out = np.array(x, dtype=np.result_type(x, value, np.float64))
    out[idx] = value
    return out


@composite(np.take)
def _take(a, indices, axis=None, out=None, mode="raise"):
    _check_out(out, "take")
    if mode != "raise":
        n = int(np.size(plain(a))) if axis is None else shape(a)[axis]
        if mode == "wrap":
            indices = np.mod(indices, n)
        elif mode == "clip":
            indices = np.clip(indices, 0, n - 1)
        else:
            raise UnsupportedOperationError(f"np.take(mode={mode!r}): use 'raise', 'wrap' "
                                            f"or 'clip'")
    if axis is None:
        return np.ravel(a)[indices]
    index = [slice(None)] * ndim(a)
    index[axis] = indices
    return a[tuple(index)]


@composite(np.take_along_axis)
def _take_along_axis(arr, indices, axis):
    if axis is None:
        return np.ravel(arr)[indices]
    axis %= ndim(arr)
    grids = list(np.ix_(*[np.arange(n) for n in shape(indices)]))
    grids[axis] = indices
    return arr[tuple(grids)]


@composite(np.sort)
def _sort(a, axis=-1, kind=None, order=None, **kw):
    if axis is None:
        a, axis = np.ravel(a), 0
    return _take_along_axis(a, np.argsort(plain(a), axis=axis, kind=kind), axis)


@composite(np.flip)
def _flip(m, axis=None):
    axes = _axes(axis, ndim(m))
    return m[tuple(slice(None, None, -1) if i in axes else slice(None) for i in range(ndim(m)))]


@composite(np.roll)
def _roll(a, shift, axis=None):
    if axis is None:
        return np.reshape(_roll(np.ravel(a), shift, 0), shape(a))
    if np.ndim(shift) or np.ndim(axis):  # several axes: one roll after another
        for s, ax in zip(*np.broadcast_arrays(np.atleast_1d(shift), np.atleast_1d(axis))):
            a = _roll(a, int(s), int(ax))
        return a
    n = shape(a)[axis]
    return _take(a, (np.arange(n) - shift) % n, axis=axis)


@composite(np.repeat)
def _repeat(a, repeats, axis=None):
    if axis is None:
        a, axis = np.ravel(a), 0
    return _take(a, np.repeat(np.arange(shape(a)[axis]), repeats), axis=axis)


@composite(np.tile)
def _tile(A, reps):
    reps = (reps,) if isinstance(reps, int) else tuple(reps)
    nd = max(ndim(A), len(reps))
    A = _reshaped(A, (1,) * (nd - ndim(A)) + shape(A))
    reps = (1,) * (nd - len(reps)) + reps
    index = np.ix_(*[np.tile(np.arange(n), r) for n, r in zip(shape(A), reps)])
    return A[index]


@composite(np.diagonal)
def _diagonal(a, offset=0, axis1=0, axis2=1):
    if ndim(a) != 2:
        raise UnsupportedOperationError("np.diagonal of a traced array needs a 2-D array")
    if axis1 % 2 == axis2 % 2:
        raise DimensionError("np.diagonal: axis1 and axis2 cannot be the same")
    if axis1 % 2 == 1:  # the diagonal of the transpose
        a = _transpose(a)
    rows, cols = np.nonzero(np.eye(*shape(a), k=offset, dtype=bool))
    return a[rows, cols]


@composite(np.trace)
def _trace(a, offset=0, axis1=0, axis2=1, dtype=None, out=None):
    _check_out(out, "trace")
    return np.sum(_diagonal(a, offset, axis1, axis2))


@composite(np.diag)
def _diag(v, k=0):
    if ndim(v) == 2:
        return _diagonal(v, k)
    n = shape(v)[0] + abs(k)
    rows, cols = np.nonzero(np.eye(n, k=k, dtype=bool))
    return call("scatter_add", v, idx=(rows, cols), target=(n, n))


@composite(np.triu)
def _triu(m, k=0):
    return m * np.triu(np.ones(shape(m)[-2:]), k)


@composite(np.tril)
def _tril(m, k=0):
    return m * np.tril(np.ones(shape(m)[-2:]), k)


@composite(np.diff)
def _diff(a, n=1, axis=-1, prepend=_NO_VALUE, append=_NO_VALUE):
    if ndim(a) == 0:
        raise DimensionError("np.diff needs an array of at least one dimension")
    axis %= ndim(a)
    parts = []
    for extra in (prepend, a, append):
        if extra is a:
            parts.append(a)
        elif extra is not _NO_VALUE:
            if ndim(extra) == 0:
                edge = list(shape(a))
                edge[axis] = 1
                extra = _broadcast_to(extra, tuple(edge))
            parts.append(extra)
    if len(parts) > 1:
        a = _concatenate(parts, axis=axis)
    for _ in range(n):
        hi = [slice(None)] * ndim(a)
        lo = [slice(None)] * ndim(a)
        hi[axis], lo[axis] = slice(1, None), slice(None, -1)
        a = a[tuple(hi)] - a[tuple(lo)]
    return a


@composite(np.split)
def _split_equal(ary, indices_or_sections, axis=0):
    n = shape(ary)[axis]
    if np.ndim(indices_or_sections) == 0 and n % int(indices_or_sections):
        raise DimensionError(f"np.split: an axis of length {n} does not split into "
                             f"{indices_or_sections} equal parts (np.array_split allows that)")
    return _split(ary, indices_or_sections, axis)


@composite(np.array_split)
def _split(ary, indices_or_sections, axis=0):
    n = shape(ary)[axis]
    pieces = np.array_split(np.arange(n), indices_or_sections)
    out = []
    for p in pieces:
        index = [slice(None)] * ndim(ary)
        index[axis] = slice(int(p[0]), int(p[-1]) + 1) if len(p) else slice(0, 0)
        out.append(ary[tuple(index)])
    return out


# ----------------------------------------------------------- joining arrays
def _concat_vjp(argnum, g, ans, *xs, axis):
    start = sum(shape(x)[axis] for x in xs[:argnum])
    index = [slice(None)] * ndim(g)
    index[axis] = slice(start, start + shape(xs[argnum])[axis])
    return g[tuple(index)]


def _concat_jvp(argnum, t, ans, *xs, axis):
    parts = [t if i == argnum else np.zeros(shape(x)) for i, x in enumerate(xs)]
    return np.concatenate(parts, axis=axis)


defrule("concatenate", lambda *xs, axis: np.concatenate(xs, axis=axis),
        {-1: _concat_vjp}, {-1: _concat_jvp})


@composite(np.concatenate)
def _concatenate(arrays, axis=0, out=None, dtype=None, casting="same_kind"):
    _check_out(out, "concatenate")
    arrays = list(arrays)
    if axis is None:
        arrays, axis = [np.ravel(a) for a in arrays], 0
    axis %= max(ndim(arrays[0]), 1)
    return call("concatenate", *arrays, axis=axis)


@composite(np.stack)
def _stack(arrays, axis=0, out=None, **kw):
    _check_out(out, "stack")
    arrays = list(arrays)
    return _concatenate([_expand_dims(a, axis) for a in arrays], axis=axis)


@composite(np.hstack)
def _hstack(tup, **kw):
    arrays = [_atleast_nd(a, 1) for a in tup]
    return _concatenate(arrays, axis=0 if ndim(arrays[0]) == 1 else 1)


@composite(np.vstack)
def _vstack(tup, **kw):
    return _concatenate([_atleast_nd(a, 2) for a in tup], axis=0)


@composite(np.column_stack)
def _column_stack(tup):
    cols = [np.reshape(a, (shape(a)[0], 1)) if ndim(a) == 1 else a for a in tup]
    return _concatenate(cols, axis=1)


def _atleast_nd(a, nd):
    s = shape(a)
    if len(s) >= nd:
        return a
    return _reshaped(a, (1,) * (nd - len(s)) + s) if nd != 3 else _reshaped(a, (1, *s, 1))


def _where_fun(x, y, cond):
    return np.where(cond, x, y)


defrule("where", _where_fun,
        {0: lambda g, ans, x, y, cond: unbroadcast(np.where(cond, g, 0.0), shape(x)),
         1: lambda g, ans, x, y, cond: unbroadcast(np.where(cond, 0.0, g), shape(y))},
        {0: lambda t, ans, x, y, cond: fit(np.where(cond, t, 0.0), ans),
         1: lambda t, ans, x, y, cond: fit(np.where(cond, 0.0, t), ans)})


@composite(np.where)
def _where(condition, x=None, y=None):
    if x is None and y is None:
        return np.nonzero(plain(condition))
    return call("where", x, y, cond=plain(condition))


def _inside(x, lo, hi):
    v = plain(x)
    return (v >= plain(lo)) & (v <= plain(hi))


defrule("clip", lambda x, lo, hi: np.minimum(np.maximum(x, lo), hi),
        {0: lambda g, ans, x, lo, hi: unbroadcast(g * _inside(x, lo, hi), shape(x)),
         1: lambda g, ans, x, lo, hi: unbroadcast(g * (plain(x) < plain(lo)), shape(lo)),
         2: lambda g, ans, x, lo, hi: unbroadcast(g * (plain(x) > plain(hi)), shape(hi))},
        {0: lambda t, ans, x, lo, hi: fit(t * _inside(x, lo, hi), ans),
         1: lambda t, ans, x, lo, hi: fit(t * (plain(x) < plain(lo)), ans),
         2: lambda t, ans, x, lo, hi: fit(t * (plain(x) > plain(hi)), ans)})


@composite(np.clip)
def _clip(a, a_min=None, a_max=None, out=None, **kw):
    _check_out(out, "clip")
    a_min = kw.get("min", a_min)
    a_max = kw.get("max", a_max)
    return call("clip", a, -np.inf if a_min is None else a_min,
                np.inf if a_max is None else a_max)


# ------------------------------------------------------------- products
def _einsum_parse(subscripts, n_operands):
    if "." in subscripts:
        raise UnsupportedOperationError(
            "np.einsum with '...' is not supported for traced arrays; write the axes out")
    subscripts = subscripts.replace(" ", "")
    if "->" in subscripts:
        inputs, output = subscripts.split("->")
    else:
        inputs = subscripts
        letters = inputs.replace(",", "")
        output = "".join(sorted(c for c in set(letters) if letters.count(c) == 1))
    ins = inputs.split(",")
    if len(ins) != n_operands:
        raise UnsupportedOperationError(
            f"np.einsum subscripts {subscripts!r} name {len(ins)} operands, got {n_operands}")
    return ins, output


def _einsum_vjp(argnum, g, ans, subscripts, *ops):
    ins, out = _einsum_parse(subscripts, len(ops))
    i = argnum - 1
    target = ins[i]
    if len(set(target)) != len(target):
        raise UnsupportedOperationError(
            f"the derivative of np.einsum({subscripts!r}) with respect to an operand with a "
            f"repeated index is not supported; use np.diagonal first")
    others = [(s, op) for j, (s, op) in enumerate(zip(ins, ops)) if j != i]
    present = set(out) | {c for s, _ in others for c in s}
    ones = [(c, np.ones(shape(ops[i])[target.index(c)])) for c in target if c not in present]
    terms = [(out, g), *others, *ones]
    spec = ",".join(s for s, _ in terms) + "->" + target
    return np.einsum(spec, *[op for _, op in terms])


def _einsum_jvp(argnum, t, ans, subscripts, *ops):
    ops = list(ops)
    ops[argnum - 1] = t
    return np.einsum(subscripts, *ops)


defrule("einsum", lambda subscripts, *ops: np.einsum(subscripts, *ops),
        {-1: _einsum_vjp}, {-1: _einsum_jvp})


@composite(np.einsum)
def _einsum(subscripts, *operands, out=None, optimize=False, **kw):
    _check_out(out, "einsum")
    if not isinstance(subscripts, str):
        raise UnsupportedOperationError("np.einsum of traced arrays needs a subscripts string")
    _einsum_parse(subscripts, len(operands))
    return call("einsum", subscripts, *operands)


@composite(np.dot)
def _dot(a, b, out=None):
    _check_out(out, "dot")
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    if ndim(b) <= 2:
        return a @ b
    return _tensordot(a, b, axes=([ndim(a) - 1], [ndim(b) - 2]))


@composite(np.vdot)
def _vdot(a, b):
    return np.sum(np.ravel(a) * np.ravel(b))


@composite(np.inner)
def _inner(a, b):
    if ndim(a) == 0 or ndim(b) == 0:
        return a * b
    return _tensordot(a, b, axes=([ndim(a) - 1], [ndim(b) - 1]))


@composite(np.outer)
def _outer(a, b, out=None):
    _check_out(out, "outer")
    return np.reshape(np.ravel(a), (-1, 1)) * np.reshape(np.ravel(b), (1, -1))


@composite(np.tensordot)
def _tensordot(a, b, axes=2):
    na, nb = ndim(a), ndim(b)
    if isinstance(axes, int):
        ax_a, ax_b = list(range(na - axes, na)), list(range(axes))
    else:
        ax_a, ax_b = [list(np.atleast_1d(x)) for x in axes]
    ax_a = [int(x) % na for x in ax_a]
    ax_b = [int(x) % nb for x in ax_b]
    letters = iter(string.ascii_letters)
    sa = [next(letters) for _ in range(na)]
    sb = [next(letters) for _ in range(nb)]
    for i, j in zip(ax_a, ax_b):
        sb[j] = sa[i]
    out = ([c for k, c in enumerate(sa) if k not in ax_a]
           + [c for k, c in enumerate(sb) if k not in ax_b])
    return _einsum(f"{''.join(sa)},{''.join(sb)}->{''.join(out)}", a, b)


@composite(np.linalg.multi_dot)
def _multi_dot(arrays, *, out=None):
    _check_out(out, "linalg.multi_dot")
    result = arrays[0]
    for a in arrays[1:]:
        result = result @ a
    return result


@composite(np.cross)
def _cross(a, b, axisa=-1, axisb=-1, axisc=-1, axis=None):
    if axis is not None:
        axisa = axisb = axisc = axis
    a, b = _moveaxis(a, axisa, -1), _moveaxis(b, axisb, -1)
    if shape(a)[-1] != 3 or shape(b)[-1] != 3:
        raise UnsupportedOperationError("np.cross of traced arrays supports 3-vectors only")
    a0, a1, a2 = a[..., 0], a[..., 1], a[..., 2]
    b0, b1, b2 = b[..., 0], b[..., 1], b[..., 2]
    out = _stack([a1 * b2 - a2 * b1, a2 * b0 - a0 * b2, a0 * b1 - a1 * b0], axis=-1)
    return _moveaxis(out, -1, axisc)


@composite(np.average)
def _average(a, axis=None, weights=None, returned=False, *, keepdims=False):
    if weights is None:
        avg = _mean(a, axis, keepdims=keepdims)
        total = np.size(plain(a)) / max(np.size(plain(avg)), 1)
    else:
        w = weights
        if ndim(w) == 1 and ndim(a) > 1 and axis is not None:
            w = np.reshape(w, tuple(shape(w)[0] if i == axis % ndim(a) else 1
                                    for i in range(ndim(a))))
        w = w * np.ones(shape(a))
        total = _sum(w, axis, keepdims=keepdims)
        avg = _sum(a * w, axis, keepdims=keepdims) / total
    if not returned:
        return avg
    total = _broadcast_to(total * 1.0, shape(avg))  # as numpy: the sum of the weights
    return avg, total if type(total) is Box else np.array(total)


@composite(np.copy)
def _copy(a, order="K", subok=False):
    return a


@composite(np.real)
def _real(val):
    return val


# ------------------------------------------------------------------ linalg
def _expand_matrix(g):
    return np.reshape(g, shape(g) + (1, 1))


defrule("inv", np.linalg.inv,
        {0: lambda g, ans, a: -(swap(ans) @ g @ swap(ans))},
        {0: lambda t, ans, a: -(ans @ t @ ans)})
composite(np.linalg.inv)(lambda a: call("inv", a))


def _solve_stacked(a, v, vector):
    """Solve ``a x = v``; ``vector``: ``v`` is a stack of vectors (NumPy 2 treats a 2-D
    ``b`` as a matrix, so vectors get a trailing axis of one)."""
    return np.linalg.solve(a, v[..., None])[..., 0] if vector else np.linalg.solve(a, v)


def _solve_vjp_a(g, ans, a, b):
    vector = ndim(b) == 1
    gb = _solve_stacked(swap(a), g, vector)
    ga = -(gb[..., :, None] * ans[..., None, :]) if vector else -(gb @ swap(ans))
    return unbroadcast(ga, shape(a))


def _solve_jvp_a(t, ans, a, b):
    if ndim(b) == 1:
        return _solve_stacked(a, -(t @ ans[..., None])[..., 0], True)
    return np.linalg.solve(a, -(t @ ans))


defrule("solve", np.linalg.solve,
        {0: _solve_vjp_a,
         1: lambda g, ans, a, b: unbroadcast(_solve_stacked(swap(a), g, ndim(b) == 1),
                                             shape(b))},
        {0: _solve_jvp_a, 1: lambda t, ans, a, b: fit(np.linalg.solve(a, t), ans)})
composite(np.linalg.solve)(lambda a, b: call("solve", a, b))

def _cofactors(ans, a):
    """d det(a) / da: ``det(a) inv(a)^T`` or, where ``a`` is singular, the cofactors
    (signed determinants of the minors), which stay finite and differentiable."""
    if np.all(plain(ans) != 0):
        return _expand_matrix(ans) * swap(np.linalg.inv(a))
    n = shape(a)[-1]
    keep = [[k for k in range(n) if k != i] for i in range(n)]
    return np.stack([np.stack([(-1.0) ** (i + j) * np.linalg.det(a[..., keep[i], :][..., keep[j]])
                               for j in range(n)], axis=-1) for i in range(n)], axis=-2)


defrule("det", np.linalg.det,
        {0: lambda g, ans, a: _expand_matrix(g) * _cofactors(ans, a)},
        {0: lambda t, ans, a: np.sum(_cofactors(ans, a) * t, axis=(-2, -1))})
composite(np.linalg.det)(lambda a: call("det", a))

defrule("logabsdet", lambda a: np.linalg.slogdet(a)[1],
        {0: lambda g, ans, a: _expand_matrix(g) * swap(np.linalg.inv(a))},
        {0: lambda t, ans, a: np.sum(swap(np.linalg.inv(a)) * t, axis=(-2, -1))})


@composite(np.linalg.slogdet)
def _slogdet(a):
    sign = np.linalg.slogdet(plain(a))[0]
    return type(np.linalg.slogdet(np.eye(1)))(sign, call("logabsdet", a))


@composite(np.linalg.norm)
def _norm(x, ord=None, axis=None, keepdims=False):
    nd = ndim(x)
    if isinstance(axis, int):
        axis = (axis,)
    vector = (axis is not None and len(axis) == 1) or (axis is None and (nd == 1 or ord is None))
    axes = _axes(axis, nd) if axis is not None else tuple(range(nd))
    if vector or ord in (None, "fro"):
        if ord in (None, 2, "fro"):
            return call("norm2", x, axes=axes, keepdims=keepdims)
        if ord in (np.inf, -np.inf):
            f = _extreme("max") if ord > 0 else _extreme("min")
            return f(np.abs(x), axis=axes, keepdims=keepdims)
        if ord == 0:
            return _sum(plain(x) != 0, axes, keepdims=keepdims) * 1.0
        return _sum(np.abs(x) ** ord, axes, keepdims=keepdims) ** (1.0 / ord)
    if ord in (1, -1, np.inf, -np.inf) and len(axes) == 2:
        r, c = axes
        summed_axis, reduce_axis = (r, c) if ord in (1, -1) else (c, r)
        sums = _sum(np.abs(x), (summed_axis,), keepdims=True)
        f = _extreme("max") if ord > 0 else _extreme("min")
        out = f(sums, axis=(reduce_axis,), keepdims=True)
        return out if keepdims else _squeeze(out, axis=axes)
    raise UnsupportedOperationError(f"np.linalg.norm(ord={ord!r}) of a matrix is not supported")


def _norm2_vjp(g, ans, x, axes, keepdims):
    xs = shape(x)
    n = _keep(ans, xs, axes, keepdims)
    safe = np.where(plain(n) == 0, 1.0, n)
    return _restore(g, xs, axes, keepdims) * x / safe


def _norm2_jvp(t, ans, x, axes, keepdims):
    n = _keep(ans, shape(x), axes, keepdims)
    safe = np.where(plain(n) == 0, 1.0, n)
    return np.sum(t * x / safe, axis=axes, keepdims=keepdims)


defrule("norm2", lambda x, axes, keepdims: np.sqrt(np.sum(x * x, axis=axes, keepdims=keepdims)),
        {0: _norm2_vjp}, {0: _norm2_jvp})


# ---------------------------------------- scipy.special (registered when it is loaded)
def _scipy_special_rules() -> None:
    from scipy import special

    two_over_root_pi = 2.0 / math.sqrt(math.pi)
    rules = {
        "erf": lambda ans, x: two_over_root_pi * np.exp(-x ** 2),
        "erfc": lambda ans, x: -two_over_root_pi * np.exp(-x ** 2),
        "expit": lambda ans, x: ans * (1.0 - ans),
        "log_expit": lambda ans, x: special.expit(-x),      # 1 - expit(x), exact for x >> 0
        "logit": lambda ans, x: 1.0 / (x * (1.0 - x)),
    }
    for name, derivative in rules.items():
        ufunc = getattr(special, name)
        elementwise(ufunc, derivative)
        QUALNAMES[ufunc] = f"scipy.special.{name}"


LAZY["scipy.special"] = _scipy_special_rules


# ------------------------------------------------ what the tape must keep
# saves(argnums, nargs) -> (arguments whose values the VJPs read, whether they read
# the output). Everything else is kept as a shape only, so it can be freed early.
_NOTHING = (frozenset(), False)
for _name in ("add", "subtract", "negative", "positive", "sum", "reshape", "transpose",
              "broadcast_to", "getitem", "scatter_add", "concatenate", "where"):
    PRIMS[_name].saves = lambda argnums, nargs: _NOTHING
PRIMS["multiply"].saves = lambda argnums, nargs: ({1 - i for i in argnums}, False)
PRIMS["divide"].saves = lambda argnums, nargs: ({1}, 1 in argnums)
PRIMS["power"].saves = lambda argnums, nargs: ({0, 1}, 1 in argnums)
PRIMS["matmul"].saves = lambda argnums, nargs: ({1 - i for i in argnums}, False)
for _name in ("exp", "tanh", "sqrt", "expm1", "exp2", "reciprocal", "tan", "cbrt"):
    PRIMS[_name].saves = lambda argnums, nargs: (frozenset(), True)
for _name in ("sin", "cos", "log", "log1p", "log2", "log10", "arctan", "arcsin", "arccos",
              "sinh", "cosh", "square", "absolute", "maximum", "minimum", "clip"):
    PRIMS[_name].saves = lambda argnums, nargs: (frozenset(range(nargs)), False)


# ----------------------------------------------------- constants (no gradient)
NOGRAD_FUNCTIONS.update({
    np.shape, np.ndim, np.size, np.argmax, np.argmin, np.argsort, np.nonzero,
    np.flatnonzero, np.count_nonzero, np.any, np.all, np.isclose, np.allclose,
    np.array_equal, np.result_type, np.zeros_like, np.ones_like, np.empty_like,
    np.iscomplexobj, np.isrealobj, np.searchsorted, np.round, np.around, np.unique,
    np.may_share_memory, np.shares_memory, np.argwhere, np.min_scalar_type, np.can_cast,
    np.array_equiv, np.fix,
})
