"""Solver options of simulate/sensitivities: checked, never silently ignored."""
import numpy as np
import pytest

from calcml.errors import CalcmlError, ConvergenceError, DimensionError, ParseError
from calcml.sensitivity import ReactionNetwork
from calcml.sensitivity.parser import Reaction

CHAIN = ReactionNetwork.from_string("A -> B : k1\nB -> C : k2")
Y0, K, T = {"A": 1.0, "B": 0.0, "C": 0.0}, {"k1": 1.0, "k2": 0.5}, np.linspace(0, 4, 9)


def analytic_b(t, k1=1.0, k2=0.5):
    return k1 / (k2 - k1) * (np.exp(-k1 * t) - np.exp(-k2 * t))


def test_atol_per_species_is_used_for_states_and_sensitivities():
    atol = np.array([1e-12, 1e-12, 1e-6])
    traj = CHAIN.simulate(Y0, K, T, atol=atol)
    np.testing.assert_allclose(traj.y[:, 1], analytic_b(T), atol=1e-7)
    S = CHAIN.sensitivities(Y0, K, T, atol=atol)
    # dA/dk1 = -t e^{-k1 t}
    np.testing.assert_allclose(S[:, 0, 0], -T * np.exp(-T), atol=1e-7)


@pytest.mark.parametrize("atol", [np.ones(2) * 1e-8, "tiny", [[1e-8]]])
def test_atol_of_the_wrong_shape_or_type(atol):
    with pytest.raises(DimensionError, match="atol must be a positive number or an array of 3"):
        CHAIN.simulate(Y0, K, T, atol=atol)


@pytest.mark.parametrize("bad", [dict(atol=0.0), dict(atol=np.inf), dict(rtol=True),
                                 dict(rtol="1e-6"), dict(rtol=1.5)])
def test_bad_tolerances(bad):
    with pytest.raises(CalcmlError, match="tol must be"):
        CHAIN.simulate(Y0, K, T, **bad)


@pytest.mark.parametrize("option", ["t_eval", "jac", "args", "vectorized"])
def test_options_calcml_sets_itself_are_refused(option):
    with pytest.raises(CalcmlError, match=f"'{option}' cannot be passed through"):
        CHAIN.simulate(Y0, K, T, **{option: None})


def test_passed_through_options_reach_solve_ivp():
    coarse = CHAIN.simulate(Y0, K, T, method="RK45", max_step=0.01)
    np.testing.assert_allclose(coarse.y[:, 1], analytic_b(T), atol=1e-7)


def test_coefficients_have_no_exponent_before_the_colon():
    net = ReactionNetwork.from_string("3E2 -> F : k1e2")  # three of species E2
    assert net.species == ("E2", "F") and net.parameters == ("k1e2",)
    np.testing.assert_array_equal(net.stoichiometry, [[-3], [1]])
    with pytest.raises(ParseError):
        ReactionNetwork.from_string("0.5A -> B : k")


@pytest.mark.parametrize("reaction, words", [
    (Reaction({"A": 1}, {"B": 1}, "k 1"), "rate constant name"),
    (Reaction({"A": 0}, {"B": 1}, "k1"), "positive integer"),
    (Reaction({"A": 1.5}, {"B": 1}, "k1"), "positive integer"),
    (Reaction({"A-": 1}, {"B": 1}, "k1"), "species names"),
    (Reaction({"A": 1}, {"B": 1}, "A"), "both a species and a rate"),
])
def test_hand_built_reactions_are_checked(reaction, words):
    with pytest.raises(CalcmlError, match=words):
        ReactionNetwork([reaction])


def test_absurdly_fast_rates_are_refused_at_once():
    net = ReactionNetwork.from_string("A -> B : k1")
    with pytest.raises(CalcmlError, match="beyond what an ODE solver can step through"):
        net.simulate({"A": 1, "B": 0}, {"k1": 1e200}, T)


def test_a_solve_that_never_ends_is_cut_off_by_max_nfev():
    net = ReactionNetwork.from_string("A + A -> B : k1")
    with pytest.raises(ConvergenceError, match="used 2000 evaluations of dy/dt"):
        net.simulate({"A": 1e100, "B": 0}, {"k1": 1}, T, max_nfev=2000)
    with pytest.raises(ConvergenceError, match="used 2000 evaluations"):
        net.sensitivities({"A": 1e100, "B": 0}, {"k1": 1}, T, max_nfev=2000)
    ok = CHAIN.simulate(Y0, K, T, max_nfev=10_000)     # a normal problem is far below
    np.testing.assert_allclose(ok.y[:, 1], analytic_b(T), atol=1e-7)
    with pytest.raises(CalcmlError, match="max_nfev must be a positive integer"):
        CHAIN.simulate(Y0, K, T, max_nfev=0)
