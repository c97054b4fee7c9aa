"""The array and linear-algebra ops against numpy and hand-computed values: shapes known when
the graph is built, values at run time (also through placeholders with unknown dims), TF1's
errors, seeds of the random ops, and views that never leak writes."""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tests import strategies as S
from tests.gradients.test_op_grads_arrays import index_items
from tinygraph import errors

ALL_DTYPES = (tf.float32, tf.float64, tf.int32, tf.int64, tf.bool)
small_shapes = hnp.array_shapes(min_dims=1, max_dims=4, min_side=0, max_side=4)


def run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


def unknown_batch(value, dtype=tf.float64):
    """A placeholder with the first dim unknown (as [None, ...]), and its feed."""
    value = np.asarray(value)
    p = tf.placeholder(dtype, [None] + list(value.shape[1:]))
    return p, {p: value}


def assert_static_fits(tensor, value):
    """The build-time shape is compatible with the run-time value's shape."""
    assert tensor.shape.is_compatible_with(np.shape(value)), (tensor.shape, np.shape(value))


# -- shape, size, rank -------------------------------------------------------------------------
def test_shape_size_rank_fold_to_constants_when_known():
    x = tf.zeros([2, 3])
    for t, want in ((tf.shape(x), [2, 3]), (tf.size(x), 6), (tf.rank(x), 2)):
        assert t.op.type == "Const" and t.dtype == tf.int32
        np.testing.assert_array_equal(run(t), want)
    assert tf.shape(x, out_type=tf.int64).dtype == tf.int64


def test_shape_size_rank_read_unknown_dims_at_run_time():
    p, feeds = unknown_batch(np.zeros((5, 3)))
    q = tf.placeholder(tf.float32)
    shape, size, rank = tf.shape(p), tf.size(p), tf.rank(q)
    assert (shape.op.type, size.op.type, rank.op.type) == ("Shape", "Size", "Rank")
    assert shape.shape.as_list() == [2] and shape.dtype == tf.int32
    got = run([shape, size, rank, tf.shape(q)], {**feeds, q: np.zeros((2, 1, 4))})
    np.testing.assert_array_equal(got[0], [5, 3])
    assert got[0].dtype == np.int32 and got[1] == 15 and got[2] == 3
    np.testing.assert_array_equal(got[3], [2, 1, 4])
    with pytest.raises(TypeError):
        tf.shape(p, out_type=tf.float32)


@pytest.mark.parametrize("dtype", ALL_DTYPES)
def test_zeros_ones_fill_take_every_dtype_and_a_shape_list_or_tensor(dtype):
    p, feeds = unknown_batch(np.zeros((4, 2)))
    for made in (tf.zeros([2, 3], dtype), tf.ones((2, 3), dtype), tf.zeros(tf.shape(p), dtype),
                 tf.ones(tf.shape(p), dtype), tf.zeros(np.array([2, 3]), dtype)):
        assert made.dtype == dtype
        value = run(made, feeds)
        assert value.dtype == dtype.np_dtype
        assert_static_fits(made, value)
        assert np.all(value == (1 if made.op.name.startswith("ones") else 0))
    assert tf.zeros(tf.shape(p)).shape.as_list() == [None, 2]  # what is known stays known
    mixed = tf.ones([tf.shape(p)[0], 5], dtype)
    assert mixed.shape.as_list() == [None, 5] and run(mixed, feeds).shape == (4, 5)
    filled = tf.fill(tf.shape(p), tf.constant(True if dtype == tf.bool else 7, dtype))
    assert run(filled, feeds).shape == (4, 2)
    assert tf.fill([2, 1], 3.0).shape.as_list() == [2, 1]


def test_fill_errors():
    with pytest.raises(ValueError, match="rank 0"):
        tf.fill([2], [1.0, 2.0])
    dims = tf.placeholder(tf.int32, [2])
    with pytest.raises(errors.InvalidArgumentError, match="must be >= 0"):
        run(tf.fill(dims, 1.0), {dims: [2, -1]})


# -- range, linspace ---------------------------------------------------------------------------
@given(st.integers(-6, 6), st.integers(-6, 6), st.integers(-3, 3).filter(bool))
def test_range_is_numpy_arange(start, limit, delta):
    if (limit - start) * delta < 0:
        with pytest.raises(ValueError, match="Requires start"):
            tf.range(start, limit, delta)
        return
    r = tf.range(start, limit, delta)
    assert r.dtype == tf.int32
    value = run(r)
    np.testing.assert_array_equal(value, np.arange(start, limit, delta))
    assert r.shape.as_list() == [len(value)]


