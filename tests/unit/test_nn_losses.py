"""tf.nn activations, cross-entropies, dropout, l2_normalize, bias_add, moments,
embedding_lookup and tf.losses against hand-written numpy of TF1's formulas.

Values come from hypothesis (float32 and float64, including ±Inf and NaN where TF1 defines
the result); gradients at the kinks are checked against TF1's documented choices.
"""
import numpy as np
import pytest
from hypothesis import given, settings, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph import errors

FLOATS = (np.float32, np.float64)


def run(fetches, feed=None):
    with tf.Session() as sess:
        return sess.run(fetches, feed)


@st.composite
def float_arrays(draw, special=True, low=-30.0, high=30.0, min_dims=0):
    dtype = draw(st.sampled_from(FLOATS))
    shape = draw(hnp.array_shapes(min_dims=min_dims, max_dims=3, min_side=1, max_side=4))
    elements = st.floats(low, high, width=32)
    if special:
        elements = st.one_of(elements, st.sampled_from([np.inf, -np.inf, np.nan, 0.0, 6.0]))
    return draw(hnp.arrays(dtype, shape, elements=elements))


def close(got, want, dtype):
    tol = 1e-6 if dtype == np.float32 else 1e-13
    assert got.dtype == dtype
    np.testing.assert_allclose(got, want.astype(dtype), rtol=tol, atol=tol)


# -- activations ----------------------------------------------------------------------------
def _np_softplus(x):
    with np.errstate(over="ignore"):
        return np.logaddexp(0, x)


def _np_elu(x):
    with np.errstate(over="ignore", invalid="ignore"):
        return np.where(x < 0, np.expm1(np.minimum(x, 0)), x)


ACTIVATIONS = {  # builder -> numpy of TF1's formula
    "softplus": (tf.nn.softplus, _np_softplus),
    "softsign": (tf.nn.softsign, lambda x: x / (1 + np.abs(x))),
    "elu": (tf.nn.elu, _np_elu),
    "relu6": (tf.nn.relu6, lambda x: np.minimum(np.maximum(x, 0), 6)),
    "leaky_relu": (tf.nn.leaky_relu, lambda x: np.where(x > 0, x, 0.2 * x)),
}


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
@settings(max_examples=30)
@given(x=float_arrays(special=False))
def test_activations_match_tf1s_formulas(name, x):
    tf.reset_default_graph()
    build, formula = ACTIVATIONS[name]
    p = tf.placeholder(x.dtype.type, None)
    got = run(build(p), {p: x})
    close(got, formula(x.astype(np.float64)), x.dtype)


@pytest.mark.parametrize("name", sorted(ACTIVATIONS))
def test_activations_of_nan_and_inf(name):
    build, _ = ACTIVATIONS[name]
    want = {"softplus": [np.inf, 0, np.nan], "softsign": [np.nan, np.nan, np.nan],
            "elu": [np.inf, -1, np.nan], "relu6": [6, 0, np.nan],
            "leaky_relu": [np.inf, -np.inf, np.nan]}[name]
    with np.errstate(invalid="ignore"):
        got = run(build(tf.constant([np.inf, -np.inf, np.nan], tf.float32)))
    np.testing.assert_array_equal(got, np.array(want, np.float32))


def _grad_at(build, points):
    x = tf.constant(np.array(points, np.float32))
    return run(tf.gradients(tf.reduce_sum(build(x)), x)[0])


def test_gradients_at_the_kinks_are_tf1s():
    assert _grad_at(tf.nn.relu6, [0.0, 6.0, 3.0, -1.0, 7.0]).tolist() == [0, 0, 1, 0, 0]
    assert _grad_at(tf.nn.elu, [0.0, 1.0]).tolist() == [1, 1]
    assert _grad_at(tf.nn.elu, [-1.0])[0] == pytest.approx(np.exp(-1.0))
    assert _grad_at(tf.nn.leaky_relu, [0.0, 1.0, -1.0]).tolist() == pytest.approx([0.2, 1, 0.2])
    assert _grad_at(tf.nn.softsign, [0.0, 1.0]).tolist() == [1, 0.25]
    assert _grad_at(tf.nn.softplus, [0.0])[0] == 0.5


