"""Escape attempts and fuzzing: parse returns a SymPy object or raises ParseError."""
import ast
import time

import pytest
import sympy
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from calcml.errors import ParseError
from calcml.sym import parse

ESCAPES = [
    "__import__('os').system('echo hacked')",
    "__import__(\"os\")",
    "().__class__.__bases__[0].__subclasses__()",
    "x.__class__",
    "x.real",
    "sin.__globals__",
    "(lambda: 1)()",
    "lambda x: x",
    "[x for x in (1, 2)]",
    "(x for x in y)",
    "{x: 1}",
    "{1, 2}",
    "x[0]",
    "x[1:2]",
    "f'{x}'",
    "'abc'",
    "b'abc'",
    "open('/etc/passwd')",
    "eval('1')",
    "exec('x = 1')",
    "getattr(x, 'y')",
    "globals()",
    "x if y else z",
    "x and y",
    "not x",
    "x := 1",
    "x; y",
    "import os",
    "x @ y",
    "x % y",
    "x // y",
    "x << y",
    "~x",
    "x is y",
    "x in y",
    "True + 1",
    "None",
    "...",
    "*x",
    "f(**x)",
    "sin(x=1)",
    "__builtins__",
    "_x",
    "x.__dict__",
    "\\x41",
    "x\n\nimport os",
    "# comment",
    "x # comment",
    "yield x",
    "await x",
]


@pytest.mark.parametrize("text", ESCAPES)
def test_escape_attempts_raise_parse_error(text):
    with pytest.raises(ParseError) as info:
        parse(text)
    assert info.value.position is not None
    assert 0 <= info.value.position <= len(text)


def test_complex_literal_is_a_product():
    assert parse("1j") == sympy.Symbol("j")


def test_unknown_call_is_a_product_not_a_call():
    # an unknown name before '(' is implicit multiplication, never a function call
    assert parse("system(x)") == sympy.Symbol("system") * sympy.Symbol("x")


def _check(text: str) -> None:
    t0 = time.perf_counter()
    try:
        out = parse(text)
    except ParseError as err:
        assert err.position is None or 0 <= err.position <= len(text)
    else:
        assert isinstance(out, (sympy.Basic, sympy.MatrixBase)), type(out)
    assert time.perf_counter() - t0 < 2.0, text


ALPHABET = "xyze2019.+-*/^()=<>, abcsinexplogqrt_[]'\"!@#$%&{}:;\\\n"


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=ALPHABET, max_size=60))
def test_fuzz_random_text(text):
    _check(text)


@settings(max_examples=25, deadline=None)
@given(st.text(max_size=40))
def test_fuzz_random_unicode(text):
    _check(text)


NAMES = st.sampled_from(["x", "y", "sin", "exp", "log", "max", "e", "pi", "__import__",
                         "eval", "os", "_y", "sigmoid"])
LEAVES = st.one_of(
    st.builds(ast.Name, NAMES),
    st.builds(ast.Constant, st.one_of(st.integers(-10 ** 6, 10 ** 6),
                                      st.floats(allow_nan=True, allow_infinity=True),
                                      st.text(max_size=3), st.booleans(), st.none())),
)
BINOPS = st.sampled_from([ast.Add, ast.Sub, ast.Mult, ast.Div, ast.Pow, ast.Mod,
                          ast.FloorDiv, ast.MatMult, ast.BitXor])
CMPOPS = st.sampled_from([ast.Eq, ast.LtE, ast.GtE, ast.Lt, ast.NotEq, ast.Is, ast.In])


def _node(children):
    return st.one_of(
        st.builds(lambda l, op, r: ast.BinOp(l, op(), r), children, BINOPS, children),
        st.builds(lambda op, v: ast.UnaryOp(op(), v),
                  st.sampled_from([ast.USub, ast.UAdd, ast.Not, ast.Invert]), children),
        st.builds(lambda f, args: ast.Call(ast.Name(f), args, []), NAMES,
                  st.lists(children, max_size=3)),
        st.builds(lambda v, attr: ast.Attribute(v, attr), children,
                  st.sampled_from(["real", "__class__"])),
        st.builds(lambda v, i: ast.Subscript(v, i), children, children),
        st.builds(lambda l, op, r: ast.Compare(l, [op()], [r]), children, CMPOPS, children),
        st.builds(lambda elts: ast.Tuple(elts), st.lists(children, min_size=1, max_size=3)),
        st.builds(lambda b: ast.Lambda(ast.arguments([], [ast.arg("x")], None, [], [], None,
                                                     []), b), children),
    )


TREES = st.recursive(LEAVES, _node, max_leaves=12)


@settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(TREES)
def test_fuzz_random_ast(tree):
    try:
        text = ast.unparse(ast.fix_missing_locations(ast.Expression(tree)))
    except Exception:  # noqa: BLE001 - hypothesis built something unparse cannot print
        return
    _check(text)
    _check(text.replace("**", "^"))