def test_range_dtypes_run_time_limits_and_errors():
    assert tf.range(5).dtype == tf.int32 and tf.range(0, 2.5, 0.5).dtype == tf.float32
    assert tf.range(3, dtype=tf.float64).dtype == tf.float64
    np.testing.assert_allclose(run(tf.range(0, 2.5, 0.5)), [0, 0.5, 1, 1.5, 2])
    np.testing.assert_array_equal(run(tf.range(5)), np.arange(5))
    p, feeds = unknown_batch(np.zeros((4, 2)))
    r = tf.range(tf.shape(p)[0])
    assert r.shape.as_list() == [None]
    np.testing.assert_array_equal(run(r, feeds), [0, 1, 2, 3])
    n = tf.placeholder(tf.int32, [])
    with pytest.raises(errors.InvalidArgumentError, match="Requires delta != 0"):
        run(tf.range(0, n, 0), {n: 3})
    with pytest.raises(errors.InvalidArgumentError, match=r"Requires start <= limit when delta "
                                                            r"> 0: 0/-3"):
        run(tf.range(0, n, 1), {n: -3})


def test_linspace():
    t = tf.linspace(0.0, 1.0, 5)
    assert t.shape.as_list() == [5] and t.dtype == tf.float32
    np.testing.assert_allclose(run(t), [0, 0.25, 0.5, 0.75, 1])
    np.testing.assert_allclose(run(tf.lin_space(tf.constant(2.0, tf.float64), 3.0, 1)), [2.0])
    with pytest.raises(TypeError):
        tf.linspace(0, 1, 3)  # int32 start: TF1 wants floats
    with pytest.raises(ValueError, match="num > 0"):
        tf.linspace(0.0, 1.0, 0)


# -- indexing with t[...] ----------------------------------------------------------------------
@st.composite
def index_cases(draw):
    shape = draw(small_shapes.filter(lambda s: 0 not in s))
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    return x, draw(index_items(shape))


@settings(max_examples=60)
@given(index_cases(), S.placeholder_modes)
def test_getitem_matches_numpy(case, mode):
    x, index = case
    p = tf.placeholder(tf.float64, S.placeholder_shape(mode, x.shape))
    y = p[index]
    assert y.op.type == "StridedSlice"
    want = x[index]
    got = run(y, {p: x})
    np.testing.assert_array_equal(got, want)
    assert got.shape == np.shape(want)
    assert_static_fits(y, want)
    if mode == "static":
        assert y.shape.as_list() == list(np.shape(want))


@settings(max_examples=40)
@given(index_cases())
def test_getitem_with_run_time_indices_matches_numpy(case):
    from tests.gradients.test_op_grads_arrays import run_time_index
    x, index = case
    p, feeds = unknown_batch(x)
    y = p[run_time_index(index)]
    assert len(y.op.inputs) > 1 or all(i in (None, Ellipsis) or i == slice(None) for i in index)
    want = x[index]
    np.testing.assert_array_equal(run(y, feeds), want)
    assert_static_fits(y, want)


def test_run_time_index_errors():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    i = tf.placeholder(tf.int32, [])
    with pytest.raises(errors.InvalidArgumentError, match="slice index 5 of dimension 1 out"):
        run(x[0, i], {i: 5})
    with pytest.raises(errors.InvalidArgumentError, match=r"strides\[0\] must be non-zero"):
        run(x[::i], {i: 0})
    with pytest.raises(TypeError, match="Only integers"):
        x[tf.placeholder(tf.int32, [2])]
    with pytest.raises(TypeError, match="Only integers"):
        x[tf.placeholder(tf.float32, [])]
    assert run(x[i, -i], {i: 1}) == 5.0


def test_getitem_clamps_slices_and_walks_backwards():
    x = tf.constant(np.arange(10))
    np.testing.assert_array_equal(run(x[-100:100:3]), np.arange(10)[::3])
    np.testing.assert_array_equal(run(x[8:-100:-3]), [8, 5, 2])
    np.testing.assert_array_equal(run(x[5:2]), [])
    m = tf.constant(np.arange(6).reshape(2, 3))
    assert run(m[-1, -1]) == 5 and m[-1, -1].shape.as_list() == []
    assert m[..., tf.newaxis, 1].shape.as_list() == [2, 1]
    assert m[tf.newaxis].shape.as_list() == [1, 2, 3]
    assert run(m[tf.constant(1), 2]) == 5  # a constant scalar tensor is an int


