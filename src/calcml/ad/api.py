"""The user-facing transformations: grad, value_and_grad, vjp, jvp, jacobian, hessian…"""
from __future__ import annotations

import functools
from typing import Any, Callable, Sequence

import numpy as np

from calcml.ad.box import Box, unbox
from calcml.ad.core import ForwardTrace, ReverseTrace, backward_pass, sole, toposort
from calcml.ad.pytree import tree_flatten, tree_map, tree_unflatten
from calcml.errors import CalcmlError, DimensionError, InvalidFunctionError

__all__ = ["grad", "value_and_grad", "vjp", "jvp", "jacobian", "hessian", "hvp",
           "derivative", "stop_gradient"]


def _as_float(x: Any, what: str = "argument") -> Any:
    """A differentiable leaf: float64 for Python and integer input, other floats kept."""
    if type(x) is Box:
        return x
    arr = np.asarray(x)
    if arr.dtype.kind in "biu":
        arr = arr.astype(np.float64)
    elif arr.dtype.kind not in "fc":
        raise CalcmlError(f"cannot differentiate with respect to {what} of type "
                          f"{type(x).__name__} (dtype {arr.dtype}); pass numbers or arrays")
    return arr[()] if arr.ndim == 0 else arr


def _argnums(argnums: int | Sequence[int], nargs: int) -> tuple[int, ...]:
    nums = (argnums,) if isinstance(argnums, int) else tuple(argnums)
    for n in nums:
        if not -nargs <= n < nargs:
            raise DimensionError(f"argnums={argnums!r} but the function was called with "
                                 f"{nargs} positional argument(s)")
    return tuple(n % nargs for n in nums)


def _plain_result(ct: Any, like: Any) -> Any:
    """A cotangent as the user sees it: a fresh writable array shaped like ``like``."""
    if ct is None:
        return np.zeros_like(np.asarray(unbox(like), dtype=np.result_type(unbox(like), float)))
    if type(ct) is Box:
        return ct
    dtype = np.result_type(unbox(like))
    out = np.array(ct, dtype=dtype if dtype.kind in "fc" else np.float64)
    if out.ndim == 0 or np.ndim(unbox(like)) == 0:
        return out.reshape(np.shape(unbox(like)))[()]
    return out


def _box_args(args: tuple, nums: tuple[int, ...], make_box: Callable) -> tuple[list, list]:
    """Replace the leaves of ``args[n]`` (n in nums) by boxes; return args and the boxes."""
    args = list(args)
    boxes = []
    for n in nums:
        leaves, treedef = tree_flatten(args[n])
        new = [make_box(leaf) for leaf in leaves]
        boxes.append((treedef, new))
        args[n] = tree_unflatten(treedef, new)
    return args, boxes


def _scalar_output(out: Any, trace: Any, name: str) -> Any:
    value = out._value if type(out) is Box and out._trace is trace else out
    if not isinstance(value, (list, tuple, dict)) and np.asarray(
            unbox(value)).dtype.kind not in "biufc":
        raise CalcmlError(f"{name} needs a function that returns a number, but it returned "
                          f"{type(unbox(value)).__name__} (a missing return?)")
    if isinstance(value, (list, tuple, dict)) or np.size(unbox(value)) != 1:
        shape = (type(value).__name__ if isinstance(value, (list, tuple, dict))
                 else np.shape(unbox(value)))
        raise DimensionError(
            f"{name} needs a function with a scalar output, but it returned {shape}; use "
            f"calcml.jacobian for vector-valued functions, or reduce the output (np.sum)")
    return value


def _check_function(f: Any, name: str) -> None:
    """``f`` must be a Python callable (text goes through calcml.sym first)."""
    if callable(f):
        return
    symbolic = {"grad": "gradient", "value_and_grad": "gradient", "derivative": "diff",
                "hvp": "hessian", "vjp": "jacobian", "jvp": "jacobian"}.get(name, name)
    hint = (f"; for expression text use calcml.sym.{symbolic}({f!r}), or "
            f"calcml.{name}(calcml.sym.lambdify({f!r}))" if isinstance(f, str) else "")
    raise InvalidFunctionError(f"{name} needs a Python function of NumPy arrays, got "
                               f"{type(f).__name__}{hint}")


