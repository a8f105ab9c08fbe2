"""ode_sensitivities (Jacobians by AD), check_jacobian and local."""
from __future__ import annotations

import numpy as np
import pytest
import sympy as sp

from calcml.errors import CalcmlError, DimensionError, GradientCheckError
from calcml.sensitivity import (LocalSensitivity, ReactionNetwork, check_jacobian, local,
                                ode_sensitivities)

ROBERTSON = "A -> B : k1\n2B -> B + C : k2\nB + C -> A + C : k3"
ROB_P = np.array([0.04, 3e7, 1e4])


def robertson(t, y, k):
    """Robertson's equations written by hand in plain NumPy."""
    r1, r2, r3 = k[0] * y[0], k[1] * y[1] ** 2, k[2] * y[1] * y[2]
    return np.stack([-r1 + r3, r1 - r2 - r3, r2])


def test_logistic_against_closed_form():
    r, K, y0 = sp.symbols("r K y0")
    ts = sp.Symbol("t")
    exact = K / (1 + (K / y0 - 1) * sp.exp(-r * ts))
    values = {r: 0.8, K: 3.0, y0: 0.2}
    t = np.linspace(0.0, 10.0, 11)
    expected = np.stack([sp.lambdify(ts, sp.diff(exact, q).subs(values), "numpy")(t)
                         for q in (r, K)], axis=-1)
    logistic = lambda t, y, p: p["r"] * y * (1 - y / p["K"])   # noqa: E731
    tr, S = ode_sensitivities(logistic, [0.2], {"r": 0.8, "K": 3.0}, t, return_trajectory=True)
    assert S.shape == (11, 1, 2)
    np.testing.assert_allclose(S[:, 0, :], expected, rtol=1e-6, atol=1e-9)
    np.testing.assert_allclose(tr.y[:, 0], sp.lambdify(ts, exact.subs(values), "numpy")(t),
                               rtol=1e-8)
    # the dict's key order is the parameter axis
    S_swapped = ode_sensitivities(logistic, [0.2], {"K": 3.0, "r": 0.8}, t)
    np.testing.assert_allclose(S_swapped[:, 0, ::-1], S[:, 0, :], rtol=1e-9, atol=1e-12)


@pytest.mark.parametrize("jac", ["ad", "block", None])
def test_robertson_by_ad_matches_the_network(jac):
    """Hand-written NumPy rhs + AD Jacobians == the network's own kernel."""
    net = ReactionNetwork.from_string(ROBERTSON)
    t = [0.0, 0.5, 40.0]
    S_net = net.sensitivities([1.0, 0.0, 0.0], ROB_P, t)
    S = ode_sensitivities(robertson, [1.0, 0.0, 0.0], ROB_P, t, jac=jac)
    np.testing.assert_allclose(S, S_net, rtol=1e-5, atol=1e-12)


def test_network_rhs_is_differentiable_by_ad():
    net = ReactionNetwork.from_string("2A + B -> C : k3\nA <-> B : kf, kr\n-> A : k0\nC -> : kd")
    y0, p, t = [1.0, 0.5, 0.1], [2.0, 1.5, 0.7, 0.3, 0.9], [0.0, 0.5, 2.0]
    np.testing.assert_allclose(ode_sensitivities(net.rhs, y0, p, t, method="Radau"),
                               net.sensitivities(y0, p, t), rtol=1e-6, atol=1e-9)


def test_normalized_and_final_time():
    decay = lambda t, y, p: -p[0] * y   # noqa: E731
    tr, N = ode_sensitivities(decay, [1.0, 0.0], [0.5], 4.0, normalized=True,
                              return_trajectory=True)
    assert tr.t[0] == 0.0 and tr.t[-1] == 4.0 and N.shape == (tr.t.size, 2, 1)
    np.testing.assert_allclose(N[:, 0, 0], -0.5 * tr.t, rtol=1e-6, atol=1e-10)
    assert np.isnan(N[:, 1, 0]).all()                     # y1 stays 0


