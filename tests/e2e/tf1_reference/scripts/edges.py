"""Edge cases where frameworks tend to differ: integer reductions and division, NaN and Inf,
empty tensors, dtypes of results, and the errors a script sees (their class names).

Left out, as TF 1.x and the current compat.v1 differ: sign(NaN) (0 in 1.x, NaN now). Left
out as tinygraph's deliberate differences (README): a REFLECT pad wider than the tensor and
a transpose perm naming an axis twice are ValueErrors when the graph is built (TF1: an
InvalidArgumentError when it runs)."""
import numpy as np
import tensorflow.compat.v1 as tf

tf.disable_v2_behavior()


def show(name, make):
    """Build and run ``make()`` in a fresh graph; print its values and dtypes, or the error."""
    tf.reset_default_graph()
    try:
        fetches = make()
        with tf.Session() as sess:
            result = sess.run(fetches)
    except Exception as e:  # noqa: BLE001 - the class of the error is what is compared
        print(name, "raises", type(e).__name__)
        return
    results = result if isinstance(result, list) else [result]
    print(name, [np.asarray(r).tolist() for r in results],
          [np.asarray(r).dtype.name for r in results])


i = lambda v: tf.constant(v, tf.int32)  # noqa: E731
f = lambda v: tf.constant(v, tf.float32)  # noqa: E731
nan, inf = float("nan"), float("inf")

show("int_mean", lambda: [tf.reduce_mean(i([1, 2])), tf.reduce_mean(i([[1, 2], [4, 7]]), 0),
                          tf.reduce_mean(i([-1, -2]))])
show("int_sum_prod", lambda: [tf.reduce_sum(i([[1, 2], [3, 4]]), 1),
                              tf.reduce_prod(i([[1, 2], [3, 4]]), 0),
                              tf.reduce_max(i([[1, 5], [3, 4]]), 1)])
show("int_division", lambda: [i([7, -7, 7, -7]) / i([2, 2, -2, -2]),
                              tf.truediv(i([1]), i([3])), tf.div(i([-7]), i([2])),
                              tf.floordiv(f([-7.0, 7.5]), f([2.0, -2.0])),
                              tf.floormod(f([-7.5, 7.5, -0.0]), f([2.0, -2.0, 3.0])),
                              tf.mod(i([-7, 7, -7]), i([3, -3, -3]))])
