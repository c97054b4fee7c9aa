"""Cross-entropies with probability labels: softmax (TF1's fused op with two outputs, loss
and backprop, like the sparse one) and sigmoid (TF1's stable formula, one op here).

``softmax_cross_entropy_with_logits`` (v1) lets no gradient into the labels, as TF1's
``stop_gradient`` did; ``_v2`` lets it flow.
"""
import numpy as np

from ..graph import create_op, name_scope
from ..kernels import checks
from ..kernels.reference import half_in_float32
from ..registry import RegisterGradient, define_op
from ..shapes import TensorShape, broadcast_shape
from .array_ops import convert_to_tensor, expand_dims
from .broadcast_ops import sum_to_shape
from .math_ops import _FLOAT, _broadcasting, _check_dtypes, _shape_error
from .activation_ops import log_softmax
from .nn_ops import sigmoid, softmax
from .reduction_ops import reduce_sum

__all__ = ["softmax_cross_entropy_with_logits", "softmax_cross_entropy_with_logits_v2",
           "sigmoid_cross_entropy_with_logits"]


def _check_named(fn_name, _sentinel, labels, logits):
    if _sentinel is not None:
        raise ValueError("Only call `%s` with named arguments (labels=..., logits=..., ...)"
                         % fn_name)
    if labels is None or logits is None:
        raise ValueError("Both labels and logits must be provided.")


# -- SoftmaxCrossEntropyWithLogits ----------------------------------------------------------
def _softmax_xent_infer(op):
    logits, labels = op.inputs
    dtype = _check_dtypes(op, ("features", "labels"), _FLOAT)
    if logits.shape.ndims == 0 or labels.shape.ndims == 0:
        raise ValueError("Logits cannot be scalars - received shape %s." % logits.shape)
    if logits.shape.ndims is not None and labels.shape.ndims is not None:
        if logits.shape.ndims != labels.shape.ndims:
            raise _shape_error(op, logits.shape, labels.shape, "Shapes must be equal rank, but "
                               "are %d and %d" % (logits.shape.ndims, labels.shape.ndims))
        for a, b in zip(logits.shape.dims, labels.shape.dims):
            if a is not None and b is not None and a != b:
                raise _shape_error(op, logits.shape, labels.shape,
                                   "Dimensions must be equal, but are %d and %d" % (a, b))
    shape = logits.shape.merge_with(labels.shape)
    return [(TensorShape(None if shape.dims is None else shape.dims[:-1]), dtype),
            (shape, dtype)]


def _softmax_xent_kernel(logits, labels, label_gradient):
    """loss = sum(labels * (logsumexp(logits) - logits)) along the last axis, computed
    max-subtracted; backprop = softmax(logits) - labels. (``label_gradient`` is for the
    gradient only.)"""
    if logits.shape != labels.shape:
        raise checks.invalid("logits and labels must be broadcastable: logits_size=%s "
                             "labels_size=%s" % (checks.dims(logits.shape),
                                                 checks.dims(labels.shape)))
    if logits.ndim == 0:
        raise checks.invalid("logits and labels must have >= 1 dimension, got []")
    if logits.size == 0:
        return np.zeros(logits.shape[:-1], logits.dtype), np.zeros_like(logits)
    with np.errstate(invalid="ignore", divide="ignore", over="ignore"):  # inf - inf: NaN
        shifted = logits - logits.max(axis=-1, keepdims=True)
        exp = np.exp(shifted)
        sums = exp.sum(axis=-1, keepdims=True)
        loss = np.sum(labels * (np.log(sums) - shifted), axis=-1)
        backprop = exp / sums - labels
    return loss.astype(logits.dtype, copy=False), backprop


define_op("SoftmaxCrossEntropyWithLogits", _softmax_xent_infer,
          half_in_float32(_softmax_xent_kernel))


@RegisterGradient("SoftmaxCrossEntropyWithLogits")
def _softmax_xent_grad(op, grad_loss, grad_backprop=None):
    """Logits: grad[..., None] * backprop, nothing recomputed (plus the second-order term
    through backprop = softmax(logits) - labels). Labels (v2 only): -grad * log_softmax."""
    logits = op.inputs[0]
    grad_logits = grad_labels = None
    if grad_loss is not None:
        grad_logits = expand_dims(grad_loss, -1) * op.outputs[1]
        if op.attrs["label_gradient"]:
            grad_labels = expand_dims(grad_loss, -1) * -log_softmax(logits)
    if grad_backprop is not None:
        y = softmax(logits)
        second = (grad_backprop - reduce_sum(grad_backprop * y, -1, keepdims=True)) * y
        grad_logits = second if grad_logits is None else grad_logits + second
        if op.attrs["label_gradient"]:  # TF1 leaves this term out; it is -grad_backprop
            grad_labels = -grad_backprop if grad_labels is None else grad_labels - grad_backprop
    return [grad_logits, grad_labels]