def test_getitem_errors():
    m = tf.constant(np.arange(6).reshape(2, 3))
    with pytest.raises(ValueError, match="slice index 3 of dimension 1 out of bounds"):
        m[:, 3]
    with pytest.raises(ValueError, match="slice index -1 of dimension 0 out of bounds"):
        m[-3]
    with pytest.raises(ValueError, match="Index out of range using input dim 2"):
        m[0, 0, 0]
    with pytest.raises(ValueError, match="Multiple ellipses"):
        m[..., ...]
    with pytest.raises(ValueError, match=r"strides\[1\] must be non-zero"):
        m[0, ::0]
    for bad in (1.5, [0, 1], True, slice(0.5, None)):
        with pytest.raises(TypeError, match="Only integers, slices"):
            m[bad]
    p, feeds = unknown_batch(np.zeros((2, 3)))
    with pytest.raises(errors.InvalidArgumentError,
                       match="slice index 4 of dimension 0 out of bounds") as info:
        run(p[4], feeds)
    assert "Caused by op 'strided_slice" in str(info.value)


def test_tensors_and_variables_are_not_iterable_despite_getitem():
    v = tf.Variable([1.0, 2.0])
    for value in (v, v.value(), tf.constant([1, 2])):
        with pytest.raises(TypeError, match="iterable"):
            list(value)


