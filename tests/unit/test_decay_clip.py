"""train.exponential_decay, clip_by_norm, clip_by_global_norm and global_norm against numpy
written from TF1's formulas (learning_rate_decay.py and clip_ops.py of TF1)."""
import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph import errors

dtypes = st.sampled_from([np.float32, np.float64])


@given(st.integers(0, 100000), st.integers(1, 5000), st.floats(0.01, 1.0),
       st.floats(1e-4, 1.0), st.booleans(), dtypes)
def test_exponential_decay_is_tf1s_formula(step, decay_steps, rate, lr, staircase, dtype):
    tf.reset_default_graph()
    global_step = tf.Variable(step, trainable=False, name="global_step")
    decayed = tf.train.exponential_decay(tf.constant(lr, dtype), global_step, decay_steps,
                                         rate, staircase=staircase)
    assert decayed.name == "ExponentialDecay:0" and decayed.dtype == dtype
    t = np.dtype(dtype).type
    p = t(step) / t(decay_steps)  # every number cast to the learning rate's dtype
    if staircase:
        p = np.floor(p)
    want = t(lr) * np.power(t(np.float32(rate)), p)  # a Python rate is a float32 Const
    with tf.Session() as sess:
        sess.run(global_step.initializer)
        got = sess.run(decayed)
    assert got.dtype == dtype
    np.testing.assert_array_equal(got, want)


def test_staircase_decay_drives_an_optimizer_and_follows_the_global_step():
    step = tf.train.get_or_create_global_step()
    lr = tf.train.exponential_decay(0.5, step, 2, 0.5, staircase=True)
    w = tf.Variable([0.0], name="w")
    train = tf.train.GradientDescentOptimizer(lr).minimize(tf.reduce_sum(w), global_step=step)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        rates = []
        for _ in range(5):
            rates.append(sess.run(lr))
            sess.run(train)
        assert rates == [0.5, 0.5, 0.25, 0.25, 0.125]
        np.testing.assert_array_equal(sess.run(w), [-1.625])
    with pytest.raises(ValueError, match="global_step is required"):
        tf.train.exponential_decay(0.1, None, 10, 0.9)


def _clip_by_norm_numpy(t, clip, axes):
    l2sum = np.sum(t * t, axis=axes, keepdims=True, dtype=t.dtype)
    l2norm = np.where(l2sum > 0, np.sqrt(np.where(l2sum > 0, l2sum, 1)), l2sum)
    return t * clip / np.maximum(l2norm, clip)


@given(dtypes, hnp.array_shapes(min_dims=1, max_dims=3, max_side=4), st.floats(0.01, 10),
       st.data())
def test_clip_by_norm_is_tf1s_formula(dtype, shape, clip, data):
    tf.reset_default_graph()
    t = data.draw(hnp.arrays(dtype, shape, elements=st.floats(-5, 5, width=32)))
    axes = data.draw(st.one_of(st.none(), st.lists(st.integers(0, len(shape) - 1),
                                                   min_size=1, max_size=1, unique=True)))
    x = tf.placeholder(dtype, [None] * len(shape))
    clipped = tf.clip_by_norm(x, clip, axes=axes)
    assert clipped.name == "clip_by_norm:0"
    with tf.Session() as sess:
        got = sess.run(clipped, {x: t})
    want = _clip_by_norm_numpy(t, np.dtype(dtype).type(clip),
                               None if axes is None else tuple(axes))
    assert got.dtype == dtype and got.shape == t.shape
    np.testing.assert_array_equal(got, want)
    norms = np.sqrt(np.sum(got.astype(np.float64) ** 2, axis=None if axes is None
                           else tuple(axes)))
    assert np.all(norms <= clip * (1 + 1e-5))


def test_clip_by_norm_leaves_a_short_or_zero_vector_alone():
    with tf.Session() as sess:
        np.testing.assert_array_equal(sess.run(tf.clip_by_norm([3.0, 4.0], 10.0)), [3, 4])
        np.testing.assert_array_equal(sess.run(tf.clip_by_norm([0.0, 0.0], 1.0)), [0, 0])
        np.testing.assert_allclose(sess.run(tf.clip_by_norm([3.0, 4.0], 1.0)), [0.6, 0.8])


@given(dtypes, st.lists(hnp.array_shapes(min_dims=0, max_dims=2, max_side=3), min_size=1,
                        max_size=4), st.floats(0.01, 20), st.data())
def test_clip_by_global_norm_is_tf1s_formula(dtype, shapes, clip, data):
    tf.reset_default_graph()
    values = [data.draw(hnp.arrays(dtype, s, elements=st.floats(-5, 5, width=32)))
              for s in shapes]
    tensors = [tf.constant(v) for v in values]
    clipped, norm = tf.clip_by_global_norm(tensors + [None], clip)
    assert clipped[-1] is None and len(clipped) == len(values) + 1
    with tf.Session() as sess:
        got, got_norm = sess.run([clipped[:-1], norm])
    t = np.dtype(dtype).type
    # global_norm: sqrt(2 * sum of l2_loss), summed in order (AddN)
    halves = [np.asarray(np.vdot(v, v) / 2, dtype) for v in values]
    half = halves[0]
    for h in halves[1:]:
        half = half + h
    want_norm = np.sqrt(half * t(2))
    assert got_norm.dtype == dtype
    np.testing.assert_array_equal(got_norm, want_norm)
    scale = t(clip) * np.minimum(t(1) / want_norm, t(1) / t(clip)) + (want_norm - want_norm)
    for g, v in zip(got, values):
        assert g.dtype == dtype
        np.testing.assert_array_equal(g, v * scale)


def test_clip_by_global_norm_with_use_norm_inf_gives_nan_and_checks_its_list():
    a = tf.constant([1.0, 2.0])
    clipped, _ = tf.clip_by_global_norm([a], 1.0, use_norm=tf.constant(np.inf))
    with tf.Session() as sess:
        assert np.isnan(sess.run(clipped[0])).all()
    with pytest.raises(TypeError, match="t_list should be a sequence"):
        tf.clip_by_global_norm(a, 1.0)
    with pytest.raises(ValueError, match="scalar"):
        tf.clip_by_norm(a, [1.0, 2.0])


def test_clip_by_global_norm_clips_an_optimizers_gradients():
    w = tf.Variable([3.0, 4.0], name="w")
    optimizer = tf.train.GradientDescentOptimizer(1.0)
    grads, variables = zip(*optimizer.compute_gradients(tf.reduce_sum(w * w)))
    clipped, norm = tf.clip_by_global_norm(grads, 1.0)
    train = optimizer.apply_gradients(zip(clipped, variables))
    with tf.Session() as sess:
        sess.run(w.initializer)
        _, n = sess.run([train, norm])
        assert n == 10.0
        np.testing.assert_allclose(sess.run(w), [2.4, 3.2])


def test_a_non_scalar_clip_norm_fed_at_run_time_is_refused():
    c = tf.placeholder(tf.float32)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError, match="clip_norm must be a scalar"):
            sess.run(tf.clip_by_norm([1.0, 2.0], c), {c: [1.0, 2.0]})
