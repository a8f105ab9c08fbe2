"""MLPs: manual backprop == AD backprop == finite differences; seed 004; sklearn API."""
import warnings

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import ConvergenceWarning
from sklearn.model_selection import GridSearchCV
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

import calcml as cm
from calcml.datasets import blobs, circles, linear, moons
from calcml.errors import CalcmlError, ConvergenceError
from calcml.models import MLPClassifier, MLPRegressor
from calcml.nn import cross_entropy, dense, sigmoid, softmax

pytestmark = pytest.mark.filterwarnings("ignore::sklearn.exceptions.ConvergenceWarning")


@pytest.fixture(scope="module")
def data():
    Xb, yb = moons(n_samples=60, noise=0.2, random_state=0)
    Xm, ym = blobs(n_samples=60, centers=3, random_state=0)
    Xr, yr, _ = linear(n_samples=60, n_features=2, noise=0.2, random_state=0)
    Yr = np.column_stack([yr, np.sin(Xr[:, 0])])
    return {"binary": (Xb, yb), "multi": (StandardScaler().fit_transform(Xm), ym),
            "regression": (Xr, yr), "multi-output": (Xr, Yr)}


def _quartic(y_true, y_pred):
    """A custom differentiable loss written in plain NumPy."""
    return np.mean((y_pred - y_true) ** 4)


CONFIGS = [  # (data, estimator)
    ("binary", MLPClassifier((5, 4), activation="relu")),
    ("binary", MLPClassifier((6,), activation="tanh", alpha=0.1)),
    ("multi", MLPClassifier((5,), activation="logistic")),
    ("multi", MLPClassifier((4, 3), activation="softplus", loss="mse")),
    ("binary", MLPClassifier((4,), activation="tanh", loss="binary_cross_entropy")),
    ("binary", MLPClassifier((4,), activation="tanh", loss=lambda y, p: np.mean((p - y) ** 2))),
    ("regression", MLPRegressor((5,), activation="tanh")),
    ("multi-output", MLPRegressor((3, 3), activation="identity", alpha=0.5)),
    ("regression", MLPRegressor((4,), activation="sigmoid", loss=_quartic)),
]


def _fitted(est, X, y, **params):
    est = clone(est).set_params(random_state=0, **params)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ConvergenceWarning)
        return est.fit(X, y)


@pytest.mark.parametrize("name,est", CONFIGS, ids=lambda v: v if isinstance(v, str) else None)
def test_manual_and_ad_gradients_agree_and_are_right(name, est, data):
    X, y = data[name]
    est = _fitted(est, X, y, max_iter=3, solver="adam", learning_rate=0.05)
    loss_ad, g_ad = est.loss_gradient(X, y, backprop="ad")
    loss_man, g_man = est.loss_gradient(X, y, backprop="manual")
    assert loss_ad == pytest.approx(loss_man, rel=1e-13)
    assert [g.shape for g in g_ad] == [g.shape for p in zip(est.coefs_, est.intercepts_) for g in p]
    for a, m in zip(g_ad, g_man):
        np.testing.assert_allclose(m, a, rtol=1e-10, atol=1e-12)
    # both against central finite differences of the training objective
    Y = est._encode_targets(np.asarray(y))
    cm.check_grad(lambda params: est._objective(params, X, Y), est._params(),
                  grad=lambda params: est._loss_grad_manual(params, X, Y)[1], rtol=1e-6, atol=1e-8)


@pytest.mark.parametrize("solver", ["adam", "sgd", "gd", "lbfgs"])
def test_same_seed_same_loss_curve(solver, data):
    X, y = data["multi"]
    kw = dict(hidden_layer_sizes=(6, 5), solver=solver, max_iter=15, batch_size=16,
              learning_rate=0.05, random_state=3)
    ad = _fitted(MLPClassifier(backprop="ad", **kw), X, y)
    man = _fitted(MLPClassifier(backprop="manual", **kw), X, y)
    assert ad.n_iter_ == man.n_iter_ > 1
    np.testing.assert_allclose(ad.loss_curve_, man.loss_curve_, rtol=1e-10)
    for a, m in zip(ad.coefs_ + ad.intercepts_, man.coefs_ + man.intercepts_):
        np.testing.assert_allclose(a, m, rtol=1e-9, atol=1e-11)
    if solver in ("gd", "adam"):
        assert ad.loss_curve_[-1] < ad.loss_curve_[0]


