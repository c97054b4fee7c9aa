"""Writes to variables: TF1's shape rules for Assign/AssignAdd/AssignSub/ApplyGradientDescent,
and a run applies all of its writes or none."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph import errors

small_shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=1, max_side=3)


# -- build time ---------------------------------------------------------------------------------
def test_assign_of_another_static_shape_fails_at_build_time_with_tf1s_text():
    v = tf.Variable(tf.zeros([2, 3]))
    with pytest.raises(ValueError, match=r"Dimension 0 in both shapes must be equal, but are 2 "
                                         r"and 3\. Shapes are \[2,3\] and \[3,2\]\."):
        v.assign(tf.zeros([3, 2]))
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 2 and 1"):
        v.assign_add(tf.zeros([3]))
    with pytest.raises(TypeError, match="requested dtype float32 for Tensor with dtype float64"):
        v.assign(tf.zeros([2, 3], tf.float64))


# -- run time -----------------------------------------------------------------------------------
@given(small_shapes, small_shapes)
def test_a_fed_value_of_another_shape_is_refused_and_nothing_changes(var_shape, value_shape):
    tf.reset_default_graph()
    v = tf.Variable(np.arange(np.prod(var_shape), dtype=np.float32).reshape(var_shape))
    other = tf.Variable([1.0, 2.0])
    x = tf.placeholder(tf.float32)
    value = np.ones(value_shape, np.float32)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        before = sess.run(v)
        for write, text in [(v.assign(x), "Assign requires shapes of both tensors to match"),
                            (v.assign_add(x), "Parameters and update must be the same size"),
                            (v.assign_sub(x), "Parameters and update must be the same size"),
                            (tf.train.GradientDescentOptimizer(1.0).apply_gradients(
                                [(x, v)]), "var and delta do not have the same shape")]:
            bump = other.assign_add([1.0, 1.0])  # a valid write in the same run
            if value_shape == var_shape:
                sess.run([bump, write], {x: value})
                before = sess.run(v)
            else:
                with pytest.raises(errors.InvalidArgumentError, match=text) as info:
                    sess.run([bump, write], {x: value})
                assert info.value.op is not None
                np.testing.assert_array_equal(sess.run(v), before)
        expected_bumps = 4 if value_shape == var_shape else 0
        np.testing.assert_array_equal(sess.run(other), [1 + expected_bumps, 2 + expected_bumps])


def test_validate_shape_false_lets_the_value_take_another_shape():
    v = tf.Variable(tf.zeros([2, 3]))
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        sess.run(v.initializer)
        out = sess.run(tf.assign(v, x, validate_shape=False), {x: np.ones((3, 2))})
        assert out.shape == (3, 2)
        assert sess.run(v).shape == (3, 2)
        assert v.shape.as_list() == [2, 3]  # the static shape stays, as in TF1


def test_a_compiled_plan_reads_the_storage_an_assign_put_in_place():
    """A plan computes a variable's cell once (a constant step), never its value: after an
    assign that replaced the storage (another shape), the same plan reads the new one."""
    v = tf.Variable(tf.zeros([2, 3]))
    x = tf.placeholder(tf.float32)
    replace = tf.assign(v, x, validate_shape=False)
    doubled = v * 2.0
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(doubled), np.zeros((2, 3)))
        compiled = sess.compile_count
        sess.run(replace, {x: np.ones((3, 2))})
        np.testing.assert_array_equal(sess.run(doubled), np.full((3, 2), 2.0))
        sess.run(replace, {x: np.full((2, 3), 3.0)})
        np.testing.assert_array_equal(sess.run(doubled), np.full((2, 3), 6.0))
        assert sess.compile_count == compiled + 1  # only the assign's plan is new


def test_assign_add_does_not_broadcast():
    v = tf.Variable([1.0, 2.0, 3.0])
    x = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        sess.run(v.initializer)
        for write in (v.assign_add(x), tf.assign_sub(v, x)):
            with pytest.raises(errors.InvalidArgumentError,
                               match=r"Parameters and update must be the same size"):
                sess.run(write, {x: [1.0]})
        np.testing.assert_array_equal(sess.run(v), [1, 2, 3])


@given(st.integers(0, 3), st.permutations(range(4)))
def test_an_uninitialized_variable_in_one_write_stops_every_write(uninitialized, order):
    tf.reset_default_graph()
    variables = [tf.Variable([float(i)], name="v%d" % i) for i in range(4)]
    writes = [variables[i].assign_add([10.0]) for i in order]
    with tf.Session() as sess:
        sess.run([v.initializer for i, v in enumerate(variables) if i != uninitialized])
        with pytest.raises(errors.FailedPreconditionError,
                           match="Attempting to use uninitialized value v%d" % uninitialized):
            sess.run(writes)
        for i, v in enumerate(variables):
            if i != uninitialized:
                np.testing.assert_array_equal(sess.run(v), [float(i)])


def test_a_failing_training_step_changes_no_weight():
    x = tf.placeholder(tf.float32, [None, 3])
    y = tf.placeholder(tf.int64, [None])
    w = tf.Variable(tf.ones([3, 2]))
    b = tf.Variable(tf.zeros([2]))
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=y, logits=tf.matmul(x, w) + b))
    step = tf.Variable(0, trainable=False)
    train = tf.train.GradientDescentOptimizer(0.5).minimize(loss, global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError, match="label value of 7"):
            sess.run(train, {x: np.ones((2, 3)), y: [0, 7]})
        np.testing.assert_array_equal(sess.run(w), np.ones((3, 2)))
        assert sess.run(step) == 0
        sess.run(train, {x: np.ones((2, 3)), y: [0, 1]})
        assert sess.run(step) == 1


def test_chained_writes_are_checked_when_they_run():
    a = tf.Variable([1.0, 2.0], validate_shape=False)  # shape unknown to the graph
    b = tf.Variable([0.0, 0.0, 0.0])
    chained = b.assign(a.assign_add([1.0, 1.0]))  # b's value comes from a's write
    again = a.assign_add([5.0, 5.0])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"lhs shape= \[3\] rhs shape= \[2\]"):
            sess.run(chained)
        # as the README says: the write it was computed from stays applied
        np.testing.assert_array_equal(sess.run(a), [2, 3])
        np.testing.assert_array_equal(sess.run(b), [0, 0, 0])
        sess.run([again, tf.assign(b, tf.zeros([2]), validate_shape=False)])
        np.testing.assert_array_equal(sess.run(b), [0, 0])
        np.testing.assert_array_equal(sess.run(a), [7, 8])
