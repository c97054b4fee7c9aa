"""The numba kernels against their numpy reference twins (on finite, NaN and infinite
values, and on sizes that don't fit), and the numba set-up rules."""
import functools
import os
import subprocess
import sys
import tempfile
import textwrap
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

from tests.conftest import PROJECT_ROOT
from tinygraph import errors
from tinygraph.kernels import NAMES, numba_impl as N, reference as R

FLOATS = st.sampled_from([np.float32, np.float64])
TOLERANCE = {np.dtype(np.float32): 1e-5, np.dtype(np.float64): 1e-12}
NONFINITE = st.sampled_from([np.nan, np.inf, -np.inf])


@st.composite
def arrays(draw, dtype=None, min_dims=2, max_dims=2, low=-10.0, high=10.0, special=True):
    """Float arrays (a batch of 1 included), C-contiguous, Fortran-ordered or strided.

    With ``special``, about one element in eight is NaN, +Inf or -Inf."""
    dtype = np.dtype(dtype or draw(FLOATS))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=max_dims, min_side=1,
                                  max_side=12))
    finite = st.floats(low, high, width=32)
    elements = st.one_of(NONFINITE, *[finite] * 7) if special else finite
    x = draw(hnp.arrays(dtype, shape, elements=elements))
    layout = draw(st.sampled_from(["C", "F", "strided"]))
    if layout == "F":
        x = np.asfortranarray(x)
    elif layout == "strided":  # every other element of a twice-as-long last axis
        wide = np.zeros(x.shape[:-1] + (2 * x.shape[-1],), dtype)
        wide[..., ::2] = x
        x = wide[..., ::2]
    return x


matrices = functools.partial(arrays, min_dims=2, max_dims=2)


def same(a, b):
    """Equal dtypes and shapes; values within the dtype's tolerance (never bitwise); NaN
    and infinities in the same places."""
    assert a.dtype == b.dtype and a.shape == b.shape
    tol = TOLERANCE.get(a.dtype, 0)
    np.testing.assert_allclose(a, b, rtol=tol, atol=tol)  # equal_nan by default


KERNEL_TESTS = {}  # kernel name -> its twin test; every name in NAMES needs one


def twin_test(name):
    def register(fn):
        KERNEL_TESTS[name] = fn
        return fn
    return register


def test_every_kernel_has_both_twins_and_a_test():
    for name in NAMES:
        assert callable(getattr(N, name)) and callable(getattr(R, name))
    assert set(KERNEL_TESTS) == set(NAMES)


@twin_test("sparse_xent")
@given(matrices(special=False), st.sampled_from([np.int32, np.int64]), st.data())
def test_sparse_xent(logits, label_dtype, data):
    labels = data.draw(hnp.arrays(label_dtype, (logits.shape[0],),
                                  elements=st.integers(0, logits.shape[1] - 1)))
    got, want = N.sparse_xent(logits, labels), R.sparse_xent(logits, labels)
    same(got[0], want[0])
    same(got[1], want[1])
    assert got[2] == want[2] == -1
    assert got[0].dtype == got[1].dtype == logits.dtype  # float32 stays float32
    # against plain numpy: logsumexp(z) - z[label], and softmax - onehot
    z = logits.astype(np.float64)
    shifted = z - z.max(1, keepdims=True)
    rows = np.arange(len(z))
    tol = 1e-4 if logits.dtype == np.float32 else 1e-10
    np.testing.assert_allclose(got[0], np.log(np.exp(shifted).sum(1)) - shifted[rows, labels],
                               rtol=tol, atol=tol)
    onehot = np.eye(z.shape[1])[labels]
    softmax = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
    np.testing.assert_allclose(got[1], softmax - onehot, rtol=tol, atol=tol)


@twin_test("bias_sparse_xent_scaled")
@given(matrices(special=False), st.data())
def test_bias_sparse_xent_scaled_is_the_unfused_ops(z, data):
    """The fused mean cross-entropy equals its ops run one by one: the Add of the bias,
    sparse_xent, and the backprop times the mean's 1/n, on both twins."""
    bias = data.draw(hnp.arrays(z.dtype, (z.shape[1],), elements=st.floats(-3, 3, width=32)))
    labels = data.draw(hnp.arrays(np.int64, (z.shape[0],),
                                  elements=st.integers(0, z.shape[1] - 1)))
    scale = z.dtype.type(1) / z.dtype.type(max(z.shape[0], 1))
    for impl in (N, R):
        loss, backprop, bad = impl.bias_sparse_xent_scaled(z, bias, labels, scale)
        want_loss, want_backprop, _ = impl.sparse_xent(z + bias, labels)
        assert bad == -1 and loss.dtype == backprop.dtype == z.dtype
        same(loss, want_loss)
        same(backprop, scale * want_backprop)
        no_loss, same_backprop, _ = impl.bias_sparse_xent_scaled(z, bias, labels, scale, False)
        assert no_loss.shape == (0,)
        same(same_backprop, backprop)
    if z.shape[0]:  # a bad label is reported, not read out of bounds
        assert N.bias_sparse_xent_scaled(z, bias, labels * 0 - 1, scale)[2] == 0


