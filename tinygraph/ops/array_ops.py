"""Ops that make, move or reshape values: Placeholder, Const, ZerosLike, OnesLike,
Identity, Reshape, ReshapeLike, ExpandDims and Cast (the broadcast helpers of the
gradients are in broadcast_ops).

Each op is one block: shape/dtype inference, kernel, gradient, then the public builder.
"""
import numpy as np

from .. import dtypes, errors
from ..graph import Tensor, create_op
from ..registry import NotDifferentiable, RegisterGradient, define_op
from ..shapes import TensorShape, as_shape
from .broadcast_ops import like_second_input_infer

__all__ = ["convert_to_tensor", "constant", "placeholder", "zeros", "ones", "zeros_like",
           "ones_like", "identity", "reshape", "expand_dims", "cast", "reshape_like"]


# -- conversion of Python values ------------------------------------------------------------
def _numpy_value(value, dtype=None):
    """A numpy array for a constant, with TF1's default dtypes when none is given.

    Python floats give float32, Python ints int32 (int64 if too big), bools bool; numpy
    arrays and numpy scalars keep their own dtype (TF1 does the same); str and bytes give
    ``string`` (bytes, text encoded as UTF-8).
    """
    if dtype is not None:
        return dtypes.convert_array(value, dtype)
    try:
        arr = np.asarray(value)
    except UnicodeDecodeError:  # numpy cannot mix str and non-ASCII bytes in one array
        return dtypes.to_bytes_array(value)
    if arr.dtype.kind in "SU" or (arr.dtype.kind == "O" and any(
            isinstance(item, (str, bytes)) for item in arr.reshape(-1))):
        return dtypes.to_bytes_array(value)  # refuses a mix of strings and numbers
    if arr.dtype.kind == "O":
        raise TypeError("Cannot convert %r to a tensor: unsupported dtype object."
                        % (value,))
    if not isinstance(value, (np.ndarray, np.generic)):
        if arr.dtype.kind == "f":
            arr = arr.astype(np.float32)
        elif arr.dtype.kind in "iu":
            fits = arr.size == 0 or (arr.min() >= -2**31 and arr.max() < 2**31)
            arr = dtypes.convert_array(arr, dtypes.int32 if fits else dtypes.int64)  # 2**63: no
    try:
        dtypes.as_dtype(arr.dtype)
    except TypeError:
        raise TypeError("Cannot convert %r to a tensor: unsupported dtype %s."
                        % (value, arr.dtype)) from None
    return arr


def convert_to_tensor(value, dtype=None, name=None):
    """Return ``value`` as a Tensor: Tensors pass through, Variables give their value,
    anything else becomes a Const.

    Raises:
        TypeError: ``value`` is a Tensor of another dtype, or cannot become ``dtype``.
    """
    convert = getattr(value, "_as_tensor", None)
    if convert is not None:
        value = convert()
    if isinstance(value, Tensor):
        if dtype is not None and value.dtype.base_dtype != dtypes.as_dtype(dtype):
            raise TypeError("Tensor conversion requested dtype %s for Tensor with dtype %s: %r"
                            % (dtypes.as_dtype(dtype).name, value.dtype.name, value))
        return value
    if isinstance(value, (list, tuple)) and any(isinstance(v, Tensor) for v in value):
        raise TypeError("Cannot convert a list containing Tensors into a Tensor; stack the "
                        "values with tf ops instead.")
    if dtype is not None and not isinstance(value, np.ndarray) and np.ndim(value) == 0:
        target = dtypes.as_dtype(dtype)
        if target.is_integer and isinstance(value, float) and not float(value).is_integer():
            raise TypeError("Expected %s, got %r of type 'float' instead." % (target.name, value))
    return constant(value, dtype=dtype, name=name)


# -- Placeholder ----------------------------------------------------------------------------
def _placeholder_infer(op):
    return [(op.attrs["shape"], op.attrs["dtype"])]


