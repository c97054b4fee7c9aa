"""Reductions: Sum and Mean over some axes (with their gradient ops) and ArgMax.

Every reduction (these and those of more_reduction_ops.py) follows TF1's one rule for
``axis``: each axis must lie in [-rank, rank), so a scalar has none (``reduce_sum(scalar,
0)`` fails, ``axis=None`` and ``axis=[]`` are fine). When the rank is known the graph is
refused at build time (``ValueError: Invalid reduction dimension 0 for input with 0
dimensions.``), otherwise the run fails (``InvalidArgumentError: Invalid reduction dimension
(0 for input with 0 dimension(s)``), as in TF1.
"""
import numpy as np

from .. import dtypes, errors, kernels
from ..graph import create_op
from ..kernels import checks
from ..registry import NotDifferentiable, RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor, ones_like
from .broadcast_ops import like_second_input_infer
from .math_ops import _NUMERIC, _check_dtypes

__all__ = ["reduce_sum", "reduce_mean", "argmax"]


# -- Sum, Mean ------------------------------------------------------------------------------
def _reduce_infer(op, allowed=_NUMERIC):
    x = op.inputs[0]
    dtype = _check_dtypes(op, ("input",), allowed)
    axis, keepdims = op.attrs["axis"], op.attrs["keepdims"]
    if x.shape.dims is None:  # all axes away gives a scalar; else the rank stays unknown
        return [(TensorShape([] if axis is None and not keepdims else None), dtype)]
    rank = x.shape.ndims
    if axis is None:
        axes = set(range(rank))
    else:
        for a in axis:  # a scalar has no axis 0 either (TF1's ReductionShape)
            if not -rank <= a < rank:
                raise ValueError("Invalid reduction dimension %d for input with %d dimensions. "
                                 "for '%s' (op: '%s')" % (a, rank, op.name, op.type))
        axes = {a % rank for a in axis}
    dims = [1 if i in axes else d for i, d in enumerate(x.shape.dims) if keepdims or i not in axes]
    return [(TensorShape(dims), dtype)]


def _sum(x, axis, keepdims, dtype=None):
    try:
        return np.asarray(np.sum(x, axis=axis, keepdims=keepdims, dtype=dtype))
    except ValueError:  # numpy's AxisError: no cost when the axes are fine
        pass
    for a in axis:  # the rank was unknown when the graph was built
        if not -x.ndim <= a < x.ndim:
            raise checks.invalid("Invalid reduction dimension (%d for input with %d "
                                 "dimension(s)" % (a, x.ndim))
    # An axis named twice (1 and -1) counts once, as in TF1 (numpy refuses it).
    return np.asarray(np.sum(x, axis=tuple({a % x.ndim for a in axis}), keepdims=keepdims,
                             dtype=dtype))


def _sum_kernel(x, axis, keepdims):
    # dtype=x.dtype: numpy would sum int32 in int64; TF keeps int32 (and wraps on overflow).
    return _sum(x, axis, keepdims, x.dtype)


def _divide_toward_zero(total, count):
    """Integer ``total / count`` (count >= 1) truncated toward zero, as TF divides integers."""
    quotient = total // count  # floors; step back up where a negative quotient was rounded down
    quotient += (quotient < 0) & (quotient * count != total)
    return quotient


def _mean_kernel(x, axis, keepdims):
    total = _sum(x, axis, keepdims)
    count = x.size // total.size if total.size else 0
    if x.dtype.kind in "iu":  # int32 is summed in int64, so its mean is exact (and fits)
        return np.asarray(_divide_toward_zero(total, max(count, 1)), dtype=x.dtype)
    with np.errstate(invalid="ignore", divide="ignore"):  # an empty mean is nan, silently
        return total / total.dtype.type(count)


define_op("Sum", _reduce_infer, _sum_kernel)
define_op("Mean", _reduce_infer, _mean_kernel)


# The gradients of Sum and Mean spread each output element back over the input elements it
# reduced. They are ops of their own because which axes were reduced is known only at run time
# when x's rank is unknown (a negative axis means nothing until then): their kernels read x's
# real shape. Each is linear in ``grad``, and its own gradient is the reduction again.
def _reduced_axes(rank, axis, error):
    """The set of axes in range(rank) that a reduction over ``axis`` removes."""
    if axis is None:
        return set(range(rank))
    for a in axis:
        if not -rank <= a < rank:  # as the reduction's own check
            raise error("Invalid reduction dimension %d for input with %d dimensions."
                        % (a, rank))
    return {a % rank for a in axis}


def _reduction_grad_infer(op):
    """x's shape and grad's dtype; grad must fit the shape that the reduction gave."""
    grad, x = op.inputs
    if x.shape.dims is not None:
        axes = _reduced_axes(x.shape.ndims, op.attrs["axis"], ValueError)
        expected = TensorShape([1 if i in axes else d for i, d in enumerate(x.shape.dims)
                                if op.attrs["keepdims"] or i not in axes])
        if not grad.shape.is_compatible_with(expected):
            raise ValueError("The gradient of a reduction of %s must have shape %s, got %s "
                             "for '%s' (op: '%s')." % (x.shape, expected, grad.shape,
                                                       op.name, op.type))
    return like_second_input_infer(op)