@given(matrices(), st.data())
def test_sparse_xent_twins_agree_on_nan_and_inf(logits, data):
    """A row with NaN, or with an infinite logit (inf - inf), has a NaN loss and gradient."""
    labels = data.draw(hnp.arrays(np.int64, (logits.shape[0],),
                                  elements=st.integers(0, logits.shape[1] - 1)))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        got, want = N.sparse_xent(logits, labels), R.sparse_xent(logits, labels)
    same(got[0], want[0])
    same(got[1], want[1])
    bad = ~np.isfinite(logits).all(axis=1) & (np.isnan(logits).any(axis=1)
                                              | (logits == np.inf).any(axis=1)
                                              | np.isneginf(logits).all(axis=1))
    assert np.isnan(got[0][bad]).all() and np.isnan(got[1][bad]).all()
    assert np.isfinite(got[0][np.isfinite(logits).all(axis=1)]).all()


@given(matrices(low=-3, high=3).map(np.round))
def test_argmax_twins_agree_on_nan_and_inf(x):
    for axis in (0, 1, -1):
        np.testing.assert_array_equal(N.argmax(x, axis), R.argmax(x, axis))


def test_sparse_xent_is_stable_and_reports_the_first_bad_label():
    for impl in (N, R):
        for dtype in (np.float32, np.float64):
            loss, backprop, bad = impl.sparse_xent(np.array([[1e4, -1e4]], dtype),
                                                   np.array([1]))
            assert bad == -1 and loss[0] == 20000.0 and loss.dtype == dtype
            np.testing.assert_array_equal(backprop, [[1.0, -1.0]])
            loss, backprop, _ = impl.sparse_xent(np.array([[-1e4, 1e4, 0.0]] * 2, dtype),
                                                 np.array([1, 2]))
            assert np.isfinite(loss).all() and np.isfinite(backprop).all()
            np.testing.assert_allclose(loss, [0.0, 1e4])
        assert impl.sparse_xent(np.zeros((3, 10), np.float32), np.array([3, 10, -1]))[2] == 1
        assert impl.sparse_xent(np.zeros((2, 10), np.float32), np.array([-1, 0]))[2] == 0
        assert impl.sparse_xent(np.zeros((2, 4), np.float64), np.array([0, 4]))[2] == 1


@twin_test("sum_to_shape")
@given(arrays(min_dims=2, max_dims=3))
def test_sum_to_shape(grad):
    rest = grad.shape[1:]
    for shape in (rest, (1,) + rest, (grad.shape[0],) + (1,) * len(rest), grad.shape,
                  (rest[-1],), ()):
        got = N.sum_to_shape(grad, shape)
        same(got, R.sum_to_shape(grad, shape))
        assert got.dtype == grad.dtype
        # against numpy: summing the broadcast of ones reproduces the total
        with np.errstate(invalid="ignore"):
            np.testing.assert_allclose(got.sum(dtype=np.float64), grad.sum(dtype=np.float64),
                                       rtol=1e-4, atol=1e-3)


@twin_test("relu")
@given(arrays(min_dims=1, max_dims=3))
def test_relu(x):
    got = N.relu(x)
    same(got, R.relu(x))
    np.testing.assert_array_equal(got, np.where(np.isnan(x) | (x > 0), x, 0))  # NaN stays
    assert got.dtype == x.dtype


@twin_test("relu_grad")
@given(arrays(min_dims=1, max_dims=3), st.data())
def test_relu_grad(x, data):
    grad = data.draw(hnp.arrays(x.dtype, x.shape, elements=st.one_of(
        NONFINITE, *[st.floats(-5, 5, width=32)] * 7)))
    y = R.relu(x)
    got = N.relu_grad(grad, y)
    same(got, R.relu_grad(grad, y))
    with np.errstate(invalid="ignore"):  # TF1: grad * (y > 0), so NaN or Inf * 0 is NaN
        np.testing.assert_array_equal(got, grad * (y > 0))
    assert got.dtype == x.dtype
    assert N.relu_grad(np.ones(3, np.float32), np.zeros(3, np.float32)).sum() == 0  # relu'(0)


@twin_test("argmax")
@given(st.one_of(matrices(low=-3, high=3, special=False).map(np.round),
                 hnp.arrays(st.sampled_from([np.int32, np.int64]),
                            hnp.array_shapes(min_dims=2, max_dims=2, max_side=12),
                            elements=st.integers(-2, 2))))
def test_argmax_ties_go_to_the_lowest_index(x):
    for axis in (0, 1, -1):
        got = N.argmax(x, axis)
        np.testing.assert_array_equal(got, R.argmax(x, axis))
        np.testing.assert_array_equal(got, np.argmax(x, axis))  # numpy: first maximum
        assert got.dtype == np.int64
    np.testing.assert_array_equal(N.argmax(np.array([[1.0, 3, 3], [2, 2, 2]]), 1), [1, 0])