define_op("Placeholder", _placeholder_infer)  # no kernel: it must be fed
NotDifferentiable("Placeholder")


def placeholder(dtype, shape=None, name=None):
    """A tensor whose value must be fed: ``sess.run(..., feed_dict={x: value})``."""
    attrs = {"dtype": dtypes.as_dtype(dtype), "shape": as_shape(shape)}
    return create_op("Placeholder", [], attrs, name)


# -- Const ----------------------------------------------------------------------------------
def _const_infer(op):
    value = op.attrs["value"]
    return [(TensorShape(value.shape), dtypes.as_dtype(value.dtype))]


def _const_kernel(value):
    return value


define_op("Const", _const_infer, _const_kernel, aliases=True, constant=True)
NotDifferentiable("Const")


def constant(value, dtype=None, shape=None, name="Const"):
    """A tensor with a fixed value; a scalar ``value`` with ``shape`` is repeated to fill it."""
    arr = _numpy_value(value, dtype)
    if shape is not None:
        shape = as_shape(shape).as_list()
        if arr.size == 1:
            arr = np.full(shape, arr.reshape(()), arr.dtype)
        elif list(arr.shape) != shape:
            if arr.size != int(np.prod(shape)):
                raise TypeError("Expected Tensor's shape: %s, got %s." % (tuple(shape), arr.shape))
            arr = arr.reshape(shape)
    arr = np.array(arr, copy=True)  # the graph owns its constants
    arr.flags.writeable = False
    return create_op("Const", [], {"value": arr}, name)


