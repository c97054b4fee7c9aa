"""Comparisons, logic, where and the operators on tensors and variables (TF1 style)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.constant([[1.0, -2.0, 3.0], [0.0, 5.0, -6.0]])
y = tf.constant([[1.0, 2.0, -3.0], [0.5, 5.0, -7.0]])
v = tf.Variable([3, 5, 12], name="v")
t = tf.constant([True, False, True])
f = tf.constant([True, True, False])

fetches = [
    ("less", tf.less(x, y)), ("less_equal", tf.less_equal(x, y)),
    ("greater", tf.greater(x, y)), ("greater_equal", tf.greater_equal(x, y)),
    ("not_equal", tf.not_equal(x, y)), ("equal", tf.equal(x, y)),
    ("logical_and", tf.logical_and(t, f)), ("logical_or", tf.logical_or(t, f)),
    ("logical_not", tf.logical_not(t)), ("logical_xor", tf.logical_xor(t, f)),
    ("where_one", tf.where(x > 0)), ("where_three", tf.where(x > y, x, y)),
    ("where_rows", tf.where(tf.constant([True, False]), x, y)),
    ("ops_tensor", [x < y, x <= y, x > 1.0, x >= 0.0, x ** 2, x % 4.0, x // 4.0, abs(x)]),
    ("ops_bool", [t & f, t | f, t ^ f, ~t]),
    ("ops_variable", [v < 5, v >= 5, v ** 2, v % 5, v // 5, 20 // v, 20 % v, 2 ** v, -v,
                      abs(-v)]),
    ("ops_int", [tf.constant(-7) // 2, tf.constant(-7) % 2, tf.constant(7) // -2]),
]

with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for name, tensor in fetches:
        result = sess.run(tensor)
        if isinstance(result, list):
            print(name, [np.asarray(r).tolist() for r in result])
        else:
            print(name, np.asarray(result).tolist())
