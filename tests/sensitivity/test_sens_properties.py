"""Property tests of calcml.sensitivity on random mass-action networks written as text.

Every network is drawn from species A..E, coefficients 1-2, inflows ``-> A : k``,
outflows ``A -> : k`` and reversible lines ``A <-> B : kf, kr``. Independent references:
SymPy's Jacobians of the ODEs, calcml's AD of ``net.rhs``, finite differences, central
differences of ``simulate`` in each rate, the left null space of the stoichiometry, and
the generic ``ode_sensitivities`` on the same right-hand side.
"""
from __future__ import annotations

import numpy as np
import scipy.linalg
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import calcml as cm
from calcml.errors import ConvergenceError, ParseError
from calcml.sensitivity import ReactionNetwork, local, ode_sensitivities

SPECIES = "ABCDE"
COEFF = st.sampled_from(["", "2", "2 ", "2*"])


@st.composite
def sides(draw):
    names = draw(st.lists(st.sampled_from(SPECIES), min_size=0, max_size=2, unique=True))
    return " + ".join(f"{draw(COEFF)}{n}" for n in names)


@st.composite
def network_texts(draw, max_lines=4):
    lines, k = [], 0
    for _ in range(draw(st.integers(1, max_lines))):
        kind = draw(st.sampled_from(["in", "out", "rev", "irr", "irr"]))
        if kind == "in":
            lines.append(f"-> {draw(st.sampled_from(SPECIES))} : k{k}")
            k += 1
            continue
        if kind == "out":
            lines.append(f"{draw(st.sampled_from(SPECIES))} -> : k{k}")
            k += 1
            continue
        left, right = draw(sides()), draw(sides())
        left = left or ("" if right else "A")
        if kind == "rev":
            lines.append(f"{left} <-> {right} : k{k}, k{k + 1}")
            k += 2
        else:
            lines.append(f"{left} -> {right} : k{k}")
            k += 1
    return "\n".join(lines)


def _at(matrix, net, y, k):
    subs = dict(zip(net.species_symbols + net.parameter_symbols, [*map(float, y), *map(float, k)]))
    return np.array(matrix.subs(subs).tolist(), dtype=float).reshape(matrix.shape)


def _central(fn, x, h=1e-6):
    cols = []
    for j in range(x.size):
        e = np.zeros_like(x)
        e[j] = h
        cols.append((fn(x + e) - fn(x - e)) / (2 * h))
    return np.stack(cols, axis=-1)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network_texts(), st.integers(0, 2**32 - 1))
