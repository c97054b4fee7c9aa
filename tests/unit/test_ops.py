"""Ops: build-time shape/dtype inference and its errors, and forward values vs numpy."""
import warnings

import numpy as np
import pytest

import tinygraph as tf
from tinygraph import errors


def run(fetches, feeds=None):
    with tf.Session() as sess:
        return sess.run(fetches, feeds)


# -- build-time inference -----------------------------------------------------------------------
def test_matmul_shape_errors_name_both_shapes():
    x = tf.placeholder(tf.float32, [None, 3072])
    with pytest.raises(ValueError) as info:
        tf.matmul(x, tf.zeros([3071, 10]))
    assert str(info.value) == ("Dimensions must be equal, but are 3072 and 3071 for 'MatMul' "
                               "(op: 'MatMul') with input shapes: [?,3072], [3071,10].")
    with pytest.raises(ValueError, match=r"Shape must be rank 2 but is rank 1 for 'MatMul_1' "
                                         r"\(op: 'MatMul'\) with input shapes: \[3\], \[3,2\]."):
        tf.matmul(tf.zeros([3]), tf.zeros([3, 2]))
    assert tf.matmul(x, tf.zeros([3072, 10])).shape.as_list() == [None, 10]
    assert tf.matmul(tf.zeros([4, 3]), tf.zeros([4, 5]), transpose_a=True).shape == [3, 5]


def test_broadcasting_inference_and_errors():
    a = tf.placeholder(tf.float32, [2, 3])
    with pytest.raises(ValueError, match=r"Dimensions must be equal, but are 3 and 4 for 'Add' "
                                         r"\(op: 'Add'\) with input shapes: \[2,3\], \[4\]."):
        tf.add(a, tf.zeros([4]))
    assert (tf.placeholder(tf.float32, [None, 1]) + tf.zeros([5])).shape.as_list() == [None, 5]
    assert (tf.placeholder(tf.float32, [None, 4]) * tf.placeholder(tf.float32, [3, 1])
            ).shape.as_list() == [3, 4]


def test_dtypes_never_promote():
    with pytest.raises(TypeError) as info:
        tf.add(tf.placeholder(tf.float32), tf.placeholder(tf.int64))
    assert str(info.value) == ("Input 'y' of 'Add' Op has type int64 that does not match type "
                               "float32 of argument 'x'.")
    with pytest.raises(TypeError, match="Input 'y' of 'Equal' Op has type int32 that does not "
                                        "match type int64 of argument 'x'."):
        tf.equal(tf.placeholder(tf.int64), tf.placeholder(tf.int32))
    with pytest.raises(TypeError, match="Input 'b' of 'MatMul' Op has type float64"):
        tf.matmul(tf.zeros([2, 2]), tf.zeros([2, 2], tf.float64))
    with pytest.raises(TypeError, match="Expected int32, got 1.5 of type 'float' instead."):
        tf.constant([1, 2]) + 1.5
    with pytest.raises(TypeError, match="bool not in list of allowed values"):
        tf.reduce_mean(tf.constant([True, False]))


def test_python_and_numpy_operands_take_the_tensors_dtype():
    x = tf.placeholder(tf.float32, [2])
    assert (x + np.array([1.0, 2.0])).dtype == tf.float32
    assert tf.equal(x, 2).dtype == tf.bool
    assert tf.constant(1.5).dtype == tf.float32
    assert tf.constant([1, 2]).dtype == tf.int32
    assert tf.constant(np.array([1, 2])).dtype == tf.int64
    assert tf.constant(np.float64(1.5)).dtype == tf.float64
    assert tf.constant(2 ** 40).dtype == tf.int64
    assert tf.zeros([2]).dtype == tf.float32 and tf.ones([2], tf.int32).dtype == tf.int32


def test_integer_division_is_true_division():
    q = tf.divide(tf.constant(7), tf.constant(2))
    assert q.dtype == tf.float64 and run(q) == 3.5


