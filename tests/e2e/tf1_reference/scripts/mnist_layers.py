"""MNIST with tf.layers.dense and tf.cond (tests/e2e/test_mnist_tutorial.py)."""
import numpy as np
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

print(tf.Session().run(tf.constant("Hello, MNIST!")))
data = input_data.read_data_sets("MNIST_data", validation_size=0)
images = tf.placeholder(tf.float32, [None, 784], name="images")
labels = tf.placeholder(tf.int64, [None], name="labels")
training = tf.placeholder(tf.bool, [], name="training")
hidden = tf.layers.dense(images, 8, activation=tf.nn.relu,
                         kernel_initializer=tf.constant_initializer(0.01),
                         bias_initializer=tf.constant_initializer(0.1))
hidden = tf.cond(training, lambda: hidden * 0.5, lambda: hidden)
logits = tf.layers.dense(hidden, 10, kernel_initializer=tf.zeros_initializer())
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=labels, logits=logits))
train = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
print(" ".join(v.name for v in tf.trainable_variables()))
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    feed = {images: data.train.images, labels: data.train.labels, training: True}
    for step in range(4):
        _, value = sess.run([train, loss], feed)
        print("step %d loss %.6f" % (step, value))
    feed = {images: data.test.images, labels: data.test.labels, training: False}
    print("test loss %.6f" % sess.run(loss, feed))
