"""Nested containers of arrays ("pytrees"): lists, tuples, namedtuples and dicts.

>>> leaves, treedef = tree_flatten({"w": [1.0, 2.0], "b": 3.0})
>>> leaves
[1.0, 2.0, 3.0]
>>> tree_unflatten(treedef, [10, 20, 30])
{'w': [10, 20], 'b': 30}
"""
from __future__ import annotations

from typing import Any, Callable

__all__ = ["tree_flatten", "tree_unflatten", "tree_map", "tree_leaves"]


def _is_namedtuple(x: Any) -> bool:
    return isinstance(x, tuple) and hasattr(x, "_fields")


def tree_flatten(tree: Any) -> tuple[list, Any]:
    """Leaves of ``tree`` in order, and a description to rebuild it."""
    leaves: list = []

    def walk(node):
        if isinstance(node, dict):
            return (dict, type(node), tuple(node), [walk(v) for v in node.values()])
        if isinstance(node, (list, tuple)):
            return (tuple, type(node), None, [walk(v) for v in node])
        leaves.append(node)
        return None

    return leaves, walk(tree)


def tree_unflatten(treedef: Any, leaves: list) -> Any:
    """Inverse of :func:`tree_flatten`."""
    it = iter(leaves)

    def build(node):
        if node is None:
            return next(it)
        kind, cls, keys, children = node
        values = [build(c) for c in children]
        if kind is dict:
            out = dict(zip(keys, values))
            return out if cls is dict else cls(out)
        if cls is list:
            return values
        return cls(*values) if issubclass(cls, tuple) and hasattr(cls, "_fields") else cls(values)

    return build(treedef)


def tree_leaves(tree: Any) -> list:
    return tree_flatten(tree)[0]


def tree_map(fun: Callable, tree: Any, *rest: Any) -> Any:
    """Apply ``fun`` leaf by leaf to ``tree`` (and the matching leaves of ``rest``)."""
    leaves, treedef = tree_flatten(tree)
    others = [tree_flatten(r)[0] for r in rest]
    return tree_unflatten(treedef, [fun(*xs) for xs in zip(leaves, *others)])
