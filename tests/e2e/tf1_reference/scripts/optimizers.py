"""Each optimizer for a few steps on a small least-squares problem, exponential_decay, and the
slot variables TF1 makes (TF1 style; the data are constants, so every run is the same)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

features = np.array([[1.0, 2.0], [-1.0, 0.5], [3.0, -2.0], [0.0, 1.0]], np.float32)
targets = np.array([[1.0], [-2.0], [4.0], [0.5]], np.float32)


def train(name, make_optimizer, steps=5):
    tf.reset_default_graph()
    x = tf.placeholder(tf.float32, [None, 2])
    y = tf.placeholder(tf.float32, [None, 1])
    with tf.variable_scope(name):
        w = tf.Variable([[0.5], [-0.5]], name="weights")
        b = tf.Variable([0.1], name="bias")
    loss = tf.reduce_mean(tf.square(tf.matmul(x, w) + b - y))
    global_step = tf.Variable(0, trainable=False, name="global_step")
    optimizer = make_optimizer(global_step)
    train_op = optimizer.minimize(loss, global_step=global_step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for _ in range(steps):
            _, value = sess.run([train_op, loss], {x: features, y: targets})
            print(name, "loss", value)
        print(name, "weights", sess.run(w).ravel().tolist(), "bias", sess.run(b).tolist(),
              "step", sess.run(global_step))
        print(name, "variables", sorted(v.name for v in tf.global_variables()))
        print(name, "slots", sorted(optimizer.get_slot_names()))
        for slot in sorted(optimizer.get_slot_names()):
            print(name, slot, sess.run(optimizer.get_slot(w, slot)).ravel().tolist())


train("sgd", lambda step: tf.train.GradientDescentOptimizer(0.05))
train("momentum", lambda step: tf.train.MomentumOptimizer(0.05, momentum=0.9))
train("nesterov", lambda step: tf.train.MomentumOptimizer(0.05, 0.9, use_nesterov=True))
train("adam", lambda step: tf.train.AdamOptimizer(0.1))
train("adam_args", lambda step: tf.train.AdamOptimizer(0.05, beta1=0.8, beta2=0.99,
                                                       epsilon=1e-4))
train("adagrad", lambda step: tf.train.AdagradOptimizer(0.3, initial_accumulator_value=0.2))
train("rmsprop", lambda step: tf.train.RMSPropOptimizer(0.02))
train("rmsprop_momentum", lambda step: tf.train.RMSPropOptimizer(0.02, decay=0.8,
                                                                 momentum=0.5, epsilon=1e-6))
train("rmsprop_centered", lambda step: tf.train.RMSPropOptimizer(0.02, momentum=0.3,
                                                                 centered=True))
train("decayed", lambda step: tf.train.GradientDescentOptimizer(
    tf.train.exponential_decay(0.1, step, 2, 0.5)))
train("decayed_staircase", lambda step: tf.train.MomentumOptimizer(
    tf.train.exponential_decay(0.1, step, 2, 0.5, staircase=True), 0.5))

tf.reset_default_graph()
step = tf.Variable(0, trainable=False)
rates = [tf.train.exponential_decay(0.5, step, 3, 0.9),
         tf.train.exponential_decay(0.5, step, 3, 0.9, staircase=True)]
increment = tf.assign_add(step, 1)
with tf.Session() as sess:
    sess.run(tf.global_variables_initializer())
    for _ in range(7):
        print("exponential_decay", sess.run(rates))
        sess.run(increment)
