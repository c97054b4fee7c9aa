"""Picking entries by index or by mask: GatherV2 (``gather``) and BooleanMask.

Their gradients (GatherGrad, BooleanMaskGrad) put the incoming gradient back into zeros of
the input's run-time shape; repeated gather indices add up. An index out of range is a
run-time ``InvalidArgumentError`` with TF1's text (``indices[3] = 7 is not in [0, 5)``).
"""
import numpy as np

from .. import dtypes, errors
from ..kernels import checks
from ..graph import create_op
from ..registry import RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor
from .shape_ops import python_ints, shape_error

__all__ = ["gather", "gather_grad", "boolean_mask"]

_INT = (dtypes.int32, dtypes.int64)
_builtin_slice = slice


# -- GatherV2 ----------------------------------------------------------------------------------
def _gather_infer(op):
    params, indices = op.inputs
    if indices.dtype.base_dtype not in _INT:
        raise TypeError("Value passed to parameter 'indices' has DataType %s not in list of "
                        "allowed values: int32, int64" % indices.dtype.base_dtype.name)
    axis = op.attrs["axis"]
    p, i = params.shape.dims, indices.shape.dims
    if p is None:
        return [(TensorShape(None), params.dtype.base_dtype)]
    if not -len(p) <= axis < max(len(p), 1) or not p:
        raise shape_error(op, "Shape must be at least rank %d but is rank %d"
                          % ((axis if axis >= 0 else -axis - 1) + 1, len(p)))
    axis %= len(p)
    if i is None:
        return [(TensorShape(None), params.dtype.base_dtype)]
    return [(TensorShape(p[:axis] + i + p[axis + 1:]), params.dtype.base_dtype)]


def _check_gather(params, indices, axis):
    if not -params.ndim <= axis < params.ndim:
        raise errors.InvalidArgumentError(None, None, "Expected axis in the range [%d, %d), but "
                                          "got %d" % (-params.ndim, params.ndim, axis))
    limit = params.shape[axis]
    bad = (indices < 0) | (indices >= limit)
    if bad.any():
        where = np.argwhere(bad)[0] if indices.ndim else []
        raise errors.InvalidArgumentError(
            None, None, "indices%s = %d is not in [0, %d)"
            % ("[%s]" % ",".join(str(int(k)) for k in where) if indices.ndim else "",
               int(indices[tuple(where)]), limit))


def _gather_kernel(params, indices, axis):
    _check_gather(params, indices, axis)
    return np.take(params, indices, axis=axis)


define_op("GatherV2", _gather_infer, _gather_kernel)


@RegisterGradient("GatherV2")
def _gather_grad(op, grad):
    params, indices = op.inputs
    return [gather_grad(grad, indices, params, op.attrs["axis"]), None]


def _gather_grad_infer(op):
    grad, _, params = op.inputs
    dtype = grad.dtype.base_dtype
    if op.type == "GatherGrad" and (dtype.is_bool or dtype.is_string):  # repeats add up
        raise TypeError("Value passed to parameter 'grad' of '%s' has DataType %s not in list "
                        "of allowed values: float16, float32, float64, int8, int16, int32, "
                        "int64, uint8" % (op.name, dtype.name))
    return [(params.shape, grad.dtype.base_dtype)]


def _gather_grad_kernel(grad, indices, like, axis):
    _check_gather(like, indices, axis)
    axis %= like.ndim
    checks.gradient_shape("a gather from an input of shape %s" % _text(like.shape), grad.shape,
                          like.shape[:axis] + indices.shape + like.shape[axis + 1:])
    out = dtypes.zeros_array(like.shape, grad.dtype)
    np.add.at(out, (_builtin_slice(None),) * axis + (indices,), grad)  # repeats add up
    return out


define_op("GatherGrad", _gather_grad_infer, _gather_grad_kernel)


@RegisterGradient("GatherGrad")
def _gather_grad_grad(op, grad):
    return [gather(grad, op.inputs[1], axis=op.attrs["axis"]), None, None]


