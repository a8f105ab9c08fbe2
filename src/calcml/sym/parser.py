"""The safe expression parser: text -> SymPy, without ``eval``.

How it works, in three steps:

1. **Tokenize** with a whitelist of characters (digits, ASCII letters, ``_``, spaces,
   ``+ - * / ^ ( ) , . = < >``), remembering each token's position in the user's text.
   Here ``^`` becomes ``**``, a lone ``=`` becomes ``==`` and implicit products get a
   ``*`` (``2x``, ``2(x+1)``, ``(x+1)(x-1)``, ``x y``, ``sin(x)cos(x)``).
2. **Parse** the rewritten text with :func:`ast.parse` (which only builds a tree).
3. **Build** SymPy objects from the tree, node by node, accepting only arithmetic,
   calls of known functions, names, numbers, one comparison and a top-level tuple.
   Every node's position is mapped back to the user's text, so each
   :class:`~calcml.errors.ParseError` puts its caret on the right character.

Limits keep any input from hanging the process or exhausting memory: the text length
(:data:`MAX_LENGTH`), the parenthesis depth and tree depth (:data:`MAX_DEPTH`), the
digits of a literal (:data:`MAX_DIGITS`), the size of a numeric exponent
(:data:`MAX_EXPONENT`), the bits of an exact power (:data:`MAX_POWER_BITS`), the bits
of every exact number that a product, sum or power would compute (:data:`MAX_NUMBER_BITS`,
which also keeps every result printable) and the arguments of ``min``/``max``
(:data:`MAX_ARGS`), all checked *before* SymPy evaluates anything.

>>> parse("2x^2 + 3(x - 1)")
2*x**2 + 3*x - 3
>>> parse("x^99999999")
Traceback (most recent call last):
...
calcml.errors.ParseError: exponent 99999999 is too large (the limit is 1000) at position 2
  x^99999999
    ^
"""
from __future__ import annotations

import ast
import re
from math import gcd as _gcd
from dataclasses import dataclass

import sympy

from calcml.errors import ParseError
from calcml.sym.functions import ACTIVATIONS

__all__ = ["parse", "MAX_LENGTH", "MAX_DEPTH", "MAX_DIGITS", "MAX_EXPONENT",
           "MAX_POWER_BITS", "MAX_NUMBER_BITS", "MAX_ARGS", "FUNCTIONS", "CONSTANTS"]

MAX_LENGTH = 10_000      #: characters in one text
MAX_DEPTH = 100          #: nested parentheses / operators
MAX_DIGITS = 100         #: characters in one number literal
MAX_EXPONENT = 1000      #: |n| of a numeric exponent x^n
MAX_POWER_BITS = 10_000  #: bits of an exact integer/rational power computed at parse time
#: bits of any exact number built at parse time (about 3,000 digits: within Python's
#: 4,300-digit limit on int -> str, so every result prints)
MAX_NUMBER_BITS = 10_000
MAX_ARGS = 24            #: min/max arguments in one text (SymPy compares them pairwise)

#: function name -> (SymPy callable, allowed argument counts; None = one or more)
FUNCTIONS: dict[str, tuple] = {
    "sin": (sympy.sin, (1,)), "cos": (sympy.cos, (1,)), "tan": (sympy.tan, (1,)),
    "cot": (sympy.cot, (1,)), "sec": (sympy.sec, (1,)), "csc": (sympy.csc, (1,)),
    "asin": (sympy.asin, (1,)), "acos": (sympy.acos, (1,)), "atan": (sympy.atan, (1,)),
    "arcsin": (sympy.asin, (1,)), "arccos": (sympy.acos, (1,)), "arctan": (sympy.atan, (1,)),
    "atan2": (sympy.atan2, (2,)),
    "sinh": (sympy.sinh, (1,)), "cosh": (sympy.cosh, (1,)), "tanh": (sympy.tanh, (1,)),
    "asinh": (sympy.asinh, (1,)), "acosh": (sympy.acosh, (1,)), "atanh": (sympy.atanh, (1,)),
    "exp": (sympy.exp, (1,)), "log": (sympy.log, (1, 2)), "ln": (sympy.log, (1,)),
    "sqrt": (sympy.sqrt, (1,)), "abs": (sympy.Abs, (1,)), "sign": (sympy.sign, (1,)),
    "erf": (sympy.erf, (1,)), "min": (sympy.Min, None), "max": (sympy.Max, None),
    **{name: (fn, (1,)) for name, fn in ACTIVATIONS.items()},
}
#: constant name -> value
CONSTANTS = {"pi": sympy.pi, "e": sympy.E, "oo": sympy.oo, "inf": sympy.oo,
             "infinity": sympy.oo}