def test_activation_names_and_dtypes():
    x = tf.placeholder(tf.float32, [None, 3])
    assert [t.name for t in (tf.nn.softplus(x), tf.nn.softsign(x), tf.nn.elu(x),
                             tf.nn.relu6(x), tf.nn.leaky_relu(x), tf.nn.log_softmax(x))] == [
        "Softplus:0", "Softsign:0", "Elu:0", "Relu6:0", "LeakyRelu:0", "LogSoftmax:0"]
    ints = tf.nn.leaky_relu(tf.constant([-2, 3]))  # integers become float32, as in TF1
    assert ints.dtype == tf.float32 and run(ints).tolist() == [-0.4000000059604645, 3.0]
    with pytest.raises(TypeError):
        tf.nn.softplus(tf.constant([1, 2]))


def test_softplus_is_stable_at_large_magnitudes():
    got = run(tf.nn.softplus(tf.constant([100.0, -50.0, 20.0, -20.0], tf.float32)))
    np.testing.assert_allclose(got, [100.0, np.exp(-50.0), 20.0, np.exp(-20.0)], rtol=1e-6)


@settings(max_examples=30)
@given(x=float_arrays(special=False, min_dims=1))
def test_log_softmax_is_log_of_softmax(x):
    tf.reset_default_graph()
    shifted = x.astype(np.float64) - x.max(-1, keepdims=True)
    want = shifted - np.log(np.exp(shifted).sum(-1, keepdims=True))
    close(run(tf.nn.log_softmax(tf.constant(x))), want, x.dtype)


def test_log_softmax_of_huge_logits_is_finite():
    got = run(tf.nn.log_softmax(tf.constant([[1e4, -1e4, 0.0]], tf.float32)))
    np.testing.assert_array_equal(got, np.array([[0.0, -2e4, -1e4]], np.float32))
    with pytest.raises(ValueError, match="needs a known rank"):
        tf.nn.log_softmax(tf.placeholder(tf.float32), axis=0)


# -- cross-entropies ------------------------------------------------------------------------
@st.composite
def logits_and_labels(draw, special=False):
    logits = draw(float_arrays(special=special, min_dims=1))
    labels = draw(hnp.arrays(logits.dtype, logits.shape, elements=st.floats(0, 1, width=32)))
    return logits, labels


def _np_softmax_xent(x, z):
    x = x.astype(np.float64)
    shifted = x - x.max(-1, keepdims=True)
    lse = np.log(np.exp(shifted).sum(-1, keepdims=True))
    return np.sum(z * (lse - shifted), -1), np.exp(shifted - lse) - z


@settings(max_examples=30)
@given(v=logits_and_labels())
def test_softmax_xent_matches_tf1s_formula_and_backprop(v):
    tf.reset_default_graph()
    logits, labels = v
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    got_loss, got_backprop = run([loss, loss.op.outputs[1]])
    want_loss, want_backprop = _np_softmax_xent(logits, labels)
    close(got_loss, want_loss, logits.dtype)
    close(got_backprop, want_backprop, logits.dtype)


def test_softmax_xent_is_stable_and_v1_stops_the_label_gradient():
    logits = tf.constant([[1e4, -1e4, 0.0]])
    labels = tf.constant([[0.0, 1.0, 0.0]])
    v1 = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    v2 = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    assert run(v1).tolist() == [20000.0] and run(v2).tolist() == [20000.0]
    assert tf.gradients(v1, labels) == [None]
    grad_labels, grad_logits = run(tf.gradients(v2, [labels, logits]))
    np.testing.assert_array_equal(grad_labels, [[0.0, 2e4, 1e4]])  # -log_softmax
    np.testing.assert_array_equal(grad_logits, [[1.0, -1.0, 0.0]])  # softmax - labels
    assert v1.name == "softmax_cross_entropy_with_logits:0" and v1.shape.as_list() == [1]


