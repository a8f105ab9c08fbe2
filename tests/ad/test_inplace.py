"""The backward pass's in-place fast paths (``Primitive.vjps_into``, scratch buffers).

They must give the ordinary rules' results, never overwrite a user's array, a value a
box (of this or an outer trace) still holds, a cotangent the caller passed, or a tape
that is pulled back through again. ``INPLACE_MIN_SIZE = 0`` turns them on for the
small arrays of the rule sweep.
"""
import numpy as np
import pytest
from scipy.optimize import rosen_der, rosen_hess

import calcml as cm
from calcml.ad import core, unbox
from test_rules import CASES, MORE  # noqa: E402  (tests/ad is on sys.path under pytest)


@pytest.fixture
def always_inplace(monkeypatch):
    monkeypatch.setattr(core, "INPLACE_MIN_SIZE", 0)


def rosenbrock(x):
    return np.sum(100.0 * (x[1:] - x[:-1] ** 2) ** 2 + (1.0 - x[:-1]) ** 2)


def _grads(f, args):
    nums = tuple(range(len(args)))
    w = np.random.default_rng(1).uniform(0.5, 1.5, np.shape(f(*args)))
    return cm.grad(lambda *a: np.sum(f(*a) * w), argnums=nums)(*args)


@pytest.mark.parametrize("name", sorted(CASES) + sorted(MORE))
def test_fast_paths_match_the_rules(name, monkeypatch):
    """Every rule, first and second order, with the fast paths on and off."""
    f, args = {**CASES, **MORE}[name]
    copies = [np.copy(a) for a in args]
    monkeypatch.setattr(core, "INPLACE_MIN_SIZE", 10**18)
    slow = _grads(f, [np.copy(a) for a in args])
    monkeypatch.setattr(core, "INPLACE_MIN_SIZE", 0)
    fast = _grads(f, args)
    for s, q in zip(slow, fast):
        np.testing.assert_allclose(q, s, rtol=1e-13, atol=1e-13)
    for a, c in zip(args, copies):
        np.testing.assert_array_equal(a, c)  # inputs untouched
    cm.check_grad(f, *args, order=2, rtol=1e-5, atol=1e-7)


def test_rosenbrock_large_is_exact_and_leaves_x_alone():
    x = np.random.default_rng(0).uniform(-1, 1, 10**5)
    x0 = x.copy()
    g = cm.grad(rosenbrock)(x)
    np.testing.assert_allclose(g, rosen_der(x), rtol=1e-12, atol=1e-9)
    np.testing.assert_array_equal(x, x0)
    g2 = cm.grad(rosenbrock)(x)
    assert g2 is not g and not np.shares_memory(g, g2)
    np.testing.assert_array_equal(g, g2)


def test_intermediates_the_user_keeps_are_not_overwritten(always_inplace):
    kept = []

    def f(x):
        h = 1.0 - x
        d = (x - 0.5) ** 2
        kept.extend([h, d])
        return np.sum(h ** 2 + 3.0 * d ** 2)

    x = np.linspace(-1, 1, 50)
    g = cm.grad(f)(x)
    np.testing.assert_allclose(g, -2 * (1 - x) + 12 * (x - 0.5) ** 3, rtol=1e-12)
    np.testing.assert_array_equal(unbox(kept[0]), 1.0 - x)
    np.testing.assert_array_equal(unbox(kept[1]), (x - 0.5) ** 2)


def test_closed_over_arrays_are_not_overwritten(always_inplace):
    c = np.linspace(1, 2, 40)
    c0 = c.copy()
    g = cm.grad(lambda x: np.sum((x * c) ** 2 - c ** 3 * x))(np.ones(40))
    np.testing.assert_allclose(g, 2 * c ** 2 - c ** 3)
    np.testing.assert_array_equal(c, c0)


def test_two_arguments_sharing_one_cotangent_get_separate_arrays(always_inplace):
    x, y = np.arange(5.0), np.ones(5)
    gx, gy = cm.grad(lambda x, y: np.sum((x + y) ** 2), argnums=(0, 1))(x, y)
    assert not np.shares_memory(gx, gy)
    gx[0] = 99.0
    np.testing.assert_allclose(gy, 2 * (x + y))


