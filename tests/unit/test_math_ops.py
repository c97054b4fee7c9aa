"""Semantics of the math ops against hand-computed values, Python's own arithmetic and numpy.

TF1's rules under test: integer floordiv/mod floor toward -inf (-7 // 2 = -4, -7 % 2 = 1),
float floordiv is floor(x / y), ``div`` floors integers, round is half to even, sign(NaN) = 0,
reductions keep the dtype, comparisons broadcast and never promote, NaN/Inf pass silently and
data problems are InvalidArgumentErrors at run time.
"""
import math
import warnings

import numpy as np
import pytest
from hypothesis import example, given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph import errors

FLOATS = (np.float32, np.float64)
INTS = (np.int32, np.int64)


def run(fetch, feeds=None):
    with warnings.catch_warnings():
        warnings.simplefilter("error", RuntimeWarning)  # silent on inf, NaN and x / 0
        with tf.Session() as sess:
            return sess.run(fetch, feeds)


def feed_pair(x, y, unknown=False):
    """Two placeholders for x and y (of unknown rank when ``unknown``) and their feeds."""
    a = tf.placeholder(x.dtype, None if unknown else x.shape)
    b = tf.placeholder(y.dtype, None if unknown else y.shape)
    return a, b, {a: x, b: y}


@st.composite
def float_pairs(draw, specials=True):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    dtype = draw(st.sampled_from(FLOATS))
    elements = st.floats(-100, 100, width=32) if not specials else st.one_of(
        st.floats(-100, 100, width=32), st.sampled_from([np.nan, np.inf, -np.inf, 0.0, -0.0]))
    return tuple(draw(hnp.arrays(dtype, s, elements=elements)) for s in shapes.input_shapes)


@st.composite
def int_pairs(draw, nonzero_y=False):
    shapes = draw(hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3))
    dtype = draw(st.sampled_from(INTS))
    y_elements = st.integers(-9, 9).filter(lambda v: v != 0) if nonzero_y else st.integers(-9, 9)
    return (draw(hnp.arrays(dtype, shapes.input_shapes[0], elements=st.integers(-50, 50))),
            draw(hnp.arrays(dtype, shapes.input_shapes[1], elements=y_elements)))


# -- comparisons and logical ops ------------------------------------------------------------
COMPARISONS = [(tf.less, np.less), (tf.less_equal, np.less_equal), (tf.greater, np.greater),
               (tf.greater_equal, np.greater_equal), (tf.not_equal, np.not_equal),
               (lambda a, b: a < b, np.less), (lambda a, b: a <= b, np.less_equal),
               (lambda a, b: a > b, np.greater), (lambda a, b: a >= b, np.greater_equal)]


@pytest.mark.parametrize("build,oracle", COMPARISONS)
@settings(max_examples=15)
@given(pair=st.one_of(float_pairs(), int_pairs()), unknown=st.booleans())
@example(pair=(np.array([np.nan, np.inf, -np.inf]), np.array([np.nan])), unknown=False)
def test_comparisons_match_numpy_with_broadcasting_and_nan(build, oracle, pair, unknown):
    tf.reset_default_graph()
    x, y = pair
    a, b, feeds = feed_pair(x, y, unknown)
    out = build(a, b)
    assert out.dtype == tf.bool
    got = run(out, feeds)
    assert got.dtype == np.bool_
    np.testing.assert_array_equal(got, oracle(x, y))


@settings(max_examples=20)
@given(shapes=hnp.mutually_broadcastable_shapes(num_shapes=2, max_dims=3, max_side=3),
       data=st.data())
def test_logical_ops_match_numpy(shapes, data):
    x = data.draw(hnp.arrays(np.bool_, shapes.input_shapes[0]))
    y = data.draw(hnp.arrays(np.bool_, shapes.input_shapes[1]))
    a, b, feeds = feed_pair(x, y)
    got = run([a & b, a | b, a ^ b, ~a, tf.logical_and(a, b), tf.logical_or(a, b),
               tf.logical_xor(a, b), tf.logical_not(b)], feeds)
    want = [np.logical_and(x, y), np.logical_or(x, y), np.logical_xor(x, y), ~x,
            np.logical_and(x, y), np.logical_or(x, y), np.logical_xor(x, y), ~y]
    for g, w in zip(got, want):
        np.testing.assert_array_equal(g, w)


