"""Sequential minimal optimization for the SVM dual (Platt 1998; Fan, Chen, Lin 2005).

The dual of the soft-margin SVM with labels ``y_i = +-1``::

    minimize    f(a) = 1/2 a^T Q a - sum(a),      Q_ij = y_i y_j K(x_i, x_j)
    subject to  y^T a = 0,   0 <= a_i <= C        (C = inf: hard margin, a_i >= 0)

Each iteration changes two multipliers ``a_i, a_j`` along ``y_i da_i + y_j da_j = 0``
and solves that one-dimensional problem exactly, clipped to the box. With
``G = Q a - 1`` and ``s_t = -y_t G_t``, the sets where a multiplier may move up or down
are ``I_up = {t : y_t = +1, a_t < C  or  y_t = -1, a_t > 0}`` and
``I_low = {t : y_t = +1, a_t > 0  or  y_t = -1, a_t < C}``, and ``a`` is optimal
(KKT) iff ``m(a) = max_{I_up} s <= M(a) = min_{I_low} s``.

Working set (WSS2, second-order): ``i = argmax_{I_up} s``, and among ``t`` in ``I_low``
with ``b_t = s_i - s_t > 0``, ``j = argmin -b_t^2 / a_t`` where
``a_t = K_ii + K_tt - 2 K_it`` (``tau = 1e-12`` when not positive): ``-b_t^2 / (2 a_t)``
is the change of ``f`` the pair ``(i, t)`` would give without the box.

Stopping rule: ``m(a) - M(a) < tol`` (libsvm's ``eps``). Every NumPy operation of an
iteration is over the active multipliers at once (no Python loop over samples); only
the two kernel rows ``K_i, K_j`` are needed, from
:class:`calcml.models._kernels.KernelRows`. Shrinking (see :func:`smo`) sets aside
multipliers stuck at a bound.
"""
from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from scipy.linalg.blas import daxpy

__all__ = ["SMOResult", "smo", "intercept_from_gradient"]

TAU = 1e-12
# Hard margin: stop when sum(a) * max K_ii exceeds this; sum(a) = ||w||^2 = 1/margin^2,
# so this means a margin below 1e-6 of the data's scale: the classes (nearly) overlap.
_DIVERGED = 1e12


@dataclass
class SMOResult:
    """What :func:`smo` returns.

    ``status``: 0 converged (``gap < tol``); 1 stopped at ``max_iter``; 2 hard margin
    diverging (the classes are not separable by the kernel).
    """

    alpha: np.ndarray
    rho: float
    n_iter: int
    gap: float
    status: int
    objective: float


def intercept_from_gradient(alpha: np.ndarray, s: np.ndarray, y: np.ndarray, C: float,
                            atol: float = 0.0) -> float:
    """``rho`` of the decision ``f(x) = sum_i y_i a_i K(x_i, x) - rho`` (libsvm's rule).

    ``s = -y * G`` at the solution. For a free multiplier (``atol < a_i < C - atol``) the
    KKT conditions give ``rho = y_i G_i = -s_i``; ``rho`` is their mean, or, when no
    multiplier is free, the middle of the interval the bounded ones allow.
    """
    yG = -s
    at_upper = alpha >= C - atol
    at_lower = alpha <= atol
    free = ~(at_upper | at_lower)
    if np.any(free):
        return float(np.mean(yG[free]))
    pos = y > 0
    # y*G <= rho for (upper, y=+1) and (lower, y=-1); >= rho for the other two.
    ub_set = (at_upper & ~pos) | (at_lower & pos)
    lb_set = (at_upper & pos) | (at_lower & ~pos)
    ub = float(np.min(yG[ub_set])) if np.any(ub_set) else np.inf
    lb = float(np.max(yG[lb_set])) if np.any(lb_set) else -np.inf
    if np.isfinite(ub) and np.isfinite(lb):
        return 0.5 * (ub + lb)
    return ub if np.isfinite(ub) else lb


