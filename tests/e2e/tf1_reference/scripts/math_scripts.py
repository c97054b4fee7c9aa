"""The scripts of tests/e2e/test_tf1_math_script.py, printing their numbers: a hinge loss
that stops at a tie of maximum, statistics of a score table, integer arithmetic."""
import tensorflow as tf

x = tf.placeholder(tf.float32, shape=[None])
w = tf.Variable(0.0, name="w")
margins = 1.0 - w * x
loss = tf.reduce_mean(tf.maximum(0.0, margins))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
confident = tf.reduce_mean(tf.cast(w * x >= 1.0, tf.float32))
feed = {x: [1.0, 2.0]}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(4):
        _, loss_value = sess.run([train, loss], feed)
        print("hinge", loss_value, sess.run(w))
    print("confident", sess.run(confident, feed))

scores = tf.constant([[3.0, -1.0, 2.0, 2.0], [0.5, 0.5, -4.0, 1.5]])
best = tf.reduce_max(scores, axis=1)
worst_index = tf.argmin(scores, axis=1)
positives = tf.count_nonzero(scores > 0, axis=1)
clipped = tf.clip_by_value(scores, -1.0, 1.0)
running = tf.cumsum(scores, axis=1, exclusive=True)
lse = tf.reduce_logsumexp(tf.constant([0.0, 0.0, 0.0, 0.0]))
mask = tf.where(scores < 0)
picked = tf.where(scores >= 2, scores, tf.zeros_like(scores))
with tf.Session() as sess:
    for value in sess.run([best, worst_index, positives, clipped, running, lse, mask, picked]):
        print("statistics", value.tolist())

a = tf.constant([-7, -3, 0, 5, 9])
b = tf.constant(4)
with tf.Session() as sess:
    for value in sess.run([a // b, a % b, a ** 2, tf.sign(a),
                           tf.round(tf.cast(a, tf.float32) / 2.0)]):
        print("integers", value.tolist())
