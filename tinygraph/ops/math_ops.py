"""Arithmetic (Add, Sub, Mul, RealDiv, AddN, Neg, Square, Sqrt, Exp, Log) and Equal, the
inference helpers the other elementwise ops share, and the Tensor operator overloads.

Binary ops broadcast like numpy and never promote: both inputs must have one dtype
(Python numbers take the tensor's dtype). Their gradients sum back to each input's shape
with ``sum_to_shape``, which reads real shapes at run time, so ``None`` dims just work.
"""
import functools

import numpy as np

from .. import dtypes, errors, kernels
from ..graph import Tensor, create_op, graph_of
from ..registry import Fusion, NotDifferentiable, RegisterGradient, define_op
from ..shapes import broadcast_shape
from .array_ops import cast, convert_to_tensor
from .broadcast_ops import sum_to_shape

__all__ = ["add", "subtract", "multiply", "divide", "truediv", "negative", "add_n", "square",
           "sqrt", "exp", "log", "equal", "install_operators"]

# TF1's allowed dtypes, as far as tinygraph has them.
_NUMERIC = ("float16", "float32", "float64", "int8", "int16", "int32", "int64", "uint8")
_SIGNED = ("float16", "float32", "float64", "int8", "int16", "int32", "int64")  # Neg, Square
_FLOAT = ("float16", "float32", "float64")


# -- shared inference helpers ---------------------------------------------------------------
def _check_dtypes(op, arg_names, allowed=_NUMERIC):
    """All inputs share the first input's dtype, and it is in ``allowed``."""
    first = op.inputs[0].dtype.base_dtype
    for name, t in zip(arg_names[1:], op.inputs[1:]):
        if t.dtype.base_dtype != first:
            raise TypeError("Input '%s' of '%s' Op has type %s that does not match type %s of "
                            "argument '%s'." % (name, op.type, t.dtype.base_dtype.name,
                                                first.name, arg_names[0]))
    if first.name not in allowed:
        raise TypeError("Value passed to parameter '%s' has DataType %s not in list of allowed "
                        "values: %s" % (arg_names[0], first.name, ", ".join(allowed)))
    return first


def _shape_error(op, a, b, detail):
    return ValueError("%s for '%s' (op: '%s') with input shapes: %s, %s."
                      % (detail, op.name, op.type, a.bracket_str(), b.bracket_str()))


def _broadcast_infer(op, allowed=_NUMERIC, out_dtype=None):
    x, y = op.inputs
    dtype = _check_dtypes(op, ("x", "y"), allowed)
    shape = broadcast_shape(x.shape, y.shape)
    if shape is None:
        for a, b in zip(reversed(x.shape.dims), reversed(y.shape.dims)):
            if a is not None and b is not None and a != b and 1 not in (a, b):
                raise _shape_error(op, x.shape, y.shape,
                                   "Dimensions must be equal, but are %d and %d" % (a, b))
    return [(shape, out_dtype or dtype)]


def _unary_infer(op, allowed=_NUMERIC):
    x = op.inputs[0]
    return [(x.shape, _check_dtypes(op, ("x",), allowed))]


def _float_unary_infer(op):
    return _unary_infer(op, _FLOAT)


def _convert_pair(x, y):
    """Make Tensors of ``x`` and ``y``; a non-Tensor side takes the other side's dtype."""
    x_is = isinstance(x, Tensor) or hasattr(x, "_as_tensor")
    y_is = isinstance(y, Tensor) or hasattr(y, "_as_tensor")
    if x_is:
        x = convert_to_tensor(x)
    if y_is:
        y = convert_to_tensor(y)
    graph = graph_of([t for t in (x, y) if isinstance(t, Tensor)])
    with graph.as_default():
        if not x_is:
            x = convert_to_tensor(x, dtype=y.dtype.base_dtype if y_is else None)
        if not y_is:
            y = convert_to_tensor(y, dtype=x.dtype.base_dtype)
    return x, y


def _binary(op_type, x, y, name):
    x, y = _convert_pair(x, y)
    return create_op(op_type, [x, y], {}, name)


