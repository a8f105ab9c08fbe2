"""The transformations: structure, nesting, modes, conventions and every error path."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import calcml as cm
from calcml.ad import index_update, numeric_jacobian, tree_flatten, tree_map, tree_unflatten
from calcml.errors import (CalcmlError, DimensionError, GradientCheckError,
                           NonDifferentiableError, UnsupportedOperationError)


# ------------------------------------------------------------------ nesting
def test_perturbation_confusion_classic():
    # d/dx [x * d/dy (x * y)] = d/dx [x * x] = 2x
    assert cm.grad(lambda x: x * cm.grad(lambda y: x * y)(2.0))(3.0) == pytest.approx(6.0)
    # d/dx [x * d/dy (x + y)] = 1 for every x
    for x in (-1.0, 0.0, 4.0):
        assert cm.grad(lambda x: x * cm.grad(lambda y: x + y)(2.0))(x) == pytest.approx(1.0)


def test_perturbation_confusion_forward_and_mixed():
    inner = lambda x: cm.jvp(lambda y: x * y, (2.0,), (1.0,))[1]
    assert cm.grad(lambda x: x * inner(x))(3.0) == pytest.approx(6.0)
    assert cm.derivative(lambda x: x * cm.grad(lambda y: x * y)(2.0))(3.0) == pytest.approx(6.0)


def test_higher_order_derivatives_of_sin():
    d = np.sin
    expected = [np.cos, lambda x: -np.sin(x), lambda x: -np.cos(x), np.sin]
    for k in range(4):
        d = cm.grad(d)
        assert d(0.7) == pytest.approx(expected[k](0.7), rel=1e-12)


def test_jacobian_of_grad_equals_hessian_and_hvp():
    A = np.array([[3.0, 1.0, 0.0], [1.0, 2.0, 0.5], [0.0, 0.5, 1.0]])
    f = lambda x: 0.5 * x @ A @ x + np.sum(np.sin(x))
    x = np.array([0.1, -0.4, 0.9])
    H = A - np.diag(np.sin(x))
    np.testing.assert_allclose(cm.hessian(f)(x), H, rtol=1e-12)
    np.testing.assert_allclose(cm.jacobian(cm.grad(f), mode="rev")(x), H, rtol=1e-12)
    v = np.array([1.0, -2.0, 0.5])
    np.testing.assert_allclose(cm.hvp(f)(x, v), H @ v, rtol=1e-12)


@settings(max_examples=25, deadline=None)
@given(hnp.arrays(np.float64, st.integers(2, 6), elements=st.floats(-1.5, 1.5)))
def test_hessian_modes_agree_with_each_other_and_numeric(x):
    # slices, a product, a reduction and transcendental functions: Rosenbrock-like
    f = lambda v: np.sum(100.0 * (v[1:] - v[:-1] ** 2) ** 2 + np.cos(v[:-1]) * v[1:]) \
        + np.log1p(v @ v)
    H_rev = cm.hessian(f)(x)
    H_fwd = cm.hessian(f, mode="fwd")(x)
    np.testing.assert_allclose(H_rev, H_fwd, rtol=1e-12, atol=1e-10)
    np.testing.assert_allclose(H_rev, H_rev.T, rtol=1e-12, atol=1e-10)
    H_num = cm.num.hessian(f, x).value
    np.testing.assert_allclose(H_rev, H_num, rtol=1e-6, atol=1e-5)


def test_hessian_mode_is_checked():
    with pytest.raises(CalcmlError, match="mode must be 'rev' or 'fwd'"):
        cm.hessian(np.sum, mode="both")


def test_third_order_by_nesting_jacobians():
    f = lambda x: np.sum(x ** 4)
    x = np.array([1.0, 2.0])
    T = cm.jacobian(cm.hessian(f))(x)
    assert T.shape == (2, 2, 2)
    assert T[1, 1, 1] == pytest.approx(24 * 2.0) and T[0, 1, 1] == 0


# ---------------------------------------------------------------- structure
def test_pytree_gradient_keeps_structure():
    params = {"w": np.array([[1.0, 2.0], [3.0, 4.0]]), "b": [np.array([0.5, -0.5]), 2]}
    x = np.array([1.0, -1.0])

    def loss(p):
        h = p["w"] @ x + p["b"][0]
        return np.sum(h ** 2) * p["b"][1]

    g = cm.grad(loss)(params)
    assert set(g) == {"w", "b"} and isinstance(g["b"], list)
    h = params["w"] @ x + params["b"][0]
    np.testing.assert_allclose(g["w"], 2 * 2 * np.outer(h, x))
    np.testing.assert_allclose(g["b"][0], 2 * 2 * h)
    assert g["b"][1] == pytest.approx(np.sum(h ** 2))
    cm.check_grad(loss, params)


def test_argnums_tuple_and_negative():
    f = lambda a, b, c: a * b ** 2 + c
    ga, gc = cm.grad(f, argnums=(0, -1))(2.0, 3.0, 4.0)
    assert (ga, gc) == (9.0, 1.0)
    with pytest.raises(DimensionError, match="argnums"):
        cm.grad(f, argnums=5)(1.0, 2.0, 3.0)


def test_int_inputs_are_promoted_and_float32_kept():
    assert cm.grad(lambda x: x ** 2)(3) == 6.0
    g = cm.grad(lambda x: np.sum(x ** 2))(np.array([1, 2]))
    assert g.dtype == np.float64 and list(g) == [2.0, 4.0]
    g32 = cm.grad(lambda x: np.sum(x * x))(np.array([1.0, 2.0], dtype=np.float32))
    assert g32.dtype == np.float32


def test_constant_function_has_zero_gradient():
    g = cm.grad(lambda x: 3.0)(np.ones(3))
    assert g.shape == (3,) and not g.any()
    assert cm.jacobian(lambda x: np.ones(2))(np.ones(3)).shape == (2, 3)


def test_gradient_is_writable_copy():
    g = cm.grad(lambda x: np.sum(x))(np.ones(3))
    g[0] = 5.0  # broadcast views are copied before returning
    assert g.flags.writeable


@pytest.mark.parametrize("mode", ["rev", "fwd", "auto"])
def test_jacobian_shapes_and_modes(mode):
    f = lambda x: np.tanh(x[:, None] * np.arange(1.0, 4.0))
    x = np.array([0.1, 0.2])
    J = cm.jacobian(f, mode=mode)(x)
    assert J.shape == (2, 3, 2)
    np.testing.assert_allclose(J.reshape(6, 2), numeric_jacobian(lambda v: np.ravel(f(v)), x),
                               rtol=1e-8)


def test_jacobian_pytree_in_and_out_and_argnums():
    f = lambda p: {"u": p["a"] * 2.0, "v": np.sum(p["a"] * p["b"])}
    p = {"a": np.array([1.0, 2.0]), "b": np.array([3.0, 4.0])}
    J = cm.jacobian(f)(p)
    np.testing.assert_allclose(J["u"]["a"], 2 * np.eye(2))
    np.testing.assert_allclose(J["v"]["b"], p["a"])
    Ja, Jb = cm.jacobian(lambda a, b: a * b, argnums=(0, 1))(np.ones(2), np.full(2, 3.0))
    np.testing.assert_allclose(Ja, 3 * np.eye(2))
    np.testing.assert_allclose(Jb, np.eye(2))
    with pytest.raises(CalcmlError, match="mode"):
        cm.jacobian(np.sin, mode="sideways")


def test_vjp_jvp_and_transpose_identity():
    rng = np.random.default_rng(1)
    W = rng.standard_normal((4, 3))
    f = lambda x: np.tanh(W @ x)
    x, v, u = rng.standard_normal(3), rng.standard_normal(3), rng.standard_normal(4)
    out, pull = cm.vjp(f, x)
    _, Jv = cm.jvp(f, (x,), (v,))
    np.testing.assert_allclose(out, f(x))
    assert u @ Jv == pytest.approx(pull(u)[0] @ v, rel=1e-12)
    with pytest.raises(DimensionError, match="cotangent"):
        pull(np.ones(3))
    with pytest.raises(DimensionError):
        pull([np.ones(4), np.ones(4)])
    with pytest.raises(DimensionError, match="tangent"):
        cm.jvp(f, (x,), (np.ones(2),))
    with pytest.raises(DimensionError):
        cm.jvp(f, (x,), ())
    with pytest.raises(DimensionError):
        cm.jvp(lambda a: a, ((x, x),), ((v,),))


def test_vjp_multiple_outputs_and_constant_output():
    out, pull = cm.vjp(lambda x: (x ** 2, 3.0 * x, np.ones(2)), np.array([1.0, 2.0]))
    g, = pull((np.ones(2), np.ones(2), np.ones(2)))
    np.testing.assert_allclose(g, [5.0, 7.0])
    _, tangent = cm.jvp(lambda x: (x, np.ones(2)), (np.ones(2),), (np.ones(2),))
    assert not tangent[1].any()


def test_derivative_elementwise_and_error():
    x = np.linspace(-2, 2, 7)
    s = 1 / (1 + np.exp(-x))
    np.testing.assert_allclose(cm.derivative(lambda z: 1 / (1 + np.exp(-z)))(x), s * (1 - s))
    assert cm.derivative(cm.derivative(np.sin))(0.3) == pytest.approx(-np.sin(0.3))
    with pytest.raises(DimensionError, match="elementwise"):
        cm.derivative(np.sum)(x)


def test_stop_gradient_and_index_update():
    assert cm.grad(lambda x: x * cm.stop_gradient(x))(3.0) == 3.0
    f = lambda x, v: np.sum(index_update(x, 1, v) ** 2)
    gx, gv = cm.grad(f, argnums=(0, 1))(np.array([1.0, 2.0, 3.0]), 5.0)
    np.testing.assert_allclose(gx, [2.0, 0.0, 6.0])
    assert gv == 10.0


# -------------------------------------------------- non-differentiable points
def test_conventions_at_kinks():
    assert cm.grad(np.abs)(0.0) == 0.0
    assert cm.grad(lambda x: np.maximum(x, 0.0))(0.0) == 0.5          # relu at 0
    assert cm.grad(lambda x: np.minimum(x, 1.0))(1.0) == 0.5
    np.testing.assert_allclose(cm.grad(lambda x: np.max(x))(np.array([1.0, 3.0, 3.0])),
                               [0.0, 0.5, 0.5])
    at_bounds = np.array([-1.0, 1.0, 1.5])
    np.testing.assert_allclose(cm.derivative(lambda x: np.clip(x, -1, 1))(at_bounds),
                               [1.0, 1.0, 0.0])
    np.testing.assert_allclose(cm.derivative(lambda x: np.clip(x, -1, 1))(at_bounds),
                               cm.jacobian(lambda x: np.clip(x, -1, 1), mode="rev")(
                                   np.array([-1.0, 1.0, 1.5])).diagonal())


def test_constant_valued_functions_give_zero_not_error():
    f = lambda x: np.sum(np.floor(x) * x + np.sign(x) + (x > 0) * x + np.round(x))
    x = np.array([1.5, -0.5])
    np.testing.assert_allclose(cm.grad(f)(x), np.floor(x) + (x > 0))
    assert cm.grad(lambda x: x[np.argmax(x)] ** 2)(np.array([1.0, 4.0]))[1] == 8.0
    assert cm.grad(lambda x: np.sum(x) * np.shape(x)[0] + np.ndim(x))(np.ones(2))[0] == 2.0


def test_python_control_flow_on_values():
    def f(x):
        return x ** 2 if x > 0 else -x

    assert cm.grad(f)(3.0) == 6.0 and cm.grad(f)(-3.0) == -1.0
    assert bool(cm.grad(lambda x: x * (1.0 if x else 0.0))(2.0))


# ---------------------------------------------------------------- error paths
def test_nonscalar_grad_points_to_jacobian():
    with pytest.raises(DimensionError, match="jacobian"):
        cm.grad(lambda x: x ** 2)(np.ones(3))
    with pytest.raises(DimensionError, match="scalar"):
        cm.grad(lambda x: (x, x))(1.0)


def test_size_one_output_accepted():
    assert cm.grad(lambda x: np.reshape(x ** 2, (1, 1)))(3.0) == 6.0


def test_unsupported_function_names_itself():
    with pytest.raises(UnsupportedOperationError, match="numpy.fft.fft"):
        cm.grad(lambda x: np.sum(np.abs(np.fft.fft(x))))(np.ones(4))
    with pytest.raises(UnsupportedOperationError, match="rules.py"):
        cm.grad(lambda x: np.sum(np.linalg.eigvalsh(np.outer(x, x))))(np.ones(2))
    with pytest.raises(UnsupportedOperationError, match="accumulate"):
        cm.grad(lambda x: np.sum(np.add.accumulate(x)))(np.ones(2))
    with pytest.raises(UnsupportedOperationError, match="numpy.gcd"):
        cm.grad(lambda x: np.gcd(x, x))(2.0)


@pytest.mark.parametrize("escape, fix", [
    (lambda x: float(x), "stop_gradient"),
    (lambda x: int(x), "stop_gradient"),
    (lambda x: complex(x), "stop_gradient"),
    (lambda x: np.asarray(x), "np.stack"),
    (lambda x: np.array([x, x]), "np.stack"),
    (lambda x: x.tolist(), "stop_gradient"),
    (lambda x: x.item(), "index it"),
    (lambda x: np.ones(3)[x], "derivative"),
    (lambda x: np.exp(x, out=np.empty(())), "out="),
    (lambda x: np.sum(x, out=np.empty(())), "out="),
    (lambda x: x.astype(int), "float dtypes"),
])
def test_escapes_raise_nondifferentiable(escape, fix):
    with pytest.raises(NonDifferentiableError, match=fix):
        cm.grad(escape)(1.0)


def test_inplace_operations_raise():
    def setitem(x):
        x[0] = 1.0
        return np.sum(x)

    def plain_setitem(x):
        y = np.zeros(2)
        y[0] = x
        return np.sum(y)

    def iadd(x):
        x += 1.0
        return x

    with pytest.raises(NonDifferentiableError, match="np.where"):
        cm.grad(setitem)(np.ones(2))
    # NumPy turns the error of float() into a ValueError; ours is its cause.
    with pytest.raises(ValueError) as info:
        cm.grad(plain_setitem)(1.0)
    assert isinstance(info.value.__cause__, NonDifferentiableError)
    with pytest.raises(NonDifferentiableError, match="x = x"):
        cm.grad(iadd)(1.0)


def test_unsupported_options_and_inputs():
    with pytest.raises(UnsupportedOperationError, match="where"):
        cm.grad(lambda x: np.sum(x, where=np.array([True, False])))(np.ones(2))
    with pytest.raises(UnsupportedOperationError, match="order"):
        cm.grad(lambda x: np.sum(np.reshape(x, (4,), order="F")))(np.ones((2, 2)))
    with pytest.raises(UnsupportedOperationError, match="einsum"):
        cm.grad(lambda x: np.einsum("...i,...i", x, x))(np.ones(2))
    with pytest.raises(UnsupportedOperationError, match="repeated"):
        cm.grad(lambda x: np.einsum("ii->", x))(np.eye(2))
    with pytest.raises(UnsupportedOperationError):
        cm.grad(lambda x: np.einsum("ij,jk", x))(np.eye(2))
    with pytest.raises(UnsupportedOperationError, match="ord"):
        cm.grad(lambda x: np.linalg.norm(x, ord="nuc"))(np.eye(2))
    with pytest.raises(UnsupportedOperationError, match="3-vectors"):
        cm.grad(lambda x: np.sum(np.cross(x, x)))(np.ones(2))
    with pytest.raises(UnsupportedOperationError, match="2-D"):
        cm.grad(lambda x: np.sum(np.diagonal(x)))(np.ones((2, 2, 2)))
    with pytest.raises(CalcmlError, match="type"):
        cm.grad(lambda x: x)("a string")


def test_box_behaves_like_an_array():
    seen = {}

    def f(x):
        seen.update(shape=x.shape, ndim=x.ndim, size=x.size, dtype=x.dtype, len=len(x),
                    rows=[r for r in x], lt=(x < 1).tolist(), eq=(x == x).all(),
                    ne=(x != x).any(), ge=(x >= 0).all(), gt=(x > 5).any(), le=(x <= 2).all(),
                    am=x.argmax(), an=x.argmin(), srt=x.argsort().tolist(), nz=len(x.nonzero()[0]),
                    rep="Box(" in repr(x), traced=cm.ad.is_traced(x))
        return np.sum(+x * -x) + x.prod() + abs(x).sum() + (x @ x) + (np.ones(2) @ x)

    g = cm.grad(f)(np.array([0.5, 2.0]))
    assert seen["shape"] == (2,) and seen["len"] == 2 and seen["traced"] and seen["rep"]
    assert seen["dtype"] == np.float64 and seen["lt"] == [True, False] and seen["srt"] == [0, 1]
    assert g.shape == (2,)


def test_gradient_check_error_table_and_options():
    with pytest.raises(GradientCheckError) as info:
        cm.check_grad(np.sin, np.array([0.1, 0.2]), grad=lambda x: np.cos(x) * 1.1)
    assert "analytic" in str(info.value) and "numeric" in str(info.value)
    result = cm.check_grad(lambda a, b: np.sum(a * b), np.ones(2), np.ones(2),
                           grad=lambda a, b: (b, a))
    assert result.passed and "passed" in str(result)
    long = cm.check_grad(lambda x: np.sum(x ** 2), np.ones(30), modes=("rev",))
    assert len(long.table().splitlines()) > 12
    for bad in (dict(order=3), dict(modes=("sideways",))):
        with pytest.raises(CalcmlError):
            cm.check_grad(np.sin, 1.0, **bad)
    with pytest.raises(CalcmlError, match="callable"):
        cm.check_grad("sin", 1.0)
    with pytest.raises(DimensionError):
        cm.check_grad(lambda x: np.sum(x), np.ones(2), grad=lambda x: np.ones(3))
    assert cm.check_grad(lambda x, n: x ** n, 2.0, 3, argnums=0).passed


def test_check_grad_catches_wrong_rule(monkeypatch):
    from calcml.ad.registry import PRIMS
    monkeypatch.setitem(PRIMS["sin"].vjps, 0, lambda g, ans, x: g * np.cos(x) * 2)
    with pytest.raises(GradientCheckError, match="rev"):
        cm.check_grad(np.sin, np.array([0.3]))


def test_supported_functions_listing():
    names = cm.ad.supported_functions()
    assert "numpy.linalg.det" in names and "numpy.einsum" in names
    assert "numpy.floor" in cm.ad.nograd_functions()


def test_pytree_helpers_roundtrip():
    from collections import namedtuple
    P = namedtuple("P", "a b")
    tree = {"x": (1, [2, 3]), "y": P(4, 5)}
    leaves, treedef = tree_flatten(tree)
    assert leaves == [1, 2, 3, 4, 5]
    assert tree_unflatten(treedef, leaves) == tree
    assert tree_map(lambda a, b: a + b, tree, tree)["y"] == P(8, 10)


# ------------------------------------------------------ property tests
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)
floats = st.floats(-2, 2, allow_nan=False, width=64)


@settings(max_examples=30, deadline=None)
@given(data=st.data(), op=st.sampled_from(["add", "subtract", "multiply", "divide",
                                           "maximum", "logaddexp", "arctan2", "power"]))
def test_binary_broadcasting_property(data, op):
    """AD (rev and fwd) matches finite differences on random broadcasting shapes."""
    s1, s2 = data.draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3,
                                                         max_side=3)).input_shapes
    lo = 0.5 if op in ("divide", "power", "arctan2") else -2.0
    x = data.draw(hnp.arrays(np.float64, s1,
                             elements=st.floats(0.5, 2.0) if op == "power" else floats))
    y = data.draw(hnp.arrays(np.float64, s2, elements=st.floats(lo, 2.0)))
    if op == "maximum":
        y = y + 0.25  # keep away from ties (the kink)
    fun = getattr(np, op)
    cm.check_grad(lambda a, b: fun(a, b) * 1.5, x, y, rtol=1e-5, atol=1e-7)
    assert cm.grad(lambda a, b: np.sum(fun(a, b)))(x, y).shape == np.shape(x)


@settings(max_examples=30, deadline=None)
@given(x=hnp.arrays(np.float64, shapes, elements=floats),
       fun=st.sampled_from([np.sin, np.tanh, np.exp, lambda z: np.log1p(z ** 2), np.arctan]))
def test_unary_ad_matches_numeric_on_random_shapes(x, fun):
    cm.check_grad(fun, x, order=2, rtol=1e-5, atol=1e-7)


@settings(max_examples=25, deadline=None)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(min_dims=1, max_dims=3, max_side=3),
                   elements=floats),
       data=st.data())
def test_reductions_with_axis_property(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    keepdims = data.draw(st.booleans())
    for red in (np.sum, np.mean, np.prod):
        f = lambda z, red=red: red(z * z + 0.5, axis=axis, keepdims=keepdims)
        cm.check_grad(f, x, rtol=1e-5, atol=1e-7)


@pytest.mark.parametrize("name, symbolic", [("grad", "gradient"), ("value_and_grad", "gradient"),
                                            ("jacobian", "jacobian"), ("hessian", "hessian"),
                                            ("hvp", "hessian"), ("derivative", "diff")])
def test_text_instead_of_a_function_is_refused_with_the_way_to_do_it(name, symbolic):
    with pytest.raises(cm.InvalidFunctionError, match=f"calcml.sym.{symbolic}\\('x\\^2'\\)"):
        getattr(cm, name)("x^2")
    with pytest.raises(cm.InvalidFunctionError, match="got float"):
        cm.vjp(3.0, 1.0)
    with pytest.raises(cm.InvalidFunctionError, match="got NoneType"):
        cm.jvp(None, (1.0,), (1.0,))