def _spread(grad, x, axis, keepdims, mean):
    """``grad`` broadcast over the reduced axes to x's shape (a read-only view); divided by
    the number of elements that each output averaged when ``mean``."""
    if axis is None:  # the common case (a mean loss): no axes to resolve
        kept = (1,) * x.ndim
        expected = kept if keepdims else ()
        count = x.size
    else:
        axes = _reduced_axes(x.ndim, axis, _invalid_argument)
        kept = tuple(1 if i in axes else d for i, d in enumerate(x.shape))
        expected = kept if keepdims else tuple(d for i, d in enumerate(x.shape) if i not in axes)
        count = 1
        for i in axes:
            count *= x.shape[i]
    if grad.shape != expected:
        raise errors.InvalidArgumentError(
            None, None, "The gradient of a reduction of an input of shape %s must have shape "
            "%s, got %s." % (list(x.shape), list(expected), list(grad.shape)))
    if mean:  # an integer mean's gradient divides as the mean does
        grad = (np.asarray(_divide_toward_zero(grad, max(count, 1)), grad.dtype)
                if grad.dtype.kind in "iu" else grad / grad.dtype.type(max(count, 1)))
    if grad.ndim == 0 and x.size <= 4096:  # a small spread: filling beats a view's set-up
        return np.full(x.shape, grad, grad.dtype)
    if grad.ndim != x.ndim and grad.ndim:  # put the reduced axes back as size 1
        grad = grad.reshape(kept)
    return np.broadcast_to(grad, x.shape)


def _invalid_argument(message):
    return errors.InvalidArgumentError(None, None, message)


def _sum_grad_kernel(grad, x, axis, keepdims):
    return _spread(grad, x, axis, keepdims, mean=False)


def _mean_grad_kernel(grad, x, axis, keepdims):
    """Spread ``grad`` evenly over the elements that each mean averaged."""
    return _spread(grad, x, axis, keepdims, mean=True)


define_op("SumGrad", _reduction_grad_infer, _sum_grad_kernel, aliases=(0,))
define_op("MeanGrad", _reduction_grad_infer, _mean_grad_kernel, aliases=(0,))


def _reduction_grad(op_type, op, grad):
    """The gradient op of reduction ``op`` (Sum or Mean), with the same axis and keepdims."""
    attrs = {"axis": op.attrs["axis"], "keepdims": op.attrs["keepdims"]}
    return create_op(op_type, [grad, op.inputs[0]], attrs)


@RegisterGradient("Sum")
def _sum_grad(op, grad):
    return [_reduction_grad("SumGrad", op, grad)]


@RegisterGradient("Mean")
def _mean_grad(op, grad):
    return [_reduction_grad("MeanGrad", op, grad)]


@RegisterGradient("SumGrad")
def _sum_grad_grad(op, grad):
    # SumGrad copies each element of its input to the elements that Sum added up: its
    # adjoint adds them up again.
    return [reduce_sum(grad, op.attrs["axis"], op.attrs["keepdims"]), None]


@RegisterGradient("MeanGrad")
def _mean_grad_grad(op, grad):
    # Like SumGrad's, divided by the count. Not reduce_mean: a mean over no elements is nan,
    # while this gradient is 0 there (nothing depends on it). x only gives the shape.
    small, x = op.inputs
    attrs = {"axis": op.attrs["axis"], "keepdims": op.attrs["keepdims"]}
    spread = create_op("MeanGrad", [ones_like(small), x], attrs)
    return [reduce_sum(grad * spread, attrs["axis"], attrs["keepdims"]), None]


def _reduce_attrs(axis, keepdims, reduction_indices, keep_dims):
    if axis is None:
        axis = reduction_indices
    if keepdims is None:
        keepdims = bool(keep_dims)
    if axis is not None:
        axis = tuple(int(a) for a in axis) if isinstance(axis, (list, tuple)) else (int(axis),)
    return {"axis": axis, "keepdims": bool(keepdims)}


def reduce_sum(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Sum over ``axis`` (an int, a list, or None for all axes)."""
    return create_op("Sum", [convert_to_tensor(input_tensor)],
                     _reduce_attrs(axis, keepdims, reduction_indices, keep_dims), name)


def reduce_mean(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """Mean over ``axis``. Integer inputs give a truncated integer mean, as in TF."""
    return create_op("Mean", [convert_to_tensor(input_tensor)],
                     _reduce_attrs(axis, keepdims, reduction_indices, keep_dims), name)


# -- ArgMax (no gradient) ------------------------------------------------------------
def _arg_reduce_infer(op):
    """ArgMax and ArgMin: the input's shape without ``axis``; ``output_type``."""
    x, axis = op.inputs[0], op.attrs["axis"]
    _check_dtypes(op, ("input",))
    if x.shape.dims is None:
        return [(TensorShape(None), op.attrs["output_type"])]
    rank = x.shape.ndims
    if not -rank <= axis < rank:
        raise ValueError("Expected dimension in the range [%d, %d), but got %d for '%s' "
                         "(op: '%s')" % (-rank, rank, axis, op.name, op.type))
    dims = [d for i, d in enumerate(x.shape.dims) if i != axis % rank]
    return [(TensorShape(dims), op.attrs["output_type"])]


def _argmax_kernel(x, axis, output_type):
    out = kernels.argmax(x, axis)
    return out if output_type.np_dtype == out.dtype else out.astype(output_type.np_dtype)


define_op("ArgMax", _arg_reduce_infer, _argmax_kernel)
NotDifferentiable("ArgMax")


def argmax(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):
    """Index of the largest value along ``axis`` (default 0); ties go to the lowest index."""
    if axis is None:
        axis = 0 if dimension is None else dimension
    return create_op("ArgMax", [convert_to_tensor(input)],
                     {"axis": int(axis), "output_type": dtypes.as_dtype(output_type)}, name)
