"""The tracer: boxes, traces, primitives and the forward and backward passes.

Nothing here knows a NumPy function by name; the rules live in :mod:`calcml.ad.rules`.

A *trace* is one differentiation in progress (one call of ``grad``, ``jvp``...). Each
trace has a level, higher for traces started later, so nested differentiation cannot
confuse perturbations: a primitive unwraps only the boxes of the highest level among
its inputs and treats lower-level boxes as constants, which are themselves traced by
their own (outer) trace when the rule computes with them.

A *box* (:class:`calcml.ad.box.Box`) wraps a value being traced. In reverse mode it
points to a :class:`Node` of the tape; in forward mode it carries its tangent.
"""
from __future__ import annotations

import functools
import itertools
import sys
from typing import Any, Callable

import numpy as np

from calcml.errors import UnsupportedOperationError

__all__ = ["Primitive", "primitive", "apply", "ReverseTrace", "ForwardTrace", "Node",
           "IndexedCotangent", "backward_pass", "toposort", "new_level"]

_levels = itertools.count(1)
Box: Any = None  # set by calcml.ad.box (the box module imports this one)


def new_level() -> int:
    """A level above every trace started so far."""
    return next(_levels)


class Primitive:
    """A function with derivative rules, one VJP and one JVP per differentiable argument.

    ``vjps[i](g, ans, *args, **kwargs)`` maps the output cotangent ``g`` to the cotangent
    of argument ``i``; ``jvps[i](t, ans, *args, **kwargs)`` maps the tangent ``t`` of
    argument ``i`` to the output tangent. A missing entry means "not differentiable in
    that argument" and raises; ``None`` means the derivative is zero.
    """

    __slots__ = ("fun", "name", "vjps", "jvps", "saves", "vjps_into")

    def __init__(self, fun: Callable, name: str | None = None):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        self.vjps: dict[int, Callable | None] = {}
        self.jvps: dict[int, Callable | None] = {}
        # saves(argnums, nargs) -> (indices of arguments whose values the VJPs read,
        # whether they read the output); None: keep everything. The tape keeps only
        # the shapes of the rest, so intermediates are freed during the forward pass.
        self.saves: Callable | None = None
        # Optional in-place variants of VJPs, for plain arrays the backward pass owns:
        # vjps_into[i](g, g_free, free, ans, *args, **kwargs), where ``g_free`` says ``g``
        # may be overwritten and ``free`` lists the saved arguments that may be; the
        # result must equal vjps[i]'s (see :func:`backward_pass`).
        self.vjps_into: dict[int, Callable] = {}

    def __call__(self, *args: Any, **kwargs: Any) -> Any:
        return apply(self, args, kwargs)

    def __repr__(self) -> str:
        return f"<primitive {self.name}>"

    def rule(self, table: dict, argnum: int, kind: str) -> Callable | None:
        try:
            return table[argnum]
        except KeyError:
            if -1 in table:  # a variadic rule: (argnum, g_or_t, ans, *args, **kwargs)
                return functools.partial(table[-1], argnum)
            raise UnsupportedOperationError(
                f"{kind} of {self.name} with respect to argument {argnum} is not defined; "
                f"add a rule in calcml/ad/rules.py or wrap the argument in "
                f"calcml.stop_gradient if it need not be differentiated") from None


def primitive(fun: Callable) -> Primitive:
    """Decorator: turn a NumPy-level function into a :class:`Primitive`."""
    return Primitive(fun)


def apply(prim: Primitive, args: tuple, kwargs: dict) -> Any:
    """Call ``prim`` on ``args``, recording it in the highest-level trace among them."""
    top = None
    for a in args:
        if type(a) is Box and (top is None or a._trace.level > top.level):
            top = a._trace
    if top is None:
        return prim.fun(*args, **kwargs)
    vals = list(args)
    argnums = []
    boxes = []
    for i, a in enumerate(args):
        if type(a) is Box and a._trace is top:
            vals[i] = a._value
            argnums.append(i)
            boxes.append(a)
    ans = prim.fun(*vals, **kwargs)
    return top.lift(ans, prim, vals, kwargs, argnums, boxes)


class Node:
    """One entry of the reverse-mode tape: how an output was made from its parents."""

    __slots__ = ("prim", "args", "kwargs", "ans", "argnums", "parents")

    def __init__(self, prim, args, kwargs, ans, argnums, parents):
        self.prim = prim
        self.args = args
        self.kwargs = kwargs
        self.ans = ans
        self.argnums = argnums
        self.parents = parents


