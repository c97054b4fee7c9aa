"""Every differentiable op's gradient against central finite differences.

One table row per op type. Each row draws inputs with hypothesis (shapes with a batch of 1,
broadcasting pairs, float64) and builds the op on placeholders declared with their exact
shape, with an unknown batch dim ([None, 4]) and with unknown rank: each of the three is
its own test, so every row runs with unknown ranks. The full Jacobian from
``tinygraph.gradients`` must match a numerical one (``tinygraph.test.compute_gradient``),
and so must the Jacobian of each row's gradient (second order, again in each mode). The
same rows then run in float32 (gradients stay float32 and agree with float64), and a
random-projection check covers larger shapes. Adding an op type with a gradient but no
row here fails ``test_every_differentiable_op_has_a_row``.
"""
import functools
import importlib
import pathlib

import numpy as np
import pytest
from hypothesis import given, settings, strategies as st

import tinygraph as tf
from tests import strategies as S
from tinygraph import registry
from tinygraph.graph import create_op
from tinygraph.ops.array_ops import reshape_like
from tinygraph.ops.broadcast_ops import broadcast_like, ensure_shape_like, sum_to_shape

TOLERANCE = 1e-6


def forward_op_types(y):
    """Op types that y depends on (the graph the row built, before any gradient ops)."""
    seen, stack = set(), [y.op]
    while stack:
        op = stack.pop()
        if op not in seen:
            seen.add(op)
            stack.extend(t.op for t in op.inputs)
    return {op.type for op in seen}


def check(build, *inputs, mode="batch_none", tolerance=TOLERANCE, delta=1e-6):
    """Theoretical vs numerical Jacobians of build(*placeholders) for each input.

    Returns the op types the built graph uses, so a row can prove it exercised its op.
    """
    inputs = [np.asarray(v, np.float64) for v in inputs]
    placeholders = [tf.placeholder(tf.float64, S.placeholder_shape(mode, v.shape))
                    for v in inputs]
    y = build(*placeholders)
    feeds = dict(zip(placeholders, inputs))
    with tf.Session() as sess:
        y_shape = np.shape(sess.run(y, feeds))
        for x, value in zip(placeholders, inputs):
            others = {p: v for p, v in feeds.items() if p is not x}
            theoretical, numerical = tf.test.compute_gradient(
                x, value.shape, y, y_shape, x_init_value=value, delta=delta,
                extra_feed_dict=others)
            assert theoretical.shape == (value.size, int(np.prod(y_shape)))
            scale = max(1.0, float(np.abs(numerical).max(initial=0)))
            np.testing.assert_allclose(theoretical, numerical, atol=tolerance * scale,
                                       rtol=tolerance)
    return forward_op_types(y)


def projected_gradients(build, inputs, dtype, mode, weights_seed=0):
    """Gradients of sum(w * build(*xs)) for a fixed random w, in ``dtype``."""
    tf.reset_default_graph()
    placeholders = [tf.placeholder(dtype, S.placeholder_shape(mode, v.shape)) for v in inputs]
    feeds = {p: v.astype(dtype.np_dtype) for p, v in zip(placeholders, inputs)}
    y = build(*placeholders)
    with tf.Session() as sess:
        y_value = np.asarray(sess.run(y, feeds))
        w = tf.placeholder(y.dtype, None)
        weights = np.random.default_rng(weights_seed).uniform(-1, 1, y_value.shape)
        grads = tf.gradients(tf.reduce_sum(y * w), placeholders)
        assert all(g is not None for g in grads)
        values = sess.run(grads, {**feeds, w: weights.astype(y.dtype.np_dtype)})
    return grads, values, forward_op_types(y)


def check_float32(build, *inputs, mode="batch_none", **unused):
    """In float32 the gradients are float32 (graph and values) and match float64 ones."""
    inputs = [np.asarray(v, np.float64) for v in inputs]
    grads, values32, used = projected_gradients(build, inputs, tf.float32, mode)
    assert [g.dtype for g in grads] == [tf.float32] * len(inputs)
    assert [v.dtype for v in values32] == [np.float32] * len(inputs)
    _, values64, _ = projected_gradients(build, inputs, tf.float64, mode)
    for got, want in zip(values32, values64):
        scale = max(1.0, float(np.abs(want).max(initial=0)))
        np.testing.assert_allclose(got, want, rtol=1e-3, atol=1e-3 * scale)
    return used


@st.composite
def broadcast_inputs(draw, right=S.values):
    shapes = draw(S.broadcast_pairs).input_shapes
    return draw(S.values(shapes[0])), draw(right(shapes[1]))


@st.composite
def matmul_inputs(draw):
    """a [n, k] and b [k, m]; the row tries all four transpose_a/transpose_b combinations."""
    n, k, m = draw(S.matrix_sides), draw(S.matrix_sides), draw(S.matrix_sides)
    return draw(S.values((n, k))), draw(S.values((k, m)))


