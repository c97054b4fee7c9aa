"""Run-time sizes that don't fit, for every op type with a kernel, on both kernel backends.

Placeholders with ``None`` dims (or no shape at all) let a graph build whatever is fed later,
so each kernel must check the sizes it relies on. Each row below builds a graph around one
op type and draws a feed whose sizes don't fit (hypothesis); both backends must raise
``InvalidArgumentError`` with the same TF1 text, blaming that op. An op type without a row
here (or in NO_SIZES, with the reason) fails ``test_every_op_type_has_a_row``.
"""
import functools
import warnings

import numpy as np
import pytest
from hypothesis import given, strategies as st
from hypothesis.extra import numpy as hnp

import tinygraph as tf
from tinygraph import errors, kernels, registry
from tinygraph.graph import create_op
from tinygraph.ops.array_ops import reshape_like
from tinygraph.ops.broadcast_ops import broadcast_like, ensure_shape_like, sum_to_shape
from tinygraph.ops import training_ops
from tinygraph.ops.state_ops import apply_gradient_descent

ROWS = {}  # op type -> case(draw) -> (fetch, feed_dict, expected message)
NO_SIZES = {
    "Placeholder": "no kernel: it is fed",
    "Const": "no inputs",
    "VariableV2": "no inputs",
    "NoOp": "no inputs",
    "RandomStandardNormal": "no inputs (the shape is an attribute)",
    "TruncatedNormal": "no inputs (the shape is an attribute)",
    "RandomUniform": "no inputs (the shape is an attribute)",
}
for _type in ("Identity", "ZerosLike", "OnesLike", "Cast", "Neg", "Square", "Sqrt", "Exp",
              "Log", "Relu", "Sigmoid", "Tanh", "L2Loss", "Softplus", "Softsign", "Elu",
              "Relu6", "LeakyRelu"):
    NO_SIZES[_type] = "one input, any shape: nothing can mismatch"
# Binary broadcasting ops of the math family: the same row as Add.
BINARY = [("Add", tf.add), ("Sub", tf.subtract), ("Mul", tf.multiply), ("RealDiv", tf.divide),
          ("Equal", tf.equal), ("Pow", tf.pow), ("Maximum", tf.maximum),
          ("Minimum", tf.minimum), ("SquaredDifference", tf.squared_difference),
          ("FloorDiv", tf.floordiv), ("FloorMod", tf.floormod), ("Less", tf.less),
          ("LessEqual", tf.less_equal), ("Greater", tf.greater),
          ("GreaterEqual", tf.greater_equal), ("NotEqual", tf.not_equal)]
BOOL_BINARY = [("LogicalAnd", tf.logical_and), ("LogicalOr", tf.logical_or)]
for _type in ("Abs", "Sign", "Reciprocal", "Rsqrt", "Log1p", "Expm1", "Sin", "Cos", "Tan",
              "Floor", "Ceil", "Round", "LogicalNot", "StopGradient", "Shape", "Size", "Rank",
              "Where"):
    NO_SIZES[_type] = "one input, any shape: nothing can mismatch"
NO_SIZES["L2InvNorm"] = "one input, any shape: nothing can mismatch"
NO_SIZES["Print"] = "prints whatever it gets; passes its first input through"
NO_SIZES["PrintV2"] = "prints whatever it gets"
NO_SIZES["HistogramSummary"] = "one input, any shape: nothing can mismatch"
NO_SIZES["MergeSummary"] = "its inputs are summary ops' scalar strings (checked when built)"


def row(op_type):
    def register(case):
        ROWS[op_type] = case
        return case
    return register


def dims(shape):
    return "[" + ",".join(map(str, shape)) + "]"


def unknown(dtype=tf.float32):
    """A placeholder of unknown shape: the graph builds, whatever the sizes."""
    return tf.placeholder(dtype)


shapes = hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)


def broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


not_broadcastable = st.tuples(shapes, shapes).filter(lambda ab: not broadcastable(*ab))
different = st.tuples(shapes, shapes).filter(lambda ab: ab[0] != ab[1])


def zeros(shape, dtype=np.float32):
    return np.zeros(shape, dtype)


# -- the rows -------------------------------------------------------------------------------
def _binary(builder, draw, dtype=tf.float32):
    a, b = draw(not_broadcastable)
    x, y = unknown(dtype), unknown(dtype)
    return builder(x, y), {x: zeros(a, dtype.np_dtype), y: zeros(b, dtype.np_dtype)}, (
        "Incompatible shapes: %s vs. %s" % (dims(a), dims(b)))


for _type, _builder in BINARY:
    row(_type)(functools.partial(_binary, _builder))
for _type, _builder in BOOL_BINARY:
    row(_type)(functools.partial(_binary, _builder, dtype=tf.bool))


@row("ScalarSummary")
def _scalar_summary(draw):
    shape = draw(shapes.filter(lambda s: s != ()))
    x = unknown()
    return tf.summary.scalar("s", x), {x: zeros(shape)}, (
        "tags and values not the same shape: [] != %s (tag 's')" % dims(shape))


@row("Cond")
def _cond(draw):
    """The predicate must be a scalar (an unknown-rank placeholder builds)."""
    shape = draw(shapes.filter(lambda s: s != ()))
    p, x = unknown(tf.bool), unknown()
    return tf.cond(p, lambda: x * 2.0, lambda: x), {p: np.zeros(shape, bool), x: zeros(3)}, (
        "The predicate of tf.cond must be a scalar, but it has shape %s" % list(shape))


@row("AddN")
def _add_n(draw):
    """Never broadcast: [3] and [1] were silently summed to [3]."""
    first = draw(shapes)
    rest = draw(st.lists(shapes, min_size=1, max_size=3).filter(
        lambda s: any(t != first for t in s)))
    inputs = [unknown() for _ in range(1 + len(rest))]
    feed = {t: zeros(s) for t, s in zip(inputs, [first] + rest)}
    i = next(i for i, s in enumerate(rest, 1) if s != first)
    return tf.add_n(inputs, name="total"), feed, (
        "Inputs to operation total of type AddN must have the same size and shape.  Input 0: "
        "%s != input %d: %s" % (dims(first), i, dims(rest[i - 1])))


