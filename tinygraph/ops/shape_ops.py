"""Shapes as values, and tensors made from a shape: Shape, Size, Rank, Fill, Range, LinSpace,
StopGradient, plus ``zeros``/``ones`` that also take a shape tensor.

``shape``, ``size`` and ``rank`` return int32 tensors; like TF1 they fold to a Const when the
answer is known when the graph is built, and read the real shape at run time otherwise
(so ``tf.fill(tf.shape(x), 1.0)`` works with a ``None`` batch dim).
"""
import numpy as np

from .. import dtypes, errors
from ..graph import Tensor, create_op
from ..registry import NotDifferentiable, RegisterGradient, define_op
from ..shapes import TensorShape
from . import array_ops
from .array_ops import constant, convert_to_tensor

__all__ = ["shape", "size", "rank", "fill", "range", "linspace", "lin_space", "stop_gradient",
           "zeros", "ones", "python_ints", "shape_error", "constant_value", "partial_dims",
           "shape_tensor"]


# -- helpers shared by the array families -----------------------------------------------------
def shape_error(op, detail):
    """TF1's build-time error form: detail, the op, and the shapes of its inputs."""
    shapes = ", ".join(t.shape.bracket_str() for t in op.inputs)
    return ValueError("%s for '%s' (op: '%s') with input shapes: %s."
                      % (detail, op.name, op.type, shapes))


def constant_value(value):
    """The numpy value of ``value`` when it is known when the graph is built, else None.

    Python values and numpy arrays are known; so is a Tensor made by a Const (``tf.shape``
    of a fully known shape is one).
    """
    if isinstance(value, Tensor):
        return value.op.attrs["value"] if value.op.type == "Const" else None
    if hasattr(value, "_as_tensor"):
        return None
    return np.asarray(value)


def partial_dims(dims):
    """What is known at build time of a 1-D int tensor of dims: a list of ints and Nones
    (from a Const, a ``shape`` of a partly known shape, or a stack of scalars), or None."""
    known = constant_value(dims)
    if known is not None:
        return [int(d) for d in known.reshape(-1)]
    if dims.op.type == "Shape" and dims.op.inputs[0].shape.dims is not None:
        return list(dims.op.inputs[0].shape.dims)
    if dims.op.type == "Pack" and all(t.shape.ndims == 0 for t in dims.op.inputs):
        values = [constant_value(t) for t in dims.op.inputs]
        return [None if v is None else int(v) for v in values]
    if dims.shape.is_fully_defined() and dims.shape.ndims == 1:
        return [None] * dims.shape.dims[0]
    return None


def shape_tensor(dims):
    """``dims`` as a 1-D int tensor: a tensor passes through; a list of ints and scalar int
    tensors (``[tf.shape(x)[0], 10]``) is stacked; a list of ints becomes a Const."""
    if isinstance(dims, Tensor) or hasattr(dims, "_as_tensor"):
        return convert_to_tensor(dims)
    if isinstance(dims, (list, tuple)) and any(isinstance(d, Tensor) or hasattr(d, "_as_tensor")
                                               for d in dims):
        from .manip_ops import stack  # manip_ops imports this module
        dtype = next(convert_to_tensor(d).dtype.base_dtype for d in dims
                     if isinstance(d, Tensor) or hasattr(d, "_as_tensor"))
        return stack([convert_to_tensor(d, dtype=dtype) for d in dims])
    values = np.asarray(dims, np.int64).reshape(-1)
    fits = values.size == 0 or (values.min() >= -2 ** 31 and values.max() < 2 ** 31)
    return constant(values, dtypes.int32 if fits else dtypes.int64)


def python_ints(value, what):
    """``value`` (an int, a list of ints, a numpy array or a Const tensor) as Python ints.

    Raises:
        TypeError: the value is only known at run time, or is not integral.
    """
    known = constant_value(value)
    if known is None:
        raise TypeError("tinygraph needs %s as Python ints (or a constant), not %r whose value "
                        "is only known at run time." % (what, value))
    if known.dtype.kind not in "iu" and not (known.dtype.kind == "O" and known.size == 0) \
            and not (known.dtype.kind == "f" and known.size == 0):
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of "
                        "allowed values: int32, int64" % (what, known.dtype))
    return known.astype(np.int64).tolist()


