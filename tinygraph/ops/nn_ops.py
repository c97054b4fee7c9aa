"""Neural-network ops: relu, sigmoid, tanh, softmax, l2_loss and the fused sparse softmax
cross-entropy that the CIFAR example trains with.
"""
import functools

import numpy as np

from .. import errors, kernels
from ..graph import create_op, name_scope
from ..kernels.reference import half_in_float32
from ..registry import Fusion, RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor, expand_dims, reshape
from .math_ops import _NUMERIC, _check_dtypes, _unary_infer

_FLOAT = ("float16", "float32", "float64")  # TF1's CPU kernels take half too
# Relu and ReluGrad take every real number type in TF1 (relu of an int32 is an int32).


def _float_unary_infer(op):
    return _unary_infer(op, _FLOAT)
from .reduction_ops import reduce_sum

__all__ = ["relu", "sigmoid", "tanh", "softmax", "l2_loss",
           "sparse_softmax_cross_entropy_with_logits"]


# -- Relu -----------------------------------------------------------------------------------
def _relu_kernel(x):
    if x.dtype.kind in "iu":
        return np.maximum(x, x.dtype.type(0))
    return kernels.relu(x)


define_op("Relu", _unary_infer, _relu_kernel,  # TF1's real types (_NUMERIC); NaN passes
          fusion=Fusion("elementwise", "{T}(0) if {0} <= {T}(0) else {0}"))


@RegisterGradient("Relu")
def _relu_grad(op, grad):
    return [create_op("ReluGrad", [grad, op.outputs[0]], {})]


def _relu_grad_infer(op):
    return [(op.inputs[0].shape, _check_dtypes(op, ("gradients", "features"), _NUMERIC))]


def _relu_grad_kernel(grad, y, name="ReluGrad"):
    return kernels.relu_grad(grad, y, name)


def _relu_grad_bind(op, session):
    """The kernel, told the op's name (TF1's shape error names the op)."""
    return functools.partial(_relu_grad_kernel, name=op.name)


define_op("ReluGrad", _relu_grad_infer, _relu_grad_kernel, bind=_relu_grad_bind,
          fusion=Fusion("elementwise", "{0} * ({T}(1) if {1} > {T}(0) else {T}(0))",
                        broadcast=False))


@RegisterGradient("ReluGrad")
def _relu_grad_grad(op, grad):
    return [create_op("ReluGrad", [grad, op.inputs[1]], {}), None]


def relu(features, name=None):
    """max(features, 0). Its gradient at 0 is 0."""
    return create_op("Relu", [convert_to_tensor(features)], {}, name)


# -- Sigmoid, Tanh --------------------------------------------------------------------------
def _sigmoid_kernel(x):
    # exp of a large negative x overflows harmlessly to inf, giving 0.
    with np.errstate(over="ignore"):
        return (1 / (1 + np.exp(-x))).astype(x.dtype, copy=False)


define_op("Sigmoid", _float_unary_infer, half_in_float32(_sigmoid_kernel))
define_op("Tanh", _float_unary_infer, np.tanh)


@RegisterGradient("Sigmoid")
def _sigmoid_grad(op, grad):
    y = op.outputs[0]
    return [grad * (y * (1 - y))]


@RegisterGradient("Tanh")
def _tanh_grad(op, grad):
    y = op.outputs[0]
    return [grad * (1 - y * y)]


def sigmoid(x, name=None):
    return create_op("Sigmoid", [convert_to_tensor(x)], {}, name)


def tanh(x, name=None):
    return create_op("Tanh", [convert_to_tensor(x)], {}, name)


# -- Softmax --------------------------------------------------------------------------------
def _softmax_infer(op):
    shape = op.inputs[0].shape
    if shape.ndims == 0:
        raise ValueError("Shape must be at least rank 1 but is rank 0 for '%s' (op: 'Softmax')"
                         % op.name)
    return _float_unary_infer(op)


def _softmax_kernel(x):
    if x.ndim == 0:
        raise errors.InvalidArgumentError(None, None, "logits must have >= 1 dimension, got []")
    if x.size == 0:  # nothing to normalize (a max over an empty last axis would fail)
        return np.empty_like(x)
    with np.errstate(invalid="ignore"):  # inf - inf in a row with infinite logits: NaN
        e = np.exp(x - x.max(axis=-1, keepdims=True))
        return e / e.sum(axis=-1, keepdims=True)


define_op("Softmax", _softmax_infer, half_in_float32(_softmax_kernel))


@RegisterGradient("Softmax")
def _softmax_grad(op, grad):
    y = op.outputs[0]
    return [(grad - reduce_sum(grad * y, axis=-1, keepdims=True)) * y]


def softmax(logits, axis=None, name=None, dim=None):
    """exp(logits) / sum(exp(logits)) along ``axis`` (``dim``; the last by default),
    computed max-subtracted. Another axis is swapped to the end and back, as TF1 does."""
    logits = convert_to_tensor(logits)
    return along_axis(lambda x, n: create_op("Softmax", [x], {}, n), logits,
                      dim if axis is None else axis, name, "softmax")