def test_vjp_reuses_its_tape_and_leaves_the_cotangent_alone(always_inplace):
    x = np.linspace(0.1, 1, 30)
    out, pullback = cm.vjp(lambda x: -(np.sin(x) * 2.0 - x) ** 2, x)
    ct = np.linspace(1, 2, 30)
    ct0 = ct.copy()
    first = pullback(ct)[0]
    second = pullback(ct)[0]
    expected = -2 * (np.sin(x) * 2 - x) * (2 * np.cos(x) - 1) * ct0
    np.testing.assert_allclose(first, expected, rtol=1e-12)
    np.testing.assert_allclose(second, expected, rtol=1e-12)
    np.testing.assert_array_equal(ct, ct0)


def test_nested_gradients_with_fast_paths(always_inplace):
    x0 = np.linspace(0.5, 1.5, 20)
    y0 = np.linspace(-1, 1, 20)

    def outer(y):
        return np.sum(cm.grad(lambda x: np.sum((x * y) ** 2 - (1.0 - x) ** 3))(x0) * y)

    # d/dx = 2 x y^2 + 3 (1 - x)^2; outer = sum(2 x0 y^3 + 3 (1 - x0)^2 y)
    np.testing.assert_allclose(cm.grad(outer)(y0), 6 * x0 * y0 ** 2 + 3 * (1 - x0) ** 2,
                               rtol=1e-12)
    # perturbation confusion check, with arrays large enough for the default threshold
    big = np.linspace(0.1, 1, 5000)
    g = cm.grad(lambda x: np.sum(x * cm.grad(lambda y: np.sum(x * y ** 2))(big)))(big)
    np.testing.assert_allclose(g, 4 * big * big, rtol=1e-12)


def test_hessians_and_grad_of_grad_with_fast_paths(always_inplace):
    x = np.random.default_rng(3).uniform(-1, 1, 12)
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(cm.hessian(rosenbrock, mode=mode)(x), rosen_hess(x),
                                   rtol=1e-12, atol=1e-9)
    v = np.linspace(-1, 1, 12)
    np.testing.assert_allclose(cm.hvp(rosenbrock)(x, v), rosen_hess(x) @ v, rtol=1e-12,
                               atol=1e-9)
    gg = cm.grad(lambda x: np.sum(cm.grad(rosenbrock)(x) ** 2))(x)
    np.testing.assert_allclose(gg, 2 * rosen_hess(x) @ rosen_der(x), rtol=1e-10)


def test_scratch_detection():
    a = np.ones(3)
    assert core.sole(np.ones(3) + 1.0) is True or core._SOLE_LOCAL == -1
    held = [a]
    assert not core.sole(a)  # the list and the local hold it
    assert not core.sole(np.broadcast_to(1.0, (3,)))  # read-only view
    assert not core.sole(np.arange(3))  # integers are never scratch
    del held


@pytest.mark.parametrize("y", [2, 3, 0.5, -1, 2.5, 1, 0])
def test_constant_powers(y, always_inplace):
    x = np.linspace(0.5, 2.0, 30)
    x0 = x.copy()
    # (x + 0) ** y: the base is an intermediate the backward pass may overwrite
    g = cm.grad(lambda x: np.sum(np.sin((x + 0.0) ** y) + 2.0 * (x * 1.0) ** y))(x)
    d = y * x ** (y - 1) if y else 0 * x
    np.testing.assert_allclose(g, np.cos(x ** y) * d + 2.0 * d, rtol=1e-12)
    np.testing.assert_array_equal(x, x0)
    cm.check_grad(lambda x: (x + 0.0) ** y * np.cos(x), x, order=2, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("f, H", [
    (lambda x, y: x + np.sin(y), lambda x, y: [[0.0, 0.0], [0.0, -np.sin(y)]]),
    (lambda x, y: (3 * x) * x + y, lambda x, y: [[6.0, 0.0], [0.0, 0.0]]),
    (lambda x, y: x * y + np.sin(y) * x, lambda x, y: [[0.0, 1 + np.cos(y)],
                                                       [1 + np.cos(y), -np.sin(y) * x]]),
])
def test_hessian_mixing_slice_cotangents_with_outer_boxes(f, H):
    """A slice's lazy cotangent meeting a cotangent of an outer trace (found by the
    random verification test: it raised before)."""
    p = np.array([0.7, 0.3])
    for mode in ("rev", "fwd"):
        np.testing.assert_allclose(cm.hessian(lambda p: f(p[0], p[1]), mode=mode)(p),
                                   H(*p), atol=1e-12)