def test_seed000_two_layer_chain_rule(data):
    """Seed 000 section 4, written out: sigmoid hidden layer, softmax output, mean cross-entropy."""
    X, y = data["multi"]
    Y = np.eye(3)[y]
    rng = np.random.default_rng(0)
    W1, b1 = rng.normal(size=(2, 4)), rng.normal(size=4)
    W2, b2 = rng.normal(size=(4, 3)), rng.normal(size=3)
    m = len(X)
    Z1 = X @ W1 + b1
    A1 = sigmoid(Z1)
    A2 = softmax(A1 @ W2 + b2)
    dZ2 = (A2 - Y) / m
    dW2, db2 = A1.T @ dZ2, dZ2.sum(axis=0)
    dZ1 = (dZ2 @ W2.T) * A1 * (1 - A1)
    dW1, db1 = X.T @ dZ1, dZ1.sum(axis=0)

    def loss(W1, b1, W2, b2):
        return cross_entropy(Y, softmax(dense(sigmoid(dense(X, W1, b1)), W2, b2)))

    ad = cm.grad(loss, argnums=(0, 1, 2, 3))(W1, b1, W2, b2)
    for mine, ref in zip((dW1, db1, dW2, db2), ad):
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-13)
    # the same network as an estimator, with the same parameters, gives the same gradient
    est = _fitted(MLPClassifier((4,), activation="logistic", alpha=0.0, max_iter=1), X, y)
    est.coefs_, est.intercepts_ = [W1, W2], [b1, b2]
    _, g = est.loss_gradient(X, y, backprop="manual")
    for mine, ref in zip(g, (dW1, db1, dW2, db2)):
        np.testing.assert_allclose(mine, ref, rtol=1e-10, atol=1e-13)


@pytest.mark.parametrize("backprop", ["manual", "ad"])
def test_seed004_circles(backprop):
    """Seed 004 lesson 5: layers [2, 4, 3, 1] (relu, relu, sigmoid) on two circles >= 95 %."""
    X, y = circles(n_samples=1000, noise=0.1, factor=0.5, random_state=0)
    clf = MLPClassifier((4, 3), activation="relu", solver="adam", learning_rate=0.01,
                        max_iter=150, random_state=0, backprop=backprop).fit(X, y)
    assert [W.shape for W in clf.coefs_] == [(2, 4), (4, 3), (3, 1)]
    assert clf.score(X, y) >= 0.95
    assert clf.loss_curve_[-1] < 0.5 * clf.loss_curve_[0]


def test_layer_jacobians_match_ad(data):
    X, y = data["multi"]
    clf = _fitted(MLPClassifier((5, 4), activation="tanh", max_iter=5), X, y)
    jacs = clf.layer_jacobians(X[:4])
    assert [J.shape for J in jacs] == [(4, 5, 2), (4, 4, 5), (4, 3, 4)]
    acts = ["tanh", "tanh", "softmax"]
    a = X[:4]
    for J, W, b, act in zip(jacs, clf.coefs_, clf.intercepts_, acts):
        for s in range(4):
            ad = cm.jacobian(lambda v: dense(v[None, :], W, b, activation=act)[0])(a[s])
            np.testing.assert_allclose(J[s], ad, rtol=1e-10, atol=1e-13)
        a = dense(a, W, b, activation=act)
    # chain rule: the product of the layer Jacobians is the network's Jacobian
    full = jacs[2][0] @ jacs[1][0] @ jacs[0][0]
    (W0, W1, W2), (b0, b1, b2) = clf.coefs_, clf.intercepts_
    forward = lambda v: softmax(np.tanh(np.tanh(v @ W0 + b0) @ W1 + b1) @ W2 + b2)  # noqa: E731
    np.testing.assert_allclose(full, cm.jacobian(forward)(X[0]), rtol=1e-10, atol=1e-13)


def test_classifier_outputs(data):
    X, y = data["multi"]
    labels = np.array(["x", "y", "z"])[y]
    clf = MLPClassifier((10,), solver="lbfgs", max_iter=300, random_state=0).fit(X, labels)
    proba = clf.predict_proba(X)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0)
    assert clf.score(X, labels) > 0.9
    np.testing.assert_array_equal(clf.classes_, ["x", "y", "z"])
    np.testing.assert_array_equal(clf.predict(X), clf.classes_[proba.argmax(axis=1)])
    with np.errstate(divide="ignore"):
        np.testing.assert_array_equal(clf.predict_log_proba(X), np.log(proba))
    Xb, yb = data["binary"]
    binary = MLPClassifier((20,), solver="lbfgs", max_iter=500, random_state=0).fit(Xb, yb)
    assert binary.predict_proba(Xb).shape == (60, 2) and binary.coefs_[-1].shape == (20, 1)
    assert binary.score(Xb, yb) > 0.9


