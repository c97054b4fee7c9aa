"""Taking parts of a tensor: ``t[...]`` (StridedSlice) and ``slice``.

Each has a ``*Grad`` op that scatters the incoming gradient into zeros of the input's run-time
shape, so gradients work with ``None`` dims; the scatter ops' own gradients take the same
part again (second order).

``t[...]`` follows TF1's strided-slice rules, which are Python's: ints (negative count from
the end; out of range is an error), slices with steps (bounds out of range are clamped, a
negative step walks backwards), ``...`` and ``tf.newaxis``. Slices are views of the input
(``aliases``): kernels never write through them.
"""
import numpy as np

from .. import dtypes, errors
from ..kernels import checks
from ..graph import Tensor, create_op
from ..registry import RegisterGradient, define_op
from ..shapes import TensorShape
from .array_ops import convert_to_tensor
from .broadcast_ops import like_second_input_infer
from .shape_ops import constant_value, partial_dims, shape_error, shape_tensor

__all__ = ["getitem", "strided_slice_grad", "slice"]

_builtin_slice = slice
_INT = (dtypes.int32, dtypes.int64)


# -- StridedSlice ------------------------------------------------------------------------------
class RunTime:
    """In an index spec: the value of the op's input ``k``, a scalar int known at run time."""

    __slots__ = ("k",)

    def __init__(self, k):
        self.k = k

    def __repr__(self):
        return "<input %d>" % self.k


def _index_int(value, dynamic):
    """An index item as an int, a RunTime marker (appending its tensor to ``dynamic``), or
    None when it is not a valid index."""
    if isinstance(value, (bool, np.bool_)):
        return None
    if isinstance(value, (int, np.integer)):
        return int(value)
    if hasattr(value, "_as_tensor"):
        value = convert_to_tensor(value)
    if isinstance(value, Tensor) and value.dtype.base_dtype in _INT and \
            value.shape.ndims in (None, 0):
        known = constant_value(value)
        if known is not None and known.ndim == 0:
            return int(known)
        dynamic.append(value)
        return RunTime(len(dynamic))  # input 0 is the sliced tensor
    return None


def _bad_index(item):
    return TypeError("Only integers, slices (`:`), ellipsis (`...`), tf.newaxis (`None`) and "
                     "scalar tf.int32/tf.int64 tensors are valid indices, got %r" % (item,))


def index_spec(index):
    """A Python index as a tuple of ints, slices, Ellipsis and None (newaxis), and the list
    of scalar int tensors it uses (RunTime markers in the spec point to them).

    Raises:
        TypeError: an item that is not an index (a float, a list, a non-scalar tensor).
        ValueError: two ellipses, or a zero step.
    """
    items = index if isinstance(index, tuple) else (index,)
    spec, dynamic = [], []
    for item in items:
        if item is Ellipsis or item is None:
            spec.append(item)
        elif isinstance(item, _builtin_slice):
            parts = []
            for v in (item.start, item.stop, item.step):
                n = None if v is None else _index_int(v, dynamic)
                if v is not None and n is None:
                    raise _bad_index(v)
                parts.append(n)
            if parts[2] == 0:
                raise ValueError("strides[%d] must be non-zero"
                                 % sum(1 for s in spec if s is not None))
            spec.append(_builtin_slice(*parts))
        else:
            n = _index_int(item, dynamic)
            if n is None:
                raise _bad_index(item)
            spec.append(n)
    if spec.count(Ellipsis) > 1:
        raise ValueError("Multiple ellipses in slice spec not allowed")
    return tuple(spec), dynamic


def _resolve(index, values):
    """The spec with each RunTime marker replaced by its value (``values[k - 1]``)."""
    def value(v):
        return int(values[v.k - 1]) if isinstance(v, RunTime) else v
    out = []
    for s in index:
        if isinstance(s, _builtin_slice):
            s = _builtin_slice(value(s.start), value(s.stop), value(s.step))
            if s.step == 0:
                raise errors.InvalidArgumentError(None, None, "strides[%d] must be non-zero"
                                                  % sum(1 for t in out if t is not None))
        out.append(value(s))
    return tuple(out)