def test_variable_slices_are_views_that_never_see_later_writes():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    row, col = v[0], v[:, ::-1]
    update = v.assign_add(tf.ones([2, 2]))
    c = tf.constant([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got_row, got_col, _ = sess.run([row, col, update])
        np.testing.assert_array_equal(got_row, [1, 2])  # read before the write
        np.testing.assert_array_equal(got_col, [[2, 1], [4, 3]])
        got_row[0] = 100.0  # the caller owns what run returns
        np.testing.assert_array_equal(sess.run(v), [[2, 3], [4, 5]])
        piece = sess.run(c[::-1])
        piece[0] = 9.0
        np.testing.assert_array_equal(sess.run(c), [1, 2])


VIEWS = {  # ops whose kernels return numpy views of their input
    "transpose": (lambda v: tf.transpose(v), lambda a: a.T),
    "squeeze": (lambda v: tf.squeeze(tf.expand_dims(v, 0), [0]), lambda a: a),
    "reverse": (lambda v: tf.reverse(v, [1]), lambda a: a[:, ::-1]),
    "unstack": (lambda v: tf.unstack(v)[1], lambda a: a[1]),
    "split": (lambda v: tf.split(v, [1, 1], axis=1)[1], lambda a: a[:, 1:]),
    "slice": (lambda v: tf.slice(v, [0, 1], [-1, 1]), lambda a: a[:, 1:]),
    "stop_gradient": (lambda v: tf.stop_gradient(v), lambda a: a),
    "strided_slice": (lambda v: v[::-1, 1], lambda a: a[::-1, 1]),
}


@pytest.mark.parametrize("name", sorted(VIEWS))
def test_views_of_a_variable_read_before_a_write_and_belong_to_the_caller(name):
    build, expect = VIEWS[name]
    start = np.array([[1.0, 2.0], [3.0, 4.0]])
    v = tf.Variable(start)
    view = build(v)
    with tf.control_dependencies(None):
        update = v.assign(v * 10.0)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        got, _ = sess.run([view, update])
        np.testing.assert_array_equal(got, expect(start))  # the value from before the write
        got = np.asarray(got)
        got[...] = -1.0  # the caller owns the array
        np.testing.assert_array_equal(sess.run(v), start * 10.0)
        np.testing.assert_array_equal(sess.run(view), expect(start * 10.0))


# -- slice -------------------------------------------------------------------------------------
@given(hnp.array_shapes(min_dims=1, max_dims=3, max_side=4).flatmap(
    lambda s: st.tuples(st.just(s), st.tuples(*[st.integers(0, n) for n in s]))).flatmap(
    lambda sb: st.tuples(st.just(sb[0]), st.just(sb[1]), st.tuples(
        *[st.integers(-1, n - b) for n, b in zip(*sb)]))))
def test_slice_matches_numpy(case):
    shape, begin, size = case
    x = np.arange(int(np.prod(shape))).reshape(shape)
    want = x[tuple(slice(b, None if s == -1 else b + s) for b, s in zip(begin, size))]
    p, feeds = unknown_batch(x, tf.int64)
    for source in (tf.constant(x), p):
        t = tf.slice(source, begin, size)
        np.testing.assert_array_equal(run(t, feeds), want)
        assert_static_fits(t, want)


def test_slice_takes_begin_and_size_known_at_run_time():
    p, feeds = unknown_batch(np.arange(12.0).reshape(4, 3))
    n = tf.shape(p)[0]
    t = tf.slice(p, [1, 0], [n - 2, 2])
    assert t.shape.as_list() == [None, 2]
    np.testing.assert_array_equal(run(t, feeds), np.arange(12.0).reshape(4, 3)[1:3, :2])
    begin = tf.placeholder(tf.int32, [2])
    with pytest.raises(errors.InvalidArgumentError, match=r"Expected begin\[0\] in \[0, 4\], "
                                                            r"but got 5"):
        run(tf.slice(p, begin, [-1, -1]), {**feeds, begin: [5, 0]})


def test_slice_errors():
    x = tf.constant(np.zeros((3, 2)))
    with pytest.raises(ValueError, match=r"Expected size\[0\] in \[0, 2\], but got 3"):
        tf.slice(x, [1, 0], [3, 1])
    with pytest.raises(ValueError, match=r"Expected begin\[1\] in \[0, 2\], but got 4"):
        tf.slice(x, [0, 4], [1, 1])
    p, feeds = unknown_batch(np.zeros((3, 2)))
    with pytest.raises(errors.InvalidArgumentError, match=r"Expected size\[0\] in \[0, 1\], "
                                                            r"but got 2"):
        run(tf.slice(p, [2, 0], [2, 1]), feeds)


# -- transpose, concat, stack, unstack, split --------------------------------------------------
@given(small_shapes.flatmap(lambda s: st.tuples(st.just(s), st.one_of(
    st.none(), st.permutations(range(len(s)))))), S.placeholder_modes)
def test_transpose_matches_numpy(case, mode):
    shape, perm = case
    x = np.arange(int(np.prod(shape))).reshape(shape)
    p = tf.placeholder(tf.int32, S.placeholder_shape(mode, shape))
    t = tf.transpose(p, perm)
    want = np.transpose(x, perm)
    np.testing.assert_array_equal(run(t, {p: x}), want)
    assert_static_fits(t, want)


def test_transpose_and_matrix_transpose_of_unknown_rank_read_it_at_run_time():
    p = tf.placeholder(tf.int64)
    x = np.arange(24).reshape(2, 3, 4)
    got = run([tf.matrix_transpose(p), tf.transpose(p), tf.transpose(p, tf.constant([2, 0, 1])),
               tf.invert_permutation([2, 0, 1])], {p: x})
    np.testing.assert_array_equal(got[0], np.swapaxes(x, -1, -2))
    np.testing.assert_array_equal(got[1], x.T)
    np.testing.assert_array_equal(got[2], np.transpose(x, [2, 0, 1]))
    np.testing.assert_array_equal(got[3], [1, 2, 0])
    perm = tf.placeholder(tf.int32, [3])
    with pytest.raises(errors.InvalidArgumentError, match="1 is missing from"):
        run(tf.transpose(p, perm), {p: x, perm: [0, 0, 2]})
    with pytest.raises(errors.InvalidArgumentError, match="transpose expects a vector of size 2"):
        run(tf.transpose(p, perm), {p: x[0], perm: [0, 1, 2]})
    with pytest.raises(errors.InvalidArgumentError, match="duplicated"):
        run(tf.invert_permutation(perm), {perm: [0, 0, 1]})


def test_transpose_and_matrix_transpose_errors():
    x = tf.zeros([2, 3, 4])
    assert tf.matrix_transpose(x).shape.as_list() == [2, 4, 3]
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2"):
        tf.transpose(x, [1, 0])
    with pytest.raises(ValueError, match="1 is missing from"):
        tf.transpose(x, [0, 0, 2])
    with pytest.raises(ValueError, match="out of range"):
        tf.transpose(x, [0, 1, 3])
    with pytest.raises(ValueError, match="rank >= 2"):
        tf.matrix_transpose(tf.zeros([3]))


@given(small_shapes.filter(lambda s: len(s) >= 1), st.data())
def test_concat_stack_unstack_split_match_numpy(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.arange(int(np.prod(shape)), dtype=np.float32).reshape(shape)
    y = x * 2
    p, feeds = unknown_batch(x, tf.float32)
    got = run(tf.concat([p, y, x], axis), feeds)
    np.testing.assert_array_equal(got, np.concatenate([x, y, x], axis))
    new_axis = data.draw(st.integers(-len(shape) - 1, len(shape)))
    stacked = tf.stack([p, y], axis=new_axis)
    np.testing.assert_array_equal(run(stacked, feeds), np.stack([x, y], new_axis))
    parts = tf.unstack(tf.constant(x), axis=axis)
    assert len(parts) == x.shape[axis]
    for part, want in zip(run(parts), np.moveaxis(x, axis, 0)):
        np.testing.assert_array_equal(part, want)
    n = x.shape[axis]
    if n:
        k = data.draw(st.sampled_from([d for d in range(1, n + 1) if n % d == 0]))
        for part, want in zip(run(tf.split(p, k, axis), feeds), np.split(x, k, axis)):
            np.testing.assert_array_equal(part, want)
    cut = data.draw(st.integers(0, n))
    for sizes in ([cut, n - cut], [cut, -1], [-1, cut]):
        pieces = tf.split(tf.constant(x), sizes, axis)
        for part, want in zip(run(pieces), np.split(x, [cut if sizes[0] != -1 else n - cut],
                                                    axis)):
            np.testing.assert_array_equal(part, want)


def test_concat_stack_split_errors():
    a, b = tf.zeros([2, 3]), tf.zeros([2, 4])
    assert tf.concat([a, b], 1).shape.as_list() == [2, 7]
    with pytest.raises(ValueError, match=r"Dimension 1 in both shapes must be equal, but are 3 "
                                         r"and 4. Shapes are \[2,3\] and \[2,4\]"):
        tf.concat([a, b], 0)
    with pytest.raises(ValueError, match="Shape must be rank 2 but is rank 1"):
        tf.concat([a, tf.zeros([3])], 0)
    with pytest.raises(ValueError, match="Can't concatenate scalars"):
        tf.concat([tf.zeros([]), tf.zeros([])], 0)
    with pytest.raises(TypeError, match="don't all match"):
        tf.concat([a, tf.zeros([2, 3], tf.int32)], 0)
    assert tf.concat([a], 0).op.type == "Identity"
    with pytest.raises(ValueError):
        tf.stack([a, b])
    with pytest.raises(ValueError, match="Cannot infer num"):
        tf.unstack(tf.placeholder(tf.float32, [None, 2]))
    with pytest.raises(ValueError, match="evenly divisible by 3 but is 4"):
        tf.split(b, 3, axis=1)
    with pytest.raises(ValueError, match="Determined shape must either match"):
        tf.split(b, [1, 2], axis=1)
    p = tf.placeholder(tf.float32, [None, 2])
    with pytest.raises(errors.InvalidArgumentError, match="Number of ways to split"):
        run(tf.split(p, 2), {p: np.zeros((3, 2))})
    q = tf.placeholder(tf.float32, [None])
    with pytest.raises(errors.InvalidArgumentError, match="Dimensions of inputs should match"):
        run(tf.concat([q[None], tf.zeros([1, 3])], 0), {q: np.zeros(2)})
    with pytest.raises(errors.InvalidArgumentError, match="Shapes of all inputs must match"):
        run(tf.stack([q, tf.zeros([2])]), {q: np.zeros(3)})


# -- gather, boolean_mask ----------------------------------------------------------------------
@given(small_shapes.filter(lambda s: 0 not in s), st.data())
def test_gather_matches_numpy_take(shape, data):
    axis = data.draw(st.integers(-len(shape), len(shape) - 1))
    x = np.arange(int(np.prod(shape))).reshape(shape)
    indices = data.draw(hnp.arrays(np.int64, data.draw(hnp.array_shapes(min_dims=0, max_dims=2,
                                                                        max_side=3)),
                                   elements=st.integers(0, shape[axis] - 1)))
    p, feeds = unknown_batch(x, tf.int64)
    g = tf.gather(p, indices, axis=axis)
    want = np.take(x, indices, axis=axis)
    np.testing.assert_array_equal(run(g, feeds), want)
    assert_static_fits(g, want)


def test_gather_index_out_of_range_says_which():
    params = tf.constant([1.0, 2.0, 3.0, 4.0, 5.0])
    i = tf.placeholder(tf.int32, [None])
    with pytest.raises(errors.InvalidArgumentError) as info:
        run(tf.gather(params, i), {i: [0, 1, 2, 7]})
    assert info.value.message.startswith("indices[3] = 7 is not in [0, 5)")
    j = tf.placeholder(tf.int64, [2, 2])
    with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1,0\] = -1 is not in "
                                                            r"\[0, 2\)"):
        run(tf.gather(tf.zeros([3, 2]), j, axis=1), {j: [[0, 1], [-1, 0]]})
    with pytest.raises(TypeError, match="indices"):
        tf.gather(params, tf.constant([0.0]))


def test_boolean_mask():
    x = np.arange(12.0).reshape(3, 4)
    mask = np.array([True, False, True])
    np.testing.assert_array_equal(run(tf.boolean_mask(x, mask)), x[mask])
    m2 = x > 4
    np.testing.assert_array_equal(run(tf.boolean_mask(x, m2)), x[m2])
    col = np.array([False, True, True, False])
    got = tf.boolean_mask(tf.constant(x), col, axis=1)
    assert got.shape.as_list() == [3, None]
    np.testing.assert_array_equal(run(got), x[:, col])
    with pytest.raises(ValueError, match="incompatible"):
        tf.boolean_mask(x, [True, False])
    with pytest.raises(ValueError, match="mask cannot be scalar"):
        tf.boolean_mask(x, True)
    pm = tf.placeholder(tf.bool, [None])
    with pytest.raises(errors.InvalidArgumentError, match="incompatible"):
        run(tf.boolean_mask(x, pm), {pm: [True, False]})


# -- one_hot, squeeze, tile, pad, reverse, stop_gradient ---------------------------------------
def test_one_hot():
    got = run(tf.one_hot([0, 2, -1, 5], 3))
    np.testing.assert_array_equal(got, [[1, 0, 0], [0, 0, 1], [0, 0, 0], [0, 0, 0]])
    assert got.dtype == np.float32
    t = tf.one_hot(tf.constant([[1, 0]]), 2, on_value=5, off_value=-1, axis=0)
    assert t.dtype == tf.int32 and t.shape.as_list() == [2, 1, 2]
    np.testing.assert_array_equal(run(t), [[[-1, 5]], [[5, -1]]])
    assert tf.one_hot([1], 2, dtype=tf.bool).dtype == tf.bool
    with pytest.raises(TypeError):
        tf.one_hot([1.0], 2)
    with pytest.raises(TypeError, match="does not match"):
        tf.one_hot([1], 2, on_value=np.float64(1), off_value=np.int32(0))


def test_one_hot_of_a_depth_known_when_the_graph_runs(backend):
    depth = tf.placeholder(tf.int32, [])
    hot = tf.one_hot(tf.constant([1, 0, 3]), depth)
    assert hot.shape.as_list() == [3, None]
    assert run(hot, {depth: 2}).tolist() == [[0, 1], [1, 0], [0, 0]]
    assert run(tf.one_hot([[1]], depth, axis=0), {depth: 3}).tolist() == [[[0]], [[1]], [[0]]]
    with pytest.raises(errors.InvalidArgumentError, match="depth must be non-negative, got: -1"):
        run(hot, {depth: -1})
    with pytest.raises(TypeError, match="'depth' has DataType int64"):
        tf.one_hot([1], tf.placeholder(tf.int64, []))
    assert tf.one_hot([1], tf.constant(3)).shape.as_list() == [1, 3]  # a constant: known now


def test_squeeze_tile_reverse():
    x = np.arange(6).reshape(1, 2, 1, 3)
    np.testing.assert_array_equal(run(tf.squeeze(x)), x.reshape(2, 3))
    assert tf.squeeze(tf.constant(x), [-2]).shape.as_list() == [1, 2, 3]
    assert tf.squeeze(tf.placeholder(tf.float32, [None, 1])).shape.dims is None
    with pytest.raises(ValueError, match=r"Can not squeeze dim\[1\], expected a dimension of 1,"
                                         r" got 2"):
        tf.squeeze(x, [1])
    p = tf.placeholder(tf.float32, [None, 1])
    with pytest.raises(errors.InvalidArgumentError,
                       match="Tried to explicitly squeeze dimension 0 but dimension was not 1"):
        run(tf.squeeze(p, [0]), {p: np.zeros((2, 1))})
    y = np.arange(6).reshape(2, 3)
    np.testing.assert_array_equal(run(tf.tile(y, [2, 3])), np.tile(y, (2, 3)))
    assert tf.tile(tf.placeholder(tf.float32, [None, 3]), [2, 2]).shape.as_list() == [None, 6]
    with pytest.raises(ValueError):
        tf.tile(y, [2])
    p = tf.placeholder(tf.float32, [None, 3])
    batch = tf.tile(tf.constant([[1.0, 2.0]]), [tf.shape(p)[0], 2])  # multiples at run time
    assert batch.shape.as_list() == [None, 4]
    np.testing.assert_array_equal(run(batch, {p: np.zeros((3, 3))}), np.tile([[1, 2]], (3, 2)))
    grad = tf.gradients(tf.reduce_sum(tf.square(tf.tile(p, [tf.shape(p)[0], 1]))), p)[0]
    value = np.arange(6.0).reshape(2, 3)
    np.testing.assert_allclose(run(grad, {p: value}), 2 * 2 * value)
    np.testing.assert_array_equal(run(tf.reverse(y, [1])), y[:, ::-1])
    np.testing.assert_array_equal(run(tf.reverse(y, [-1, 0])), y[::-1, ::-1])
    np.testing.assert_array_equal(run(tf.reverse_v2(y, [0])), y[::-1])
    with pytest.raises(ValueError, match="more than once"):
        tf.reverse(y, [1, -1])


@given(small_shapes.filter(lambda s: 0 not in s and len(s) <= 3), st.data())
def test_pad_matches_numpy(shape, data):
    x = np.arange(int(np.prod(shape)), dtype=np.float64).reshape(shape)
    mode = data.draw(st.sampled_from(["CONSTANT", "REFLECT", "SYMMETRIC", "reflect"]))
    top = {"CONSTANT": lambda n: 3, "REFLECT": lambda n: n - 1, "SYMMETRIC": lambda n: n}[
        mode.upper()]
    pads = [[data.draw(st.integers(0, top(n))), data.draw(st.integers(0, top(n)))]
            for n in shape]
    p, feeds = unknown_batch(x)
    t = tf.pad(p, pads, mode, constant_values=2.5)
    want = np.pad(x, pads, mode="constant", constant_values=2.5) if mode == "CONSTANT" else \
        np.pad(x, pads, mode=mode.lower())
    np.testing.assert_array_equal(run(t, feeds), want)
    assert_static_fits(t, want)


def test_pad_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match="paddings must be less than the dimension size"):
        tf.pad(x, [[2, 0], [0, 0]], "REFLECT")
    with pytest.raises(ValueError, match="no greater than the dimension size"):
        tf.pad(x, [[3, 0], [0, 0]], "SYMMETRIC")
    with pytest.raises(ValueError, match="Unknown padding mode"):
        tf.pad(x, [[0, 0], [0, 0]], "WRAP")
    p = tf.placeholder(tf.float32, [None, 3])
    with pytest.raises(errors.InvalidArgumentError, match="less than the dimension size"):
        run(tf.pad(p, [[1, 1], [0, 0]], "REFLECT"), {p: np.zeros((1, 3))})


