"""ReactionNetwork: SymPy ODEs and Jacobians, the NumPy kernel, simulate, validation.

Exact answers: the A -> B -> C Jacobians written out by hand, the closed-form solution of
A -> B -> C, and Hairer & Wanner's reference values of the Robertson problem. The NumPy
kernel is checked against the SymPy expressions and against calcml's AD.
"""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp
from hypothesis import given, settings
from hypothesis import strategies as st

import calcml as cm
from calcml.errors import CalcmlError, ConvergenceError, DimensionError
from calcml.sensitivity import ReactionNetwork, Trajectory

A, B, C, k1, k2 = sp.symbols("A B C k1 k2")
CHAIN = "A -> B : k1\nB -> C : k2"
ROBERTSON = "A -> B : k1\n2B -> B + C : k2\nB + C -> A + C : k3"
ROB_P = {"k1": 0.04, "k2": 3e7, "k3": 1e4}


def chain_exact(t, a0, r1, r2):
    a = a0 * np.exp(-r1 * t)
    b = a0 * r1 / (r2 - r1) * (np.exp(-r1 * t) - np.exp(-r2 * t))
    return np.stack([a, b, a0 - a - b], axis=-1)


# --------------------------------------------------------------------- symbolic
def test_chain_symbolic_jacobians():
    net = ReactionNetwork.from_string(CHAIN)
    assert net.species_symbols == (A, B, C) and net.parameter_symbols == (k1, k2)
    assert net.odes() == sp.Matrix([-k1 * A, k1 * A - k2 * B, k2 * B])
    assert net.jacobian() == sp.Matrix([[-k1, 0, 0], [k1, -k2, 0], [0, k2, 0]])
    assert net.parameter_jacobian() == sp.Matrix([[-A, 0], [A, -B], [0, B]])


def test_odes_of_all_reaction_kinds():
    net = ReactionNetwork.from_string("2A + B -> C : k3\nA <-> B : kf, kr\n-> A : k0\nC -> : kd")
    a, b, c, k3, kf, kr, k0, kd = sp.symbols("A B C k3 kf kr k0 kd")
    r = [k3 * a**2 * b, kf * a, kr * b, k0, kd * c]
    expected = sp.Matrix([-2 * r[0] - r[1] + r[2] + r[3], -r[0] + r[1] - r[2], r[0] - r[4]])
    assert (net.odes() - expected).applyfunc(sp.expand) == sp.zeros(3, 1)
    assert net.rates() == sp.Matrix(r)


def test_jacobian_matches_sympy_diff_of_the_odes():
    net = ReactionNetwork.from_string(ROBERTSON)
    f = net.odes()
    ys = net.species_symbols
    for i in range(3):
        for j in range(3):
            assert sp.expand(net.jacobian()[i, j] - sp.diff(f[i], ys[j])) == 0


# ---------------------------------------------------------------- numeric kernel
def _symbolic_at(matrix, net, y, k):
    subs = dict(zip(net.species_symbols + net.parameter_symbols, [*map(float, y), *map(float, k)]))
    return np.array(matrix.subs(subs).tolist(), dtype=float)


reaction_line = st.tuples(
    st.dictionaries(st.sampled_from("ABCD"), st.integers(1, 3), max_size=3),
    st.dictionaries(st.sampled_from("ABCD"), st.integers(1, 2), max_size=2),
)


@settings(max_examples=30, deadline=None)
@given(st.lists(reaction_line, min_size=1, max_size=4),
       st.lists(st.floats(0.0, 2.0), min_size=4, max_size=4),
       st.lists(st.floats(0.1, 3.0), min_size=4, max_size=4))