def value_and_grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Create a function that evaluates ``f`` and its gradient.

    Parameters
    ----------
    f : callable
        Plain NumPy code returning a scalar.
    argnums : int or tuple of int, default: 0
        Which positional argument(s) to differentiate with respect to.

    Returns
    -------
    callable
        ``(*args) -> (f(*args), gradient)``; the gradient has the structure and shapes
        of ``args[argnums]`` (a tuple of them when ``argnums`` is a tuple).

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> value, g = cm.value_and_grad(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]))
    >>> print(value, g)
    9.0 [ 3. 12.]
    """
    _check_function(f, "value_and_grad")
    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> tuple[Any, Any]:
        nums = _argnums(argnums, len(args))
        trace = ReverseTrace()
        args, boxes = _box_args(args, nums, lambda leaf: trace.new_box(_as_float(leaf)))
        out = f(*args, **kwargs)
        value = _scalar_output(out, trace, "grad")
        cts: dict = {}
        if type(out) is Box and out._trace is trace:
            seed = np.ones_like(np.asarray(unbox(value), dtype=np.result_type(unbox(value), float)))
            cts = backward_pass(seed, out._aux, retain=False)
        grads = []
        for treedef, bs in boxes:
            leaves = []
            for b in bs:
                ct = cts.pop(id(b._aux), None)
                # A buffer the backward pass made and nothing else holds is handed
                # over as it is instead of copied.
                fresh = sole(ct)
                leaves.append(ct if fresh and ct.dtype == np.result_type(b._value)
                              and ct.shape == np.shape(b._value) and ct.ndim
                              else _plain_result(ct, b._value))
                ct = None
            grads.append(tree_unflatten(treedef, leaves))
        return value, (grads[0] if isinstance(argnums, int) else tuple(grads))

    return wrapped


def grad(f: Callable, argnums: int | Sequence[int] = 0) -> Callable:
    """Create a function that evaluates the gradient of ``f``.

    Parameters
    ----------
    f : callable
        Plain NumPy code returning a scalar (size-1 outputs are accepted).
    argnums : int or tuple of int, default: 0
        Which positional argument(s) to differentiate with respect to.

    Returns
    -------
    callable
        A function with the signature of ``f`` returning the gradient, shaped like
        ``args[argnums]`` (nested lists/tuples/dicts keep their structure).

    Raises
    ------
    DimensionError
        If ``f`` returns more than one number (use :func:`jacobian`).

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> cm.grad(np.tanh)(0.5)          # 1 - tanh(0.5)**2
    np.float64(0.7864477329659274)
    >>> w, x = np.array([1.0, 2.0]), np.array([3.0, 4.0])
    >>> cm.grad(lambda w, x: np.sum(w * x), argnums=(0, 1))(w, x)
    (array([3., 4.]), array([1., 2.]))
    >>> cm.grad(cm.grad(lambda x: x ** 3))(2.0)   # second derivative, 6x
    np.float64(12.0)
    """
    _check_function(f, "grad")
    vg = value_and_grad(f, argnums)

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        return vg(*args, **kwargs)[1]

    return wrapped


def vjp(f: Callable, *primals: Any) -> tuple[Any, Callable]:
    """Evaluate ``f`` and return its vector-Jacobian product function (reverse mode).

    Returns
    -------
    out : value of ``f(*primals)``
    vjp_fn : callable
        ``vjp_fn(cotangent) -> tuple`` with one cotangent per primal, each shaped like it.
        It may be called many times (the tape is kept).

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> out, pullback = cm.vjp(lambda x: x ** 2, np.array([1.0, 2.0, 3.0]))
    >>> pullback(np.array([1.0, 0.0, 1.0]))
    (array([2., 0., 6.]),)
    """
    _check_function(f, "vjp")
    trace = ReverseTrace()
    args, boxes = _box_args(primals, tuple(range(len(primals))),
                            lambda leaf: trace.new_box(_as_float(leaf)))
    out = f(*args)
    out_leaves, out_def = tree_flatten(out)
    values = [o._value if type(o) is Box and o._trace is trace else o for o in out_leaves]
    orders: dict[int, list] = {}  # one topological order per output, reused by each call

    def vjp_fn(cotangent: Any) -> tuple:
        ct_leaves = tree_flatten(cotangent)[0]
        if len(ct_leaves) != len(out_leaves):
            raise DimensionError(f"vjp: the cotangent has {len(ct_leaves)} leaves but the "
                                 f"output has {len(out_leaves)}")
        total: dict = {}
        for o, ct in zip(out_leaves, ct_leaves):
            if type(o) is not Box or o._trace is not trace:
                continue
            if np.shape(unbox(ct)) != np.shape(unbox(o._value)):
                raise DimensionError(f"vjp: cotangent of shape {np.shape(unbox(ct))} for an "
                                     f"output of shape {np.shape(unbox(o._value))}")
            order = orders.get(id(o._aux))
            if order is None:
                order = orders[id(o._aux)] = toposort(o._aux)
            for key, g in backward_pass(_as_float(ct, "a cotangent"), o._aux,
                                        order=order).items():
                total[key] = g if key not in total else total[key] + g
        return tuple(tree_unflatten(treedef, [_plain_result(total.get(id(b._aux)), b._value)
                                              for b in bs]) for treedef, bs in boxes)

    return tree_unflatten(out_def, values), vjp_fn


def jvp(f: Callable, primals: Sequence[Any], tangents: Sequence[Any]) -> tuple[Any, Any]:
    """Evaluate ``f`` and its Jacobian-vector product (forward mode).

    Parameters
    ----------
    f : callable
    primals, tangents : tuple
        The arguments and their tangents (same structure and shapes).

    Returns
    -------
    (f(*primals), J @ tangents)

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> cm.jvp(np.sin, (0.0,), (2.0,))
    (np.float64(0.0), np.float64(2.0))
    """
    _check_function(f, "jvp")
    primals, tangents = tuple(primals), tuple(tangents)
    if len(primals) != len(tangents):
        raise DimensionError(f"jvp: {len(primals)} primals but {len(tangents)} tangents")
    trace = ForwardTrace()
    p_leaves, p_def = tree_flatten(primals)
    t_leaves, _ = tree_flatten(tangents)
    if len(p_leaves) != len(t_leaves):
        raise DimensionError("jvp: primals and tangents have different structures")
    boxes = []
    for p, t in zip(p_leaves, t_leaves):
        p, t = _as_float(p), _as_float(t, "a tangent")
        if np.shape(unbox(p)) != np.shape(unbox(t)):
            raise DimensionError(f"jvp: tangent of shape {np.shape(unbox(t))} for a primal "
                                 f"of shape {np.shape(unbox(p))}")
        boxes.append(trace.new_box(p, t))
    out = f(*tree_unflatten(p_def, boxes))

    def primal(o):
        return o._value if type(o) is Box and o._trace is trace else o

    def tangent(o):
        if type(o) is Box and o._trace is trace and o._aux is not None:
            return _plain_result(o._aux, o._value)
        return _plain_result(None, primal(o))

    return tree_map(primal, out), tree_map(tangent, out)


def _ravel_tree(tree: Any) -> tuple[Any, Callable]:
    """Flatten a pytree of arrays into one vector, and the function undoing it."""
    leaves, treedef = tree_flatten(tree)
    shapes = [np.shape(unbox(leaf)) for leaf in leaves]
    sizes = [int(np.prod(s)) for s in shapes]
    flat = (np.concatenate([np.ravel(leaf) for leaf in leaves])
            if leaves else np.zeros(0))

    def unravel(v):
        out, start = [], 0
        for s, n in zip(shapes, sizes):
            out.append(np.reshape(v[start:start + n], s))
            start += n
        return tree_unflatten(treedef, out)

    return flat, unravel


def jacobian(f: Callable, argnums: int | Sequence[int] = 0, mode: str = "auto") -> Callable:
    """Create a function that evaluates the Jacobian of ``f``.

    Parameters
    ----------
    f : callable
        Plain NumPy code returning an array (or a pytree of arrays).
    argnums : int or tuple of int, default: 0
    mode : {"auto", "rev", "fwd"}, default: "auto"
        Reverse mode costs one backward pass per output entry, forward mode one forward
        pass per input entry; "auto" picks the cheaper.

    Returns
    -------
    callable
        Returns an array of shape ``f(x).shape + x.shape`` (for pytrees: the output's
        structure, each leaf holding the input's structure).

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> f = lambda v: np.stack([2 * v[0] * v[1], v[0] ** 2 * v[1]])   # seed 004
    >>> cm.jacobian(f)(np.array([1.0, 2.0]))
    array([[4., 2.],
           [4., 1.]])
    """
    _check_function(f, "jacobian")
    if mode not in ("auto", "rev", "fwd"):
        raise CalcmlError(f"jacobian: mode must be 'auto', 'rev' or 'fwd', not {mode!r}")

    @functools.wraps(f)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        nums = _argnums(argnums, len(args))
        results = [_jacobian_one(f, args, kwargs, n, mode) for n in nums]
        return results[0] if isinstance(argnums, int) else tuple(results)

    return wrapped


def _jacobian_one(f, args, kwargs, n, mode):
    x = tree_map(_as_float, args[n])
    x_flat, unravel_x = _ravel_tree(x)
    out_def = []

    def f_flat(v):
        call_args = list(args)
        call_args[n] = unravel_x(v)
        out = f(*call_args, **kwargs)
        leaves, treedef = tree_flatten(out)
        out_def[:] = [treedef, [np.shape(unbox(leaf)) for leaf in leaves]]
        return (np.concatenate([np.ravel(leaf) for leaf in leaves])
                if len(leaves) != 1 else np.ravel(leaves[0]))

    n_in = int(np.size(unbox(x_flat)))
    if mode != "fwd":
        out_flat, pullback = vjp(f_flat, x_flat)
        n_out = int(np.size(unbox(out_flat)))
        if mode == "auto" and n_in < n_out:
            mode = "fwd"
        else:
            eye = np.eye(n_out)
            rows = [pullback(eye[i])[0] for i in range(n_out)]
            jac = np.stack(rows) if rows else np.zeros((0, n_in))
    if mode == "fwd":
        eye = np.eye(n_in)
        cols = [jvp(f_flat, (x_flat,), (eye[j],))[1] for j in range(n_in)]
        n_out = int(np.prod(out_def[1][0])) if len(out_def[1]) == 1 else sum(
            int(np.prod(s)) for s in out_def[1])
        jac = np.stack(cols, axis=-1) if cols else np.zeros((n_out, 0))
    return _unravel_jacobian(jac, out_def, x)


def _unravel_jacobian(jac, out_def, x):
    out_treedef, out_shapes = out_def
    in_leaves, in_treedef = tree_flatten(x)
    in_shapes = [np.shape(unbox(leaf)) for leaf in in_leaves]
    if len(out_shapes) == 1 and len(in_shapes) == 1 and out_treedef is None and in_treedef is None:
        return np.reshape(jac, out_shapes[0] + in_shapes[0])
    blocks, r = [], 0
    for os_ in out_shapes:
        m = int(np.prod(os_))
        row_blocks, c = [], 0
        for is_ in in_shapes:
            k = int(np.prod(is_))
            row_blocks.append(np.reshape(jac[r:r + m, c:c + k], os_ + is_))
            c += k
        blocks.append(tree_unflatten(in_treedef, row_blocks))
        r += m
    return tree_unflatten(out_treedef, blocks)


def hessian(f: Callable, argnums: int | Sequence[int] = 0, mode: str = "rev") -> Callable:
    """Create a function that evaluates the Hessian of scalar ``f``.

    Parameters
    ----------
    f : callable
        Plain NumPy code returning a scalar.
    argnums : int or tuple of int, default: 0
    mode : {"rev", "fwd"}, default: "rev"
        How the gradient is differentiated. ``"rev"`` (reverse over reverse) records the
        gradient computation once and pulls back one row of the identity per input
        entry through that one tape; ``"fwd"`` (forward over reverse) re-runs the
        gradient once per input entry with a tangent. Both are exact; ``"rev"`` is
        about 4x faster in this engine (``benchmarks/bench_ad.py``, W4), because it
        traces the function once instead of ``n`` times.

    Returns
    -------
    callable
        Returns an array of shape ``x.shape + x.shape``. With a tuple ``argnums`` it
        returns the blocks as nested tuples, ``H[i][j]`` of shape
        ``args[i].shape + args[j].shape`` (``d2f / dx_i dx_j``), as ``jax.hessian`` does.

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> A = np.array([[4.0, 2.0], [2.0, 2.0]]); b = np.array([1.0, 2.0])
    >>> cm.hessian(lambda x: 0.5 * x @ A @ x - b @ x)(np.zeros(2))   # seed 000: A
    array([[4., 2.],
           [2., 2.]])
    """
    _check_function(f, "hessian")
    if mode not in ("rev", "fwd"):
        raise CalcmlError(f"hessian: mode must be 'rev' or 'fwd', not {mode!r}")
    jac = jacobian(grad(f, argnums), argnums, mode=mode)
    if isinstance(argnums, int):
        return jac

    @functools.wraps(f)
    def blocks(*args: Any, **kwargs: Any) -> tuple:
        by_input = jac(*args, **kwargs)  # by_input[j][i] = d(grad_i) / d(x_j)
        k = len(by_input)
        return tuple(tuple(by_input[j][i] for j in range(k)) for i in range(k))

    return blocks


def hvp(f: Callable, argnums: int = 0) -> Callable:
    """Create ``(x, v, *args) -> H(x) @ v`` without forming the Hessian.

    ``x`` is the argument of ``f`` at position ``argnums`` (the Hessian is taken with
    respect to it); the other positional arguments of ``f`` follow ``v``, in order.
    Forward over reverse: one gradient evaluation with a tangent.

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> cm.hvp(lambda x: np.sum(x ** 3))(np.array([1.0, 2.0]), np.array([1.0, 1.0]))
    array([ 6., 12.])
    """
    _check_function(f, "hvp")
    if not isinstance(argnums, int):
        raise CalcmlError(f"hvp: argnums must be one int, not {argnums!r}")

    def wrapped(x: Any, v: Any, *args: Any, **kwargs: Any) -> Any:
        n = _argnums(argnums, len(args) + 1)[0]
        g = grad(f, n)
        return jvp(lambda x_: g(*args[:n], x_, *args[n:], **kwargs), (x,), (v,))[1]

    return wrapped


def derivative(f: Callable) -> Callable:
    """Create the elementwise derivative ``x -> f'(x)`` of an elementwise function ``f``.

    Examples
    --------
    >>> import numpy as np, calcml as cm
    >>> cm.derivative(np.sin)(np.array([0.0, np.pi]))
    array([ 1., -1.])
    """
    _check_function(f, "derivative")
    @functools.wraps(f)
    def wrapped(x: Any, *args: Any, **kwargs: Any) -> Any:
        x = _as_float(x)
        out, t = jvp(lambda x_: f(x_, *args, **kwargs), (x,), (np.ones_like(unbox(x)),))
        if np.shape(unbox(out)) != np.shape(unbox(x)):
            raise DimensionError(
                f"derivative needs an elementwise function (output shape {np.shape(unbox(out))} "
                f"differs from input shape {np.shape(unbox(x))}); use grad or jacobian")
        return t

    return wrapped


def stop_gradient(x: Any) -> Any:
    """The value of ``x`` as a constant: no derivative flows through it.

    >>> import numpy as np, calcml as cm
    >>> cm.grad(lambda x: x * cm.stop_gradient(x))(3.0)
    np.float64(3.0)
    """
    return tree_map(unbox, x)