@row("MatMul")
def _matmul(draw):
    ta, tb = draw(st.booleans()), draw(st.booleans())
    a, b = unknown(), unknown()
    product = tf.matmul(a, b, transpose_a=ta, transpose_b=tb)
    if draw(st.booleans()):  # a vector or a stack of matrices: np.dot would take them
        rank = draw(st.sampled_from([0, 1, 3]))
        bad = draw(hnp.array_shapes(min_dims=rank, max_dims=rank, max_side=3))
        which = draw(st.integers(0, 1))
        feed = {a: zeros(bad if which == 0 else (2, 2)), b: zeros(bad if which else (2, 2))}
        return product, feed, "In[%d] is not a matrix. Instead it has shape %s" % (which,
                                                                                    dims(bad))
    m, k1, k2, n = draw(st.tuples(*[st.integers(0, 4)] * 4).filter(lambda t: t[1] != t[2]))
    sa = (k1, m) if ta else (m, k1)
    sb = (n, k2) if tb else (k2, n)
    return product, {a: zeros(sa), b: zeros(sb)}, (
        "Matrix size-incompatible: In[0]: %s, In[1]: %s" % (dims(sa), dims(sb)))


def _reshape_message(size, shape):
    known = int(np.prod([d for d in shape if d != -1]))
    if -1 not in shape:
        return "Input to reshape is a tensor with %d values, but the requested shape has %d" % (
            size, known)
    if known == 0:
        return ("Reshape cannot infer the missing input size for an empty tensor unless all "
                "specified input sizes are non-zero")
    return ("Input to reshape is a tensor with %d values, but the requested shape requires a "
            "multiple of %d" % (size, known))


def _fits(size, shape):
    known = int(np.prod([d for d in shape if d != -1]))
    return size == known if -1 not in shape else known > 0 and size % known == 0


@row("Reshape")
def _reshape(draw):
    target = list(draw(hnp.array_shapes(min_dims=0, max_dims=3, min_side=0, max_side=4)))
    if target and draw(st.booleans()):
        target[draw(st.integers(0, len(target) - 1))] = -1
    fed = draw(shapes.filter(lambda s: not _fits(int(np.prod(s)), target)))
    x = unknown()
    return tf.reshape(x, target), {x: zeros(fed)}, _reshape_message(int(np.prod(fed)), target)


@row("ReshapeLike")
def _reshape_like(draw):
    a, b = draw(st.tuples(shapes, shapes).filter(lambda ab: np.prod(ab[0]) != np.prod(ab[1])))
    x, like = unknown(), unknown()
    return reshape_like(x, like), {x: zeros(a), like: zeros(b)}, _reshape_message(
        int(np.prod(a)), b)


@row("ExpandDims")
def _expand_dims(draw):
    fed = draw(shapes)
    rank = len(fed) + 1
    axis = draw(st.one_of(st.integers(rank, rank + 3), st.integers(-rank - 3, -rank - 1)))
    x = unknown()
    return tf.expand_dims(x, axis), {x: zeros(fed)}, (
        "Tried to expand dim index %d for tensor with %d dimensions." % (axis, len(fed)))


def _reduces_to(grad, shape):
    lead = len(grad) - len(shape)
    return lead >= 0 and all(d in (1, grad[lead + i]) for i, d in enumerate(shape))


@row("SumToShape")
def _sum_to_shape(draw):
    g, s = draw(st.tuples(shapes, shapes).filter(lambda gs: not _reduces_to(*gs)))
    grad, like = unknown(), unknown()
    return sum_to_shape(grad, like), {grad: zeros(g), like: zeros(s)}, (
        "Cannot sum a tensor of shape %s to shape %s: %s does not broadcast to %s"
        % (dims(g), dims(s), dims(s), dims(g)))


@row("BroadcastLike")
def _broadcast_like(draw):
    a, b = draw(st.tuples(shapes, shapes).filter(
        lambda ab: not broadcastable(*ab) or np.broadcast_shapes(*ab) != ab[1]))
    x, like = unknown(), unknown()
    return broadcast_like(x, like), {x: zeros(a), like: zeros(b)}, (
        "Incompatible shapes: %s vs. %s" % (dims(a), dims(b)))


def _reduction_grad(op_type, draw):
    """A gradient that is not the shape the reduction gave (here: a scalar for axis=None)."""
    a, b = draw(st.tuples(shapes.filter(lambda s: s != ()), shapes))
    grad, x = unknown(), unknown()
    op = create_op(op_type, [grad, x], {"axis": None, "keepdims": False})
    return op, {grad: zeros(a), x: zeros(b)}, (
        "The gradient of a reduction of an input of shape %s must have shape [], got %s."
        % (list(b), list(a)))


row("MeanGrad")(functools.partial(_reduction_grad, "MeanGrad"))
row("SumGrad")(functools.partial(_reduction_grad, "SumGrad"))


@row("EnsureShapeLike")
def _ensure_shape_like(draw):
    a, b = draw(different)
    x, like = unknown(), unknown()
    return ensure_shape_like(x, like, "grad_ys[0]"), {x: zeros(a), like: zeros(b)}, (
        "grad_ys[0] has shape %s at run time, but must have shape %s." % (list(a), list(b)))


@row("ReluGrad")
def _relu_grad(draw):
    """np.where broadcast them: a [1] gradient spread over a [3] relu."""
    a, b = draw(different)
    grad, y = unknown(), unknown()
    op = create_op("ReluGrad", [grad, y], {}, name="my_relu_grad")
    return op, {grad: zeros(a), y: zeros(b)}, (
        "Inputs to operation my_relu_grad of type ReluGrad must have the same size and shape."
        "  Input 0: %s != input 1: %s" % (dims(a), dims(b)))


@row("SparseSoftmaxCrossEntropyWithLogits")
def _xent(draw):
    """Too few labels made numba read past the end of the array; too many were ignored."""
    rows, n_labels = draw(st.tuples(st.integers(0, 6), st.integers(0, 6)).filter(
        lambda t: t[0] != t[1]))
    k = draw(st.integers(1, 4))
    logits = tf.placeholder(tf.float32, [None, k])
    labels = tf.placeholder(draw(st.sampled_from([tf.int32, tf.int64])), [None])
    loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
    return loss, {logits: zeros((rows, k)), labels: np.zeros(n_labels, np.int64)}, (
        "logits and labels must have the same first dimension, got logits shape [%d,%d] and "
        "labels shape [%d]" % (rows, k, n_labels))