@st.composite
def reduce_inputs(draw):
    x = draw(S.shapes_or_scalar.flatmap(S.values))
    if x.ndim == 0:
        return x, None, draw(st.booleans())
    some_axes = st.lists(st.integers(0, x.ndim - 1), min_size=1, max_size=x.ndim, unique=True)
    # Lists of axes first: hypothesis tries the first choice most, and they are the hardest.
    axis = draw(st.one_of(some_axes.flatmap(lambda axes: st.tuples(*[
                              st.sampled_from([a, a - x.ndim]) for a in axes]).map(list)),
                          st.integers(-x.ndim, x.ndim - 1),  # negative ones too
                          st.none()))
    return x, axis, draw(st.booleans())


@st.composite
def xent_inputs(draw):
    rows, classes = draw(st.integers(1, 4)), draw(st.integers(2, 5))
    return draw(S.values((rows, classes), -3, 3)), draw(S.labels(rows, classes))


@st.composite
def two_of_one_shape(draw, values=S.values):
    shape = draw(S.shapes)
    return draw(values(shape)), draw(values(shape))


one_input = S.shapes_or_scalar.flatmap(S.values)


def xent(logits, labels):
    return tf.nn.sparse_softmax_cross_entropy_with_logits(labels=tf.constant(labels),
                                                          logits=logits)


def first_gradient(f):
    """x -> d sum(f(x)) / dx as a graph: differentiating it again is a second-order check."""
    return lambda *xs: tf.gradients(tf.reduce_sum(f(*xs)), xs[0])[0]


def matmul_body(v, check):
    a, b = v
    used = set()
    for ta in (False, True):
        for tb in (False, True):
            used |= check(lambda x, y: tf.matmul(x, y, transpose_a=ta, transpose_b=tb),
                          a.T if ta else a, b.T if tb else b)
    return used


def cast_body(x, check):
    # float64 -> float32 -> float64 (the float32 step costs precision) and float64 -> float64
    used = check(lambda a: tf.cast(tf.cast(a, tf.float32), tf.float64), x, tolerance=1e-4,
                 delta=0.01)
    return used | check(lambda a: tf.cast(a, a.dtype) * a, x)


def internal_body(direct, second_order):
    """Rows of the ops that gradients build: checked directly and as a gradient's gradient."""
    return lambda v, check: check(direct, *v) | check(second_order, *v)


