"""The objective as a function of one flat float64 vector, with evaluation counts.

``x0`` may be a scalar, an array or a pytree (dicts / lists / tuples of arrays); the
optimizers work on the flat vector and :class:`Problem` rebuilds the structure for the
user's ``f``, ``jac``, ``hess`` and ``callback`` and for the result.
"""
from __future__ import annotations

from typing import Any, Callable

import numpy as np

from calcml.ad import hessian as ad_hessian
from calcml.ad import tree_flatten, tree_unflatten, value_and_grad
from calcml.errors import CalcmlError, DimensionError

__all__ = ["Problem", "Flattener", "parse_bounds"]


class Flattener:
    """Flatten a pytree of numbers/arrays to a float64 vector and back."""

    def __init__(self, x0: Any):
        if _number_list(x0):      # [1.0, 2.0] means a vector, as in NumPy and SciPy
            x0 = np.asarray(x0, dtype=np.float64)
        leaves, self.treedef = tree_flatten(x0)
        if not leaves:
            raise DimensionError("x0 is empty: give at least one number to optimize over")
        self.shapes, self.scalar = [], []
        arrays = []
        for i, leaf in enumerate(leaves):
            a = np.asarray(leaf)
            if a.dtype.kind not in "biuf":
                raise CalcmlError(f"x0 leaf {i} has dtype {a.dtype} ({type(leaf).__name__}); "
                                  "x0 must hold real numbers or float arrays")
            self.shapes.append(a.shape)
            self.scalar.append(not isinstance(leaf, np.ndarray))
            arrays.append(a.astype(np.float64).ravel())
        self.sizes = [int(np.prod(s)) for s in self.shapes]
        self.single = self.treedef is None  # x0 is one leaf (scalar or array)
        self.x0 = np.concatenate(arrays)
        self.n = self.x0.size

    def unravel(self, v: Any) -> Any:
        """Flat vector (possibly traced) -> structure of ``x0``."""
        if self.single:
            return np.reshape(v, self.shapes[0])
        out, start = [], 0
        for s, k in zip(self.shapes, self.sizes):
            out.append(np.reshape(v[start:start + k], s))
            start += k
        return tree_unflatten(self.treedef, out)

    def unravel_result(self, v: np.ndarray) -> Any:
        """Like :meth:`unravel` on a concrete vector, Python-scalar leaves as floats."""
        v = np.array(v, dtype=np.float64, copy=True)
        leaves, start = [], 0
        for s, k, sc in zip(self.shapes, self.sizes, self.scalar):
            leaf = v[start:start + k].reshape(s)
            leaves.append(float(leaf) if sc and leaf.ndim == 0 else leaf)
            start += k
        return leaves[0] if self.single else tree_unflatten(self.treedef, leaves)

    def ravel(self, tree: Any, what: str) -> np.ndarray:
        """Structure of ``x0`` -> flat vector, checking sizes (``DimensionError``)."""
        if self.single and type(tree) is np.ndarray and tree.size == self.n:
            return tree.astype(np.float64, copy=False).reshape(-1)   # the common case
        leaves, treedef = tree_flatten(tree)
        if len(leaves) == 1 and self.single is False and np.size(leaves[0]) == self.n:
            return np.asarray(leaves[0], dtype=np.float64).ravel()
        if len(leaves) != len(self.sizes):
            if len(leaves) == 1 and np.size(leaves[0]) == self.n:
                return np.asarray(leaves[0], dtype=np.float64).ravel()
            raise DimensionError(f"{what} returned {len(leaves)} arrays but x0 has "
                                 f"{len(self.sizes)}: it must have x0's structure")
        parts = []
        for i, (leaf, k, s) in enumerate(zip(leaves, self.sizes, self.shapes)):
            a = np.asarray(leaf, dtype=np.float64)
            if a.size != k:
                raise DimensionError(f"{what} returned shape {a.shape} for leaf {i} of x0, "
                                     f"which has shape {s}: they must match")
            parts.append(a.ravel())
        return np.concatenate(parts)