def _reduction(builder, draw, dtype=tf.float32):
    fed = draw(shapes)
    rank = len(fed)  # a scalar has no axis 0 either (test_reduction_axes.py)
    axis = draw(st.one_of(st.integers(rank, rank + 2), st.integers(-rank - 2, -rank - 1)))
    x = unknown(dtype)
    return builder(x, axis=axis), {x: zeros(fed, dtype.np_dtype)}, (
        "Invalid reduction dimension (%d for input with %d dimension(s)" % (axis, rank))


row("Sum")(functools.partial(_reduction, tf.reduce_sum))
row("Mean")(functools.partial(_reduction, tf.reduce_mean))


@row("ArgMax")
def _argmax(draw):
    fed = draw(shapes)
    x = unknown()
    rank = len(fed)
    if 0 in fed and draw(st.booleans()):
        axis = fed.index(0)
        message = "Reduction axis %d is empty in shape %s" % (axis, dims(fed))
    else:
        axis = draw(st.one_of(st.integers(rank, rank + 2), st.integers(-rank - 2, -rank - 1)))
        message = "Expected dimension in the range [%d, %d), but got %d" % (-rank, rank, axis)
    return tf.argmax(x, axis), {x: zeros(fed)}, message


@row("Softmax")
def _softmax(draw):
    x = unknown()
    return tf.nn.softmax(x), {x: np.float32(draw(st.floats(-3, 3)))}, (
        "logits must have >= 1 dimension, got []")


@row("LogSoftmax")
def _log_softmax(draw):
    x = unknown()
    return tf.nn.log_softmax(x), {x: np.float32(draw(st.floats(-3, 3)))}, (
        "logits must have >= 1 dimension, got []")


def _activation_grad(op_type, attrs, draw):
    """Like ReluGrad: a gradient of another shape was broadcast by np.where."""
    a, b = draw(different)
    grad, x = unknown(), unknown()
    op = create_op(op_type, [grad, x], attrs, name="my_grad")
    return op, {grad: zeros(a), x: zeros(b)}, (
        "Inputs to operation my_grad of type %s must have the same size and shape."
        "  Input 0: %s != input 1: %s" % (op_type, dims(a), dims(b)))


row("EluGrad")(functools.partial(_activation_grad, "EluGrad", {}))
row("Relu6Grad")(functools.partial(_activation_grad, "Relu6Grad", {}))
row("LeakyReluGrad")(functools.partial(_activation_grad, "LeakyReluGrad", {"alpha": 0.2}))


@row("SoftmaxCrossEntropyWithLogits")
def _softmax_xent(draw):
    """No broadcasting: labels of another shape were silently stretched."""
    a, b = draw(st.tuples(shapes, shapes).filter(lambda ab: ab[0] != ab[1] and ab[0] != ()))
    logits, labels = unknown(), unknown()
    loss = tf.nn.softmax_cross_entropy_with_logits_v2(labels=labels, logits=logits)
    return loss, {logits: zeros(a), labels: zeros(b)}, (
        "logits and labels must be broadcastable: logits_size=%s labels_size=%s"
        % (dims(a), dims(b)))


@row("SigmoidCrossEntropyWithLogits")
def _sigmoid_xent(draw):
    a, b = draw(not_broadcastable)
    logits, labels = unknown(), unknown()
    loss = tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=logits)
    return loss, {logits: zeros(a), labels: zeros(b)}, "Incompatible shapes: %s vs. %s" % (
        dims(a), dims(b))


@row("DropoutMask")
def _dropout_mask(draw):
    """keep_prob is fed: a non-scalar, or a number outside (0, 1]."""
    keep_prob = unknown()
    x = tf.placeholder(tf.float32, [2, 3])
    if draw(st.booleans()):
        value = zeros(draw(st.sampled_from([(1,), (3,), (2, 1), (1, 3)]))) + 0.5
    else:
        value = np.float32(draw(st.sampled_from([0.0, -0.5, 1.5, np.nan, np.inf])))
    return tf.nn.dropout(x, keep_prob), {x: zeros((2, 3)), keep_prob: value}, (
        "keep_prob must be a scalar in the range (0, 1], got %s" % np.array2string(value))


@row("BiasAdd")
def _bias_add(draw):
    value, bias = unknown(), unknown()
    case = draw(st.sampled_from(["rank", "bias_rank", "size"]))
    if case == "rank":
        a = draw(hnp.array_shapes(min_dims=0, max_dims=1, min_side=0, max_side=4))
        b = (a[0] if a else 1,)
        message = "Input tensor must be at least 2D: %s" % dims(a)
    elif case == "bias_rank":
        a = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=0, max_side=4))
        b = draw(st.sampled_from([(), (1, a[-1])]))
        message = "Biases must be 1D: %s" % dims(b)
    else:
        a = draw(hnp.array_shapes(min_dims=2, max_dims=3, min_side=0, max_side=4))
        b = (draw(st.integers(0, 5).filter(lambda k: k != a[-1])),)
        message = ("Must provide as many biases as the last dimension of the input tensor: "
                   "%s vs. %s" % (dims(b), dims(a)))
    return tf.nn.bias_add(value, bias), {value: zeros(a), bias: zeros(b)}, message


@row("EmbeddingLookup")
def _embedding_lookup(draw):
    rows = draw(st.integers(0, 4))
    ids_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    ids = draw(hnp.arrays(np.int64, ids_shape, elements=st.integers(-3, rows + 3)).filter(
        lambda i: ((i < 0) | (i >= rows)).any()))
    first = np.argwhere((ids < 0) | (ids >= rows))[0]
    params, fed_ids = unknown(), unknown(tf.int64)
    return tf.nn.embedding_lookup(params, fed_ids), {params: zeros((rows, 2)), fed_ids: ids}, (
        "indices[%s] = %d is not in [0, %d)" % (",".join(map(str, first)), ids[tuple(first)],
                                                rows))