_TOKEN = re.compile(r"""
    (?P<space>\s+)
  | (?P<number>(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?)
  | (?P<name>[A-Za-z_][A-Za-z_0-9]*)
  | (?P<op>\*\*|==|<=|>=|[-+*/^(),=<>])
""", re.VERBOSE | re.ASCII)

_ADD = (ast.Add, ast.Sub)
_MUL = (ast.Mult, ast.Div)
_COMPARE = {ast.Eq: sympy.Eq, ast.LtE: sympy.Le, ast.GtE: sympy.Ge, ast.Lt: sympy.Lt,
            ast.Gt: sympy.Gt}


def _bits(q) -> tuple[int, int]:
    """(bits of the numerator, bits of the denominator) of a SymPy Rational."""
    return abs(int(q.p)).bit_length(), int(q.q).bit_length()


def _exact_numbers(e) -> list:
    """The Rationals that SymPy combines when ``e`` is multiplied or raised to a power:
    ``e`` itself, a product's coefficients and the Rational bases of its powers (``sqrt(2)``);
    a sum contributes the numbers of its term with the most bits (a coefficient multiplies
    every term). Their sizes bound the exact numbers the operation computes."""
    if e.is_Rational:
        return [e]
    if e.is_Pow:
        return [e.base] if e.base.is_Rational else []
    if e.is_Mul:
        return [q for a in e.args for q in _exact_numbers(a)]
    if e.is_Add:
        parts = [_exact_numbers(a) for a in e.args]
        return max(parts, key=lambda qs: sum(sum(_bits(q)) for q in qs), default=[])
    return []


@dataclass
class _Token:
    kind: str   # "number" | "name" | "op"
    text: str
    pos: int    # offset in the user's text


def _tokenize(text: str) -> list[_Token]:
    tokens: list[_Token] = []
    depth = 0
    i, n = 0, len(text)
    while i < n:
        m = _TOKEN.match(text, i)
        if m is None:
            ch = text[i]
            hint = {"[": "use parentheses", "]": "use parentheses",
                    "'": "strings are not expressions", '"': "strings are not expressions",
                    ".": "attribute access is not allowed",
                    "!": "write 'not equal' constraints as two inequalities"}.get(ch)
            raise ParseError(f"unexpected character {ch!r}" + (f" ({hint})" if hint else ""),
                             text, i)
        kind = m.lastgroup
        tok = m.group()
        if kind == "number":
            if len(tok) > MAX_DIGITS:
                raise ParseError(f"number literal too long ({len(tok)} characters, the limit "
                                 f"is {MAX_DIGITS})", text, i)
        elif kind == "name":
            if tok.startswith("_"):
                raise ParseError(f"names may not start with '_' ({tok!r})", text, i)
            if len(tok) > MAX_DIGITS:
                raise ParseError(f"name too long ({len(tok)} characters, the limit is "
                                 f"{MAX_DIGITS})", text, i)
        elif tok == "(":
            depth += 1
            if depth > MAX_DEPTH:
                raise ParseError(f"parentheses nested too deeply (the limit is {MAX_DEPTH})",
                                 text, i)
        elif tok == ")":
            depth -= 1
        if kind != "space":
            tokens.append(_Token(kind, tok, i))
        i = m.end()
    return tokens


def _implicit_product(left: _Token, right: _Token) -> bool:
    """Whether a ``*`` belongs between two adjacent tokens."""
    left_value = left.kind == "number" or left.text == ")" or (
        left.kind == "name" and left.text not in FUNCTIONS)
    right_value = right.kind in ("number", "name") or right.text == "("
    if not (left_value and right_value):
        return False
    if left.kind == "number" and right.kind == "number":
        return False   # "2 3" is a mistake, not a product
    if left.kind == "name" and right.kind == "number":
        return False   # "x 2" is a mistake too
    return True