def test_softmax_xent_argument_and_shape_errors():
    with pytest.raises(ValueError, match="named arguments"):
        tf.nn.softmax_cross_entropy_with_logits(tf.zeros([2, 3]), tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Both labels and logits must be provided"):
        tf.nn.softmax_cross_entropy_with_logits_v2(logits=tf.zeros([2, 3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 4]),
                                                   logits=tf.zeros([2, 3]))
    with pytest.raises(TypeError):
        tf.nn.softmax_cross_entropy_with_logits_v2(labels=tf.zeros([2, 3], tf.float64),
                                                   logits=tf.zeros([2, 3]))


def _np_sigmoid_xent(x, z):
    x, z = x.astype(np.float64), z.astype(np.float64)
    with np.errstate(invalid="ignore", over="ignore"):
        return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


@settings(max_examples=30)
@given(v=logits_and_labels(special=True))
def test_sigmoid_xent_matches_tf1s_stable_formula(v):
    tf.reset_default_graph()
    logits, labels = v
    got = run(tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits))
    close(got, _np_sigmoid_xent(logits, labels), logits.dtype)


def test_sigmoid_xent_edges_and_gradient_at_zero():
    x = tf.constant([100.0, -100.0, 20.0, 0.0])
    z = tf.constant([1.0, 0.0, 1.0, 1.0])
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=z, logits=x)
    assert loss.name == "logistic_loss:0"
    got, grad_x, grad_z = run([loss] + tf.gradients(loss, [x, z]))
    np.testing.assert_allclose(got, [0.0, 0.0, np.log1p(np.exp(-20.0)), np.log(2.0)],
                               rtol=1e-6, atol=1e-30)
    assert got[2] > 0  # log1p keeps the tiny loss that log(1 + e) would round to 0
    # sigmoid(x) - z: within float32's epsilon of TF1's (1 - z) - sigmoid(-x) for x > 0
    np.testing.assert_allclose(grad_x, [0.0, 0.0, -2.06e-9, -0.5], rtol=1e-6, atol=1.2e-7)
    np.testing.assert_array_equal(grad_z, [-100.0, 100.0, -20.0, -0.0])
    with pytest.raises(ValueError, match="must have the same shape"):
        tf.nn.sigmoid_cross_entropy_with_logits(labels=tf.zeros([3]), logits=tf.zeros([4]))


# -- dropout --------------------------------------------------------------------------------
def test_dropout_keeps_scaled_values_with_the_right_frequency():
    x = tf.placeholder(tf.float32, [None, 1000])
    keep_prob = tf.placeholder(tf.float32)
    y = tf.nn.dropout(x, keep_prob, seed=3)
    assert y.shape.as_list() == [None, 1000] and y.name == "dropout/mul:0"
    grad = tf.gradients(tf.reduce_sum(y), x)[0]
    ones = np.ones((20, 1000), np.float32)
    with tf.Session() as sess:
        for p in (0.5, 0.1, 0.9, 1.0):
            got, g = sess.run([y, grad], {x: ones, keep_prob: p})
            kept = got != 0
            np.testing.assert_allclose(got[kept], np.float32(1) / np.float32(p))
            assert abs(kept.mean() - p) < 4 * np.sqrt(p * (1 - p) / got.size) + 1e-9
            np.testing.assert_array_equal(g, got)  # d y / d x = mask / keep_prob, same run
        with pytest.raises(errors.InvalidArgumentError, match=r"range \(0, 1\], got 0\."):
            sess.run(y, {x: ones, keep_prob: 0.0})


def test_dropout_seeds_replay_per_session_and_differ_between_runs():
    tf.set_random_seed(7)
    x = tf.ones([50, 40])
    y = tf.nn.dropout(x, 0.5)
    z = tf.nn.dropout(x, rate=0.5)
    with tf.Session() as sess:
        first = [sess.run(y), sess.run(y), sess.run(z)]
    with tf.Session() as sess:
        again = [sess.run(y), sess.run(y), sess.run(z)]
    for a, b in zip(first, again):
        np.testing.assert_array_equal(a, b)
    assert not np.array_equal(first[0], first[1])  # a new mask on every run
    assert not np.array_equal(first[0], first[2])  # two ops, two streams


