"""Exact dtypes: every op's fetched value has the dtype its tensor declares, and conversions
into integer and bool types (feeds, constants, Cast) either keep every value exactly or refuse.

The op table has one row per registered op type (a new op type fails the completeness test
until it gets a row). The conversion rules are hypothesis properties with the values that
used to slip through rounded bounds: 2**31 as a float32, 2**63 as a float64, their
neighbours, NaN and Inf, object arrays and Python ints beyond int64.
"""
import math

import numpy as np
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

import tinygraph as tf
from tinygraph import errors, registry
from tinygraph.graph import create_op
from tinygraph.ops import (array_ops, broadcast_ops, gather_ops, linalg_ops, slicing, state_ops,
                           training_ops)

FLOAT = (tf.float16, tf.float32, tf.float64)
FLOAT_NOT_HALF = (tf.float32, tf.float64)  # TF1 has no CPU kernel (or no op) for half
INT = (tf.int8, tf.int16, tf.int32, tf.int64, tf.uint8)
INDEX = (tf.int32, tf.int64)  # InvertPermutation
ONE_HOT_INDEX = (tf.uint8, tf.int32, tf.int64)  # TF1's TI
RANGE = (tf.float32, tf.float64, tf.int32, tf.int64)  # TF1's Tidx (bfloat16 aside)
NUMERIC = FLOAT + INT
SIGNED = tuple(d for d in NUMERIC if d is not tf.uint8)  # Neg, Square (as TF1)
MATMUL = FLOAT + (tf.int32, tf.int64)  # MatMul, BatchMatMul, Tensordot
ALL = NUMERIC + (tf.bool, tf.string)
NOT_STRING = NUMERIC + (tf.bool,)

X_VALUE = {"f": [[0.5, 1.5, 2.0], [3.0, 0.25, 1.0]], "i": [[1, 2, 3], [4, 5, 6]],
           "u": [[1, 2, 3], [4, 5, 6]], "b": [[True, False, True], [False, True, True]],
           "O": [[b"a", b"", b"c"], [b"dd", b"e", "\u00e9".encode()]]}


def _value(dtype):
    return np.array(X_VALUE[dtype.np_dtype.kind], dtype.np_dtype)


# -- one row per op type: (op type, dtypes it accepts, build(x, y) -> tensor or op) ----------
# x and y are [2, 3] placeholders of the row's dtype, fed with _value(dtype).
def _variable(x):
    return tf.Variable(_value(x.dtype))


def _update(builder, x, y, num_slots, num_scalars):
    """An optimizer's update op of x's dtype: slots like x, scalars 0.5, gradient y."""
    slots = [_variable(x)._ref for _ in range(num_slots)]
    scalars = [tf.constant(0.5, x.dtype) for _ in range(num_scalars)]
    return builder(_variable(x)._ref, slots, scalars, y)