@row("EmbeddingLookupGrad")
def _embedding_lookup_grad(draw):
    ids_shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    want = ids_shape + (2,)
    got = draw(shapes.filter(lambda s: s != want))
    grad, ids, params = unknown(), unknown(tf.int64), unknown()
    op = create_op("EmbeddingLookupGrad", [grad, ids, params], {})
    return op, {grad: zeros(got), ids: np.zeros(ids_shape, np.int64), params: zeros((3, 2))}, (
        "The gradient of an embedding lookup must have shape %s, got %s" % (dims(want),
                                                                            dims(got)))


def _variable_and_other_shape(draw):
    a, b = draw(different)
    return tf.Variable(np.arange(np.prod(a), dtype=np.float32).reshape(a)), a, b


@row("ApplyGradientDescent")
def _apply_gradient_descent(draw):
    var, a, b = _variable_and_other_shape(draw)
    delta = unknown()
    return apply_gradient_descent(var._ref, tf.constant(0.5), delta), {delta: zeros(b)}, (
        "var and delta do not have the same shape%s %s" % (dims(a), dims(b)))


def _optimizer_update(op_type, draw):
    """An optimizer's update whose gradient has another shape than the variable (and its
    slots, which the all-or-nothing check in _run_on also covers)."""
    var, a, b = _variable_and_other_shape(draw)
    builder, num_slots, num_scalars = {
        "ApplyMomentum": (lambda v, s, c, g: training_ops.apply_momentum(
            v, *s, c[0], g, c[1]), 1, 2),
        "SparseApplyMomentum": (lambda v, s, c, g: training_ops.sparse_apply_momentum(
            v, *s, c[0], g, c[1], [0]), 1, 2),
        "SparseApplyRMSProp": (lambda v, s, c, g: training_ops.sparse_apply_rms_prop(
            v, *s, *c, g, [0]), 2, 4),
        "SparseApplyCenteredRMSProp": (
            lambda v, s, c, g: training_ops.sparse_apply_centered_rms_prop(v, *s, *c, g, [0]),
            3, 4),
        "ApplyAdam": (lambda v, s, c, g: training_ops.apply_adam(v, *s, *c, g), 2, 6),
        "ApplyAdagrad": (lambda v, s, c, g: training_ops.apply_adagrad(v, *s, *c, g), 1, 1),
        "ApplyRMSProp": (lambda v, s, c, g: training_ops.apply_rms_prop(v, *s, *c, g), 2, 4),
        "ApplyCenteredRMSProp": (
            lambda v, s, c, g: training_ops.apply_centered_rms_prop(v, *s, *c, g), 3, 4),
    }[op_type]
    slots = [tf.Variable(np.ones(a, np.float32))._ref for _ in range(num_slots)]
    scalars = [tf.constant(0.5) for _ in range(num_scalars)]
    grad = unknown()
    return builder(var._ref, slots, scalars, grad), {grad: zeros(b)}, (
        "var and grad do not have the same shape%s %s" % (dims(a), dims(b)))


for _type in ("ApplyMomentum", "ApplyAdam", "ApplyAdagrad", "ApplyRMSProp",
              "ApplyCenteredRMSProp", "SparseApplyMomentum", "SparseApplyRMSProp",
              "SparseApplyCenteredRMSProp"):
    row(_type)(functools.partial(_optimizer_update, _type))


def _not_scalar(draw):
    return draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))


@row("ClipByNorm")
def _clip_by_norm(draw):
    shape, clip = _not_scalar(draw), unknown()
    return tf.clip_by_norm(tf.ones([3]), clip), {clip: zeros(shape)}, (
        "clip_norm must be a scalar, but has shape %s" % dims(shape))


@row("ClipByGlobalNorm")
def _clip_by_global_norm(draw):
    shape, norm = _not_scalar(draw), unknown()
    clipped, _ = tf.clip_by_global_norm([tf.ones([3])], 1.0, use_norm=norm)
    return clipped[0], {norm: zeros(shape)}, (
        "use_norm must be a scalar, but has shape %s" % dims(shape))


@row("ExponentialDecay")
def _exponential_decay(draw):
    shape, lr = _not_scalar(draw), unknown()
    return tf.train.exponential_decay(lr, tf.constant(3), 10, 0.5), {lr: zeros(shape)}, (
        "learning_rate must be a scalar, but has shape %s" % dims(shape))


@row("Assign")
def _assign(draw):
    var, a, b = _variable_and_other_shape(draw)
    value = unknown()
    return var.assign(value), {value: zeros(b)}, (
        "Assign requires shapes of both tensors to match. lhs shape= %s rhs shape= %s"
        % (dims(a), dims(b)))


def _assign_update(method, draw):
    var, a, b = _variable_and_other_shape(draw)
    value = unknown()
    return getattr(var, method)(value), {value: zeros(b)}, (
        "Parameters and update must be the same size")


row("AssignAdd")(functools.partial(_assign_update, "assign_add"))
row("AssignSub")(functools.partial(_assign_update, "assign_sub"))


# -- the math and array families ------------------------------------------------------------
row("Max")(functools.partial(_reduction, tf.reduce_max))
row("Min")(functools.partial(_reduction, tf.reduce_min))
row("Prod")(functools.partial(_reduction, tf.reduce_prod))
row("Any")(functools.partial(_reduction, tf.reduce_any, dtype=tf.bool))
row("All")(functools.partial(_reduction, tf.reduce_all, dtype=tf.bool))


@row("ProdOfOthers")
def _prod_of_others(draw):
    fed = draw(shapes)
    rank = len(fed)
    axis = draw(st.one_of(st.integers(rank, rank + 2), st.integers(-rank - 2, -rank - 1))
                .filter(lambda a: rank or a != 0))  # as Max's row
    x = unknown()
    return create_op("ProdOfOthers", [x], {"axis": (axis,)}), {x: zeros(fed)}, (
        "Invalid reduction dimension (%d for input with %d dimension(s)" % (axis, rank))


@row("ArgMin")
def _argmin(draw):
    fed = draw(shapes)
    x = unknown()
    rank = len(fed)
    if 0 in fed and draw(st.booleans()):
        axis = fed.index(0)
        message = "Reduction axis %d is empty in shape %s" % (axis, dims(fed))
    else:
        axis = draw(st.one_of(st.integers(rank, rank + 2), st.integers(-rank - 2, -rank - 1)))
        message = "Expected dimension in the range [%d, %d), but got %d" % (-rank, rank, axis)
    return tf.argmin(x, axis), {x: zeros(fed)}, message


