"""Shapes, arrays, indexing and their gradients (TF1 style)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

data = np.arange(24, dtype=np.float32).reshape(2, 3, 4) - 10.0
x = tf.placeholder(tf.float32, [None, 3, 4], name="x")
feed = {x: data}
i = tf.constant(2)
m = tf.constant([[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]])

fetches = [
    ("shape", tf.shape(x)), ("size", tf.size(x)), ("rank", tf.rank(x)),
    ("transpose", tf.transpose(m)), ("transpose_perm", tf.transpose(x, perm=[2, 0, 1])[1]),
    ("concat", tf.concat([m, m * 2.0], axis=1)), ("concat0", tf.concat([m, -m], 0)),
    ("stack", tf.stack([m, -m], axis=1)), ("unstack", tf.unstack(m, axis=1)),
    ("split", tf.split(x, 2, axis=2)[1]), ("split_sizes", tf.split(m, [1, -1], axis=1)),
    ("slice", tf.slice(x, [0, 1, 1], [-1, 2, 2])),
    ("index", [x[1], x[:, 1], x[..., 1:3], x[:, ::-1, ::2], x[-1, -1, -1], x[:, tf.newaxis, 0],
               x[0, 1:, :-1], x[:, i], m[::-1]]),
    ("gather", tf.gather(m, [1, 0, 1])), ("gather_axis", tf.gather(m, [2, 0], axis=1)),
    ("one_hot", tf.one_hot([0, 2, -1, 1], 3)),
    ("one_hot_values", tf.one_hot([1, 0], 3, on_value=5.0, off_value=-1.0, axis=0)),
    ("squeeze", tf.squeeze(tf.zeros([1, 2, 1, 3]) + 1.0, axis=[0])),
    ("tile", tf.tile(m, [2, 2])), ("pad", tf.pad(m, [[1, 0], [0, 2]])),
    ("pad_reflect", tf.pad(m, [[1, 1], [2, 2]], mode="REFLECT")),
    ("pad_symmetric", tf.pad(m, [[1, 1], [2, 2]], mode="SYMMETRIC")),
    ("fill", tf.fill([2, 3], 7)), ("range", tf.range(3, 18, 4)),
    ("range_float", tf.range(0.0, 1.0, 0.25)), ("linspace", tf.linspace(-1.0, 1.0, 5)),
    ("reverse", tf.reverse(m, axis=[1])), ("reverse_both", tf.reverse(m, [0, 1])),
    ("boolean_mask", tf.boolean_mask(m, tf.constant([False, True]))),
    ("boolean_mask_2d", tf.boolean_mask(m, m > 2.5)),
    ("zeros_ones", [tf.zeros([2], dtype=tf.int32), tf.ones([2, 1], tf.float64),
                    tf.zeros_like(m), tf.ones_like(m)]),
    ("reshape_expand", [tf.reshape(m, [-1]), tf.expand_dims(m, 1)]),
]

grads = [
    ("d_index", tf.gradients(tf.reduce_sum(x[:, ::-1, ::2] * 2.0) + x[1, 2, 3], x)[0]),
    ("d_gather", tf.convert_to_tensor(tf.gradients(tf.reduce_sum(tf.gather(m, [1, 1, 0])),
                                                   m)[0])),
    ("d_concat_split", tf.gradients(tf.reduce_sum(tf.split(tf.concat([m, m], 1), 3, 1)[1]
                                                  * 3.0), m)[0]),
    ("d_pad_reflect", tf.gradients(tf.reduce_sum(tf.pad(m, [[1, 1], [2, 2]], "REFLECT")), m)[0]),
    ("d_tile", tf.gradients(tf.reduce_sum(tf.tile(m, [2, 3])), m)[0]),
    ("d_transpose_stack", tf.gradients(tf.reduce_sum(tf.stack([m, tf.transpose(tf.transpose(m))
                                                               * 2.0])), m)[0]),
    ("d_stop_gradient", tf.gradients(tf.reduce_sum(m * tf.stop_gradient(m)), m)[0]),
    ("d_boolean_mask", tf.gradients(tf.reduce_sum(tf.boolean_mask(m, m > 2.5)), m)[0]),
    ("d_reverse_slice", tf.gradients(tf.reduce_sum(tf.slice(tf.reverse(m, [1]), [0, 1],
                                                            [2, 2])), m)[0]),
]

with tf.Session() as sess:
    for name, tensor in fetches + grads:
        result = sess.run(tensor, feed)
        if isinstance(result, list):
            print(name, [np.asarray(r).tolist() for r in result])
        else:
            print(name, np.asarray(result).tolist())