def test_stop_gradient_gives_none():
    x = tf.placeholder(tf.float32, [None])
    y = tf.stop_gradient(x * 2.0) + x
    assert tf.gradients(tf.stop_gradient(x), x) == [None]
    assert run(tf.gradients(y, x), {x: [1.0, 2.0]})[0].tolist() == [1.0, 1.0]


# -- random_shuffle, multinomial ---------------------------------------------------------------
def _draw_twice(build):
    """The values of two runs in one session, then of the first run in a new session."""
    t = build()
    with tf.Session() as sess:
        first, second = sess.run(t), sess.run(t)
    with tf.Session() as sess:
        again = sess.run(t)
    return first, second, again


def test_random_shuffle_is_a_seeded_permutation_of_the_first_dim():
    x = np.arange(20).reshape(10, 2)
    tf.set_random_seed(5)
    first, second, again = _draw_twice(lambda: tf.random_shuffle(x, seed=3))
    np.testing.assert_array_equal(first, again)  # same seeds, same numbers
    assert not np.array_equal(first, second)  # each run draws anew
    np.testing.assert_array_equal(np.sort(first[:, 0]), x[:, 0])
    np.testing.assert_array_equal(first[:, 1], first[:, 0] + 1)  # rows move whole
    tf.reset_default_graph()
    tf.set_random_seed(5)
    np.testing.assert_array_equal(_draw_twice(lambda: tf.random_shuffle(x, seed=3))[0], first)
    tf.reset_default_graph()
    tf.set_random_seed(6)
    assert not np.array_equal(_draw_twice(lambda: tf.random_shuffle(x, seed=3))[0], first)


