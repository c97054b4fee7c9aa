"""More reductions: reduce_max/min/prod/any/all, reduce_logsumexp, count_nonzero, argmin,
and the scan cumsum.

They take ``axis``/``keepdims`` (and TF1's older ``reduction_indices``/``keep_dims``) as
reduce_sum does. Max and Min split their gradient evenly among tied extrema, as TF1 does.
"""
import numpy as np

from .. import dtypes, errors
from ..graph import create_op, name_scope
from ..registry import NotDifferentiable, RegisterGradient, define_op
from .array_ops import cast, convert_to_tensor, expand_dims, reshape_like, zeros_like
from .broadcast_ops import broadcast_like
from .comparison_ops import less, not_equal, where
from .math_ops import _check_dtypes, equal, exp, log
from .reduction_ops import _arg_reduce_infer, _reduce_attrs, _reduce_infer, reduce_sum
from .shape_ops import stop_gradient
from .unary_math_ops import abs

__all__ = ["reduce_max", "reduce_min", "reduce_prod", "reduce_any", "reduce_all",
           "reduce_logsumexp", "count_nonzero", "argmin", "cumsum"]


def _axes(x, axis):
    """The reduced axes of ``x`` as sorted non-negative ints (``None``: all of them)."""
    if axis is None:
        return tuple(range(x.ndim))
    return tuple(sorted({a % x.ndim for a in axis}))


def _kernel_axis(x, axis):
    """The axes a kernel reduces, checked at run time (the rank may have been unknown when
    the graph was built) by the rule of reduction_ops.py: a scalar has no axis 0."""
    if axis is None:
        return None
    for a in axis:
        if not -x.ndim <= a < x.ndim:
            raise errors.InvalidArgumentError(
                None, None, "Invalid reduction dimension (%d for input with %d dimension(s)"
                % (a, x.ndim))
    return tuple(a % x.ndim for a in axis)


def _keep_reduced_dims(op, t):
    """``t`` (a reduction's output or gradient) with the reduced axes put back as size 1, so
    that it broadcasts against the reduction's input."""
    axis, keepdims = op.attrs["axis"], op.attrs["keepdims"]
    rank = op.inputs[0].shape.ndims
    if keepdims or rank == 0:
        return t
    if rank is None:  # the axes' positions are known only at run time: take the shape there
        return reshape_like(t, reduce_sum(op.inputs[0], axis, keepdims=True))
    if axis is None:
        axis = range(rank)
    return expand_dims(t, tuple(sorted({a % rank for a in axis})))


def _reduce(op_type, input_tensor, axis, keepdims, name, reduction_indices, keep_dims):
    return create_op(op_type, [convert_to_tensor(input_tensor)],
                     _reduce_attrs(axis, keepdims, reduction_indices, keep_dims), name)


# -- Max, Min -------------------------------------------------------------------------------
def _lowest(dtype):
    return -np.inf if dtype.kind == "f" else np.iinfo(dtype).min


def _highest(dtype):
    return np.inf if dtype.kind == "f" else np.iinfo(dtype).max


def _max_kernel(x, axis, keepdims):
    # initial: the max of nothing is the lowest value (-inf), as TF; NaN propagates.
    with np.errstate(invalid="ignore"):
        return np.asarray(np.max(x, axis=_kernel_axis(x, axis), keepdims=keepdims,
                                 initial=_lowest(x.dtype)))


def _min_kernel(x, axis, keepdims):
    with np.errstate(invalid="ignore"):
        return np.asarray(np.min(x, axis=_kernel_axis(x, axis), keepdims=keepdims,
                                 initial=_highest(x.dtype)))


define_op("Max", _reduce_infer, _max_kernel)
define_op("Min", _reduce_infer, _min_kernel)


def _min_or_max_grad(op, grad):
    """Each extremum gets ``grad / (number of elements equal to it)``: ties share evenly."""
    x = op.inputs[0]
    y = _keep_reduced_dims(op, op.outputs[0])
    indicators = cast(equal(y, x), grad.dtype)
    count = reduce_sum(indicators, op.attrs["axis"], keepdims=True)
    return [indicators / count * _keep_reduced_dims(op, grad)]


RegisterGradient("Max")(_min_or_max_grad)
RegisterGradient("Min")(_min_or_max_grad)