def test_numeric_kernel_matches_sympy_and_ad(lines, yvals, kvals):
    """rhs, J and dF/dk in NumPy agree with the SymPy expressions and with AD of rhs."""
    text = "\n".join(
        " + ".join(f"{n}{s}" for s, n in left.items()) + " -> "
        + " + ".join(f"{n}{s}" for s, n in right.items()) + f" : k{i}"
        for i, (left, right) in enumerate(lines) if left or right)
    if not text:
        return
    net = ReactionNetwork.from_string(text)
    n, p = len(net.species), len(net.parameters)
    y, k = np.array(yvals[:n]), np.array(kvals[:p])
    np.testing.assert_allclose(net.rhs(0.0, y, k), _symbolic_at(net.odes(), net, y, k)[:, 0],
                               rtol=1e-12, atol=1e-12)
    J, Fp = net.jacobian(y, k), net.parameter_jacobian(y, k)
    np.testing.assert_allclose(J, _symbolic_at(net.jacobian(), net, y, k), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Fp, _symbolic_at(net.parameter_jacobian(), net, y, k),
                               rtol=1e-12, atol=1e-12)
    J_ad, Fp_ad = cm.jacobian(lambda y, k: net.rhs(0.0, y, k), argnums=(0, 1))(y, k)
    np.testing.assert_allclose(J_ad, J, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(Fp_ad, Fp, rtol=1e-12, atol=1e-12)


def test_jacobian_at_zero_concentrations():
    """y ** 0 factors must not produce 0 * inf at y = 0."""
    net = ReactionNetwork.from_string("2A + B -> C : k")
    np.testing.assert_array_equal(net.jacobian([0.0, 0.0, 0.0], [1.0]), np.zeros((3, 3)))
    np.testing.assert_array_equal(net.jacobian([0.0, 1.0, 0.0], [1.0]), np.zeros((3, 3)))
    np.testing.assert_allclose(net.jacobian([1.0, 0.0, 0.0], [1.0])[:, 1], [-2.0, -1.0, 1.0])


def test_augmented_sensitivity_jacobian_matches_ad():
    """The exact Jacobian of the [y, S] system (second derivatives included) equals AD's."""
    net = ReactionNetwork.from_string("2A + B -> C : k3\nA <-> B : kf, kr\n-> A : k0\nC -> : kd")
    kern = net._kernel
    rng = np.random.default_rng(1)
    z = rng.uniform(0.1, 2.0, 3 * (1 + 5))
    k = rng.uniform(0.5, 2.0, 5)
    ad = cm.jacobian(lambda z: np.concatenate([
        net.rhs(0.0, z[:3], k),
        np.ravel(cm.jacobian(lambda y: net.rhs(0.0, y, k))(z[:3]) @ np.reshape(z[3:], (3, 5))
                 + cm.jacobian(lambda kk: net.rhs(0.0, z[:3], kk))(k))]))(z)
    np.testing.assert_allclose(kern.sensitivity_jac(z, k), ad, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(kern.sensitivity_rhs(z, k)[:3], net.rhs(0.0, z[:3], k))


# ---------------------------------------------------------------------- simulate
@pytest.mark.parametrize("method", ["LSODA", "Radau", "BDF"])
def test_chain_matches_closed_form(method):
    net = ReactionNetwork.from_string(CHAIN)
    t = np.linspace(0.0, 10.0, 41)
    tr = net.simulate({"A": 2.0, "B": 0.0, "C": 0.0}, {"k1": 0.7, "k2": 0.3}, t, method=method,
                      rtol=1e-10, atol=1e-12)
    assert isinstance(tr, Trajectory) and tr.species == ("A", "B", "C")
    assert tr.t.shape == (41,) and tr.y.shape == (41, 3)
    np.testing.assert_array_equal(tr.t, t)
    np.testing.assert_allclose(tr.y, chain_exact(t, 2.0, 0.7, 0.3), rtol=0, atol=1e-6)
    np.testing.assert_allclose(tr.y.sum(axis=1), 2.0, rtol=0, atol=1e-12)   # mass conserved
    np.testing.assert_array_equal(tr["B"], tr.y[:, 1])
    assert tr.nfev > 0 and tr.method == method


def test_final_time_and_array_inputs_agree():
    net = ReactionNetwork.from_string(CHAIN)
    tr = net.simulate([1.0, 0.0, 0.0], [1.0, 2.0], 3.0)
    assert tr.t[0] == 0.0 and tr.t[-1] == 3.0 and tr.t.size > 2
    np.testing.assert_allclose(tr.y, chain_exact(tr.t, 1.0, 1.0, 2.0), atol=1e-6)
    single = net.simulate([1.0, 0.0, 0.0], [1.0, 2.0], [0.5])
    np.testing.assert_array_equal(single.y, [[1.0, 0.0, 0.0]])


def test_defaults_from_text_fill_params():
    net = ReactionNetwork.from_string("A -> B : k1 = 0.5\nB -> C : k2")
    tr = net.simulate({"A": 1, "B": 0, "C": 0}, {"k2": 0.25}, [0.0, 2.0])
    np.testing.assert_allclose(tr.y[-1], chain_exact(2.0, 1.0, 0.5, 0.25), atol=1e-7)


def test_robertson_stiff_to_1e5():
    net = ReactionNetwork.from_string(ROBERTSON)
    t = np.array([0.0, 40.0, 1e5])
    tr = net.simulate({"A": 1.0, "B": 0.0, "C": 0.0}, ROB_P, t)
    # Hairer & Wanner, Solving ODEs II, reference solution at t = 40
    np.testing.assert_allclose(tr.y[1], [0.7158270687, 9.185534764e-6, 0.2841637457], rtol=1e-6)
    np.testing.assert_allclose(tr.y.sum(axis=1), 1.0, rtol=0, atol=1e-12)   # A + B + C = 1
    assert tr.y.min() > -1e-12
    radau = net.simulate([1.0, 0.0, 0.0], ROB_P, t, method="Radau", rtol=1e-10, atol=1e-14)
    np.testing.assert_allclose(tr.y[-1], radau.y[-1], rtol=1e-5)
    # the exact Jacobian saves right-hand-side evaluations against a differenced one
    plain = net.simulate([1.0, 0.0, 0.0], ROB_P, t, exact_jacobian=False)
    np.testing.assert_allclose(plain.y[-1], tr.y[-1], rtol=1e-5)


# -------------------------------------------------------------------- validation
@pytest.mark.parametrize("y0, params, exc, words", [
    ({"A": 1, "B": 0, "X": 0}, {"k1": 1, "k2": 1}, CalcmlError, "unknown species 'X'"),
    ({"A": 1, "B": 0}, {"k1": 1, "k2": 1}, CalcmlError, "no value for species 'C'"),
    ([1, 0, 0], {"k1": 1, "k_2": 1}, CalcmlError, "did you mean 'k2'"),
    ([1, 0, 0], {"k1": 1}, CalcmlError, "no value for rate constant 'k2'"),
    ([1, 0, 0], None, CalcmlError, "no value for rate constant"),
    ([1, 0, 0], {"k1": -1, "k2": 1}, CalcmlError, "'k1' must be >= 0"),
    ([1, -0.1, 0], [1, 1], CalcmlError, "'B' must be >= 0"),
    ([1, 0, 0], [1, np.nan], CalcmlError, "'k2' must be finite"),
    ([1, 0], [1, 1], DimensionError, "expected 3 species value"),
    ([1, 0, 0], [[1, 1]], DimensionError, "rate constant value"),
    ([1, 0, 0], ["a", 1], CalcmlError, "real numbers"),
    ({"A": "x", "B": 0, "C": 0}, [1, 1], CalcmlError, "real numbers"),
])
def test_bad_values(y0, params, exc, words):
    net = ReactionNetwork.from_string(CHAIN)
    with pytest.raises(exc, match=words):
        net.simulate(y0, params, 1.0)
    with pytest.raises(exc, match=words):
        net.sensitivities(y0, params, 1.0)


@pytest.mark.parametrize("t, words", [
    (None, "give t"), (["a", 1.0], "final time"), (0.0, "must be > 0"), (-1.0, "must be > 0"),
    ([0.0, 2.0, 1.0], "strictly increasing"),
    ([], "empty"), ([[0.0, 1.0]], "1-D"), (np.inf, "finite"), ("10", "final time"),
])
def test_bad_times(t, words):
    net = ReactionNetwork.from_string(CHAIN)
    with pytest.raises(CalcmlError, match=words):
        net.simulate([1, 0, 0], [1, 1], t)


def test_bad_solver_settings():
    net = ReactionNetwork.from_string(CHAIN)
    with pytest.raises(CalcmlError, match="unknown method 'Euler'"):
        net.simulate([1, 0, 0], [1, 1], 1.0, method="Euler")
    with pytest.raises(CalcmlError, match="rtol"):
        net.simulate([1, 0, 0], [1, 1], 1.0, rtol=0)
    with pytest.raises(CalcmlError, match="atol"):
        net.simulate([1, 0, 0], [1, 1], 1.0, atol=-1.0)


def test_solver_failure_is_a_convergence_error():
    net = ReactionNetwork.from_string("2A -> 3A : k")       # dA/dt = k A^2 blows up at t = 1
    for method in ("LSODA", "Radau", "BDF"):
        with pytest.raises(ConvergenceError, match=r"stopped at t = (0\.99|1\b)|blows up"):
            net.simulate([1.0], [1.0], 2.0, method=method)


def test_symbolic_or_numeric_not_half():
    net = ReactionNetwork.from_string(CHAIN)
    with pytest.raises(CalcmlError, match="give y too"):
        net.jacobian(params=[1, 1])
    with pytest.raises(CalcmlError, match="give y too"):
        net.parameter_jacobian(params=[1, 1])


def test_trajectory_helpers():
    net = ReactionNetwork.from_string(CHAIN)
    tr = net.simulate([1, 0, 0], [1, 1], [0.0, 1.0])
    assert set(tr.as_dict()) == {"A", "B", "C"}
    with pytest.raises(CalcmlError, match="no species 'D'"):
        tr["D"]
    assert "k1" in repr(net) and "A -> B : k1" in net.to_string()


def test_sympy_symbols_as_keys():
    net = ReactionNetwork.from_string(CHAIN)
    A, B, C, k1, k2 = net.species_symbols + net.parameter_symbols
    by_symbol = net.simulate({A: 1.0, B: 0.0, C: 0.0}, {k1: 1.0, k2: 2.0}, [0.0, 1.0])
    by_name = net.simulate({"A": 1.0, "B": 0.0, "C": 0.0}, {"k1": 1.0, "k2": 2.0}, [0.0, 1.0])
    np.testing.assert_array_equal(by_symbol.y, by_name.y)


def test_plot_goes_through_calcml_plot():
    """Trajectory.plot delegates to calcml.plot.sensitivity (written by the plot module)."""
    import calcml.plot
    tr = ReactionNetwork.from_string(CHAIN).simulate([1, 0, 0], [1, 1], [0.0, 1.0])
    if hasattr(calcml.plot, "sensitivity"):
        import matplotlib.figure
        assert isinstance(tr.plot(), matplotlib.figure.Figure)
    else:
        with pytest.raises(CalcmlError, match="calcml.plot.sensitivity is not available"):
            tr.plot()