# op type -> (strategy for the inputs, body(value, check) returning check's op types)
TABLE = {
    "Add": (broadcast_inputs(), lambda v, check: check(lambda a, b: a + b, *v)),
    "Sub": (broadcast_inputs(), lambda v, check: check(lambda a, b: a - b, *v)),
    "Mul": (broadcast_inputs(), lambda v, check: check(lambda a, b: a * b, *v)),
    "RealDiv": (broadcast_inputs(S.positive), lambda v, check: check(lambda a, b: a / b, *v)),
    "Neg": (one_input, lambda x, check: check(lambda a: -a, x)),
    "Square": (one_input, lambda x, check: check(tf.square, x)),
    "Sqrt": (S.shapes_or_scalar.flatmap(S.positive), lambda x, check: check(tf.sqrt, x)),
    "Exp": (one_input, lambda x, check: check(tf.exp, x)),
    "Log": (S.shapes_or_scalar.flatmap(S.positive), lambda x, check: check(tf.log, x)),
    "MatMul": (matmul_inputs(), matmul_body),
    "Sum": (reduce_inputs(), lambda v, check: check(
        lambda a: tf.reduce_sum(a, axis=v[1], keepdims=v[2]), v[0])),
    "Mean": (reduce_inputs(), lambda v, check: check(
        lambda a: tf.reduce_mean(a, axis=v[1], keepdims=v[2]), v[0])),
    "AddN": (two_of_one_shape(), lambda v, check: check(lambda a, b: tf.add_n([a, b, a]), *v)),
    "Reshape": (one_input, lambda x, check: check(lambda a: tf.reshape(a, [-1]), x) | check(
        lambda a: tf.square(tf.reshape(a, [1, -1, 1])), x) | check(  # a shape tensor:
        lambda a: tf.square(tf.reshape(a, [tf.size(a), 1])), x)),
    "ExpandDims": (one_input, lambda x, check: check(lambda a: tf.expand_dims(a, 0), x) | check(
        lambda a: tf.expand_dims(a, -1) * tf.expand_dims(a, -1), x)),
    "Identity": (one_input, lambda x, check: check(tf.identity, x)),
    "Print": (one_input, lambda x, check: check(
        lambda a: tf.Print(a, [a], first_n=0) * a, x)),
    "Cast": (one_input, cast_body),
    "Cond": (two_of_one_shape(), lambda v, check: check(lambda a, b: tf.cond(
        tf.constant(True), lambda: a * b, lambda: tf.square(a)), *v) | check(
        lambda a, b: tf.cond(tf.constant(False), lambda: [a * b, a],
                             lambda: [tf.square(a), tf.exp(b)])[1] * a, *v)),
    "Relu": (S.shapes_or_scalar.flatmap(S.away_from_zero), lambda x, check: check(tf.nn.relu, x)),
    "Sigmoid": (one_input, lambda x, check: check(tf.nn.sigmoid, x)),
    "Tanh": (one_input, lambda x, check: check(tf.nn.tanh, x)),
    "Softmax": (S.shapes.flatmap(S.values), lambda x, check: check(tf.nn.softmax, x)),
    "L2Loss": (one_input, lambda x, check: check(tf.nn.l2_loss, x)),
    "SparseSoftmaxCrossEntropyWithLogits": (xent_inputs(), lambda v, check: check(
        lambda logits: xent(logits, v[1]), v[0]) | check(  # and second order (via backprop)
        first_gradient(lambda logits: tf.square(xent(logits, v[1]))), v[0])),
    # Internal ops that gradients build; second-order gradients go through them.
    "SumToShape": (broadcast_inputs(), internal_body(
        lambda a, b: sum_to_shape(a * b, b),
        first_gradient(lambda a, b: tf.square(a + b)))),
    "BroadcastLike": (broadcast_inputs(), internal_body(
        lambda a, b: broadcast_like(a, a + b) * b,
        first_gradient(lambda a, b: tf.square(tf.reduce_sum(a * b))))),
    "ReshapeLike": (two_of_one_shape(), internal_body(
        lambda a, b: reshape_like(tf.reshape(a * b, [-1]), a),
        first_gradient(lambda a, b: tf.square(tf.reshape(a * b, [-1]))))),
    "SumGrad": (reduce_inputs(), lambda v, check: check(
        first_gradient(lambda a: tf.square(tf.reduce_sum(a * a, axis=v[1], keepdims=v[2]))),
        v[0])),
    "MeanGrad": (reduce_inputs(), lambda v, check: check(
        first_gradient(lambda a: tf.square(tf.reduce_mean(a * a, axis=v[1], keepdims=v[2]))),
        v[0])),
    "EnsureShapeLike": (two_of_one_shape(), internal_body(
        lambda a, b: ensure_shape_like(a * b, b),
        lambda a, b: tf.gradients(tf.square(a * b), a, grad_ys=tf.tanh(b))[0])),
    "ReluGrad": (two_of_one_shape(S.away_from_zero), internal_body(
        lambda g, x: create_op("ReluGrad", [g * x, tf.nn.relu(x)], {}),
        first_gradient(lambda x, g: tf.square(tf.nn.relu(x)) * g))),
}


def all_table_rows():
    """The op types of ``TABLE`` in every ``tests/gradients/test_op_grads*.py`` module (each
    op family keeps its rows in its own module, with the same row format)."""
    rows = set(TABLE)
    for path in sorted(pathlib.Path(__file__).parent.glob("test_op_grads?*.py")):
        module = importlib.import_module("tests.gradients." + path.stem)
        rows |= set(getattr(module, "TABLE", {}))
    return rows


def test_every_differentiable_op_has_a_row():
    differentiable = {t for t, fn in registry._GRADIENTS.items() if fn is not None}
    rows = all_table_rows()
    assert differentiable - rows == set(), "differentiable ops without a table row"
    assert rows - differentiable == set(), "rows for ops with no registered gradient"


def second_order(check_fn):
    """``check_fn`` applied to the gradient of ``sum(build(*xs) ** 2)`` with respect to each
    input in turn, so every gradient op that the row's op builds is differentiated again
    (squaring keeps that gradient from being constant when the op is linear)."""
    def check_second(build, *inputs, **options):
        used = set()
        for i in range(len(inputs)):
            def gradient(*xs, i=i):
                return tf.gradients(tf.reduce_sum(tf.square(build(*xs))), xs[i])[0]
            used |= check_fn(gradient, *inputs, **options)
        return used
    return check_second


def run_table_row(op_type, check_fn, mode=None, table=None):
    """Run the row's body on its hypothesis inputs, with placeholders declared in ``mode``
    (one of S.PLACEHOLDER_MODES; None draws one per example). ``table``: another module's
    TABLE (default: this one's)."""
    strategy, body = (TABLE if table is None else table)[op_type]
    modes = S.placeholder_modes if mode is None else st.just(mode)
    used = set()

    @given(strategy, modes)
    def run(value, mode):
        tf.reset_default_graph()
        used.update(body(value, functools.partial(check_fn, mode=mode)))
    return run, used