def smo(rows, y: np.ndarray, C: float, *, tol: float = 1e-3, max_iter: int = 100_000,
        shrinking: bool = True) -> SMOResult:
    """Solve the SVM dual by SMO with second-order working-set selection.

    Parameters
    ----------
    rows : KernelRows
        ``rows[i]`` is row ``i`` of the kernel matrix, ``rows.row_quad(i)`` that row and
        the second-order denominators ``max(K_ii + K_tt - 2 K_it, tau)``, ``rows.diag``
        the diagonal; ``rows.subset(idx)`` and ``rows.block(r, c)`` serve the shrinking.
    y : ndarray of +1.0 / -1.0, shape (n,)
    C : float
        Box bound; ``inf`` for the hard margin.
    tol : float
        Stop when the KKT gap ``m(a) - M(a)`` is below ``tol``.
    max_iter : int
    shrinking : bool
        libsvm's shrinking: every ``min(n, 1000)`` iterations, multipliers at a bound
        that the KKT conditions say will stay there (at a bound, in only one of
        ``I_up``/``I_low``, and beyond ``m`` or ``M``) leave the working problem, so
        the vector operations run over fewer samples. Before stopping, the full gradient
        is rebuilt (``s = y - K[:, SV] (y a)[SV]``) and the KKT gap checked on all
        samples; the first time the gap falls below ``10 tol`` everything is put back.

    Returns
    -------
    SMOResult

    Examples
    --------
    Seed 004's three points, ``(0, 0)`` in class -1 and ``(1, 2)``, ``(2, 1)`` in +1:

    >>> from calcml.models._kernels import KernelRows
    >>> X = np.array([[0.0, 0.0], [1.0, 2.0], [2.0, 1.0]]); y = np.array([-1.0, 1.0, 1.0])
    >>> res = smo(KernelRows("linear", X), y, np.inf, tol=1e-9)
    >>> w = (res.alpha * y) @ X
    >>> w.round(9).tolist(), round(-res.rho, 9), res.status, round(res.objective, 9)
    ([0.666666667, 0.666666667], -1.0, 0, -0.444444444)
    """
    n = y.shape[0]
    C = float(C)
    y = np.where(y > 0, 1.0, -1.0)
    alpha = np.zeros(n)
    s = y.copy()                                # s = -y * G with G = -1 at a = 0
    full_rows, sub = rows, rows
    act = np.arange(n)
    diverge_at = (_DIVERGED / max(float(np.max(rows.diag, initial=0.0)), 1e-300)
                  if not np.isfinite(C) else np.inf)
    period = min(n, 1000) if shrinking else max_iter
    counter, it, unshrunk = period, 0, False
    status, gap = 1, np.inf

    def rebuild() -> None:
        """s = y - K (y a) on the samples set aside (the active ones are up to date)."""
        sv = np.flatnonzero(alpha)
        out = np.setdiff1d(np.arange(n), act, assume_unique=True)
        ya = y[sv] * alpha[sv]
        for lo in range(0, out.size, 1024):         # blocks of 1024 rows: bounded memory
            rows_ = out[lo: lo + 1024]
            s[rows_] = y[rows_] - full_rows.block(rows_, sv) @ ya

    while True:
        budget = min(counter, max_iter - it)
        a_act, s_act, used, st, gap = _smo_active(
            sub, y[act], C, alpha[act], s[act], tol, budget,
            diverge_at - (alpha.sum() - alpha[act].sum()))
        alpha[act], s[act] = a_act, s_act
        it += used
        if st == 2:
            status = 2
            break
        if st == 0:                             # converged on the active samples
            if act.size == n:
                status = 0
                break
            rebuild()
            act, sub, unshrunk = np.arange(n), full_rows, True
            gap = _gap(alpha, s, y, C)
            if gap < tol:
                status = 0
                break
            counter = 1                        # shrink again at once
            continue
        if it >= max_iter:
            break
        # shrinking
        counter = period
        a_act, s_act, y_act = alpha[act], s[act], y[act]
        up, low = _up_low(a_act, y_act, C)
        m = float(np.max(s_act[up], initial=-np.inf))
        M = float(np.min(s_act[low], initial=np.inf))
        if not unshrunk and m - M <= 10 * tol:
            unshrunk = True
            if act.size < n:
                rebuild()
                act, sub = np.arange(n), full_rows
                a_act, s_act, y_act = alpha, s, y
                up, low = _up_low(a_act, y_act, C)
                m = float(np.max(s_act[up], initial=-np.inf))
                M = float(np.min(s_act[low], initial=np.inf))
        out = (low & ~up & (s_act > m)) | (up & ~low & (s_act < M))
        if np.any(out):
            keep = np.flatnonzero(~out)
            act, sub = act[keep], sub.subset(keep)
    if status != 0 and act.size < n:
        rebuild()
    rho = intercept_from_gradient(alpha, s, y, C)
    # with G = Q a - 1: f(a) = 1/2 a^T Q a - sum(a) = 1/2 a . (G - 1)
    objective = 0.5 * float(alpha @ (-y * s - 1.0))
    return SMOResult(alpha=alpha, rho=rho, n_iter=it, gap=float(gap), status=status,
                     objective=objective)


