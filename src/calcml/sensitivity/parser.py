"""A small, safe parser for reaction networks written one reaction a line.

Grammar (``#`` starts a comment; blank lines are ignored)::

    line     := side ARROW side ":" rates
    ARROW    := "->" | "=>" | "→"              (irreversible, one rate name)
              | "<->" | "<=>" | "⇌"            (reversible, forward and reverse rate names)
    side     := (nothing) | "0" | "∅" | term ("+" term)*
    term     := [INTEGER ["*"]] NAME           (2A, 2 A and 2*A are the same)
    rates    := rate ("," rate)*
    rate     := NAME ["=" NUMBER]              (an optional default value)
    NAME     := [A-Za-z_][A-Za-z0-9_]*

The text is tokenized with one regular expression and read by hand: nothing is ever
passed to ``eval`` or SymPy's string parser.

>>> from calcml.sensitivity.parser import parse_reactions
>>> [r.describe() for r in parse_reactions("2A + B -> C : k3  # a comment")[0]]
['2A + B -> C : k3']
"""
from __future__ import annotations

import math
import re
from dataclasses import dataclass, field

from calcml.errors import ParseError

__all__ = ["Reaction", "parse_reactions"]

_TOKEN = re.compile(r"""
    (?P<space>[ \t\r]+)
  | (?P<rev><->|<=>|⇌)
  | (?P<arrow>->|=>|→)
  | (?P<number>[0-9]+(?:\.[0-9]*)?(?:[eE][+-]?[0-9]+)?)
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
  | (?P<empty>∅)
  | (?P<colon>:)
  | (?P<op>[+*,=-])
""", re.VERBOSE)

#: Before the ':' a number is a stoichiometric coefficient, with no exponent: ``3E2`` is
#: three of species ``E2`` (a decimal point is kept so that ``0.5A`` is reported as such).
_COEFF = re.compile(r"[0-9]+(?:\.[0-9]*)?")

#: A species or rate constant name.
NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def parse_error(message: str, text: str, position: int) -> ParseError:
    """A :class:`ParseError` whose message starts ``line L, column C:`` (both 1-based).

    The error also carries ``line`` and ``column`` as attributes.
    """
    line = text.count("\n", 0, position) + 1
    column = position - (text.rfind("\n", 0, position) + 1) + 1
    err = ParseError(f"line {line}, column {column}: {message}", text, position,
                     say_position=False)
    err.line, err.column = line, column
    return err


@dataclass
class Reaction:
    """One irreversible mass-action reaction (a reversible line gives two).

    Attributes
    ----------
    reactants, products : dict of str to int
        Species and their stoichiometric coefficients, in order of appearance.
    rate : str
        Name of the rate constant: the rate is ``rate * prod(y[s] ** n for s, n in reactants)``.
    line : int
        1-based line number in the source text.
    """

    reactants: dict = field(default_factory=dict)
    products: dict = field(default_factory=dict)
    rate: str = ""
    line: int = 0

    def describe(self) -> str:
        """The reaction as text, e.g. ``'2A + B -> C : k3'``."""
        def side(terms):
            return " + ".join(f"{n if n != 1 else ''}{s}" for s, n in terms.items())
        left, right = side(self.reactants), side(self.products)
        return f"{left} -> {right} : {self.rate}".replace("  ", " ").strip()


def _tokens(text: str, line: str, offset: int):
    """Yield (kind, value, absolute position) for one line (comment already removed)."""
    pos, rates = 0, False
    while pos < len(line):
        m = _TOKEN.match(line, pos)
        if m is None:
            raise parse_error(f"unexpected character {line[pos]!r}; a reaction reads like "
                              "'2A + B -> C : k1'", text, offset + pos)
        if m.lastgroup == "number" and not rates:
            m = _COEFF.match(line, pos)
            kind = "number"
        else:
            kind = m.lastgroup
        rates = rates or kind == "colon"
        if kind != "space":
            yield kind, m.group(), offset + pos
        pos = m.end()
    yield "end", "", offset + len(line)