@row("Cumsum")
def _cumsum(draw):
    fed = draw(shapes)
    rank = len(fed)
    axis = draw(st.one_of(st.integers(rank, rank + 2), st.integers(-rank - 2, -rank - 1)))
    x = unknown()
    return tf.cumsum(x, axis), {x: zeros(fed)}, (
        "Expected scan axis in the range [%d, %d), but got %d" % (-rank, rank, axis))


@row("ConcatV2")
def _concat(draw):
    a = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    axis = draw(st.integers(-len(a), len(a) - 1))
    k = axis % len(a)
    b = draw(shapes.filter(lambda b: len(b) != len(a) or b[:k] + b[k + 1:] != a[:k] + a[k + 1:]))
    x, y = unknown(), unknown()
    what = "Ranks of all input tensors" if len(b) != len(a) else "Dimensions of inputs"
    return tf.concat([x, y], axis), {x: zeros(a), y: zeros(b)}, (
        "ConcatOp : %s should match: shape[0] = %s vs. shape[1] = %s" % (what, dims(a), dims(b)))


@row("SplitLike")
def _split_like(draw):
    """np.split cut a gradient of the wrong size silently (the last part took the rest)."""
    a = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=3))
    b = (draw(st.integers(0, 3)),) + a[1:]
    expected = (a[0] + b[0],) + a[1:]
    g = draw(hnp.array_shapes(min_dims=len(a), max_dims=len(a), min_side=0, max_side=7).filter(
        lambda g: g != expected))
    grad, x, y = unknown(), unknown(), unknown()
    op = create_op("SplitLike", [grad, x, y], {"axis": 0})
    return op.outputs[0], {grad: zeros(g), x: zeros(a), y: zeros(b)}, (
        "The gradient of a concat of inputs of shapes %s, %s along axis 0 must have shape %s, "
        "got %s." % (dims(a), dims(b), dims(expected), dims(g)))


@row("Pack")
def _pack(draw):
    a, b = draw(different)
    x, y = unknown(), unknown()
    return tf.stack([x, y]), {x: zeros(a), y: zeros(b)}, (
        "Shapes of all inputs must match: values[0].shape = %s != values[1].shape = %s"
        % (dims(a), dims(b)))


@row("Unpack")
def _unpack(draw):
    num = draw(st.integers(1, 3))
    fed = draw(shapes.filter(lambda s: not s or s[0] != num))
    x = unknown()
    return tf.unstack(x, num=num)[0], {x: zeros(fed)}, (
        "Input shape axis 0 must equal %d, got shape %s" % (num, dims(fed)))


def _split_axis_message(rank, axis):
    return "-input rank(-%d) <= split_dim < input rank (%d), but got %d" % (rank, rank, axis)


@row("Split")
def _split(draw):
    k = draw(st.integers(2, 3))
    fed = draw(shapes.filter(lambda s: not s or s[0] % k))
    x = unknown()
    if not fed:
        message = _split_axis_message(0, 0)
    else:
        message = ("Number of ways to split should evenly divide the split dimension, but got "
                   "split_dim 0 (size = %d) and num_split %d" % (fed[0], k))
    return tf.split(x, k)[0], {x: zeros(fed)}, message


@row("SplitV")
def _split_v(draw):
    sizes = draw(st.lists(st.integers(0, 2), min_size=2, max_size=3))
    if draw(st.booleans()):
        sizes[draw(st.integers(0, len(sizes) - 1))] = -1
    known = sum(s for s in sizes if s != -1)
    fed = draw(shapes.filter(lambda s: not s or s[0] < known or -1 not in sizes and
                             s[0] != known))
    x = unknown()
    if not fed:
        message = _split_axis_message(0, 0)
    else:
        message = ("Determined shape must either match input shape along split_dim exactly if "
                   "fully specified, or be less than the size of the input along split_dim if "
                   "not fully specified.  Got: %d" % known)
    return tf.split(x, sizes)[0], {x: zeros(fed)}, message


@row("Squeeze")
def _squeeze(draw):
    fed = draw(shapes.filter(lambda s: not s or s[-1] != 1))
    x = unknown()
    if not fed:
        message = "Tried to squeeze dim index -1 for tensor with 0 dimensions."
    else:
        message = ("Tried to explicitly squeeze dimension %d but dimension was not 1: %d"
                   % (len(fed) - 1, fed[-1]))
    return tf.squeeze(x, [-1]), {x: zeros(fed)}, message


@row("ReverseV2")
def _reverse(draw):
    fed = draw(shapes)
    rank = len(fed)
    axis = draw(st.one_of(st.integers(rank, rank + 2), st.integers(-rank - 2, -rank - 1)))
    x = unknown()
    return tf.reverse(x, [axis]), {x: zeros(fed)}, (
        "'axis'[0] = %d is out of valid range [%d, %d)" % (axis, -rank, rank))


@row("Transpose")
def _transpose(draw):
    perm = draw(st.permutations(list(range(draw(st.integers(0, 3))))))
    fed = draw(shapes.filter(lambda s: len(s) != len(perm)))
    x = unknown()
    return tf.transpose(x, perm), {x: zeros(fed)}, (
        "transpose expects a vector of size %d. But input(1) is a vector of size %d"
        % (len(fed), len(perm)))


@row("InvertPermutation")
def _invert_permutation(draw):
    n = draw(st.integers(1, 5))
    values = draw(st.lists(st.integers(-2, n + 2), min_size=n, max_size=n).filter(
        lambda v: sorted(v) != list(range(n))))
    x = unknown(tf.int32)
    bad = [v for v in values if not 0 <= v < n]
    if bad:
        message = "%d is not between 0 and %d" % (bad[0], n)
    else:
        message = "%d is duplicated in the input." % next(
            v for i, v in enumerate(values) if v in values[:i])
    return tf.invert_permutation(x), {x: np.array(values, np.int32)}, message