def zeros(shape, dtype=dtypes.float32, name=None):
    return constant(0, dtype=dtype, shape=shape, name=name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    return constant(1, dtype=dtype, shape=shape, name=name or "ones")


# -- ZerosLike, OnesLike --------------------------------------------------------------------
def _like_infer(op):
    x = op.inputs[0]
    dtype = op.attrs.get("dtype") or x.dtype.base_dtype
    if dtype.is_string or x.dtype.base_dtype.is_string:
        raise TypeError("Value passed to parameter 'x' of '%s' has DataType string not in list "
                        "of allowed values: numbers and bool" % op.name)
    return [(x.shape, dtype)]


def _zeros_like_kernel(x, dtype):
    return np.zeros(x.shape, dtype.np_dtype)


def _ones_like_kernel(x, dtype):
    return np.ones(x.shape, dtype.np_dtype)


define_op("ZerosLike", _like_infer, _zeros_like_kernel)
define_op("OnesLike", _like_infer, _ones_like_kernel)
NotDifferentiable("ZerosLike")
NotDifferentiable("OnesLike")


def zeros_like(tensor, dtype=None, name=None):
    tensor = convert_to_tensor(tensor)
    dtype = dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
    return create_op("ZerosLike", [tensor], {"dtype": dtype},
                                         name or "zeros_like")


def ones_like(tensor, dtype=None, name=None):
    tensor = convert_to_tensor(tensor)
    dtype = dtypes.as_dtype(dtype) if dtype is not None else tensor.dtype.base_dtype
    return create_op("OnesLike", [tensor], {"dtype": dtype},
                                         name or "ones_like")


# -- Identity -------------------------------------------------------------------------------
def _identity_infer(op):
    x = op.inputs[0]
    return [(x.shape, x.dtype.base_dtype)]


def _identity_kernel(x):
    return x


def _identity_bind(op, session):
    """An Identity of a variable's ref output reads the variable's current value."""
    if op.inputs[0].dtype.is_ref:
        return session._reader(op)
    return _identity_kernel


define_op("Identity", _identity_infer, _identity_kernel, bind=_identity_bind, aliases=True)


@RegisterGradient("Identity")
def _identity_grad(op, grad):
    return [grad]


def identity(input, name=None):
    return create_op("Identity", [convert_to_tensor(input)], {}, name)


# -- Reshape --------------------------------------------------------------------------------
def _reshape_infer(op):
    x = op.inputs[0]
    if len(op.inputs) == 2:  # the new shape is a tensor: what is known of it now
        from .shape_ops import partial_dims  # shape_ops imports this module
        dims = partial_dims(op.inputs[1])
        if dims is None or None in dims:
            return [(TensorShape(None if dims is None else
                                 [None if d in (None, -1) else d for d in dims]),
                     x.dtype.base_dtype)]
        shape = dims
    else:
        shape = list(op.attrs["shape"])
    if shape.count(-1) > 1:
        raise ValueError("Cannot infer shape for '%s': at most one -1 in the new shape %s"
                         % (op.name, shape))
    known = int(np.prod([d for d in shape if d != -1]))
    total = x.shape.num_elements()
    if total is not None:
        if -1 in shape:
            if known == 0 or total % known:
                raise ValueError("Cannot reshape a tensor with %d elements to shape %s"
                                 % (total, TensorShape(shape).bracket_str()))
            shape[shape.index(-1)] = total // known
        elif total != known:
            raise ValueError("Cannot reshape a tensor with %d elements to shape %s (%d elements)"
                             " for '%s' (op: 'Reshape')" % (total, TensorShape(shape)
                                                            .bracket_str(), known, op.name))
    return [(as_shape([None if d == -1 else d for d in shape]), x.dtype.base_dtype)]


def _reshape_kernel(x, shape):
    """``shape``: the attr (a tuple), or the value of the shape tensor (a 1-D int array)."""
    try:
        return x.reshape(shape)
    except ValueError:  # numpy checks the sizes anyway: no cost when they agree
        raise _reshape_error(x.size, shape) from None


def _reshape_error(size, shape):
    """TF1's text for a run-time size that doesn't fit the requested ``shape``."""
    known = int(np.prod([d for d in shape if d != -1]))
    if -1 not in shape:
        detail = "has %d" % known
    elif known == 0:
        return errors.InvalidArgumentError(
            None, None, "Reshape cannot infer the missing input size for an empty tensor "
            "unless all specified input sizes are non-zero")
    else:
        detail = "requires a multiple of %d" % known
    return errors.InvalidArgumentError(None, None, "Input to reshape is a tensor with %d "
                                       "values, but the requested shape %s" % (size, detail))


define_op("Reshape", _reshape_infer, _reshape_kernel, aliases=True)


@RegisterGradient("Reshape")
def _reshape_grad(op, grad):
    return [reshape_like(grad, op.inputs[0])] + [None] * (len(op.inputs) - 1)


def reshape(tensor, shape, name=None):
    """Same values, new ``shape``: a list of ints (one may be -1), or a 1-D int tensor or a
    list with scalar int tensors in it (``[tf.shape(x)[0], -1]``), read when the graph runs."""
    if isinstance(shape, TensorShape):
        shape = shape.as_list()
    if isinstance(shape, Tensor) or hasattr(shape, "_as_tensor") or any(
            isinstance(d, Tensor) or hasattr(d, "_as_tensor") for d in shape):
        from .shape_ops import shape_tensor  # shape_ops imports this module
        return create_op("Reshape", [convert_to_tensor(tensor), shape_tensor(shape)], {}, name)
    shape = tuple(int(d) for d in shape)
    return create_op("Reshape", [convert_to_tensor(tensor)],
                                         {"shape": shape}, name)


# -- ReshapeLike: Reshape to the run-time shape of a second tensor --------------------------
def _reshape_like_kernel(x, like):
    try:
        return x.reshape(like.shape)
    except ValueError:
        raise _reshape_error(x.size, like.shape) from None


define_op("ReshapeLike", like_second_input_infer, _reshape_like_kernel, aliases=(0,))


@RegisterGradient("ReshapeLike")
def _reshape_like_grad(op, grad):
    return [reshape_like(grad, op.inputs[0]), None]


def reshape_like(tensor, like, name=None):
    """Reshape ``tensor`` to the run-time shape of ``like`` (used by gradients)."""
    return create_op("ReshapeLike", [tensor, like], {}, name)


# -- ExpandDims -----------------------------------------------------------------------------
def _expand_dims_infer(op):
    x, axes = op.inputs[0], op.attrs["axis"]
    if x.shape.dims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    rank = x.shape.ndims + len(axes)
    for a in axes:
        if not -rank <= a < rank:
            raise ValueError("Tried to expand dim index %d for tensor with %d dimensions. for "
                             "'%s' (op: 'ExpandDims')" % (a, x.shape.ndims, op.name))
    dims = list(x.shape.dims)
    for a in sorted(a % rank for a in axes):
        dims.insert(a, 1)
    return [(TensorShape(dims), x.dtype.base_dtype)]


def _expand_dims_kernel(x, axis):
    if len(axis) == 1 and -x.ndim - 1 <= axis[0] <= x.ndim:  # the common case, quickly
        at = axis[0] if axis[0] >= 0 else x.ndim + 1 + axis[0]
        return x.reshape(x.shape[:at] + (1,) + x.shape[at:])
    try:
        return np.expand_dims(x, axis)
    except ValueError:  # numpy's AxisError, or an axis given twice
        rank = x.ndim + len(axis)
        for a in axis:
            if not -rank <= a < rank:
                raise errors.InvalidArgumentError(
                    None, None, "Tried to expand dim index %d for tensor with %d dimensions."
                    % (a, x.ndim)) from None
        raise errors.InvalidArgumentError(
            None, None, "Axes %s name one dimension twice for a tensor with %d dimensions."
            % (list(axis), x.ndim)) from None


define_op("ExpandDims", _expand_dims_infer, _expand_dims_kernel, aliases=True)


@RegisterGradient("ExpandDims")
def _expand_dims_grad(op, grad):
    return [reshape_like(grad, op.inputs[0])]


def expand_dims(input, axis, name=None):
    """Insert size-1 dimensions at ``axis`` (an int or a tuple of ints)."""
    axes = tuple(axis) if isinstance(axis, (list, tuple)) else (int(axis),)
    return create_op("ExpandDims", [convert_to_tensor(input)],
                                         {"axis": axes}, name)


# -- Cast -----------------------------------------------------------------------------------
def _cast_infer(op):
    source, target = op.inputs[0].dtype.base_dtype, op.attrs["dtype"]
    if source != target and (source.is_string or target.is_string):
        raise TypeError("Cast %s to %s is not supported ('%s'): tinygraph casts between "
                        "numbers and bool only." % (source.name, target.name, op.name))
    return [(op.inputs[0].shape, target)]


def _cast_kernel(x, dtype):
    target = dtype.np_dtype
    if x.dtype == target:
        return x
    bad = dtypes.first_lossy_cast(x, target)  # exact bounds: 2**31 never slips into int32
    if bad is not None:
        raise errors.InvalidArgumentError(
            None, None, "Cast of NaN, Inf or out-of-range values to %s is undefined (got %r "
            "from %s); clip or mask the values first." % (dtype.name, bad, x.dtype))
    if target.kind == "b":
        return np.asarray(x != 0)
    with np.errstate(over="ignore"):  # float64 beyond float32's range becomes inf, as in TF
        return x.astype(target)  # floats to ints truncate toward zero


define_op("Cast", _cast_infer, _cast_kernel, aliases=True)


@RegisterGradient("Cast")
def _cast_grad(op, grad):
    source = op.inputs[0].dtype.base_dtype
    if source.is_floating and op.outputs[0].dtype.is_floating:
        return [cast(grad, source)]
    return [None]


def cast(x, dtype, name=None):
    """Convert to ``dtype``: floats to ints truncate toward zero, bools give 0/1."""
    x = convert_to_tensor(x)
    return create_op("Cast", [x], {"dtype": dtypes.as_dtype(dtype)}, name)
