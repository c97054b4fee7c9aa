"""Math ops, reductions, linear algebra and their gradients at ties and kinks (TF1 style)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

x = tf.constant([-2.5, -1.5, -0.5, 0.0, 0.5, 1.5, 2.5, 3.7], name="x")
p = tf.constant([0.25, 0.5, 1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
a = tf.constant([-7, -3, 0, 5, 9, -8, 7, 1])
b = tf.constant([4, 4, 3, -2, -4, 3, -3, 1])
m = tf.constant([[2.0, 1.0, 0.0], [1.0, 3.0, 1.0], [0.0, 1.0, 4.0]])
scores = tf.constant([[3.0, -1.0, 2.0, 3.0], [0.5, 0.5, -4.0, 1.5]])

values = [
    ("abs", tf.abs(x)), ("sign", tf.sign(x)), ("reciprocal", tf.reciprocal(p)),
    ("rsqrt", tf.rsqrt(p)), ("log1p", tf.log1p(p)), ("expm1", tf.expm1(x)),
    ("pow", tf.pow(p, 1.5)), ("pow_int", tf.pow(a, 2)), ("sin", tf.sin(x)), ("cos", tf.cos(x)),
    ("tan", tf.tan(x)), ("maximum", tf.maximum(x, 0.5)), ("minimum", tf.minimum(x, 0.5)),
    ("squared_difference", tf.squared_difference(x, p)), ("floor", tf.floor(x)),
    ("ceil", tf.ceil(x)), ("round", tf.round(x)), ("mod", tf.mod(a, b)),
    ("floormod_float", tf.floormod(x, 2.0)), ("floordiv", tf.floordiv(a, b)),
    ("floordiv_float", tf.floordiv(x, 2.0)), ("div_int", tf.div(a, b)),
    ("truediv_int", tf.truediv(a, b)), ("realdiv", tf.realdiv(x, p)),
    ("clip_by_value", tf.clip_by_value(x, -1.0, 1.0)), ("cumsum", tf.cumsum(x)),
    ("cumsum_exclusive_reverse", tf.cumsum(x, exclusive=True, reverse=True)),
    ("reduce_max", tf.reduce_max(scores, axis=1)), ("reduce_min", tf.reduce_min(scores, 0)),
    ("reduce_prod", tf.reduce_prod(scores, axis=1, keepdims=True)),
    ("reduce_any", tf.reduce_any(scores > 2.5, axis=1)),
    ("reduce_all", tf.reduce_all(scores > -5.0, axis=0)),
    ("reduce_logsumexp", tf.reduce_logsumexp(scores, axis=1)),
    ("argmin", tf.argmin(scores, axis=1)), ("argmax", tf.argmax(scores, axis=1)),
    ("count_nonzero", tf.count_nonzero(scores > 0, axis=1)),
    ("matrix_inverse", tf.matrix_inverse(m)), ("matrix_determinant", tf.matrix_determinant(m)),
    ("matrix_transpose", tf.matrix_transpose(scores)),
    ("cross", tf.cross(tf.constant([1.0, 2.0, 3.0]), tf.constant([-1.0, 0.5, 2.0]))),
    ("tensordot", tf.tensordot(scores, tf.ones([4, 2]), axes=1)),
    ("tensordot_pairs", tf.tensordot(m, m, axes=[[0], [1]])),
    ("operators", [a // b, a % b, a ** 2, abs(a), -x, x ** 2.0]),
]

# gradients at kinks and ties, as TF1 defines them
y = tf.constant([0.0, 1.0, 1.0, -2.0])
grads = [
    ("d_abs", tf.gradients(tf.reduce_sum(tf.abs(y)), y)[0]),
    ("d_maximum_tie", tf.gradients(tf.reduce_sum(tf.maximum(y, 1.0)), y)[0]),
    ("d_minimum_tie", tf.gradients(tf.reduce_sum(tf.minimum(y, 1.0)), y)[0]),
    ("d_reduce_max_tie", tf.gradients(tf.reduce_max(y), y)[0]),
    ("d_clip_by_value", tf.gradients(tf.reduce_sum(tf.clip_by_value(y, 0.0, 1.0)), y)[0]),
    ("d_pow", tf.gradients(tf.reduce_sum(tf.pow(p, 1.5)), p)[0]),
    ("d_logsumexp", tf.gradients(tf.reduce_logsumexp(scores), scores)[0]),
    ("d_prod", tf.gradients(tf.reduce_prod(scores), scores)[0]),
    ("d_cumsum", tf.gradients(tf.reduce_sum(tf.cumsum(x) * p), x)[0]),
    ("d_inverse", tf.gradients(tf.reduce_sum(tf.matrix_inverse(m)), m)[0]),
    ("d_det", tf.gradients(tf.matrix_determinant(m), m)[0]),
    ("d_sqdiff", tf.gradients(tf.reduce_sum(tf.squared_difference(x, p)), [x, p])),
    ("d_trig", tf.gradients(tf.reduce_sum(tf.sin(x) + tf.cos(x) + tf.tan(x)), x)[0]),
    ("d_rsqrt_log1p", tf.gradients(tf.reduce_sum(tf.rsqrt(p) + tf.log1p(p)), p)[0]),
]

with tf.Session() as sess:
    for name, tensor in values + grads:
        result = sess.run(tensor)
        if isinstance(result, list):
            print(name, [np.asarray(r).tolist() for r in result])
        else:
            print(name, np.asarray(result).tolist())
