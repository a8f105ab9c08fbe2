"""Multi-layer perceptrons trained by backpropagation — by hand or by automatic differentiation.

One forward pass, two ways to get its gradient:

* ``backprop="manual"`` — the textbook chain rule, layer by layer (seed 000 section 4,
  seed 004 lesson 5, with the seed's ``dsigmoid`` and loss scaling corrected): from
  ``dL/dz`` of the output layer, ``dL/dW = a_prev^T dL/dz``, ``dL/db = sum(dL/dz)``,
  ``dL/da_prev = dL/dz W^T`` (the layer's Jacobian transposed), and
  ``dL/dz_prev = dL/da_prev * f'(z_prev)``.
* ``backprop="ad"`` — :func:`calcml.value_and_grad` of the very same forward pass and
  loss, written in plain NumPy.

For the same ``random_state`` both give the same gradients (to rounding, ~1e-15) and the
same ``loss_curve_``. The loss is a name (``"log_loss"``, ``"squared_error"``, any key
of :data:`calcml.nn.LOSSES`) or any plain differentiable function
``loss(y_true, y_pred)`` returning the mean over samples — for ``backprop="manual"``
the derivative of a custom loss with respect to ``y_pred`` is taken by AD and the rest
of the chain by hand.
"""
from __future__ import annotations

from numbers import Integral, Real
from typing import Any, Callable

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from calcml.ad import grad as ad_grad
from calcml.ad import value_and_grad
from calcml.errors import ConvergenceError
from calcml.models._validation import (InvalidInputError, check_data, encode_classes,
                                       minimize_lbfgs, warn_not_converged)
from calcml.nn.activations import ACTIVATIONS, activation_vjp, sigmoid, softmax
from calcml.nn.layers import dense_jacobian
from calcml.nn.losses import (LOSS_DERIVATIVES, LOSSES, binary_cross_entropy_from_logits,
                              cross_entropy_from_logits)
from calcml.optimize import adam, sgd

__all__ = ["MLPClassifier", "MLPRegressor"]

_HIDDEN = {"identity", "logistic", "sigmoid", "tanh", "relu", "softplus"}
_LOG_LOSS = {"log_loss", "cross_entropy", "binary_cross_entropy"}