ROWS = [
    ("Placeholder", ALL, lambda x, y: x),
    ("Const", ALL, lambda x, y: tf.constant(_value(x.dtype))),
    ("Const", ALL, lambda x, y: tf.constant(_value(x.dtype)[0, 0])),
    ("Identity", ALL, lambda x, y: tf.identity(x)),
    ("Reshape", ALL, lambda x, y: tf.reshape(x, [3, 2])),
    ("Reshape", ALL, lambda x, y: tf.reshape(x, [tf.shape(x)[1], -1])),
    ("ExpandDims", ALL, lambda x, y: tf.expand_dims(x, 0)),
    ("ReshapeLike", ALL, lambda x, y: array_ops.reshape_like(x, tf.zeros([6]))),
    ("BroadcastLike", ALL, lambda x, y: broadcast_ops.broadcast_like(x, tf.zeros([4, 2, 3]))),
    ("SumToShape", NUMERIC, lambda x, y: broadcast_ops.sum_to_shape(x, tf.zeros([1, 3]))),
    ("SumToShape", NUMERIC, lambda x, y: broadcast_ops.sum_to_shape(x, tf.zeros([3]))),
    ("SumToShape", NUMERIC, lambda x, y: broadcast_ops.sum_to_shape(x, tf.zeros([]))),
    ("Add", NUMERIC + (tf.string,), lambda x, y: x + y),  # strings: concatenated
    ("Add", NUMERIC, lambda x, y: tf.add(tf.reduce_sum(x), tf.reduce_sum(y))),
    ("Sub", NUMERIC, lambda x, y: x - y),
    ("Mul", NUMERIC, lambda x, y: x * y),
    ("RealDiv", FLOAT, lambda x, y: create_op("RealDiv", [x, y], {})),
    ("Neg", SIGNED, lambda x, y: -x),
    ("Neg", SIGNED, lambda x, y: -tf.reduce_sum(x)),
    ("Square", SIGNED, lambda x, y: tf.square(x)),
    ("Sqrt", FLOAT, lambda x, y: tf.sqrt(x)),
    ("Exp", FLOAT, lambda x, y: tf.exp(x)),
    ("Log", FLOAT, lambda x, y: tf.log(x)),
    ("AddN", NUMERIC, lambda x, y: tf.add_n([x, y, x])),
    ("AddN", NUMERIC, lambda x, y: tf.add_n([tf.reduce_sum(x), tf.reduce_sum(y)])),
    ("MatMul", MATMUL, lambda x, y: tf.matmul(x, y, transpose_b=True)),
    ("Equal", ALL, lambda x, y: tf.equal(x, y)),
    ("Equal", ALL, lambda x, y: tf.equal(tf.reshape(x, [6]), tf.reshape(y, [6]))),
    ("Sum", NUMERIC, lambda x, y: tf.reduce_sum(x)),
    ("Sum", NUMERIC, lambda x, y: tf.reduce_sum(x, 0)),
    ("Sum", NUMERIC, lambda x, y: tf.reduce_sum(x, 1, keepdims=True)),
    ("Mean", NUMERIC, lambda x, y: tf.reduce_mean(x)),
    ("Mean", NUMERIC, lambda x, y: tf.reduce_mean(x, 1)),
    ("Mean", NUMERIC, lambda x, y: tf.reduce_mean(x, [0, 1], keepdims=True)),
    ("MeanGrad", NUMERIC,
     lambda x, y: create_op("MeanGrad", [tf.reduce_sum(y, 1, keepdims=True), x],
                            {"axis": (1,), "keepdims": True})),
    ("MeanGrad", NUMERIC,
     lambda x, y: create_op("MeanGrad", [tf.reduce_sum(y), x],
                            {"axis": None, "keepdims": False})),
    ("SumGrad", NUMERIC,
     lambda x, y: create_op("SumGrad", [tf.reduce_sum(y, 0), x],
                            {"axis": (0,), "keepdims": False})),
    ("EnsureShapeLike", ALL, lambda x, y: broadcast_ops.ensure_shape_like(x, y)),
    ("ArgMax", NUMERIC, lambda x, y: tf.argmax(x, 1)),
    ("ArgMax", NUMERIC, lambda x, y: tf.argmax(x, 0, output_type=tf.int32)),
    ("ArgMax", NUMERIC, lambda x, y: tf.argmax(x, 1, output_type=tf.int32)),
    ("Relu", NUMERIC, lambda x, y: tf.nn.relu(x)),
    ("ReluGrad", NUMERIC, lambda x, y: create_op("ReluGrad", [x, y], {})),
    ("Sigmoid", FLOAT, lambda x, y: tf.sigmoid(x)),
    ("Tanh", FLOAT, lambda x, y: tf.tanh(x)),
    ("Softmax", FLOAT, lambda x, y: tf.nn.softmax(x)),
    ("L2Loss", FLOAT, lambda x, y: tf.nn.l2_loss(x)),
    ("SparseSoftmaxCrossEntropyWithLogits", FLOAT,
     lambda x, y: tf.nn.sparse_softmax_cross_entropy_with_logits(
         labels=tf.constant([0, 2], tf.int32), logits=x).op),
    ("SparseSoftmaxCrossEntropyWithLogits", FLOAT,
     lambda x, y: tf.nn.sparse_softmax_cross_entropy_with_logits(
         labels=tf.constant([2, 1], tf.int64), logits=x).op),
    ("Softplus", FLOAT, lambda x, y: tf.nn.softplus(x)),
    ("Softsign", FLOAT, lambda x, y: tf.nn.softsign(x)),
    ("Elu", FLOAT, lambda x, y: tf.nn.elu(x)),
    ("EluGrad", FLOAT, lambda x, y: create_op("EluGrad", [x, y], {})),
    ("Relu6", NUMERIC, lambda x, y: tf.nn.relu6(x)),
    ("Relu6Grad", NUMERIC, lambda x, y: create_op("Relu6Grad", [x, y], {})),
    ("LeakyRelu", FLOAT, lambda x, y: create_op("LeakyRelu", [x], {"alpha": 0.2})),
    ("LeakyReluGrad", FLOAT, lambda x, y: create_op("LeakyReluGrad", [x, y], {"alpha": 0.2})),
    ("LogSoftmax", FLOAT, lambda x, y: tf.nn.log_softmax(x)),
    ("SoftmaxCrossEntropyWithLogits", FLOAT,
     lambda x, y: tf.nn.softmax_cross_entropy_with_logits(labels=y, logits=x).op),
    ("SoftmaxCrossEntropyWithLogits", FLOAT,
     lambda x, y: tf.nn.softmax_cross_entropy_with_logits_v2(labels=y, logits=x).op),
    ("SigmoidCrossEntropyWithLogits", FLOAT,
     lambda x, y: tf.nn.sigmoid_cross_entropy_with_logits(labels=y, logits=x)),
    ("DropoutMask", FLOAT, lambda x, y: tf.nn.dropout(x, 0.5, seed=1).op.inputs[1]),
    ("DropoutMask", FLOAT, lambda x, y: tf.nn.dropout(x, rate=tf.constant(0.5, x.dtype),
                                                      noise_shape=[2, 1]).op.inputs[1]),
    ("L2InvNorm", FLOAT, lambda x, y: create_op("L2InvNorm", [x], {"epsilon": 1e-12})),
    ("BiasAdd", NUMERIC, lambda x, y: tf.nn.bias_add(x, tf.constant(_value(x.dtype)[0]))),
    ("EmbeddingLookup", ALL, lambda x, y: tf.nn.embedding_lookup(x, tf.constant([1, 0, 1]))),
    ("EmbeddingLookup", ALL, lambda x, y: tf.nn.embedding_lookup(
        x, tf.constant([[1], [0]], tf.int64))),
    ("EmbeddingLookupGrad", NUMERIC, lambda x, y: create_op(
        "EmbeddingLookupGrad", [y, tf.constant([1, 1]), x], {})),
    ("RandomStandardNormal", FLOAT, lambda x, y: tf.random_normal([2, 3], dtype=x.dtype)),
    ("TruncatedNormal", FLOAT, lambda x, y: tf.truncated_normal([2, 3], dtype=x.dtype)),
    ("RandomUniform", FLOAT, lambda x, y: tf.random_uniform([2, 3], dtype=x.dtype)),
    ("VariableV2", ALL, lambda x, y: _variable(x)._ref),
    ("Assign", ALL, lambda x, y: _variable(x).assign(y)),
    ("AssignAdd", NUMERIC, lambda x, y: _variable(x).assign_add(y)),
    ("AssignSub", NUMERIC, lambda x, y: _variable(x).assign_sub(y)),
    ("ApplyGradientDescent", FLOAT,
     lambda x, y: state_ops.apply_gradient_descent(_variable(x)._ref,
                                                   tf.constant(0.5, x.dtype), y)),
    ("ApplyMomentum", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.apply_momentum(v, *s, c[0], g, c[1]), x, y, 1, 2)),
    ("ApplyMomentum", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.apply_momentum(v, *s, c[0], g, c[1], True), x, y, 1,
        2)),
    ("ApplyAdam", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.apply_adam(v, *s, *c, g), x, y, 2, 6)),
    ("ApplyAdagrad", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.apply_adagrad(v, *s, *c, g), x, y, 1, 1)),
    ("ApplyRMSProp", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.apply_rms_prop(v, *s, *c, g), x, y, 2, 4)),
    ("ApplyCenteredRMSProp", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.apply_centered_rms_prop(v, *s, *c, g), x, y, 3, 4)),
    ("SparseApplyMomentum", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.sparse_apply_momentum(v, *s, c[0], g, c[1], [1, 0, 1]),
        x, y, 1, 2)),
    ("SparseApplyRMSProp", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.sparse_apply_rms_prop(v, *s, *c, g, [1]), x, y, 2, 4)),
    ("SparseApplyCenteredRMSProp", FLOAT, lambda x, y: _update(
        lambda v, s, c, g: training_ops.sparse_apply_centered_rms_prop(v, *s, *c, g, [0]), x,
        y, 3, 4)),
    ("ClipByNorm", FLOAT, lambda x, y: tf.clip_by_norm(x, 1.0)),
    ("ClipByNorm", FLOAT, lambda x, y: tf.clip_by_norm(x, 1.0, axes=[1])),
    ("ClipByGlobalNorm", FLOAT, lambda x, y: tf.clip_by_global_norm([x, y], 1.0)[0][0].op
     .inputs[0].op),
    ("ClipByGlobalNorm", FLOAT, lambda x, y: tf.clip_by_global_norm([x], 1.0)[0][0].op
     .inputs[0].op),
    ("ExponentialDecay", FLOAT, lambda x, y: tf.train.exponential_decay(
        tf.reduce_sum(x), tf.constant(7, tf.int64), 3, 0.5, staircase=True)),
    ("NoOp", ALL, lambda x, y: tf.group(tf.identity(x))),
    ("Cond", ALL, lambda x, y: tf.cond(tf.constant(False), lambda: x, lambda: tf.identity(y))),
    ("Cond", ALL, lambda x, y: tf.cond(tf.constant(True), lambda: [x, y], lambda: [y, x])[0].op),
    ("Print", ALL, lambda x, y: tf.Print(x, [y], summarize=0, first_n=0)),
    ("PrintV2", ALL, lambda x, y: tf.print(x, y, output_stream="stdout")),
    ("ScalarSummary", NUMERIC, lambda x, y: tf.summary.scalar("s", tf.reduce_sum(x))),
    ("HistogramSummary", NOT_STRING, lambda x, y: tf.summary.histogram("h", x)),
    ("MergeSummary", NUMERIC, lambda x, y: tf.summary.merge(
        [tf.summary.scalar("s", tf.reduce_sum(x)), tf.summary.histogram("h", y)])),
    # comparison_ops.py
    ("Less", NUMERIC, lambda x, y: x < y),
    ("LessEqual", NUMERIC, lambda x, y: x <= y),
    ("Greater", NUMERIC, lambda x, y: x > y),
    ("GreaterEqual", NUMERIC, lambda x, y: tf.greater_equal(x, y)),
    ("NotEqual", ALL, lambda x, y: tf.not_equal(x, y)),
    ("LogicalAnd", (tf.bool,), lambda x, y: x & y),
    ("LogicalOr", (tf.bool,), lambda x, y: x | y),
    ("LogicalNot", (tf.bool,), lambda x, y: ~x),
    ("LogicalAnd", (tf.bool,), lambda x, y: tf.logical_xor(x, y)),
    ("Where", NOT_STRING, lambda x, y: tf.where(x)),
    ("Select", ALL, lambda x, y: tf.where(tf.constant([[True, False, True]] * 2), x, y)),
    ("Select", ALL, lambda x, y: tf.where(tf.constant([False, True]), x, y)),
    ("Select", ALL, lambda x, y: tf.where(True, x, y)),
    # unary_math_ops.py
    ("Abs", NUMERIC, lambda x, y: abs(x)),
    ("Sign", NUMERIC, lambda x, y: tf.sign(x)),
    ("Reciprocal", FLOAT, lambda x, y: tf.reciprocal(x)),
    ("Rsqrt", FLOAT, lambda x, y: tf.rsqrt(x)),
    ("Log1p", FLOAT, lambda x, y: tf.log1p(x)),
    ("Expm1", FLOAT, lambda x, y: tf.expm1(x)),
    ("Sin", FLOAT, lambda x, y: tf.sin(x)),
    ("Cos", FLOAT, lambda x, y: tf.cos(x)),
    ("Tan", FLOAT, lambda x, y: tf.tan(x)),
    ("Floor", FLOAT, lambda x, y: tf.floor(x)),
    ("Ceil", FLOAT, lambda x, y: tf.ceil(x)),
    ("Round", NUMERIC, lambda x, y: tf.round(x)),
    # binary_math_ops.py
    ("Pow", NUMERIC, lambda x, y: x ** y),
    ("Maximum", NUMERIC, lambda x, y: tf.maximum(x, y)),
    ("Minimum", NUMERIC, lambda x, y: tf.minimum(x, y)),
    ("Maximum", NUMERIC, lambda x, y: tf.clip_by_value(x, 1, 2)),
    ("SquaredDifference", NUMERIC, lambda x, y: tf.squared_difference(x, y)),
    ("FloorDiv", NUMERIC, lambda x, y: x // y),
    ("FloorDiv", NUMERIC, lambda x, y: tf.floor_div(x, y)),
    ("RealDiv", FLOAT, lambda x, y: tf.realdiv(x, y)),
    ("FloorMod", NUMERIC, lambda x, y: x % y),
    # more_reduction_ops.py
    ("Max", NUMERIC, lambda x, y: tf.reduce_max(x)),
    ("Max", NUMERIC, lambda x, y: tf.reduce_max(x, 1, keepdims=True)),
    ("Min", NUMERIC, lambda x, y: tf.reduce_min(x, 0)),
    ("Prod", NUMERIC, lambda x, y: tf.reduce_prod(x, 1)),
    ("ProdOfOthers", NUMERIC, lambda x, y: create_op("ProdOfOthers", [x], {"axis": (1,)})),
    ("Any", (tf.bool,), lambda x, y: tf.reduce_any(x, 1)),
    ("All", (tf.bool,), lambda x, y: tf.reduce_all(x)),
    ("Add", FLOAT, lambda x, y: tf.reduce_logsumexp(x, 1)),
    ("Cast", ALL, lambda x, y: tf.count_nonzero(x, 1)),
    ("Cast", ALL, lambda x, y: tf.count_nonzero(x, dtype=tf.int32)),
    ("ArgMin", NUMERIC, lambda x, y: tf.argmin(x, 1)),
    ("ArgMin", NUMERIC, lambda x, y: tf.argmin(x, 0, output_type=tf.int32)),
    ("Cumsum", NUMERIC, lambda x, y: tf.cumsum(x, 1, exclusive=True, reverse=True)),
]
# The array and linear-algebra ops (tinygraph/ops/{shape_ops,manip_ops,slicing,pad_tile_ops,
# sampling_ops,linalg_ops}.py).
ROWS += [
    ("Shape", ALL, lambda x, y: create_op("Shape", [x], {"out_type": tf.int32})),
    ("Shape", ALL, lambda x, y: create_op("Shape", [x], {"out_type": tf.int64})),
    ("Size", ALL, lambda x, y: create_op("Size", [x], {"out_type": tf.int32})),
    ("Size", ALL, lambda x, y: create_op("Size", [x], {"out_type": tf.int64})),
    ("Rank", ALL, lambda x, y: create_op("Rank", [x], {"out_type": tf.int32})),
    ("Fill", ALL, lambda x, y: tf.fill([3, 2], x[1, 1])),
    ("Fill", ALL, lambda x, y: tf.zeros(create_op("Shape", [x], {"out_type": tf.int32}),
                                        x.dtype)),
    ("Range", RANGE, lambda x, y: tf.range(x[0, 0], x[1, 2], x[0, 0])),
    ("LinSpace", FLOAT_NOT_HALF, lambda x, y: tf.linspace(x[0, 0], x[1, 2], 4)),
    ("StopGradient", ALL, lambda x, y: tf.stop_gradient(x)),
    ("Transpose", ALL, lambda x, y: tf.transpose(x)),
    ("Transpose", ALL, lambda x, y: tf.matrix_transpose(tf.expand_dims(x, 0))),
    ("Transpose", ALL, lambda x, y: tf.transpose(x, tf.range(1, -1, -1))),
    ("InvertPermutation", INDEX, lambda x, y: tf.invert_permutation(tf.constant([2, 0, 1],
                                                                              x.dtype))),
    ("ConcatV2", ALL, lambda x, y: tf.concat([x, y], 1)),
    ("SplitLike", ALL, lambda x, y: create_op("SplitLike", [tf.concat([x, y], 0), x, y],
                                              {"axis": 0})),
    ("Pack", ALL, lambda x, y: tf.stack([x, y], axis=2)),
    ("Unpack", ALL, lambda x, y: tf.unstack(x, axis=1)[0].op),
    ("Split", ALL, lambda x, y: tf.split(x, 3, axis=1)[0].op),
    ("SplitV", ALL, lambda x, y: tf.split(x, [1, -1], axis=1)[0].op),
    ("Squeeze", ALL, lambda x, y: tf.squeeze(tf.expand_dims(x, 1))),
    ("ReverseV2", ALL, lambda x, y: tf.reverse(x, [0, 1])),
    ("StridedSlice", ALL, lambda x, y: x[1, ::-2]),
    ("StridedSlice", ALL, lambda x, y: x[1, 2]),
    ("StridedSliceGrad", ALL, lambda x, y: slicing.strided_slice_grad(x[1], y, (1,))),
    ("Slice", ALL, lambda x, y: tf.slice(x, [1, 0], [1, -1])),
    ("Slice", ALL, lambda x, y: tf.slice(x, [0, tf.size(x) - 6], [tf.rank(x), 2])),
    ("SliceGrad", ALL, lambda x, y: create_op("SliceGrad", [x[:1], y, tf.constant([1, 0]),
                                                            tf.constant([1, -1])], {})),
    ("StridedSlice", ALL, lambda x, y: x[create_op("Rank", [x], {"out_type": tf.int32}) - 1]),
    ("GatherV2", ALL, lambda x, y: tf.gather(x, [1, 0, 1])),
    ("GatherV2", ALL, lambda x, y: tf.gather(x, tf.constant([2, 0], tf.int64), axis=1)),
    ("GatherGrad", NUMERIC, lambda x, y: gather_ops.gather_grad(x, tf.constant([1, 1]), y, 0)),
    ("BooleanMask", ALL, lambda x, y: tf.boolean_mask(x, [True, False])),
    ("BooleanMaskGrad", ALL, lambda x, y: create_op(
        "BooleanMaskGrad", [x[:1], tf.constant([True, False]), y], {"axis": 0})),
    ("Tile", ALL, lambda x, y: tf.tile(x, [2, 1])),
    ("TileGrad", NUMERIC, lambda x, y: create_op(
        "TileGrad", [tf.tile(x, [1, 2]), y, tf.constant([1, 2])], {})),
    ("Pad", ALL, lambda x, y: tf.pad(x, [[1, 0], [0, 2]])),
    ("MirrorPad", ALL, lambda x, y: tf.pad(x, [[1, 1], [0, 2]], "REFLECT")),
    ("MirrorPad", ALL, lambda x, y: tf.pad(x, [[2, 1], [0, 3]], "SYMMETRIC")),
    ("MirrorPadGrad", NUMERIC, lambda x, y: create_op(
        "MirrorPadGrad", [tf.pad(x, [[1, 1], [0, 2]], "REFLECT"), y],
        {"paddings": ((1, 1), (0, 2)), "mode": "REFLECT"})),
    ("OneHot", ONE_HOT_INDEX, lambda x, y: tf.one_hot(x, 4)),
    ("OneHot", ONE_HOT_INDEX, lambda x, y: tf.one_hot(x, tf.size(x))),  # a depth known when run
    ("RandomShuffle", ALL, lambda x, y: tf.random_shuffle(x, seed=1)),
    ("Multinomial", FLOAT, lambda x, y: tf.multinomial(x, 3, seed=1)),
    ("Multinomial", FLOAT, lambda x, y: tf.multinomial(x, 3, output_dtype=tf.int32)),
    ("BatchMatMul", MATMUL, lambda x, y: linalg_ops.batch_matmul(
        tf.expand_dims(x, 0), tf.expand_dims(y, 0), adj_y=True)),
    ("MatrixInverse", FLOAT_NOT_HALF,
     lambda x, y: tf.matrix_inverse(tf.matmul(x, y, transpose_b=True))),
    ("MatrixDeterminant", FLOAT_NOT_HALF,
     lambda x, y: tf.matrix_determinant(tf.matmul(x, y, transpose_b=True))),
    ("Cross", NUMERIC, lambda x, y: tf.cross(x, y)),
    ("Tensordot", MATMUL, lambda x, y: tf.tensordot(x, y, [[1], [1]])),
]
for _target in NOT_STRING:
    ROWS.append(("OneHot", ONE_HOT_INDEX, lambda x, y, t=_target: tf.one_hot(x, 3, dtype=t)))