def _full_spec(index, rank):
    """``index`` with its ellipsis (implied at the end when absent) expanded for ``rank``."""
    real = sum(1 for s in index if s is not None and s is not Ellipsis)
    if Ellipsis not in index:
        index = index + (Ellipsis,)
    at = index.index(Ellipsis)
    fill = (_builtin_slice(None),) * max(rank - real, 0)
    return index[:at] + fill + index[at + 1:], real


def _strided_slice_infer(op):
    x, index = op.inputs[0], op.attrs["index"]
    dims = x.shape.dims
    if dims is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    spec, real = _full_spec(index, len(dims))
    if real > len(dims):
        raise shape_error(op, "Index out of range using input dim %d; input has only %d dims"
                          % (len(dims), len(dims)))
    for t in op.inputs[1:]:
        if t.dtype.base_dtype not in _INT or t.shape.ndims not in (None, 0):
            raise _bad_index(t)
    out, d = [], 0
    for s in spec:
        if s is None:
            out.append(1)
            continue
        n = dims[d]
        if isinstance(s, _builtin_slice):
            dynamic = any(isinstance(v, RunTime) for v in (s.start, s.stop, s.step))
            out.append(None if n is None or dynamic else len(range(*s.indices(n))))
        elif n is not None and not isinstance(s, RunTime) and not -n <= s < n:
            raise shape_error(op, "slice index %d of dimension %d out of bounds."
                              % (s + n if s < 0 else s, d))  # TF1 names the index from 0
        d += 1
    return [(TensorShape(out), x.dtype.base_dtype)]


def _check_index(shape, index):
    spec, real = _full_spec(index, len(shape))
    if real > len(shape):
        raise errors.InvalidArgumentError(None, None, "Index out of range using input dim %d; "
                                          "input has only %d dims" % (len(shape), len(shape)))
    d = 0
    for s in spec:
        if s is None:
            continue
        if not isinstance(s, _builtin_slice) and not -shape[d] <= s < shape[d]:
            raise errors.InvalidArgumentError(None, None, "slice index %d of dimension %d out "
                                              "of bounds." % (s + shape[d] if s < 0 else s, d))
        d += 1


def _strided_slice_kernel(x, *values, index):
    index = _resolve(index, values)
    _check_index(x.shape, index)
    # a view; asarray turns a numpy scalar (or a string's bytes) into a 0-d array
    return np.asarray(x[index], x.dtype)


define_op("StridedSlice", _strided_slice_infer, _strided_slice_kernel, aliases=(0,))


@RegisterGradient("StridedSlice")
def _strided_slice_grad(op, grad):
    x, dynamic = op.inputs[0], list(op.inputs[1:])
    return [strided_slice_grad(grad, x, op.attrs["index"], dynamic)] + [None] * len(dynamic)


def _strided_slice_grad_kernel(grad, like, *values, index):
    index = _resolve(index, values)
    _check_index(like.shape, index)
    out = dtypes.zeros_array(like.shape, grad.dtype)
    checks.gradient_shape("a strided slice of an input of shape %s" % checks.dims(like.shape),
                          grad.shape, out[index].shape)
    out[index] = grad
    return out


define_op("StridedSliceGrad", like_second_input_infer, _strided_slice_grad_kernel)


@RegisterGradient("StridedSliceGrad")
def _strided_slice_grad_grad(op, grad):
    dynamic = list(op.inputs[2:])
    return [create_op("StridedSlice", [grad] + dynamic, {"index": op.attrs["index"]}),
            None] + [None] * len(dynamic)


def strided_slice_grad(grad, like, index, dynamic=(), name=None):
    """Zeros of ``like``'s run-time shape with ``grad`` placed at ``like[index]`` (its
    RunTime markers refer to the scalar tensors ``dynamic``)."""
    return create_op("StridedSliceGrad", [grad, like] + list(dynamic), {"index": index}, name)


def getitem(tensor, index):
    """``tensor[index]``: TF1's strided slice (installed as ``Tensor.__getitem__``). Index
    items may be scalar int tensors known only at run time."""
    tensor = convert_to_tensor(tensor)
    spec, dynamic = index_spec(index)
    return create_op("StridedSlice", [tensor] + dynamic, {"index": spec}, "strided_slice")