def test_reduction_and_reshape_errors():
    x = tf.zeros([2, 3])
    with pytest.raises(ValueError, match="Invalid reduction dimension 2 for input with 2 "
                                         "dimensions."):
        tf.reduce_sum(x, axis=2)
    with pytest.raises(ValueError, match=r"Cannot reshape a tensor with 6 elements to shape \[4\] "
                                         r"\(4 elements\)"):
        tf.reshape(x, [4])
    assert tf.reshape(tf.placeholder(tf.float32, [None, 6]), [-1, 3]).shape.as_list() == \
        [None, 3]
    assert tf.reduce_sum(x, axis=[0, 1], keepdims=True).shape.as_list() == [1, 1]


def test_sparse_cross_entropy_argument_checks():
    logits = tf.placeholder(tf.float32, [None, 10])
    labels = tf.placeholder(tf.int64, [None])
    with pytest.raises(ValueError, match=r"Only call `sparse_softmax_cross_entropy_with_logits` "
                                         r"with named arguments \(labels=..., logits=..., ...\)"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels, logits)
    with pytest.raises(ValueError, match="Both labels and logits must be provided."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(logits=logits)
    with pytest.raises(ValueError, match=r"Rank mismatch: Rank of labels \(received 2\) should "
                                         r"equal rank of logits minus 1 \(received 2\)."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([4, 1], tf.int64),
                                                       logits=logits)
    with pytest.raises(ValueError, match=r"Shape mismatch: The shape of labels \(received "
                                         r"\(100,\)\) should equal the shape of logits except for "
                                         r"the last dimension \(received \(50, 10\)\)."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([100], tf.int64),
                                                       logits=tf.zeros([50, 10]))
    with pytest.raises(ValueError, match=r"Logits cannot be scalars - received shape \(\)."):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.constant(1.0))
    with pytest.raises(TypeError, match="Value passed to parameter 'labels' has DataType float32 "
                                        "not in list of allowed values: int32, int64"):
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.zeros([3]), logits=logits)


def test_reshape_to_a_shape_tensor_or_a_list_with_tensors(backend):
    x = tf.placeholder(tf.float32, [None, 3])
    rows = tf.reshape(x, [tf.shape(x)[0], -1, 1])
    flipped = tf.reshape(x, tf.shape(tf.transpose(x)))
    assert rows.shape.as_list() == [None, None, 1] and flipped.shape.as_list() == [3, None]
    assert rows.op.type == flipped.op.type == "Reshape"
    value = np.arange(6, dtype=np.float32).reshape(2, 3)
    got_rows, got_flipped = run([rows, flipped], {x: value})
    np.testing.assert_array_equal(got_rows, value.reshape(2, 3, 1))
    np.testing.assert_array_equal(got_flipped, value.reshape(3, 2))
    grad, = tf.gradients(tf.reduce_sum(rows * rows), x)
    np.testing.assert_array_equal(run(grad, {x: value}), 2 * value)
    with pytest.raises(errors.InvalidArgumentError, match="Input to reshape is a tensor with "
                                                          "6 values, but the requested shape "
                                                          "has 8"):
        run(tf.reshape(x, [tf.shape(x)[0], 4]), {x: value})


def test_matmul_of_rank_3_is_a_batch_of_products_as_in_tf1(backend):
    a = np.arange(12, dtype=np.float32).reshape(2, 2, 3)
    product = tf.matmul(tf.constant(a), tf.constant(a), transpose_b=True)
    assert product.op.type == "BatchMatMul" and product.shape.as_list() == [2, 2, 2]
    np.testing.assert_allclose(run(product), a @ a.transpose(0, 2, 1))


def test_shape_indexing_gives_tf1_dimensions():
    x = tf.placeholder(tf.float32, [None, 3])
    assert x.get_shape()[1].value == 3 and x.shape[1] == 3 and int(x.shape[-1]) == 3
    assert repr(x.shape[1]) == "Dimension(3)" and str(x.shape[1]) == "3"
    assert x.shape[0].value is None and str(x.shape[0]) == "?"
    assert repr(x.shape[0]) == "Dimension(None)" and (x.shape[0] == 5) is None
    assert tf.zeros([x.shape[1], 2]).shape.as_list() == [3, 2]
    assert tf.placeholder(tf.float32).shape[0].value is None
    assert [d.value for d in x.get_shape()] == [None, 3] == x.shape.as_list()
    assert tf.TensorShape([d for d in x.shape]) == x.shape


