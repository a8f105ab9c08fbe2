"""scikit-learn's estimator checks on calcml's linear, logistic and MLP estimators."""
import warnings

import numpy as np
from sklearn.exceptions import ConvergenceWarning
from sklearn.utils.estimator_checks import parametrize_with_checks

from calcml.models import LinearRegression, LogisticRegression, MLPClassifier, MLPRegressor


def pseudo_huber(y_true, y_pred):
    """A custom regression loss, plain NumPy (module level, so the estimator pickles)."""
    return np.mean(np.sqrt((y_pred - y_true) ** 2 + 1.0))


def brier(y_true, y_prob):
    """A custom classification loss (Brier score) on the network's probabilities."""
    return np.mean(np.sum((y_prob - y_true) ** 2, axis=-1))


class NamedLoss:
    """A loss function with a stable repr, so the test ids match across pytest-xdist workers
    (a bare function's repr carries its memory address)."""

    def __init__(self, fn):
        self.fn = fn

    def __call__(self, *args):
        return self.fn(*args)

    def __repr__(self):
        return self.fn.__name__


ESTIMATORS = [
    LinearRegression(),
    LinearRegression(solver="gd"),
    LinearRegression(solver="newton"),
    LogisticRegression(),
    LogisticRegression(solver="gd", max_iter=300),
    LogisticRegression(solver="lbfgs"),
    MLPClassifier(max_iter=100),
    MLPRegressor(max_iter=100),
    MLPClassifier(hidden_layer_sizes=(20, 10), solver="lbfgs", backprop="manual", max_iter=100,
                  random_state=0),
    MLPRegressor(solver="sgd", learning_rate=1e-3, backprop="manual", max_iter=100, random_state=0),
    # loss= as a plain differentiable function (scikit-learn's own MLPs refuse custom losses)
    MLPRegressor(loss=NamedLoss(pseudo_huber), max_iter=100, random_state=0),
    MLPClassifier(loss=NamedLoss(brier), backprop="manual", max_iter=100, random_state=0),
]


def _expected_failed(estimator):
    return {}


@parametrize_with_checks(ESTIMATORS, expected_failed_checks=_expected_failed)
def test_sklearn_compatible(estimator, check):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        check(estimator)