# A string one_hot needs string on and off values: 1 and 0 are no strings (as in TF1).
ROWS.append(("OneHot", (), lambda x, y: tf.one_hot(x, 3, dtype=tf.string)))
ROWS.append(("OneHot", ONE_HOT_INDEX, lambda x, y: tf.one_hot(x, 3, on_value=b"on",
                                                              off_value="")))
# Cast, ZerosLike and OnesLike: every source dtype into every target dtype (numbers and bool;
# a string casts only to itself, and has no zeros or ones).
for _target in NOT_STRING:
    ROWS.append(("Cast", NOT_STRING, lambda x, y, t=_target: tf.cast(x, t)))
    ROWS.append(("ZerosLike", NOT_STRING, lambda x, y, t=_target: tf.zeros_like(x, dtype=t)))
    ROWS.append(("OnesLike", NOT_STRING, lambda x, y, t=_target: tf.ones_like(x, dtype=t)))
ROWS.append(("Cast", (tf.string,), lambda x, y: tf.cast(x, tf.string)))


def _param(op_type, dtype, build, index):
    return pytest.param(op_type, dtype, build, id="%s-%d-%s" % (op_type, index, dtype.name))


def _cases():
    for index, (op_type, accepted, build) in enumerate(ROWS):
        for dtype in accepted:
            yield _param(op_type, dtype, build, index)


