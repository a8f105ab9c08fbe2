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

    __slots__ = ("fun", "name", "vjps", "jvps", "saves")

    def __init__(self, fun: Callable, name: str | None = None):
        self.fun = fun
        self.name = name or getattr(fun, "__name__", repr(fun))
        self.vjps: dict[int, Callable | None] = {}
        self.jvps: dict[int, Callable | None] = {}
        # saves(argnums, nargs) -> (indices of arguments whose values the VJPs read,
        # whether they read the output); None: keep everything. The tape keeps only
        # the shapes of the rest, so intermediates are freed during the forward pass.
        self.saves: Callable | None = None

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


def _accumulate(table: dict, owned: set, key: int, g: Any) -> None:
    """Add cotangent ``g`` into ``table[key]``, in place when the buffer is ours."""
    old = table.get(key)
    if old is None:
        table[key] = g
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
    """Propagate cotangent ``g`` from ``end`` to every node; return {id(node): cotangent}.

    With ``retain=False`` each node's saved inputs are released once used, so peak
    memory falls as the pass proceeds (the graph cannot be reused afterwards).
    ``order`` is ``toposort(end)`` when the caller pulls back through one tape often.
    """
    cotangents: dict[int, Any] = {id(end): g}
    owned: set[int] = set()
    for node in (toposort(end) if order is None else order):
        key = id(node)
        g = cotangents.get(key)
        if g is None or node.prim is None:
            continue
        if type(g) is IndexedCotangent:
            g = cotangents[key] = g.dense()
        prim = node.prim
        for argnum, parent in zip(node.argnums, node.parents):
            rule = prim.rule(prim.vjps, argnum, "VJP")
            if rule is None:
                continue
            contribution = rule(g, node.ans, *node.args, **node.kwargs)
            # Cotangents that are boxes of an outer trace must not be mutated in place.
            pkey = id(parent)
            if type(contribution) is Box:
                owned.discard(pkey)
                old = cotangents.get(pkey)
                cotangents[pkey] = contribution if old is None else old + contribution
            else:
                _accumulate(cotangents, owned, pkey, contribution)
        if not retain:
            del cotangents[key]
            node.args = node.ans = None
    for key, g in cotangents.items():
        if type(g) is IndexedCotangent:
            cotangents[key] = g.dense()
    return cotangents