def test_regressor_fits_and_custom_loss(data):
    X, Y = data["multi-output"]
    reg = MLPRegressor((16,), activation="tanh", solver="lbfgs", max_iter=500,
                       random_state=0).fit(X, Y)
    assert reg.predict(X).shape == (60, 2) and reg.score(X, Y) > 0.9
    X1, y1 = data["regression"]
    kw = dict(solver="adam", learning_rate=0.01, loss=_quartic, max_iter=50)
    quart = _fitted(MLPRegressor((8,), **kw), X1, y1)
    manual = _fitted(MLPRegressor((8,), backprop="manual", **kw), X1, y1)
    np.testing.assert_allclose(quart.loss_curve_, manual.loss_curve_, rtol=1e-10)
    assert quart.predict(X1).shape == (60,)
    # loss_curve_ holds the custom loss (plus the tiny L2 term): the first entry (one full
    # batch of 60) is the quartic loss of the initial network, computed here independently
    from sklearn.utils import check_random_state

    W1, b1, W2, b2 = quart._initialize([2, 8, 1], check_random_state(0))
    out = (np.maximum(X1 @ W1 + b1, 0.0) @ W2 + b2)[:, 0]
    penalty = 0.5 * 1e-4 * (np.sum(W1 ** 2) + np.sum(W2 ** 2)) / len(X1)
    assert quart.loss_curve_[0] == pytest.approx(np.mean((out - y1) ** 4) + penalty, rel=1e-12)
    assert quart.loss_curve_[0] != pytest.approx(np.mean((out - y1) ** 2) + penalty, rel=1e-3)


@pytest.mark.parametrize("backprop", ["manual", "ad"])
def test_classifier_custom_loss_is_the_one_used(backprop, data):
    """A plain function passed as loss= replaces the log-loss (binary and multiclass)."""
    for name in ("binary", "multi"):
        X, y = data[name]
        kw = dict(hidden_layer_sizes=(5,), solver="gd", learning_rate=0.1, max_iter=8,
                  backprop=backprop)
        fn = _fitted(MLPClassifier(loss=lambda t, p: np.mean((p - t) ** 2), **kw), X, y)
        named = _fitted(MLPClassifier(loss="mse", **kw), X, y)
        default = _fitted(MLPClassifier(**kw), X, y)
        np.testing.assert_allclose(fn.loss_curve_, named.loss_curve_, rtol=1e-12)
        assert not np.allclose(fn.loss_curve_, default.loss_curve_, rtol=1e-3)


def test_named_and_callable_log_loss_agree(data):
    X, y = data["binary"]
    kw = dict(hidden_layer_sizes=(5,), solver="gd", learning_rate=0.1, max_iter=10, random_state=1)
    named = _fitted(MLPClassifier(loss="binary_cross_entropy", **kw), X, y)
    from calcml.nn import binary_cross_entropy
    fn = _fitted(MLPClassifier(loss=binary_cross_entropy, **kw), X, y)
    np.testing.assert_allclose(named.loss_curve_, fn.loss_curve_, rtol=1e-9)


def test_errors(data):
    X, y = data["binary"]
    with pytest.raises(CalcmlError, match="at least 2 classes"):
        MLPClassifier().fit(X, np.ones(len(X)))
    with pytest.raises(ValueError, match="backprop"):
        MLPClassifier(backprop="symbolic").fit(X, y)
    with pytest.raises(ValueError, match="hidden_layer_sizes"):
        MLPClassifier(hidden_layer_sizes=(3, 0)).fit(X, y)
    Xr, yr = data["regression"]
    with pytest.raises(ConvergenceError, match="learning_rate"):
        MLPRegressor((5,), activation="identity", solver="gd", learning_rate=10.0,
                     max_iter=200).fit(Xr, yr)
    clf = _fitted(MLPClassifier((3,), max_iter=2), X, y)
    with pytest.raises(ValueError, match="features"):
        clf.predict(np.ones((2, 5)))


@pytest.mark.parametrize("Est", [MLPClassifier, MLPRegressor])
def test_bad_input_errors(Est, data):
    X, y = data["binary"]
    Xn = X.copy()
    Xn[2, 1] = np.nan
    with pytest.raises(CalcmlError, match="NaN"):
        Est(max_iter=2).fit(Xn, y)
    Xn[2, 1] = np.inf
    with pytest.raises(ValueError, match="infinity"):
        Est(max_iter=2).fit(Xn, y)
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        Est(max_iter=2).fit(X, y[:-1])
    with pytest.raises(ValueError, match="Expected 2D array"):
        Est(max_iter=2).fit(X[:, 0], y)
    with pytest.raises(AttributeError):       # NotFittedError is an AttributeError
        Est().predict(X)


def test_regressor_refuses_classification_losses(data):
    from sklearn.utils._param_validation import InvalidParameterError

    X, y = data["regression"]
    for loss in ("log_loss", "cross_entropy", "binary_cross_entropy"):
        with pytest.raises(InvalidParameterError, match="'loss' parameter of MLPRegressor"):
            MLPRegressor(loss=loss).fit(X, y)
    assert _fitted(MLPRegressor((3,), loss="mse", max_iter=2), X, y).n_iter_ == 2