def test_every_op_type_has_a_row():
    registered = {t for t in registry._OP_DEFS if not t.startswith("TestOnly")}
    missing = registered - {row[0] for row in ROWS}
    assert not missing, "op types without a row in the dtype table: %s" % sorted(missing)


@pytest.mark.parametrize("op_type,dtype,build", list(_cases()))
def test_fetched_dtype_is_the_tensor_dtype(op_type, dtype, build, backend):
    x = tf.placeholder(dtype, [2, 3], name="x")
    y = tf.placeholder(dtype, [2, 3], name="y")
    made = build(x, y)
    op = made if isinstance(made, tf.Operation) else made.op
    assert op.type == op_type
    tensors = list(op.outputs)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        values = sess.run(tensors or op, {x: _value(dtype), y: _value(dtype)})
    if not tensors:
        assert values is None
        return
    for tensor, value in zip(tensors, values):
        if tensor.dtype == tf.string and tensor.shape.ndims == 0:  # bytes, as in TF1
            assert isinstance(value, bytes), (tensor, value)
            continue
        if tensor.dtype == tf.string:  # an object array of bytes, as in TF1
            assert all(isinstance(item, bytes) for item in value.reshape(-1)), (tensor, value)
        assert isinstance(value, (np.ndarray, np.generic)), (tensor, type(value))
        assert value.dtype == tensor.dtype.base_dtype.np_dtype, (tensor, value.dtype)
        assert np.shape(value) == tuple(d if d is not None else np.shape(value)[i]
                                        for i, d in enumerate(tensor.shape.as_list()))