class ShapeOnly:
    """Stands in on the tape for a value whose VJPs need only its shape."""

    __slots__ = ("shape",)

    def __init__(self, shape: tuple):
        self.shape = shape

    @property
    def ndim(self) -> int:
        return len(self.shape)


def _shape_only(v: Any) -> Any:
    s = getattr(v, "shape", None)
    return v if s is None else ShapeOnly(s)


class ReverseTrace:
    """A reverse-mode trace: boxes point to tape nodes."""

    __slots__ = ("level",)

    def __init__(self) -> None:
        self.level = new_level()

    def new_box(self, value: Any) -> Any:
        return Box(value, self, Node(None, (), {}, value, (), ()))

    def lift(self, ans, prim, vals, kwargs, argnums, boxes):
        saved_args, saved_ans = vals, ans
        if prim.saves is not None:
            kept, keep_ans = prim.saves(argnums, len(vals))
            saved_args = [v if i in kept else _shape_only(v) for i, v in enumerate(vals)]
            saved_ans = ans if keep_ans else None
        node = Node(prim, saved_args, kwargs, saved_ans, argnums, [b._aux for b in boxes])
        return Box(ans, self, node)


class ForwardTrace:
    """A forward-mode trace: boxes carry their tangent (``None`` means zero)."""

    __slots__ = ("level",)

    def __init__(self) -> None:
        self.level = new_level()

    def new_box(self, value: Any, tangent: Any) -> Any:
        return Box(value, self, tangent)

    def lift(self, ans, prim, vals, kwargs, argnums, boxes):
        tangent = None
        for argnum, box in zip(argnums, boxes):
            t = box._aux
            if t is None:
                continue
            rule = prim.rule(prim.jvps, argnum, "JVP")
            if rule is None:
                continue
            contribution = rule(t, ans, *vals, **kwargs)
            tangent = contribution if tangent is None else tangent + contribution
        return Box(ans, self, tangent)


def toposort(end: Node) -> list[Node]:
    """Nodes reachable from ``end``, each after all nodes that use it."""
    child_counts: dict[int, int] = {}
    stack = [end]
    seen = {id(end)}
    while stack:
        node = stack.pop()
        for parent in node.parents:
            pid = id(parent)
            child_counts[pid] = child_counts.get(pid, 0) + 1
            if pid not in seen:
                seen.add(pid)
                stack.append(parent)
    order = []
    ready = [end]
    while ready:
        node = ready.pop()
        order.append(node)
        for parent in node.parents:
            pid = id(parent)
            child_counts[pid] -= 1
            if child_counts[pid] == 0:
                ready.append(parent)
    return order


class IndexedCotangent:
    """The cotangent of ``x[idx]`` seen from ``x``: ``g`` scattered into zeros, kept lazy.

    Accumulating it adds ``g`` into the parent's buffer at ``idx`` instead of building a
    full-size array of zeros for every slice (what makes a Rosenbrock gradient cheap).
    """

    __slots__ = ("idx", "g", "shape", "basic")

    def __init__(self, idx, g, shape, basic):
        self.idx, self.g, self.shape, self.basic = idx, g, shape, basic

    def add_into(self, buf: np.ndarray) -> np.ndarray:
        if self.basic:
            buf[self.idx] += self.g
        else:
            np.add.at(buf, self.idx, self.g)
        return buf

    def dense(self) -> np.ndarray:
        return self.add_into(np.zeros(self.shape, dtype=np.result_type(self.g, np.float64)))


# --------------------------------------------------------- scratch buffers
# The backward pass may overwrite a plain ndarray that nothing else references: no
# user array, no value seen by a box of any trace, no other tape entry. "Nothing else"
# is read from CPython's reference count, measured against the same code path on a
# fresh object at import (so interpreter versions that count stack references
# differently calibrate themselves); without reference counts the fast paths are off.
def _refs(obj: Any) -> int:
    return sys.getrefcount(obj)


def _item_refs(seq: list, i: int) -> int:
    return sys.getrefcount(seq[i])


def _sole_refs(obj: Any) -> int:  # the same call depth as sole()
    return _refs(obj)


def _calibrate() -> tuple[int, int]:
    if sys.implementation.name != "cpython" or not hasattr(sys, "getrefcount"):
        return -1, -1
    table = {0: np.empty(1)}
    g = table.pop(0)
    return _sole_refs(g), _item_refs([np.empty(1)], 0)