def _int_dtype(out_type):
    out_type = dtypes.as_dtype(out_type)
    if out_type not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'out_type' has DataType %s not in list of "
                        "allowed values: int32, int64" % out_type.name)
    return out_type


# -- Shape, Size, Rank -------------------------------------------------------------------------
def _shape_infer(op):
    x = op.inputs[0]
    return [(TensorShape([x.shape.ndims]), op.attrs["out_type"])]


def _shape_kernel(x, out_type):
    return np.array(x.shape, out_type.np_dtype)


def _scalar_infer(op):
    return [(TensorShape([]), op.attrs["out_type"])]


def _size_kernel(x, out_type):
    if out_type == dtypes.int32 and x.size >= 2 ** 31:
        raise errors.InvalidArgumentError(None, None, "Number of elements was larger than "
                                          "representable by 32-bit output type")
    return np.array(x.size, out_type.np_dtype)


def _rank_kernel(x, out_type):
    return np.array(x.ndim, out_type.np_dtype)


define_op("Shape", _shape_infer, _shape_kernel)
define_op("Size", _scalar_infer, _size_kernel)
define_op("Rank", _scalar_infer, _rank_kernel)
NotDifferentiable("Shape")
NotDifferentiable("Size")
NotDifferentiable("Rank")


def shape(input, name=None, out_type=dtypes.int32):
    """The shape of ``input`` as a 1-D int32 (or ``out_type``) tensor.

    A Const when the shape is fully known; else a Shape op that reads it at run time.
    """
    input = convert_to_tensor(input)
    out_type = _int_dtype(out_type)
    if input.shape.is_fully_defined():
        return constant(input.shape.as_list(), out_type, name=name or "Shape")
    return create_op("Shape", [input], {"out_type": out_type}, name)


def size(input, name=None, out_type=dtypes.int32):
    """The number of elements of ``input`` as a 0-D int32 (or ``out_type``) tensor."""
    input = convert_to_tensor(input)
    out_type = _int_dtype(out_type)
    if input.shape.is_fully_defined():
        return constant(input.shape.num_elements(), out_type, name=name or "Size")
    return create_op("Size", [input], {"out_type": out_type}, name)


def rank(input, name=None):
    """The number of dimensions of ``input`` as a 0-D int32 tensor."""
    input = convert_to_tensor(input)
    if input.shape.ndims is not None:
        return constant(input.shape.ndims, dtypes.int32, name=name or "Rank")
    return create_op("Rank", [input], {"out_type": dtypes.int32}, name)


# -- Fill --------------------------------------------------------------------------------------
def _fill_infer(op):
    dims, value = op.inputs
    if dims.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'dims' has DataType %s not in list of "
                        "allowed values: int32, int64" % dims.dtype.base_dtype.name)
    if dims.shape.ndims not in (None, 1):
        raise shape_error(op, "Shape must be rank 1 but is rank %d" % dims.shape.ndims)
    if value.shape.ndims not in (None, 0):
        raise shape_error(op, "Shape must be rank 0 but is rank %d" % value.shape.ndims)
    known = partial_dims(dims)
    if known is not None and any(d is not None and d < 0 for d in known):
        raise shape_error(op, "Fill dimensions must be >= 0")
    return [(TensorShape(known), value.dtype.base_dtype)]


def _fill_kernel(dims, value):
    if dims.ndim != 1:
        raise errors.InvalidArgumentError(None, None, "dims must be a vector, got shape %s"
                                          % _dims_text(dims.shape))
    if value.ndim != 0:
        raise errors.InvalidArgumentError(None, None, "value must be a scalar, got shape %s"
                                          % _dims_text(value.shape))
    if (dims < 0).any():
        raise errors.InvalidArgumentError(None, None, "Dimension %d must be >= 0"
                                          % int(dims[dims < 0][0]))
    return np.full(dims.tolist(), value[()], value.dtype)  # (a string's bytes, not bytes_)


def _dims_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


define_op("Fill", _fill_infer, _fill_kernel)


@RegisterGradient("Fill")
def _fill_grad(op, grad):
    from .reduction_ops import reduce_sum
    return [None, reduce_sum(grad)]


def fill(dims, value, name=None):
    """A tensor of shape ``dims`` (a list or a 1-D int tensor) filled with scalar ``value``."""
    return create_op("Fill", [shape_tensor(dims), convert_to_tensor(value)], {}, name)


