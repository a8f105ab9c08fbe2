"""Sensitivity analysis: reaction networks, ODE Jacobians, forward sensitivities.

Seed 000 §5 done right: the Jacobian of A -> B -> C is ``J[i, j] = d(dy_i/dt)/dy_j``
(the seed built its transpose, with every rate's sign flipped), and the sensitivity of
the concentrations to the rate constants comes from integrating dS/dt = J S + dF/dk, not
from solving for the (trivial) steady state.

- :class:`ReactionNetwork` — parse ``"A -> B : k1"`` text; species, parameters,
  stoichiometry, SymPy ODEs and Jacobians, numeric Jacobians, ``simulate``,
  ``sensitivities``, ``check_jacobian``.
- :class:`Trajectory` — simulation result (``t``, ``y``, ``species``).
- :func:`ode_sensitivities` — forward sensitivities of any plain-NumPy ``rhs(t, y, p)``,
  Jacobians by automatic differentiation.
- :func:`check_jacobian` — a hand-written ODE Jacobian against AD and finite differences.
- :func:`local` — Jacobian and elasticities of an algebraic model.

>>> import calcml as cm
>>> net = cm.sensitivity.ReactionNetwork.from_string("A -> B : k1\\nB -> C : k2")
>>> S = net.sensitivities({"A": 1.0, "B": 0.0, "C": 0.0}, {"k1": 1.0, "k2": 0.5}, [0.0, 1.0])
>>> S.shape                                    # [time, species, parameter]
(2, 3, 2)
"""
from calcml.sensitivity.local import LocalSensitivity, local
from calcml.sensitivity.network import ReactionNetwork
from calcml.sensitivity.ode import check_jacobian, ode_sensitivities
from calcml.sensitivity.parser import Reaction
from calcml.sensitivity.trajectory import Trajectory

__all__ = ["ReactionNetwork", "Reaction", "Trajectory", "ode_sensitivities", "check_jacobian",
           "local", "LocalSensitivity"]