def test_loss_gradient_validates_targets(data):
    X, y = data["multi"]
    clf = _fitted(MLPClassifier((3,), max_iter=2), X, y)
    with pytest.raises(CalcmlError, match=r"labels not seen in fit: \[7\]"):
        clf.loss_gradient(X, np.where(y == 2, 7, y))
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        clf.loss_gradient(X, y[:10])
    with pytest.raises(ValueError, match="features"):
        clf.loss_gradient(X[:, :1], y)
    Xr, Yr = data["multi-output"]
    reg = _fitted(MLPRegressor((3,), max_iter=2), Xr, Yr)
    with pytest.raises(CalcmlError, match="1 output.* fitted with 2"):
        reg.loss_gradient(Xr, Yr[:, 0])
    with pytest.raises(ValueError, match="inconsistent numbers of samples"):
        reg.loss_gradient(Xr, Yr.ravel())
    Yn = Yr.copy()
    Yn[0, 0] = np.nan
    with pytest.raises(CalcmlError, match="NaN"):
        reg.loss_gradient(Xr, Yn)
    assert np.isfinite(reg.loss_gradient(Xr, Yr)[0])


def test_pipeline_gridsearch_clone(data):
    X, y = data["binary"]
    pipe = make_pipeline(StandardScaler(),
                         MLPClassifier(solver="lbfgs", max_iter=100, random_state=0))
    search = GridSearchCV(pipe, {"mlpclassifier__hidden_layer_sizes": [(3,), (8,)],
                                 "mlpclassifier__backprop": ["manual", "ad"]}, cv=3)
    search.fit(X, y)
    assert search.best_score_ > 0.8
    c = clone(MLPClassifier(loss=_quartic, backprop="manual"))
    assert c.loss is _quartic and not hasattr(c, "coefs_")


@pytest.mark.parametrize("backprop", ["manual", "ad"])
@pytest.mark.parametrize("name", ["binary", "multi"])
def test_no_hidden_layer_is_logistic_regression(backprop, name, data):
    """Two independent implementations, one optimum: an MLP without hidden layers is
    (multinomial) logistic regression; alpha / (2n) ||W||^2 there is alpha' / 2 ||W||^2 here."""
    from calcml.models import LogisticRegression

    X, y = data[name]
    mlp = MLPClassifier((), solver="lbfgs", alpha=0.05 * len(X), tol=1e-10, max_iter=2000,
                        backprop=backprop, random_state=0).fit(X, y)
    logreg = LogisticRegression(alpha=0.05, tol=1e-10).fit(X, y)
    np.testing.assert_allclose(mlp.predict_proba(X), logreg.predict_proba(X), atol=1e-6)
    if name == "binary":
        np.testing.assert_allclose(mlp.coefs_[0].T, logreg.coef_, atol=1e-5)
    np.testing.assert_allclose(min(mlp.loss_curve_), logreg.loss_curve_[-1], rtol=1e-9)


def test_training_loop_is_calcml_optimize_adam(data):
    """fit with full batches = the plain loop params, state = cm.optimize.adam(lr).update(...)."""
    from sklearn.utils import check_random_state

    X, y = data["multi"]
    clf = _fitted(MLPClassifier((5,), solver="adam", learning_rate=0.01, batch_size=len(X),
                                max_iter=7, tol=0.0, n_iter_no_change=100), X, y)
    Y = clf._encode_targets(y)
    params = clf._initialize([2, 5, 3], check_random_state(0))
    opt = cm.optimize.adam(0.01)
    state = opt.init(params)
    losses = []
    for _ in range(7):
        loss, grads = clf._loss_grad_manual(params, X, Y)
        losses.append(loss)
        params, state = opt.update(params, grads, state)
    np.testing.assert_allclose(clf.loss_curve_, losses, rtol=1e-12)
    for mine, ref in zip(clf.coefs_ + clf.intercepts_, params[0::2] + params[1::2]):
        np.testing.assert_allclose(mine, ref, rtol=1e-12, atol=1e-15)


def test_lbfgs_converges_on_a_small_network_without_a_line_search_stall():
    # A zoom whose every trial may sit next to the bracket's low end stalled here after
    # 33 iterations ("line search found no acceptable step"); it must converge.
    X, y = circles(n_samples=50)
    with warnings.catch_warnings():
        warnings.simplefilter("error", ConvergenceWarning)
        clf = MLPClassifier((4, 3), solver="lbfgs", max_iter=300, random_state=0).fit(X, y)
    assert clf.n_iter_ < 300 and clf.score(X, y) >= 0.9