def test_argmax_nan_is_the_first_nan_in_both():
    x = np.array([[1.0, np.nan, 3.0], [np.nan, 5.0, np.nan]])
    for impl in (N, R):
        np.testing.assert_array_equal(impl.argmax(x, 1), [1, 0])


@twin_test("equal")
@given(st.sampled_from([np.int32, np.int64, np.float32, np.float64, np.bool_]),
       hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=10), st.data())
def test_equal(dtype, shape, data):
    elements = st.booleans() if dtype == np.bool_ else st.integers(0, 3)
    x = data.draw(hnp.arrays(dtype, shape, elements=elements))
    y = data.draw(hnp.arrays(dtype, shape, elements=elements))
    got = N.equal(x, y)
    np.testing.assert_array_equal(got, R.equal(x, y))
    np.testing.assert_array_equal(got, x == y)
    assert got.dtype == np.bool_


@twin_test("apply_gradient_descent")
@given(arrays(min_dims=1, max_dims=3), st.floats(0.001, 1.0))
def test_apply_gradient_descent_updates_in_place(var, alpha):
    var = np.ascontiguousarray(var)  # a variable owns contiguous storage
    delta = var[::-1].copy()
    with np.errstate(invalid="ignore"):  # inf - inf
        want = var - var.dtype.type(alpha) * delta
    numba_var, reference_var = var.copy(), var.copy()
    assert N.apply_gradient_descent(numba_var, np.array(alpha, var.dtype), delta) is numba_var
    assert R.apply_gradient_descent(reference_var, np.array(alpha, var.dtype),
                                    delta) is reference_var
    same(numba_var, want)
    same(reference_var, want)


@twin_test("bias_add")
@given(matrices(), st.data())
def test_bias_add(x, data):
    bias = data.draw(hnp.arrays(x.dtype, (x.shape[1],), elements=st.one_of(
        NONFINITE, *[st.floats(-5, 5, width=32)] * 7)))
    got = N.bias_add(x, bias)
    same(got, R.bias_add(x, bias))
    with np.errstate(invalid="ignore"):  # inf - inf
        same(got, x + bias)
    assert got.dtype == x.dtype


SPECIAL = [np.nan, np.inf, -np.inf, -0.0, 0.0, 1.0, -1.0, 2.5]


@given(st.data(), FLOATS, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=5))
def test_nan_inf_signed_zero_and_empty_batches_agree(data, dtype, shape):
    """Both backends give the same results, without warnings, on special values and on
    a batch of 0 rows."""
    x = data.draw(hnp.arrays(dtype, shape, elements=st.sampled_from(SPECIAL)))
    labels = np.arange(shape[0]) % max(shape[1], 1)
    bias = x[0] if shape[0] else np.zeros(shape[1], dtype)
    calls = [("relu", (x,)), ("relu_grad", (x, R.relu(x[::-1]))), ("relu_grad", (x[::-1], x)),
             ("sum_to_shape", (x, (shape[1],))), ("bias_add", (x, bias)),
             ("equal", (x.ravel(), x.ravel()[::-1].copy()))]
    if shape[1]:
        calls += [("argmax", (x, 1)), ("sparse_xent", (x, labels))]
    for name, args in calls:
        with warnings.catch_warnings():
            warnings.simplefilter("error")  # silent about NaN and Inf, as TF is
            got, want = getattr(N, name)(*args), getattr(R, name)(*args)
        for g, w in zip(got if name == "sparse_xent" else [got],
                        want if name == "sparse_xent" else [want]):
            if isinstance(g, np.ndarray):
                assert g.dtype == w.dtype and g.shape == w.shape, name
            np.testing.assert_allclose(g, w, rtol=TOLERANCE[np.dtype(dtype)], err_msg=name)


# -- sizes that don't fit: both twins refuse them with the same error ------------------------
SIZE_TESTS = {}  # kernel name -> its mismatched-sizes test
NO_SIZES = {"relu": "one input, any shape: nothing can mismatch"}


def size_test(name):
    def register(fn):
        SIZE_TESTS[name] = fn
        return fn
    return register


def test_every_kernel_with_two_inputs_has_a_size_test():
    assert set(SIZE_TESTS) | set(NO_SIZES) == set(NAMES)
    assert not set(SIZE_TESTS) & set(NO_SIZES)


def both_refuse(name, *args):
    """Both twins raise the same InvalidArgumentError for ``args``; returns its message."""
    messages = []
    for impl in (N, R):
        with pytest.raises(errors.InvalidArgumentError) as info:
            getattr(impl, name)(*args)
        messages.append(info.value.message)
    assert messages[0] == messages[1]
    return messages[0]


def dims(shape):
    return "[" + ",".join(map(str, shape)) + "]"


sides = st.integers(0, 5)
shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


