"""More array forms from TF1 scripts: strided slices in every form, gathers, tiles and
fills with tensors, argument variants (num, axis, dtype), and their errors by class."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()

data = np.arange(60, dtype=np.float32).reshape(3, 4, 5)
x = tf.placeholder(tf.float32, [None, 4, 5])
feed = {x: data}
n = tf.placeholder(tf.int32, [])


def show(name, make):
    try:
        value = make()
        with tf.Session() as sess:
            result = sess.run(value, {**feed, n: 2})
    except Exception as e:  # noqa: BLE001 - the class of the error is what is compared
        print(name, "raises", type(e).__name__)
        return
    if isinstance(result, (list, tuple)):
        print(name, [np.asarray(r).tolist() for r in result])
    else:
        print(name, np.asarray(result).tolist(), np.asarray(result).dtype.name)


show("slices", lambda: [x[0, ::2, 1::3], x[-2:, -1], x[..., -1], x[:, None, 2, ::-2],
                        x[1, ..., 0], x[::-1, 0, 0], x[:, 1:-1, tf.newaxis], x[2, 3, 4],
                        x[:n, n], x[n:, :, :n]])
show("slice_shapes", lambda: [tf.shape(x[:, None, 2, ::-2]), tf.shape(x[..., tf.newaxis])])
show("slice_sizes", lambda: tf.slice(x, [1, 0, 2], [2, -1, 2]))
show("gathers", lambda: [tf.gather(x, [2, 0])[:, 0, 0], tf.gather(x, [[1], [3]], axis=1)[0],
                         tf.gather(x[0, 0], tf.constant([4, 4, 0], tf.int64))])
show("tile_fill", lambda: [tf.tile(x[0, :2, :2], [n, 1]), tf.fill([n, 2], 1.5),
                           tf.zeros([n, 2], tf.int32), tf.ones(tf.stack([n, 1]))])
show("split_unstack", lambda: tf.split(x[0], [1, 3, 1], axis=1)[1:] + tf.unstack(x[:, 0, 0],
                                                                                  num=3))
show("squeeze_expand", lambda: [tf.squeeze(x[:, :1, :1]), tf.expand_dims(x[0, 0], 0),
                                tf.squeeze(tf.zeros([1, 2, 1]), [2])])
show("concat_stack", lambda: [tf.concat([x[0, 0], x[1, 1]], axis=-1),
                              tf.stack([x[0, 0, :2], x[1, 1, :2]], axis=-1),
                              tf.concat([tf.zeros([0, 2]), tf.ones([1, 2])], 0)])
show("pad_values", lambda: [tf.pad(x[0, :2, :2], [[0, 1], [1, 0]], constant_values=-1.0),
                            tf.pad(x[0, :2, :3], [[1, 1], [1, 1]], mode="SYMMETRIC")])
show("reverse_transpose", lambda: [tf.reverse(x[0, :2, :3], [-1]),
                                   tf.transpose(x[:2, :2, :2], [1, 2, 0])])
show("range_n", lambda: [tf.range(n), tf.range(n, 7, 2), tf.linspace(0.0, 1.0, 3)])
show("one_hot_args", lambda: [tf.one_hot(tf.constant([1, 0]), depth=n),
                              tf.one_hot([2], 3, on_value=1, off_value=0),
                              tf.one_hot([[0, 2]], 3, axis=-1, dtype=tf.float64)])
show("boolean_mask_axis", lambda: tf.boolean_mask(x[0, :2], [True, False, True, False, True],
                                                  axis=1))
show("where_broadcast", lambda: tf.where(tf.constant([[True], [False]]) & tf.ones([2, 3],
                                                                                  tf.bool),
                                         tf.ones([2, 3]), tf.zeros([2, 3])))
show("size_rank_shape", lambda: [tf.size(x), tf.rank(x[0]), tf.shape(x, out_type=tf.int64),
                                 tf.size(x, out_type=tf.int64)])
show("cast_shape", lambda: tf.cast(tf.shape(x), tf.float32) / 2.0)
show("bad_slice", lambda: x[0, 0, 9])
show("bad_concat", lambda: tf.concat([x[0], x[0, 0]], 0))
show("bad_stack", lambda: tf.stack([x[0, 0], x[0, :, 0]]))
show("bad_gather_axis", lambda: tf.gather(x, [0], axis=3))
show("bad_tile", lambda: tf.tile(x, [1, 2]))
show("bad_split", lambda: tf.split(x, 3, axis=1))
show("bad_one_hot_float", lambda: tf.one_hot([0.5], 2))