def _one_case_per_op():
    seen = set()
    for index, (op_type, accepted, build) in enumerate(ROWS):
        if accepted and op_type not in seen:
            seen.add(op_type)
            yield _param(op_type, accepted[0], build, index)


@pytest.mark.parametrize("op_type,dtype,build", list(_one_case_per_op()))
def test_an_op_that_declares_no_aliases_returns_memory_of_its_own(op_type, dtype, build,
                                                                   backend, monkeypatch):
    """plan.py hands the value of such an op to the caller without a copy, and lets a fused
    step write over it once nothing else reads it (plan._overwritable): its kernel must
    never return one of its inputs, or a view of one."""
    from tinygraph import plan
    shared = []

    def checking(op, session):
        kernel = registry.bind_kernel(op, session)
        if op._op_def.aliases:
            return kernel

        def checked(*args):
            result = kernel(*args)
            for value in result if isinstance(result, tuple) else (result,):
                for arg in args:
                    if value is arg or isinstance(value, np.ndarray) and \
                            isinstance(arg, np.ndarray) and np.may_share_memory(value, arg):
                        shared.append(op.type)
            return result
        return checked

    monkeypatch.setenv("TINYGRAPH_FUSION", "0")  # each op a step of its own
    monkeypatch.setattr(plan, "bind_kernel", checking)
    x = tf.placeholder(dtype, [2, 3], name="x")
    y = tf.placeholder(dtype, [2, 3], name="y")
    made = build(x, y)
    op = made if isinstance(made, tf.Operation) else made.op
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        sess.run(list(op.outputs) or op, {x: _value(dtype), y: _value(dtype)})
    assert not shared, "kernels that returned an input's memory: %s" % sorted(set(shared))