@size_test("sparse_xent")
@given(FLOATS, sides, sides, st.integers(1, 4), st.sampled_from([np.int32, np.int64]))
def test_sparse_xent_refuses_labels_that_dont_match_the_rows(dtype, rows, n_labels, k,
                                                             label_dtype):
    """Too few labels would make numba read past the end; too many were ignored."""
    if rows == n_labels:
        n_labels += 1
    message = both_refuse("sparse_xent", np.zeros((rows, k), dtype),
                          np.zeros(n_labels, label_dtype))
    assert message == ("logits and labels must have the same first dimension, got logits "
                       "shape [%d,%d] and labels shape [%d]" % (rows, k, n_labels))


def test_sparse_xent_refuses_wrong_ranks_and_no_classes():
    labels = np.zeros(3, np.int64)
    assert both_refuse("sparse_xent", np.zeros(3, np.float32), labels) == \
        "logits must be 2-D, but got shape [3]"
    assert both_refuse("sparse_xent", np.zeros((3, 2, 2)), labels) == \
        "logits must be 2-D, but got shape [3,2,2]"
    assert both_refuse("sparse_xent", np.zeros((3, 2)), labels.reshape(3, 1)) == \
        "labels must be 1-D, but got shape [3,1]"
    assert both_refuse("sparse_xent", np.zeros((3, 0)), labels) == \
        "Must have at least one class, but got logits shape [3,0]"
    assert both_refuse("sparse_xent", np.zeros((0, 0)), labels[:0]) == \
        "Must have at least one class, but got logits shape [0,0]"


@size_test("sum_to_shape")
@given(FLOATS, shapes, shapes)
def test_sum_to_shape_refuses_a_shape_that_does_not_broadcast_to_the_gradient(dtype, grad,
                                                                              shape):
    lead = len(grad) - len(shape)
    fits = lead >= 0 and all(d in (1, grad[lead + i]) for i, d in enumerate(shape))
    grad = np.ones(grad, dtype)
    if fits:  # a valid pair: both sum the same (and the total is kept)
        same(N.sum_to_shape(grad, shape), R.sum_to_shape(grad, shape))
        return
    message = both_refuse("sum_to_shape", grad, shape)
    assert message.startswith("Cannot sum a tensor of shape %s to shape %s"
                              % (dims(grad.shape), dims(shape)))


@size_test("relu_grad")
@given(FLOATS, shapes, shapes)
def test_relu_grad_refuses_two_shapes(dtype, a, b):
    if a == b:
        b = b + (2,)
    message = both_refuse("relu_grad", np.ones(a, dtype), np.ones(b, dtype))
    assert message == ("Inputs to operation ReluGrad of type ReluGrad must have the same size "
                       "and shape.  Input 0: %s != input 1: %s" % (dims(a), dims(b)))
    for impl in (N, R):  # an op passes its name for the text
        with pytest.raises(errors.InvalidArgumentError, match="operation gradients/Relu_grad "):
            impl.relu_grad(np.ones(a, dtype), np.ones(b, dtype), "gradients/Relu_grad")


@size_test("argmax")
@given(st.sampled_from([np.float32, np.float64, np.int32, np.int64]),
       hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=3), st.integers(-4, 3))
def test_argmax_refuses_an_empty_or_missing_axis(dtype, shape, axis):
    x = np.zeros(shape, dtype)
    if not -x.ndim <= axis < x.ndim:
        assert both_refuse("argmax", x, axis) == (
            "Expected dimension in the range [%d, %d), but got %d" % (-x.ndim, x.ndim, axis))
    elif shape[axis] == 0:
        assert both_refuse("argmax", x, axis) == (
            "Reduction axis %d is empty in shape %s" % (axis, dims(shape)))
    else:
        np.testing.assert_array_equal(N.argmax(x, axis), R.argmax(x, axis))


@size_test("equal")
@given(st.sampled_from([np.int32, np.int64, np.float32, np.float64, np.bool_]),
       st.tuples(shapes, shapes).filter(lambda ab: not broadcastable(*ab)))
def test_equal_refuses_shapes_that_dont_broadcast(dtype, pair):
    a, b = pair
    assert both_refuse("equal", np.zeros(a, dtype), np.zeros(b, dtype)) == \
        "Incompatible shapes: %s vs. %s" % (dims(a), dims(b))


@size_test("apply_gradient_descent")
@given(FLOATS, shapes, shapes)
def test_apply_gradient_descent_refuses_another_shape_and_leaves_the_variable(dtype, a, b):
    if a == b:
        b = (1,) + b
    var = np.arange(np.prod(a), dtype=dtype).reshape(a)
    for impl in (N, R):
        before = var.copy()
        with pytest.raises(errors.InvalidArgumentError) as info:
            impl.apply_gradient_descent(var, np.array(0.5, dtype), np.ones(b, dtype))
        assert info.value.message == ("var and delta do not have the same shape%s %s"
                                      % (dims(a), dims(b)))
        np.testing.assert_array_equal(var, before)  # nothing written
        with pytest.raises(errors.InvalidArgumentError, match=r"alpha is not a scalar: \[2\]"):
            impl.apply_gradient_descent(var, np.array([0.5, 0.5], dtype), var.copy())
        np.testing.assert_array_equal(var, before)