def test_dropout_arguments():
    x = tf.ones([4, 3])
    assert tf.nn.dropout(x, 1.0) is x and tf.nn.dropout(x, rate=0.0) is x
    for bad in (0.0, 1.5, -1):
        with pytest.raises(ValueError, match=r"range \(0, 1\]"):
            tf.nn.dropout(x, bad)
    with pytest.raises(ValueError, match=r"range \[0, 1\)"):
        tf.nn.dropout(x, rate=1.0)
    with pytest.raises(ValueError, match="exactly one"):
        tf.nn.dropout(x, 0.5, rate=0.5)
    with pytest.raises(ValueError, match="scalar"):
        tf.nn.dropout(x, tf.constant([0.5, 0.5]))
    column = run(tf.nn.dropout(x, 0.5, noise_shape=[4, 1], seed=1))  # whole rows kept or not
    assert all(len(set(r)) == 1 for r in column.tolist())


# -- l2_normalize, bias_add, moments, embedding_lookup --------------------------------------
@settings(max_examples=30)
@given(x=float_arrays(special=False, low=-3, high=3, min_dims=1))
def test_l2_normalize_matches_tf1s_formula(x):
    tf.reset_default_graph()
    x64 = x.astype(np.float64)
    for axis in (None, -1, 0):
        square_sum = np.sum(x64 * x64, axis=axis, keepdims=True)
        close(run(tf.nn.l2_normalize(tf.constant(x), axis)),
              x64 / np.sqrt(np.maximum(square_sum, 1e-12)), x.dtype)


def test_l2_normalize_of_zeros_is_zero_and_dim_is_accepted():
    x = tf.constant([[0.0, 0.0], [3.0, 4.0]])
    got = run(tf.nn.l2_normalize(x, dim=1))
    np.testing.assert_allclose(got, [[0, 0], [0.6, 0.8]], rtol=1e-6)
    grad = run(tf.gradients(tf.reduce_sum(tf.nn.l2_normalize(x, 1)), x)[0])
    np.testing.assert_allclose(grad[0], [1e6, 1e6], rtol=1e-6)  # epsilon's floor: 1/sqrt(eps)


@settings(max_examples=30)
@given(x=float_arrays(special=True, min_dims=2))
def test_bias_add_adds_along_the_last_axis(x):
    tf.reset_default_graph()
    bias = np.arange(x.shape[-1], dtype=x.dtype)
    with np.errstate(invalid="ignore"):
        close(run(tf.nn.bias_add(tf.constant(x), bias)), x + bias, x.dtype)


def test_bias_add_build_errors_and_gradient():
    value, bias = tf.ones([2, 5, 3]), tf.zeros([3])
    out = tf.nn.bias_add(value, bias)
    assert out.name == "BiasAdd:0"
    assert run(tf.gradients(tf.reduce_sum(out), bias)[0]).tolist() == [10, 10, 10]
    with pytest.raises(ValueError,
                       match=r"at least rank 2 but is rank 1 for 'BiasAdd_1' \(op: 'BiasAdd'\)"):
        tf.nn.bias_add(tf.zeros([3]), tf.zeros([3]))
    with pytest.raises(ValueError, match="Dimensions must be equal, but are 3 and 4"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([4]))
    with pytest.raises(ValueError, match="must be rank 1 but is rank 2"):
        tf.nn.bias_add(tf.zeros([2, 3]), tf.zeros([1, 3]))


@settings(max_examples=30)
@given(x=float_arrays(special=False, min_dims=2), keep=st.booleans())
def test_moments_are_mean_and_population_variance(x, keep):
    tf.reset_default_graph()
    mean, variance = tf.nn.moments(tf.constant(x), [0, -1], keep_dims=keep)
    got_mean, got_variance = run([mean, variance])
    x64 = x.astype(np.float64)
    want_mean = x64.mean(axis=(0, x.ndim - 1), keepdims=keep)
    want_var = ((x64 - x64.mean(axis=(0, x.ndim - 1), keepdims=True)) ** 2).mean(
        axis=(0, x.ndim - 1), keepdims=keep)
    tol = 1e-5 if x.dtype == np.float32 else 1e-12
    np.testing.assert_allclose(got_mean, want_mean, rtol=tol, atol=tol * np.abs(x64).max())
    np.testing.assert_allclose(got_variance, want_var, rtol=1e-4 if x.dtype == np.float32
                               else 1e-10, atol=tol * np.abs(x64).max() ** 2)
    assert got_mean.shape == want_mean.shape and got_variance.shape == want_var.shape