def test_comparison_errors_at_build_time():
    f, i = tf.constant([1.0, 2.0]), tf.constant([1, 2])
    with pytest.raises(TypeError, match="Input 'y' of 'Less' Op has type int32 that does not "
                                        "match type float32 of argument 'x'"):
        tf.less(f, i)
    with pytest.raises(TypeError, match="Expected int32, got 1.5"):
        i < 1.5
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 2 and 3 for "
                                         "'Greater'"):
        f > tf.constant([1.0, 2.0, 3.0])
    with pytest.raises(TypeError, match="not in list of allowed values: bool"):
        tf.logical_and(f, f)
    with pytest.raises(TypeError, match="not in list of allowed values: bool"):
        ~f
    with pytest.raises(TypeError, match="allowed values"):
        tf.constant([True]) < tf.constant([False])  # ordering is not defined on bool


def test_comparisons_check_unknown_shapes_at_run_time():
    a = tf.placeholder(tf.float32, [None])
    with pytest.raises(errors.InvalidArgumentError, match=r"Incompatible shapes: \[2\] vs. \[3\]"):
        run(a < tf.constant([1., 2., 3.]), {a: [1., 2.]})


def test_operator_names_and_python_numbers_take_the_tensor_dtype():
    x = tf.constant([1, 2, 3])
    assert (x < 2).op.name == "Less" and (x <= 2).op.type == "LessEqual"
    assert (2 < x).op.type == "Greater"  # Python reflects 2 < x into x > 2
    assert (x ** 2).op.name == "pow" and (x % 2).op.name == "mod"
    assert (x // 2).op.name == "floordiv" and (2 ** x).op.name == "pow_1"
    b = tf.constant([True, False])
    assert (b & True).op.name == "and" and (b | False).op.name == "or"
    assert (True ^ b).op.type == "LogicalAnd" and (~b).op.type == "LogicalNot"
    assert abs(x).op.type == "Abs" and (x ** 2).dtype == tf.int32
    np.testing.assert_array_equal(run(np.array([2, 2, 2]) < x), [False, False, True])
    assert run(tf.constant(2.5) ** 2) == np.float32(6.25)


def test_double_equals_stays_identity():
    x = tf.constant([1.0])
    assert (x == x) is True and (x == 1.0) is False and (x != x) is False
    assert {x: 1}[x] == 1


def test_operators_on_variables():
    v = tf.Variable([-3, 4, 7])
    f = tf.Variable([-1.5, 2.0])
    b = tf.Variable([True, False])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got = sess.run([v < 0, v <= 4, v > 4, v >= 7, v ** 2, 2 ** abs(v), v % 3, 10 % v, v // 2,
                        -7 // v, abs(f), f ** 2.0, b & True, False | b, b ^ b, ~b, 1 < f])
    want = [[True, False, False], [True, True, False], [False, False, True], [False, False, True],
            [9, 16, 49], [8, 16, 128], [0, 1, 1], [-2, 2, 3], [-2, 2, 3], [2, -2, -1],
            [1.5, 2.0], [2.25, 4.0], [True, False], [True, False], [False, False],
            [False, True], [False, True]]
    for g, w in zip(got, want):
        assert g.tolist() == w


# -- where ----------------------------------------------------------------------------------
def test_where_with_one_argument_gives_coordinates():
    c = tf.constant([[True, False], [False, True], [True, True]])
    out = tf.where(c)
    assert out.dtype == tf.int64 and out.shape.as_list() == [None, 2]
    assert run(out).tolist() == [[0, 0], [1, 1], [2, 0], [2, 1]]
    p = tf.placeholder(tf.float32)
    assert tf.where(p).shape.dims == (None, None)
    assert run(tf.where(p), {p: [0., 3., -1., 0.]}).tolist() == [[1], [2]]  # numbers: non-zero
    assert run(tf.where(p), {p: np.zeros((2, 0, 3))}).shape == (0, 3)


@settings(max_examples=20)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=3),
                    elements=st.floats(-5, 5)), data=st.data())
def test_where_with_three_arguments_matches_numpy(x, data):
    y = -x - 1
    cond = data.draw(hnp.arrays(np.bool_, x.shape))
    rows = data.draw(hnp.arrays(np.bool_, x.shape[:1]))
    c, r = tf.placeholder(tf.bool), tf.placeholder(tf.bool, [None])
    a, b, feeds = feed_pair(x, y)
    got = run([tf.where(c, a, b), tf.where(r, a, b), tf.where(True, a, b)],
              {**feeds, c: cond, r: rows})
    np.testing.assert_array_equal(got[0], np.where(cond, x, y))
    np.testing.assert_array_equal(got[1], np.where(rows.reshape((-1,) + (1,) * (x.ndim - 1)),
                                                   x, y))
    np.testing.assert_array_equal(got[2], x)


