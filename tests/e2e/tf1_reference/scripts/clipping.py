"""clip_by_norm, clip_by_global_norm, global_norm, and training on clipped gradients."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

a = tf.constant([[3.0, 4.0], [6.0, 8.0]])
b = tf.constant([1.0, -2.0, 2.0])
clipped, norm = tf.clip_by_global_norm([a, b], 5.0)
clipped_big, norm_big = tf.clip_by_global_norm([a, None, b], 100.0)
clipped_use, _ = tf.clip_by_global_norm([a, b], 5.0, use_norm=tf.constant(20.0))
fetches = [
    ("clip_by_norm", tf.clip_by_norm(a, 5.0)), ("clip_by_norm_small", tf.clip_by_norm(b, 10.0)),
    ("clip_by_norm_axes", tf.clip_by_norm(a, 5.0, axes=[1])),
    ("global_norm", tf.global_norm([a, b])),
    ("clip_by_global_norm", clipped + [norm]), ("clip_by_global_norm_big", [clipped_big[0], clipped_big[2], norm_big]),
    ("clip_by_global_norm_use_norm", clipped_use),
]

# gradients through the clipping and the decay (TF1 composes them from differentiable ops)
w = tf.constant([[1.0, 2.0], [-1.0, 0.5]])
c = tf.constant(5.0)
kink = tf.constant([3.0, 4.0])
by_norm = tf.clip_by_norm(a, c)
by_axes = tf.clip_by_norm(a, c, axes=[1])
(global_a, global_b), _ = tf.clip_by_global_norm([a, b], c)
(global_kink,), _ = tf.clip_by_global_norm([kink], c)
(given_a, given_b), _ = tf.clip_by_global_norm([a, b], c, use_norm=tf.constant(20.0) * c / 5.0)
lr, step, rate = tf.constant(0.5), tf.constant(3.0), tf.constant(0.8)
fetches += [
    ("d_clip_by_norm", tf.gradients(tf.reduce_sum(by_norm * w), [a, c])),
    ("d_clip_by_norm_axes", tf.gradients(tf.reduce_sum(by_axes * w), [a, c])),
    ("d_clip_by_norm_small", tf.gradients(tf.reduce_sum(tf.clip_by_norm(b, 10.0) * b), b)),
    ("d_clip_by_norm_kink", tf.gradients(tf.reduce_sum(tf.clip_by_norm(kink, c) * [1.0, 2.0]),
                                         [kink, c])),
    ("d_clip_by_global_norm", tf.gradients(tf.reduce_sum(global_a * w) + tf.reduce_sum(
        global_b * global_b), [a, b, c])),
    ("d_clip_by_global_norm_kink", tf.gradients(tf.reduce_sum(global_kink * [1.0, 2.0]),
                                                [kink, c])),
    ("d_clip_by_global_norm_use_norm", tf.gradients(tf.reduce_sum(given_a * w)
                                                    + tf.reduce_sum(given_b), [a, b, c])),
    ("d_exponential_decay", tf.gradients(tf.train.exponential_decay(lr, step, 2.0, rate),
                                         [lr, step, rate])),
    ("d_exponential_decay_staircase", tf.gradients(tf.train.exponential_decay(
        lr, step, 2, rate, staircase=True), [lr, rate])),
]

with tf.Session() as sess:
    for name, tensor in fetches:
        result = sess.run(tensor)
        if isinstance(result, list):
            print(name, [np.asarray(r).tolist() for r in result])
        else:
            print(name, np.asarray(result).tolist())

tf.reset_default_graph()
x = tf.constant([[1.0, 2.0], [3.0, 4.0], [-1.0, 0.5]])
y = tf.constant([[10.0], [-20.0], [5.0]])
w = tf.Variable([[1.0], [1.0]])
b = tf.Variable(0.0)
loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
optimizer = tf.train.GradientDescentOptimizer(0.1)
grads_and_vars = optimizer.compute_gradients(loss)
gradients, variables = zip(*grads_and_vars)
gradients, grad_norm = tf.clip_by_global_norm(gradients, 1.0)
train_global = optimizer.apply_gradients(zip(gradients, variables))
train_each = optimizer.apply_gradients([(tf.clip_by_norm(g, 0.5), v) for g, v in grads_and_vars])
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(3):
        _, loss_value, norm_value = sess.run([train_global, loss, grad_norm])
        print("global", step, loss_value, norm_value, sess.run(w).ravel().tolist(), sess.run(b))
    for step in range(3):
        _, loss_value = sess.run([train_each, loss])
        print("each", step, loss_value, sess.run(w).ravel().tolist(), sess.run(b))