@size_test("bias_add")
@given(FLOATS, hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=4), sides)
def test_bias_add_refuses_a_bias_of_another_length(dtype, shape, k):
    if k == shape[1]:
        k += 1
    assert both_refuse("bias_add", np.zeros(shape, dtype), np.zeros(k, dtype)) == (
        "Must provide as many biases as the last dimension of the input tensor: [%d] vs. %s"
        % (k, dims(shape)))


@size_test("bias_sparse_xent_scaled")
@given(FLOATS, hnp.array_shapes(min_dims=2, max_dims=2, min_side=1, max_side=4), sides)
def test_bias_sparse_xent_scaled_refuses_a_bias_of_another_length(dtype, shape, k):
    if k == shape[1]:
        k += 1
    assert both_refuse("bias_sparse_xent_scaled", np.zeros(shape, dtype), np.zeros(k, dtype),
                       np.zeros(shape[0], np.int64), 1.0) == (
        "Must provide as many biases as the last dimension of the input tensor: [%d] vs. %s"
        % (k, dims(shape)))


def test_jitted_kernels_refuse_sizes_themselves():
    """The jitted loops check sizes too, so no caller can make them read out of bounds."""
    f32 = np.float32
    assert N._sparse_xent(np.zeros((3, 2), f32), np.zeros(2, np.int64), np.empty(3, f32),
                          np.empty((3, 2), f32)) == -2
    assert N._sparse_xent(np.zeros((3, 0), f32), np.zeros(3, np.int64), np.empty(3, f32),
                          np.empty((3, 0), f32)) == -2
    assert N.bias_xent_scaled_into(np.zeros((3, 2), f32), np.zeros(3, f32), np.zeros(3, np.int64),
                                   f32(1), np.empty(3, f32), np.empty((3, 2), f32), True) == -2
    assert N.bias_xent_scaled_into(np.zeros((3, 2), f32), np.zeros(2, f32), np.zeros(3, np.int64),
                                   f32(1), np.empty(2, f32), np.empty((3, 2), f32), True) == -2
    assert not N._column_sum(np.ones((3, 4), f32), np.empty(5, f32))
    assert not N._relu(np.ones(4, f32), np.empty(3, f32))
    assert not N._relu_grad(np.ones(4, f32), np.ones(3, f32), np.empty(4, f32))
    assert not N._argmax_rows(np.ones((3, 0), f32), np.empty(3, np.int64))
    assert not N._argmax_rows(np.ones((3, 2), f32), np.empty(2, np.int64))
    assert not N._equal_1d(np.ones(4, f32), np.ones(3, f32), np.empty(4, np.bool_))
    assert not N._axpy_inplace(np.ones(4, f32), f32(1), np.ones(3, f32))
    assert not N._bias_add(np.ones((3, 4), f32), np.ones(3, f32), np.empty((3, 4), f32))


# -- NaN and infinities through the activations, as TF1 gives them -----------------------------
def test_nan_in_every_activation_gives_nan_out(backend):
    """TF1 (measured): relu, sigmoid and tanh of NaN are NaN; a NaN logit makes its softmax
    row, its cross-entropy loss and that row's gradient NaN; relu's gradient is
    grad * (y > 0), so a NaN gradient stays NaN even where relu was 0."""
    import tinygraph as tf
    nan = np.nan
    x = tf.placeholder(tf.float32, [None, 3])
    g = tf.placeholder(tf.float32, [None, 3])
    labels = tf.placeholder(tf.int64, [None])
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=x)
    relu = tf.nn.relu(x)
    fetches = [relu, tf.sigmoid(x), tf.tanh(x), tf.nn.softmax(x), xent,
               tf.gradients(xent, x)[0], tf.gradients(relu, x, grad_ys=g)[0]]
    value = np.array([[nan, 1.0, -1.0], [0.5, -2.0, 3.0]], np.float32)
    upstream = np.array([[1.0, nan, nan], [1.0, 1.0, 1.0]], np.float32)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # silent about NaN, as TF is
        out = tf.Session().run(fetches, {x: value, labels: [1, 2], g: upstream})
    relu_v, sigmoid_v, tanh_v, softmax_v, loss_v, dlogits, drelu = out
    for got in (relu_v, sigmoid_v, tanh_v):
        np.testing.assert_array_equal(np.isnan(got), [[True, False, False], [False] * 3])
    assert np.isnan(softmax_v[0]).all() and np.isfinite(softmax_v[1]).all()
    assert np.isnan(loss_v[0]) and np.isfinite(loss_v[1])
    assert np.isnan(dlogits[0]).all() and np.isfinite(dlogits[1]).all()
    # relu's gradient: y = [nan, 1, 0] -> [1*0, nan*1, nan*0] = [0, nan, nan], as in TF1
    np.testing.assert_array_equal(drelu, [[0.0, nan, nan], [1.0, 0.0, 1.0]])