def _unbroadcast(op, grad_x, grad_y):
    """Sum each input's gradient back to that input's shape (where broadcasting stretched it)."""
    x, y = op.inputs
    return [grad_x if _never_stretched(x, y) else sum_to_shape(grad_x, x),
            grad_y if _never_stretched(y, x) else sum_to_shape(grad_y, y)]


def _never_stretched(x, other):
    """True when broadcasting ``x`` against ``other`` can never enlarge ``x`` at run time:
    ``other`` has no more dims than ``x``, and each of its dims is 1 or the same known size.
    (So ``logits + bias`` needs no reduction for ``logits`` even with a ``None`` batch dim.)"""
    xd, od = x.shape.dims, other.shape.dims
    if xd is None or od is None or len(od) > len(xd):
        return False
    return all(o == 1 or (o is not None and o == d) for o, d in zip(od, xd[len(xd) - len(od):]))


def _broadcasting(ufunc, quiet=False):
    """A binary kernel that reports run-time shapes that cannot broadcast as TF1 does.

    numpy checks the shapes anyway; its ValueError is turned into the user-facing error only
    when it happens, so the common path pays nothing. ``quiet``: no warnings for x/0.
    """
    def kernel(x, y):
        try:
            if quiet:
                with np.errstate(divide="ignore", invalid="ignore"):
                    return ufunc(x, y)
            return ufunc(x, y)
        except ValueError:
            if np.shape(x) == np.shape(y) or _broadcastable(np.shape(x), np.shape(y)):
                raise
            raise errors.InvalidArgumentError(
                None, None, "Incompatible shapes: %s vs. %s"
                % (_dims_text(np.shape(x)), _dims_text(np.shape(y)))) from None
    kernel.__name__ = ufunc.__name__
    return kernel


def _broadcastable(a, b):
    try:
        np.broadcast_shapes(a, b)
    except ValueError:
        return False
    return True


def _dims_text(shape):
    return "[" + ",".join(str(d) for d in shape) + "]"


# -- Add, Sub, Mul, RealDiv -----------------------------------------------------------------
_add_numbers = _broadcasting(np.add)


def _add_kernel(x, y):
    if x.dtype == object:  # strings (bytes) are concatenated, as TF1's Add does
        return np.asarray(_add_numbers(x, y), dtype=object)
    return _add_numbers(x, y)


define_op("Add", lambda op: _broadcast_infer(op, _NUMERIC + ("string",)), _add_kernel,
          fusion=Fusion("elementwise", "{0} + {1}"))
define_op("Sub", _broadcast_infer, _broadcasting(np.subtract),
          fusion=Fusion("elementwise", "{0} - {1}"))
define_op("Mul", _broadcast_infer, _broadcasting(np.multiply),
          fusion=Fusion("elementwise", "{0} * {1}"))
_real_div_kernel = _broadcasting(np.divide, quiet=True)


define_op("RealDiv", lambda op: _broadcast_infer(op, _FLOAT), _real_div_kernel,
          fusion=Fusion("elementwise", "{0} / {1}"))


@RegisterGradient("Add")
def _add_grad(op, grad):
    return _unbroadcast(op, grad, grad)


@RegisterGradient("Sub")
def _sub_grad(op, grad):
    return _unbroadcast(op, grad, negative(grad))


@RegisterGradient("Mul")
def _mul_grad(op, grad):
    x, y = op.inputs
    return _unbroadcast(op, grad * y, grad * x)


@RegisterGradient("RealDiv")
def _real_div_grad(op, grad):
    x, y = op.inputs
    return _unbroadcast(op, grad / y, negative(grad) * x / square(y))


def add(x, y, name=None):
    return _binary("Add", x, y, name)


def subtract(x, y, name=None):
    return _binary("Sub", x, y, name)


def multiply(x, y, name=None):
    return _binary("Mul", x, y, name)


