"""Seed 000 §5, the Jacobian of A -> B -> C: what the seed computes, and calcml catching it.

The seed writes ``reactions = [k1*A, -k1*A + k2*B, -k2*B]`` (every rate with the wrong
sign: dA/dt is -k1 A) and fills ``jacobian_matrix[i, j] = diff(reactions[j], variables[i])``
(the transpose). Its ``solve`` of the right-hand sides = 0 only finds the trivial steady
state, which says nothing about the sensitivity to k1 and k2.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from calcml.errors import GradientCheckError
from calcml.sensitivity import ReactionNetwork

A, B, C, k1, k2 = sp.symbols("A B C k1 k2")


def seed_matrix():
    """The seed's code, verbatim apart from the garbled lines."""
    variables = [A, B, C]
    reactions = [k1 * A, -k1 * A + k2 * B, -k2 * B]
    jacobian_matrix = sp.zeros(len(variables), len(reactions))
    for i, variable in enumerate(variables):
        for j, reaction in enumerate(reactions):
            jacobian_matrix[i, j] = sp.diff(reaction, variable)
    return reactions, jacobian_matrix


def test_seed_matrix_is_the_negative_transpose():
    net = ReactionNetwork.from_string("A -> B : k1\nB -> C : k2")
    reactions, M = seed_matrix()
    J = net.jacobian()
    assert J == sp.Matrix([[-k1, 0, 0], [k1, -k2, 0], [0, k2, 0]])
    assert sp.Matrix(reactions) == -net.odes()            # every rate has the wrong sign
    assert M == -J.T                                       # ... and the matrix is transposed
    assert M != J and M != J.T and M != -J


def test_calcml_check_catches_the_seed_matrix():
    net = ReactionNetwork.from_string("A -> B : k1\nB -> C : k2")
    y, k = {"A": 0.8, "B": 0.3, "C": 0.1}, {"k1": 1.7, "k2": 0.6}
    assert net.check_jacobian(net.jacobian(), y, k).passed
    with pytest.raises(GradientCheckError,
                       match="is the negative transpose of the Jacobian") as info:
        net.check_jacobian(seed_matrix()[1], y, k)
    assert "expected claimed[i, j] = d(dy_i/dt)/dy_j" in str(info.value)
    # the transpose alone (right signs) is caught as well
    with pytest.raises(GradientCheckError, match="is the transpose of the Jacobian"):
        net.check_jacobian(lambda yv, kv: net.jacobian(yv, kv).T, y, k)


def test_seed_solve_is_not_a_sensitivity():
    """solve(rhs = 0) gives A = B = 0 for any k: zero sensitivity, while the real
    sensitivities of the concentrations to k1, k2 at finite time are not zero."""
    eqs = [sp.Eq(-k1 * A, 0), sp.Eq(k1 * A - k2 * B, 0), sp.Eq(k2 * B, 0)]
    steady = sp.solve(eqs, (A, B, C), dict=True)
    assert steady == [{A: 0, B: 0}]
    assert all(sp.diff(v, k) == 0 for v in steady[0].values() for k in (k1, k2))
    net = ReactionNetwork.from_string("A -> B : k1\nB -> C : k2")
    S = net.sensitivities([1.0, 0.0, 0.0], [1.0, 0.5], [0.0, 1.0])
    assert np.abs(S[-1]).min(initial=np.inf, where=np.array([[1, 0], [1, 1], [1, 1]], bool)) > 0.05