def test_jacobians_equal_sympy_ad_and_finite_differences(text, seed):
    net = ReactionNetwork.from_string(text)
    rng = np.random.default_rng(seed)
    # states may be zero or negative here: the Jacobian is a formula, defined everywhere
    y = rng.choice([0.0, -1.3, 0.4, 0.7, 1.9], len(net.species))
    k = rng.uniform(0.1, 2.0, len(net.parameters))
    J, P = net.jacobian(y, k), net.parameter_jacobian(y, k)
    np.testing.assert_allclose(J, _at(net.jacobian(), net, y, k), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(P, _at(net.parameter_jacobian(), net, y, k), rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(net.rhs(0.0, y, k), _at(net.odes(), net, y, k).ravel(),
                               rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(J, cm.jacobian(lambda v: net.rhs(0.0, v, k))(y), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(P, cm.jacobian(lambda q: net.rhs(0.0, y, q))(k), rtol=1e-12,
                               atol=1e-12)
    np.testing.assert_allclose(J, _central(lambda v: net.rhs(0.0, v, k), y), rtol=1e-6, atol=1e-6)
    # the exact Jacobian of the augmented sensitivity system handed to the stiff solvers
    kern = net._kernel
    z = np.concatenate([y, rng.normal(size=y.size * k.size)])
    np.testing.assert_allclose(kern.sensitivity_jac(z, k),
                               _central(lambda v: kern.sensitivity_rhs(v, k), z),
                               rtol=1e-6, atol=1e-6)


@settings(max_examples=8, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(network_texts(max_lines=3), st.integers(0, 2**32 - 1))
def test_sensitivities_equal_differences_of_simulate(text, seed):
    net = ReactionNetwork.from_string(text)
    rng = np.random.default_rng(seed)
    y0 = rng.uniform(0.2, 1.5, len(net.species))
    k = rng.uniform(0.2, 1.0, len(net.parameters))
    t = np.array([0.0, 0.5, 1.0])
    tight = dict(rtol=1e-10, atol=1e-12)
    try:
        tr, S = net.sensitivities(y0, k, t, return_trajectory=True, **tight)
    except ConvergenceError:  # pragma: no cover - mass action with these rates stays finite
        return
    fd = np.empty_like(S)
    for j in range(k.size):
        h = 1e-5 * k[j]
        kp, km = k.copy(), k.copy()
        kp[j] += h
        km[j] -= h
        fd[:, :, j] = (net.simulate(y0, kp, t, rtol=1e-12, atol=1e-14).y
                       - net.simulate(y0, km, t, rtol=1e-12, atol=1e-14).y) / (2 * h)
    assert np.max(np.abs(S - fd)) <= 1e-5 * max(1.0, np.max(np.abs(fd)))
    # normalized = (k / y) dy/dk
    Sn = net.sensitivities(y0, k, t, normalized=True, **tight)
    np.testing.assert_allclose(Sn, S * k[None, None, :] / tr.y[:, :, None], rtol=1e-6, atol=1e-9)
    # conserved quantities (left null space of the stoichiometry) stay constant
    L = scipy.linalg.null_space(net.stoichiometry.T.astype(float)).T
    if L.size:
        c = tr.y @ L.T
        np.testing.assert_allclose(c, np.broadcast_to(c[0], c.shape), atol=1e-7)
    # the generic AD-based ode_sensitivities on the same right-hand side
    So = ode_sensitivities(net.rhs, y0, k, t, **tight)
    assert np.max(np.abs(So - S)) <= 1e-6 * max(1.0, np.max(np.abs(S)))


@settings(max_examples=60, deadline=None)
@given(network_texts())
def test_to_string_round_trips(text):
    net = ReactionNetwork.from_string(text)
    again = ReactionNetwork.from_string(net.to_string())
    assert again.species == net.species and again.parameters == net.parameters
    assert (again.stoichiometry == net.stoichiometry).all()
    assert again.odes() == net.odes()


TOKENS = ["A", "B", "2", "0", "0.5", "1e3", "3E2", " ", "->", "<->", "<=>", "=>", "→", "⇌", "∅",
          ":", ",", "=", "+", "*", "-", "#", "\n", "k1", "k2", "k1=2", "_x", "<", "$", "(", "\t",
          "1.", "e5", "inf", "=-1", "1e999", "<-", ">", "--", "->>"]


@settings(max_examples=400, deadline=None)
@given(st.lists(st.sampled_from(TOKENS), max_size=14).map("".join))
def test_malformed_text_gives_parse_error_with_line_and_column(text):
    try:
        ReactionNetwork.from_string(text)
    except ParseError as err:
        if getattr(err, "line", None) is None:  # only the whole-text complaints lack a line
            assert "no reactions" in str(err)
            return
        lines = text.split("\n")
        assert 1 <= err.line <= len(lines)
        assert 1 <= err.column <= len(lines[err.line - 1]) + 1
        assert str(err).startswith(f"line {err.line}, column {err.column}:")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from([-2, -1, -0.5, 0, 0.5, 1, 1.5, 2, 3]),
                          st.floats(0.1, 3.0)), min_size=1, max_size=4),
       st.sampled_from([-2.0, 0.7, 3.0]), st.booleans())
def test_local_elasticities_of_monomials_are_the_exponents(terms, c, as_dict):
    a = np.array([t[0] for t in terms], dtype=float)
    p = np.array([t[1] for t in terms])
    if as_dict:
        names = [f"p{j}" for j in range(a.size)]
        res = local(lambda q: c * np.prod(np.stack([q[n] ** a[j] for j, n in enumerate(names)])),
                    dict(zip(names, p)))
        assert res.parameters == tuple(names)
    else:
        res = local(lambda q: c * np.prod(q ** a), p)
    np.testing.assert_allclose(res.elasticities, a, rtol=1e-12, atol=1e-12)
    np.testing.assert_allclose(res.jacobian, c * np.prod(p ** a) * a / p, rtol=1e-12)
