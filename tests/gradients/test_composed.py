"""Randomly composed small graphs: hypothesis builds an expression of several ops over two
inputs, and its gradient must match finite differences."""
import numpy as np
from hypothesis import given, strategies as st

import tinygraph as tf
from tests import strategies as S
from tests.gradients.test_op_grads import check

# Smooth, domain-safe unary steps (each keeps values in a range the next one accepts).
UNARY = [
    ("tanh", tf.tanh),
    ("sigmoid", tf.sigmoid),
    ("square", tf.square),
    ("softmax", tf.nn.softmax),
    ("exp_of_tanh", lambda t: tf.exp(tf.tanh(t))),
    ("log_1_plus_square", lambda t: tf.log(1.0 + tf.square(t))),
    ("sqrt_1_plus_square", lambda t: tf.sqrt(1.0 + tf.square(t))),
    ("neg", tf.negative),
    ("identity", tf.identity),
]
BINARY = [
    ("add", tf.add),
    ("sub", tf.subtract),
    ("mul", tf.multiply),
    ("div", lambda a, b: a / (1.5 + tf.tanh(b))),  # denominator in [0.5, 2.5]
]


@st.composite
def expressions(draw):
    """A list of (kind, index, which operands) steps: an expression DAG over a and b."""
    steps = []
    for _ in range(draw(st.integers(2, 6))):
        if draw(st.booleans()):
            steps.append(("unary", draw(st.integers(0, len(UNARY) - 1)), None))
        else:
            steps.append(("binary", draw(st.integers(0, len(BINARY) - 1)),
                          draw(st.integers(0, 1))))
    return steps


def build(steps):
    def graph(a, b):
        values = [a, b]
        for kind, index, other in steps:
            if kind == "unary":
                values.append(UNARY[index][1](values[-1]))
            else:
                values.append(BINARY[index][1](values[-1], values[other]))
        return tf.reduce_sum(values[-1] * values[-1], axis=-1)  # reuse the last node twice
    return graph


@given(expressions(), S.shapes.flatmap(lambda shape: S.values(shape, -1, 1).flatmap(
    lambda a: S.values(shape[-1:], -1, 1).map(lambda b: (a, b)))))
def test_random_compositions(steps, inputs):
    tf.reset_default_graph()
    a, b = inputs
    check(build(steps), np.asarray(a), np.asarray(b), tolerance=1e-5)


@given(S.shapes.flatmap(S.away_from_zero))
def test_two_layer_net_shape(x):
    """relu(x @ W1 + b1) @ W2 + b2 with the mean cross-entropy, as in the benchmark model."""
    tf.reset_default_graph()
    rows = x.reshape(x.shape[0], -1)
    # Small weights and large biases keep every pre-activation at least 0.4 away from relu's
    # kink (|x @ w1| <= 16 * 2 * 0.05 = 1.6), where finite differences are meaningless.
    w1 = np.linspace(-0.05, 0.05, rows.shape[1] * 3).reshape(rows.shape[1], 3)
    labels = tf.constant(np.arange(rows.shape[0]) % 2)

    def net(inp, weights):
        hidden = tf.nn.relu(tf.matmul(inp, weights) + tf.constant([2.0, -3.0, 2.5], tf.float64))
        logits = tf.matmul(hidden, tf.constant([[1.0, -1.0], [0.5, 0.3], [-0.2, 0.4]],
                                               tf.float64))
        return tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            labels=labels, logits=logits)) + 0.1 * tf.nn.l2_loss(weights)
    check(net, rows, w1, tolerance=1e-5)
