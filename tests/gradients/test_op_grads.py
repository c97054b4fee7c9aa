"""Every differentiable op's gradient against central finite differences.

One table row per op type. Each row draws inputs with hypothesis (shapes with size-1 axes,
broadcasting pairs, float64), builds the op on placeholders whose batch dim is unknown
(None), and compares the full Jacobian from ``tinygraph.gradients`` with a numerical one
(``tinygraph.test.compute_gradient``). Adding an op type with a gradient but no row here
fails ``test_every_differentiable_op_has_a_row``.
"""
import numpy as np
import pytest
from hypothesis import given, strategies as st

import tinygraph as tf
from tests import strategies as S
from tinygraph import registry
from tinygraph.graph import create_op
from tinygraph.ops.array_ops import broadcast_like, reshape_like, sum_to_shape

TOLERANCE = 1e-6


def loose(shape):
    """A placeholder shape with the first dim unknown (as a batch dim would be)."""
    return [None] + list(shape[1:]) if len(shape) else []


def check(build, *inputs, tolerance=TOLERANCE, delta=1e-6):
    """Compare theoretical and numerical Jacobians of build(*placeholders) for each input."""
    inputs = [np.asarray(v, np.float64) for v in inputs]
    placeholders = [tf.placeholder(tf.float64, loose(v.shape)) for v in inputs]
    y = build(*placeholders)
    feeds = dict(zip(placeholders, inputs))
    with tf.Session():
        y_shape = np.shape(tf.get_default_session().run(y, feeds))
        for x, value in zip(placeholders, inputs):
            others = {p: v for p, v in feeds.items() if p is not x}
            theoretical, numerical = tf.test.compute_gradient(
                x, value.shape, y, y_shape, x_init_value=value, delta=delta,
                extra_feed_dict=others)
            scale = max(1.0, float(np.abs(numerical).max(initial=0)))
            np.testing.assert_allclose(theoretical, numerical, atol=tolerance * scale,
                                       rtol=tolerance)


@st.composite
def broadcast_inputs(draw, right=S.values):
    shapes = draw(S.broadcast_pairs).input_shapes
    return draw(S.values(shapes[0])), draw(right(shapes[1]))


@st.composite
def matmul_inputs(draw):
    n, k, m = draw(S.matrix_sides), draw(S.matrix_sides), draw(S.matrix_sides)
    ta, tb = draw(st.booleans()), draw(st.booleans())
    a = draw(S.values((k, n) if ta else (n, k)))
    b = draw(S.values((m, k) if tb else (k, m)))
    return a, b, ta, tb


@st.composite
def reduce_inputs(draw):
    x = draw(S.shapes.flatmap(S.values))
    axis = draw(st.one_of(st.none(), st.integers(-x.ndim, x.ndim - 1),
                          st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim,
                                   unique=True)))
    return x, axis, draw(st.booleans())


@st.composite
def xent_inputs(draw):
    rows, classes = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    return draw(S.values((rows, classes), -3, 3)), draw(S.labels(rows, classes))


@st.composite
def two_of_one_shape(draw, values=S.values):
    shape = draw(S.shapes)
    return draw(values(shape)), draw(values(shape))


one_input = S.shapes.flatmap(S.values)


def run_xent(logits, labels):
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels),
                                                          logits=logits)


# op type -> (strategy for the inputs, test body); every body calls check(...)
TABLE = {
    "Add": (broadcast_inputs(), lambda v: check(lambda a, b: a + b, *v)),
    "Sub": (broadcast_inputs(), lambda v: check(lambda a, b: a - b, *v)),
    "Mul": (broadcast_inputs(), lambda v: check(lambda a, b: a * b, *v)),
    "RealDiv": (broadcast_inputs(S.positive), lambda v: check(lambda a, b: a / b, *v)),
    "Neg": (one_input, lambda x: check(lambda a: -a, x)),
    "Square": (one_input, lambda x: check(tf.square, x)),
    "Sqrt": (S.shapes.flatmap(S.positive), lambda x: check(tf.sqrt, x)),
    "Exp": (one_input, lambda x: check(tf.exp, x)),
    "Log": (S.shapes.flatmap(S.positive), lambda x: check(tf.log, x)),
    "MatMul": (matmul_inputs(), lambda v: check(
        lambda a, b: tf.matmul(a, b, transpose_a=v[2], transpose_b=v[3]), v[0], v[1])),
    "Sum": (reduce_inputs(), lambda v: check(
        lambda a: tf.reduce_sum(a, axis=v[1], keepdims=v[2]), v[0])),
    "Mean": (reduce_inputs(), lambda v: check(
        lambda a: tf.reduce_mean(a, axis=v[1], keepdims=v[2]), v[0])),
    "AddN": (two_of_one_shape(), lambda v: check(lambda a, b: tf.add_n([a, b, a]), *v)),
    "Reshape": (one_input, lambda x: check(lambda a: tf.reshape(a, [-1]), x)),
    "ExpandDims": (one_input, lambda x: check(lambda a: tf.expand_dims(a, 0), x)),
    "Identity": (one_input, lambda x: check(tf.identity, x)),
    "Cast": (one_input, lambda x: check(
        lambda a: tf.cast(tf.cast(a, tf.float32), tf.float64), x, tolerance=1e-4, delta=0.01)),
    "Relu": (S.shapes.flatmap(S.away_from_zero), lambda x: check(tf.nn.relu, x)),
    "Sigmoid": (one_input, lambda x: check(tf.nn.sigmoid, x)),
    "Tanh": (one_input, lambda x: check(tf.nn.tanh, x)),
    "Softmax": (one_input, lambda x: check(tf.nn.softmax, x)),
    "L2Loss": (one_input, lambda x: check(tf.nn.l2_loss, x)),
    "SparseSoftmaxCrossEntropyWithLogits": (xent_inputs(), lambda v: check(
        lambda logits: run_xent(logits, v[1]), v[0])),
    # Internal ops that gradients build; second-order gradients go through them.
    "SumToShape": (broadcast_inputs(), lambda v: check(
        lambda a, b: sum_to_shape(a + b, b), *v)),
    "BroadcastLike": (broadcast_inputs(), lambda v: check(
        lambda a, b: broadcast_like(a, a + b) * 1.0, *v)),
    "ReshapeLike": (two_of_one_shape(), lambda v: check(
        lambda a, b: reshape_like(tf.reshape(a * b, [-1]), a), *v)),
    "MeanGrad": (reduce_inputs(), lambda v: check(
        lambda a: tf.gradients(tf.reduce_mean(a * a, axis=v[1], keepdims=v[2]), a)[0], v[0])),
    "ReluGrad": (two_of_one_shape(S.away_from_zero), lambda v: check(
        lambda g, x: create_op("ReluGrad", [g, tf.nn.relu(x)], {}), *v)),
}


def test_every_differentiable_op_has_a_row():
    differentiable = {t for t, fn in registry._GRADIENTS.items() if fn is not None}
    assert differentiable - set(TABLE) == set()


@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_gradient_matches_finite_differences(op_type):
    strategy, body = TABLE[op_type]

    @given(strategy)
    def run(value):
        tf.reset_default_graph()
        body(value)
    run()
