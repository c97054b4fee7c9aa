"""The values of the (op, dtype) pairs that issue 12 added, beyond their dtypes (which
test_dtypes_exact.py checks): float16 in the nn ops, BatchMatMul/tensordot, clipping and
exponential_decay; Cross, Relu and Relu6 in the integer types; OneHot with uint8 indices;
strings in NotEqual, count_nonzero, fill, zeros, pad and the slicing gradients.

float16 results are compared with the formula computed in float64 from the same float16
inputs and rounded to float16. Tolerances: the nn ops whose formula chains several steps
run in float32 and round once, so they are within 1 float16 ulp of the result (plus 1e-5
of the inputs' magnitude, float32's share where terms cancel); relu and tanh are exact
roundings; the others compute in float16 throughout and are within 4 ulps of the values'
magnitude. Integer and string results are exact.
"""
import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph.graph import create_op
from tinygraph.ops import linalg_ops, slicing

SETTINGS = settings(suppress_health_check=[HealthCheck.function_scoped_fixture])


def run(fetches, feed_dict=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed_dict)


def half_arrays(shape, low=-4.0, high=4.0):
    return hnp.arrays(np.float16, shape, elements=st.floats(low, high, width=16))


def _within_one_ulp(got, want64, inputs):
    """got (float16) is want64 rounded, give or take one float16 ulp (and float32's share)."""
    assert got.dtype == np.float16
    want = np.asarray(want64)
    slack = np.spacing(np.abs(want.astype(np.float16))).astype(np.float64) \
        + 1e-5 * np.max(np.abs(inputs))
    np.testing.assert_array_less(np.abs(got.astype(np.float64) - want), slack + 1e-12)


def _softmax64(x):
    e = np.exp(x - x.max(-1, keepdims=True))
    return e / e.sum(-1, keepdims=True)


# -- float16 in the nn ops -----------------------------------------------------------------------
@SETTINGS
@given(x=half_arrays((3, 4)), labels=hnp.arrays(np.int32, 3, elements=st.integers(0, 3)))
def test_float16_nn_ops_round_the_float64_result(backend, x, labels):
    with tf.Graph().as_default():
        h = tf.constant(x)
        p = tf.constant(_softmax64(np.float64(x[::-1])).astype(np.float16))  # label rows
        sparse = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=h)
        fetched = run({"relu": tf.nn.relu(h), "tanh": tf.tanh(h), "sigmoid": tf.sigmoid(h),
                       "softmax": tf.nn.softmax(h), "log_softmax": tf.nn.log_softmax(h),
                       "l2_loss": tf.nn.l2_loss(h), "sparse": sparse,
                       "sparse_grad": tf.gradients(tf.reduce_sum(sparse), h)[0],
                       "xent": tf.nn.softmax_cross_entropy_with_logits_v2(labels=p, logits=h),
                       "sigmoid_xent": tf.nn.sigmoid_cross_entropy_with_logits(
                           labels=tf.sigmoid(h[::-1]), logits=h)})
    z = x.astype(np.float64)
    assert np.array_equal(fetched["relu"], np.maximum(x, 0))
    assert np.array_equal(fetched["tanh"], np.tanh(z).astype(np.float16))
    soft = _softmax64(z)
    onehot = np.eye(4)[labels]
    sig = 1 / (1 + np.exp(-z))
    rows = np.arange(3)
    wants = {"sigmoid": sig, "softmax": soft, "log_softmax": np.log(soft),
             "l2_loss": np.sum(z * z) / 2, "sparse": -np.log(soft[rows, labels]),
             "sparse_grad": soft - onehot,
             "xent": -np.sum(_softmax64(z[::-1]).astype(np.float16) * np.log(soft), -1),
             "sigmoid_xent": np.maximum(z, 0) - z * np.float64(fetched["sigmoid"][::-1])
             + np.log1p(np.exp(-np.abs(z)))}
    for name, want in wants.items():
        _within_one_ulp(fetched[name], want, z)


