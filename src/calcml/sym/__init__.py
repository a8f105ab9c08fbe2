"""calcml.sym: exact calculus with SymPy behind a safe parser."""
from calcml.sym.parser import parse

__all__ = ["parse"]