def gather_grad(grad, indices, like, axis, name=None):
    """Zeros of ``like``'s run-time shape with ``grad`` added at ``indices`` along ``axis``."""
    return create_op("GatherGrad", [grad, indices, like], {"axis": axis}, name)


def gather(params, indices, validate_indices=None, name=None, axis=0):
    """Slices of ``params`` along ``axis`` picked by the int ``indices`` (any shape).

    An index outside ``[0, params.shape[axis])`` raises InvalidArgumentError when it runs.
    """
    params = convert_to_tensor(params)
    indices = convert_to_tensor(indices)
    axis = python_ints(axis, "axis")
    return create_op("GatherV2", [params, indices], {"axis": int(axis)}, name)


# -- BooleanMask -------------------------------------------------------------------------------
def _mask_infer(op):
    x, mask = op.inputs
    axis = op.attrs["axis"]
    if not mask.dtype.base_dtype.is_bool:
        raise TypeError("Value passed to parameter 'mask' has DataType %s not in list of "
                        "allowed values: bool" % mask.dtype.base_dtype.name)
    k = mask.shape.ndims
    if k is None:
        raise ValueError("Number of mask dimensions must be specified, even if some dimensions"
                         " are None.  E.g. shape=[None] is ok, but shape=None is not.")
    if k == 0:
        raise ValueError("mask cannot be scalar.")
    if x.shape.dims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    dims = x.shape.dims
    if axis + k > len(dims):
        raise ValueError("Shapes %s and %s are incompatible"
                         % (TensorShape(dims[axis:axis + k]), mask.shape))
    part = TensorShape(dims[axis:axis + k])
    if not part.is_compatible_with(mask.shape):
        raise ValueError("Shapes %s and %s are incompatible" % (part, mask.shape))
    return [(TensorShape(dims[:axis] + (None,) + dims[axis + k:]), x.dtype.base_dtype)]


def _mask_index(x_shape, mask, axis):
    part = tuple(x_shape[axis:axis + mask.ndim])
    if part != mask.shape:
        raise errors.InvalidArgumentError(None, None, "Shapes %s and %s are incompatible: the "
                                          "mask must match the tensor's dims at axis %d"
                                          % (_text(part), _text(mask.shape), axis))
    return (_builtin_slice(None),) * axis + (mask,)


def _text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


def _mask_kernel(x, mask, axis):
    return x[_mask_index(x.shape, mask, axis)]


define_op("BooleanMask", _mask_infer, _mask_kernel)


@RegisterGradient("BooleanMask")
def _mask_grad(op, grad):
    x, mask = op.inputs
    return [create_op("BooleanMaskGrad", [grad, mask, x], {"axis": op.attrs["axis"]}), None]


def _mask_grad_kernel(grad, mask, like, axis):
    out = dtypes.zeros_array(like.shape, grad.dtype)
    index = _mask_index(like.shape, mask, axis)
    checks.gradient_shape("a boolean mask of an input of shape %s" % _text(like.shape),
                          grad.shape, like.shape[:axis] + (int(np.count_nonzero(mask)),)
                          + like.shape[axis + mask.ndim:])
    out[index] = grad
    return out


define_op("BooleanMaskGrad", _gather_grad_infer, _mask_grad_kernel)


@RegisterGradient("BooleanMaskGrad")
def _mask_grad_grad(op, grad):
    return [boolean_mask(grad, op.inputs[1], axis=op.attrs["axis"]), None, None]


def boolean_mask(tensor, mask, name="boolean_mask", axis=None):
    """The entries of ``tensor`` where the bool ``mask`` is True, mask covering the dims
    from ``axis`` (default 0): shape ``tensor.shape[:axis] + [count] + the rest``."""
    tensor = convert_to_tensor(tensor)
    mask = convert_to_tensor(mask)
    axis = 0 if axis is None else int(python_ints(axis, "axis"))
    if axis < 0:
        if tensor.shape.ndims is None:
            raise ValueError("boolean_mask needs a known rank for a negative axis")
        axis += tensor.shape.ndims
    return create_op("BooleanMask", [tensor, mask], {"axis": axis}, name)