def _index_message(indices, limit):
    where = np.argwhere((indices < 0) | (indices >= limit))[0]
    return "indices%s = %d is not in [0, %d)" % (
        "[%s]" % ",".join(map(str, where)) if indices.ndim else "", indices[tuple(where)], limit)


def _bad_indices(draw, limit):
    shape = draw(hnp.array_shapes(min_dims=0, max_dims=2, min_side=1, max_side=3))
    return draw(hnp.arrays(np.int32, shape, elements=st.integers(-3, limit + 3)).filter(
        lambda i: ((i < 0) | (i >= limit)).any()))


@row("GatherV2")
def _gather(draw):
    fed = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    indices = _bad_indices(draw, fed[0])
    params, i = unknown(), unknown(tf.int32)
    return tf.gather(params, i), {params: zeros(fed), i: indices}, _index_message(
        indices, fed[0])


@row("GatherGrad")
def _gather_grad(draw):
    """np.add.at wrapped a negative index silently and broadcast a wrong gradient."""
    like_shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=1, max_side=4))
    grad, i, like = unknown(), unknown(tf.int32), unknown()
    op = create_op("GatherGrad", [grad, i, like], {"axis": 0})
    if draw(st.booleans()):
        indices = _bad_indices(draw, like_shape[0])
        g = indices.shape + like_shape[1:]
        message = _index_message(indices, like_shape[0])
    else:
        indices = draw(hnp.arrays(np.int32, draw(hnp.array_shapes(min_dims=0, max_dims=2,
                                                                    max_side=3)),
                                  elements=st.integers(0, like_shape[0] - 1)))
        expected = indices.shape + like_shape[1:]
        g = draw(shapes.filter(lambda s: s != expected))
        message = ("The gradient of a gather from an input of shape %s must have shape %s, "
                   "got %s." % (dims(like_shape), dims(expected), dims(g)))
    return op, {grad: zeros(g), i: indices, like: zeros(like_shape)}, message


@row("BooleanMask")
def _boolean_mask(draw):
    n = draw(st.integers(0, 4))
    fed = draw(shapes.filter(lambda s: s[:1] != (n,)))
    x, mask = unknown(), tf.placeholder(tf.bool, [None])
    return tf.boolean_mask(x, mask), {x: zeros(fed), mask: np.ones(n, bool)}, (
        "Shapes %s and [%d] are incompatible: the mask must match the tensor's dims at axis 0"
        % (dims(fed[:1]), n))


@row("BooleanMaskGrad")
def _boolean_mask_grad(draw):
    """A [1] gradient was broadcast over all the selected rows."""
    like_shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    mask = draw(hnp.arrays(np.bool_, like_shape[:1]))
    expected = (int(mask.sum()),) + like_shape[1:]
    g = draw(shapes.filter(lambda s: s != expected))
    grad, m, like = unknown(), tf.placeholder(tf.bool, [None]), unknown()
    op = create_op("BooleanMaskGrad", [grad, m, like], {"axis": 0})
    return op, {grad: zeros(g), m: mask, like: zeros(like_shape)}, (
        "The gradient of a boolean mask of an input of shape %s must have shape %s, got %s."
        % (dims(like_shape), dims(expected), dims(g)))


def _slice_error(fed, begin, size):
    if len(fed) != len(begin):
        return ("Expected begin and size arguments to be 1-D tensors of size %d, but got "
                "shapes [%d] and [%d] instead." % (len(fed), len(begin), len(size)))
    for i, (b, s, n) in enumerate(zip(begin, size, fed)):
        if b > n:
            return "Expected begin[%d] in [0, %d], but got %d" % (i, n, b)
        if s != -1 and s > n - b:
            return "Expected size[%d] in [0, %d], but got %d" % (i, n - b, s)
    return None


@row("Slice")
def _slice(draw):
    rank = draw(st.integers(1, 2))
    begin = draw(st.lists(st.integers(0, 3), min_size=rank, max_size=rank))
    size = draw(st.lists(st.integers(-1, 3), min_size=rank, max_size=rank))
    fed = draw(shapes.filter(lambda s: _slice_error(s, begin, size)))
    x = unknown()
    return tf.slice(x, begin, size), {x: zeros(fed)}, _slice_error(fed, begin, size)


@row("SliceGrad")
def _slice_grad(draw):
    """A [1] gradient was broadcast over the whole slice."""
    like_shape = draw(hnp.array_shapes(min_dims=1, max_dims=2, min_side=0, max_side=4))
    begin = [draw(st.integers(0, n)) for n in like_shape]
    size = [draw(st.integers(0, n - b)) for n, b in zip(like_shape, begin)]
    g = draw(shapes.filter(lambda s: s != tuple(size)))
    grad, like = unknown(), unknown()
    op = create_op("SliceGrad", [grad, like, tf.constant(begin), tf.constant(size)], {})
    return op, {grad: zeros(g), like: zeros(like_shape)}, (
        "The gradient of a slice of an input of shape %s must have shape %s, got %s."
        % (dims(like_shape), dims(size), dims(g)))


@row("StridedSlice")
def _strided_slice(draw):
    k = draw(st.integers(-4, 3))
    fed = draw(shapes.filter(lambda s: not s or not -s[0] <= k < s[0]))
    x = unknown()
    if not fed:
        message = "Index out of range using input dim 0; input has only 0 dims"
    else:
        message = "slice index %d of dimension 0 out of bounds." % (k + fed[0] if k < 0 else k)
    return x[k], {x: zeros(fed)}, message


@row("StridedSliceGrad")
def _strided_slice_grad(draw):
    """numpy broadcast a wrong gradient into place, or failed with its own error."""
    like_shape = draw(hnp.array_shapes(min_dims=1, max_dims=3, min_side=0, max_side=4))
    expected = (len(range(*slice(1, None).indices(like_shape[0]))),) + like_shape[1:]
    g = draw(shapes.filter(lambda s: s != expected))
    grad, like = unknown(), unknown()
    op = create_op("StridedSliceGrad", [grad, like], {"index": (slice(1, None, None),)})
    return op, {grad: zeros(g), like: zeros(like_shape)}, (
        "The gradient of a strided slice of an input of shape %s must have shape %s, got %s."
        % (dims(like_shape), dims(expected), dims(g)))