def test_multinomial_draws_by_softmax_probabilities_with_seeds():
    with np.errstate(divide="ignore"):
        logits = np.log([[0.1, 0.9, 0.0], [0.5, 0.25, 0.25]])
    first, second, again = _draw_twice(lambda: tf.multinomial(logits, 4000, seed=7))
    assert first.dtype == np.int64 and first.shape == (2, 4000)
    np.testing.assert_array_equal(first, again)
    assert not np.array_equal(first, second)
    assert not (first[0] == 2).any()  # probability 0
    np.testing.assert_allclose([np.mean(first[0] == 1), np.mean(first[1] == 0)], [0.9, 0.5],
                               atol=0.03)
    p = tf.placeholder(tf.float32, [None, 3])
    m = tf.multinomial(p, 2, output_dtype=tf.int32)
    assert m.shape.as_list() == [None, 2] and m.dtype == tf.int32
    with pytest.raises(ValueError, match="rank 2"):
        tf.multinomial(tf.zeros([3]), 2)


# -- linear algebra ----------------------------------------------------------------------------
@given(st.sampled_from([(), (2,), (2, 1)]), st.integers(1, 4), st.integers(0, 2 ** 16))
def test_inverse_determinant_transpose_match_numpy(batch, n, seed):
    a = np.random.default_rng(seed).normal(size=batch + (n, n)) + 2 * n * np.eye(n)
    p = tf.placeholder(tf.float64, [None] * (len(batch) + 2))
    inv, det = tf.matrix_inverse(p), tf.matrix_determinant(p)
    inv_t = tf.matrix_inverse(p, adjoint=True)
    got = run([inv, det, inv_t, tf.matrix_transpose(p)], {p: a})
    np.testing.assert_allclose(got[0], np.linalg.inv(a), rtol=1e-10, atol=1e-12)
    np.testing.assert_allclose(got[1], np.linalg.det(a), rtol=1e-10)
    np.testing.assert_allclose(got[2], np.linalg.inv(np.swapaxes(a, -1, -2)), atol=1e-12)
    np.testing.assert_array_equal(got[3], np.swapaxes(a, -1, -2))
    assert det.shape.ndims == len(batch)