_SOLE_LOCAL, _SOLE_ITEM = _calibrate()
# Below this many entries a new array is cheaper than the checks that avoid it.
INPLACE_MIN_SIZE = 4096


def _is_scratch(a: Any) -> bool:
    return (type(a) is np.ndarray and a.flags.owndata and a.flags.writeable
            and a.dtype.kind in "fc")


def sole(a: Any) -> bool:
    """Whether the caller's local variable ``a`` is a plain float array that owns its
    memory and that nothing else references, so it may be overwritten."""
    return _is_scratch(a) and _refs(a) == _SOLE_LOCAL


def _free_args(args: list) -> tuple[int, ...]:
    """Indices of the saved arguments held only by ``args`` (the released tape entry)."""
    return tuple(i for i in range(len(args))
                 if _is_scratch(args[i]) and _item_refs(args, i) == _SOLE_ITEM)


def _accumulate(table: dict, owned: set, key: int, g: Any) -> None:
    """Add cotangent ``g`` into ``table[key]``, in place when the buffer is ours."""
    old = table.get(key)
    if old is None:
        table[key] = g
        return
    if type(old) is Box:  # a value of an outer trace: never in place
        table[key] = old + (g.dense() if type(g) is IndexedCotangent else g)
        return
    if type(old) is IndexedCotangent:
        old = old.dense()
        owned.add(key)
    elif key not in owned:
        if type(g) is IndexedCotangent:
            old = np.array(old, dtype=np.result_type(old, g.g))
            owned.add(key)
    if key in owned and np.shape(old) == np.shape(old if type(g) is IndexedCotangent else g):
        table[key] = g.add_into(old) if type(g) is IndexedCotangent else np.add(old, g, out=old)
        return
    total = old + g
    table[key] = total
    if type(total) is np.ndarray and total.shape == np.shape(old):
        owned.add(key)


def backward_pass(g: Any, end: Node, retain: bool = True,
                  order: list[Node] | None = None) -> dict[int, Any]:
    """Propagate cotangent ``g`` from ``end`` to every node; return the inputs' cotangents.

    The result maps ``id(node)`` to the cotangent of each input node (a node without a
    primitive) that the pass reached. With ``retain=False`` each node's saved inputs are
    released once used, so peak memory falls as the pass proceeds (the graph cannot be
    reused afterwards). ``order`` is ``toposort(end)`` when the caller pulls back
    through one tape often.

    In-place fast paths: a node's cotangent is dropped from the table once its VJPs
    have run, and its last VJP may overwrite it (``prim.vjps_into``) when it is a plain
    array that nothing else references; with ``retain=False`` the same holds for the
    node's saved inputs. Boxes (values of an outer trace) are never overwritten.
    """
    cotangents: dict[int, Any] = {id(end): g}
    owned: set[int] = set()
    g = contribution = None
    for node in (toposort(end) if order is None else order):
        prim = node.prim
        if prim is None:
            continue
        key = id(node)
        g = cotangents.pop(key, None)
        if g is None:
            continue
        owned.discard(key)
        if type(g) is IndexedCotangent:
            g = g.dense()
        args, ans = node.args, node.ans
        if not retain:
            node.args = node.ans = None
        argnums = node.argnums
        last = len(argnums) - 1
        into = prim.vjps_into
        for j, parent in enumerate(node.parents):
            argnum = argnums[j]
            rule = prim.rule(prim.vjps, argnum, "VJP")
            if rule is None:
                continue
            fast = into.get(argnum) if j == last and into else None
            if fast is not None and type(g) is np.ndarray and g.size >= INPLACE_MIN_SIZE:
                g_free = sole(g)
                free = () if retain else _free_args(args)
                contribution = fast(g, g_free, free, ans, *args, **node.kwargs)
            else:
                contribution = rule(g, ans, *args, **node.kwargs)
            # Cotangents that are boxes of an outer trace must not be mutated in place.
            pkey = id(parent)
            if type(contribution) is Box:
                owned.discard(pkey)
                old = cotangents.get(pkey)
                if type(old) is IndexedCotangent:
                    old = old.dense()
                cotangents[pkey] = contribution if old is None else old + contribution
            else:
                _accumulate(cotangents, owned, pkey, contribution)
            contribution = None
        g = args = ans = None
    for key, g in cotangents.items():
        if type(g) is IndexedCotangent:
            cotangents[key] = g.dense()
    return cotangents
