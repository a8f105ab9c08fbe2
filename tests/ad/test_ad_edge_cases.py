"""Edge cases found in an audit: exact answers at zeros, options NumPy accepts that the
rules must honour or refuse (never ignore), nesting conventions of hessian/hvp, and the
second-order check of the forward rules."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import calcml as cm
from calcml.ad.registry import PRIMS
from calcml.errors import (CalcmlError, DimensionError, GradientCheckError,
                           NonDifferentiableError, UnsupportedOperationError)


def value(f, *args):
    """f(*args) computed while traced (what the composite rules return)."""
    return cm.vjp(f, *args)[0]


# ------------------------------------------------------------ prod at zeros
def test_prod_gradient_is_exact_at_zeros():
    x = np.array([0.0, 2.0, 3.0])
    np.testing.assert_array_equal(cm.grad(np.prod)(x), [6.0, 0.0, 0.0])
    np.testing.assert_array_equal(cm.jacobian(np.prod, mode="fwd")(x), [6.0, 0.0, 0.0])
    # H[i, j] = prod of the entries other than i and j
    np.testing.assert_array_equal(cm.hessian(np.prod)(x), [[0, 3, 2], [3, 0, 0], [2, 0, 0]])
    two_zeros = np.array([0.0, 0.0, 3.0])
    np.testing.assert_array_equal(cm.grad(np.prod)(two_zeros), [0.0, 0.0, 0.0])
    np.testing.assert_array_equal(cm.hessian(np.prod, mode="fwd")(two_zeros),
                                  [[0, 3, 0], [3, 0, 0], [0, 0, 0]])
    assert cm.grad(np.prod)(0.0) == 1.0


def test_prod_with_axis_and_zeros_closed_form():
    x = np.array([[0.0, 2.0, 3.0], [1.0, 0.0, 0.0]])
    expected = np.array([[6.0, 0.0, 0.0], [0.0, 0.0, 0.0]])
    np.testing.assert_array_equal(cm.grad(lambda v: np.sum(np.prod(v, axis=1)))(x), expected)
    g = cm.grad(lambda v: np.sum(np.prod(v, axis=0, keepdims=True)))(x)
    np.testing.assert_array_equal(g, [[1.0, 0.0, 0.0], [0.0, 2.0, 3.0]])


@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
                    elements=st.sampled_from([0.0, -1.5, 0.5, 2.0])), data=st.data())
def test_prod_property_with_zeros(x, data):
    """prod is a polynomial: AD must match finite differences exactly, zeros included."""
    axis = data.draw(st.sampled_from([None, *range(-x.ndim, x.ndim)]))
    cm.check_grad(lambda v: np.prod(v, axis=axis), x, order=2, rtol=1e-6, atol=1e-7)


# --------------------------------------------- reduction options and defaults
def test_ufunc_reduce_defaults_to_axis_zero():
    x = np.arange(6.0).reshape(2, 3)
    np.testing.assert_array_equal(value(np.add.reduce, x), np.add.reduce(x))
    np.testing.assert_array_equal(value(np.multiply.reduce, x + 1), np.multiply.reduce(x + 1))
    np.testing.assert_array_equal(value(np.maximum.reduce, x), np.maximum.reduce(x))
    g = cm.grad(lambda v: np.sum(np.add.reduce(v) ** 2))(x)
    np.testing.assert_array_equal(g, np.broadcast_to(2 * x.sum(axis=0), x.shape))


def test_initial_is_honoured():
    x = np.array([1.0, 2.0])
    assert value(lambda v: np.max(v, initial=5.0), x) == 5.0
    np.testing.assert_array_equal(cm.grad(lambda v: np.max(v, initial=5.0))(x), [0.0, 0.0])
    np.testing.assert_array_equal(cm.grad(lambda v: np.max(v, initial=0.0))(x), [0.0, 1.0])
    assert value(lambda v: np.min(v, initial=-1.0), x) == -1.0
    assert value(lambda v: np.sum(v, initial=2.0), x) == 5.0
    assert value(lambda v: np.prod(v, initial=3.0), x) == 6.0
    np.testing.assert_array_equal(cm.grad(lambda v: np.prod(v, initial=3.0))(x), [6.0, 3.0])
    assert value(lambda v: np.maximum.reduce(v, initial=7.0), x) == 7.0


@pytest.mark.parametrize("reduction", [np.sum, np.mean, np.var, np.std, np.max, np.min,
                                       np.prod])
def test_reduction_where_is_refused_not_ignored(reduction):
    with pytest.raises(UnsupportedOperationError, match="where"):
        cm.grad(lambda v: reduction(v, where=np.array([True, False, True])))(np.ones(3))


def test_var_correction_and_mean_options():
    x = np.array([1.0, 2.0, 4.0])
    assert value(lambda v: np.var(v, correction=1), x) == pytest.approx(np.var(x, ddof=1))
    np.testing.assert_allclose(cm.grad(lambda v: np.std(v, correction=1))(x),
                               cm.grad(lambda v: np.std(v, ddof=1))(x))
    with pytest.raises(UnsupportedOperationError, match="mean"):
        cm.grad(lambda v: np.var(v, mean=np.mean(cm.stop_gradient(v))))(x)


# ------------------------------------------------------------ ufunc options
def test_ufunc_keyword_options():
    x = np.array([0.5, 1.0])
    np.testing.assert_allclose(cm.grad(lambda v: np.sum(np.exp(v, dtype=np.float64)))(x),
                               np.exp(x))
    np.testing.assert_allclose(cm.grad(lambda v: np.sum(np.multiply(v, v, casting="same_kind",
                                                                    where=True)))(x), 2 * x)
    with pytest.raises(UnsupportedOperationError, match="np.where"):
        cm.grad(lambda v: np.sum(np.exp(v, where=np.array([True, False]))))(x)
    with pytest.raises(NonDifferentiableError, match="float dtypes"):
        cm.grad(lambda v: np.sum(np.add(v, v, dtype=np.int64, casting="unsafe")))(x)
    with pytest.raises(UnsupportedOperationError, match="axes"):
        cm.grad(lambda v: np.matmul(v, v, axes=[(0,), (0,), ()]))(x)


# ------------------------------------------------------------- output checks
@pytest.mark.parametrize("out", [None, "text", object()])
def test_grad_of_a_non_number_is_an_error(out):
    with pytest.raises(CalcmlError, match="returns a number"):
        cm.grad(lambda x: out)(1.0)


# ---------------------------------------------- hessian blocks and hvp argnums
def test_hessian_tuple_argnums_blocks_are_d2f_dxi_dxj():
    a, b = np.array([1.0, 2.0]), np.array([0.5, -1.0, 3.0])
    f = lambda a, b: np.sum(a ** 2) * np.sum(b ** 3)
    for mode in ("rev", "fwd"):
        H = cm.hessian(f, argnums=(0, 1), mode=mode)(a, b)
        assert [[blk.shape for blk in row] for row in H] == [[(2, 2), (2, 3)], [(3, 2), (3, 3)]]
        np.testing.assert_allclose(H[0][0], 2 * np.sum(b ** 3) * np.eye(2))
        np.testing.assert_allclose(H[0][1], np.outer(2 * a, 3 * b ** 2))
        np.testing.assert_allclose(H[1][0], np.outer(3 * b ** 2, 2 * a))
        np.testing.assert_allclose(H[1][1], np.diag(6 * b) * np.sum(a ** 2))


def test_hvp_with_argnums_uses_that_argument():
    f = lambda a, x: np.sum(a * x ** 3)
    a, x, v = np.array([1.0, 2.0]), np.array([1.0, -2.0]), np.array([1.0, 0.5])
    hv = cm.hvp(f, argnums=1)(x, v, a)
    np.testing.assert_allclose(hv, (6 * a * x) * v)  # H = diag(6 a x)
    np.testing.assert_allclose(hv, cm.hessian(f, argnums=1)(a, x) @ v)
    np.testing.assert_allclose(cm.hvp(f, argnums=-1)(x, v, a), hv)
    with pytest.raises(CalcmlError, match="one int"):
        cm.hvp(f, argnums=(0, 1))
    with pytest.raises(DimensionError, match="argnums"):
        cm.hvp(f, argnums=3)(x, v, a)


# ------------------------------------------------- non-differentiable points
def test_fmax_fmin_ignore_nan_in_the_derivative():
    assert cm.grad(lambda x: np.fmax(x, np.nan))(2.0) == 1.0
    assert cm.grad(lambda x: np.fmin(np.nan, x))(2.0) == 1.0
    assert cm.grad(lambda x: np.fmax(x, 1.0))(1.0) == 0.5          # tie: split evenly
    assert cm.grad(lambda x: np.fmin(x, 3.0))(1.0) == 1.0


# --------------------------------- composite functions honour their options
COMPOSITES = {
    "take wrap": (lambda x: np.take(x, [4, -1, 1], mode="wrap") ** 2, [np.arange(1.0, 4.0)]),
    "take clip": (lambda x: np.take(x, [[5, 0]], axis=1, mode="clip") ** 2,
                  [np.arange(1.0, 7.0).reshape(2, 3)]),
    "roll tuple": (lambda x: np.roll(x, (1, -1), axis=(0, 1)) * x,
                   [np.arange(1.0, 7.0).reshape(2, 3)]),
    "roll same axis twice": (lambda x: np.roll(x, (1, 1), axis=(1, 1)) * x,
                             [np.arange(1.0, 7.0).reshape(2, 3)]),
    "diagonal axes swapped": (lambda x: np.diagonal(x, 1, 1, 0) ** 2,
                              [np.arange(1.0, 10.0).reshape(3, 3)]),
    "trace axes swapped": (lambda x: np.trace(x ** 2, -1, 1, 0),
                           [np.arange(1.0, 10.0).reshape(3, 3)]),
    "diff prepend scalar": (lambda x: np.diff(x ** 2, prepend=0.5), [np.array([1.0, 3.0, 6.0])]),
    "diff append array": (lambda x: np.diff(x, axis=0, append=np.ones((1, 2))) ** 2,
                          [np.array([[1.0, 3.0], [2.0, -1.0]])]),
    "cross axisa axisb": (lambda a, b: np.cross(a, b, axisa=0, axisb=0),
                          [np.arange(1.0, 7.0).reshape(3, 2), np.array([[1.0, -1.0, 2.0]] * 2).T]),
    "cross axisc": (lambda a, b: np.cross(a, b, axisc=0), [np.array([[1.0, 2.0, 3.0]] * 2),
                                                           np.array([0.5, -1.0, 2.0])]),
    "cross axis": (lambda a, b: np.cross(a, b, axis=0),
                   [np.arange(1.0, 7.0).reshape(3, 2), np.arange(2.0, 8.0).reshape(3, 2) ** 2]),
}


@pytest.mark.parametrize("name", sorted(COMPOSITES))
def test_composite_options_match_numpy_and_differentiate(name):
    f, args = COMPOSITES[name]
    np.testing.assert_allclose(value(f, *args), f(*args), rtol=1e-14)
    cm.check_grad(f, *args, order=2, rtol=1e-5, atol=1e-7)


def test_diff_with_traced_prepend():
    f = lambda x, p: np.sum(np.diff(x, prepend=p) ** 2)
    x, p = np.array([1.0, 3.0]), 2.0
    gx, gp = cm.grad(f, argnums=(0, 1))(x, p)
    # terms (x0 - p)^2 + (x1 - x0)^2
    np.testing.assert_allclose(gx, [2 * (x[0] - p) - 2 * (x[1] - x[0]), 2 * (x[1] - x[0])])
    assert gp == pytest.approx(-2 * (x[0] - p))
    with pytest.raises(DimensionError, match="one dimension"):
        cm.grad(lambda x: np.diff(x))(1.0)


def test_average_returned():
    x, w = np.array([[1.0, 3.0], [6.0, 2.0]]), np.array([1.0, 3.0])
    avg, total = value(lambda v: np.average(v, axis=1, weights=w, returned=True), x)
    ref_avg, ref_total = np.average(x, axis=1, weights=w, returned=True)
    np.testing.assert_allclose(avg, ref_avg)
    np.testing.assert_array_equal(total, ref_total)
    avg, count = value(lambda v: np.average(v, axis=0, returned=True), x)
    np.testing.assert_array_equal(count, np.average(x, axis=0, returned=True)[1])
    # the weights themselves traced: d/dw sum(w * x) / sum(w)
    g = cm.grad(lambda w_: np.average(np.array([1.0, 3.0]), weights=w_, returned=True)[0])(w)
    np.testing.assert_allclose(g, (np.array([1.0, 3.0]) - 2.5) / 4.0)
    s = cm.grad(lambda w_: np.average(np.array([1.0, 3.0]), weights=w_, returned=True)[1])(w)
    np.testing.assert_array_equal(s, [1.0, 1.0])


def test_split_needs_equal_parts_like_numpy():
    with pytest.raises(DimensionError, match="equal"):
        cm.grad(lambda x: np.sum(np.split(x, 3)[0]))(np.ones(4))
    g = cm.grad(lambda x: np.sum(np.array_split(x, 3)[0] ** 2))(np.arange(4.0))
    np.testing.assert_array_equal(g, [0.0, 2.0, 0.0, 0.0])


def test_diagonal_same_axes_is_an_error():
    with pytest.raises(DimensionError, match="same"):
        cm.grad(lambda x: np.sum(np.diagonal(x, 0, 1, 1)))(np.eye(2))


# ------------------------------------------------------------- Box behaviour
def test_box_floordiv_real_round_take_repeat():
    x = np.array([3.5, -1.25])
    f = lambda v: np.sum(v * (v // 2) + (7.0 // v) * v + v.real ** 2 + v.round() * v
                         + v.take([1, 1]) * v + v.repeat(2)[::2] ** 3)
    # floor, round and // are piecewise constant: they pass through as constants
    expected = (np.floor(x / 2) + np.floor(7.0 / x) + 2 * x + np.round(x)
                + np.array([x[1], x[0] + 2 * x[1]]) + 3 * x ** 2)
    np.testing.assert_allclose(cm.grad(f)(x), expected, rtol=1e-14)
    assert value(lambda v: v // 2, x).tolist() == [1.0, -1.0]


@pytest.mark.parametrize("method", ["sort", "fill", "put", "resize", "itemset"])
def test_inplace_methods_raise_nondifferentiable(method):
    def f(x):
        getattr(x, method)(0.0) if method != "sort" else x.sort()
        return np.sum(x)

    with pytest.raises(NonDifferentiableError, match="instead"):
        cm.grad(f)(np.ones(2))


# --------------------------------------------- the checker checks JVP rules too
def test_check_grad_catches_wrong_forward_rule(monkeypatch):
    monkeypatch.setitem(PRIMS["sin"].jvps, 0, lambda t, ans, x: t * np.cos(x) * 2)
    with pytest.raises(GradientCheckError, match="fwd"):
        cm.check_grad(np.sin, np.array([0.3]), modes=("fwd",))


def test_check_grad_order2_catches_forward_rule_that_is_not_differentiable(monkeypatch):
    # Right at first order, but the rule reads a plain value, so it cannot be
    # differentiated again: only the second-order check of the JVP sees it.
    from calcml.ad.box import unbox
    monkeypatch.setitem(PRIMS["sin"].jvps, 0, lambda t, ans, x: t * np.cos(unbox(x)))
    x = np.array([0.3, 1.1])
    cm.check_grad(np.sin, x, order=1)
    with pytest.raises(GradientCheckError, match=r"\^2 jvp"):
        cm.check_grad(np.sin, x, order=2)


# ------------------------------------------------------------------ linalg
def test_det_gradient_at_singular_matrices_is_the_cofactor_matrix():
    S = np.array([[1.0, 2.0], [2.0, 4.0]])
    np.testing.assert_array_equal(cm.grad(np.linalg.det)(S), [[4.0, -2.0], [-2.0, 1.0]])
    np.testing.assert_array_equal(cm.jacobian(np.linalg.det, mode="fwd")(S),
                                  [[4.0, -2.0], [-2.0, 1.0]])
    assert cm.grad(np.linalg.det)(np.zeros((1, 1)))[0, 0] == 1.0
    rank1 = np.outer([1.0, -2.0, 0.5], [3.0, 1.0, 2.0])
    cm.check_grad(np.linalg.det, rank1, order=2, rtol=1e-6, atol=1e-7)
    cm.check_grad(np.linalg.det, np.zeros((3, 3)), order=2, rtol=1e-6, atol=1e-7)
    batch = np.stack([rank1, np.eye(3) + 0.1 * rank1])
    cm.check_grad(np.linalg.det, batch, order=2, rtol=1e-6, atol=1e-7)


SPD = np.array([[4.0, 1.0, 0.5], [1.0, 3.0, 0.2], [0.5, 0.2, 2.0]])


@pytest.mark.parametrize("a, b", [
    (np.stack([SPD, SPD.T + np.eye(3)]), np.array([1.0, -2.0, 0.5])),      # batch, vector b
    (SPD, np.arange(12.0).reshape(2, 3, 2) / 7),                            # batched matrix b
    (np.stack([SPD, 2 * SPD]), np.arange(6.0).reshape(3, 2) / 5),          # batched a only
], ids=["batched-a-vector-b", "batched-b", "batched-a-matrix-b"])
def test_solve_broadcasts_like_numpy(a, b):
    np.testing.assert_allclose(value(np.linalg.solve, a, b), np.linalg.solve(a, b))
    cm.check_grad(np.linalg.solve, a, b, order=2, rtol=1e-5, atol=1e-7)


def test_check_grad_of_a_function_with_several_outputs():
    f = lambda x: (np.sin(x), {"sq": x ** 2})
    result = cm.check_grad(f, np.array([0.3, -1.2]), order=2)
    assert result.passed and {row[0] for row in result.rows} == {
        "rev", "fwd", "rev^2", "fwd^2", "rev^2 jvp", "fwd^2 jvp"}