def _rewrite(text: str, tokens: list[_Token]) -> tuple[str, list[int]]:
    """Python source for ``tokens`` and, per character of it, the offset in ``text``."""
    out: list[str] = []
    where: list[int] = []

    def emit(s: str, pos: int) -> None:
        out.append(s)
        where.extend([pos] * len(s))

    prev = None
    for tok in tokens:
        if prev is not None:
            if _implicit_product(prev, tok):
                emit("*", tok.pos)
            emit(" ", tok.pos)
        s = {"^": "**", "=": "=="}.get(tok.text, tok.text) if tok.kind == "op" else tok.text
        emit(s, tok.pos)
        prev = tok
    where.append(len(text))   # end of input
    return "".join(out), where


class _Builder:
    """Turns a whitelisted :mod:`ast` tree into SymPy objects."""

    def __init__(self, text: str, where: list[int]):
        self.text = text
        self.where = where
        self.symbols: dict[str, sympy.Symbol] = {}
        self.minmax_args = 0

    def fail(self, message: str, node: ast.AST | None = None, pos: int | None = None):
        if pos is None:
            col = getattr(node, "col_offset", None)
            pos = self.where[min(col, len(self.where) - 1)] if col is not None else 0
        raise ParseError(message, self.text, pos)

    def top(self, tree: ast.Expression):
        body = tree.body
        if isinstance(body, ast.Tuple):
            if not body.elts:
                self.fail("empty tuple", body)
            items = [self.expr(e, 1) for e in body.elts]
            return sympy.Matrix(items)
        if isinstance(body, ast.Compare):
            return self.compare(body)
        return self.expr(body, 0)

    def compare(self, node: ast.Compare):
        if len(node.ops) != 1:
            self.fail("only one relation is allowed (write 'a <= x, x <= b' as two "
                      "constraints)", node.comparators[1])
        op = type(node.ops[0])
        if op not in _COMPARE:
            self.fail(f"unsupported relation {type(node.ops[0]).__name__}", node)
        lhs = self.expr(node.left, 1)
        rhs = self.expr(node.comparators[0], 1)
        return _COMPARE[op](lhs, rhs, evaluate=False)

    def expr(self, node: ast.AST, depth: int):
        if depth > MAX_DEPTH:
            self.fail(f"expression nested too deeply (the limit is {MAX_DEPTH})", node)
        if isinstance(node, ast.BinOp):
            return self.binop(node, depth)
        if isinstance(node, ast.UnaryOp):
            operand = self.expr(node.operand, depth + 1)
            if isinstance(node.op, ast.USub):
                return -operand
            if isinstance(node.op, ast.UAdd):
                return operand
            self.fail("unsupported unary operator", node)
        if isinstance(node, ast.Constant):
            return self.number(node)
        if isinstance(node, ast.Name):
            return self.name(node)
        if isinstance(node, ast.Call):
            return self.call(node, depth)
        if isinstance(node, ast.Compare):
            self.fail("a relation (=, <=, >=) is only allowed at the top level", node)
        if isinstance(node, ast.Tuple):
            self.fail("a tuple (comma) is only allowed at the top level", node)
        self.fail(f"unsupported syntax ({type(node).__name__})", node)

    def number(self, node: ast.Constant):
        value = node.value
        if isinstance(value, bool) or not isinstance(value, (int, float)):
            self.fail(f"unsupported literal {value!r}", node)
        if isinstance(value, int):
            return sympy.Integer(value)
        if value != value or value in (float("inf"), float("-inf")):
            self.fail("number literal out of range", node)
        return sympy.Float(value)

    def name(self, node: ast.Name):
        ident = node.id
        if ident in CONSTANTS:
            return CONSTANTS[ident]
        if ident in FUNCTIONS:
            self.fail(f"{ident} is a function: write {ident}(...)", node)
        if ident not in self.symbols:
            self.symbols[ident] = sympy.Symbol(ident)
        return self.symbols[ident]

    def call(self, node: ast.Call, depth: int):
        if not isinstance(node.func, ast.Name) or node.func.id not in FUNCTIONS:
            self.fail("only calls of known functions are allowed ("
                      + ", ".join(sorted(FUNCTIONS)) + ")", node)
        name = node.func.id
        if node.keywords:
            self.fail(f"{name}() takes no keyword arguments", node.keywords[0].value)
        fn, counts = FUNCTIONS[name]
        if (counts is None and not node.args) or (counts is not None
                                                  and len(node.args) not in counts):
            want = "at least one" if counts is None else " or ".join(map(str, counts))
            self.fail(f"{name}() takes {want} argument(s), got {len(node.args)}", node)
        if counts is None:  # min/max: SymPy compares all (flattened) arguments pairwise
            self.minmax_args += len(node.args)
            if self.minmax_args > MAX_ARGS:
                self.fail(f"too many min/max arguments in one expression (the limit is "
                          f"{MAX_ARGS})", node)
        args = [self.expr(a, depth + 1) for a in node.args]
        if name == "log" and len(args) == 2:
            return sympy.log(args[0], args[1])
        return fn(*args)

    def binop(self, node: ast.BinOp, depth: int):
        op = node.op
        if isinstance(op, _ADD + _MUL):
            return self.chain(node, depth)
        left = self.expr(node.left, depth + 1)
        right = self.expr(node.right, depth + 1)
        if isinstance(op, ast.Pow):
            self.check_power(left, right, node)
            return left ** right
        self.fail(f"unsupported operator {type(op).__name__}", node)

    def chain(self, node: ast.BinOp, depth: int):
        """``a + b - c + ...`` or ``a * b / c ...`` built at once, without recursion on the
        left spine (long sums are not deep) and without SymPy's quadratic re-flattening."""
        group = _ADD if isinstance(node.op, _ADD) else _MUL
        spine = []
        cur: ast.AST = node
        while isinstance(cur, ast.BinOp) and isinstance(cur.op, group):
            spine.append(cur)
            cur = cur.left
        items = [self.expr(cur, depth + 1)]
        for n in reversed(spine):
            right = self.expr(n.right, depth + 1)
            if isinstance(n.op, ast.Sub):
                right = -right
            elif isinstance(n.op, ast.Div):
                if right.is_zero:
                    self.fail("division by zero", n.right)
                right = sympy.Pow(right, -1)
            items.append(right)
        nodes = [cur] + [n.right for n in reversed(spine)]
        if group is _ADD:
            self.check_sum(items, nodes)
            return sympy.Add(*items)
        self.check_product(items, nodes)
        return sympy.Mul(*items)

    def check_product(self, items: list, nodes: list) -> None:
        """Refuse a product whose exact coefficient would exceed MAX_NUMBER_BITS bits (the
        caret goes under the factor that crosses the limit)."""
        num = den = 0
        for item, node in zip(items, nodes):
            for q in _exact_numbers(item):
                p_bits, q_bits = _bits(q)
                num, den = num + p_bits, den + q_bits
            if max(num, den) > MAX_NUMBER_BITS:
                self.fail(f"the exact product would have more than {MAX_NUMBER_BITS} bits",
                          node)

    def check_sum(self, items: list, nodes: list) -> None:
        """Refuse a sum whose common denominator would exceed MAX_NUMBER_BITS bits (its
        numerators then stay within a few bits of that, so the sum is cheap)."""
        common = 1
        for item, node in zip(items, nodes):
            for term in (item.args if item.is_Add else (item,)):
                coeff = term.as_coeff_Mul()[0]
                if coeff.is_Rational and coeff.q != 1:
                    q = int(coeff.q)
                    common = common // _gcd(common, q) * q
                    if common.bit_length() > MAX_NUMBER_BITS:
                        self.fail("the exact sum would have a common denominator of more than "
                                  f"{MAX_NUMBER_BITS} bits", node)

    def check_power(self, base, exponent, node: ast.BinOp) -> None:
        """Refuse powers SymPy would take too long (or too much memory) to evaluate."""
        if base.is_zero and exponent.is_number and exponent.is_negative:
            self.fail("division by zero (0 to a negative power)", node.right)
        if exponent.is_Number and exponent.is_finite:
            size = abs(exponent)
            if size > MAX_EXPONENT:
                shown = str(exponent) if len(str(exponent)) <= 30 else str(exponent)[:27] + "..."
                self.fail(f"exponent {shown} is too large (the limit is {MAX_EXPONENT})",
                          node.right)
            # a Rational base, and also a product's coefficients ((2^999 x)^999 =
            # 2^998001 x^999) and radicals ((sqrt(2) pi)^999), are powered exactly
            numbers = _exact_numbers(base)
            if numbers:
                bits = max(sum(_bits(q)[i] for q in numbers) for i in (0, 1))
                total = int(bits * size)
                limit = min(MAX_POWER_BITS, MAX_NUMBER_BITS)
                if total > limit:
                    self.fail(f"the exact power would have about {total} bits "
                              f"(the limit is {limit})", node.right)