def zeros(shape, dtype=dtypes.float32, name=None):
    """A tensor of zeros; ``shape`` is a list of ints, a 1-D int tensor (``tf.shape(x)``) or
    a list mixing ints and scalar int tensors (``[tf.shape(x)[0], 10]``)."""
    zero = b"" if dtypes.as_dtype(dtype).is_string else 0  # as TF1
    if _known_at_run_time(shape):
        return fill(shape, constant(zero, dtype), name=name or "zeros")
    return constant(zero, dtype, _static(shape), name or "zeros")


def ones(shape, dtype=dtypes.float32, name=None):
    """A tensor of ones; ``shape`` as for ``zeros``."""
    if _known_at_run_time(shape):
        return fill(shape, constant(1, dtype), name=name or "ones")
    return array_ops.ones(_static(shape), dtype, name)


def _known_at_run_time(shape):
    items = shape if isinstance(shape, (list, tuple)) else [shape]
    return any((isinstance(d, Tensor) or hasattr(d, "_as_tensor")) and constant_value(d) is None
               for d in items)


def _static(shape):
    if isinstance(shape, (Tensor, np.ndarray)):
        return [int(d) for d in constant_value(shape).reshape(-1)]
    if isinstance(shape, (int, np.integer)):
        return [int(shape)]
    return [int(constant_value(d)) if isinstance(d, Tensor) else d for d in shape]


# -- Range -------------------------------------------------------------------------------------
_RANGE_ORDER = (dtypes.int32, dtypes.int64, dtypes.float32, dtypes.float64)


def _range_infer(op):
    for name, t in zip(("start", "limit", "delta"), op.inputs):
        if t.shape.ndims not in (None, 0):
            raise shape_error(op, "Shape must be rank 0 but is rank %d" % t.shape.ndims)
        if t.dtype.base_dtype != op.inputs[0].dtype.base_dtype:
            raise TypeError("Input '%s' of 'Range' Op has type %s that does not match type %s "
                            "of argument 'start'." % (name, t.dtype.base_dtype.name,
                                                      op.inputs[0].dtype.base_dtype.name))
    dtype = op.inputs[0].dtype.base_dtype
    if dtype not in _RANGE_ORDER:
        raise TypeError("Value passed to parameter 'start' has DataType %s not in list of "
                        "allowed values: float32, float64, int32, int64" % dtype.name)
    known = [constant_value(t) for t in op.inputs]
    if all(k is not None for k in known):
        return [(TensorShape([len(_range_kernel(*known))]), dtype)]
    return [(TensorShape([None]), dtype)]