def test_ode_sensitivities_bad_input():
    decay = lambda t, y, p: -p[0] * y   # noqa: E731
    with pytest.raises(CalcmlError, match="callable"):
        ode_sensitivities("y' = -k y", [1.0], [1.0], 1.0)
    with pytest.raises(DimensionError, match=r"returned shape \(2,\)"):
        ode_sensitivities(lambda t, y, p: np.concatenate([y, y]), [1.0], [1.0], 1.0)
    with pytest.raises(DimensionError, match="1-D"):
        ode_sensitivities(decay, [[1.0]], [1.0], 1.0)
    with pytest.raises(CalcmlError, match="jac must be"):
        ode_sensitivities(decay, [1.0], [1.0], 1.0, jac="exact")
    with pytest.raises(CalcmlError, match="finite"):
        ode_sensitivities(decay, [np.nan], [1.0], 1.0)
    with pytest.raises(CalcmlError, match="strictly increasing"):
        ode_sensitivities(decay, [1.0], [1.0], [1.0, 0.0])


# ----------------------------------------------------------------- check_jacobian
def test_check_jacobian_accepts_the_right_matrix_and_names_the_wrong_ones():
    y, k = np.array([0.6, 3e-5, 0.4]), ROB_P
    net = ReactionNetwork.from_string(ROBERTSON)
    J = net.jacobian(y, k)
    assert check_jacobian(robertson, J, y, k).passed
    with pytest.raises(GradientCheckError, match="is the transpose of the Jacobian"):
        check_jacobian(robertson, J.T, y, k)
    with pytest.raises(GradientCheckError, match="is the negative of the Jacobian"):
        check_jacobian(robertson, -J, y, k)
    wrong = J.copy()
    wrong[1, 1] *= 1.001
    with pytest.raises(GradientCheckError, match="Jacobian check FAILED, max") as info:
        check_jacobian(robertson, wrong, y, k)
    assert "claimed" in str(info.value) and "(1, 1)" in str(info.value)
    with pytest.raises(DimensionError, match="expected \\(3, 3\\)"):
        check_jacobian(robertson, J[:2], y, k)


def test_check_jacobian_refuses_a_nonsmooth_rhs():
    kink = lambda t, y, p: np.abs(y - p)   # noqa: E731
    with pytest.raises(GradientCheckError, match="AD and finite differences disagree"):
        check_jacobian(kink, [[1.0]], [1e-9], [0.0])   # kink within the step


# -------------------------------------------------------------------------- local
def test_local_matches_sympy():
    vmax, km, s = sp.symbols("Vmax Km S")
    rate = vmax * s / (km + s)
    at = {vmax: 5.0, km: 2.0, s: 0.5}
    res = local(lambda p: p["Vmax"] * p["S"] / (p["Km"] + p["S"]),
                {"Vmax": 5.0, "Km": 2.0, "S": 0.5}, check=True)
    assert isinstance(res, LocalSensitivity) and res.parameters == ("Vmax", "Km", "S")
    exact = np.array([float(sp.diff(rate, q).subs(at)) for q in (vmax, km, s)])
    np.testing.assert_allclose(res.jacobian, exact, rtol=1e-12)
    elast = np.array([float((sp.diff(rate, q) * q / rate).subs(at)) for q in (vmax, km, s)])
    np.testing.assert_allclose(res.elasticities, elast, rtol=1e-12)
    assert res.value.shape == () and res.as_dict()["Km"][1] == pytest.approx(elast[1])


def test_local_vector_model_and_zero_output():
    f = lambda p: np.stack([p[0] * p[1], p[0] - p[0]])    # noqa: E731  second output is 0
    res = local(f, [2.0, 3.0])
    np.testing.assert_allclose(res.jacobian, [[3.0, 2.0], [0.0, 0.0]])
    np.testing.assert_allclose(res.elasticities[0], [1.0, 1.0])
    assert np.isnan(res.elasticities[1]).all()
    assert res.parameters == ("p[0]", "p[1]")


def test_local_bad_input():
    with pytest.raises(CalcmlError, match="callable"):
        local(3.0, [1.0])
    with pytest.raises(CalcmlError, match="not finite"), np.errstate(divide="ignore"):
        local(lambda p: np.log(p[0] - 1.0), [1.0])
    with pytest.raises(GradientCheckError):
        local(lambda p: np.abs(p[0]), [1e-9], check=True)      # a kink inside the step