def test_int32_sum_stays_int32_and_wraps_like_tf(backend):
    x = tf.constant([2 ** 30, 2 ** 30, 2 ** 30], tf.int32)
    v = tf.Variable(tf.zeros([], tf.int32))
    total = tf.reduce_sum(x)
    with tf.Session() as sess:
        sess.run(tf.global_variables_initializer())
        value = sess.run(total)
        assert value.dtype == np.int32 and value == -2 ** 30  # 3 * 2**30 wraps (TF1 parity)
        sess.run(v.assign(total))
        assert sess.run(v).dtype == np.int32
        # the mean of int32 values always fits int32: computed exactly, truncated toward zero
        assert sess.run(tf.reduce_mean(x)) == 2 ** 30
        assert sess.run(tf.reduce_mean(tf.constant([-3, -4], tf.int32))) == -3


def _refused_cases():
    for index, (op_type, accepted, build) in enumerate(ROWS):
        for dtype in ALL:
            if dtype not in accepted:
                yield _param(op_type, dtype, build, index)


@pytest.mark.parametrize("op_type,dtype,build", list(_refused_cases()))
def test_other_dtypes_are_refused_when_the_graph_is_built(op_type, dtype, build):
    x = tf.placeholder(dtype, [2, 3], name="x")
    y = tf.placeholder(dtype, [2, 3], name="y")
    with pytest.raises((TypeError, ValueError)):  # ValueError: random_uniform's int maxval
        build(x, y)


