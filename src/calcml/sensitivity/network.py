"""Mass-action reaction networks: ODEs, Jacobians, simulation and forward sensitivities.

The symbolic side (:meth:`ReactionNetwork.odes`, :meth:`~ReactionNetwork.jacobian`,
:meth:`~ReactionNetwork.parameter_jacobian` without values) builds SymPy expressions from
``sympy.Symbol`` objects; the numeric side (the same methods with values,
:meth:`~ReactionNetwork.rhs`, :meth:`~ReactionNetwork.simulate`,
:meth:`~ReactionNetwork.sensitivities`) is written separately in NumPy, so the two check
each other.

>>> from calcml.sensitivity import ReactionNetwork
>>> net = ReactionNetwork.from_string("A -> B : k1\\nB -> C : k2")
>>> net.jacobian()
Matrix([
[-k1,   0, 0],
[ k1, -k2, 0],
[  0,  k2, 0]])
"""
from __future__ import annotations

import difflib
from typing import Any

import numpy as np

from calcml.errors import CalcmlError, DimensionError
from calcml.sensitivity.parser import NAME, Reaction, parse_reactions
from calcml.sensitivity.trajectory import (Trajectory, integrate, integrate_sensitivities,
                                           to_trajectory)

__all__ = ["ReactionNetwork", "coerce_values"]