class _LineReader:
    """Recursive-descent reader of one line's tokens."""

    def __init__(self, text: str, tokens: list, lineno: int):
        self.text, self.toks, self.i, self.lineno = text, tokens, 0, lineno

    def peek(self):
        return self.toks[self.i]

    def take(self):
        tok = self.toks[self.i]
        self.i += 1
        return tok

    def fail(self, what: str, tok=None):
        kind, value, pos = tok or self.peek()
        found = "the end of the line" if kind == "end" else repr(value)
        raise parse_error(f"{what}, found {found}", self.text, pos)

    def side(self, stop: tuple) -> dict:
        terms: dict = {}
        kind, value, pos = self.peek()
        if kind in stop:
            return terms
        nxt = self.toks[self.i + 1] if kind != "end" else None
        if kind == "empty" or (kind == "number" and value == "0"
                               and (nxt[0] in ("arrow", "rev", "end") or nxt[1] == ":")):
            self.take()
            return terms
        while True:
            coeff = 1
            kind, value, pos = self.peek()
            if kind == "number":
                if not value.isdigit() or int(value) < 1:
                    self.fail("a stoichiometric coefficient must be a positive integer")
                coeff = int(self.take()[1])
                if self.peek()[1] == "*":
                    self.take()
            kind, value, pos = self.peek()
            if kind != "name":
                self.fail("expected a species name (letters, digits, '_'; not starting "
                          "with a digit)")
            self.take()
            terms[value] = terms.get(value, 0) + coeff
            if self.peek()[1] != "+":
                return terms
            self.take()

    def rates(self) -> list:
        out = []
        while True:
            kind, value, pos = self.peek()
            if kind != "name":
                self.fail("expected a rate constant name after ':' (e.g. 'A -> B : k1')")
            self.take()
            default = None
            if self.peek()[1] == "=":
                self.take()
                kind, num, npos = self.peek()
                if kind != "number":
                    self.fail(f"expected a non-negative number for the value of {value}")
                self.take()
                default = float(num)
                if not math.isfinite(default):
                    self.fail(f"the value of {value} must be finite", (kind, num, npos))
            out.append((value, default, pos))
            if self.peek()[1] != ",":
                return out
            self.take()


def parse_reactions(text: str) -> tuple:
    """Parse reaction text into irreversible :class:`Reaction` objects.

    Parameters
    ----------
    text : str
        One reaction a line (grammar in the module docstring).

    Returns
    -------
    reactions : list of Reaction
        A reversible line ``A <-> B : kf, kr`` gives ``A -> B : kf`` and ``B -> A : kr``.
    defaults : dict of str to float
        Rate values given in the text (``A -> B : k1 = 0.5``).

    Raises
    ------
    ParseError
        On bad text; the message names the line, and shows the column with a caret.
    """
    if not isinstance(text, str):
        raise ParseError(f"reaction network text must be a str, got {type(text).__name__}")
    reactions: list = []
    defaults: dict = {}
    species_seen: dict = {}     # name -> position of first use
    rate_seen: dict = {}
    offset = 0
    for lineno, raw in enumerate(text.split("\n"), start=1):
        line = raw.split("#", 1)[0]
        start, offset = offset, offset + len(raw) + 1
        if not line.strip():
            continue
        toks = list(_tokens(text, line, start))
        rd = _LineReader(text, toks, lineno)
        left = rd.side(("arrow", "rev"))
        kind, value, pos = rd.peek()
        if kind not in ("arrow", "rev"):
            rd.fail("expected '->' (or '<->' for a reversible reaction) after the reactants")
        rd.take()
        reversible = kind == "rev"
        right = rd.side(("colon", "end"))
        if rd.peek()[1] != ":":
            rd.fail("expected ': rate' after the reaction, e.g. 'A -> B : k1'")
        rd.take()
        rates = rd.rates()
        if rd.peek()[0] != "end":
            rd.fail("unexpected text after the rate names")
        if not left and not right:
            raise parse_error("a reaction needs a species on at least one side", text, pos)
        want = 2 if reversible else 1
        if len(rates) != want:
            arrow = "'<->' needs two rate names (forward, reverse)" if reversible else \
                "'->' takes one rate name (write 'A <-> B : kf, kr' for a reversible reaction)"
            raise parse_error(f"{arrow}, got {len(rates)}", text, rates[-1][2])
        for name in list(left) + list(right):
            species_seen.setdefault(name, lineno)
        for name, default, rpos in rates:
            if name in rate_seen:
                raise parse_error(f"rate constant {name!r} is already used on line "
                                  f"{rate_seen[name]}; give every reaction its own rate name",
                                  text, rpos)
            rate_seen[name] = lineno
            if default is not None:
                defaults[name] = default
        reactions.append(Reaction(dict(left), dict(right), rates[0][0], lineno))
        if reversible:
            reactions.append(Reaction(dict(right), dict(left), rates[1][0], lineno))
    if not reactions:
        raise ParseError("no reactions found; write one per line, e.g. 'A -> B : k1'", text, 0)
    clash = [n for n in rate_seen if n in species_seen]
    if clash:
        name = clash[0]
        raise parse_error(f"{name!r} is used both as a species (line {species_seen[name]}) and "
                          f"as a rate constant (line {rate_seen[name]}); rename one of them",
                          text, _find_name(text, name))
    return reactions, defaults


def _find_name(text: str, name: str) -> int:
    """Position of the first whole-word occurrence of ``name`` after a ':'."""
    for m in re.finditer(rf"(?<![A-Za-z0-9_]){re.escape(name)}(?![A-Za-z0-9_])", text):
        line_start = text.rfind("\n", 0, m.start()) + 1
        if ":" in text[line_start:m.start()]:
            return m.start()
    return 0
