"""One rule for the axes of every reduction, TF1's: an axis must lie in [-rank, rank).

So a scalar has no axis 0 or -1. When the rank is known the graph is refused at build time
(TF1's shape function, ``ValueError``); when it is known only at run time the run fails
(TF1's kernel, ``InvalidArgumentError``). ``axis=None`` and ``axis=[]`` reduce a scalar to
itself. The compositions built on the reductions (logsumexp, count_nonzero) follow.
"""
import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st

import tinygraph as tf
from tinygraph import errors

NUMBER_REDUCTIONS = {"Sum": tf.reduce_sum, "Mean": tf.reduce_mean, "Max": tf.reduce_max,
                     "Min": tf.reduce_min, "Prod": tf.reduce_prod,
                     "logsumexp": tf.reduce_logsumexp, "count_nonzero": tf.count_nonzero}
BOOL_REDUCTIONS = {"Any": tf.reduce_any, "All": tf.reduce_all}
REDUCTIONS = [(name, fn, tf.float32) for name, fn in NUMBER_REDUCTIONS.items()] + \
    [(name, fn, tf.bool) for name, fn in BOOL_REDUCTIONS.items()]
IDS = [name for name, _, _ in REDUCTIONS]


def _value(dtype, shape):
    return np.ones(shape, dtype.np_dtype)


@pytest.mark.parametrize("name,reduce,dtype", REDUCTIONS, ids=IDS)
@given(rank=st.integers(0, 3), axis=st.integers(-5, 5), as_list=st.booleans())
def test_an_axis_outside_the_rank_is_refused_when_the_graph_is_built(name, reduce, dtype, rank,
                                                                     axis, as_list):
    with tf.Graph().as_default():
        x = tf.placeholder(dtype, [2] * rank)
        if -rank <= axis < rank:
            out = reduce(x, [axis] if as_list else axis)
            with tf.Session() as sess:
                got = sess.run(out, {x: _value(dtype, [2] * rank)})
            assert np.shape(got) == (2,) * (rank - 1)
            return
        with pytest.raises(ValueError, match="Invalid reduction dimension %d for input with %d "
                                             "dimensions." % (axis, rank)):
            reduce(x, [axis] if as_list else axis)


@pytest.mark.parametrize("name,reduce,dtype", REDUCTIONS, ids=IDS)
@pytest.mark.parametrize("axis", [0, -1, [0], [-1, 0]])
def test_a_scalar_has_no_axis_even_when_its_rank_is_known_only_at_run_time(name, reduce,
                                                                           dtype, axis):
    with pytest.raises(ValueError, match="Invalid reduction dimension -?[01] for input with 0 "
                                         "dimensions."):
        reduce(tf.constant(_value(dtype, [])), axis)
    unknown = tf.placeholder(dtype)  # rank unknown when the graph is built
    out = reduce(unknown, axis)
    with tf.Session() as sess:
        with pytest.raises(errors.InvalidArgumentError,
                           match=r"Invalid reduction dimension \(-?[01] for input with 0 "
                                 r"dimension\(s\)"):
            sess.run(out, {unknown: _value(dtype, [])})
        # a rank that has the axis is fine
        assert np.shape(sess.run(out, {unknown: _value(dtype, [3, 3])})) in ((), (3,))


@pytest.mark.parametrize("name,reduce,dtype", REDUCTIONS, ids=IDS)
def test_no_axes_reduce_a_scalar_to_itself(name, reduce, dtype):
    x = tf.constant(_value(dtype, []))
    p = tf.placeholder(dtype)
    outs = [reduce(x), reduce(x, []), reduce(p), reduce(p, [])]
    assert all(out.shape.as_list() == [] for out in outs[:2])
    with tf.Session() as sess:
        got = sess.run(outs, {p: _value(dtype, [])})
    want = {"logsumexp": np.log(np.e), "count_nonzero": 1}.get(name, _value(dtype, []))
    for value in got:
        assert np.shape(value) == () and np.isclose(value, want)


def test_the_gradients_of_reductions_of_scalars():
    x = tf.placeholder(tf.float32, [])
    outs = [fn(x) for fn in NUMBER_REDUCTIONS.values() if fn is not tf.count_nonzero]
    grads = tf.gradients(tf.add_n(outs), x)
    with tf.Session() as sess:
        assert sess.run(grads, {x: 2.0}) == [len(outs)]
