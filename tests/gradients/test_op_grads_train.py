"""Gradients of the ops that TF1 composes from primitives and tinygraph computes as one op:
``train.exponential_decay``, ``clip_by_norm`` and ``clip_by_global_norm``.

Same rows and driver as test_op_grads.py (finite differences in float64 under every
placeholder mode, float32 against float64, second order). Inputs keep the clipping away from
its kink (a norm equal to ``clip_norm``); the values TF1 defines AT the kink are tested
exactly below, and tests/e2e/tf1_reference compares the gradients with real TF1's.
"""
import numpy as np
import pytest
from hypothesis import settings, strategies as st

import tinygraph as tf
from tests import strategies as S
from tests.gradients.test_op_grads import (check, check_float32, first_gradient,
                                           run_table_row, second_order)


@st.composite
def decay_inputs(draw):
    """lr, step (float), decay_steps, decay_rate: scalars in the smooth domain."""
    scalar = lambda low, high: draw(S.values((), low, high))  # noqa: E731
    return scalar(-2.0, 2.0), scalar(0.0, 5.0), scalar(0.5, 3.0), scalar(0.3, 1.5)


def decay_body(v, check):
    lr, step, steps, rate = v
    staircase_steps = float(np.floor(step))
    return check(lambda *xs: tf.train.exponential_decay(*xs), lr, step, steps, rate) | check(
        lambda lr, rate: tf.train.exponential_decay(lr, staircase_steps + 0.5, 2.0, rate,
                                                    staircase=True), lr, rate)


def norms(x, axes):
    return np.sqrt(np.sum(x * x, axis=None if axes is None else tuple(axes)))


def clip_away_from(all_norms, draw):
    """A clip norm at least 20 % away from every norm: below, above, or between two."""
    low, high = float(np.min(all_norms)), float(np.max(all_norms))
    choices = [0.5 * low, 2.0 * high]
    if high > 1.5 * low:
        choices.append(np.sqrt(low * high))
        if np.min(np.abs(np.log(np.ravel(all_norms) / choices[-1]))) < 0.2:
            choices.pop()
    return draw(st.sampled_from(choices))


@st.composite
def clip_by_norm_inputs(draw):
    x = draw(S.shapes.flatmap(S.away_from_zero))
    axes = draw(st.one_of(st.none(), st.lists(st.integers(0, x.ndim - 1), min_size=1,
                                              max_size=x.ndim, unique=True)))
    return x, np.float64(clip_away_from(norms(x, axes), draw)), axes


def clip_by_norm_body(v, check):
    x, clip, axes = v
    return check(lambda a, c: tf.clip_by_norm(a, c, axes=axes), x, clip) | check(
        first_gradient(lambda a, c: tf.clip_by_norm(a * a, c, axes=axes)), x, clip)


@st.composite
def global_clip_inputs(draw):
    """Two tensors, a clip norm away from their global norm, and a given norm ``u`` away
    from the clip norm."""
    a = draw(S.shapes.flatmap(S.away_from_zero))
    b = draw(S.shapes_or_scalar.flatmap(S.away_from_zero))
    total = np.sqrt(np.sum(a * a) + np.sum(b * b))
    clip = np.float64(clip_away_from([total], draw))
    use = np.float64(draw(st.sampled_from([0.5, 2.0])) * clip)
    return a, b, clip, use


def global_clip_body(v, check):
    a, b, clip, use = v

    def clipped(x, y, c):
        out, norm = tf.clip_by_global_norm([x, None, y], c)
        return out[0] * 2.0 + tf.reduce_sum(out[2]) + norm

    def clipped_by(x, y, c, u):
        out, _ = tf.clip_by_global_norm([x, y], c, use_norm=u)
        return tf.reduce_sum(out[0] * out[0]) + tf.reduce_sum(out[1])

    return check(clipped, a, b, clip) | check(clipped_by, a, b, clip, use)