def test_linalg_errors_and_float32():
    with pytest.raises(errors.InvalidArgumentError, match="Input is not invertible."):
        run(tf.matrix_inverse(tf.constant([[1.0, 2.0], [2.0, 4.0]])))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.matrix_inverse(tf.zeros([2, 3]))
    with pytest.raises(TypeError):
        tf.matrix_determinant(tf.zeros([2, 2], tf.int32))
    got = run(tf.matrix_determinant(tf.constant([[2.0, 1.0], [1.0, 3.0]])))
    assert got.dtype == np.float32 and got == pytest.approx(5.0)


@given(st.sampled_from([(), (2,), (2, 2)]), st.integers(0, 2 ** 16))
def test_cross_matches_numpy(batch, seed):
    rng = np.random.default_rng(seed)
    a, b = rng.normal(size=batch + (3,)), rng.normal(size=batch + (3,))
    np.testing.assert_allclose(run(tf.cross(a, b)), np.cross(a, b))
    ints = tf.cross(tf.constant([1, 0, 0]), tf.constant([0, 1, 0]))
    np.testing.assert_array_equal(run(ints), [0, 0, 1])


def test_cross_errors():
    with pytest.raises(ValueError, match="Dimension must be 3 but is 2"):
        tf.cross(tf.zeros([2]), tf.zeros([2]))
    with pytest.raises(ValueError):
        tf.cross(tf.zeros([2, 3]), tf.zeros([1, 3]))