def along_axis(fn, x, axis, name, fn_name):
    """``fn(x, name)`` along the last axis, or along ``axis`` by swapping it with the last
    (a transpose before and after, TF1's ``_swap_axis``); x's rank must be known then."""
    rank = x.shape.ndims
    if axis is None or axis == -1 or (rank is not None and axis == rank - 1):
        return fn(x, name)
    if rank is None:
        raise ValueError("%s along axis %d needs a known rank" % (fn_name, axis))
    if not -rank <= axis < rank:
        raise errors.InvalidArgumentError(
            None, None, "%s: dim %d is out of range for a tensor of rank %d"
            % (fn_name, axis, rank))
    from .axis_ops import transpose
    perm = list(range(rank))
    perm[axis], perm[-1] = perm[-1], perm[axis]
    with name_scope(name, fn_name):
        return transpose(fn(transpose(x, perm), None), perm)


# -- L2Loss ---------------------------------------------------------------------------------
def _l2_loss_infer(op):
    return [(TensorShape([]), _check_dtypes(op, ("t",), _FLOAT))]


def _l2_loss_kernel(x):
    return np.asarray(np.vdot(x, x) / 2, dtype=x.dtype) if x.size else np.zeros((), x.dtype)


define_op("L2Loss", _l2_loss_infer, half_in_float32(_l2_loss_kernel))


@RegisterGradient("L2Loss")
def _l2_loss_grad(op, grad):
    return [op.inputs[0] * grad]


def l2_loss(t, name=None):
    """sum(t ** 2) / 2."""
    return create_op("L2Loss", [convert_to_tensor(t)], {}, name)


# -- SparseSoftmaxCrossEntropyWithLogits ----------------------------------------------------
def _xent_infer(op):
    logits, labels = op.inputs
    dtype = _check_dtypes(op, ("features",), _FLOAT)
    n = logits.shape.dims[0] if logits.shape.dims else None
    if labels.shape.dims and labels.shape.dims[0] is not None:
        n = labels.shape.dims[0]
    return [(TensorShape([n]), dtype), (TensorShape([n, logits.shape.dims[1]]
                                                    if logits.shape.dims else None), dtype)]


def _xent_kernel(logits, labels):
    loss, backprop, bad = kernels.sparse_xent(logits, labels)
    if bad >= 0:
        raise errors.InvalidArgumentError(
            None, None, "Received a label value of %d which is outside the valid range of "
            "[0, %d).  Label values: %s" % (labels[bad], logits.shape[1],
                                             " ".join(str(v) for v in labels.tolist())))
    return loss, backprop


define_op("SparseSoftmaxCrossEntropyWithLogits", _xent_infer, half_in_float32(_xent_kernel))


@RegisterGradient("SparseSoftmaxCrossEntropyWithLogits")
def _xent_grad(op, grad_loss, grad_backprop=None):
    """grad[:, None] * backprop: the kernel already computed softmax - onehot."""
    result = None if grad_loss is None else expand_dims(grad_loss, -1) * op.outputs[1]
    if grad_backprop is not None:  # second order: backprop = softmax(logits) - onehot
        y = softmax(op.inputs[0])
        second = (grad_backprop - reduce_sum(grad_backprop * y, -1, keepdims=True)) * y
        result = second if result is None else result + second
    return [result, None]


def sparse_softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None,
                                             name=None):
    """Per-example loss ``logsumexp(logits) - logits[label]`` for integer class labels.

    Pass unscaled logits, not softmax output. Arguments must be named.

    Raises:
        ValueError: positional arguments, a missing argument, or shapes that don't fit.
        TypeError: labels that are not int32/int64.
        errors.InvalidArgumentError: at run time, for a label outside [0, num_classes).
    """
    if _sentinel is not None:
        raise ValueError("Only call `sparse_softmax_cross_entropy_with_logits` with named "
                         "arguments (labels=..., logits=..., ...)")
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")
    with name_scope(name, "SparseSoftmaxCrossEntropyWithLogits"):
        labels = convert_to_tensor(labels)
        logits = convert_to_tensor(logits)
        if labels.dtype.base_dtype.name not in ("int32", "int64"):
            raise TypeError("Value passed to parameter 'labels' has DataType %s not in list of "
                            "allowed values: int32, int64" % labels.dtype.base_dtype.name)
        lo, la = logits.shape, labels.shape
        if lo.ndims == 0:
            raise ValueError("Logits cannot be scalars - received shape %s." % lo)
        if lo.ndims is not None and la.ndims is not None:
            if la.ndims != lo.ndims - 1:
                raise ValueError("Rank mismatch: Rank of labels (received %d) should equal rank "
                                 "of logits minus 1 (received %d)." % (la.ndims, lo.ndims))
            if not la.is_compatible_with(lo[:-1]):
                raise ValueError("Shape mismatch: The shape of labels (received %s) should "
                                 "equal the shape of logits except for the last dimension "
                                 "(received %s)." % (la, lo))
        if lo.ndims is None or lo.ndims == 2:
            op = create_op("SparseSoftmaxCrossEntropyWithLogits", [logits, labels], {},
                           "SparseSoftmaxCrossEntropyWithLogits")
            return op.outputs[0]
        # other ranks, as TF1: logits to [-1, num_classes], labels to [-1], and back
        from .shape_ops import shape  # shape_ops imports more of the ops than this module
        classes = lo.dims[-1] if lo.dims[-1] is not None else shape(logits)[-1]
        op = create_op("SparseSoftmaxCrossEntropyWithLogits",
                       [reshape(logits, [-1, classes]), reshape(labels, [-1])], {},
                       "SparseSoftmaxCrossEntropyWithLogits")
        return reshape(op.outputs[0], shape(labels) if not la.is_fully_defined()
                       else la.as_list())