def _softmax_xent(fn_name, label_gradient, labels, logits, axis, name):
    with name_scope(name, "softmax_cross_entropy_with_logits") as scope:
        logits = convert_to_tensor(logits)
        labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype)
        rank = logits.shape.ndims
        if axis not in (None, -1) and not (rank is not None and axis == rank - 1):
            # the class axis moved to the end (TF1's _move_dim_to_end)
            if rank is None:
                raise ValueError("%s along dim %d needs a known rank" % (fn_name, axis))
            from .axis_ops import transpose
            perm = [i for i in range(rank) if i != axis % rank] + [axis % rank]
            logits, labels = transpose(logits, perm), transpose(labels, perm)
        op = create_op("SoftmaxCrossEntropyWithLogits", [logits, labels],
                       {"label_gradient": label_gradient}, scope)
        return op.outputs[0]


def softmax_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, dim=-1,
                                      name=None, axis=None):
    """Per-example ``sum(labels * -log_softmax(logits))`` over the last axis.

    Each row of ``labels`` is a probability distribution. Pass unscaled logits. No gradient
    flows into ``labels`` (see ``softmax_cross_entropy_with_logits_v2``).

    Raises:
        ValueError: positional arguments, a missing argument, or shapes that don't fit.
        TypeError: labels that cannot take the logits' float dtype.
        errors.InvalidArgumentError: at run time, for labels and logits of other shapes.
    """
    _check_named("softmax_cross_entropy_with_logits", _sentinel, labels, logits)
    return _softmax_xent("softmax_cross_entropy_with_logits", False, labels, logits,
                         dim if axis is None else axis, name)


def softmax_cross_entropy_with_logits_v2(_sentinel=None, labels=None, logits=None, axis=None,
                                         name=None, dim=None):
    """As ``softmax_cross_entropy_with_logits``, with the gradient into ``labels`` too:
    ``-grad * log_softmax(logits)``."""
    _check_named("softmax_cross_entropy_with_logits_v2", _sentinel, labels, logits)
    return _softmax_xent("softmax_cross_entropy_with_logits_v2", True, labels, logits,
                         dim if axis is None else axis, name)


# -- SigmoidCrossEntropyWithLogits ----------------------------------------------------------
def _sigmoid_xent_infer(op):
    logits, labels = op.inputs
    dtype = _check_dtypes(op, ("logits", "labels"), _FLOAT)
    if not logits.shape.is_compatible_with(labels.shape):
        raise ValueError("logits and labels must have the same shape (%s vs %s)"
                         % (logits.shape, labels.shape))
    return [(broadcast_shape(logits.shape, labels.shape), dtype)]


def _sigmoid_xent_formula(x, z):
    """TF1's ``max(x, 0) - x * z + log(1 + exp(-|x|))``, with log1p: never overflows."""
    with np.errstate(invalid="ignore", over="ignore"):
        return np.maximum(x, 0) - x * z + np.log1p(np.exp(-np.abs(x)))


define_op("SigmoidCrossEntropyWithLogits", _sigmoid_xent_infer,
          half_in_float32(_broadcasting(_sigmoid_xent_formula)))


@RegisterGradient("SigmoidCrossEntropyWithLogits")
def _sigmoid_xent_grad(op, grad):
    """d/dx = sigmoid(x) - z (0.5 - z at x = 0, as TF1's composition gives); d/dz = -x."""
    x, z = op.inputs
    return [sum_to_shape(grad * (sigmoid(x) - z), x), sum_to_shape(grad * -x, z)]


def sigmoid_cross_entropy_with_logits(_sentinel=None, labels=None, logits=None, name=None):
    """Elementwise logistic loss ``max(x, 0) - x * z + log(1 + exp(-|x|))`` for logits x
    and labels z (probabilities), stable for any x. The output is named ``logistic_loss``.

    Raises:
        ValueError: positional arguments, a missing argument, or static shapes that differ.
    """
    _check_named("sigmoid_cross_entropy_with_logits", _sentinel, labels, logits)
    logits = convert_to_tensor(logits)
    labels = convert_to_tensor(labels, dtype=logits.dtype.base_dtype)
    return create_op("SigmoidCrossEntropyWithLogits", [logits, labels], {},
                     name or "logistic_loss")
