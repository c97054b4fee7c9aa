"""The softmax-regression script of tests/e2e/test_tf1_script.py, printing its numbers:
gaussian blobs from numpy (fixed seeds), trained by gradient descent."""
import numpy as np
import tensorflow as tf


def make_blobs(n, dim=20, classes=4, seed=0):
    centres = np.random.default_rng(0).normal(0, 3, size=(classes, dim))
    rng = np.random.default_rng(seed)
    labels = rng.integers(0, classes, size=n)
    points = centres[labels] + rng.normal(0, 1, size=(n, dim))
    return points.astype(np.float32), labels.astype(np.int64)


images_train, labels_train = make_blobs(2000, seed=1)
images_test, labels_test = make_blobs(500, seed=2)

images_placeholder = tf.placeholder(tf.float32, shape=[None, 20])
labels_placeholder = tf.placeholder(tf.int64, shape=[None])
weights = tf.Variable(tf.zeros([20, 4]))
biases = tf.Variable(tf.zeros([4]))
logits = tf.matmul(images_placeholder, weights) + biases
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
    logits=logits, labels=labels_placeholder))
train_step = tf.train.GradientDescentOptimizer(0.05).minimize(loss)
correct_prediction = tf.equal(tf.argmax(logits, 1), labels_placeholder)
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

rng = np.random.default_rng(3)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for i in range(300):
        indices = rng.choice(images_train.shape[0], 100)
        feed = {images_placeholder: images_train[indices],
                labels_placeholder: labels_train[indices]}
        if i % 50 == 0:
            print("step %d loss %.6f accuracy %.4f" % (i, sess.run(loss, feed_dict=feed),
                                                      sess.run(accuracy, feed_dict=feed)))
        sess.run(train_step, feed_dict=feed)
    print("test accuracy %.4f" % sess.run(accuracy, feed_dict={
        images_placeholder: images_test, labels_placeholder: labels_test}))
