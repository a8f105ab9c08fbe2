"""The tables that map NumPy functions to primitives, filled by :mod:`calcml.ad.rules`.

- ``PRIMS``: name -> :class:`~calcml.ad.core.Primitive` (what the operators use);
- ``UFUNCS``: ufunc -> primitive, for ``__array_ufunc__``;
- ``FUNCTIONS``: NumPy function -> handler, for ``__array_function__``; a handler
  normalises the call's arguments and applies primitives (or composes them);
- ``NOGRAD_UFUNCS`` / ``NOGRAD_FUNCTIONS``: piecewise-constant or integer-valued
  functions (comparisons, ``floor``, ``argmax``, ``shape``…), computed on plain values:
  their derivative is zero and no error is raised.
"""
from __future__ import annotations

import sys
from typing import Any, Callable

from calcml.ad.core import Primitive, apply

PRIMS: dict[str, Primitive] = {}
UFUNCS: dict[Any, Primitive] = {}
FUNCTIONS: dict[Callable, Callable] = {}
UFUNC_REDUCTIONS: dict[Any, Callable] = {}
NOGRAD_UFUNCS: set = set()
NOGRAD_FUNCTIONS: set = set()
#: module name -> a function registering rules for that library's ufuncs. It runs the
#: first time an unknown ufunc reaches calcml while the module is loaded (a user who
#: passes ``scipy.special.erf`` has imported it), so ``import calcml`` stays light.
LAZY: dict[str, Callable[[], None]] = {}
#: ufunc -> the name to show when it is not NumPy's own (``scipy.special.erf``)
QUALNAMES: dict[Any, str] = {}


def late_ufunc(ufunc: Any) -> Primitive | None:
    """The primitive of ``ufunc`` after registering the rules of loaded libraries."""
    for module in [m for m in LAZY if m in sys.modules]:
        LAZY.pop(module)()
    return UFUNCS.get(ufunc)


def load_lazy_rules() -> None:
    """Import every library that has lazily registered rules and register them."""
    import importlib

    for module in list(LAZY):
        importlib.import_module(module)
        LAZY.pop(module)()


def missing_rule_message(name: str) -> str:
    return (f"{name} has no derivative rule in calcml. The supported functions are "
            f"listed by calcml.ad.supported_functions(); to add one, give it a VJP and a "
            f"JVP in calcml/ad/rules.py, or wrap its input in calcml.stop_gradient(...) "
            f"if no derivative is needed.")


def new_primitive(name: str, fun: Callable) -> Primitive:
    prim = Primitive(fun, name)
    PRIMS[name] = prim
    return prim


def getitem(x: Any, idx: Any) -> Any:
    return apply(PRIMS["getitem"], (x,), {"idx": idx})


def supported_functions() -> list[str]:
    """Names of every NumPy function and ufunc calcml can differentiate, sorted.

    >>> from calcml.ad import supported_functions
    >>> "numpy.exp" in supported_functions() and "numpy.linalg.solve" in supported_functions()
    True
    """
    load_lazy_rules()

    def qualified(f: Any) -> str:
        if f in QUALNAMES:
            return QUALNAMES[f]
        module = getattr(f, "__module__", None) or "numpy"
        module = "numpy.linalg" if "linalg" in module else "numpy"
        return f"{module}.{f.__name__}"

    return sorted({qualified(f) for f in (*UFUNCS, *FUNCTIONS)})


def nograd_functions() -> list[str]:
    """Names of the functions whose derivative is zero by definition (constants)."""
    return sorted({f"numpy.{f.__name__}" for f in (*NOGRAD_UFUNCS, *NOGRAD_FUNCTIONS)})