def _range_kernel(start, limit, delta):
    for name, t in (("start", start), ("limit", limit), ("delta", delta)):
        if np.ndim(t) != 0:
            raise errors.InvalidArgumentError(None, None, "%s must be a scalar, not shape %s"
                                              % (name, _dims_text(np.shape(t))))
    if not all(np.isfinite(v) for v in (start, limit, delta)):
        raise errors.InvalidArgumentError(None, None, "Requires start, limit and delta to be "
                                          "finite: %s, %s, %s" % (start, limit, delta))
    if delta == 0:
        raise errors.InvalidArgumentError(None, None, "Requires delta != 0: %s" % delta)
    if delta > 0 and start > limit:
        raise errors.InvalidArgumentError(None, None, "Requires start <= limit when delta > "
                                          "0: %s/%s" % (start, limit))
    if delta < 0 and start < limit:
        raise errors.InvalidArgumentError(None, None, "Requires start >= limit when delta < "
                                          "0: %s/%s" % (start, limit))
    if start.dtype.kind in "iu":
        count = -(-(int(limit) - int(start)) // int(delta))  # ceil, exactly
    else:
        count = int(np.ceil(np.abs((float(limit) - float(start)) / float(delta))))
    return (start + np.arange(count, dtype=start.dtype) * delta).astype(start.dtype)


def _range_error_at_build(op_infer):
    """Range's infer runs the kernel on constants: its data errors become ValueErrors."""
    def infer(op):
        try:
            return op_infer(op)
        except errors.InvalidArgumentError as e:
            raise shape_error(op, e.message) from None
    return infer


define_op("Range", _range_error_at_build(_range_infer), _range_kernel)
NotDifferentiable("Range")


def range(start, limit=None, delta=1, dtype=None, name="range"):
    """Numbers from ``start`` up to (not including) ``limit`` by ``delta`` (``range(5)``:
    0..4). The dtype is the widest of the arguments' (int32 < int64 < float32 < float64)."""
    if limit is None:
        start, limit = 0, start
    values = [start, limit, delta]
    if dtype is None:
        found = [convert_to_tensor(v).dtype.base_dtype if isinstance(v, Tensor) or
                 hasattr(v, "_as_tensor") else array_ops._numpy_value(v).dtype
                 for v in values]
        found = [dtypes.as_dtype(d) for d in found]
        for name, d in zip(("start", "limit", "delta"), found):  # TF1 asserts this
            if d not in _RANGE_ORDER:
                raise TypeError("Value passed to parameter '%s' has DataType %s not in list of "
                                "allowed values: float32, float64, int32, int64" % (name, d.name))
        dtype = max(found, key=_RANGE_ORDER.index)
    dtype = dtypes.as_dtype(dtype)
    tensors = []
    for v in values:
        if isinstance(v, Tensor) or hasattr(v, "_as_tensor"):
            v = convert_to_tensor(v)
            if v.dtype.base_dtype != dtype:
                v = array_ops.cast(v, dtype)
        else:
            v = convert_to_tensor(v, dtype=dtype)
        tensors.append(v)
    return create_op("Range", tensors, {}, name)


# -- LinSpace ----------------------------------------------------------------------------------
def _linspace_infer(op):
    start, stop, num = op.inputs
    dtype = start.dtype.base_dtype
    if dtype not in (dtypes.float32, dtypes.float64):
        raise TypeError("Value passed to parameter 'start' has DataType %s not in list of "
                        "allowed values: float32, float64" % dtype.name)
    if stop.dtype.base_dtype != dtype:
        raise TypeError("Input 'stop' of 'LinSpace' Op has type %s that does not match type "
                        "%s of argument 'start'." % (stop.dtype.base_dtype.name, dtype.name))
    if num.dtype.base_dtype not in (dtypes.int32, dtypes.int64):
        raise TypeError("Value passed to parameter 'num' has DataType %s not in list of "
                        "allowed values: int32, int64" % num.dtype.base_dtype.name)
    for t in op.inputs:
        if t.shape.ndims not in (None, 0):
            raise shape_error(op, "Shape must be rank 0 but is rank %d" % t.shape.ndims)
    known = constant_value(num)
    if known is not None and known <= 0:
        raise shape_error(op, "Requires num > 0: %d" % known)
    return [(TensorShape([None if known is None else int(known)]), dtype)]


def _linspace_kernel(start, stop, num):
    for name, t in (("start", start), ("stop", stop), ("num", num)):
        if np.ndim(t) != 0:
            raise errors.InvalidArgumentError(None, None, "%s must be a scalar, not shape %s"
                                              % (name, _dims_text(np.shape(t))))
    if num <= 0:
        raise errors.InvalidArgumentError(None, None, "Requires num > 0: %d" % num)
    return np.linspace(start, stop, int(num)).astype(start.dtype)


define_op("LinSpace", _linspace_infer, _linspace_kernel)
NotDifferentiable("LinSpace")


def linspace(start, stop, num, name=None):
    """``num`` evenly spaced values from ``start`` to ``stop`` inclusive (floats)."""
    start = convert_to_tensor(start)
    stop = convert_to_tensor(stop, dtype=start.dtype.base_dtype)
    num = convert_to_tensor(num)
    return create_op("LinSpace", [start, stop, num], {}, name or "LinSpace")


lin_space = linspace


# -- StopGradient ------------------------------------------------------------------------------
def _stop_gradient_infer(op):
    x = op.inputs[0]
    return [(x.shape, x.dtype.base_dtype)]


def _stop_gradient_kernel(x):
    return x


define_op("StopGradient", _stop_gradient_infer, _stop_gradient_kernel, aliases=True)
NotDifferentiable("StopGradient")


def stop_gradient(input, name=None):
    """The same value, but gradients do not flow through it (they are None)."""
    return create_op("StopGradient", [convert_to_tensor(input)], {}, name)