def coerce_values(values: Any, names: tuple, kind: str, where: str, defaults: dict | None = None,
                  nonnegative: bool = True) -> np.ndarray:
    """Values given as a dict keyed by name or as an array in ``names`` order -> float array.

    Missing names are taken from ``defaults``; unknown, missing, non-finite and (with
    ``nonnegative``) negative values raise :class:`CalcmlError` naming the entry.
    """
    defaults = defaults or {}
    n = len(names)
    if values is None:
        values = {}
    if isinstance(values, dict):
        values = {getattr(k, "name", k): v for k, v in values.items()}   # SymPy symbols too
        unknown = [k for k in values if k not in names]
        if unknown:
            k = unknown[0]
            near = difflib.get_close_matches(str(k), names, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            raise CalcmlError(f"{where}: unknown {kind} {k!r}{hint}; the {kind}s are "
                              f"{', '.join(names)}")
        merged = {**defaults, **values}
        missing = [k for k in names if k not in merged]
        if missing:
            raise CalcmlError(f"{where}: no value for {kind} {', '.join(map(repr, missing))}; "
                              f"give every {kind} of {', '.join(names)}")
        try:
            arr = np.array([float(merged[k]) for k in names], dtype=float)
        except (TypeError, ValueError):
            raise CalcmlError(f"{where}: {kind} values must be real numbers") from None
    else:
        try:
            arr = np.array(values, dtype=float)
        except (TypeError, ValueError):
            raise CalcmlError(f"{where}: {kind} values must be a dict keyed by name or an "
                              "array of real numbers") from None
        arr = arr.reshape(1) if arr.ndim == 0 and n == 1 else arr
        if arr.shape != (n,):
            raise DimensionError(f"{where}: expected {n} {kind} value(s) in the order "
                                 f"{', '.join(names)}, got shape {arr.shape}")
    for name, v in zip(names, arr):
        if not np.isfinite(v):
            raise CalcmlError(f"{where}: {kind} {name!r} must be finite, got {v}")
        if nonnegative and v < 0:
            raise CalcmlError(f"{where}: {kind} {name!r} must be >= 0 for mass-action kinetics, "
                              f"got {v}")
    return arr


def _check_reaction(r: Reaction) -> None:
    """Names are identifiers and coefficients positive integers (what the parser makes)."""
    if not (isinstance(r.reactants, dict) and isinstance(r.products, dict)):
        raise CalcmlError("ReactionNetwork: a Reaction's reactants and products must be dicts "
                          "of species name to coefficient")
    where = f"ReactionNetwork: reaction {r.describe()!r}"
    if not isinstance(r.rate, str) or not NAME.fullmatch(r.rate):
        raise CalcmlError(f"{where}: the rate constant name must be an identifier like 'k1', "
                          f"got {r.rate!r}")
    for side in (r.reactants, r.products):
        for name, coeff in side.items():
            if not isinstance(name, str) or not NAME.fullmatch(name):
                raise CalcmlError(f"{where}: species names must be identifiers like 'A', "
                                  f"got {name!r}")
            if isinstance(coeff, bool) or not isinstance(coeff, (int, np.integer)) or coeff < 1:
                raise CalcmlError(f"{where}: the coefficient of {name!r} must be a positive "
                                  f"integer, got {coeff!r}")


class _MassAction:
    """NumPy kernel: rates, Jacobians and second derivatives of a mass-action system.

    Reaction ``j`` has rate ``k[pidx[j]] * prod_s y[idx[j, s]] ** order[j, s]``; slot
    ``s`` runs over its distinct reactants, padded with index ``n`` (a constant 1).
    """

    def __init__(self, reactions: list, species: tuple, parameters: tuple):
        n, nr = len(species), len(reactions)
        width = max([1] + [len(r.reactants) for r in reactions])
        self.n, self.nr, self.np = n, nr, len(parameters)
        self.idx = np.full((nr, width), n, dtype=np.intp)
        self.order = np.zeros((nr, width), dtype=float)
        self.N = np.zeros((n, nr))
        for j, r in enumerate(reactions):
            for s, (name, coeff) in enumerate(r.reactants.items()):
                self.idx[j, s] = species.index(name)
                self.order[j, s] = coeff
                self.N[species.index(name), j] -= coeff
            for name, coeff in r.products.items():
                self.N[species.index(name), j] += coeff
        self.pidx = np.array([parameters.index(r.rate) for r in reactions], dtype=np.intp)
        self.A = np.zeros((nr, self.np))
        self.A[np.arange(nr), self.pidx] = 1.0
        self.rows = np.arange(nr)[:, None]

    def rhs(self, y, k):
        """dy/dt in plain NumPy (differentiable by calcml.ad)."""
        base = np.concatenate([y, np.ones(1)])[self.idx]
        powers = base ** self.order
        m = powers[:, 0]
        for s in range(1, self.order.shape[1]):
            m = m * powers[:, s]
        return self.N @ (k[self.pidx] * m)

    def derivatives(self, y, k, second=False):
        """F, J = dF/dy, Fp = dF/dk (and d2m, dm when ``second``)."""
        base = np.append(y, 1.0)[self.idx]
        order = self.order
        powers = base ** order
        dpow = order * base ** np.maximum(order - 1, 0)
        width = order.shape[1]
        excl = np.empty_like(powers)
        for s in range(width):
            excl[:, s] = np.prod(np.delete(powers, s, axis=1), axis=1)
        m = np.prod(powers, axis=1)
        kr = k[self.pidx]
        dm = np.zeros((self.nr, self.n + 1))
        dm[self.rows, self.idx] = dpow * excl
        dm = dm[:, :self.n]
        F = self.N @ (kr * m)
        J = self.N @ (kr[:, None] * dm)
        Fp = self.N @ (m[:, None] * self.A)
        if not second:
            return F, J, Fp
        d2 = np.zeros((self.nr, self.n + 1, self.n + 1))
        for s in range(width):
            for u in range(width):
                if s == u:
                    val = order[:, s] * (order[:, s] - 1) * base[:, s] ** np.maximum(
                        order[:, s] - 2, 0) * excl[:, s]
                else:
                    rest = np.prod(np.delete(powers, [s, u], axis=1), axis=1)
                    val = dpow[:, s] * dpow[:, u] * rest
                d2[np.arange(self.nr), self.idx[:, s], self.idx[:, u]] = val
        return F, J, Fp, d2[:, :self.n, :self.n], dm

    def sensitivity_rhs(self, z, k):
        n, p = self.n, self.np
        y, S = z[:n], z[n:].reshape(n, p)
        F, J, Fp = self.derivatives(y, k)
        return np.concatenate([F, (J @ S + Fp).ravel()])

    def sensitivity_jac(self, z, k):
        """Exact Jacobian of :meth:`sensitivity_rhs` with respect to z = [y, vec(S)]."""
        n, p = self.n, self.np
        y, S = z[:n], z[n:].reshape(n, p)
        _, J, _, d2, dm = self.derivatives(y, k, second=True)
        Nk = self.N * k[self.pidx]
        # d(J S + Fp)[i, a] / dy[l] = sum_j Nk[i,j] d2[j,q,l] S[q,a] + N[i,j] A[j,a] dm[j,l]
        dSdy = (np.einsum("ij,jql,qa->ial", Nk, d2, S)
                + np.einsum("ij,ja,jl->ial", self.N, self.A, dm))
        out = np.zeros((n * (1 + p), n * (1 + p)))
        out[:n, :n] = J
        out[n:, :n] = dSdy.reshape(n * p, n)
        out[n:, n:] = np.kron(J, np.eye(p))
        return out


class ReactionNetwork:
    """A chemical reaction network with mass-action kinetics.

    Build one with :meth:`from_string`. Species and parameters (rate constants) are
    numbered in order of first appearance in the text; every array argument and result
    uses that order (``y0`` and ``params`` may also be dicts keyed by name).

    Attributes
    ----------
    species : tuple of str
    parameters : tuple of str
    reactions : list of Reaction
        Irreversible reactions (a reversible line gives two).
    defaults : dict of str to float
        Rate values written in the text (``A -> B : k1 = 0.5``), used when ``params``
        leaves them out.

    Examples
    --------
    >>> net = ReactionNetwork.from_string('''
    ...     A -> B : k1       # first step
    ...     B -> C : k2''')
    >>> net.species, net.parameters
    (('A', 'B', 'C'), ('k1', 'k2'))
    >>> net.odes().T
    Matrix([[-A*k1, A*k1 - B*k2, B*k2]])
    >>> net.jacobian(y=[1.0, 0.5, 0.0], params={"k1": 2.0, "k2": 1.0})
    array([[-2.,  0.,  0.],
           [ 2., -1.,  0.],
           [ 0.,  1.,  0.]])
    """

    def __init__(self, reactions: list, defaults: dict | None = None):
        if not reactions or not all(isinstance(r, Reaction) for r in reactions):
            raise CalcmlError("ReactionNetwork needs a non-empty list of Reaction objects; "
                              "use ReactionNetwork.from_string(text)")
        for r in reactions:
            _check_reaction(r)
        self.reactions = list(reactions)
        self.defaults = dict(defaults or {})
        species: list = []
        parameters: list = []
        for r in self.reactions:
            for name in [*r.reactants, *r.products]:
                if name not in species:
                    species.append(name)
            if r.rate not in parameters:
                parameters.append(r.rate)
        clash = [p for p in parameters if p in species]
        if clash:
            raise CalcmlError(f"ReactionNetwork: {clash[0]!r} is both a species and a rate "
                              "constant; rename one of them")
        self.species = tuple(species)
        self.parameters = tuple(parameters)
        self._kernel = _MassAction(self.reactions, self.species, self.parameters)
        self._sym: dict = {}

    @classmethod
    def from_string(cls, text: str) -> "ReactionNetwork":
        """Parse a network written one reaction a line.

        Parameters
        ----------
        text : str
            Lines like ``A -> B : k1``, ``2A + B -> C : k3``, ``A <-> B : kf, kr``,
            ``-> A : k0`` (inflow), ``A -> : kd`` (outflow); ``#`` starts a comment; a
            rate may carry a default value, ``A -> B : k1 = 0.5``.

        Returns
        -------
        ReactionNetwork

        Raises
        ------
        ParseError
            Bad text (the message gives the line number and shows the column), a rate
            name used twice, or a name used both as a species and as a rate.

        Examples
        --------
        >>> net = ReactionNetwork.from_string("A <-> B : kf, kr\\n-> A : k0")
        >>> net.stoichiometry
        array([[-1,  1,  1],
               [ 1, -1,  0]])
        >>> ReactionNetwork.from_string("A -> B k1")
        Traceback (most recent call last):
        ...
        calcml.errors.ParseError: line 1, column 8: expected ': rate' after the reaction, ...
          A -> B k1
                 ^
        """
        reactions, defaults = parse_reactions(text)
        return cls(reactions, defaults)

    def __repr__(self) -> str:
        return f"ReactionNetwork.from_string({self.to_string()!r})"

    def to_string(self) -> str:
        """The network as text, one irreversible reaction a line."""
        return "\n".join(r.describe() for r in self.reactions)

    # ----------------------------------------------------------------- symbolic
    @property
    def species_symbols(self) -> tuple:
        """``sympy.Symbol`` of each species, in ``species`` order."""
        return self._symbols()[0]

    @property
    def parameter_symbols(self) -> tuple:
        """``sympy.Symbol`` of each rate constant, in ``parameters`` order."""
        return self._symbols()[1]

    def _symbols(self):
        if "symbols" not in self._sym:
            import sympy as sp
            self._sym["symbols"] = (tuple(sp.Symbol(s) for s in self.species),
                                    tuple(sp.Symbol(p) for p in self.parameters))
        return self._sym["symbols"]

    @property
    def stoichiometry(self) -> np.ndarray:
        """Net stoichiometry, shape (n_species, n_reactions): products minus reactants."""
        return self._kernel.N.astype(int)

    def rates(self) -> Any:
        """Mass-action rate of each reaction, a SymPy column ``Matrix``."""
        import sympy as sp
        ys, ks = self._symbols()
        sym = dict(zip(self.species, ys))
        par = dict(zip(self.parameters, ks))
        out = []
        for r in self.reactions:
            term = par[r.rate]
            for name, coeff in r.reactants.items():
                term = term * sym[name] ** sp.Integer(coeff)
            out.append(term)
        return sp.Matrix(out)

    def odes(self) -> Any:
        """Right-hand sides dy/dt, a SymPy column ``Matrix`` in ``species`` order.

        Examples
        --------
        >>> ReactionNetwork.from_string("2A + B -> C : k3").odes().T
        Matrix([[-2*A**2*B*k3, -A**2*B*k3, A**2*B*k3]])
        """
        if "odes" not in self._sym:
            import sympy as sp
            N = sp.Matrix(self.stoichiometry.tolist())
            self._sym["odes"] = (N * self.rates()).applyfunc(sp.expand)
        return self._sym["odes"]

    def jacobian(self, y: Any = None, params: Any = None) -> Any:
        """Jacobian ``J[i, j] = d(dy_i/dt)/dy_j`` — symbolic, or numeric at given values.

        Parameters
        ----------
        y : dict or array_like, optional
            States (by name or in ``species`` order). Without ``y`` (and ``params``) the
            result is a SymPy ``Matrix``.
        params : dict or array_like, optional
            Rate constants; defaults from the text fill the gaps.

        Returns
        -------
        sympy.Matrix or ndarray, shape (n_species, n_species)

        Examples
        --------
        >>> net = ReactionNetwork.from_string("2A -> B : k")
        >>> net.jacobian()
        Matrix([
        [-4*A*k, 0],
        [ 2*A*k, 0]])
        >>> net.jacobian({"A": 1.5, "B": 0.0}, {"k": 2.0})
        array([[-12.,   0.],
               [  6.,   0.]])
        """
        if y is None:
            if params is not None:
                raise CalcmlError("jacobian: give y too for a numeric Jacobian (or neither "
                                  "for the symbolic one)")
            if "jac" not in self._sym:
                self._sym["jac"] = self.odes().jacobian(self.species_symbols)
            return self._sym["jac"]
        yv, kv = self._values(y, params, "jacobian", nonnegative_y=False)
        return self._kernel.derivatives(yv, kv)[1]

    def parameter_jacobian(self, y: Any = None, params: Any = None) -> Any:
        """``d(dy_i/dt)/dk_j`` — symbolic, or numeric at given values.

        Parameters
        ----------
        y, params : dict or array_like, optional
            As in :meth:`jacobian`.

        Returns
        -------
        sympy.Matrix or ndarray, shape (n_species, n_parameters)

        Examples
        --------
        >>> ReactionNetwork.from_string("A -> B : k1\\nB -> C : k2").parameter_jacobian()
        Matrix([
        [-A,  0],
        [ A, -B],
        [ 0,  B]])
        """
        if y is None:
            if params is not None:
                raise CalcmlError("parameter_jacobian: give y too for a numeric Jacobian (or "
                                  "neither for the symbolic one)")
            if "pjac" not in self._sym:
                self._sym["pjac"] = self.odes().jacobian(self.parameter_symbols)
            return self._sym["pjac"]
        yv, kv = self._values(y, params, "parameter_jacobian", nonnegative_y=False)
        return self._kernel.derivatives(yv, kv)[2]

    # ------------------------------------------------------------------ numeric
    def _values(self, y, params, where, nonnegative_y=True):
        yv = coerce_values(y, self.species, "species", where, nonnegative=nonnegative_y)
        kv = coerce_values(params, self.parameters, "rate constant", where, self.defaults)
        return yv, kv

    def rhs(self, t: float, y: Any, params: Any) -> Any:
        """dy/dt at arrays ``y`` (species order) and ``params`` (parameters order).

        Plain NumPy with no checks, so :mod:`calcml.ad` differentiates it and
        ``solve_ivp`` can call it; use :meth:`odes` for the formulas.

        Examples
        --------
        >>> import numpy as np
        >>> net = ReactionNetwork.from_string("A -> B : k1")
        >>> net.rhs(0.0, np.array([2.0, 0.0]), np.array([0.5]))
        array([-1.,  1.])
        """
        return self._kernel.rhs(y, params)

    def simulate(self, y0: Any, params: Any = None, t: Any = None, *, method: str = "LSODA",
                 rtol: float = 1e-8, atol: Any = 1e-10, exact_jacobian: bool = True,
                 **options: Any) -> Trajectory:
        """Integrate the mass-action ODEs with ``scipy.integrate.solve_ivp``.

        Parameters
        ----------
        y0 : dict or array_like
            Initial concentrations (>= 0), by name (str or SymPy symbol) or in
            ``species`` order.
        params : dict or array_like, optional
            Rate constants (>= 0); defaults from the text fill the gaps.
        t : float or array_like
            A final time (start at 0, output at the solver's steps) or strictly increasing
            output times (the first is the initial time).
        method : str, default: "LSODA"
            Any ``solve_ivp`` method. LSODA switches between non-stiff and stiff
            (BDF) formulas by itself; "Radau" and "BDF" are stiff too.
        rtol, atol : float, default: 1e-8, 1e-10
            Solver tolerances (tighter than SciPy's defaults); ``atol`` may also be one
            value per species.
        exact_jacobian : bool, default: True
            Give the implicit methods the exact Jacobian (else they difference ``rhs``).
        **options
            Passed to ``solve_ivp`` (e.g. ``max_step``, ``first_step``).

        Returns
        -------
        Trajectory
            ``t`` (n_t,), ``y`` (n_t, n_species), ``species``, solver counters.

        Examples
        --------
        >>> import numpy as np
        >>> net = ReactionNetwork.from_string("A -> B : k1\\nB -> C : k2")
        >>> tr = net.simulate({"A": 1.0, "B": 0.0, "C": 0.0}, {"k1": 1.0, "k2": 0.5}, [0.0, 2.0])
        >>> tr.y[-1].round(6), round(float(np.exp(-2.0)), 6)
        (array([0.135335, 0.465088, 0.399576]), 0.135335)
        """
        y0v, kv = self._values(y0, params, "simulate")
        kern = self._kernel
        t_out, y, sol = integrate(lambda _t, y: kern.rhs(y, kv),
                                  (lambda _t, y: kern.derivatives(y, kv)[1])
                                  if exact_jacobian else None,
                                  y0v, t, method, rtol, atol, options, "simulate")
        return to_trajectory(t_out, y, self.species, method, sol)

    def sensitivities(self, y0: Any, params: Any = None, t: Any = None, normalized: bool = False,
                      *, method: str = "LSODA", rtol: float = 1e-8, atol: Any = 1e-10,
                      return_trajectory: bool = False, **options: Any) -> Any:
        """Forward sensitivities ``dy_i(t)/dk_j`` of the states to the rate constants.

        The sensitivity matrix S = dy/dk obeys dS/dt = J S + dF/dk with S(t0) = 0; it is
        integrated together with the states as one system of n (1 + p) equations, whose
        exact Jacobian (second derivatives of the mass-action rates included) is given
        to the implicit solvers.

        Parameters
        ----------
        y0, params, t, method, rtol, atol, **options
            As in :meth:`simulate` (``rtol``/``atol`` apply to states and sensitivities; an
            ``atol`` of one value per species applies to that species' sensitivities too).
        normalized : bool, default: False
            Return ``(k_j / y_i) dy_i/dk_j`` (relative change per relative change) instead;
            NaN where ``y_i == 0``, where it is undefined.
        return_trajectory : bool, default: False
            Also return the states, as ``(Trajectory, S)``.

        Returns
        -------
        ndarray, shape (n_t, n_species, n_parameters)
            ``S[time, species, parameter]``; or ``(Trajectory, S)``.

        Examples
        --------
        >>> import numpy as np
        >>> net = ReactionNetwork.from_string("A -> B : k")
        >>> S = net.sensitivities([1.0, 0.0], [2.0], [0.0, 1.0])
        >>> S.shape, round(float(S[-1, 0, 0]), 8), round(float(-np.exp(-2.0)), 8)  # -t e^{-kt}
        ((2, 2, 1), -0.13533528, -0.13533528)
        """
        y0v, kv = self._values(y0, params, "sensitivities")
        kern = self._kernel
        return integrate_sensitivities(lambda _t, z: kern.sensitivity_rhs(z, kv),
                                       lambda _t, z: kern.sensitivity_jac(z, kv), y0v, kv, t,
                                       self.species, normalized, return_trajectory, method,
                                       rtol, atol, options, "sensitivities")

    def check_jacobian(self, candidate: Any, y: Any, params: Any = None,
                       rtol: float = 1e-6) -> Any:
        """Check a claimed Jacobian against this network's ODEs; see :func:`check_jacobian`.

        ``candidate`` is a SymPy matrix in the species and rate symbols (substituted at
        ``y`` and ``params``), an array, or a callable ``candidate(y, params)``.
        """
        from calcml.sensitivity.ode import check_jacobian
        yv, kv = self._values(y, params, "check_jacobian", nonnegative_y=False)
        if hasattr(candidate, "subs"):
            subs = dict(zip(self.species_symbols + self.parameter_symbols,
                            [float(v) for v in (*yv, *kv)]))
            claimed = np.array(candidate.subs(subs).tolist(), dtype=float)
        elif callable(candidate):
            claimed = np.asarray(candidate(yv, kv), dtype=float)
        else:
            claimed = np.asarray(candidate, dtype=float)
        return check_jacobian(self.rhs, claimed, yv, kv, rtol=rtol)
