"""Variables, scopes and graph bookkeeping as TF1 scripts print them: names made by
variable_scope/name_scope/get_variable, the deterministic initializers, assign ops, global
steps, collections, control dependencies, gradients with grad_ys and stop_gradient, and a
Saver round trip."""
import os
import tempfile

import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

with tf.variable_scope("model"):
    w = tf.get_variable("w", [2, 3], initializer=tf.constant_initializer(0.5))
    b = tf.get_variable("b", [3], initializer=tf.zeros_initializer())
    with tf.variable_scope("inner"):
        u = tf.get_variable("u", [2], initializer=tf.ones_initializer(), dtype=tf.float64)
    c = tf.get_variable("c", initializer=tf.constant([1.0, 2.0]))
with tf.variable_scope("model", reuse=True):
    w_again = tf.get_variable("w")
with tf.variable_scope("model", reuse=tf.AUTO_REUSE):
    d = tf.get_variable("d", [1], initializer=tf.constant_initializer(-1.0))
    d_again = tf.get_variable("d", [1])
with tf.variable_scope(None, default_name="block"):
    e = tf.Variable(3, name="e")
with tf.variable_scope(None, default_name="block"):
    e2 = tf.Variable(4, name="e")
with tf.name_scope("ns"):
    p1 = tf.placeholder(tf.float32, [None], name="p")
    p2 = tf.placeholder(tf.float32, [None], name="p")
    s = tf.add(p1, p2)
    v = tf.Variable(1.0, name="v")
q = tf.placeholder(tf.float32)
q2 = tf.placeholder(tf.float32)
print(w.name, b.name, u.name, u.dtype.name, c.name, w_again is w, d.name, d_again is d)
print(e.name, e2.name, p1.name, p2.name, s.name, v.name, q.name, q2.name)
print([x.name for x in tf.global_variables()])
print([x.name for x in tf.trainable_variables("model")])
print(tf.get_variable_scope().name, w.shape, u.shape, c.shape)

gs = tf.train.get_or_create_global_step()
print(gs.name, gs.dtype.name, tf.train.get_global_step() is gs)
tf.add_to_collection("my", w)
tf.add_to_collection("my", b)
print([x.name for x in tf.get_collection("my")], len(tf.get_collection(tf.GraphKeys.TRAINABLE_VARIABLES)))

counter = tf.Variable(0, name="counter")
increment = tf.assign_add(counter, 2)
with tf.control_dependencies([increment]):
    after = tf.identity(counter) * 10
reset = tf.assign(counter, 7)
decrement = tf.assign_sub(counter, 1)
x = tf.constant([1.0, 2.0, 3.0])
y = tf.reduce_sum(x * x)
z = x * 3.0
grads = tf.gradients([y, z], [x])
grads_ys = tf.gradients(z, x, grad_ys=tf.constant([1.0, 0.0, -1.0]))
stopped = tf.gradients(tf.reduce_sum(tf.stop_gradient(x) * x), x)
none_grad = tf.gradients(y, [tf.constant(1.0)])
init_values = tf.global_variables_initializer()
with tf.Session() as sess:
    sess.run(init_values)
    print(sess.run(w).tolist(), sess.run(b).tolist(), sess.run(u).tolist(), sess.run(c).tolist(),
          sess.run(d).tolist(), sess.run(e), sess.run(gs))
    print(sess.run(after), sess.run(after), sess.run(counter))
    print(sess.run(reset), sess.run(decrement), sess.run(counter))
    print(sess.run(grads)[0].tolist(), sess.run(grads_ys)[0].tolist(),
          sess.run(stopped)[0].tolist(), none_grad)
    print(sess.run(s, {p1: [1.0, 2.0], p2: [3.0, 4.0]}).tolist(), sess.run(q * q2, {q: 3.0,
                                                                                 q2: 4.0}))
    sess.run(w.assign(w * 2.0))
    print(sess.run(w).tolist(), w.eval().tolist(), v.eval(), counter.eval())
    saver = tf.train.Saver()
    directory = tempfile.mkdtemp()
    path = saver.save(sess, os.path.join(directory, "model.ckpt"), global_step=5)
    print(os.path.basename(path), os.path.basename(tf.train.latest_checkpoint(directory)))
    sess.run(w.assign(tf.zeros([2, 3])))
    saver.restore(sess, path)
    print(sess.run(w).tolist())
    names = [name for name, _ in tf.train.list_variables(directory)]
    print(sorted(names), tf.train.load_variable(directory, "model/b").tolist())