# -- the lossless feed rule, as properties --------------------------------------------------
# The oracle below is plain Python arithmetic on exact values (Python ints and floats compare
# exactly), written without tinygraph's code: an int or bool target takes a value iff it
# holds it exactly; a float target takes any number, rounded.
def _held(item, target):
    """What ``target`` (int32, int64 or bool) holds for ``item`` exactly, or None."""
    if isinstance(item, float):
        if not math.isfinite(item) or item != math.floor(item):
            return None
        item = int(item)
    if target is tf.bool:
        return bool(item) if item in (0, 1) else None
    info = np.iinfo(target.np_dtype)
    return item if int(info.min) <= item <= int(info.max) else None


_EDGES = (2 ** 7, 2 ** 8, 2 ** 15, 2 ** 16, 2 ** 24, 2 ** 31, 2 ** 53, 2 ** 63, 2 ** 64)
_EDGE_INTS = sorted({s * b + d for b in _EDGES for s in (1, -1) for d in (-128, -1, 0, 1)})
_EDGE_FLOATS = sorted({v for b in _EDGES for s in (1.0, -1.0) for v in (
    s * b, s * b - 0.5, s * b + 0.5, s * b - 128.0, float(np.nextafter(s * b, np.inf)),
    float(np.nextafter(s * b, -np.inf)), float(np.nextafter(np.float32(s * b), np.float32(np.inf))),
    float(np.nextafter(np.float32(s * b), np.float32(-np.inf))))}
    | {0.0, -0.0, 1.0, -1.0, 0.5, 2.5, 1e-300, 1.5})
python_ints = st.one_of(st.integers(-3, 3), st.sampled_from(_EDGE_INTS),
                        st.integers(-2 ** 70, 2 ** 70), st.just(10 ** 400))
python_floats = st.one_of(st.sampled_from(_EDGE_FLOATS), st.floats(),
                          st.integers(-2 ** 65, 2 ** 65).map(float),
                          st.sampled_from([math.nan, math.inf, -math.inf, 1e40]))
python_numbers = st.one_of(python_ints, python_floats, st.booleans())


@st.composite
def numpy_arrays(draw):
    """An ndarray of some numpy dtype (wider and narrower than tinygraph's), near-bound values."""
    dtype = np.dtype(draw(st.sampled_from(["float16", "float32", "float64", "int8", "uint8",
                                           "int16", "int32", "int64", "uint64", "bool"])))
    if dtype.kind == "f":
        items = draw(st.lists(python_floats, min_size=1, max_size=4))
    elif dtype.kind == "b":
        items = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    else:
        info = np.iinfo(dtype)
        inside = [i for i in _EDGE_INTS if info.min <= i <= info.max] + [info.min, info.max]
        items = draw(st.lists(st.one_of(st.integers(info.min, info.max), st.sampled_from(inside)),
                              min_size=1, max_size=4))
    with np.errstate(over="ignore"):  # floats beyond float16/float32 become inf: fine here
        return np.array(items, dtype)


# A value to feed, and the Python numbers it stands for, exactly.
feed_values = st.one_of(
    numpy_arrays().map(lambda a: (a, a.reshape(-1).tolist())),
    python_numbers.map(lambda v: (v, [v])),
    st.lists(python_numbers, min_size=1, max_size=4).map(lambda v: (v, v)),
    st.lists(python_numbers, min_size=1, max_size=4).map(
        lambda v: (np.array(v + [None], dtype=object)[:-1], v)),  # stays an object array
)

_FEED_GRAPH = tf.Graph()
with _FEED_GRAPH.as_default():
    _TARGETS = {d: tf.placeholder(d, name="target_" + d.name) for d in ALL}


