"""Forward sensitivities of reaction networks against closed forms and finite differences."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from calcml.sensitivity import ReactionNetwork

CHAIN = "A -> B : k1\nB -> C : k2"
ROBERTSON = "A -> B : k1\n2B -> B + C : k2\nB + C -> A + C : k3"
ROB_P = np.array([0.04, 3e7, 1e4])
TIGHT = dict(rtol=1e-12, atol=1e-14)


def chain_sensitivities_exact(t, a0, r1, r2):
    """dy/dk of the closed-form A -> B -> C solution, differentiated by SymPy."""
    ts, a, k1, k2 = sp.symbols("t a0 k1 k2")
    A = a * sp.exp(-k1 * ts)
    B = a * k1 / (k2 - k1) * (sp.exp(-k1 * ts) - sp.exp(-k2 * ts))
    ys = [A, B, a - A - B]
    out = np.empty((len(t), 3, 2))
    for i, y in enumerate(ys):
        for j, k in enumerate((k1, k2)):
            f = sp.lambdify(ts, sp.diff(y, k).subs({a: a0, k1: r1, k2: r2}), "numpy")
            out[:, i, j] = np.broadcast_to(f(t), t.shape)
    return out


def finite_difference(net, y0, p, t, rel=1e-5, **kw):
    """Central differences of simulate in each rate constant."""
    cols = []
    for j in range(len(p)):
        h = rel * p[j]
        up, down = p.copy(), p.copy()
        up[j] += h
        down[j] -= h
        cols.append((net.simulate(y0, up, t, **kw).y - net.simulate(y0, down, t, **kw).y)
                    / (2 * h))
    return np.stack(cols, axis=-1)


@pytest.mark.parametrize("method", ["LSODA", "Radau", "BDF"])
def test_chain_matches_closed_form_derivatives(method):
    net = ReactionNetwork.from_string(CHAIN)
    t = np.linspace(0.0, 8.0, 17)
    S = net.sensitivities({"A": 2.0, "B": 0.0, "C": 0.0}, {"k1": 0.7, "k2": 0.3}, t,
                          method=method, rtol=1e-10, atol=1e-12)
    assert S.shape == (17, 3, 2)
    np.testing.assert_allclose(S, chain_sensitivities_exact(t, 2.0, 0.7, 0.3), rtol=0,
                               atol=1e-7)
    np.testing.assert_allclose(S.sum(axis=1), 0.0, atol=1e-12)   # total mass does not move
    np.testing.assert_array_equal(S[0], 0.0)                      # S(t0) = 0


def test_chain_matches_finite_differences_of_simulate():
    net = ReactionNetwork.from_string(CHAIN)
    y0, p, t = np.array([1.0, 0.2, 0.0]), np.array([1.3, 0.4]), np.linspace(0, 6.0, 13)
    S = net.sensitivities(y0, p, t, **TIGHT)
    fd = finite_difference(net, y0, p, t, **TIGHT)
    scale = np.abs(fd).max()
    assert np.max(np.abs(S - fd)) / scale <= 1e-5
    # entry by entry where the derivative is not tiny
    big = np.abs(fd) > 1e-3 * scale
    assert np.max(np.abs(S - fd)[big] / np.abs(fd)[big]) <= 1e-5


def test_nonlinear_network_matches_finite_differences():
    """Second-order and reversible reactions, inflow and outflow: the augmented Jacobian's
    second-derivative terms are exercised by the stiff methods."""
    net = ReactionNetwork.from_string("2A + B -> C : k3\nA <-> B : kf, kr\n-> A : k0\nC -> : kd")
    y0, p, t = np.array([1.0, 0.5, 0.1]), np.array([2.0, 1.5, 0.7, 0.3, 0.9]), [0.0, 1.0, 5.0]
    fd = finite_difference(net, y0, p, t, **TIGHT)
    for method in ("LSODA", "Radau", "BDF"):
        S = net.sensitivities(y0, p, t, method=method, rtol=1e-11, atol=1e-13)
        np.testing.assert_allclose(S, fd, rtol=1e-5, atol=1e-7)


def test_robertson_sensitivities_match_finite_differences():
    net = ReactionNetwork.from_string(ROBERTSON)
    y0, t = np.array([1.0, 0.0, 0.0]), [0.0, 40.0, 1e4]
    tr, S = net.sensitivities(y0, ROB_P, t, rtol=1e-10, atol=1e-14, return_trajectory=True)
    fd = finite_difference(net, y0, ROB_P, t, rel=1e-4, rtol=1e-12, atol=1e-16)
    np.testing.assert_allclose(S[1:], fd[1:], rtol=1e-5, atol=0)     # every entry, relative
    np.testing.assert_allclose(S.sum(axis=1), 0.0, atol=1e-12)
    np.testing.assert_allclose(tr.y, net.simulate(y0, ROB_P, t, rtol=1e-10, atol=1e-14).y,
                               rtol=1e-7, atol=1e-14)


def test_normalized_sensitivities():
    net = ReactionNetwork.from_string(CHAIN)
    t = np.array([0.0, 1.0, 2.0])
    p = np.array([0.7, 0.3])
    tr, S = net.sensitivities([2.0, 0.0, 0.0], p, t, return_trajectory=True)
    N = net.sensitivities([2.0, 0.0, 0.0], p, t, normalized=True)
    assert np.isnan(N[0, 1]).all() and np.isnan(N[0, 2]).all()      # B(0) = C(0) = 0
    np.testing.assert_allclose(N[1:], S[1:] * p / tr.y[1:, :, None], rtol=1e-12)
    # A = A0 e^{-k1 t}: (k1 / A) dA/dk1 = -k1 t exactly
    np.testing.assert_allclose(N[:, 0, 0], -0.7 * t, rtol=1e-7, atol=1e-12)
    np.testing.assert_allclose(N[:, 0, 1], 0.0, atol=1e-12)


def test_final_time_form_and_dict_inputs():
    net = ReactionNetwork.from_string(CHAIN)
    tr, S = net.sensitivities({"C": 0.0, "B": 0.0, "A": 1.0}, {"k2": 0.5, "k1": 1.0}, 3.0,
                              return_trajectory=True)
    assert S.shape == (tr.t.size, 3, 2) and tr.t[-1] == 3.0
    np.testing.assert_allclose(S, chain_sensitivities_exact(tr.t, 1.0, 1.0, 0.5), atol=1e-6)
