"""Machine-learning figures: loss curves, decision boundaries, SVM margins, sensitivities."""
from __future__ import annotations

from typing import Any

import numpy as np

from calcml.errors import CalcmlError, DimensionError
from calcml.plot._common import PALETTE, new_figure

__all__ = ["loss_curve", "decision_boundary", "svm_margin", "sensitivity"]


def _losses(obj: Any) -> np.ndarray:
    for attr in ("loss_curve_", "losses"):
        if isinstance(obj, dict) and attr in obj:
            obj = obj[attr]
            break
        if hasattr(obj, attr) and not isinstance(obj, (list, tuple, np.ndarray)):
            obj = getattr(obj, attr)
            break
    arr = np.asarray(obj, dtype=float).ravel()
    if arr.size == 0:
        raise CalcmlError("loss_curve needs at least one loss value")
    return arr


def loss_curve(losses: Any, *, log: bool | None = None, labels: Any = None):
    """The training loss against the iteration.

    Parameters
    ----------
    losses : sequence of float, OptimizeResult, fitted model, or dict ``label -> any of these``
        Values, a result's ``losses`` or a model's ``loss_curve_``.
    log : bool, optional
        Logarithmic y axis; default: when the positive losses span more than 100x.
    labels : sequence of str, optional
        Line labels, for a list of curves.

    Returns
    -------
    matplotlib.figure.Figure
        One line per curve.

    Examples
    --------
    >>> fig = loss_curve([4.0, 2.0, 1.0, 0.5])
    >>> fig.axes[0].lines[0].get_ydata().tolist()
    [4.0, 2.0, 1.0, 0.5]
    """
    if isinstance(losses, dict) and not ({"losses", "loss_curve_"} & set(losses)):
        curves = [(str(k), _losses(v)) for k, v in losses.items()]
    elif isinstance(losses, (list, tuple)) and losses and not np.isscalar(losses[0]):
        names = labels or [f"run {i + 1}" for i in range(len(losses))]
        curves = [(str(n_), _losses(v)) for n_, v in zip(names, losses)]
    else:
        curves = [(labels[0] if labels else "loss", _losses(losses))]
    fig, (ax,) = new_figure()
    for i, (lbl, c) in enumerate(curves):
        ax.plot(np.arange(len(c)), c, color=PALETTE[i % len(PALETTE)], lw=2, label=lbl)
    allv = np.concatenate([c for _, c in curves])
    pos = allv[np.isfinite(allv) & (allv > 0)]
    if log is None:
        log = pos.size == allv.size and pos.size > 0 and pos.max() / pos.min() > 100
    if log:
        ax.set_yscale("log")
    ax.set_xlabel("iteration")
    ax.set_ylabel("loss")
    ax.set_title("Training loss")
    if len(curves) > 1 or curves[0][0] != "loss":
        ax.legend()
    return fig


