"""Small classic TF1 exercises with fixed starting weights: linear regression, XOR with a
hidden sigmoid layer, logistic regression with the hand-written cross-entropy, Adam's default
learning rate, and tf.print to stdout."""
import sys

import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

# linear regression y = 3x + 2 on fixed points
xs = np.linspace(-1.0, 1.0, 11).astype(np.float32)
ys = 3.0 * xs + 2.0 + 0.1 * np.cos(7.0 * xs).astype(np.float32)
X = tf.placeholder(tf.float32, name="X")
Y = tf.placeholder(tf.float32, name="Y")
W = tf.Variable(0.5, name="weight")
b = tf.Variable(-0.5, name="bias")
pred = tf.add(tf.multiply(X, W), b)
cost = tf.reduce_sum(tf.pow(pred - Y, 2)) / (2 * len(xs))
train = tf.train.GradientDescentOptimizer(0.5).minimize(cost)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for epoch in range(20):
        for (x, y) in zip(xs, ys):
            sess.run(train, feed_dict={X: x, Y: y})
        if epoch % 5 == 4:
            c = sess.run(cost, feed_dict={X: xs, Y: ys})
            print("Epoch:", "%04d" % (epoch + 1), "cost=", "{:.9f}".format(c),
                  "W=", sess.run(W), "b=", sess.run(b))

# XOR with a hidden sigmoid layer, fixed weights
tf.reset_default_graph()
x_ = tf.placeholder(tf.float32, shape=[4, 2])
y_ = tf.placeholder(tf.float32, shape=[4, 1])
w1 = tf.Variable([[0.5, -0.4], [0.3, 0.8]])
w2 = tf.Variable([[0.7], [-0.6]])
b1 = tf.Variable(tf.zeros([2]))
b2 = tf.Variable(tf.zeros([1]))
hidden = tf.sigmoid(tf.matmul(x_, w1) + b1)
out = tf.sigmoid(tf.matmul(hidden, w2) + b2)
loss = tf.reduce_mean(((y_ * tf.log(out)) + ((1 - y_) * tf.log(1.0 - out))) * -1)
step = tf.train.GradientDescentOptimizer(2.0).minimize(loss)
feed = {x_: [[0, 0], [0, 1], [1, 0], [1, 1]], y_: [[0], [1], [1], [0]]}
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(200):
        sess.run(step, feed)
        if i % 50 == 0:
            print("xor", i, sess.run(loss, feed), sess.run(out, feed).ravel().tolist())

# logistic regression with softmax and Adam's defaults
tf.reset_default_graph()
features = np.array([[1.0, 2.0], [2.0, 1.0], [-1.0, -2.0], [-2.0, -0.5], [0.5, -1.0]],
                    np.float32)
labels = np.eye(2, dtype=np.float32)[[0, 0, 1, 1, 1]]
x = tf.placeholder(tf.float32, [None, 2])
y = tf.placeholder(tf.float32, [None, 2])
W = tf.Variable(tf.zeros([2, 2]))
b = tf.Variable(tf.zeros([2]))
p = tf.nn.softmax(tf.matmul(x, W) + b)
cross_entropy = tf.reduce_mean(-tf.reduce_sum(y * tf.log(p), reduction_indices=1))
optimizer = tf.train.AdamOptimizer()
train = optimizer.minimize(cross_entropy)
correct = tf.equal(tf.argmax(p, 1), tf.argmax(y, 1))
accuracy = tf.reduce_mean(tf.cast(correct, "float"))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(30):
        _, c = sess.run([train, cross_entropy], {x: features, y: labels})
    print("adam", c, sess.run(accuracy, {x: features, y: labels}), sess.run(W).tolist())
    print_op = tf.print("values:", tf.constant([1.5, 2.0]), tf.constant(3),
                        output_stream=sys.stdout)
    sess.run(print_op)
    sys.stdout.flush()
