"""More tf.nn and tf.layers in the forms the tutorials wrote them: softmax over another axis,
dense on rank-3 inputs, moments over several axes, losses on rank-3 shapes."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

z = tf.constant(np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0 - 1.0)
labels = tf.constant(np.eye(4, dtype=np.float32)[[[0, 1, 2], [3, 2, 1]]])
sparse = tf.constant([[0, 1, 2], [3, 2, 1]])


def show(name, make):
    try:
        value = make()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            result = sess.run(value)
    except Exception as e:  # noqa: BLE001 - the class of the error is what is compared
        print(name, "raises", type(e).__name__)
        return
    if isinstance(result, (list, tuple)):
        print(name, [np.asarray(r).tolist() for r in result])
    else:
        print(name, np.asarray(result).tolist())


show("softmax_axis0", lambda: tf.nn.softmax(z, axis=0))
show("softmax_axis1", lambda: tf.nn.softmax(z, axis=1))
show("softmax_dim", lambda: tf.nn.softmax(z, dim=1))
show("log_softmax_axis", lambda: tf.nn.log_softmax(z, axis=0))
show("softmax_rank3", lambda: tf.nn.softmax(z))
show("xent_rank3", lambda: tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z))
show("sparse_xent_rank3", lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=sparse, logits=z))
show("xent_dim", lambda: tf.nn.softmax_cross_entropy_with_logits_v2(
    labels=tf.transpose(labels, [0, 2, 1]), logits=tf.transpose(z, [0, 2, 1]), axis=1))
show("moments_axes", lambda: list(tf.nn.moments(z, axes=[0, 2])))
show("l2_normalize_axes", lambda: tf.nn.l2_normalize(z, axis=[1, 2]))
show("bias_add_rank3", lambda: tf.nn.bias_add(z, tf.constant([1.0, 2.0, 3.0, 4.0])))
show("dense_rank3", lambda: tf.layers.dense(z, 2, kernel_initializer=tf.constant_initializer(
    np.arange(8, dtype=np.float32).reshape(4, 2) / 10.0), bias_initializer=tf.ones_initializer()))
show("dense_no_bias", lambda: tf.layers.dense(z[0], 3, use_bias=False, activation=tf.nn.tanh,
                                              kernel_initializer=tf.constant_initializer(0.1)))
show("losses_rank3", lambda: [tf.losses.softmax_cross_entropy(tf.reshape(labels, [6, 4]),
                                                              tf.reshape(z, [6, 4])),
                              tf.losses.sparse_softmax_cross_entropy(sparse, z),
                              tf.losses.mean_squared_error(labels, z, weights=[[1.0], [2.0]]),
                              tf.losses.sigmoid_cross_entropy(labels, z, weights=0.5)])
show("l2_loss_int", lambda: tf.nn.l2_loss(tf.constant([1.0, 2.0], tf.float64)))
show("embedding_2d_ids", lambda: tf.nn.embedding_lookup(z[0], tf.constant([[2, 0], [1, 1]])))
show("argmax_default_axis", lambda: tf.argmax(tf.constant([[1, 5], [3, 2]])))
show("reduce_mean_bool_cast", lambda: tf.reduce_mean(tf.cast(z > 0, tf.float32), axis=[0, 1]))
show("matmul_batched", lambda: tf.matmul(z, tf.transpose(z, [0, 2, 1])))
show("dropout_rate_zero", lambda: tf.nn.dropout(z, rate=0.0))
show("sigmoid_xent_broadcast", lambda: tf.nn.sigmoid_cross_entropy_with_logits(
    labels=tf.ones([2, 3, 4]), logits=z))
show("softplus_grad_far", lambda: tf.gradients(tf.reduce_sum(tf.nn.softplus(
    tf.constant([-50.0, 50.0]))), tf.constant(0.0)))

w = tf.Variable([[1.0, -1.0], [0.5, 2.0]])
ids = tf.placeholder(tf.int32, [2])
loss = tf.reduce_sum(tf.square(tf.nn.embedding_lookup(w, ids) - 3.0))
# a row that is not looked up keeps its value and its slots (TF1's IndexedSlices updates)
for name, opt in [("momentum_sparse", tf.train.MomentumOptimizer(0.1, 0.9)),
                  ("nesterov_sparse", tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True)),
                  ("rmsprop_sparse", tf.train.RMSPropOptimizer(0.1, momentum=0.5)),
                  ("rmsprop_centered_sparse", tf.train.RMSPropOptimizer(0.1, momentum=0.5,
                                                                        centered=True)),
                  ("adam_sparse", tf.train.AdamOptimizer(0.1)),
                  ("adagrad_sparse", tf.train.AdagradOptimizer(0.1))]:
    step = opt.minimize(loss)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for rows in ([0, 0], [1, 1], [1, 0]):  # a row left out keeps its slots in TF1
            sess.run(step, {ids: rows})
        print(name, sess.run(w).tolist(),
              [sess.run(opt.get_slot(w, slot)).tolist() for slot in sorted(opt.get_slot_names())])

# a gather of the variable twice (a sum of two IndexedSlices), and a gather along axis 1
# (a dense gradient in TF1)
both = tf.reduce_sum(tf.gather(w, ids)) + tf.reduce_sum(tf.square(tf.gather(w, [1])))
across = tf.reduce_sum(tf.square(tf.gather(w, [0], axis=1)))
for name, loss_value in [("two_gathers", both), ("gather_axis1", across)]:
    opt = tf.train.MomentumOptimizer(0.1, 0.9)
    step = opt.minimize(loss_value)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        for rows in ([0, 0], [0, 0], [1, 0]):
            sess.run(step, {ids: rows})
        print(name, sess.run(w).tolist(), sess.run(opt.get_slot(w, "momentum")).tolist())