def test_moments_names_and_gradient():
    x = tf.constant([[1.0, 2.0], [3.0, 6.0]])
    mean, variance = tf.nn.moments(x, axes=[0])
    assert (mean.name, variance.name) == ("moments/Squeeze:0", "moments/variance:0")
    grad = run(tf.gradients(tf.reduce_sum(variance), x)[0])
    np.testing.assert_allclose(grad, [[-1.0, -2.0], [1.0, 2.0]])  # 2 (x - mean) / n


def test_embedding_lookup_rows_gradient_and_bad_ids():
    params = tf.constant(np.arange(12, dtype=np.float32).reshape(4, 3))
    ids = tf.placeholder(tf.int32, [None])
    rows = tf.nn.embedding_lookup(params, ids)
    assert rows.shape.as_list() == [None, 3] and rows.name == "embedding_lookup:0"
    grad = tf.gradients(tf.reduce_sum(rows), params)[0]
    with tf.Session() as sess:
        got, g = sess.run([rows, grad], {ids: [2, 0, 2]})
        np.testing.assert_array_equal(got, [[6, 7, 8], [0, 1, 2], [6, 7, 8]])
        np.testing.assert_array_equal(g[:, 0], [1, 0, 2, 0])  # ids picked twice add up
        with pytest.raises(errors.InvalidArgumentError, match=r"indices\[1\] = 4 is not in"
                                                               r" \[0, 4\)"):
            sess.run(rows, {ids: [0, 4]})
    two_d = tf.nn.embedding_lookup([params], [[3], [1]])
    np.testing.assert_array_equal(run(two_d)[:, 0, 0], [9, 3])
    with pytest.raises(TypeError, match="int32, int64"):
        tf.nn.embedding_lookup(params, tf.constant([0.0]))


# -- tf.losses ------------------------------------------------------------------------------
REDUCTIONS = [tf.losses.Reduction.NONE, tf.losses.Reduction.SUM, tf.losses.Reduction.MEAN,
              tf.losses.Reduction.SUM_OVER_BATCH_SIZE,
              tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS]


def _np_reduce(losses, weights, reduction):
    """TF1's compute_weighted_loss, by hand: weigh, then reduce (0 where nothing counts)."""
    weighted = losses * weights
    total = weighted.sum()
    ones = np.ones_like(losses)
    count = {tf.losses.Reduction.SUM: 1.0,
             tf.losses.Reduction.MEAN: (ones * weights).sum(),
             tf.losses.Reduction.SUM_OVER_BATCH_SIZE: losses.size,
             tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS: (ones * (weights != 0)).sum()}
    if reduction == tf.losses.Reduction.NONE:
        return weighted
    return total / count[reduction] if count[reduction] else 0.0


@st.composite
def regression_batch(draw):
    n, k = draw(st.integers(1, 4)), draw(st.integers(1, 3))
    values = hnp.arrays(np.float32, (n, k), elements=st.floats(-3, 3, width=32))
    weights = draw(st.one_of(
        st.sampled_from([1.0, 0.0, 2.5]),
        hnp.arrays(np.float32, (n, 1), elements=st.sampled_from([0.0, 1.0, 0.5, 2.0])),
        hnp.arrays(np.float32, (n, k), elements=st.sampled_from([0.0, 1.0, 3.0]))))
    return draw(values), draw(values), weights, draw(st.sampled_from(REDUCTIONS))


@settings(max_examples=40)
@given(v=regression_batch())
def test_mean_squared_error_weights_and_reductions(v):
    tf.reset_default_graph()
    labels, predictions, weights, reduction = v
    loss = tf.losses.mean_squared_error(labels, predictions, weights=weights,
                                        reduction=reduction)
    want = _np_reduce((predictions.astype(np.float64) - labels) ** 2, np.float64(weights),
                      reduction)
    np.testing.assert_allclose(run(loss), want, rtol=1e-5, atol=1e-5)
    assert tf.losses.get_losses() == [loss]