# -- Slice and SliceGrad -----------------------------------------------------------------------
def _slice_infer(op):
    x, begin, size = op.inputs
    for name, t in (("begin", begin), ("size", size)):
        if t.dtype.base_dtype not in _INT:
            raise TypeError("Value passed to parameter '%s' has DataType %s not in list of "
                            "allowed values: int32, int64" % (name, t.dtype.base_dtype.name))
    b, n = partial_dims(begin), partial_dims(size)
    if b is not None and n is not None and len(b) != len(n):
        raise shape_error(op, "Expected begin and size arguments to be 1-D tensors of size %d, "
                          "but got shapes [%d] and [%d] instead" % (len(b), len(b), len(n)))
    rank = len(b) if b is not None else len(n) if n is not None else None
    dims = x.shape.dims
    if dims is not None and rank is not None and len(dims) != rank:
        raise shape_error(op, "Shape must be rank %d but is rank %d" % (len(dims), rank))
    if rank is None:
        rank = None if dims is None else len(dims)
    if rank is None:
        return [(TensorShape(None), x.dtype.base_dtype)]
    b = b or [None] * rank
    n = n or [None] * rank
    dims = dims or (None,) * rank
    out = []
    for i, (bi, si, di) in enumerate(zip(b, n, dims)):
        message = bi is not None and si is not None and _slice_bounds_error(i, bi, si, di)
        if message:
            raise shape_error(op, message)
        out.append(si if si != -1 else None if di is None or bi is None else di - bi)
    return [(TensorShape(out), x.dtype.base_dtype)]


def _slice_bounds_error(i, b, s, n):
    if b < 0 or (n is not None and b > n):
        return "Expected begin[%d] in [0, %s], but got %d" % (i, "?" if n is None else n, b)
    if s < -1 or (n is not None and s != -1 and s > n - b):
        return "Expected size[%d] in [0, %s], but got %d" % (i, "?" if n is None else n - b, s)
    return None


def _slice_index(x, begin, size):
    """The numpy index of ``tf.slice(x, begin, size)``, after TF1's checks."""
    if begin.shape != (x.ndim,) or size.shape != (x.ndim,):
        raise errors.InvalidArgumentError(None, None, "Expected begin and size arguments to be "
                                          "1-D tensors of size %d, but got shapes %s and %s "
                                          "instead." % (x.ndim, list(begin.shape),
                                                        list(size.shape)))
    for i, (b, s, n) in enumerate(zip(begin.tolist(), size.tolist(), x.shape)):
        message = _slice_bounds_error(i, b, s, n)
        if message:
            raise errors.InvalidArgumentError(None, None, message)
    return tuple(_builtin_slice(b, None if s == -1 else b + s)
                 for b, s in zip(begin.tolist(), size.tolist()))


def _slice_kernel(x, begin, size):
    return x[_slice_index(x, begin, size)]


define_op("Slice", _slice_infer, _slice_kernel, aliases=(0,))


@RegisterGradient("Slice")
def _slice_grad(op, grad):
    x, begin, size = op.inputs
    return [create_op("SliceGrad", [grad, x, begin, size], {}), None, None]


def _slice_grad_kernel(grad, like, begin, size):
    out = dtypes.zeros_array(like.shape, grad.dtype)
    index = _slice_index(like, begin, size)
    checks.gradient_shape("a slice of an input of shape %s" % checks.dims(like.shape),
                          grad.shape, out[index].shape)
    out[index] = grad
    return out


define_op("SliceGrad", like_second_input_infer, _slice_grad_kernel)


@RegisterGradient("SliceGrad")
def _slice_grad_grad(op, grad):
    return [slice(grad, op.inputs[2], op.inputs[3]), None, None, None]


def slice(input_, begin, size, name=None):
    """The part of ``input_`` starting at ``begin`` with ``size`` (-1: all the rest); both
    are lists of ints, 1-D int tensors, or lists mixing ints and scalar int tensors."""
    return create_op("Slice", [convert_to_tensor(input_), shape_tensor(begin),
                               shape_tensor(size)], {}, name)
