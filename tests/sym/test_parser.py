"""The safe parser: syntax people type, positions of errors, limits."""
import time

import pytest
import sympy

from calcml.errors import ParseError
from calcml.sym import parse, relu, sigmoid, softplus
from calcml.sym.parser import MAX_DEPTH, MAX_LENGTH

x, y, z, a, b, c = sympy.symbols("x y z a b c")
theta, y1, k1 = sympy.symbols("theta y1 k1")


@pytest.mark.parametrize("text, expected", [
    ("x^2", x ** 2),
    ("x**2", x ** 2),
    ("2x", 2 * x),
    ("2(x+1)", 2 * x + 2),
    ("(x+1)(x-1)", (x + 1) * (x - 1)),
    ("x y", x * y),
    ("2x y z", 2 * x * y * z),
    ("sin(x)cos(x)", sympy.sin(x) * sympy.cos(x)),
    ("2sin(x)", 2 * sympy.sin(x)),
    ("x(x+1)", x * (x + 1)),
    ("(x+1)2", 2 * (x + 1)),
    ("3.5x", sympy.Float(3.5) * x),
    ("1/2 x", x / 2),
    ("-x^2", -x ** 2),
    ("2^-1", sympy.Rational(1, 2)),
    ("x^2^3", x ** 8),
    ("e^x", sympy.exp(x)),
    ("2e", 2 * sympy.E),
    ("1e3", sympy.Float(1000)),
    ("pi/2", sympy.pi / 2),
    ("ln(x) + log(x)", 2 * sympy.log(x)),
    ("log(8, 2)", sympy.log(8) / sympy.log(2)),
    ("sqrt(x) + abs(y) + sign(z)", sympy.sqrt(x) + sympy.Abs(y) + sympy.sign(z)),
    ("exp(x) + tan(x) + asin(x) + acos(x) + atan(x)",
     sympy.exp(x) + sympy.tan(x) + sympy.asin(x) + sympy.acos(x) + sympy.atan(x)),
    ("sinh(x) + cosh(x) + tanh(x)", sympy.sinh(x) + sympy.cosh(x) + sympy.tanh(x)),
    ("erf(x)", sympy.erf(x)),
    ("min(x, y) + max(x, y, 3)", sympy.Min(x, y) + sympy.Max(x, y, 3)),
    ("sigmoid(x) + relu(x) + softplus(x)", sigmoid(x) + relu(x) + softplus(x)),
    ("theta + y1 + k1", theta + y1 + k1),
    ("  x\t+\n1 ", x + 1),
])
def test_expressions(text, expected):
    out = parse(text)
    assert sympy.simplify(out - expected) == 0, (text, out)


def test_infinity():
    assert parse("oo") == sympy.oo and parse("-inf") == -sympy.oo


def test_integers_stay_exact():
    assert parse("1/3") == sympy.Rational(1, 3)
    assert parse("2^100") == sympy.Integer(2) ** 100


def test_vector_is_a_column_matrix():
    m = parse("2x y, x^2 y")
    assert m == sympy.Matrix([2 * x * y, x ** 2 * y])
    assert m.shape == (2, 1)


@pytest.mark.parametrize("text, cls, lhs, rhs", [
    ("a + 2b + c - 1 >= 0", sympy.GreaterThan, a + 2 * b + c - 1, 0),
    ("x <= 3", sympy.LessThan, x, 3),
    ("x + y = 1", sympy.Equality, x + y, 1),
    ("x + y == 1", sympy.Equality, x + y, 1),
    ("x = x", sympy.Equality, x, x),      # not evaluated to True
    ("x > 0", sympy.StrictGreaterThan, x, 0),
])
def test_relations(text, cls, lhs, rhs):
    rel = parse(text)
    assert isinstance(rel, cls)
    assert rel.lhs == lhs and rel.rhs == rhs


@pytest.mark.parametrize("text, position, words", [
    ("x + $", 4, "unexpected character"),
    ("x +", 3, "end of expression"),
    ("2 3", 2, "invalid syntax"),
    ("sin x", 0, "sin is a function"),
    ("x + sin", 4, "sin is a function"),
    ("x^99999999", 2, "exponent 99999999 is too large"),
    ("1 + 9^9^9^9", 8, "too large"),
    ("(2^1000)^1000", 9, "bits"),
    ("x / (y - y)", 5, "division by zero"),
    ("0^-1", 2, "division by zero"),
    ("(x + 1", 0, "never closed"),
    ("x + 1)", 5, "unmatched"),
    ("x < y < z", 8, "one relation"),
    ("sin(x, y)", 0, "takes 1"),
    ("max()", 0, "at least one"),
    ("1e999", 0, "out of range"),
    ("(x = 1) + 2", 1, "only allowed at the top level"),
    ("(x, y), z", 0, "only allowed at the top level"),
    ("1" * 101, 0, "too long"),
    ("x !=  y", 2, "unexpected character '!'"),
    ("", 0, "empty"),
    ("x_ + _y", 5, "may not start with '_'"),
])
def test_errors_point_at_the_offending_character(text, position, words):
    with pytest.raises(ParseError) as info:
        parse(text)
    err = info.value
    assert err.position == position, (text, str(err))
    assert words in str(err)
    # the caret line sits under the character at `position` (text shown indented by 2)
    assert str(err).splitlines()[-1].index("^") == 2 + position