def test_default_reduction_names_and_collection():
    labels = tf.constant([[1.0], [2.0], [3.0]])
    predictions = tf.constant([[2.0], [2.0], [0.0]])
    loss = tf.losses.mean_squared_error(labels, predictions, weights=[[1.0], [0.0], [2.0]])
    assert loss.name == "mean_squared_error/value:0" and loss.dtype == tf.float32
    assert run(loss) == pytest.approx((1 + 0 + 18) / 2)  # two nonzero weights
    zero = tf.losses.mean_squared_error(labels, predictions, weights=0.0)
    assert run(zero) == 0.0  # nothing counts: 0, not nan
    extra = tf.constant(5.0)
    tf.losses.add_loss(extra)
    assert tf.losses.get_losses() == [loss, zero, extra]
    assert tf.losses.get_losses(scope="mean_squared_error_1") == [zero]
    assert run(tf.losses.get_total_loss()) == pytest.approx(9.5 + 5.0)
    unlisted = tf.losses.mean_squared_error(labels, predictions, loss_collection=None)
    assert unlisted not in tf.losses.get_losses()
    with pytest.raises(ValueError, match="Invalid Reduction Key"):
        tf.losses.mean_squared_error(labels, predictions, reduction="mean")
    with pytest.raises(ValueError, match="can not be broadcast"):
        tf.losses.mean_squared_error(labels, predictions, weights=[1.0, 2.0])
    with pytest.raises(ValueError, match="incompatible"):
        tf.losses.mean_squared_error(labels, tf.zeros([3, 2]))


@st.composite
def classification_batch(draw):
    n, k = draw(st.integers(1, 4)), draw(st.integers(2, 4))
    logits = draw(hnp.arrays(np.float32, (n, k), elements=st.floats(-5, 5, width=32)))
    ids = draw(hnp.arrays(np.int64, (n,), elements=st.integers(0, k - 1)))
    weights = draw(st.one_of(st.just(1.0), hnp.arrays(
        np.float32, (n,), elements=st.sampled_from([0.0, 1.0, 2.0]))))
    return logits, ids, weights, draw(st.sampled_from([0.0, 0.1, 0.3]))


@settings(max_examples=40)
@given(v=classification_batch())
def test_softmax_cross_entropy_losses_match_tf1(v):
    tf.reset_default_graph()
    logits, ids, weights, smoothing = v
    onehot = np.eye(logits.shape[1])[ids]
    smoothed = onehot * (1 - smoothing) + smoothing / logits.shape[1]
    per_example, _ = _np_softmax_xent(logits, smoothed)
    want = _np_reduce(per_example, np.float64(weights), tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS)
    dense = tf.losses.softmax_cross_entropy(onehot, logits, weights=weights,
                                            label_smoothing=smoothing)
    unknown = tf.placeholder(tf.float32, [None, None])  # num_classes read at run time
    fed = tf.losses.softmax_cross_entropy(unknown, logits, weights=weights,
                                          label_smoothing=smoothing)
    sparse = tf.losses.sparse_softmax_cross_entropy(ids, logits, weights=weights)
    column = tf.losses.sparse_softmax_cross_entropy(ids[:, None], logits, weights=(
        weights[:, None] if np.ndim(weights) else weights))  # [N, 1] labels are squeezed
    got = run([dense, fed], {unknown: onehot.astype(np.float32)})
    np.testing.assert_allclose(got, [want, want], rtol=1e-5, atol=1e-6)
    plain, _ = _np_softmax_xent(logits, onehot)
    want_sparse = _np_reduce(plain, np.float64(weights),
                             tf.losses.Reduction.SUM_BY_NONZERO_WEIGHTS)
    np.testing.assert_allclose(run([sparse, column]), [want_sparse] * 2, rtol=1e-5, atol=1e-6)


def test_softmax_cross_entropy_loss_stops_the_label_gradient():
    labels = tf.constant([[0.0, 1.0]])
    logits = tf.constant([[1.0, 2.0]])
    loss = tf.losses.softmax_cross_entropy(labels, logits)
    assert tf.gradients(loss, labels) == [None]
    grad = run(tf.gradients(loss, logits)[0])
    p = np.exp([1.0, 2.0]) / np.exp([1.0, 2.0]).sum()
    np.testing.assert_allclose(grad, [p - [0, 1]], rtol=1e-6)