# -- float16 in BatchMatMul, tensordot, clipping and exponential_decay -------------------------
@SETTINGS
@given(a=half_arrays((2, 3, 4), -2, 2), b=half_arrays((2, 4, 2), -2, 2))
def test_float16_products_and_clipping(backend, a, b):
    a64, b64 = a.astype(np.float64), b.astype(np.float64)
    with tf.Graph().as_default():
        x, y = tf.constant(a), tf.constant(b)
        got = run([linalg_ops.batch_matmul(x, y), tf.tensordot(x, y, [[2, 0], [1, 0]]),
                   tf.clip_by_norm(x, 1.0, axes=[2]), tf.clip_by_global_norm([x, y], 2.0)[0],
                   tf.train.exponential_decay(tf.constant(0.5, tf.float16),
                                              tf.constant(7, tf.int64), 3, 0.5)])
    matmul, dot, by_norm, (ga, gb), decay = got
    scale = 4 * 2.0 ** -10  # 4 float16 ulps of the values' magnitude
    norms = np.sqrt(np.sum(a64 * a64, axis=2, keepdims=True))
    global_norm = np.sqrt(np.sum(a64 * a64) + np.sum(b64 * b64))
    wants = [(matmul, np.matmul(a64, b64), np.matmul(np.abs(a64), np.abs(b64))),
             (dot, np.tensordot(a64, b64, [[2, 0], [1, 0]]),
              np.tensordot(np.abs(a64), np.abs(b64), [[2, 0], [1, 0]])),
             (by_norm, a64 / np.maximum(norms, 1.0), np.abs(a64)),
             (ga, a64 * 2 / max(global_norm, 2.0), np.abs(a64)),
             (gb, b64 * 2 / max(global_norm, 2.0), np.abs(b64)),
             (decay, 0.5 * 0.5 ** (7 / 3), 0.5)]
    for value, want, magnitude in wants:
        assert value.dtype == np.float16
        assert (np.abs(value - want) <= scale * np.maximum(magnitude, 1)).all(), (value, want)


def test_what_tf1_refuses_in_float16_is_refused_when_the_graph_is_built():
    h = tf.constant(np.eye(2, dtype=np.float16))
    for build in (tf.matrix_inverse, tf.matrix_determinant,
                  lambda t: tf.linspace(t[0, 0], t[1, 1], 3),
                  lambda t: tf.range(t[0, 0], t[1, 1])):
        with pytest.raises(TypeError, match="has DataType float16 not in list of allowed "
                                            "values: float32, float64"):
            build(h)


# -- small integers ------------------------------------------------------------------------------
@pytest.mark.parametrize("dtype", [tf.int8, tf.int16, tf.uint8, tf.int32], ids=str)
@SETTINGS
@given(data=st.data())
def test_cross_in_small_integer_types_wraps_as_tf1(backend, dtype, data):
    info = np.iinfo(dtype.np_dtype)
    a, b = (data.draw(hnp.arrays(dtype.np_dtype, (2, 3),
                                 elements=st.integers(int(info.min), int(info.max))))
            for _ in range(2))
    got = run(tf.cross(tf.constant(a), tf.constant(b)))
    ints = [[[int(v) for v in row] for row in t] for t in (a, b)]
    span = int(info.max) - int(info.min) + 1
    for row, (u, v) in enumerate(zip(*ints)):
        exact = [u[1] * v[2] - u[2] * v[1], u[2] * v[0] - u[0] * v[2], u[0] * v[1] - u[1] * v[0]]
        wrapped = [(e - int(info.min)) % span + int(info.min) for e in exact]  # C++'s wrap
        assert got.dtype == dtype.np_dtype and got[row].tolist() == wrapped