def test_where_errors():
    x = tf.constant([[1., 2.], [3., 4.]])
    with pytest.raises(ValueError, match="x and y must both be non-None or both be None"):
        tf.where(tf.constant([True]), x)
    with pytest.raises(TypeError, match="DataType float32 not in list of allowed values: bool"):
        tf.where(x, x, x)
    with pytest.raises(TypeError, match="Input 'e' of 'Select' Op has type int32"):
        tf.where(tf.constant([True, False]), x, tf.constant([[1, 2], [3, 4]]))
    with pytest.raises(ValueError, match="'Select'"):
        tf.where(tf.constant([True, False]), x, tf.constant([1., 2.]))
    with pytest.raises(ValueError, match="'Select'"):
        tf.where(tf.constant([True, False, True]), x, x)
    c, p = tf.placeholder(tf.bool), tf.placeholder(tf.float32)
    with pytest.raises(errors.InvalidArgumentError, match="'then' and 'else' must have the same"):
        run(tf.where(c, p, x), {c: True, p: [1., 2.]})
    with pytest.raises(errors.InvalidArgumentError, match="'condition' must be"):
        run(tf.where(c, x, x), {c: [True, False, True]})
    assert run(tf.where([True, False], [1., 2.], [3., 4.])).tolist() == [1., 4.]


# -- elementwise functions of one tensor ----------------------------------------------------
SPECIALS = [np.nan, np.inf, -np.inf, 0.0, -0.0, 1e-30, -2.5, 0.5, 3.0, 1e30]
UNARY_FLOAT = [(tf.sin, np.sin), (tf.cos, np.cos), (tf.tan, np.tan), (tf.log1p, np.log1p),
               (tf.expm1, np.expm1), (tf.reciprocal, np.reciprocal),
               (tf.rsqrt, lambda v: 1 / np.sqrt(v)), (tf.floor, np.floor), (tf.ceil, np.ceil),
               (tf.abs, np.abs), (abs, np.abs)]


@pytest.mark.parametrize("build,oracle", UNARY_FLOAT)
@pytest.mark.parametrize("dtype", FLOATS)
def test_unary_float_ops_match_numpy_silently_on_inf_and_nan(build, oracle, dtype):
    values = np.array(SPECIALS + [-1.0, -2.0, 0.25], dtype)
    p = tf.placeholder(dtype, [None])
    got = run(build(p), {p: values})
    with np.errstate(all="ignore"):
        want = oracle(values)
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want, rtol=2e-7 if dtype == np.float64 else 1e-6)


def test_sign_and_abs():
    x = np.array([np.nan, -0.0, 0.0, -3.5, 2.0, -np.inf, np.inf], np.float32)
    got = run(tf.sign(tf.constant(x)))
    assert got.tolist()[1:] == [0.0, 0.0, -1.0, 1.0, -1.0, 1.0]
    assert got[0] == 0.0 and not np.signbit(got[1])  # TF1: sign(NaN) = 0, sign(-0) = +0
    i = tf.constant([-5, 0, 7], tf.int64)
    assert run(tf.sign(i)).tolist() == [-1, 0, 1] and run(tf.abs(i)).tolist() == [5, 0, 7]
    assert run(tf.abs(tf.constant([-2 ** 31], tf.int32))).tolist() == [-2 ** 31]  # wraps, as TF


def test_round_is_half_to_even():
    x = tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, -2.5, 2.4, -2.6, np.nan, np.inf], tf.float64)
    got = run(tf.round(x))
    np.testing.assert_array_equal(got, [0., 2., 2., -0., -2., -2., 2., -3., np.nan, np.inf])
    assert np.signbit(got[3])  # round(-0.5) = -0.0
    assert run(tf.round(tf.constant([-3, 4]))).tolist() == [-3, 4]  # integers stay as they are


@settings(max_examples=20)
@given(hnp.arrays(np.float64, hnp.array_shapes(max_dims=2, max_side=4),
                  elements=st.integers(-20, 20).map(lambda k: k / 2)))