def _number_list(x0: Any) -> bool:
    """A plain (nested) list / tuple of numbers, with no arrays or dicts inside."""
    if not isinstance(x0, (list, tuple)) or hasattr(x0, "_fields"):
        return False
    leaves, _ = tree_flatten(x0)
    if not leaves or not all(isinstance(v, (int, float)) and not isinstance(v, bool)
                             for v in leaves):
        return False
    try:
        return np.asarray(x0, dtype=np.float64).size == len(leaves)
    except ValueError:
        return False


def _scalar(out: Any, what: str = "the objective") -> Any:
    if np.ndim(out) == 0:
        return out
    if np.size(out) == 1:
        return np.reshape(out, ())
    raise DimensionError(f"{what} must return a scalar; it returned shape {np.shape(out)}. "
                         "Reduce it (e.g. .sum() or .mean()) or use a least-squares loss")


class Problem:
    """``f`` (and optional ``jac``/``hess``) on the flat vector, counting evaluations.

    ``nfev`` counts objective evaluations (including the one inside each gradient call),
    ``njev`` gradient evaluations, ``nhev`` Hessian evaluations.
    """

    def __init__(self, f: Callable, x0: Any, jac: Callable | None = None,
                 hess: Callable | None = None):
        if jac is not None and jac is not True and not callable(jac):
            raise CalcmlError(f"jac must be a callable, True (f returns (value, gradient)) or "
                              f"None; got {jac!r}")
        if hess is not None and not callable(hess):
            raise CalcmlError(f"hess must be a callable or None; got {hess!r}")
        if not callable(f):
            raise CalcmlError(f"the objective must be callable (or a string); got "
                              f"{type(f).__name__}")
        self.flat = Flattener(x0)
        self.n = self.flat.n
        self.f, self.user_jac, self.user_hess = f, jac, hess
        self.nfev = self.njev = self.nhev = 0
        self._vg = value_and_grad(self._f_flat)
        self._hess = None

    def _f_flat(self, v: Any) -> Any:
        return _scalar(self._call(self.f, v, "the objective"))

    def _call(self, fn: Callable, v: Any, what: str) -> Any:
        try:
            # trial points may leave the domain: the methods check for NaN/inf themselves
            with np.errstate(all="ignore"):
                return fn(self.flat.unravel(v))
        except CalcmlError:
            raise
        except (ValueError, IndexError) as exc:
            if "shape" in str(exc) or "dimension" in str(exc) or "index" in str(exc) \
                    or "size" in str(exc):
                raise DimensionError(f"{what} failed on x with the structure of x0 "
                                     f"({self._describe()}): {exc}. Check that x0 has the "
                                     "shape the function expects") from exc
            raise

    def _describe(self) -> str:
        fl = self.flat
        if fl.single:
            return f"shape {fl.shapes[0]}"
        return f"{len(fl.shapes)} arrays, shapes {fl.shapes}"

    # --- evaluations -------------------------------------------------------------
    def fun(self, x: np.ndarray) -> float:
        """Objective value at flat ``x`` (no gradient)."""
        if self.user_jac is True:
            return self.fun_grad(x)[0]
        self.nfev += 1
        return float(np.real(_scalar(self._call(self.f, x, "the objective"))))

    def fun_grad(self, x: np.ndarray) -> tuple[float, np.ndarray]:
        """Objective value and gradient at flat ``x``."""
        self.nfev += 1
        self.njev += 1
        if self.user_jac is True:        # SciPy's convention: f returns (value, gradient)
            out = self._call(self.f, x, "the objective")
            if not (isinstance(out, tuple) and len(out) == 2):
                raise CalcmlError("with jac=True the objective must return (value, gradient)")
            return float(_scalar(out[0])), self.flat.ravel(out[1], "the objective's gradient")
        if self.user_jac is not None:
            val = _scalar(self._call(self.f, x, "the objective"))
            g = self.flat.ravel(self._call(self.user_jac, x, "jac"), "jac")
            return float(val), g
        with np.errstate(all="ignore"):
            val, g = self._vg(np.asarray(x, dtype=np.float64))
        return float(val), np.asarray(g, dtype=np.float64).ravel()

    def hess(self, x: np.ndarray) -> np.ndarray:
        """(n, n) Hessian at flat ``x``."""
        self.nhev += 1
        n = self.n
        if self.user_hess is not None:
            H = np.asarray(self.user_hess(self.flat.unravel(x)), dtype=np.float64)
        else:
            if self.user_jac is True:
                raise CalcmlError("with jac=True there is no Hessian to differentiate: pass "
                                  "hess=, or a separate jac callable, or no jac (AD)")
            if self.user_jac is not None:
                from calcml.ad import jacobian
                jac, flat = self.user_jac, self.flat
                try:
                    H = np.asarray(jacobian(lambda v: _g_traced(jac, flat, v))(
                        np.asarray(x, dtype=np.float64)), dtype=np.float64)
                except CalcmlError as exc:
                    raise CalcmlError(f"could not differentiate the given jac for the "
                                      f"Hessian ({exc}); pass hess= as well") from exc
            else:
                if self._hess is None:
                    self._hess = ad_hessian(self._f_flat)
                H = np.asarray(self._hess(np.asarray(x, dtype=np.float64)), dtype=np.float64)
        if H.size != n * n:
            raise DimensionError(f"hess returned shape {H.shape}; with {n} unknowns it must "
                                 f"be ({n}, {n}) (or x0.shape + x0.shape)")
        return H.reshape(n, n)

    def callback_arg(self, x: np.ndarray) -> Any:
        return self.flat.unravel_result(x)


