"""The classic MNIST softmax tutorial in our own words (tests/e2e/test_mnist_tutorial.py)."""
from __future__ import print_function
import tensorflow as tf
from tensorflow.examples.tutorials.mnist import input_data

mnist = input_data.read_data_sets("MNIST_data/", one_hot=True, validation_size=4)

x = tf.placeholder(tf.float32, [None, 784])
W = tf.Variable(tf.zeros([784, 10]))
b = tf.Variable(tf.zeros([10]))
y = tf.nn.softmax(tf.matmul(x, W) + b)
y_ = tf.placeholder(tf.float32, [None, 10])
cross_entropy = tf.reduce_mean(-tf.reduce_sum(y_ * tf.log(y), reduction_indices=[1]))
train_step = tf.train.GradientDescentOptimizer(0.5).minimize(cross_entropy)
correct_prediction = tf.equal(tf.argmax(y, 1), tf.argmax(y_, 1))
accuracy = tf.reduce_mean(tf.cast(correct_prediction, tf.float32))

sess = tf.InteractiveSession()
tf.global_variables_initializer().run()
print(mnist.train.num_examples, mnist.validation.num_examples, mnist.test.num_examples)
for i in range(5):
    _, loss = sess.run([train_step, cross_entropy],
                       feed_dict={x: mnist.train.images, y_: mnist.train.labels})
    print("step %d loss %.6f" % (i, loss))
batch_xs, batch_ys = mnist.train.next_batch(8)
print("batch", batch_xs.shape, batch_ys.shape)
print("accuracy %.4f" % sess.run(accuracy, feed_dict={x: mnist.test.images,
                                                      y_: mnist.test.labels}))