@settings(max_examples=150)  # cheap, and the edges are many
@given(feed_values, st.sampled_from(ALL))
@example((np.array([2 ** 31], np.float32), [2.0 ** 31]), tf.int32)
@example((np.array([2 ** 31 - 128], np.float32), [2.0 ** 31 - 128]), tf.int32)
@example((np.array([-2 ** 31], np.float32), [-2.0 ** 31]), tf.int32)
@example((2.0 ** 63, [2.0 ** 63]), tf.int64)
@example((np.array([3, 2.5], dtype=object), [3, 2.5]), tf.int64)
@example((2 ** 64, [2 ** 64]), tf.int64)
@example(([2 ** 53 + 1, 2.0], [2 ** 53 + 1, 2.0]), tf.int64)
@example((np.array([2], np.uint8), [2]), tf.bool)
@example((10 ** 400, [10 ** 400]), tf.float64)
def test_feeds_are_exact_or_refused_naming_the_placeholder(fed, target):
    value, items = fed
    placeholder = _TARGETS[target]
    if target is tf.string:  # numbers never become text
        want = None
    elif target.is_floating:
        try:
            want = [float(i) for i in items]
        except OverflowError:  # a Python int beyond float64
            want = None
    else:
        want = [_held(i, target) for i in items]
        want = None if None in want else want
    with tf.Session(graph=_FEED_GRAPH) as sess:
        if want is None:
            with pytest.raises(TypeError, match="Tensor 'target_%s:0'" % target.name):
                sess.run(placeholder, {placeholder: value})
            return
        got = np.asarray(sess.run(placeholder, {placeholder: value}))
    assert got.dtype == target.np_dtype
    if target.is_floating:
        with np.errstate(over="ignore"):
            np.testing.assert_allclose(got.reshape(-1), np.array(want, target.np_dtype),
                                       rtol=np.finfo(target.np_dtype).eps)
    else:
        assert got.reshape(-1).tolist() == want  # every value round-trips exactly


@settings(max_examples=100)
@given(feed_values, st.sampled_from(ALL))
def test_constants_follow_the_feed_rule(fed, target):
    value, items = fed
    if target.is_floating:
        return
    want = [None] if target is tf.string else [_held(i, target) for i in items]
    if None in want:
        with pytest.raises(TypeError):
            tf.constant(value, dtype=target)
    else:
        assert np.asarray(value).size == 0 or \
            tf.constant(value, dtype=target).op.attrs["value"].reshape(-1).tolist() == want


def test_feed_errors_name_the_value():
    x = tf.placeholder(tf.int64, [None], name="labels")
    with tf.Session() as sess:
        for value, shown in ((np.array([3, 2.5], dtype=object), "2.5"),
                             (2 ** 64, "18446744073709551616"), ([1, None], "None"),
                             (np.array([1, "a"], dtype=object), "'a'"),
                             (np.array([np.float32(2 ** 63)]), "9.223372036854776e+18")):
            with pytest.raises(TypeError, match="Tensor 'labels:0'") as info:
                sess.run(x, {x: value})
            assert shown in str(info.value)


# -- Cast: the same exact bounds, InvalidArgumentError at run time, on both backends --------
def _cast_expected(item, target):
    """What cast gives for ``item``, or None for InvalidArgumentError (plain Python)."""
    if target is tf.bool:
        return item != 0  # NaN != 0: True, as numpy and TF
    if target.is_floating:
        return float(item)
    if isinstance(item, float):
        if not math.isfinite(item):
            return None
        item = math.trunc(item)  # toward zero
    return _held(int(item), target)


@st.composite
def cast_sources(draw):
    source = draw(st.sampled_from(NOT_STRING))
    if source.is_floating:
        items = draw(st.lists(python_floats, min_size=1, max_size=4))
    elif source is tf.bool:
        items = draw(st.lists(st.booleans(), min_size=1, max_size=4))
    else:
        info = np.iinfo(source.np_dtype)
        low, end = int(info.min), int(info.max) + 1
        edges = [i for i in _EDGE_INTS if low <= i < end]
        items = draw(st.lists(st.one_of(st.integers(low, end - 1), st.sampled_from(edges)),
                              min_size=1, max_size=4))
    with np.errstate(over="ignore"):
        return source, np.array(items, source.np_dtype)


@pytest.mark.parametrize("target", NOT_STRING, ids=lambda d: d.name)
@settings(max_examples=100,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(cast_sources())
@example((tf.float32, np.array([2 ** 31], np.float32)))
@example((tf.float32, np.array([2 ** 31 - 128, -2 ** 31], np.float32)))
@example((tf.float64, np.array([2.0 ** 63])))
@example((tf.float64, np.array([-2.0 ** 63, np.nextafter(2.0 ** 63, 0)])))
@example((tf.float64, np.array([-2.0 ** 31 - 0.5, 2.0 ** 31 - 0.5])))
@example((tf.float64, np.array([np.nan])))
@example((tf.int64, np.array([2 ** 31, -2 ** 31 - 1])))
def test_cast_is_exact_or_an_invalid_argument(backend, target, source_and_values):
    source, values = source_and_values  # (the backend stays as the fixture set it)
    with tf.Graph().as_default() as graph:
        x = tf.placeholder(source, [None], name="x")
        y = tf.cast(x, target)
    expected = [_cast_expected(i, target) for i in values.tolist()]
    with tf.Session(graph=graph) as sess:
        if None in expected:
            with pytest.raises(errors.InvalidArgumentError, match="NaN, Inf or out-of-range"):
                sess.run(y, {x: values})
            return
        got = sess.run(y, {x: values})
    assert got.dtype == target.np_dtype
    if target.is_floating:
        with np.errstate(over="ignore"):
            np.testing.assert_array_equal(got, values.astype(target.np_dtype))
    else:
        assert got.tolist() == expected