# --------------------------------------------------------------------- the model
class _BaseMLP(BaseEstimator):
    """Shared fitting code; subclasses set the output activation, targets and loss."""

    _parameter_constraints: dict = {
        "hidden_layer_sizes": ["array-like", Interval(Integral, 1, None, closed="left")],
        "activation": [StrOptions(_HIDDEN)],
        "solver": [StrOptions({"gd", "sgd", "adam", "lbfgs"})],
        "alpha": [Interval(Real, 0, None, closed="left")],
        "batch_size": [StrOptions({"auto"}), Interval(Integral, 1, None, closed="left")],
        "learning_rate": [Interval(Real, 0, None, closed="neither")],
        "momentum": [Interval(Real, 0, 1, closed="left")],
        "max_iter": [Interval(Integral, 1, None, closed="left")],
        "tol": [Interval(Real, 0, None, closed="left")],
        "n_iter_no_change": [Interval(Integral, 1, None, closed="left")],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "backprop": [StrOptions({"ad", "manual"})],
        "loss": [StrOptions(set(LOSSES)), callable],
    }

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 1e-4, batch_size: int | str = "auto",
                 learning_rate: float = 1e-3, momentum: float = 0.9, max_iter: int = 200,
                 tol: float = 1e-4, n_iter_no_change: int = 10, shuffle: bool = True,
                 random_state: Any = None, backprop: str = "ad",
                 loss: str | Callable = "log_loss") -> None:
        self.hidden_layer_sizes = hidden_layer_sizes
        self.activation = activation
        self.solver = solver
        self.alpha = alpha
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.momentum = momentum
        self.max_iter = max_iter
        self.tol = tol
        self.n_iter_no_change = n_iter_no_change
        self.shuffle = shuffle
        self.random_state = random_state
        self.backprop = backprop
        self.loss = loss

    # Subclasses set the output activation and define _encode_targets(y) -> (n, n_outputs)
    # and _check_targets(X, y) -> (X, Y) (validated, for loss_gradient).
    _out_activation_: str

    # -- loss pieces
    def _logit_loss(self) -> Callable | None:
        """The exact from-logits loss when the classifier's loss is the log-loss."""
        named_log_loss = isinstance(self.loss, str) and self.loss in _LOG_LOSS
        if named_log_loss and self._out_activation_ != "identity":
            return (binary_cross_entropy_from_logits if self._out_activation_ == "sigmoid"
                    else cross_entropy_from_logits)
        return None

    def _loss_fn(self) -> Callable:
        return LOSSES[self.loss] if isinstance(self.loss, str) else self.loss

    def _forward(self, params: list, X: Any) -> Any:
        """Output-layer pre-activation ``z_L`` (plain NumPy: traced by the AD path)."""
        act = ACTIVATIONS[self.activation]
        a = X
        n_layers = len(params) // 2
        for i in range(n_layers):
            z = a @ params[2 * i] + params[2 * i + 1]
            if i < n_layers - 1:
                a = act(z)
        return z

    def _objective(self, params: list, X: Any, Y: np.ndarray) -> Any:
        """Data loss plus ``alpha / (2 n) * sum ||W||^2`` (scikit-learn's L2 term)."""
        z = self._forward(params, X)
        logit_loss = self._logit_loss()
        if logit_loss is not None:
            data = logit_loss(Y, z)
        else:
            data = self._loss_fn()(Y, ACTIVATIONS[self._out_activation_](z))
        if self.alpha:
            data = data + 0.5 * self.alpha * sum(np.sum(W * W) for W in params[0::2]) / X.shape[0]
        return data

    def _loss_grad_ad(self, params: list, X: np.ndarray, Y: np.ndarray) -> tuple[float, list]:
        value, grads = value_and_grad(self._objective)(params, X, Y)
        return float(value), list(grads)

    def _loss_grad_manual(self, params: list, X: np.ndarray, Y: np.ndarray) -> tuple[float, list]:
        act_name = self.activation
        act = ACTIVATIONS[act_name]
        n_layers = len(params) // 2
        # forward, keeping every layer's input a and pre-activation z
        inputs, zs, a = [], [], X
        for i in range(n_layers):
            inputs.append(a)
            z = a @ params[2 * i] + params[2 * i + 1]
            zs.append(z)
            if i < n_layers - 1:
                a = act(z)
        z = zs[-1]
        # dL/dz at the output layer
        logit_loss = self._logit_loss()
        if logit_loss is not None:
            value = logit_loss(Y, z)
            p = sigmoid(z) if self._out_activation_ == "sigmoid" else softmax(z)
            dz = (p - Y) / X.shape[0]          # d/dz of the mean cross-entropy of logits
        else:
            out = ACTIVATIONS[self._out_activation_](z)
            loss = self._loss_fn()
            value = loss(Y, out)
            if isinstance(self.loss, str):
                da = LOSS_DERIVATIVES[self.loss](Y, out)
            else:
                da = ad_grad(lambda o: loss(Y, o))(out)
            dz = activation_vjp(self._out_activation_, z, da, out)
        value = float(value)
        grads: list = [None] * len(params)
        scale = self.alpha / X.shape[0]
        for i in range(n_layers - 1, -1, -1):
            W = params[2 * i]
            grads[2 * i] = inputs[i].T @ dz               # dL/dW = a_prev^T dz
            grads[2 * i + 1] = dz.sum(axis=0)             # dL/db
            if self.alpha:
                value += 0.5 * scale * float(np.sum(W * W))
                grads[2 * i] = grads[2 * i] + scale * W
            if i > 0:
                da = dz @ W.T                             # Jacobian^T applied to dz
                dz = activation_vjp(act_name, zs[i - 1], da, inputs[i])
        return value, grads

    def _loss_grad(self, params: list, X: np.ndarray, Y: np.ndarray) -> tuple[float, list]:
        if self.backprop == "ad":
            return self._loss_grad_ad(params, X, Y)
        return self._loss_grad_manual(params, X, Y)

    def loss_gradient(self, X: Any, y: Any, backprop: str | None = None) -> tuple[float, list]:
        """Training loss and its gradient at the fitted parameters.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)
        y : array_like
            Targets as given to ``fit``: labels from ``classes_`` (classifier), or
            ``n_outputs_`` values per sample (regressor).
        backprop : {"ad", "manual"}, optional
            Which backpropagation to use (default: the estimator's ``backprop``).

        Returns
        -------
        loss : float
            The loss minimised by ``fit`` (data loss plus the L2 term).
        gradient : list of ndarray
            ``[dW_1, db_1, dW_2, db_2, ...]``, shaped like ``coefs_``/``intercepts_``.

        Raises
        ------
        calcml.models._validation.InvalidInputError
            ``X`` or ``y`` unusable (NaN, wrong shape, unknown labels, wrong number of
            outputs), with scikit-learn's messages.

        Examples
        --------
        >>> from calcml.datasets import moons
        >>> X, y = moons(n_samples=50)
        >>> clf = MLPClassifier((5,), solver="lbfgs", random_state=0).fit(X, y)
        >>> (la, ga), (lm, gm) = clf.loss_gradient(X, y, "ad"), clf.loss_gradient(X, y, "manual")
        >>> bool(abs(la - lm) < 1e-12), bool(max(abs(a - m).max() for a, m in zip(ga, gm)) < 1e-12)
        (True, True)
        """
        check_is_fitted(self)
        X, Y = self._check_targets(X, y)
        how = self.backprop if backprop is None else backprop
        if how not in ("ad", "manual"):
            raise InvalidInputError(f"backprop must be 'ad' or 'manual', got {backprop!r}")
        fn = self._loss_grad_ad if how == "ad" else self._loss_grad_manual
        return fn(self._params(), X, Y)

    def _params(self) -> list:
        out = []
        for W, b in zip(self.coefs_, self.intercepts_):
            out += [W, b]
        return out

    # -- fitting
    def _initialize(self, sizes: list[int], rng: np.random.RandomState) -> list:
        params = []
        for i, (n_in, n_out) in enumerate(zip(sizes[:-1], sizes[1:])):
            # scikit-learn's scheme: Glorot uniform, factor 2 instead of 6 for sigmoids
            sig = (self.activation in ("logistic", "sigmoid") if i < len(sizes) - 2
                   else self._out_activation_ == "sigmoid")
            bound = np.sqrt((2.0 if sig else 6.0) / (n_in + n_out))
            params += [rng.uniform(-bound, bound, (n_in, n_out)), rng.uniform(-bound, bound, n_out)]
        return params

    def _fit(self, X: np.ndarray, Y: np.ndarray) -> "_BaseMLP":
        hidden = self.hidden_layer_sizes
        hidden = [hidden] if isinstance(hidden, Integral) else list(np.ravel(hidden))
        if any(isinstance(h, (bool, np.bool_)) or not isinstance(h, Integral) or h < 1
               for h in hidden):
            raise InvalidInputError(f"hidden_layer_sizes must be positive integers (one per "
                                    f"hidden layer), got {self.hidden_layer_sizes!r}")
        sizes = [X.shape[1], *[int(h) for h in hidden], Y.shape[1]]
        rng = check_random_state(self.random_state)
        params = self._initialize(sizes, rng)
        self.loss_curve_: list[float] = []
        if self.solver == "lbfgs":
            params = self._fit_lbfgs(params, X, Y)
        else:
            params = self._fit_stochastic(params, X, Y, rng)
        self.coefs_ = params[0::2]
        self.intercepts_ = params[1::2]
        self.n_layers_ = len(sizes)
        self.n_outputs_ = Y.shape[1]
        return self

    def _fit_stochastic(self, params: list, X: np.ndarray, Y: np.ndarray,
                        rng: np.random.RandomState) -> list:
        n = X.shape[0]
        if self.solver == "gd":
            batch = n
        else:
            batch = min(200, n) if self.batch_size == "auto" else min(int(self.batch_size), n)
        opt = adam(self.learning_rate) if self.solver == "adam" else sgd(
            self.learning_rate, momentum=self.momentum if self.solver == "sgd" else 0.0)
        state = opt.init(params)
        best, stall = np.inf, 0
        for epoch in range(self.max_iter):
            order = rng.permutation(n) if self.shuffle and batch < n else np.arange(n)
            total = 0.0
            # Divergence is reported below as a ConvergenceError, not as overflow warnings.
            with np.errstate(over="ignore", invalid="ignore"):
                for start in range(0, n, batch):
                    idx = order[start: start + batch]
                    value, grads = self._loss_grad(params, X[idx], Y[idx])
                    params, state = opt.update(params, grads, state)
                    total += value * len(idx)
            loss = total / n
            if not (np.isfinite(loss) and all(np.all(np.isfinite(p)) for p in params)):
                raise ConvergenceError(
                    f"{type(self).__name__}: the loss became {loss} at epoch {epoch + 1}; the "
                    f"step size learning_rate={self.learning_rate} is too large or the "
                    f"features need scaling (StandardScaler)")
            self.loss_curve_.append(loss)
            self.n_iter_ = epoch + 1
            stall = stall + 1 if loss > best - self.tol else 0
            best = min(best, loss)
            if stall >= self.n_iter_no_change:
                return params
        warn_not_converged(self, f"stochastic optimizer ({self.solver}) reached max_iter="
                                 f"{self.max_iter} epochs without converging; raise max_iter")
        return params

    def _fit_lbfgs(self, params: list, X: np.ndarray, Y: np.ndarray) -> list:
        shapes = [p.shape for p in params]
        cuts = np.cumsum([p.size for p in params])[:-1]

        def unflat(v: np.ndarray) -> list:
            return [part.reshape(s) for part, s in zip(np.split(v, cuts), shapes)]

        def fun_grad(v: np.ndarray) -> tuple[float, np.ndarray]:
            value, grads = self._loss_grad(unflat(v), X, Y)
            return value, np.concatenate([np.ravel(g) for g in grads])

        v, self.n_iter_, ok, self.loss_curve_ = minimize_lbfgs(
            fun_grad, np.concatenate([p.ravel() for p in params]), maxiter=self.max_iter,
            tol=self.tol)
        if not ok:
            warn_not_converged(self, f"L-BFGS did not converge in max_iter={self.max_iter} "
                                     f"iterations; raise max_iter")
        return unflat(v)

    # -- inspection
    def _output(self, X: Any) -> np.ndarray:
        check_is_fitted(self)
        X = check_data(self, X, reset=False)
        return ACTIVATIONS[self._out_activation_](self._forward(self._params(), X))

    def layer_jacobians(self, X: Any) -> list[np.ndarray]:
        """Each layer's Jacobian of its output (after the activation) w.r.t. its input.

        Parameters
        ----------
        X : array_like, shape (n_samples, n_features)

        Returns
        -------
        list of ndarray
            One per layer, shape ``(n_samples, n_out, n_in)``: entry ``[s, k, i]`` is
            ``d a_k / d a_prev_i`` at sample ``s`` — ``diag(f'(z)) W^T`` (seed 004
            lesson 5). Their product, last to first, is the network's Jacobian.

        Examples
        --------
        >>> import calcml as cm
        >>> from calcml.datasets import circles
        >>> X, y = circles(n_samples=50)
        >>> clf = MLPClassifier((4, 3), solver="lbfgs", max_iter=300, random_state=0).fit(X, y)
        >>> J = clf.layer_jacobians(X[:1])
        >>> [j.shape for j in J]
        [(1, 4, 2), (1, 3, 4), (1, 1, 3)]
        >>> W, b = clf.coefs_, clf.intercepts_
        >>> def net(x):
        ...     h = np.maximum(np.maximum(x @ W[0] + b[0], 0) @ W[1] + b[1], 0)
        ...     return cm.nn.sigmoid(h @ W[2] + b[2])
        >>> bool(np.allclose(J[2][0] @ J[1][0] @ J[0][0], cm.jacobian(net)(X[0])))
        True
        """
        check_is_fitted(self)
        X = check_data(self, X, reset=False)
        out, a = [], X
        n_layers = len(self.coefs_)
        for i, (W, b) in enumerate(zip(self.coefs_, self.intercepts_)):
            name = self.activation if i < n_layers - 1 else self._out_activation_
            out.append(dense_jacobian(a, W, b, activation=name))
            a = ACTIVATIONS[name](a @ W + b)
        return out