def _g_traced(jac: Callable, flat: Flattener, v: Any) -> Any:
    """User gradient on a traced flat vector, flattened with NumPy calls (traceable)."""
    out = jac(flat.unravel(v))
    leaves, _ = tree_flatten(out)
    return np.concatenate([np.reshape(leaf, (-1,)) for leaf in leaves])


def parse_bounds(bounds: Any, n: int, flat: Flattener | None = None
                 ) -> tuple[np.ndarray, np.ndarray] | None:
    """``None``, one ``(lo, hi)`` for all, ``[(lo, hi), ...]`` per unknown, or an object
    with ``lb``/``ub`` (``scipy.optimize.Bounds``) -> ``(lo, hi)`` arrays; ``None`` = no
    bound."""
    if bounds is None:
        return None
    if hasattr(bounds, "lb") and hasattr(bounds, "ub"):
        lo = np.broadcast_to(np.asarray(bounds.lb, dtype=float), (n,)).copy()
        hi = np.broadcast_to(np.asarray(bounds.ub, dtype=float), (n,)).copy()
    else:
        try:
            pairs = list(bounds)
        except TypeError:
            raise CalcmlError("bounds must be (lo, hi) or a list of (lo, hi) pairs, one per "
                              f"unknown; got {bounds!r}") from None
        if len(pairs) == 2 and all(p is None or np.ndim(p) == 0 for p in pairs):
            pairs = [tuple(pairs)] * n
        if len(pairs) != n:
            raise DimensionError(f"bounds has {len(pairs)} pairs but there are {n} unknowns: "
                                 "give one (lo, hi) per unknown, or a single pair for all")
        lo, hi = np.empty(n), np.empty(n)
        for i, p in enumerate(pairs):
            try:
                a, b = p
            except (TypeError, ValueError):
                raise CalcmlError(f"bounds[{i}] = {p!r} is not a (lo, hi) pair") from None
            lo[i] = -np.inf if a is None else float(a)
            hi[i] = np.inf if b is None else float(b)
    if np.any(lo > hi):
        i = int(np.argmax(lo > hi))
        raise CalcmlError(f"bounds[{i}]: lower bound {lo[i]} exceeds upper bound {hi[i]}")
    return lo, hi