@given(arrays(np.float32, min_dims=2, max_dims=2))
def test_nan_and_inf_propagate_through_the_activations_on_both_backends(x):
    import tinygraph as tf
    from tinygraph import kernels
    tf.reset_default_graph()
    p = tf.placeholder(tf.float32, [None, None])
    labels = tf.placeholder(tf.int64, [None])
    xent = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=p)
    fetches = [tf.nn.relu(p), tf.sigmoid(p), tf.tanh(p), tf.nn.softmax(p), xent,
               tf.gradients(xent, p)[0], tf.gradients(tf.nn.relu(p), p, grad_ys=p)[0]]
    feed = {p: x, labels: np.arange(len(x)) % x.shape[1]}
    previous = kernels.backend
    results = []
    try:
        for name in ("numba", "reference"):
            kernels.use(name)
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                results.append(tf.Session().run(fetches, feed))
    finally:
        kernels.use(previous or "numba")
    for got, want in zip(*results):
        same(got, want)
    relu_v, sigmoid_v, tanh_v, softmax_v, loss_v, dlogits, drelu = results[0]
    for got in (relu_v, sigmoid_v, tanh_v):  # NaN in, NaN out, elementwise
        np.testing.assert_array_equal(np.isnan(got), np.isnan(x))
    bad_rows = np.isnan(x).any(axis=1)
    assert np.isnan(softmax_v[bad_rows]).all() and np.isnan(loss_v[bad_rows]).all()
    assert np.isnan(dlogits[bad_rows]).all()
    with np.errstate(invalid="ignore"):
        np.testing.assert_array_equal(drelu, x * (np.maximum(x, 0) > 0))


# -- end to end: a training graph gives the same numbers with either backend -----------------
def numpy_training(x, labels, w1, b1, w2, lr, steps):
    """The same 2-layer net and plain gradient descent, written out in float64 numpy."""
    w1, b1, w2 = w1.astype(np.float64), b1.astype(np.float64), w2.astype(np.float64)
    losses = []
    rows = np.arange(len(x))
    for _ in range(steps):
        pre = x @ w1 + b1
        hidden = np.maximum(pre, 0)
        logits = hidden @ w2
        shifted = logits - logits.max(1, keepdims=True)
        p = np.exp(shifted) / np.exp(shifted).sum(1, keepdims=True)
        losses.append(np.mean(np.log(np.exp(shifted).sum(1)) - shifted[rows, labels]))
        dlogits = p.copy()
        dlogits[rows, labels] -= 1
        dlogits /= len(x)
        dw2 = hidden.T @ dlogits
        dpre = (dlogits @ w2.T) * (pre > 0)
        w1, b1, w2 = w1 - lr * (x.T @ dpre), b1 - lr * dpre.sum(0), w2 - lr * dw2
    return np.array(losses), w1, b1, w2


def test_training_gives_the_same_numbers_with_either_backend(backend):
    import tinygraph as tf
    from tinygraph import kernels
    rng = np.random.default_rng(7)
    x_value = rng.normal(size=(32, 6)).astype(np.float32)
    label_value = rng.integers(0, 4, 32)
    init = [rng.normal(scale=0.5, size=s).astype(np.float32) for s in [(6, 16), (16,), (16, 4)]]
    x = tf.placeholder(tf.float32, [None, 6])
    labels = tf.placeholder(tf.int64, [None])
    w1, b1, w2 = (tf.Variable(v) for v in init)
    logits = tf.matmul(tf.nn.relu(tf.matmul(x, w1) + b1), w2)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                         logits=logits))
    accuracy = tf.reduce_mean(tf.cast(tf.equal(tf.argmax(logits, 1), labels), tf.float32))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    feed = {x: x_value, labels: label_value}
    losses = []
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(15):
            value, _ = sess.run([loss, train], feed)
            assert value.dtype == np.float32
            losses.append(value)
        final = sess.run([w1, b1, w2])
        assert sess.run(accuracy, feed) > 0.5
    assert kernels.relu.__module__ == "tinygraph.kernels." + {
        "numba": "numba_impl", "reference": "reference"}[backend]
    want_losses, *want_weights = numpy_training(x_value, label_value, *init, lr=0.5, steps=15)
    np.testing.assert_allclose(losses, want_losses, rtol=1e-4, atol=1e-5)
    assert losses[-1] < 0.7 * losses[0]
    for got, want in zip(final, want_weights):
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-4)


# -- the numba set-up rules, each in a fresh interpreter --------------------------------------
def python(code, env=None):
    """Run ``code`` in a fresh interpreter whose user cache dir is a temporary one, so that
    nothing is written outside it (numba's own cache beside the package aside)."""
    with tempfile.TemporaryDirectory() as cache_home:
        full_env = dict(os.environ, XDG_CACHE_HOME=cache_home)
        full_env.pop("TINYGRAPH_NUMBA", None)  # these runs are about numba: use its default
        full_env.update(env or {})
        return subprocess.run([sys.executable, "-c", textwrap.dedent(code)], cwd=PROJECT_ROOT,
                              env=full_env, capture_output=True, text=True, timeout=300)


RELU_RUN = """
import tinygraph as tf
x = tf.placeholder(tf.float32, [None])
print(tf.Session().run(tf.nn.relu(x), {x: [1.0, -1.0]}))
from tinygraph import kernels
print(kernels.backend)
"""


