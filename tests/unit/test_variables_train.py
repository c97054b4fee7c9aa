"""Variables, initializers and GradientDescentOptimizer."""
import numpy as np
import pytest

import tinygraph as tf


def test_variable_ops_and_repr():
    v = tf.Variable(tf.constant([[1.0, 2.0, 3.0]]), name="a")
    assert repr(v) == "<tf.Variable 'a:0' shape=(1, 3) dtype=float32_ref>"
    assert v.dtype.base_dtype == tf.float32 and v.shape.as_list() == [1, 3]
    w = tf.Variable([1.0, 2.0])
    names = [op.name for op in tf.get_default_graph().get_operations()]
    assert names[-4:] == ["Variable/initial_value", "Variable", "Variable/Assign",
                          "Variable/read"]
    assert w.initializer.name == "Variable/Assign" and w.value().name == "Variable/read:0"
    assert w.op.type == "VariableV2" and w.initial_value.op.name == "Variable/initial_value"
    assert tf.Variable(1.0).name == "Variable_1:0"
    assert tf.Variable(1, dtype=tf.float64).dtype.base_dtype == tf.float64
    with pytest.raises(ValueError, match="initial_value must be specified."):
        tf.Variable()


def test_assign_family():
    v = tf.Variable([1.0, 2.0])
    with tf.Session() as sess:
        sess.run(v.initializer)
        np.testing.assert_array_equal(sess.run(v.assign([5.0, 6.0])), [5.0, 6.0])
        sess.run(v.assign_add([1.0, 1.0]))
        sess.run(v.assign_sub([0.5, 0.5]))
        np.testing.assert_array_equal(sess.run(v), [5.5, 6.5])
        np.testing.assert_array_equal(v.eval(), [5.5, 6.5])
        sess.run(v.initializer)  # re-running the initializer resets
        np.testing.assert_array_equal(sess.run(v.read_value()), [1.0, 2.0])
    with pytest.raises(ValueError, match="Shapes must be equal rank, but are 1 and 0 for "
                                         "'Assign_1' \\(op: 'Assign'\\)"):
        v.assign(1.0)
    with pytest.raises(TypeError, match="requested dtype float32 for Tensor with dtype int32"):
        v.assign_add(tf.constant([1, 2]))


def test_variables_in_arithmetic():
    v = tf.Variable([[1.0, 2.0], [3.0, 4.0]])
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        np.testing.assert_array_equal(sess.run(v + 1.0), [[2, 3], [4, 5]])
        np.testing.assert_array_equal(sess.run(v @ v), [[7, 10], [15, 22]])
        np.testing.assert_array_equal(sess.run(2.0 * v), [[2, 4], [6, 8]])


def test_collections_and_initializers():
    a = tf.Variable(1.0)
    b = tf.Variable(2.0, trainable=False)
    assert tf.global_variables() == [a, b] and tf.trainable_variables() == [a]
    init = tf.global_variables_initializer()
    init_a = tf.variables_initializer([a], name="init_a")
    assert init.name == "init" and init.type == "NoOp"
    with tf.Session() as sess:
        sess.run(init_a)
        assert sess.run(a) == 1.0
        with pytest.raises(tf.errors.FailedPreconditionError):
            sess.run(b)
        sess.run(init)
        assert sess.run(b) == 2.0


def make_problem():
    x = tf.placeholder(tf.float32, [None, 3])
    w = tf.Variable(tf.zeros([3, 1]))
    b = tf.Variable(tf.zeros([1]))
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - 1.0))
    data = np.array([[1.0, 0.0, 2.0], [0.0, 1.0, 1.0]], np.float32)
    return x, w, b, loss, data


def test_minimize_applies_var_minus_lr_times_grad():
    x, w, b, loss, data = make_problem()
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
    assert isinstance(train, tf.Operation) and train.name == "GradientDescent"
    assert tf.get_collection(tf.GraphKeys.TRAIN_OP) == [train]
    grads = tf.gradients(loss, [w, b])
    update_names = [op.name for op in tf.get_default_graph().get_operations()
                    if op.type == "ApplyGradientDescent"]
    assert update_names == ["GradientDescent/update_Variable/ApplyGradientDescent",
                            "GradientDescent/update_Variable_1/ApplyGradientDescent"]
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        gw, gb = sess.run(grads, {x: data})
        # d/dw mean((xw + b - 1)^2) at w = 0, b = 0 is -2 * mean(x), per column
        np.testing.assert_allclose(gw[:, 0], -2 * data.mean(axis=0), rtol=1e-6)
        assert sess.run(train, {x: data}) is None
        np.testing.assert_allclose(sess.run(w), -0.1 * gw, rtol=1e-6)
        np.testing.assert_allclose(sess.run(b), -0.1 * gb, rtol=1e-6)


def test_global_step_and_var_list():
    x, w, b, loss, data = make_problem()
    step = tf.Variable(0, trainable=False, name="global_step")
    train = tf.train.GradientDescentOptimizer(0.1).minimize(loss, global_step=step,
                                                            var_list=[b])
    assert train.type == "AssignAdd" and train.name == "GradientDescent"
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for expected in (1, 2, 3):
            sess.run(train, {x: data})
            assert sess.run(step) == expected
        np.testing.assert_array_equal(sess.run(w), np.zeros((3, 1)))  # not in var_list
        assert sess.run(b)[0] > 0


def test_optimizer_errors():
    x = tf.placeholder(tf.float32, [2])
    optimizer = tf.train.GradientDescentOptimizer(0.1)
    with pytest.raises(ValueError, match="No variables to optimize."):
        optimizer.minimize(tf.reduce_sum(x))
    v = tf.Variable([1.0, 2.0])
    with pytest.raises(ValueError, match="No gradients provided for any variable, check your "
                                         "graph for ops that do not support gradients"):
        optimizer.minimize(tf.reduce_sum(x))
    with pytest.raises(TypeError, match="needs a loss Tensor, got 3.0"):
        optimizer.minimize(3.0)
    pairs = optimizer.compute_gradients(tf.reduce_sum(x * v))
    assert len(pairs) == 1 and pairs[0][1] is v and isinstance(pairs[0][0], tf.Tensor)
    with pytest.raises(ValueError, match="No gradients provided for any variable: "):
        optimizer.apply_gradients([(None, v)])


def test_float64_variables_train_too():
    w = tf.Variable(np.array([1.0, -1.0]))
    loss = tf.reduce_sum(tf.square(w))
    train = tf.train.GradientDescentOptimizer(0.25).minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(train)
        result = sess.run(w)
    assert result.dtype == np.float64
    np.testing.assert_allclose(result, [0.5, -0.5])