class MLPClassifier(ClassifierMixin, _BaseMLP):
    """Multi-layer perceptron classifier (sigmoid output for two classes, else softmax).

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default: (100,)
        Width of each hidden layer.
    activation : {"relu", "tanh", "logistic", "sigmoid", "softplus", "identity"}, default: "relu"
        Hidden-layer activation (:data:`calcml.nn.ACTIVATIONS`).
    solver : {"adam", "sgd", "gd", "lbfgs"}, default: "adam"
        ``"gd"``: full-batch gradient descent; ``"sgd"``: mini-batch SGD with
        ``momentum``; ``"adam"``: mini-batch Adam (both steppers from
        :mod:`calcml.optimize`); ``"lbfgs"``: full-batch L-BFGS.
    alpha : float, default: 1e-4
        L2 penalty ``alpha / (2 n) * sum ||W||^2`` (``n`` = batch size).
    batch_size : int or "auto", default: "auto"
        ``min(200, n_samples)``; ignored by ``"gd"`` and ``"lbfgs"``.
    learning_rate : float, default: 1e-3
        Step size of ``"gd"``, ``"sgd"`` and ``"adam"``.
    momentum : float, default: 0.9
        Momentum of ``"sgd"``.
    max_iter : int, default: 200
        Epochs (``"lbfgs"``: iterations).
    tol : float, default: 1e-4
        Stop when the epoch loss has not decreased by ``tol`` for ``n_iter_no_change``
        epochs in a row.
    n_iter_no_change : int, default: 10
    shuffle : bool, default: True
        Shuffle the samples every epoch (mini-batch solvers).
    random_state : int, RandomState or None, default: None
        Seeds the initial weights and the shuffling.
    backprop : {"ad", "manual"}, default: "ad"
        ``"ad"``: :func:`calcml.value_and_grad` of the forward pass; ``"manual"``:
        the hand-written chain rule. Same seed, same gradients and ``loss_curve_``.
    loss : str or callable, default: "log_loss"
        ``"log_loss"`` (= ``"cross_entropy"``/``"binary_cross_entropy"``) is computed
        exactly from the logits; another name of :data:`calcml.nn.LOSSES`, or a function
        ``loss(y_true, y_prob)`` with ``y_true`` of shape ``(n, 1)`` (0/1) for two
        classes and one-hot ``(n, n_classes)`` otherwise, returning the mean over samples.

    Attributes
    ----------
    classes_ : ndarray, shape (n_classes,)
    coefs_ : list of ndarray
        ``coefs_[i]`` has shape ``(n_in, n_out)`` of layer ``i``.
    intercepts_ : list of ndarray
    loss_curve_ : list of float
        Mean loss of each epoch (``"lbfgs"``: of each iteration).
    n_iter_ : int
    n_layers_ : int
    n_outputs_ : int
    n_features_in_ : int
    feature_names_in_ : ndarray of str
        Only when ``X`` has string column names.

    Examples
    --------
    >>> from calcml.datasets import circles
    >>> from calcml.models import MLPClassifier
    >>> X, y = circles(n_samples=200, random_state=0)
    >>> clf = MLPClassifier((8,), solver="lbfgs", max_iter=200, random_state=0).fit(X, y)
    >>> clf.score(X, y) > 0.95, [W.shape for W in clf.coefs_]
    (True, [(2, 8), (8, 1)])
    >>> clf.predict_proba(X[:2]).shape
    (2, 2)
    """

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 1e-4, batch_size: int | str = "auto",
                 learning_rate: float = 1e-3, momentum: float = 0.9, max_iter: int = 200,
                 tol: float = 1e-4, n_iter_no_change: int = 10, shuffle: bool = True,
                 random_state: Any = None, backprop: str = "ad",
                 loss: str | Callable = "log_loss") -> None:
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha,
                         batch_size=batch_size, learning_rate=learning_rate,
                         momentum=momentum, max_iter=max_iter, tol=tol,
                         n_iter_no_change=n_iter_no_change, shuffle=shuffle,
                         random_state=random_state, backprop=backprop, loss=loss)

    def _check_targets(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(X, Y)`` for :meth:`loss_gradient`: ``y`` checked against ``classes_``."""
        X, y = check_data(self, X, y, reset=False)
        unknown = ~np.isin(y, self.classes_)
        if np.any(unknown):
            raise InvalidInputError(
                f"{type(self).__name__}: y contains labels not seen in fit: "
                f"{np.unique(y[unknown]).tolist()!r}; use labels from classes_ = "
                f"{self.classes_.tolist()!r}")
        return X, self._encode_targets(y)

    def _encode_targets(self, y: np.ndarray) -> np.ndarray:
        idx = np.searchsorted(self.classes_, y)
        if self.classes_.size == 2:
            return idx[:, None].astype(float)
        return np.eye(self.classes_.size)[idx]

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> "MLPClassifier":
        """Fit to ``X`` (n_samples, n_features) and class labels ``y`` (n_samples,).

        Returns
        -------
        self
        """
        X, y = check_data(self, X, y)
        self.classes_, _ = encode_classes(self, y)
        self._out_activation_ = "sigmoid" if self.classes_.size == 2 else "softmax"
        return self._fit(X, self._encode_targets(y))

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, shape (n_samples, n_classes), columns in ``classes_`` order.

        Returns
        -------
        ndarray
        """
        check_is_fitted(self)
        out = self._output(X)
        if self.classes_.size == 2:
            return np.column_stack([1.0 - out[:, 0], out[:, 0]])
        return out

    def predict_log_proba(self, X: Any) -> np.ndarray:
        """Logarithm of :meth:`predict_proba` (``-inf`` where a probability underflows to 0,
        as scikit-learn's estimator checks require).

        Returns
        -------
        ndarray
        """
        check_is_fitted(self)
        with np.errstate(divide="ignore"):
            return np.log(self.predict_proba(X))

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each sample.

        Returns
        -------
        ndarray, shape (n_samples,)
        """
        check_is_fitted(self)
        return self.classes_[np.argmax(self.predict_proba(X), axis=1)]


class MLPRegressor(RegressorMixin, _BaseMLP):
    """Multi-layer perceptron regressor (identity output, squared error by default).

    Parameters are those of :class:`MLPClassifier` except ``loss``:

    Parameters
    ----------
    hidden_layer_sizes : int or sequence of int, default: (100,)
    activation : str, default: "relu"
    solver : {"adam", "sgd", "gd", "lbfgs"}, default: "adam"
    alpha : float, default: 1e-4
    batch_size : int or "auto", default: "auto"
    learning_rate : float, default: 1e-3
    momentum : float, default: 0.9
    max_iter : int, default: 200
    tol : float, default: 1e-4
    n_iter_no_change : int, default: 10
    shuffle : bool, default: True
    random_state : int, RandomState or None, default: None
    backprop : {"ad", "manual"}, default: "ad"
    loss : str or callable, default: "squared_error"
        ``"squared_error"`` (= ``"mse"``) or a function ``loss(y_true, y_pred)`` with
        both of shape ``(n, n_outputs)``, returning the mean over samples (the
        log-losses of :data:`calcml.nn.LOSSES` are for classifiers and are refused).

    Attributes
    ----------
    coefs_, intercepts_ : list of ndarray
    loss_curve_ : list of float
    n_iter_, n_layers_, n_outputs_, n_features_in_ : int

    Examples
    --------
    >>> from calcml.datasets import linear
    >>> from calcml.models import MLPRegressor
    >>> X, y, _ = linear(n_samples=100, noise=0.1, random_state=0)
    >>> reg = MLPRegressor((10,), solver="lbfgs", random_state=0).fit(X, y)
    >>> reg.score(X, y) > 0.95
    True
    """

    def __init__(self, hidden_layer_sizes: Any = (100,), activation: str = "relu", *,
                 solver: str = "adam", alpha: float = 1e-4, batch_size: int | str = "auto",
                 learning_rate: float = 1e-3, momentum: float = 0.9, max_iter: int = 200,
                 tol: float = 1e-4, n_iter_no_change: int = 10, shuffle: bool = True,
                 random_state: Any = None, backprop: str = "ad",
                 loss: str | Callable = "squared_error") -> None:
        super().__init__(hidden_layer_sizes, activation, solver=solver, alpha=alpha,
                         batch_size=batch_size, learning_rate=learning_rate,
                         momentum=momentum, max_iter=max_iter, tol=tol,
                         n_iter_no_change=n_iter_no_change, shuffle=shuffle,
                         random_state=random_state, backprop=backprop, loss=loss)

    _out_activation_ = "identity"
    # A regressor's output is unbounded: the log-losses of LOSSES make no sense on it.
    _parameter_constraints: dict = {
        **_BaseMLP._parameter_constraints,
        "loss": [StrOptions({"squared_error", "mse"}), callable],
    }

    def __sklearn_tags__(self):  # noqa: D105
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        return tags

    def _check_targets(self, X: Any, y: Any) -> tuple[np.ndarray, np.ndarray]:
        """``(X, Y)`` for :meth:`loss_gradient`: ``y`` with ``n_outputs_`` columns."""
        X, y = check_data(self, X, y, reset=False, multi_output=True, y_numeric=True)
        Y = self._encode_targets(y)
        if Y.shape[1] != self.n_outputs_:
            raise InvalidInputError(
                f"{type(self).__name__}: y has {Y.shape[1]} output(s) but the model was "
                f"fitted with {self.n_outputs_}; pass y of shape (n_samples, "
                f"{self.n_outputs_})" + (" or (n_samples,)" if self.n_outputs_ == 1 else ""))
        return X, Y

    def _encode_targets(self, y: np.ndarray) -> np.ndarray:
        return np.asarray(y, dtype=float).reshape(len(y), -1)

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X: Any, y: Any) -> "MLPRegressor":
        """Fit to ``X`` (n_samples, n_features) and ``y`` (n_samples[, n_outputs]).

        Returns
        -------
        self
        """
        X, y = check_data(self, X, y, multi_output=True, y_numeric=True)
        self._y_ndim = y.ndim
        return self._fit(X, self._encode_targets(y))

    def predict(self, X: Any) -> np.ndarray:
        """Predictions, shape (n_samples,) for a 1-D training target, else (n_samples, n_outputs).

        Returns
        -------
        ndarray
        """
        out = self._output(X)
        return out[:, 0] if self._y_ndim == 1 else out