@settings(max_examples=30)
@given(v=regression_batch(), smoothing=st.sampled_from([0.0, 0.2]))
def test_sigmoid_cross_entropy_loss_matches_tf1(v, smoothing):
    tf.reset_default_graph()
    labels, logits, weights, reduction = v
    labels = (labels > 0).astype(np.float32)
    z = labels * (1 - smoothing) + 0.5 * smoothing
    per_element = _np_sigmoid_xent(logits, z)
    want = _np_reduce(per_element, np.float64(weights), reduction)
    got = run(tf.losses.sigmoid_cross_entropy(labels, logits, weights=weights,
                                              label_smoothing=smoothing, reduction=reduction))
    np.testing.assert_allclose(got, want, rtol=1e-5, atol=1e-6)


def test_loss_gradients_match_finite_differences():
    rng = np.random.default_rng(0)
    x = tf.placeholder(tf.float64, [3, 4])
    value = rng.normal(size=(3, 4))
    labels = np.eye(4)[[0, 3, 1]]
    builds = [lambda a: tf.losses.mean_squared_error(labels, a),
              lambda a: tf.losses.softmax_cross_entropy(labels, a, weights=[1.0, 0.0, 2.0],
                                                        label_smoothing=0.1),
              lambda a: tf.losses.sparse_softmax_cross_entropy([0, 3, 1], a),
              lambda a: tf.losses.sigmoid_cross_entropy(labels, a, weights=2.0)]
    with tf.Session():
        for build in builds:
            y = build(x)
            error = tf.test.compute_gradient_error(x, [3, 4], y, [], x_init_value=value)
            assert error < 1e-4, build  # the losses are computed in float32, as in TF1


def test_compute_weighted_loss_weighs_reduces_and_collects():
    losses = tf.constant([[1.0, 2.0], [3.0, 4.0]])
    loss = tf.losses.compute_weighted_loss(losses, weights=[[1.0], [0.0]])
    assert run(loss) == pytest.approx(1.5)  # (1 + 2) over the two nonzero weights
    summed = tf.losses.compute_weighted_loss(losses, reduction=tf.losses.Reduction.SUM)
    assert run(summed) == pytest.approx(10.0)
    assert tf.get_collection(tf.GraphKeys.LOSSES) == [loss, summed]
    assert tf.losses.get_losses() == [loss, summed]


def test_softmax_and_cross_entropies_along_another_axis_as_in_tf1():
    z = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0 - 1.0
    e = np.exp(z - z.max(axis=1, keepdims=True))
    want = e / e.sum(axis=1, keepdims=True)
    np.testing.assert_allclose(run(tf.nn.softmax(z, axis=1)), want, rtol=1e-6)
    np.testing.assert_allclose(run(tf.nn.softmax(z, dim=-2)), want, rtol=1e-6)
    np.testing.assert_allclose(run(tf.nn.log_softmax(z, axis=1)), np.log(want), rtol=1e-5)
    labels = np.eye(3, dtype=np.float32)[[[0, 1, 2, 0], [2, 1, 0, 1]]].transpose(0, 2, 1)
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=z, axis=1)
    assert loss.shape.as_list() == [2, 4]
    np.testing.assert_allclose(run(loss), -np.sum(labels * np.log(want), axis=1), rtol=1e-5)
    with pytest.raises(errors.InvalidArgumentError, match="out of range"):
        tf.nn.softmax(z, axis=3)


def test_sparse_cross_entropy_of_rank_3_logits_as_in_tf1():
    z = np.arange(24, dtype=np.float32).reshape(2, 3, 4) / 7.0 - 1.0
    ids = np.array([[0, 1, 2], [3, 2, 1]])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=ids, logits=z)
    assert loss.shape.as_list() == [2, 3]
    lse = np.log(np.exp(z).sum(-1))
    np.testing.assert_allclose(run(loss), lse - np.take_along_axis(z, ids[..., None], -1)[..., 0],
                               rtol=1e-5)
    logits = tf.placeholder(tf.float32, [None, 3, 4])
    grad, = tf.gradients(tf.reduce_sum(tf.nn.sparse_softmax_cross_entropy_with_logits(
        labels=ids, logits=logits)), logits)
    softmax = np.exp(z) / np.exp(z).sum(-1, keepdims=True)
    np.testing.assert_allclose(run(grad, {logits: z}), softmax - np.eye(4)[ids], rtol=1e-5,
                               atol=1e-6)