# -- forward values -------------------------------------------------------------------------------
def test_elementwise_and_matmul_values(backend):
    rng = np.random.default_rng(0)
    a = rng.uniform(0.5, 2, (3, 4)).astype(np.float32)
    b = rng.uniform(0.5, 2, (4,)).astype(np.float32)
    x, y = tf.constant(a), tf.constant(b)
    cases = [(x + y, a + b), (x - y, a - b), (x * y, a * b), (x / y, a / b), (-x, -a),
             (tf.square(x), a * a), (tf.sqrt(x), np.sqrt(a)), (tf.exp(x), np.exp(a)),
             (tf.log(x), np.log(a)), (tf.matmul(x, x, transpose_b=True), a @ a.T),
             (tf.add_n([x, x, x]), 3 * a), (tf.nn.relu(x - 1.0), np.maximum(a - 1, 0)),
             (tf.nn.sigmoid(x), 1 / (1 + np.exp(-a))), (tf.nn.tanh(x), np.tanh(a)),
             (tf.nn.l2_loss(x), (a * a).sum() / 2)]
    for tensor, want in cases:
        got = run(tensor)
        assert got.dtype == np.float32
        np.testing.assert_allclose(got, want, rtol=1e-6)


@pytest.mark.parametrize("axis, keepdims", [(None, False), (0, False), (1, True), (-1, False),
                                            ([0, 1], True), ((0,), True)])
def test_reductions(axis, keepdims):
    a = np.arange(12, dtype=np.float32).reshape(3, 4)
    x = tf.constant(a)
    np_axis = tuple(axis) if isinstance(axis, list) else axis
    np.testing.assert_allclose(run(tf.reduce_sum(x, axis, keepdims)),
                               a.sum(np_axis, keepdims=keepdims))
    np.testing.assert_allclose(run(tf.reduce_mean(x, axis, keepdims)),
                               a.mean(np_axis, keepdims=keepdims))
    assert tf.reduce_sum(x, axis, keepdims).shape.as_list() == \
        list(a.sum(np_axis, keepdims=keepdims).shape)


def test_integer_mean_truncates_and_empty_mean_is_nan():
    assert run(tf.reduce_mean(tf.constant([1, 0, 1, 0]))) == 0
    assert run(tf.reduce_mean(tf.constant([1, 1, 1, 0]))) == 0
    assert run(tf.reduce_mean(tf.constant([-3, -4]))) == -3
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert np.isnan(run(tf.reduce_mean(tf.zeros([0]))))


def test_argmax_and_equal(backend):
    x = tf.constant([[1.0, 3.0, 3.0], [2.0, 2.0, 2.0]])
    np.testing.assert_array_equal(run(tf.argmax(x, 1)), [1, 0])  # ties: lowest index
    np.testing.assert_array_equal(run(tf.argmax(x)), [1, 0, 0])  # axis None means 0
    assert tf.argmax(x, 1).dtype == tf.int64
    np.testing.assert_array_equal(run(tf.argmax(x, 1, output_type=tf.int32)), [1, 0])
    np.testing.assert_array_equal(run(tf.equal(tf.constant([1, 2, 3]), 2)), [False, True, False])
    np.testing.assert_array_equal(run(tf.equal(tf.constant([[1], [2]]), tf.constant([1, 2]))),
                                  [[True, False], [False, True]])


def test_cast():
    np.testing.assert_array_equal(run(tf.cast(tf.constant([1.7, -1.7, 2.5, -2.5]), tf.int32)),
                                  [1, -1, 2, -2])
    np.testing.assert_array_equal(run(tf.cast(tf.constant([True, False]), tf.float32)), [1, 0])
    np.testing.assert_array_equal(run(tf.cast(tf.constant([0.5, 0.0, -1.0]), tf.bool)),
                                  [True, False, True])
    with pytest.raises(errors.InvalidArgumentError, match="NaN, Inf or out-of-range"):
        run(tf.cast(tf.constant([np.nan]), tf.int32))


