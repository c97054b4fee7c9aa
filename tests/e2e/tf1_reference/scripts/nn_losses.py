"""tf.nn activations, cross-entropies, normalisation and tf.losses, with gradients (TF1 style)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

z = tf.constant([[-3.0, -1.0, 0.0, 0.5], [2.0, 6.0, 7.5, -0.25]])
labels = tf.constant([[0.0, 1.0, 0.0, 0.0], [0.2, 0.3, 0.5, 0.0]])
sparse = tf.constant([3, 1])
binary = tf.constant([[1.0, 0.0, 1.0, 0.5], [0.0, 0.0, 1.0, 1.0]])
weights = tf.constant([1.0, 0.0])
ids = tf.constant([[2, 0], [1, 2]])
table = tf.constant([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])

fetches = [
    ("relu", tf.nn.relu(z)), ("relu6", tf.nn.relu6(z)), ("elu", tf.nn.elu(z)),
    ("leaky_relu", tf.nn.leaky_relu(z)), ("leaky_relu_alpha", tf.nn.leaky_relu(z, alpha=0.1)),
    ("softplus", tf.nn.softplus(z)), ("softsign", tf.nn.softsign(z)),
    ("sigmoid_tanh", [tf.nn.sigmoid(z), tf.nn.tanh(z), tf.sigmoid(z), tf.tanh(z)]),
    ("softmax", tf.nn.softmax(z)), ("log_softmax", tf.nn.log_softmax(z)),
    ("softmax_xent", tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z)),
    ("softmax_xent_v2", tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=z)),
    ("sparse_xent", tf.nn.sparse_softmax_cross_entropy_with_logits(labels=sparse, logits=z)),
    ("sigmoid_xent", tf.nn.sigmoid_cross_entropy_with_logits(labels=binary, logits=z)),
    ("l2_normalize", tf.nn.l2_normalize(z, axis=1)), ("l2_normalize_all", tf.nn.l2_normalize(z)),
    ("bias_add", tf.nn.bias_add(z, tf.constant([1.0, 2.0, 3.0, 4.0]))),
    ("moments", list(tf.nn.moments(z, axes=[0]))),
    ("moments_keep", list(tf.nn.moments(z, axes=[0, 1], keep_dims=True))),
    ("embedding_lookup", tf.nn.embedding_lookup(table, ids)),
    ("l2_loss", tf.nn.l2_loss(z)),
    ("dropout_keep_all", tf.nn.dropout(z, keep_prob=1.0)),
    ("mse", tf.losses.mean_squared_error(labels, z)),
    ("mse_weighted", tf.losses.mean_squared_error(labels, z, weights=[[1.0], [0.0]])),
    ("softmax_ce", tf.losses.softmax_cross_entropy(labels, z)),
    ("softmax_ce_smooth", tf.losses.softmax_cross_entropy(labels, z, label_smoothing=0.1)),
    ("sparse_ce", tf.losses.sparse_softmax_cross_entropy(sparse, z)),
    ("sparse_ce_weighted", tf.losses.sparse_softmax_cross_entropy(sparse, z, weights=weights)),
    ("sigmoid_ce", tf.losses.sigmoid_cross_entropy(binary, z)),
    ("sigmoid_ce_smooth", tf.losses.sigmoid_cross_entropy(binary, z, label_smoothing=0.2)),
    ("mse_sum", tf.losses.mean_squared_error(labels, z, reduction=tf.losses.Reduction.SUM)),
]
tf.losses.add_loss(tf.reduce_sum(z))
fetches.append(("get_losses", tf.losses.get_losses()))
fetches.append(("get_total_loss", tf.losses.get_total_loss()))
fetches.append(("mse_none", tf.losses.mean_squared_error(labels, z,
                                                         reduction=tf.losses.Reduction.NONE)))

kinks = tf.constant([-1.0, 0.0, 3.0, 6.0, 7.0])
grads = [
    ("d_relu6", tf.gradients(tf.reduce_sum(tf.nn.relu6(kinks)), kinks)[0]),
    ("d_relu", tf.gradients(tf.reduce_sum(tf.nn.relu(kinks)), kinks)[0]),
    ("d_elu", tf.gradients(tf.reduce_sum(tf.nn.elu(kinks)), kinks)[0]),
    ("d_leaky_relu", tf.gradients(tf.reduce_sum(tf.nn.leaky_relu(kinks)), kinks)[0]),
    ("d_softplus_softsign", tf.gradients(tf.reduce_sum(tf.nn.softplus(z) * tf.nn.softsign(z)),
                                         z)[0]),
    ("d_log_softmax", tf.gradients(tf.reduce_sum(tf.nn.log_softmax(z) * labels), z)[0]),
    ("d_softmax_xent", tf.gradients(tf.reduce_sum(
        tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=z)), z)[0]),
    ("d_softmax_xent_v2_labels", tf.gradients(tf.reduce_sum(
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=z)), labels)[0]),
    ("d_sigmoid_xent", tf.gradients(tf.reduce_sum(
        tf.nn.sigmoid_cross_entropy_with_logits(labels=binary, logits=z)), [z, binary])),
    ("d_l2_normalize", tf.gradients(tf.reduce_sum(tf.nn.l2_normalize(z, 1) * labels), z)[0]),
    ("d_moments", tf.gradients(tf.add_n(list(tf.nn.moments(z * z, axes=[1]))), z)[0]),
    ("d_embedding", tf.convert_to_tensor(tf.gradients(tf.reduce_sum(
        tf.nn.embedding_lookup(table, ids) * 2.0), table)[0])),
    ("d_bias_add", tf.gradients(tf.reduce_sum(tf.nn.bias_add(z, tf.ones([4])) ** 2), z)[0]),
    ("d_losses", tf.gradients(tf.losses.softmax_cross_entropy(labels, z, label_smoothing=0.1)
                              + tf.losses.sparse_softmax_cross_entropy(sparse, z, weights)
                              + tf.losses.mean_squared_error(labels, z), z)[0]),
]

with tf.Session() as sess:
    for name, tensor in fetches + grads:
        result = sess.run(tensor)
        if isinstance(result, list):
            print(name, [np.asarray(r).tolist() for r in result])
        else:
            print(name, np.asarray(result).tolist())