@pytest.mark.parametrize("mode", S.PLACEHOLDER_MODES)
@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_gradient_matches_finite_differences(op_type, mode):
    run, used = run_table_row(op_type, check, mode)
    run()
    assert op_type in used, "the row never built a %s op" % op_type


@pytest.mark.parametrize("mode", S.PLACEHOLDER_MODES)
@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_second_order_gradient_matches_finite_differences(op_type, mode):
    run, used = run_table_row(op_type, second_order(check), mode)
    settings(max_examples=10)(run)()
    assert op_type in used, "the row never built a %s op" % op_type


@pytest.mark.parametrize("op_type", sorted(TABLE))
def test_float32_gradients_stay_float32_and_match_float64(op_type):
    run, used = run_table_row(op_type, check_float32)
    settings(max_examples=5)(run)()
    assert op_type in used, "the row never built a %s op" % op_type


# -- larger shapes: a random projection instead of the full Jacobian --------------------------
def _rng_inputs(seed, *shapes, positive=(), kink_free=()):
    rng = np.random.default_rng(seed)
    out = []
    for i, shape in enumerate(shapes):
        x = rng.uniform(-2, 2, shape)
        if i in positive:
            x = np.abs(x) + 0.5
        if i in kink_free:
            x = np.where(x >= 0, x + 0.1, x - 0.1)
        out.append(x)
    return out


LARGE = {  # name -> (build, input shapes for batch b, options for _rng_inputs)
    "add_bias": (lambda a, b: a + b, lambda n: [(n, 32), (32,)], {}),
    "mul_column": (lambda a, b: a * b, lambda n: [(n, 32), (n, 1)], {}),
    "div_scalar": (lambda a, b: a / b, lambda n: [(n, 32), ()], {"positive": (1,)}),
    "matmul": (tf.matmul, lambda n: [(n, 48), (48, 16)], {}),
    "matmul_tt": (lambda a, b: tf.matmul(a, b, transpose_a=True, transpose_b=True),
                  lambda n: [(48, n), (16, 48)], {}),
    "mean_rows": (lambda a: tf.reduce_mean(a, axis=0), lambda n: [(n, 32)], {}),
    "sum_keepdims": (lambda a: tf.reduce_sum(a, axis=1, keepdims=True),
                     lambda n: [(n, 32)], {}),
    "softmax": (tf.nn.softmax, lambda n: [(n, 40)], {}),
    "relu_sigmoid_tanh": (lambda a: tf.nn.relu(a) + tf.sigmoid(a) * tf.tanh(a),
                          lambda n: [(n, 32)], {"kink_free": (0,)}),
    "log_sqrt_exp": (lambda a: tf.log(a) + tf.sqrt(a) + tf.exp(-a),
                     lambda n: [(n, 32)], {"positive": (0,)}),
    "xent": (None, lambda n: [(n, 10)], {}),  # labels depend on the batch: see xent_for
    "l2_loss_reshape": (lambda a: tf.nn.l2_loss(tf.reshape(a, [-1, 8])),
                        lambda n: [(n, 32)], {}),
}


def xent_for(batch):
    return lambda a: xent(a, np.arange(batch) % 10)


@pytest.mark.parametrize("name", sorted(LARGE))
@settings(max_examples=4)
@given(batch=st.sampled_from([1, 33, 64]), seed=st.integers(0, 2 ** 16),
       mode=S.placeholder_modes)
def test_larger_shapes_by_random_projection(name, batch, seed, mode):
    """<grad f(x), v> matches (f(x + h v) - f(x - h v)) / 2h for a random direction v."""
    build, shapes, options = LARGE[name]
    build = build or xent_for(batch)
    inputs = _rng_inputs(seed, *shapes(batch), **options)
    _, grads, _ = projected_gradients(build, inputs, tf.float64, mode, weights_seed=seed)
    directions = [np.random.default_rng(seed + 1).uniform(-1, 1, x.shape) for x in inputs]
    h = 1e-5

    def objective(xs):  # the same sum(w * y) that projected_gradients differentiated
        tf.reset_default_graph()
        placeholders = [tf.placeholder(tf.float64, S.placeholder_shape(mode, x.shape))
                        for x in xs]
        y = build(*placeholders)
        with tf.Session() as sess:
            y_value = np.asarray(sess.run(y, dict(zip(placeholders, xs))))
        weights = np.random.default_rng(seed).uniform(-1, 1, y_value.shape)
        return float(np.sum(weights * y_value))
    plus = objective([x + h * d for x, d in zip(inputs, directions)])
    minus = objective([x - h * d for x, d in zip(inputs, directions)])
    numerical = (plus - minus) / (2 * h)
    theoretical = sum(float(np.sum(g * d)) for g, d in zip(grads, directions))
    assert theoretical == pytest.approx(numerical, rel=1e-6, abs=1e-6)