def parse(text: str):
    """Parse an expression, a relation or a comma-separated vector of expressions.

    Parameters
    ----------
    text : str
        What a person would type: ``x^2`` (power), ``2x`` and ``(x+1)(x-1)`` (implicit
        products), functions with parentheses (``sin(x)``; ``ln`` = ``log``; ``log(x, b)``
        has base ``b``), the constants ``pi``, ``e`` and ``oo``/``inf``. Any other
        identifier (``x``, ``y1``, ``theta``) is a variable; an unknown name before a
        parenthesis is a product (``k(x+1)`` = ``k*(x+1)``); letters written together
        are one name (``xy`` is the variable ``xy``: write ``x y`` or ``x*y``).
        ``f1, f2`` gives a column Matrix; ``a <= b``, ``a >= b``, ``a = b`` (or ``==``),
        ``<`` and ``>`` give a SymPy relation (for constraints).

    Returns
    -------
    sympy.Expr or sympy.Matrix or sympy.core.relational.Relational

    Raises
    ------
    ParseError
        For anything else, with the text and a caret at the offending position: unknown
        characters, attribute access, strings, subscripts, names starting with ``_``,
        and inputs over the limits (length, depth, literal size, exponent size).

    Examples
    --------
    >>> parse("(x+1)(x-1)")
    (x - 1)*(x + 1)
    >>> parse("sigmoid(x) + e^x")
    exp(x) + sigmoid(x)
    >>> parse("2x y, x^2 y")
    Matrix([
    [ 2*x*y],
    [x**2*y]])
    >>> parse("a + 2b + c - 1 >= 0")
    a + 2*b + c - 1 >= 0
    """
    if not isinstance(text, str):
        raise ParseError(f"expected expression text (str), got {type(text).__name__}")
    if len(text) > MAX_LENGTH:
        raise ParseError(f"text too long ({len(text)} characters, the limit is {MAX_LENGTH})",
                         text, MAX_LENGTH)
    tokens = _tokenize(text)
    if not tokens:
        raise ParseError("empty expression", text, 0)
    _check_parentheses(text, tokens)
    source, where = _rewrite(text, tokens)
    try:
        tree = ast.parse(source, mode="eval")
    except SyntaxError as exc:
        if not exc.offset or exc.offset > len(source):
            raise ParseError("unexpected end of expression", text, len(text)) from None
        pos = where[exc.offset - 1]
        reason = (exc.msg or "invalid syntax").split(" (")[0]
        message = reason if reason.startswith("invalid syntax") else f"invalid syntax: {reason}"
        raise ParseError(message, text, pos) from None
    except (RecursionError, MemoryError, ValueError):
        raise ParseError("expression too complex", text, 0) from None
    try:
        return _Builder(text, where).top(tree)
    except RecursionError:
        raise ParseError("expression too complex", text, 0) from None


def _check_parentheses(text: str, tokens: list[_Token]) -> None:
    stack: list[int] = []
    for tok in tokens:
        if tok.text == "(":
            stack.append(tok.pos)
        elif tok.text == ")":
            if not stack:
                raise ParseError("unmatched ')'", text, tok.pos)
            stack.pop()
    if stack:
        raise ParseError("'(' is never closed", text, stack[-1])
    for a, b in zip(tokens, tokens[1:]):
        if a.kind == "name" and a.text in FUNCTIONS and b.text != "(":
            raise ParseError(f"{a.text} is a function: write {a.text}(...)", text, a.pos)
    last = tokens[-1]
    if last.kind == "name" and last.text in FUNCTIONS:
        raise ParseError(f"{last.text} is a function: write {last.text}(...)", text, last.pos)