def _up_low(alpha: np.ndarray, y: np.ndarray, C: float) -> tuple[np.ndarray, np.ndarray]:
    pos = y > 0
    below, above = alpha < C, alpha > 0
    return (pos & below) | (~pos & above), (pos & above) | (~pos & below)


def _gap(alpha: np.ndarray, s: np.ndarray, y: np.ndarray, C: float) -> float:
    up, low = _up_low(alpha, y, C)
    return float(np.max(s[up], initial=-np.inf) - np.min(s[low], initial=np.inf))


def _smo_active(rows, y: np.ndarray, C: float, alpha: np.ndarray, s: np.ndarray, tol: float,
                max_iter: int, diverge_at: float
                ) -> tuple[np.ndarray, np.ndarray, int, int, float]:
    """SMO iterations on the active samples: ``(alpha, s, n_iter, status, gap)``.

    ``status`` 0: gap below ``tol``; 1: ``max_iter`` iterations done; 2: the multipliers
    summed past ``diverge_at``.
    """
    n = y.shape[0]
    if n < 2:
        return alpha, s, 0, 0, -np.inf
    yl = y.tolist()
    QD = rows.diag.tolist()
    al = alpha.tolist()                        # multipliers, as Python floats
    s = s.copy()
    up, low = _up_low(alpha, y, C)
    up_pen = np.where(up, 0.0, -np.inf)        # 0 on I_up, -inf elsewhere
    low_pen = np.where(low, 0.0, np.inf)       # 0 on I_low, +inf elsewhere
    hard = not np.isfinite(C)
    b = np.empty(n)
    t2 = np.empty(n)
    gap = np.inf
    for it in range(max_iter):
        np.add(s, up_pen, out=b)
        i = int(b.argmax())
        s_max = b.item(i)
        np.add(s, low_pen, out=t2)              # s on I_low, +inf elsewhere
        gap = s_max - t2.item(t2.argmin())
        if gap < tol:
            return np.array(al), s, it, 0, gap
        # j = argmax over I_low of max(s_i - s_t, 0)^2 / (K_ii + K_tt - 2 K_it)
        np.subtract(s_max, t2, out=b)
        np.maximum(b, 0.0, out=b)
        np.multiply(b, b, out=b)
        Ki, Qi = rows.row_quad(i)
        np.divide(b, Qi, out=b)
        j = int(b.argmax())
        Kj = rows[j]
        # Two-variable update (libsvm's Solver::Solve), in terms of G = -y s.
        yi, yj = yl[i], yl[j]
        Gi, Gj = -yi * s.item(i), -yj * s.item(j)
        ai, aj = al[i], al[j]
        q = max(QD[i] + QD[j] - 2.0 * Ki.item(j), TAU)
        if yi != yj:
            delta = (-Gi - Gj) / q
            diff = ai - aj
            ni, nj = ai + delta, aj + delta
            if diff > 0:
                if nj < 0:
                    nj, ni = 0.0, diff
                if ni > C:
                    ni, nj = C, C - diff
            else:
                if ni < 0:
                    ni, nj = 0.0, -diff
                if nj > C:
                    nj, ni = C, C + diff
        else:
            delta = (Gi - Gj) / q
            total = ai + aj
            ni, nj = ai - delta, aj + delta
            if total > C:
                if ni > C:
                    ni, nj = C, total - C
                if nj > C:
                    nj, ni = C, total - C
            else:
                if nj < 0:
                    nj, ni = 0.0, total
                if ni < 0:
                    ni, nj = 0.0, total
        al[i], al[j] = ni, nj
        # s = -y G changes by -y (Q_i da_i + Q_j da_j) = -(y_i da_i K_i + y_j da_j K_j)
        s = daxpy(Ki, s, a=-yi * (ni - ai))      # BLAS axpy, in place: one call
        s = daxpy(Kj, s, a=-yj * (nj - aj))
        for t, at in ((i, ni), (j, nj)):
            if yl[t] > 0:
                up_pen[t] = 0.0 if at < C else -np.inf
                low_pen[t] = 0.0 if at > 0 else np.inf
            else:
                up_pen[t] = 0.0 if at > 0 else -np.inf
                low_pen[t] = 0.0 if at < C else np.inf
        if hard and it % 256 == 255 and sum(al) > diverge_at:
            return np.array(al), s, it + 1, 2, gap
    return np.array(al), s, max_iter, 1, gap