def divide(x, y, name=None):
    """True division. Integer inputs are converted first, as TF1 does: int8, int16 and uint8
    to float32, int32 and int64 to float64 (7 / 2 = 3.5)."""
    x, y = _convert_pair(x, y)
    if x.dtype.base_dtype.is_integer and y.dtype.base_dtype == x.dtype.base_dtype:
        wide = x.dtype.base_dtype.np_dtype.itemsize >= 4
        target = dtypes.float64 if wide else dtypes.float32
        x, y = cast(x, target), cast(y, target)
    return create_op("RealDiv", [x, y], {}, name or "truediv")


truediv = divide


# -- elementwise unary ops ------------------------------------------------------------------
def _signed_unary_infer(op):
    return _unary_infer(op, _SIGNED)


define_op("Neg", _signed_unary_infer, np.negative, fusion=Fusion("elementwise", "-{0}"))
define_op("Square", _signed_unary_infer, np.square, fusion=Fusion("elementwise", "{0} * {0}"))


def _quiet(fn):
    """A numpy ufunc without warnings: like TF, log(0) = -inf and sqrt(-1) = nan silently."""
    def kernel(x):
        with np.errstate(divide="ignore", invalid="ignore", over="ignore"):
            return fn(x)
    kernel.__name__ = fn.__name__
    return kernel


define_op("Sqrt", _float_unary_infer, _quiet(np.sqrt))
define_op("Exp", _float_unary_infer, _quiet(np.exp))
define_op("Log", _float_unary_infer, _quiet(np.log))


@RegisterGradient("Neg")
def _neg_grad(op, grad):
    return [negative(grad)]


@RegisterGradient("Square")
def _square_grad(op, grad):
    return [grad * (2 * op.inputs[0])]


@RegisterGradient("Sqrt")
def _sqrt_grad(op, grad):
    return [grad * 0.5 / op.outputs[0]]


@RegisterGradient("Exp")
def _exp_grad(op, grad):
    return [grad * op.outputs[0]]


@RegisterGradient("Log")
def _log_grad(op, grad):
    return [grad / op.inputs[0]]


def negative(x, name=None):
    return create_op("Neg", [convert_to_tensor(x)], {}, name)


def square(x, name=None):
    return create_op("Square", [convert_to_tensor(x)], {}, name)


def sqrt(x, name=None):
    return create_op("Sqrt", [convert_to_tensor(x)], {}, name)


def exp(x, name=None):
    return create_op("Exp", [convert_to_tensor(x)], {}, name)


def log(x, name=None):
    return create_op("Log", [convert_to_tensor(x)], {}, name)


# -- AddN -----------------------------------------------------------------------------------
def _add_n_infer(op):
    dtype = _check_dtypes(op, ["inputs"] * len(op.inputs))
    shape = op.inputs[0].shape
    for t in op.inputs[1:]:
        if not shape.is_compatible_with(t.shape):
            raise _shape_error(op, shape, t.shape, "Shapes must be equal")
        shape = shape.merge_with(t.shape)
    return [(shape, dtype)]


def _add_n_kernel(*values, name="AddN"):
    shape = values[0].shape
    for i, v in enumerate(values[1:], 1):
        if v.shape != shape:  # never broadcast: TF1 requires one shape
            raise errors.InvalidArgumentError(
                None, None, "Inputs to operation %s of type AddN must have the same size and "
                "shape.  Input 0: %s != input %d: %s"
                % (name, _dims_text(shape), i, _dims_text(v.shape)))
    total = values[0] + values[1]
    for v in values[2:]:
        total += v
    return total


def _add_n_bind(op, session):
    """The kernel, told the op's name (TF1's shape error names the op)."""
    return functools.partial(_add_n_kernel, name=op.name)


define_op("AddN", _add_n_infer, _add_n_kernel, bind=_add_n_bind,
          fusion=Fusion("elementwise", lambda names, T: " + ".join(names), broadcast=False))


@RegisterGradient("AddN")
def _add_n_grad(op, grad):
    return [grad] * len(op.inputs)


