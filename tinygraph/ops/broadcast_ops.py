"""The ops that take their run-time shape from a second tensor, for the gradients:
SumToShape and BroadcastLike (the broadcast pair) and EnsureShapeLike (gradient seeds)."""
import numpy as np

from .. import errors, kernels
from ..graph import create_op
from ..kernels import checks
from ..registry import Fusion, RegisterGradient, define_op

__all__ = ["sum_to_shape", "broadcast_like", "ensure_shape_like"]


def like_second_input_infer(op):
    """Ops of the form f(x, like): x's dtype, the (run-time) shape of ``like``."""
    return [(op.inputs[1].shape, op.inputs[0].dtype.base_dtype)]


# -- SumToShape and BroadcastLike: the broadcast pair behind every broadcasting gradient ----
def _sum_to_shape_infer(op):
    dtype = op.inputs[0].dtype.base_dtype
    if dtype.is_bool or dtype.is_string:
        raise TypeError("Value passed to parameter 'grad' of '%s' has DataType %s not in list "
                        "of allowed values: numbers" % (op.name, dtype.name))
    return like_second_input_infer(op)


def _sum_to_shape_kernel(grad, like):
    return kernels.sum_to_shape(grad, like.shape)  # both twins check the shapes


define_op("SumToShape", _sum_to_shape_infer, _sum_to_shape_kernel, aliases=(0,),
          fusion=Fusion("sum_to"))


@RegisterGradient("SumToShape")
def _sum_to_shape_grad(op, grad):
    return [broadcast_like(grad, op.inputs[0]), None]


def sum_to_shape(grad, like, name=None):
    """Sum ``grad`` over broadcast axes so that it has the run-time shape of ``like``.

    Returns ``grad`` itself when both static shapes are fully known and equal.
    """
    if grad.shape.is_fully_defined() and grad.shape == like.shape:
        return grad
    return create_op("SumToShape", [grad, like], {}, name)


def _broadcast_like_kernel(x, like):
    try:
        return np.broadcast_to(x, like.shape)
    except ValueError:  # numpy checks the shapes anyway: no cost when they fit
        raise checks.incompatible_shapes(x.shape, like.shape) from None


define_op("BroadcastLike", like_second_input_infer, _broadcast_like_kernel, aliases=(0,))


@RegisterGradient("BroadcastLike")
def _broadcast_like_grad(op, grad):
    return [sum_to_shape(grad, op.inputs[0]), None]


def broadcast_like(x, like, name=None):
    """Broadcast ``x`` to the run-time shape of ``like`` (a read-only view)."""
    return create_op("BroadcastLike", [x, like], {}, name)


# -- EnsureShapeLike: a gradient seed must have the shape of the y it seeds -----------------
def _ensure_shape_like_infer(op):
    x, like = op.inputs
    return [(x.shape.merge_with(like.shape), x.dtype.base_dtype)]


def _ensure_shape_like_kernel(x, like, what):
    if x.shape != like.shape:
        raise errors.InvalidArgumentError(
            None, None, "%s has shape %s at run time, but must have shape %s."
            % (what, list(x.shape), list(like.shape)))
    return x


define_op("EnsureShapeLike", _ensure_shape_like_infer, _ensure_shape_like_kernel,
          aliases=(0,))


@RegisterGradient("EnsureShapeLike")
def _ensure_shape_like_grad(op, grad):
    return [grad, None]


def ensure_shape_like(x, like, what="Tensor", name=None):
    """``x``, checked at run time to have the shape of ``like`` (InvalidArgumentError if
    not). ``gradients`` puts it on seeds whose shape cannot be checked when building."""
    return create_op("EnsureShapeLike", [x, like], {"what": what}, name)