def reduce_max(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Largest value over ``axis``. The gradient is shared evenly by tied maxima."""
    return _reduce("Max", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_min(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Smallest value over ``axis``. The gradient is shared evenly by tied minima."""
    return _reduce("Min", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- Prod, and the product of the other elements (its gradient) -----------------------------
def _prod_kernel(x, axis, keepdims):
    with np.errstate(all="ignore"):  # dtype=x.dtype: int32 stays int32 (and wraps), as TF
        return np.asarray(np.prod(x, axis=_kernel_axis(x, axis), keepdims=keepdims,
                                  dtype=x.dtype))


define_op("Prod", _reduce_infer, _prod_kernel)


@RegisterGradient("Prod")
def _prod_grad(op, grad):
    # d prod / d x_i = the product of the others, computed without dividing (zeros are fine).
    x = op.inputs[0]
    others = create_op("ProdOfOthers", [x], {"axis": op.attrs["axis"]})
    return [broadcast_like(_keep_reduced_dims(op, grad), x) * others]


def _prod_of_others_infer(op):
    return [(op.inputs[0].shape, _check_dtypes(op, ("input",)))]


def _prod_of_others_kernel(x, axis):
    """For each element, the product of the other elements of its reduction group: an
    exclusive cumulative product from the left times one from the right."""
    axes = _axes(x, _kernel_axis(x, axis))
    if not axes or x.size == 0:
        return np.ones_like(x)
    kept = [i for i in range(x.ndim) if i not in axes]
    moved = np.transpose(x, kept + list(axes))
    rows = moved.reshape(moved.shape[:len(kept)] + (-1,))  # one row per group
    with np.errstate(all="ignore"):
        left = np.ones_like(rows)
        np.cumprod(rows[..., :-1], axis=-1, dtype=x.dtype, out=left[..., 1:])
        right = np.ones_like(rows)
        np.cumprod(rows[..., :0:-1], axis=-1, dtype=x.dtype, out=right[..., 1:])
        others = left * right[..., ::-1]
    return np.transpose(others.reshape(moved.shape), np.argsort(kept + list(axes)))


define_op("ProdOfOthers", _prod_of_others_infer, _prod_of_others_kernel)


@RegisterGradient("ProdOfOthers")
def _prod_of_others_grad(op, grad):
    # others_i = prod_{k != i} x_k, so d others_i / d x_j = others_i / x_j for i != j: the
    # second-order gradient divides by x (like TF1's, it is not defined at x = 0).
    x, others = op.inputs[0], op.outputs[0]
    weighted = grad * others
    return [(reduce_sum(weighted, op.attrs["axis"], keepdims=True) - weighted) / x]


def reduce_prod(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                keep_dims=None):
    """Product over ``axis``; the product of nothing is 1."""
    return _reduce("Prod", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- Any, All (bool, no gradient) -----------------------------------------------------------
def _logical_reduce_infer(op):
    return _reduce_infer(op, ("bool",))


def _any_kernel(x, axis, keepdims):
    return np.asarray(np.any(x, axis=_kernel_axis(x, axis), keepdims=keepdims))


def _all_kernel(x, axis, keepdims):
    return np.asarray(np.all(x, axis=_kernel_axis(x, axis), keepdims=keepdims))


define_op("Any", _logical_reduce_infer, _any_kernel)
define_op("All", _logical_reduce_infer, _all_kernel)
NotDifferentiable("Any")
NotDifferentiable("All")


def reduce_any(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Logical or over ``axis`` of a bool tensor (False for nothing)."""
    return _reduce("Any", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


def reduce_all(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
               keep_dims=None):
    """Logical and over ``axis`` of a bool tensor (True for nothing)."""
    return _reduce("All", input_tensor, axis, keepdims, name, reduction_indices, keep_dims)


# -- reduce_logsumexp and count_nonzero (compositions, as in TF1) ---------------------------
def reduce_logsumexp(input_tensor, axis=None, keepdims=None, name=None, reduction_indices=None,
                     keep_dims=None):
    """``log(sum(exp(x)))`` over ``axis``, computed max-subtracted so it neither overflows nor
    underflows (``[1e4, 1e4]`` gives ``1e4 + log 2``). Its gradient is softmax(x) * grad."""
    attrs = _reduce_attrs(axis, keepdims, reduction_indices, keep_dims)
    with name_scope(name, "ReduceLogSumExp") as scope:
        x = convert_to_tensor(input_tensor)
        raw_max = reduce_max(x, attrs["axis"], keepdims=True)
        # An infinite (or NaN) max is replaced by 0, so that inf - inf gives no NaN.
        finite = less(abs(raw_max), np.inf)
        shift = stop_gradient(where(finite, raw_max, zeros_like(raw_max)))  # as TF1
        result = log(reduce_sum(exp(x - shift), attrs["axis"], keepdims=attrs["keepdims"]))
        if not attrs["keepdims"]:
            shift = reshape_like(shift, result)
        return create_op("Add", [result, shift], {}, scope or None)


def count_nonzero(input_tensor, axis=None, keepdims=None, dtype=dtypes.int64, name=None,
                  reduction_indices=None, keep_dims=None):
    """How many elements are not zero (or not False) over ``axis``; NaN counts. ``dtype``
    is the result's (int64 by default)."""
    attrs = _reduce_attrs(axis, keepdims, reduction_indices, keep_dims)
    with name_scope(name, "count_nonzero"):
        x = convert_to_tensor(input_tensor)
        zero = b"" if x.dtype.base_dtype.is_string else x.dtype.base_dtype.np_dtype.type(0)
        nonzero = cast(not_equal(x, zero), dtypes.int64)  # strings: the non-empty ones
        counts = reduce_sum(nonzero, attrs["axis"], keepdims=attrs["keepdims"])
        return cast(counts, dtype)


# -- ArgMin (no gradient) -------------------------------------------------------------------
def _argmin_kernel(x, axis, output_type):
    if not -x.ndim <= axis < x.ndim:
        raise errors.InvalidArgumentError(
            None, None, "Expected dimension in the range [%d, %d), but got %d"
            % (-x.ndim, x.ndim, axis))
    if x.shape[axis] == 0:
        raise errors.InvalidArgumentError(
            None, None, "Reduction axis %d is empty in shape %s"
            % (axis % x.ndim, "[" + ",".join(map(str, x.shape)) + "]"))
    return np.asarray(np.argmin(x, axis=axis)).astype(output_type.np_dtype, copy=False)


define_op("ArgMin", _arg_reduce_infer, _argmin_kernel)
NotDifferentiable("ArgMin")


def argmin(input, axis=None, name=None, dimension=None, output_type=dtypes.int64):
    """Index of the smallest value along ``axis`` (default 0); ties go to the lowest index,
    and a NaN counts as the smallest (the first NaN wins, as in numpy)."""
    if axis is None:
        axis = 0 if dimension is None else dimension
    return create_op("ArgMin", [convert_to_tensor(input)],
                     {"axis": int(axis), "output_type": dtypes.as_dtype(output_type)}, name)


# -- Cumsum ---------------------------------------------------------------------------------
def _cumsum_infer(op):
    x, axis = op.inputs[0], op.attrs["axis"]
    dtype = _check_dtypes(op, ("x",))
    rank = x.shape.ndims
    if rank is not None and not -rank <= axis < rank:
        raise ValueError("Expected scan axis in the range [%d, %d), but got %d for '%s' "
                         "(op: 'Cumsum')" % (-rank, rank, axis, op.name))
    return [(x.shape, dtype)]


def _cumsum_kernel(x, axis, exclusive, reverse):
    if not -x.ndim <= axis < x.ndim:
        raise errors.InvalidArgumentError(
            None, None, "Expected scan axis in the range [%d, %d), but got %d"
            % (-x.ndim, x.ndim, axis))
    if reverse:
        x = np.flip(x, axis)
    with np.errstate(all="ignore"):
        total = np.cumsum(x, axis=axis, dtype=x.dtype)  # int32 stays int32 (wraps, as TF)
    if exclusive:  # shift by one: each element sums only those before it
        shifted = np.zeros_like(total)
        np.moveaxis(shifted, axis, 0)[1:] = np.moveaxis(total, axis, 0)[:-1]
        total = shifted
    return np.flip(total, axis) if reverse else total


define_op("Cumsum", _cumsum_infer, _cumsum_kernel)


@RegisterGradient("Cumsum")
def _cumsum_grad(op, grad):
    attrs = op.attrs
    return [cumsum(grad, attrs["axis"], exclusive=attrs["exclusive"],
                   reverse=not attrs["reverse"])]


def cumsum(x, axis=0, exclusive=False, reverse=False, name=None):
    """Cumulative sum along ``axis``: ``cumsum([a, b, c]) = [a, a+b, a+b+c]``;
    ``exclusive=True`` gives ``[0, a, a+b]``, ``reverse=True`` sums from the end
    (``[a+b+c, b+c, c]``).

    Raises:
        ValueError: ``axis`` is outside ``[-rank, rank)`` (when the rank is known).
    """
    return create_op("Cumsum", [convert_to_tensor(x)],
                     {"axis": int(axis), "exclusive": bool(exclusive),
                      "reverse": bool(reverse)}, name)