@given(st.data())
def test_tensordot_matches_numpy(data):
    from tests.gradients.test_op_grads_arrays import tensordot_args
    a, b, axes = data.draw(tensordot_args())
    t = tf.tensordot(a, b, axes)
    want = np.tensordot(a, b, axes)
    np.testing.assert_allclose(run(t), want, atol=1e-12)
    assert t.shape.as_list() == list(want.shape)


def test_tensordot_int_axes_and_errors():
    a, b = np.arange(24.0).reshape(2, 3, 4), np.arange(12.0).reshape(3, 4)
    np.testing.assert_allclose(run(tf.tensordot(a, b, 2)), np.tensordot(a, b, 2))
    np.testing.assert_allclose(run(tf.tensordot(a, b, 0)), np.tensordot(a, b, 0))
    with pytest.raises(ValueError, match="Dimensions must be equal"):
        tf.tensordot(a, b, [[0], [0]])
    with pytest.raises(ValueError):
        tf.tensordot(tf.placeholder(tf.float64), b, 1)


# -- a TF1-style script ------------------------------------------------------------------------
def test_tf1_style_training_step_through_gather_concat_one_hot_and_slices():
    """One step of a small model written as TF1 tutorials write it, against numpy by hand."""
    x = tf.placeholder(tf.float32, [None, 2])
    labels = tf.placeholder(tf.int32, [None])
    emb = tf.Variable([[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    w = tf.Variable(tf.zeros([4, 3]))
    feat = tf.concat([x, tf.gather(emb, labels)], axis=1)
    logits = tf.matmul(feat, w) + tf.reduce_sum(tf.transpose(w)[:, ::2], axis=1)
    loss = tf.reduce_mean(tf.square(logits - tf.one_hot(labels, 3)))
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
    first = tf.stack(tf.unstack(logits, num=2)[:1])  # only the first row
    xs, ys = np.array([[1.0, 2.0], [3.0, -1.0]], np.float32), np.array([2, 0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        loss0, _ = sess.run([loss, train], {x: xs, labels: ys})
        w1, emb1, first1 = sess.run([w, emb, first], {x: xs, labels: ys})
    assert loss0 == pytest.approx(1.0 / 3.0)
    # by hand: logits = feat @ w + sum of w's rows 0 and 2 (zero at first); dL/dlogits is
    # -2 * onehot / (2 rows * 3 classes); w also gets that gradient summed over rows, at rows
    # 0 and 2; emb's rows 2 and 0 get the feat-gradient of columns 2:4 (zero: w starts at 0)
    onehot = np.eye(3)[ys]
    d_logits = -2.0 * onehot / 6.0
    feat0 = np.concatenate([xs, np.array([[1.0, 1.0], [1.0, 0.0]])], axis=1)
    d_w = feat0.T @ d_logits
    d_w[[0, 2]] += d_logits.sum(axis=0)
    np.testing.assert_allclose(w1, -0.5 * d_w, rtol=1e-6)
    np.testing.assert_array_equal(emb1, [[1.0, 0.0], [0.0, 1.0], [1.0, 1.0]])
    feat1 = np.concatenate([xs, emb1[ys]], axis=1)
    want = feat1 @ w1 + w1[[0, 2]].sum(axis=0)
    np.testing.assert_allclose(first1, want[:1], rtol=1e-5)