def test_edge_values_without_warnings():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert run(tf.log(tf.constant(0.0))) == -np.inf
        assert np.isnan(run(tf.log(tf.constant(-1.0))))
        assert np.isnan(run(tf.sqrt(tf.constant(-1.0))))
        x = tf.placeholder(tf.float32, [])
        assert run(tf.gradients(tf.sqrt(x), x)[0], {x: 0.0}) == np.inf
        assert run(tf.gradients(tf.nn.relu(x), x)[0], {x: 0.0}) == 0.0


def test_softmax_and_sparse_cross_entropy_are_stable(backend):
    np.testing.assert_array_equal(run(tf.nn.softmax(tf.constant([[1e4, 0.0]]))), [[1.0, 0.0]])
    logits = tf.constant([[1e4, -1e4]])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant([1]), logits=logits)
    grad = tf.gradients(loss, logits)[0]
    assert run(loss)[0] == 20000.0
    np.testing.assert_array_equal(run(grad), [[1.0, -1.0]])  # softmax - onehot


def test_sparse_cross_entropy_values_and_bad_labels(backend):
    z = np.array([[1.0, 2.0, 3.0], [1.0, 1.0, 1.0]], np.float32)
    labels = tf.placeholder(tf.int64, [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=tf.constant(z))
    want = np.log(np.exp(z).sum(1)) - z[[0, 1], [2, 0]]
    np.testing.assert_allclose(run(loss, {labels: [2, 0]}), want, rtol=1e-6)
    with pytest.raises(errors.InvalidArgumentError) as info:
        run(loss, {labels: [1, 3]})
    assert info.value.message == ("Received a label value of 3 which is outside the valid range "
                                  "of [0, 3).  Label values: 1 3")
    with pytest.raises(errors.InvalidArgumentError, match="Received a label value of -1"):
        run(loss, {labels: [-1, 0]})


def test_shape_helpers():
    x = tf.constant(np.arange(6.0).reshape(2, 3))
    np.testing.assert_array_equal(run(tf.expand_dims(x, 0)).shape, (1, 2, 3))
    np.testing.assert_array_equal(run(tf.reshape(x, [3, -1])), np.arange(6.0).reshape(3, 2))
    np.testing.assert_array_equal(run(tf.zeros_like(x)), np.zeros((2, 3)))
    assert run(tf.ones_like(x, dtype=tf.int32)).dtype == np.int32
    np.testing.assert_array_equal(run(tf.constant(7, shape=[2, 2])), [[7, 7], [7, 7]])


def test_random_ops_follow_tf1_seeding():
    def draws(graph_seed=None, op_seed=None):
        tf.reset_default_graph()
        if graph_seed is not None:
            tf.set_random_seed(graph_seed)
        r = tf.random_normal([3], seed=op_seed)
        u = tf.random_uniform([3], minval=2, maxval=4, seed=op_seed)
        with tf.Session() as sess:
            return [sess.run(r), sess.run(r), sess.run(u)]
    first, second = draws(graph_seed=1), draws(graph_seed=1)
    for a, b in zip(first, second):
        np.testing.assert_array_equal(a, b)  # each new session replays the sequence
    assert not np.array_equal(first[0], first[1])  # running again gives new values
    assert ((first[2] >= 2) & (first[2] < 4)).all()
    assert not np.array_equal(draws(op_seed=5)[0], draws(graph_seed=1, op_seed=5)[0])
    assert not np.array_equal(draws()[0], draws()[0])  # no seed: not reproducible
    tf.reset_default_graph()
    t = tf.truncated_normal([10000], stddev=2.0, seed=3)
    values = run(t)
    assert values.dtype == np.float32 and np.abs(values).max() <= 4.0


def test_expand_dims_refuses_an_axis_out_of_range_when_building():
    x = tf.placeholder(tf.float32, [2, 3])
    assert tf.expand_dims(x, -3).shape.as_list() == [1, 2, 3]
    assert tf.expand_dims(x, 2).shape.as_list() == [2, 3, 1]
    for axis in (3, -4, 7):
        with pytest.raises(ValueError, match="Tried to expand dim index %d for tensor with 2 "
                                             "dimensions" % axis):
            tf.expand_dims(x, axis)