def test_import_compiles_nothing():
    # numba itself may be loading in the background, but no kernel module is imported, so
    # nothing can have been compiled; with the reference kernels numba is not even imported.
    check = "import sys, tinygraph; print('tinygraph.kernels.numba_impl' in sys.modules)"
    out = python(check)
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr
    out = python("import sys, tinygraph, time; time.sleep(1); print('numba' in sys.modules)",
                 {"TINYGRAPH_NUMBA": "0"})
    assert out.returncode == 0 and out.stdout.strip() == "False", out.stderr


def test_reference_backend_switch():
    out = python(RELU_RUN, {"TINYGRAPH_NUMBA": "0"})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1.", "0.]", "reference"]


def test_missing_numba_falls_back_with_one_warning():
    out = python("import sys; sys.modules['numba'] = None\n" + RELU_RUN)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split()[-1] == "reference"
    assert out.stderr.count("numba is not available") == 1


def test_no_writable_cache_falls_back_to_uncached_compilation(tmp_path):
    # No locator can cache (as in a read-only install with a read-only home): the kernels
    # still compile, and tinygraph warns once instead of failing at import. The fallback
    # directory it tried is $XDG_CACHE_HOME/tinygraph/numba: here a temporary one.
    no_locators = ("import numba.core.caching as caching\n"
                   "caching.CacheImpl._locator_classes = []\n")
    out = python(no_locators + textwrap.dedent(RELU_RUN), {"XDG_CACHE_HOME": str(tmp_path)})
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["[1.", "0.]", "numba"]
    assert out.stderr.count("cannot cache compiled kernels") == 1
    assert (tmp_path / "tinygraph" / "numba").is_dir()


def test_a_corrupt_kernel_cache_is_recompiled_with_one_warning(tmp_path):
    cache = tmp_path / "cache"
    env = {"NUMBA_CACHE_DIR": str(cache)}
    assert python(RELU_RUN, env).returncode == 0

    def flip_bytes_at_10_percent(data):  # unchecked, LLVM aborted the interpreter on this
        i = len(data) // 10
        return data[:i] + bytes(b ^ 0x5A for b in data[i:i + 16]) + data[i + 16:]

    damages = [("nbc", lambda data: b"garbage"), ("nbc", flip_bytes_at_10_percent),
               ("nbi", lambda data: data[:20])]  # code overwritten, code damaged, index cut
    for suffix, damage in damages:
        [path] = cache.rglob("numba_impl._relu-*." + suffix)
        path.write_bytes(damage(path.read_bytes()))
        out = python(RELU_RUN, env)
        assert out.returncode == 0, out.stderr
        assert out.stdout.split() == ["[1.", "0.]", "numba"]
        assert out.stderr.count("could not be read") == 1, out.stderr
        assert "Relu" not in out.stderr
    again = python(RELU_RUN, env)  # the recompiled kernel was cached again
    assert again.returncode == 0 and "could not be read" not in again.stderr, again.stderr


def test_a_cached_kernel_is_loaded_only_for_its_own_signature_and_bytes(tmp_path):
    """The sealed code files of _jit: checksummed, and holding the key they were saved for."""
    import contextlib
    import pickle
    from tinygraph.kernels import _jit

    class CacheFile:  # the part of numba's IndexDataCacheFile that _seal relies on
        def __init__(self):
            self.index = {}

        def save(self, key, data):
            self.index[key] = "k.%d.nbc" % len(self.index)
            self._save_data(self.index[key], data)

        def load(self, key):
            return self._load_data(self.index[key]) if key in self.index else None

        _dump = staticmethod(pickle.dumps)

        @contextlib.contextmanager
        def _open_for_write(self, path):
            with open(path, "wb") as f:
                yield f

        def _data_path(self, name):
            return str(tmp_path / name)

    files = CacheFile()
    _jit._seal(files)
    files.save("float32 signature", b"code")
    assert files.load("float32 signature") == b"code"
    assert files.load("float64 signature") is None
    files.index["float64 signature"] = files.index["float32 signature"]  # a damaged index
    with pytest.raises(_jit.CorruptCacheError, match="another signature"):
        files.load("float64 signature")
    path = tmp_path / files.index["float32 signature"]
    path.write_bytes(path.read_bytes()[:-1] + b"!")
    with pytest.raises(_jit.CorruptCacheError, match="checksum"):
        files.load("float32 signature")


def test_a_numba_without_the_direct_load_keeps_its_own(recwarn):
    """The cache wrapper loads compiled code directly only where numba's cache object has
    the two internals it relies on; otherwise numba's own load_overload runs, and what it
    raises is still a cache miss with one warning, not an error."""
    from tinygraph.kernels import _jit
    calls = []

    class Cache:  # numba's public cache methods, without _load_overload
        def load_overload(self, sig, target_context):
            calls.append(sig)
            if sig == "bad":
                raise EOFError("truncated")
            return "compiled"

        def save_overload(self, sig, data):
            pass

        def flush(self):
            calls.append("flushed")

    class Dispatcher:
        _cache = Cache()

    cache = _jit._guard_cache(Dispatcher())._cache
    assert cache.load_overload("float32", None) == "compiled"
    _jit._warned.discard("corrupt")
    assert cache.load_overload("bad", None) is None
    assert calls == ["float32", "bad", "flushed"]
    assert [str(w.message).count("could not be read") for w in recwarn] == [1]


