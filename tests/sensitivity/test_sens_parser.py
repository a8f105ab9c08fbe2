"""The reaction-network parser: grammar, and clear errors for bad text."""
from __future__ import annotations

import numpy as np
import pytest

from calcml.errors import CalcmlError, ParseError
from calcml.sensitivity import ReactionNetwork


def test_all_line_forms():
    net = ReactionNetwork.from_string("""
        # a comment line
        A -> B : k1            # trailing comment
        2A + B -> C : k3
        A <-> B : kf, kr
        -> A : k0
        C -> : kd
    """)
    assert net.species == ("A", "B", "C")
    assert net.parameters == ("k1", "k3", "kf", "kr", "k0", "kd")
    expected = np.array([
        # k1  k3  kf  kr  k0  kd
        [-1, -2, -1, 1, 1, 0],   # A
        [1, -1, 1, -1, 0, 0],    # B
        [0, 1, 0, 0, 0, -1],     # C
    ])
    np.testing.assert_array_equal(net.stoichiometry, expected)
    assert [r.line for r in net.reactions] == [3, 4, 5, 5, 6, 7]


@pytest.mark.parametrize("text", ["2A -> B : k", "2 A -> B : k", "2*A -> B : k",
                                  "A + A -> B : k"])
def test_coefficient_spellings(text):
    net = ReactionNetwork.from_string(text)
    assert net.reactions[0].reactants == {"A": 2}
    np.testing.assert_array_equal(net.stoichiometry, [[-2], [1]])


@pytest.mark.parametrize("text", ["0 -> A : k", "∅ -> A : k", " -> A : k"])
def test_empty_side_spellings(text):
    net = ReactionNetwork.from_string(text)
    assert net.reactions[0].reactants == {} and net.species == ("A",)


def test_alternative_arrows_and_defaults():
    net = ReactionNetwork.from_string(
        "A => B : k1 = 0.5\nB <=> C : kf = 2, kr = 1e-1\nC → D : k4")
    assert net.parameters == ("k1", "kf", "kr", "k4")
    assert net.defaults == {"k1": 0.5, "kf": 2.0, "kr": 0.1}
    assert net.reactions[2].reactants == {"C": 1} and net.reactions[2].products == {"B": 1}


def test_to_string_round_trips():
    net = ReactionNetwork.from_string("2A + B -> C : k3\nA <-> B : kf, kr\n-> A : k0\nC -> : kd")
    again = ReactionNetwork.from_string(net.to_string())
    np.testing.assert_array_equal(again.stoichiometry, net.stoichiometry)
    assert again.odes() == net.odes()


@pytest.mark.parametrize("text, line, col, words", [
    ("A -> B k1", 1, 7, "expected ': rate'"),
    ("A -> B : k1\nB -> C", 2, 6, "expected ': rate'"),
    ("A -> B :", 1, 8, "rate constant name"),
    ("A B -> C : k", 1, 2, "expected '->'"),
    ("A -> B : k1, k2", 1, 13, "one rate name"),
    ("A <-> B : kf", 1, 10, "two rate names"),
    ("A + -> B : k", 1, 4, "species name"),
    ("0.5A -> B : k", 1, 0, "positive integer"),
    ("A -> B : k1\n\nA -> $ : k2", 3, 5, "unexpected character"),
    ("A -> B : k1 = x", 1, 14, "number"),
    (" -> : k", 1, 1, "at least one side"),
    ("A -> B : k1 extra", 1, 12, "after the rate"),
    ("A -> 0 + B : k", 1, 5, "positive integer"),
    ("A -> B : k1 = -1", 1, 14, "non-negative number"),
    ("A -> B : k1,", 1, 12, "rate constant name"),
])
def test_bad_text_names_line_and_column(text, line, col, words):
    with pytest.raises(ParseError) as info:
        ReactionNetwork.from_string(text)
    err = info.value
    # the message names the line and the 1-based column; position is 0-based in the text
    assert f"line {line}, column {col + 1}:" in str(err) and words in str(err)
    assert (err.line, err.column) == (line, col + 1)
    line_start = text.split("\n")
    offset = sum(len(s) + 1 for s in line_start[:line - 1])
    assert err.position == offset + col
    assert "^" in str(err)                       # the caret under the column


def test_duplicate_rate_name():
    with pytest.raises(ParseError, match="'k1' is already used on line 1"):
        ReactionNetwork.from_string("A -> B : k1\nB -> C : k1")
    with pytest.raises(ParseError, match="already used"):
        ReactionNetwork.from_string("A <-> B : k, k")


def test_species_and_rate_with_one_name():
    with pytest.raises(ParseError, match="both as a species") as info:
        ReactionNetwork.from_string("A -> B : k\nB -> k : k2")
    assert info.value.position == len("A -> B : ")


@pytest.mark.parametrize("text", ["", "   \n# only a comment\n"])
def test_no_reactions(text):
    with pytest.raises(ParseError, match="no reactions"):
        ReactionNetwork.from_string(text)


def test_text_must_be_a_string():
    with pytest.raises(ParseError, match="must be a str"):
        ReactionNetwork.from_string(b"A -> B : k")


def test_constructor_checks_its_input():
    with pytest.raises(CalcmlError, match="from_string"):
        ReactionNetwork([])


def test_no_code_is_run():
    """Text that would do something if evaluated is only a parse error."""
    for text in ["__import__('os').system('echo hi') -> A : k",
                 "A -> B : k1; import os", "A -> B : (lambda: 1)()"]:
        with pytest.raises(ParseError):
            ReactionNetwork.from_string(text)