@row("Tile")
def _tile(draw):
    multiples = draw(st.lists(st.integers(0, 2), max_size=3))
    fed = draw(shapes.filter(lambda s: len(s) != len(multiples)))
    x = unknown()
    return tf.tile(x, multiples), {x: zeros(fed)}, (
        "Expected multiples argument to be a vector of length %d but got length %d"
        % (len(fed), len(multiples)))


@row("TileGrad")
def _tile_grad(draw):
    """A gradient of the right size but the wrong shape was summed silently wrong."""
    like_shape = draw(shapes)
    multiples = [draw(st.integers(0, 3)) for _ in like_shape]
    expected = tuple(d * m for d, m in zip(like_shape, multiples))
    g = draw(hnp.array_shapes(min_dims=len(like_shape), max_dims=len(like_shape), min_side=0,
                              max_side=6).filter(lambda s: s != expected))
    grad, like = unknown(), unknown()
    op = create_op("TileGrad", [grad, like, tf.constant(multiples, tf.int32)], {})
    return op, {grad: zeros(g), like: zeros(like_shape)}, (
        "The gradient of a tile of an input of shape %s by %s must have shape %s, got %s."
        % (dims(like_shape), dims(multiples), dims(expected), dims(g)))


@row("Pad")
def _pad(draw):
    rank = draw(st.integers(0, 3))
    paddings = [[draw(st.integers(0, 2)), draw(st.integers(0, 2))] for _ in range(rank)]
    fed = draw(shapes.filter(lambda s: len(s) != rank))
    x = unknown()
    return tf.pad(x, paddings), {x: zeros(fed)}, (
        "The first dimension of paddings must be the rank of inputs[%d,2] %s"
        % (rank, dims(fed)))


@row("MirrorPad")
def _mirror_pad(draw):
    mode = draw(st.sampled_from(["REFLECT", "SYMMETRIC"]))
    a, b = draw(st.integers(0, 4)), draw(st.integers(0, 4))
    limit = (lambda n: n) if mode == "SYMMETRIC" else (lambda n: n - 1)
    n = draw(st.integers(0, 4).filter(lambda n: a > limit(n) or b > limit(n)))
    x = unknown()
    message = ("paddings must be no greater than the dimension size: %d, %d greater than %d"
               if mode == "SYMMETRIC" else
               "paddings must be less than the dimension size: %d, %d not less than %d")
    return tf.pad(x, [[a, b]], mode=mode), {x: zeros((n,))}, message % (a, b, n)


@row("MirrorPadGrad")
def _mirror_pad_grad(draw):
    mode = draw(st.sampled_from(["REFLECT", "SYMMETRIC"]))
    n = draw(st.integers(2, 4))
    a, b = draw(st.integers(0, 1)), draw(st.integers(0, 1))
    expected = (n + a + b,)
    g = draw(shapes.filter(lambda s: s != expected))
    grad, like = unknown(), unknown()
    op = create_op("MirrorPadGrad", [grad, like], {"paddings": ((a, b),), "mode": mode})
    return op, {grad: zeros(g), like: zeros((n,))}, (
        "The gradient of a mirror pad of an input of shape [%d] must have shape %s, got %s."
        % (n, dims(expected), dims(g)))


@row("OneHot")
def _one_hot(draw):
    fed = draw(shapes)
    axis = draw(st.integers(len(fed) + 1, len(fed) + 3))
    i = unknown(tf.int32)
    return tf.one_hot(i, 3, axis=axis), {i: np.zeros(fed, np.int32)}, (
        "Expected axis to be -1 or between [0, %d).  But received: %d" % (len(fed) + 1, axis))


@row("Multinomial")
def _multinomial(draw):
    fed = draw(shapes.filter(lambda s: len(s) != 2 or s[1] == 0))
    logits = unknown()
    message = ("logits should be a matrix, got shape %s" % dims(fed) if len(fed) != 2 else
               "num_classes should be positive, got: 0")
    return tf.multinomial(logits, 2), {logits: zeros(fed)}, message


@row("BatchMatMul")
def _batch_matmul(draw):
    from tinygraph.ops.linalg_ops import batch_matmul
    adj_x, adj_y = draw(st.booleans()), draw(st.booleans())
    a, b = draw(st.tuples(shapes, shapes))
    x, y = unknown(), unknown()
    if len(a) != len(b):
        message = "In[0] and In[1] has different ndims: %s vs. %s" % (dims(a), dims(b))
    elif len(a) < 2:
        message = "In[0] and In[1] ndims must be >= 2: %d" % len(a)
    else:
        a, b = a[:-2] + a[-2:], a[:-2] + b[-2:]
        inner_x = a[-2] if adj_x else a[-1]
        inner_y = b[-1] if adj_y else b[-2]
        if inner_x == inner_y:
            b = b[:-2] + ((b[-2] + 1, b[-1]) if not adj_y else (b[-2], b[-1] + 1))
            inner_y += 1
        message = "In[0] mismatch In[1] shape: %d vs. %d: %s %s %d %d" % (
            inner_x, inner_y, dims(a), dims(b), adj_x, adj_y)
    return batch_matmul(x, y, adj_x, adj_y), {x: zeros(a), y: zeros(b)}, message


def _square(builder, draw):
    fed = draw(shapes.filter(lambda s: len(s) < 2 or s[-1] != s[-2]))
    x = unknown()
    message = ("Input tensor 0 must have rank >= 2" if len(fed) < 2 else
               "Input matrix must be square.")
    return builder(x), {x: zeros(fed)}, message


row("MatrixInverse")(functools.partial(_square, tf.matrix_inverse))
row("MatrixDeterminant")(functools.partial(_square, tf.matrix_determinant))


@row("Cross")
def _cross(draw):
    a, b = draw(st.tuples(shapes, shapes).filter(lambda ab: ab[0] != ab[1] or not ab[0] or
                                                 ab[0][-1] != 3))
    x, y = unknown(), unknown()
    message = ("Both inputs must be of same shape: %s vs. %s" % (list(a), list(b)) if a != b
               else "Trailing dimension must be of size 3")
    return tf.cross(x, y), {x: zeros(a), y: zeros(b)}, message