def test_caret_under_the_right_character_after_implicit_products():
    # "2x" inserts a '*' internally; the reported position is still the user's one
    with pytest.raises(ParseError) as info:
        parse("2x + 3y(z + 1) + x^100000")
    assert info.value.position == len("2x + 3y(z + 1) + x^")


def test_not_a_string():
    with pytest.raises(ParseError, match="expected expression text"):
        parse(3)


def test_length_limit_fast():
    t0 = time.perf_counter()
    with pytest.raises(ParseError, match="too long") as info:
        parse("x+" * 500_000 + "x")   # a 1 MB string
    assert info.value.position == MAX_LENGTH
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text", [
    "(" * 10_000 + "x" + ")" * 10_000,
    "(" * (MAX_DEPTH + 1) + "x" + ")" * (MAX_DEPTH + 1),
    "-" * 9_000 + "x",
    "x^" * 3_000 + "x",
    "sin(" * 1_500 + "x" + ")" * 1_500,
    "+".join(["x"] * 4_000),
])
def test_deep_or_long_inputs_are_rejected_or_parsed_fast(text):
    t0 = time.perf_counter()
    try:
        out = parse(text[:MAX_LENGTH])
        assert isinstance(out, sympy.Basic)
    except ParseError:
        pass
    assert time.perf_counter() - t0 < 2.0


def test_nesting_within_the_limit_is_fine():
    depth = MAX_DEPTH - 1
    assert parse("(" * depth + "x" + ")" * depth) == x


def test_big_literals_and_powers_rejected_before_sympy_evaluates():
    t0 = time.perf_counter()
    for text in ["9^9^9^9", "x^99999999", "10^10^10", "2^(2^(2^(2^(2^2))))",
                 "(99999999999^999)^999", "1.5^100000", "x^-1000000"]:
        with pytest.raises(ParseError):
            parse(text)
    assert time.perf_counter() - t0 < 1.0


def test_allowed_powers():
    assert parse("x^1000") == x ** 1000
    assert parse("2^999") == sympy.Integer(2) ** 999
    assert parse("x^(1/3)") == x ** sympy.Rational(1, 3)
    assert parse("2^x") == 2 ** x


def test_long_flat_sums_and_products_are_not_deep():
    terms = [f"x{i}" for i in range(1500)]
    s = parse("+".join(terms))
    assert len(s.args) == 1500
    p = parse("*".join(terms[:800]) + "/y - 2")
    assert p == sympy.Mul(*sympy.symbols(terms[:800])) / y - 2
    assert parse("x - y - z") == x - y - z          # left associative
    assert parse("x / y / z") == x / (y * z)


def test_min_max_argument_budget():
    from calcml.sym.parser import MAX_ARGS

    ok = "max(" + ",".join(f"x{i}" for i in range(MAX_ARGS)) + ")"
    assert len(parse(ok).args) == MAX_ARGS
    t0 = time.perf_counter()
    with pytest.raises(ParseError, match="min/max arguments"):
        parse("max(" + ",".join(f"max(x{i}, y{i}, z{i})" for i in range(200)) + ")")
    with pytest.raises(ParseError, match="min/max arguments"):
        parse("max(" + ",".join(f"x{i}" for i in range(1500)) + ")")
    assert time.perf_counter() - t0 < 1.0


@pytest.mark.parametrize("text, position", [("1\u0661", 1), ("x\u2003+ 1", 1), ("x²", 1),
                                            ("θ + 1", 0), ("x + \uff11", 4)])
def test_non_ascii_is_rejected_at_its_position(text, position):
    with pytest.raises(ParseError, match="unexpected character") as info:
        parse(text)
    assert info.value.position == position


@pytest.mark.parametrize("text", [
    "((2^999 pi)^999)^999",            # a product's coefficient powered: used to hang
    "(((2e)^1000)^1000)^1000",
    "((2^999 x)^999)^999",
    "(sqrt(2)^999)^999",
    "(2^900)^100",                     # 27,000 digits: str() of it raised ValueError
    "x^((2^999)^99)",
    "*".join(["(2^999)^10"] * 900),    # a long product of big numbers
    "+".join(f"1/(2^999+{k})" for k in range(1, 700)),   # common denominator: used to hang
    "*".join(["9" * 100] * 99),
])
def test_exact_numbers_are_bounded_before_sympy_computes_them(text):
    from calcml.sym.parser import MAX_NUMBER_BITS

    text = text[:MAX_LENGTH].rstrip("+*")
    t0 = time.perf_counter()
    with pytest.raises(ParseError, match="bits") as info:
        parse(text)
    assert time.perf_counter() - t0 < 2.0
    err = info.value
    assert 0 <= err.position < len(text)
    assert str(err).splitlines()[-1].endswith("^")
    assert str(MAX_NUMBER_BITS) in str(err)


def test_every_exact_number_in_a_result_prints():
    # within the limits every number converts to text (Python refuses > 4300 digits)
    for text in ["2^999 (x + 2^999 (y + 2^999))", "(2^999)^5 (x + (2^999)^5)",
                 "+".join(f"x/{k}" for k in range(1, 1500)), "999^1000", "sqrt(2)^999"]:
        out = parse(text[:MAX_LENGTH].rstrip("+"))
        assert str(out)
        assert all(len(str(q.p)) < 4300 for q in out.atoms(sympy.Rational))