TABLE = {
    "ExponentialDecay": (decay_inputs(), decay_body),
    "ClipByNorm": (clip_by_norm_inputs(), clip_by_norm_body),
    "ClipByGlobalNorm": (global_clip_inputs(), global_clip_body),
}


@pytest.mark.parametrize("mode", S.PLACEHOLDER_MODES)
@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_gradient_matches_finite_differences(op_type, mode):
    run, used = run_table_row(op_type, check, mode, table=TABLE)
    settings(max_examples=10)(run)()
    assert op_type in used, "the row never built a %s op" % op_type


@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_second_order_gradient_matches_finite_differences(op_type):
    run, used = run_table_row(op_type, second_order(check), table=TABLE)
    settings(max_examples=5)(run)()
    assert op_type in used, "the row never built a %s op" % op_type


@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_float32_gradients_stay_float32_and_match_float64(op_type):
    run, used = run_table_row(op_type, check_float32, table=TABLE)
    settings(max_examples=4)(run)()
    assert op_type in used, "the row never built a %s op" % op_type


# -- exact values at the kinks, as TF1's compositions give them --------------------------------
def _grads(y, xs):
    with tf.Session() as sess:
        return sess.run(tf.gradients(y, xs))


def test_clip_by_norm_at_its_kink_sends_the_gradient_through_the_norm():
    t, c = tf.constant([3.0, 4.0]), tf.constant(5.0)  # norm == clip_norm: maximum's tie
    g_t, g_c = _grads(tf.reduce_sum(tf.clip_by_norm(t, c) * [1.0, 2.0]), [t, c])
    # y = t * c / norm(t): dy/dt = c/n * w - c (w . t) t / n^3, dy/dc = (w . t) / n
    np.testing.assert_allclose(g_t, [1.0 - 11.0 * 3 / 25, 2.0 - 11.0 * 4 / 25], rtol=1e-6)
    np.testing.assert_allclose(g_c, 11.0 / 5.0, rtol=1e-6)


def test_clip_by_norm_of_zeros_has_the_gradient_of_its_safe_branch():
    t, c = tf.constant([0.0, 0.0]), tf.constant(1.0)
    g_t, g_c = _grads(tf.reduce_sum(tf.clip_by_norm(t, c)), [t, c])
    assert g_t.tolist() == [1.0, 1.0] and g_c == 0.0  # no NaN from sqrt(0)


def test_clip_by_global_norm_at_its_kink_sends_the_gradient_through_the_norm():
    a, c = tf.constant([3.0, 4.0]), tf.constant(5.0)
    (clipped,), _ = tf.clip_by_global_norm([a], c)
    g_a, g_c = _grads(tf.reduce_sum(clipped * [1.0, 2.0]), [a, c])
    np.testing.assert_allclose(g_a, [1.0 - 11.0 * 3 / 25, 2.0 - 11.0 * 4 / 25], rtol=1e-6)
    np.testing.assert_allclose(g_c, 11.0 / 5.0, rtol=1e-6)


def test_exponential_decay_has_no_gradient_into_an_integer_or_staircase_step():
    lr, rate, step = tf.constant(0.5), tf.constant(0.8), tf.constant(3)
    fstep = tf.constant(3.0)
    assert tf.gradients(tf.train.exponential_decay(lr, step, 2, rate), step) == [None]
    assert tf.gradients(tf.train.exponential_decay(lr, fstep, 2.0, rate, staircase=True),
                        fstep) == [None]
    g_lr, g_rate = _grads(tf.train.exponential_decay(lr, step, 2, rate, staircase=True),
                          [lr, rate])
    np.testing.assert_allclose([g_lr, g_rate], [0.8, 0.5], rtol=1e-6)  # p = floor(3/2) = 1
    decayed = tf.train.exponential_decay(lr, fstep, 2.0, rate)
    g_step, = _grads(decayed, [fstep])
    np.testing.assert_allclose(g_step, 0.5 * 0.8 ** 1.5 * np.log(0.8) / 2.0, rtol=1e-6)