@pytest.mark.parametrize("dtype", [tf.int8, tf.uint8, tf.int16, tf.int32, tf.int64], ids=str)
@SETTINGS
@given(data=st.data())
def test_relu_and_relu6_take_integers_as_tf1(backend, dtype, data):
    info = np.iinfo(dtype.np_dtype)
    x = data.draw(hnp.arrays(dtype.np_dtype, 6, elements=st.integers(int(info.min),
                                                                    int(info.max))))
    g = data.draw(hnp.arrays(dtype.np_dtype, 6, elements=st.integers(0, 9)))
    with tf.Graph().as_default():
        h, grad = tf.constant(x), tf.constant(g)
        got = run([tf.nn.relu(h), tf.nn.relu6(h), create_op("ReluGrad", [grad, h], {}),
                   create_op("Relu6Grad", [grad, h], {})])
    ints, grads = x.tolist(), g.tolist()
    assert [v.dtype for v in got] == [dtype.np_dtype] * 4
    assert got[0].tolist() == [max(v, 0) for v in ints]
    assert got[1].tolist() == [min(max(v, 0), 6) for v in ints]
    assert got[2].tolist() == [d if v > 0 else 0 for d, v in zip(grads, ints)]
    assert got[3].tolist() == [d if 0 < v < 6 else 0 for d, v in zip(grads, ints)]


@given(indices=hnp.arrays(np.uint8, 5, elements=st.integers(0, 255)),
       depth=st.integers(0, 6), on=st.integers(-128, 127), off=st.integers(-128, 127))
def test_one_hot_takes_uint8_indices_and_gives_small_ints_exactly(indices, depth, on, off):
    with tf.Graph().as_default():
        hot = tf.one_hot(tf.constant(indices), depth, on_value=np.int8(on),
                         off_value=np.int8(off))
        got = run(hot)
    want = [[on if i == j else off for j in range(depth)] for i in indices.tolist()]
    assert got.dtype == np.int8 and got.tolist() == want
    with pytest.raises(TypeError, match="DataType int8 not in list of allowed values: uint8, "
                                        "int32, int64"):
        tf.one_hot(tf.constant(indices.astype(np.int8)), depth)


# -- strings -------------------------------------------------------------------------------------
words = st.lists(st.binary(max_size=3), min_size=2, max_size=6)


@given(a=words, b=words)
def test_strings_in_not_equal_count_nonzero_fill_zeros_and_pad(a, b):
    n = min(len(a), len(b))
    a, b = a[:n], b[:n]
    with tf.Graph().as_default():
        x, y = tf.constant(a, tf.string), tf.constant(b, tf.string)
        got = run([tf.not_equal(x, y), tf.count_nonzero(x), tf.fill([2], x[0]),
                   tf.zeros([2], tf.string), tf.zeros(tf.shape(x), tf.string),
                   tf.pad(x, [[1, 2]]), tf.pad(x, [[0, 1]], constant_values="z")])
    unequal, nonzero, filled, zeros, zeros_like_x, padded, padded_z = got
    assert unequal.tolist() == [u != v for u, v in zip(a, b)]
    assert nonzero == sum(1 for w in a if w)
    assert filled.tolist() == [a[0]] * 2
    assert zeros.tolist() == [b""] * 2 and zeros_like_x.tolist() == [b""] * n
    assert padded.tolist() == [b""] + a + [b"", b""] and padded_z.tolist() == a + [b"z"]
    for value in (filled, zeros, padded):
        assert value.dtype == object and all(type(w) is bytes for w in value.tolist())


@given(a=words, mask=st.lists(st.booleans(), min_size=6, max_size=6))
def test_the_slicing_gradient_ops_fill_strings_with_empty_ones(a, mask):
    n = len(a)
    mask = mask[:n]
    with tf.Graph().as_default():
        x = tf.constant(a, tf.string)
        part = x[1:]
        got = run([slicing.strided_slice_grad(part, x, (slice(1, None),)),
                   create_op("SliceGrad", [part, x, tf.constant([1]), tf.constant([-1])], {}),
                   create_op("BooleanMaskGrad", [tf.boolean_mask(x, mask), tf.constant(mask),
                                                 x], {"axis": 0})])
    assert got[0].tolist() == got[1].tolist() == [b""] + a[1:]
    assert got[2].tolist() == [w if m else b"" for w, m in zip(a, mask)]