@row("Tensordot")
def _tensordot(draw):
    a = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=4))
    b = draw(hnp.array_shapes(min_dims=2, max_dims=2, min_side=0, max_side=4).filter(
        lambda b: b[0] != a[1]))
    x, y = tf.placeholder(tf.float32, [None, None]), tf.placeholder(tf.float32, [None, None])
    return tf.tensordot(x, y, 1), {x: zeros(a), y: zeros(b)}, (
        "Matrix size-incompatible: a has shape %s, b has shape %s, contracting axes [1] and [0]"
        % (list(a), list(b)))


@row("Fill")
def _fill(draw):
    values = draw(st.lists(st.integers(-3, 3), min_size=1, max_size=3).filter(
        lambda v: min(v) < 0))
    d = unknown(tf.int32)
    return tf.fill(d, 1.0), {d: np.array(values, np.int32)}, (
        "Dimension %d must be >= 0" % next(v for v in values if v < 0))


@row("Range")
def _range(draw):
    start, limit, delta = unknown(tf.int32), unknown(tf.int32), unknown(tf.int32)
    s, l, d = draw(st.tuples(*[st.integers(-3, 3)] * 3).filter(
        lambda t: t[2] == 0 or t[2] > 0 and t[0] > t[1] or t[2] < 0 and t[0] < t[1]))
    if draw(st.booleans()):
        shape = draw(shapes.filter(lambda s: s != ()))
        feed = {start: np.full(shape, s, np.int32), limit: np.int32(l), delta: np.int32(d)}
        message = "start must be a scalar, not shape %s" % dims(shape)
    else:
        feed = {start: np.int32(s), limit: np.int32(l), delta: np.int32(d)}
        message = ("Requires delta != 0: %d" % d if d == 0 else
                   "Requires start <= limit when delta > 0: %d/%d" % (s, l) if d > 0 else
                   "Requires start >= limit when delta < 0: %d/%d" % (s, l))
    return tf.range(start, limit, delta), feed, message


@row("LinSpace")
def _linspace(draw):
    start, stop, num = unknown(), unknown(), unknown(tf.int32)
    if draw(st.booleans()):
        shape = draw(shapes.filter(lambda s: s != ()))
        feed = {start: zeros(shape), stop: np.float32(1), num: np.int32(3)}
        message = "start must be a scalar, not shape %s" % dims(shape)
    else:
        n = draw(st.integers(-3, 0))
        feed = {start: np.float32(0), stop: np.float32(1), num: np.int32(n)}
        message = "Requires num > 0: %d" % n
    return tf.linspace(start, stop, num), feed, message


@row("Select")
def _select(draw):
    c, x, y = tf.placeholder(tf.bool), unknown(), unknown()
    if draw(st.booleans()):
        a, b = draw(different)
        feed = {c: np.bool_(True), x: zeros(a), y: zeros(b)}
        message = "'then' and 'else' must have the same size.  but received: %s vs. %s" % (
            dims(a), dims(b))
    else:
        a = draw(shapes)
        cs = draw(shapes.filter(lambda s: s != () and s != a and not (
            len(s) == 1 and len(a) > 1 and s[0] == a[0])))
        feed = {c: np.ones(cs, bool), x: zeros(a), y: zeros(a)}
        message = ("'condition' must be a scalar, a vector matching the first dimension of "
                   "'then', or of the shape of 'then': %s vs. %s" % (dims(cs), dims(a)))
    return tf.where(c, x, y), feed, message


NO_SIZES["RandomShuffle"] = "one input, any shape: nothing can mismatch"


# -- the tests ------------------------------------------------------------------------------
def _tinygraph_op_types():
    """Op types that tinygraph itself defines (tests may register their own)."""
    found = set()
    for op_type, op_def in registry._OP_DEFS.items():
        if op_def.infer.__module__.startswith("tinygraph."):
            found.add(op_type)
    return found


def test_every_op_type_has_a_row():
    types = _tinygraph_op_types()
    assert "MatMul" in types and "Placeholder" in types
    assert not set(ROWS) & set(NO_SIZES)
    missing = types - set(ROWS) - set(NO_SIZES)
    assert not missing, "op types without a mismatched-sizes row: %s" % sorted(missing)
    assert not (set(ROWS) | set(NO_SIZES)) - types, "rows for op types that no longer exist"


def _run_on(backend, fetch, feed):
    """Run ``fetch`` with ``backend``'s kernels; the OpError raised, or None."""
    previous = kernels.backend
    kernels.use(backend)
    try:
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            before = sess.run(tf.global_variables())
            with warnings.catch_warnings():
                warnings.simplefilter("error")
                try:
                    sess.run(fetch, feed)
                except errors.OpError as e:
                    # A refused write leaves its variable as it was.
                    for old, new in zip(before, sess.run(tf.global_variables())):
                        np.testing.assert_array_equal(old, new)
                    return e
    finally:
        kernels.use(previous or "numba")
    return None


@pytest.mark.parametrize("op_type", sorted(ROWS))
@given(data=st.data())
def test_sizes_that_dont_fit_raise_tf1s_error_on_both_backends(op_type, data):
    _check_row(op_type, data.draw)


def _check_row(op_type, draw):
    tf.reset_default_graph()
    fetch, feed, message = ROWS[op_type](draw)
    for backend in ("numba", "reference"):
        error = _run_on(backend, fetch, feed)
        assert isinstance(error, errors.InvalidArgumentError), (backend, error)
        assert error.op.type == op_type, (backend, error.op)
        assert error.message == message, backend


def test_an_axis_named_twice_counts_once_as_in_tf1():
    x = unknown()
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    with tf.Session() as sess:
        total, mean = sess.run([tf.reduce_sum(x, [1, -1]), tf.reduce_mean(x, [1, 1])], {x: a})
    np.testing.assert_array_equal(total, a.sum(1))
    np.testing.assert_array_equal(mean, a.mean(1))


def test_softmax_of_an_empty_batch_or_class_axis_is_empty():
    x = tf.placeholder(tf.float32, [None, None])
    with tf.Session() as sess:
        for shape in [(0, 3), (2, 0), (0, 0)]:
            out = sess.run(tf.nn.softmax(x), {x: zeros(shape)})
            assert out.shape == shape and out.dtype == np.float32
