"""tf.cond and tf.layers.dense with given initializers, trained a few steps (TF1 style)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

inputs = np.array([[1.0, 0.0, 2.0], [0.5, -1.0, 1.0], [-2.0, 1.0, 0.0], [0.0, 0.5, -0.5]],
                  np.float32)
labels = np.array([0, 1, 1, 0], np.int64)
kernel = np.array([[0.1, -0.2, 0.3, 0.0], [0.2, 0.1, -0.1, 0.4], [-0.3, 0.2, 0.1, 0.1]],
                  np.float32)

x = tf.placeholder(tf.float32, [None, 3])
y = tf.placeholder(tf.int64, [None])
training = tf.placeholder(tf.bool, [])
hidden = tf.layers.dense(x, 4, activation=tf.nn.relu,
                         kernel_initializer=tf.constant_initializer(kernel),
                         bias_initializer=tf.constant_initializer(0.05))
hidden = tf.cond(training, lambda: hidden * 0.5, lambda: hidden)
logits = tf.layers.dense(hidden, 2, kernel_initializer=tf.constant_initializer(0.25),
                         name="logits")
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=y, logits=logits))
train = tf.train.AdamOptimizer(0.1).minimize(loss)
scale = tf.placeholder(tf.float32, [])
both = tf.cond(scale > 1.0, lambda: (scale * 2.0, tf.constant(1)),
               lambda: (scale - 1.0, tf.constant(-1)))
grad_of_cond = tf.gradients(tf.cond(scale > 0.0, lambda: scale ** 3, lambda: -scale), scale)[0]

print(" ".join(v.name for v in tf.trainable_variables()))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for step in range(4):
        _, value = sess.run([train, loss], {x: inputs, y: labels, training: True})
        print("step", step, "loss", value)
    print("eval", sess.run(loss, {x: inputs, y: labels, training: False}))
    print("logits", sess.run(logits, {x: inputs, training: False}).tolist())
    for s in (2.0, 0.5, -3.0):
        print("cond", s, sess.run(both, {scale: s}), sess.run(grad_of_cond, {scale: s}))