def add_n(inputs, name=None):
    """Sum of a list of tensors of one shape and dtype."""
    if not isinstance(inputs, (list, tuple)) or not inputs:
        raise ValueError("inputs must be a non-empty list of tensors")
    inputs = [convert_to_tensor(t) for t in inputs]
    if len(inputs) == 1:
        return inputs[0] if name is None else create_op("Identity", inputs, {}, name)
    return create_op("AddN", inputs, {}, name)


# -- Equal (no gradient) ------------------------------------------------------------------
def _equal_infer(op):
    return _broadcast_infer(op, _NUMERIC + ("bool", "string"), out_dtype=dtypes.bool)


def _equal_kernel(x, y):
    return kernels.equal(x, y)


define_op("Equal", _equal_infer, _equal_kernel)
NotDifferentiable("Equal")


def equal(x, y, name=None):
    """Elementwise ``x == y`` as bool (same dtypes required; broadcasts)."""
    return _binary("Equal", x, y, name)


# -- operator overloads ---------------------------------------------------------------------
def install_operators(cls):
    """Give ``cls`` (Tensor, Variable) the arithmetic operators, with TF1's op names."""
    cls.__add__ = lambda self, other: add(self, other, name="add")
    cls.__radd__ = lambda self, other: add(other, self, name="add")
    cls.__sub__ = lambda self, other: subtract(self, other, name="sub")
    cls.__rsub__ = lambda self, other: subtract(other, self, name="sub")
    cls.__mul__ = lambda self, other: multiply(self, other, name="mul")
    cls.__rmul__ = lambda self, other: multiply(other, self, name="mul")
    cls.__truediv__ = lambda self, other: divide(self, other, name="truediv")
    cls.__rtruediv__ = lambda self, other: divide(other, self, name="truediv")
    cls.__neg__ = lambda self: negative(self)
    # The ops behind the rest live in other families, which import this module: look them
    # up when an operator is used, so either module may be imported first.
    from . import binary_math_ops as b, comparison_ops as c, matmul_ops as m
    from . import unary_math_ops as u
    cls.__matmul__ = lambda self, other: m.matmul(self, other, name="matmul")
    cls.__rmatmul__ = lambda self, other: m.matmul(other, self, name="matmul")
    cls.__lt__ = lambda self, other: c.less(self, other)
    cls.__le__ = lambda self, other: c.less_equal(self, other)
    cls.__gt__ = lambda self, other: c.greater(self, other)
    cls.__ge__ = lambda self, other: c.greater_equal(self, other)
    cls.__pow__ = lambda self, other: b.pow(self, other, name="pow")
    cls.__rpow__ = lambda self, other: b.pow(other, self, name="pow")
    cls.__mod__ = lambda self, other: b.floormod(self, other, name="mod")
    cls.__rmod__ = lambda self, other: b.floormod(other, self, name="mod")
    cls.__floordiv__ = lambda self, other: b.floordiv(self, other)
    cls.__rfloordiv__ = lambda self, other: b.floordiv(other, self)
    cls.__and__ = lambda self, other: c.logical_and(self, other, name="and")
    cls.__rand__ = lambda self, other: c.logical_and(other, self, name="and")
    cls.__or__ = lambda self, other: c.logical_or(self, other, name="or")
    cls.__ror__ = lambda self, other: c.logical_or(other, self, name="or")
    cls.__xor__ = lambda self, other: c.logical_xor(self, other, name="xor")
    cls.__rxor__ = lambda self, other: c.logical_xor(other, self, name="xor")
    cls.__invert__ = lambda self: c.logical_not(self)
    cls.__abs__ = lambda self: u.abs(self)
    # (``==`` stays identity, as in TF1: tensors are dict keys; use ``equal``.)
    from .slicing import getitem  # slicing imports array_ops only: no cycle
    cls.__getitem__ = getitem
    if "__iter__" not in cls.__dict__:  # else Python would iterate through __getitem__
        cls.__iter__ = _not_iterable


def _not_iterable(self):
    raise TypeError("'%s' object is not iterable." % type(self).__name__)


install_operators(Tensor)
