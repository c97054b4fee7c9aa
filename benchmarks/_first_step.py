"""Cold start: import the library, build the article graph, run the first training step.

    python -m benchmarks._first_step [tinygraph|tensorflow]
"""
import sys

import numpy as np

if len(sys.argv) > 1 and sys.argv[1] == "tensorflow":
    import tensorflow.compat.v1 as tf
    tf.disable_v2_behavior()
else:
    import tinygraph as tf

images = tf.placeholder(tf.float32, [None, 3072])
labels = tf.placeholder(tf.int64, [None])
weights = tf.Variable(tf.zeros([3072, 10]))
biases = tf.Variable(tf.zeros([10]))
logits = tf.matmul(images, weights) + biases
loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels,
                                                                     logits=logits))
train = tf.train.GradientDescentOptimizer(0.005).minimize(loss)
rng = np.random.default_rng(0)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    sess.run(train, {images: rng.standard_normal((100, 3072)).astype(np.float32),
                     labels: rng.integers(0, 10, 100)})
