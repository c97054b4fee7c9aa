"""tf.layers.dense in scopes, with reuse and regularizers, as TF1 named and computed them."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.constant(np.arange(6, dtype=np.float32).reshape(2, 3) / 5.0)
regularizer = tf.contrib.layers.l2_regularizer(0.1) if hasattr(tf, "contrib") else None
kernel = tf.constant_initializer(np.arange(12, dtype=np.float32).reshape(3, 4) / 10.0 - 0.5)
with tf.variable_scope("net"):
    h = tf.layers.dense(x, 4, activation=tf.nn.relu, kernel_initializer=kernel,
                        kernel_regularizer=tf.keras.regularizers.l2(0.05) if regularizer is None
                        else regularizer, name="hidden")
    out = tf.layers.dense(h, 2, kernel_initializer=tf.ones_initializer(), use_bias=False)
    again = tf.layers.dense(h, 2, name="dense", reuse=True, use_bias=False)
    third = tf.layers.dense(out, 1, kernel_initializer=tf.constant_initializer(0.5))
print(h.name, out.name, again.name, third.name)
print([v.name for v in tf.global_variables()])
print([v.name for v in tf.trainable_variables()])
reg = tf.losses.get_regularization_loss()
print(len(tf.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)), reg.shape)
loss = tf.reduce_sum(third) + reg
train = tf.train.GradientDescentOptimizer(0.1).minimize(loss)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    print(sess.run(h).tolist(), sess.run(out).tolist(), sess.run(again).tolist())
    for _ in range(3):  # (the loss and the step in one run: TF1's order is undefined)
        print(sess.run(loss), sess.run(reg))
        sess.run(train)
    print(sess.run(tf.trainable_variables()[0]).tolist())