show("int_div_by_zero", lambda: i([1]) // i([0]))
show("int_mod_by_zero", lambda: i([1]) % i([0]))
show("int_negative_power", lambda: tf.pow(i([2]), i([-1])))
show("int_power", lambda: [tf.pow(i([2, -3, 0]), i([3, 3, 0])), i([3]) ** 0])
show("float_specials", lambda: [f([1.0, -1.0, 0.0]) / f([0.0, 0.0, 0.0]), tf.sqrt(f([-1.0])),
                                tf.log(f([0.0, -1.0])), tf.sign(f([-0.0, 0.0, -2.0])),
                                tf.exp(f([100.0, -200.0])), tf.round(f([0.5, 1.5, 2.5, -0.5,
                                                                       -1.5, nan]))])
show("nan_compare", lambda: [f([nan]) < f([1.0]), tf.equal(f([nan]), f([nan])),
                             tf.not_equal(f([nan]), f([nan])),
                             tf.maximum(f([nan, 1.0]), f([1.0, nan])),
                             tf.minimum(f([nan, 1.0]), f([1.0, nan]))])
show("nan_reduce", lambda: [tf.reduce_max(f([1.0, nan, 3.0])), tf.reduce_min(f([nan, 2.0])),
                            tf.reduce_sum(f([1.0, inf, -inf])),
                            tf.reduce_logsumexp(f([-inf, -inf])),
                            tf.reduce_logsumexp(f([inf, 1.0])),
                            tf.reduce_logsumexp(f([1000.0, 1000.0]))])
show("clip_nan", lambda: tf.clip_by_value(f([nan, -5.0, 5.0]), -1.0, 1.0))
show("empty_reduce", lambda: [tf.reduce_sum(tf.zeros([0])), tf.reduce_prod(tf.zeros([0])),
                              tf.reduce_max(tf.zeros([0])), tf.reduce_min(tf.zeros([0])),
                              tf.reduce_all(tf.zeros([0], tf.bool)),
                              tf.reduce_any(tf.zeros([0], tf.bool)),
                              tf.reduce_max(tf.zeros([0], tf.int32))])
show("empty_mean", lambda: tf.reduce_mean(tf.zeros([0])))
show("scalar_axis_sum", lambda: tf.reduce_sum(f(3.0), axis=0))
show("scalar_axis_max", lambda: tf.reduce_max(f(3.0), axis=0))
show("scalar_axis_mean", lambda: tf.reduce_mean(f(3.0), axis=0))
show("scalar_axis_prod", lambda: tf.reduce_prod(f(3.0), axis=0))
show("scalar_axis_any", lambda: tf.reduce_any(tf.constant(True), axis=0))
show("scalar_axis_none", lambda: [tf.reduce_sum(f(3.0)), tf.reduce_max(f(3.0))])
show("bad_axis", lambda: tf.reduce_sum(f([1.0, 2.0]), axis=1))
show("argmax_ties", lambda: [tf.argmax(f([[1.0, 3.0, 3.0], [2.0, 2.0, 1.0]]), 1),
                             tf.argmin(i([[4, 1, 1]]), 1),
                             tf.argmax(f([[1.0], [2.0]]), 0, output_type=tf.int32)])
show("count_nonzero", lambda: [tf.count_nonzero(f([0.0, 1.5, -0.0, nan])),
                               tf.count_nonzero(i([[0, 1], [2, 3]]), axis=0, keepdims=True)])
show("cumsum_int", lambda: [tf.cumsum(i([1, 2, 3]), exclusive=True),
                            tf.cumsum(i([[1, 2], [3, 4]]), axis=0, reverse=True)])
show("ranges", lambda: [tf.range(5), tf.range(1, 2, 0.3), tf.range(10, 2, -3),
                        tf.range(0.0, 1.0, 0.25), tf.linspace(0.0, 1.0, 1),
                        tf.range(3, dtype=tf.float32)])
show("range_bad", lambda: tf.range(1, 5, -1))
show("one_hot_types", lambda: [tf.one_hot(i([0, 3, -1]), 3, dtype=tf.int32),
                               tf.one_hot(i([[0, 1]]), 2, axis=1), tf.one_hot(i(1), 3)])
show("gather_negative", lambda: tf.gather(f([1.0, 2.0]), i([-1])))
show("gather_out_of_range", lambda: tf.gather(f([1.0, 2.0]), i([2])))
show("index_out_of_range", lambda: f([1.0, 2.0])[2])
show("slice_past_end", lambda: [f([1.0, 2.0, 3.0])[1:10], f([1.0, 2.0, 3.0])[-10:1],
                                f([1.0, 2.0, 3.0])[5:], f([[1.0, 2.0]])[:, ::-2]])
show("casts", lambda: [tf.cast(f([-1.7, 1.7, 0.5, -0.5]), tf.int32),
                       tf.cast(f([0.0, -0.0, 0.1]), tf.bool),
                       tf.cast(tf.constant([True, False]), tf.int32),
                       tf.cast(i([3]), tf.float16), tf.cast(f([65504.0]), tf.float16)])
show("where_int", lambda: [tf.where(i([[0, 3], [-1, 0]])), tf.where(f([0.0, nan]))])
show("where_bad_shapes", lambda: tf.where(tf.constant([True, False]), f([[1.0, 2.0]]),
                                          f([[3.0, 4.0]])))
show("pad_ints", lambda: [tf.pad(i([[1, 2]]), [[1, 0], [0, 1]], constant_values=9),
                          tf.pad(f([1.0, 2.0, 3.0]), [[2, 2]], "REFLECT")])
show("squared_difference_int", lambda: tf.squared_difference(i([1, -4]), i([3, 2])))
show("relu_int", lambda: [tf.nn.relu(i([-2, 3])), tf.abs(i([-2, 3])), -i([2]),
                          tf.sign(i([-5, 0, 5]))])
show("softmax_edges", lambda: [tf.nn.softmax(f([[0.0, -inf], [1000.0, 0.0]])),
                               tf.nn.log_softmax(f([[1000.0, 0.0]])),
                               tf.nn.sigmoid(f([-100.0, 100.0])),
                               tf.nn.softplus(f([-100.0, 100.0, 0.0])),
                               tf.nn.l2_normalize(f([0.0, 0.0]))])
show("xent_edges", lambda: [tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=i([0]), logits=f([[1000.0, 0.0]])), tf.nn.sigmoid_cross_entropy_with_logits(
    labels=f([1.0, 0.0]), logits=f([-100.0, 100.0]))])
show("sparse_xent_bad_label", lambda: tf.nn.sparse_softmax_cross_entropy_with_logits(
    labels=i([2]), logits=f([[1.0, 0.0]])))
show("matrix_singular", lambda: tf.matrix_inverse(f([[1.0, 2.0], [2.0, 4.0]])))
show("det_singular", lambda: tf.matrix_determinant(f([[1.0, 2.0], [2.0, 4.0]])))
show("concat_int_float", lambda: tf.concat([i([1]), f([2.0])], 0))
show("add_int_float", lambda: i([1]) + f([2.0]))
show("add_python_float_to_int", lambda: i([1]) + 2.5)
show("string_add", lambda: tf.constant("a") + tf.constant("b"))
show("bool_sum", lambda: tf.reduce_sum(tf.constant([True, True])))
show("split_uneven", lambda: tf.split(f([1.0, 2.0, 3.0]), 2))
show("reshape_bad", lambda: tf.reshape(f([1.0, 2.0, 3.0]), [2, -1]))
show("matmul_int", lambda: tf.matmul(i([[1, 2]]), i([[3], [4]])))
show("matmul_bad", lambda: tf.matmul(f([[1.0, 2.0]]), f([[1.0, 2.0]])))
show("tile_int", lambda: tf.tile(i([[1, 2]]), [2, 1]))
show("stack_scalars", lambda: [tf.stack([i(1), i(2)]), tf.unstack(f([[1.0, 2.0]]))])
show("squeeze_bad", lambda: tf.squeeze(f([[1.0, 2.0]]), axis=[1]))
show("boolean_mask_empty", lambda: tf.boolean_mask(f([1.0, 2.0]), tf.constant([False, False])))