def _xy(X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
    X = np.asarray(X, dtype=float)
    y = np.asarray(y).ravel()
    if X.ndim != 2 or X.shape[1] != 2:
        raise DimensionError(f"these plots need 2 features: X must have shape (n, 2), "
                             f"got {X.shape}")
    if len(y) != len(X):
        raise DimensionError(f"X has {len(X)} rows but y has {len(y)} labels")
    return X, y


def _mesh(X: np.ndarray, n: int, pad: float = 0.5):
    lo, hi = X.min(axis=0) - pad, X.max(axis=0) + pad
    return np.meshgrid(np.linspace(lo[0], hi[0], n), np.linspace(lo[1], hi[1], n))


def _scatter(ax: Any, X: np.ndarray, y: np.ndarray) -> None:
    for i, c in enumerate(np.unique(y)):
        m = y == c
        ax.scatter(X[m, 0], X[m, 1], s=30, color=PALETTE[i % len(PALETTE)],
                   edgecolor="black", linewidth=0.5, label=f"class {c}", zorder=3)


def decision_boundary(model: Any, X: Any, y: Any, *, n: int = 200, proba: bool = False):
    """The regions a fitted classifier assigns, with the data on top.

    Parameters
    ----------
    model : fitted classifier
        With ``predict`` (and ``decision_function`` or ``predict_proba`` to draw the
        boundary line).
    X : array, shape (n_samples, 2)
    y : array, shape (n_samples,)
    n : int, default: 200
        Grid points per axis.
    proba : bool, default: False
        Shade by ``predict_proba[:, 1]`` instead of the predicted class.

    Returns
    -------
    matplotlib.figure.Figure
        Filled regions, the boundary contour, one scatter per class.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import LogisticRegression
    >>> X = np.array([[0., 0.], [1., 1.], [3., 3.], [4., 4.]]); y = np.array([0, 0, 1, 1])
    >>> fig = decision_boundary(LogisticRegression().fit(X, y), X, y, n=20)
    >>> len(fig.axes[0].collections) >= 3
    True
    """
    X, y = _xy(X, y)
    XX, YY = _mesh(X, int(n))
    grid = np.c_[XX.ravel(), YY.ravel()]
    fig, (ax,) = new_figure(figsize=(6.0, 5.0))
    classes = np.unique(y)
    if proba and hasattr(model, "predict_proba"):
        Z = np.asarray(model.predict_proba(grid))[:, -1].reshape(XX.shape)
        cs = ax.contourf(XX, YY, Z, levels=20, cmap="RdBu_r", alpha=0.5)
        fig.colorbar(cs, ax=ax, label="P(class 1)")
        ax.contour(XX, YY, Z, levels=[0.5], colors="black", linewidths=1.5)
    else:
        pred = np.asarray(model.predict(grid)).reshape(XX.shape)
        codes = np.searchsorted(classes, pred).astype(float)
        ax.contourf(XX, YY, codes, levels=np.arange(len(classes) + 1) - 0.5, cmap="RdBu_r",
                    alpha=0.35)
        if len(classes) == 2 and hasattr(model, "decision_function"):
            D = np.asarray(model.decision_function(grid), dtype=float).reshape(XX.shape)
            ax.contour(XX, YY, D, levels=[0.0], colors="black", linewidths=1.5)
        else:
            ax.contour(XX, YY, codes, levels=np.arange(len(classes) - 1) + 0.5,
                       colors="black", linewidths=1.5)
    _scatter(ax, X, y)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(f"Decision boundary of {type(model).__name__}")
    ax.legend(loc="best")
    return fig


def svm_margin(model: Any, X: Any, y: Any, *, n: int = 200):
    """An SVM's separating line, its margins (decision function = ±1) and support vectors.

    Parameters
    ----------
    model : fitted calcml.models.SVC (or any binary classifier with
        ``decision_function`` and ``support_vectors_``)
    X : array, shape (n_samples, 2)
    y : array, shape (n_samples,)
    n : int, default: 200

    Returns
    -------
    matplotlib.figure.Figure
        A contour set at levels (-1, 0, 1), the classes, and the support vectors circled
        (the last collection, its offsets = ``support_vectors_``).

    Examples
    --------
    >>> import numpy as np
    >>> from calcml.models import SVC
    >>> X = np.array([[1., 1.], [2., 2.], [0., 3.]]); y = np.array([1, 1, -1])
    >>> m = SVC(kernel="linear", C=1e6).fit(X, y)
    >>> fig = svm_margin(m, X, y, n=30)
    >>> fig.axes[0].collections[-1].get_offsets().shape[0] == len(m.support_vectors_)
    True
    """
    X, y = _xy(X, y)
    if not hasattr(model, "decision_function"):
        raise CalcmlError("svm_margin needs a fitted model with decision_function")
    XX, YY = _mesh(X, int(n))
    D = np.asarray(model.decision_function(np.c_[XX.ravel(), YY.ravel()]),
                   dtype=float).reshape(XX.shape)
    fig, (ax,) = new_figure(figsize=(6.0, 5.0))
    lim = max(float(np.abs(D).max()), 1.5)
    ax.contourf(XX, YY, D, levels=np.linspace(-lim, lim, 21), cmap="RdBu_r", alpha=0.3)
    ax.contour(XX, YY, D, levels=[-1.0, 0.0, 1.0], colors="black",
               linestyles=["--", "-", "--"], linewidths=[1, 2, 1])
    _scatter(ax, X, y)
    sv = np.asarray(getattr(model, "support_vectors_", np.empty((0, 2))), dtype=float)
    title = f"SVM ({getattr(model, 'kernel', '')} kernel): margin and support vectors"
    coef = getattr(model, "coef_", None) if getattr(model, "kernel", "") == "linear" else None
    if coef is not None:
        w = np.asarray(coef, dtype=float).ravel()
        if np.linalg.norm(w) > 0:
            title += f", width $2/\\|w\\|$ = {2 / np.linalg.norm(w):.4g}"
    ax.scatter(sv[:, 0], sv[:, 1], s=180, facecolors="none", edgecolors="black",
               linewidths=1.5, label=f"support vectors ({len(sv)})", zorder=4)
    ax.set_xlabel("$x_1$")
    ax.set_ylabel("$x_2$")
    ax.set_title(title)
    ax.legend(loc="best")
    return fig


def sensitivity(trajectory: Any, S: Any = None, *, parameters: Any = None,
                normalized: bool = False):
    """State trajectories and, if given, the sensitivities ``dy_i/dk_j`` over time.

    Parameters
    ----------
    trajectory : calcml.sensitivity.Trajectory, or ``(Trajectory, S)``
        As returned by ``simulate`` or ``sensitivities(..., return_trajectory=True)``.
    S : array, shape (n_t, n_species, n_parameters), optional
        Sensitivities at the trajectory's times; a second panel shows one curve each.
    parameters : sequence of str, optional
        Parameter names for the legend (default k1, k2, ...).
    normalized : bool, default: False
        Label the curves as normalized sensitivities.

    Returns
    -------
    matplotlib.figure.Figure
        One axes (states, one line per species), two with ``S``.

    Examples
    --------
    >>> from calcml.sensitivity import ReactionNetwork
    >>> net = ReactionNetwork.from_string("A -> B : k1\\nB -> C : k2")
    >>> tr, S = net.sensitivities({"A": 1.0, "B": 0, "C": 0}, {"k1": 1.0, "k2": 0.5}, 10,
    ...                           return_trajectory=True)
    >>> fig = sensitivity(tr, S, parameters=net.parameters)
    >>> len(fig.axes), len(fig.axes[1].lines)   # 3 species x 2 parameters, and y = 0
    (2, 7)
    """
    if isinstance(trajectory, tuple) and len(trajectory) == 2 and S is None:
        trajectory, S = trajectory
    t = np.asarray(trajectory.t, dtype=float)
    Y = np.asarray(trajectory.y, dtype=float)
    species = tuple(getattr(trajectory, "species", ())) or tuple(
        f"y{i}" for i in range(Y.shape[1]))
    fig, axes = new_figure(2 if S is not None else 1)
    ax = axes[0]
    for i, s in enumerate(species):
        ax.plot(t, Y[:, i], color=PALETTE[i % len(PALETTE)], lw=2, label=f"[{s}]")
    ax.set_xlabel("$t$")
    ax.set_ylabel("concentration")
    ax.set_title("Trajectories")
    ax.legend()
    if S is not None:
        S = np.asarray(S, dtype=float)
        if S.ndim != 3 or S.shape[:2] != Y.shape:
            raise DimensionError(f"S must have shape (n_t, n_species, n_parameters) = "
                                 f"{Y.shape + ('p',)}, got {S.shape}")
        names = list(parameters) if parameters is not None else [
            f"k{j + 1}" for j in range(S.shape[2])]
        styles = ["-", "--", ":", "-."]
        ax2 = axes[1]
        for i, s in enumerate(species):
            for j, p in enumerate(names):
                ax2.plot(t, S[:, i, j], color=PALETTE[i % len(PALETTE)],
                         ls=styles[j % len(styles)], lw=1.8,
                         label=rf"$\partial {s}/\partial {p}$")
        ax2.axhline(0, color="black", lw=0.8)
        ax2.set_xlabel("$t$")
        ax2.set_ylabel("normalized sensitivity" if normalized else "sensitivity")
        ax2.set_title(r"Sensitivities $\partial y_i/\partial k_j$")
        ax2.legend(fontsize="small", ncol=max(1, len(names) // 2))
    return fig