def test_round_of_halves_matches_pythons_round(x):
    assert run(tf.round(tf.constant(x))).ravel().tolist() == [float(round(v))
                                                              for v in x.ravel()]


def test_unary_dtype_errors():
    with pytest.raises(TypeError,
                       match="not in list of allowed values: (float16, )?float32, float64"):
        tf.floor(tf.constant([1, 2]))
    with pytest.raises(TypeError, match="allowed values"):
        tf.abs(tf.constant([True]))


# -- elementwise functions of two tensors ---------------------------------------------------
@settings(max_examples=30)
@given(pair=int_pairs(nonzero_y=True), unknown=st.booleans())
def test_integer_floordiv_mod_and_div_match_python(pair, unknown):
    x, y = pair
    a, b, feeds = feed_pair(x, y, unknown)
    got = run([a // b, a % b, tf.floordiv(a, b), tf.floormod(a, b), tf.mod(a, b), tf.div(a, b)],
              feeds)
    xb, yb = np.broadcast_arrays(x, y)
    quotient = [int(p) // int(q) for p, q in zip(xb.ravel(), yb.ravel())]
    remainder = [int(p) % int(q) for p, q in zip(xb.ravel(), yb.ravel())]
    for g, want in zip(got, [quotient, remainder] * 2 + [remainder, quotient]):
        assert g.dtype == x.dtype and g.ravel().tolist() == want


def test_integer_division_of_negatives_as_tf1():
    x, y = tf.constant([-7, 7, -7, 7]), tf.constant([2, 2, -2, -2])
    assert run(x // y).tolist() == [-4, 3, 3, -4]
    assert run(x % y).tolist() == [1, 1, -1, -1]
    assert run(tf.div(x, y)).tolist() == [-4, 3, 3, -4]  # TF1's div floors integers
    assert run(tf.div(tf.constant(-7.0), 2.0)) == -3.5
    assert run(x / y).dtype == np.float64  # truediv converts integers


@settings(max_examples=30)
@given(pair=float_pairs(specials=False))
def test_float_floordiv_and_floormod_match_tf1(pair):
    x, y = pair
    y = np.where(y == 0, y.dtype.type(1.5), y)
    a, b, feeds = feed_pair(x, y)
    quotient, remainder = run([a // b, a % b], feeds)
    with np.errstate(all="ignore"):
        np.testing.assert_array_equal(quotient, np.floor(x / y))  # floor(x / y), in the dtype
    xb, yb = np.broadcast_arrays(x, y)
    want = [math.fmod(p, q) for p, q in zip(xb.ravel().tolist(), yb.ravel().tolist())]
    want = [m + q if m != 0 and (m < 0) != (q < 0) else m
            for m, q in zip(want, yb.ravel().tolist())]
    np.testing.assert_allclose(remainder.ravel(), np.array(want, x.dtype), rtol=1e-6, atol=1e-6)
    assert all(r == 0 or (r < 0) == (q < 0) for r, q in zip(remainder.ravel(), yb.ravel()))


def test_float_floordiv_edges():
    assert run(tf.constant(1.0, tf.float64) // 0.1) == 10.0  # floor(1 / 0.1); Python says 9
    got = run([tf.constant([1., -1., 0.]) // 0., tf.constant([1., -1., 0.]) % 0.])
    assert got[0].tolist()[:2] == [np.inf, -np.inf] and np.isnan(got[0][2])
    assert np.isnan(got[1]).all()
    assert run(tf.constant([-7.5, 7.5]) % tf.constant([2., -2.])).tolist() == [0.5, -0.5]


def test_integer_division_by_zero_is_an_invalid_argument():
    p = tf.placeholder(tf.int32, [None])
    for out in (tf.constant(7) // p, tf.constant(7) % p, tf.div(tf.constant(7), p)):
        with pytest.raises(errors.InvalidArgumentError, match="Integer division by zero"):
            run(out, {p: [1, 0]})


@settings(max_examples=30)
@given(pair=int_pairs(), unknown=st.booleans())
def test_integer_pow_matches_python(pair, unknown):
    x, y = pair
    y = np.abs(y) % 4
    a, b, feeds = feed_pair(x, y.astype(x.dtype), unknown)
    got = run(a ** b, feeds)
    xb, yb = np.broadcast_arrays(x, y)
    assert got.dtype == x.dtype
    assert got.ravel().tolist() == [int(p) ** int(q) for p, q in zip(xb.ravel(), yb.ravel())]


def test_pow_edges():
    assert run(tf.pow(tf.constant([0, 2]), 0)).tolist() == [1, 1]
    p = tf.placeholder(tf.int32)
    with pytest.raises(errors.InvalidArgumentError, match="Integers to negative integer powers"):
        run(tf.constant(2) ** p, {p: -1})
    got = run(tf.pow(tf.constant([-8., 0., 4., 1e30]), tf.constant([1 / 3, -1., 0.5, 2.])))
    assert np.isnan(got[0]) and got[1] == np.inf and got[2] == 2.0 and got[3] == np.inf


@pytest.mark.parametrize("build,oracle", [(tf.maximum, np.maximum), (tf.minimum, np.minimum),
                                          (tf.squared_difference,
                                           lambda x, y: np.square(x - y))])
@settings(max_examples=20)
@given(pair=st.one_of(float_pairs(), int_pairs()))
@example(pair=(np.array([np.inf, np.nan, 1.0], np.float32), np.array(np.inf, np.float32)))
def test_maximum_minimum_squared_difference_match_numpy(build, oracle, pair):
    tf.reset_default_graph()
    x, y = pair
    a, b, feeds = feed_pair(x, y, unknown=True)
    got = run(build(a, b), feeds)
    with np.errstate(all="ignore"):
        want = oracle(x, y)
    assert got.dtype == x.dtype
    np.testing.assert_array_equal(got, want)  # NaN propagates


def test_binary_broadcast_errors():
    x = tf.constant([[1., 2., 3.]])
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 2 for "
                                         "'Maximum'"):
        tf.maximum(x, tf.constant([1., 2.]))
    with pytest.raises(TypeError, match="Input 'y' of 'Pow' Op has type float64"):
        tf.pow(x, tf.constant(2.0, tf.float64))
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="Incompatible shapes"):
        run(tf.squared_difference(p, tf.constant([1., 2.])), {p: [1., 2., 3.]})


def test_clip_by_value():
    x = tf.constant([[-3., -1., 0.5], [1., 2., np.nan]])
    out = tf.clip_by_value(x, -1., 1.)
    assert out.op.name == "clip_by_value"
    np.testing.assert_array_equal(run(out), [[-1., -1., 0.5], [1., 1., np.nan]])
    bounds = run(tf.clip_by_value(x, tf.constant([-2., 0., 0.]), tf.constant([0., 0., 2.])))
    np.testing.assert_array_equal(bounds, [[-2., 0., 0.5], [0., 0., np.nan]])
    assert run(tf.clip_by_value(tf.constant([1, 5, 9]), 2, 6)).tolist() == [2, 5, 6]
    with pytest.raises(ValueError, match="clip_by_value would broadcast"):
        tf.clip_by_value(tf.constant([1., 2.]), tf.zeros([3, 2]), 1.)


# -- reductions and cumsum ------------------------------------------------------------------
@st.composite
def reduce_cases(draw, dtype_pool=FLOATS + INTS):
    dtype = draw(st.sampled_from(dtype_pool))
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3))
    if np.dtype(dtype).kind == "b":
        x = draw(hnp.arrays(np.bool_, shape))
    else:
        x = draw(hnp.arrays(dtype, shape, elements=st.integers(-5, 5)))
    axes = st.lists(st.integers(-x.ndim, x.ndim - 1), min_size=1, max_size=x.ndim,
                    unique_by=lambda a: a % x.ndim) if x.ndim else st.nothing()
    axis = draw(st.one_of(st.none(), axes)) if x.ndim else None
    return x, axis, draw(st.booleans())


REDUCTIONS = [(tf.reduce_max, np.max, FLOATS + INTS), (tf.reduce_min, np.min, FLOATS + INTS),
              (tf.reduce_prod, lambda x, axis, keepdims: np.prod(
                  x, axis=axis, keepdims=keepdims, dtype=x.dtype), FLOATS + INTS),
              (tf.reduce_any, np.any, (np.bool_,)), (tf.reduce_all, np.all, (np.bool_,)),
              (tf.count_nonzero, np.count_nonzero, FLOATS + INTS + (np.bool_,))]


@pytest.mark.parametrize("build,oracle,pool", REDUCTIONS)
@settings(max_examples=20)
@given(data=st.data(), unknown=st.booleans())
def test_reductions_match_numpy(build, oracle, pool, data, unknown):
    tf.reset_default_graph()
    x, axis, keepdims = data.draw(reduce_cases(pool))
    p = tf.placeholder(x.dtype, None if unknown else x.shape)
    out = build(p, axis=axis, keepdims=keepdims)
    got = run(out, {p: x})
    numpy_axis = None if axis is None else tuple(axis)
    want = np.asarray(oracle(x, axis=numpy_axis, keepdims=keepdims))
    assert got.dtype == out.dtype.np_dtype and np.shape(got) == want.shape
    if not unknown:
        assert out.shape.as_list() == list(want.shape)
    np.testing.assert_array_equal(got, want)


def test_reduction_edges():
    empty = tf.placeholder(tf.float32, [None])
    got = run([tf.reduce_max(empty), tf.reduce_min(empty), tf.reduce_prod(empty),
               tf.reduce_any(tf.zeros([0], tf.bool)), tf.reduce_all(tf.zeros([0], tf.bool))],
              {empty: np.zeros(0, np.float32)})
    assert got == [-np.inf, np.inf, 1.0, False, True]
    assert np.isnan(run(tf.reduce_max(tf.constant([1., np.nan, 3.]))))
    prod = run(tf.reduce_prod(tf.constant([2 ** 20, 2 ** 20], tf.int32)))
    assert prod.dtype == np.int32 and prod == 0  # wraps, as TF
    x = tf.constant([[1, 5], [7, 2]])
    assert run(tf.reduce_max(x, reduction_indices=[1], keep_dims=True)).tolist() == [[5], [7]]
    with pytest.raises(ValueError, match="Invalid reduction dimension 2"):
        tf.reduce_max(x, 2)
    with pytest.raises(TypeError, match="allowed values: bool"):
        tf.reduce_any(x)
    p, b = tf.placeholder(tf.float32), tf.placeholder(tf.bool)  # ranks known only when run
    for out, feeds in ((tf.reduce_max(p, 1), {p: [1.]}), (tf.reduce_prod(p, -2), {p: [1.]}),
                       (tf.reduce_all(b, [0, 3]), {b: [[True]]})):
        with pytest.raises(errors.InvalidArgumentError, match="Invalid reduction dimension"):
            run(out, feeds)
    with pytest.raises(errors.InvalidArgumentError, match="Invalid reduction dimension"):
        run(tf.reduce_min(p, 0), {p: 2.5})  # a scalar has no axis 0, as in TF1
    assert run(tf.reduce_min(p), {p: 2.5}) == 2.5


@pytest.mark.parametrize("reduce", [tf.reduce_sum, tf.reduce_mean, tf.reduce_max,
                                    tf.reduce_min, tf.reduce_prod, tf.reduce_logsumexp])
@pytest.mark.parametrize("axis", [0, -1, [0]])
def test_a_scalar_has_no_axis_to_reduce_as_in_tf1(reduce, axis):
    with pytest.raises(ValueError, match="Invalid reduction dimension -?[01] for input with 0 "
                                         "dimensions"):
        reduce(tf.constant(3.0), axis)
    for boolean in (tf.reduce_any, tf.reduce_all):
        with pytest.raises(ValueError, match="Invalid reduction dimension"):
            boolean(tf.constant(True), axis)
    assert run(reduce(tf.constant(3.0), [])) == pytest.approx(3.0)


def test_count_nonzero():
    x = tf.constant([[0., 1., np.nan], [0., -0., 2.]])
    assert run(tf.count_nonzero(x)) == 3  # NaN is not zero
    out = tf.count_nonzero(x, axis=1, keepdims=True, dtype=tf.int32)
    assert out.dtype == tf.int32 and run(out).tolist() == [[2], [1]]
    assert run(tf.count_nonzero(tf.constant([True, False, True]))) == 2


def test_reduce_logsumexp():
    x = tf.constant([[1e4, 1e4], [-np.inf, -np.inf], [np.inf, 1.], [0., np.log(3.)]],
                    tf.float64)
    out = tf.reduce_logsumexp(x, axis=1)
    assert out.op.name == "ReduceLogSumExp"
    got = run(out)
    np.testing.assert_allclose(got, [1e4 + np.log(2.), -np.inf, np.inf, np.log(4.)])
    values = np.random.default_rng(0).uniform(-3, 3, (3, 4))
    for axis in (None, 0, 1, [0, 1]):
        for keepdims in (False, True):
            out = tf.reduce_logsumexp(tf.constant(values), axis=axis, keepdims=keepdims)
            want = np.log(np.sum(np.exp(values), axis=None if axis is None else tuple(
                np.atleast_1d(axis)), keepdims=keepdims))
            np.testing.assert_allclose(run(out), want)


def test_argmin():
    x = tf.constant([[3, 1, 1], [0, 5, 0]])
    assert run(tf.argmin(x)).tolist() == [1, 0, 1]
    out = tf.argmin(x, 1, output_type=tf.int32)
    assert out.dtype == tf.int32 and run(out).tolist() == [1, 0]  # ties: the lowest index
    assert run(tf.argmin(tf.constant([2., np.nan, 1.]))) == 1  # the first NaN, as numpy
    p = tf.placeholder(tf.float32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="Reduction axis 0 is empty"):
        run(tf.argmin(p), {p: np.zeros(0, np.float32)})
    with pytest.raises(ValueError, match=r"Expected dimension in the range \[-2, 2\)"):
        tf.argmin(x, 2)


def test_cumsum_by_hand():
    x = tf.constant([[1, 2, 3], [4, 5, 6]])
    assert run(tf.cumsum(x, 1)).tolist() == [[1, 3, 6], [4, 9, 15]]
    assert run(tf.cumsum(x, 1, exclusive=True)).tolist() == [[0, 1, 3], [0, 4, 9]]
    assert run(tf.cumsum(x, 1, reverse=True)).tolist() == [[6, 5, 3], [15, 11, 6]]
    assert run(tf.cumsum(x, -1, exclusive=True, reverse=True)).tolist() == [[5, 3, 0],
                                                                             [11, 6, 0]]
    assert run(tf.cumsum(x)).tolist() == [[1, 2, 3], [5, 7, 9]]
    assert run(tf.cumsum(x)).dtype == np.int32
    with pytest.raises(ValueError, match=r"Expected scan axis in the range \[-2, 2\)"):
        tf.cumsum(x, 2)
    p = tf.placeholder(tf.float32)
    with pytest.raises(errors.InvalidArgumentError, match="Expected scan axis"):
        run(tf.cumsum(p, 1), {p: [1., 2.]})
    inf = run(tf.cumsum(tf.constant([1., np.inf, 2.]), exclusive=True, reverse=True))
    assert inf.tolist() == [np.inf, 2., 0.]  # shifted, not subtracted: no inf - inf


@settings(max_examples=25)
@given(x=hnp.arrays(np.float64, hnp.array_shapes(max_dims=3, max_side=4),
                    elements=st.floats(-10, 10)), data=st.data())
def test_cumsum_matches_a_numpy_oracle(x, data):
    axis = data.draw(st.integers(-x.ndim, x.ndim - 1))
    exclusive, reverse = data.draw(st.booleans()), data.draw(st.booleans())
    p = tf.placeholder(tf.float64, [None] * x.ndim)
    got = run(tf.cumsum(p, axis, exclusive=exclusive, reverse=reverse), {p: x})
    moved = np.moveaxis(x, axis, 0)
    if reverse:
        moved = moved[::-1]
    want = np.cumsum(moved, axis=0)
    if exclusive:
        want = np.concatenate([np.zeros_like(want[:1]), want[:-1]])
    if reverse:
        want = want[::-1]
    np.testing.assert_allclose(got, np.moveaxis(want, 0, axis), atol=1e-12)


def test_public_names_and_tf_math_aliases():
    for name in ("abs", "sign", "reciprocal", "rsqrt", "log1p", "expm1", "pow", "sin", "cos",
                 "tan", "maximum", "minimum", "squared_difference", "floor", "ceil", "round",
                 "mod", "floormod", "floordiv", "div", "truediv", "realdiv", "clip_by_value",
                 "cumsum", "reduce_max", "reduce_min", "reduce_prod", "reduce_any",
                 "reduce_all", "reduce_logsumexp", "argmin", "count_nonzero", "less",
                 "less_equal", "greater", "greater_equal", "not_equal", "logical_and",
                 "logical_or", "logical_not", "logical_xor", "where"):
        assert callable(getattr(tf, name)), name
    assert tf.math.floormod is tf.floormod and tf.math.reduce_max is tf.reduce_max
    assert tf.math.abs is tf.abs and tf.math.logical_xor is tf.logical_xor