def test_cold_cache_says_so_once(tmp_path):
    env = {"NUMBA_CACHE_DIR": str(tmp_path / "cache")}
    first, second = python(RELU_RUN, env), python(RELU_RUN, env)
    assert first.returncode == 0 and second.returncode == 0
    assert "compiling numba kernels" in first.stderr
    assert "compiling numba kernels" not in second.stderr


def test_backend_fixture_switches(backend):
    from tinygraph import kernels
    assert kernels.backend == backend


# -- the optimizers' updates: var and slots in place, bit for bit the same on both twins -------
# name -> (slot names, hyperparameter names, a valid value for each hyperparameter)
UPDATES = {
    "apply_momentum": (["accum"], ["lr", "momentum"], [0.1, 0.9]),
    "apply_adam": (["m", "v"], ["beta1_power", "beta2_power", "lr", "beta1", "beta2",
                                "epsilon"], [0.81, 0.998, 0.01, 0.9, 0.999, 1e-8]),
    "apply_adagrad": (["accum"], ["lr"], [0.1]),
    "apply_rms_prop": (["ms", "mom"], ["lr", "rho", "momentum", "epsilon"],
                       [0.01, 0.9, 0.5, 1e-10]),
    "apply_centered_rms_prop": (["mg", "ms", "mom"], ["lr", "rho", "momentum", "epsilon"],
                                [0.01, 0.9, 0.5, 1e-3]),
}


def _update_args(name, var, slots, scalars, grad, nesterov=False):
    """The kernel's arguments in TF1's order."""
    if name == "apply_momentum":
        return (var, *slots, scalars[0], grad, scalars[1], nesterov)
    return (var, *slots, *scalars, grad)


def _update_twin_test(name):
    slot_names, _, values = UPDATES[name]

    @twin_test(name)
    @given(arrays(min_dims=1, max_dims=3, special=True), st.booleans(), st.data())
    def test(var, nesterov, data):
        var = np.ascontiguousarray(var)  # a variable owns contiguous storage
        grad = data.draw(arrays(var.dtype, min_dims=var.ndim, max_dims=var.ndim).filter(
            lambda g: g.shape == var.shape) | st.just(var[::-1].copy()))
        slots = [np.abs(data.draw(hnp.arrays(var.dtype, var.shape,
                                             elements=st.floats(0, 4, width=32))))
                 for _ in slot_names]
        scalars = [np.array(v, var.dtype) for v in values]
        results = []
        for impl in (N, R):
            state = [var.copy()] + [s.copy() for s in slots]
            with warnings.catch_warnings():
                warnings.simplefilter("error")  # silent about NaN and Inf, as TF
                out = getattr(impl, name)(*_update_args(name, state[0], state[1:], scalars,
                                                        grad, nesterov))
            assert out is state[0]  # in place
            results.append(state)
        for got, want in zip(*results):
            assert got.dtype == var.dtype
            np.testing.assert_array_equal(got, want)  # bit for bit (NaN where NaN)
    return test


def _update_size_test(name):
    slot_names, scalar_names, values = UPDATES[name]

    @size_test(name)
    @given(FLOATS, shapes, shapes, st.integers(0, len(slot_names)),
           st.integers(0, len(values) - 1))
    def test(dtype, a, b, wrong, scalar):
        if a == b:
            b = (1,) + b
        var = np.arange(np.prod(a), dtype=dtype).reshape(a)
        slots = [np.ones(a, dtype) for _ in slot_names]
        scalars = [np.array(v, dtype) for v in values]
        grad = np.ones(a, dtype)
        if wrong == len(slot_names):
            grad, what = np.ones(b, dtype), "grad"
        else:
            slots[wrong], what = np.ones(b, dtype), slot_names[wrong]
        state = [var] + slots
        before = [s.copy() for s in state]
        message = both_refuse(name, *_update_args(name, var, slots, scalars, grad))
        assert message == "var and %s do not have the same shape%s %s" % (what, dims(a),
                                                                        dims(b))
        scalars = [np.array(v, dtype) for v in values]
        scalars[scalar] = np.array([values[scalar]] * 2, dtype)
        ok_slots = [np.ones(a, dtype) for _ in slot_names]
        message = both_refuse(name, *_update_args(name, var, ok_slots, scalars,
                                                  np.ones(a, dtype)))
        assert message == "%s is not a scalar: [2]" % scalar_names[scalar]
        for old, new in zip(before, state):
            np.testing.assert_array_equal(old, new)  # nothing written
    return test


for _name in UPDATES:
    globals()["test_%s_twins" % _name] = _update_twin_test(_name)
    globals()["test_%s_refuses_other_sizes" % _name] = _update_size_test(_name)
